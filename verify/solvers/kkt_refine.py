"""High-precision refinement of a KKT point by mixed-precision Newton iteration.

The KKT system of  min f(x) s.t. g_i(x) <= 0  on the active set A is

    F(x, mu) = [ grad f(x) + sum_{i in A} mu_i grad g_i(x) ;  g_A(x) ] = 0.

Residuals F are evaluated in mpmath at ``dps`` digits; the Newton correction is solved in float64 (iterative
refinement: each step gains about as many digits as the float Jacobian is accurate, independently of the working
precision). The Jacobian is analytic where the problem provides the optional ``hessian(x, ar)`` (of the objective;
None when unavailable) and ``constraint_hessians(x, ar)`` ((m, n, n)) of :class:`ConstrainedProblem`: accurate
to float64 rounding, ~16 digits a step; otherwise central differences of the float KKT residual (~8 digits a step). The solutions of these problems are
unique only up to an orthogonal transform, so the Jacobian is singular along the orbit; the correction is
the minimum-norm least-squares step, with singular values below ``RCOND`` times the largest discarded.

Nothing here knows a closed form: the starting point comes from a float solve, the active set is read off
the constraint values there, and the multipliers are fitted by least squares.
"""

from __future__ import annotations

from dataclasses import dataclass

import mpmath
import numpy as np

from verify.models.arith import FLOAT, mp_arithmetic
from verify.solvers.problem import ConstrainedProblem

#: A constraint counts as active at the float solution when |g_i| <= ACTIVE_RTOL * scale_i. SLSQP enforces
#: active constraints to ~1e-12 relative; inactive constraints of these problems have slack O(1).
ACTIVE_RTOL = 1e-6

#: Finite-difference step for the float Jacobian (central differences: truncation ~h^2, rounding ~eps/h,
#: balanced near h = eps^(1/3) ~ 6e-6).
FD_STEP = 6e-6

#: Relative singular-value cut-off of the float Jacobian. Its entries are accurate to ~1e-10 (FD error),
#: so directions with relative singular value below 1e-8 are indistinguishable from the exact null space
#: (the rotation orbit) and are not corrected.
RCOND = 1e-8


@dataclass(frozen=True)
class KKTPoint:
    """A refined KKT point with its residual-checked accuracy."""

    x: np.ndarray  # object array of mpf
    multipliers: tuple  # mpf, one per constraint (0 for inactive)
    active: tuple[bool, ...]
    stationarity: float  # ||grad L||_inf / ||grad f||_inf at the final point
    feasibility: float  # max_i |g_i| / scale_i over active constraints (violation for inactive)
    min_multiplier: float
    error_estimate: float  # ||Newton correction||_inf / ||x||_inf at the last step: forward error estimate
    condition: float  # largest / smallest retained singular value of the (weighted) KKT Jacobian
    iterations: int
    converged: bool
    message: str
    dps: int


def _fd_jacobian(fun, x: np.ndarray) -> np.ndarray:
    n = x.size
    cols = []
    for j in range(n):
        e = np.zeros(n)
        h = FD_STEP * max(1.0, abs(x[j]))
        e[j] = h
        cols.append((fun(x + e) - fun(x - e)) / (2 * h))
    return np.array(cols).T


def _same_owner(cls: type, *names: str) -> bool:
    """Whether one class of ``cls``'s MRO defines all of ``names``: a subclass that overrides the gradient (a
    reweighted objective) but inherits its parent's Hessian must not get that Hessian."""
    owners = {next((k for k in cls.__mro__ if name in vars(k)), None) for name in names}
    return len(owners) == 1


def _analytic_jacobian(problem, c: float, cs: np.ndarray, act: np.ndarray):
    """z -> the float64 KKT Jacobian [[c H_f + sum_j mu_j cs_j H_{g_j}, J^T], [J, 0]] (J the weighted active
    constraint Jacobian), or None when the problem has no analytic Hessians (or they are not finite at z)."""
    hess, chess = getattr(problem, "hessian", None), getattr(problem, "constraint_hessians", None)
    if hess is None or chess is None or not _same_owner(type(problem), "hessian", "gradient"):
        return None
    n = problem.dim

    def jacobian(z: np.ndarray) -> np.ndarray | None:
        x, mu = z[:n], z[n:]
        Hf = hess(x, FLOAT)
        if Hf is None:
            return None
        L = c * np.asarray(Hf, dtype=float)
        if act.size:
            Hg = np.asarray(chess(x, FLOAT), dtype=float)[act] * cs[act][:, None, None]
            L = L + np.einsum("j,jab->ab", mu, Hg)
        J = (problem.constraint_jacobian(x, FLOAT) * cs[:, None])[act]
        out = np.block([[L, J.T], [J, np.zeros((act.size, act.size))]])
        return out if np.all(np.isfinite(out)) else None

    return jacobian


def refine_kkt(
    problem: ConstrainedProblem,
    x0: np.ndarray,
    *,
    dps: int,
    constraint_scale: np.ndarray | None = None,
    target_digits: int | None = None,
    max_iter: int = 20,
) -> KKTPoint:
    """Refine the float point ``x0`` to a KKT point at ``dps`` digits.

    Converged means: stationarity and feasibility below 10**-target_digits (default dps - 5: five guard
    digits for the rounding of O(dim) terms) and a last correction of the same size.
    """
    target_digits = dps - 5 if target_digits is None else target_digits
    target = 10.0 ** (-target_digits)
    m = problem.n_constraints
    scale = np.ones(m) if constraint_scale is None else np.asarray(constraint_scale, dtype=float)
    x0 = np.asarray(x0, dtype=float)
    g0 = problem.constraints(x0, FLOAT)
    active = tuple(bool(abs(g0[i]) <= ACTIVE_RTOL * scale[i]) for i in range(m))
    act = np.flatnonzero(active)
    if np.any(g0 > ACTIVE_RTOL * scale):
        return _failure(x0, active, dps, "start point is infeasible")

    # The objective is weighted by c = 1/||grad f(x0)||_inf and each constraint by 1/scale_i, so that the
    # KKT matrix has O(1) blocks whatever the size of f (tiny optimal values at huge E_H E_W would
    # otherwise fall under RCOND). Multipliers are fitted for the weighted system and mapped back at the end.
    grad0 = problem.gradient(x0, FLOAT)
    c = 1.0 / max(float(np.max(np.abs(grad0))), 1e-300)
    if not act.size:
        # No active constraint (an unconstrained problem, e.g. a penalised model): grad f vanishes at the
        # minimiser, so it cannot be its own unit; the natural unit of a gradient is |f| / ||x||_inf.
        c = max(float(np.max(np.abs(x0))), 1e-300) / max(abs(float(problem.objective(x0, FLOAT))), 1e-300)
    cs = 1.0 / scale
    J0 = (problem.constraint_jacobian(x0, FLOAT) * cs[:, None])[act]
    mu0 = np.linalg.lstsq(J0.T, -c * grad0, rcond=None)[0] if act.size else np.zeros(0)
    n = x0.size

    def kkt_float(z: np.ndarray) -> np.ndarray:
        x, mu = z[:n], z[n:]
        J = (problem.constraint_jacobian(x, FLOAT) * cs[:, None])[act]
        g = problem.constraints(x, FLOAT) * cs
        return np.concatenate([c * problem.gradient(x, FLOAT) + J.T @ mu, g[act]])

    z_float = np.concatenate([x0, mu0])
    analytic = _analytic_jacobian(problem, c, cs, act)

    with mpmath.workdps(dps):
        ar = mp_arithmetic()
        z = ar.asarray(z_float)
        c_mp, cs_mp = mpmath.mpf(c), ar.asarray(cs)

        def residuals(z):
            x, mu = z[:n], z[n:]
            grad = problem.gradient(x, ar) * c_mp
            J = (problem.constraint_jacobian(x, ar) * cs_mp[:, None])[act]
            stat = grad + (J.T @ mu if act.size else 0 * grad)
            g = problem.constraints(x, ar) * cs_mp
            grad_scale = (float(max(abs(v) for v in grad)) or 1.0) if act.size else 1.0  # unit-scaled by c
            r_stat = float(max(abs(v) for v in stat)) / grad_scale
            r_feas = max((float(abs(g[i])) for i in act), default=0.0)
            r_feas = max(r_feas, max((float(g[i]) for i in range(m) if i not in act), default=0.0))
            return stat, g, r_stat, r_feas

        err = np.inf
        previous = np.inf
        for it in range(1, max_iter + 1):  # noqa: B007 (it is reported after the loop)
            x = z[:n]
            stat, g, r_stat, r_feas = residuals(z)
            if analytic is not None and it > 2 and max(r_stat, r_feas) > previous / 10:
                # the float64 analytic Hessian stalls where its entries lose relative accuracy (values ~1e-27 at
                # E_H = E_W = 30): finish with the finite-difference Jacobian, which converged there before
                analytic = None
            previous = max(r_stat, r_feas)
            F = np.concatenate([stat, g[act]])
            zf = z.astype(float)
            jac = analytic(zf) if analytic is not None else None
            if jac is None:
                jac = _fd_jacobian(kkt_float, zf)
            step, _, _, sv = np.linalg.lstsq(jac, -F.astype(float), rcond=RCOND)
            condition = float(sv[0] / sv[sv > RCOND * sv[0]].min())
            z = z + ar.asarray(step)
            err = float(np.max(np.abs(step[:n])) / max(np.max(np.abs(x0)), 1e-300))
            if max(r_stat, r_feas) <= target and err <= target:
                break
        # final residuals at the final point
        x, mu = z[:n], z[n:]
        stat, g, r_stat, r_feas = residuals(z)
        full_mu = [mpmath.mpf(0)] * m
        for j, i in enumerate(act):
            full_mu[i] = mu[j] * cs_mp[i] / c_mp  # unweighted: the same float weight 1/scale_i as the system
        min_mu = float(min(full_mu)) if m else 0.0
        ok_residual = max(r_stat, r_feas) <= target and err <= target
        ok_dual = min_mu >= -target
        if ok_residual and ok_dual:
            message = f"KKT residual {max(r_stat, r_feas):.1e} <= {target:.0e} in {it} steps"
        elif not ok_dual:
            message = f"negative multiplier {min_mu:.3e}: not a KKT point of a minimum with this active set"
        else:
            message = (
                f"KKT residual {max(r_stat, r_feas):.1e} (last step {err:.1e}) above allowed {target:.0e} "
                f"after {it} steps; try a lower --dps, more starts, or a better-conditioned parameter point"
            )
        return KKTPoint(
            x=x,
            multipliers=tuple(full_mu),
            active=active,
            stationarity=r_stat,
            feasibility=r_feas,
            min_multiplier=min_mu,
            error_estimate=err,
            condition=condition,
            iterations=it,
            converged=ok_residual and ok_dual,
            message=message,
            dps=dps,
        )


def _failure(x0: np.ndarray, active: tuple[bool, ...], dps: int, message: str) -> KKTPoint:
    return KKTPoint(
        x=np.asarray(x0, dtype=object),
        multipliers=tuple(mpmath.mpf(0) for _ in active),
        active=active,
        stationarity=float("inf"),
        feasibility=float("inf"),
        min_multiplier=0.0,
        error_estimate=float("inf"),
        condition=float("inf"),
        iterations=0,
        converged=False,
        message=message,
        dps=dps,
    )
