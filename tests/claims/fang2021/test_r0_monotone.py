"""fang2021.r0_monotone: signs of R0's differences on drawn points and over a grid."""

from fractions import Fraction

import mpmath
import pytest

from verify.base.solving import SolveOptions
from verify.claims.fang2021 import r0_monotone
from verify.engine.checking import Verdict, check_claim, check_point

CLAIM = r0_monotone.CLAIM


def test_pinned_examples_and_drawn_points_verify():
    result = check_claim(CLAIM, examples=2, seed=5)
    assert result.verdict is Verdict.VERIFIED, [(p.params, p.solve.message) for p in result.points]


@pytest.mark.parametrize("K_A,K_B", [(1, 2), (2, 3), (4, 2), (6, 4)])
def test_R0_increases_along_a_grid_of_budget_products(K_A, K_B):
    seq = [r0_monotone.r0(K_A, K_B, Fraction(s), 1, 20) for s in ("1/4", "1/2", "1", "2", "3")]
    assert all(a < b for a, b in zip(seq, seq[1:], strict=False)), seq


def test_the_difference_quotients_are_far_from_zero():
    """The sign is decided with margin: d log R0 / d log E_H is O(1), the quotient's error ~1e-(dps-4)."""
    eh, step = Fraction(5), r0_monotone.STEP
    with mpmath.workdps(30):
        lo, hi = (r0_monotone.r0(3, 7, eh * (1 + t), 1, 30) for t in (-step, step))
        mid = r0_monotone.r0(3, 7, eh, 1, 30)
        elasticity = (hi - lo) / (2 * float(step)) / mid
    assert 0.3 < elasticity < 30


def test_K_A_equal_one_leaves_the_fixed_K_reading_undefined_on_both_sides():
    point = check_point(CLAIM, CLAIM.parse(CLAIM.examples[2].params), SolveOptions(dps=30))
    (comparison,) = [c for c in point.comparisons if c.name == "increasing_in_K_B_fixed_K"]
    assert comparison.ok and isinstance(comparison.predicted, r0_monotone.a.Undefined)
