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
