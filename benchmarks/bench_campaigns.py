"""Fuzzing campaigns: points per second against workers, and what Dask costs over local processes.

    python benchmarks/bench_campaigns.py [--claims fang2021.thm1 tirer2022.thm3_1] [--examples 24] [--repeat 3]

For each executor (this process; local processes with 1 and 2 workers; a Dask LocalCluster with 1 and 2
workers) the same deterministic campaign (same seed, same points) is run ``--repeat`` times; the median wall
time, points per second, and the speed-up over one worker are printed. Cluster start-up is excluded (it is
paid once per campaign); Dask's per-task overhead is the 1-worker Dask time over the 1-worker process time.
The machine should be otherwise idle.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from verify.base.solving import SolveOptions  # noqa: E402
from verify.campaigns import campaign  # noqa: E402
from verify.campaigns.executors import DaskCluster, InProcess, LocalProcesses, dask_available  # noqa: E402


def measure(make, plan: campaign.Plan, repeat: int) -> tuple[float, int, str]:
    runner = make()
    try:
        campaign.run(plan, runner)  # warm-up: imports and the claims' first-use work on every worker
        times, points = [], 0
        for _ in range(repeat):
            t0 = time.perf_counter()
            report = campaign.run(plan, runner)
            times.append(time.perf_counter() - t0)
            points = sum(t.points for t in report.tallies)
        return statistics.median(times), points, runner.describe()
    finally:
        runner.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--claims", nargs="+", default=["fang2021.thm1", "tirer2022.thm3_1"])
    ap.add_argument("--examples", type=int, default=24, help="points per claim")
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    plan = campaign.Plan(
        tuple(args.claims), SolveOptions(dps=30, n_starts=4), seed=0, batch=args.batch, examples=args.examples
    )
    rows = [("in process", lambda: InProcess())]
    rows += [(f"processes x{n}", lambda n=n: LocalProcesses(n)) for n in (1, 2)]
    if dask_available():
        rows += [(f"dask x{n}", lambda n=n: DaskCluster(n)) for n in (1, 2)]
    else:
        print("(dask is not installed: pip install -e '.[campaigns]')")
    print(f"{len(args.claims)} claims x {args.examples} points, batch {args.batch}, median of {args.repeat}")
    print(f"{'executor':<16} {'seconds':>8} {'points':>7} {'points/s':>9}")
    base = {}
    for label, make in rows:
        seconds, points, _ = measure(make, plan, args.repeat)
        base.setdefault(label.split(" x")[0], seconds)
        print(f"{label:<16} {seconds:8.2f} {points:7d} {points / seconds:9.2f}", flush=True)
        base[label] = seconds
    if "dask x1" in base:
        print(f"Dask overhead at 1 worker: {base['dask x1'] / base['processes x1']:.3f}x local processes")


if __name__ == "__main__":
    main()
