"""Reference frames.

Fang et al. 2021, Definition 1: a K-simplex ETF is M = sqrt(K/(K-1)) P (I_K - 1 1^T / K) with P (p x K)
having orthonormal columns (p >= K; for p = K-1 a P of rank K-1 on the centred subspace). Its columns are
unit vectors with pairwise cosine -1/(K-1).
"""

from __future__ import annotations

import numpy as np


def random_rotation(p: int, rng: np.random.Generator) -> np.ndarray:
    """A Haar-distributed p x p orthogonal matrix: QR of a Gaussian matrix with the signs of R's diagonal moved
    into Q (Mezzadri 2007, "How to generate random matrices from the classical compact groups"), as
    scipy.stats.ortho_group does, without importing scipy.stats."""
    Q, R = np.linalg.qr(rng.standard_normal((p, p)))
    return Q * np.where(np.diag(R) < 0, -1.0, 1.0)


def simplex_etf(K: int, p: int, rng: np.random.Generator | None = None) -> np.ndarray:
    """A K-simplex ETF as a (K, p) array of unit rows, randomly rotated when ``rng`` is given; p >= K-1."""
    if K < 2 or p < K - 1:
        raise ValueError(f"simplex_etf needs K >= 2 and p >= K-1, got K={K}, p={p}")
    centred = np.eye(K) - np.ones((K, K)) / K
    # orthonormal basis of the centred subspace (K-1 dims), via the SVD of the centring projector
    U, _, _ = np.linalg.svd(centred)
    coords = centred @ U[:, : K - 1] * np.sqrt(K / (K - 1))  # (K, K-1), rows unit norm
    rows = np.zeros((K, p))
    rows[:, : K - 1] = coords
    if rng is not None:
        rows = rows @ random_rotation(p, rng) if p > 1 else rows * rng.choice([-1, 1])
    return rows


def orthogonal_frame(K: int, p: int, rng: np.random.Generator | None = None) -> np.ndarray:
    """K orthonormal rows in R^p (p >= K), randomly rotated when ``rng`` is given."""
    if p < K:
        raise ValueError(f"orthogonal_frame needs p >= K, got K={K}, p={p}")
    rows = np.eye(K, p)
    if rng is not None:
        rows = rows @ random_rotation(p, rng) if p > 1 else rows * rng.choice([-1, 1])
    return rows
