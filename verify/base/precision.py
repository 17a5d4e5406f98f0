"""Closed forms evaluated to a *relative* precision, at any scale.

``evaluate_expr(expr, subs, dps)`` returns the value of a sympy expression at exact parameter values with
``dps`` significant digits correct relative to the value itself: log(1 + 2 exp(-150)) = 1.4e-65 comes out as
1.435...e-65, never as 0.0. Two ways, tried in this order:

1. **Certified interval arithmetic** (``mpmath.iv``): the expression tree is walked with outward-rounded
   intervals at ``prec`` bits, and ``prec`` is doubled until the enclosure excludes 0 and its relative width
   is below 10^-(dps + GUARD_DIGITS). The value returned is the midpoint, so its relative error is below
   the relative width: the printed digits are right by construction. ``log`` of an argument near 1 is
   rewritten without cancellation (log(1 + t) -> log1p(t), log(1/u) -> -log(u)), so the exponentially
   small values of the papers (exp(-K sqrt(E_H E_W)/(K-1)) at large budgets) do not need exponentially many
   digits; the remaining cancellations (1 - 1/(1 + t)) are resolved by the precision doubling.
2. **Adaptive precision with a cancellation check** (plain mpmath), for functions the interval walk does not
   cover (the lower branch of Lambert W): the expression is evaluated at two precisions 20 digits apart,
   raising both until the two agree to 10^-(dps + GUARD_DIGITS) relative. Not a proof (two evaluations that
   lose the same digits would agree) but each evaluation's own rounding error shrinks by 20 digits between
   them, so an agreement at that level means the cancellation has been resolved.

A quantity defined through a high-precision *reference* (a root, a solve of the optimality conditions, a vector of
per-class values) goes through :func:`evaluate_reference`, the second way applied to the reference itself: it is
called at precisions 20 digits apart, then doubling, until two consecutive values agree to 10^-(dps + GUARD_DIGITS)
relative, entry by entry (an exact 0 is confirmed once at a much higher precision, so that a value cancelled to
0 at both precisions is not printed as 0). Every claim's quantities thus print relative digits, whatever the
reference's own arithmetic.

Both stop at ``dps +`` :data:`MAX_EXTRA_DIGITS` digits and then return :class:`verify.base.values.Unavailable` (precision ran out),
never a number with wrong digits. An expression that is exactly 0 after substitution (sympy decides) is 0.
"""

from __future__ import annotations

from collections.abc import Mapping

import mpmath
import sympy
from mpmath import iv

from verify.base.values import Unavailable, Undefined

#: Guard digits of the stopping test: the enclosure (or the two-precision agreement) must be 10^-(dps + 2)
#: relative, so that rounding the midpoint to ``dps`` digits leaves every printed digit right.
GUARD_DIGITS = 2

#: Precision cap of the doubling: at most ``dps + MAX_EXTRA_DIGITS`` decimal digits. The cancellation-free
#: forms of the catalogue need no extra digits; the cancelling ones (thm1's lower bound, 1 - 1/(1 + t) in thm4's
#: power loss) need about log10(1/t) extra digits, t = exp(-K sqrt(E_H E_W)/(K-1)): 2000 digits cover
#: sqrt(E_H E_W) up to ~2000 (E_H = 10^5, E_W = 40) at under a second per evaluation; beyond the cap the value
#: is reported unavailable, with the fix, in about a second (10^4 digits took 5-20 s per quantity: a hang to a
#: user who gave E_H = 1e80).
MAX_EXTRA_DIGITS = 2000

#: Extra digits of the first attempt over the requested ``dps``.
START_EXTRA_DIGITS = 10


class _NotInterval(Exception):
    """The interval walk meets a node it does not cover (the caller falls back to adaptive precision)."""


class _Straddles(Exception):
    """An interval operation is undefined on the current enclosure (log of an interval containing 0)."""


def _rational(node: sympy.Rational, ctx):
    return ctx.mpf(int(node.p)) / int(node.q) if node.q != 1 else ctx.mpf(int(node.p))


def _one_plus_rest(arg: sympy.Expr) -> sympy.Expr | None:
    """t when ``arg`` is the sum 1 + t (the form of every log(1 + small) in the catalogue), else None."""
    if isinstance(arg, sympy.Add):
        terms = arg.args
        if sympy.S.One in terms:
            rest = list(terms)
            rest.remove(sympy.S.One)
            return sympy.Add(*rest)
    return None


def _exact(node):
    """A small unevaluated subtree (an exponent, a Piecewise condition) evaluated exactly by sympy."""
    if node.is_Atom:
        return node
    return node.func(*(_exact(a) for a in node.args))


def _walk(node: sympy.Expr, ctx, interval: bool):
    """The value of a numeric sympy tree in ``ctx`` (mpmath.iv or mpmath.mp) at the context's precision."""
    rec = lambda e: _walk(e, ctx, interval)  # noqa: E731
    if node.is_Rational:
        return _rational(node, ctx)
    if node is sympy.pi:
        return ctx.pi
    if node is sympy.E:
        return ctx.e
    if isinstance(node, sympy.Add):
        out = rec(node.args[0])
        for a in node.args[1:]:
            out = out + rec(a)
        return out
    if isinstance(node, sympy.Mul):
        out = rec(node.args[0])
        for a in node.args[1:]:
            out = out * rec(a)
        return out
    if isinstance(node, sympy.Pow):
        base, ex = node.args[0], _exact(node.args[1])
        if ex.is_Integer:
            b = rec(base)
            return b ** int(ex) if int(ex) >= 0 else 1 / (b ** (-int(ex)))
        if ex == sympy.S.Half:
            return ctx.sqrt(rec(base))
        b = rec(base)
        if interval and not b.a > 0:
            raise _Straddles
        return ctx.exp(ctx.log(b) * rec(ex))
    if isinstance(node, sympy.exp):
        return ctx.exp(rec(node.args[0]))
    if isinstance(node, sympy.log) and len(node.args) == 1:
        arg = node.args[0]
        if isinstance(arg, sympy.Pow) and arg.args[1] == -1:  # log(1/u) = -log(u): keeps log(u) near 1 exact
            return -rec(sympy.log(arg.args[0], evaluate=False))
        rest = _one_plus_rest(arg)
        if rest is not None:
            t = rec(rest)
            if interval and not t.a > -1:
                raise _Straddles
            return ctx.log1p(t)
        a = rec(arg)
        if interval and not a.a > 0:
            raise _Straddles
        return ctx.log(a)
    if isinstance(node, sympy.Piecewise):
        for value, cond in ((v, _exact(c)) for v, c in node.args):
            if cond is sympy.true:
                return rec(value)
            if cond is not sympy.false:
                raise _NotInterval  # a condition sympy cannot decide exactly at this point
        raise _NotInterval
    if not interval:
        if isinstance(node, sympy.LambertW):
            k = int(node.args[1]) if len(node.args) > 1 else 0
            w = mpmath.lambertw(rec(node.args[0]), k)
            if abs(mpmath.im(w)) > 0:
                raise _NotInterval
            return mpmath.re(w)
    raise _NotInterval


def _schedule(dps: int) -> list[int]:
    """Working precisions (digits) of the doubling, the last one exactly the cap ``dps + MAX_EXTRA_DIGITS``."""
    digits, cap, out = dps + GUARD_DIGITS + START_EXTRA_DIGITS, dps + MAX_EXTRA_DIGITS, []
    while digits < cap:
        out.append(digits)
        digits *= 2
    return [*out, cap]


def _interval(expr: sympy.Expr, dps: int) -> mpmath.mpf | Unavailable | None:
    """The certified enclosure loop; None when the walk meets a node it does not cover."""
    digits = dps + GUARD_DIGITS + START_EXTRA_DIGITS
    target = mpmath.mpf(10) ** (-(dps + GUARD_DIGITS))
    last = "the enclosure contains 0"
    for digits in _schedule(dps):
        old = iv.dps
        try:
            iv.dps = digits
            try:
                box = _walk(expr, iv, interval=True)
            except _Straddles:
                box = None
            except _NotInterval:
                return None
        finally:
            iv.dps = old
        if box is not None:
            mid = None
            with mpmath.workdps(digits + 10):  # the endpoints exactly (they carry ``digits`` digits)
                lo, hi = mpmath.mpf(box.a), mpmath.mpf(box.b)
                if lo == hi == 0:  # a point enclosure: every operation was exact, the value is exactly 0
                    return mpmath.mpf(0)
                if lo > 0 or hi < 0:
                    width = (hi - lo) / min(abs(lo), abs(hi))
                    if width <= target:
                        mid = (lo + hi) / 2
                    with mpmath.workdps(15):  # nstr of a 10^4-digit mantissa would convert all of it
                        last = f"relative width {mpmath.nstr(+width, 2)}"
                else:
                    last = "the enclosure contains 0"
            if mid is not None:
                return +mid  # rounded to the caller's working precision
    return Unavailable(
        f"precision ran out: at {dps + MAX_EXTRA_DIGITS} digits {last}; try a smaller budget (E_H E_W) or a lower --dps"
    )


def _plain(expr: sympy.Expr, digits: int) -> mpmath.mpf | None:
    """One plain evaluation at ``digits`` (our walk; sympy's evalf for functions it does not cover); None when
    the value is not real."""
    try:
        return _walk(expr, mpmath.mp, interval=False)
    except _NotInterval:
        value = sympy.N(expr, digits)
        return mpmath.mpf(value) if value.is_real else None


def _adaptive(expr: sympy.Expr, dps: int) -> mpmath.mpf | Unavailable:
    """Two plain mpmath evaluations 20 digits apart, raised until they agree to 10^-(dps + GUARD_DIGITS)."""
    target = mpmath.mpf(10) ** (-(dps + GUARD_DIGITS))
    caller = mpmath.mp.prec
    for digits in _schedule(dps):
        with mpmath.workdps(digits):
            a = _plain(expr, digits)
        with mpmath.workdps(digits + 20):
            b = _plain(expr, digits + 20)
            if a is not None and b is not None and b != 0 and abs(a - b) <= target * abs(b):
                with mpmath.workprec(caller):
                    return +b
    return Unavailable(
        f"precision ran out: two evaluations 20 digits apart up to {dps + MAX_EXTRA_DIGITS} digits still disagree (cancellation "
        "not resolved, or no real value); try a smaller budget (E_H E_W) or a lower --dps"
    )


#: Precision cap of :func:`evaluate_reference` (extra digits over ``dps``): references are root finds and solves
#: whose cost grows faster than an expression's; 1000 digits resolve every cancellation of the catalogue's
#: references at parameters down to 1e-300 (the value 1/2 + u^3/2 - u^6 of tirer2022.thm4_1 cancels about
#: -log10(K beta) digits).
REFERENCE_MAX_EXTRA_DIGITS = 1000


def _agree(a, b, target) -> bool | None:
    """True when ``a`` and ``b`` (a reference at two precisions) agree to ``target`` relative, entry by entry;
    None when they agree but some entry is exactly 0 at both (to be confirmed); False otherwise. Entries shared
    by a vector (pairs of equal class sizes hold the same object) are compared once."""
    if type(a) is dict or type(b) is dict or isinstance(a, Mapping) or isinstance(b, Mapping):
        if not (isinstance(a, Mapping) and isinstance(b, Mapping)) or a.keys() != b.keys():
            return False
        seen: dict = {}
        verdict: bool | None = True
        for k, y in b.items():
            x = a[k]
            pair = (id(x), id(y))
            got = seen.get(pair, _UNSEEN)
            if got is _UNSEEN:
                got = seen[pair] = _agree(x, y, target)
            if got is False:
                return False
            if got is None:
                verdict = None
        return verdict
    if isinstance(a, Unavailable) or isinstance(b, Unavailable):
        return isinstance(a, Unavailable) and isinstance(b, Unavailable)
    if isinstance(a, Undefined) or isinstance(b, Undefined):
        return isinstance(a, Undefined) and isinstance(b, Undefined)  # the reasons may quote digits
    if not isinstance(a, mpmath.mpf) and not isinstance(b, mpmath.mpf):
        return a == b  # another exact answer
    if not (isinstance(a, mpmath.mpf) and isinstance(b, mpmath.mpf)):
        return False
    if b == 0:
        return None if a == 0 else False
    return bool(abs(a - b) <= target * abs(b))


_UNSEEN = object()


def _rounded(value):
    if isinstance(value, Mapping):
        done: dict = {}
        out = {}
        for k, v in value.items():
            r = done.get(id(v), _UNSEEN)
            if r is _UNSEEN:
                r = done[id(v)] = +v if isinstance(v, mpmath.mpf) else v
            out[k] = r
        return out
    return +value if isinstance(value, mpmath.mpf) else value


def evaluate_reference(reference, values: Mapping, dps: int):
    """``reference(values, digits)`` to ``dps`` digits relative to the value, entry by entry (a vector reference
    returns a dict): called at ``dps``, ``dps + 20``, then doubling, until two consecutive values agree to
    10^-(dps + GUARD_DIGITS) relative; an entry exactly 0 at both is confirmed at 4x the precision (+100 digits).
    :class:`Unavailable` at ``dps +`` :data:`REFERENCE_MAX_EXTRA_DIGITS` digits. The result is at the caller's
    working precision."""
    target = mpmath.mpf(10) ** (-(dps + GUARD_DIGITS))
    cap = dps + REFERENCE_MAX_EXTRA_DIGITS
    caller = mpmath.mp.prec

    def at(digits):
        with mpmath.workdps(digits):
            return reference(values, digits)

    digits, prev = dps + 20, at(dps)
    while True:
        cur = at(digits)
        verdict = _agree(prev, cur, target)
        if verdict is None:  # equal, some entry exactly 0: confirm far above (cancellation to exactly 0)
            digits = min(cap, 4 * digits + 100)
            prev, cur = cur, at(digits)
            verdict = _agree(prev, cur, target) is not False
        if verdict:
            with mpmath.workprec(caller):
                return _rounded(cur)
        if digits >= cap:
            return Unavailable(
                f"precision ran out: the reference at {digits} digits still moves in the first {dps} digits "
                "(cancellation not resolved); try parameters closer to the pinned examples or a lower --dps"
            )
        prev, digits = cur, min(2 * digits, cap)


def evaluate_expr(expr: sympy.Expr, subs: Mapping, dps: int) -> mpmath.mpf | Unavailable:
    """``expr`` at ``subs`` (exact sympy numbers), ``dps`` digits correct relative to the value.

    The result is an mpf at the caller's working precision (hold ``mpmath.workdps(dps)``); an exact zero is 0;
    :class:`Unavailable` when ``dps + MAX_EXTRA_DIGITS`` digits do not resolve the value (see the module docstring)."""
    # xreplace, not subs: the keys are the parameters' own symbols, and subs (pattern matching, assumptions)
    # cost 40 ms per quantity, most of a closed-form evaluation
    # substituted *unevaluated*: sympy's automatic evaluation of exact numbers would expand (K-1)^q at q = 10^6
    # into a 300000-digit integer and search (2^q + 2)^(2/q + 1) for perfect powers (a hang); the walk evaluates
    # only the small exponents and Piecewise conditions exactly (_exact)
    with sympy.evaluate(False):
        value = sympy.sympify(expr).xreplace(dict(subs)) if subs else sympy.sympify(expr)
    if value.is_Rational:
        return _rational(value, mpmath.mp)
    if value.free_symbols:
        raise ValueError(f"evaluate_expr: {sorted(map(str, value.free_symbols))} have no value in subs")
    got = _interval(value, dps)
    if got is None:
        got = _adaptive(value, dps)
    if isinstance(got, Unavailable) and _exact(value).is_zero:  # exactly 0 (sympy decides): no enclosure excludes it
        return mpmath.mpf(0)
    return got
