"""Certified roots in balls: Krawczyk's operator for square systems and positive roots of polynomials.

- :func:`krawczyk`: for a square system F(x) = 0 given as sympy expressions, a box X around an approximate root
  with K(X) = m - Y F(m) + (I - Y J(X))(X - m) inside the interior of X proves that X holds exactly one root
  and that every matrix of J(X) is regular (Krawczyk 1969; Neumaier, "Interval methods for systems of
  equations", 1990, Thm 5.1.7). Parameters may be balls (a whole bracket of R): then, for every parameter
  value in its ball, exactly one root lies in X, and by the implicit function theorem the root depends
  continuously on the parameter there.
- :func:`positive_roots_by_sign_change`: the positive roots of a real polynomial whose sign pattern allows at
  most as many positive roots as approximations were given (Descartes' rule of signs), each enclosed by a
  certified sign change; then these are *all* the positive roots, and the largest is known to be the largest.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import mpmath
import sympy
from flint import arb, arb_mat, ctx

from verify.certify.intervals import Undecided, arb_of, evaluate


def _eval_all(exprs, env) -> list[arb]:
    return [evaluate(e, env) for e in exprs]


def krawczyk(
    equations: Sequence[sympy.Expr],
    unknowns: Sequence[sympy.Symbol],
    env: Mapping[sympy.Symbol, arb],
    approx: Sequence,
    *,
    refine: int = 8,
) -> list[arb]:
    """Balls, one per unknown, holding the unique root of ``equations`` near ``approx`` (mpf, float or arb) for
    every value of the parameters in ``env`` (balls); raises :class:`Undecided` when no box is proved.

    A proved box is refined by restarting from its midpoints (a Newton step): a new box is kept only inside the
    previous one (then it holds the same unique root), at most ``refine`` times."""
    J = sympy.Matrix(equations).jacobian(list(unknowns))
    box = _krawczyk_once(equations, unknowns, env, approx, jacobian=J)
    for _ in range(refine):
        try:
            new = _krawczyk_once(equations, unknowns, env, [b.mid() for b in box], jacobian=J)
        except Undecided:
            break
        if not all(old.contains(b) for old, b in zip(box, new, strict=True)):
            break
        shrunk = any(b.rad() < old.rad() / 2 for old, b in zip(box, new, strict=True))
        box = new
        if not shrunk:
            break
    return box


def _krawczyk_once(
    equations: Sequence[sympy.Expr],
    unknowns: Sequence[sympy.Symbol],
    env: Mapping[sympy.Symbol, arb],
    approx: Sequence,
    *,
    jacobian: sympy.Matrix | None = None,
    tries: int = 12,
) -> list[arb]:
    """One Krawczyk test around ``approx``. Epsilon inflation: the first box has radius 10 |Y F(m)| (the Newton step's size) plus 2^-prec |m|; each
    failure widens it by a factor 16 (Rump's inflation), at most ``tries`` times."""
    n = len(unknowns)
    if len(equations) != n:
        raise ValueError(f"krawczyk: {len(equations)} equations in {n} unknowns")
    J = jacobian if jacobian is not None else sympy.Matrix(equations).jacobian(list(unknowns))
    mid = [a.mid() if isinstance(a, arb) else arb_of(a if isinstance(a, mpmath.mpf) else mpmath.mpf(a)) for a in approx]
    at_mid = dict(env) | dict(zip(unknowns, mid, strict=True))
    f_mid = arb_mat(n, 1, _eval_all(equations, at_mid))
    j_mid = arb_mat([[evaluate(J[i, j], at_mid) for j in range(n)] for i in range(n)])
    try:
        Y = j_mid.mid().inv().mid()
    except ZeroDivisionError:
        raise Undecided("krawczyk: the Jacobian at the approximate root is singular") from None
    step = Y * f_mid
    floor = [abs(m.mid()) * arb(2) ** -ctx.prec + arb(2) ** (-4 * ctx.prec) for m in mid]  # never a zero radius
    radius = [10 * abs(step[i, 0]).upper() + floor[i] for i in range(n)]
    eye = arb_mat([[1 if i == j else 0 for j in range(n)] for i in range(n)])
    for _ in range(tries):
        box = [arb(mid[i].mid(), radius[i].upper()) for i in range(n)]
        on_box = dict(env) | dict(zip(unknowns, box, strict=True))
        j_box = arb_mat([[evaluate(J[i, j], on_box) for j in range(n)] for i in range(n)])
        offset = arb_mat(n, 1, [box[i] - mid[i] for i in range(n)])
        k = arb_mat(n, 1, [mid[i] for i in range(n)]) - step + (eye - Y * j_box) * offset
        inner = [k[i, 0] for i in range(n)]
        if all(box[i].contains_interior(inner[i]) for i in range(n)):
            return inner
        radius = [16 * max(radius[i], abs(inner[i] - mid[i]).upper()) for i in range(n)]
    raise Undecided(f"krawczyk: no box proved after {tries} inflations")


def positive_roots_by_sign_change(coefficients: Sequence[arb], approx: Sequence, rel: float = 1e-12) -> list[arb]:
    """The positive roots of sum_i c_i u^(deg - i) (``coefficients`` highest first, balls of certified sign
    or exact zero), as balls, increasing: each approximation in ``approx`` is bracketed by [a(1 - rel),
    a(1 + rel)] refined to the working precision by bisection in balls, and must show a certified sign
    change; Descartes' rule (sign variations of the coefficients) must allow no more positive roots than were
    found. Raises :class:`Undecided` otherwise (a double root, a coefficient of uncertain sign)."""
    signs = []
    for c in coefficients:
        if c.contains(0) and c != 0:
            raise Undecided(f"a coefficient of uncertain sign: {c}")
        if c != 0:
            signs.append(c > 0)
    variations = sum(1 for a, b in zip(signs, signs[1:], strict=False) if a != b)

    def p(u: arb) -> arb:
        out = arb(0)
        for c in coefficients:
            out = out * u + c
        return out

    balls = []
    for a in sorted(x for x in approx if x > 0):
        a = arb_of(a if isinstance(a, mpmath.mpf) else mpmath.mpf(a))
        for width in (rel, 1e-6, 1e-3):  # widened where the approximation is poor; bisection narrows again
            lo, hi = (a * (1 - arb(width))).mid(), (a * (1 + arb(width))).mid()
            plo, phi = p(lo), p(hi)
            if (plo < 0 and phi > 0) or (plo > 0 and phi < 0):
                break
        else:
            raise Undecided(f"no certified sign change around the root {a.str(15)}")
        rising = phi > 0
        for _ in range(400):  # bisection in balls: each step keeps a certified sign change
            for share in (arb(1) / 2, arb(3) / 8, arb(5) / 8):  # off-centre where the midpoint is the root itself
                m = (lo + (hi - lo) * share).mid()
                pm = p(m)
                if not pm.contains(0):
                    break
            if pm.contains(0) or m <= lo or m >= hi:
                break
            if (pm > 0) == rising:
                hi = m
            else:
                lo = m
        balls.append(arb.union(lo, hi))
    if any(x.overlaps(y) for x, y in zip(balls, balls[1:], strict=False)):
        raise Undecided("two root brackets overlap")
    if len(balls) != variations:
        raise Undecided(f"{len(balls)} positive roots certified, Descartes allows up to {variations}")
    return balls
