"""Where the nonzero solutions of the MSE unconstrained-features models appear or stop being global, measured.

Two measurements, neither of which knows a closed form:

- :func:`origin_threshold` (one weight layer, problems (5)/(14)): the Hessian of f at its stationary point
  with W = 0, H = 0 (and, with a free bias, the b that minimises f(0, 0, b), found by the same differencing)
  is assembled in mpmath by exact differencing of the gradient (the gradient is affine in each block there).
  With scalar diagonal blocks h_W I, h_H I and coupling M, the point is a strict local minimiser iff
  h_W h_H > sigma_max(M)^2; scaling lambda_W by t moves h_W to t h_W, so the measured threshold is
  t* = sigma_max(M)^2 / (h_W h_H). The blocks being scalar is measured, not assumed (reported residual).
- :func:`diagonal_thresholds` (two weight layers, problems (23)/(24)): on the diagonal restriction
  g_t(a, b, c) of :meth:`verify.models.two_layer.TwoLayerModel.diagonal` (lambda_W2 scaled by t) it solves, in
  mpmath (multidimensional Newton from a float scan), the tie {grad g_t = 0, g_t(a, b, c) = g_t(0, 0, 0)}
  (the nonzero point stops being global) and the fold {grad g_t = 0, det Hess g_t = 0} (the nonzero local
  minimiser ceases to exist).
"""

from __future__ import annotations

from dataclasses import dataclass

import mpmath
import numpy as np

from verify.models.arith import FLOAT, mp_arithmetic


@dataclass(frozen=True)
class OriginThreshold:
    t_star: mpmath.mpf  # lambda_W -> t lambda_W: the origin stops being a strict local minimiser at t = t_star
    sigma_max: mpmath.mpf  # of the coupling block M
    h_W: mpmath.mpf
    h_H: mpmath.mpf
    block_residual: float  # how far the diagonal blocks are from scalar multiples of I (relative)
    bias: np.ndarray | None  # the minimising bias at W = 0, H = 0 (None without a bias)
    converged: bool
    message: str


def origin_threshold(model, dps: int) -> OriginThreshold:
    """Measure t* for an :class:`verify.models.mse_features.MSEFeaturesModel` (see module docstring)."""
    with mpmath.workdps(dps + 10):
        ar = mp_arithmetic()
        n = model.dim
        zero = ar.asarray(np.zeros(n))
        x0 = zero.copy()
        bias = None
        if model.has_bias:  # the gradient in b at W = 0, H = 0 is affine in b: one exact Newton step
            nb = model.K
            off = n - nb
            g0 = model.gradient(x0, ar)[off:]
            A = mpmath.matrix(nb, nb)
            for j in range(nb):
                e = zero.copy()
                e[off + j] = mpmath.mpf(1)
                gj = model.gradient(e, ar)[off:]
                for i in range(nb):
                    A[i, j] = gj[i] - g0[i]
            step = mpmath.lu_solve(A, mpmath.matrix([-v for v in g0]))
            for j in range(nb):
                x0[off + j] = step[j]
            bias = x0[off:].copy()
        g_base = model.gradient(x0, ar)
        wb, hb = model.weight_block(), model.feature_block()
        w_idx, h_idx = range(n)[wb], range(n)[hb]

        def column(j):
            e = x0.copy()
            e[j] = e[j] + 1
            return model.gradient(e, ar) - g_base

        cols_w = [column(j) for j in w_idx]
        cols_h = [column(j) for j in h_idx]
        Hww = np.array([[c[i] for i in w_idx] for c in cols_w], dtype=object)
        Hhh = np.array([[c[i] for i in h_idx] for c in cols_h], dtype=object)
        M = np.array([[c[i] for c in cols_h] for i in w_idx], dtype=object)  # d(grad_W)/dH
        h_W = sum(Hww[i, i] for i in range(len(w_idx))) / len(w_idx)
        h_H = sum(Hhh[i, i] for i in range(len(h_idx))) / len(h_idx)
        res_w = max(abs(Hww[i, j] - (h_W if i == j else 0)) for i in range(len(w_idx)) for j in range(len(w_idx)))
        res_h = max(abs(Hhh[i, j] - (h_H if i == j else 0)) for i in range(len(h_idx)) for j in range(len(h_idx)))
        block_residual = float(max(res_w / h_W, res_h / h_H))
        S = mpmath.matrix((M @ M.T).tolist())
        sigma2 = max(mpmath.eigsy(S, eigvals_only=True))
        t_star = sigma2 / (h_W * h_H)
        sigma_max = mpmath.sqrt(sigma2)
    ok = block_residual <= 10.0 ** (-(dps + 5))
    message = (
        f"diagonal Hessian blocks at the origin are scalar to {block_residual:.0e}"
        if ok
        else f"diagonal Hessian blocks at the origin are not scalar (residual {block_residual:.1e}): the Schur "
        "test of a scalar block does not apply"
    )
    return OriginThreshold(t_star, sigma_max, h_W, h_H, block_residual, bias, ok, message)


@dataclass(frozen=True)
class DiagonalPoint:
    """A root of the tie or fold system: the scale t and the diagonal factors there."""

    t: mpmath.mpf
    a: mpmath.mpf
    b: mpmath.mpf
    c: mpmath.mpf
    value: mpmath.mpf  # K g_t(a, b, c): the objective of all K directions at the point
    residual: float


@dataclass(frozen=True)
class DiagonalThresholds:
    tie: DiagonalPoint | None
    fold: DiagonalPoint | None
    converged: bool
    message: str


def _float_branch(model, ts: np.ndarray) -> list[tuple[float, np.ndarray, float]]:
    """Continuation in t (increasing) of the nonzero local minimiser of g_t, from a balanced start with
    a b c = 1 at the smallest t; stops where BFGS falls to the origin (a b c < 1e-3)."""
    from scipy.optimize import minimize

    out = []
    l1, lh = float(model.lambda_W1), model.n * float(model.lambda_H1)
    l2 = float(model.lambda_W2) * ts[0]
    s = (l1 * l2 * lh) ** (1 / 6)
    x = np.array([s / np.sqrt(l2), s / np.sqrt(l1), s / np.sqrt(lh)])
    for t in ts:
        res = minimize(
            lambda v, t=t: model.diagonal(*v, t=t),
            x,
            jac=lambda v, t=t: np.array(model.diagonal_gradient(*v, t=t)),
            method="BFGS",
            options={"gtol": 1e-13},
        )
        if abs(res.x[0] * res.x[1] * res.x[2]) < 1e-3:
            break
        x = np.abs(res.x)
        out.append((float(t), x, float(res.fun)))
    return out


def diagonal_thresholds(model, dps: int) -> DiagonalThresholds:
    """The tie and the fold of a :class:`verify.models.two_layer.TwoLayerModel` in the scale t of lambda_W2."""
    ts = np.geomspace(1e-6, 1e6, 481)
    alive = _float_branch(model, ts)
    zero_value = 1 / (2 * model.K)
    if not alive:
        return DiagonalThresholds(None, None, False, "no nonzero local minimiser of g_t on t in [1e-6, 1e6]")
    fold_start = alive[-1]
    tie_start = None
    for b in alive:
        if b[2] >= zero_value:
            tie_start = b
            break
    messages = []
    with mpmath.workdps(dps + 10):
        ar = mp_arithmetic()

        def grad(a, b, c, t):
            return list(model.diagonal_gradient(a, b, c, t=t, ar=ar))

        def tie_system(a, b, c, s):
            t = mpmath.exp(s)
            return [*grad(a, b, c, t), model.diagonal(a, b, c, t=t, ar=ar) - model.diagonal(0, 0, 0, t=t, ar=ar)]

        def fold_system(a, b, c, s):
            t = mpmath.exp(s)
            return [*grad(a, b, c, t), mpmath.det(mpmath.matrix(model.diagonal_hessian(a, b, c, t=t, ar=ar)))]

        def solve(system, start, name):
            if start is None:
                messages.append(f"{name}: no float bracket")
                return None
            t0, (a0, b0, c0), _ = start
            try:
                root = mpmath.findroot(system, (mpmath.mpf(a0), mpmath.mpf(b0), mpmath.mpf(c0), mpmath.log(t0)))
            except (ZeroDivisionError, ValueError) as exc:
                messages.append(f"{name}: Newton failed ({exc})")
                return None
            a, b, c, s = (root[i] for i in range(4))
            res = max(abs(v) for v in system(a, b, c, s))
            t = mpmath.exp(s)
            value = model.K * model.diagonal(a, b, c, t=t, ar=ar)
            return DiagonalPoint(+t, abs(a), abs(b), abs(c), +value, float(res))

        tie = solve(tie_system, tie_start, "tie")
        fold = solve(fold_system, fold_start, "fold")
    target = 10.0 ** (-(dps + 2))
    ok = tie is not None and fold is not None and tie.residual <= target and fold.residual <= target
    if ok:
        messages.append(f"tie and fold systems solved to residual {max(tie.residual, fold.residual):.0e}")
    elif tie is not None and fold is not None:
        messages.append(f"residuals {tie.residual:.1e}, {fold.residual:.1e} above {target:.0e}")
    return DiagonalThresholds(tie, fold, ok, "; ".join(messages))


__all__ = ["DiagonalThresholds", "OriginThreshold", "diagonal_thresholds", "origin_threshold", "FLOAT"]
