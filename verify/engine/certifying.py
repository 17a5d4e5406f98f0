"""The verdict ``certified``, quantity by quantity (issue 18; docs/certified.md). Engine level.

A claim that declares a certificate hook (``Claim.certificate``) gets, at each checked point, an
:class:`verify.certify.Enclosure` [lo, hi] of the global minimum of its program, built from the solve's point
and proved by :mod:`verify.certify.checker`. A quantity named by the enclosure (one whose closed form *is* the
minimum) is

- ``certified`` when the enclosure is closed, the closed form evaluated in Arb balls lies inside [lo, hi], and
  hi - lo <= 10^-(dps - 10) relative (:data:`WIDTH_DIGITS`);
- refuted (the comparison fails) when the closed form's ball lies entirely outside a closed enclosure: a proof
  that the closed form is not the minimum of the program as encoded;
- otherwise left to the tolerance comparison (``verified`` at best), with ``certify_note`` saying why.

The closed form's ball comes from its sympy expression, else from the quantity's ``ball`` hook (a closed form
through a certified root: tirer2022.thm4_1's value), else from the reference's number with its stated accuracy.

Quantities the enclosure does not name (geometry: norms, cosines) stay ``verified``: no enclosure of the
minimiser's geometry is computed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from fractions import Fraction

from verify.record import Claim, SolveReport

#: certified needs hi - lo <= 10^-(dps - WIDTH_DIGITS) relative: the issue's requirement, ten digits below the
#: working precision (the solve's point is accurate to ~10^-(dps-5); the width is first order in its error).
WIDTH_DIGITS = 10


def certify_point(claim: Claim, values, report: SolveReport, comparisons: tuple) -> tuple:
    """(comparisons with their certification, the enclosure or None) at one checked point."""
    enclosure = enclosure_at(claim, values, report)
    return certify_comparisons(claim, values, comparisons, enclosure, report.dps), enclosure


def enclosure_at(claim: Claim, values: Mapping[str, Fraction], report: SolveReport):
    """The claim's enclosure at this point, or None when the claim declares no certificate. Any failure of the
    writer (no point, a breakdown) is an enclosure that is not closed, never an exception."""
    if claim.certificate is None:
        return None
    from verify.certify import not_closed

    if report.point is None:
        return not_closed("the solve returned no point to build a certificate from")
    try:
        return claim.certificate(values, report)
    except (ArithmeticError, ValueError, TypeError) as exc:
        return not_closed(f"the certificate writer broke down: {type(exc).__name__}: {exc}")


def certify_comparisons(claim: Claim, values, comparisons: tuple, enclosure, dps: int) -> tuple:
    """The comparisons with ``certified`` / ``refuted`` / ``certify_note`` set from ``enclosure``."""
    from flint import arb, ctx, fmpq

    from verify.certify.balls import bits

    if enclosure is None:
        return comparisons
    out = []
    subs = claim.subs(values)
    # start from plain comparisons: nothing said by an earlier certification survives this one
    comparisons = tuple(
        replace(c, enclosure=None, certified=False, refuted=False, certify_note="") for c in comparisons
    )
    for c in comparisons:
        if c.name not in enclosure.quantities:
            out.append(c)
            continue
        interval = (enclosure.lo, enclosure.hi) if enclosure.lo is not None else None
        if not enclosure.closed:
            out.append(replace(c, enclosure=interval, certify_note=f"enclosure not closed: {enclosure.message}"))
            continue
        q = claim.quantity(c.name)
        ball, how = _predicted_ball(claim, q, values, subs, dps)
        if ball is None or not ball.is_finite():
            note = how
            out.append(replace(c, enclosure=interval, certify_note=note))
            continue
        lo, hi = enclosure.lo, enclosure.hi
        width = enclosure.width
        with ctx.workprec(bits(dps + 20)):
            lo_b, hi_b = arb(fmpq(lo.numerator, lo.denominator)), arb(fmpq(hi.numerator, hi.denominator))
            inside = bool(ball >= lo_b and ball <= hi_b)
            outside = bool(ball < lo_b or ball > hi_b)
        narrow = width <= Fraction(1, 10 ** (dps - WIDTH_DIGITS))
        if outside:
            note = f"closed form outside the proven enclosure [{float(lo):.17g}, {float(hi):.17g}]"
        elif not inside:
            note = "the closed form's ball overlaps an end of the enclosure"
        elif not narrow:
            note = f"enclosure width {float(width):.1e} above 1e-{dps - WIDTH_DIGITS} relative"
        else:
            note = f"{how} in [lo, hi], width {float(width):.1e} (rechecked by verify.certify.checker)"
        out.append(replace(c, enclosure=interval, certified=inside and narrow, refuted=outside, certify_note=note))
    return tuple(out)


#: A quantity defined by a numerical reference (no closed form) is evaluated at dps + REFERENCE_GUARD digits
#: and taken as a ball of relative radius 10^-(dps + REFERENCE_GUARD - 5): the reference's own stated accuracy
#: (Claim.evaluate: correct to the digits asked), not a ball computation (docs/certified.md says so).
REFERENCE_GUARD = 20


def _predicted_ball(claim: Claim, q, values, subs, dps: int):
    """(ball, how): the closed form in Arb, or a reference's number with its stated accuracy; (None, why)."""
    import mpmath
    from flint import arb, ctx

    from verify.certify.balls import bits, fraction, sympy_ball

    if q.reference is None and q.expr is not None:
        ball = sympy_ball(q.expr.subs(subs), dps + 20)
        return ball, "closed form (Arb ball)" if ball is not None else "the closed form has no ball evaluator"
    if q.ball is not None:  # a closed form through a certified root (tirer2022.thm4_1's value): its own ball hook
        from verify.certify.intervals import Undecided

        try:
            return q.ball(values, dps + 20), "closed form (Arb ball of its ball hook)"
        except Undecided:
            pass  # no ball here (a double root): the reference's number, below
    value = claim.evaluate(values, dps + REFERENCE_GUARD, quantities=[q.name])[q.name]
    if not isinstance(value, mpmath.mpf):
        return None, f"the reference is not a number here ({value})"
    with ctx.workprec(bits(dps + REFERENCE_GUARD)):
        mid = fraction(value)
        ball = arb(mid.numerator) / mid.denominator
        ball = ball + arb(0, abs(ball.mid()) * arb(10) ** -(dps + REFERENCE_GUARD - 5))
    return ball, f"reference (numerical, {dps + REFERENCE_GUARD} digits)"
