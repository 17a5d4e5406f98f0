"""Labelled features with known geometry, for the tests, the guide (docs/metrics.md) and the benchmark.

``collapsed`` places every feature exactly on its class mean, the means forming a simplex ETF (Fang et al.
2021, Definition 1; shifted by a random global mean) or an orthogonal frame (Tirer & Bruna 2022,
Theorem 3.1), with any class sizes; every NC metric of it is 0 up to float64 rounding. ``noisy`` adds
isotropic within-class noise to random class means.
"""

from __future__ import annotations

import numpy as np

from verify.geometry.frames import orthogonal_frame, simplex_etf


def collapsed(kind: str, K: int, d: int, counts, rng: np.random.Generator, *, scale: float = 3.0, shift: bool = True):
    """(features, labels, means): ``kind`` "etf" or "orthogonal"; ``counts`` an int or K class sizes; the
    ETF is shifted by a random global mean when ``shift`` (an orthogonal frame never is: it is uncentred)."""
    frame = simplex_etf(K, d, rng) if kind == "etf" else orthogonal_frame(K, d, rng)
    means = frame * scale
    if kind == "etf" and shift:
        means = means + rng.normal(size=d)
    labels = np.repeat(np.arange(K), counts)
    return means[labels], labels, means


def noisy(K: int, d: int, counts, rng: np.random.Generator, *, spread: float = 1.0, dtype=np.float64):
    """(features, labels, W, b): random class means (scale 2), within-class N(0, spread^2 I) noise, samples
    shuffled, and a random classifier with bias."""
    means = rng.normal(size=(K, d)) * 2
    labels = np.repeat(np.arange(K), counts)
    H = means[labels] + spread * rng.normal(size=(labels.shape[0], d))
    perm = rng.permutation(labels.shape[0])
    return H[perm].astype(dtype), labels[perm], rng.normal(size=(K, d)), rng.normal(size=K)
