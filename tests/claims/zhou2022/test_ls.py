"""zhou2022.ls: label smoothing's closed forms against the original program (multistart + polish) and the convex
program in Z = W H (conic), on both sides of c = 1."""

from fractions import Fraction

import numpy as np
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from verify.authoring.testing import strategy
from verify.claims.zhou2022 import ls
from verify.engine.checking import Verdict, check_claim, check_point
from verify.models import FLOAT
from verify.models.losses import LabelSmoothing
from verify.models.ufm_convex import solve_convex
from verify.record import SolveOptions

CLAIM = ls.CLAIM
#: Clarabel reaches these small conic programs' values to 1.3e-9 relative at worst (measured over K = 2, 3, 5,
#: n = 1, 3, alpha = 0.05, 0.5, c = 0.6, 1.2); 1e-6 leaves two digits.
CONIC_RTOL = 1e-6


def test_pinned_examples_and_drawn_points_verify():
    result = check_claim(CLAIM, examples=2, seed=6)
    assert result.verdict is Verdict.VERIFIED, [(p.params, p.solve.message) for p in result.points]


@settings(max_examples=4, deadline=None)
@given(strategy("zhou2022.ls"))
def test_drawn_points_verify(values):
    point = check_point(CLAIM, CLAIM.parse(values), SolveOptions(seed=3))
    assert point.verdict is Verdict.VERIFIED, (point.solve.message, [c for c in point.comparisons if not c.ok])


@settings(max_examples=6, deadline=None)
@given(
    K=st.integers(2, 5),
    n=st.integers(1, 3),
    alpha=st.sampled_from([Fraction(1, 20), Fraction(1, 5), Fraction(1, 2)]),
    c=st.sampled_from([Fraction(3, 5), Fraction(9, 10), Fraction(6, 5)]),
)
def test_value_equals_the_convex_program_in_Z(K, n, alpha, c):
    lambda_W = Fraction(1, 10)
    lambda_H = (c - alpha) ** 2 / (K**2 * n * lambda_W)
    sol = solve_convex((n,) * K, lambda_W, lambda_H, label_smoothing=alpha)
    assert sol.status == "optimal", sol.status
    values = CLAIM.parse({"K": K, "n": n, "lambda_W": lambda_W, "lambda_H": lambda_H, "alpha": alpha})
    predicted = float(CLAIM.evaluate(values)["value"])
    assert abs(sol.value - predicted) <= CONIC_RTOL * abs(predicted), (sol.value, predicted)


@given(st.integers(2, 5), st.integers(0, 2**31), st.sampled_from([0.05, 0.3, 0.9]))
def test_label_smoothing_loss_matches_its_definition(K, seed, alpha):
    """The stable form (CE of the margins + a linear term) against -sum q_c log softmax_c, and its gradient
    against central differences (float64: 1e-9 relative covers the rounding of both sides)."""
    rng = np.random.default_rng(seed)
    Z = 3 * rng.standard_normal((4, K))
    labels = rng.integers(0, K, 4)
    loss = LabelSmoothing(alpha)
    logp = Z - np.log(np.exp(Z).sum(axis=1, keepdims=True))
    q = (1 - alpha) * np.eye(K)[labels] + alpha / K
    assert np.allclose(loss.values(Z, labels, FLOAT), -(q * logp).sum(axis=1), rtol=1e-9, atol=0)
    h = 1e-6
    E = np.zeros_like(Z)
    E[1, 0] = h
    fd = (loss.values(Z + E, labels, FLOAT) - loss.values(Z - E, labels, FLOAT)).sum() / (2 * h)
    assert abs(fd - loss.grad(Z, labels, FLOAT)[1, 0]) <= 1e-7 * max(1, abs(fd))


def test_threshold_is_continuous():
    below = CLAIM.parse({"K": 3, "n": 1, "lambda_W": "1/10", "lambda_H": "1/10", "alpha": "0.69"})
    value = CLAIM.evaluate(below)["value"]  # c = 0.99
    assert 0 < float(sp.log(3)) - float(value) < 1e-3


def test_closed_form_point_satisfies_the_convex_programs_optimality_conditions():
    """zhu2021's certificate with the smoothed target: at t* the scaled gradient is a nuclear-norm subgradient."""
    import mpmath

    from verify.models.ufm_convex import optimality_residuals

    K, n = 3, 2
    values = CLAIM.parse({"K": K, "n": n, "lambda_W": "1/200", "lambda_H": "1/100", "alpha": "1/10"})
    with mpmath.workdps(40):
        gap = CLAIM.evaluate(values, 40)["logit_gap"]
        Z = [[gap * ((1 if k == i // n else 0) - mpmath.mpf(1) / K) for i in range(K * n)] for k in range(K)]
        res = optimality_residuals((n,) * K, Fraction(1, 200), Fraction(1, 100), Z, label_smoothing=Fraction(1, 10))
        assert abs(res["op_norm_excess"]) < mpmath.mpf(10) ** -30 and abs(res["alignment_gap"]) < mpmath.mpf(10) ** -30
