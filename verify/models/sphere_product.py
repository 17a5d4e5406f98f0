"""Features and classifiers on unit spheres, cross-entropy with a temperature (Yaras et al. 2022, NeurIPS).

    min (1/N) sum_i CE(W h_i / tau, y_i)   s.t.  ||w_k|| = 1 for every k,  ||h_i|| = 1 for every i

(THEOREMS-NEXT.md family E.) The product of spheres is parametrised by free vectors v, each used through
v/||v||; the objective adds (mu/2) sum (||v||^2 - 1)^2, which is zero exactly on the manifold and removes the
radial null directions, so every minimiser is isolated up to rotation and a Newton refinement converges; its
value on the manifold is the CE term alone (:meth:`SphereProductCE.loss`). Unknowns x = [rows of W (K x d),
columns of H (N x d)]. Nothing here knows a closed form.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property

import numpy as np

from verify.base.errors import InputError
from verify.models.arith import FLOAT, Arithmetic
from verify.models.losses import CrossEntropy

#: Weight of the radial term (mu/2) sum (||v||^2 - 1)^2: any mu > 0 makes the radial directions stiff; 1 keeps
#: them at the scale of the loss's curvature.
RADIAL_WEIGHT = 1.0


@dataclass(frozen=True)
class SphereProductCE:
    sizes: tuple[int, ...]
    d: int
    tau: Fraction

    convention = (
        "(1/N) sum_i CE(W h_i / tau, y_i), ||w_k|| = ||h_i|| = 1 (Yaras et al. 2022; THEOREMS-NEXT.md family E), "
        "mean loss, no penalty, no bias"
    )

    def __post_init__(self) -> None:
        if len(self.sizes) < 2 or min(self.sizes) < 1 or self.d < 1 or not self.tau > 0:
            raise InputError("need K >= 2 classes of >= 1 sample, d >= 1, tau > 0", parameter="tau", fix="see show")

    @property
    def K(self) -> int:
        return len(self.sizes)

    @property
    def N(self) -> int:
        return sum(self.sizes)

    @cached_property
    def labels(self) -> np.ndarray:
        return np.repeat(np.arange(self.K), self.sizes)

    @property
    def dim(self) -> int:
        return (self.K + self.N) * self.d

    n_constraints = 0

    def vectors(self, x: np.ndarray) -> np.ndarray:
        return x.reshape(self.K + self.N, self.d)

    def _unit(self, V: np.ndarray, ar: Arithmetic):
        norms = np.array([(v * v).sum() ** 0.5 for v in V], dtype=float if ar is FLOAT else object)
        return V / norms[:, None], norms

    def unit_point(self, x: np.ndarray, ar: Arithmetic = FLOAT) -> tuple[np.ndarray, np.ndarray]:
        """(W (K x d), H (d x N)) on the manifold."""
        U, _ = self._unit(self.vectors(x), ar)
        return U[: self.K], U[self.K :].T

    def loss(self, x: np.ndarray, ar: Arithmetic = FLOAT):
        """The CE term at the normalised point: the program's objective on the manifold."""
        W, H = self.unit_point(x, ar)
        Z = (H.T @ W.T) / ar.scalar(self.tau)
        return CrossEntropy().values(Z, self.labels, ar).sum() / self.N

    def objective(self, x: np.ndarray, ar: Arithmetic = FLOAT):
        V = self.vectors(x)
        radial = ((V * V).sum(axis=1) - 1) ** 2
        return self.loss(x, ar) + RADIAL_WEIGHT * radial.sum() / 2

    def gradient(self, x: np.ndarray, ar: Arithmetic = FLOAT) -> np.ndarray:
        V = self.vectors(x)
        U, norms = self._unit(V, ar)
        W, H = U[: self.K], U[self.K :]
        tau = ar.scalar(self.tau)
        G = CrossEntropy().grad((H @ W.T) / tau, self.labels, ar) / (self.N * tau)  # dL/dZ, N x K
        gU = np.concatenate([G.T @ H, G @ W])  # Euclidean gradient in the unit vectors
        radial_part = (gU * U).sum(axis=1)
        gV = (gU - radial_part[:, None] * U) / norms[:, None]
        gV = gV + 2 * RADIAL_WEIGHT * ((V * V).sum(axis=1) - 1)[:, None] * V
        return gV.ravel()

    def constraints(self, x: np.ndarray, ar: Arithmetic = FLOAT) -> np.ndarray:
        return np.zeros(0, dtype=float if ar is FLOAT else object)

    def constraint_jacobian(self, x: np.ndarray, ar: Arithmetic = FLOAT) -> np.ndarray:
        return np.zeros((0, self.dim), dtype=float if ar is FLOAT else object)

    def random_start(self, rng: np.random.Generator) -> np.ndarray:
        V = rng.standard_normal((self.K + self.N, self.d))
        return (V / np.linalg.norm(V, axis=1, keepdims=True)).ravel()
