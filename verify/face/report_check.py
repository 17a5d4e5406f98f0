"""Reports of checks, errata and explorations (text and JSON); claims, evaluations and solves are in
:mod:`verify.face.report`."""

from __future__ import annotations

from collections.abc import Mapping

from verify.engine.checking import ClaimResult, Comparison, PointResult
from verify.face.report import num, params_json, params_text
from verify.face.schema import SCHEMA_VERSION
from verify.record import Erratum


def comparison_json(c: Comparison) -> dict:
    return {
        "quantity": c.name,
        "component": c.label,
        "predicted": num(c.predicted),
        "worst_measured": num(c.worst_measured),
        "rel_error": num(c.rel_error, 3),
        "tolerance": num(c.tolerance, 2),
        "ok": c.ok,
        "float64_rel_error": num(c.float_rel_error, 3),
        "instances": c.instances,
    }


def point_json(p: PointResult) -> dict:
    return {
        "params": params_json(p.params),
        "origin": p.origin,
        "verdict": p.verdict.value,
        "seconds": round(p.seconds, 4),
        "solver_message": p.solve.message,
        "residuals": {k: f"{v:.3e}" for k, v in p.solve.residuals.items()},
        "comparisons": [comparison_json(c) for c in p.comparisons],
    }


def check_json(results: list[ClaimResult], seconds: float) -> dict:
    out = []
    for r in results:
        w = r.worst()
        floats = [c.float_rel_error for p in r.points for c in p.comparisons if c.float_rel_error is not None]
        out.append(
            {
                "claim": r.claim_id,
                "verdict": r.verdict.value,
                "points": len(r.points),
                "worst_quantity": w.name if w else None,
                "worst_rel_error": num(w.rel_error, 3) if w else None,
                "tolerance": num(w.tolerance, 2) if w else None,
                "worst_float64_rel_error": num(max(floats), 3) if floats else None,
                "seconds": round(r.seconds, 3),
                "details": [point_json(p) for p in r.points],
            }
        )
    return {
        "schema": SCHEMA_VERSION,
        "seconds": round(seconds, 3),
        "claims": out,
        "ok": all(r.verdict.value != "failed" for r in results),
    }


def check_text(results: list[ClaimResult], seconds: float) -> str:
    header = f"{'claim':<22} {'points':>6} {'worst rel err':>14} {'tolerance':>10} {'float64 err':>12} {'verdict':<13} {'seconds':>8}"
    rows = [header, "-" * len(header)]
    problems = []
    for r in results:
        w = r.worst()
        floats = [c.float_rel_error for p in r.points for c in p.comparisons if c.float_rel_error is not None]
        err = num(w.rel_error, 2) if w and w.rel_error is not None else "undefined"
        rows.append(
            f"{r.claim_id:<22} {len(r.points):>6} {err:>14} {num(w.tolerance, 2) if w else '-':>10} "
            f"{num(max(floats), 2) if floats else '-':>12} {r.verdict.value:<13} {r.seconds:>8.2f}"
        )
        for p in r.points:
            if p.verdict.value == "verified":
                continue
            bad = [c for c in p.comparisons if not c.ok]
            what = "; ".join(
                f"{c.name}{'[' + c.label + ']' if c.label else ''}: predicted {num(c.predicted, 12)}, measured {num(c.worst_measured, 12)}, "
                f"rel err {num(c.rel_error, 2)} > tol {num(c.tolerance, 2)}"
                for c in bad
            )
            problems.append(
                f"  {r.claim_id} {p.verdict.value} at {params_text(p.params)} ({p.origin}): "
                f"{p.solve.message}" + (f"; {what}" if what else "")
            )
    rows.append(f"{len(results)} claims, {sum(len(r.points) for r in results)} points, {seconds:.1f} s")
    if problems:
        rows += ["", "points not verified:"] + problems
    minima = [
        f"  {r.claim_id} at {params_text(p.params)}: value {m.get('value')} ({m.get('description', '')})"
        for r in results
        for p in r.points
        for m in (p.solve.details.get("local_minima") or [] if isinstance(p.solve.details, Mapping) else [])
    ]
    if minima:
        rows += ["", "local minima found by restarts (reported, never failures of the theorem):"] + minima
    return "\n".join(rows)


def _text(x) -> str | None:
    return None if x is None else str(x)


# --- errata ------------------------------------------------------------------------------------------------
def erratum_json(e: Erratum) -> dict:
    ev = e.evidence()
    return {
        "claim": e.claim_id,
        "location": e.location,
        "printed": e.printed,
        "corrected": e.corrected,
        "summary": e.summary,
        "confirmed": bool(ev.holds),
        "evidence": {
            "symbolic_difference": _text(ev.symbolic_difference),
            "point": None if ev.point is None else {k: str(v) for k, v in ev.point.items()},
            "printed_value": _text(ev.printed_value),
            "corrected_value": _text(ev.corrected_value),
            "reference_value": _text(ev.reference_value),
        },
    }


def errata_text(items: list[dict]) -> str:
    rows = []
    for i, d in enumerate(items, 1):
        ev = d["evidence"]
        rows += [
            f"[{i}] {d['claim']}: {d['location']}",
            f"    printed:   {d['printed']}",
            f"    corrected: {d['corrected']}",
            f"    {d['summary']}",
            f"    evidence ({'confirmed' if d['confirmed'] else 'NOT confirmed'} by this run):",
        ]
        if ev["symbolic_difference"]:
            rows.append(f"      symbolic:  {ev['symbolic_difference']}")
        if ev["point"]:
            rows.append(
                f"      at {' '.join(f'{k}={v}' for k, v in ev['point'].items())}: printed {ev['printed_value']}, "
                f"corrected {ev['corrected_value']}, reference {ev['reference_value']}"
            )
        rows.append("")
    return "\n".join(rows) if rows else "no errata recorded"


# --- explore -----------------------------------------------------------------------------------------------
def exploration_json(exploration, finding) -> dict:
    return {
        "claim": exploration.claim_id,
        "label": exploration.label,
        "title": exploration.title,
        "question": exploration.question,
        "summary": finding.summary,
        "rows": [dict(r) for r in finding.rows],
    }


def explorations_text(items: list[dict]) -> str:
    rows = []
    for d in items:
        rows += [f"[{d['label'].upper()}] {d['claim']}: {d['title']}", f"    question: {d['question']}"]
        rows += [f"    found:    {d['summary']}"]
        if d["rows"]:
            keys = list(d["rows"][0])
            widths = [max(len(k), *(len(str(r.get(k, ""))) for r in d["rows"])) for k in keys]
            rows.append("    " + "  ".join(k.ljust(w) for k, w in zip(keys, widths, strict=True)))
            rows += [
                "    " + "  ".join(str(r.get(k, "")).ljust(w) for k, w in zip(keys, widths, strict=True))
                for r in d["rows"]
            ]
        rows.append("")
    return "\n".join(rows) if rows else "no explorations recorded"
