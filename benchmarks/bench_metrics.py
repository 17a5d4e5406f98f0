"""Benchmark: streaming NC statistics (numpy and torch CPU batches) against the all-in-memory computation.

N features of dimension d in K classes (float32, as a network produces them; defaults N = 10^6, d = 512,
K = 10), generated batch by batch from a fixed seed. Each mode runs in a fresh subprocess so that its peak
resident memory (``resource.getrusage(...).ru_maxrss``) is its own; the figure printed beside it is that
peak minus the resident memory just before the work starts (interpreter, imports, class means).

- ``numpy``:     CollapseStats.update on numpy float32 batches, then report(W, b) (NC1-NC3, one pass)
- ``torch``:     the same with torch CPU tensors (converted by .detach().cpu(), never imported by the core)
- ``in-memory``: all N x d features in one array, then collapse_report(H, y, W, b) (includes NC4)
- ``nc4-pass``:  the second streaming pass for NC4 (numpy batches), after the first
- ``kernel``:    the floor of any float64 scatter accumulation: each batch widened to float64 and X^T X added,
                 nothing else (no class means, no merge) -- the BLAS ceiling the other figures compare with

Features per second count only the metric computation, not the generation of the batches. A script, not a
test; ``--repeat 3`` prints the median of three runs of each mode:

    python benchmarks/bench_metrics.py [--N 1000000] [--d 512] [--K 10] [--batch 8192] [--repeat 3] [--threads 1]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

import numpy as np

MODES = ("kernel", "numpy", "torch", "in-memory", "nc4-pass")


def _rss_mib() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _batches(N: int, d: int, K: int, batch: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    means = (rng.normal(size=(K, d)) * 2).astype(np.float32)
    for start in range(0, N, batch):
        n = min(batch, N - start)
        y = rng.integers(0, K, size=n)
        yield means[y] + rng.standard_normal(size=(n, d), dtype=np.float32), y


def run_mode(mode: str, N: int, d: int, K: int, batch: int, threads: int | None) -> dict:
    from verify.metrics import CollapseStats, collapse_report

    rng = np.random.default_rng(1)
    W, b = rng.normal(size=(K, d)), rng.normal(size=K)
    if mode == "torch":
        import torch

        torch.set_num_threads(torch.get_num_threads())
    base = _rss_mib()
    seconds = 0.0
    if mode == "kernel":
        from verify.metrics.arrays import blas_threads

        S = np.zeros((d, d))
        with blas_threads(threads):
            for Hb, _ in _batches(N, d, K, batch):
                t0 = time.perf_counter()
                X = Hb.astype(np.float64)
                S += X.T @ X
                seconds += time.perf_counter() - t0
        report = {"nc1": float("nan"), "nc4_agreement": "-"}
    elif mode == "in-memory":
        H, y = np.empty((N, d), dtype=np.float32), np.empty(N, dtype=np.int64)
        for i, (Hb, yb) in enumerate(_batches(N, d, K, batch)):
            H[i * batch : i * batch + len(yb)], y[i * batch : i * batch + len(yb)] = Hb, yb
        t0 = time.perf_counter()
        report = collapse_report(H, y, W, b, threads=threads)
        seconds = time.perf_counter() - t0
    else:
        acc = CollapseStats(threads=threads)
        for Hb, yb in _batches(N, d, K, batch):
            if mode == "torch":
                Hb, yb = torch.from_numpy(Hb), torch.from_numpy(yb)
            t0 = time.perf_counter()
            acc.update(Hb, yb)
            seconds += time.perf_counter() - t0
        if mode == "nc4-pass":
            second, seconds = acc.agreement(W, b), 0.0
            for Hb, yb in _batches(N, d, K, batch):
                t0 = time.perf_counter()
                second.update(Hb, yb)
                seconds += time.perf_counter() - t0
            t0 = time.perf_counter()
            report = acc.report(W, b, agreement=second)
        else:
            t0 = time.perf_counter()
            report = acc.report(W, b)
        seconds += time.perf_counter() - t0
    return {
        "mode": mode,
        "seconds": seconds,
        "features_per_s": N / seconds,
        "peak_rss_mib": _peak_mib(),
        "peak_above_start_mib": _peak_mib() - base,
        "nc1": report["nc1"],
        "nc4": str(report["nc4_agreement"]),
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--N", type=int, default=1_000_000)
    ap.add_argument("--d", type=int, default=512)
    ap.add_argument("--K", type=int, default=10)
    ap.add_argument("--batch", type=int, default=8192)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--threads", type=int, default=1, help="BLAS threads (0: the library default, all cores)")
    ap.add_argument("--modes", default=",".join(MODES))
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(run_mode(args.child, args.N, args.d, args.K, args.batch, args.threads or None)))
        return
    with open("/proc/loadavg") as f:
        load = f.read().split()[0]
    print(
        f"N = {args.N}, d = {args.d}, K = {args.K}, batch = {args.batch}, float32 features, BLAS threads "
        f"{args.threads or 'all'}, median of {args.repeat}; load average {load} on {os.cpu_count()} CPUs"
    )
    print(f"{'mode':<10} {'features/s':>12} {'seconds':>9} {'peak RSS MiB':>13} {'above start':>12}  nc1")
    nc1 = {}
    for mode in args.modes.split(","):
        runs = []
        for _ in range(args.repeat):
            cmd = [sys.executable, __file__, "--child", mode] + [
                f"--{k}={getattr(args, k)}" for k in ("N", "d", "K", "batch")
            ]
            runs.append(json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout))
        med = {
            k: statistics.median(r[k] for r in runs)
            for k in ("seconds", "features_per_s", "peak_rss_mib", "peak_above_start_mib")
        }
        nc1[mode] = runs[0]["nc1"]
        print(
            f"{mode:<10} {med['features_per_s']:>12,.0f} {med['seconds']:>9.2f} {med['peak_rss_mib']:>13,.0f}"
            f" {med['peak_above_start_mib']:>12,.0f}  {runs[0]['nc1']:.15g}  (runs: "
            + ", ".join(f"{r['features_per_s']:,.0f}/s" for r in runs)
            + ")"
        )
    values = [v for v in nc1.values() if v == v]  # the kernel computes no NC1
    spread = max(values) - min(values)
    print(f"largest difference of NC1 between modes: {spread:.2e} (relative {spread / abs(values[0]):.2e})")


if __name__ == "__main__":
    main()
