"""The claim contract v2: vector parameters, documented defaults, partial evaluation (each quantity with what it
needs), vector quantities compared component by component, and the Python API of ``verify.claim(id)``."""

from fractions import Fraction

import mpmath
import pytest

import verify
from verify.base.errors import InputError
from verify.engine.checking import Verdict, compare, judge
from verify.engine.registry import get
from verify.face.cli import main
from verify.record import (
    Claim,
    Example,
    Hypothesis,
    Parameter,
    Quantity,
    SolveReport,
    Source,
    Tolerance,
    Undefined,
    Withheld,
)

TOL = Tolerance(guard_digits=5, reason="test tolerance: 10^-(dps-5)")


# --- a toy claim with a vector parameter ------------------------------------------------------------------
def _squares(values, dps):
    return {str(i + 1): mpmath.mpf(int(n)) ** 2 for i, n in enumerate(values["n"])}


def _toy(measured):
    """A claim whose vector quantity is n_k^2 per class; the 'solver' returns ``measured`` as it is."""

    def solver(values, options):
        return SolveReport(True, "fake", measured(values), {}, {}, options.dps, 0.0)

    return Claim(
        id="toy.squares",
        title="toy",
        statement="n_k^2",
        source=Source("none", "none", ()),
        convention="none",
        parameters=(
            Parameter("n", "integer_vector", "class sizes"),
            Parameter("d", "integer", "dimension", default=lambda v: 4 * len(v["n"]), default_text="4K"),
        ),
        hypotheses=(
            Hypothesis("n_k >= 1", lambda v: min(v["n"]) >= 1, "n", "give positive class sizes"),
            Hypothesis("d >= K", lambda v: v["d"] >= len(v["n"]), "d", "raise d to at least K = len(n)"),
        ),
        quantities=(Quantity("squares", "n_k^2", None, TOL, reference=_squares, definition="n_k^2", needs=("n",)),),
        solver=solver,
        solver_description="fake",
        strategy=lambda: None,
        examples=(Example({"n": "3,2"}, "two classes"),),
    )


def _exact(values):
    return {"squares": {str(i + 1): (mpmath.mpf(int(n)) ** 2,) for i, n in enumerate(values["n"])}}


@pytest.mark.parametrize("text", ["8,4,2", "[8, 4, 2]", (8, 4, 2), ["8", "4", "2"]])
def test_vector_parameter_parses_strings_and_sequences(text):
    assert Parameter("n", "integer_vector", "sizes").parse(text) == (8, 4, 2)


@pytest.mark.parametrize("text,words", [("", "empty"), ("8,x,2", "n[2]"), ("8,2.5", "not an integer"), ([], "empty")])
def test_vector_parameter_errors_name_the_entry(text, words):
    with pytest.raises(InputError, match="n") as err:
        Parameter("n", "integer_vector", "sizes").parse(text)
    assert words in str(err.value) and err.value.parameter == "n"


def test_scalar_parameter_refuses_a_sequence_and_reads_floats_as_decimals():
    par = Parameter("E_H", "real", "budget")
    with pytest.raises(InputError, match="single number"):
        par.parse([1, 2])
    assert par.parse(0.1) == Fraction(1, 10)
    with pytest.raises(InputError, match="characters"):
        par.parse("1" * 500)


def test_defaults_are_filled_for_solve_and_reported():
    toy = _toy(_exact)
    values = toy.parse({"n": "3,2,1"})
    assert values["d"] == 12 and toy.defaulted({"n": "3,2,1"}, values) == {"d": "4K"}
    with pytest.raises(InputError, match="d >= K"):
        toy.parse({"n": "3,2,1", "d": "2"})


def test_vector_quantity_verifies_and_a_wrong_component_fails():
    values = _toy(_exact).parse({"n": "3,2"})
    good = _toy(_exact)
    report = good.solver(values, _options())
    assert judge(report, compare(good, values, report)) is Verdict.VERIFIED

    def one_wrong(v):
        out = _exact(v)
        out["squares"]["2"] = (mpmath.mpf(5),)
        return out

    bad = _toy(one_wrong)
    report = bad.solver(values, _options())
    comps = compare(bad, values, report)
    assert judge(report, comps) is Verdict.FAILED and comps[0].label == "2"

    def missing_component(v):
        return {"squares": {"1": (mpmath.mpf(9),)}}

    short = _toy(missing_component)
    report = short.solver(values, _options())
    assert judge(report, compare(short, values, report)) is Verdict.FAILED


def _options():
    from verify.record import SolveOptions

    return SolveOptions(dps=30)


# --- partial evaluation on the catalogue -------------------------------------------------------------------
def test_thm1_value_without_sizes_assumes_the_dimension_hypothesis():
    thm1 = get("fang2021.thm1")
    values = thm1.parse({"K": "10", "E_H": "5", "E_W": "1"}, partial=True)
    out = thm1.evaluate(values)
    assert all(not isinstance(v, Withheld) for v in out.values())
    assert "p >= K - 1" in thm1.assumptions(thm1.quantity("value"), values)


def test_threshold_is_answered_where_the_main_hypothesis_fails():
    thm4 = get("fang2021.thm4")
    out = thm4.evaluate({"K": "10", "E_H": "1", "E_W": "1"})
    assert isinstance(out["x_star"], mpmath.mpf) and abs(out["x_star"] - mpmath.mpf("5.98065899")) < 1e-7
    assert isinstance(out["value_cross_entropy"], Withheld) and "x_star" in out["value_cross_entropy"].reason
    assert isinstance(out["value_power"], Withheld) and out["value_power"].needs == ("q",)


def test_r0_needs_no_ratio():
    out = get("fang2021.thm5").evaluate({"K_A": "3", "K_B": "7", "E_H": "5", "E_W": "1"})
    assert isinstance(out["R0"], mpmath.mpf) and isinstance(out["value"], Withheld) and out["value"].needs == ("R",)


def test_undefined_is_not_withheld():
    """A quantity that does not exist (Undefined) is an answer; a Withheld one is a request for input."""
    assert not issubclass(Withheld, Undefined) and not issubclass(Undefined, Withheld)


# --- the Python API -----------------------------------------------------------------------------------------
def test_api_eval_prints_every_digit_and_checks_hypotheses():
    result = verify.claim("fang2021.thm1").eval(K=4, E_H=2, E_W="1/2", dps=50)
    shown = str(result["value"])
    assert len(shown.replace("0.", "", 1)) >= 50 and shown.startswith("0.58265765306180045230230350342626994632")
    assert "value" in repr(result) and "50 digits" in repr(result)
    with pytest.raises(InputError, match="K >= 2"):
        verify.claim("fang2021.thm1").eval(K=1, E_H=1, E_W=1)
    with pytest.raises(InputError, match="--dps"):
        verify.claim("fang2021.thm1").eval(K=3, E_H=1, E_W=1, dps=5)


def test_api_solve_fills_defaults_and_exports():
    solved = verify.claim("fang2021.thm1").solve(K=3, E_H=1, E_W=1, starts=3)
    assert solved.converged and solved.defaults == {"n": "1", "p": "K"} and "defaults: n=1" in repr(solved)
    assert "fang2021.thm1" in verify.claim_ids() and verify.__version__
    assert set(verify.__all__) <= set(dir(verify))


# --- the command line -----------------------------------------------------------------------------------------
def test_cli_partial_eval_options_anywhere_and_duplicates(capsys):
    assert main(["eval", "fang2021.thm5", "--dps", "25", "K_A=3", "K_B=7", "E_H=5", "E_W=1"]) == 0
    out = capsys.readouterr().out
    assert "R0" in out and "245.49693059826198509872" in out and "needs R" in out
    assert main(["eval", "fang2021.thm1", "K=3", "K=4", "E_H=1", "E_W=1"]) == 2
    assert "given twice" in capsys.readouterr().err
    assert main(["eval", "fang2021.thm1", "K=3", "E_H=1", "E_W=1", "--quantity", "cosine"]) == 0
    out = capsys.readouterr().out
    assert "cosine " in out and "value" not in out
