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


# --- exact sufficient statistics and a grouped estimate of the rate (issue 18: the detectable effect) -------
def population_ridge(Hbar: np.ndarray, sigma: float, lambda_W: float) -> np.ndarray:
    """The n -> infinity minimiser of (81): the normal equations with H H^T/(Kn) and H Y^T/(Kn) replaced by
    their expectations Hbar Hbar^T/K + sigma^2 I and Hbar/K (the law of large numbers; the model's own
    definition of the noise, not the theorem's formula)."""
    d, K = Hbar.shape
    return FixedFeaturesRidge(K, lambda_W).solve_statistics(Hbar @ Hbar.T / K + sigma**2 * np.eye(d), Hbar / K, 1)


def ridge_draws(Hbar: np.ndarray, n: int, sigma: float, lambda_W: float, rng, draws: int) -> np.ndarray:
    """``draws`` independent minimisers of (81) at n samples per class, shape (draws, K, d), each drawn exactly
    in distribution through the sufficient statistics, at a cost independent of n: per class, the noise sum
    s ~ N(0, n I_d) and the centred scatter S_c ~ Wishart(n - 1, I_d) (Bartlett's construction) are independent,
    and H_k H_k^T = n h h^T + sigma (h s^T + s h^T) + sigma^2 (s s^T/n + S_c), class sum = n h + sigma s."""
    d, K = Hbar.shape
    gram = np.zeros((draws, d, d))
    sums = np.zeros((draws, d, K))
    rows, cols = np.tril_indices(d, -1)
    for k in range(K):
        h = Hbar[:, k]
        s = rng.standard_normal((draws, d)) * np.sqrt(n)
        A = np.zeros((draws, d, d))
        A[:, np.arange(d), np.arange(d)] = np.sqrt(rng.chisquare(n - 1 - np.arange(d), size=(draws, d)))
        A[:, rows, cols] = rng.standard_normal((draws, rows.size))
        scatter = A @ np.transpose(A, (0, 2, 1))
        outer = np.einsum("bi,bj->bij", s, s) / n
        hs = np.einsum("i,bj->bij", h, s)
        gram += n * np.outer(h, h) + sigma * (hs + np.transpose(hs, (0, 2, 1))) + sigma**2 * (outer + scatter)
        sums[:, :, k] = n * h + sigma * s
    N = K * n
    A = gram / N + lambda_W * np.eye(d)
    return np.transpose(np.linalg.solve(A, sums / N), (0, 2, 1))


@dataclass(frozen=True)
class GroupedRate:
    """The rate exponent from mean squared errors: per group of seeds, half the least-squares slope of
    log mean ||W_n - W_inf||^2 on log n; the mean over groups with its Student-t interval, and the smallest
    effect the check detects (``detectable``: a closed form that far from the truth falls outside the interval
    with probability ``power`` at the interval's confidence)."""

    rate: float
    half_width: float
    standard_error: float
    detectable: float
    per_group: tuple[float, ...]
    confidence: float
    power: float

    @property
    def interval(self) -> tuple[float, float]:
        return (self.rate - self.half_width, self.rate + self.half_width)


def grouped_rate(ns, squared_errors: np.ndarray, groups: int, confidence: float, power: float = 0.95) -> GroupedRate:
    """``squared_errors[s, j]``: seed s at n = ns[j] (seeds in order, split into ``groups`` equal groups)."""
    from scipy import stats

    logn = np.log(np.asarray(ns, dtype=float))
    per = [float(np.polyfit(logn, np.log(g.mean(axis=0)), 1)[0]) / 2 for g in np.array_split(squared_errors, groups)]
    x = np.asarray(per)
    se = float(x.std(ddof=1) / np.sqrt(x.size))
    t_conf = float(stats.t.ppf(0.5 + confidence / 2, x.size - 1))
    t_power = float(stats.t.ppf(power, x.size - 1))
    return GroupedRate(float(x.mean()), t_conf * se, se, (t_conf + t_power) * se, tuple(per), confidence, power)
