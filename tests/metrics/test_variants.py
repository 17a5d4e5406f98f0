"""The metrics of the other public libraries (NC5, both UNC3s, nc1_weak, ||W mu_G + b||, CDNV with n_k - 1,
NRC1-3), each against a direct computation written here from the source's formula."""

import math

import numpy as np
import pytest
from scipy.linalg import sqrtm

from verify.base.values import Undefined
from verify.geometry.examples import noisy
from verify.metrics import collapse_report
from verify.metrics import regression as r
from verify.metrics import variants as v

#: Direct loops against vectorised/tiled float64: O(K^2) terms of O(1) size, agreement ~1e-15.
DIRECT = 1e-12


@pytest.fixture
def data():
    rng = np.random.default_rng(21)
    H, y, W, b = noisy(5, 7, [9, 4, 12, 6, 2], rng)
    return H, y, W, b, rng


def _means(H, y):
    return np.array([H[y == k].mean(axis=0) for k in range(5)])


def test_report_keys_against_direct_computations(data):
    H, y, W, b, rng = data
    ood = rng.normal(size=7) + 0.3
    rep = collapse_report(H, y, W, b, ood_mean=ood)
    M = _means(H, y)
    mu_G = M.mean(axis=0)  # default global_mean="class"
    Mc = M - mu_G
    cos = lambda a, c: float(a @ c / (np.linalg.norm(a) * np.linalg.norm(c)))
    # NC5 (rhubarbwu orthogonality_deviation on uncentred means)
    assert rep["nc5_ood_orthogonality"] == pytest.approx(np.mean([abs(cos(M[k], ood)) for k in range(5)]), rel=DIRECT)
    # rhubarbwu's UNC3: torch .var() (unbiased) of w_k . (mu_k - mu_G)
    sims = [W[k] @ Mc[k] for k in range(5)]
    assert rep["unc3_similarity_variance"] == pytest.approx(np.var(sims, ddof=1), rel=DIRECT)
    # ours: all k != l
    off = [cos(W[k], Mc[j]) for k in range(5) for j in range(5) if j != k]
    assert rep["unc3_offdiagonal_cosine"] == pytest.approx(np.mean(off), rel=DIRECT)
    # Zhu et al.: ||W mu_G + b||
    assert rep["global_mean_logit_norm"] == pytest.approx(np.linalg.norm(W @ mu_G + b), rel=DIRECT)
    # nc1_weak (Rangamani et al.): traces as fractions of their sum, Sigma_W = (1/N) scatter, Sigma_B 1/K
    tw = sum(np.sum((H[y == k] - M[k]) ** 2) for k in range(5)) / len(y)
    tb = np.sum(Mc**2) / 5
    assert rep["nc1_weak_between"] == pytest.approx(tb / (tb + tw), rel=DIRECT)
    assert rep["nc1_weak_within"] == pytest.approx(tw / (tb + tw), rel=DIRECT)
    assert isinstance(collapse_report(H, y, W, b)["nc5_ood_orthogonality"], Undefined)


def test_cdnv_with_the_sample_variance(data):
    H, y, W, b, _ = data
    M = _means(H, y)
    var1 = np.array([np.sum((H[y == k] - M[k]) ** 2) / (np.sum(y == k) - 1) for k in range(5)])
    i, j = np.triu_indices(5, k=1)
    direct = np.mean((var1[i] + var1[j]) / (2 * np.sum((M[i] - M[j]) ** 2, axis=1)))
    assert collapse_report(H, y, cdnv_ddof=1)["cdnv"] == pytest.approx(direct, rel=DIRECT)
    lone = collapse_report(np.vstack([H, H[:1] + 5]), np.concatenate([y, [9]]), cdnv_ddof=1)["cdnv"]
    assert isinstance(lone, Undefined) and "mu[9]" in lone.reason


def test_the_two_unc3_are_different_things_and_only_the_upper_triangle_depends_on_class_order(data):
    H, y, W, b, rng = data
    Mc = _means(H, y) - _means(H, y).mean(axis=0)
    perm = rng.permutation(5)
    upper = [v.unc3_offdiagonal_cosine(W[p], Mc[p], upper_only=True) for p in (np.arange(5), perm)]
    ours = [v.unc3_offdiagonal_cosine(W[p], Mc[p]) for p in (np.arange(5), perm)]
    assert ours[0] == pytest.approx(ours[1], rel=DIRECT)
    assert abs(upper[0] - upper[1]) > 1e-3  # nc-toolbox's triangle moves with the labels' order
    Wn = W / np.linalg.norm(W, axis=1)[:, None]
    Mn = Mc / np.linalg.norm(Mc, axis=1)[:, None]
    tri = [Wn[k] @ Mn[j] for k in range(5) for j in range(k + 1, 5)]
    assert upper[0] == pytest.approx(np.mean(tri), rel=DIRECT)
    for tile in (1, 2, 5):
        got = v.unc3_offdiagonal_cosine(W, Mc, reduction="cov", upper_only=True, tile=tile)
        assert got == pytest.approx(np.std(tri) / np.mean(tri), rel=DIRECT)


def test_nrc1_nrc2_against_eigenvectors_and_pseudo_inverse_projections():
    rng = np.random.default_rng(8)
    M, d, n = 60, 6, 2
    H = rng.normal(size=(M, n)) @ rng.normal(size=(n, d)) + 0.1 * rng.normal(size=(M, d))
    W = rng.normal(size=(n, d))
    Hn = H / np.linalg.norm(H, axis=1)[:, None]
    lam, V = np.linalg.eigh(H.T @ H)  # leading eigenvectors of H^T H = right singular vectors of H
    P = V[:, np.argsort(lam)[::-1][:n]]
    direct1 = np.mean([np.sum((h - P @ (P.T @ h)) ** 2) for h in Hn])
    assert r.nrc1(H, n) == pytest.approx(direct1, rel=1e-10)  # eigenvector accuracy ~ eps * gap^-1
    PW = W.T @ np.linalg.pinv(W.T)
    direct2 = np.mean([np.sum((h - PW @ h) ** 2) for h in Hn])
    assert r.nrc2(H, W) == pytest.approx(direct2, rel=1e-10)


def test_nrc3_against_sqrtm_and_a_grid():
    rng = np.random.default_rng(9)
    Y = rng.normal(size=(200, 3)) @ np.diag([2.0, 1.0, 0.5]) + 1.0
    W = rng.normal(size=(3, 5))
    S = np.real(sqrtm(np.cov(Y.T, bias=True)))
    A = W @ W.T / np.linalg.norm(W @ W.T)

    def direct(g):
        X = S - math.sqrt(g) * np.eye(3)
        return np.linalg.norm(A - X / np.linalg.norm(X)) ** 2

    assert r.nrc3(W, Y, gamma=0.3) == pytest.approx(direct(0.3), rel=1e-10)
    grid = min(direct(g) for g in np.linspace(0, 1, 2001))
    best = r.nrc3(W, Y)
    assert best <= grid + 1e-12 and best >= grid - 1e-3


def test_zhu_between_class_covariance_has_rank_k_minus_1_when_imbalanced():
    """docs/metrics.md: Zhu et al.'s Sigma_B (weights 1/K about the *sample* mean) has rank at most K - 1 for
    any class sizes: the centred means satisfy sum_k (n_k/N)(mu_k - mu_G) = 0."""
    from verify.metrics import ZHU_2021_CODE, ClassStatistics

    rng = np.random.default_rng(0)
    H, y, _, _ = noisy(10, 64, rng.integers(5, 200, size=10), rng)
    A = ClassStatistics.from_arrays(H, y).between_factor(ZHU_2021_CODE)
    lam = np.linalg.svd(A, compute_uv=False) ** 2
    assert lam[-1] <= 64 * np.finfo(float).eps * lam[0]  # rounding of a rank-9 matrix (measured 1.7e-32)
    assert lam[-2] > 0.1 * lam[0]
