"""Losses on logits, with the gradient with respect to the logits.

Fang et al. 2021, Eq. (8): cross-entropy L(z, y_k) = -log(exp(z_k) / sum_k' exp(z_k')).
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from verify.models.arith import Arithmetic


class Loss(Protocol):
    """A loss of a logit vector and its label, applied row-wise to a logit matrix Z (samples x classes)."""

    name: str

    def values(self, Z: np.ndarray, labels: np.ndarray, ar: Arithmetic) -> np.ndarray:
        """The loss of each row of Z."""

    def grad(self, Z: np.ndarray, labels: np.ndarray, ar: Arithmetic) -> np.ndarray:
        """d loss_j / d Z_j, row by row."""


class CrossEntropy:
    """Softmax cross-entropy, Fang et al. 2021 Eq. (8), evaluated without cancellation.

    With margins D_j = z_j - z_y (j != y): loss = log(1 + sum_j exp(D_j)) = softplus(logsumexp_j D_j), and
    the label entry of the gradient is -sum_{j != y} p_j rather than p_y - 1. Near zero loss (large
    E_H E_W) both keep full relative accuracy, which a plain log-sum-exp minus z_y does not.
    """

    name = "cross-entropy"

    @staticmethod
    def _margins(Z: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        rows = np.arange(Z.shape[0])
        D = Z - Z[rows, labels][:, None]
        others = np.ones(Z.shape, dtype=bool)
        others[rows, labels] = False
        return D[others].reshape(Z.shape[0], Z.shape[1] - 1), others

    def values(self, Z: np.ndarray, labels: np.ndarray, ar: Arithmetic) -> np.ndarray:
        D, _ = self._margins(Z, labels)
        m = D.max(axis=1)
        a = m + ar.log(ar.exp(D - m[:, None]).sum(axis=1))  # logsumexp of the margins
        pos = np.maximum(a, 0 * a)
        return pos + ar.log1p(ar.exp(-np.abs(a)))  # softplus(a), stable for either sign

    def hessian(self, Z: np.ndarray, labels: np.ndarray, ar: Arithmetic) -> np.ndarray:
        """(N, K, K): d^2 loss_j / d Z_j^2 = diag(p_j) - p_j p_j^T (the same for every label)."""
        from verify.models.hessians import softmax_hessians

        return softmax_hessians(Z, ar)

    def grad(self, Z: np.ndarray, labels: np.ndarray, ar: Arithmetic) -> np.ndarray:
        E = ar.exp(Z - Z.max(axis=1, keepdims=True))
        P = E / E.sum(axis=1, keepdims=True)
        _, others = self._margins(Z, labels)
        rows = np.arange(Z.shape[0])
        P[rows, labels] = -(P * others).sum(axis=1)
        return P


class LabelSmoothing:
    """Cross-entropy against the smoothed label q = (1 - alpha) e_y + (alpha/K) 1 (Szegedy et al. 2016; Zhou et
    al. 2022, NeurIPS): loss = logsumexp(z) - sum_c q_c z_c, gradient softmax(z) - q. Evaluated as the
    cross-entropy of the margins plus (alpha/K) sum_c (z_y - z_c), which keeps its relative accuracy near zero
    loss and never takes the log of an underflowed probability."""

    def __init__(self, alpha) -> None:
        self.alpha = alpha
        self.name = f"label smoothing (alpha = {alpha})"

    def values(self, Z: np.ndarray, labels: np.ndarray, ar: Arithmetic) -> np.ndarray:
        K = Z.shape[1]
        rows = np.arange(Z.shape[0])
        gaps = (Z[rows, labels][:, None] - Z).sum(axis=1)  # sum_c (z_y - z_c)
        return CrossEntropy().values(Z, labels, ar) + ar.scalar(self.alpha) / K * gaps

    def grad(self, Z: np.ndarray, labels: np.ndarray, ar: Arithmetic) -> np.ndarray:
        K = Z.shape[1]
        rows = np.arange(Z.shape[0])
        G = CrossEntropy().grad(Z, labels, ar)
        share = ar.scalar(self.alpha) / K
        G = G - share  # d/dz_c of alpha z_y - (alpha/K) sum_c z_c: -alpha/K, plus alpha at c = y
        G[rows, labels] = G[rows, labels] + K * share
        return G
