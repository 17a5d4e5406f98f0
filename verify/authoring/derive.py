"""One-line derivation steps that fail informatively: for executable derivations in Markdown, MyST or reST
(run by :mod:`verify.authoring.docs`) and in tests.

    from verify.authoring.derive import equal, holds, tight
    equal(sp.diff(phi, s).subs(s, s_star), 0, "stationarity at s*")          # symbolic, else 20 random points
    holds(sp.diff(phi, s, 2) > 0, {s: (0, 10), c: ("1/100", "99/100")}, "phi is convex")
    tight(lam_W * E_W / 2 + lam_H * E_H / 2, c * sp.sqrt(E_H * E_W), at={E_W: s * r}, label="AM-GM is tight")

* :func:`equal` proves ``lhs == rhs`` with sympy (:func:`verify.base.symbolic.is_zero`); where sympy finds no proof
  it evaluates both sides at random exact points to ``dps`` digits and accepts agreement to
  10^-(dps - guard) relative. The step's result says which (``proved`` or ``checked at N points``).
* :func:`holds` checks an inequality over a box: at random points (the corners included), and *certified* by
  branch and bound on balls (python-flint arb; verify/certify/box.py: boxes split until the enclosure of lhs - rhs
  has the right sign) where
  that succeeds within a budget of boxes; the result says ``certified`` or ``sampled``.
* :func:`tight` checks that a bound is attained: ``equal`` after substituting the point ``at``.

A failing step raises :class:`DerivationFailed` (an AssertionError) naming the step, the file and line it is
written at, the counter-example, both sides and their difference.
"""

from __future__ import annotations

import inspect
import random
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

import mpmath
import sympy as sp

#: Digits of agreement given up to the rounding of evaluating both sides at ``dps`` digits (a few dozen
#: operations, each rounded at 10^-dps relative; cancellation in lhs - rhs is what this margin absorbs).
GUARD_DIGITS = 10

#: Default range of a symbol with no domain given: positive symbols log-uniform on [1/10, 10], positive
#: integers 2..12 (class counts start at 2), other symbols uniform on [-5, 5].
DEFAULT_POSITIVE = (Fraction(1, 10), Fraction(10))
DEFAULT_INTEGER = (2, 12)
DEFAULT_REAL = (Fraction(-5), Fraction(5))

#: Interval certification budget: boxes examined before :func:`holds` falls back to "sampled".
MAX_BOXES = 4000


class DerivationFailed(AssertionError):
    """A derivation step that does not hold; the message has the step, the place, the counter-example."""


@dataclass(frozen=True)
class Step:
    """What a step established and how (``proved``, ``checked at N points``, ``certified``, ``sampled``)."""

    label: str
    method: str
    where: str
    #: :func:`holds` in box mode: the branch-and-bound result over the box (verify.certify.box.BoxResult)
    region: object = None

    def __str__(self) -> str:
        return f"{self.label}: {self.method}"


def _where() -> str:
    """file:line of the first caller outside this module (a Sybil example reports the document's line)."""
    for frame in inspect.stack()[2:]:
        if frame.filename != __file__:
            return f"{frame.filename}:{frame.lineno}"
    return "?"


def _symbol_ranges(symbols, domain: Mapping | None) -> dict:
    domain = {(sp.Symbol(k) if isinstance(k, str) else k): v for k, v in (domain or {}).items()}
    by_name = {s.name: v for s, v in domain.items()}
    out = {}
    for s in sorted(symbols, key=lambda t: t.name):
        if s in domain or s.name in by_name:
            lo, hi = domain.get(s, by_name.get(s.name))
            out[s] = (Fraction(str(lo)), Fraction(str(hi)))
        elif s.is_integer:
            out[s] = tuple(Fraction(v) for v in DEFAULT_INTEGER)
        elif s.is_positive:
            out[s] = DEFAULT_POSITIVE
        else:
            out[s] = DEFAULT_REAL
    return out


def _draw(rng: random.Random, s: sp.Symbol, lo: Fraction, hi: Fraction) -> Fraction:
    if s.is_integer:
        return Fraction(rng.randint(int(lo), int(hi)))
    if lo > 0 and hi / lo > 100:  # several decades: log-uniform, 6 significant digits
        v = mpmath.exp(mpmath.log(float(lo)) + rng.random() * (mpmath.log(float(hi)) - mpmath.log(float(lo))))
        return min(max(Fraction(mpmath.nstr(v, 6)), lo), hi)
    return lo + (hi - lo) * Fraction(rng.randint(1, 10**6 - 1), 10**6)


def _fmt_point(point: Mapping) -> str:
    return ", ".join(f"{s} = {v}" for s, v in point.items())


def _value(expr: sp.Expr, point: Mapping, dps: int):
    with mpmath.workdps(dps + 10):
        v = sp.N(expr.subs({s: sp.Rational(f.numerator, f.denominator) for s, f in point.items()}), dps + 10)
        if not v.is_number or v.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
            return None
        if not v.is_real:
            re, im = v.as_real_imag()
            if abs(im) > 10 ** -(dps // 2) * max(1, abs(re)):
                return None
            v = re
        return mpmath.mpf(sp.N(v, dps + 10))


def equal(
    lhs,
    rhs=0,
    label: str = "equality",
    *,
    domain: Mapping | None = None,
    points: int = 20,
    dps: int = 50,
    seed: int = 0,
    symbolic: bool = True,
    prove: bool = False,
) -> Step:
    """``lhs == rhs`` identically: proved by sympy, else checked at ``points`` random exact points (``domain``
    maps symbols or names to (lo, hi); defaults by the symbols' assumptions) at ``dps`` digits. ``prove=True``:
    only a sympy proof passes (numerical agreement is then reported as a failure to prove)."""
    __tracebackhide__ = True  # pytest shows the step's own line, not this module's
    where = _where()
    lhs, rhs = sp.sympify(lhs), sp.sympify(rhs)
    diff = lhs - rhs
    if symbolic:
        from verify.base.symbolic import is_zero

        if is_zero(diff):
            return Step(label, "proved (sympy)", where)
    ranges = _symbol_ranges(diff.free_symbols, domain)
    rng = random.Random(seed)
    checked = 0
    tol = mpmath.mpf(10) ** (-(dps - GUARD_DIGITS))
    for _ in range(points * 3):
        if checked >= points:
            break
        point = {s: _draw(rng, s, *r) for s, r in ranges.items()}
        left, right = _value(lhs, point, dps), _value(rhs, point, dps)
        if left is None or right is None:
            continue  # outside the natural domain of one side
        checked += 1
        scale = max(mpmath.mpf(1), abs(left), abs(right))
        if abs(left - right) > tol * scale:
            residue = sp.simplify(diff)
            raise DerivationFailed(
                f"step {label!r} ({where}) fails: lhs - rhs is not 0 at {_fmt_point(point) or 'every point'}: "
                f"lhs = {mpmath.nstr(left, 20)}, rhs = {mpmath.nstr(right, 20)}, difference = "
                f"{mpmath.nstr(left - right, 5)} (relative {mpmath.nstr(abs(left - right) / scale, 3)}, allowed "
                f"{mpmath.nstr(tol, 1)}); sympy leaves lhs - rhs = {residue}"
            )
    if prove:
        raise DerivationFailed(
            f"step {label!r} ({where}): not proved by sympy (lhs - rhs simplifies to {sp.simplify(diff)}), although both "
            f"sides agree at {checked} random points to {dps - GUARD_DIGITS} digits"
        )
    if checked == 0:
        raise DerivationFailed(
            f"step {label!r} ({where}): neither proved by sympy nor evaluable at any drawn point of "
            f"{_fmt_point({s: f'[{a}, {b}]' for s, (a, b) in ranges.items()})}; give a domain= where both sides exist"
        )
    return Step(
        label, f"checked at {checked} random points to {dps - GUARD_DIGITS} digits (not proved by sympy)", where
    )


def tight(bound, value, at: Mapping, label: str = "the bound is tight", **kwargs) -> Step:
    """The bound equals the value at the point ``at`` (a mapping symbol -> expression or number)."""
    __tracebackhide__ = True  # pytest shows the step's own line, not this module's
    subs = {(sp.Symbol(k) if isinstance(k, str) else k): sp.sympify(v) for k, v in at.items()}
    shown = ", ".join(f"{k} = {v}" for k, v in subs.items())
    step = equal(sp.sympify(bound).subs(subs), sp.sympify(value).subs(subs), f"{label} (at {shown})", **kwargs)
    return Step(step.label, step.method, _where() if step.where == "?" else step.where)


# --- inequalities ------------------------------------------------------------------------------------------


def _sides(relation) -> tuple[sp.Expr, bool]:
    """(f, strict) with the relation meaning f >= 0 (strict: f > 0)."""
    if relation is sp.true or relation is True:
        return sp.Integer(1), True
    if relation is sp.false or relation is False:
        return sp.Integer(-1), True
    if not isinstance(relation, sp.core.relational.Relational) or isinstance(relation, sp.Eq | sp.Ne):
        raise TypeError(f"holds: {relation!r} is not an inequality; write e.g. holds(f >= g, domain)")
    f = relation.lhs - relation.rhs if isinstance(relation, sp.Ge | sp.Gt) else relation.rhs - relation.lhs
    return f, isinstance(relation, sp.Gt | sp.Lt)


def holds(
    relation,
    domain: Mapping,
    label: str = "inequality",
    *,
    points: int = 200,
    dps: int = 30,
    seed: int = 0,
    certify: bool = True,
    box: bool = False,
) -> Step:
    """An inequality over the box ``domain`` (symbol or name -> (lo, hi)): sampled, then certified by branch and
    bound on balls (verify/certify/box.py, the engine of ``nc-verify certify``) where that closes within
    :data:`MAX_BOXES` boxes. ``box=True``: the step also carries the engine's ``region`` (proven, undecided and
    counter-example boxes) and says which share of the box is proven, even where not all of it is."""
    __tracebackhide__ = True  # pytest shows the step's own line, not this module's
    where = _where()
    f, strict = _sides(relation)
    ranges = _symbol_ranges(f.free_symbols, domain)
    rng = random.Random(seed)
    corners = [
        {s: (r[0] if (i >> j) & 1 else r[1]) for j, (s, r) in enumerate(ranges.items())}
        for i in range(2 ** min(len(ranges), 6))
    ]
    samples = corners + [{s: _draw(rng, s, *r) for s, r in ranges.items()} for _ in range(points)]
    tol = mpmath.mpf(10) ** (-(dps - GUARD_DIGITS))
    for point in samples:
        v = _value(f, point, dps)
        if v is None:
            continue
        if v <= 0 if strict else v < -tol * max(1, abs(v)):
            rel = {sp.Gt: ">", sp.Ge: ">=", sp.Lt: "<", sp.Le: "<="}.get(type(relation), "?")
            raise DerivationFailed(
                f"step {label!r} ({where}) fails: {relation.lhs} {rel} {relation.rhs} is false at {_fmt_point(point)}: "
                f"lhs - rhs = {mpmath.nstr(v if rel.startswith('>') else -v, 20)}"
            )
    if certify or box:
        from verify.certify.box import share_text

        region = _certify(f, ranges, strict, dps)
        if region.counterexamples:
            c = region.counterexamples[0]
            raise DerivationFailed(
                f"step {label!r} ({where}) fails: {relation} is false at "
                f"{', '.join(f'{k} = {v}' for k, v in c.point.items())}: lhs - rhs in [{c.margin[0]}, {c.margin[1]}]"
            )
        if region.holds:
            return Step(
                label,
                f"certified by interval arithmetic (balls) on {region.examined} boxes (and sampled at "
                f"{len(samples)} points)",
                where,
                region if box else None,
            )
        if box:
            return Step(
                label,
                f"proven on {share_text(region.proven_share())} of the box ({len(region.proven)} boxes; "
                f"{len(region.undecided)} undecided) and sampled at {len(samples)} points",
                where,
                region,
            )
    return Step(label, f"sampled at {len(samples)} points (interval certification did not close)", where)


def _certify(f: sp.Expr, ranges: Mapping, strict: bool, dps: int):
    """Branch and bound on balls over the box (verify.certify.box.run): a BoxResult."""
    from verify.certify.box import Box, Dim, Limits, run
    from verify.certify.margins import SympyMargin

    dims = tuple(Dim(s.name, lo, hi, bool(s.is_integer)) for s, (lo, hi) in ranges.items())
    return run(SympyMargin(f, strict), Box(dims), Limits(max_boxes=MAX_BOXES), dps)
