"""Quantities defined as the root of a stated equation (a scale, a threshold) rather than by a closed form.

    a.root("logit_gap", "z_y - z_c at the minimiser", equation=phi(q) - (K - 1) * s, unknown=q,
           bracket=(1 / K, 1), then=sp.log((K - 1) * q / (1 - q)), tol=a.tolerance(...))

The equation is sympy, in the unknown and the claim's parameters (matched by name), and is what the record
states: ``nc-verify show`` prints it as the quantity's definition. Its reference value is computed at the working
precision (plus guard digits) by a bracketing root solve (mpmath's Anderson-Bjoerck on the sign change, then
Newton on sympy's derivative), then ``then`` is evaluated at the root. A bracket without a sign change, or a
root the solve cannot resolve, gives :class:`~verify.record.Unavailable` (the check is inconclusive, never
silently wrong). The reference never sees the claim's independent solve.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

import mpmath
import sympy as sp

from verify.record import Quantity, Tolerance, Unavailable

#: Guard digits of the root solve: the root is found at dps + ROOT_GUARD digits so that ``then`` (a logarithm,
#: a ratio) loses at most its own condition number of digits, which these uses keep below 10^5.
ROOT_GUARD = 15


def _exact(values: Mapping, names) -> dict:
    out = {}
    for name in names:
        v = values[name]
        v = Fraction(v)
        out[name] = sp.Rational(v.numerator, v.denominator)
    return out


def root(
    name: str,
    description: str,
    *,
    equation,
    unknown: sp.Symbol,
    bracket: tuple,
    tol: Tolerance,
    then=None,
    standalone: bool = False,
) -> Quantity:
    """A quantity equal to ``then`` (default: the unknown itself) at the root of ``equation = 0`` in the open
    interval ``bracket`` (sympy expressions of the parameters); see the module docstring."""
    from verify.authoring.validation import _fail

    equation = sp.sympify(equation)
    lo, hi = (sp.sympify(b) for b in bracket)
    then = sp.sympify(unknown if then is None else then)
    if not isinstance(unknown, sp.Symbol) or unknown not in equation.free_symbols:
        raise _fail("", f"root {name}.unknown", f"{unknown!r} does not occur in the equation", "name its unknown")
    if unknown in lo.free_symbols | hi.free_symbols:
        raise _fail("", f"root {name}.bracket", "the bracket depends on the unknown", "give bounds in parameters")
    if not isinstance(tol, Tolerance):
        raise _fail("", f"root {name}.tolerance", "is missing", "give verify.authoring.tolerance(digits, reason)")
    params = sorted({s.name for e in (equation, lo, hi, then) for s in e.free_symbols} - {unknown.name})
    x = sp.Symbol("x_root")  # a plain symbol, whatever assumptions the user's unknown carries
    eq_x, then_x = equation.xreplace({unknown: x}), then.xreplace({unknown: x})
    cache: dict = {}

    def reference(values: Mapping, dps: int):
        key = (tuple((p, Fraction(values[p])) for p in params), dps)
        if key in cache:
            return cache[key]
        exact = _exact(values, params)
        by_name = {s: exact[s.name] for e in (eq_x, lo, hi, then_x) for s in e.free_symbols if s.name in exact}
        f_sym = eq_x.xreplace(by_name)
        f = sp.lambdify(x, f_sym, "mpmath")
        df = sp.lambdify(x, sp.diff(f_sym, x), "mpmath")
        g = sp.lambdify(x, then_x.xreplace(by_name), "mpmath")
        with mpmath.workdps(dps + ROOT_GUARD):
            a, b = (mpmath.mpf(sp.N(e.xreplace(by_name), dps + ROOT_GUARD)) for e in (lo, hi))
            shrink = (b - a) * mpmath.mpf(10) ** -(dps + ROOT_GUARD - 5)
            a, b = a + shrink, b - shrink  # open interval: the equation may be singular at its ends
            fa, fb = f(a), f(b)
            if fa * fb > 0:
                out = Unavailable(f"{equation} = 0 has no sign change on ({lo}, {hi})")
            else:
                try:
                    r = mpmath.findroot(f, (a, b), solver="anderson")
                    r = mpmath.findroot(f, r, solver="newton", df=df) if df(r) != 0 else r
                    out = +g(r) if a <= r <= b else Unavailable(f"the root left ({lo}, {hi})")
                except (ValueError, ZeroDivisionError) as exc:
                    out = Unavailable(f"root of {equation} not resolved ({exc})")
        cache[key] = out
        return out

    root_text = f"the root {unknown} in ({lo}, {hi}) of {equation} = 0"
    definition = root_text if then == unknown else f"{then} at {root_text}"
    return Quantity(
        name,
        description,
        None,
        tol,
        reference=reference,
        definition=definition,
        needs=tuple(params),
        standalone=standalone,
    )
