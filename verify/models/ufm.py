"""The unconstrained features model with Frobenius penalties and an optional bias (Zhu et al. 2021, NeurIPS).

Convention (stated, not assumed): the *mean* loss over the N samples plus lambda/2 times *unnormalised*
squared Frobenius norms,

    f(W, H, b) = (1/N) sum_i L(W h_i + b, y_i) + (lambda_W/2)||W||_F^2 + (lambda_H/2)||H||_F^2
                 + (lambda_b/2)||b||^2,

unconstrained. The bias is one of three variants (Zhu et al. 2021, Section 3): ``"none"`` (no b at all),
``"free"`` (b an unknown, lambda_b = 0) or ``"penalised"`` (lambda_b > 0). With ``bias="none"`` and
lambda_W' = K lambda_W, lambda_H' = N lambda_H this is :class:`verify.models.penalised.PenalisedLayerPeeledModel`
(whose penalties are normalised by K and N). The unknowns are packed as x = [vec(W) (K x d), vec(H) (N x d,
class by class), b (K entries, absent for "none")]. A model states a problem, never its answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from numbers import Real

import numpy as np

from verify.base.errors import InputError
from verify.models.arith import FLOAT, Arithmetic
from verify.models.losses import CrossEntropy, Loss

BIASES = ("none", "free", "penalised")


@dataclass(frozen=True)
class UnconstrainedFeaturesModel:
    """Zhu et al. 2021's regularised program (see the module docstring) for given sizes, dimension, penalties."""

    class_sizes: tuple[int, ...]
    d: int
    lambda_W: Real
    lambda_H: Real
    bias: str = "none"
    lambda_b: Real = 0
    loss: Loss = field(default_factory=CrossEntropy)

    convention = (
        "mean loss (1/N) sum_i L(W h_i + b, y_i) + (lambda_W/2)||W||_F^2 + (lambda_H/2)||H||_F^2 "
        "+ (lambda_b/2)||b||^2 (Zhu et al. 2021, Eq. (3)), unconstrained"
    )
    n_constraints = 0
    constraint_scale = ()

    def __post_init__(self) -> None:
        sizes = tuple(int(n) for n in self.class_sizes)
        if len(sizes) < 2:
            raise InputError(f"K = {len(sizes)} classes violates K >= 2", parameter="K", fix="use two classes or more")
        if min(sizes) < 1:
            raise InputError("every class size must be >= 1", parameter="n", fix="give positive class sizes")
        if int(self.d) < 1:
            raise InputError(f"d = {self.d} violates d >= 1", parameter="d", fix="give a positive feature dimension")
        if not (self.lambda_W > 0 and self.lambda_H > 0):
            raise InputError("lambda_W and lambda_H must be > 0", parameter="lambda_W", fix="give positive penalties")
        if self.bias not in BIASES:
            raise InputError(f"bias {self.bias!r} is not one of {BIASES}", parameter="bias", fix="none/free/penalised")
        if (self.bias == "penalised") != (self.lambda_b > 0) or self.lambda_b < 0:
            raise InputError(
                f"bias {self.bias!r} with lambda_b = {self.lambda_b}",
                parameter="lambda_b",
                fix="lambda_b > 0 exactly when the bias is penalised (0 for a free bias or none)",
            )
        object.__setattr__(self, "class_sizes", sizes)

    @property
    def K(self) -> int:
        return len(self.class_sizes)

    @property
    def N(self) -> int:
        return sum(self.class_sizes)

    @property
    def n_bias(self) -> int:
        return 0 if self.bias == "none" else self.K

    @property
    def dim(self) -> int:
        return (self.K + self.N) * self.d + self.n_bias

    @property
    def labels(self) -> np.ndarray:
        return np.repeat(np.arange(self.K), self.class_sizes)

    def unpack(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(W (K x d), H (N x d), b (K entries; zeros for bias "none"))."""
        kd, nd = self.K * self.d, self.N * self.d
        W, H = x[:kd].reshape(self.K, self.d), x[kd : kd + nd].reshape(self.N, self.d)
        b = x[kd + nd :] if self.n_bias else 0 * x[: self.K]
        return W, H, b

    def pack(self, W, H, b=None) -> np.ndarray:
        parts = [np.asarray(W).ravel(), np.asarray(H).ravel()]
        if self.n_bias:
            parts.append(np.asarray(b).ravel())
        return np.concatenate(parts)

    def logits(self, x: np.ndarray) -> np.ndarray:
        """Z = H W^T + 1 b^T: samples x classes."""
        W, H, b = self.unpack(x)
        return H @ W.T + b[None, :]

    def objective(self, x: np.ndarray, ar: Arithmetic = FLOAT):
        W, H, b = self.unpack(x)
        lw, lh = ar.scalar(self.lambda_W), ar.scalar(self.lambda_H)
        value = self.loss.values(H @ W.T + b[None, :], self.labels, ar).sum() / self.N
        value = value + lw / 2 * (W * W).sum() + lh / 2 * (H * H).sum()
        if self.bias == "penalised":
            value = value + ar.scalar(self.lambda_b) / 2 * (b * b).sum()
        return value

    def gradient(self, x: np.ndarray, ar: Arithmetic = FLOAT) -> np.ndarray:
        W, H, b = self.unpack(x)
        lw, lh = ar.scalar(self.lambda_W), ar.scalar(self.lambda_H)
        G = self.loss.grad(H @ W.T + b[None, :], self.labels, ar) / self.N
        gb = G.sum(axis=0)
        if self.bias == "penalised":
            gb = gb + ar.scalar(self.lambda_b) * b
        return self.pack(G.T @ H + lw * W, G @ W + lh * H, gb)

    def constraints(self, x: np.ndarray, ar: Arithmetic = FLOAT) -> np.ndarray:
        return np.zeros(0, dtype=object if ar is not FLOAT else float)

    def constraint_jacobian(self, x: np.ndarray, ar: Arithmetic = FLOAT) -> np.ndarray:
        return np.zeros((0, self.dim), dtype=object if ar is not FLOAT else float)

    def penalty_gradient(self, x: np.ndarray, ar: Arithmetic = FLOAT) -> np.ndarray:
        """The gradient of the penalties alone (the scale of a stationarity residual)."""
        W, H, b = self.unpack(x)
        lb = ar.scalar(self.lambda_b) if self.bias == "penalised" else 0
        return self.pack(ar.scalar(self.lambda_W) * W, ar.scalar(self.lambda_H) * H, lb * b)

    def random_start(self, rng: np.random.Generator, scale: float = 1.0) -> np.ndarray:
        """Gaussian W, H, b; ||W||^2 and ||H||^2 are scale^2 times a random multiple in [0.05, 4] of
        1/(lambda sqrt(N)) (the size of a minimiser's blocks when K sqrt(n lambda_W lambda_H) is O(1))."""
        W = rng.standard_normal((self.K, self.d))
        H = rng.standard_normal((self.N, self.d))
        W *= scale * np.sqrt(rng.uniform(0.05, 4.0) / float(self.lambda_W) / np.sqrt(self.N) / (W * W).sum())
        H *= scale * np.sqrt(rng.uniform(0.05, 4.0) / float(self.lambda_H) / np.sqrt(self.N) / (H * H).sum())
        b = scale * rng.standard_normal(self.K)
        return self.pack(W, H, b)
