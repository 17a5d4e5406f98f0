"""Tolerances tied to their reasons (issue 18): each :class:`verify.record.Tolerance` carries an
:class:`verify.record.ErrorBudget`, its reason made computable, and these checks hold it to it.

- :func:`looser_than_reason`: a tolerance whose guard digits exceed what its budget accounts for (residual
  digits + log10 of the amplification + at most :data:`verify.record.MAX_SPARE_DIGITS` spare): loosening a
  value tolerance 10^10x is caught here, whatever its reason's text says.
- :func:`budget_violations`: at a solved point, the residuals and conditions the budgets name, measured by the
  solve (``SolveReport.residuals``), against the budgets' assumptions (residual <= 10^-(dps - residual_digits),
  condition <= amplification).

An exact quantity (``ErrorBudget.exact``: an indicator, a rank, a count decided by a cut) must be measured as
an integer at every instance (:func:`budget_violations`). A census (the fraction of starts ending at the global
value) and a statistical quantity have no budget: see tests/test_tolerances.py.

A statistical quantity (its tolerance replaced by the solve's confidence interval, ``details['intervals']``)
has no budget: the interval is its reason, and tests/test_tolerances.py checks the solve reports one.
"""

from __future__ import annotations

from collections.abc import Mapping

from verify.record import MAX_SPARE_DIGITS, Claim, SolveReport, Undefined


def looser_than_reason(claim: Claim) -> list[str]:
    """One line per quantity whose tolerance is looser than its budget justifies (or has no budget)."""
    out = []
    for q in claim.quantities:
        t, b = q.tolerance, q.tolerance.budget
        if b is None:
            out.append(f"{claim.id}:{q.name}: no error budget (the reason is not computable)")
        elif b.spare_digits > MAX_SPARE_DIGITS:
            out.append(f"{claim.id}:{q.name}: {b.spare_digits} spare digits > {MAX_SPARE_DIGITS}")
        elif t.guard_digits > b.guard_digits:
            out.append(
                f"{claim.id}:{q.name}: tolerance 10^-(dps-{t.guard_digits}) is looser than its budget "
                f"10^-(dps-{b.guard_digits}) (residual {b.residual_digits} + amplification {b.amplification:g} "
                f"+ spare {b.spare_digits})"
            )
    return out


def _matching(residuals: Mapping[str, float], name: str) -> list[tuple[str, float]]:
    return [(k, float(v)) for k, v in residuals.items() if k == name or k.endswith("." + name)]


def budget_violations(claim: Claim, report: SolveReport) -> list[str]:
    """One line per budget assumption the solve's measured residuals contradict at this point (and per
    residual a budget names that the solve does not report)."""
    out = []
    seen = set()
    for q in claim.quantities:
        b = q.tolerance.budget
        if b is None or id(b) in seen:
            continue
        seen.add(id(b))
        for name in b.residuals:
            found = _matching(report.residuals, name)
            if not found:
                out.append(f"{claim.id}:{q.name}: the solve reports no residual {name!r}")
            for key, value in found:
                if not abs(value) <= 10.0 ** (-(report.dps - b.residual_digits)):
                    out.append(f"{claim.id}:{q.name}: {key} = {value:.1e} > 10^-(dps-{b.residual_digits})")
        for name in b.condition:
            found = _matching(report.residuals, name)
            if not found:
                out.append(f"{claim.id}:{q.name}: the solve reports no condition {name!r}")
            for key, value in found:
                if not value <= b.amplification:
                    out.append(f"{claim.id}:{q.name}: {key} = {value:.1e} > amplification {b.amplification:g}")
    out += [
        f"{claim.id}:{q.name}: an exact quantity measured as {v}, not an integer"
        for q, v in _not_integers(claim, report)
    ]
    return out


def _instances(measured) -> list:
    if isinstance(measured, Mapping):
        return [v for inst in measured.values() for v in _instances(inst)]
    return list(measured) if isinstance(measured, tuple | list) else [measured]


def _not_integers(claim: Claim, report: SolveReport) -> list:
    """(quantity, instance) for each measured instance of an exact quantity that is defined but not an integer."""
    out = []
    for q in claim.quantities:
        if q.tolerance.budget is None or not q.tolerance.budget.exact:
            continue
        for v in _instances(report.quantities.get(q.name, ())):
            if isinstance(v, Undefined):
                continue
            if not float(v).is_integer():
                out.append((q, v))
    return out
