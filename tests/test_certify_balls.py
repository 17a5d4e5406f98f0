"""Certified balls of thresholds and roots (issue 18; verify/certify/intervals.py, roots.py, evaluate.py).

For every quantity that offers a ball, at every pinned example where it is computed: the ball contains the
quantity's value computed independently of the ball (the closed form by verify.precision, or the reference's
Newton solve, at 60 digits), it is narrow at the working precision, and a value perturbed by 1e-20 relative
falls outside at dps 40."""

import json
from fractions import Fraction

import jsonschema
import mpmath
import pytest
import sympy as sp
from flint import arb

from verify.certify.intervals import (
    Undecided,
    arb_of,
    ball_ends,
    ball_text,
    closed_form_ball,
    contains,
    evaluate,
    precision,
    relative_radius,
    root_by_sign_change,
)
from verify.certify.roots import krawczyk, positive_roots_by_sign_change
from verify.engine.registry import catalogue
from verify.face.cli import main
from verify.record import Undefined, Withheld

DPS = 40
#: The ball must be narrow at the working precision: relative radius below 10^-(dps - 5) (the hooks work at
#: dps + 10 or more digits; 5 digits of slack cover a radius from the midpoint's rounding).
NARROW = mpmath.mpf(10) ** -(DPS - 5)
PERTURBATION = mpmath.mpf("1e-20")

CASES = [
    (c, q.name, i)
    for c in catalogue().values()
    for q in c.quantities
    if q.ball is not None
    for i in range(len(c.examples))
]


def _components(value):
    return value.items() if isinstance(value, dict) else [("", value)]


@pytest.mark.parametrize("claim,name,i", CASES, ids=[f"{c.id}:{n}:{i}" for c, n, i in CASES])
def test_ball_contains_the_value_and_excludes_a_perturbation(claim, name, i):
    values = claim.parse(claim.examples[i].params)
    q = claim.quantity(name)
    if claim.withheld(q, values) is not None:
        pytest.skip("withheld at this example")
    with mpmath.workdps(60):
        reference = claim.evaluate(values, 60, [name])[name]
    if isinstance(reference, Undefined | Withheld):
        with pytest.raises(Undecided):  # no ball where the quantity does not exist
            q.ball(values, DPS)
        return
    ball = q.ball(values, DPS)
    balls = dict(_components(ball)) if isinstance(ball, dict) else {"": ball}
    for label, ref in _components(reference):
        b = balls[label]
        assert contains(b, ref), f"{name}[{label}]: {ball_text(b, DPS)} misses {mpmath.nstr(ref, 50)}"
        assert ref == 0 or relative_radius(b) < NARROW
        with mpmath.workdps(60):
            for sign in (1, -1):
                assert not contains(b, ref * (1 + sign * PERTURBATION)), f"{name}[{label}] admits a 1e-20 change"


def test_ball_ends_round_outward_and_text_contains_the_ball():
    with precision(40):
        third = arb(1) / 3
    lo, hi = ball_ends(third, 45)
    assert Fraction(lo) < Fraction(1, 3) < Fraction(hi)
    mid, rad = ball_text(third, 40).split(" +- ")
    assert abs(Fraction(mid) - Fraction(1, 3)) <= Fraction(rad)


def test_undecided_instead_of_a_wrong_ball():
    x = sp.Symbol("x", positive=True)
    with precision(30):
        with pytest.raises(Undecided):  # the condition x < 1 straddles at a ball around 1
            evaluate(sp.Piecewise((x, x < 1), (2 * x, True)), {x: arb(1, 1e-10)})
        with pytest.raises(Undecided):
            evaluate(sp.log(x - 1), {x: arb(1)})
    with pytest.raises(Undecided):  # a double root has no sign change
        root_by_sign_change(lambda u: (u - 1) ** 2, Fraction(1), dps=30)


def test_sign_change_and_krawczyk_enclose_known_roots():
    with precision(50):
        two = root_by_sign_change(lambda u: u * u - 2, Fraction(14142, 10000) + Fraction(1, 10**5), Fraction(1, 1000))
        assert two.contains(arb(2).sqrt())
        x, y = sp.symbols("x y")
        box = krawczyk([x**2 + y**2 - 1, x - y], [x, y], {}, [0.7, 0.7])
        assert box[0].overlaps(1 / arb(2).sqrt()) and box[0].rad() < arb(10) ** -40
        roots = positive_roots_by_sign_change([arb(1), arb(0), arb(0), arb(-1), arb(3) / 10], [0.309, 0.868])
        assert len(roots) == 2 and all(abs(r**4 - r + arb(3) / 10) < arb(10) ** -40 for r in roots)
        with pytest.raises(Undecided):  # Descartes allows two positive roots: one found is not all of them
            positive_roots_by_sign_change([arb(1), arb(0), arb(0), arb(-1), arb(3) / 10], [0.868])


def test_closed_form_ball_at_extreme_scales():
    lam = sp.Symbol("lambda_W", positive=True)
    ball = closed_form_ball(1 / (4 * lam))
    for value in (Fraction(1, 10**6), Fraction(10**6), Fraction(1, 10**60)):
        b = ball({"lambda_W": value}, 40)
        assert contains(b, Fraction(1) / (4 * value))
        assert relative_radius(b) < 1e-35
    assert arb_of(Fraction(1, 4)).rad() == 0


def test_eval_certify_text_and_json(capsys):
    argv = ["eval", "fang2021.thm5", "K_A=2", "K_B=2", "E_H=1", "E_W=1", "--certify"]
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "R0" in text and "+-" in text.split("certified balls")[1]
    assert main([*argv, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    from pathlib import Path

    schema = json.loads((Path(__file__).resolve().parents[1] / "docs/schemas/eval.schema.json").read_text())
    jsonschema.validate(data, schema)
    r0 = data["balls"]["R0"]
    assert Fraction(r0["lower"]) < Fraction(r0["upper"]) and "R1" in data["balls"] and "none" in data["balls"]["R1"]


def test_eval_certify_vector_balls_json(capsys):
    from pathlib import Path

    argv = ["eval", "dang2024.thm1", "n=8,4,2", "lambda_W=1/20", "lambda_H=1/20", "--certify", "--json"]
    assert main([*argv, "--quantity", "collapse_lambda"]) == 0
    data = json.loads(capsys.readouterr().out)
    schema = json.loads((Path(__file__).resolve().parents[1] / "docs/schemas/eval.schema.json").read_text())
    jsonschema.validate(data, schema)
    components = data["balls"]["collapse_lambda"]["components"]
    assert set(components) == {"1", "2", "3"}
    exact = Fraction(2 * 8, 3 * 14 * 14)  # T_1 = (K-1) n_1 / (K N^2)
    assert Fraction(components["1"]["lower"]) <= exact <= Fraction(components["1"]["upper"])
