"""Independent solve of the l_q-constrained Layer-Peeled Model (Fang et al. 2021, programs (20) and (33)).

SLSQP on the raw variables is slow for q < 2 (the constraint's curvature q(q-1)|x|^(q-2) is unbounded at
the sparse minimisers; 12 s per solve at p = 8). The float search therefore runs on the boundary of both
budgets through a smooth saturated parametrisation, with L-BFGS-B from seeded random starts:

    W = sqrt(K E_W) V / ||V||_F                               (sum ||w_k||^2 = K E_W)
    H = sign(U) |U|^(2/q),  U = sqrt(N E_H) U0 / ||U0||_F      (q <= 2: sum |h|^q = ||U||^2 = N E_H)
    H = (N E_H)^(1/q) G / ||G||_q                             (q > 2)

The map is C^1 for every q > 0, so no smoothing of |x|^q is needed, even at q <= 1. Then, for q > 1, the
float point is refined in mpmath by the KKT Newton iteration of :mod:`verify.solvers.kkt_refine` applied
to the *raw* program. The l_q constraint has unbounded curvature at zero coordinates when q < 2, so
entries that are numerically zero at the float point (below ``ZERO_RTOL`` of the largest entry of W, resp.
H) are held at exactly 0 and the refinement runs on the active support; the
first-order KKT residual of the *full* program is then evaluated at the refined point (zero coordinates
included, where objective and constraint gradients vanish for q > 1) and must be small too. For q <= 1 the
constraint is not differentiable at 0, no KKT system exists, and the solve reports float results only
(``converged`` is False: such points serve explorations, never verdicts).

The search is confined to the boundary of both budgets; that the boundary holds the minimum is checked, not
assumed, by the sign of the refined multipliers (a negative multiplier makes the solve unconverged).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

import mpmath
import numpy as np

from verify.base.solving import SolveOptions, SolveReport
from verify.models.arith import FLOAT, mp_arithmetic
from verify.models.lq_constrained import LqLayerPeeledModel
from verify.solvers.kkt_refine import refine_kkt
from verify.solvers.multistart import AGREE_RTOL, MultistartResult
from verify.solvers.threads import single_threaded_blas

#: An entry of W (of H) is numerically zero when it is below this fraction of the largest entry of W (of H). The sparse minimisers for 1 < q < 2 have zero entries that the
#: parametrisation drives to |u|^(2/q) with |u| ~ 1e-8 or below (entries <= 1e-10 relative are seen), while
#: nonzero entries are O(1) of the block maximum; 1e-6 separates both by several decades.
ZERO_RTOL = 1e-6

#: L-BFGS-B stopping tolerances: gradients to 1e-13 and relative decrease to 1e-16 resolve the value to
#: ~1e-14 relative on (33) up to p = 64 (measured), well inside AGREE_RTOL.
LBFGS_OPTIONS = {"maxiter": 20000, "gtol": 1e-13, "ftol": 1e-16, "maxcor": 30}


def saturated_map(model: LqLayerPeeledModel) -> tuple[Callable, Callable]:
    """(value_and_grad(z), decode(z) -> x) of the objective in the saturated parametrisation z = [V, U]."""
    K, N, p, q = model.K, model.N, model.p, float(model.q)
    rw, nh = np.sqrt(K * float(model.E_W)), N * float(model.E_H)

    def decode_parts(z):
        V, U = z[: K * p].reshape(K, p), z[K * p :].reshape(N, p)
        nv = np.linalg.norm(V)
        if q <= 2:
            nu = np.linalg.norm(U)
            Ut = np.sqrt(nh) * U / nu
            H = np.sign(Ut) * np.abs(Ut) ** (2 / q)
            return V, U, nv, nu, Ut, rw * V / nv, H
        s = np.sum(np.abs(U) ** q) ** (1 / q)
        return V, U, nv, s, None, rw * V / nv, nh ** (1 / q) * U / s

    def fun(z):
        V, U, nv, nu, Ut, W, H = decode_parts(z)
        x = model.pack(W, H)
        f = model.objective(x)
        gW, gH = model.unpack(model.gradient(x))
        Vh = V / nv
        gV = rw / nv * (gW - Vh * np.sum(Vh * gW))
        if q <= 2:
            Uh = Ut / np.sqrt(nh)
            gUt = gH * (2 / q) * np.abs(Ut) ** (2 / q - 1)
            gU = np.sqrt(nh) / nu * (gUt - Uh * np.sum(Uh * gUt))
        else:
            s, c = nu, nh ** (1 / q)
            gU = c * (gH / s - np.sum(gH * U) * np.abs(U) ** (q - 1) * np.sign(U) * s ** (-1 - q))
        return f, np.concatenate([gV.ravel(), gU.ravel()])

    def decode(z):
        *_, W, H = decode_parts(z)
        return model.pack(W, H)

    return fun, decode


def saturated_multistart(model: LqLayerPeeledModel, *, n_starts: int, seed: int) -> MultistartResult:
    """L-BFGS-B from ``n_starts`` Gaussian starts of the saturated parametrisation; every value is kept."""
    from scipy.optimize import minimize  # imported when a solve needs it

    fun, decode = saturated_map(model)
    rng = np.random.default_rng(seed)
    t0 = time.perf_counter()
    best_x, values = None, []
    for _ in range(n_starts):
        z0 = rng.standard_normal((model.K + model.N) * model.p)
        # L-BFGS-B's tolerances are absolute: a second pass on the objective divided by its first-pass
        # value resolves minima with tiny values (large budgets) to the same relative accuracy.
        res = minimize(fun, z0, jac=True, method="L-BFGS-B", options=LBFGS_OPTIONS)
        w = 1.0 / max(abs(res.fun), 1e-300)
        res = minimize(
            lambda z, w=w: tuple(w * v for v in fun(z)), res.x, jac=True, method="L-BFGS-B", options=LBFGS_OPTIONS
        )
        x = decode(res.x)
        values.append(float(model.objective(x)))
        if values[-1] <= min(values):
            best_x = x
    best = min(values)
    agreeing = sum(abs(v - best) <= AGREE_RTOL * max(abs(best), 1e-300) for v in values)
    return MultistartResult(best_x, best, tuple(values), agreeing, time.perf_counter() - t0)


def support(model: LqLayerPeeledModel, x: np.ndarray) -> np.ndarray:
    """Boolean mask over x: False on entries of W (of H) below ZERO_RTOL times the largest entry of W (of H)."""
    W, H = model.unpack(np.asarray(x, dtype=float))
    return model.pack(np.abs(W) > ZERO_RTOL * np.abs(W).max(), np.abs(H) > ZERO_RTOL * np.abs(H).max())


def full_stationarity(model: LqLayerPeeledModel, x: np.ndarray, mu, ar) -> float:
    """Stationarity of the *full* program at x with the refinement's (unweighted) multipliers mu:
    ||grad f + sum_i mu_i grad g_i||_inf / ||grad f||_inf over every coordinate, the ones held at 0 included
    (there grad g_H vanishes for q > 1, so the objective's own gradient must vanish)."""
    grad = model.gradient(x, ar)
    stat = grad + sum(m * row for m, row in zip(mu, model.constraint_jacobian(x, ar), strict=True))
    return float(max(abs(v) for v in stat)) / (float(max(abs(v) for v in grad)) or 1.0)


def solve_lq(
    model: LqLayerPeeledModel, options: SolveOptions, measure: Callable[..., Mapping[str, tuple]]
) -> SolveReport:
    """Multistart on the budgets' boundary, then (q > 1) KKT refinement on the support at ``options.dps``."""
    t0 = time.perf_counter()
    with single_threaded_blas():  # tiny problems: BLAS threads only spin (verify/solvers/threads.py)
        ms = saturated_multistart(model, n_starts=options.n_starts, seed=options.seed)
    x0 = ms.x
    float_q = measure(x0, FLOAT)
    details = {
        "starts": ms.n_starts,
        "starts_at_best": ms.agreeing,
        "start_values": [float(v) for v in ms.values],
        "multistart_seconds": ms.seconds,
    }
    if model.q <= 1:
        return SolveReport(
            converged=False,
            message=f"q = {float(model.q)} <= 1: the l_q constraint is not differentiable at 0, no KKT "
            "refinement exists; float search only (explorations, no verdict)",
            quantities=float_q,
            float_quantities=float_q,
            residuals={},
            dps=options.dps,
            seconds=time.perf_counter() - t0,
            details=details,
            point=x0,
        )
    free = support(model, x0)
    base = np.where(free, x0, 0.0)
    problem = model.restricted(base, free)
    with single_threaded_blas():
        kkt = refine_kkt(problem, base[free], dps=options.dps, constraint_scale=model.constraint_scale)
    with mpmath.workdps(options.dps):
        ar = mp_arithmetic()
        x = problem.full(kkt.x)
        stat = full_stationarity(model, x, kkt.multipliers, ar)
        quantities = measure(x, ar)
    target = 10.0 ** (-(options.dps - 5))
    corroborated = ms.agreeing >= options.min_agreeing
    messages = [kkt.message]
    if stat > target:
        messages.append(f"full-program stationarity {stat:.1e} > {target:.0e}")
    if not corroborated:
        messages.append(
            f"best value reached by {ms.agreeing} of {ms.n_starts} starts (< {options.min_agreeing}): global "
            "minimality not corroborated; try more starts (--starts)"
        )
    n_free = int(free.sum())
    if n_free < model.dim:
        messages.append(f"refined on the support ({n_free} of {model.dim} unknowns; the others held at 0)")
    details.update(
        {"newton_steps": kkt.iterations, "support_size": n_free, "locally_converged": kkt.converged and stat <= target}
    )
    return SolveReport(
        converged=kkt.converged and corroborated and stat <= target,  # kkt.converged: multipliers >= 0
        message="; ".join(messages),
        quantities=quantities,
        float_quantities=float_q,
        residuals={
            "kkt_stationarity": kkt.stationarity,
            "kkt_feasibility": kkt.feasibility,
            "full_stationarity": stat,
            "min_multiplier": kkt.min_multiplier,
            "newton_last_step": kkt.error_estimate,
            "kkt_condition": kkt.condition,
        },
        dps=options.dps,
        seconds=time.perf_counter() - t0,
        details=details,
        point=x,
    )
