"""The regularised MSE unconstrained-features model, Tirer & Bruna (ICML 2022), problems (3), (5) and (14).

Convention (the reconstruction of ../shared/THEOREMS.md; the seed lost its formulas):

    f(W, H, b) = 1/(2Kn) ||W H + b 1_{Kn}^T - Y||_F^2 + (lambda_W/2) ||W||_F^2 + (lambda_H/2) ||H||_F^2
                 (+ (lambda_b/2) ||b||_2^2 when the bias is regularised)

with Y = I_K (x) 1_n^T (one-hot targets, n samples per class, columns class by class), W in R^{K x d},
H in R^{d x Kn}, b in R^K. Penalised, not constrained; the loss is the *mean* over the Kn samples with the
factor 1/2. ``bias`` selects the three settings of the paper: "none" (problem (5), b = 0), "free" (problem
(14), b optimised and not penalised) and "regularised" (problem (3) with lambda_b > 0).

The unknowns are packed as x = [vec(W) (row-major K x d), vec(H) (row-major d x Kn), b (K; only when the
bias is optimised)]. The problem is unconstrained: ``n_constraints`` is 0, so the generic KKT refinement of
:mod:`verify.solvers.kkt_refine` refines a stationary point.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import cache, cached_property
from typing import Literal

import numpy as np

from verify.base.errors import InputError
from verify.models.arith import FLOAT, Arithmetic

BiasMode = Literal["none", "free", "regularised"]


@cache
def _targets(K: int, n: int) -> np.ndarray:
    Y = np.kron(np.eye(K), np.ones((1, n)))
    Y.setflags(write=False)
    return Y


@dataclass(frozen=True)
class MSEFeaturesModel:
    """Problem (3)/(5)/(14) of Tirer & Bruna 2022 at given sizes and regularisation."""

    K: int
    n: int
    d: int
    lambda_W: Fraction
    lambda_H: Fraction
    bias: BiasMode = "none"
    lambda_b: Fraction = Fraction(0)

    convention = (
        "Tirer & Bruna 2022 Eq. (3): 1/(2Kn) ||W H + b 1^T - Y||_F^2 + (lambda_W/2)||W||_F^2 + (lambda_H/2)||H||_F^2 "
        "(+ (lambda_b/2)||b||^2 with a regularised bias); Y = I_K (x) 1_n^T; W: K x d, H: d x Kn; penalised, mean loss"
    )

    def __post_init__(self) -> None:
        if self.K < 2:
            raise InputError(f"K = {self.K} violates K >= 2", parameter="K", fix="use at least two classes")
        if self.n < 1:
            raise InputError(f"n = {self.n} violates n >= 1", parameter="n", fix="give at least one sample per class")
        if self.d < 1:
            raise InputError(f"d = {self.d} violates d >= 1", parameter="d", fix="give a positive feature dimension")
        if not (self.lambda_W > 0 and self.lambda_H > 0):
            raise InputError("lambda_W and lambda_H must be > 0", parameter="lambda_W", fix="give positive weights")
        if self.bias == "regularised" and not self.lambda_b > 0:
            raise InputError("lambda_b must be > 0", parameter="lambda_b", fix="give lambda_b > 0")

    # --- sizes and layout -------------------------------------------------------------------------------
    @property
    def N(self) -> int:
        return self.K * self.n

    @property
    def has_bias(self) -> bool:
        return self.bias != "none"

    @property
    def dim(self) -> int:
        return self.K * self.d + self.d * self.N + (self.K if self.has_bias else 0)

    n_constraints = 0

    def targets(self, ar: Arithmetic = FLOAT) -> np.ndarray:
        """Y = I_K (x) 1_n^T, shape (K, Kn)."""
        return _targets(self.K, self.n) if ar is FLOAT else ar.asarray(_targets(self.K, self.n))

    def unpack(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """(W (K x d), H (d x Kn), b (K,) or None)."""
        kd, dn = self.K * self.d, self.d * self.N
        W = x[:kd].reshape(self.K, self.d)
        H = x[kd : kd + dn].reshape(self.d, self.N)
        return W, H, (x[kd + dn :] if self.has_bias else None)

    def pack(self, W: np.ndarray, H: np.ndarray, b: np.ndarray | None = None) -> np.ndarray:
        parts = [np.asarray(W).ravel(), np.asarray(H).ravel()]
        if self.has_bias:
            parts.append(np.zeros(self.K) if b is None else np.asarray(b).ravel())
        return np.concatenate(parts)

    def class_means(self, H: np.ndarray) -> np.ndarray:
        """Hbar (d x K): column k is the mean of the n features of class k."""
        return H.reshape(self.d, self.K, self.n).sum(axis=2) / self.n

    # --- problem -------------------------------------------------------------------------------------
    def _residual(self, x: np.ndarray, ar: Arithmetic):
        W, H, b = self.unpack(x)
        R = W @ H - self.targets(ar)
        if b is not None:
            R = R + b[:, None]
        return W, H, b, R

    def objective(self, x: np.ndarray, ar: Arithmetic = FLOAT):
        W, H, b, R = self._residual(x, ar)
        lw, lh = ar.scalar(self.lambda_W), ar.scalar(self.lambda_H)
        f = (R * R).sum() / (2 * self.N) + lw * (W * W).sum() / 2 + lh * (H * H).sum() / 2
        if self.bias == "regularised":
            f = f + ar.scalar(self.lambda_b) * (b * b).sum() / 2
        return f

    def gradient(self, x: np.ndarray, ar: Arithmetic = FLOAT) -> np.ndarray:
        W, H, b, R = self._residual(x, ar)
        return self._gradient_from(W, H, b, R, ar)

    def value_and_gradient(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        """(objective, gradient) in float64 from one residual: the same operations, in the same order, as
        :meth:`objective` and :meth:`gradient` (bit-for-bit the same numbers), for the float solves."""
        W, H, b, R = self._residual(x, FLOAT)
        lw, lh, lb = self._float_penalties
        f = (R * R).sum() / (2 * self.N) + lw * (W * W).sum() / 2 + lh * (H * H).sum() / 2
        if self.bias == "regularised":
            f = f + lb * (b * b).sum() / 2
        return float(f), self._gradient_from(W, H, b, R, FLOAT)

    @cached_property
    def _float_penalties(self) -> tuple[float, float, float]:
        """(lambda_W, lambda_H, lambda_b) as floats, converted once (the float solves call the gradient ~10^5 times)."""
        return tuple(FLOAT.scalar(v) for v in (self.lambda_W, self.lambda_H, self.lambda_b))

    def _gradient_from(self, W, H, b, R, ar: Arithmetic) -> np.ndarray:
        R = R / self.N
        lw, lh, lb = (
            self._float_penalties if ar is FLOAT else (ar.scalar(self.lambda_W), ar.scalar(self.lambda_H), None)
        )
        gW = R @ H.T + W * lw  # array first: see relu_features
        gH = W.T @ R + H * lh
        if b is None:
            return self.pack(gW, gH)
        gb = R.sum(axis=1)
        if self.bias == "regularised":
            gb = gb + b * (lb if ar is FLOAT else ar.scalar(self.lambda_b))
        return self.pack(gW, gH, gb)

    def penalty_gradient(self, x: np.ndarray, ar: Arithmetic = FLOAT) -> np.ndarray:
        """The gradient of the regularisation terms alone (it cancels the loss gradient at a stationary point)."""
        W, H, b = self.unpack(x)
        gb = None if b is None else (ar.scalar(self.lambda_b) * b if self.bias == "regularised" else 0 * b)
        return self.pack(ar.scalar(self.lambda_W) * W, ar.scalar(self.lambda_H) * H, gb)

    def constraints(self, x: np.ndarray, ar: Arithmetic = FLOAT) -> np.ndarray:
        return np.zeros(0, dtype=float if ar is FLOAT else object)

    def constraint_jacobian(self, x: np.ndarray, ar: Arithmetic = FLOAT) -> np.ndarray:
        return np.zeros((0, self.dim), dtype=float if ar is FLOAT else object)

    def random_start(self, rng: np.random.Generator, scale: float = 1.0) -> np.ndarray:
        """Standard normal entries times ``scale`` (the paper's Section 6 initialisation at scale 1)."""
        return scale * rng.standard_normal(self.dim)

    def weight_block(self) -> slice:
        """Positions of vec(W) in x."""
        return slice(0, self.K * self.d)

    def feature_block(self) -> slice:
        """Positions of vec(H) in x."""
        return slice(self.K * self.d, self.K * self.d + self.d * self.N)


@dataclass(frozen=True)
class FixedFeaturesRidge:
    """Problem (81) of Tirer & Bruna 2022 (Theorem 5.1): min_W 1/(2Kn)||W H - Y||_F^2 + (lambda_W/2)||W||_F^2
    for a *fixed* H (d x Kn). Strongly convex; its unique minimiser solves the normal equations
    W (H H^T/(Kn) + lambda_W I) = Y H^T/(Kn). Only the sufficient statistics H H^T and Y H^T (the class sums)
    enter, so :meth:`solve_statistics` takes them (Monte-Carlo samples are accumulated in chunks)."""

    K: int
    lambda_W: float

    convention = "Tirer & Bruna 2022 Eq. (81): 1/(2Kn)||W H - Y||_F^2 + (lambda_W/2)||W||_F^2, H fixed"

    def solve_statistics(self, gram: np.ndarray, class_sums: np.ndarray, N: int) -> np.ndarray:
        """W from H H^T (d x d), the class sums S (d x K, S = H Y^T) and N = Kn (LAPACK solve, float64)."""
        A = gram / N + self.lambda_W * np.eye(gram.shape[0])
        return np.linalg.solve(A, class_sums / N).T

    def solve(self, H: np.ndarray, n: int) -> np.ndarray:
        """W for an explicit H (d x Kn, columns class by class)."""
        S = H.reshape(H.shape[0], self.K, n).sum(axis=2)
        return self.solve_statistics(H @ H.T, S, self.K * n)


def singular_values(A: np.ndarray, ar: Arithmetic = FLOAT) -> tuple:
    """The min(rows, cols) singular values of A, largest first, in the arithmetic of A (mpmath: svd_r at the
    working precision)."""
    if ar is FLOAT:
        return tuple(float(s) for s in np.linalg.svd(np.asarray(A, dtype=float), compute_uv=False))
    import mpmath

    s = mpmath.svd_r(mpmath.matrix(A.tolist()), compute_uv=False)
    return tuple(sorted((s[i] for i in range(min(A.shape))), reverse=True))
