"""Backward-compatible NC1-NC3 summary; the measurements live in :mod:`verify.metrics`.

:func:`collapse_metrics` keeps its original signature and result (:class:`CollapseMetrics`) for code written
against it: labels are 0..K-1 indexing the K classifier rows, and the conventions are those of Papyan, Han &
Donoho (2020) as printed: class-mean global mean, Sigma_B = (1/K) sum_k (mu_k - mu_G)(mu_k - mu_G)^T,
NC1 = tr(Sigma_W Sigma_B^+)/K with the full pseudo-inverse (cutoff relative to the input's precision),
NC2 on centred means and raw classifier rows, NC3 = || W/||W||_F - M/||M||_F ||_F with M the centred means.
New code should call :func:`verify.metrics.collapse_report`, which names every convention and gives more.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from verify.base.values import Undefined
from verify.geometry.invariants import pairwise_cosines
from verify.metrics import ClassStatistics, Conventions, report_from_statistics

#: A vector shorter than this fraction of the largest vector of its family is treated as zero: float64
#: features carry ~1e-16 relative rounding, so 1e-10 leaves six decades before a true zero is mistaken
#: for a direction.
ZERO_FRACTION = 1e-10


@dataclass(frozen=True)
class CollapseMetrics:
    """NC1-NC3 of one (features, labels, classifier) triple; K is the number of classes."""

    K: int
    nc1: float
    mean_cosines: tuple[float | Undefined, ...]
    classifier_cosines: tuple[float | Undefined, ...]
    mean_norm_cv: float | Undefined
    classifier_norm_cv: float | Undefined
    self_duality: float | Undefined

    @property
    def etf_cosine(self) -> float:
        """The simplex-ETF value -1/(K-1) the cosines should approach."""
        return -1.0 / (self.K - 1)

    def worst_cosine_gap(self) -> float | Undefined:
        """max |cos - (-1/(K-1))| over class means and classifiers; Undefined if any cosine is."""
        cosines = self.mean_cosines + self.classifier_cosines
        for c in cosines:
            if isinstance(c, Undefined):
                return c
        return max(abs(float(c) - self.etf_cosine) for c in cosines)


def _check_classes(labels: np.ndarray, K: int) -> None:
    counts = np.bincount(labels, minlength=K)
    if counts.shape[0] != K or np.any(counts == 0):
        missing = [k for k in range(K) if k >= counts.shape[0] or counts[k] == 0]
        raise ValueError(f"labels: classes {missing} have no samples; every one of the K={K} classes needs one")


def class_means(features: np.ndarray, labels: np.ndarray, K: int) -> np.ndarray:
    """(K, p) array of per-class feature means in the arithmetic of ``features`` (float64 or mpmath mpf
    object arrays: the claims' solvers measure their high-precision points with it); every class must be
    present. For float statistics of network features use :class:`verify.metrics.ClassStatistics`."""
    labels = np.asarray(labels)
    _check_classes(labels, K)
    return np.stack([features[labels == k].mean(axis=0) for k in range(K)])


def _cosines(rows: np.ndarray, label: str) -> tuple:
    norms = np.linalg.norm(rows, axis=1)
    cos = pairwise_cosines(rows, zero_tol=ZERO_FRACTION * norms.max(), label=label)
    return tuple(c if isinstance(c, Undefined) else float(c) for c in cos)


def collapse_metrics(features: np.ndarray, labels: np.ndarray, classifier: np.ndarray) -> CollapseMetrics:
    """NC1-NC3 for features (N, p), integer labels (N,) in 0..K-1 and classifier rows (K, p)."""
    features = np.asarray(features, dtype=float)
    labels = np.asarray(labels)
    W = np.asarray(classifier, dtype=float)
    K = W.shape[0]
    if K < 2:
        raise ValueError(f"classifier: K = {K} rows; neural collapse needs K >= 2 classes")
    if features.ndim != 2 or features.shape[1] != W.shape[1]:
        raise ValueError(f"features: shape {features.shape} does not match classifier rows of width {W.shape[1]}")
    _check_classes(labels, K)
    stats = ClassStatistics.from_arrays(features, labels)
    report = report_from_statistics(stats, W)
    M = stats.centred_means(Conventions())
    return CollapseMetrics(
        K=K,
        nc1=report["nc1"],
        mean_cosines=_cosines(M, "mu"),
        classifier_cosines=_cosines(W, "w"),
        mean_norm_cv=report["equinorm_means"],
        classifier_norm_cv=report["equinorm_classifiers"],
        self_duality=report["self_duality"],
    )
