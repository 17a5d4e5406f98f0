"""Unconstrained smooth problems: L-BFGS and plain gradient descent from random starts, clustering of the end
points into distinct stationary values, and a high-precision polish (Newton on grad f = 0 in mpmath).

Used for the penalised MSE models of Tirer & Bruna 2022 (problems (5), (14), (23), (24)): nonconvex but
unconstrained. The paper argues (Section 3, "Remark on the optimization procedure") that for one weight layer
the landscape has no spurious local minima, so plain gradient descent from random starts should reach the
global value: :func:`gradient_descent` is run next to L-BFGS and its values are reported, never trusted
alone. With two layers the origin and points with inactive directions are local minima: the caller names
them (a model measurement) from the clusters of :func:`cluster_values`.

A solver sees the problem (objective, gradient), never a claim's answer.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from verify.models.arith import FLOAT
from verify.solvers.problem import ConstrainedProblem

#: L-BFGS-B stopping tolerances: the objectives are O(1) (between 0 and 1/2 at the minima); a projected
#: gradient of 1e-13 and a relative decrease of 1e-16 put the value within ~1e-14 of the stationary value
#: (quadratic in the gradient), far inside :data:`AGREE_RTOL`.
LBFGS_OPTIONS = {"maxiter": 50000, "gtol": 1e-13, "ftol": 1e-16, "maxcor": 30}

#: Two end values belong to the same stationary value when they differ by less than this, relative to
#: max(|value|, 1e-12). float64 L-BFGS resolves these values to ~1e-13 (measured on the pinned examples);
#: distinct local minima of the two-layer models differ by O(1e-3) or more at every point seen.
AGREE_RTOL = 1e-8

#: Gradient descent stops when ||grad f||_inf <= GD_GTOL (the value is then within ~GD_GTOL^2 / curvature).
GD_GTOL = 1e-10


@dataclass(frozen=True)
class StartResult:
    """One local search from one start."""

    x: np.ndarray
    value: float
    gradient_norm: float  # ||grad f||_inf at the end point
    iterations: int
    method: str
    start_scale: float


@dataclass(frozen=True)
class Cluster:
    """Starts whose end values agree within AGREE_RTOL; ``best`` has the smallest gradient."""

    value: float
    members: tuple[StartResult, ...]

    @property
    def best(self) -> StartResult:
        return min(self.members, key=lambda r: r.gradient_norm)


def lbfgs(problem: ConstrainedProblem, x0: np.ndarray, start_scale: float = 1.0) -> StartResult:
    """L-BFGS-B (no bounds) from x0; a second pass on f / f(first pass) makes the stopping test relative."""
    from scipy.optimize import minimize

    both = getattr(problem, "value_and_gradient", None)  # one forward pass for both, where a model offers it

    def fun(x, w=1.0):
        if both is not None:
            f, g = both(x)
            return w * f, w * g
        return w * float(problem.objective(x, FLOAT)), w * problem.gradient(x, FLOAT)

    res = minimize(fun, x0, jac=True, method="L-BFGS-B", options=LBFGS_OPTIONS)
    w = 1.0 / max(abs(res.fun), 1e-12)
    res2 = minimize(lambda x: fun(x, w), res.x, jac=True, method="L-BFGS-B", options=LBFGS_OPTIONS)
    x = res2.x
    g = problem.gradient(x, FLOAT)
    return StartResult(
        x, float(problem.objective(x, FLOAT)), float(np.max(np.abs(g))), res.nit + res2.nit, "L-BFGS", start_scale
    )


def gradient_descent(
    problem: ConstrainedProblem,
    x0: np.ndarray,
    *,
    step: float = 0.1,
    max_iter: int = 50000,
    gtol: float = GD_GTOL,
    start_scale: float = 1.0,
) -> StartResult:
    """Plain gradient descent x <- x - step grad f(x) with a fixed step (the paper's Section 6 uses 0.1); the
    step is halved only when a step would increase f (a divergence guard, never a line search)."""
    both = getattr(problem, "value_and_gradient", None)  # one forward pass for both, where a model offers it
    x = np.array(x0, dtype=float)
    f = float(problem.objective(x, FLOAT))
    g = problem.gradient(x, FLOAT)
    it = 0
    while it < max_iter and np.abs(g).max() > gtol:  # the method form: same reduction, half the call overhead
        x_new = x - step * g
        if both is not None:
            f_new, g_new = both(x_new)
        else:
            f_new, g_new = float(problem.objective(x_new, FLOAT)), None
        if not math.isfinite(f_new) or f_new > f + 1e-15 * abs(f):  # f_new is a Python float
            step /= 2
            if step < 1e-12:
                break
            continue
        x, f = x_new, f_new
        g = problem.gradient(x, FLOAT) if g_new is None else g_new
        it += 1
    return StartResult(x, f, float(np.max(np.abs(g))), it, "gradient descent", start_scale)


def random_starts(
    problem: ConstrainedProblem,
    *,
    n_starts: int,
    seed: int,
    scales: tuple[float, ...] = (1.0,),
    method: str = "L-BFGS",
    **gd_options,
) -> list[StartResult]:
    """``n_starts`` local searches from Gaussian starts; start k uses scale ``scales[k % len(scales)]``."""
    rng = np.random.default_rng(seed)
    out = []
    for k in range(n_starts):
        scale = scales[k % len(scales)]
        x0 = problem.random_start(rng, scale)
        if method == "L-BFGS":
            out.append(lbfgs(problem, x0, scale))
        else:
            out.append(gradient_descent(problem, x0, start_scale=scale, **gd_options))
    return out


def continuation(make_problem, ts, x0: np.ndarray) -> StartResult:
    """Follow a local minimiser along a path of problems ``make_problem(t)``, t in ``ts``: L-BFGS at each t
    warm-started from the previous end point (a homotopy in the regularisation; it never sees a closed form)."""
    x = np.asarray(x0, dtype=float)
    res = None
    for t in ts:
        res = lbfgs(make_problem(t), x)
        x = res.x
    return res


def cluster_values(results: list[StartResult]) -> list[Cluster]:
    """Group end points by value (AGREE_RTOL), sorted from the lowest value up."""
    clusters: list[list[StartResult]] = []
    for r in sorted(results, key=lambda r: r.value):
        if clusters and abs(r.value - clusters[-1][0].value) <= AGREE_RTOL * max(abs(clusters[-1][0].value), 1e-12):
            clusters[-1].append(r)
        else:
            clusters.append([r])
    return [Cluster(c[0].value, tuple(c)) for c in clusters]


#: Finite-difference step of the float Hessian (central differences of the gradient: truncation ~h^2,
#: rounding ~eps/h, balanced near eps^(1/3) ~ 6e-6), as in :mod:`verify.solvers.kkt_refine`.
FD_STEP = 6e-6

#: Relative singular-value cut-off of the float Hessian: its entries are accurate to ~1e-10 (FD error), so
#: directions below 1e-8 of the largest singular value are the rotation orbit (exact null space), not corrected.
RCOND = 1e-8


@dataclass(frozen=True)
class PolishedPoint:
    """A stationary point refined at ``dps`` digits, with residuals measured in mpmath."""

    x: np.ndarray  # object array of mpf
    stationarity: float  # ||grad f||_inf / ||grad of the penalty||_inf (absolute at a zero solution)
    step: float  # ||last Newton correction||_inf / max(||x||_inf, 1): the forward-error estimate
    condition: float  # largest / smallest retained singular value of the float Hessian
    min_curvature: float  # smallest eigenvalue of the float Hessian off its numerical null space, relative
    iterations: int
    converged: bool
    message: str
    dps: int


def polish(problem, x0: np.ndarray, dps: int, *, penalty_gradient=None, max_iter: int = 25) -> PolishedPoint:
    """Mixed-precision Newton on grad f = 0: residual in mpmath at ``dps`` digits, correction from the float
    finite-difference Hessian (minimum-norm least squares, RCOND cut: the orbit directions are not moved).

    ``penalty_gradient(x, ar)`` gives the gradient of the regularisation alone: at a stationary point it
    cancels the loss gradient, so ||grad f|| / ||penalty gradient|| is a relative residual (at a zero solution,
    where the penalty gradient is below 10^-(dps/2), the residual is absolute: the objectives are O(1)). Converged: residual and last step below 10^-(dps-5)."""
    import mpmath

    from verify.models.arith import mp_arithmetic

    target = 10.0 ** (-(dps - 5))
    x = np.asarray(x0, dtype=float)
    n = x.size

    def hessian(xf):
        cols = []
        for j in range(n):
            e = np.zeros(n)
            h = FD_STEP * max(1.0, abs(xf[j]))
            e[j] = h
            cols.append((problem.gradient(xf + e, FLOAT) - problem.gradient(xf - e, FLOAT)) / (2 * h))
        Hm = np.array(cols).T
        return (Hm + Hm.T) / 2

    with mpmath.workdps(dps):
        ar = mp_arithmetic()
        z = ar.asarray(x)

        def residual(z):
            g = problem.gradient(z, ar)
            scale = float(max(abs(v) for v in penalty_gradient(z, ar))) if penalty_gradient else 1.0
            # at a zero solution (penalty gradient ~ 0) the residual is absolute: the objectives are O(1)
            return g, float(max(abs(v) for v in g)) / (scale if scale > 10.0 ** (-(dps // 2)) else 1.0)

        step_size, condition, it = np.inf, np.inf, 0
        for it in range(1, max_iter + 1):  # noqa: B007
            g, r = residual(z)
            if r <= target and step_size <= target:
                break
            Hm = hessian(z.astype(float))
            step, _, _, sv = np.linalg.lstsq(Hm, -g.astype(float), rcond=RCOND)
            condition = float(sv[0] / sv[sv > RCOND * sv[0]].min()) if sv[0] > 0 else np.inf
            z = z + ar.asarray(step)
            step_size = float(np.max(np.abs(step))) / max(float(max(abs(v) for v in z)), 1.0)
        g, r = residual(z)
        ev = np.linalg.eigvalsh(hessian(z.astype(float)))
        big = max(abs(ev).max(), 1e-300)
        off_null = ev[np.abs(ev) > RCOND * big]
        min_curv = float(off_null.min() / big) if off_null.size else 0.0
    converged = r <= target and step_size <= target
    message = (
        f"stationarity {r:.1e} <= {target:.0e} in {it} Newton steps"
        if converged
        else f"stationarity {r:.1e} (last step {step_size:.1e}) above {target:.0e} after {it} Newton steps"
    )
    return PolishedPoint(z, r, step_size, condition, min_curv, it, converged, message, dps)


@dataclass(frozen=True)
class Timer:
    start: float

    @classmethod
    def now(cls) -> Timer:
        return cls(time.perf_counter())

    def seconds(self) -> float:
        return time.perf_counter() - self.start
