"""Margins for :mod:`verify.certify.box`: a sympy margin as an :class:`~verify.certify.box.Inequality` (plain walk
intersected with the mean-value form), a plain function of balls as one, and the reduction of a parameter box to
a margin's own variables (a derived variable such as s = sqrt(E_H E_W) gets the range of its balls over the box).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from fractions import Fraction

import sympy
from flint import arb

from verify.base.symbolic import is_zero
from verify.certify.box import Box, Dim
from verify.certify.intervals import Undecided, ball_ends, evaluate, precision


@dataclass(frozen=True)
class SympyMargin:
    """An :class:`Inequality` from a sympy margin (``margin >= 0``, or ``> 0`` if ``strict``), its symbols matched
    to box dimensions by name.

    The margin's ball over a box is the intersection of the plain walk and the mean-value form
    f(c) + sum_i df/dx_i(X) (X_i - c_i) (c the midpoint; second-order accurate, which a margin that is a small
    difference of large terms needs). ``identity``: where :func:`verify.base.symbolic.is_zero` proves the margin
    exactly 0 (everywhere, or with every integer symbol fixed by the box), the non-strict inequality holds as
    an equality."""

    expr: object
    strict: bool = False
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    def _parts(self):
        if "parts" not in self._cache:
            symbols = sorted(self.expr.free_symbols, key=lambda t: t.name)
            self._cache["parts"] = (symbols, [sympy.diff(self.expr, t) for t in symbols])
        return self._cache["parts"]

    def margin(self, env: Mapping[str, arb]) -> arb:
        symbols, grad = self._parts()
        balls = {t: env[t.name] for t in symbols}
        plain = None
        try:
            plain = evaluate(self.expr, balls)
        except Undecided:
            pass
        centre = {t: b.mid() for t, b in balls.items()}
        try:
            mean_value = evaluate(self.expr, centre)
            for t, g in zip(symbols, grad, strict=True):
                if balls[t].rad() != 0:
                    mean_value += evaluate(g, balls) * (balls[t] - centre[t])
        except Undecided:
            if plain is None:
                raise
            return plain
        return mean_value if plain is None else plain.intersection(mean_value)

    def identity(self, box: Box) -> bool:
        if self.strict:
            return False
        if self._identically_zero({}):
            return True
        names = {s.name for s in self.expr.free_symbols}
        fixed = {d.name: d.lo for d in box.dims if d.integer and d.lo == d.hi and d.name in names}
        if not fixed or any(d.integer and d.lo != d.hi and d.name in names for d in box.dims):
            return False
        return self._identically_zero(fixed)

    def _identically_zero(self, fixed: Mapping[str, Fraction]) -> bool:
        key = tuple(sorted(fixed.items()))
        if key not in self._cache:
            names = {s.name: s for s in self.expr.free_symbols}
            self._cache[key] = bool(
                is_zero(self.expr.xreplace({names[k]: sympy.Integer(int(v)) for k, v in fixed.items()}))
            )
        return self._cache[key]


#: Pieces per parameter when a derived variable's range is enclosed: midpoint-radius balls overestimate the
#: range of a product over a wide box (sqrt(E_H) sqrt(E_W) over [1/10, 10]^2 would reach below 0); the union of
#: the balls over a geometric grid of sub-boxes is within a few percent of the exact range, and contains it.
RANGE_PIECES = 64


def _pieces(d: Dim) -> list[Dim]:
    if d.lo == d.hi or d.integer:
        return [d]
    if d.lo > 0:  # geometric: the wide positive ranges of the catalogue (budgets, decays) span decades
        step = math.log(float(d.hi / d.lo)) / RANGE_PIECES
        cuts = [d.lo] + [Fraction(float(d.lo) * math.exp(step * i)) for i in range(1, RANGE_PIECES)] + [d.hi]
    else:
        cuts = [d.lo + (d.hi - d.lo) * i / RANGE_PIECES for i in range(RANGE_PIECES + 1)]
    return [replace(d, lo=a, hi=b) for a, b in zip(cuts, cuts[1:], strict=False)]


def reduce_box(box: Box, variables, derived=()) -> Box:
    """The box of the margin's own ``variables`` (sympy symbols): a parameter keeps its range; a derived variable
    ``(symbol, expression of the parameters)`` gets the union of its balls over a grid of sub-boxes of ``box``
    (:data:`RANGE_PIECES` per parameter it reads), its ends rounded outward to 8 digits: the reduced box
    contains the image of ``box``, so proving the margin on it proves it on ``box``. Order: the box's
    parameters, then the derived variables."""
    wanted = {v.name for v in variables}
    dims = [d for d in box.dims if d.name in wanted]
    by_name = {d.name: d for d in box.dims}
    with precision(30):
        for sym, expr in derived:
            if sym.name not in wanted:
                continue
            used = sorted(expr.free_symbols, key=lambda t: t.name)
            hull = None
            for combo in itertools.product(*(_pieces(by_name[t.name]) for t in used)):
                ball = evaluate(expr, {t: piece.ball() for t, piece in zip(used, combo, strict=True)})
                hull = ball if hull is None else hull.union(ball)
            lo, hi = ball_ends(hull, 8)
            dims.append(Dim(sym.name, Fraction(lo), Fraction(hi)))
    return Box(tuple(dims))


def margin_function(fn: Callable[[Mapping[str, arb]], arb], strict: bool = False):
    """An :class:`Inequality` from a plain function of the balls."""

    @dataclass(frozen=True)
    class _Fn:
        strict: bool

        def margin(self, env):
            return fn(env)

    return _Fn(strict)
