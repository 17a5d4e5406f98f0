"""The max-margin unconstrained-features model (the unregularised limit of cross-entropy), any class sizes.

Ji, Lu, Zhang, Deng, Su 2022 (ICLR, ULPM) and Thrampoulidis, Kini, Vakilian, Behnia 2022 (NeurIPS, SELI); the
convention of ../shared/THEOREMS-NEXT.md family C:

    min (1/2)(||W||_F^2 + ||H||_F^2)   s.t.   (w_{y_i} - w_c)^T h_i >= 1   for every sample i and class c != y_i

W is K x d (rows w_k), H is d x N (columns h_i, class by class). Constraints are written g(x) <= 0 as
1 - (w_{y_i} - w_c)^T h_i <= 0, ordered by sample, then by c != y_i. Unknowns x = [vec(W), vec(H)] (row-major).
Nothing here knows a closed form.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from verify.base.errors import InputError
from verify.models.arith import FLOAT, Arithmetic


@dataclass(frozen=True)
class MaxMarginModel:
    sizes: tuple[int, ...]
    d: int

    convention = (
        "min (1/2)(||W||_F^2 + ||H||_F^2) s.t. (w_{y_i} - w_c)^T h_i >= 1 for all i and c != y_i "
        "(max-margin UFM, THEOREMS-NEXT.md family C)"
    )

    def __post_init__(self) -> None:
        if len(self.sizes) < 2 or min(self.sizes) < 1:
            raise InputError("class sizes must be >= 1, at least two classes", parameter="n", fix="e.g. n=4,2,1")
        if self.d < len(self.sizes) - 1:
            raise InputError(f"d = {self.d} < K - 1", parameter="d", fix="give d >= K - 1")

    @property
    def K(self) -> int:
        return len(self.sizes)

    @property
    def N(self) -> int:
        return sum(self.sizes)

    @cached_property
    def labels(self) -> tuple[int, ...]:
        return tuple(k for k, n in enumerate(self.sizes) for _ in range(n))

    @cached_property
    def pairs(self) -> tuple[tuple[int, int], ...]:
        """(sample i, competing class c), the order of the constraints."""
        return tuple((i, c) for i, y in enumerate(self.labels) for c in range(self.K) if c != y)

    @property
    def dim(self) -> int:
        return self.K * self.d + self.d * self.N

    @property
    def n_constraints(self) -> int:
        return len(self.pairs)

    @property
    def constraint_scale(self) -> tuple[float, ...]:
        return (1.0,) * self.n_constraints

    def unpack(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        kd = self.K * self.d
        return x[:kd].reshape(self.K, self.d), x[kd:].reshape(self.d, self.N)

    def pack(self, W, H) -> np.ndarray:
        return np.concatenate([np.asarray(W).ravel(), np.asarray(H).ravel()])

    def margins(self, x: np.ndarray) -> np.ndarray:
        """(w_{y_i} - w_c)^T h_i in constraint order."""
        W, H = self.unpack(x)
        Z = W @ H
        return np.array([Z[self.labels[i], i] - Z[c, i] for i, c in self.pairs], dtype=Z.dtype)

    def objective(self, x: np.ndarray, ar: Arithmetic = FLOAT):
        return (x * x).sum() / 2

    def gradient(self, x: np.ndarray, ar: Arithmetic = FLOAT) -> np.ndarray:
        return x.copy()

    def constraints(self, x: np.ndarray, ar: Arithmetic = FLOAT) -> np.ndarray:
        return 1 - self.margins(x)

    def constraint_jacobian(self, x: np.ndarray, ar: Arithmetic = FLOAT) -> np.ndarray:
        W, H = self.unpack(x)
        J = np.zeros((self.n_constraints, self.dim), dtype=float if ar is FLOAT else object)
        if ar is not FLOAT:
            J[:] = 0 * x[0]
        kd = self.K * self.d
        for r, (i, c) in enumerate(self.pairs):
            y = self.labels[i]
            J[r, y * self.d : (y + 1) * self.d] = -H[:, i]
            J[r, c * self.d : (c + 1) * self.d] = H[:, i]
            J[r, kd + i : kd + self.d * self.N : self.N] = -(W[y] - W[c])  # column i of H: entries j*N + i
        return J

    def random_start(self, rng: np.random.Generator) -> np.ndarray:
        """A feasible start: Gaussian W, h_i = (w_{y_i} - wbar) plus noise, scaled until every margin is >= 1.2."""
        for _ in range(100):
            W = rng.standard_normal((self.K, self.d))
            centred = W - W.mean(axis=0)
            H = centred[list(self.labels)].T + 0.3 * rng.standard_normal((self.d, self.N))
            m = self.margins(self.pack(W, H)).min()
            if m > 1e-3:
                t = np.sqrt(1.2 / m)
                return self.pack(t * W, t * H)
        raise RuntimeError("no feasible random start in 100 draws")
