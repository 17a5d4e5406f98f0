"""The backward-compatible summary verify.geometry.collapse (now delegating to verify.metrics): exact on
constructed geometries, undefined on zero vectors; and verify.metrics on an independent solve of the
Layer-Peeled Model (Theorem 1 of Fang et al.). The metrics themselves are tested in tests/metrics/."""

import numpy as np
import pytest

from verify.engine.registry import get
from verify.geometry import simplex_etf
from verify.geometry.collapse import class_means, collapse_metrics
from verify.metrics import collapse_report
from verify.record import SolveOptions, Undefined

#: float64 round-off of the constructions below (sums of O(10) products of unit-size numbers).
EXACT = 1e-12


@pytest.mark.parametrize("K,p", [(2, 1), (3, 2), (5, 7), (10, 12)])
def test_collapsed_etf_geometry_measures_as_collapsed(K, p):
    rng = np.random.default_rng(K)
    M = simplex_etf(K, p, rng) * 3.0
    labels = np.repeat(np.arange(K), 4)
    offset = rng.normal(size=p)  # a global mean offset: the metrics centre class means
    m = collapse_metrics(M[labels] + offset, labels, M / 2)
    assert m.nc1 < EXACT
    assert m.worst_cosine_gap() < EXACT
    assert m.mean_norm_cv < EXACT and m.classifier_norm_cv < EXACT
    assert m.self_duality < EXACT


def test_uncollapsed_features_have_large_nc1_and_orthogonal_frame_is_not_an_etf():
    rng = np.random.default_rng(0)
    K, p = 4, 6
    labels = np.repeat(np.arange(K), 50)
    centres = np.eye(K, p) * 2
    m = collapse_metrics(centres[labels] + rng.normal(size=(len(labels), p)), labels, np.eye(K, p))
    assert m.nc1 > 0.5  # within-class spread comparable to the between-class spread
    assert m.classifier_cosines == pytest.approx((0.0,) * 6, abs=EXACT)
    assert m.worst_cosine_gap() == pytest.approx(1 / 3, abs=EXACT)  # orthogonal classifiers: 0 vs -1/3


def test_zero_classifier_row_gives_undefined_cosines_not_numbers():
    K, p = 3, 2
    M = simplex_etf(K, p)
    W = M.copy()
    W[1] = 0.0
    labels = np.arange(K)
    m = collapse_metrics(M[labels], labels, W)
    assert isinstance(m.classifier_cosines[0], Undefined)  # pair (w_1, w_2)
    assert "w_2" in m.classifier_cosines[0].reason
    assert isinstance(m.worst_cosine_gap(), Undefined)
    zero = collapse_metrics(M[labels], labels, 0 * W)
    assert isinstance(zero.self_duality, Undefined) and isinstance(zero.classifier_norm_cv, Undefined)


def test_missing_class_is_a_named_error():
    with pytest.raises(ValueError, match="classes \\[2\\] have no samples"):
        collapse_metrics(np.ones((2, 2)), np.array([0, 1]), np.ones((3, 2)))


def test_independent_layer_peeled_solve_measures_as_neural_collapse():
    """The multistart + mpmath solve of (7) knows nothing of ETFs; its minimiser must measure as collapsed."""
    claim = get("fang2021.thm1")
    values = claim.parse({"K": "4", "n": "3", "p": "5", "E_H": "2", "E_W": "1"})
    report = claim.solver(values, SolveOptions(dps=30))
    assert report.converged
    from verify.claims.fang2021.thm1 import model

    lpm = model(values)
    W, H = lpm.unpack(np.array([float(v) for v in report.point]))
    m = collapse_metrics(H, np.asarray(lpm.labels), W)
    # float64 copy of a point refined to 25 digits: only the float conversion (~1e-16) remains
    assert m.nc1 < EXACT and m.worst_cosine_gap() < EXACT and m.self_duality < EXACT
    r = collapse_report(H, np.asarray(lpm.labels), W)
    for key in ("nc1", "equiangularity_means", "etf_distance_means", "etf_distance_classifiers", "self_duality"):
        assert r[key] < EXACT, key
    assert r["nc4_agreement"] == 1.0


def test_shim_and_metrics_agree_on_noisy_features():
    rng = np.random.default_rng(3)
    labels = np.repeat(np.arange(4), [10, 3, 7, 5])
    H = rng.normal(size=(4, 6))[labels] + 0.5 * rng.normal(size=(25, 6))
    W = rng.normal(size=(4, 6))
    m, r = collapse_metrics(H, labels, W), collapse_report(H, labels, W)
    assert m.nc1 == r["nc1"] and m.self_duality == r["self_duality"]
    assert m.mean_norm_cv == r["equinorm_means"] and m.classifier_norm_cv == r["equinorm_classifiers"]
    gaps = np.abs(np.array(m.mean_cosines) + 1 / 3)
    assert gaps.mean() == pytest.approx(r["equiangularity_means"], rel=1e-14)


def test_class_means_keep_the_arithmetic_of_their_input():
    """The claims measure 30-digit points with class_means: an mpf array must stay mpf, digits intact."""
    import mpmath

    with mpmath.workdps(30):
        third = mpmath.mpf(1) / 3
        H = np.array([[third, mpmath.mpf(0)], [third * 2, mpmath.mpf(1)], [mpmath.mpf(1), mpmath.mpf(2)]], dtype=object)
        means = class_means(H, np.array([0, 0, 1]), 2)
        assert isinstance(means[0, 0], mpmath.mpf)
        assert abs(means[0, 0] - mpmath.mpf(1) / 2) < mpmath.mpf(10) ** -29
