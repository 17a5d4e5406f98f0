"""The Layer-Peeled Model with an l_q feature constraint, Fang, He, Long, Su (PNAS 2021), programs (20), (33).

Program (20) (Section 6, Proposition 2): program (7) with the feature constraint measured in l_q,

    minimise  (1/N) sum_k sum_{i<=n} L(W h_{k,i}, y_k)                       (cross-entropy L, Eq. (8))
    subject to (1/K) sum_k ||w_k||^2 <= E_W,
               (1/K) sum_k (1/n) sum_i ||h_{k,i}||_q^q <= E_H,      ||h||_q^q = sum_j |h(j)|^q.

Program (33) (SI A.1, Lemma 3) is the case K = 2, n = 1 with the *sum* of the two losses (not the mean),
constraints ||w_1||^2 + ||w_2||^2 <= 2 E_W and ||h_1||_q^q + ||h_2||_q^q <= 2 E_H: ``reduction="sum"``.

The unknowns are packed as in :class:`verify.models.LayerPeeledModel`: x = [vec(W) (K x p), vec(H) (N x p)],
constraints returned as g(x) <= 0. For q > 1 the feature constraint is C^1; its gradient
q |x|^(q-1) sign(x) vanishes at x = 0, and its second derivative is unbounded there for q < 2 (a solver that
needs curvature must keep zero coordinates fixed: :meth:`LqLayerPeeledModel.restricted`). For q <= 1 the
constraint is not differentiable at 0 and only the value is meaningful there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal

import mpmath
import numpy as np

from verify.base.errors import InputError
from verify.models.arith import FLOAT, Arithmetic, to_mpf
from verify.models.hessians import logit_objective_hessian
from verify.models.losses import CrossEntropy, Loss


def _q(ar: Arithmetic, q: Fraction):
    return float(q) if ar is FLOAT or ar.name == "float64" else to_mpf(q)


def abs_pow(X: np.ndarray, q: Fraction, ar: Arithmetic = FLOAT) -> np.ndarray:
    """|x|^q elementwise (0 at x = 0 for q > 0)."""
    if ar.name == "float64":
        return np.abs(np.asarray(X, dtype=float)) ** float(q)
    qq = _q(ar, q)
    return np.frompyfunc(lambda v: mpmath.mpf(0) if v == 0 else abs(v) ** qq, 1, 1)(X)


def abs_pow_grad(X: np.ndarray, q: Fraction, ar: Arithmetic = FLOAT) -> np.ndarray:
    """d|x|^q/dx = q |x|^(q-1) sign(x), set to 0 at x = 0 (the derivative for q > 1)."""
    if ar.name == "float64":
        X = np.asarray(X, dtype=float)
        A = np.abs(X)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(A > 0, float(q) * A ** (float(q) - 1) * np.sign(X), 0.0)
    qq = _q(ar, q)
    return np.frompyfunc(lambda v: mpmath.mpf(0) if v == 0 else qq * abs(v) ** (qq - 1) * mpmath.sign(v), 1, 1)(X)


@dataclass(frozen=True)
class LqLayerPeeledModel:
    """Program (20) (``reduction="mean"``) or (33) (``reduction="sum"``, K = 2, n = 1) of Fang et al. 2021."""

    K: int
    n: int
    p: int
    q: Fraction
    E_H: Fraction
    E_W: Fraction
    reduction: Literal["mean", "sum"] = "mean"
    loss: Loss = field(default_factory=CrossEntropy)

    n_constraints = 2

    @property
    def convention(self) -> str:
        red = "sum of the N losses (Eq. (33))" if self.reduction == "sum" else "mean loss (1/N) (Eq. (20))"
        return (
            f"Fang et al. 2021: {red}; constraints (1/K) sum ||w_k||^2 <= E_W, "
            "(1/K) sum_k (1/n) sum_i ||h_{k,i}||_q^q <= E_H"
        )

    def __post_init__(self) -> None:
        if self.K < 2:
            raise InputError(f"K = {self.K} violates K >= 2", parameter="K")
        if self.n < 1 or self.p < 1:
            raise InputError("n and p must be positive integers", parameter="p")
        if not (self.q > 0 and self.E_H > 0 and self.E_W > 0):
            raise InputError("q, E_H and E_W must be > 0", parameter="q")

    # --- sizes and layout -------------------------------------------------------------------------------
    @property
    def N(self) -> int:
        return self.K * self.n

    @property
    def dim(self) -> int:
        return (self.K + self.N) * self.p

    @property
    def labels(self) -> np.ndarray:
        return np.repeat(np.arange(self.K), self.n)

    @property
    def constraint_scale(self) -> tuple[float, float]:
        return (float(self.E_W), float(self.E_H))

    def unpack(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        kp = self.K * self.p
        return x[:kp].reshape(self.K, self.p), x[kp:].reshape(self.N, self.p)

    def pack(self, W: np.ndarray, H: np.ndarray) -> np.ndarray:
        return np.concatenate([np.asarray(W).ravel(), np.asarray(H).ravel()])

    def _scale(self) -> int:
        return 1 if self.reduction == "sum" else self.N

    # --- problem -------------------------------------------------------------------------------------
    def objective(self, x: np.ndarray, ar: Arithmetic = FLOAT):
        W, H = self.unpack(x)
        return self.loss.values(H @ W.T, self.labels, ar).sum() / self._scale()

    def gradient(self, x: np.ndarray, ar: Arithmetic = FLOAT) -> np.ndarray:
        W, H = self.unpack(x)
        G = self.loss.grad(H @ W.T, self.labels, ar) / self._scale()
        return self.pack(G.T @ H, G @ W)

    def constraints(self, x: np.ndarray, ar: Arithmetic = FLOAT) -> np.ndarray:
        W, H = self.unpack(x)
        g_w = (W * W).sum() / self.K - ar.scalar(self.E_W)
        g_h = abs_pow(H, self.q, ar).sum() / self.N - ar.scalar(self.E_H)
        return np.array([g_w, g_h], dtype=float if ar.name == "float64" else object)

    def constraint_jacobian(self, x: np.ndarray, ar: Arithmetic = FLOAT) -> np.ndarray:
        W, H = self.unpack(x)
        row_w = self.pack(2 * W / self.K, H * 0)
        row_h = self.pack(W * 0, abs_pow_grad(H, self.q, ar) / self.N)
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
        return logit_objective_hessian(W, H, G, logit_hessian(Z, self.labels, ar), self._scale())

    def constraint_hessians(self, x: np.ndarray, ar: Arithmetic = FLOAT) -> np.ndarray:
        """(2, dim, dim): 2/K on the W diagonal; q (q-1) |x|^(q-2) / N on the H diagonal (0 at x = 0 for q > 2,
        2/N for q = 2, +inf for q < 2: unbounded there, which is why zero coordinates are held fixed)."""
        W, H = self.unpack(x)
        kp, q = self.K * self.p, self.q
        out = np.zeros((2, self.dim, self.dim), dtype=float if ar.name == "float64" else object)
        if ar.name != "float64":
            out[...] = ar.scalar(0)
        qq = _q(ar, q)
        for i in range(kp):
            out[0, i, i] = ar.scalar(Fraction(2, self.K))
        for j, v in enumerate(np.ravel(H)):
            if v != 0:
                d2 = qq * (qq - 1) * abs(v) ** (qq - 2)
            else:
                d2 = ar.scalar(0) if q > 2 else (ar.scalar(2) if q == 2 else float("inf"))
            out[1, kp + j, kp + j] = d2 / self.N
        return out

    def random_start(self, rng: np.random.Generator) -> np.ndarray:
        """A Gaussian point scaled to a random fraction (0.2 to 1) of each budget."""
        W = rng.standard_normal((self.K, self.p))
        H = rng.standard_normal((self.N, self.p))
        W *= np.sqrt(float(self.E_W) * rng.uniform(0.2, 1.0) / ((W * W).sum() / self.K))
        H *= (float(self.E_H) * rng.uniform(0.2, 1.0) / (abs_pow(H, self.q).sum() / self.N)) ** (1 / float(self.q))
        return self.pack(W, H)

    def restricted(self, x: np.ndarray, free: np.ndarray) -> RestrictedProblem:
        """The same program with the coordinates outside ``free`` (a boolean mask) fixed at their value in x."""
        return RestrictedProblem(self, np.asarray(x), np.asarray(free, dtype=bool))


@dataclass(frozen=True)
class RestrictedProblem:
    """A model with some coordinates held fixed (zero coordinates of a sparse point): the same objective
    and constraints as functions of the free coordinates only, for a refinement that needs curvature."""

    model: LqLayerPeeledModel
    base: np.ndarray
    free: np.ndarray
    n_constraints = 2

    @property
    def dim(self) -> int:
        return int(self.free.sum())

    @property
    def constraint_scale(self) -> tuple[float, float]:
        return self.model.constraint_scale

    def full(self, z: np.ndarray) -> np.ndarray:
        """The full point: ``base`` with the free coordinates replaced by z (mpf entries if z has them)."""
        z = np.asarray(z)
        if z.dtype == object:
            x = np.array([mpmath.mpf(float(v)) for v in self.base], dtype=object)
        else:
            x = np.array(self.base, dtype=float)
        x[self.free] = z
        return x

    def objective(self, z, ar: Arithmetic = FLOAT):
        return self.model.objective(self.full(z), ar)

    def gradient(self, z, ar: Arithmetic = FLOAT):
        return self.model.gradient(self.full(z), ar)[self.free]

    def constraints(self, z, ar: Arithmetic = FLOAT):
        return self.model.constraints(self.full(z), ar)

    def constraint_jacobian(self, z, ar: Arithmetic = FLOAT):
        return self.model.constraint_jacobian(self.full(z), ar)[:, self.free]

    def hessian(self, z, ar: Arithmetic = FLOAT):
        full = self.model.hessian(self.full(z), ar)
        return None if full is None else full[np.ix_(self.free, self.free)]

    def constraint_hessians(self, z, ar: Arithmetic = FLOAT):
        return self.model.constraint_hessians(self.full(z), ar)[:, self.free][:, :, self.free]

    def random_start(self, rng: np.random.Generator) -> np.ndarray:  # pragma: no cover - refinement only
        return np.asarray(self.base, dtype=float)[self.free]
