"""Degenerate inputs give named Undefined results, never numbers; bad inputs give one-line InputErrors."""

import numpy as np
import pytest

from verify.base.errors import InputError
from verify.geometry import simplex_etf
from verify.metrics import Conventions, collapse_report, equinorm, etf_distance, minority_cosine, nc1
from verify.record import Undefined


def test_zero_classifier_row_makes_its_directional_metrics_undefined_by_name():
    M = simplex_etf(3, 2)
    W = M.copy()
    W[1] = 0.0
    y = np.array([5, 6, 7])
    r = collapse_report(M, y, W)
    for key in ("equiangularity_classifiers", "max_equiangularity_classifiers", "hyperspherical_energy_classifiers"):
        assert isinstance(r[key], Undefined) and "w[6]" in r[key].reason, key
    assert isinstance(r["equinorm_classifiers"], float)  # a norm spread is defined with one zero norm
    zero = collapse_report(M, y, 0 * W)
    assert isinstance(zero["self_duality"], Undefined) and isinstance(zero["equinorm_classifiers"], Undefined)
    assert isinstance(zero["etf_distance_classifiers"], Undefined)


def test_zero_centred_class_mean_is_named():
    """Class 2's mean sits at the global mean: its centred mean has no direction."""
    H = np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 0.0]])
    r = collapse_report(H, np.array([0, 1, 2]))
    assert isinstance(r["equiangularity_means"], Undefined) and "mu[2]" in r["equiangularity_means"].reason
    assert isinstance(r["nonnegative_orthogonality"], Undefined)


def test_coincident_class_means_and_vanishing_between_class_scale():
    H = np.array([[1.0, 2.0], [1.0, 2.0], [3.0, 0.0]])
    r = collapse_report(H, np.array([0, 1, 2]))
    assert isinstance(r["cdnv"], Undefined) and "coincide" in r["cdnv"].reason
    same = collapse_report(np.ones((4, 3)), np.array([0, 0, 1, 1]))
    for key in ("nc1", "nc1_rank", "nc1_quotient"):
        assert isinstance(same[key], Undefined) and "coincide" in same[key].reason
    assert isinstance(nc1(np.eye(2), np.zeros((2, 2)), K=2), Undefined)
    assert isinstance(etf_distance(np.zeros((3, 2))), Undefined) and isinstance(equinorm(np.zeros((2, 2))), Undefined)


def test_minority_cosine_needs_two_minority_classes_and_finds_two_group_sizes():
    W = np.array([[1.0, 0], [0, 1.0], [1.0, 1.0], [1.0, 0.9]])
    assert isinstance(minority_cosine(W, [3]), Undefined)
    y = np.repeat(np.arange(4), [9, 9, 2, 2])
    H = np.eye(4, 2)[y] + np.arange(len(y))[:, None] * 0.01
    r = collapse_report(H, y, W)
    expected = W[2] @ W[3] / np.linalg.norm(W[2]) / np.linalg.norm(W[3])
    assert r["minority_cosine"] == pytest.approx(expected, abs=1e-15)
    three_sizes = collapse_report(H, np.repeat(np.arange(4), [9, 8, 2, 3]), W)
    assert (
        isinstance(three_sizes["minority_cosine"], Undefined) and "minority=" in three_sizes["minority_cosine"].reason
    )


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda: collapse_report(np.ones((3, 2)), [0, 1]), "labels: 2 labels for 3 feature rows"),
        (lambda: collapse_report(np.ones(3), [0, 1, 2]), "features: shape \\(3,\\) is not 2-D"),
        (lambda: collapse_report([[np.nan, 1.0], [0.0, 1.0]], [0, 1]), "features: contains NaN"),
        (lambda: collapse_report(np.eye(2), [0, 1], np.ones((3, 2))), "W: 3 rows for the 2 classes"),
        (lambda: collapse_report(np.eye(2), [0, 1], np.ones((2, 3))), "W: width 3 does not match"),
        (lambda: collapse_report(np.eye(2), [0, 0]), "1 class present"),
        (lambda: collapse_report(np.eye(2), [0, 1], scale="1/N"), "scale = '1/N' is not a known convention"),
        (lambda: collapse_report(np.eye(2), [0, 1], pinv_cutoff=1e-3), "unknown convention 'pinv_cutoff'"),
        (lambda: collapse_report(np.eye(2), [0.5, 1.0]), "non-integer float labels"),
        (lambda: Conventions(centred="yes"), "centred = 'yes' is not a bool"),
    ],
)
def test_bad_input_is_a_one_line_input_error(call, match):
    with pytest.raises(InputError, match=match) as err:
        call()
    assert "\n" not in str(err.value)


def test_conventions_switch_what_they_say():
    rng = np.random.default_rng(0)
    y = np.repeat(np.arange(3), [2, 10, 30])
    H = rng.normal(size=(3, 4))[y] + 0.3 * rng.normal(size=(42, 4))
    base = collapse_report(H, y)
    assert collapse_report(H, y, scale="none")["nc1"] == pytest.approx(3 * base["nc1"], rel=1e-13)
    # imbalanced: the class and sample global means differ, and with them the centred metrics
    assert collapse_report(H, y, global_mean="sample")["nc1"] != pytest.approx(base["nc1"], rel=1e-3)
    # uncentred NC2 of these means is another number; ddof=1 scales the CV by sqrt(K/(K-1))
    assert collapse_report(H, y, centred=False)["etf_distance_means"] != pytest.approx(base["etf_distance_means"])
    cv1 = collapse_report(H, y, ddof=1)["equinorm_means"]
    assert cv1 == pytest.approx(base["equinorm_means"] * np.sqrt(3 / 2), rel=1e-13)


def test_cutoff_exponent_and_energy_switches():
    rng = np.random.default_rng(1)
    y = np.repeat(np.arange(3), 20)
    means = np.array([[10.0, 0, 0], [-10.0, 0, 0], [0, 0.1, 0]])  # Sigma_B eigenvalues ~ 67 and ~ 0.003
    H = means[y] + 0.01 * rng.normal(size=(60, 3))
    full = collapse_report(H, y)["nc1"]
    cut = collapse_report(H, y, pinv_rtol=1e-3)["nc1"]  # drops the small between-class direction
    assert cut < full / 10
    # CDNV with exponent p, recomputed here from the class samples
    groups = [H[y == k] for k in range(3)]
    mu = [g.mean(axis=0) for g in groups]
    var = [np.mean(np.sum((g - m) ** 2, axis=1)) for g, m in zip(groups, mu)]
    pairs = [(0, 1), (0, 2), (1, 2)]
    for p in (1.0, 2.0):
        expected = np.mean([(var[a] + var[c]) / (2 * np.sum((mu[a] - mu[c]) ** 2) ** p) for a, c in pairs])
        assert collapse_report(H, y, cdnv_exponent=p)["cdnv"] == pytest.approx(expected, rel=1e-12)
    # s = 0 is the logarithmic energy of the centred mean directions
    M = np.array(mu) - np.mean(mu, axis=0)
    U = M / np.linalg.norm(M, axis=1)[:, None]
    log_energy = np.mean([-np.log(np.linalg.norm(U[a] - U[c])) for a, c in pairs])
    assert collapse_report(H, y, energy_s=0.0)["hyperspherical_energy_means"] == pytest.approx(log_energy, rel=1e-12)
