"""Benchmark: wall time of the researcher-facing commands, this tree beside the landed main, in one run.

Each figure is the median wall time (seconds, ``subprocess`` from start to exit, so interpreter start and
imports count) of ``--runs`` runs of ``python -m verify ...``, with the CPU seconds (user + system) of that run
and every process it started (``check``'s workers included) beside it: CPU time is far less sensitive than wall
time to other jobs on a shared machine. The baseline (default: the landed main of issue 22's round, 8b91605)
is checked out with ``git worktree add`` into a temporary directory and run with
PYTHONPATH pointing there; the two trees run alternately, so both see the same machine load. The load
average and the core count are printed with the table: on a shared machine the figures are only comparable
with each other. A script, not a test (speed is never asserted in tests):

    python benchmarks/bench_interface.py [--runs 3] [--baseline REF] [--no-check] [--jobs 2]

The whole-catalogue ``check`` figures also list each claim's own check seconds (from ``check --json``, the
median run). Every ``check`` figure names ``--jobs`` (``check`` alone uses every usable core in this tree and one
process in the baseline); the points and verdicts of the two trees are compared claim by claim.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
BASELINE = "8b9160506f21b6dac6e421a4679c686a03ec9379"

FIGURES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("list", ("list",)),
    ("show fang2021.thm1", ("show", "fang2021.thm1")),
    ("eval fang2021.thm1 (closed form)", ("eval", "fang2021.thm1", "K=3", "n=1", "p=2", "E_H=10000", "E_W=1")),
    (
        "eval fang2021.thm5 K=10^6, E_H=180 (R0 none)",
        ("eval", "fang2021.thm5", "K_A=300000", "K_B=700000", "E_H=180", "E_W=1", "R=3"),
    ),
    (
        "eval fang2021.thm5 K=10^6, E_H=20 (with R0)",
        ("eval", "fang2021.thm5", "K_A=300000", "K_B=700000", "E_H=20", "E_W=1", "R=3"),
    ),
)


#: The catalogue of the landed main (d998c10): checking these ids compares the same points in both trees (this
#: tree also measures fang2021.thm5's new R1 at each of them).
LANDED_CLAIMS = tuple(f"fang2021.{c}" for c in ("lemma1", "lemma3", "prop1", "prop2", "thm1", "thm3", "thm4", "thm5"))


def run(tree: Path, args: tuple[str, ...], cwd: str) -> tuple[float, float, subprocess.CompletedProcess]:
    """(wall seconds, CPU seconds of the process and its waited-for descendants, the process)."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "verify", *args], env=env, cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime), proc


def unsupported(proc: subprocess.CompletedProcess) -> bool:
    return proc.returncode == 2 and "unrecognized arguments" in proc.stderr


def measure(trees: dict[str, Path], args: tuple[str, ...], runs: int, cwd: str) -> dict[str, tuple]:
    """{tree: (median wall seconds or None, median CPU seconds or None, the last process)}; the trees alternate
    run by run."""
    times: dict[str, list[float]] = {name: [] for name in trees}
    cpus: dict[str, list[float]] = {name: [] for name in trees}
    last: dict[str, subprocess.CompletedProcess] = {}
    for _ in range(runs):
        for name, tree in trees.items():
            seconds, cpu, proc = run(tree, args, cwd)
            last[name] = proc
            if unsupported(proc):
                continue
            if proc.returncode not in (0, 1):
                raise RuntimeError(f"{name}: nc-verify {' '.join(args)} exited {proc.returncode}: {proc.stderr[-500:]}")
            times[name].append(seconds)
            cpus[name].append(cpu)
    return {
        name: (statistics.median(t) if t else None, statistics.median(cpus[name]) if t else None, last[name])
        for name, t in times.items()
    }


def per_claim(proc: subprocess.CompletedProcess) -> dict[str, tuple[str, float, list]]:
    """{claim: (verdict, seconds, [(params, origin, verdict) per point])} from ``check --json``."""
    data = json.loads(proc.stdout)
    return {
        c["claim"]: (c["verdict"], c["seconds"], [(p["params"], p["origin"], p["verdict"]) for p in c["details"]])
        for c in data["claims"]
    }


def fmt(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{seconds:.2f}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3, help="runs per figure, median reported (default 3)")
    ap.add_argument("--check-runs", type=int, default=1, help="runs of the whole-catalogue check (default 1)")
    ap.add_argument("--baseline", default=BASELINE, help="git ref of the baseline (default: landed main 8b91605)")
    ap.add_argument("--no-check", action="store_true", help="skip the whole-catalogue check figures")
    ap.add_argument("--jobs", type=int, default=2, help="N of the `check --jobs N` figure (default 2)")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="nc-verify-bench-") as tmp:
        base = Path(tmp) / "baseline"
        subprocess.run(
            ["git", "-C", str(HERE), "worktree", "add", "--detach", str(base), args.baseline],
            check=True,
            capture_output=True,
        )
        try:
            trees = {"this tree": HERE, "baseline": base}
            cwd = tmp  # neutral directory: neither tree is importable from the working directory
            load0 = os.getloadavg()
            rows = []
            for label, cmd in FIGURES:
                res = measure(trees, cmd, args.runs, cwd)
                rows.append((label, *res["this tree"][:2], *res["baseline"][:2]))
            claims: dict[str, dict] = {}
            if not args.no_check:
                landed = LANDED_CLAIMS
                for label, cmd in (
                    ("check fang2021.* (same points), jobs 1", ("check", *landed, "--json", "--jobs", "1")),
                    (
                        f"check fang2021.* (same points), jobs {args.jobs}",
                        ("check", *landed, "--json", "--jobs", str(args.jobs)),
                    ),
                    ("check (whole catalogue, jobs 1)", ("check", "--json", "--jobs", "1")),
                    (f"check (whole catalogue, jobs {args.jobs})", ("check", "--json", "--jobs", str(args.jobs))),
                ):
                    res = measure(trees, cmd, args.check_runs, cwd)
                    rows.append((label, *res["this tree"][:2], *res["baseline"][:2]))
                    for name, (seconds, _cpu, proc) in res.items():
                        if seconds is not None:
                            claims.setdefault(label, {})[name] = per_claim(proc)
            load1 = os.getloadavg()
        finally:
            subprocess.run(["git", "-C", str(HERE), "worktree", "remove", "--force", str(base)], capture_output=True)

    rev = subprocess.run(["git", "-C", str(HERE), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    status = ["git", "-C", str(HERE), "status", "--porcelain", "--untracked-files=no"]
    dirty = ", uncommitted changes" if subprocess.run(status, capture_output=True, text=True).stdout.strip() else ""
    print(
        f"nc-verify interface benchmark: this tree ({rev.stdout.strip()}{dirty}) vs baseline "
        f"{args.baseline[:10]}; median of {args.runs} runs ({args.check_runs} for check), wall seconds"
    )
    print(f"cores: {os.cpu_count()}; load average before {load0[0]:.2f}, after {load1[0]:.2f} (1 min)")
    width = max(len(r[0]) for r in rows)
    print(f"{'figure':<{width}}  {'this tree':>10} {'(CPU)':>8}  {'baseline':>10} {'(CPU)':>8}")
    for label, ours, ours_cpu, theirs, theirs_cpu in rows:
        print(f"{label:<{width}}  {fmt(ours):>10} {fmt(ours_cpu):>8}  {fmt(theirs):>10} {fmt(theirs_cpu):>8}")
    same = True
    for label, by_tree in claims.items():
        print(f"\nper claim, {label} (claim seconds as `check --json` reports them; verdicts; same points?)")
        ours, theirs = by_tree.get("this tree", {}), by_tree.get("baseline", {})
        for claim in sorted(set(ours) | set(theirs)):
            o, t = ours.get(claim), theirs.get(claim)
            agree = "" if not (o and t) else ("same points and verdicts" if o[2] == t[2] else "DIFFERENT")
            same &= agree != "DIFFERENT"
            print(
                f"  {claim:<20} {fmt(o[1] if o else None):>8} {o[0] if o else '':<9} "
                f"{fmt(t[1] if t else None):>8} {t[0] if t else '':<9} {agree}"
            )
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
