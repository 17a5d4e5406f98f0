"""The Layer-Peeled Model, Fang, He, Long, Su (PNAS 2021), program (7).

Convention (as the paper states it): the objective is the *mean* loss over all N = sum_k n_k samples,

    minimise  (1/N) sum_k sum_{i<=n_k} L(W h_{k,i}, y_k)
    subject to (1/K) sum_k ||w_k||^2 <= E_W,
               (1/K) sum_k (1/n_k) sum_{i<=n_k} ||h_{k,i}||^2 <= E_H.

Constrained, not penalised; no bias. Any class sizes n_1..n_K are allowed (the balanced case is n_k = n).
The unknowns are packed as x = [vec(W) (K x p, rows w_k), vec(H) (N x p, rows h_{k,i}, class by class)].
Constraints are returned in the form g(x) <= 0, as the solvers expect.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from numbers import Real

import numpy as np

from verify.base.errors import InputError
from verify.models.arith import FLOAT, Arithmetic
from verify.models.hessians import logit_objective_hessian
from verify.models.losses import CrossEntropy, Loss


@dataclass(frozen=True)
class LayerPeeledModel:
    """Program (7) of Fang et al. 2021 for given class sizes, feature dimension and budgets."""

    class_sizes: tuple[int, ...]
    p: int
    E_H: Real
    E_W: Real
    loss: Loss = field(default_factory=CrossEntropy)

    convention = "Fang et al. 2021 Eq. (7): mean loss (1/N), constraints (1/K) sum ||w_k||^2 <= E_W, (1/K) sum_k (1/n_k) sum_i ||h_{k,i}||^2 <= E_H"

    def __post_init__(self) -> None:
        if len(self.class_sizes) < 2:
            raise InputError(f"K = {len(self.class_sizes)} classes violates K >= 2", parameter="K")
        for k, n in enumerate(self.class_sizes):
            if int(n) != n or n < 1:
                raise InputError(f"class size n_{k + 1} = {n} violates 'positive integer'", parameter="n")
        if self.p < 1:
            raise InputError(f"p = {self.p} violates p >= 1", parameter="p")
        if not (self.E_H > 0 and self.E_W > 0):
            raise InputError("E_H and E_W must be > 0", parameter="E_H")

    # --- sizes and layout -------------------------------------------------------------------------------
    @property
    def K(self) -> int:
        return len(self.class_sizes)

    @property
    def N(self) -> int:
        return int(sum(self.class_sizes))

    @property
    def dim(self) -> int:
        return (self.K + self.N) * self.p

    n_constraints = 2

    @property
    def labels(self) -> np.ndarray:
        return np.repeat(np.arange(self.K), self.class_sizes)

    @property
    def constraint_scale(self) -> tuple[float, float]:
        """The budgets (E_W, E_H): the natural unit of each constraint's violation."""
        return (float(self.E_W), float(self.E_H))

    def _feature_weights(self, ar: Arithmetic = FLOAT) -> np.ndarray:
        """Weight 1/(K n_k) of ||h_{k,i}||^2 in the feature constraint, per sample (exact in mpmath)."""
        counts = np.repeat([self.K * n for n in self.class_sizes], self.class_sizes)
        return 1 / ar.asarray(counts)

    def unpack(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(W, H) with W of shape (K, p) and H of shape (N, p)."""
        kp = self.K * self.p
        return x[:kp].reshape(self.K, self.p), x[kp:].reshape(self.N, self.p)

    def pack(self, W: np.ndarray, H: np.ndarray) -> np.ndarray:
        return np.concatenate([np.asarray(W).ravel(), np.asarray(H).ravel()])

    # --- problem -------------------------------------------------------------------------------------
    def objective(self, x: np.ndarray, ar: Arithmetic = FLOAT):
        W, H = self.unpack(x)
        return self.loss.values(H @ W.T, self.labels, ar).sum() / self.N

    def gradient(self, x: np.ndarray, ar: Arithmetic = FLOAT) -> np.ndarray:
        W, H = self.unpack(x)
        G = self.loss.grad(H @ W.T, self.labels, ar) / self.N
        return self.pack(G.T @ H, G @ W)

    def constraints(self, x: np.ndarray, ar: Arithmetic = FLOAT) -> np.ndarray:
        """[g_W, g_H] with g <= 0 meaning feasible."""
        W, H = self.unpack(x)
        c = self._feature_weights(ar)
        g_w = (W * W).sum() / self.K - ar.scalar(self.E_W)
        g_h = ((H * H).sum(axis=1) * c).sum() - ar.scalar(self.E_H)
        return np.array([g_w, g_h], dtype=object if ar is not FLOAT else float)

    def constraint_jacobian(self, x: np.ndarray, ar: Arithmetic = FLOAT) -> np.ndarray:
        W, H = self.unpack(x)
        c = self._feature_weights(ar)
        zeros_h = H * 0
        zeros_w = W * 0
        row_w = self.pack(2 * W / self.K, zeros_h)
        row_h = self.pack(zeros_w, 2 * H * c[:, None])
        return np.vstack([row_w, row_h])

    def hessian(self, x: np.ndarray, ar: Arithmetic = FLOAT) -> np.ndarray | None:
        """The objective's Hessian, analytically (:mod:`verify.models.hessians`); None when the loss has no
        logit Hessian (the refinement then differentiates the gradient)."""
        logit_hessian = getattr(self.loss, "hessian", None)
        if logit_hessian is None:
            return None
        W, H = self.unpack(x)
        Z = H @ W.T
        G = self.loss.grad(Z, self.labels, ar)
        return logit_objective_hessian(W, H, G, logit_hessian(Z, self.labels, ar), self.N)

    def constraint_hessians(self, x: np.ndarray, ar: Arithmetic = FLOAT) -> np.ndarray:
        """(2, dim, dim), constant: 2/K on the W diagonal, 2/(K n_k) on the diagonal of each h_{k,i}."""
        kp = self.K * self.p
        diag_w = np.concatenate([np.full(kp, 2) / ar.asarray(np.full(kp, self.K)), np.zeros(self.N * self.p)])
        c = np.repeat(2 * self._feature_weights(ar), self.p)
        diag_h = np.concatenate([ar.asarray(np.zeros(kp)), c])
        return np.stack([np.diag(ar.asarray(diag_w)), np.diag(diag_h)])

    def random_start(self, rng: np.random.Generator) -> np.ndarray:
        """A Gaussian point scaled into the interior of the feasible set (a random fraction of each budget)."""
        W = rng.standard_normal((self.K, self.p))
        H = rng.standard_normal((self.N, self.p))
        W *= np.sqrt(float(self.E_W) * rng.uniform(0.2, 1.0) / ((W * W).sum() / self.K))
        c = self._feature_weights()
        H *= np.sqrt(float(self.E_H) * rng.uniform(0.2, 1.0) / ((H * H).sum(axis=1) * c).sum())
        return self.pack(W, H)

    def project(self, x: np.ndarray) -> np.ndarray:
        """Scale W and H onto the feasible set (radial projection of each block; identity if feasible)."""
        W, H = self.unpack(np.asarray(x, dtype=float))
        g_w = (W * W).sum() / self.K
        g_h = ((H * H).sum(axis=1) * self._feature_weights()).sum()
        E_W, E_H = self.constraint_scale
        if g_w > E_W:
            W = W * np.sqrt(E_W / g_w)
        if g_h > E_H:
            H = H * np.sqrt(E_H / g_h)
        return self.pack(W, H)
