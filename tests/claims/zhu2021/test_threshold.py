"""zhu2021.threshold: the zero regime, the value on both sides, and the origin's Hessian against independent
solves (the original program; the Hessian at 0 by finite differences; a bisection of the solve's own norms)."""

from fractions import Fraction

import mpmath
from hypothesis import given, settings

from verify.authoring import ufm_solve
from verify.authoring.testing import strategy
from verify.claims.zhu2021 import threshold
from verify.engine.checking import Verdict, check_claim, check_point
from verify.models.ufm import UnconstrainedFeaturesModel
from verify.record import SolveOptions

CLAIM = threshold.CLAIM


def test_pinned_examples_and_drawn_points_verify():
    result = check_claim(CLAIM, examples=2, seed=4)
    assert result.verdict is Verdict.VERIFIED, [(p.params, p.solve.message) for p in result.points]


@settings(max_examples=4, deadline=None)
@given(strategy("zhu2021.threshold"))
def test_drawn_points_verify(values):
    point = check_point(CLAIM, CLAIM.parse(values), SolveOptions(seed=2))
    assert point.verdict is Verdict.VERIFIED, (point.solve.message, [c for c in point.comparisons if not c.ok])


def _norm_sq(lambda_H: Fraction) -> float:
    solve = ufm_solve(penalties={"W": "lambda_W", "H": "lambda_H"}, measure=["classifier_norm_sq"])
    values = {"K": Fraction(3), "n": Fraction(1), "d": Fraction(3), "lambda_W": Fraction(1, 4), "lambda_H": lambda_H}
    report = solve(values, SolveOptions(dps=20, n_starts=4))
    return float(report.quantities["classifier_norm_sq"][0])


def test_the_solutions_die_where_the_claim_says():
    """Bisection in lambda_H on the solve's own ||w||^2 (nonzero below, zero above), never using the formula:
    the bracket [lo, hi] after 6 halvings must hold 1/(K^2 n lambda_W) = 4/9."""
    lo, hi = Fraction(1, 10), Fraction(1)
    # ||w||^2 ~ a* ~ (threshold - lambda_H): at a bracket width of 1/64 it is still >= 1e-3, far above the
    # zero regime's 1e-20
    for _ in range(6):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if _norm_sq(mid) > 1e-12 else (lo, mid)
    assert lo <= Fraction(4, 9) <= hi, (lo, hi)


def test_origin_is_a_strict_minimum_above_the_threshold_with_a_free_bias():
    from verify.authoring.ufm import origin_hessian

    m = UnconstrainedFeaturesModel((1, 1, 1), 2, Fraction(1, 2), Fraction(1, 2), "free")
    hess = origin_hessian(m, 20)  # the (W, H) block only: positive definite at K s = 3/2 > 1
    with mpmath.workdps(20):
        assert min(mpmath.eigsy(hess, eigvals_only=True)) > 0
