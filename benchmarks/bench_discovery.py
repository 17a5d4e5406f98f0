"""Benchmark: what claim discovery (entry points, claim paths) adds to `nc-verify list`.

Baseline: the built-in index alone (verify.engine.catalogue_index, no claim imported). Then the full list with no external
source installed (the entry-point scan of importlib.metadata over the environment's distributions), and with the
example project on the claim path (its module imported: sympy and the authoring API). Each in a fresh interpreter,
median of 5 runs. A script, not a test:

    python benchmarks/bench_discovery.py
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "penalised-thm1"

CASES = {
    "cli + built-in index (baseline)": (
        "import verify.face.cli; from verify.engine import registry; registry.builtin_entries()",
        {},
    ),
    "cli + index + entry-point scan": (
        "import verify.face.cli; from verify.engine import registry; registry.entries()",
        {},
    ),
    "nc-verify list, nothing external": ("from verify.face.cli import main; main(['list'])", {}),
    "nc-verify list, example on the path": (
        "from verify.face.cli import main; main(['list'])",
        {"NC_VERIFY_PATH": str(EXAMPLE / "penalised_thm1"), "PYTHONPATH": str(EXAMPLE)},
    ),
}


def seconds(code: str, env: dict) -> float:
    timer = (
        f"import time; t = time.perf_counter(); {code}; print(time.perf_counter() - t, file=__import__('sys').stderr)"
    )
    done = subprocess.run(
        [sys.executable, "-c", timer], env={**os.environ, **env}, capture_output=True, text=True, check=True
    )
    return float(done.stderr.strip().splitlines()[-1])


if __name__ == "__main__":
    base = None
    for name, (code, env) in CASES.items():
        runs = [seconds(code, env) for _ in range(5)]
        median = statistics.median(runs)
        base = base or median
        print(f"{name:<38} {median * 1000:8.1f} ms   (x{median / base:.1f} the baseline)")
