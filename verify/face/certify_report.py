"""``nc-verify certify ID --box K=2..50 E_H=1/10..10 ...``: a claim's proof inequalities over a parameter box.

Each :class:`verify.record.ProofInequality` of the claim is proved by branch and bound on balls
(verify/certify/box.py, margins.py) over the box, mapped to the inequality's own variables (a derived variable such as
s = sqrt(E_H E_W) gets the range of its ball over the box). The report gives, per inequality, the proven
share of the box, the boxes it could not decide and any counter-example box, in text or JSON
(docs/schemas/certify.schema.json). The claim is used only through its record (parameters, hypotheses,
inequalities): nothing here imports a claim module.
"""

from __future__ import annotations

from collections.abc import Sequence

from verify.base.errors import InputError
from verify.certify.box import Box, BoxResult, Dim, Limits, run, share_text
from verify.certify.margins import SympyMargin, reduce_box
from verify.face.schema import SCHEMA_VERSION

#: Boxes listed in the text report (the JSON lists every one).
SHOWN = 8
#: Most parameters a box may span.
MAX_DIMS = 8


def parse_box(claim, items: Sequence[str]) -> Box:
    """``["K=2..50", "E_H=1/10..10", "n=1"]`` -> a :class:`Box` in the claim's parameter order; each end parsed
    exactly by the parameter (an integer parameter needs integer ends); both ends of every range must satisfy
    the claim's one-parameter hypotheses (K >= 2, E_H > 0, ...)."""
    dims: dict[str, Dim] = {}
    for item in items:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise InputError(f"box entry {item!r} is not name=lo..hi", parameter="--box", fix="e.g. --box K=2..50")
        par = claim.parameter(name)
        if par.vector:
            raise InputError(f"{name} is a vector parameter", parameter=name, fix="a box spans scalar parameters")
        lo_text, dots, hi_text = text.partition("..")
        lo = par.parse(lo_text)
        hi = par.parse(hi_text) if dots else lo
        if lo > hi:
            raise InputError(
                f"{name}={text}: the lower end exceeds the upper", parameter=name, fix=f"{name}={hi}..{lo}"
            )
        if name in dims:
            raise InputError(f"{name} is given twice in --box", parameter=name, fix=f"give {name} once")
        dims[name] = Dim(name, lo, hi, par.kind == "integer")
    if not dims:
        raise InputError("--box is empty", parameter="--box", fix="e.g. --box K=2..50 E_H=1/10..10 E_W=1/10..10")
    if len(dims) > MAX_DIMS:
        raise InputError(f"--box spans {len(dims)} parameters", parameter="--box", fix=f"at most {MAX_DIMS}")
    ordered = tuple(dims[p.name] for p in claim.parameters if p.name in dims)
    # the claim's hypotheses on one parameter each (K >= 2, E_H > 0) hold at both ends of its range; those that
    # read several parameters (a theorem's condition) are what a box may straddle, and are not imposed
    for d in ordered:
        for end in (d.lo, d.hi):
            for hyp in claim.hypotheses:
                if hyp.check({d.name: end}) is False:
                    raise InputError(
                        f"{d.name}={end}: the box leaves the domain of {claim.id} ('{hyp.statement}' fails)",
                        parameter=d.name,
                        fix=hyp.fix,
                    )
    return Box(ordered)


def certify_claim(
    claim, box: Box, names: Sequence[str] | None = None, limits: Limits | None = None, dps: int = 30, runner=None
) -> list[tuple[object, Box, BoxResult]]:
    """(inequality, its reduced box, result) for each of the claim's inequalities (those in ``names``).
    ``runner(inequality, box, limits, dps) -> BoxResult`` runs the branch and bound (default: serially here;
    ``nc-verify certify --workers/--scheduler`` passes :func:`verify.campaigns.boxes.distributed_run`'s)."""
    if not claim.inequalities:
        raise InputError(
            f"{claim.id} records no proof inequality to certify over a box",
            parameter="ID",
            fix="e.g. nc-verify certify fang2021.thm1 --box K=2..50 E_H=1/10..10 E_W=1/10..10",
        )
    known = {q.name: q for q in claim.inequalities}
    for n in names or ():
        if n not in known:
            raise InputError(
                f"{claim.id} has no inequality {n!r}", parameter="--inequality", fix=f"use one of: {', '.join(known)}"
            )
    out = []
    for ineq in claim.inequalities:
        if names and ineq.name not in names:
            continue
        derived_names = {sym.name for sym, _ in ineq.derived}
        needed = {t.name for t in ineq.margin.free_symbols} - derived_names
        for _, expr in ineq.derived:
            needed |= {t.name for t in expr.free_symbols}
        missing = [p.name for p in claim.parameters if p.name in needed and p.name not in {d.name for d in box.dims}]
        if missing:
            raise InputError(
                f"inequality {ineq.name} of {claim.id} needs {', '.join(missing)} in --box",
                parameter=missing[0],
                fix=f"add {missing[0]}=lo..hi to --box",
            )
        reduced = reduce_box(box, ineq.margin.free_symbols, ineq.derived)
        if runner is None:
            result = run(SympyMargin(ineq.margin, ineq.strict), reduced, limits or Limits(), dps)
        else:
            result = runner(ineq, reduced, limits or Limits(), dps)
        out.append((ineq, reduced, result))
    return out


def _share(r: BoxResult) -> str:
    return share_text(r.proven_share())


def certify_json(claim, box: Box, runs, limits: Limits, dps: int) -> dict:
    return {
        "schema": SCHEMA_VERSION,
        "claim": claim.id,
        "box": box.as_json(),
        "dps": dps,
        "limits": {"max_depth": limits.max_depth, "max_boxes": limits.max_boxes, "seconds": limits.seconds},
        "inequalities": [
            {
                "name": ineq.name,
                "statement": ineq.statement,
                "where": ineq.where,
                "margin": f"{ineq.margin} {'>' if ineq.strict else '>='} 0",
                "derived": {sym.name: str(expr) for sym, expr in ineq.derived},
                "variables": reduced.as_json(),
                "holds": r.holds,
                "proven_share": str(r.proven_share()),
                "examined": r.examined,
                "stopped": r.stopped,
                "proven": [b.as_json() for b in r.proven],
                "undecided": [b.as_json() for b in r.undecided],
                "counterexamples": [
                    {"box": c.box.as_json(), "point": {k: str(v) for k, v in c.point.items()}, "margin": list(c.margin)}
                    for c in r.counterexamples
                ],
            }
            for ineq, reduced, r in runs
        ],
    }


def certify_text(claim, box: Box, runs, limits: Limits, dps: int) -> str:
    rows = [
        f"{claim.id}: certify over {box.text()} (balls at {dps} digits; max depth {limits.max_depth}, "
        f"max boxes {limits.max_boxes}{f', {limits.seconds} s' if limits.seconds else ''})"
    ]
    for ineq, reduced, r in runs:
        verdict = (
            "PROVEN on the whole box"
            if r.holds
            else ("COUNTER-EXAMPLE" if r.counterexamples else "not decided everywhere")
        )
        rows.append(f"  {ineq.name}: {verdict}")
        rows.append(f"    {ineq.statement} [{ineq.where}]")
        if ineq.derived:
            rows.append("    over " + reduced.text() + " (" + ", ".join(f"{s} = {e}" for s, e in ineq.derived) + ")")
        rows.append(f"    proven: {len(r.proven)} boxes, {_share(r)} of the box; {r.examined} boxes examined")
        if r.stopped:
            rows.append(f"    stopped early: {r.stopped} (the rest is listed as undecided)")
        if r.undecided:
            rows.append(f"    undecided: {len(r.undecided)} boxes" + (", e.g." if len(r.undecided) > SHOWN else ":"))
            rows += [f"      {b.text()}" for b in r.undecided[:SHOWN]]
        for c in r.counterexamples[:SHOWN]:
            point = " ".join(f"{k}={v}" for k, v in c.point.items())
            rows.append(
                f"    counter-example in {c.box.text()}: at {point} the margin is in [{c.margin[0]}, {c.margin[1]}]"
            )
        if not r.counterexamples:
            rows.append("    counter-examples: none")
    return "\n".join(rows)


def exit_kind(runs) -> str:
    """``ok`` (all proven), ``failed`` (a counter-example), ``inconclusive`` (undecided boxes)."""
    if any(r.counterexamples for _, _, r in runs):
        return "failed"
    return "ok" if all(r.holds for _, _, r in runs) else "inconclusive"


def limits_from(max_depth: int, max_boxes: int, seconds: float | None) -> Limits:
    """Validated limits: one line naming the option otherwise."""
    if not 1 <= max_depth <= 200:
        raise InputError(f"--max-depth {max_depth} is out of range", parameter="--max-depth", fix="give 1..200")
    if not 1 <= max_boxes <= 10**7:
        raise InputError(f"--max-boxes {max_boxes} is out of range", parameter="--max-boxes", fix="give 1..10^7")
    if seconds is not None and not seconds > 0:
        raise InputError(f"--seconds {seconds} is not positive", parameter="--seconds", fix="give a positive time")
    return Limits(max_depth, max_boxes, seconds)


__all__ = ["certify_claim", "certify_json", "certify_text", "exit_kind", "limits_from", "parse_box"]
