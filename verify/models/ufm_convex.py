"""The convex reformulation of Zhu et al. 2021's regularised model in the logits Z = W H (the common tool of
THEOREMS-NEXT.md: min over factorisations of (lambda_W/2)||W||^2 + (lambda_H/2)||H||^2 with W H = Z equals
sqrt(lambda_W lambda_H)||Z||_* when d >= rank Z):

    min_{Z, b} (1/N) sum_i CE(z_i + b, y_i) + sqrt(lambda_W lambda_H) ||Z||_* (+ (lambda_b/2)||b||^2),

solved conically (cvxpy: exponential cones for the log-sum-exp, a semidefinite cone for the nuclear norm). This
is a second, independent route to the optimal value (and the natural dual certificate: a subgradient of the
nuclear norm at the optimal Z). Accuracy is the conic solver's, ~1e-7 relative, not the working precision.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ConvexSolution:
    value: float
    Z: np.ndarray  # K x N
    b: np.ndarray  # K (zeros without a bias)
    status: str
    solver: str


def solve_convex(class_sizes, lambda_W, lambda_H, bias: str = "none", lambda_b=0, label_smoothing=0) -> ConvexSolution:
    """The value and optimal (Z, b) of the convex program above; ``label_smoothing`` alpha replaces the one-hot
    target by (1 - alpha) e_y + alpha/K (Zhou et al. 2022), still convex in Z."""
    import cvxpy as cp

    sizes = [int(v) for v in class_sizes]
    K, N = len(sizes), sum(sizes)
    labels = np.repeat(np.arange(K), sizes)
    alpha = float(label_smoothing)
    Q = (1 - alpha) * np.eye(K)[:, labels] + alpha / K  # K x N targets
    Z = cp.Variable((K, N))
    b = cp.Variable(K) if bias != "none" else None
    logits = Z + (cp.reshape(b, (K, 1), order="F") @ np.ones((1, N)) if b is not None else 0)
    lse = cp.log_sum_exp(logits, axis=0)  # one per sample
    loss = (cp.sum(lse) - cp.sum(cp.multiply(Q, logits))) / N  # sum_c q_c = 1
    objective = loss + np.sqrt(float(lambda_W) * float(lambda_H)) * cp.normNuc(Z)
    if bias == "penalised":
        objective = objective + float(lambda_b) / 2 * cp.sum_squares(b)
    problem = cp.Problem(cp.Minimize(objective))
    solver = "CLARABEL" if "CLARABEL" in cp.installed_solvers() else "SCS"
    problem.solve(solver=solver)
    bv = np.zeros(K) if b is None else np.asarray(b.value)
    return ConvexSolution(float(problem.value), np.asarray(Z.value), bv, str(problem.status), solver)


def optimality_residuals(class_sizes, lambda_W, lambda_H, Z, b=None, *, lambda_b=0, label_smoothing=0) -> dict:
    """How far a candidate (Z, b) (mpmath matrices or nested lists; b None for no bias) is from optimal in the
    convex program above: its KKT conditions, which are also a dual certificate. With
    G = grad_Z (1/N) sum loss and Lambda = -G / sqrt(lambda_W lambda_H), (Z, b) is a global minimiser iff
    ||Lambda||_op <= 1 and <Lambda, Z> = ||Z||_* (Lambda is a subgradient of the nuclear norm at Z) and the bias
    is stationary (G 1 + lambda_b b = 0). Evaluated in mpmath at the caller's precision; returns
    ``op_norm_excess`` = ||Lambda||_op - 1, ``alignment_gap`` = ||Z||_* - <Lambda, Z> (both <= 0 / = 0 at an
    optimum up to rounding) and ``bias_residual`` = max |G 1 + lambda_b b|. A certifier repeats this in ball
    arithmetic (the ETF's Lambda Lambda^T is a projection: ||Lambda||_op = 1 exactly there)."""
    import mpmath

    from verify.models.arith import to_mpf

    sizes = [int(v) for v in class_sizes]
    K, N = len(sizes), sum(sizes)
    labels = [k for k, m in enumerate(sizes) for _ in range(m)]
    Z = mpmath.matrix(Z)
    bias = [mpmath.mpf(0)] * K if b is None else [mpmath.mpf(v) for v in b]
    alpha = to_mpf(label_smoothing)
    G = mpmath.matrix(K, N)
    for i in range(N):
        z = [Z[k, i] + bias[k] for k in range(K)]
        top = max(z)
        e = [mpmath.exp(v - top) for v in z]
        total = sum(e)
        for k in range(K):
            target = (1 - alpha) * (1 if k == labels[i] else 0) + alpha / K
            G[k, i] = (e[k] / total - target) / N
    scale = mpmath.sqrt(to_mpf(lambda_W) * to_mpf(lambda_H))
    Lam = -G / scale
    sv_lam = mpmath.svd_r(Lam, compute_uv=False)
    sv_z = mpmath.svd_r(Z, compute_uv=False)
    inner = sum(Lam[k, i] * Z[k, i] for k in range(K) for i in range(N))
    lb = to_mpf(lambda_b)
    bias_res = mpmath.mpf(0) if b is None else max(abs(sum(G[k, i] for i in range(N)) + lb * bias[k]) for k in range(K))
    return {
        "op_norm_excess": max(sv_lam) - 1,
        "alignment_gap": sum(sv_z) - inner,
        "bias_residual": bias_res,
    }
