"""zhu2021.thm3_1: the simplex-ETF minimiser, scale and value against two independent solves (the original
non-convex program by multistart + high-precision polish; the convex program in Z = W H, conically)."""

from fractions import Fraction

import mpmath
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from verify.authoring.testing import strategy
from verify.claims.zhu2021 import _model as M
from verify.claims.zhu2021 import thm3_1
from verify.engine.checking import Verdict, check_claim, check_point
from verify.models.ufm_convex import solve_convex
from verify.record import SolveOptions

CLAIM = thm3_1.CLAIM

#: The conic solve (Clarabel, interior point) reaches the value to 5.1e-9 relative at worst on these sizes
#: (measured over K = 2, 3, 5, n = 1, 3, two K s and penalties, with and without bias); 1e-6 leaves two digits
#: and is far below any formula error.
CONIC_RTOL = 1e-6


def test_pinned_examples_and_drawn_points_verify():
    result = check_claim(CLAIM, examples=2, seed=3)
    assert result.verdict is Verdict.VERIFIED, [(p.params, p.solve.message) for p in result.points]


@settings(max_examples=4, deadline=None)
@given(strategy("zhu2021.thm3_1"))
def test_drawn_points_verify_against_the_original_program(values):
    point = check_point(CLAIM, CLAIM.parse(values), SolveOptions(seed=5))
    assert point.verdict is Verdict.VERIFIED, (point.solve.message, [c for c in point.comparisons if not c.ok])


@settings(max_examples=6, deadline=None)
@given(
    K=st.integers(2, 5),
    n=st.integers(1, 3),
    bias=st.sampled_from(["none", "free", "penalised"]),
    ks=st.sampled_from([Fraction(1, 20), Fraction(1, 4), Fraction(1, 2), Fraction(9, 10)]),
    lambda_W=st.sampled_from([Fraction(1, 100), Fraction(1, 10), Fraction(1, 2)]),
)
def test_value_equals_the_convex_program_in_Z(K, n, bias, ks, lambda_W):
    """The convex reformulation never sees the closed form; it confirms the value and b = 0 when penalised."""
    lambda_H = ks**2 / (K**2 * n * lambda_W)
    sol = solve_convex((n,) * K, lambda_W, lambda_H, bias, Fraction(1, 10) if bias == "penalised" else 0)
    assert sol.status == "optimal", sol.status
    predicted = float(sp.N(M.VALUE.subs({M.K: K, M.n: n, M.lambda_W: lambda_W, M.lambda_H: lambda_H}), 20))
    assert abs(sol.value - predicted) <= CONIC_RTOL * abs(predicted), (sol.value, predicted)
    if bias == "penalised":
        assert abs(sol.b).max() <= CONIC_RTOL**0.5  # the conic point's accuracy is ~ sqrt of its value's


def test_penalised_bias_is_zero_and_free_bias_is_constant():
    base = {"K": "3", "n": "2", "d": "3", "lambda_W": "1/20", "lambda_H": "1/30"}
    for kind in ("2", "1"):
        values = CLAIM.parse({**base, "bias": kind})
        from verify.authoring import ufm_solve

        report = ufm_solve(
            penalties={"W": "lambda_W", "H": "lambda_H", "b": "lambda_b"},
            bias=M.bias_kind,
            measure=["bias_norm", "bias_spread"],
        )(values, SolveOptions())
        assert report.converged
        with mpmath.workdps(30):
            assert report.quantities["bias_spread"][0] < mpmath.mpf(10) ** -20
            if kind == "2":
                assert report.quantities["bias_norm"][0] < mpmath.mpf(10) ** -20


def test_value_is_the_same_for_the_three_bias_variants():
    base = {"K": "4", "n": "1", "d": "4", "lambda_W": "1/10", "lambda_H": "1/10"}
    values = [
        check_point(CLAIM, CLAIM.parse({**base, "bias": b}), SolveOptions()).solve.quantities["value"][0]
        for b in ("0", "1", "2")
    ]
    with mpmath.workdps(30):
        assert max(values) - min(values) < mpmath.mpf(10) ** -22


def test_outside_the_regime_is_refused_with_the_fix():
    import pytest

    from verify.base.errors import InputError

    with pytest.raises(InputError, match="lambda_H"):
        CLAIM.parse({"K": "3", "n": "1", "lambda_W": "1", "lambda_H": "1"})


@settings(max_examples=6, deadline=None)
@given(
    K=st.integers(2, 4),
    n=st.integers(1, 2),
    ks=st.sampled_from([Fraction(1, 10), Fraction(1, 2), Fraction(19, 20)]),
    bias=st.sampled_from([None, "free", "penalised"]),
)
def test_closed_form_point_satisfies_the_convex_programs_optimality_conditions(K, n, ks, bias):
    """The certificate a certifier would enclose: at Z = a* P (x) 1_n^T (a* from the claim), b = 0, the scaled
    gradient Lambda = -G/sqrt(lambda_W lambda_H) has operator norm 1 and <Lambda, Z> = ||Z||_* (a nuclear-norm
    subgradient), and the bias is stationary: global optimality of the convex program, hence of the value."""
    from verify.models.ufm_convex import optimality_residuals

    lambda_W = Fraction(1, 10)
    lambda_H = ks**2 / (K**2 * n * lambda_W)
    values = CLAIM.parse({"K": K, "n": n, "lambda_W": lambda_W, "lambda_H": lambda_H})
    with mpmath.workdps(40):
        gap = CLAIM.evaluate(values, 40)["logit_gap"]
        Z = [[gap * ((1 if k == i // n else 0) - mpmath.mpf(1) / K) for i in range(K * n)] for k in range(K)]
        res = optimality_residuals(
            (n,) * K,
            lambda_W,
            lambda_H,
            Z,
            None if bias is None else [0] * K,
            lambda_b=Fraction(1, 10) if bias == "penalised" else 0,
        )
        # 40 digits, SVDs of K x N matrices: the residuals are rounding, far below 1e-30
        assert abs(res["op_norm_excess"]) < mpmath.mpf(10) ** -30, res
        assert abs(res["alignment_gap"]) < mpmath.mpf(10) ** -30, res
        assert abs(res["bias_residual"]) < mpmath.mpf(10) ** -30, res
        # and the certificate is not vacuous: a gap off by 1e-3 relative violates it far above rounding
        off = [[1.001 * v for v in row] for row in Z]
        wrong = optimality_residuals((n,) * K, lambda_W, lambda_H, off)
        assert abs(wrong["op_norm_excess"]) > mpmath.mpf(10) ** -6, wrong
