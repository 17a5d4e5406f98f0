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
3. :func:`revival_curvatures`: first-order KKT conditions cannot tell a spuriously collapsed feature row
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
from dataclasses import dataclass, field, replace

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


def unused_coordinates(model, x, rtol: float = 1e-12) -> list[int]:
    """Coordinates e where every feature row is exactly 0 (active bounds) and the classifier column is zero to
    ``rtol`` of the largest classifier entry (the polish leaves ~10^-dps there, the float solve ~1e-10)."""
    W, H = model.unpack(x)
    Wf, Hf = np.asarray(W, dtype=float), np.asarray(H, dtype=float)
    top = max(float(np.max(np.abs(Wf), initial=0.0)), 1.0)  # W = 0 (total collapse): an absolute 1e-12
    return [e for e in range(model.d) if not Hf[:, e].any() and float(np.max(np.abs(Wf[:, e]))) <= rtol * top]


def concentrate(model, x: np.ndarray, dps: int) -> np.ndarray:
    """An equivalent point with freed coordinates: for each feature row, the coordinates where it is the only
    nonzero row ("private") are rotated (a Householder reflection Q, applied to those columns of H and of W) so
    that its private part lies on one coordinate. f(W Q, Q H) = f(W, H) exactly and Q keeps the features
    non-negative (the row's private part maps to ||part|| e_j); the other rows vanish on those columns."""
    with mpmath.workdps(dps):
        x = np.array(x, dtype=object)
        W, H = model.unpack(x)
        W, H = W.copy(), H.copy()
        Hf = np.asarray(H, dtype=float)
        nonzero = Hf != 0
        for r in range(model.rows):
            private = [e for e in range(model.d) if nonzero[r, e] and nonzero[:, e].sum() == 1]
            if len(private) < 2:
                continue
            v = H[r, private]
            j0 = int(np.argmax(np.abs(np.asarray(v, dtype=float))))
            u = v.copy()
            u[j0] -= mpmath.sqrt((v * v).sum())
            uu = (u * u).sum()
            if uu == 0:
                continue
            # reflect the columns: C <- C - 2 (C u) u^T / (u^T u), for C = H[:, P] and W[:, P]
            for C in (H, W):
                block = C[:, private]
                C[:, private] = block - np.outer(block @ u, u) * (2 / uu)
            H[r, private] = np.array([abs(t) if i == j0 else mpmath.mpf(0) for i, t in enumerate(H[r, private])])
        return model.pack(W, H)


def revival_curvatures(
    model, x: np.ndarray, dps: int, only_rows: list[int] | None = None
) -> list[tuple[int, int, mpmath.mpf, mpmath.mpf, np.ndarray]]:
    """For each all-zero feature row r (or those of ``only_rows``): (r, e, smallest eigenvalue of the
    (H[r,e], W[:,e]) Hessian block, its resolution, the eigenvector) at the first unused coordinate e of ``x``
    (call :func:`concentrate` first to free coordinates). Empty when no coordinate is unused. The block's
    columns come from central differences of the mpmath gradient: the K classifier entries W[:, e] are
    perturbed once and shared by every row."""
    W, H = model.unpack(x)
    Hf = np.asarray(H, dtype=float)
    zero_rows = [r for r in range(model.rows) if not Hf[r].any() and (only_rows is None or r in only_rows)]
    unused = unused_coordinates(model, x)
    if not zero_rows or not unused:
        return []
    e = unused[0]
    out = []
    with mpmath.workdps(dps):
        ar = mp_arithmetic()
        x = np.array([mpmath.mpf(v) for v in x], dtype=object)
        h = mpmath.mpf(10) ** (-(dps // 3))  # central differences: error ~h^2 + 10^-dps/h, ~10^-(2 dps/3)
        w_idx = [k * model.d + e for k in range(model.K)]
        h_idx = {r: model.n_W + r * model.d + e for r in zero_rows}

        def column(i):
            xp, xm = x.copy(), x.copy()
            xp[i] += h
            xm[i] -= h
            return (model.gradient(xp, ar) - model.gradient(xm, ar)) / (2 * h)

        w_cols = [column(i) for i in w_idx]
        for r in zero_rows:
            idx = [h_idx[r], *w_idx]
            cols = [column(h_idx[r]), *w_cols]
            block = mpmath.matrix(len(idx), len(idx))
            for a in range(len(idx)):
                for b, j in enumerate(idx):
                    block[b, a] = cols[a][j]
            block = (block + block.T) / 2
            evals, evecs = mpmath.eigsy(block)
            i_min = min(range(len(idx)), key=lambda i: evals[i])
            norm = max(abs(v) for v in block)
            resolution = norm * mpmath.mpf(10) ** (-(dps // 2))
            vec = np.array([evecs[i, i_min] for i in range(len(idx))], dtype=object)
            if vec[0] < 0:
                vec = -vec
            out.append((r, e, evals[i_min], resolution, vec))
    return out


def escape_along(model, x: np.ndarray, row: int, e: int, vec: np.ndarray, dps: int) -> np.ndarray:
    """Follow the descent direction of a negative revival curvature: minimise f(x + tau v) over tau > 0 in
    mpmath (doubling bracket, then golden section), v = vec on (H[row, e], W[:, e])."""
    idx = [model.n_W + row * model.d + e] + [k * model.d + e for k in range(model.K)]
    with mpmath.workdps(dps):
        ar = mp_arithmetic()
        direction = np.array([mpmath.mpf(0)] * model.dim, dtype=object)
        for i, v in zip(idx, vec, strict=True):
            direction[i] = v

        def f(tau):
            return model.objective(x + tau * direction, ar)

        base = f(mpmath.mpf(0))
        lo, tau = mpmath.mpf(0), mpmath.mpf(10) ** (-(dps // 3))
        while f(tau) < base and tau < 1e6:
            lo, tau = tau, 2 * tau
        a, b = lo / 2, tau
        phi = (mpmath.sqrt(5) - 1) / 2
        for _ in range(200):
            c, d = b - phi * (b - a), a + phi * (b - a)
            if f(c) < f(d):
                b = d
            else:
                a = c
        return x + (a + b) / 2 * direction


@dataclass(frozen=True)
class SecondOrderPoint:
    """A polished point with the outcome of the revival test."""

    point: PolishedPoint
    status: str  # "passed", "saddle", "undecided", "untestable", "no collapsed row"
    detail: str
    curvatures: tuple = field(default=())


def polish_with_second_order(model, x0: np.ndarray, *, dps: int, max_escapes: int = 4) -> SecondOrderPoint:
    """:func:`polish`, then the revival test; a saddle is escaped along its descent direction and polished
    again (at most ``max_escapes`` times)."""
    pt = polish(model, x0, dps=dps)
    escapes = 0
    while True:
        if pt.converged:
            pt = replace(pt, x=concentrate(model, pt.x, dps))
        curv = revival_curvatures(model, pt.x, dps) if pt.converged else []
        rows = [c for c in curv]
        if not pt.converged:
            return SecondOrderPoint(pt, "undecided", "polish did not converge", ())
        Hf = np.asarray(model.unpack(pt.x)[1], dtype=float)
        zero_rows = [r for r in range(model.rows) if not Hf[r].any()]
        if not zero_rows:
            return SecondOrderPoint(pt, "no collapsed row", "no all-zero feature row", ())
        if not rows:
            return SecondOrderPoint(
                pt, "untestable", f"rows {zero_rows} are zero but no coordinate is unused (d too small to test)", ()
            )
        summary = tuple((r, e, mpmath.nstr(c, 5), mpmath.nstr(res, 3)) for r, e, c, res, _ in rows)
        negative = [c for c in rows if c[2] < -c[3]]
        undecided = [c for c in rows if abs(c[2]) <= c[3]]
        if negative and escapes < max_escapes:
            r, e, _, _, vec = negative[0]
            x_new = escape_along(model, pt.x, r, e, vec, dps)
            active = model.bounded() & (np.asarray(x_new, dtype=float) == 0)
            active[model.n_W + r * model.d + e] = False
            pt = polish(model, x_new, dps=dps, active=active)
            escapes += 1
            continue
        if negative:
            return SecondOrderPoint(pt, "saddle", f"descent direction left after {escapes} escapes", summary)
        if undecided:
            return SecondOrderPoint(
                pt,
                "undecided",
                "a revival curvature is within its resolution (the point is at a collapse threshold "
                "to working precision)",
                summary,
            )
        detail = f"every zero row has positive revival curvature; {escapes} saddle escapes followed"
        return SecondOrderPoint(pt, "passed", detail, summary)


# --- thresholds: where a collapsed row stops being revivable -----------------------------------------------
@dataclass(frozen=True)
class Threshold:
    """A parameter value s* at which the revival curvature of ``rows`` crosses zero, with how it was found."""

    s: mpmath.mpf | None
    bracket: tuple[float, float]  # from global float solves: rows alive at bracket[0] side, zero at [1] side
    steps: int
    converged: bool
    message: str


#: Working precision of the polish that decides, during a threshold's global bracket, whether rows are zero.
STATE_DPS = 20


def rows_alive(model, *, groups: list[list[int]], n_starts: int, seed: int) -> list[bool]:
    """For each group of rows: is some row of it nonzero at the global minimiser? One multistart (best of
    ``n_starts`` float L-BFGS-B runs) polished at STATE_DPS digits with the revival test (near total collapse
    L-BFGS-B leaves rows of ~1e-8 that the active-set Newton puts exactly at 0, or revives). For each group alive
    there, the same point with the group held at 0 is re-solved and polished, and the lower value decides (a few
    starts can all stop at a spurious local minimum)."""
    runs = multistart(model, n_starts=n_starts, seed=seed)
    best = min(runs, key=lambda r: r.value)
    so = polish_with_second_order(model, best.x, dps=STATE_DPS)
    if not so.point.converged:
        _, H = model.unpack(best.x)
        norms = np.sqrt((H * H).sum(axis=1))
        top = float(norms.max(initial=0.0))
        return [bool(top > 0 and norms[g].max() > 1e-6 * top) for g in groups]
    x = np.asarray(so.point.x, dtype=float)
    _, H = model.unpack(x)
    norms = np.sqrt((H * H).sum(axis=1))
    out = []
    for rows in groups:
        if not norms[rows].max() > 10.0 ** (-(STATE_DPS // 2)) * max(norms.max(initial=0.0), model.natural_scale()):
            out.append(False)
            continue
        fixed = np.zeros(model.dim, bool)
        for r in rows:
            fixed[model.n_W + r * model.d : model.n_W + (r + 1) * model.d] = True
        zeroed = lbfgsb(model, x, fixed)
        alt = polish(model, zeroed, dps=STATE_DPS, active=model.bounded() & ((zeroed <= 0) | fixed), keep=fixed)
        out.append(not (alt.converged and alt.value < so.point.value))
    return out


#: Geometric grid of the global sweep: consecutive grid points differ by this factor.
SWEEP_FACTOR = 2.0**0.5
#: The sweep stops after this many grid points in either direction (a factor 2^20 ~ 1e6 from s0).
SWEEP_LIMIT = 40


def thresholds(
    make_model,
    *,
    groups: list[list[int]],
    s0: float,
    dps: int,
    seed: int = 0,
    n_starts: int = 3,
) -> list[Threshold]:
    """s* for each group of rows of the one-parameter family ``make_model(s)`` (s > 0, float or mpf): the
    value of s beyond which the group is zero at the global minimiser (the state must be alive below, zero above).

    1. Global sweep: float multistarts polished and decided by :func:`rows_alive` on the geometric grid
       s0 * SWEEP_FACTOR^j, downwards until every group is alive, upwards until every group is zero; each
       group's bracket is the pair of consecutive grid points where its state flips.
    2. Local: secant in log s on the smallest revival curvature of the group's first row at the KKT point
       polished at ``dps`` with the group held at zero (warm-started along s), from the two ends of the
       bracket; stopped at a step below 10^-(dps-3). Converged when the curvature at s* is within 10 times its
       resolution and s* lies in the bracket."""
    states: dict[float, list[bool]] = {}

    def state(s: float) -> list[bool]:
        if s not in states:
            states[s] = rows_alive(make_model(s), groups=groups, n_starts=n_starts, seed=seed)
        return states[s]

    grid = [s0]
    j = 0
    while any(not a for a in state(grid[0])) and j < SWEEP_LIMIT:
        grid.insert(0, grid[0] / SWEEP_FACTOR)
        j += 1
    j = 0
    while any(state(grid[-1])) and j < SWEEP_LIMIT:
        grid.append(grid[-1] * SWEEP_FACTOR)
        j += 1
    out = []
    for gi, rows in enumerate(groups):
        flips = [(a, b) for a, b in zip(grid, grid[1:], strict=False) if states[a][gi] and not states[b][gi]]
        if len(flips) != 1 or not states[grid[0]][gi] or states[grid[-1]][gi]:
            out.append(
                Threshold(
                    None,
                    (grid[0], grid[-1]),
                    0,
                    False,
                    f"rows {rows}: not one alive-to-zero flip on the sweep s in [{grid[0]:.3g}, {grid[-1]:.3g}] "
                    f"({len(flips)} flips)",
                )
            )
            continue
        out.append(_secant(make_model, rows, flips[0], dps, seed, n_starts))
    return out


def _secant(make_model, rows, bracket, dps, seed, n_starts) -> Threshold:
    lo, hi = bracket
    model_hi = make_model(hi)
    runs = multistart(model_hi, n_starts=n_starts, seed=seed)
    x = min(runs, key=lambda r: r.value).x.copy()
    fixed = np.zeros(model_hi.dim, bool)
    for r in rows:
        sl = slice(model_hi.n_W + r * model_hi.d, model_hi.n_W + (r + 1) * model_hi.d)
        fixed[sl] = True
    x = lbfgsb(model_hi, x, fixed)
    state = {"x": x}

    def curvature(s):
        m = make_model(s)
        state["x"] = lbfgsb(m, state["x"], fixed)
        act = m.bounded() & ((state["x"] <= 0) | fixed)
        pt = polish(m, state["x"], dps=dps, active=act, keep=fixed)
        xc = concentrate(m, pt.x, dps)
        state["x"] = np.asarray(xc, dtype=float)
        curv = revival_curvatures(m, xc, dps + 10, only_rows=rows[:1])
        mine = [c for c in curv if c[0] == rows[0]]
        if not pt.converged or not mine:
            raise ArithmeticError(f"zero-row point at s = {float(s):.6g}: {pt.message}; revival test: {len(mine)} rows")
        return mine[0][2], mine[0][3]

    steps = 0
    with mpmath.workdps(dps + 10):
        try:
            a, b = mpmath.mpf(hi), mpmath.mpf(lo)
            ca, _ = curvature(a)
            cb, res = curvature(b)
            for steps in range(1, 60):  # noqa: B007
                la, lb = mpmath.log(a), mpmath.log(b)
                lc = lb - cb * (lb - la) / (cb - ca)
                c = mpmath.exp(lc)
                cc, res = curvature(c)
                a, ca, b, cb = b, cb, c, cc
                if abs(lb - lc) <= mpmath.mpf(10) ** (-(dps - 3)):
                    break
        except (ArithmeticError, ZeroDivisionError) as exc:
            return Threshold(None, (lo, hi), steps, False, f"curvature secant failed: {exc}")
        inside = lo * (1 - 1e-9) <= float(b) <= hi * (1 + 1e-9)
        ok = abs(cb) <= 10 * res and inside
        msg = (
            f"s* = {mpmath.nstr(b, 12)} (bracket [{lo:.6g}, {hi:.6g}] from global solves, {steps} secant steps, "
            f"curvature {mpmath.nstr(cb, 3)} vs resolution {mpmath.nstr(res, 3)})"
        )
        return Threshold(+b if ok else None, (lo, hi), steps, ok, msg if ok else "not converged: " + msg)
