"""Inequalities over parameter boxes by branch and bound on balls (issue 18; verify/certify/box.py, report.py):
``nc-verify certify``, the engine's pure split/decide and its determinism, counter-examples, and
``verify.derive.holds`` on the same engine."""

import json
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import jsonschema
import pytest
import sympy as sp

from verify.base.symbolic import is_zero
from verify.certify.box import Box, Dim, Limits, decide, merge, run, split
from verify.certify.margins import SympyMargin
from verify.derive import DerivationFailed, holds
from verify.engine.registry import catalogue
from verify.face.certify_report import certify_claim, parse_box
from verify.face.cli import main
from verify.record import ProofInequality

SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "docs/schemas/certify.schema.json").read_text())
THM1 = catalogue()["fang2021.thm1"]
x = sp.Symbol("x", positive=True)
K = sp.Symbol("K", integer=True, positive=True)


def test_thm1_margin_is_the_printed_gap():
    """PRINTED_GAP (the cancellation-free form the engine splits) is value - L0(printed C_b), by sympy."""
    from verify.claims.fang2021 import thm1

    assert is_zero(thm1.in_s(thm1.VALUE - thm1.L0_PRINTED) - thm1.PRINTED_GAP)


def test_certify_thm1_over_a_box(capsys):
    argv = ["certify", "fang2021.thm1", "--box", "K=2..8", "E_H=1/2..2", "E_W=1/2..2"]
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "printed_bound_valid: PROVEN on the whole box" in text and "counter-examples: none" in text
    assert main([*argv, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    jsonschema.validate(data, SCHEMA)
    assert all(i["holds"] and i["proven_share"] == "1" for i in data["inequalities"])
    s_lo, s_hi = data["inequalities"][0]["variables"]["s"]
    assert Fraction(s_lo) <= Fraction(1, 2) and Fraction(s_hi) >= 2  # the box of s = sqrt(E_H E_W) contains the image


@pytest.mark.slow
def test_certify_thm1_issue_box():
    box = parse_box(THM1, ["K=2..50", "E_H=1/10..10", "E_W=1/10..10"])
    assert all(r.holds for _, _, r in certify_claim(THM1, box))


def test_a_false_inequality_gives_a_counter_example_box(capsys):
    """The reverse inequality (L0 printed >= value) fails at every K >= 3: counter-example boxes, exit 1."""
    from verify.claims.fang2021 import thm1

    wrong = ProofInequality("reversed", "L0(printed) >= value", -thm1.PRINTED_GAP, "test", derived=((thm1.S, thm1.s),))
    claim = replace(THM1, inequalities=(wrong,))
    box = parse_box(claim, ["K=2..4", "E_H=1", "E_W=1/2..2"])
    ((_, _, result),) = certify_claim(claim, box)
    assert result.counterexamples and not result.holds
    assert all(c.point["K"] >= 3 and Fraction(c.margin[1]) < 0 for c in result.counterexamples)


def test_undecided_and_stopped_are_reported():
    margin = SympyMargin(x - 1)  # x >= 1 on [1, 2]: holds, but the ball at the edge x = 1 is never > 0 ... >= 0 is
    box = Box((Dim("x", Fraction(0), Fraction(2)),))
    r = run(margin, box, Limits(max_depth=3))
    assert r.counterexamples and r.proven and not r.holds
    tangent = SympyMargin(x**2 - 2 * x + 1, strict=False)  # (x-1)^2 >= 0 with a double root inside
    r = run(tangent, Box((Dim("x", Fraction(0), Fraction(2)),)), Limits(max_depth=6))
    assert r.undecided and not r.counterexamples and r.proven_share() < 1
    r = run(tangent, Box((Dim("x", Fraction(0), Fraction(2)),)), Limits(max_boxes=3))
    assert r.stopped and r.undecided


def test_split_is_deterministic_and_runs_compose():
    """Running the two children of the root separately and merging gives exactly the serial result."""
    margin = SympyMargin(sp.log(1 + (K - 1) * sp.exp(-x)) - sp.log(K) + x * (K - 1) / K)
    root = Box((Dim("K", Fraction(2), Fraction(9), True), Dim("x", Fraction(1, 10), Fraction(5))))
    serial = run(margin, root, Limits(max_depth=12))
    left, right = split(root)
    assert split(root) == (left, right) and left.depth == right.depth == 1
    assert left.dims[0] == Dim("K", Fraction(2), Fraction(5), True) or left.dims[1].hi == Fraction(51, 20)
    parts = merge(root, [run(margin, left, Limits(max_depth=12)), run(margin, right, Limits(max_depth=12))])
    assert (parts.proven, parts.undecided, parts.counterexamples) == (
        serial.proven,
        serial.undecided,
        serial.counterexamples,
    )
    assert decide(margin, root)[0] == decide(margin, root)[0]


def test_integer_ranges_split_into_integer_ranges():
    box = Box((Dim("K", Fraction(2), Fraction(5), True),))
    a, b = split(box)
    assert (a.dims[0].lo, a.dims[0].hi, b.dims[0].lo, b.dims[0].hi) == (2, 3, 4, 5)
    assert split(Box((Dim("K", Fraction(3), Fraction(3), True),))) is None


@pytest.mark.parametrize(
    "box,fix",
    [
        (["K=1..5", "E_H=1", "E_W=1"], "K"),
        (["K=2..5", "E_H=2..1", "E_W=1"], "E_H"),
        (["K=2..5", "E_H=1"], "E_W"),
        (["K=2.5..5", "E_H=1", "E_W=1"], "K"),
        (["Q=1..2"], "Q"),
    ],
)
def test_bad_boxes_are_one_line_errors(capsys, box, fix):
    assert main(["certify", "fang2021.thm1", "--box", *box]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and fix in err


def test_a_claim_without_inequalities_says_so(capsys):
    assert main(["certify", "tirer2022.thm3_1", "--box", "K=2..3"]) == 2
    assert "no proof inequality" in capsys.readouterr().err


def test_derive_holds_box_mode():
    step = holds(sp.log(1 + x) < x, {x: ("1/10", 10)}, "log(1 + x) < x", box=True)
    assert step.region is not None and step.region.holds and step.method.startswith("certified")
    tangent = holds(sp.log(1 + x) <= x, {x: (0, 10)}, "log(1 + x) <= x, equal at 0", box=True)
    assert not tangent.region.holds and ">99.9999%" in tangent.method  # x = 0 itself: never rounded up to 100%
    with pytest.raises(DerivationFailed):
        holds(sp.log(x) >= 0, {x: ("1/2", 2)}, "log is nonnegative", points=0, box=True)


def test_thm4_condition_is_exactly_the_lambert_w_region():
    """(s - x_star(K)) x (the printed condition's margin) > 0 away from s = x_star(K): proven everywhere but on
    boxes of relative width < 1e-9 around the Lambert-W boundary, never a counter-example."""
    import mpmath

    from verify.claims.fang2021.thm4 import x_star_findroot

    claim = catalogue()["fang2021.thm4"]
    box = parse_box(claim, ["K=2..6", "E_H=1/10..30", "E_W=1"])
    ((_, _, r),) = certify_claim(claim, box, ["lambert_w_boundary"])
    assert not r.counterexamples and r.proven_share() > 1 - Fraction(1, 10**6)
    for b in r.undecided:
        K_, s_dim = int(b.dims[0].lo), b.dims[1]
        xs = x_star_findroot(K_, 30)
        assert mpmath.mpf(s_dim.lo.numerator) / s_dim.lo.denominator <= xs * (1 + mpmath.mpf(10) ** -9)
        assert mpmath.mpf(s_dim.hi.numerator) / s_dim.hi.denominator >= xs * (1 - mpmath.mpf(10) ** -9)
    ((_, _, cond),) = certify_claim(claim, parse_box(claim, ["K=3", "E_H=3..4", "E_W=3..4"]), ["condition"])
    assert cond.holds  # s in [3, 4] > x_star(3) = 2.279: the hypothesis holds on the whole box


def test_thm3_corrected_bound_is_an_identity():
    claim = catalogue()["fang2021.thm3"]
    box = parse_box(claim, ["K=2..20", "n=1..4", "E_H=1/10..10", "tau=1/10..10"])
    ((_, _, r),) = certify_claim(claim, box)
    assert r.holds and r.examined == 1
