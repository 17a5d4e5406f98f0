"""A chain of linear layers on unconstrained features with the squared loss, any class sizes.

Dang, Tran, Osher, Tran-The, Ho, Nguyen 2023 (ICML), "Neural Collapse in Deep Linear Networks: From Balanced to
Imbalanced Data", bias-free (convention of ../shared/THEOREMS-NEXT.md, family B):

    f(W_M, ..., W_1, H) = 1/(2N) ||W_M ... W_1 H - Y||_F^2 + sum_j (lambda_j/2) ||W_j||_F^2 + (lambda_H/2) ||H||_F^2

Y is the K x N one-hot label matrix, samples ordered class by class (n_1 of class 1, then n_2 of class 2, ...).
H is d_0 x N; W_j is d_j x d_{j-1}, with d_M = K (M = 1 is the one-layer model W H). Penalised, unconstrained,
mean loss with the factor 1/2. Unknowns packed as x = [vec(W_1), ..., vec(W_M), vec(H)] (row-major).
Nothing here knows a closed form.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property

import numpy as np

from verify.base.errors import InputError
from verify.models.arith import FLOAT, Arithmetic


@dataclass(frozen=True)
class LinearChainMSE:
    """The squared-loss model of a chain of ``M = len(layer_penalties)`` linear layers on features H."""

    sizes: tuple[int, ...]  # n_1..n_K
    dims: tuple[int, ...]  # d_0 (features), d_1, ..., d_{M-1} (hidden widths); d_M = K
    layer_penalties: tuple[Fraction, ...]  # lambda_1 .. lambda_M (W_1 next to H, W_M the classifier)
    lambda_H: Fraction

    convention = (
        "1/(2N) ||W_M...W_1 H - Y||_F^2 + sum_j (lambda_j/2)||W_j||_F^2 + (lambda_H/2)||H||_F^2; Y one-hot K x N, "
        "classes of sizes n_k, bias-free, penalised (Dang et al. 2023, THEOREMS-NEXT.md family B)"
    )

    def __post_init__(self) -> None:
        if len(self.sizes) < 2 or min(self.sizes) < 1:
            raise InputError("class sizes must be >= 1, at least two classes", parameter="n", fix="e.g. n=6,3,2,1")
        if len(self.dims) != len(self.layer_penalties) or min(self.dims) < 1:
            raise InputError("one positive width per layer", parameter="d", fix="give d >= K")
        if min(self.layer_penalties) <= 0 or self.lambda_H <= 0:
            raise InputError("penalties must be > 0", parameter="lambda_H", fix="give positive weight decays")

    @property
    def K(self) -> int:
        return len(self.sizes)

    @property
    def N(self) -> int:
        return sum(self.sizes)

    @property
    def M(self) -> int:
        return len(self.layer_penalties)

    @cached_property
    def labels(self) -> tuple[int, ...]:
        return tuple(k for k, n in enumerate(self.sizes) for _ in range(n))

    @cached_property
    def shapes(self) -> tuple[tuple[int, int], ...]:
        """Shapes of W_1..W_M, then H."""
        outs = (*self.dims[1:], self.K)
        return (*((o, i) for o, i in zip(outs, self.dims, strict=True)), (self.dims[0], self.N))

    @property
    def dim(self) -> int:
        return sum(r * c for r, c in self.shapes)

    n_constraints = 0

    def targets(self, ar: Arithmetic = FLOAT) -> np.ndarray:
        Y = self._float_targets
        return Y if ar is FLOAT else ar.asarray(Y)

    @cached_property
    def _float_targets(self) -> np.ndarray:
        """The one-hot label matrix (K x N), built once and read-only."""
        Y = np.zeros((self.K, self.N))
        Y[list(self.labels), range(self.N)] = 1.0
        Y.setflags(write=False)
        return Y

    def unpack(self, x: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
        """([W_1, ..., W_M], H)."""
        blocks, at = [], 0
        for r, c in self.shapes:
            blocks.append(x[at : at + r * c].reshape(r, c))
            at += r * c
        return blocks[:-1], blocks[-1]

    def pack(self, Ws, H) -> np.ndarray:
        return np.concatenate([*(np.asarray(W).ravel() for W in Ws), np.asarray(H).ravel()])

    def product(self, Ws) -> np.ndarray:
        """W_M ... W_1 (K x d_0)."""
        P = Ws[0]
        for W in Ws[1:]:
            P = W @ P
        return P

    @cached_property
    def _float_penalties(self) -> tuple[float, tuple[float, ...]]:
        """(lambda_H, (lambda_1..lambda_M)) as floats, converted once (the float solves call these ~10^4 times)."""
        return FLOAT.scalar(self.lambda_H), tuple(FLOAT.scalar(v) for v in self.layer_penalties)

    def _penalties(self, ar: Arithmetic):
        if ar is FLOAT:
            return self._float_penalties
        return ar.scalar(self.lambda_H), tuple(ar.scalar(v) for v in self.layer_penalties)

    def objective(self, x: np.ndarray, ar: Arithmetic = FLOAT):
        Ws, H = self.unpack(x)
        lh, lams = self._penalties(ar)
        R = self.product(Ws) @ H - self.targets(ar)
        f = (R * R).sum() / (2 * self.N) + lh * (H * H).sum() / 2
        for W, lam in zip(Ws, lams, strict=True):
            f = f + lam * (W * W).sum() / 2
        return f

    def gradient(self, x: np.ndarray, ar: Arithmetic = FLOAT) -> np.ndarray:
        Ws, H = self.unpack(x)
        lh, lams = self._penalties(ar)
        R = (self.product(Ws) @ H - self.targets(ar)) / self.N
        grads = []
        for j, (W, lam) in enumerate(zip(Ws, lams, strict=True)):
            below = H
            for V in Ws[:j]:
                below = V @ below
            above = R
            for V in reversed(Ws[j + 1 :]):
                above = V.T @ above
            grads.append(above @ below.T + lam * W)
        return self.pack(grads, self.product(Ws).T @ R + lh * H)

    def constraints(self, x: np.ndarray, ar: Arithmetic = FLOAT) -> np.ndarray:
        return np.zeros(0, dtype=float if ar is FLOAT else object)

    def constraint_jacobian(self, x: np.ndarray, ar: Arithmetic = FLOAT) -> np.ndarray:
        return np.zeros((0, self.dim), dtype=float if ar is FLOAT else object)

    def random_start(self, rng: np.random.Generator) -> np.ndarray:
        """Gaussian entries at a scale drawn from {0.1, 0.7, 1.5, 3}: the zero point is a local minimum of every
        deep chain (the loss is cubic there): small starts fall into its basin (needed where it is global), larger
        ones reach the living classes (on (5,5,4), M = 2, 3 of 40 starts at scales {0.2, 0.7, 1.5} reached the
        global value, 14 of 24 at {0.7, 1.5, 3})."""
        return float(rng.choice([0.1, 0.7, 1.5, 3.0])) * rng.standard_normal(self.dim)
