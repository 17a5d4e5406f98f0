"""Collapse thresholds by sweeping a parameter with the non-negative multistart
(:mod:`verify.solvers.nonneg_multistart`): which feature rows stay alive, bracketed and refined by secants.
"""

from __future__ import annotations

from dataclasses import dataclass

import mpmath
import numpy as np

from verify.solvers.nonneg_multistart import lbfgsb, multistart, polish
from verify.solvers.nonneg_second_order import concentrate, polish_with_second_order, revival_curvatures


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


def rows_alive(model, *, groups: list[list[int]], n_starts: int, seed: int, runs=None) -> list[bool]:
    """For each group of rows: is some row of it nonzero at the global minimiser? One multistart (best of
    ``n_starts`` float L-BFGS-B runs) polished at STATE_DPS digits with the revival test (near total collapse
    L-BFGS-B leaves rows of ~1e-8 that the active-set Newton puts exactly at 0, or revives). For each group alive
    there, the same point with the group held at 0 is re-solved and polished, and the lower value decides (a few
    starts can all stop at a spurious local minimum). ``runs``: that multistart, when the caller already has it."""
    runs = multistart(model, n_starts=n_starts, seed=seed) if runs is None else runs
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
    runs_at: dict[float, list] = {}  # the float multistart at each grid point, reused by the secant (same model)

    def state(s: float) -> list[bool]:
        if s not in states:
            model = make_model(s)
            runs_at[s] = multistart(model, n_starts=n_starts, seed=seed)
            states[s] = rows_alive(model, groups=groups, n_starts=n_starts, seed=seed, runs=runs_at[s])
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
        out.append(_secant(make_model, rows, flips[0], dps, runs_at[flips[0][1]]))
    return out


def _secant(make_model, rows, bracket, dps, runs_hi) -> Threshold:
    """The local step of :func:`thresholds`; ``runs_hi``: the sweep's float multistart at the bracket's upper end."""
    lo, hi = bracket
    model_hi = make_model(hi)
    x = min(runs_hi, key=lambda r: r.value).x.copy()
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
