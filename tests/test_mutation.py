"""Meta-test: every check can fail. For every claim and quantity, a closed form perturbed by a relative
amount well above its tolerance, or with its sign flipped, must make the check report ``failed``."""

from dataclasses import replace

import mpmath
import pytest
import sympy as sp

from verify.engine.checking import Verdict, compare, judge
from verify.engine.registry import catalogue
from verify.record import SolveOptions

OPTIONS = SolveOptions(dps=30)
#: "well above": a hundred tolerances.
FACTOR = 100

CASES = [(c, q.name) for c in catalogue().values() for q in c.quantities]


@pytest.fixture(scope="module")
def solved():
    """One independent solve per claim, at its first pinned example (the solve never sees the closed form)."""
    out = {}
    for claim in catalogue().values():
        values = claim.parse(claim.examples[0].params)
        out[claim.id] = (values, claim.solver(values, OPTIONS))
    return out


def _verdict(claim, name, new_q, solved):
    values, report = solved[claim.id]
    mutated = replace(claim, quantities=tuple(new_q if q.name == name else q for q in claim.quantities))
    return judge(report, compare(mutated, values, report))


@pytest.mark.parametrize("claim,name", CASES, ids=[f"{c.id}:{n}" for c, n in CASES])
def test_unperturbed_check_passes(claim, name, solved):
    values, report = solved[claim.id]
    assert report.converged, report.message
    assert judge(report, compare(claim, values, report)) is Verdict.VERIFIED


@pytest.mark.parametrize("claim,name", CASES, ids=[f"{c.id}:{n}" for c, n in CASES])
def test_perturbed_closed_form_fails(claim, name, solved):
    q = claim.quantity(name)
    values, report = solved[claim.id]
    if name in report.details.get("intervals", {}):
        # a statistical quantity: the comparison's tolerance is the solve's confidence interval, not the dps rule
        (used,) = [c.tolerance for c in compare(claim, values, report) if c.name == name]
        delta = sp.Rational(mpmath.nstr(FACTOR * used, 20))
    else:
        delta = sp.Rational(FACTOR, 10 ** (OPTIONS.dps - q.tolerance.guard_digits))  # = FACTOR * tolerance, exactly
        assert mpmath.almosteq(mpmath.mpf(delta), FACTOR * q.tolerance.at(OPTIONS.dps))
    with mpmath.workdps(OPTIONS.dps):
        predicted = claim.evaluate(solved[claim.id][0], OPTIONS.dps)[name]
    components = list(predicted.values()) if isinstance(predicted, dict) else [predicted]
    assert any(isinstance(v, mpmath.mpf) and v != 0 for v in components), (
        "the first pinned example must give every quantity a defined, nonzero value (for a vector quantity, at "
        "least one nonzero component), or it cannot be perturbed"
    )
    assert _verdict(claim, name, q.scaled(1 + delta), solved) is Verdict.FAILED
    assert _verdict(claim, name, q.scaled(1 - delta), solved) is Verdict.FAILED


@pytest.mark.parametrize("claim,name", CASES, ids=[f"{c.id}:{n}" for c, n in CASES])
def test_sign_flipped_closed_form_fails(claim, name, solved):
    assert _verdict(claim, name, claim.quantity(name).scaled(sp.Integer(-1)), solved) is Verdict.FAILED
