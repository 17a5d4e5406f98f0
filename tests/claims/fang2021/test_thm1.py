"""fang2021.thm1: the ETF minimiser against independent solves, the proof's lower bound, Lemma 2, erratum."""

from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from verify.base.symbolic import is_zero
from verify.claims.fang2021 import thm1
from verify.engine.checking import Verdict, check_claim, check_point
from verify.geometry import simplex_etf
from verify.models import FLOAT, mp_arithmetic
from verify.record import SolveOptions

CLAIM = thm1.CLAIM


def test_pinned_examples_and_drawn_points_verify():
    result = check_claim(CLAIM, examples=3, seed=1)
    assert result.verdict is Verdict.VERIFIED, [(p.params, p.solve.message) for p in result.points]
    assert all(c.ok for p in result.points for c in p.comparisons)


@settings(max_examples=4)
@given(thm1.parameters())
def test_hypothesis_drawn_points_verify(values):
    point = check_point(CLAIM, CLAIM.parse(values), SolveOptions(dps=30, seed=7))
    assert point.verdict is Verdict.VERIFIED, (point.solve.message, [c for c in point.comparisons if not c.ok])


# --- the proof's lower bound (SI A.1) -------------------------------------------------------------------------
def _bounds(values):
    subs = CLAIM.subs(values)
    return float(sp.N(thm1.L0_PRINTED.subs(subs), 20)), float(sp.N(thm1.L0_TIGHT.subs(subs), 20))


#: Float64 evaluation of (7) at a point is accurate to ~1e-15 relative (a sum of N log-sum-exps); the bound
#: must hold up to that rounding, which 1e-12 relative covers with room.
FLOAT_ROUNDING = 1e-12


@given(
    params=thm1.parameters(),
    seed=st.integers(0, 2**32 - 1),
    log_scale=st.floats(-2, 2),
    near_etf=st.booleans(),
)
def test_lower_bound_holds_at_every_feasible_point(params, seed, log_scale, near_etf):
    """Random (W, H), infeasible ones projected onto the constraints, and points near the ETF minimiser."""
    lpm = thm1.model(params)
    rng = np.random.default_rng(seed)
    if near_etf:
        M = simplex_etf(lpm.K, lpm.p, rng)
        W = np.sqrt(float(lpm.E_W)) * M + 1e-3 * rng.standard_normal(M.shape)
        H = np.repeat(np.sqrt(float(lpm.E_H)) * M, lpm.class_sizes[0], axis=0) + 1e-3 * rng.standard_normal(
            (lpm.N, lpm.p)
        )
        x = lpm.pack(W, H)
    else:
        x = 10.0**log_scale * rng.standard_normal(lpm.dim)
    x = lpm.project(x)
    assert np.all(lpm.constraints(x) <= 1e-12 * np.array(lpm.constraint_scale))
    value = lpm.objective(x)
    printed, tight = _bounds(params)
    assert value >= tight - FLOAT_ROUNDING * abs(value)
    assert value >= printed - FLOAT_ROUNDING * abs(value)
    assert tight >= printed - FLOAT_ROUNDING  # the tight constants give the larger bound


def test_tight_bound_equals_the_optimal_value_symbolically():
    assert is_zero(thm1.L0_TIGHT - thm1.VALUE)
    assert not is_zero((thm1.L0_PRINTED - thm1.VALUE).subs(thm1.K, 3))


@pytest.mark.parametrize("K", [2, 3, 5, 50])
@pytest.mark.parametrize("EH", ["1/100", "1", "7"])
def test_tightness_at_50_digits(K, EH):
    subs = {thm1.K: K, thm1.E_H: sp.Rational(EH), thm1.E_W: 1}
    with mpmath.workdps(50):
        value = mpmath.mpf(sp.N(thm1.VALUE.subs(subs), 60))
        tight = mpmath.mpf(sp.N(thm1.L0_TIGHT.subs(subs), 60))
        printed = mpmath.mpf(sp.N(thm1.L0_PRINTED.subs(subs), 60))
        assert abs(tight - value) <= mpmath.mpf(10) ** -45 * value
        if K == 2:
            assert abs(printed - value) <= mpmath.mpf(10) ** -45 * value
        else:
            assert value - printed > mpmath.mpf(10) ** -30


# --- Lemma 2: equality conditions -----------------------------------------------------------------------------
def test_lemma2_conditions_hold_at_the_solved_minimiser_and_not_elsewhere():
    values = CLAIM.parse({"K": "4", "n": "2", "p": "5", "E_H": "3/2", "E_W": "2/3"})
    lpm = thm1.model(values)
    report = thm1.solve(values, SolveOptions(dps=40))
    assert report.converged, report.message
    with mpmath.workdps(40):
        res = thm1.lemma2_residuals(lpm, report.point, mp_arithmetic())
    assert max(res.values()) < 1e-25, res
    x = lpm.project(np.random.default_rng(0).standard_normal(lpm.dim))
    far = thm1.lemma2_residuals(lpm, x, FLOAT)
    assert far["duality"] > 1e-2 and far["margins"] > 1e-2


def test_lemma2_conclusion_at_the_etf_construction():
    values = {"K": Fraction(5), "n": Fraction(3), "p": Fraction(7), "E_H": Fraction(2), "E_W": Fraction(1, 2)}
    lpm = thm1.model(values)
    M = simplex_etf(5, 7, np.random.default_rng(4))
    x = lpm.pack(np.sqrt(0.5) * M, np.repeat(np.sqrt(2.0) * M, 3, axis=0))
    assert max(thm1.lemma2_residuals(lpm, x, FLOAT).values()) < 1e-12
    value = lpm.objective(x)
    assert value == pytest.approx(float(sp.N(thm1.VALUE.subs(CLAIM.subs(values)))), rel=1e-13)


# --- erratum ------------------------------------------------------------------------------------------------------
def test_printed_constants_erratum_is_confirmed_by_computation():
    (erratum,) = CLAIM.errata
    evidence = erratum.evidence()
    assert evidence.holds
    assert float(evidence.printed_value) < float(evidence.corrected_value)


@pytest.mark.slow
def test_fuzz_at_high_precision():
    result = check_claim(CLAIM, examples=60, seed=11, options=SolveOptions(dps=60, n_starts=12, seed=11))
    assert result.verdict is Verdict.VERIFIED
