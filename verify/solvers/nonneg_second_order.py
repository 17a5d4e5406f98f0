"""Second-order check for the non-negative multistart (step 3 of :mod:`verify.solvers.nonneg_multistart`):
curvatures on the critical cone at an all-zero feature row decide whether a collapsed row is a true minimiser
or a saddle, and the solver escapes along a descent direction and polishes again.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import mpmath
import numpy as np

from verify.models.arith import mp_arithmetic
from verify.solvers.nonneg_multistart import PolishedPoint, polish


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
    (call :func:`concentrate` first to free coordinates). Empty when no coordinate is unused. The block is the
    model's analytic ``hessian_block(x, idx, ar)`` where it has one (exact to the working precision, one
    softmax); otherwise central differences of the mpmath gradient (error ~10^-(2 dps/3)), the K classifier
    entries W[:, e] perturbed once and shared by every row."""
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

        analytic = getattr(model, "hessian_block", None)
        w_cols = [column(i) for i in w_idx] if analytic is None else []
        for r in zero_rows:
            idx = [h_idx[r], *w_idx]
            if analytic is not None:
                block = mpmath.matrix(analytic(x, idx, ar).tolist())
            else:
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
