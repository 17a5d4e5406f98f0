"""The group-symmetric certificate of fang2021.thm5 (kind two_group_ce, verify/certify/two_group.py; issue 18).

Each test can fail: tampered block multipliers, primal scalars and parameters fail the independent checker; a
closed form perturbed by 1e-20 relative is refuted at dps 40; the symmetric and the dense certificate (kind
layer_peeled_ce, every matrix written out) give the same bounds at K = 4..8; the K = 10^6 pinned point
certifies, its file rechecks from disk.
"""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from fractions import Fraction

import pytest

from verify.certify import checker
from verify.certify.balls import decimal_string
from verify.certify.layer_peeled import certify_two_group
from verify.certify.two_group import certify_two_group_symmetric, expand
from verify.engine import registry
from verify.engine.certifying import certify_comparisons
from verify.engine.checking import Verdict, check_point, compare, judge
from verify.face.cli import main
from verify.models.two_group import TwoGroupProgram
from verify.record import SolveOptions
from verify.solvers.symmetric import solve_two_group

THM5 = "fang2021.thm5"


@pytest.fixture(scope="module")
def thm5_point():
    """Figure 3a's K_A = 7 point (collapsed phase) checked with --certify at dps 40."""
    claim = registry.get(THM5)
    values = claim.parse(claim.examples[0].params)
    return claim, values, check_point(claim, values, SolveOptions(dps=40), certify=True)


def _scale(block: dict, key: str, factor: Fraction) -> None:
    block[key] = decimal_string(Fraction(block[key]) * factor)


def _move_mass(dual: dict) -> None:
    """Shift 3 x 10^-6 of probability from alpha_A to the K_B = 3 gamma_A: still a probability vector."""
    dual["gamma_A"] = decimal_string(Fraction(dual["gamma_A"]) + Fraction(1, 10**6))
    dual["alpha_A"] = decimal_string(Fraction(dual["alpha_A"]) - Fraction(3, 10**6))


EDITS = {
    "control": lambda c: None,
    "multiplier-beta": lambda c: _scale(c["dual"], "beta_A", Fraction(1000001, 1000000)),  # row sum != 1
    "multiplier-gamma": lambda c: _scale(c["dual"], "gamma_B", Fraction(999999, 1000000)),
    "dual-mass": lambda c: _move_mass(c["dual"]),
    "sigma": lambda c: _scale(c["dual"], "sigma_bound", Fraction(9, 10)),
    "primal-s_A": lambda c: _scale(c["primal"], "s_A", Fraction(1000001, 1000000)),  # budget exceeded
    "primal-q_A": lambda c: _scale(c["primal"], "q_A", Fraction(999999, 1000000)),  # a worse value than hi
    "parameter": lambda c: (c["parameters"].update(R="6"), c["program"].update(R="6")),
    "parameter-only": lambda c: c["parameters"].update(E_H="4"),
    "K_A": lambda c: (c["parameters"].update(K_A="8"), c["program"].update(K_A="8")),
    "enclosure": lambda c: c["enclosure"].update(lo=decimal_string(Fraction(c["enclosure"]["hi"]) * 2)),
}


@pytest.mark.parametrize("edit", list(EDITS))
def test_tampered_certificate_fails_recheck(thm5_point, edit):
    cert = copy.deepcopy(json.loads(json.dumps(thm5_point[2].enclosure.certificate)))
    assert cert["program"]["kind"] == "two_group_ce"
    EDITS[edit](cert)
    holds, message = checker.recheck(cert)
    assert holds == (edit == "control"), message


def test_value_certified_narrow(thm5_point):
    _, _, result = thm5_point
    value = {c.name: c for c in result.comparisons}["value"]
    assert value.certified, value.certify_note
    lo, hi = value.enclosure
    assert (hi - lo) / hi <= Fraction(1, 10**30)  # WIDTH_DIGITS: 10^-(dps - 10) at dps 40
    assert result.verdict is Verdict.VERIFIED  # norms and cosines are not enclosed


def test_perturbed_closed_form_falls_outside(thm5_point):
    """At dps 40 the enclosure is far narrower than 1e-20: a reference value off by 1e-20 relative is refuted."""
    claim, values, result = thm5_point
    value = claim.quantity("value").scaled(1 + Fraction(1, 10**20))
    bad = replace(claim, quantities=tuple(value if q.name == "value" else q for q in claim.quantities))
    comps = certify_comparisons(bad, values, compare(bad, values, result.solve), result.enclosure, 40)
    by_name = {c.name: c for c in comps}
    assert by_name["value"].refuted and not by_name["value"].certified
    assert judge(result.solve, comps) is Verdict.FAILED


@pytest.mark.parametrize("K_A,K_B,R", [(1, 3, "3"), (3, 1, "2"), (2, 3, "5"), (4, 2, "30"), (3, 4, "7"), (5, 3, "1")])
def test_symmetric_and_dense_certificates_agree(K_A, K_B, R):
    """K = 4..8: the same solve's point certified both ways. The expanded certificate (the same dual point, every
    entry of P written out) gives the dense checker the same lo (one real number, two ball evaluations), and hi
    to the rounding of the vectors at ``digits``; the dense certificate written from the solve encloses the same
    minimum (both enclosures are proofs, so they must intersect) with a width of the same order."""
    dps = 20
    prog = TwoGroupProgram(K_A, K_B, Fraction(5), Fraction(1), Fraction(R))
    sol = solve_two_group(prog, dps=dps, n_starts=4)
    values = {"K_A": Fraction(K_A), "K_B": Fraction(K_B), "E_H": Fraction(5), "E_W": Fraction(1), "R": Fraction(R)}
    sym = certify_two_group_symmetric(prog, sol.x, THM5, values, ("value",), dps)
    dense = certify_two_group(prog, sol.x, THM5, values, ("value",), dps)
    assert sym.closed and dense.closed, (sym.message, dense.message)
    assert max(sym.lo, dense.lo) <= min(sym.hi, dense.hi)
    assert sym.width <= Fraction(1, 10 ** (dps - 10)) and dense.width <= Fraction(1, 10 ** (dps - 10))
    digits = sym.certificate["digits"]
    lo_s, hi_s, errors_s = checker.enclose(sym.certificate, digits)
    lo_d, hi_d, errors_d = checker.enclose(expand(sym.certificate), digits)
    assert errors_s == [] and errors_d == []
    assert lo_s.overlaps(lo_d) and max(lo_s.rad(), lo_d.rad()) < 10.0 ** -(digits + 5)
    assert abs(hi_s - hi_d) < abs(hi_s) * 10.0 ** -(digits - 5)  # the vectors rounded at ``digits``


def test_checker_refuses_a_centred_part_in_a_one_class_group():
    claim = registry.get(THM5)
    values = claim.parse(claim.examples[5].params)  # K_A = 1
    result = check_point(claim, values, SolveOptions(dps=30), certify=True)
    cert = copy.deepcopy(result.enclosure.certificate)
    assert checker.recheck(cert)[0]
    cert["primal"]["p_A"] = "1e-30"
    holds, message = checker.recheck(cert)
    assert not holds and "one class" in message


def test_million_classes_certify_and_recheck_from_file(tmp_path, capsys):
    """The K = 10^6 pinned point: `check --out` writes an O(1) certificate that `recheck` proves from disk."""
    claim = registry.get(THM5)
    big = next(i for i, e in enumerate(claim.examples) if e.params["K_A"] == "300000")
    result = check_point(claim, claim.parse(claim.examples[big].params), SolveOptions(dps=30), certify=True)
    value = {c.name: c for c in result.comparisons}["value"]
    assert value.certified, value.certify_note
    path = tmp_path / "thm5.json"
    path.write_text(json.dumps(result.enclosure.certificate))
    assert path.stat().st_size < 4000  # no K x K matrix in the file
    assert main(["recheck", str(path)]) == 0
    bad = json.loads(path.read_text())
    _scale(bad["dual"], "gamma_A", Fraction(1000001, 1000000))
    path.write_text(json.dumps(bad))
    capsys.readouterr()
    assert main(["recheck", str(path)]) == 1 and "FAILS" in capsys.readouterr().out
