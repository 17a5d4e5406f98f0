"""The penalised (regularised) twin of the Layer-Peeled Model: budgets replaced by quadratic penalties.

Convention (stated, not assumed): the objective is the *mean* loss over the N samples plus lambda/2 times the
budgets' own normalised norms of program (7) of Fang et al. 2021,

    minimise  (1/N) sum_k sum_i L(W h_{k,i}, y_k)
              + (lambda_W / 2) (1/K) sum_k ||w_k||^2
              + (lambda_H / 2) (1/K) sum_k (1/n_k) sum_i ||h_{k,i}||^2,

unconstrained (no budget), no bias. It is the Lagrangian form of (7): a multiplier mu_W of (7)'s classifier
budget is lambda_W / 2 here. Other papers penalise sums (lambda/2 ||W||_F^2) or divide by N: rescale lambda
accordingly. A model states a problem, never its answer.
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
class PenalisedLayerPeeledModel:
    """Program (7) of Fang et al. 2021 with its budgets replaced by penalties lambda/2 (see module docstring)."""

    class_sizes: tuple[int, ...]
    p: int
    lambda_H: Real
    lambda_W: Real
    loss: Loss = field(default_factory=CrossEntropy)

    convention = (
        "mean loss (1/N) + (lambda_W/2)(1/K) sum_k ||w_k||^2 + (lambda_H/2)(1/K) sum_k (1/n_k) sum_i ||h_{k,i}||^2, "
        "unconstrained (the penalised form of Fang et al. 2021 Eq. (7))"
    )
    n_constraints = 0
    constraint_scale = ()

    def __post_init__(self) -> None:
        if not (self.lambda_H > 0 and self.lambda_W > 0):
            raise InputError("lambda_H and lambda_W must be > 0", parameter="lambda_H", fix="give positive penalties")
        # the budgets' normalisations and the loss, shared with (7) (its budgets are placeholders, never used)
        object.__setattr__(self, "_base", LayerPeeledModel(tuple(self.class_sizes), self.p, 1, 1, self.loss))

    @property
    def K(self) -> int:
        return self._base.K

    @property
    def N(self) -> int:
        return self._base.N

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

    def norms(self, x: np.ndarray, ar: Arithmetic = FLOAT) -> tuple:
        """((1/K) sum ||w_k||^2, (1/K) sum_k (1/n_k) sum_i ||h_{k,i}||^2): what the penalties multiply."""
        W, H = self.unpack(x)
        c = self._base._feature_weights(ar)
        return (W * W).sum() / self.K, ((H * H).sum(axis=1) * c).sum()

    def objective(self, x: np.ndarray, ar: Arithmetic = FLOAT):
        g_w, g_h = self.norms(x, ar)
        lw, lh = ar.scalar(self.lambda_W), ar.scalar(self.lambda_H)
        return self._base.objective(x, ar) + lw / 2 * g_w + lh / 2 * g_h

    def gradient(self, x: np.ndarray, ar: Arithmetic = FLOAT) -> np.ndarray:
        W, H = self.unpack(x)
        c = self._base._feature_weights(ar)
        lw, lh = ar.scalar(self.lambda_W), ar.scalar(self.lambda_H)
        return self._base.gradient(x, ar) + self.pack(
            W * lw / self.K, H * lh * c[:, None]
        )  # array first: see relu_features

    def constraints(self, x: np.ndarray, ar: Arithmetic = FLOAT) -> np.ndarray:
        return np.zeros(0, dtype=object if ar is not FLOAT else float)

    def constraint_jacobian(self, x: np.ndarray, ar: Arithmetic = FLOAT) -> np.ndarray:
        return np.zeros((0, self.dim), dtype=object if ar is not FLOAT else float)

    def random_start(self, rng: np.random.Generator) -> np.ndarray:
        """Gaussian W, H with mean squared norms a random multiple in [0.05, 2] of 1/lambda (the penalty's scale)."""
        W = rng.standard_normal((self.K, self.p))
        H = rng.standard_normal((self.N, self.p))
        W *= np.sqrt(rng.uniform(0.05, 2.0) / float(self.lambda_W) / ((W * W).sum() / self.K))
        c = self._base._feature_weights()
        H *= np.sqrt(rng.uniform(0.05, 2.0) / float(self.lambda_H) / ((H * H).sum(axis=1) * c).sum())
        return self.pack(W, H)
