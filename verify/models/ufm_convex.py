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
