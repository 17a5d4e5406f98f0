"""The network tier's figures and timings: run the shipped configurations, write JSON results and figures.

    python benchmarks/nets_run.py --tier cpu [--out docs/nets]           # the CI configurations (CPU minutes)
    python benchmarks/nets_run.py --tier gpu --out "$OUT" --device cuda  # the GPU-size ones (hours on one GPU)

For each configuration it writes ``<out>/<experiment>-<tier>.json`` (configuration, seeds, versions, hardware,
timings, every metric per measured epoch, predictions) and the figures of :mod:`verify.nets.plots`, then prints
the seconds per run beside the baseline measured when the tier was written (CPU: docs/nets.md). A script, not
a test: the tests never time anything. benchmarks/nets_gpu.sh is the one-shot wrapper for a GPU machine.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from verify.nets.cli import Bar, summary_text
from verify.nets.config import load_config
from verify.nets.experiments import run_experiment
from verify.nets.plots import plot_result

EXPERIMENTS = ("balanced_ce", "imbalanced_ce", "mse", "relu_ce")
#: Seconds of training per configuration measured on the 2-core CPU of the development machine (shared with
#: other jobs, so +-50%), 1 torch thread, 2026-12-01 (docs/nets.md). No GPU baseline yet.
BASELINE_S = {"cpu": {"balanced_ce": 5.4, "imbalanced_ce": 26.2, "mse": 11.6, "relu_ce": 3.0}, "gpu": {}}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tier", choices=("cpu", "gpu"), default="cpu")
    ap.add_argument("--out", default="docs/nets")
    ap.add_argument("--device", default=None, help="cpu, cuda or auto (default: the configuration's)")
    ap.add_argument("--only", nargs="*", choices=EXPERIMENTS, default=list(EXPERIMENTS))
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name in args.only:
        t0 = time.perf_counter()
        result = run_experiment(load_config(f"{args.tier}/{name}"), device=args.device, progress=Bar)
        result["figures"] = plot_result(result, out)
        (out / f"{name}-{args.tier}.json").write_text(json.dumps(result, indent=1))
        print(summary_text(result))
        base = BASELINE_S[args.tier].get(name)
        train_s = sum(r["seconds_train"] for r in result["runs"])
        print(f"== {args.tier}/{name}: training {train_s:.1f} s (baseline {base if base else '-'} s), "
              f"total {time.perf_counter() - t0:.1f} s, {result['hardware']}", flush=True)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
