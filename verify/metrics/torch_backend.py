"""Running NC statistics of torch tensors on their own device (CUDA, MPS, CPU), in float64.

The same algorithm as :mod:`verify.metrics.accumulate` (two passes within a batch, Chan, Golub & LeVeque's
update across batches), written with torch operations so that a GPU batch never leaves the GPU: per batch
only the distinct labels of the batch (at most K numbers) come to the host. The state (K counts, K x d means,
K sums of squares, the d x d scatter) lives on the device; :meth:`fields` copies it to the host once,
for the report. torch is never imported: it is the module of the tensors passed in (``loaded_torch``).

GPU cost: per batch of B rows, one float64 GEMM of B d^2 multiply-adds (Z^T Z) and O(B d + K d) more; float64
runs at 1/2 (H100: ~50 TFLOP/s) to 1/64 (consumer cards) of the float32 rate. Memory: K d + d^2 float64
numbers of state plus a float64 copy of the batch.
"""

from __future__ import annotations

import numpy as np

from verify.base.errors import InputError
from verify.metrics.arrays import BFLOAT16_EPS, loaded_torch


def _torch():
    """torch, loaded by the caller (a tensor was passed): never imported here (verify.metrics.arrays.loaded_torch)."""
    return loaded_torch()


class TorchRunningStatistics:
    """Counts, means, sums of squares and scatter of the batches seen so far, as float64 tensors on the
    device of the first batch."""

    def __init__(self) -> None:
        self.classes: np.ndarray | None = None  # host, sorted label values
        self.counts = None  # (K,) float64 tensor (exact integers below 2^53)
        self.means = None
        self.sumsq = None
        self.scatter = None
        self.eps = 0.0
        self.min_entry = None  # 0-d tensor on the device
        self.device = None

    @property
    def N(self) -> int:
        return 0 if self.counts is None else int(round(float(self.counts.sum())))

    def update(self, features, labels) -> int:
        torch = _torch()
        X = features.detach()
        if X.ndim != 2:
            raise InputError(f"features: shape {tuple(X.shape)} is not 2-D", parameter="features", fix="(rows, dim)")
        if self.device is None:
            self.device = X.device
        elif X.device != self.device:
            raise InputError(
                f"features: device {X.device} after batches on {self.device}", parameter="features", fix="one device"
            )
        try:
            y = labels.detach() if type(labels).__module__.startswith("torch") else torch.as_tensor(np.asarray(labels))
        except (TypeError, RuntimeError):
            raise InputError(
                "labels: not integers (the device path needs integer labels)", parameter="labels", fix="backend='numpy'"
            ) from None
        y = y.reshape(-1).to(self.device)
        B, d = X.shape
        if y.shape[0] != B:
            raise InputError(f"labels: {y.shape[0]} labels for {B} feature rows", parameter="labels", fix="one a row")
        if B == 0:
            return 0
        if y.is_floating_point():
            if not bool(torch.all(y == torch.round(y))):
                raise InputError("labels: non-integer float labels", parameter="labels", fix="integer class labels")
            y = y.to(torch.int64)
        eps = BFLOAT16_EPS if X.dtype == torch.bfloat16 else _eps(torch, X.dtype)
        X64 = X.to(torch.float64)
        classes_t, inverse, counts_i = torch.unique(y, return_inverse=True, return_counts=True)
        counts = counts_i.to(torch.float64)
        Kb = classes_t.shape[0]
        sums = torch.zeros((Kb, d), dtype=torch.float64, device=self.device).index_add_(0, inverse, X64)
        if not bool(torch.isfinite(sums).all()):
            raise InputError("features: contains NaN or inf", parameter="features", fix="pass finite features")
        means = sums / counts[:, None]
        Z = X64 - means[inverse]
        rowsq = (Z * Z).sum(dim=1)
        sumsq = torch.zeros(Kb, dtype=torch.float64, device=self.device).index_add_(0, inverse, rowsq)
        low = X64.min()
        self._fold(classes_t.cpu().numpy(), counts, means, sumsq, Z.mT @ Z, eps, low)
        return B

    def _fold(self, classes, counts, means, sumsq, scatter, eps, low) -> None:
        torch = _torch()
        d = means.shape[1]
        if self.classes is None:
            self.classes = classes
            z = lambda *shape: torch.zeros(shape, dtype=torch.float64, device=self.device)  # noqa: E731
            self.counts, self.means, self.sumsq, self.scatter = (
                z(len(classes)),
                z(len(classes), d),
                z(len(classes)),
                z(d, d),
            )
            self.min_entry = low
        union = np.union1d(self.classes, classes)
        if union.shape[0] != self.classes.shape[0]:
            old = torch.as_tensor(np.searchsorted(union, self.classes), device=self.device)
            K = union.shape[0]
            counts_, means_, sumsq_ = (
                torch.zeros(s, dtype=torch.float64, device=self.device) for s in ((K,), (K, d), (K,))
            )
            counts_[old], means_[old], sumsq_[old] = self.counts, self.means, self.sumsq
            self.classes, self.counts, self.means, self.sumsq = union, counts_, means_, sumsq_
        idx = torch.as_tensor(np.searchsorted(self.classes, classes), device=self.device)
        na = self.counts[idx]
        n = na + counts
        delta = means - self.means[idx]
        weight = na * counts / n
        self.means[idx] += delta * (counts / n)[:, None]
        self.sumsq[idx] += sumsq + weight * (delta * delta).sum(dim=1)
        self.counts[idx] = n
        scaled = delta * weight.sqrt()[:, None]
        self.scatter += scatter + scaled.mT @ scaled
        self.eps = max(self.eps, eps)
        self.min_entry = torch.minimum(self.min_entry, low)

    def fields(self) -> dict:
        """The fields of the host :class:`verify.metrics.ClassStatistics` (one copy of the state)."""
        if self.classes is None:
            raise InputError("no samples accumulated", parameter="features", fix="call update first")
        S = self.scatter.cpu().numpy()
        return dict(
            classes=self.classes.copy(),
            counts=np.rint(self.counts.cpu().numpy()).astype(np.int64),
            means=self.means.cpu().numpy().copy(),
            sumsq=self.sumsq.cpu().numpy().copy(),
            scatter=(S + S.T) / 2,
            eps=self.eps,
            min_entry=float(self.min_entry),
        )


def _eps(torch, dtype) -> float:
    if dtype.is_floating_point:
        return float(torch.finfo(dtype).eps)
    return float(np.finfo(np.float64).eps)
