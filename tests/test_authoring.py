"""The public authoring API (verify.authoring): claims built outside the catalogue are validated when built,
with errors that name the field and the fix, and check like built-in ones (verified, and failed when wrong)."""

from fractions import Fraction

import pytest
import sympy as sp

from verify import authoring as a
from verify.authoring import ClaimDefinitionError
from verify.base.errors import InputError
from verify.engine.checking import Verdict, check_claim
from verify.record import SolveOptions

# A small claim: Fang et al. 2021 Theorem 1's optimal value and cosine, encoded as a user would (symbols
# created without the parameters' assumptions on purpose: they are matched by name).
K, E_H, E_W = sp.symbols("K E_H E_W")
S = sp.sqrt(E_H * E_W)
VALUE = sp.log(1 + (K - 1) * sp.exp(-K * S / (K - 1)))
TOL = a.tolerance(8, "KKT residual 10^-(dps-5) and O(NK) rounded terms; first-order insensitive value")
GEO = a.tolerance(10, "forward error of the refined point: residual 10^-(dps-5) times a condition below 1e3")


def fields(**changes):
    base = dict(
        id="mine2026.thm1",
        title="ETF value",
        statement="the balanced LPM minimum is log(1 + (K-1) exp(-K s/(K-1)))",
        source="my paper, Theorem 1",
        convention="Fang et al. 2021 Eq. (7): mean loss, budgets (1/K) sums",
        parameters=[a.integer("K", "classes"), a.real("E_H", "feature budget"), a.real("E_W", "classifier budget")],
        hypotheses=[a.hypothesis("K >= 2", lambda v: v["K"] >= 2, "K", "use at least two classes")],
        quantities=[a.quantity("value", "optimal value", VALUE, TOL), a.quantity("cosine", "cos", -1 / (K - 1), GEO)],
        solve=a.layer_peeled_solve(
            budgets={"H": "E_H", "W": "E_W"}, measure=["value", "cosine"], dimension=lambda v: v["K"]
        ),
        strategy={"K": a.integers(2, 3), "E_H": a.decimals("0.1", "3"), "E_W": a.decimals("0.1", "3")},
        examples=[a.example("K = 3", K=3, E_H=1, E_W="1/2")],
    )
    return base | changes


def test_a_user_claim_verifies_and_knows_its_module():
    claim = a.claim(**fields())
    assert claim.module == __name__
    assert "multistart" in claim.solver_description
    assert {s.name for s in claim.quantity("value").expr.free_symbols} == {"K", "E_H", "E_W"}
    assert claim.quantity("value").expr.free_symbols <= {p.symbol for p in claim.parameters}  # matched by name
    result = check_claim(claim, examples=2, seed=0, options=SolveOptions(dps=30))
    assert result.verdict is Verdict.VERIFIED, [(p.params, p.solve.message) for p in result.points]


def test_a_wrong_closed_form_comes_back_failed():
    wrong = a.quantity("value", "optimal value, exponent off by K/(K-1)", sp.log(1 + (K - 1) * sp.exp(-S)), TOL)
    claim = a.claim(**fields(quantities=[wrong]))
    result = check_claim(claim, examples=0, options=SolveOptions(dps=30))
    assert result.verdict is Verdict.FAILED


@pytest.mark.parametrize(
    "changes, field, words",
    [
        ({"id": "thm1"}, "id", "<paper>.<claim>"),
        ({"title": " "}, "title", "empty"),
        ({"parameters": [a.integer("K", "classes"), a.integer("K", "again")]}, "parameters[1]", "twice"),
        (
            {"quantities": [a.quantity("value", "v", VALUE + sp.Symbol("lam"), TOL)]},
            "quantities[0] (value).expr",
            "lam",
        ),
        (
            {"hypotheses": [a.hypothesis("q > 1", lambda v: v["q"] > 1, "q", "raise q")]},
            "hypotheses[0].parameter",
            "'q'",
        ),
        (
            {"solve": a.layer_peeled_solve(budgets={"H": "E_H", "W": "B_W"}, measure=["value", "cosine"])},
            "solve",
            "B_W",
        ),
        ({"solve": a.layer_peeled_solve(budgets={"H": "E_H", "W": "E_W"}, measure=["value"])}, "solve", "'p'"),
        (
            {"solve": a.layer_peeled_solve(budgets={"H": "E_H", "W": "E_W"}, measure=["value"], dimension=lambda v: 3)},
            "solve",
            "cosine",
        ),
        ({"strategy": {"K": a.integers(2, 3), "E_H": a.decimals(1, 2)}}, "strategy", "E_W"),
        ({"examples": [a.example("K = 1", K=1, E_H=1, E_W=1)]}, "examples[0] (K = 1)", "K >= 2"),
        ({"examples": []}, "examples", "at least one"),
        ({"quantities": [("value", VALUE)]}, "quantities[0]", "tuple is not a Quantity"),
        ({"solve": "SLSQP"}, "solve", "not callable"),
    ],
)
def test_construction_errors_name_the_field_and_the_fix(changes, field, words):
    with pytest.raises(ClaimDefinitionError) as info:
        a.claim(**fields(**changes))
    assert info.value.parameter == field
    assert words in str(info.value) and "mine2026.thm1" in str(info.value) or field == "id"
    assert info.value.fix


def test_record_builders_reject_missing_reasons_at_once():
    with pytest.raises(ClaimDefinitionError, match="tolerance.reason"):
        a.tolerance(8, "")
    with pytest.raises(ClaimDefinitionError, match="guard_digits"):
        a.tolerance(30, "too many")
    with pytest.raises(ClaimDefinitionError, match="tolerance"):
        a.quantity("value", "v", VALUE)
    with pytest.raises(ClaimDefinitionError, match="not an identifier"):
        a.real("E H", "budget")
    with pytest.raises(InputError, match="exactly one of budgets"):
        a.layer_peeled_solve(measure=["value"])
    with pytest.raises(InputError, match="not a standard invariant"):
        a.layer_peeled_solve(budgets={"H": "E_H", "W": "E_W"}, measure=["gram"])


def test_default_strategy_respects_hypotheses_and_defaults():
    from verify.engine.checking import drawn_points

    params = [a.integer("K", "classes"), a.integer("p", "dimension", default=lambda v: v["K"], default_text="K")]
    hyp = a.hypothesis("p >= K + 1", lambda v: v["p"] >= v["K"] + 1, "p", "raise p")
    draw = a.draws({"K": a.integers(2, 6)}, params=params, hypotheses=[hyp])
    claim = a.claim(
        **fields(parameters=params, hypotheses=[], quantities=[a.quantity("c", "cos", -1 / (K - 1), GEO)])
        | {
            "strategy": draw,
            "solve": a.minimise(lambda v: None, lambda *x: {}, "nothing"),
            "examples": [a.example("K = 2", K=2)],
        }
    )
    with pytest.raises(Exception):  # p = K violates p >= K + 1 at every draw: Hypothesis gives up
        drawn_points(claim, 2, 0)
    ok = a.draws(
        {"K": a.integers(2, 6), "p": lambda v: a.integers(v["K"], v["K"] + 2)}, params=params, hypotheses=[hyp]
    )
    claim = a.claim(
        **fields(parameters=params, quantities=[a.quantity("c", "cos", -1 / (K - 1), GEO)])
        | {
            "hypotheses": [],
            "strategy": ok,
            "solve": a.minimise(lambda v: None, lambda *x: {}, "nothing"),
            "examples": [a.example("K = 2", K=2, p=3)],
        }
    )
    points = drawn_points(claim, 5, 0)
    assert points and all(p["p"] >= p["K"] + 1 and isinstance(p["K"], Fraction) for p in points)


def test_bounded_problem_through_the_standard_pipeline():
    """min (x - 2)^2 + (y + 1)^2 over 0 <= x <= 1, y >= 0: the minimiser is (1, 0), value 2 (a bound active each)."""
    import numpy as np

    prob = a.bounded(
        lambda x, ar: (x[0] - 2) ** 2 + (x[1] + 1) ** 2,
        lambda x, ar: np.array([2 * (x[0] - 2), 2 * (x[1] + 1)]),
        lower=[0, 0],
        upper=[1, float("inf")],
    )
    solve = a.minimise(lambda v: prob, lambda pr, x, ar: {"value": (pr.objective(x, ar),)}, "box", measures=["value"])
    report = solve({}, SolveOptions(dps=30))
    assert report.converged, report.message
    assert abs(report.quantities["value"][0] - 2) < 1e-25


def test_the_catalogue_claims_meet_the_same_contract():
    """Built-in claims are held to the checks a user's claim gets when built (no private path for our own)."""
    from verify.engine.registry import catalogue

    for built in catalogue().values():
        a.validate(built)


def test_thm4_claim_for_blames_the_function_that_fails():
    from verify.claims.fang2021.thm4 import claim_for
    from verify.models.softmax_losses import X

    with pytest.raises(InputError) as info:
        claim_for(-sp.log(X), -X, "bad-g2")
    assert info.value.parameter == "g2" and "g2 = -x" in str(info.value)
    with pytest.raises(InputError) as info:
        claim_for(X, X**2, "bad-g1")
    assert info.value.parameter == "g1"
    claim = claim_for(sp.exp(-X), X**2, "fine")
    assert [h.parameter for h in claim.hypotheses][-2:] == ["g1", "g2"]


def test_conic_and_direct_solves_of_an_imbalanced_program_agree():
    """Two independent solves built from the authoring factories: the certified Gram relaxation (15) and the
    direct multistart + KKT solve of (7), class sizes (2, 1, 1); Lemma 1 says their optima coincide."""
    from verify.models.gram_relaxation import GramProgram

    conic = a.conic_solve(
        lambda v: GramProgram((2, 1, 1), v["E_H"], v["E_W"]),
        lambda sol, dps: {"value": (sol.value,)},
        "program (15), Clarabel then polished",
        measures=["value"],
    )
    direct = a.layer_peeled_solve(budgets={"H": "E_H", "W": "E_W"}, measure=["value"], classes=lambda v: (2, 1, 1))
    values = {"E_H": Fraction(1), "E_W": Fraction(2), "p": Fraction(6)}
    r1, r2 = conic(values, SolveOptions(dps=30)), direct(values, SolveOptions(dps=30))
    assert r1.converged and r2.converged, (r1.message, r2.message)
    assert abs(r1.quantities["value"][0] - r2.quantities["value"][0]) < 1e-22
