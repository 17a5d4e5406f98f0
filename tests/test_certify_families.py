"""Certificates of the two families convex in Z = W H (verify/certify/families.py): dang2023.one_layer (kind
bilinear_mse with class sizes) and thrampoulidis2022.seli (kind max_margin). The value is certified at pinned and
drawn points; tampered certificates fail the independent checker; a closed form off by 1e-20 is refuted."""

import copy
import json
from dataclasses import replace
from fractions import Fraction

import pytest

from verify.certify import checker
from verify.certify.balls import decimal_string
from verify.engine import registry
from verify.engine.certifying import certify_comparisons
from verify.engine.checking import Verdict, check_point, compare, drawn_points, judge
from verify.record import SolveOptions

IDS = ("dang2023.one_layer", "thrampoulidis2022.seli")


@pytest.fixture(scope="module", params=IDS)
def certified_point(request):
    claim = registry.get(request.param)
    values = claim.parse(claim.examples[0].params)
    return claim, values, check_point(claim, values, SolveOptions(dps=40), certify=True)


@pytest.mark.parametrize("claim_id", IDS)
def test_value_certified_at_drawn_points(claim_id):
    claim = registry.get(claim_id)
    for values in drawn_points(claim, 3, seed=5):
        result = check_point(claim, claim.parse(values), SolveOptions(dps=30), certify=True)
        value = {c.name: c for c in result.comparisons}["value"]
        assert value.certified, (values, value.certify_note)
        assert result.verdict is Verdict.VERIFIED  # the geometry stays verified: not every quantity is enclosed


def _scaled(rows, i, j, factor):
    rows[i][j] = decimal_string(Fraction(rows[i][j]) * factor)


EDITS = {
    "control": lambda c: None,
    "primal": lambda c: _scaled(c["primal"]["H"], 0, 0, Fraction(1, 2)),
    "dual-up": lambda c: (
        _scaled(c["dual"]["Lambda"], 0, 0, 3)
        if "Lambda" in c["dual"]
        else c["dual"]["mu"].__setitem__(0, decimal_string(Fraction(c["dual"]["mu"][0]) * 3))
    ),  # fmt: skip
    "sizes": lambda c: c["program"].__setitem__("class_sizes", [*c["program"]["class_sizes"][:-1], "9"]),
    "enclosure": lambda c: c["enclosure"].__setitem__("lo", decimal_string(Fraction(c["enclosure"]["hi"]) * 2)),
}


@pytest.mark.parametrize("edit", list(EDITS))
def test_tampered_certificates_fail_the_checker(certified_point, edit):
    cert = copy.deepcopy(json.loads(json.dumps(certified_point[2].enclosure.certificate)))
    EDITS[edit](cert)
    holds, message = checker.recheck(cert)
    assert holds == (edit == "control"), message


def test_a_closed_form_off_by_1e_20_is_refuted(certified_point):
    """At dps 40 the enclosure is ~1e-40 wide: a value 1e-20 too large falls outside it."""
    claim, values, result = certified_point
    value = claim.quantity("value").scaled(1 + Fraction(1, 10**20))
    bad = replace(claim, quantities=tuple(value if q.name == "value" else q for q in claim.quantities))
    comps = certify_comparisons(bad, values, compare(bad, values, result.solve), result.enclosure, 40)
    by_name = {c.name: c for c in comps}
    assert by_name["value"].refuted and not by_name["value"].certified
    assert judge(result.solve, comps) is Verdict.FAILED
