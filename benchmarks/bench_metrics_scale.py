"""Benchmark: the report step (every NC1-NC3 metric from accumulated statistics) as the number of classes K grows.

Statistics of K classes in d dimensions are built directly (random class means, a random positive definite
within-class scatter, random classifier rows and bias), then ``report_from_statistics(stats, W, b, tile=T)``
runs in a fresh subprocess per (K, tile) with one BLAS thread; printed: wall and CPU seconds (on a shared
machine the CPU seconds are the cost), the peak of numpy's traced
allocations during the report (``tracemalloc``), and the peak resident memory above the resident memory
before the report (``ru_maxrss``). ``--tile 0`` runs one tile of K rows: the K x K grids whole, as before
tiling (only for small K: it needs ~8 K^2 float64 numbers).

    python benchmarks/bench_metrics_scale.py [--K 100,1000,10000] [--d 512] [--tiles 512,0] [--max-untiled 2000]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import tracemalloc

import numpy as np


def _rss_mib() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


def run(K: int, d: int, tile: int) -> dict:
    from verify.metrics import ClassStatistics, report_from_statistics
    from verify.metrics.arrays import blas_threads

    rng = np.random.default_rng(0)
    A = rng.normal(size=(d, d)) / np.sqrt(d)
    counts = np.full(K, 100, dtype=np.int64)
    stats = ClassStatistics(
        classes=np.arange(K),
        counts=counts,
        means=rng.normal(size=(K, d)),
        sumsq=np.full(K, 100.0 * d),
        scatter=(A @ A.T + np.eye(d)) * float(counts.sum()),
        eps=float(np.finfo(np.float32).eps),
        min_entry=-1.0,
    )
    W, b = rng.normal(size=(K, d)), rng.normal(size=K)
    base = _rss_mib()
    with blas_threads(1):
        tracemalloc.start()
        t0, c0 = time.perf_counter(), time.process_time()
        report = report_from_statistics(stats, W, b, tile=tile or K)
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
        traced = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "K": K,
        "tile": tile or K,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "traced_peak_mib": traced,
        "rss_above_start_mib": peak - base,
        "state_mib": (K * d * 3 + d * d) * 8 / 2**20,  # means, W, a centred copy; the d x d scatter
        "nc1": report["nc1"],
        "etf": report["etf_distance_means"],
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--K", default="100,1000,10000")
    ap.add_argument("--d", type=int, default=512)
    ap.add_argument("--tiles", default="512,0")
    ap.add_argument("--max-untiled", type=int, default=2000, help="largest K run with --tile 0")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        K, tile = (int(x) for x in args.child.split(":"))
        print(json.dumps(run(K, args.d, tile)))
        return
    with open("/proc/loadavg") as f:
        load = f.read().split()[0]
    print(f"report step, d = {args.d}, one BLAS thread; load average {load} on {os.cpu_count()} CPUs")
    print(
        f"{'K':>6} {'tile':>6} {'seconds':>9} {'CPU s':>9} {'traced peak MiB':>16} {'RSS above start':>16} {'K d+d^2 MiB':>12}  nc1"
    )
    for K in (int(k) for k in args.K.split(",")):
        for tile in (int(t) for t in args.tiles.split(",")):
            if tile == 0 and K > args.max_untiled:
                continue
            cmd = [sys.executable, __file__, "--child", f"{K}:{tile}", f"--d={args.d}"]
            r = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
            print(
                f"{K:>6} {r['tile']:>6} {r['seconds']:>9.2f} {r['cpu_seconds']:>9.2f} {r['traced_peak_mib']:>16,.1f} "
                f"{r['rss_above_start_mib']:>16,.1f} {r['state_mib']:>12,.1f}  {r['nc1']:.15g}"
            )


if __name__ == "__main__":
    main()
