"""One-pass, mergeable accumulation of the NC statistics: 10^6 features in O(K d + d^2) memory.

:class:`CollapseStats` takes batches (features, labels[, logits]) as numpy arrays or torch tensors on any
device. Each batch is reduced to its own :class:`~verify.metrics.statistics.ClassStatistics` (float64,
two-pass within the batch) and folded in with the pairwise update of Chan, Golub & LeVeque (1979); two
accumulators built on different workers merge the same way, so any batch order and any merge tree gives the
statistics of the whole data set (to float64 rounding). Memory: the accumulator holds K counts, K x d means,
K sums of squares and the d x d scatter; a batch needs O(B d) scratch.

NC4 compares each sample with the *final* class means, which one pass cannot know: run a second pass with
:meth:`CollapseStats.agreement` (integer tallies, mergeable too). Logits given to :meth:`CollapseStats.update`
count the network's accuracy (their argmax against the label) in the first pass.
"""

from __future__ import annotations

import numpy as np

from verify.base.errors import InputError
from verify.metrics.accumulate import RunningStatistics
from verify.metrics.arrays import as_float64, as_labels, as_matrix, blas_threads, is_torch, raw_matrix, to_numpy
from verify.metrics.conventions import Conventions
from verify.metrics.report import (
    agreement_tallies,
    align_classifier,
    report_from_statistics,
    tallies_to_report,
)
from verify.metrics.statistics import ClassStatistics
from verify.metrics.tiles import DEFAULT_TILE


class CollapseStats:
    """Streaming accumulator. ``update`` folds a batch in place (and returns self); ``merge`` returns a *new*
    accumulator holding both, leaving its operands unchanged; ``report`` gives :func:`collapse_report`'s keys.

    Logits passed to ``update`` give the ``accuracy`` key; their columns are the classes in sorted label
    order (or pass ``classes=`` to ``report``).
    """

    def __init__(self, *, threads: int | None = 1, backend: str | None = None) -> None:
        self.threads = threads
        with blas_threads(threads):  # validates; builds the thread controller now, not in the first update
            pass
        if backend not in (None, "numpy", "torch"):
            raise InputError(f"backend = {backend!r}", parameter="backend", fix="None (auto), 'numpy' or 'torch'")
        self.backend = backend
        self._running = None  # RunningStatistics (numpy) or TorchRunningStatistics (on the tensors' device)
        self._stats: ClassStatistics | None = None  # cache of the host statistics
        self._logit_hits: dict[tuple, int] = {}  # (label, argmax column) -> count
        self._logit_n = 0

    @property
    def stats(self) -> ClassStatistics | None:
        """The accumulated statistics on the host (one device-to-host copy of O(K d + d^2) numbers)."""
        if self._stats is None and self._running is not None:
            self._stats = ClassStatistics(**self._running.fields())
        return self._stats

    @stats.setter
    def stats(self, value: ClassStatistics | None) -> None:
        self._stats = value
        self._running = None if value is None else RunningStatistics.from_statistics(value)

    @property
    def N(self) -> int:
        return 0 if self._running is None else self._running.N

    def _uses_torch(self, features) -> bool:
        if self.backend == "numpy" or not is_torch(features):
            return False
        return self.backend == "torch" or str(features.device) != "cpu"  # CPU tensors: numpy views, zero-copy

    def update(self, features, labels, logits=None) -> CollapseStats:
        """Fold a batch in: numpy arrays and CPU tensors on the host (zero-copy), tensors on another device
        (or every tensor with ``backend="torch"``) on their own device, in float64."""
        if self._uses_torch(features):
            from verify.metrics.torch_backend import TorchRunningStatistics

            if self._running is None:
                self._running = TorchRunningStatistics()
            elif not isinstance(self._running, TorchRunningStatistics):
                raise InputError(
                    "features: a torch device batch after host batches", parameter="features", fix="one backend"
                )
            n = self._running.update(features, labels)
            self._stats = None
            if logits is not None:
                self._count_logits(n, labels, logits)
            return self
        H = raw_matrix(features, "features")
        if H.shape[0] == 0:
            return self
        with blas_threads(self.threads):
            if self._running is None:
                self._running = RunningStatistics()
            elif not isinstance(self._running, RunningStatistics):
                raise InputError("features: host batches after device batches", parameter="features", fix="one backend")
            self._running.update(H, labels, source=features)  # the original: a bfloat16 tensor's eps
            self._stats = None
        if logits is not None:
            self._count_logits(H.shape[0], labels, logits)
        return self

    def _count_logits(self, n: int, labels, logits) -> None:
        """Tally (label, argmax column) pairs of a batch (host integers; the logits are K per sample)."""
        y = as_labels(labels, n)
        if is_torch(logits) and logits.ndim == 2 and logits.shape[0] == n:
            top = to_numpy(logits.detach().argmax(dim=1))  # on the device: B integers come to the host
        else:
            top = np.argmax(as_matrix(logits, "logits", rows=n)[0], axis=1)
        classes = np.unique(y)
        pairs, counts = np.unique(np.stack([np.searchsorted(classes, y), top]), axis=1, return_counts=True)
        for (ci, col), c in zip(pairs.T, counts, strict=True):
            key = (classes[ci].item(), int(col))
            self._logit_hits[key] = self._logit_hits.get(key, 0) + int(c)
        self._logit_n += n

    def merge(self, other: CollapseStats) -> CollapseStats:
        """A new accumulator holding both (host statistics, Chan et al.'s update); operands unchanged."""
        out = CollapseStats(threads=self.threads, backend=self.backend)
        if self.stats is None or other.stats is None:
            out.stats = self.stats if other.stats is None else other.stats
        else:
            with blas_threads(self.threads):
                out.stats = self.stats.merge(other.stats)
        out._logit_hits = dict(self._logit_hits)
        for k, v in other._logit_hits.items():
            out._logit_hits[k] = out._logit_hits.get(k, 0) + v
        out._logit_n = self._logit_n + other._logit_n
        return out

    def _require(self) -> ClassStatistics:
        if self.stats is None:
            raise InputError("CollapseStats: no samples accumulated", parameter="features", fix="call update first")
        return self.stats

    def agreement(self, W=None, b=None, *, classes=None) -> AgreementPass:
        """A second-pass counter for NC4 against the accumulated (final) class means."""
        return AgreementPass(self._require(), W, b, classes, threads=self.threads)

    def report(
        self,
        W=None,
        b=None,
        *,
        classes=None,
        minority=None,
        agreement: AgreementPass | None = None,
        conventions: Conventions | None = None,
        tile: int = DEFAULT_TILE,
        ood_mean=None,
        **switches,
    ) -> dict:
        """:func:`collapse_report`'s keys from the accumulated statistics; K x K quantities in ``tile`` x
        ``tile`` blocks."""
        stats = self._require()
        with blas_threads(self.threads):
            out = report_from_statistics(
                stats,
                W,
                b,
                classes=classes,
                minority=minority,
                conventions=conventions,
                tile=tile,
                ood_mean=ood_mean,
                **switches,
            )
        if self._logit_n:
            cols = stats.classes if classes is None else as_labels(classes, len(classes))
            hits = sum(c for (lab, col), c in self._logit_hits.items() if col < len(cols) and cols[col] == lab)
            out["accuracy"] = hits / self._logit_n
        if agreement is not None:
            if agreement.means is not stats.means and not np.array_equal(agreement.means, stats.means):
                raise InputError(
                    "agreement: counted against other class means", parameter="agreement", fix="use stats.agreement()"
                )
            first_pass_accuracy = out["accuracy"] if self._logit_n else None
            out.update(agreement.report())
            if first_pass_accuracy is not None:
                out["accuracy"] = first_pass_accuracy
        return out


class AgreementPass:
    """NC4 tallies of a second pass over the data against fixed class means; ``merge`` adds tallies."""

    def __init__(self, stats: ClassStatistics, W, b, classes, *, threads: int | None = 1) -> None:
        self._threads = threads
        self.means = stats.means
        self.classes = stats.classes
        self._stats = stats
        self._classes_arg = classes
        self.W, self.b = align_classifier(stats, W, b, classes)
        self.tally: dict[str, int] = {"n": 0}
        self._has_logits = False

    def update(self, features, labels, logits=None) -> AgreementPass:
        H = as_float64(raw_matrix(features, "features", cols=self._stats.d), "features")
        y = as_labels(labels, H.shape[0])
        L = None if logits is None else as_matrix(logits, "logits", rows=H.shape[0], cols=self._stats.K)[0]
        if self.tally["n"] and (L is not None) != self._has_logits:
            raise InputError("logits: given for some batches only", parameter="logits", fix="give them for all or none")
        self._has_logits = L is not None
        with blas_threads(self._threads):
            t = agreement_tallies(self.means, self.classes, H, y, self.W, self.b, L, self._classes_arg)
        for k, v in t.items():
            self.tally[k] = self.tally.get(k, 0) + v
        return self

    def merge(self, other: AgreementPass) -> AgreementPass:
        if not np.array_equal(self.means, other.means):
            raise InputError("agreement: passes against different means", parameter="agreement", fix="one stats")
        out = AgreementPass.__new__(AgreementPass)
        out.__dict__.update(self.__dict__)
        out.tally = {k: self.tally.get(k, 0) + other.tally.get(k, 0) for k in set(self.tally) | set(other.tally)}
        return out

    def report(self) -> dict:
        if self.tally["n"] == 0:
            raise InputError("agreement: no samples counted", parameter="agreement", fix="call update first")
        return tallies_to_report(self.tally, self.W is not None, self._has_logits)
