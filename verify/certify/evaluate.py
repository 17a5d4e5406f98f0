"""``nc-verify eval ID ... --certify``: the quantities that offer a ball (``Quantity.ball``), as balls.

The engine never special-cases a claim: a quantity opts in with its ``ball`` hook ``(values, dps) -> arb`` (or a
dict label -> arb for a vector quantity), built from verify/certify/intervals.py and verify/certify/roots.py.
A hook that cannot certify (a Piecewise condition the balls do not decide, no certified sign change) raises
:class:`verify.certify.intervals.Undecided`: the quantity is reported without a ball, with the reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from verify.certify.intervals import Undecided, ball_ends, ball_text

#: Not a ball: the reason, in words.
NoBall = str


def balls(claim, values: Mapping, dps: int, names: Sequence[str] | None = None) -> dict[str, object]:
    """name -> arb (or dict label -> arb) for every quantity of ``claim`` (those in ``names``) that is computed
    at ``values`` (not withheld) and offers a ball; a :data:`NoBall` reason where it cannot certify here."""
    chosen = claim.quantities if names is None else tuple(claim.quantity(n) for n in names)
    out: dict[str, object] = {}
    for q in chosen:
        if claim.withheld(q, values) is not None:
            continue
        if q.ball is None:
            continue
        try:
            out[q.name] = q.ball(values, dps)
        except Undecided as exc:
            out[q.name] = f"not certified here: {exc}"
    return out


def _one_json(b, dps: int) -> dict:
    lo, hi = ball_ends(b, dps + 5)
    mid, rad = ball_text(b, dps).split(" +- ")
    return {"lower": lo, "upper": hi, "midpoint": mid, "radius": rad}


def balls_json(found: Mapping[str, object], dps: int) -> dict:
    """The ``balls`` member of ``eval --certify --json`` (docs/schemas/eval.schema.json): both ends as decimal
    strings rounded outward (dps + 5 digits), midpoint and radius as printed; or ``none`` with the reason."""
    out: dict = {}
    for name, b in found.items():
        if isinstance(b, str):
            out[name] = {"none": b}
        elif isinstance(b, Mapping):
            out[name] = {"components": {label: _one_json(x, dps) for label, x in b.items()}}
        else:
            out[name] = _one_json(b, dps)
    return out


def balls_text(found: Mapping[str, object], dps: int) -> str:
    """One line per quantity: ``name  midpoint +- radius`` (certified), or why there is no ball."""
    if not found:
        return "certified balls: none (no quantity computed here offers a ball)"
    rows = [f"certified balls ({dps} digits; every rounding accounted for, python-flint arb):"]
    for name, b in found.items():
        if isinstance(b, str):
            rows.append(f"  {name:<24} {b}")
        elif isinstance(b, Mapping):
            rows.append(f"  {name}")
            rows += [f"    {label:<22} {ball_text(x, dps)}" for label, x in b.items()]
        else:
            rows.append(f"  {name:<24} {ball_text(b, dps)}")
    return "\n".join(rows)
