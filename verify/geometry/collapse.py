"""Neural-collapse measurements of a trained classifier's last layer (features H, classifier W).

The quantities follow Papyan, Han & Donoho (2020), the measurements the Layer-Peeled Model papers use to
hold trained networks against Theorem 1 of Fang et al. (2021):

- NC1 (within-class variability collapse): ``tr(Sigma_W Sigma_B^+) / K`` with Sigma_W the within-class and
  Sigma_B the between-class covariance of the features (class means centred by their global mean);
- NC2 (simplex ETF): the pairwise cosines of the centred class means and of the classifier rows, whose
  theoretical value is -1/(K-1), and the spread of their norms (coefficient of variation, equinorm);
- NC3 (self-duality): ``|| W/||W||_F - M/||M||_F ||_F`` with M the centred class means (rows).

Every cosine goes through :func:`verify.geometry.invariants.cosine`, so a zero class mean or classifier row
is reported as :class:`verify.claim.Undefined`, never as a number. numpy only: the network tier
(:mod:`verify.nets`, torch) produces the arrays, this module measures them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from verify.claim import Undefined
from verify.geometry.invariants import norm, pairwise_cosines

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


def _variation(norms: np.ndarray, what: str) -> float | Undefined:
    """Coefficient of variation std/mean of a family of norms (0 for an equinorm family)."""
    if norms.mean() == 0:
        return Undefined(f"norm spread of all-zero {what}")
    return float(norms.std() / norms.mean())


def class_means(features: np.ndarray, labels: np.ndarray, K: int) -> np.ndarray:
    """(K, p) array of per-class feature means; every class must be present."""
    counts = np.bincount(labels, minlength=K)
    if counts.shape[0] != K or np.any(counts == 0):
        missing = [k for k in range(K) if k >= counts.shape[0] or counts[k] == 0]
        raise ValueError(f"labels: classes {missing} have no samples; every one of the K={K} classes needs one")
    return np.stack([features[labels == k].mean(axis=0) for k in range(K)])


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
    means = class_means(features, labels, K)
    M = means - means.mean(axis=0)
    within = features - means[labels]
    sigma_w = within.T @ within / features.shape[0]
    sigma_b = M.T @ M / K
    nc1 = float(np.trace(sigma_w @ np.linalg.pinv(sigma_b)) / K)
    m_norms = np.array([float(norm(m)) for m in M])
    w_norms = np.array([float(norm(w)) for w in W])
    mean_cos = pairwise_cosines(M, zero_tol=ZERO_FRACTION * m_norms.max(), label="mu")
    w_cos = pairwise_cosines(W, zero_tol=ZERO_FRACTION * w_norms.max(), label="w")
    W_F, M_F = float(np.linalg.norm(W)), float(np.linalg.norm(M))
    if W_F > 0 and M_F > 0:
        duality: float | Undefined = float(np.linalg.norm(W / W_F - M / M_F))
    else:
        duality = Undefined("self-duality of a zero classifier or zero centred class means")
    return CollapseMetrics(
        K=K,
        nc1=nc1,
        mean_cosines=tuple(c if isinstance(c, Undefined) else float(c) for c in mean_cos),
        classifier_cosines=tuple(c if isinstance(c, Undefined) else float(c) for c in w_cos),
        mean_norm_cv=_variation(m_norms, "centred class means"),
        classifier_norm_cv=_variation(w_norms, "classifier rows"),
        self_duality=duality,
    )
