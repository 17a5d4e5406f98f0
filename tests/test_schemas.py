"""Every ``--json`` output of the CLI validates against its documented schema (docs/schemas/*.schema.json)."""

import json
from pathlib import Path

import jsonschema
import pytest

from verify.engine.registry import catalogue
from verify.face.cli import main

SCHEMAS = Path(__file__).resolve().parents[1] / "docs" / "schemas"
COMMANDS = ("list", "show", "eval", "certify", "solve", "check", "errata", "explore", "plot", "fuzz")


def schema(name: str) -> dict:
    data = json.loads((SCHEMAS / f"{name}.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(data)
    return data


def run_json(capsys, *argv: str) -> tuple[int, dict]:
    code = main([*argv, "--json"])
    return code, json.loads(capsys.readouterr().out)


def first_example(claim) -> list[str]:
    return [f"{k}={v}" for k, v in claim.examples[0].params.items()]


def test_every_command_has_a_documented_schema():
    guide = (SCHEMAS.parent / "schemas.md").read_text()
    for name in COMMANDS:
        schema(name)
        assert f"schemas/{name}.schema.json" in guide, f"docs/schemas.md does not document {name}"


def test_list_json(capsys):
    code, data = run_json(capsys, "list")
    assert code == 0
    jsonschema.validate(data, schema("list"))
    assert [c["id"] for c in data["claims"]] == list(catalogue())


@pytest.mark.parametrize("claim_id", list(catalogue()))
def test_show_and_eval_json(capsys, claim_id):
    claim = catalogue()[claim_id]
    code, data = run_json(capsys, "show", claim_id)
    assert code == 0
    jsonschema.validate(data, schema("show"))
    code, data = run_json(capsys, "eval", claim_id, *first_example(claim))
    assert code == 0
    jsonschema.validate(data, schema("eval"))
    assert set(data["quantities"]) == {q.name for q in claim.quantities}


def test_solve_and_check_json(capsys):
    claim = catalogue()["fang2021.thm1"]
    code, data = run_json(capsys, "solve", claim.id, *first_example(claim))
    assert code == 0
    jsonschema.validate(data, schema("solve"))
    code, data = run_json(capsys, "check", claim.id, "--examples", "1")
    assert code == 0
    jsonschema.validate(data, schema("check"))
    assert data["claims"][0]["verdict"] == "verified"


def test_errata_and_explore_json(capsys):
    code, data = run_json(capsys, "errata")
    assert code == 0
    jsonschema.validate(data, schema("errata"))
    assert {e["claim"] for e in data["errata"]} <= set(catalogue())
    code, data = run_json(capsys, "explore")
    assert code == 0
    jsonschema.validate(data, schema("explore"))


def test_plot_json(capsys, tmp_path):
    pytest.importorskip("matplotlib")
    out = tmp_path / "f.svg"
    code, data = run_json(
        capsys,
        "plot",
        "fang2021.thm5",
        "K_A=7",
        "K_B=3",
        "E_H=5",
        "E_W=1",
        "--points",
        "6",
        "--r-max",
        "50",
        "--out",
        str(out),
    )
    assert code == 0 and out.exists()
    jsonschema.validate(data, schema("plot"))
    phases = [p["phase"] for p in data["curves"][0]["points"]]
    assert {"separated", "collapsed", "vanished"} <= set(phases)
    assert all(p["cos_minority"] is None for p in data["curves"][0]["points"] if p["phase"] == "vanished")


def test_solve_not_corroborated_json(capsys):
    claim = catalogue()["fang2021.thm1"]
    code, data = run_json(capsys, "solve", claim.id, *first_example(claim), "--starts", "1")
    assert code == 3
    jsonschema.validate(data, schema("solve"))
    assert data["status"] == "not_corroborated" and "not corroborated" in data["message"]
