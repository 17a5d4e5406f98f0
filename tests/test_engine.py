"""The engine: parameter parsing, hypotheses, relative errors, and honest verdicts."""

from dataclasses import replace
from fractions import Fraction

import mpmath
import pytest

from verify.base.errors import InputError
from verify.engine.checking import Verdict, check_claim, check_point, drawn_points, relative_error
from verify.engine.registry import get
from verify.record import SolveOptions, SolveReport, Unavailable, Undefined

THM1 = get("fang2021.thm1")


def test_parse_is_exact():
    v = THM1.parse({"K": "3", "n": "2", "p": "2", "E_H": "0.1", "E_W": "1/3"})
    assert v["E_H"] == Fraction(1, 10) and v["E_W"] == Fraction(1, 3)


@pytest.mark.parametrize(
    "params,name,words",
    [
        ({"K": "1", "n": "1", "p": "1", "E_H": "1", "E_W": "1"}, "K", "K >= 2"),
        ({"K": "3", "n": "1", "p": "1", "E_H": "1", "E_W": "1"}, "p", "p >= K - 1"),
        ({"K": "3", "n": "1", "p": "2", "E_H": "0", "E_W": "1"}, "E_H", "E_H > 0"),
        ({"K": "3", "n": "1", "p": "2", "E_H": "1", "E_W": "-2"}, "E_W", "E_W > 0"),
        ({"K": "2.5", "n": "1", "p": "2", "E_H": "1", "E_W": "1"}, "K", "not an integer"),
        ({"K": "3", "n": "1", "p": "2", "E_H": "abc", "E_W": "1"}, "E_H", "not a number"),
        ({"K": "3", "n": "1", "p": "2", "E_H": "1"}, "E_W", "needs E_W"),
        ({"K": "3", "n": "1", "p": "2", "E_H": "1", "E_W": "1", "q": "2"}, "q", "unknown parameter"),
    ],
)
def test_bad_input_names_parameter_and_hypothesis(params, name, words):
    with pytest.raises(InputError) as err:
        THM1.parse(params)
    assert err.value.parameter == name and words in str(err.value)


def test_unknown_claim_id():
    from verify.engine.registry import catalogue
    from verify.engine.registry import get as get_claim

    with pytest.raises(InputError, match="known ids: ") as info:
        get_claim("fang2021.nope")
    assert info.value.parameter == "ID"
    assert all(claim_id in str(info.value) for claim_id in catalogue())


def test_relative_error_and_undefined():
    with mpmath.workdps(30):
        err, worst = relative_error(mpmath.mpf(2), (mpmath.mpf(2), mpmath.mpf("2.002")))
        assert mpmath.almosteq(err, mpmath.mpf("0.001")) and worst == mpmath.mpf("2.002")
        err, worst = relative_error(mpmath.mpf(1), (mpmath.mpf(1), Undefined("zero-norm vector h_1")))
        assert err is None and "h_1" in str(worst)


def _fake_solver(converged: bool, value: str):
    def solver(values, options):
        with mpmath.workdps(options.dps):
            q = {name: (mpmath.mpf(v),) for name, v in THM1.evaluate(values, options.dps).items()}
            q["value"] = (mpmath.mpf(value),)
        return SolveReport(converged, "fake", q, {}, {}, options.dps, 0.0)

    return solver


def test_inconclusive_is_never_a_pass():
    claim = replace(THM1, solver=_fake_solver(False, "0.1"))  # wrong value, but solver did not converge
    point = check_point(claim, claim.parse(claim.examples[0].params), SolveOptions())
    assert point.verdict is Verdict.INCONCLUSIVE
    result = check_claim(claim, examples=0)
    assert result.verdict is Verdict.INCONCLUSIVE


def test_converged_disagreement_fails_and_names_the_point():
    claim = replace(THM1, solver=_fake_solver(True, "0.1"))
    result = check_claim(claim, examples=0)
    assert result.verdict is Verdict.FAILED
    assert all(p.verdict is Verdict.FAILED for p in result.points)
    assert result.worst().name == "value"


def test_undefined_measurement_fails_a_converged_check():
    def solver(values, options):
        rep = _fake_solver(True, "0")(values, options)
        q = dict(rep.quantities)
        q["value"] = (THM1.evaluate(values, options.dps)["value"],)
        q["cosine"] = (Undefined("zero-norm vector hbar_1"),)
        return replace(rep, quantities=q)

    claim = replace(THM1, solver=solver)
    point = check_point(claim, claim.parse(claim.examples[0].params), SolveOptions())
    assert point.verdict is Verdict.FAILED


def _with_reference(claim, name, reference):
    quantities = tuple(
        replace(q, reference=reference, definition="test reference") if q.name == name else q for q in claim.quantities
    )
    return replace(claim, quantities=quantities)


def test_unavailable_reference_is_inconclusive_even_when_the_solve_converged():
    claim = _with_reference(
        replace(THM1, solver=_fake_solver(True, "0.1")), "value", lambda v, d: Unavailable("root find")
    )
    assert check_point(claim, claim.parse(claim.examples[0].params), SolveOptions()).verdict is Verdict.INCONCLUSIVE


def test_predicted_undefined_agrees_only_with_measured_undefined():
    assert relative_error(Undefined("w_B = 0"), (Undefined("zero-norm w_3"),) * 2)[0] == 0
    assert relative_error(Undefined("w_B = 0"), (Undefined("zero-norm w_3"), mpmath.mpf("0.5")))[0] is None


def test_drawn_points_are_reproducible_and_valid():
    a, b = drawn_points(THM1, 5, seed=3), drawn_points(THM1, 5, seed=3)
    assert a == b and len(a) == 5
    for v in a:
        THM1.parse(v)
