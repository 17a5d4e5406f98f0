"""Certificates of Zhu et al. 2021's regularised CE and Zhou et al. 2022's label smoothing (kind ufm_softmax):
the value certified at pinned points of every bias variant and of the zero regime, tampered files refused."""

from __future__ import annotations

import copy
import json
from fractions import Fraction

import pytest

from verify.certify import checker
from verify.engine import registry
from verify.engine.checking import check_point
from verify.record import SolveOptions

UFM_CERTIFIABLE = ("zhu2021.thm3_1", "zhu2021.threshold", "zhu2021.thm3_2", "zhou2022.ls")


@pytest.mark.parametrize("claim_id, example", [(c, i) for c in UFM_CERTIFIABLE for i in range(3)], ids=lambda v: str(v))
def test_value_is_certified_at_every_pinned_point(claim_id, example):
    """Pinned points cover no / free / penalised bias, K s just below and above the threshold, label smoothing
    on both sides of c = 1: the value certified at dps 30, only the value, and the file rechecks."""
    claim = registry.get(claim_id)
    result = check_point(claim, claim.parse(claim.examples[example].params), SolveOptions(dps=30), certify=True)
    by_name = {c.name: c for c in result.comparisons}
    assert by_name["value"].certified, by_name["value"].certify_note
    assert all(not c.certified for c in result.comparisons if c.name != "value")
    assert checker.recheck(json.loads(json.dumps(result.enclosure.certificate)))[0]


@pytest.fixture(scope="module")
def free_bias_certificate():
    claim = registry.get("zhu2021.thm3_1")
    values = claim.parse(claim.examples[1].params)  # free bias
    return check_point(claim, values, SolveOptions(dps=30), certify=True).enclosure.certificate


def _tampered(cert, edit):
    bad = copy.deepcopy(cert)
    edit(bad)
    return bad


def _shift(P, i, a, b, amount=Fraction(1, 10**6)):
    P[i][a] = str(Fraction(P[i][a]) + amount)
    P[i][b] = str(Fraction(P[i][b]) - amount)


@pytest.mark.parametrize(
    "edit",
    [
        lambda c: _shift(c["dual"]["P"], 0, 0, 1),  # still probability vectors, but G 1 != 0 (free bias)
        lambda c: c["dual"]["P"][0].__setitem__(0, str(Fraction(c["dual"]["P"][0][0]) + Fraction(1, 10**6))),
        lambda c: c["primal"]["H"][0].__setitem__(0, str(Fraction(c["primal"]["H"][0][0]) * Fraction(1001, 1000))),
        lambda c: (c["parameters"].update(lambda_H="2"), c["program"].update(lambda_H="2")),
        lambda c: c["program"].update(bias_kind="none"),
        lambda c: (c["program"].update(bias_kind="none", bias="0"), c["primal"].pop("b")),
    ],
    ids=["row-sums", "not-a-probability", "primal", "parameter", "bias-kind", "bias-dropped"],
)
def test_tampered_certificate_fails_recheck(free_bias_certificate, edit):
    assert checker.recheck(free_bias_certificate)[0]
    assert not checker.recheck(_tampered(free_bias_certificate, edit))[0]
