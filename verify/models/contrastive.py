"""The Layer-Peeled Model with the supervised contrastive loss, Fang, He, Long, Su (PNAS 2021), program (12).

Convention (as the paper states it, balanced case, Eqs. (11)-(12)): for features h_{k,i} (K classes, n per
class, N = K n),

    L_c(h_{k,i}, y_k) = (1/n) sum_{j=1..n} -log( exp(h_{k,i}.h_{k,j}/tau)
                                                 / sum_{k'=1..K} sum_{l=1..n} exp(h_{k,i}.h_{k',l}/tau) ),

    minimise  (1/N) sum_k sum_i L_c(h_{k,i}, y_k)   subject to  (1/K) sum_k (1/n) sum_i ||h_{k,i}||^2 <= E_H.

The self terms j = i and (k', l) = (k, i) are included, exactly as printed. No classifier appears.
The unknowns are packed as x = vec(H), H of shape (N, p), rows h_{k,i} class by class. The constraint is
returned as g(x) <= 0. This module states the problem, never its solution.
"""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Real

import numpy as np

from verify.base.errors import InputError
from verify.models.arith import FLOAT, Arithmetic


@dataclass(frozen=True)
class ContrastiveModel:
    """Program (12) of Fang et al. 2021: K classes of n samples in R^p, feature budget E_H, temperature tau."""

    K: int
    n: int
    p: int
    E_H: Real
    tau: Real

    convention = (
        "Fang et al. 2021 Eqs. (11)-(12): mean over all N = K n samples of L_c, L_c itself a mean over the n "
        "positives j of the class (self pair j = i included); the denominator sums over all N features (self "
        "included); constraint (1/K) sum_k (1/n) sum_i ||h_{k,i}||^2 <= E_H; no classifier"
    )

    n_constraints = 1

    def __post_init__(self) -> None:
        if self.K < 2:
            raise InputError(f"K = {self.K} violates K >= 2", parameter="K")
        if self.n < 1:
            raise InputError(f"n = {self.n} violates n >= 1", parameter="n")
        if self.p < 1:
            raise InputError(f"p = {self.p} violates p >= 1", parameter="p")
        if not self.E_H > 0:
            raise InputError(f"E_H = {self.E_H} violates E_H > 0", parameter="E_H")
        if not self.tau > 0:
            raise InputError(f"tau = {self.tau} violates tau > 0", parameter="tau")

    # --- sizes and layout -------------------------------------------------------------------------------
    @property
    def N(self) -> int:
        return self.K * self.n

    @property
    def dim(self) -> int:
        return self.N * self.p

    @property
    def labels(self) -> np.ndarray:
        return np.repeat(np.arange(self.K), self.n)

    @property
    def constraint_scale(self) -> tuple[float]:
        return (float(self.E_H),)

    def unpack(self, x: np.ndarray) -> np.ndarray:
        return x.reshape(self.N, self.p)

    def pack(self, H: np.ndarray) -> np.ndarray:
        return np.asarray(H).ravel()

    def _same_class(self) -> np.ndarray:
        lab = self.labels
        return lab[:, None] == lab[None, :]

    # --- problem -------------------------------------------------------------------------------------
    def sample_losses(self, x: np.ndarray, ar: Arithmetic = FLOAT) -> np.ndarray:
        """L_c(h_{k,i}, y_k) for every sample, evaluated without cancellation.

        With A = H H^T / tau and c_a = (1/n) sum_{j in class(a)} A_{a j} (the mean positive logit),
        L_c = log( (1/n) sum_b exp(A_{ab} - c_a) ) + log n. The positives contribute
        (1/n) sum_j exp(A_{aj} - c_a) = 1 + (1/n) sum_j (exp(A_{aj} - c_a) - 1), so
        L_c = log n + log1p( (1/n) [sum_{j pos} (exp(d_j) - 1) + sum_{b neg} exp(d_b)] ): for n = 1 the
        positive part is exactly 0 and tiny losses (large E_H/tau) keep their relative accuracy.
        """
        H = self.unpack(x)
        A = (H @ H.T) / ar.scalar(self.tau)
        same = self._same_class()
        c = (A * same).sum(axis=1) / self.n
        D = ar.exp(A - c[:, None])
        pos = ((D - 1) * same).sum(axis=1)
        neg = (D * ~same).sum(axis=1)
        return ar.log(ar.asarray([self.n]))[0] + ar.log1p((pos + neg) / self.n)

    def objective(self, x: np.ndarray, ar: Arithmetic = FLOAT):
        return self.sample_losses(x, ar).sum() / self.N

    def gradient(self, x: np.ndarray, ar: Arithmetic = FLOAT) -> np.ndarray:
        """d f / d H = (M + M^T) H / tau with M_{ab} = (1/N)(P_{ab} - [same class]/n), P the row softmax of A."""
        H = self.unpack(x)
        A = (H @ H.T) / ar.scalar(self.tau)
        E = ar.exp(A - A.max(axis=1)[:, None])
        P = E / E.sum(axis=1)[:, None]
        M = (P - self._same_class() / ar.scalar(self.n)) / ar.scalar(self.N)
        return self.pack((M + M.T) @ H / ar.scalar(self.tau))

    def constraints(self, x: np.ndarray, ar: Arithmetic = FLOAT) -> np.ndarray:
        H = self.unpack(x)
        g = (H * H).sum() / ar.scalar(self.N) - ar.scalar(self.E_H)
        return np.array([g], dtype=object if ar is not FLOAT else float)

    def constraint_jacobian(self, x: np.ndarray, ar: Arithmetic = FLOAT) -> np.ndarray:
        return (2 * np.asarray(x) / ar.scalar(self.N))[None, :]

    def random_start(self, rng: np.random.Generator) -> np.ndarray:
        """A Gaussian point scaled to a random fraction (0.2 to 1) of the budget."""
        H = rng.standard_normal((self.N, self.p))
        H *= np.sqrt(float(self.E_H) * rng.uniform(0.2, 1.0) / ((H * H).sum() / self.N))
        return self.pack(H)

    def project(self, x: np.ndarray) -> np.ndarray:
        """Radial projection onto the feasible ball (identity if feasible)."""
        H = self.unpack(np.asarray(x, dtype=float))
        g = (H * H).sum() / self.N
        return self.pack(H * np.sqrt(float(self.E_H) / g) if g > float(self.E_H) else H)
