"""Beyond fang2021.lemma3: the switch at q < 1 between the Lemma-3 form and the one-sided form (issue 18).

For q < 1 (outside Lemma 3) the solves of (33) (the lemma3 exploration) find two structures: the Lemma-3 form
(h_1 = -h_2 one-sparse, ||h_j||_q^q = E_H, w_1 = -w_2) with value V_sym = 2 log(1 + exp(-2t)), and the one-sided
form (h_2 = 0, h_1 one-sparse with ||h_1||_q^q = 2 E_H) with V_one = log(1 + exp(-2^(1+1/q) t)) + log 2, where
t = E_H^(1/q) sqrt(E_W). Both are explicit feasible points. V_one < V_sym for small t (its slope at 0 is
-2^(1/q) < -2 when q < 1) and V_one -> log 2 > 0 <- V_sym for large t: they cross once, at t*(q).

Certified (python-flint balls): t*(q) lies in a ball of relative radius 10^-32 (a sign change of V_sym - V_one
evaluated in balls at both ends of the bracket), and V_sym - V_one > 0 on the whole interval
[t*/100, t*(1 - 10^-6)] (branch and bound, verify/certify/box.py): there the Lemma-3 form is *not* a minimiser
of (33). Not proved: that the Lemma-3 form is optimal above t* (for q < 1 Lemma 3 says nothing and other
structures are excluded only by the multistart), hence that t* is the switch of the global minimiser.
The switch in the budget: E_H* = (t*/sqrt(E_W))^q.
"""

from __future__ import annotations

from fractions import Fraction

import mpmath
import sympy as sp

from verify.certify.box import Box, Dim, Limits, run
from verify.certify.intervals import arb_of, ball_text, evaluate, precision, root_by_sign_change
from verify.certify.margins import SympyMargin
from verify.record import Finding

T = sp.Symbol("t", positive=True)
QUARTERS = (Fraction(1, 2), Fraction(3, 4), Fraction(9, 10))


def gap(q: Fraction) -> sp.Expr:
    """V_sym - V_one at t (q < 1): > 0 where the one-sided point is better than the Lemma-3 form."""
    qq = sp.Rational(q.numerator, q.denominator)
    return 2 * sp.log(1 + sp.exp(-2 * T)) - sp.log(1 + sp.exp(-(2 ** (1 + 1 / qq)) * T)) - sp.log(2)


def switch(q: Fraction, dps: int = 30) -> dict[str, str]:
    expr = gap(q)
    with mpmath.workdps(dps + 20):
        f = sp.lambdify(T, expr, "mpmath")
        a = mpmath.mpf(1) / 64  # gap > 0 just above the trivial root t = 0 (slopes -2 vs -2^(1/q))
        b = a
        while f(b) > 0:  # gap -> -log 2 < 0 as t grows: the first sign change brackets t*
            a, b = b, 2 * b
        t_star = mpmath.findroot(f, (a, b), solver="anderson")
    ball = root_by_sign_change(lambda t: evaluate(expr, {T: t}), t_star, dps=dps)
    with precision(dps):
        lo = Fraction(mpmath.nstr(t_star / 100, 20))
        hi = Fraction(mpmath.nstr(t_star * (1 - mpmath.mpf(10) ** -6), 20))
    region = run(SympyMargin(expr, strict=True), Box((Dim("t", lo, hi),)), Limits(max_depth=60))
    with precision(dps):
        e_h = (ball.log() * arb_of(q)).exp()  # E_H* at E_W = 1
    return {
        "q": str(q),
        "t_star": ball_text(ball, dps),
        "E_H_star (E_W = 1)": ball_text(e_h, dps),
        "one-sided better on": f"t in [{float(lo):.4g}, {float(hi):.10g}]: {'proven' if region.holds else 'NOT proven'} "
        f"({region.examined} boxes)",
    }


def explore_switch() -> Finding:
    rows = tuple(switch(q) for q in QUARTERS)
    return Finding(
        summary="For q < 1 the Lemma-3 form (h_1 = -h_2) and the one-sided form (h_2 = 0) cross at t* = E_H^(1/q) "
        "sqrt(E_W): " + "; ".join(f"q = {r['q']}: t* = {r['t_star']}" for r in rows) + ". Proven in balls: the "
        "crossing and that the one-sided point beats the Lemma-3 form on [t*/100, t*(1 - 1e-6)] (there the Lemma-3 "
        "form is not optimal). Not proven: optimality of the Lemma-3 form above t*.",
        rows=rows,
    )
