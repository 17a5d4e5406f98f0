"""Ball-arithmetic helpers of the certificate writers (python-flint's Arb; issue 18).

- exact decimal strings of rationals and of mpmath numbers (the numbers a certificate file carries);
- outward rounding of Arb endpoints to decimals (``floor_decimal``, ``ceil_decimal``);
- :func:`sympy_ball`: a closed form (a sympy expression without free symbols) evaluated in Arb, so that the
  value a claim predicts is itself a ball whose radius accounts for every rounding;
- :func:`sigma_bound`: a rational s >= sigma_max(G) of an exact rational matrix, proposed from a
  high-precision float eigen-solve with a margin; the checker verifies s^2 I - G^T G > 0 exactly.

Nothing here decides a verdict: the writers propose, :mod:`verify.certify.checker` checks.
"""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath
from flint import arb, ctx, fmpq


def fraction(x) -> Fraction:
    """An exact Fraction of an mpf, arb midpoint-free exact value, fmpq, int or decimal string."""
    if isinstance(x, Fraction):
        return x
    if isinstance(x, fmpq):
        return Fraction(int(x.p), int(x.q))
    if isinstance(x, arb):
        if not x.is_exact():
            raise ValueError("an inexact ball has no single rational value; take .lower() or .upper()")
        man, exp = x.man_exp()
        man, exp = int(man), int(exp)
        return Fraction(man * 2**exp) if exp >= 0 else Fraction(man, 2**-exp)
    if isinstance(x, mpmath.mpf):
        sign, man, exp, _ = x._mpf_  # exact (mpf.man_exp drops the sign; mpmath.mpf(x) would round)
        if not man and exp:
            raise ValueError(f"{x} is not a finite number")
        man = -int(man) if sign else int(man)
        return Fraction(man * 2 ** int(exp)) if exp >= 0 else Fraction(man, 2 ** int(-exp))
    if isinstance(x, int | float):
        return Fraction(x)  # exact (a binary float is a dyadic rational)
    if hasattr(x, "dtype"):  # a numpy scalar
        return Fraction(x.item())
    return Fraction(str(x))


def decimal_string(q: Fraction) -> str:
    """The exact decimal string of a rational whose denominator is 2^a 5^b (raises otherwise)."""
    q = Fraction(q)
    den, twos, fives = q.denominator, 0, 0
    while den % 2 == 0:
        den, twos = den // 2, twos + 1
    while den % 5 == 0:
        den, fives = den // 5, fives + 1
    if den != 1:
        raise ValueError(f"{q} has no finite decimal expansion")
    e = max(twos, fives)
    digits = str(abs(q.numerator) * 2 ** (e - twos) * 5 ** (e - fives))  # |q| = digits * 10^-e
    sign = "-" if q < 0 else ""
    if digits == "0":
        return "0"
    exponent = len(digits) - 1 - e  # scientific: d.ddd e(exponent)
    mantissa = digits[0] + ("." + digits[1:].rstrip("0") if digits[1:].rstrip("0") else "")
    return f"{sign}{mantissa}e{exponent}" if exponent else f"{sign}{mantissa}"


def _round_decimal(q: Fraction, digits: int, up: bool) -> Fraction:
    """q rounded to ``digits`` significant decimal digits, towards +inf (``up``) or -inf."""
    if q == 0:
        return Fraction(0)
    e = (
        math.floor(math.log10(abs(float(q))))
        if abs(float(q)) > 0
        else int(math.log10(abs(q.numerator))) - int(math.log10(q.denominator))
    )
    unit = Fraction(10) ** (e - digits + 1)
    steps = q / unit
    n = -((-steps.numerator) // steps.denominator) if up else steps.numerator // steps.denominator
    return n * unit


def floor_decimal(q, digits: int) -> Fraction:
    return _round_decimal(fraction(q), digits, up=False)


def ceil_decimal(q, digits: int) -> Fraction:
    return _round_decimal(fraction(q), digits, up=True)


def mp_decimal(x, digits: int) -> str:
    """An mpf rounded to ``digits`` significant digits, as an exact decimal string."""
    q = fraction(x)  # never mpmath.mpf(x): that rounds to the current precision
    return decimal_string(floor_decimal(q, digits)) if q != 0 else "0"


def bits(digits: int) -> int:
    """Arb working precision (bits) for ``digits`` decimal digits, with 64 guard bits."""
    return int(digits * 3.33) + 64


def sympy_ball(expr, digits: int) -> arb | None:
    """A closed form without free symbols evaluated in Arb at ``digits`` digits; None when it uses a function
    this evaluator does not know (the caller then cannot certify it). Piecewise conditions must be decided
    by the balls (an undecidable condition gives None)."""
    import sympy as sp

    old = ctx.prec
    ctx.prec = bits(digits)
    try:
        return _ball(sp.sympify(expr))
    except _Unsupported:
        return None
    finally:
        ctx.prec = old


class _Unsupported(Exception):
    pass


def _ball(e) -> arb:
    import sympy as sp

    if e.is_Rational:
        return arb(fmpq(int(e.p), int(e.q)))
    if e is sp.E:
        return arb(1).exp()
    if e is sp.pi:
        return arb.pi()
    if isinstance(e, sp.Add):
        return sum((_ball(a) for a in e.args), arb(0))
    if isinstance(e, sp.Mul):
        out = arb(1)
        for a in e.args:
            out *= _ball(a)
        return out
    if isinstance(e, sp.Pow):
        base, ex = e.args
        if ex.is_Integer:
            b = _ball(base)
            return b ** int(ex) if int(ex) >= 0 else 1 / b ** int(-ex)
        if ex == sp.Rational(1, 2):
            return _ball(base).sqrt()
        if ex == sp.Rational(-1, 2):
            return _ball(base).rsqrt()
        b = _ball(base)
        return (b.log() * _ball(ex)).exp()
    if isinstance(e, sp.exp):
        return _ball(e.args[0]).exp()
    if isinstance(e, sp.log):
        return _ball(e.args[0]).log()
    if isinstance(e, sp.Piecewise):
        for value, cond in e.args:
            if cond is sp.true or _decide(cond):
                return _ball(value)
        raise _Unsupported("no Piecewise branch holds")
    raise _Unsupported(type(e).__name__)


def _decide(cond) -> bool:
    import sympy as sp

    if isinstance(cond, sp.StrictLessThan | sp.LessThan | sp.StrictGreaterThan | sp.GreaterThan):
        d = _ball(cond.lhs - cond.rhs)
        lt, gt = isinstance(cond, sp.StrictLessThan | sp.LessThan), isinstance(cond, sp.StrictGreaterThan)
        if lt:
            if d < 0 or (isinstance(cond, sp.LessThan) and d <= 0):
                return True
            if d > 0 or (isinstance(cond, sp.StrictLessThan) and d >= 0):
                return False
        else:
            if d > 0 or (not gt and d >= 0):
                return True
            if d < 0 or (gt and d <= 0):
                return False
    raise _Unsupported(f"undecided condition {cond}")


def sigma_bound(G: list[list[Fraction]], digits: int) -> Fraction:
    """A decimal s with s > sigma_max(G), G an exact rational matrix: sigma from a float eigen-solve of G^T G at
    2 digits + 20 digits, raised by 10^-(digits + 5) relative (the checker proves s^2 I - G^T G > 0)."""
    with mpmath.workdps(2 * digits + 20):
        Gm = mpmath.matrix([[mpmath.mpf(x.numerator) / x.denominator for x in row] for row in G])
        lam = max(mpmath.eigsy(Gm.T * Gm, eigvals_only=True))
        s = mpmath.sqrt(max(lam, mpmath.mpf(0))) * (1 + mpmath.mpf(10) ** -(digits + 5))
        s = max(s, mpmath.mpf(10) ** -(3 * digits))
        return ceil_decimal(fraction(s), digits + 12)
