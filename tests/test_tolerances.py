"""Every tolerance is tied to its reason, and the reason is checked (issue 18; verify/authoring/tolerances.py).

A tolerance looser than its error budget fails; a value tolerance loosened 10^10x is caught; at each claim's
pinned points the residuals and conditions the budgets assume are those the solve measures; a decided quantity
(ErrorBudget.exact: an indicator, a rank) is measured as an integer and justifies no guard digit; a census's
tolerance is one division's rounding, below one start's share; a statistical quantity's tolerance is the solve's
interval."""

from dataclasses import replace

import mpmath
import pytest

from verify.authoring.tolerances import budget_violations, looser_than_reason
from verify.engine.registry import catalogue
from verify.record import SolveOptions

OPTIONS = SolveOptions(dps=30)

#: statistical quantities: their tolerance is the solve's own confidence interval, not an error budget
STATISTICAL = {"tirer2022.thm5_1": {"attenuation", "rate"}}

#: census quantities: the fraction of starts ending at the global value, a count over a count (a census finds what
#: it finds; no error budget). Their reason: one division rounded at dps digits, so the tolerance may have at most
#: CENSUS_GUARD_DIGITS guard digits, and one start ending elsewhere (1/starts) must fail the comparison.
#: The solve reports its number of starts as details["census_starts"].
CENSUS = {"tirer2022.strict_saddles": {"fraction_at_global": "L-BFGS and gradient-descent starts at the global value"}}
CENSUS_GUARD_DIGITS = 1


def _params():
    return [pytest.param(c, id=c.id) for c in catalogue().values()]


def _statistical(claim):
    return STATISTICAL.get(claim.id, set()) | set(CENSUS.get(claim.id, {}))


@pytest.mark.parametrize("claim", _params())
def test_no_tolerance_is_looser_than_its_budget(claim):
    problems = [p for p in looser_than_reason(claim) if p.split(":")[1] not in _statistical(claim)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("claim", _params())
def test_budgets_hold_at_the_pinned_points(claim):
    """The residual and condition each budget assumes, measured by the solve at the first two pinned points;
    a statistical quantity has its interval in the solve's details instead."""
    unbudgeted = [q.name for q in claim.quantities if q.tolerance.budget is None and q.name not in _statistical(claim)]
    assert not unbudgeted, f"{claim.id}: no error budget for {unbudgeted}"
    for example in claim.examples[:2]:
        values = claim.parse(example.params)
        report = claim.solver(values, OPTIONS)
        if not report.converged:
            continue
        assert not budget_violations(claim, report), budget_violations(claim, report)
        for name in STATISTICAL.get(claim.id, set()):
            assert name in report.details.get("intervals", {}), f"{name}: no interval in the solve's details"


@pytest.mark.parametrize("claim_id", sorted(CENSUS))
def test_census_tolerances_resolve_one_start(claim_id):
    """A census's tolerance is its rounding (one division), never wide enough to pass a start that ended elsewhere."""
    claim = catalogue()[claim_id]
    for name, reason in CENSUS[claim_id].items():
        q = claim.quantity(name)
        assert reason and q.tolerance.budget is None, f"{name}: a census has a named reason, not an error budget"
        assert q.tolerance.guard_digits <= CENSUS_GUARD_DIGITS, f"{name}: looser than one division's rounding"
        values = claim.parse(claim.examples[0].params)
        report = claim.solver(values, OPTIONS)
        (fraction,) = report.quantities[name]
        starts = report.details["census_starts"]
        assert q.tolerance.at(OPTIONS.dps) < mpmath.mpf(1) / starts / 10, f"{name}: does not resolve 1/{starts}"
        assert abs(fraction * starts - round(fraction * starts)) <= starts * q.tolerance.at(OPTIONS.dps)


def test_a_value_tolerance_loosened_1e10_is_caught():
    claim = catalogue()["fang2021.thm1"]
    value = claim.quantity("value")
    loose = replace(value, tolerance=replace(value.tolerance, guard_digits=value.tolerance.guard_digits + 10))
    mutated = replace(claim, quantities=tuple(loose if q.name == "value" else q for q in claim.quantities))
    assert any("value" in p and "looser" in p for p in looser_than_reason(mutated))
    padded = replace(loose, tolerance=replace(loose.tolerance, budget=replace(loose.tolerance.budget, spare_digits=11)))
    mutated = replace(claim, quantities=tuple(padded if q.name == "value" else q for q in claim.quantities))
    assert any("spare" in p for p in looser_than_reason(mutated))  # padding the budget instead is caught too


def test_an_overstated_condition_is_caught():
    """A budget whose assumed amplification is below what the solve measures is reported."""
    claim = catalogue()["fang2021.thm1"]
    geometry = claim.quantity("cosine")
    tight = replace(geometry.tolerance, budget=replace(geometry.tolerance.budget, amplification=1.0))
    mutated = replace(
        claim, quantities=tuple(replace(q, tolerance=tight) if q.name == "cosine" else q for q in claim.quantities)
    )
    values = claim.parse(claim.examples[0].params)
    assert any("kkt_condition" in p for p in budget_violations(mutated, claim.solver(values, OPTIONS)))


def test_an_exact_quantity_carrying_rounding_is_caught():
    """A decided quantity (ErrorBudget.exact: an indicator) must be measured as an integer, and its budget
    justifies no digit beyond its spare ones."""
    claim = catalogue()["dang2023.one_layer"]
    values = claim.parse(claim.examples[0].params)
    report = claim.solver(values, OPTIONS)
    assert not budget_violations(claim, report)
    blurred = replace(report, quantities={**report.quantities, "alive": (mpmath.mpf("0.999999"),)})
    assert any("alive" in p and "not an integer" in p for p in budget_violations(claim, blurred))
    alive = claim.quantity("alive")
    loose = replace(alive, tolerance=replace(alive.tolerance, guard_digits=8))
    mutated = replace(claim, quantities=tuple(loose if q.name == "alive" else q for q in claim.quantities))
    assert any("alive" in p and "looser" in p for p in looser_than_reason(mutated))


def test_a_root_solve_reports_its_accuracy():
    """root_solve's root_error is the residual a threshold's budget names (hong2023.minority_collapse: R*)."""
    claim = catalogue()["hong2023.minority_collapse"]
    report = claim.solver(claim.parse(claim.examples[0].params), OPTIONS)
    (error,) = [v for k, v in report.residuals.items() if k.endswith("root_error")]
    assert 0 <= error <= 10.0**-OPTIONS.dps
