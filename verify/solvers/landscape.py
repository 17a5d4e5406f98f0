"""The independent solve of an unconstrained, nonconvex problem, with its landscape reported.

L-BFGS from seeded random starts (several start scales), optionally plain gradient descent from further
starts, clustering of the end values, a high-precision polish of the best cluster and of every other
cluster (so that each local minimum found is reported with its own value, stationarity residual and
curvature), and a ``classify(x)`` callback of the caller that names a stationary point from what it
measures there (e.g. "origin", "2 of 3 directions active"). Never sees a closed form.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from verify.solvers.gradient_descent import (
    AGREE_RTOL,
    Cluster,
    PolishedPoint,
    StartResult,
    cluster_values,
    polish,
    random_starts,
)
from verify.solvers.threads import single_threaded_blas

#: A polished point is a local minimiser when the float Hessian off its numerical null space (the rotation
#: orbit) has no eigenvalue below -CURVATURE_RTOL of the largest: the FD Hessian is accurate to ~1e-9
#: relative, so 1e-7 separates rounding from a true descent direction (saddles seen here have O(1e-2)).
CURVATURE_RTOL = 1e-7


@dataclass(frozen=True)
class Stationary:
    """One cluster of end points, polished and named."""

    value_float: float
    starts: int  # L-BFGS starts that ended here
    gd_starts: int  # gradient-descent starts that ended here
    polished: PolishedPoint
    x_float: np.ndarray  # the float64 end point it was polished from
    name: str
    local_minimum: bool


@dataclass(frozen=True)
class Landscape:
    best: Stationary
    others: tuple[Stationary, ...]  # every other value found, lowest first
    float_best: StartResult  # the best float64 end point (L-BFGS)
    lbfgs_values: tuple[float, ...]
    gd: tuple[StartResult, ...]
    seconds: float

    @property
    def agreeing(self) -> int:
        return self.best.starts

    def gd_agrees(self) -> bool:
        """Every gradient-descent run ended at the best value (the paper's 'no spurious minima' argument)."""
        v = self.best.value_float
        return all(abs(r.value - v) <= AGREE_RTOL * max(abs(v), 1e-12) for r in self.gd)


def explore(
    problem,
    *,
    n_starts: int,
    seed: int,
    dps: int,
    scales: tuple[float, ...] = (1.0,),
    gd_starts: int = 0,
    gd_options: dict | None = None,
    classify: Callable[[np.ndarray], str] = lambda x: "",
    polish_problem: Callable[[np.ndarray], object] | None = None,
    max_polished: int = 6,
) -> Landscape:
    """Multistart, clusters, polish. ``polish_problem(x)`` may return the smooth piece to polish on (ReLU)."""
    t0 = time.perf_counter()
    with single_threaded_blas():
        lb = random_starts(problem, n_starts=n_starts, seed=seed, scales=scales)
        gd = random_starts(
            problem, n_starts=gd_starts, seed=seed + 7919, scales=scales, method="gd", **(gd_options or {})
        )
        clusters = cluster_values(lb + gd)
        out = []
        for c in clusters[:max_polished]:
            out.append(_polish_cluster(problem, c, dps, classify, polish_problem))
    float_best = min(lb, key=lambda r: r.value)
    return Landscape(
        out[0], tuple(out[1:]), float_best, tuple(r.value for r in lb), tuple(gd), time.perf_counter() - t0
    )


def _polish_cluster(problem, c: Cluster, dps: int, classify, polish_problem) -> Stationary:
    x = c.best.x
    target = problem if polish_problem is None else polish_problem(x)
    pp = polish(target, x, dps, penalty_gradient=target.penalty_gradient)
    return Stationary(
        value_float=c.value,
        starts=sum(r.method == "L-BFGS" for r in c.members),
        gd_starts=sum(r.method != "L-BFGS" for r in c.members),
        polished=pp,
        x_float=x,
        name=classify(np.asarray(pp.x, dtype=float)),
        local_minimum=pp.min_curvature >= -CURVATURE_RTOL,
    )


def local_minima_details(landscape: Landscape, value_of: Callable[[Stationary], str]) -> list[dict]:
    """The contract's ``details["local_minima"]``: every non-best stationary value found, by name."""
    rows = []
    for s in landscape.others:
        rows.append(
            {
                "value": value_of(s),
                "kkt_residual": f"{s.polished.stationarity:.1e}",
                "description": f"{s.name or 'stationary point'}: "
                f"{'local minimum' if s.local_minimum else 'saddle (negative curvature)'}, reached by "
                f"{s.starts} L-BFGS and {s.gd_starts} gradient-descent starts; {s.polished.message}",
            }
        )
    return rows
