"""Certificates for the two-layer models of Tirer & Bruna 2022, problems (23)/(24) (checker kind
``two_layer_scalar``), through the proof's reduction to a scalar problem (Appendix C; proofs/tirer2022.thm4_1.md):

    min f  =  min over u >= 0 of  g(u) = (u^3 - 1)^2/2 + (3/2) K beta u^2,   beta = (n lambda_H1 lambda_W1 lambda_W2)^(1/3).

- hi: the objective of the two-layer program at the solve's point (W2, W1, H1), rounded to exact decimals and
  evaluated exactly by the checker: an upper bound of min f that needs no reduction;
- lo: an interval branch and bound on [0, U], U = 13/10 (U^3 = 2.197 >= 2, so g(u) > 1/2 = g(0) beyond U, whatever
  beta): every interval is bounded below by the checker's own Taylor form (:func:`checker.scalar.g_lower`) and
  split until its bound is within 10^-(dps + BNB_EXTRA) relative of the best value of g seen at a breakpoint; the
  leaves' breakpoints are the certificate's dual. lo <= min g <= min f, the second by the reduction.

The branch and bound sees only K beta (from the parameters) and g; it never sees u, the quartic or the closed form.
Both regimes (the nonzero point global, or the origin) and both ties (two minimisers of g at the global tie,
K beta = 2^(-4/3); the fold, K beta = 3 2^(-8/3)) are the same computation: the leaves near each minimiser of g
are refined.
"""

from __future__ import annotations

import heapq
from fractions import Fraction

from flint import arb, ctx, fmpq

from verify.certify.balls import bits, decimal_string, fraction, mp_decimal
from verify.certify.checker.scalar import g_lower, k_beta
from verify.certify.enclosure import Enclosure, not_closed
from verify.certify.layer_peeled import GUARD_DIGITS, close, decimal_or_fraction

#: The upper end of the cover: U^3 = 2.197 >= 2, so (u^3 - 1)^2/2 > 1/2 = g(0) for u > U (any beta).
U_BOUND = Fraction(13, 10)
#: The branch and bound stops at 10^-(dps + BNB_EXTRA) relative: ten digits below the certificate's target
#: width 10^-(dps - 10), so the width is set by the solve's point (hi), not by the cover.
BNB_EXTRA = 0
#: At most this many intervals are bounded (about 40 levels of bisection near each minimiser at dps 40 use a
#: few hundred); above it the enclosure is reported not closed.
MAX_INTERVALS = 20000


def _fq(q: Fraction) -> fmpq:
    return fmpq(q.numerator, q.denominator)


def _split_point(a: Fraction, b: Fraction, digits: int) -> Fraction:
    """A short decimal strictly inside (a, b), near the midpoint."""
    mid = (a + b) / 2
    for d in (digits // 2, digits, 2 * digits):
        m = Fraction(mp_decimal_of(mid, d))
        if a < m < b:
            return m
    return mid


def mp_decimal_of(q: Fraction, digits: int) -> str:
    import mpmath

    with mpmath.workdps(digits + 10):
        return mp_decimal(mpmath.mpf(q.numerator) / q.denominator, digits)


def cover(k_beta: arb, dps: int, digits: int) -> tuple[list[Fraction], Fraction, Fraction]:
    """(breakpoints 0 = t_0 < ... < t_m = U, lo, best g seen): interval branch and bound on g over [0, U]."""
    rel = Fraction(1, 10 ** (dps + BNB_EXTRA))

    def g_upper(u: Fraction) -> Fraction:
        x = arb(_fq(u))
        val = (x**3 - 1) ** 2 / 2 + 3 * k_beta * x**2 / 2
        return fraction(val.upper())

    best = min(g_upper(Fraction(0)), g_upper(U_BOUND))
    heap = [(Fraction(-1), Fraction(0), U_BOUND)]  # (lower bound, a, b): the lowest bound first
    leaves: list[tuple[Fraction, Fraction, Fraction]] = []
    count = 0
    while heap:
        _, a, b = heapq.heappop(heap)
        low = fraction(g_lower(_fq(a), _fq(b), k_beta))
        count += 1
        if low >= best - rel * abs(best) or count > MAX_INTERVALS:
            leaves.append((low, a, b))
            continue
        m = _split_point(a, b, digits)
        best = min(best, g_upper(m))
        heapq.heappush(heap, (low, a, m))
        heapq.heappush(heap, (low, m, b))
    if count > MAX_INTERVALS:
        raise ArithmeticError(f"branch and bound: more than {MAX_INTERVALS} intervals")
    points = sorted({a for _, a, _ in leaves} | {U_BOUND})
    return points, min(low for low, _, _ in leaves), best


def certify_two_layer(model, point, claim_id: str, values, quantities: tuple[str, ...], dps: int) -> Enclosure:
    """The enclosure of min (23)/(24) for a :class:`verify.models.two_layer.TwoLayerModel` at the solve's ``point``
    (its packing): hi = f there (exact), lo = the branch and bound's lower bound of min g (the checker's kind
    ``two_layer_scalar``; lo <= min f rests on the reduction, and for the ReLU model on Theorem 4.2's assumption)."""
    digits = dps + GUARD_DIGITS
    if model.K * model.N + model.d1 * model.N + model.d1 * model.d2 > 20000:
        return not_closed(f"K = {model.K}, N = {model.N}: above the dense certificate's size", quantities)
    W2, W1, H1 = model.unpack(point)
    data = {
        "kind": "two_layer_scalar",
        "K": str(model.K),
        "n": str(model.n),
        "lambda_W1": decimal_or_fraction(Fraction(model.lambda_W1)),
        "lambda_W2": decimal_or_fraction(Fraction(model.lambda_W2)),
        "lambda_H1": decimal_or_fraction(Fraction(model.lambda_H1)),
        "activation": "relu" if model.relu else "identity",
        "d1": str(model.d1),
        "d2": str(model.d2),
    }
    with ctx.workprec(bits(digits) + 64):
        points, _, _ = cover(k_beta(data), dps, digits)
    text = lambda M: [[mp_decimal(x, digits) for x in row] for row in M]  # noqa: E731
    cert = {
        "format": "nc-verify-certificate/1",
        "digits": digits,
        "program": data,
        "primal": {"W2": text(W2), "W1": text(W1), "H1": text(H1)},
        "dual": {"breakpoints": [decimal_string(t) for t in points]},
    }
    parameters = {k: decimal_or_fraction(Fraction(v)) for k, v in values.items() if not isinstance(v, tuple)}
    return close(cert, claim_id, parameters, quantities, digits)
