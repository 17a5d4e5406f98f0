"""Float64 multistart: SLSQP from seeded random starts, keeping every start's value.

Global minimality is corroborated, not proved: the best value must be reached by at least
``min_agreeing`` independent starts (within ``AGREE_RTOL``), otherwise the caller is told so.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from verify.models.arith import FLOAT
from verify.solvers.problem import ConstrainedProblem

#: SLSQP stopping tolerance on the objective. float64 carries ~16 digits and the objectives here are O(1)
#: sums of O(N K) terms, so 1e-15 asks for the value to the last few reliable digits.
SLSQP_FTOL = 1e-15

#: Two starts "agree" when their values differ by less than this, relative. SLSQP delivers the value to
#: about 1e-12 relative on these problems (measured on the pinned examples); 1e-8 leaves 4 digits of margin
#: while still separating distinct local minima, whose values differ at O(1e-3) or more in every case seen.
AGREE_RTOL = 1e-8


#: A start's end point is feasible if each constraint is violated by at most this fraction of its budget
#: (SLSQP satisfies constraints to ~1e-12 relative; anything worse is a failed run, not a candidate).
FEASIBLE_RTOL = 1e-9


@dataclass(frozen=True)
class MultistartResult:
    x: np.ndarray
    value: float
    values: tuple[float, ...]
    agreeing: int
    seconds: float

    @property
    def n_starts(self) -> int:
        return len(self.values)


def multistart(
    problem: ConstrainedProblem, *, n_starts: int = 8, seed: int = 0, maxiter: int = 3000
) -> MultistartResult:
    """Minimise ``problem`` from ``n_starts`` random feasible starts; return the best point and all values."""
    from scipy.optimize import minimize  # imported when a solve needs it (keeps `nc-verify list` light)

    rng = np.random.default_rng(seed)
    cons = {
        "type": "ineq",  # scipy's convention is c(x) >= 0
        "fun": lambda x: -problem.constraints(x, FLOAT),
        "jac": lambda x: -problem.constraint_jacobian(x, FLOAT),
    }
    t0 = time.perf_counter()
    scale = np.asarray(getattr(problem, "constraint_scale", np.ones(problem.n_constraints)), dtype=float)
    best_x, values = None, []
    for _ in range(n_starts):
        x = problem.random_start(rng)
        # SLSQP's ftol is absolute: a second pass on the objective divided by its first-pass value makes it
        # relative, so minima with tiny values (huge E_H E_W) are resolved to the same relative accuracy.
        for weight in (1.0, None):
            weight = weight or 1.0 / max(abs(problem.objective(x, FLOAT)), 1e-300)
            res = minimize(
                lambda x, w=weight: w * problem.objective(x, FLOAT),
                x,
                jac=lambda x, w=weight: w * problem.gradient(x, FLOAT),
                constraints=[cons],
                method="SLSQP",
                options={"ftol": SLSQP_FTOL, "maxiter": maxiter},
            )
            x = res.x
        feasible = np.all(problem.constraints(x, FLOAT) <= FEASIBLE_RTOL * scale)
        value = float(problem.objective(x, FLOAT)) if feasible else np.inf
        values.append(value)
        if best_x is None or value < min(values[:-1], default=np.inf):
            best_x = x
    best = min(values)
    agreeing = sum(abs(v - best) <= AGREE_RTOL * max(abs(best), 1e-300) for v in values)
    return MultistartResult(best_x, best, tuple(values), agreeing, time.perf_counter() - t0)
