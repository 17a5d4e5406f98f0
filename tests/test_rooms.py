"""Meta-test: one claim = one room (module, proof, test module of the same stem), and the catalogue is sane."""

from pathlib import Path

import pytest

from verify.engine.registry import catalogue

ROOT = Path(__file__).resolve().parents[1]
CLAIMS = list(catalogue().values())


def test_catalogue_is_not_empty():
    assert "fang2021.thm1" in catalogue()


@pytest.mark.parametrize("claim", CLAIMS, ids=lambda c: c.id)
def test_every_claim_has_its_three_files(claim):
    parts = claim.module.split(".")
    assert parts[:2] == ["verify", "claims"] and len(parts) == 4, claim.module
    paper, stem = parts[2], parts[3]
    assert (ROOT / "verify" / "claims" / paper / f"{stem}.py").is_file()
    assert (ROOT / "proofs" / f"{claim.id}.md").is_file(), f"missing proofs/{claim.id}.md"
    assert (ROOT / "tests" / "claims" / paper / f"test_{stem}.py").is_file(), (
        f"missing tests/claims/{paper}/test_{stem}.py"
    )
    assert claim.id == f"{paper}.{stem}"


@pytest.mark.parametrize("claim", CLAIMS, ids=lambda c: c.id)
def test_every_claim_is_complete(claim):
    assert claim.quantities and claim.examples and claim.hypotheses
    for q in claim.quantities:
        assert q.tolerance.reason.strip(), f"{claim.id}.{q.name}: a tolerance needs its reason"
        assert q.expr is not None or q.reference is not None, f"{claim.id}.{q.name}: needs a closed form or a reference"
        if q.reference is not None:
            assert q.definition.strip(), f"{claim.id}.{q.name}: an implicitly defined quantity needs its definition"
        if q.expr is not None:
            assert q.expr.free_symbols <= {p.symbol for p in claim.parameters}, q.name
    for ex in claim.examples:
        claim.parse(ex.params)  # every pinned example satisfies the hypotheses


def test_solvers_and_models_never_import_claims():
    for folder in ("solvers", "models", "geometry"):
        for path in (ROOT / "verify" / folder).glob("*.py"):
            imports = [ln for ln in path.read_text().splitlines() if ln.lstrip().startswith(("import ", "from "))]
            assert not any("verify.claims" in ln for ln in imports), (
                f"{path} imports a claim: the solve must stay independent"
            )


def test_core_never_imports_torch():
    """torch lives only in verify/nets (the optional network tier); nothing else imports torch or verify.nets."""
    nets = ROOT / "verify" / "nets"
    for path in (ROOT / "verify").rglob("*.py"):
        if nets in path.parents:
            continue
        imports = [ln.strip() for ln in path.read_text().splitlines() if ln.lstrip().startswith(("import ", "from "))]
        assert not any(ln.split()[1].split(".")[0] == "torch" for ln in imports), f"{path} imports torch"
        assert not any(ln.split()[1].startswith("verify.nets") for ln in imports), (
            f"{path}: core imports the network tier"
        )
