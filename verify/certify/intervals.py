"""Balls (python-flint ``arb``): certified enclosures of closed forms, roots and thresholds.

A ball ``m +- r`` is an ``arb``: every operation rounds outward, so the true value of what was computed lies in
the ball whatever the rounding (Johansson, "Arb: efficient arbitrary-precision midpoint-radius interval
arithmetic", IEEE TC 2017). Here:

- :func:`precision` sets flint's working precision for ``dps`` decimal digits plus guard bits;
- :func:`arb_of` makes a ball of an exact parameter value (a rational 1/3 is a ball of radius ~2^-prec);
- :func:`evaluate` walks a sympy expression in balls (``+ * / **``, exp, log, sqrt and rational powers,
  Lambert W of both real branches, ``Piecewise`` whose conditions the balls decide); an undecided condition or
  an operation outside its domain raises :class:`Undecided`, never a wrong ball;
- :func:`closed_form_ball` turns a closed form into a quantity's ``ball`` hook (``Quantity.ball``);
- :func:`root_by_sign_change` encloses a root of a function given in balls: the function is evaluated in balls
  at both ends of a bracket around an approximate root and must take certified opposite signs there;
- :func:`ball_ends`, :func:`ball_text`, :func:`contains` read a ball out exactly (outward-rounded decimals).

Nothing here imports a claim: claims build their ``ball`` hooks from these helpers.
"""

from __future__ import annotations

import contextlib
import decimal
import math
from collections.abc import Callable, Iterator, Mapping
from fractions import Fraction

import mpmath
import sympy
from flint import arb, ctx

#: Guard bits on top of ``dps`` decimal digits: the closed forms of the catalogue lose at most a few dozen bits
#: to cancellation at the pinned points; a ball that loses more is simply wider, never wrong.
GUARD_BITS = 40


class Undecided(ArithmeticError):
    """The balls cannot decide (a Piecewise condition straddles, a sign change is not certified, a logarithm of
    a ball containing 0): no ball is returned rather than a wrong one."""


def bits(dps: int) -> int:
    """Working precision in bits for ``dps`` decimal digits plus :data:`GUARD_BITS`."""
    return int(math.ceil(dps * math.log2(10))) + GUARD_BITS


@contextlib.contextmanager
def precision(dps: int) -> Iterator[None]:
    """flint's working precision set for ``dps`` digits inside the block (restored afterwards)."""
    saved = ctx.prec
    ctx.prec = bits(dps)
    try:
        yield
    finally:
        ctx.prec = saved


def arb_of(value) -> arb:
    """An exact value as a ball: int and dyadic values exactly, a Fraction or sympy Rational to the precision."""
    if isinstance(value, arb):
        return value
    if isinstance(value, bool):
        raise TypeError("a bool is not a number")
    if isinstance(value, int):
        return arb(value)
    if isinstance(value, sympy.Rational):
        value = Fraction(int(value.p), int(value.q))
    if isinstance(value, Fraction):
        return arb(value.numerator) / value.denominator if value.denominator != 1 else arb(value.numerator)
    if isinstance(value, mpmath.mpf):
        man, exp = value.man_exp
        return arb(int(man)) * arb(2) ** int(exp)  # exact: a dyadic number
    raise TypeError(f"arb_of: {type(value).__name__} is not an exact number")


def _pow(base: arb, e: sympy.Expr, env) -> arb:
    if e.is_Integer:
        k = int(e)
        return base**k if k >= 0 else 1 / base ** (-k)
    if e == sympy.Rational(1, 2):
        if not base >= 0:
            raise Undecided(f"sqrt of a ball not certified >= 0 ({base})")
        return base.sqrt()
    if e.is_Rational:
        if not base > 0:
            raise Undecided(f"rational power of a ball not certified > 0 ({base})")
        return (base.log() * arb_of(e)).exp()
    if not base > 0:
        raise Undecided(f"power of a ball not certified > 0 ({base})")
    return (base.log() * evaluate(e, env)).exp()


def _decide(cond, env) -> bool:
    if cond is sympy.true or cond is True:
        return True
    if cond is sympy.false or cond is False:
        return False
    if isinstance(cond, sympy.core.relational.Relational):
        diff = evaluate(cond.lhs - cond.rhs, env)
        op = cond.rel_op
        if op in ("<", "<="):
            if diff < 0:
                return True
            if diff > 0:
                return False
        if op in (">", ">="):
            if diff > 0:
                return True
            if diff < 0:
                return False
        raise Undecided(f"the condition {cond} is not decided by the balls ({diff})")
    raise Undecided(f"condition {cond} not covered")


def evaluate(expr, env: Mapping[sympy.Symbol, arb]) -> arb:
    """``expr`` in balls, its symbols taken from ``env`` (symbol -> arb); raises :class:`Undecided`."""
    expr = sympy.sympify(expr)
    if expr.is_Rational:
        return arb_of(expr)
    if expr.is_Symbol:
        if expr not in env:
            raise KeyError(f"no ball for the symbol {expr}")
        return env[expr]
    if expr is sympy.pi:
        return arb.pi()
    if expr is sympy.E:
        return arb(1).exp()
    if expr.is_Add:
        out = arb(0)
        for a in expr.args:
            out += evaluate(a, env)
        return out
    if expr.is_Mul:
        out = arb(1)
        for a in expr.args:
            out *= evaluate(a, env)
        return out
    if expr.is_Pow:
        return _pow(evaluate(expr.base, env), expr.exp, env)
    if isinstance(expr, sympy.exp):
        return evaluate(expr.args[0], env).exp()
    if isinstance(expr, sympy.log):
        x = evaluate(expr.args[0], env)
        if not x > 0:
            raise Undecided(f"log of a ball not certified > 0 ({x})")
        return x.log()
    if isinstance(expr, sympy.LambertW):
        branch = int(expr.args[1]) if len(expr.args) > 1 else 0
        x = evaluate(expr.args[0], env)
        w = x.lambertw(branch)
        if not w.is_finite():
            raise Undecided(f"Lambert W_{branch} of {x}: outside its real domain or at the branch point")
        return w
    if isinstance(expr, sympy.sin | sympy.cos | sympy.tan):
        return getattr(evaluate(expr.args[0], env), type(expr).__name__)()
    if isinstance(expr, sympy.Abs):
        return abs(evaluate(expr.args[0], env))
    if isinstance(expr, sympy.Piecewise):
        for value, cond in expr.args:
            if _decide(cond, env):
                return evaluate(value, env)
        raise Undecided("no branch of the Piecewise holds")
    raise Undecided(f"{type(expr).__name__} is not covered by the ball walk")


def env_of(values: Mapping[str, object], symbols) -> dict:
    """The ball environment of ``symbols`` (sympy symbols, matched by name) from exact ``values``."""
    return {s: arb_of(values[s.name]) for s in symbols if s.name in values}


def closed_form_ball(expr: sympy.Expr) -> Callable[[Mapping[str, object], int], arb]:
    """A ``Quantity.ball`` hook: ``(values, dps) -> arb``, the closed form ``expr`` walked in balls at the point
    (parameters matched by name), at :func:`bits` (dps) bits."""
    expr = sympy.sympify(expr)
    symbols = tuple(expr.free_symbols)

    def ball(values: Mapping[str, object], dps: int) -> arb:
        with precision(dps):
            return +evaluate(expr, env_of(values, symbols))

    return ball


def exact_ball(fn: Callable[[Mapping[str, object]], object]) -> Callable[[Mapping[str, object], int], object]:
    """A ``Quantity.ball`` hook for a quantity that is an exact rational (or a dict label -> rational) of the
    parameters: ``fn(values)`` computed in Fractions, each made a ball at the precision (exact if dyadic)."""

    def ball(values: Mapping[str, object], dps: int):
        out = fn(values)
        with precision(dps):
            if isinstance(out, Mapping):
                return {label: arb_of(Fraction(v)) for label, v in out.items()}
            return arb_of(Fraction(out))

    return ball


def root_by_sign_change(f: Callable[[arb], arb], approx, rel: Fraction | None = None, dps: int = 30) -> arb:
    """A ball holding a root of ``f`` near ``approx``: ``f`` (evaluated in balls, continuous on the bracket) is
    evaluated at ``lo = approx (1 - rel)`` and ``hi = approx (1 + rel)``, both exact dyadic numbers, and must
    take certified opposite signs; the ball is [lo, hi]. ``rel`` defaults to 10^-(dps + 2). Raises
    :class:`Undecided` when the signs are not certified opposite (a double root, a poor ``approx``)."""
    rel = Fraction(1, 10 ** (dps + 2)) if rel is None else rel
    with precision(dps + 10):
        mid = arb_of(approx if not isinstance(approx, arb) else approx.mid())
        lo, hi = (mid * (1 - arb_of(rel))).mid(), (mid * (1 + arb_of(rel))).mid()
        if hi < lo:
            lo, hi = hi, lo
        flo, fhi = f(lo), f(hi)
        if not ((flo < 0 and fhi > 0) or (flo > 0 and fhi < 0)):
            raise Undecided(f"no certified sign change on [{lo.str(8)}, {hi.str(8)}]: f = {flo.str(5)}, {fhi.str(5)}")
        return arb.union(lo, hi)


# --- reading a ball out -------------------------------------------------------------------------------------
def _exact(x: arb) -> Fraction:
    man, exp = x.man_exp()
    man, exp = int(man), int(exp)
    return Fraction(man * 2**exp) if exp >= 0 else Fraction(man, 2**-exp)


def ends(x: arb) -> tuple[Fraction, Fraction]:
    """The exact ends [lo, hi] of the ball, as rationals (from its exact midpoint and radius: ``lower()`` would
    round to the current working precision)."""
    if not x.is_finite():
        raise Undecided(f"the ball is not finite ({x})")
    mid, rad = _exact(x.mid()), _exact(x.rad())
    return mid - rad, mid + rad


def _decimal(q: Fraction, digits: int, rounding: str) -> str:
    with decimal.localcontext() as c:
        c.prec, c.rounding = digits, rounding
        return str(decimal.Decimal(q.numerator) / decimal.Decimal(q.denominator))


def ball_ends(x: arb, digits: int) -> tuple[str, str]:
    """Both ends as decimal strings of ``digits`` significant digits, rounded outward (lo down, hi up): the
    interval they give contains the ball."""
    lo, hi = ends(x)
    return _decimal(lo, digits, decimal.ROUND_FLOOR), _decimal(hi, digits, decimal.ROUND_CEILING)


def ball_text(x: arb, digits: int) -> str:
    """``midpoint +- radius``: the midpoint to ``digits`` significant digits, the radius rounded up to 3 and
    widened by the midpoint's own rounding, so the printed ball contains the ball."""
    lo, hi = ends(x)
    mid = (lo + hi) / 2
    shown = Fraction(decimal.Decimal(_decimal(mid, digits, decimal.ROUND_HALF_EVEN)))
    rad = max(hi - shown, shown - lo)
    return f"{_decimal(shown, digits, decimal.ROUND_HALF_EVEN)} +- {_decimal(rad, 3, decimal.ROUND_CEILING)}"


def contains(x: arb, value) -> bool:
    """True when the exact ``value`` (an mpf, Fraction, int or decimal string) lies in the ball."""
    if isinstance(value, str):
        value = Fraction(value)
    if isinstance(value, mpmath.mpf):
        man, exp = value.man_exp
        value = Fraction(int(man) * 2 ** int(exp)) if exp >= 0 else Fraction(int(man), 2 ** int(-exp))
    lo, hi = ends(x)
    return lo <= Fraction(value) <= hi


def relative_radius(x: arb) -> float:
    """rad / |mid| (inf for a ball containing 0)."""
    lo, hi = ends(x)
    mid = (lo + hi) / 2
    return math.inf if mid == 0 or lo <= 0 <= hi else float((hi - lo) / 2 / abs(mid))
