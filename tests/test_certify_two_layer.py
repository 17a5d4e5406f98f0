"""``certified`` for the two-layer claims tirer2022.thm4_1 / thm4_2 (issue 18; docs/certified.md): hi = the
objective at the solve's point (exact), lo = an interval branch and bound of min over u >= 0 of the scalar core
g(u) (checker kind ``two_layer_scalar``), lo <= min f resting on the reduction of proofs/tirer2022.thm4_1.md.

Each test can fail: a tampered file fails the recheck, a closed form off by 1e-20 relative is refuted at dps 40,
a poor point gives a wide enclosure that certifies nothing, and the branch and bound's lo is held against an
independent dense evaluation of g.
"""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from fractions import Fraction

import mpmath
import numpy as np
import pytest
from flint import arb, ctx

from verify.certify import checker
from verify.certify.balls import bits, decimal_string
from verify.certify.checker.scalar import k_beta
from verify.certify.two_layer import U_BOUND, certify_two_layer, cover
from verify.claims.tirer2022._two_layer_solve import model
from verify.engine import registry
from verify.engine.certifying import certify_comparisons
from verify.engine.checking import Verdict, check_point, compare, judge
from verify.record import SolveOptions

ERRATUM = {"K": "3", "n": "2", "lambda_W1": "1/10", "lambda_W2": "1/10", "lambda_H1": "1/20", "d1": "6", "d2": "6"}
#: the global tie K^3 n lH1 lW1 lW2 = 1/16 (two minimisers of g, value 1/2) and the fold = 27/256 (value 1/2)
GLOBAL_TIE = {"K": "2", "n": "1", "lambda_W1": "1/4", "lambda_W2": "1/4", "lambda_H1": "1/8", "d1": "4", "d2": "4"}
FOLD = {"K": "3", "n": "1", "lambda_W1": "1/8", "lambda_W2": "1/8", "lambda_H1": "1/4", "d1": "3", "d2": "3"}


def _value(claim_id: str, params: dict, dps: int):
    claim = registry.get(claim_id)
    values = claim.parse(params)
    result = check_point(claim, values, SolveOptions(dps=dps), certify=True)
    return claim, values, result, {c.name: c for c in result.comparisons}["value"]


@pytest.fixture(scope="module")
def erratum_point():
    return _value("tirer2022.thm4_1", ERRATUM, 40)


@pytest.mark.parametrize("claim_id", ["tirer2022.thm4_1", "tirer2022.thm4_2"])
def test_value_certified_at_every_pinned_point(claim_id):
    claim = registry.get(claim_id)
    for example in claim.examples:
        _, _, result, value = _value(claim_id, example.params, 30)
        assert value.certified, (example.params, value.certify_note)
        assert not any(c.certified for c in result.comparisons if c.name != "value")
        assert checker.recheck(json.loads(json.dumps(result.enclosure.certificate)))[0]


@pytest.mark.parametrize(
    "params",
    [
        GLOBAL_TIE,
        FOLD,
        {"K": "2", "n": "1", "lambda_W1": "1/1000000", "lambda_W2": "1/1000000", "lambda_H1": "1/1000000"},
        {"K": "2", "n": "1", "lambda_W1": "1000000", "lambda_W2": "1000000", "lambda_H1": "1000000"},
    ],
    ids=["global-tie", "fold", "penalties-1e-6", "penalties-1e6"],
)
def test_ties_and_extreme_penalties_certified(params):
    """Both ties of thm4_1 (where the origin and the nonzero point tie, and the fold) and penalties 1e-6 (value
    3e-6, the nonzero point global) and 1e6 (the origin global) certify the value at dps 40."""
    _, _, result, value = _value("tirer2022.thm4_1", {"d1": "2", "d2": "2"} | params, 40)
    assert value.certified, value.certify_note
    lo, hi = value.enclosure
    assert (hi - lo) / hi <= Fraction(1, 10**30)


def test_perturbed_closed_form_is_refuted(erratum_point):
    """At dps 40 the enclosure is far below 1e-30 wide: the value's closed form times (1 + 1e-20) is refuted."""
    claim, values, result, value = erratum_point
    assert value.certified
    q = claim.quantity("value")

    def perturbed(v, dps):
        with ctx.workprec(bits(dps) + 64):
            return q.ball(v, dps) * (1 + arb(10) ** -20)

    bad_q = replace(q, ball=perturbed)
    bad_claim = replace(claim, quantities=tuple(bad_q if c.name == "value" else c for c in claim.quantities))
    comps = certify_comparisons(bad_claim, values, compare(bad_claim, values, result.solve), result.enclosure, 40)
    bad = {c.name: c for c in comps}["value"]
    assert bad.refuted and not bad.certified
    assert judge(result.solve, comps) is Verdict.FAILED


def _tampered(cert, edit):
    cert = copy.deepcopy(cert)
    edit(cert)
    return cert


def _merge_around_minimiser(c):
    """One leaf over [0.5, 1.2] (around u = 0.868): its bound is far below the claimed lo."""
    c["dual"]["breakpoints"] = [
        x for x in c["dual"]["breakpoints"] if not Fraction(1, 2) < Fraction(x) < Fraction(6, 5)
    ]


@pytest.mark.parametrize(
    "edit",
    [
        lambda c: None,
        lambda c: c["dual"]["breakpoints"].__setitem__(-1, "1.25"),  # 1.25^3 < 2: the tail u > U is not covered
        lambda c: c["dual"]["breakpoints"].pop(0),  # the cover does not start at 0
        _merge_around_minimiser,
        lambda c: c["primal"]["H1"][0].__setitem__(0, decimal_string(Fraction(c["primal"]["H1"][0][0]) * 1001 / 1000)),
        lambda c: (c["parameters"].update(lambda_H1="1/10"), c["program"].update(lambda_H1="1/10")),
        lambda c: c["parameters"].update(lambda_W2="1/5"),
    ],
    ids=["control", "short-cover", "no-zero", "merged-leaves", "primal", "parameter", "parameter-only"],
)
def test_tampered_certificate_fails_recheck(erratum_point, edit, request):
    cert = erratum_point[2].enclosure.certificate
    holds, message = checker.recheck(_tampered(cert, edit))
    assert holds is (request.node.callspec.id == "control"), message


def test_a_poor_point_gives_a_wide_enclosure_that_certifies_nothing(erratum_point):
    """The origin (a strict local minimiser, value 1/2) where the nonzero point is global: hi = 1/2, the enclosure
    is closed and contains the closed form, but it is wide: neither certified nor refuted."""
    claim, values, result, _ = erratum_point
    enclosure = certify_two_layer(
        model(values, relu=False), np.zeros(len(result.solve.point)), claim.id, values, ("value",), 40
    )
    assert enclosure.closed and enclosure.hi == Fraction(1, 2)
    comps = certify_comparisons(claim, values, result.comparisons, enclosure, 40)
    value = {c.name: c for c in comps}["value"]
    assert not value.certified and not value.refuted


@pytest.mark.parametrize("cube", [Fraction(1, 100), Fraction(1, 16), Fraction(1, 12), Fraction(27, 256), Fraction(1)])
def test_branch_and_bound_lower_bound_against_a_dense_grid(cube):
    """The cover's lo is below g at every point of a dense grid (mpmath, 30 digits) and within 1e-25 relative of
    the grid's minimum refined by golden-section search: an independent evaluation of g."""
    data = {"K": "1", "n": "1", "lambda_W1": str(cube), "lambda_W2": "1", "lambda_H1": "1"}
    with ctx.workprec(bits(40) + 64):
        kb = k_beta(data)
        points, lo, best = cover(kb, 30, 40)
    assert points[0] == 0 and points[-1] == U_BOUND
    with mpmath.workdps(40):
        c = mpmath.cbrt(mpmath.mpf(cube.numerator) / cube.denominator)

        def g(u):
            return (u**3 - 1) ** 2 / 2 + 3 * c * u**2 / 2

        grid = [mpmath.mpf(i) / 2000 * mpmath.mpf("1.3") for i in range(2001)]
        i = min(range(len(grid)), key=lambda j: g(grid[j]))
        lo_u, hi_u = grid[max(i - 1, 0)], grid[min(i + 1, 2000)]
        for _ in range(200):  # golden-section refinement of the grid's minimum
            a = lo_u + (hi_u - lo_u) * mpmath.mpf("0.381966")
            b = lo_u + (hi_u - lo_u) * mpmath.mpf("0.618034")
            lo_u, hi_u = (lo_u, b) if g(a) < g(b) else (a, hi_u)
        g_min = min(g(lo_u), g(mpmath.mpf(0)))
        assert mpmath.mpf(lo.numerator) / lo.denominator <= g_min
        assert g_min - mpmath.mpf(lo.numerator) / lo.denominator <= mpmath.mpf(10) ** -25 * g_min
