"""The verdict ``certified`` (issue 18, docs/certified.md): enclosures proved by the independent checker.

Each test can fail: tampered certificates must fail the recheck, a closed form perturbed by 1e-20 relative
must fall outside its enclosure at dps 40, and ``certified`` must never appear where the enclosure is not
closed or not narrow.
"""

from __future__ import annotations

import ast
import copy
import json
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import jsonschema
import pytest
import sympy as sp

from verify.certify import checker
from verify.certify.balls import decimal_string, sympy_ball
from verify.engine import registry
from verify.engine.checking import Verdict, check_point
from verify.face.cli import main
from verify.record import SolveOptions

THM1 = "fang2021.thm1"
POINT = {"K": "3", "n": "2", "p": "5", "E_H": "1/1000", "E_W": "1/1000"}


@pytest.fixture(scope="module")
def thm1_point():
    """One pinned point of fang2021.thm1 checked with --certify at dps 40."""
    claim = registry.get(THM1)
    values = claim.parse(POINT)
    return claim, values, check_point(claim, values, SolveOptions(dps=40), certify=True)


def test_checker_imports_nothing_from_verify():
    """The trusted base is the package verify/certify/checker/ alone: its modules import python-flint, the standard
    library and each other (relative imports), nothing else of verify."""
    for path in sorted(Path(checker.__file__).parent.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level > 0:  # a sibling inside the checker package
                    continue
                names = [node.module or ""]
            else:
                continue
            for name in names:
                assert name.split(".")[0] in {"__future__", "json", "sys", "fractions", "flint"}, (path.name, name)


def test_value_certified_geometry_verified(thm1_point):
    _, _, result = thm1_point
    by_name = {c.name: c for c in result.comparisons}
    assert by_name["value"].certified and by_name["lower_bound"].certified
    lo, hi = by_name["value"].enclosure
    assert (hi - lo) / hi <= Fraction(1, 10**30)
    assert not by_name["cosine"].certified and by_name["cosine"].enclosure is None
    assert result.verdict is Verdict.VERIFIED  # not every quantity is enclosed
    holds, message = checker.recheck(json.loads(json.dumps(result.enclosure.certificate)))
    assert holds, message


def _tampered(cert: dict, edit) -> dict:
    bad = copy.deepcopy(cert)
    edit(bad)
    return bad


def _scale_entry(rows, i, j, factor):
    rows[i][j] = decimal_string(Fraction(rows[i][j]) * factor)


def _move_mass(P):
    """Shift 10^-6 of probability between two entries of a row: still a probability vector."""
    P[0][1] = decimal_string(Fraction(P[0][1]) + Fraction(1, 10**6))
    P[0][0] = decimal_string(Fraction(P[0][0]) - Fraction(1, 10**6))


@pytest.mark.parametrize(
    "edit",
    [
        lambda c: _scale_entry(c["dual"]["P"], 0, 1, Fraction(1000001, 1000000)),  # row no longer sums to 1
        lambda c: _move_mass(c["dual"]["P"]),  # a valid dual point, but a weaker bound than claimed
        lambda c: None,  # untouched: the control holds
        lambda c: c["dual"].update(sigma_bound=decimal_string(Fraction(c["dual"]["sigma_bound"]) * Fraction(9, 10))),
        lambda c: _scale_entry(c["primal"]["W"], 0, 0, Fraction(1000001, 1000000)),
        lambda c: _scale_entry(c["primal"]["H"], 1, 2, Fraction(999999, 1000000)),
        lambda c: (c["parameters"].update(E_H="1/900"), c["program"].update(E_H="1/900")),
        lambda c: c["parameters"].update(E_W="2e-3"),
        lambda c: c["parameters"].update(K="4"),
        lambda c: c["parameters"].update(n="3"),
    ],
    ids=[
        "multiplier",
        "dual-mass",
        "control",
        "sigma",
        "primal-W",
        "primal-H",
        "parameter",
        "parameter-only",
        "K",
        "n",
    ],
)
def test_tampered_certificate_fails_recheck(thm1_point, edit, request):
    cert = thm1_point[2].enclosure.certificate
    holds, message = checker.recheck(_tampered(cert, edit))
    if request.node.callspec.id == "control":
        assert holds, message
    else:
        assert not holds


def test_perturbed_closed_form_falls_outside(thm1_point):
    """At dps 40 the enclosure is narrower than 1e-30: a closed form off by 1e-20 relative is refuted."""
    claim, values, result = thm1_point
    value = next(q for q in claim.quantities if q.name == "value")
    perturbed = replace(value, expr=value.expr * (1 + sp.Rational(1, 10**20)))
    bad_claim = replace(claim, quantities=tuple(perturbed if q.name == "value" else q for q in claim.quantities))
    from verify.engine.certifying import certify_comparisons
    from verify.engine.checking import compare, judge

    comps = certify_comparisons(bad_claim, values, compare(bad_claim, values, result.solve), result.enclosure, 40)
    by_name = {c.name: c for c in comps}
    assert by_name["value"].refuted and not by_name["value"].certified
    assert by_name["lower_bound"].certified
    assert judge(result.solve, comps) is Verdict.FAILED
    exact = sympy_ball(value.expr.subs(claim.subs(values)), 60)
    assert exact.rad() < 1e-55 and {c.name: c for c in result.comparisons}["value"].certified


@pytest.mark.parametrize(
    "params",
    [
        {"K": "2", "n": "1", "p": "1", "E_H": "30", "E_W": "30"},  # value 8.8e-27
        {"K": "3", "n": "1", "p": "2", "E_H": "1/1000000", "E_W": "1/1000000"},  # budgets 1e-6
    ],
)
def test_extreme_scales_certified(params):
    claim = registry.get(THM1)
    result = check_point(claim, claim.parse(params), SolveOptions(dps=40), certify=True)
    value = next(c for c in result.comparisons if c.name == "value")
    assert value.certified, value.certify_note


@pytest.mark.parametrize(
    "params",
    [
        {"K": "2", "n": "1", "p": "1", "E_H": "69", "E_W": "69"},  # value 1.2e-60: the solve does not converge
        {"K": "3", "n": "1", "p": "3", "E_H": "1000000", "E_W": "1/1000000"},  # budgets 1e6 and 1e-6
    ],
)
def test_never_certified_without_a_narrow_closed_enclosure(params):
    """Where the solve's point is poor the certificate is wide: no quantity may say certified."""
    claim = registry.get(THM1)
    result = check_point(claim, claim.parse(params), SolveOptions(dps=40), certify=True)
    for c in result.comparisons:
        if c.certified:
            lo, hi = c.enclosure
            assert result.enclosure.closed and (hi - lo) / max(abs(lo), abs(hi)) <= Fraction(1, 10**30)
    assert result.verdict is not Verdict.CERTIFIED


def test_unclosed_enclosure_never_certifies(thm1_point):
    from verify.certify import not_closed
    from verify.engine.certifying import certify_comparisons

    claim, values, result = thm1_point
    comps = certify_comparisons(claim, values, result.comparisons, not_closed("test", ("value",)), 40)
    assert not any(c.certified for c in comps)


def test_cli_check_certify_out_and_recheck(tmp_path, capsys):
    code = main(["check", THM1, "--examples", "0", "--out", str(tmp_path), "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    schema = json.loads((Path(__file__).resolve().parents[1] / "docs/schemas/check.schema.json").read_text())
    jsonschema.validate(data, schema)
    assert data["claims"][0]["details"][0]["certificate"].endswith(".json")
    files = sorted(tmp_path.glob("*.json"))
    assert len(files) == len(registry.get(THM1).examples)
    comps = data["claims"][0]["details"][0]["comparisons"]
    assert {c["quantity"] for c in comps if c.get("certified")} == {"value", "lower_bound"}
    assert main(["recheck", *map(str, files)]) == 0
    bad = json.loads(files[0].read_text())
    bad["enclosure"]["lo"] = decimal_string(Fraction(bad["enclosure"]["hi"]) * (1 + Fraction(1, 10**25)))
    files[0].write_text(json.dumps(bad))
    capsys.readouterr()
    assert main(["recheck", str(files[0])]) == 1
    assert "FAILS" in capsys.readouterr().out


CERTIFIABLE = (
    "fang2021.thm1",
    "fang2021.lemma1",
    "fang2021.prop1",
    "fang2021.thm5",
    "fang2021.thm3",
    "tirer2022.thm3_1",
    "tirer2022.thm3_2",
    "tirer2022.remark3_2",
    "zhu2021.thm3_1",
    "zhu2021.threshold",
    "zhu2021.thm3_2",
    "zhou2022.ls",
    "dang2023.one_layer",
    "thrampoulidis2022.seli",
    "fang2021.lemma7",
    "hong2023.values",
    "tirer2022.thm4_1",
    "tirer2022.thm4_2",
)


@pytest.mark.parametrize("claim_id", CERTIFIABLE)
def test_each_certifiable_claim_certifies_its_value(claim_id):
    """The first pinned point of every claim with a certificate hook: value certified at dps 30, the file
    rechecks, and the claim's other quantities are not said to be certified."""
    claim = registry.get(claim_id)
    result = check_point(claim, claim.parse(claim.examples[0].params), SolveOptions(dps=30), certify=True)
    by_name = {c.name: c for c in result.comparisons}
    assert by_name["value"].certified, by_name["value"].certify_note
    assert all(not c.certified for c in result.comparisons if c.name != "value" and c.name != "lower_bound")
    assert checker.recheck(json.loads(json.dumps(result.enclosure.certificate)))[0]


def test_catalogue_hooks_match_the_certifiable_list():
    hooked = {cid for cid, c in registry.everything().items() if c.certificate is not None}
    assert hooked == set(CERTIFIABLE)


@pytest.fixture(scope="module")
def free_bias_certificate():
    claim = registry.get("tirer2022.thm3_2")
    values = claim.parse(claim.examples[0].params)
    return check_point(claim, values, SolveOptions(dps=30), certify=True).enclosure.certificate


@pytest.mark.parametrize(
    "edit",
    [
        lambda c: _scale_entry(c["dual"]["Lambda"], 0, 0, Fraction(1000001, 1000000)),  # Lambda 1 != 0
        lambda c: c["dual"].update(
            Lambda=[[decimal_string(Fraction(x) * Fraction(11, 10)) for x in r] for r in c["dual"]["Lambda"]]
        ),  # ||Lambda||_2 > sqrt(lW lH)
        lambda c: _scale_entry(c["primal"]["H"], 0, 0, Fraction(1001, 1000)),
        lambda c: (c["parameters"].update(lambda_H="2"), c["program"].update(lambda_H="2")),
    ],
    ids=["multiplier", "dual-norm", "primal", "parameter"],
)
def test_tampered_bilinear_certificate_fails(free_bias_certificate, edit):
    assert checker.recheck(free_bias_certificate)[0]
    assert not checker.recheck(_tampered(free_bias_certificate, edit))[0]


def test_certified_page_runs():
    """docs/certified.md's Python blocks run and assert what the page says (Sybil)."""
    from sybil import Sybil
    from sybil.parsers.markdown import PythonCodeBlockParser

    page = Path(__file__).resolve().parents[1] / "docs" / "certified.md"
    document = Sybil(parsers=[PythonCodeBlockParser()]).parse(page)
    namespace = document.namespace
    for example in document:
        example.evaluate()
    assert "result" in namespace


@pytest.fixture(scope="module")
def contrastive_certificate():
    claim = registry.get("fang2021.thm3")
    values = claim.parse(claim.examples[0].params)
    return check_point(claim, values, SolveOptions(dps=30), certify=True).enclosure.certificate


@pytest.mark.parametrize(
    "edit",
    [
        lambda c: c["dual"].update(mu=decimal_string(Fraction(c["dual"]["mu"]) + Fraction(1, 10**6))),  # mu too high
        lambda c: _scale_entry(c["dual"]["Pi"], 0, 1, Fraction(1000001, 1000000)),  # a row no longer sums to 1
        lambda c: _scale_entry(c["primal"]["H"], 0, 0, Fraction(1001, 1000)),
        lambda c: (c["parameters"].update(tau="1"), c["program"].update(tau="1")),
    ],
    ids=["mu", "multiplier", "primal", "parameter"],
)
def test_tampered_contrastive_certificate_fails(contrastive_certificate, edit):
    assert checker.recheck(contrastive_certificate)[0]
    assert not checker.recheck(_tampered(contrastive_certificate, edit))[0]


def test_unwritable_out_is_refused_before_any_solve(capsys):
    code = main(["check", THM1, "--examples", "0", "--out", "/proc/no-such-dir/certs"])
    assert code == 2
    assert "--out" in capsys.readouterr().err
