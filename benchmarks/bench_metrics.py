"""Benchmark: streaming NC statistics (numpy and torch CPU batches) against the all-in-memory computation.

N features of dimension d in K classes (float32, as a network produces them; defaults N = 10^6, d = 512,
K = 10), generated batch by batch from a fixed seed. Each mode runs in a fresh subprocess so that its peak
resident memory (``resource.getrusage(...).ru_maxrss``) is its own; the figure printed beside it is that
peak minus the resident memory just before the work starts (interpreter, imports, class means).

- ``numpy``:     CollapseStats.update on numpy float32 batches, then report(W, b) (NC1-NC3, one pass)
- ``torch``:     the same with torch CPU tensors (the default path: zero-copy numpy views)
- ``torch-device``: torch CPU tensors through the on-device path (``backend="torch"``: index_add_, float64
                 GEMM), the code a GPU batch runs
- ``anchor``:    rhubarbwu/neural-collapse on the same batches as torch float32 CPU tensors: its
                 MeanAccumulator pass, then its CovarAccumulator pass with the means (its NC1 inputs; its
                 float32 default dtype); features/s = N / (time of both passes). Its code is read from a
                 snapshot (``--anchor``, a git directory, default the ``fetch`` tool's mirror) into a temporary
                 directory at run time, never installed or committed.
- ``in-memory``: all N x d features in one array, then collapse_report(H, y, W, b) (includes NC4)
- ``nc4-pass``:  the second streaming pass for NC4 (numpy batches), after the first
- ``kernel``:    the floor of any float64 scatter accumulation: each batch widened to float64 and X^T X added,
                 nothing else (no class means, no merge) -- the BLAS ceiling the other figures compare with

Features per second count only the metric computation, not the generation of the batches, per wall second and
per CPU-second (``time.process_time``, all threads of the mode's process): on a shared machine the one-thread
comparison is the CPU-second one. A mode may name its threads and OpenBLAS kernels, ``numpy@1``, ``anchor@0``
(0: the library's default), ``numpy@1:SkylakeX`` (``OPENBLAS_CORETYPE`` for that child: OpenBLAS 0.3.30/0.3.31
do not recognise AMD Zen 5 and fall back to their AVX2 Haswell kernels). A script, not a test; ``--repeat 3``
prints the median of three runs of each mode:

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

MODES = ("kernel", "numpy", "torch", "torch-device", "anchor", "in-memory", "nc4-pass")
ANCHOR = "/work/.mirror/rhubarbwu+neural-collapse/repo"


class _Clock:
    """Wall and CPU seconds (``time.process_time``: every thread of this process) of the timed blocks."""

    def __init__(self) -> None:
        self.wall = self.cpu = 0.0

    def __enter__(self):
        self._w, self._c = time.perf_counter(), time.process_time()

    def __exit__(self, *exc) -> None:
        self.wall += time.perf_counter() - self._w
        self.cpu += time.process_time() - self._c

    def result(self, N: int) -> dict:
        return {
            "seconds": self.wall,
            "features_per_s": N / self.wall,
            "cpu_seconds": self.cpu,
            "per_cpu_s": N / self.cpu,
        }


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


def _anchor_module(git_dir: str, into: str):
    """rhubarbwu/neural-collapse's package from a snapshot's git directory, extracted to ``into``."""
    import io
    import tarfile

    tar = subprocess.run(
        ["git", f"--git-dir={git_dir}", "archive", "HEAD", "neural_collapse"], check=True, capture_output=True
    ).stdout
    tarfile.open(fileobj=io.BytesIO(tar)).extractall(into, filter="data")
    sys.path.insert(0, into)
    from neural_collapse.accumulate import CovarAccumulator, MeanAccumulator

    return MeanAccumulator, CovarAccumulator


def run_anchor(N: int, d: int, K: int, batch: int, git_dir: str) -> dict:
    import tempfile

    import torch

    with tempfile.TemporaryDirectory() as tmp:
        MeanAccumulator, CovarAccumulator = _anchor_module(git_dir, tmp)
        base = _rss_mib()
        means_acc, clock = MeanAccumulator(K, d, "cpu"), _Clock()
        for Hb, yb in _batches(N, d, K, batch):
            Hb, yb = torch.from_numpy(Hb), torch.from_numpy(yb)
            with clock:
                means_acc.accumulate(Hb, yb)
        M, _ = means_acc.compute()
        covar = CovarAccumulator(K, d, "cpu", M=M)
        for Hb, yb in _batches(N, d, K, batch):
            Hb, yb = torch.from_numpy(Hb), torch.from_numpy(yb)
            with clock:
                covar.accumulate(Hb, yb, M)
        return {
            "mode": "anchor",
            **clock.result(N),
            "peak_rss_mib": _peak_mib(),
            "peak_above_start_mib": _peak_mib() - base,
            "nc1": float("nan"),
            "nc4": "-",
        }


def run_mode(mode: str, N: int, d: int, K: int, batch: int, threads: int | None, anchor: str = ANCHOR) -> dict:
    from verify.metrics import CollapseStats, collapse_report

    rng = np.random.default_rng(1)
    W, b = rng.normal(size=(K, d)), rng.normal(size=K)
    if mode in ("torch", "torch-device", "anchor"):
        import torch

        torch.set_num_threads(threads or os.cpu_count())
    if mode == "anchor":
        return run_anchor(N, d, K, batch, anchor)
    base = _rss_mib()
    clock = _Clock()
    if mode == "kernel":
        from verify.metrics.arrays import blas_threads

        S = np.zeros((d, d))
        with blas_threads(threads):
            for Hb, _ in _batches(N, d, K, batch):
                with clock:
                    X = Hb.astype(np.float64)
                    S += X.T @ X
        report = {"nc1": float("nan"), "nc4_agreement": "-"}
    elif mode == "in-memory":
        H, y = np.empty((N, d), dtype=np.float32), np.empty(N, dtype=np.int64)
        for i, (Hb, yb) in enumerate(_batches(N, d, K, batch)):
            H[i * batch : i * batch + len(yb)], y[i * batch : i * batch + len(yb)] = Hb, yb
        with clock:
            report = collapse_report(H, y, W, b, threads=threads)
    else:
        acc = CollapseStats(threads=threads, backend="torch" if mode == "torch-device" else None)
        for Hb, yb in _batches(N, d, K, batch):
            if mode in ("torch", "torch-device"):
                Hb, yb = torch.from_numpy(Hb), torch.from_numpy(yb)
            with clock:
                acc.update(Hb, yb)
        if mode == "nc4-pass":
            second, clock = acc.agreement(W, b), _Clock()
            for Hb, yb in _batches(N, d, K, batch):
                with clock:
                    second.update(Hb, yb)
            with clock:
                report = acc.report(W, b, agreement=second)
        else:
            with clock:
                report = acc.report(W, b)
    return {
        "mode": mode,
        **clock.result(N),
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
    ap.add_argument("--anchor", default=ANCHOR, help="git directory of a rhubarbwu/neural-collapse snapshot")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(run_mode(args.child, args.N, args.d, args.K, args.batch, args.threads or None, args.anchor)))
        return
    # a mode may carry its own thread setting, "numpy@1", "anchor@0" (0: the library default), so that both
    # libraries at one thread and at their defaults are measured side by side in one interleaved run, and an
    # OpenBLAS kernel set, "numpy@1:SkylakeX" (OPENBLAS_CORETYPE in that child's environment)
    modes = args.modes.split(",")
    if any(m.split("@")[0] == "anchor" for m in modes) and not os.path.isdir(args.anchor):
        print(f"anchor skipped: no snapshot at {args.anchor} (the fetch tool: github:rhubarbwu/neural-collapse)")
        modes = [m for m in modes if m.split("@")[0] != "anchor"]
    with open("/proc/loadavg") as f:
        load = f.read().split()[0]
    from threadpoolctl import threadpool_info

    cores = sorted({f"{i['prefix']} {i.get('version')}: {i.get('architecture')}" for i in threadpool_info()})
    print(
        f"N = {args.N}, d = {args.d}, K = {args.K}, batch = {args.batch}, float32 features, threads "
        f"{args.threads or 'default'} unless a mode says @threads (0 = default), median of {args.repeat}; "
        f"load average {load} on {os.cpu_count()} CPUs; BLAS kernels {'; '.join(cores)}"
    )
    print(
        f"{'mode':<22} {'features/s':>11} {'per CPU-s':>11} {'wall s':>8} {'CPU s':>8} {'peak RSS MiB':>13}"
        f" {'above start':>12}  nc1"
    )
    nc1 = {}
    results: dict[str, list] = {m: [] for m in modes}
    for _ in range(args.repeat):  # interleaved: every mode sees the same load drift
        for mode in modes:
            name, _, rest = mode.partition("@")
            threads, _, coretype = rest.partition(":")
            env = dict(os.environ, **({"OPENBLAS_CORETYPE": coretype} if coretype else {}))
            cmd = [sys.executable, __file__, "--child", name, f"--threads={threads or args.threads}"] + [
                f"--{k}={getattr(args, k)}" for k in ("N", "d", "K", "batch", "anchor")
            ]
            out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout
            results[mode].append(json.loads(out))
    med = {}
    keys = ("seconds", "features_per_s", "cpu_seconds", "per_cpu_s", "peak_rss_mib", "peak_above_start_mib")
    for mode in modes:
        runs = results[mode]
        med[mode] = {k: statistics.median(r[k] for r in runs) for k in keys}
        m = med[mode]
        nc1[mode] = runs[0]["nc1"]
        print(
            f"{mode:<22} {m['features_per_s']:>11,.0f} {m['per_cpu_s']:>11,.0f} {m['seconds']:>8.2f}"
            f" {m['cpu_seconds']:>8.2f} {m['peak_rss_mib']:>13,.0f} {m['peak_above_start_mib']:>12,.0f}"
            f"  {runs[0]['nc1']:.15g}  (per CPU-s: " + ", ".join(f"{r['per_cpu_s']:,.0f}" for r in runs) + ")"
        )
    # one thread: features per CPU-second (a shared machine's waiting is not charged to either library);
    # the default threads: features per wall second (CPU time would charge a parallel speed-up as a cost)
    for mode in modes:
        name, _, rest = mode.partition("@")
        threads = rest.partition(":")[0]
        twin = f"anchor@{threads}" if threads else "anchor"
        if name != "anchor" and twin in med:
            key, unit = ("per_cpu_s", "per CPU-second") if threads == "1" else ("features_per_s", "wall")
            print(f"{mode} / {twin}: {med[mode][key] / med[twin][key]:.2f}x ({unit})")
    if "numpy@1" in med and "anchor@0" in med:  # CollapseStats defaults to threads=1; torch to all cores
        r = med["numpy@1"]["features_per_s"] / med["anchor@0"]["features_per_s"]
        print(f"each library at its default (numpy@1 / anchor@0): {r:.2f}x (wall)")
    values = [v for v in nc1.values() if v == v]  # the kernel and the anchor compute no NC1 here
    if values:
        spread = max(values) - min(values)
        print(f"largest difference of NC1 between modes: {spread:.2e} (relative {spread / abs(values[0]):.2e})")


if __name__ == "__main__":
    main()
