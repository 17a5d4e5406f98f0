"""Certified balls of fang2021.thm5's thresholds R0 and R1 (``eval --certify``; docs/certified.md, "Balls and
boxes").

- R1 is a closed form (proofs/fang2021.thm5.md, Step 5): its ball is the closed form walked in balls, after
  the sign of its denominator L_A'(x)^2/K - K_B e^(-2x)/D_A^2 is certified positive.
- R0 is defined by a solve: the ratio R at which 4 L_H L_W = 1 on the collapsed phase's KKT branch (Step 2).
  Its ball comes from a certified sign change of g(R) = 4 L_H(R) L_W(R) - 1 over a bracket [R_lo, R_hi]
  around the approximate root: one Krawczyk box proves that for every R in the bracket the collapsed KKT
  system has exactly one solution in it (so the branch is continuous in R there), and Krawczyk boxes at
  R_lo and R_hi, inside it, give g(R_lo) and g(R_hi) in balls of certified opposite signs. The approximate
  root (mpmath Newton, _thm5_reference.r0_root) only places the bracket; it proves nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

import mpmath
import numpy as np
from flint import arb

from verify.certify.intervals import Undecided, arb_of, closed_form_ball, precision
from verify.certify.roots import krawczyk
from verify.claims.fang2021._thm5_reference import _EH, _EW, _KA, _KB, _R, _symbolic, float_point, newton, system


def r1_ball(r1_expr, denominator):
    """The ``ball`` hook of R1: the closed form in balls where its denominator is certified > 0."""
    den_ball, r1 = closed_form_ball(denominator), closed_form_ball(r1_expr)

    def ball(values: Mapping[str, Fraction], dps: int) -> arb:
        if values["K_A"] < 2:
            raise Undecided("K_A = 1: R1 does not exist (the minority classifiers never vanish)")
        if not den_ball(values, dps) > 0:
            raise Undecided("R1's denominator is not certified > 0 (R1 does not exist or is out of reach)")
        return r1(values, dps)

    return ball


def _collapsed_point(KA: int, KB: int, EH: Fraction, EW: Fraction, dps: int) -> list:
    """The R0 system's root (collapsed KKT, 4 L_H L_W = 1, R unknown) by mpmath Newton: unknowns then R."""
    from scipy.optimize import brentq

    warm: list = [None]

    def margin(log_r: float) -> float:
        _, lam = float_point(KA, KB, float(EH), float(EW), float(np.exp(log_r)), "collapsed", warm)
        return 4 * lam[0] * lam[1] - 1

    lo, hi = 0.0, np.log(2.0)
    while margin(hi) < 0:
        lo, hi = hi, hi + np.log(2.0)
        if hi > np.log(1e9):
            raise Undecided("R0 beyond 1e9: no bracket")
    log_r0 = brentq(margin, lo, hi, xtol=1e-9)
    x, lam = float_point(KA, KB, float(EH), float(EW), float(np.exp(log_r0)), "collapsed")
    sysm = system(KA, KB, "collapsed")
    with mpmath.workdps(dps):
        eh, ew = mpmath.mpf(EH.numerator) / EH.denominator, mpmath.mpf(EW.numerator) / EW.denominator
        return newton(
            lambda *u: sysm["r0"](*u, eh, ew),
            lambda *u: sysm["r0_jac"](*u, eh, ew),
            [*x, *lam, np.exp(log_r0)],
            dps,
            "R0 root",
        )


def r0_ball(values: Mapping[str, Fraction], dps: int) -> arb:
    """The ``ball`` hook of R0: [R_lo, R_hi] with a certified sign change of 4 L_H L_W - 1 (module docstring)."""
    KA, KB = int(values["K_A"]), int(values["K_B"])
    if KB < 2:
        raise Undecided("K_B = 1: R0 does not exist (a single minority classifier)")
    EH, EW = values["E_H"], values["E_W"]
    work = dps + 20
    z = _collapsed_point(KA, KB, EH, EW, work)
    eqs, unknowns = _symbolic(KA > 1, KB > 1, "collapsed")["equations"]
    i_lh, i_lw = unknowns.index(unknowns[-2]), unknowns.index(unknowns[-1])  # L_H, L_W come last
    with precision(work):
        env = {_KA: arb(KA), _KB: arb(KB), _EH: arb_of(EH), _EW: arb_of(EW)}
        r0 = arb_of(z[-1])
        rel = arb(10) ** -(dps + 2)
        r_lo, r_hi = (r0 * (1 - rel)).mid(), (r0 * (1 + rel)).mid()
        bracket = krawczyk(eqs, unknowns, env | {_R: arb.union(r_lo, r_hi)}, z[:-1])

        def g(r: arb) -> arb:
            box = krawczyk(eqs, unknowns, env | {_R: r}, [b.mid() for b in bracket])
            if not all(outer.contains(inner) for outer, inner in zip(bracket, box, strict=True)):
                raise Undecided("the end point's KKT box leaves the bracket's box (another branch?)")
            return 4 * box[i_lh] * box[i_lw] - 1

        g_lo, g_hi = g(r_lo), g(r_hi)
        if not ((g_lo < 0 and g_hi > 0) or (g_lo > 0 and g_hi < 0)):
            raise Undecided(f"no certified sign change of 4 L_H L_W - 1 on the bracket ({g_lo.str(3)}, {g_hi.str(3)})")
        return arb.union(r_lo, r_hi)
