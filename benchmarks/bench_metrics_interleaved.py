"""Benchmark: one float32 batch at a time, ours against rhubarbwu/neural-collapse, interleaved in one process.

On a shared machine separate processes see different loads; here every batch is given in turn to
``CollapseStats.update`` (one BLAS thread), to the anchor's ``MeanAccumulator`` and ``CovarAccumulator``
(one torch thread; its two passes on the same batch, as ``bench_metrics.py`` times them) and to the float64
floor (widen, ``X.T @ X``: OpenBLAS ``dsyrk``), each timed in CPU seconds (``time.process_time``); medians
over the batches (the first two dropped). ``--parts`` times the pieces of the per-batch work (and the
alternatives that docs/metrics.md lists) on one batch. The anchor is read from a snapshot at run time, never
installed. Set ``OPENBLAS_CORETYPE`` in the environment to compare OpenBLAS kernels.

    python benchmarks/bench_metrics_interleaved.py [--batches 24] [--parts]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from bench_metrics import ANCHOR, _anchor_module  # noqa: E402


def _cpu(f, rep: int = 15) -> float:
    f()
    times = []
    for _ in range(rep):
        t0 = time.process_time()
        f()
        times.append(time.process_time() - t0)
    return statistics.median(times)


def parts(X: np.ndarray, y: np.ndarray) -> None:
    from scipy.linalg.blas import dsyrk
    from threadpoolctl import threadpool_limits

    B, d = X.shape
    classes, inv, counts = np.unique(y, return_inverse=True, return_counts=True)
    order = np.argsort(inv, kind="stable")
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).tolist()
    spans = list(zip(starts, counts.tolist(), strict=True))
    Xs, Z, S = np.take(X, order, axis=0), np.empty((B, d)), np.zeros((d, d), order="F")
    means = np.stack([Xs[s : s + n].mean(axis=0, dtype=np.float64) for s, n in spans])
    onehot = np.zeros((len(classes), B))
    onehot[inv, np.arange(B)] = 1
    Zu = X.astype(np.float64)
    cases = {
        "gather (sort by class)": lambda: np.take(X, order, axis=0, out=Xs),
        "widen to float64": lambda: np.copyto(Z, Xs),
        "class sums, float64 slices": lambda: [Z[s : s + n].sum(axis=0) for s, n in spans],
        "class sums, float32 slices": lambda: [Xs[s : s + n].sum(axis=0, dtype=np.float64) for s, n in spans],
        "centring in place": lambda: [
            np.subtract(Z[s : s + n], means[k], out=Z[s : s + n]) for k, (s, n) in enumerate(spans)
        ],
        "fused widen-and-centre": lambda: [
            np.subtract(Xs[s : s + n], means[k], out=Z[s : s + n], dtype=np.float64) for k, (s, n) in enumerate(spans)
        ],
        "sums of squares, ddot": lambda: [np.dot(Z[s : s + n].ravel(), Z[s : s + n].ravel()) for s, n in spans],
        "sums of squares, einsum": lambda: np.add.reduceat(np.einsum("ij,ij->i", Z, Z), starts),
        "class sums, one-hot dgemm": lambda: onehot @ Zu,
        "class sums, reduceat axis 0": lambda: np.add.reduceat(Z, starts, axis=0),
        "centring by gather Z - means[y]": lambda: np.subtract(Zu, means[inv], out=Zu),
        "dsyrk (scipy, in place)": lambda: dsyrk(1.0, Z.T, beta=1.0, c=S, trans=0, lower=0, overwrite_c=1),
        "X.T @ X (numpy: dsyrk)": lambda: Z.T @ Z,
        "X.T @ Y (numpy: dgemm)": lambda: Z.T @ Zu,
    }
    with threadpool_limits(1):
        for name, f in cases.items():
            print(f"{name:<34} {_cpu(f) * 1e3:8.2f} ms")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batches", type=int, default=24)
    ap.add_argument("--batch", type=int, default=8192)
    ap.add_argument("--d", type=int, default=512)
    ap.add_argument("--K", type=int, default=10)
    ap.add_argument("--anchor", default=ANCHOR)
    ap.add_argument("--parts", action="store_true")
    args = ap.parse_args(argv)
    import torch

    from verify.metrics import CollapseStats
    from verify.metrics.arrays import blas_threads

    torch.set_num_threads(1)
    d, K, B = args.d, args.K, args.batch
    rng = np.random.default_rng(0)
    centres = (rng.normal(size=(K, d)) * 2).astype(np.float32)
    batches = []
    for _ in range(8):
        y = rng.integers(0, K, size=B)
        batches.append((centres[y] + rng.standard_normal((B, d), dtype=np.float32), y))
    if args.parts:
        parts(*batches[0])
        return
    MeanAccumulator, CovarAccumulator = _anchor_module(args.anchor, tempfile.mkdtemp())
    mean_acc, M = MeanAccumulator(K, d, "cpu"), torch.from_numpy(centres.copy())
    covar_acc = CovarAccumulator(K, d, "cpu", M=M)
    ours, S = CollapseStats(threads=1), np.zeros((d, d))
    times: dict[str, list[float]] = {"ours": [], "anchor": [], "floor": []}
    for i in range(args.batches):
        H, y = batches[i % len(batches)]
        Ht, yt = torch.from_numpy(H), torch.from_numpy(y)
        t0 = time.process_time()
        ours.update(H, y)
        t1 = time.process_time()
        mean_acc.accumulate(Ht, yt)
        covar_acc.accumulate(Ht, yt, M)
        t2 = time.process_time()
        with blas_threads(1):
            X = H.astype(np.float64)
            S += X.T @ X
        t3 = time.process_time()
        for key, dt in zip(times, (t1 - t0, t2 - t1, t3 - t2), strict=True):
            times[key].append(dt)
    med = {k: statistics.median(v[2:]) for k, v in times.items()}
    print("  ".join(f"{k}: {B / v:,.0f} rows per CPU-s ({v * 1e3:.1f} ms)" for k, v in med.items()))
    print(f"ours / anchor {med['anchor'] / med['ours']:.2f}x; floor / anchor {med['anchor'] / med['floor']:.2f}x")


if __name__ == "__main__":
    main()
