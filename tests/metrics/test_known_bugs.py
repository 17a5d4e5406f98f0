"""Each defect found in public NC-metric code has a test that ours does not have it. The public computation
is re-enacted in a few lines next to ours (docs/metrics.md names where each was seen)."""

import numpy as np
import pytest

from verify.geometry import simplex_etf
from verify.metrics import (
    PAPYAN_2020_CODE,
    ClassStatistics,
    Conventions,
    collapse_report,
    equiangularity,
)

K, D, N_PER = 10, 128, 100


def _nc1_by_projection(H: np.ndarray, y: np.ndarray) -> float:
    """NC1 independently of any pseudo-inverse: restrict Sigma_W to the span of the centred class means
    (orthonormal basis Q from a QR factorisation) and solve there, tr((Q^T Sw Q)(Q^T Sb Q)^{-1}) / K."""
    classes = np.unique(y)
    mu = np.stack([H[y == c].mean(axis=0) for c in classes])
    Mc = mu - mu.mean(axis=0)
    Q, _ = np.linalg.qr(Mc[1:].T - Mc[0][:, None])  # K-1 independent directions spanning the centred means
    Hc = H - mu[np.searchsorted(classes, y)]
    Sw = Hc.T @ Hc / H.shape[0]
    Sb = Mc.T @ Mc / len(classes)
    return float(np.trace(np.linalg.solve(Q.T @ Sb @ Q, Q.T @ Sw @ Q))) / len(classes)


@pytest.fixture(scope="module")
def nearly_collapsed_float32():
    rng = np.random.default_rng(1)
    y = np.repeat(np.arange(K), N_PER)
    Q, _ = np.linalg.qr(rng.normal(size=(D, K - 1)))  # a random (K-1)-plane of R^128
    means = simplex_etf(K, K - 1) @ Q.T * 10 + 5.0
    H = (means[y] + 0.03 * rng.normal(size=(K * N_PER, D))).astype(np.float32)
    return H, y


def test_fixed_1e15_pinv_cutoff_on_float32_covariances_is_not_ours(nearly_collapsed_float32):
    """The public pinv(Sigma_B, rcond=1e-15) on float32 covariances keeps singular values of pure rounding and
    inverts them. What that inverted noise comes to (+1e13 on one BLAS kernel, -3e5 on another) is rounding
    noise, so the test asserts the bounds that decide it, all derived from float32's precision: the exact
    Sigma_B has rank K - 1; a backward-stable SVD of its float32 product returns the K-th and later singular
    values within max(K, d) eps32 s_1 of 0 (the bound our cutoff uses), the fixed cutoff 1e-15 s_1 lies 10^8
    below that bound (it cannot tell rounding from signal) and the K - 1 signal values lie far above it."""
    H, y = nearly_collapsed_float32
    reference = _nc1_by_projection(H.astype(np.float64), y)
    assert 1e-5 < reference < 1e-3  # a nearly collapsed network
    # public: float32 covariances, numpy pinv with the fixed cutoff 1e-15 (below float32's eps 1.2e-7)
    mu = np.stack([H[y == k].mean(axis=0) for k in range(K)])
    Mc = mu - mu.mean(axis=0)
    between = Mc.T @ Mc / K
    assert between.dtype == np.float32
    s = np.linalg.svd(between, compute_uv=False)  # what pinv thresholds
    rounding_bound = max(K, D) * np.finfo(np.float32).eps * s[0]  # float32 product + SVD, backward stable
    assert np.all(s[K - 1 :] <= rounding_bound)  # the exact rank is K - 1: the rest is rounding
    assert s[K - 2] > 1e3 * rounding_bound  # the signal is far above it
    assert 1e-15 * s[0] < 1e-6 * rounding_bound  # the public cutoff keeps (and inverts) rounding
    ours = collapse_report(H, y)
    # the cutoff max(K, d) * eps(float32) = 1.5e-5 sits between the signal and the noise of the input
    assert ours["nc1"] == pytest.approx(reference, rel=1e-9)
    assert ours["nc1_rank"] == pytest.approx(reference, rel=1e-9)


def test_signed_mean_of_cos_plus_1_over_k_minus_1_cannot_see_angles():
    """Centred equinorm means that are far from equiangular: +-e1, +-e2 (cosines -1, 0, 0, 0, 0, -1)."""
    V = np.array([[1.0, 0, 0], [-1.0, 0, 0], [0, 1.0, 0], [0, -1.0, 0]])
    cos = (V @ V.T)[np.triu_indices(4, 1)]
    assert np.mean(cos + 1 / 3) == pytest.approx(0, abs=1e-15)  # the signed average: "perfectly equiangular"
    eq = equiangularity(V)
    assert eq.mean_abs == pytest.approx(4 / 9, abs=1e-15)  # ours: mean |cos + 1/3| = (2 * 2/3 + 4 * 1/3)/6
    assert eq.mean_cos == pytest.approx(-1 / 3, abs=1e-15)  # the mean cosine is forced, whatever the angles
    assert eq.spread > 0.4


def test_between_class_covariance_is_not_n_over_k_times_total_covariance():
    rng = np.random.default_rng(5)
    y = np.repeat(np.arange(3), [10, 20, 30])
    H = rng.normal(size=(3, 4))[y] * 3 + rng.normal(size=(60, 4))
    stats = ClassStatistics.from_arrays(H, y)
    conv = Conventions()
    mu = np.stack([H[y == k].mean(axis=0) for k in range(3)])
    expected = sum(np.outer(m - mu.mean(axis=0), m - mu.mean(axis=0)) for m in mu) / 3
    np.testing.assert_allclose(stats.sigma_b(conv), expected, rtol=1e-13, atol=1e-13)
    Ht = H - H.mean(axis=0)
    assert not np.allclose(stats.sigma_b(conv), Ht.T @ Ht / 3, rtol=0.5)  # (N/K) Sigma_T: 20x too big


def test_total_covariance_splits_into_within_plus_between_under_the_sample_weighted_convention():
    rng = np.random.default_rng(6)
    y = np.repeat(np.arange(4), [3, 30, 7, 1])
    H = rng.normal(size=(4, 5))[y] + 0.5 * rng.normal(size=(41, 5))
    stats = ClassStatistics.from_arrays(H, y)
    total = np.cov(H, rowvar=False, bias=True)  # numpy's own 1/N total covariance
    split = stats.sigma_w() + stats.sigma_b(Conventions(global_mean="sample", between="sample"))
    np.testing.assert_allclose(split, total, rtol=1e-13, atol=1e-13)
    unweighted = stats.sigma_w() + stats.sigma_b(Conventions())
    assert not np.allclose(unweighted, total, rtol=1e-3)  # the class-weighted Sigma_B does not split Sigma_T


def test_within_over_between_is_a_ratio_of_traces_not_of_entry_sums():
    """A public copy of the Han et al. MSE code prints np.sum(Sw) / np.sum(Sb): the sum of *all entries*,
    which a rotation of feature space changes (and which can vanish). Ours is tr Sw / tr Sb."""
    from scipy.stats import ortho_group

    rng = np.random.default_rng(11)
    y = np.repeat(np.arange(4), 12)
    H = rng.normal(size=(4, 5))[y] + 0.7 * rng.normal(size=(48, 5))
    Q = ortho_group.rvs(5, random_state=rng)
    conv = Conventions()
    s, sq = ClassStatistics.from_arrays(H, y), ClassStatistics.from_arrays(H @ Q, y)
    entry_sums = [np.sum(t.sigma_w()) / np.sum(t.sigma_b(conv)) for t in (s, sq)]
    assert abs(entry_sums[0] - entry_sums[1]) > 1e-3 * abs(entry_sums[0])
    ours = [collapse_report(A, y)["nc1_quotient"] for A in (H, H @ Q)]
    assert ours[1] == pytest.approx(ours[0], rel=1e-12)
    assert ours[0] == pytest.approx(np.trace(s.sigma_w()) / np.trace(s.sigma_b(conv)), rel=1e-13)


def test_means_are_found_by_label_value_not_position():
    """Position-indexed means (mean[i] for i in range(K)) break on labels {3, 7, 42}; ours do not."""
    rng = np.random.default_rng(8)
    y = np.repeat([0, 1, 2], 10)
    H = rng.normal(size=(3, 4))[y] + 0.1 * rng.normal(size=(30, 4))
    base, relabelled = collapse_report(H, y), collapse_report(H, np.array([3, 7, 42])[y])
    for k, v in base.items():
        assert relabelled[k] == v or (str(relabelled[k]) == str(v)), k


def test_papyan_code_conventions_reproduce_its_trace_without_1_over_k():
    """The Papyan et al. code reports tr(Sw Sb^+) with the rank-(K-1) inverse and no 1/K: the switch
    scale="none" reproduces it, the default divides by K as the paper's figures do."""
    rng = np.random.default_rng(9)
    y = np.repeat(np.arange(5), 8)
    H = rng.normal(size=(5, 7))[y] + rng.normal(size=(40, 7))
    ours = collapse_report(H, y)["nc1_rank"]
    papyan = collapse_report(H, y, conventions=PAPYAN_2020_CODE)["nc1_rank"]
    assert papyan == pytest.approx(5 * ours, rel=1e-12)
    assert ours == pytest.approx(_nc1_by_projection(H, y), rel=1e-10)
