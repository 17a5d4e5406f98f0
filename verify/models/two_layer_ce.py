"""The two-layer unconstrained-features model (23) of Tirer & Bruna 2022 with the cross-entropy loss in place of
MSE (their "Remark on the choice of loss function", Section 4.1).

Convention (stated, not assumed): n samples per class, K classes, N = K n,

    f(W2, W1, H1) = (1/N) sum_i CE(W2 W1 h1_i, y_i) + (lambda_W2/2)||W2||_F^2 + (lambda_W1/2)||W1||_F^2
                    + (lambda_H1/2)||H1||_F^2,

W2 in R^{K x d2}, W1 in R^{d2 x d1}, H1 in R^{d1 x N} (columns class by class), no bias, unconstrained. Packed as
x = [vec(W2), vec(W1), vec(H1)] (row-major), as :class:`verify.models.two_layer.TwoLayerModel`. A model states a
problem, never its answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from verify.base.errors import InputError
from verify.models.arith import FLOAT, Arithmetic
from verify.models.losses import CrossEntropy

_CE = CrossEntropy()


@dataclass(frozen=True, eq=False)
class TwoLayerCEModel:
    """Problem (23) with mean cross-entropy (see the module docstring)."""

    K: int
    n: int
    d1: int
    d2: int
    lambda_W1: Fraction
    lambda_W2: Fraction
    lambda_H1: Fraction

    convention = (
        "(1/N) sum_i CE(W2 W1 h1_i, y_i) + (lambda_W2/2)||W2||_F^2 + (lambda_W1/2)||W1||_F^2 + "
        "(lambda_H1/2)||H1||_F^2, balanced (n per class), no bias (Tirer & Bruna 2022, (23) with cross-entropy)"
    )
    n_constraints = 0
    constraint_scale = ()

    def __post_init__(self) -> None:
        for name in ("K", "n", "d1", "d2"):
            if getattr(self, name) < 1:
                raise InputError(f"{name} = {getattr(self, name)} must be >= 1", parameter=name, fix=f"raise {name}")
        for name in ("lambda_W1", "lambda_W2", "lambda_H1"):
            if not getattr(self, name) > 0:
                raise InputError(f"{name} must be > 0", parameter=name, fix=f"give {name} > 0")

    @property
    def N(self) -> int:
        return self.K * self.n

    @property
    def dim(self) -> int:
        return self.K * self.d2 + self.d2 * self.d1 + self.d1 * self.N

    @property
    def labels(self) -> np.ndarray:
        return np.repeat(np.arange(self.K), self.n)

    def unpack(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        a, b = self.K * self.d2, self.K * self.d2 + self.d2 * self.d1
        return x[:a].reshape(self.K, self.d2), x[a:b].reshape(self.d2, self.d1), x[b:].reshape(self.d1, self.N)

    def pack(self, W2, W1, H1) -> np.ndarray:
        return np.concatenate([np.asarray(W2).ravel(), np.asarray(W1).ravel(), np.asarray(H1).ravel()])

    def class_means(self, H: np.ndarray) -> np.ndarray:
        """Column k: the mean of the n columns of class k."""
        return np.stack([H[:, k * self.n : (k + 1) * self.n].sum(axis=1) / self.n for k in range(self.K)], axis=1)

    def objective(self, x: np.ndarray, ar: Arithmetic = FLOAT):
        W2, W1, H1 = self.unpack(x)
        Z = (W2 @ (W1 @ H1)).T  # N x K logits
        l2, l1, lh = (ar.scalar(v) for v in (self.lambda_W2, self.lambda_W1, self.lambda_H1))
        loss = _CE.values(Z, self.labels, ar).sum() / self.N
        return loss + (l2 * (W2 * W2).sum() + l1 * (W1 * W1).sum() + lh * (H1 * H1).sum()) / 2

    def gradient(self, x: np.ndarray, ar: Arithmetic = FLOAT) -> np.ndarray:
        W2, W1, H1 = self.unpack(x)
        A = W1 @ H1
        G = _CE.grad((W2 @ A).T, self.labels, ar).T / self.N  # K x N: d loss / d logits
        l2, l1, lh = (ar.scalar(v) for v in (self.lambda_W2, self.lambda_W1, self.lambda_H1))
        B = W2.T @ G
        return self.pack(G @ A.T + l2 * W2, B @ H1.T + l1 * W1, W1.T @ B + lh * H1)

    def constraints(self, x: np.ndarray, ar: Arithmetic = FLOAT) -> np.ndarray:
        return np.zeros(0, dtype=float if ar is FLOAT else object)

    def constraint_jacobian(self, x: np.ndarray, ar: Arithmetic = FLOAT) -> np.ndarray:
        return np.zeros((0, self.dim), dtype=float if ar is FLOAT else object)

    def random_start(self, rng: np.random.Generator) -> np.ndarray:
        """Standard normal entries (the paper's Section 6 initialisation)."""
        return rng.standard_normal(self.dim)
