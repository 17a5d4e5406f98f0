"""Symbolic helpers for derivations: deciding that an expression is identically zero.

sympy's ``simplify`` alone does not merge logarithms of products of exponentials (it cannot assume the
arguments positive). :func:`is_zero` replaces positive radicals by positive symbols, then expands logs
with ``force=True`` (valid because every symbol here is positive) before simplifying.
"""

from __future__ import annotations

import sympy as sp


def is_zero(expr: sp.Expr) -> bool:
    """True when ``expr`` simplifies to 0 (all symbols positive); False when no route finds it."""
    expr = sp.sympify(expr)
    if sp.simplify(expr) == 0:
        return True
    radicals = {r: sp.Dummy(positive=True) for r in expr.atoms(sp.Pow) if r.exp == sp.Rational(1, 2)}
    e = sp.simplify(expr.subs(radicals))
    e = sp.powsimp(sp.expand_log(e, force=True))
    return sp.simplify(e) == 0
