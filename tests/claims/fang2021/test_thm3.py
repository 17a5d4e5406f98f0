"""fang2021.thm3: the contrastive ETF minimiser against independent solves, the proof's bound (47), errata."""

from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from verify.base.errors import InputError
from verify.base.symbolic import is_zero
from verify.claims.fang2021 import thm3
from verify.engine.checking import Verdict, check_claim, check_point
from verify.face.cli import main
from verify.geometry import simplex_etf
from verify.models.contrastive import ContrastiveModel
from verify.record import SolveOptions

CLAIM = thm3.CLAIM


def test_pinned_examples_and_drawn_points_verify():
    result = check_claim(CLAIM, examples=3, seed=1)
    assert result.verdict is Verdict.VERIFIED, [(p.params, p.solve.message) for p in result.points]


@settings(max_examples=4)
@given(thm3.parameters())
def test_hypothesis_drawn_points_verify(values):
    point = check_point(CLAIM, CLAIM.parse(values), SolveOptions(dps=30, seed=7))
    assert point.verdict is Verdict.VERIFIED, (point.solve.message, [c for c in point.comparisons if not c.ok])


def test_every_start_reaches_the_same_value():
    """Global minimality is corroborated by all random starts, not only the required two."""
    report = thm3.solve(CLAIM.parse(CLAIM.examples[2].params), SolveOptions(n_starts=10, seed=3))
    assert report.converged and report.details["starts_at_best"] == 10, report.details


# --- the model -------------------------------------------------------------------------------------------------
def test_gradient_matches_finite_differences():
    from scipy.optimize import check_grad

    cm = ContrastiveModel(4, 3, 5, 2, Fraction(1, 2))
    x = cm.random_start(np.random.default_rng(0))
    assert check_grad(cm.objective, cm.gradient, x) < 1e-6 * np.linalg.norm(cm.gradient(x))


def test_objective_is_the_printed_loss_and_keeps_tiny_values():
    cm = ContrastiveModel(3, 1, 3, 20, 1)  # n = 1, E_H/tau = 20: the value is ~ 2 exp(-30) ~ 2e-13
    M = simplex_etf(3, 3, np.random.default_rng(2))
    x = cm.pack(np.sqrt(20.0) * M)
    exact = float(sp.N(thm3.VALUE.subs({thm3.K: 3, thm3.n: 1, thm3.E_H: 20, thm3.tau: 1}), 30))
    assert cm.objective(x) == pytest.approx(exact, rel=1e-12)  # a plain log-softmax would give 0 or noise


# --- the proof's lower bound (47) --------------------------------------------------------------------------------
FLOAT_ROUNDING = 1e-12  # float64 evaluation of (12) at a point: N^2 exponentials, ~1e-15 relative


@given(params=thm3.parameters(), seed=st.integers(0, 2**32 - 1), log_scale=st.floats(-2, 2), near=st.booleans())
def test_lower_bound_holds_at_every_feasible_point(params, seed, log_scale, near):
    cm = thm3.model(params)
    rng = np.random.default_rng(seed)
    if near:
        M = simplex_etf(cm.K, cm.p, rng)
        x = cm.pack(np.repeat(np.sqrt(float(cm.E_H)) * M, cm.n, axis=0) + 1e-3 * rng.standard_normal((cm.N, cm.p)))
    else:
        x = 10.0**log_scale * rng.standard_normal(cm.dim)
    x = cm.project(x)
    value = cm.objective(x)
    tight = float(sp.N(thm3.L0_TIGHT.subs(CLAIM.subs(params)), 20))
    printed = float(sp.N(thm3.L0_PRINTED.subs(CLAIM.subs(params) | {thm3.E_W: 1}), 20))
    assert value >= tight - FLOAT_ROUNDING * abs(value)
    assert value >= printed - FLOAT_ROUNDING * abs(value)  # the printed bound is valid, only loose


def test_tight_bound_is_the_value_and_the_printed_one_is_not():
    assert is_zero(thm3.L0_TIGHT - thm3.VALUE)
    gap = (thm3.VALUE - thm3.L0_PRINTED).subs({thm3.E_W: 1, thm3.K: 3, thm3.n: 2})
    assert float(gap.subs({thm3.E_H: sp.Rational(13, 10), thm3.tau: sp.Rational(7, 10)})) == pytest.approx(
        0.0932745, abs=1e-7
    )


@pytest.mark.parametrize("K", [2, 3, 7])
@pytest.mark.parametrize("EH,tau", [("1/100", "3"), ("1", "1"), ("7", "1/3")])
def test_tightness_at_50_digits(K, EH, tau):
    subs = {thm3.K: K, thm3.n: 2, thm3.E_H: sp.Rational(EH), thm3.tau: sp.Rational(tau)}
    with mpmath.workdps(50):
        value = mpmath.mpf(sp.N(thm3.VALUE.subs(subs), 60))
        tight = mpmath.mpf(sp.N(thm3.L0_TIGHT.subs(subs), 60))
        assert abs(tight - value) <= mpmath.mpf(10) ** -45 * value


# --- errata -----------------------------------------------------------------------------------------------------
def test_errata_are_confirmed_by_computation():
    constants, tau_typos = CLAIM.errata
    ev = constants.evidence()
    assert ev.holds, ev
    assert float(ev.corrected_value) - float(ev.printed_value) == pytest.approx(0.0932745, abs=1e-6)
    assert tau_typos.evidence().holds


# --- hypotheses -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "bad,parameter", [({"tau": "0"}, "tau"), ({"tau": "-1/2"}, "tau"), ({"p": "1"}, "p"), ({"E_H": "0"}, "E_H")]
)
def test_bad_input_names_the_parameter(bad, parameter, capsys):
    params = dict(CLAIM.examples[0].params) | bad
    with pytest.raises(InputError) as info:
        CLAIM.parse(params)
    assert info.value.parameter == parameter
    assert main(["eval", CLAIM.id, *[f"{k}={v}" for k, v in params.items()]]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and parameter in err[0] and "Traceback" not in err[0]


@pytest.mark.slow
def test_fuzz_at_high_precision():
    result = check_claim(CLAIM, examples=30, seed=11, options=SolveOptions(dps=60, n_starts=12, seed=11))
    assert result.verdict is Verdict.VERIFIED
