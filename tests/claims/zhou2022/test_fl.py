"""zhou2022.fl: the focal-loss scale (a root of phi(q) = (K-1)s) and kappa against the original non-convex
program (multistart + polish; the origin's Hessian by finite differences); the kit's root quantities."""

from fractions import Fraction

import mpmath
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from verify import authoring as a
from verify.authoring.testing import strategy
from verify.base.errors import InputError
from verify.claims.zhou2022 import fl
from verify.claims.zhou2022._first_order import thresholds
from verify.engine.checking import Verdict, check_claim, check_point
from verify.record import SolveOptions, Unavailable

CLAIM = fl.CLAIM


def test_pinned_examples_and_drawn_points_verify():
    result = check_claim(CLAIM, examples=2, seed=8)
    assert result.verdict is Verdict.VERIFIED, [(p.params, p.solve.message) for p in result.points]


@settings(max_examples=4, deadline=None)
@given(strategy("zhou2022.fl"))
def test_drawn_points_verify(values):
    point = check_point(CLAIM, CLAIM.parse(values), SolveOptions(seed=4))
    assert point.verdict is Verdict.VERIFIED, (point.solve.message, [c for c in point.comparisons if not c.ok])


def test_above_kappa_is_refused_with_the_fix():
    with pytest.raises(InputError, match="kappa"):
        CLAIM.parse({"K": 3, "n": 1, "lambda_W": "1/3", "lambda_H": "1/3", "gamma": 2})  # K s = 1 > 0.9327


def test_large_K_is_outside_the_monotone_hypothesis():
    with pytest.raises(InputError, match="phi"):
        CLAIM.parse({"K": 20, "n": 1, "d": 19, "lambda_W": "1/100", "lambda_H": "1/100", "gamma": 2})


@settings(max_examples=10, deadline=None)
@given(
    K=st.integers(2, 8),
    gamma=st.sampled_from([Fraction(1, 2), Fraction(1), Fraction(3)]),
    frac=st.sampled_from([Fraction(1, 10), Fraction(1, 2), Fraction(9, 10)]),
)
def test_root_quantity_solves_its_equation(K, gamma, frac):
    """The kit's root: the reference gap satisfies phi(q(a)) = (K-1)s at 30 digits (q recovered from a)."""
    # K s = frac with n = 1 and lambda_W = lambda_H = frac/K
    values = {"K": Fraction(K), "n": Fraction(1), "lambda_W": frac / K, "lambda_H": frac / K, "gamma": gamma}
    gap = CLAIM.quantity("logit_gap").reference(values, 30)
    if frac >= float(sp.N(fl.KAPPA.subs({fl.K: K, fl.gamma: sp.Rational(gamma)}))):
        assert isinstance(gap, Unavailable)
        return
    with mpmath.workdps(40):
        qv = 1 / (1 + (K - 1) * mpmath.exp(-gap))
        g = mpmath.mpf(gamma.numerator) / gamma.denominator
        phi = (1 - qv) ** g * (1 - qv - g * qv * mpmath.log(qv))
        assert abs(phi - (K - 1) * mpmath.mpf(frac.numerator) / frac.denominator / K) < mpmath.mpf(10) ** -27


def test_root_without_a_sign_change_is_unavailable():
    x = sp.Symbol("x")
    K = sp.Symbol("K")
    quantity = a.root("r", "a root", equation=x**2 + K, unknown=x, bracket=(0, 1), tol=fl.ROOT_TOL)
    assert isinstance(quantity.reference({"K": Fraction(2)}, 20), Unavailable)


def test_first_order_thresholds_of_the_spec():
    """The exploration's three values at K = 50, gamma = 2 against the spec's 8 digits (computed, not typed)."""
    th = thresholds(50, 2)
    for key, spec in (("kappa", "1.1137513"), ("t_global", "1.1400616"), ("t_gone", "1.1520237")):
        assert abs(th[key] - mpmath.mpf(spec)) < 1e-7, (key, th[key])
    assert th["kappa"] < th["t_global"] < th["t_gone"]
