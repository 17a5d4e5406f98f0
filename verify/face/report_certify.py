"""The ``--certify`` parts of check reports (issue 18, docs/certified.md): per comparison, the proven enclosure
and why a quantity is or is not certified; per claim, a summary of what was certified and how narrowly."""

from __future__ import annotations

from verify.base.errors import InputError
from verify.engine.checking import ClaimResult, Comparison


def certification_json(c: Comparison) -> dict:
    """The --certify fields of a comparison (none when the point was not certified)."""
    if c.enclosure is None and not c.certify_note:
        return {}
    from verify.certify.balls import decimal_string

    enclosure = None
    if c.enclosure is not None:
        lo, hi = c.enclosure
        scale = max(abs(lo), abs(hi))
        width = (hi - lo) / scale if scale else hi - lo
        enclosure = {"lo": decimal_string(lo), "hi": decimal_string(hi), "width": f"{float(width):.3e}"}
    return {"certified": c.certified, "refuted": c.refuted, "enclosure": enclosure, "certify_note": c.certify_note}


def certification_text(results: list[ClaimResult]) -> list[str]:
    """Per claim: the quantities certified (at how many points, widest enclosure) and why others are not."""
    rows = []
    for r in results:
        tried = [c for p in r.points for c in p.comparisons if c.enclosure is not None or c.certify_note]
        if not tried:
            continue
        for name in dict.fromkeys(c.name for c in tried):
            mine = [c for c in tried if c.name == name]
            done = [c for c in mine if c.certified]
            widths = [(c.enclosure[1] - c.enclosure[0]) / max(abs(c.enclosure[0]), abs(c.enclosure[1])) for c in done]
            line = f"  {r.claim_id} {name}: certified at {len(done)} of {len(r.points)} points"
            if widths:
                line += f", widest enclosure {float(max(widths)):.1e} relative"
            notes = sorted({c.certify_note for c in mine if not c.certified})
            rows.append(line + (f"; not certified: {' | '.join(notes)}" if notes else ""))
        others = [c.name for c in r.points[0].comparisons if c.name not in {t.name for t in tried}]
        if others:
            rows.append(f"  {r.claim_id} verified only (no enclosure): {', '.join(dict.fromkeys(others))}")
    return rows


def certificate_directory(outdir: str):
    """The --out directory, created (and probed for writing) before any solve runs; one line if it cannot be."""
    import os
    from pathlib import Path

    out = Path(outdir)
    try:
        out.mkdir(parents=True, exist_ok=True)
        if not os.access(out, os.W_OK):
            raise PermissionError(13, "not writable")
    except OSError as exc:
        raise InputError(
            f"--out {outdir}: cannot write certificates there ({exc.strerror})",
            parameter="--out",
            fix="give a writable directory (created if missing)",
        ) from exc
    return out


def write_certificates(results, outdir: str) -> dict:
    """One JSON certificate per point whose enclosure closed: DIR/<claim>-<i>.json."""
    import json

    out = certificate_directory(outdir)
    files = {}
    for r in results:
        for i, p in enumerate(r.points):
            if p.enclosure is None or not p.enclosure.closed:
                continue
            path = out / f"{r.claim_id}-{i}.json"
            path.write_text(json.dumps(p.enclosure.certificate, indent=1) + "\n")
            files[(r.claim_id, i)] = str(path)
    return files
