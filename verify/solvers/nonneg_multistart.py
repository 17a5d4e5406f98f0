"""Bound-constrained multistart with a high-precision active-set polish, for models with x_B >= 0.

Written for the ReLU feature model (verify/models/relu_features.py) but generic over any model exposing
``value_and_gradient`` (float64), ``gradient(x, arithmetic)``, ``objective(x, arithmetic)``, ``bounded()``
(mask of the variables constrained to be >= 0), ``random_start(rng, spread)``, ``dim``. A solver sees the
problem, never an answer: nothing here imports a claim or a closed form.

1. :func:`multistart`: L-BFGS-B from seeded random feasible starts at several logit scales; every start's
   end value and projected-gradient norm is kept.
2. :func:`polish`: mixed-precision Newton on the active set. Active = bounded variables at 0 in the float
   point. Residuals in mpmath at ``dps`` digits; the Newton correction solves the float64 Hessian of the
   free variables (central differences of the float gradient), minimum-norm least squares (the minimisers
   form continuous families: rotations that keep the features non-negative). A free bounded variable a step
   would make negative is fixed at 0; an active one whose multiplier (its gradient) is negative is released
   (active-set method). The KKT residual reported: stationarity of the free variables, dual feasibility
   (multipliers of x_B >= 0 are the gradient entries of the active variables, must be >= 0), complementarity
   (max |x_i mu_i|: zero by construction on the active set, measured on the free set as |x_i g_i|), primal
   feasibility (min of the free bounded variables).
3. :func:`revival_curvatures` (in :mod:`verify.solvers.nonneg_second_order`; thresholds in
   :mod:`verify.solvers.nonneg_thresholds`): first-order KKT conditions cannot tell a spuriously collapsed feature row
   (all its entries active with multiplier 0 on an unused coordinate) from a truly collapsed one. The
   second-order condition on the critical cone can: for each all-zero feature row r and an unused coordinate
   e (column e of the features zero and of W zero), the Hessian block of (H[r, e], W[:, e]) is computed by
   central differences of the mpmath gradient; its smallest eigenvalue is the curvature of the cone direction
   (the block decouples from every other variable at such a point, and the quadratic form is even, so the
   sign constraint H[r, e] >= 0 does not matter). Negative: a descent direction exists (the point is a
   saddle; the solver follows it and polishes again); within the resolution of the differences: undecided
   (the solve is reported not converged, never guessed).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import mpmath
import numpy as np

from verify.models.arith import mp_arithmetic

#: L-BFGS-B: ftol is the relative reduction of f at which it stops (factr * eps); 1e-15 asks for the value to
#: the last reliable digits of float64; gtol on the projected gradient, absolute, of the O(1) objectives here.
LBFGSB_FTOL = 1e-15
LBFGSB_GTOL = 1e-12
LBFGSB_MAXITER = 20000

#: Logit scales of the random starts (cycled): small, unit and large logits reach different basins.
START_SPREADS = (1.0, 0.1, 3.0)

#: Two float end values belong to the same minimum when they differ by less than this, relative: L-BFGS-B
#: delivers the value to ~1e-13 relative here (measured on the pinned examples); distinct KKT values seen
#: differ by 1e-4 or more.
AGREE_RTOL = 1e-9

#: A bounded variable is active (at its bound) in the float point when x_i <= ACTIVE_RTOL * max_j x_j:
#: L-BFGS-B lands exactly on the bound (0.0) for active variables; free ones are O(max) or at least 1e-6 of it.
ACTIVE_RTOL = 1e-10

#: A bounded variable below this fraction of max |x| that a Newton step pushes through 0 is put at 0 without
#: shortening the step (near total collapse L-BFGS-B leaves hundreds of entries ~1e-8 heading to 0).
SMALL_RTOL = 1e-6

#: A multiplier of x_i >= 0 is a gradient entry; on a degenerate constraint (an unused coordinate: multiplier 0)
#: it is a product of converged quantities, each ~10^-(dps-5): two decades of slack before it counts as negative.
DUAL_SLACK = 100.0

#: The polish computes at dps + GUARD_DIGITS so that rounding of the O(dim) gradient terms (measured: a few
#: digits on K = 8) stays below its target 10^-(dps-5).
GUARD_DIGITS = 5

#: Central-difference step for the float Hessian (truncation ~h^2, rounding ~eps/h, balanced at eps^(1/3)).
FD_STEP = 6e-6
#: Singular values of the float Hessian below RCOND times the largest are its null space (FD error ~1e-10).
RCOND = 1e-9


@dataclass(frozen=True)
class FloatRun:
    """One L-BFGS-B start."""

    x: np.ndarray
    value: float
    projected_gradient: float
    start: int
    spread: float


@dataclass(frozen=True)
class PolishedPoint:
    """A KKT point refined at ``dps`` digits, with its residuals (all relative to the gradient scale)."""

    x: np.ndarray  # object array of mpf
    value: mpmath.mpf
    active: np.ndarray  # bool mask over all variables
    stationarity: float
    dual_feasibility: float  # max(0, -min multiplier) / scale
    complementarity: float
    primal_feasibility: float  # max(0, -min free bounded variable) / max |x|
    last_step: float
    iterations: int
    converged: bool
    message: str
    dps: int
    curvatures: tuple = ()  # (row, coordinate, curvature, resolution) of the revival test
    revived: int = 0  # how many saddle escapes were followed

    @property
    def kkt_residual(self) -> float:
        return max(self.stationarity, self.dual_feasibility, self.complementarity, self.primal_feasibility)


def lbfgsb(model, x0: np.ndarray, fixed: np.ndarray | None = None) -> np.ndarray:
    """One L-BFGS-B run from ``x0`` with x_B >= 0 and the ``fixed`` variables held at 0."""
    from scipy.optimize import minimize

    lb = np.where(model.bounded(), 0.0, -np.inf)
    fixed = np.zeros(model.dim, bool) if fixed is None else fixed
    bounds = [(0.0, 0.0) if f else (None if np.isinf(lo) else 0.0, None) for lo, f in zip(lb, fixed, strict=True)]
    res = minimize(
        model.value_and_gradient,
        np.where(fixed, 0.0, x0),
        jac=True,
        method="L-BFGS-B",
        bounds=bounds,
        options={"ftol": LBFGSB_FTOL, "gtol": LBFGSB_GTOL, "maxiter": LBFGSB_MAXITER, "maxcor": 30},
    )
    return np.where(fixed, 0.0, np.maximum(res.x, lb))


def multistart(model, *, n_starts: int, seed: int) -> list[FloatRun]:
    """L-BFGS-B with bounds x_B >= 0 from ``n_starts`` seeded random feasible starts."""
    from scipy.optimize import minimize

    rng = np.random.default_rng(seed)
    lb = np.where(model.bounded(), 0.0, -np.inf)
    bounds = [(None if np.isinf(lo) else 0.0, None) for lo in lb]
    runs = []
    for j in range(n_starts):
        spread = START_SPREADS[j % len(START_SPREADS)]
        x0 = model.random_start(rng, spread)
        res = minimize(
            model.value_and_gradient,
            x0,
            jac=True,
            method="L-BFGS-B",
            bounds=bounds,
            options={"ftol": LBFGSB_FTOL, "gtol": LBFGSB_GTOL, "maxiter": LBFGSB_MAXITER, "maxcor": 30},
        )
        x = np.maximum(res.x, lb)
        _, g = model.value_and_gradient(x)
        pg = np.where(model.bounded() & (x <= 0), np.minimum(g, 0), g)
        runs.append(FloatRun(x, float(model.objective(x)), float(np.max(np.abs(pg))), j, spread))
    return runs


def group_values(runs: list[FloatRun]) -> list[list[FloatRun]]:
    """Runs grouped by end value (relative AGREE_RTOL), best group first."""
    groups: list[list[FloatRun]] = []
    for run in sorted(runs, key=lambda r: r.value):
        if groups and abs(run.value - groups[-1][0].value) <= AGREE_RTOL * max(abs(groups[-1][0].value), 1e-300):
            groups[-1].append(run)
        else:
            groups.append([run])
    return groups


def _float_hessian(model, x: np.ndarray, free: np.ndarray) -> np.ndarray:
    idx = np.flatnonzero(free)
    if hasattr(model, "gradients") and idx.size:  # one batched pass over the 2 len(idx) displaced points
        h = FD_STEP * np.maximum(1.0, np.abs(x[idx]))
        E = np.zeros((idx.size, x.size))
        E[np.arange(idx.size), idx] = h
        Hm = ((model.gradients(x + E)[:, idx] - model.gradients(x - E)[:, idx]) / (2 * h)[:, None]).T
        return (Hm + Hm.T) / 2
    cols = []
    for j in idx:
        h = FD_STEP * max(1.0, abs(x[j]))
        e = np.zeros_like(x)
        e[j] = h
        cols.append((model.gradient(x + e)[idx] - model.gradient(x - e)[idx]) / (2 * h))
    Hm = np.array(cols).T if cols else np.zeros((0, 0))
    return (Hm + Hm.T) / 2


def _scale(model, x, g) -> float:
    """The gradient scale: the size of the terms that cancel at a stationary point (at least the multipliers)."""
    W, H = model.unpack(np.asarray(x, dtype=float))
    lw, lh = float(model.lambda_W), float(model.lambda_H)
    terms = [lw * float(np.max(np.abs(W), initial=0)), lh * float(np.max(np.abs(H), initial=0))]
    terms.append(float(np.max(np.abs(np.asarray(g, dtype=float)), initial=0)))
    # never below the size of the loss's own derivative (W = H = 0 at total collapse makes every other term 0)
    terms.append(float(model.logit_gradient_scale()))
    return max(terms)


def _x_floor(model) -> float:
    """The model's natural size of the unknowns (:meth:`natural_scale`), the unit of steps and of "zero" at a
    point that is (nearly) zero (total collapse), where a relative criterion would never be met."""
    return float(model.natural_scale())


def polish(
    model,
    x0: np.ndarray,
    *,
    dps: int,
    max_iter: int = 80,
    active: np.ndarray | None = None,
    keep: np.ndarray | None = None,
) -> PolishedPoint:
    """Active-set Newton refinement of the float point ``x0`` to a KKT point at ``dps`` digits.

    Converged: stationarity and primal feasibility below 10^-(dps-5) (five guard digits for the rounding of the
    O(dim) terms of the gradient), dual feasibility below DUAL_SLACK times that, and a last correction of
    10^-(dps-5) relative to max |x|. ``keep``: variables held at 0 whatever their multiplier (a sub-program)."""
    t0 = time.perf_counter()
    target = 10.0 ** (-(dps - 5))
    bounded = model.bounded()
    x0 = np.asarray(x0, dtype=float)
    if active is None:
        top = float(np.max(x0[bounded], initial=0.0))
        active = bounded & (x0 <= ACTIVE_RTOL * top)
    active = active.copy()
    with mpmath.workdps(dps + GUARD_DIGITS):  # residuals rounded 5 digits below the target
        ar = mp_arithmetic()
        z = ar.asarray(np.where(active, 0.0, x0))
        step_size = np.inf
        it = 0
        for it in range(1, max_iter + 1):  # noqa: B007 (reported after the loop)
            g = model.gradient(z, ar)
            gf = g.astype(float)
            scale = _scale(model, z, np.where(active, gf, 0))
            free = ~active
            stat = float(np.max(np.abs(gf[free]), initial=0.0)) / scale
            mult = gf[active]
            if stat <= target and step_size <= target:
                zf = z.astype(float)
                top = max(float(np.max(np.abs(zf), initial=0.0)), _x_floor(model))
                snap = bounded & free & (zf <= target * top) & (gf >= -target * scale)
                if snap.any():  # converged onto the bound from inside: it is active, its multiplier >= 0
                    active |= snap
                    z = np.where(snap, mpmath.mpf(0), z)
                    continue
                released = active & (gf < -DUAL_SLACK * target * scale)
                if keep is not None:
                    released &= ~keep
                if not released.any():
                    break
                active &= ~released  # a negative multiplier: release the constraint, keep iterating
                free = ~active
            Hf = _float_hessian(model, z.astype(float), free)
            if not (np.all(np.isfinite(Hf)) and np.all(np.isfinite(gf))):
                step_size = np.inf  # float64 overflow (far-out point): report not converged, never guess
                break
            try:
                step = np.linalg.lstsq(Hf, -gf[free], rcond=RCOND)[0] if Hf.size else np.zeros(0)
            except np.linalg.LinAlgError:
                step_size = np.inf
                break
            full = np.zeros(model.dim)
            full[free] = step
            zf = z.astype(float)
            hit = bounded & free & (zf + full < 0)
            top = max(float(np.max(np.abs(zf), initial=0.0)), 1e-300)
            small = hit & (zf <= SMALL_RTOL * top)
            if small.any():  # vanishing entries the step crosses: at their bound (all at once)
                active |= small
                full[small] = -zf[small]
                hit &= ~small
            if hit.any():  # ratio test: shorten the step to the first bound it crosses, fix that variable there
                ratios = np.where(hit, zf / np.where(hit, -full, 1.0), np.inf)
                blocking = int(np.argmin(ratios))
                full = full * min(1.0, float(ratios[blocking]))
                new = z + ar.asarray(full)
                new[blocking] = mpmath.mpf(0)
                active[blocking] = True
                new = np.where(bounded & (new.astype(float) < 0), mpmath.mpf(0), new)
            else:
                new = z + ar.asarray(full)
            top = max(float(np.max(np.abs(z.astype(float)), initial=0.0)), _x_floor(model))
            step_size = float(np.max(np.abs(full), initial=0.0)) / top
            z = new
        g = model.gradient(z, ar)
        gf = g.astype(float)
        zf = z.astype(float)
        scale = _scale(model, z, np.where(active, gf, 0))
        free = ~active
        stat = float(np.max(np.abs(gf[free]), initial=0.0)) / scale
        mult = gf[active]
        held = keep[active] if keep is not None else np.zeros(int(active.sum()), bool)
        dual = max(0.0, -float(np.min(mult[~held], initial=0.0))) / scale
        top = max(float(np.max(np.abs(zf), initial=0.0)), 1e-300)
        comp = float(np.max(np.abs(zf[free & bounded] * gf[free & bounded]), initial=0.0)) / max(scale * top, 1e-300)
        primal = max(0.0, -float(np.min(zf[free & bounded], initial=0.0))) / top
        value = model.objective(z, ar)
    residual = max(stat, dual / DUAL_SLACK, comp, primal)
    ok = residual <= target and step_size <= target
    if ok:
        message = f"KKT residual {residual:.1e} <= {target:.0e} in {it} Newton steps"
    else:
        message = (
            f"KKT residual {residual:.1e} (last step {step_size:.1e}) above allowed {target:.0e} after {it} steps; "
            "near a collapse threshold the minimiser is degenerate: try a larger --dps or a point further from it"
        )
    del t0
    return PolishedPoint(z, value, active, stat, dual, comp, primal, step_size, it, ok, message, dps)
