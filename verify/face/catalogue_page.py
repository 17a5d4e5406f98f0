"""The catalogue page (docs/catalogue.md), generated from the registry so that it cannot drift.

Regenerate with ``python -m verify.face.catalogue_page --write`` (writes docs/catalogue.md and the index
verify/engine/catalogue_index.py that ``nc-verify list`` reads); ``tests/test_docs.py`` fails when either differs
from what the registry renders.
"""

from __future__ import annotations

from verify.engine.registry import catalogue
from verify.record import Claim


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def claim_section(claim: Claim) -> str:
    lines = [
        f"## `{claim.id}`: {claim.title}",
        "",
        claim.statement,
        "",
        f"- **Source:** {claim.source.paper}; {claim.source.where} (seeds {', '.join(claim.source.seeds)})",
        f"- **Convention:** {claim.convention}",
        f"- **Hypotheses:** {'; '.join(f'`{h.statement}`' for h in claim.hypotheses)}",
        f"- **Independent solver:** {claim.solver_description}",
        f"- **Files:** `{claim.module.replace('.', '/')}.py`, `proofs/{claim.id}.md`",
        "",
        "| parameter | kind | meaning | default (solve only) |",
        "|---|---|---|---|",
    ]
    lines += [f"| `{p.name}` | {p.kind} | {_cell(p.description)} | {p.default_text or '-'} |" for p in claim.parameters]
    lines += [
        "",
        "| quantity | closed form / definition | needs | tolerance | why this tolerance |",
        "|---|---|---|---|---|",
    ]
    for q in claim.quantities:
        form = f"`{q.expr}`" if q.reference is None else _cell(q.definition)
        needs = ", ".join(q.depends_on(claim.parameters)) + (" (standalone)" if q.standalone else "")
        lines.append(
            f"| `{q.name}` | {_cell(form)} | {needs} | 10^-(dps-{q.tolerance.guard_digits}) | "
            f"{_cell(q.tolerance.reason)} |"
        )
    lines += ["", "Pinned examples:", ""]
    lines += [f"- `{' '.join(f'{k}={v}' for k, v in e.params.items())}`: {e.note}" for e in claim.examples]
    if claim.errata:
        lines += ["", "Errata (evidence: `nc-verify errata`):", ""]
        lines += [f"- {e.location}: {e.summary}" for e in claim.errata]
    if claim.explorations:
        lines += ["", "Beyond the theorem (`nc-verify explore`, never part of the verdict):", ""]
        lines += [f"- [{x.label}] {x.title}: {x.question}" for x in claim.explorations]
    return "\n".join(lines)


def render() -> str:
    claims = list(catalogue().values())
    head = [
        "# Claim catalogue",
        "",
        "Generated from the registry by `python -m verify.face.catalogue_page --write`; do not edit by "
        "hand (`tests/test_docs.py` checks it is in sync). Every claim below is checked by `nc-verify check ID`.",
        "",
        "| id | title |",
        "|---|---|",
    ]
    head += [f"| [`{c.id}`](#{c.id.replace('.', '')}) | {_cell(c.title)} |" for c in claims]
    return "\n".join(head + [""] + [claim_section(c) + "\n" for c in claims])


def write() -> None:
    """Write docs/catalogue.md and verify/engine/catalogue_index.py from the registry."""
    from pathlib import Path

    from verify.engine.registry import index_source

    root = Path(__file__).resolve().parents[2]
    (root / "docs" / "catalogue.md").write_text(render())
    (root / "verify" / "engine" / "catalogue_index.py").write_text(index_source())


if __name__ == "__main__":
    import sys

    if "--write" in sys.argv[1:]:
        write()
    else:
        print(render(), end="")
