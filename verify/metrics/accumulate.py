"""The running sufficient statistics behind :class:`verify.metrics.CollapseStats`, one batch at a time.

Each batch is reduced exactly as :mod:`verify.metrics.statistics` describes (two passes within the batch:
class sums, then centred sums of squares), and folded into the running state by the pairwise update of Chan,
Golub & LeVeque (1979). The hot loop is arranged for speed per core:

- the batch's class order is found once (a stable argsort); then class by class, on that class's slice of a
  float64 buffer (n_k x d numbers, cache resident), its rows are gathered in the input dtype, widened to
  float64 (exact), summed, centred in place and their sum of squares taken: one pass over the batch where
  four full-batch passes cost twice as much (benchmarks/bench_metrics_interleaved.py --parts);
- the float64 buffer is kept between batches: a fresh 32 MiB buffer per batch costs its page faults on every
  first write (measured on a loaded machine: 5 ms per batch with a warm buffer, 170 ms with a fresh one);
- no numpy BLAS call in the loop (the sums of squares are einsum): numpy's OpenBLAS and scipy's are two
  thread pools, and both spinning on the same cores made ``threads=None`` slower than one thread;
- the within-class scatter is accumulated *in place* by BLAS ``dsyrk`` (C := C + Z^T Z on the upper triangle,
  no d x d temporary); the Chan correction sum_k w_k delta_k delta_k^T is one rank-K dsyrk. The lower triangle
  is rebuilt from the upper one when the statistics are read.

Numbers are float64 throughout; NaN or inf in a batch shows in its float64 class sums (a sum of finite float32
or float64 values of one batch cannot overflow float64 short of 1e308) and is refused there.
"""

from __future__ import annotations

import numpy as np

from verify.base.errors import InputError
from verify.metrics.arrays import as_labels, input_eps, raw_matrix

#: Classes in a batch above which the class sums and centring are vectorised (sparse product, repeat) rather
#: than looped over contiguous slices.
LOOP_CLASSES = 64


def _syrk_update(S: np.ndarray, Z: np.ndarray) -> np.ndarray:
    """S (F-ordered, upper triangle) += Z^T Z, in place by BLAS dsyrk (Z C-ordered: Z^T is F-ordered, no copy)."""
    from scipy.linalg.blas import dsyrk

    return dsyrk(1.0, Z.T, beta=1.0, c=S, trans=0, lower=0, overwrite_c=1)


class RunningStatistics:
    """Counts, means, within-class sums of squares and scatter of the batches seen so far (numpy, float64)."""

    def __init__(self) -> None:
        self.classes: np.ndarray | None = None
        self.counts = np.zeros(0, dtype=np.int64)
        self.means: np.ndarray | None = None
        self.sumsq = np.zeros(0)
        self.scatter_upper: np.ndarray | None = None  # F-ordered d x d, upper triangle valid
        self.eps = 0.0
        self.min_entry = np.inf
        self._scratch: dict[str, np.ndarray] = {}  # reused batch buffers (not pickled)

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "_scratch"}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._scratch = {}

    def _buffer(self, name: str, rows: int, d: int, dtype) -> np.ndarray:
        """A (rows, d) view of a buffer kept between batches (grown when a batch is larger)."""
        buf = self._scratch.get(name)
        if buf is None or buf.dtype != dtype or buf.shape[1] != d or buf.shape[0] < rows:
            buf = self._scratch[name] = np.empty((rows, d), dtype=dtype)
        return buf[:rows]

    @property
    def N(self) -> int:
        return int(self.counts.sum())

    def update(self, features, labels, *, source=None) -> RunningStatistics:
        raw = raw_matrix(features, "features")
        y = as_labels(labels, raw.shape[0])
        if raw.shape[0] == 0:
            return self
        if self.means is not None and raw.shape[1] != self.means.shape[1]:
            raise InputError(
                f"features: dimension {raw.shape[1]} does not match the accumulated dimension {self.means.shape[1]}",
                parameter="features",
                fix="stream features of one layer",
            )
        classes, inverse, counts = np.unique(y, return_inverse=True, return_counts=True)
        order = np.argsort(inverse, kind="stable")
        Kb, (B, d) = classes.shape[0], raw.shape
        Z = self._buffer("centred", B, d, np.float64)
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        if Kb <= LOOP_CLASSES:
            sums, sumsq, low = self._centre_by_class(raw, order, Z, starts, counts)
            means = sums / counts[:, None]
        else:
            from scipy import sparse

            if raw.dtype == np.float64:
                np.take(raw, order, axis=0, out=Z)
            else:
                np.copyto(Z, np.take(raw, order, axis=0, out=self._buffer("sorted", B, d, raw.dtype)), "same_kind")
            low = float(Z.min())
            onehot = sparse.csr_matrix((np.ones(B), (np.repeat(np.arange(Kb), counts), np.arange(B))), shape=(Kb, B))
            sums = np.asarray(onehot @ Z)
            self._check_finite(sums)
            means = sums / counts[:, None]
            Z -= np.repeat(means, counts, axis=0)
            sumsq = np.add.reduceat(np.einsum("ij,ij->i", Z, Z), starts)
        self._fold(classes, counts, means, sumsq, Z, input_eps(raw, features if source is None else source), low)
        return self

    def _centre_by_class(self, raw, order, Z, starts, counts) -> tuple[np.ndarray, np.ndarray, float]:
        """Class by class, on its slice of Z (a few MiB, cache resident): the gather of its rows, their exact
        float64 widening, the class sum, the centring in place and the sum of squares. Returns (sums, sumsq,
        smallest entry). The sum of squares is numpy's einsum, not ``np.dot``: numpy's BLAS is another
        OpenBLAS than scipy's (whose dsyrk follows), and two pools of spinning threads on the same cores made
        ``threads=None`` 2-3x slower than one thread (measured: 81,000-92,000 against 260,000 features/s)."""
        Kb, d = counts.shape[0], Z.shape[1]
        sums, sumsq, low = np.empty((Kb, d)), np.empty(Kb), np.inf
        rows = None if raw.dtype == np.float64 else self._buffer("rows", int(counts.max()), d, raw.dtype)
        for k, (s, n) in enumerate(zip(starts.tolist(), counts.tolist(), strict=True)):
            zk = Z[s : s + n]
            if rows is None:
                np.take(raw, order[s : s + n], axis=0, out=zk)
            else:
                np.copyto(zk, np.take(raw, order[s : s + n], axis=0, out=rows[:n]), casting="same_kind")
            np.sum(zk, axis=0, out=sums[k])
            if not np.all(np.isfinite(sums[k])):
                self._check_finite(sums[k])
            low = min(low, float(zk.min()))
            zk -= sums[k] / n
            flat = zk.reshape(-1)
            sumsq[k] = np.einsum("i,i->", flat, flat)
        return sums, sumsq, low

    @staticmethod
    def _check_finite(sums: np.ndarray) -> None:
        if not np.all(np.isfinite(sums)):
            raise InputError("features: contains NaN or inf", parameter="features", fix="pass finite features")

    def _grow(self, classes: np.ndarray, d: int) -> np.ndarray:
        """Indices of ``classes`` in the running state, inserting new classes in sorted position."""
        if self.classes is None:
            self.classes = classes.copy()
            self.counts = np.zeros(classes.shape[0], dtype=np.int64)
            self.means, self.sumsq = np.zeros((classes.shape[0], d)), np.zeros(classes.shape[0])
            self.scatter_upper = np.zeros((d, d), order="F")
            return np.arange(classes.shape[0])
        try:
            union = np.union1d(self.classes, classes)
        except TypeError:
            raise InputError(
                "labels: label types differ between batches", parameter="labels", fix="one label type"
            ) from None
        if union.shape[0] != self.classes.shape[0]:
            old = np.searchsorted(union, self.classes)
            counts, means, sumsq = (
                np.zeros(union.shape[0], np.int64),
                np.zeros((union.shape[0], d)),
                np.zeros(union.shape[0]),
            )
            counts[old], means[old], sumsq[old] = self.counts, self.means, self.sumsq
            self.classes, self.counts, self.means, self.sumsq = union, counts, means, sumsq
        return np.searchsorted(self.classes, classes)

    def _fold(self, classes, counts, means, sumsq, Z, eps, low) -> None:
        """Chan et al.'s update of the running state with one batch's statistics (Z: its centred rows)."""
        idx = self._grow(classes, means.shape[1])
        na = self.counts[idx].astype(np.float64)
        n = na + counts
        delta = means - self.means[idx]
        weight = na * counts / n
        self.means[idx] += delta * (counts / n)[:, None]
        self.sumsq[idx] += sumsq + weight * np.einsum("ij,ij->i", delta, delta)
        self.counts[idx] += counts
        self.scatter_upper = _syrk_update(self.scatter_upper, Z)
        shared = weight > 0
        if np.any(shared):
            scaled = delta[shared] * np.sqrt(weight[shared])[:, None]
            self.scatter_upper = _syrk_update(self.scatter_upper, scaled)
        self.eps = max(self.eps, eps)
        self.min_entry = min(self.min_entry, low)

    @classmethod
    def from_statistics(cls, stats) -> RunningStatistics:
        out = cls()
        out.classes, out.counts = stats.classes.copy(), stats.counts.copy()
        out.means, out.sumsq = stats.means.copy(), stats.sumsq.copy()
        out.scatter_upper = np.asfortranarray(stats.scatter)
        out.eps, out.min_entry = stats.eps, stats.min_entry
        return out

    def scatter(self) -> np.ndarray:
        """The full symmetric d x d scatter from its upper triangle."""
        U = np.triu(self.scatter_upper)
        return U + np.triu(U, 1).T

    def fields(self) -> dict:
        """The fields of a :class:`verify.metrics.ClassStatistics` (copies; the scatter symmetrised)."""
        if self.classes is None:
            raise InputError("no samples accumulated", parameter="features", fix="call update first")
        return dict(
            classes=self.classes.copy(),
            counts=self.counts.copy(),
            means=self.means.copy(),
            sumsq=self.sumsq.copy(),
            scatter=self.scatter(),
            eps=self.eps,
            min_entry=self.min_entry,
        )
