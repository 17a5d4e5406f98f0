"""The unconstrained-features model with Frobenius penalties, no bias, any class sizes.

Convention (stated, not assumed; THEOREMS-NEXT.md, family F, and the Zhu et al. 2021 / Hong & Ling 2023 line):

    minimise  (1/N) sum_k sum_{i<=n_k} L(W h_{k,i}, y_k) + (lambda_W/2) ||W||_F^2 + (lambda_H/2) ||H||_F^2,

mean loss over the N = sum n_k samples, sums (not class averages) in the penalties, unconstrained, no bias.
This differs from :class:`verify.models.penalised.PenalisedLayerPeeledModel`, which penalises Fang et al.'s
normalised norms (1/K) sum ||w_k||^2 and (1/K) sum_k (1/n_k) sum_i ||h_{k,i}||^2: for equal class sizes n the
two agree with lambda_W -> K lambda_W and lambda_H -> K n lambda_H; for unequal sizes they are different problems.
The unknowns are packed as in :class:`~verify.models.layer_peeled.LayerPeeledModel`: x = [vec(W) (K x d),
vec(H) (N x d, rows h_{k,i} class by class)]. A model states a problem, never its answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from numbers import Real

import numpy as np

from verify.base.errors import InputError
from verify.models.arith import FLOAT, Arithmetic
from verify.models.layer_peeled import LayerPeeledModel
from verify.models.losses import CrossEntropy, Loss


@dataclass(frozen=True)
class FrobeniusUFM:
    """(1/N) sum L(W h_i, y_i) + (lambda_W/2)||W||_F^2 + (lambda_H/2)||H||_F^2 (see the module docstring)."""

    class_sizes: tuple[int, ...]
    d: int
    lambda_W: Real
    lambda_H: Real
    loss: Loss = field(default_factory=CrossEntropy)

    convention = (
        "mean loss (1/N) sum_i L(W h_i, y_i) + (lambda_W/2)||W||_F^2 + (lambda_H/2)||H||_F^2, unconstrained, no bias"
    )
    n_constraints = 0
    constraint_scale = ()

    def __post_init__(self) -> None:
        if not (self.lambda_W > 0 and self.lambda_H > 0):
            raise InputError(
                "lambda_W and lambda_H must be > 0", parameter="lambda_W", fix="give positive weight decays"
            )
        # sizes, layout and the loss term, shared with (7) (its budgets are placeholders, never used)
        object.__setattr__(self, "_base", LayerPeeledModel(tuple(self.class_sizes), int(self.d), 1, 1, self.loss))

    @property
    def K(self) -> int:
        return self._base.K

    @property
    def N(self) -> int:
        return self._base.N

    @property
    def p(self) -> int:
        return int(self.d)

    @property
    def dim(self) -> int:
        return self._base.dim

    @property
    def labels(self) -> np.ndarray:
        return self._base.labels

    def unpack(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return self._base.unpack(x)

    def pack(self, W: np.ndarray, H: np.ndarray) -> np.ndarray:
        return self._base.pack(W, H)

    def objective(self, x: np.ndarray, ar: Arithmetic = FLOAT):
        W, H = self.unpack(x)
        lw, lh = ar.scalar(self.lambda_W), ar.scalar(self.lambda_H)
        return self._base.objective(x, ar) + lw / 2 * (W * W).sum() + lh / 2 * (H * H).sum()

    def gradient(self, x: np.ndarray, ar: Arithmetic = FLOAT) -> np.ndarray:
        W, H = self.unpack(x)
        lw, lh = ar.scalar(self.lambda_W), ar.scalar(self.lambda_H)
        return self._base.gradient(x, ar) + self.pack(lw * W, lh * H)

    def constraints(self, x: np.ndarray, ar: Arithmetic = FLOAT) -> np.ndarray:
        return np.zeros(0, dtype=object if ar is not FLOAT else float)

    def constraint_jacobian(self, x: np.ndarray, ar: Arithmetic = FLOAT) -> np.ndarray:
        return np.zeros((0, self.dim), dtype=object if ar is not FLOAT else float)

    def random_start(self, rng: np.random.Generator) -> np.ndarray:
        """Gaussian W, H with squared norms a random multiple in [0.05, 2] of 1/lambda (the penalty's scale)."""
        W = rng.standard_normal((self.K, self.p))
        H = rng.standard_normal((self.N, self.p))
        W *= np.sqrt(rng.uniform(0.05, 2.0) / float(self.lambda_W) / (W * W).sum())
        H *= np.sqrt(rng.uniform(0.05, 2.0) / float(self.lambda_H) / (H * H).sum())
        return self.pack(W, H)
