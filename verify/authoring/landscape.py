"""A landscape solve for claims about *every* critical point ("no spurious local minima, every other critical
point a strict saddle"), built on :func:`verify.solvers.landscape.explore`.

:func:`ufm_landscape_solve` runs L-BFGS from seeded random starts at several scales (tiny ones start next to
the origin, where a strict saddle must be escaped) and, optionally, plain gradient descent; clusters the end
values; polishes every cluster at the working precision (Newton on grad f = 0); and classifies it by the
smallest eigenvalue of its Hessian off the rotation orbit (a local minimum, or a saddle with negative
curvature). It measures

* ``value``: the best polished value;
* ``local_minimum_values``: the value of every polished cluster that is a local minimum (the best included): a
  benign-landscape claim predicts each equals the global value, so a spurious minimum fails the check;

and reports the census (every cluster: value, starts, kind, curvature) in ``details["census"]``. A census is
evidence, not a proof: critical points no start reaches are not seen.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from verify.authoring.solves import Solve
from verify.record import SolveOptions, SolveReport

#: Start scales (multiples of the model's natural start size): 1e-3 starts next to the origin.
SCALES = (1e-3, 0.3, 1.0, 3.0)


def census_rows(land, problem, dps: int) -> list[dict]:
    """One row per cluster: its polished value (at ``dps`` digits, printed to 15), kind, curvature, starts. Two
    clusters of float end values (an unfinished gradient-descent run) may polish to the same stationary point."""
    import mpmath

    from verify.models.arith import mp_arithmetic

    rows = []
    for st in (land.best, *land.others):
        with mpmath.workdps(dps):
            value = problem.objective(st.polished.x, mp_arithmetic())
        rows.append(
            {
                "value": mpmath.nstr(value, 15),
                "float end value": f"{st.value_float:.15g}",
                "kind": "local minimum" if st.local_minimum else "saddle (negative curvature)",
                "min_curvature (relative)": f"{st.polished.min_curvature:.2e}",
                "L-BFGS starts": str(st.starts),
                "gradient-descent starts": str(st.gd_starts),
                "polish": st.polished.message,
            }
        )
    return rows


def ufm_landscape_solve(
    model: Callable[[Mapping], object],
    *,
    gd_starts: int = 2,
    gd_iterations: int = 5000,
    starts_factor: int = 2,
    description: str = "",
) -> Solve:
    """The landscape of ``model(values)`` (any unconstrained problem with ``objective``, ``gradient``,
    ``penalty_gradient`` and ``random_start(rng, scale)``, e.g. :class:`verify.models.ufm.UnconstrainedFeaturesModel`):
    ``starts_factor x options.n_starts`` L-BFGS starts over :data:`SCALES` and ``gd_starts`` gradient-descent
    starts of at most ``gd_iterations`` steps (an unfinished run is polished from where it stopped), every end
    value polished and classified."""

    def run(values, options: SolveOptions) -> SolveReport:
        import time

        import mpmath

        from verify.models.arith import mp_arithmetic
        from verify.solvers.landscape import explore

        t0 = time.perf_counter()
        problem = model(values)
        land = explore(
            problem,
            n_starts=starts_factor * options.n_starts,
            seed=options.seed,
            dps=options.dps,
            scales=SCALES,
            gd_starts=gd_starts,
            gd_options={"max_iter": gd_iterations},
            max_polished=8,
        )
        with mpmath.workdps(options.dps):
            ar = mp_arithmetic()
            best = problem.objective(land.best.polished.x, ar)
            minima = tuple(problem.objective(st.polished.x, ar) for st in (land.best, *land.others) if st.local_minimum)
        polished_ok = all(st.polished.converged for st in (land.best, *land.others))
        corroborated = land.agreeing >= options.min_agreeing
        messages = [land.best.polished.message]
        if not polished_ok:
            messages.append("a cluster's polish did not converge: its kind is not established")
        if not corroborated:
            messages.append(f"best value reached by {land.agreeing} starts (< {options.min_agreeing})")
        return SolveReport(
            converged=bool(land.best.polished.converged and polished_ok and corroborated),
            message="; ".join(messages),
            quantities={"value": (best,), "local_minimum_values": minima},
            float_quantities={"value": (land.best.value_float,)},
            residuals={"stationarity": land.best.polished.stationarity},
            dps=options.dps,
            seconds=time.perf_counter() - t0,
            details={
                "starts": len(land.lbfgs_values),
                "starts_at_best": land.agreeing,
                "census": census_rows(land, problem, options.dps),
                "gradient_descent_agrees": land.gd_agrees(),
            },
            point=land.best.polished.x,
        )

    text = description or (
        "L-BFGS from seeded random starts at scales 1e-3 (next to the origin), 0.3, 1, 3 and plain gradient "
        "descent; every end value clustered, polished by mixed-precision Newton at the working precision and "
        "classified by its Hessian's smallest eigenvalue off the rotation orbit (local minimum or strict saddle)"
    )
    return Solve(run, text, (), ("value", "local_minimum_values"))
