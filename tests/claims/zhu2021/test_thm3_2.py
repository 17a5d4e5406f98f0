"""zhu2021.thm3_2: the landscape census (every local minimum reached is global), a spurious value fails, and a
planted strict saddle is classified as one."""

from fractions import Fraction

import mpmath
import numpy as np

from verify.claims.zhu2021 import thm3_2
from verify.engine.checking import Verdict, check_claim, compare, judge
from verify.models.ufm import UnconstrainedFeaturesModel
from verify.record import SolveOptions
from verify.solvers.gradient_descent import polish

CLAIM = thm3_2.CLAIM


def test_census_at_pinned_and_drawn_points_verifies():
    result = check_claim(CLAIM, examples=2, seed=9)
    assert result.verdict is Verdict.VERIFIED, [(p.params, p.solve.message) for p in result.points]
    for p in result.points:
        assert p.solve.details["census"], "the census reports every cluster"


def test_a_spurious_local_minimum_would_fail():
    """Plant a higher 'local minimum' value into a converged report: the comparison must reject it."""
    from dataclasses import replace

    values = CLAIM.parse(CLAIM.examples[0].params)
    report = CLAIM.solver(values, SolveOptions())
    minima = report.quantities["local_minimum_values"]
    with mpmath.workdps(30):
        planted = replace(report, quantities={**report.quantities, "local_minimum_values": (*minima, minima[0] + 1e-3)})
    assert judge(planted, compare(CLAIM, values, planted)) is Verdict.FAILED


def test_the_origin_polishes_to_a_strict_saddle_below_the_threshold():
    """Newton from the origin stays there (it is stationary); its Hessian has negative curvature (K s = 1/2)."""
    m = UnconstrainedFeaturesModel((2, 2, 2), 3, Fraction(1, 10), Fraction(5, 36), "penalised", Fraction(1, 10))
    point = polish(m, np.zeros(m.dim), 30, penalty_gradient=m.penalty_gradient)
    assert point.converged
    assert point.min_curvature < -1e-3  # a descent direction: relative curvature O(0.1) at this point
