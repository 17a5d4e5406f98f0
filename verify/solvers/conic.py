"""Conic solves of the convex relaxation (15) of Fang et al. 2021, with accuracy we measure ourselves.

:func:`solve_gram` hands a :class:`verify.models.gram_relaxation.GramProgram` to Clarabel (interior point)
or SCS (first-order) through cvxpy and returns a :class:`ConicSolution`. A solver's "optimal" is not taken
on trust: we recompute, from the returned X alone,

- ``min_eigenvalue``: the smallest eigenvalue of X, relative to the scale max(E_H, E_W) (PSD violation);
- ``violation_H``, ``violation_W``: budget excess (1/K) tr(block) - E, relative to E (0 when inside);
- ``gap``: a duality gap certified by convexity. With G = dF/dZ at the returned logits Z0 and
  sigma = sigma_max(G), every feasible X has F(Z) >= F(Z0) + <G, Z - Z0> and, since the matrix
  [[a I, G/2], [G^T/2, b I]] is PSD for a b = sigma^2/4, <G, Z> >= -a tr X_H - b tr X_W; minimising over a, b
  gives the lower bound  LB = F(Z0) - <G, Z0> - K sigma sqrt(E_H E_W).  The upper bound is F at the feasible
  point obtained by clipping X's negative eigenvalues and scaling each block into its budget. gap = UB - LB
  (absolute; the value is O(log K)), and it vanishes exactly at a minimiser (Lemma 1 / SI B.1 KKT).

``accurate`` is True when all of them are within the solver's stated accuracy (:data:`STATED_ACCURACY`);
``reason`` says which one is not. The gap is a Frank-Wolfe gap: first order in the distance to the minimiser,
so it is conservative (a value error ~1e-11 can come with a gap ~1e-7 on degenerate points).

Measured accuracy (cvxpy 1.9.3; errors against the 30-digit certified optimum of :func:`polish`, K = 4..10,
two groups, both regimes, 7 points; max over all classifier pairs for the cosines):

- CLARABEL (tol 1e-12), when ``accurate``: objective <= 6e-13, cosines <= 4e-10, recomputed gap <= 5e-11.
  On 2 of 7 points it stops with "optimal_inaccurate" and gaps 3e-9 / 1e-7 (objective still ~1e-11, cosines
  1e-8 / 2e-7): flagged. Research for issue 5 (30-digit reduced reference, K up to 50): objective ~1e-13,
  regular-regime cosines ~1e-11; K = 50 takes ~170 s.
- SCS (eps 1e-9): objective <= 1.4e-9, cosines <= 3e-8, gap <= 3e-9; ends slightly infeasible (1e-10..1e-9
  of a budget, PSD violation ~1e-9), so its value is low by about that; K = 50 in ~8 s (research).

:func:`recover` factorises a PSD X as Lemma 1 does: [hbar_1, ..., hbar_K, W^T] = P X^{1/2}, P = [I_2K; 0].
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from verify.base.values import Undefined
from verify.models.gram_relaxation import Certificate, GramFactorModel, GramProgram, certify

#: Default tolerances per solver (passed to cvxpy; override with keyword arguments of :func:`solve_gram`).
DEFAULT_TOLERANCES: Mapping[str, Mapping[str, float]] = {
    "CLARABEL": {"tol_gap_abs": 1e-12, "tol_gap_rel": 1e-12, "tol_feas": 1e-12, "tol_ktratio": 1e-10, "max_iter": 500},
    "SCS": {"eps_abs": 1e-9, "eps_rel": 1e-9, "max_iters": 200000},
}

#: The accuracy each solver delivers at the default tolerances (measured, see module docstring): the bound
#: on the recomputed gap (absolute), the relative PSD violation and the relative budget violations.
STATED_ACCURACY: Mapping[str, float] = {"CLARABEL": 1e-10, "SCS": 1e-7}


@dataclass(frozen=True)
class ConicSolution:
    """A solve of program (15): the matrix, the solver's word and what we measured ourselves."""

    X: np.ndarray  # symmetrised 2K x 2K
    value: float  # the solver's objective value
    status: str  # cvxpy status string
    solver: str
    seconds: float
    solver_stats: Mapping[str, float]  # what the solver reports (iterations; SCS residuals)
    residuals: Mapping[str, float]  # measured by us: min_eigenvalue, violation_H, violation_W, gap
    multipliers: Mapping[str, float]  # duals of the two budgets (mu_H, mu_W), from the solver
    stated_accuracy: float
    accurate: bool
    reason: str
    bounds: Mapping[str, float] = field(default_factory=dict)  # lower / upper bounds on the optimal value

    @property
    def optimal(self) -> bool:
        """The solver reached a solution (possibly flagged inaccurate by it) and our residuals confirm it."""
        return self.status in ("optimal", "optimal_inaccurate") and self.accurate


def measured_residuals(program: GramProgram, X: np.ndarray) -> tuple[dict[str, float], dict[str, float]]:
    """PSD violation, budget violations and the certified duality gap at X (see module docstring)."""
    X = (np.asarray(X, dtype=float) + np.asarray(X, dtype=float).T) / 2
    K, E_H, E_W = program.K, float(program.E_H), float(program.E_W)
    ev, U = np.linalg.eigh(X)
    scale = max(E_H, E_W)
    used_H, used_W = program.budgets_used(X)
    res = {
        "min_eigenvalue": float(min(ev.min(), 0.0) / scale),
        "violation_H": max(used_H - E_H, 0.0) / E_H,
        "violation_W": max(used_W - E_W, 0.0) / E_W,
    }
    bounds: dict[str, float] = {}
    G = program.gradient_logits(X)
    if G is None:
        res["gap"] = float("nan")
        return res, bounds
    Z0 = program.logits(X)
    sigma = np.linalg.svd(G, compute_uv=False)[0]
    lower = program.objective(X) - float((G * Z0).sum()) - K * sigma * np.sqrt(E_H * E_W)
    Xc = (U * np.clip(ev, 0.0, None)) @ U.T
    uH, uW = program.budgets_used(Xc)
    shrink_H = min(1.0, np.sqrt(E_H / uH)) if uH > 0 else 1.0
    shrink_W = min(1.0, np.sqrt(E_W / uW)) if uW > 0 else 1.0
    d = np.concatenate([np.full(K, shrink_H), np.full(K, shrink_W)])
    upper = program.objective(Xc * np.outer(d, d))
    res["gap"] = float(max(upper - lower, 0.0))
    bounds.update(lower=float(lower), upper=float(upper))
    return res, bounds


def solve_gram(program: GramProgram, solver: str = "CLARABEL", **tolerances: float) -> ConicSolution:
    """Solve (15) with ``solver`` ("CLARABEL" or "SCS"; tolerances as cvxpy passes them) and measure."""
    import cvxpy as cp  # imported when a conic solve runs

    solver = solver.upper()
    if solver not in DEFAULT_TOLERANCES:
        raise ValueError(f"solver {solver!r} not supported; use one of {sorted(DEFAULT_TOLERANCES)}")
    if solver not in cp.installed_solvers():
        raise RuntimeError(f"{solver} is not installed in this environment (cvxpy sees {cp.installed_solvers()})")
    kwargs = {**DEFAULT_TOLERANCES[solver], **tolerances}
    prob, X, (budget_H, budget_W) = program.build()
    t0 = time.perf_counter()
    try:
        with warnings.catch_warnings():  # cvxpy warns on "optimal_inaccurate": we measure and report instead
            warnings.simplefilter("ignore", UserWarning)
            prob.solve(solver=solver, **kwargs)
    except cp.error.SolverError as exc:
        nan = float("nan")
        K2 = 2 * program.K
        return ConicSolution(
            np.full((K2, K2), nan),
            nan,
            "solver_error",
            solver,
            time.perf_counter() - t0,
            {},
            {},
            {},
            nan,
            False,
            str(exc),
        )
    seconds = time.perf_counter() - t0
    Xv = np.asarray(X.value, dtype=float)
    Xv = (Xv + Xv.T) / 2
    stats: dict[str, float] = {"iterations": float(prob.solver_stats.num_iters or 0)}
    extra = prob.solver_stats.extra_stats
    if isinstance(extra, Mapping) and isinstance(extra.get("info"), Mapping):
        info = extra["info"]
        stats.update({k: float(info[k]) for k in ("res_pri", "res_dual", "gap") if k in info})
    residuals, bounds = measured_residuals(program, Xv)
    acc = _stated_accuracy(solver, kwargs)
    failing = [
        f"{name} = {abs(v):.1e}"
        for name, v in residuals.items()
        if not np.isnan(v) and abs(v) > acc  # nan gap: no loss gradient, judged on the rest
    ]
    accurate = prob.status in ("optimal", "optimal_inaccurate") and not failing
    if prob.status not in ("optimal", "optimal_inaccurate"):
        reason = f"solver status {prob.status}"
    elif failing:
        reason = f"{solver} says {prob.status} but measured " + ", ".join(failing) + f" > stated accuracy {acc:.0e}"
    else:
        reason = f"measured residuals within {acc:.0e} (solver status {prob.status})"
    return ConicSolution(
        X=Xv,
        value=float(prob.value),
        status=str(prob.status),
        solver=solver,
        seconds=seconds,
        solver_stats=stats,
        residuals=residuals,
        multipliers={"mu_H": float(budget_H.dual_value), "mu_W": float(budget_W.dual_value)},
        stated_accuracy=acc,
        accurate=accurate,
        reason=reason,
        bounds=bounds,
    )


def _stated_accuracy(solver: str, kwargs: Mapping[str, float]) -> float:
    """The default accuracy, scaled up when the caller loosened the tolerances (never scaled down)."""
    base = STATED_ACCURACY[solver]
    default = DEFAULT_TOLERANCES[solver]
    key = "tol_gap_abs" if solver == "CLARABEL" else "eps_abs"
    return base * max(1.0, float(kwargs[key]) / default[key])


def recover(X: np.ndarray, p: int) -> tuple[np.ndarray, np.ndarray]:
    """(Hbar, W) with rows hbar_k and w_k in R^p, from Lemma 1: [hbar_1..hbar_K, W^T] = P X^{1/2}.

    X^{1/2} is the PSD square root (eigh, negative eigenvalues of a solver's X clipped to 0) and P = [I_2K; 0]
    in R^{p x 2K} (P^T P = I_2K), so p >= 2K is required, as in the lemma. Column k of P X^{1/2} is hbar_k,
    column K + j is w_j; hence (P X^{1/2})^T (P X^{1/2}) = X (up to the clipping)."""
    X = (np.asarray(X, dtype=float) + np.asarray(X, dtype=float).T) / 2
    K2 = X.shape[0]
    if p < K2:
        raise ValueError(f"p = {p} < 2K = {K2}: Lemma 1's factorisation P X^(1/2) needs p >= 2K")
    ev, U = np.linalg.eigh(X)
    root = (U * np.sqrt(np.clip(ev, 0.0, None))) @ U.T
    M = np.zeros((p, K2))
    M[:K2] = root
    K = K2 // 2
    return M[:, :K].T.copy(), M[:, K:].T.copy()


def classifier_geometry(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(||w_k||, the matrix of cos(w_k, w_l)) from the block X[K:, K:] = W W^T of a float solution of (15);
    the cosines of a classifier with zero norm are nan (undefined, never a number)."""
    K = X.shape[0] // 2
    Wg = np.asarray(X, dtype=float)[K:, K:]
    norms = np.sqrt(np.clip(np.diag(Wg), 0.0, None))
    safe = np.where(norms > 0, norms, np.nan)
    return norms, Wg / np.outer(safe, safe)


def low_rank_factor(X: np.ndarray, p: int, rel_tol: float = 1e-8) -> tuple[np.ndarray, np.ndarray]:
    """(Hbar, W) in R^p from the eigenvectors of X with eigenvalue > rel_tol * max eigenvalue (rank r <= p).

    Not Lemma 1's construction (which takes p >= 2K): it realises the same Gram matrix in r dimensions,
    dropping eigenvalues below the threshold (a relative error ~rel_tol in the Gram). Raises if r > p."""
    X = (np.asarray(X, dtype=float) + np.asarray(X, dtype=float).T) / 2
    ev, U = np.linalg.eigh(X)
    keep = ev > rel_tol * max(ev.max(), 0.0)
    r = int(keep.sum())
    if r > p:
        raise ValueError(f"numerical rank {r} of X exceeds p = {p}")
    F = np.zeros((X.shape[0], p))
    F[:, :r] = U[:, keep] * np.sqrt(ev[keep])
    K = X.shape[0] // 2
    return F[:K].copy(), F[K:].copy()


@dataclass(frozen=True)
class PolishedSolution:
    """A conic solution refined to ``dps`` digits and certified (see :func:`polish`)."""

    value: object  # mpf: the optimal value of (15), certified to ~10^-(dps-5) by ``certificate.gap``
    X: np.ndarray  # object array of mpf: the Gram matrix of the refined factor (2K x 2K)
    certificate: Certificate
    certified: bool
    message: str
    conic: ConicSolution  # the solve it started from
    kkt_message: str
    dps: int

    def uncertified(self) -> Undefined | None:
        """None when certified, else an Undefined saying why (a claim's reference is then unavailable)."""
        return None if self.certified else Undefined(f"optimum of (15) not certified: {self.message}")


def polish(program: GramProgram, dps: int, solvers: tuple[str, ...] = ("CLARABEL", "SCS")) -> PolishedSolution:
    """Solve (15) conically, factor X (:func:`recover`, p = 2K), refine the KKT point of the factored program
    (:class:`GramFactorModel`) in mpmath at ``dps`` digits and certify it with :func:`certify`.

    The first solver in ``solvers`` whose solution is ``accurate`` is used (else the last one tried): the
    conic accuracy only has to put the start in the basin of the Newton iteration. ``certified`` means the
    Frank-Wolfe gap and the budget excess are below 10^-(dps-6) relative to max(|value|, 10^-dps), and the value
    lies in the bracket of :func:`measured_residuals` at the conic X (computed with an independently coded loss):
    then the value is the global minimum of (15) to that accuracy, whatever the conic solver's own accuracy."""
    import mpmath

    from verify.models.arith import mp_arithmetic
    from verify.solvers.kkt_refine import refine_kkt

    sol = None
    for name in solvers:
        sol = solve_gram(program, name)
        if sol.accurate:
            break
    K = program.K
    if not np.all(np.isfinite(sol.X)):
        empty = Certificate(mpmath.nan, mpmath.nan, mpmath.nan, mpmath.nan, mpmath.nan)
        message = f"no conic solution ({', '.join(solvers)}): {sol.reason}"
        return PolishedSolution(mpmath.nan, sol.X, empty, False, message, sol, "not run", dps)
    Hbar, W = recover(sol.X, 2 * K)
    model = GramFactorModel(program, 2 * K)
    kkt = refine_kkt(model, model.pack(W, Hbar), dps=dps, constraint_scale=model.constraint_scale)
    with mpmath.workdps(dps):
        W_mp, H_mp = model.unpack(kkt.x)
        cert = certify(program, H_mp, W_mp, mp_arithmetic())
        F = np.vstack([H_mp, W_mp])
        X = F @ F.T
        tol = mpmath.mpf(10) ** (-(dps - 6)) * max(abs(cert.value), mpmath.mpf(10) ** (-dps))
        # Cross-check with a loss coded independently of the refinement's: the convexity bracket measured at
        # the conic X with GramProgram's own numpy cross-entropy (valid at any X, accurate or not) must contain
        # the refined value; 1e-12 relative covers the float64 rounding of the bracket's O(K) terms.
        slack = 1e-12 * max(1.0, abs(float(cert.value)))
        lo, hi = sol.bounds.get("lower", -np.inf), sol.bounds.get("upper", np.inf)
        bracketed = lo - slack <= float(cert.value) <= hi + slack
        certified = bool(
            kkt.converged
            and abs(cert.gap) <= tol
            and cert.infeasibility <= mpmath.mpf(10) ** (-(dps - 6))
            and bracketed
        )
        message = (
            f"{sol.solver} ({sol.reason}); KKT polish: {kkt.message}; certified gap {mpmath.nstr(cert.gap, 3)}, "
            f"budget excess {mpmath.nstr(cert.infeasibility, 3)} (allowed {mpmath.nstr(tol, 3)})"
            + ("" if bracketed else f"; value outside the conic solve's convexity bracket [{lo:.15g}, {hi:.15g}]")
        )
    return PolishedSolution(cert.value, X, cert, certified, message, sol, kkt.message, dps)


@lru_cache(maxsize=128)
def polished_optimum(class_sizes: tuple, E_H, E_W, dps: int) -> PolishedSolution:
    """:func:`polish` of ``GramProgram(class_sizes, E_H, E_W)`` (cross-entropy), cached: a claim's quantities,
    its errata, explorations and tests share one conic solve and refinement per point and precision."""
    return polish(GramProgram(tuple(class_sizes), E_H, E_W), dps)
