"""Collapse statistics across processes: torch.distributed ranks (DDP) and Dask arrays or bags of shards.

**torch.distributed** (:func:`all_reduce_stats`): every rank holds the statistics of its own shard; two
all-reduces (sums) give every rank the statistics of the union, exactly in arithmetic. With n_k^r, mu_k^r,
t_k^r, S^r the counts, means, within-class sums of squares and scatter of rank r, and mu_k = sum_r n_k^r
mu_k^r / n_k the global class means (first all-reduce: the K (d + 1) numbers n_k^r, n_k^r mu_k^r),

    S_W = sum_r [ S^r + sum_k n_k^r (mu_k^r - mu_k)(mu_k^r - mu_k)^T ],
    t_k = sum_r [ t_k^r + n_k^r ||mu_k^r - mu_k||^2 ]

(the parallel-axis theorem about the exact global mean: every term is positive semidefinite, no
cancellation; second all-reduce: d^2 + K numbers). Before them one ``all_gather_object`` brings every rank's
label set, dimension, dtype epsilon, smallest entry and logit tallies (O(K) small objects), so ranks may see
different classes. Traffic per rank: O(K d + d^2) float64 numbers, independent of the number of samples.

**Dask** (:func:`stats_from_dask`, :func:`stats_from_bag`): each block or partition is reduced to its
:class:`~verify.metrics.ClassStatistics` where it lives, and the pieces are merged in a tree by Chan, Golub &
LeVeque's update; only O(K d + d^2) numbers per block travel.
"""

from __future__ import annotations

import numpy as np

from verify.base.errors import InputError
from verify.metrics.arrays import loaded_torch
from verify.metrics.statistics import ClassStatistics
from verify.metrics.streaming import CollapseStats


def _aligned(stats: ClassStatistics | None, classes: np.ndarray, d: int):
    K = classes.shape[0]
    n, mu, t = np.zeros(K), np.zeros((K, d)), np.zeros(K)
    if stats is not None:
        idx = np.searchsorted(classes, stats.classes)
        n[idx], mu[idx], t[idx] = stats.counts, stats.means, stats.sumsq
    return n, mu, t


def all_reduce_stats(stats: CollapseStats, group=None, device=None) -> CollapseStats:
    """A new CollapseStats holding the statistics of every rank of ``group`` (the same on each rank). The
    tensors travel on ``device`` (default: CUDA for an NCCL group, else the CPU). Logit tallies are summed."""
    torch = loaded_torch()  # never imported here: a process group exists only where torch is loaded
    dist = None if torch is None else torch.distributed
    if dist is None or not dist.is_available() or not dist.is_initialized():
        raise InputError("torch.distributed is not initialised", parameter="group", fix="call init_process_group first")
    if device is None:
        device = torch.device("cuda", torch.cuda.current_device()) if dist.get_backend(group) == "nccl" else "cpu"
    local = stats.stats
    info = [None] * dist.get_world_size(group)
    mine = None if local is None else (local.classes, local.d, local.eps, local.min_entry)
    dist.all_gather_object(info, (mine, stats._logit_hits, stats._logit_n), group=group)
    shapes = [i[0] for i in info if i[0] is not None]
    if not shapes:
        raise InputError("no rank accumulated samples", parameter="stats", fix="call update on some rank")
    if len({s[1] for s in shapes}) != 1:
        raise InputError("features: ranks accumulated different dimensions", parameter="features", fix="one layer")
    classes = np.unique(np.concatenate([s[0] for s in shapes]))
    d = shapes[0][1]
    n, mu, t = _aligned(local, classes, d)
    as_t = lambda a: torch.as_tensor(np.ascontiguousarray(a), dtype=torch.float64, device=device)  # noqa: E731

    first = as_t(np.hstack([n[:, None], n[:, None] * mu]))
    dist.all_reduce(first, group=group)
    first = first.cpu().numpy()
    N = first[:, 0]
    mean = first[:, 1:] / N[:, None]
    delta = mu - mean
    delta[n == 0] = 0.0
    scaled = delta * np.sqrt(n)[:, None]
    S = (np.zeros((d, d)) if local is None else local.scatter) + scaled.T @ scaled
    second = as_t(np.concatenate([S.ravel(), t + n * np.einsum("ij,ij->i", delta, delta)]))
    dist.all_reduce(second, group=group)
    second = second.cpu().numpy()
    out = CollapseStats(threads=stats.threads)
    out.stats = ClassStatistics(
        classes=classes,
        counts=np.rint(N).astype(np.int64),
        means=mean,
        sumsq=second[d * d :],
        scatter=second[: d * d].reshape(d, d),
        eps=max(s[2] for s in shapes),
        min_entry=min(s[3] for s in shapes),
    )
    for _, hits, n_logits in info:
        for key, c in hits.items():
            out._logit_hits[key] = out._logit_hits.get(key, 0) + c
        out._logit_n += n_logits
    return out


def _block(features, labels) -> ClassStatistics | None:
    return None if len(features) == 0 else ClassStatistics.from_arrays(features, labels)


def _merge(a: ClassStatistics | None, b: ClassStatistics | None) -> ClassStatistics | None:
    return a if b is None else (b if a is None else a.merge(b))


def _result(stats: ClassStatistics | None) -> CollapseStats:
    if stats is None:
        raise InputError("no samples in the shards", parameter="features", fix="pass non-empty shards")
    out = CollapseStats()
    out.stats = stats
    return out


def stats_from_dask(features, labels, *, fan_in: int = 8) -> CollapseStats:
    """CollapseStats of a Dask array of features (N, d), row chunks only, and labels (N,): one
    ClassStatistics per block, merged in a tree of ``fan_in``, computed on the current scheduler or client."""
    import dask
    import dask.array as da

    if features.ndim != 2 or features.numblocks[1] != 1:
        raise InputError("features: chunked along the columns", parameter="features", fix="features.rechunk({1: -1})")
    labels = da.asarray(labels).rechunk((features.chunks[0],))
    level = [
        dask.delayed(_block)(x, y)
        for x, y in zip(features.to_delayed().ravel(), labels.to_delayed().ravel(), strict=True)
    ]
    while len(level) > 1:
        level = [dask.delayed(_merge_many)(level[i : i + fan_in]) for i in range(0, len(level), fan_in)]
    return _result(level[0].compute())


def _merge_many(parts):
    out = None
    for p in parts:
        out = _merge(out, p)
    return out


def stats_from_bag(bag) -> CollapseStats:
    """CollapseStats of a Dask bag whose elements are (features, labels) shards."""

    def per_partition(shards):
        out = None
        for H, y in shards:
            out = _merge(out, _block(H, y))
        return out

    return _result(bag.reduction(per_partition, _merge_many).compute())
