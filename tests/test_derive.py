"""verify.authoring.derive: one-line derivation steps that prove, sample, certify, and fail with the place and the numbers."""

import pytest
import sympy as sp

from verify.authoring.derive import DerivationFailed, equal, holds, tight

x, y, c = sp.symbols("x y c", positive=True)
K = sp.Symbol("K", integer=True, positive=True)


def test_equal_proves_symbolically_and_falls_back_to_points():
    assert equal(sp.log(x * y), sp.log(x) + sp.log(y), "log of a product").method.startswith("proved")
    # sympy does not simplify this (a Lambert W identity): checked numerically at random points
    w = sp.LambertW(x)
    step = equal(w * sp.exp(w), x, "W(x) e^W(x) = x", symbolic=False)
    assert "random points" in step.method
    with pytest.raises(DerivationFailed, match="not proved by sympy"):
        equal(w * sp.exp(w), x, "W(x) e^W(x) = x", symbolic=False, prove=True)


def test_a_failing_step_names_itself_its_line_and_the_difference():
    with pytest.raises(DerivationFailed) as info:
        equal(sp.diff(sp.log(1 + x**2), x), 2 * x / (1 + x), "derivative of log(1 + x^2)")
    text = str(info.value)
    assert "derivative of log(1 + x^2)" in text and "test_derive.py:" in text
    assert "x = " in text and "difference" in text


def test_holds_certifies_by_intervals_where_it_can():
    phi = sp.log(1 + (K - 1) * sp.exp(-K * x / (K - 1))) + c * x
    step = holds(sp.diff(phi, x, 2) > 0, {x: (0, 5), K: (2, 5), c: ("0.01", "0.99")}, "convex")
    assert step.method.startswith("certified")
    tight_bound = holds(x**2 + 1 >= 2 * x, {x: (0, 3)}, "AM-GM, tight at x = 1")
    assert tight_bound.method.startswith(("certified", "sampled"))


def test_holds_reports_a_counter_example():
    with pytest.raises(DerivationFailed, match=r"false at x = "):
        holds(sp.log(x) >= 0, {x: ("0.5", 2)}, "log is nonnegative")


def test_tight_substitutes_the_point():
    tight(x**2 + 1, 2 * x, at={x: 1}, label="x^2 + 1 >= 2x")
    with pytest.raises(DerivationFailed, match="not tight here"):
        tight(x**2 + 1, 2 * x, at={x: 2}, label="not tight here")
