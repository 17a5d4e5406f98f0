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
from verify.metrics.arrays import as_float64, as_labels, as_matrix, blas_threads, raw_matrix
from verify.metrics.conventions import Conventions
from verify.metrics.report import (
    agreement_tallies,
    align_classifier,
    report_from_statistics,
    tallies_to_report,
)
from verify.metrics.statistics import ClassStatistics


class CollapseStats:
    """Streaming accumulator. ``update`` folds a batch in place (and returns self); ``merge`` returns a *new*
    accumulator holding both, leaving its operands unchanged; ``report`` gives :func:`collapse_report`'s keys.

    Logits passed to ``update`` give the ``accuracy`` key; their columns are the classes in sorted label
    order (or pass ``classes=`` to ``report``).
    """

    def __init__(self, *, threads: int | None = 1) -> None:
        self.threads = threads
        blas_threads(threads)  # validates
        self.stats: ClassStatistics | None = None
        self._logit_hits: dict[tuple, int] = {}  # (label, argmax column) -> count
        self._logit_n = 0

    @property
    def N(self) -> int:
        return 0 if self.stats is None else self.stats.N

    def update(self, features, labels, logits=None) -> CollapseStats:
        H = raw_matrix(features, "features")
        if H.shape[0] == 0:
            return self
        with blas_threads(self.threads):
            batch = ClassStatistics.from_arrays(features, labels)  # the original: a bfloat16 tensor's eps
            self.stats = batch if self.stats is None else self.stats.merge(batch)
        if logits is not None:
            y = as_labels(labels, H.shape[0])
            L, _ = as_matrix(logits, "logits", rows=H.shape[0])
            pairs, counts = np.unique(
                np.stack([np.searchsorted(batch.classes, y), np.argmax(L, axis=1)]), axis=1, return_counts=True
            )
            for (ci, col), c in zip(pairs.T, counts, strict=True):
                key = (batch.classes[ci].item(), int(col))
                self._logit_hits[key] = self._logit_hits.get(key, 0) + int(c)
            self._logit_n += H.shape[0]
        return self

    def merge(self, other: CollapseStats) -> CollapseStats:
        out = CollapseStats(threads=self.threads)
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
        **switches,
    ) -> dict:
        stats = self._require()
        with blas_threads(self.threads):
            out = report_from_statistics(
                stats, W, b, classes=classes, minority=minority, conventions=conventions, **switches
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
