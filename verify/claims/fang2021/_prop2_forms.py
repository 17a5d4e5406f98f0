"""fang2021 prop2: the paper's closed forms and their high-precision references (the record is verify.claims.fang2021.prop2)."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

import mpmath
import sympy as sp

from verify.models.arith import to_mpf
from verify.record import (
    Parameter,
    Undefined,
    substitution,
)

PARAMETERS = (
    Parameter("K", "integer", "number of classes"),
    Parameter("n", "integer", "samples per class (balanced)", default=lambda v: Fraction(1), default_text="1"),
    Parameter("p", "integer", "feature dimension", default=lambda v: v["K"], default_text="K"),
    Parameter("q", "real", "exponent of the feature constraint (1/K) sum_k (1/n) sum_i ||h_{k,i}||_q^q <= E_H"),
    Parameter("E_H", "real", "feature budget"),
    Parameter("E_W", "real", "classifier budget: (1/K) sum_k ||w_k||^2 <= E_W"),
)


K, n, p, q, E_H, E_W = (par.symbol for par in PARAMETERS)


a = sp.Symbol("a", nonnegative=True)  # the SR family's parameter (not a parameter of the claim)


# --- the proof's closed forms (SI A.1, proof of Proposition 2) ------------------------------------------------
#: g of the proof, after Eq. (32), as printed.
G = ((a + 1) ** 2 / (a**2 + K - 1)) * ((a + 1) ** q / (a**q + K - 1)) ** (2 / q)


#: g'(K-1) as printed.
DG_PRINTED = (
    2 * K**4 / (((K - 1) ** 2 + (K - 1)) * ((K - 1) ** q + K - 1) ** (2 / q + 1)) * ((K - 1) - (K - 1) ** (q - 1))
)


#: g'(K-1) as sympy derives it (proofs/fang2021.prop2.md): the printed value divided by K.
DG = 2 * K**2 * ((K - 1) - (K - 1) ** (q - 1)) / ((K - 1) * ((K - 1) ** q + K - 1) ** (2 / q + 1))


#: The largest margin on SR at parameter a (budgets saturated, |B1| = E_H^(1/q), |B2| = sqrt(E_W)).
MARGIN_SR = E_H ** (1 / q) * sp.sqrt(E_W) * sp.sqrt(G)


#: Cross-entropy on SR: every sample has margin MARGIN_SR against each of the K-1 other classes.
VALUE_SR = sp.log(1 + (K - 1) * sp.exp(-MARGIN_SR))


VALUE_AT_ETF = VALUE_SR.subs(a, K - 1)


#: a is searched on a log grid 10^-3 .. 10^A_MAX_EXP: for 1 < q the maximiser of g grows like
#: ((K-1)/2)^(1/(q-1)) as q -> 1+ (1e4 at K = 6, q = 5/4); beyond the grid the solve reports inconclusive.
A_MAX_EXP = 60


GRID_POINTS = 631


#: Working precision of the grid: along SR the value approaches its limit like a^-min(q, 1), so resolving the
#: trend up to a = 10^A_MAX_EXP needs about A_MAX_EXP digits beyond the value's own.
GRID_DPS = A_MAX_EXP + 20


def _g_numeric(values: Mapping[str, Fraction]):
    Kv, qv = to_mpf(values["K"]), to_mpf(values["q"])
    g = sp.lambdify((a, K, q), G, "mpmath")
    return lambda x: g(x, Kv, qv)


def _argmax_g(values: Mapping[str, Fraction], dps: int) -> mpmath.mpf | Undefined:
    """The global maximiser of the closed-form g on a > 0: log grid, then the root of g' in the best cell."""
    if values["q"] <= 1:
        return Undefined("q <= 1: g(a) < 1 = lim_{a->inf} g(a), so g has no maximiser (SR has no best point)")
    with mpmath.workdps(max(dps + 10, GRID_DPS)):
        g = _g_numeric(values)
        grid = [
            mpmath.mpf(10) ** (mpmath.mpf(-3) + mpmath.mpf(A_MAX_EXP + 3) * i / (GRID_POINTS - 1))
            for i in range(GRID_POINTS)
        ]
        vals = [g(x) for x in grid]
        i = max(range(len(grid)), key=lambda j: vals[j])
        if i in (0, len(grid) - 1):
            return Undefined(f"maximiser of g outside 1e-3 <= a <= 1e{A_MAX_EXP} (q too close to 1)")
        root = mpmath.findroot(lambda x: mpmath.diff(g, x), (grid[i - 1], grid[i + 1]), solver="anderson")
        return +root


def _value_sr_optimum(values: Mapping[str, Fraction], dps: int) -> mpmath.mpf | Undefined:
    astar = _argmax_g(values, dps)
    if isinstance(astar, Undefined):
        return astar
    with mpmath.workdps(dps + 10):
        f = sp.lambdify(a, VALUE_SR.subs(substitution(PARAMETERS, values)), "mpmath")
        return +f(astar)
