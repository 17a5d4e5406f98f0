"""Relative precision of closed-form evaluation (verify.base.precision), at extreme budgets and any dps.

These are *precision* tests, not claim checks: each compares one evaluation of a claim's formula at ``dps``
digits with an evaluation of the *same formula* at ``dps + 20`` digits, and asks that they agree to 10^-dps
relative to the value. They say nothing about whether the formula is the paper's minimum (that is the job of
``nc-verify check``, which compares the formula with an independent solve); they catch digits lost to
underflow and cancellation (log(1 + 2 e^-150) printed as 0.0), which an absolute-precision evaluation hides.
"""

from __future__ import annotations

from fractions import Fraction

import mpmath
import pytest
import sympy
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from verify.base.errors import InputError
from verify.base.precision import evaluate_expr
from verify.engine import registry
from verify.record import Unavailable

CLAIMS = [
    c for c in registry.catalogue().values() if any(q.expr is not None and q.reference is None for q in c.quantities)
]


def _expression_quantities(claim):
    return [q for q in claim.quantities if q.expr is not None and q.reference is None]


def _agree(value, reference, dps: int) -> bool:
    if value == 0 or reference == 0:
        return value == reference
    return abs(value - reference) <= mpmath.mpf(10) ** (-dps) * abs(reference)


@pytest.mark.parametrize("claim", CLAIMS, ids=lambda c: c.id)
@settings(suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow], deadline=None)
@given(data=st.data())
def test_relative_digits_at_extreme_budgets(claim, data):
    """Budgets moved by up to six decades (E_H up to ~1e7, E_W down to ~1e-8): every expression-based
    quantity at ``dps`` digits agrees with its evaluation at ``dps + 20`` digits to 10^-dps relative, or is
    reported unavailable (precision cap reached: the cancelling lower bounds at huge E_H / tau)."""
    base = data.draw(claim.strategy(), label="base point")
    names = {p.name for p in claim.parameters}
    point = dict(base)
    if "E_H" in names:
        point["E_H"] = base["E_H"] * Fraction(10) ** data.draw(st.integers(0, 6), label="E_H decades up")
    if "E_W" in names:
        point["E_W"] = base["E_W"] * Fraction(10) ** data.draw(st.integers(-6, 0), label="E_W decades")
    try:
        values = claim.parse(point)
    except InputError:
        reject()  # the moved point leaves the theorem's hypotheses (e.g. sqrt(E_H E_W) > x_star(K))
    dps = data.draw(st.integers(15, 60), label="dps")
    subs = claim.subs(values)
    for q in _expression_quantities(claim):
        with mpmath.workdps(dps):
            value = evaluate_expr(q.expr, subs, dps)
        with mpmath.workdps(dps + 20):
            reference = evaluate_expr(q.expr, subs, dps + 20)
        if isinstance(value, Unavailable):  # honest: the cap was reached, no digits are claimed
            assert "precision ran out" in value.reason and "try" in value.reason
            continue
        assert not isinstance(reference, Unavailable), f"{claim.id}.{q.name} at {values}: {reference}"
        assert _agree(value, reference, dps), (
            f"{claim.id}.{q.name} at {values}, dps {dps}: {mpmath.nstr(value, dps)} vs {mpmath.nstr(reference, dps)}"
        )


def test_issue_example_keeps_its_digits():
    """The issue's example: fang2021.thm1 at K=3, n=1, p=2, E_H=10^4, E_W=1 has value log(1 + 2 e^-150)
    = 1.435...e-65 (absolute-precision evalf printed 0.0). The reference is log1p in mpmath at 100 digits,
    a different formula from the expression walked by evaluate_expr (log of a sum)."""
    claim = registry.get("fang2021.thm1")
    values = claim.parse({"K": "3", "n": "1", "p": "2", "E_H": "10000", "E_W": "1"})
    with mpmath.workdps(30):
        got = claim.evaluate(values, 30)
    with mpmath.workdps(100):
        expected = mpmath.log1p(2 * mpmath.exp(-150))
    assert _agree(got["value"], expected, 30)
    assert _agree(got["lower_bound"], expected, 30)


def test_cancellation_free_forms_need_no_extra_digits():
    """The optimal values of thm1 and thm3 are log(1 + t) forms: available far beyond the precision cap of a
    cancelling form (e^-(2/3) 10^6 at E_H = 10^12), checked against log1p in mpmath."""
    claim = registry.get("fang2021.thm1")
    values = claim.parse({"K": "3", "n": "1", "p": "2", "E_H": str(10**12), "E_W": "1"})
    with mpmath.workdps(30):
        got = claim.evaluate(values, 30)["value"]
        expected = mpmath.log1p(2 * mpmath.exp(-mpmath.mpf(1500000)))
    assert _agree(got, expected, 30)


def test_cancellation_is_resolved_by_precision_doubling():
    """1 - 1/(1 + t) = t/(1 + t) at t = e^-300: the difference is computed in intervals until its enclosure is
    narrow; compared with the cancellation-free form t/(1 + t) in mpmath."""
    t = sympy.exp(-300)
    with mpmath.workdps(25):
        got = evaluate_expr(1 - 1 / (1 + t), {}, 25)
    with mpmath.workdps(60):
        expected = mpmath.exp(-300) / (1 + mpmath.exp(-300))
    assert _agree(got, expected, 25)


def test_exact_zero_and_rationals():
    x = sympy.Symbol("x", positive=True)
    with mpmath.workdps(30):
        assert evaluate_expr(x - x, {x: 3}, 30) == 0
        assert evaluate_expr(x / 3, {x: 1}, 30) == mpmath.mpf(1) / 3


def test_precision_cap_is_unavailable_not_wrong():
    """A value whose enclosure still contains 0 at the cap is reported unavailable (with a fix), never as
    0.0 or as digits of the rounding noise: exp(-10^6) - exp(-10^6 - 10^-30000) needs ~30000 digits."""
    a = sympy.exp(-(sympy.Integer(10) ** 6))
    b = sympy.exp(-(sympy.Integer(10) ** 6) - sympy.Rational(1, 10**30000))
    with mpmath.workdps(20):
        got = evaluate_expr(a - b, {}, 20)
    assert isinstance(got, Unavailable)
    assert "precision ran out" in got.reason and "try" in got.reason


def test_lambert_w_fallback_matches_findroot():
    """fang2021.thm4's x_star(K) in closed form (Lambert W, lower branch: the adaptive-precision fallback)
    against the claim's own mpmath.findroot on the printed inequality (no Lambert W), at 40 digits."""
    from verify.claims.fang2021 import thm4

    claim = thm4.CLAIM
    q = claim.quantity("x_star")
    for K_ in (2, 3, 10):
        subs = {sympy.Symbol("K", integer=True, positive=True): sympy.Integer(K_)}
        with mpmath.workdps(40):
            got = evaluate_expr(q.expr, subs, 40)
            assert _agree(got, thm4.x_star_findroot(K_, 60), 38)
