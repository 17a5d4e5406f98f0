"""Data for the network tier: balanced class subsets, no download at run time.

Theorem 1 of Fang et al. (2021) is stated for balanced classes (n_k = n), so every data set here returns
exactly ``per_class`` samples of each of ``classes`` classes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Dataset:
    name: str
    X: np.ndarray  # (N, d) float
    y: np.ndarray  # (N,) int in 0..K-1, balanced
    K: int


def digits(classes: int, per_class: int, seed: int = 0) -> Dataset:
    """scikit-learn's 8x8 digits (shipped with the package): ``per_class`` <= 174 images of each class."""
    if not 2 <= classes <= 10:
        raise ValueError(f"classes = {classes}: digits has 10 classes and collapse needs K >= 2; use 2..10")
    from sklearn.datasets import load_digits

    data = load_digits()
    rng = np.random.default_rng(seed)
    smallest = min(int((data.target == k).sum()) for k in range(classes))
    if not 1 <= per_class <= smallest:
        raise ValueError(
            f"per_class = {per_class}: digits has {smallest} images of its rarest class; use 1..{smallest}"
        )
    idx = np.concatenate(
        [rng.choice(np.flatnonzero(data.target == k), per_class, replace=False) for k in range(classes)]
    )
    X = data.data[idx] / 16.0
    return Dataset("digits", X - X.mean(axis=0), data.target[idx].astype(np.int64), classes)


def gaussian_mixture(classes: int, per_class: int, dim: int = 32, separation: float = 1.0, seed: int = 0) -> Dataset:
    """``classes`` Gaussian clusters with random centres (scale ``separation``) and unit noise in R^dim."""
    if classes < 2:
        raise ValueError(f"classes = {classes}: collapse needs K >= 2")
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(classes, dim)) * separation
    y = np.repeat(np.arange(classes), per_class)
    return Dataset("gaussian", centres[y] + rng.normal(size=(len(y), dim)), y.astype(np.int64), classes)
