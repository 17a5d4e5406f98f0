"""Comparisons: a claim's closed form against every measured instance of a quantity (the worst relative error,
component by component for vector quantities), the step :func:`verify.engine.checking.check_point` judges."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

import mpmath

from verify.record import Claim, SolveReport, Unavailable, Undefined, Withheld


@dataclass(frozen=True)
class Comparison:
    """One quantity at one point: closed form against every measured instance (for a vector quantity, the
    component with the worst error, named by ``label``)."""

    name: str
    predicted: mpmath.mpf | Undefined
    worst_measured: mpmath.mpf | Undefined
    rel_error: mpmath.mpf | None  # None when some instance is undefined
    tolerance: mpmath.mpf
    float_rel_error: mpmath.mpf | None  # the float64 multistart point, before refinement (information)
    instances: int
    label: str | None = None  # the worst component of a vector quantity
    # --certify (verify/engine/certifying.py): [lo, hi] proven for the program's minimum; certified / refuted
    enclosure: tuple[Fraction, Fraction] | None = None
    certified: bool = False
    refuted: bool = False
    certify_note: str = ""

    @property
    def ok(self) -> bool:
        return self.rel_error is not None and self.rel_error <= self.tolerance and not self.refuted


def relative_error(
    predicted: mpmath.mpf | Undefined, measured: tuple
) -> tuple[mpmath.mpf | None, mpmath.mpf | Undefined]:
    """Worst |m - c| / |c| over the instances (absolute |m| when c = 0); None if any instance is undefined.

    When the claim itself predicts that the quantity does not exist (``Undefined``: the cosine of a vector the
    theory says is zero), agreement means every instance is measured undefined too (error 0)."""
    if isinstance(predicted, Unavailable):
        return None, predicted
    if isinstance(predicted, Undefined):
        defined = [m for m in measured if not isinstance(m, Undefined)]
        return (mpmath.mpf(0), measured[0]) if not defined else (None, defined[0])
    worst_err, worst_val = mpmath.mpf(0), None
    for m in measured:
        if isinstance(m, Undefined):
            return None, m
        err = abs(m - predicted) / abs(predicted) if predicted != 0 else abs(m)
        if worst_val is None or err >= worst_err:
            worst_err, worst_val = err, m
    return worst_err, worst_val


def _instances(measured) -> tuple:
    return measured if isinstance(measured, tuple | list) else (measured,)


def _as_mpf(measured: tuple) -> tuple:
    return tuple(v if isinstance(v, Undefined) else mpmath.mpf(v) for v in measured)


def _compare_vector(predicted: Mapping, measured, float_measured) -> tuple:
    """Component by component; a label on one side only is a failure (measured ``Undefined('not measured')``)."""
    if not isinstance(measured, Mapping):
        return None, Undefined("measured a scalar where a vector is predicted"), None, None, 0
    worst = (mpmath.mpf(-1), None, None, None)  # (key, err, value, label)
    count = 0
    float_worst = None
    for label in list(predicted) + [k for k in measured if k not in predicted]:
        if label not in predicted or label not in measured:
            return None, Undefined(f"component {label} on one side only"), None, label, count
        inst = _instances(measured[label])
        count += len(inst)
        err, val = relative_error(predicted[label], inst)
        if err is None:
            return None, val, None, label, count
        if err > worst[0]:
            worst = (err, err, val, label)
        if isinstance(float_measured, Mapping) and label in float_measured:
            ferr = relative_error(predicted[label], _as_mpf(_instances(float_measured[label])))[0]
            if ferr is not None and (float_worst is None or ferr > float_worst):
                float_worst = ferr
    return worst[1], worst[2], float_worst, worst[3], count


def compare(claim: Claim, values: Mapping[str, Fraction], report: SolveReport) -> tuple[Comparison, ...]:
    predicted = claim.evaluate(values, report.dps)
    out = []
    with mpmath.workdps(report.dps):
        for q in claim.quantities:
            pred = predicted[q.name]
            measured = report.quantities.get(q.name, ())
            float_measured = report.float_quantities.get(q.name, ())
            tol = q.tolerance.at(report.dps)
            if isinstance(pred, Withheld):
                out.append(Comparison(q.name, Unavailable(str(pred)), Undefined("not compared"), None, tol, None, 0))
                continue
            if isinstance(pred, Unavailable):  # the prediction broke down (scalar or vector): nothing to compare
                out.append(Comparison(q.name, pred, Undefined("not compared"), None, tol, None, 0))
                continue
            if isinstance(pred, Mapping):
                err, worst, float_err, label, count = (
                    _compare_vector(pred, measured, float_measured)
                    if measured
                    else (None, Undefined("not measured"), None, None, 0)
                )
                shown = (
                    pred.get(label, Undefined("no such component")) if label is not None else next(iter(pred.values()))
                )
                out.append(Comparison(q.name, shown, worst, err, tol, float_err, count, label))
                continue
            measured = _instances(measured) if measured != () else ()
            interval = report.details.get("intervals", {}).get(q.name) if isinstance(report.details, Mapping) else None
            if interval is not None and isinstance(pred, mpmath.mpf):
                # a statistical quantity (Monte-Carlo): the solve's confidence interval (lo, hi), symmetric about
                # the measured mean, is the tolerance; verified iff it holds the prediction
                half = (mpmath.mpf(interval[1]) - mpmath.mpf(interval[0])) / 2
                tol = half / abs(pred) if pred != 0 else half
            err, worst = relative_error(pred, measured) if measured else (None, Undefined("not measured"))
            float_err = relative_error(pred, _as_mpf(_instances(float_measured)))[0] if float_measured else None
            out.append(Comparison(q.name, pred, worst, err, tol, float_err, len(measured)))
    return tuple(out)
