"""Monte-Carlo for Theorem 5.1 of Tirer & Bruna 2022: the ridge classifier of fixed, noisy collapsed features.

For a class-mean matrix Hbar (d x K) and noise level sigma, :func:`noisy_ridge` draws H = Hbar (x) 1_n^T + E
(E iid N(0, sigma^2)), accumulates the sufficient statistics H H^T and the class sums in chunks (so n can be
large without holding H), and returns the minimiser of problem (81). :func:`fitted_slope` fits
log err = a + s log n per seed by least squares and returns the mean slope with its Student-t interval over
the seeds. Nothing here knows the limit the theorem predicts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from verify.models.mse_features import FixedFeaturesRidge

#: Columns drawn per chunk: 2^16 columns of d <= 16 floats is at most 8 MB.
CHUNK = 1 << 16


def noisy_ridge(Hbar: np.ndarray, n: int, sigma: float, lambda_W: float, rng: np.random.Generator) -> np.ndarray:
    d, K = Hbar.shape
    gram = np.zeros((d, d))
    sums = np.zeros((d, K))
    for k in range(K):
        left = n
        while left:
            m = min(left, CHUNK)
            Hk = Hbar[:, [k]] + sigma * rng.standard_normal((d, m))
            gram += Hk @ Hk.T
            sums[:, k] += Hk.sum(axis=1)
            left -= m
    return FixedFeaturesRidge(K, lambda_W).solve_statistics(gram, sums, K * n)


@dataclass(frozen=True)
class SlopeFit:
    slope: float  # mean over seeds of the per-seed least-squares slope
    half_width: float  # Student-t half-width of the mean at ``confidence``
    confidence: float
    per_seed: tuple[float, ...]

    @property
    def interval(self) -> tuple[float, float]:
        return (self.slope - self.half_width, self.slope + self.half_width)


def mean_interval(samples, confidence: float = 0.95) -> tuple[float, float]:
    """(mean, Student-t half-width of the mean) of independent samples."""
    from scipy import stats

    x = np.asarray(samples, dtype=float)
    se = x.std(ddof=1) / np.sqrt(x.size)
    return float(x.mean()), float(stats.t.ppf(0.5 + confidence / 2, x.size - 1) * se)


def fitted_slope(ns, errors: np.ndarray, confidence: float = 0.95) -> SlopeFit:
    """``errors[s, j]``: seed s at n = ns[j]. Per-seed slopes of log err on log n, their mean and interval."""
    logn = np.log(np.asarray(ns, dtype=float))
    slopes = [float(np.polyfit(logn, np.log(e), 1)[0]) for e in errors]
    mean, half = mean_interval(slopes, confidence)
    return SlopeFit(mean, half, confidence, tuple(slopes))
