"""Sufficient statistics of labelled features: O(K d + d^2) numbers from which every NC metric follows.

Per class k (in the order of the sorted label values): the count n_k, the mean mu_k and the within-class
sum of squares t_k = sum_{y_i = k} ||h_i - mu_k||^2; over all classes the within-class scatter
S_W = sum_i (h_i - mu_{y_i})(h_i - mu_{y_i})^T. Sigma_W = S_W / N (Papyan et al. 2020, Tirer & Bruna 2022,
Zhu et al. 2021 all divide by N). Everything is float64.

Two statistics of disjoint samples combine exactly by the pairwise update of Chan, Golub & LeVeque (1979,
"Updating formulae and a pairwise algorithm for computing sample variances"), class by class:
with delta_k = mu_k^b - mu_k^a and n_k = n_k^a + n_k^b,

    mu_k = mu_k^a + delta_k n_k^b / n_k,   t_k = t_k^a + t_k^b + (n_k^a n_k^b / n_k) ||delta_k||^2,
    S_W  = S_W^a + S_W^b + sum_k (n_k^a n_k^b / n_k) delta_k delta_k^T,

so shards computed on different workers merge in any order or tree (associative up to float64 rounding).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from verify.base.errors import InputError
from verify.metrics.arrays import as_float64, as_labels, input_eps, raw_matrix
from verify.metrics.conventions import Conventions

#: Rows converted to float64 at a time by :meth:`ClassStatistics.from_arrays` (16384 x 512 x 8 B = 64 MiB;
#: measured 2.8x faster than 65536-row chunks at d = 512, whose temporaries fall out of cache).
CHUNK = 16384


@dataclass(frozen=True, eq=False)
class ClassStatistics:
    """Counts, means, within-class sums of squares and scatter of one set of labelled features.

    ``eps`` is the machine epsilon of the coarsest input dtype seen (it sets the pseudo-inverse cutoff and the
    zero-norm guard); ``min_entry`` the smallest feature entry (Dang et al.'s metric needs features >= 0).
    """

    classes: np.ndarray  # (K,) sorted label values
    counts: np.ndarray  # (K,) int64
    means: np.ndarray  # (K, d)
    sumsq: np.ndarray  # (K,) t_k
    scatter: np.ndarray  # (d, d) S_W
    eps: float
    min_entry: float

    @property
    def K(self) -> int:
        return int(self.classes.shape[0])

    @property
    def d(self) -> int:
        return int(self.means.shape[1])

    @property
    def N(self) -> int:
        return int(self.counts.sum())

    @classmethod
    def from_arrays(cls, features, labels, *, chunk: int = CHUNK) -> ClassStatistics:
        """Two-pass statistics of samples held in memory: class means first, then centred sums. Rows are
        converted to float64 ``chunk`` at a time, so the scratch is O(chunk d) whatever N."""
        raw = raw_matrix(features, "features")
        eps = input_eps(raw, features)
        N = raw.shape[0]
        y = as_labels(labels, N)
        if N == 0:
            raise InputError("features: no rows", parameter="features", fix="pass at least one sample")
        classes, inverse, counts = np.unique(y, return_inverse=True, return_counts=True)
        K, d = classes.shape[0], raw.shape[1]
        spans = [slice(s, min(s + chunk, N)) for s in range(0, N, chunk)]
        sums, low, H = np.zeros((K, d)), np.inf, None
        from scipy import sparse  # imported on first use: importing the metrics stays light

        for sl in spans:
            H = as_float64(raw[sl], "features")
            n = H.shape[0]
            onehot = sparse.csr_matrix((np.ones(n), (inverse[sl], np.arange(n))), shape=(K, n))
            sums += np.asarray(onehot @ H)
            low = min(low, float(H.min()))
        means = sums / counts[:, None]
        scatter, sumsq = np.zeros((d, d)), np.zeros(K)
        for sl in spans:  # a single chunk (a streamed batch) is converted once
            centred = (H if len(spans) == 1 else np.asarray(raw[sl], dtype=np.float64)) - means[inverse[sl]]
            scatter += centred.T @ centred
            sumsq += np.bincount(inverse[sl], weights=np.einsum("ij,ij->i", centred, centred), minlength=K)
        return cls(
            classes=classes,
            counts=counts.astype(np.int64),
            means=means,
            sumsq=sumsq,
            scatter=scatter,
            eps=eps,
            min_entry=low,
        )

    def merge(self, other: ClassStatistics) -> ClassStatistics:
        """The statistics of the union of two disjoint samples (Chan et al. 1979 pairwise update)."""
        if other.d != self.d:
            raise InputError(
                f"features: dimension {other.d} does not match the accumulated dimension {self.d}",
                parameter="features",
                fix="stream features of one layer",
            )
        try:
            classes = np.union1d(self.classes, other.classes)
        except TypeError:
            raise InputError(
                "labels: label types differ between batches", parameter="labels", fix="one label type"
            ) from None
        K, d = classes.shape[0], self.d
        ia, ib = np.searchsorted(classes, self.classes), np.searchsorted(classes, other.classes)
        na, nb = np.zeros(K), np.zeros(K)
        na[ia], nb[ib] = self.counts, other.counts
        ma, mb = np.zeros((K, d)), np.zeros((K, d))
        ma[ia], mb[ib] = self.means, other.means
        n = na + nb
        delta = mb - ma
        weight = na * nb / n  # 0 for a class present on one side only
        means = ma + delta * (nb / n)[:, None]
        sumsq = np.zeros(K)
        np.add.at(sumsq, ia, self.sumsq)
        np.add.at(sumsq, ib, other.sumsq)
        sumsq += weight * np.einsum("ij,ij->i", delta, delta)
        shared = weight > 0
        scaled = delta[shared] * np.sqrt(weight[shared])[:, None]
        scatter = self.scatter + other.scatter + scaled.T @ scaled
        return ClassStatistics(
            classes=classes,
            counts=n.astype(np.int64),
            means=means,
            sumsq=sumsq,
            scatter=scatter,
            eps=max(self.eps, other.eps),
            min_entry=min(self.min_entry, other.min_entry),
        )

    # --- derived quantities under a convention -------------------------------------------------------------

    def global_mean(self, conv: Conventions) -> np.ndarray:
        if conv.global_mean == "class":
            return self.means.mean(axis=0)
        return self.counts @ self.means / self.N

    def centred_means(self, conv: Conventions) -> np.ndarray:
        """mu_k - mu_G (rows), mu_G per ``conv.global_mean``."""
        return self.means - self.global_mean(conv)

    def between_weights(self, conv: Conventions) -> np.ndarray:
        return np.full(self.K, 1.0 / self.K) if conv.between == "class" else self.counts / self.N

    def sigma_w(self) -> np.ndarray:
        """Sigma_W = S_W / N."""
        return self.scatter / self.N

    def sigma_b(self, conv: Conventions) -> np.ndarray:
        """Sigma_B = sum_k w_k (mu_k - mu_G)(mu_k - mu_G)^T."""
        A = self.between_factor(conv)
        return A.T @ A

    def between_factor(self, conv: Conventions) -> np.ndarray:
        """A (K, d) with Sigma_B = A^T A: rows sqrt(w_k) (mu_k - mu_G)."""
        return self.centred_means(conv) * np.sqrt(self.between_weights(conv))[:, None]

    def class_variances(self) -> np.ndarray:
        """Var_k = E_{y=k} ||h - mu_k||^2 (Galanti et al. 2022), per class."""
        return self.sumsq / self.counts

    def zero_rtol(self) -> float:
        """Relative size below which a norm or eigenvalue is indistinguishable from the input's rounding:
        max(K, d) * eps of the input dtype (the numpy/LAPACK matrix-rank rule with the input's precision)."""
        return max(self.K, self.d) * self.eps
