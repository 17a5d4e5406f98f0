"""Independence tested, not trusted (issue 18): every claim's solve, run with its closed forms poisoned (any
read raises, verify/authoring/independence.py), measures exactly what the unpoisoned solve measures."""

import mpmath
import pytest
import sympy as sp

from verify.authoring.independence import ClosedFormRead, poisoned_closed_forms
from verify.engine.registry import catalogue
from verify.record import SolveOptions

OPTIONS = SolveOptions(dps=30)
CLAIMS = list(catalogue().values())


def _same(a, b) -> bool:
    """Measurements equal instance by instance (mpf by value, Undefined by its reason)."""
    if set(a) != set(b):
        return False
    return all(len(a[k]) == len(b[k]) and all(str(x) == str(y) for x, y in zip(a[k], b[k], strict=True)) for k in a)


@pytest.mark.parametrize("claim", CLAIMS, ids=[c.id for c in CLAIMS])
def test_solve_never_reads_its_closed_form(claim):
    values = claim.parse(claim.examples[0].params)
    with poisoned_closed_forms(claim):
        poisoned = claim.solver(values, OPTIONS)
    clean = claim.solver(values, OPTIONS)
    assert clean.converged and poisoned.converged, poisoned.message
    with mpmath.workdps(OPTIONS.dps):
        assert _same(poisoned.quantities, clean.quantities)


def test_the_poison_catches_each_way_of_reading():
    """The poison itself can fail: a solve reading a closed form by each route raises ClosedFormRead."""
    claim = catalogue()["tirer2022.thm3_1"]
    values = claim.parse(claim.examples[0].params)
    kappa = claim.quantity("kappa")
    expr = kappa.expr
    reads = [
        lambda: claim.evaluate(values, 30),
        lambda: claim.quantity("kappa").expr,
        lambda: expr.subs(claim.subs(values)),
        lambda: expr.xreplace(claim.subs(values)),
        lambda: sp.N(2 * expr, 30),
        lambda: sp.lambdify(list(expr.free_symbols), expr),
        lambda: kappa.value(values, claim.subs(values), 30),
    ]
    for read in reads:
        with pytest.raises(ClosedFormRead), poisoned_closed_forms(claim):
            read()
    assert claim.quantity("kappa").expr is expr  # restored afterwards
    with poisoned_closed_forms(claim):  # unrelated sympy work is allowed
        assert sp.Integer(2).subs({}) == 2 and (sp.Symbol("x") + 1).subs("x", 1) == 2


def test_a_solver_returning_its_closed_form_is_caught():
    """The audit's mutation (issue 18): tirer2022.thm3_1's kappa taken from the closed form instead of the
    Hessian at the origin. Unpoisoned it verifies (error 0); poisoned, the read raises."""
    from dataclasses import replace

    from verify.base.precision import evaluate_expr
    from verify.claims.tirer2022._one_layer import KAPPA

    claim = catalogue()["tirer2022.thm3_1"]

    def cheating_solver(values, options):
        report = claim.solver(values, options)
        with mpmath.workdps(options.dps):
            kappa = evaluate_expr(KAPPA, claim.subs(values), options.dps)
        return replace(report, quantities=dict(report.quantities) | {"kappa": (kappa,)})

    cheat = replace(claim, solver=cheating_solver)
    values = cheat.parse(cheat.examples[0].params)
    assert cheat.solver(values, OPTIONS).converged
    with pytest.raises(ClosedFormRead), poisoned_closed_forms(cheat):
        cheat.solver(values, OPTIONS)
