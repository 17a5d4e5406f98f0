"""Beyond fang2021.thm4: where the ETF stops being optimal below x_star(K) (issue 18; an exploration).

Theorem 4 proves the ETF point optimal for sqrt(E_H E_W) > x_star(K); below, it says nothing. Along
E_H = E_W = s (n = 1, p = K) we look for the break s_c of the power loss g1 = (1-x)^q, g2 = x^q:

1. a scan: a float multistart of (7) (8 starts) at s on a grid below x_star(K); the largest s where a start
   ends below the ETF value brackets s_c from below, the next grid point (no start below) from above;
2. the competitor found at the lower end is followed by mixed-precision KKT refinement (verify/solvers/
   kkt_refine.py, dps 40) as s moves, and s_c is the root of V_comp(s) - V_ETF(s) by the secant method;
3. **certified side**: at s_lo (a grid point below s_c) the competitor, made exactly feasible in rational
   arithmetic (scaled into both budgets), is evaluated in python-flint balls (every rounding accounted for):
   a ball strictly below the ETF value's ball proves that the ETF point is *not* a global minimiser there.

What stays unproven: that the ETF is optimal for s > s_c (only the multistart's evidence: no start below), and
that the competitor is the best point at s < s_c; s_c is the crossing of the ETF with the best competitor the
multistart found. For cross-entropy there is no break: Theorem 1 (balanced, p >= K-1) proves the ETF optimal
at every s > 0, so s_c = 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import mpmath
import numpy as np
from flint import arb

from verify.certify.intervals import arb_of, ball_text, closed_form_ball, precision
from verify.models.softmax_losses import POWER
from verify.record import Finding
from verify.solvers.kkt_refine import refine_kkt
from verify.solvers.multistart import multistart
from verify.solvers.threads import single_threaded_blas

#: The settings of the exploration: (K, q).
SETTINGS = tuple((K_, q_) for K_ in (4, 5, 6) for q_ in (2, 3))
#: Grid of s = sqrt(E_H E_W) (E_H = E_W = s) of the benchmark: 1/20 .. 2 in steps of 1/20 (below x_star(4) = 3.21).
GRID = tuple(Fraction(i, 20) for i in range(1, 41))
#: The exploration's coarser grid (``nc-verify explore`` stays under a minute): 1/10 .. 1 in steps of 1/10; the
#: secant does not need a tight bracket.
GRID_QUICK = tuple(Fraction(i, 10) for i in range(1, 11))
DPS = 40


def _values(K_: int, q_: int, s) -> dict:
    s = Fraction(s) if not isinstance(s, mpmath.mpf) else s
    return {"K": Fraction(K_), "n": Fraction(1), "p": Fraction(K_), "E_H": s, "E_W": s, "q": Fraction(q_)}


def _model(K_, q_, s):
    from verify.claims.fang2021.thm4 import model

    return model(_values(K_, q_, s), POWER)


def _etf_value(K_: int, q_: int, s: Fraction) -> mpmath.mpf:
    """The ETF value (thm4's closed form, corrected argument) at s, to DPS + 10 digits."""
    from verify.base.precision import evaluate_expr
    from verify.claims.fang2021.thm4 import CLAIM, etf_value

    with mpmath.workdps(DPS + 10):
        return evaluate_expr(etf_value(POWER), CLAIM.subs(_values(K_, q_, s)), DPS + 10)


def _below(K_: int, q_: int, s: Fraction, starts: int = 8):
    """(best point, best value, ETF value) of a float multistart at s."""
    lpm = _model(K_, q_, s)
    with single_threaded_blas():
        ms = multistart(lpm, n_starts=starts, seed=0)
    etf = float(_etf_value(K_, q_, s))
    return ms.x, ms.value, etf


def _refined_gap(K_: int, q_: int, s: mpmath.mpf, x0: np.ndarray):
    """(V_comp - V_ETF at s, refined point) with the competitor refined from x0 (scaled to the budgets)."""
    lpm = _model(K_, q_, Fraction(str(mpmath.nstr(s, DPS + 5))))
    kkt = refine_kkt(lpm, np.asarray(x0, dtype=float), dps=DPS, constraint_scale=np.array(lpm.constraint_scale))
    from verify.models.arith import mp_arithmetic

    with mpmath.workdps(DPS):
        value = lpm.objective(kkt.x, mp_arithmetic())
        return value - _etf_value(K_, q_, Fraction(str(mpmath.nstr(s, DPS + 5)))), kkt


def certified_below(K_: int, q_: int, s: Fraction, x: np.ndarray) -> tuple[bool, str, str]:
    """(proved, value ball, ETF ball): the point ``x`` (float or mpf), scaled by rationals into both budgets
    exactly, evaluated in balls; proved when its ball lies strictly below the ETF value's ball at s."""
    lpm = _model(K_, q_, s)
    W, H = lpm.unpack(np.asarray(x, dtype=object))
    with mpmath.workdps(60):
        Wq = [[Fraction(mpmath.nstr(mpmath.mpf(v), 50)) for v in row] for row in W]
        Hq = [[Fraction(mpmath.nstr(mpmath.mpf(v), 50)) for v in row] for row in H]

    def into(rows, budget):  # scale so that (1/K) sum ||row||^2 <= budget, exactly
        total = sum(v * v for row in rows for v in row) / K_
        if total <= budget:
            return rows
        with mpmath.workdps(60):
            ratio = (mpmath.mpf(budget.numerator) / budget.denominator) / (
                mpmath.mpf(total.numerator) / total.denominator
            )
            r = Fraction(mpmath.nstr(mpmath.sqrt(ratio) * (1 - mpmath.mpf(10) ** -45), 55))
        while r * r * total > budget:  # at most a step or two: r is below the root by 1e-45 relative
            r *= 1 - Fraction(1, 10**40)
        return [[r * v for v in row] for row in rows]

    Wq, Hq = into(Wq, s), into(Hq, s)
    assert sum(v * v for row in Wq for v in row) / K_ <= s and sum(v * v for row in Hq for v in row) / K_ <= s
    with precision(DPS):
        Wb = [[arb_of(v) for v in row] for row in Wq]
        Hb = [[arb_of(v) for v in row] for row in Hq]
        total = arb(0)
        for k in range(K_):
            z = [sum((Hb[k][t] * Wb[j][t] for t in range(K_)), arb(0)) for j in range(K_)]
            top = max(range(K_), key=lambda j: float(z[j].mid()))
            e = [(zj - z[top]).exp() for zj in z]
            den = sum(e, arb(0))
            prob = [ej / den for ej in e]
            others = sum((prob[j] for j in range(K_) if j != k), arb(0))  # 1 - p_k without cancellation
            total += others**q_ + sum((prob[j] ** q_ for j in range(K_) if j != k), arb(0))
        value = total / K_
        from verify.claims.fang2021.thm4 import etf_value

        etf = closed_form_ball(etf_value(POWER))(_values(K_, q_, s) | {"K": Fraction(K_)}, DPS)
        return bool(value < etf), ball_text(value, 25), ball_text(etf, 25)


def s_c(K_: int, q_: int, grid: Sequence[Fraction] = GRID) -> dict[str, str]:
    """One row of the exploration: the bracket, s_c to 30 digits, and the certified side."""
    last_below, x_below = None, None
    for s in grid:
        x, v, etf = _below(K_, q_, s)
        if v < etf * (1 - 1e-9):
            last_below, x_below = s, x
        elif last_below is not None:
            break
    if last_below is None:
        return {"K": str(K_), "q": str(q_), "s_c": "none found on the grid", "certified": "-"}
    hi = next((s for s in grid if s > last_below), None)
    proved, vball, eball = certified_below(K_, q_, last_below, x_below)
    row = {
        "K": str(K_),
        "q": str(q_),
        "bracket": f"[{last_below}, {hi}]",
        "certified_at": str(last_below),
        "certified": "yes" if proved else "no",
        "competitor_ball": vball,
        "etf_ball": eball,
    }
    # secant on V_comp - V_ETF from the grid point below, following the competitor; then multistarts between the
    # crossing and the bracket's upper end: a point below the ETF there means another competitor crosses later,
    # and the secant restarts from it (evidence, not proof: the multistart may miss one)
    start_s, start_x = last_below, x_below
    for _ in range(4):
        crossing = _secant(K_, q_, start_s, start_x)
        if isinstance(crossing, str):
            row["s_c"] = crossing
            return row
        probe = None
        upper = hi if hi is not None else 2 * start_s
        for share in (Fraction(1, 4), Fraction(1, 2), Fraction(3, 4)):
            t = Fraction(mpmath.nstr(crossing, 20)) + (upper - Fraction(mpmath.nstr(crossing, 20))) * share
            x, v, etf = _below(K_, q_, t)
            if v < etf * (1 - 1e-9):
                probe = (t, x)
        if probe is None:
            row["s_c"] = mpmath.nstr(crossing, 30)
            return row
        start_s, start_x = probe
    row["s_c"] = "not settled after 4 competitors"
    return row


def _secant(K_: int, q_: int, s0: Fraction, x0: np.ndarray):
    """The root of V_comp(s) - V_ETF(s) following the competitor refined from x0 at s0 (or why not)."""
    with mpmath.workdps(DPS):
        a = mpmath.mpf(s0.numerator) / s0.denominator
        fa, kkt = _refined_gap(K_, q_, a, x0)
        if not kkt.converged or fa >= 0:
            return f"not refined ({kkt.message[:60]})"
        b = a * mpmath.mpf("1.02")
        xb = np.vectorize(float)(kkt.x) * float(mpmath.sqrt(b / a))
        fb, kkt_b = _refined_gap(K_, q_, b, xb)
        for _ in range(60):
            if fb == fa:
                break
            c = b - fb * (b - a) / (fb - fa)
            xc = np.vectorize(float)(kkt_b.x) * float(mpmath.sqrt(abs(c / b)))
            a, fa = b, fb
            b = c
            fb, kkt_b = _refined_gap(K_, q_, b, xc)
            if abs(b - a) <= mpmath.mpf(10) ** -(DPS - 5) * abs(b):
                break
        return +b if kkt_b.converged else f"secant lost the competitor ({kkt_b.message[:50]})"


def explore_break(settings=SETTINGS, grid: Sequence[Fraction] = GRID_QUICK) -> Finding:
    rows = tuple(s_c(K_, q_, grid) for K_, q_ in settings)
    proved = [r for r in rows if r.get("certified") == "yes"]
    summary = (
        f"Power loss, E_H = E_W = s in [{grid[0]}, {grid[-1]}], n = 1, p = K: the ETF loses below s_c; "
        + "; ".join(f"K={r['K']} q={r['q']}: s_c = {r.get('s_c', '?')}" for r in rows)
        + f". Proved (a point in balls strictly below the ETF value) at the grid point below s_c in {len(proved)} "
        "of them. Unproven: that the ETF is optimal above s_c (multistart evidence only) and that the competitor "
        "is the best point below. Cross-entropy: no break (Theorem 1: the ETF is optimal at every s > 0)."
    )
    return Finding(summary=summary, rows=rows)
