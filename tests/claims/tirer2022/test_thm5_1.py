"""tirer2022.thm5_1: the Monte-Carlo rate and attenuation with their intervals; W(H*) = W* exactly; a wrong
limit (no attenuation) and a wrong rate are detected."""

from dataclasses import replace

import numpy as np
import pytest
import sympy as sp

from verify.claims.tirer2022 import thm5_1
from verify.engine.checking import Verdict, check_claim, compare, judge
from verify.record import SolveOptions
from verify.solvers.monte_carlo import fitted_slope

CLAIM = thm5_1.CLAIM


def test_pinned_examples_verify():
    result = check_claim(CLAIM, examples=1)
    assert result.verdict is Verdict.VERIFIED, [(p.params, p.solve.message) for p in result.points]


def test_intervals_are_the_tolerance_and_a_wrong_limit_fails():
    values = CLAIM.parse(CLAIM.examples[0].params)
    report = CLAIM.solver(values, SolveOptions())
    lo, hi = report.details["intervals"]["rate"]
    assert lo < -0.5 < hi and hi - lo < 0.2
    # the limit without the attenuation (W -> W*) and a rate of n^(-1): both outside the intervals
    for name, wrong in (("attenuation", sp.Integer(1)), ("rate", sp.Integer(-1))):
        q = CLAIM.quantity(name)
        mutated = replace(
            CLAIM, quantities=tuple(replace(q, expr=wrong) if p.name == name else p for p in CLAIM.quantities)
        )
        assert judge(report, compare(mutated, values, report)) is Verdict.FAILED


def test_slope_fit_recovers_a_known_rate():
    rng = np.random.default_rng(0)
    ns = np.array([100, 400, 1600, 6400])
    errors = np.exp(rng.normal(0, 0.1, (16, 4))) * ns ** (-0.5)
    fit = fitted_slope(ns, errors)
    assert fit.interval[0] < -0.5 < fit.interval[1]


@pytest.mark.slow
def test_campaign_at_high_precision():
    """The slow tier: 20 drawn points at dps 50 with twice the starts."""
    result = check_claim(CLAIM, examples=20, seed=11, options=SolveOptions(dps=50, n_starts=16, seed=11))
    assert result.verdict is Verdict.VERIFIED, [
        (p.params, p.solve.message) for p in result.points if p.verdict != "verified"
    ]


@pytest.mark.parametrize("i", range(len(CLAIM.examples)))
def test_the_rate_check_detects_a_one_percent_change(i):
    """Issue 18: with 32 seeds and n <= 25600 the exponent's tolerance was 0.092, so -0.48 passed. Now the
    smallest change the check detects (95% power at the 99.99% level) is stated in the solve's details and is
    under 1% of 1/2 at every pinned point, and exponents 1% and 4% off fail."""
    values = CLAIM.parse(CLAIM.examples[i].params)
    report = CLAIM.solver(values, SolveOptions())
    assert report.details["detectable_effect"]["rate"] < 0.005
    lo, hi = report.details["intervals"]["rate"]
    assert hi - lo < 0.01
    q = CLAIM.quantity("rate")
    for wrong in (sp.Rational(-48, 100), sp.Rational(-495, 1000), sp.Rational(-505, 1000)):
        mutated = replace(
            CLAIM, quantities=tuple(replace(q, expr=wrong) if p.name == "rate" else p for p in CLAIM.quantities)
        )
        assert judge(report, compare(mutated, values, report)) is Verdict.FAILED, wrong


def test_exact_draws_of_the_ridge_problem():
    """ridge_draws: without noise it is the deterministic minimiser (the population one at sigma = 0); with
    noise its mean squared distance to the population minimiser falls like 1/n."""
    from verify.solvers.monte_carlo import population_ridge, ridge_draws

    rng = np.random.default_rng(0)
    Hbar = rng.standard_normal((3, 3))
    exact = population_ridge(Hbar, 0.0, 0.1)
    assert np.allclose(ridge_draws(Hbar, 1000, 0.0, 0.1, rng, 4), exact, rtol=1e-12, atol=0)
    w_inf = population_ridge(Hbar, 0.5, 0.1)
    mse = [((ridge_draws(Hbar, n, 0.5, 0.1, rng, 20000) - w_inf) ** 2).sum(axis=(1, 2)).mean() for n in (10**3, 10**5)]
    assert 50 < mse[0] / mse[1] < 200  # 100 expected; a factor 2 either way is far outside the noise


@pytest.mark.slow
def test_appendix_f1_exploration_shows_the_gap_closing_with_n():
    """Appendix F.1 (92)-(93), an exploration: the noisy solve approaches the heuristic's attenuated one."""
    from verify.claims.tirer2022._f1_explore import EXPLORATIONS

    rows = EXPLORATIONS[0].run().rows
    gaps = [float(r["||M92 - M93||/||M93||"]) for r in rows]
    assert gaps[0] > gaps[-1]
