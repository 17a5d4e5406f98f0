"""Kit extension: a quantity defined as a root (a threshold located by a computation), and one claim measured by
several independent solves (docs/authoring.md, section 7).

A theorem often states a threshold in closed form (R* where the minority classifiers merge) beside a geometry at
a point. The threshold is measured *without* the formula as the root of a function that a solve computes (a
one-sided derivative, a curvature, a sign change), and the geometry by the solve of the program at the point:

    solve = a.combine(
        a.group_ufm_solve(...),                                    # the quantities at the point
        a.root_solve("R_star", pressure, variable="R", reads=("K_A", "K_B", "n_B", "lambda_W", "lambda_H"),
                     description="the root in R of the one-sided derivative ..."),
    )

:func:`root_solve` brackets a sign change of ``function(values, t, dps)`` in t > 0 (doubling and halving from
``start``) and refines it by the Illinois method at dps + 10 digits until the bracket is 10^-(dps+2) wide
relative or |function| falls 10^-(dps+4) below its size at the bracket's ends; no sign change in (``lowest``, ``highest``) measures ``Undefined`` with the reason. Its residuals: ``root_bracket`` (the final
bracket's width) and ``root_error`` (the root's relative error estimate: half the bracket, or where |function| hit
its noise, |function| over the secant slope), which an :class:`verify.record.ErrorBudget` names. :func:`combine`
runs its solves in turn and merges their quantities; it has converged when every part has.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence

import mpmath

from verify.authoring.solves import Solve, _error
from verify.base.solving import SolveOptions, SolveReport
from verify.base.values import Undefined


def root_solve(
    name: str,
    function: Callable[[Mapping, mpmath.mpf, int], mpmath.mpf],
    *,
    description: str,
    variable: str = "t",
    start: float = 1.0,
    lowest: float = 1e-6,
    highest: float = 1e6,
    increasing: bool = True,
    reads: Sequence[str] = (),
) -> Solve:
    """Measure quantity ``name`` as the root in ``variable`` > 0 of ``function(values, t, dps)`` (see the module
    docstring); ``increasing``: the function's sign below the root is negative (True) or positive (False)."""
    if not callable(function):
        raise _error("function", "is not callable", "give function(values, t, dps) -> number")
    if not str(description).strip():
        raise _error("description", "is empty", "say what function's root is measured and how it is computed")
    if not 0 < lowest < start < highest:
        raise _error("start", f"need 0 < lowest < start < highest (got {lowest}, {start}, {highest})", "fix the range")

    def run(values, options: SolveOptions) -> SolveReport:
        t0 = time.perf_counter()
        dps = options.dps
        sign = 1 if increasing else -1
        calls = 0

        def f(t):
            nonlocal calls
            calls += 1
            return sign * function(values, t, dps)

        with mpmath.workdps(dps + 10):
            lo, hi = mpmath.mpf(start), mpmath.mpf(start) * 2
            f_lo, f_hi = f(lo), f(hi)
            while f_lo > 0 and lo > lowest:
                hi, f_hi, lo = lo, f_lo, lo / 2
                f_lo = f(lo)
            while f_hi < 0 and hi < highest:
                lo, f_lo, hi = hi, f_hi, hi * 2
                f_hi = f(hi)
            if not (f_lo <= 0 <= f_hi):
                reason = f"no sign change of the function in ({lowest:g}, {highest:g}): no root in that range"
                return SolveReport(True, reason, {name: (Undefined(reason),)}, {}, {}, dps, time.perf_counter() - t0)
            tol = mpmath.mpf(10) ** (-(dps + 2))
            small = max(abs(f_lo), abs(f_hi)) * mpmath.mpf(10) ** (-(dps + 4))  # |f| at the noise of its evaluation
            side = 0
            for _ in range(200):
                if hi - lo <= tol * abs(hi) or abs(f_lo) <= small or abs(f_hi) <= small:
                    break
                mid = hi - f_hi * (hi - lo) / (f_hi - f_lo)
                if not lo < mid < hi:
                    mid = (lo + hi) / 2
                f_mid = f(mid)
                if f_mid < 0:
                    lo, f_lo = mid, f_mid
                    f_hi = f_hi / 2 if side == -1 else f_hi  # Illinois: halve the stale end
                    side = -1
                else:
                    hi, f_hi = mid, f_mid
                    f_lo = f_lo / 2 if side == 1 else f_lo
                    side = 1
            exact = abs(f_lo) <= small or abs(f_hi) <= small
            root = (lo if abs(f_lo) <= abs(f_hi) else hi) if exact else (lo + hi) / 2
            width = hi - lo
            # the root's relative error: half the bracket, or where |f| hit its noise, |f| over the secant slope
            error = width / 2
            if exact and f_hi != f_lo:
                error = min(error, min(abs(f_lo), abs(f_hi)) * width / abs(f_hi - f_lo))
            error = error / abs(root) if root else error
        converged = exact or width <= tol * abs(root) * 10
        with mpmath.workdps(dps):
            message = f"root bracketed to width {mpmath.nstr(width, 3)} after {calls} evaluations"
            return SolveReport(
                converged,
                message if converged else message + " (not converged)",
                {name: (+root,)},
                {},
                {"root_bracket": float(width), "root_error": float(error)},
                dps,
                time.perf_counter() - t0,
                {"evaluations": calls},
            )

    return Solve(run, description, tuple(reads), (name,))


def combine(*solves: Solve, description: str | None = None) -> Solve:
    """One solve measuring every quantity of its parts (run in turn, same options); converged iff all are."""
    if not solves or not all(isinstance(s, Solve) for s in solves):
        raise _error(
            "solves", "give at least one verify.authoring Solve", "e.g. combine(group_ufm_solve(...), root_solve(...))"
        )
    measured = [m for s in solves for m in (s.measures or ())]
    if len(set(measured)) != len(measured):
        raise _error("solves", "two parts measure the same quantity", "measure each quantity in one part only")

    def run(values, options: SolveOptions) -> SolveReport:
        t0 = time.perf_counter()
        reports = [s(values, options) for s in solves]
        quantities, floats, residuals, details = {}, {}, {}, {}
        for i, r in enumerate(reports):
            quantities.update(r.quantities)
            floats.update(r.float_quantities)
            residuals.update({f"{i}.{k}": v for k, v in r.residuals.items()})
            details.update({f"{i}.{k}": v for k, v in dict(r.details).items()})
        return SolveReport(
            all(r.converged for r in reports),
            "; ".join(r.message for r in reports),
            quantities,
            floats,
            residuals,
            options.dps,
            time.perf_counter() - t0,
            details,
            reports[0].point,
        )

    text = description or " + ".join(s.description for s in solves)
    reads = tuple(dict.fromkeys(r for s in solves for r in s.reads))
    known = None if any(s.measures is None for s in solves) else tuple(measured)
    return Solve(run, text, reads, known)


def computed(
    function: Callable[[Mapping, int], Mapping[str, object]],
    *,
    description: str,
    measures: Sequence[str],
    reads: Sequence[str] = (),
) -> Solve:
    """Measure quantities by a computation that is not an optimisation (a sign of a computed derivative, a
    comparison of two computed thresholds): ``function(values, dps) -> {name: value or tuple}``. An
    :class:`ArithmeticError` or an :class:`~verify.claim.Unavailable` value makes the solve unconverged
    (inconclusive), never failed. A ``"_residuals"`` entry ({name: float}) is reported as the solve's residuals
    (what an :class:`verify.record.ErrorBudget` names: a root's accuracy, a decision's condition)."""
    if not callable(function):
        raise _error("function", "is not callable", "give function(values, dps) -> {quantity: value}")
    if not str(description).strip():
        raise _error("description", "is empty", "say what is computed and how")

    def run(values, options: SolveOptions) -> SolveReport:
        from verify.base.values import Unavailable

        t0 = time.perf_counter()
        try:
            with mpmath.workdps(options.dps):
                out = dict(function(values, options.dps))
        except ArithmeticError as exc:
            reason = f"the computation failed: {exc}"
            return SolveReport(False, reason, {}, {}, {}, options.dps, time.perf_counter() - t0)
        residuals = {k: float(v) for k, v in dict(out.pop("_residuals", {})).items()}
        quantities = {k: v if isinstance(v, tuple) else (v,) for k, v in out.items()}
        missing = [str(v) for q in quantities.values() for v in q if isinstance(v, Unavailable)]
        message = "computed" if not missing else "not computed: " + "; ".join(missing)
        return SolveReport(not missing, message, quantities, {}, residuals, options.dps, time.perf_counter() - t0)

    return Solve(run, description, tuple(reads), tuple(measures))
