"""Inequalities over whole parameter boxes, by branch and bound on balls (issue 18; docs/certified.md).

An inequality is a *margin* that must be >= 0 (or > 0) at every point of a box of parameters; the margin is
given by an evaluator: ``margin(env) -> arb`` with ``env`` name -> ball (a real parameter's ball covers its
whole range, an integer parameter's ball its integer range). Three pure functions:

- :func:`decide` ``(inequality, box) -> Decision``: ``proven`` where the margin's ball over the box has the
  right sign (every rounding accounted for: it holds at every point of the box), or where the evaluator's
  ``identity`` hook proves the margin identically zero at the box's integer values (sympy); ``counterexample``
  where the margin at the box's midpoint (an exact rational point) is certified < 0; ``split`` otherwise.
- :func:`split` ``(box) -> (Box, Box) | None``: halves the dimension of largest relative width (absolute where
  the range reaches 0; ties: the first in the box's order); an integer dimension splits into two integer ranges [lo, m], [m + 1, hi]; a
  real one at its exact rational midpoint. None when every dimension is a single point.
- :func:`run` ``(inequality, box, limits) -> BoxResult``: depth-first, children in split order, until every
  box is decided or ``limits`` stop it (``max_depth``: a box that deep is reported undecided; ``max_boxes`` and
  ``seconds``: the remaining boxes are reported undecided and ``stopped`` says why).

Determinism: :func:`split` and :func:`decide` depend on the box alone and ``run`` sorts its lists by the
boxes' coordinates, so running the two children of any box separately (each with its ``depth``, as issue 21's
distributed runs will) and merging with :func:`merge` gives exactly the serial result, provided neither run is
cut by ``max_boxes`` or ``seconds`` (``max_depth`` counts from the root, through ``Box.depth``).

Inequalities from sympy margins, and the reduction of a box to a margin's own variables:
:mod:`verify.certify.margins`.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Literal, Protocol

from flint import arb

from verify.certify.intervals import Undecided, arb_of, ball_ends, precision


@dataclass(frozen=True)
class Dim:
    """One parameter's range: [lo, hi] (rationals), an integer range where ``integer``."""

    name: str
    lo: Fraction
    hi: Fraction
    integer: bool = False

    def ball(self) -> arb:
        lo, hi = arb_of(self.lo), arb_of(self.hi)
        return lo if self.lo == self.hi else arb.union(lo, hi)

    def text(self) -> str:
        return f"{self.name}={self.lo}" if self.lo == self.hi else f"{self.name}={self.lo}..{self.hi}"


@dataclass(frozen=True)
class Box:
    """A product of parameter ranges, and how many splits made it from the root box."""

    dims: tuple[Dim, ...]
    depth: int = 0

    def env(self) -> dict[str, arb]:
        return {d.name: d.ball() for d in self.dims}

    def midpoint(self) -> dict[str, Fraction]:
        """The exact centre (an integer range's lower middle integer)."""
        return {d.name: (d.lo + d.hi) // 2 if d.integer else (d.lo + d.hi) / 2 for d in self.dims}

    def key(self) -> tuple:
        return tuple((d.lo, d.hi) for d in self.dims)

    def measure(self) -> Fraction:
        """Length x ... x length, an integer range counting its integers; a real dimension fixed to one value
        counts 1 (it is not a direction of the box)."""
        out = Fraction(1)
        for d in self.dims:
            out *= (d.hi - d.lo + 1) if d.integer else (d.hi - d.lo) if d.hi > d.lo else 1
        return out

    def text(self) -> str:
        return " ".join(d.text() for d in self.dims)

    def as_json(self) -> dict[str, list[str]]:
        return {d.name: [str(d.lo), str(d.hi)] for d in self.dims}


class Inequality(Protocol):
    """What the engine needs: the margin in balls, strictness, and optionally an exact-identity test."""

    strict: bool

    def margin(self, env: Mapping[str, arb]) -> arb: ...


@dataclass(frozen=True)
class Limits:
    """When to stop: a box split ``max_depth`` times is undecided; at most ``max_boxes`` boxes examined; at most
    ``seconds`` of wall time (None: no limit; a run stopped by time is not reproducible, by the others it is)."""

    max_depth: int = 40
    max_boxes: int = 20000
    seconds: float | None = None


Decision = Literal["proven", "counterexample", "split"]


@dataclass(frozen=True)
class Counterexample:
    """A box holding a point where the inequality fails: the point and the margin's ends there."""

    box: Box
    point: Mapping[str, Fraction]
    margin: tuple[str, str]


@dataclass(frozen=True)
class BoxResult:
    """Proven boxes, undecided boxes and counter-example boxes (each sorted by coordinates), boxes examined,
    and why the run stopped early (None: every box decided or at ``max_depth``)."""

    root: Box
    proven: tuple[Box, ...] = ()
    undecided: tuple[Box, ...] = ()
    counterexamples: tuple[Counterexample, ...] = ()
    examined: int = 0
    stopped: str | None = None
    details: Mapping[str, str] = field(default_factory=dict)

    def proven_share(self) -> Fraction:
        """The proven boxes' share of the root box's measure (integer ranges count their integers)."""
        total = self.root.measure()
        return sum((b.measure() for b in self.proven), Fraction(0)) / total if total else Fraction(0)

    @property
    def holds(self) -> bool:
        """Proven on the whole box: no undecided box, no counter-example."""
        return not self.undecided and not self.counterexamples and self.stopped is None


def decide(inequality: Inequality, box: Box, dps: int = 30) -> tuple[Decision, object]:
    """Decide one box (pure; module docstring). Returns (decision, detail): the margin ball, or for a
    counter-example the midpoint and its margin ball."""
    with precision(dps):
        identity = getattr(inequality, "identity", None)
        if identity is not None and identity(box):
            return "proven", "identity"
        try:
            m = inequality.margin(box.env())
            if (m > 0) if inequality.strict else (m >= 0):
                return "proven", m
        except Undecided:
            pass  # a ball the margin cannot be evaluated on (a log of a ball reaching 0): split
        point = box.midpoint()
        try:
            at = inequality.margin({k: arb_of(v) for k, v in point.items()})
        except Undecided:
            return "split", None
        if at < 0 or (inequality.strict and at.is_exact() and at == 0):
            return "counterexample", (point, at)
        return "split", None


def _score(d: Dim) -> Fraction:
    if d.hi == d.lo:
        return Fraction(-1)
    # relative width where the range keeps one sign (decades of a budget split evenly); absolute where it
    # reaches 0 (a range [0, 2^-40] is narrow, not 100% wide)
    scale = max(abs(d.lo), abs(d.hi)) if d.lo * d.hi > 0 else max(Fraction(1), abs(d.lo), abs(d.hi))
    return (d.hi - d.lo) / scale


def split(box: Box) -> tuple[Box, Box] | None:
    """The two halves of ``box`` along its widest dimension in relative terms (pure; module docstring)."""
    scores = [_score(d) for d in box.dims]
    best = max(range(len(scores)), key=lambda i: (scores[i], -i))
    d = box.dims[best]
    if scores[best] < 0:
        return None
    if d.integer:
        m = (d.lo + d.hi) // 2
        halves = (replace(d, hi=m), replace(d, lo=m + 1))
    else:
        m = (d.lo + d.hi) / 2
        halves = (replace(d, hi=m), replace(d, lo=m))
    first, second = (Box(box.dims[:best] + (h,) + box.dims[best + 1 :], box.depth + 1) for h in halves)
    return first, second


def run(inequality: Inequality, box: Box, limits: Limits = Limits(), dps: int = 30) -> BoxResult:
    """Branch and bound over ``box`` (module docstring): every box proven, undecided or a counter-example."""
    start = time.perf_counter()
    stack = [box]
    proven: list[Box] = []
    undecided: list[Box] = []
    bad: list[Counterexample] = []
    examined, stopped = 0, None
    while stack:
        if examined >= limits.max_boxes:
            stopped = f"max_boxes = {limits.max_boxes} examined"
            break
        if limits.seconds is not None and time.perf_counter() - start > limits.seconds:
            stopped = f"time limit {limits.seconds} s"
            break
        current = stack.pop()
        examined += 1
        decision, detail = decide(inequality, current, dps)
        if decision == "proven":
            proven.append(current)
        elif decision == "counterexample":
            point, at = detail
            bad.append(Counterexample(current, point, ball_ends(at, 6)))
        else:
            halves = split(current) if current.depth < limits.max_depth else None
            if halves is None:
                undecided.append(current)
            else:
                stack.extend(reversed(halves))  # the first half is examined first
    undecided += stack
    return BoxResult(
        box,
        tuple(sorted(proven, key=Box.key)),
        tuple(sorted(undecided, key=Box.key)),
        tuple(sorted(bad, key=lambda c: c.box.key())),
        examined,
        stopped,
    )


def merge(root: Box, parts: Iterable[BoxResult]) -> BoxResult:
    """The result over ``root`` from results over boxes that partition it (e.g. the children of a split run
    separately): lists concatenated and sorted as :func:`run` sorts them."""
    parts = list(parts)
    return BoxResult(
        root,
        tuple(sorted((b for p in parts for b in p.proven), key=Box.key)),
        tuple(sorted((b for p in parts for b in p.undecided), key=Box.key)),
        tuple(sorted((c for p in parts for c in p.counterexamples), key=lambda c: c.box.key())),
        sum(p.examined for p in parts),
        next((p.stopped for p in parts if p.stopped), None),
    )


def share_text(share: Fraction) -> str:
    """A share as a percentage that never rounds a partial proof up to 100% (or a sliver down to 0%)."""
    text = f"{float(share) * 100:.6g}%"
    if share < 1 and text == "100%":
        return ">99.9999%"
    if share > 0 and text == "0%":
        return "<0.0001%"
    return text
