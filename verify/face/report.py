"""Rendering of claims, evaluations and solves: human tables and JSON (schemas in docs/schemas.md); checks,
errata and explorations are rendered by :mod:`verify.face.report_check`."""

from __future__ import annotations

from collections.abc import Mapping

import mpmath

from verify.base.numbers_text import fraction_text
from verify.face.schema import SCHEMA_VERSION  # noqa: F401 (re-exported)
from verify.record import Claim, SolveReport, Undefined, Withheld


def num(x, digits: int = 20) -> str | None:
    """A number as a decimal string with ``digits`` significant digits (strings keep full precision in JSON)."""
    if x is None:
        return None
    if isinstance(x, Undefined):
        return str(x)
    if isinstance(x, float):
        return f"{x:.6g}"
    with mpmath.workdps(digits + 5):  # mpf(x) at the default 15 digits would round x to a double first
        return mpmath.nstr(mpmath.mpf(x), digits, strip_zeros=False)


def params_text(params: Mapping) -> str:
    return " ".join(f"{k}={v}" for k, v in params_json(params).items())


# --- claims ------------------------------------------------------------------------------------------------
def claim_json(claim: Claim) -> dict:
    return {
        "id": claim.id,
        "title": claim.title,
        "statement": claim.statement,
        "source": {"paper": claim.source.paper, "where": claim.source.where, "seeds": list(claim.source.seeds)},
        "convention": claim.convention,
        "parameters": [
            {"name": p.name, "kind": p.kind, "description": p.description, "default": p.default_text or None}
            for p in claim.parameters
        ],
        "hypotheses": [{"statement": h.statement, "parameter": h.parameter} for h in claim.hypotheses],
        "quantities": [
            {
                "name": q.name,
                "description": q.description,
                "closed_form": None if q.expr is None else str(q.expr),
                "definition": q.definition or None,
                "needs": list(q.depends_on(claim.parameters)),
                "standalone": q.standalone,
                "tolerance": f"10^-(dps-{q.tolerance.guard_digits})",
                "tolerance_reason": q.tolerance.reason,
            }
            for q in claim.quantities
        ],
        "solver": claim.solver_description,
        "examples": [{"params": dict(e.params), "note": e.note} for e in claim.examples],
        "errata": [e.summary for e in claim.errata],
        "certificate": {"available": claim.certificate is not None, "note": claim.certificate_note or None},
    }


#: ``show`` folds a closed form longer than this (``--full`` prints it whole).
FOLD = 110


def _fold(text: str, full: bool) -> str:
    if full or len(text) <= FOLD:
        return text
    return f"{text[: FOLD - 30]} ... ({len(text)} characters; --full)"


def claim_text(claim: Claim, full: bool = False) -> str:
    """The claim for a reader: each tolerance's reason printed once (quantities sharing it listed together),
    closed forms longer than :data:`FOLD` characters folded unless ``full``."""
    d = claim_json(claim)
    lines = [
        f"{claim.id}: {claim.title}",
        "",
        claim.statement,
        "",
        f"source:     {d['source']['paper']}",
        f"            {d['source']['where']}"
        + (f" (seeds: {', '.join(d['source']['seeds'])})" if d["source"]["seeds"] else " (not among the seeds)"),
        f"convention: {claim.convention}",
        "",
        "parameters:",
    ]
    lines += [
        f"  {p['name']:<10} {p['kind']:<14} {p['description']}" + (f" (default {p['default']})" if p["default"] else "")
        for p in d["parameters"]
    ]
    lines += ["hypotheses:"] + [f"  {h['statement']}" for h in d["hypotheses"]]
    tolerances: dict[tuple[str, str], list[str]] = {}
    for q in d["quantities"]:
        tolerances.setdefault((q["tolerance"], q["tolerance_reason"]), []).append(q["name"])
    label = {key: f"[{chr(ord('a') + i)}]" for i, key in enumerate(tolerances)}
    lines += ["quantities (closed form or definition; tolerance):"]
    for q in d["quantities"]:
        what = q["closed_form"] if q["definition"] is None else q["definition"]
        needs = f"needs {', '.join(q['needs'])}" + ("; standalone" if q["standalone"] else "")
        lines.append(f"  {q['name']:<24} {_fold(what, full)}")
        lines.append(f"  {'':<24} ({needs}; tol {q['tolerance']} {label[(q['tolerance'], q['tolerance_reason'])]})")
    lines += ["tolerances:"]
    for (tol, reason), names in tolerances.items():
        lines.append(f"  {label[(tol, reason)]} {tol} ({', '.join(names)}): {reason}")
    lines += ["solver:", f"  {claim.solver_description}"]
    cert = "check --certify: " if claim.certificate is not None else ""
    lines += [
        "certificate:",
        f"  {cert}{claim.certificate_note or 'none declared (the check can verify, not certify)'}",
    ]
    lines += ["pinned examples:"]
    lines += [f"  {params_text(e.params)}   ({e.note})" for e in claim.examples]
    if claim.errata:
        lines += ["errata:"] + [f"  - {e.summary}" for e in claim.errata]
    return "\n".join(lines)


# --- eval / solve ------------------------------------------------------------------------------------------
def value_text(v, digits: int):
    """A quantity value for output: a decimal string (all ``digits``), 'undefined (...)', or, for a vector,
    a dict label -> string."""
    if isinstance(v, Mapping):  # entries shared by a vector (equal class sizes) are formatted once
        done: dict = {}
        return {
            label: done[id(x)] if id(x) in done else done.setdefault(id(x), num(x, digits)) for label, x in v.items()
        }
    return num(v, digits)


def params_json(params: Mapping) -> dict:
    """Parameters as short faithful text (1e-300, not 1/1000...000; exact: parsed back to the same rational)."""
    return {
        k: (",".join(fraction_text(x) for x in v) if isinstance(v, tuple) else fraction_text(v))
        for k, v in params.items()
    }


def eval_json(claim: Claim, params: Mapping, values: Mapping, dps: int, defaults: Mapping | None = None) -> dict:
    computed = {k: v for k, v in values.items() if not isinstance(v, Withheld)}
    withheld = {k: v for k, v in values.items() if isinstance(v, Withheld)}
    assumed = sorted({a for k in computed for a in claim.assumptions(claim.quantity(k), params)})
    return {
        "schema": SCHEMA_VERSION,
        "claim": claim.id,
        "params": params_json(params),
        "dps": dps,
        "quantities": {k: value_text(v, dps) for k, v in computed.items()},
        "withheld": {
            k: {"reason": w.reason, "needs": list(w.needs), "fix": w.fix or None} for k, w in withheld.items()
        },
        "assumptions": assumed,
    }


def eval_text(claim: Claim, params, values, dps: int) -> str:
    d = eval_json(claim, params, values, dps)
    rows = [f"{claim.id} at {params_text(params)} ({dps} digits)"]
    unavailable: dict[str, list[str]] = {}  # one line per reason: the quantities out of reach, then why
    for k, v in d["quantities"].items():
        if isinstance(v, str) and v.startswith("unavailable"):
            unavailable.setdefault(v, []).append(k)
        elif isinstance(v, dict):
            rows.append(f"  {k}")
            rows += [f"    {label:<22} {x}" for label, x in v.items()]
        else:
            rows.append(f"  {k:<24} {v}")
    for reason, names in unavailable.items():
        rows.append(f"  {', '.join(names)}: {reason}")
    if d["assumptions"]:
        rows.append(f"assuming (parameters not given): {'; '.join(d['assumptions'])}")
    if d["withheld"]:
        groups: dict[tuple, list[str]] = {}  # one line per reason: the quantities it withholds, then why
        for k, w in d["withheld"].items():
            groups.setdefault((w["reason"], w["fix"]), []).append(k)
        rows.append("not computed:")
        for (reason, fix), names in groups.items():
            rows.append(f"  {', '.join(names)}: {reason}" + (f"; {fix}" if fix else ""))
    return "\n".join(rows)


def _spread(measured, digits: int) -> dict:
    if isinstance(measured, Mapping):
        return {"components": {label: _spread(v, digits) for label, v in measured.items()}}
    measured = measured if isinstance(measured, tuple | list) else (measured,)
    defined = [m for m in measured if not isinstance(m, Undefined)]
    undefined = [str(m) for m in measured if isinstance(m, Undefined)]
    out = {"instances": len(measured)}
    if defined:
        out["min"], out["max"] = num(min(defined), digits), num(max(defined), digits)
    if undefined:
        out["undefined"] = undefined
    return out


def solve_status(report: SolveReport, options=None) -> str:
    """``converged``; ``not_corroborated`` (the local solve converged, but fewer starts than required reached the
    best value, so global minimality is not corroborated); or ``not_converged``."""
    if report.converged:
        return "converged"
    details = report.details if isinstance(report.details, Mapping) else {}
    needed = options.min_agreeing if options is not None else 2
    at_best = details.get("starts_at_best")
    if details.get("locally_converged") and isinstance(at_best, int) and at_best < needed:
        return "not_corroborated"
    return "not_converged"


def solve_json(claim: Claim, params, report: SolveReport, digits: int = 20, options=None) -> dict:
    return {
        "schema": SCHEMA_VERSION,
        "claim": claim.id,
        "params": params_json(params),
        "status": solve_status(report, options),
        "message": report.message,
        "dps": report.dps,
        "seconds": round(report.seconds, 4),
        "quantities": {k: _spread(v, digits) for k, v in report.quantities.items()},
        "residuals": {k: f"{v:.3e}" for k, v in report.residuals.items()},
        "details": dict(report.details),
    }


def solve_text(
    claim: Claim, params, report: SolveReport, digits: int = 20, defaults: Mapping | None = None, options=None
) -> str:
    d = solve_json(claim, params, report, digits, options)
    status = d["status"]
    rows = [f"{claim.id} solved at {params_text(params)}: {status} ({report.message}), {report.seconds:.2f} s"]
    if d["status"] == "not_corroborated":
        starts, at_best = d["details"].get("starts"), d["details"].get("starts_at_best")
        needed = options.min_agreeing if options is not None else 2
        rows.append(
            f"  a local minimiser passed its residual tests, but only {at_best} of {starts} random starts reached "
            f"its value ({needed} must agree to corroborate global minimality): nothing is concluded; use "
            f"--starts {max(8, needed)} or more"
        )
    if defaults:
        rows.append(
            "  defaults: " + ", ".join(f"{k}={params_json(params)[k]} ({rule})" for k, rule in defaults.items())
        )

    def spread_rows(name: str, sp: dict) -> list[str]:
        out = []
        if "min" in sp:
            rng = sp["min"] if sp["min"] == sp["max"] else f"{sp['min']} .. {sp['max']}"
            out.append(f"  {name:<24} {rng}   ({sp['instances']} instances)")
        out += [f"  {name:<24} {u}" for u in sp.get("undefined", [])[:3]]
        return out

    for name, sp in d["quantities"].items():
        if "components" in sp:
            rows.append(f"  {name}")
            for label, comp in sp["components"].items():
                rows += ["  " + r for r in spread_rows(label, comp)]
        else:
            rows += spread_rows(name, sp)
    rows.append("  residuals: " + ", ".join(f"{k} {v}" for k, v in d["residuals"].items()))
    minima = report.details.get("local_minima") if isinstance(report.details, Mapping) else None
    if minima:
        rows.append(f"  local minima found by restarts ({len(minima)}; not failures of the theorem):")
        rows += [f"    value {m.get('value')}: {m.get('description', '')}" for m in minima]
    return "\n".join(rows)
