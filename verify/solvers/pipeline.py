"""The standard independent solve: float64 multistart, then high-precision KKT refinement, then measurement.

``measure(x, arithmetic)`` turns a point into the claim's named quantities (rotation invariants); it sees
the point, not the closed form.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

import mpmath

from verify.base.errors import InputError
from verify.base.solving import SolveOptions, SolveReport
from verify.models.arith import FLOAT, mp_arithmetic
from verify.solvers.kkt_refine import refine_kkt
from verify.solvers.multistart import multistart
from verify.solvers.problem import ConstrainedProblem
from verify.solvers.threads import single_threaded_blas

#: Largest problem (number of unknowns) the dense SLSQP + dense Newton pipeline is run on; beyond it the
#: solve is refused (InputError, before any work) rather than left to exhaust memory or time.
MAX_DIM = 3000


def solve_constrained(
    problem: ConstrainedProblem,
    options: SolveOptions,
    measure: Callable[..., Mapping[str, tuple]],
) -> SolveReport:
    """Multistart, then KKT refinement, with single-threaded BLAS (see :mod:`verify.solvers.threads`)."""
    with single_threaded_blas():
        return _solve_constrained(problem, options, measure)


def _solve_constrained(
    problem: ConstrainedProblem,
    options: SolveOptions,
    measure: Callable[..., Mapping[str, tuple]],
) -> SolveReport:
    t0 = time.perf_counter()
    if problem.dim > MAX_DIM:  # refused before any work: a user error (exit 2), not an unconverged solve
        raise InputError(
            f"the solve has {problem.dim} unknowns, above the dense solver's limit of {MAX_DIM}",
            parameter="K",
            fix="use a smaller class count, class size or dimension (K, n, p); the closed form needs no solve: "
            "nc-verify eval",
        )
    ms = multistart(problem, n_starts=options.n_starts, seed=options.seed)
    float_q = measure(ms.x, FLOAT)
    kkt = refine_kkt(problem, ms.x, dps=options.dps, constraint_scale=getattr(problem, "constraint_scale", None))
    with mpmath.workdps(options.dps):
        quantities = measure(kkt.x, mp_arithmetic())
    corroborated = ms.agreeing >= options.min_agreeing
    messages = [kkt.message]
    if not corroborated:
        messages.append(
            f"best value reached by {ms.agreeing} of {ms.n_starts} starts (< {options.min_agreeing}): global "
            "minimality not corroborated; try more starts (--starts)"
        )
    return SolveReport(
        converged=kkt.converged and corroborated,
        message="; ".join(messages),
        quantities=quantities,
        float_quantities=float_q,
        residuals={
            "kkt_stationarity": kkt.stationarity,
            "kkt_feasibility": kkt.feasibility,
            "min_multiplier": kkt.min_multiplier,
            "newton_last_step": kkt.error_estimate,
            "kkt_condition": kkt.condition,
        },
        dps=options.dps,
        seconds=time.perf_counter() - t0,
        details={
            "starts": ms.n_starts,
            "starts_at_best": ms.agreeing,
            "locally_converged": kkt.converged,
            "start_values": [float(v) for v in ms.values],
            "active_constraints": list(kkt.active),
            "newton_steps": kkt.iterations,
            "multistart_seconds": ms.seconds,
        },
        point=kkt.x,
    )
