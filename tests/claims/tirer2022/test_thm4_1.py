"""tirer2022.thm4_1: two linear layers against independent solves; local minima named and counted; thresholds and
ties; the errata; Lemma C.1 against a numerical minimisation."""

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings

from verify.claims.tirer2022 import thm4_1
from verify.claims.tirer2022._two_layer import u_root
from verify.engine.checking import Verdict, check_claim, check_point
from verify.record import SolveOptions

CLAIM = thm4_1.CLAIM


def test_pinned_examples_verify():
    result = check_claim(CLAIM, examples=0)
    assert result.verdict is Verdict.VERIFIED, [(p.params, p.solve.message) for p in result.points]


@settings(max_examples=3)
@given(thm4_1.parameters())
def test_drawn_points_verify(values):
    point = check_point(CLAIM, CLAIM.parse(values), SolveOptions(seed=2))
    assert point.verdict is Verdict.VERIFIED, (values, point.solve.message, [c for c in point.comparisons if not c.ok])


def test_local_minima_are_reported_by_name_and_never_fail_the_check():
    point = check_point(CLAIM, CLAIM.parse(CLAIM.examples[1].params), SolveOptions())
    assert point.verdict is Verdict.VERIFIED
    names = [m["description"] for m in point.solve.details["local_minima"]]
    assert any("directions active" in n and "local minimum" in n for n in names), names
    assert all(
        float(m["value"]) > float(point.solve.quantities["value"][0]) for m in point.solve.details["local_minima"]
    )


def test_between_the_thresholds_the_origin_is_global_and_the_nonzero_point_local():
    values = CLAIM.parse(CLAIM.examples[2].params)
    report = CLAIM.solver(values, SolveOptions())
    assert report.details["best_point"].startswith("origin") and report.quantities["value"][0] == mpmath.mpf(1) / 2
    assert report.quantities["value_nonzero"][0] > mpmath.mpf(1) / 2  # measured at the local minimiser


def test_thresholds_need_only_K_and_the_tie_values():
    out = CLAIM.evaluate(CLAIM.parse({"K": "2"}, partial=True))
    assert mpmath.almosteq(out["beta_global_threshold"] * 2, mpmath.mpf(2) ** (-mpmath.mpf(4) / 3))
    assert out["value_at_local_tie"] == mpmath.mpf(9) / 16
    # exactly at the fold (K^3 P = 27/256) the double root is 2^(-2/3); just above, no root
    at_fold = {"K": 2, "n": 1, "lambda_W1": 1, "lambda_W2": 1, "lambda_H1": 27 / 256 / 8}
    from fractions import Fraction

    v = {k: Fraction(x) for k, x in at_fold.items()}
    assert mpmath.almosteq(u_root(v, 30), mpmath.mpf(2) ** (-mpmath.mpf(2) / 3))
    v["lambda_H1"] *= Fraction(101, 100)
    assert not isinstance(u_root(v, 30), mpmath.mpf)


def test_errata_are_confirmed_by_computation():
    for erratum in CLAIM.errata:
        assert erratum.evidence().holds, erratum.location


@pytest.mark.parametrize("seed", range(3))
def test_lemma_c1_nuclear_norm_bound(seed):
    """min over A B = Z of (lA ||A||^2 + lB ||B||^2)/2 = sqrt(lA lB) ||Z||_*: the balanced factorisation attains
    it, and random factorisations of the same Z lie above it (Lemma C.1 of Zhu et al. 2021)."""
    rng = np.random.default_rng(seed)
    Z = rng.standard_normal((3, 4))
    lA, lB = 0.3, 1.7
    U, s, Vt = np.linalg.svd(Z, full_matrices=False)
    c = (lB / lA) ** 0.25
    A, B = c * U * np.sqrt(s), (np.sqrt(s)[:, None] * Vt) / c
    bound = np.sqrt(lA * lB) * s.sum()
    assert np.allclose(A @ B, Z) and (lA * (A**2).sum() + lB * (B**2).sum()) / 2 == pytest.approx(bound, rel=1e-12)
    for _ in range(20):
        G = rng.standard_normal((3, 3)) + 3 * np.eye(3)
        A2, B2 = A @ G, np.linalg.solve(G, B)
        assert (lA * (A2**2).sum() + lB * (B2**2).sum()) / 2 >= bound * (1 - 1e-12)


@pytest.mark.slow
def test_campaign_at_high_precision():
    """The slow tier: 20 drawn points at dps 50 with twice the starts."""
    result = check_claim(CLAIM, examples=20, seed=11, options=SolveOptions(dps=50, n_starts=16, seed=11))
    assert result.verdict is Verdict.VERIFIED, [
        (p.params, p.solve.message) for p in result.points if p.verdict != "verified"
    ]


def test_a_point_on_the_fold_is_inconclusive_never_failed():
    """Exactly at the fold (K^3 n lambda_H1 lambda_W1 lambda_W2 = 27/256) the nonzero stationary point is a double
    root: degenerate, reached by no start. Not finding it is no evidence against the theorem: the solve, which
    measures the fold itself, says so and the point is inconclusive (it was `failed`)."""
    params = {"K": 3, "n": 1, "lambda_W1": "1/8", "lambda_W2": "1/8", "lambda_H1": "1/4", "d1": 3, "d2": 3}
    point = check_point(CLAIM, CLAIM.parse(params), SolveOptions(dps=30, seed=0))
    assert point.verdict is Verdict.INCONCLUSIVE, point.solve.message
    assert "fold" in point.solve.message
