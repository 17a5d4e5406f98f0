"""Benchmark: ``check`` beside ``check --certify`` over the pinned points of every certifiable claim (issue 18).

For each claim with a certificate hook (``Claim.certificate``) it runs ``python -m verify check ID
--examples 0 --json`` and the same with ``--certify`` (each in a fresh process, so no cache is shared; wall
seconds from start to exit, imports included), and prints the seconds of each, how many points certified the
claim's value and the widest relative enclosure width reached.
The certificates are then written to a temporary directory and rechecked by ``verify.certify.checker`` alone,
timed too. A script, not a test (speed is never asserted in tests); on a shared machine the figures are only
comparable with each other:

    python benchmarks/bench_certify.py [--dps 30] [--claims ID ...] [--runs 3] [--whole-only]

The issue's goal: the whole certified set under 60 s on 2 cores. That figure is the last table: one
``nc-verify check ID... --examples 0 --certify`` over every certifiable claim (claims spread over the usable
cores, as ``check`` does by default), beside the same command without ``--certify``, median of ``--runs``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from verify.certify import checker
from verify.engine import registry


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dps", type=int, default=30)
    ap.add_argument("--claims", nargs="*", default=None)
    ap.add_argument("--runs", type=int, default=3, help="runs of the whole-set command (median)")
    ap.add_argument("--whole-only", action="store_true", help="only the whole-set figure")
    args = ap.parse_args()
    claims = [c for c in registry.everything().values() if c.certificate is not None]
    if args.claims:
        claims = [c for c in claims if c.id in args.claims]
    print(f"load average {os.getloadavg()[0]:.1f}, {os.cpu_count()} cores, dps {args.dps}, pinned points only")
    if not args.whole_only:
        _per_claim(claims, args.dps)
    _whole_set(claims, args.dps, args.runs)


def _whole_set(claims, dps: int, runs: int) -> None:
    """One ``check`` command over the whole certifiable set, with and without ``--certify`` (alternating)."""
    ids = [c.id for c in claims]
    plain, certify = [], []
    for _ in range(runs):
        seconds, _ = _run_ids(ids, dps)
        plain.append(seconds)
        seconds, data = _run_ids(ids, dps, "--certify")
        certify.append(seconds)
    points = [p for c in data["claims"] for p in c["details"]]
    enclosed = [c for p in points for c in p["comparisons"] if c["quantity"] == "value" and "certified" in c]
    done = [c for c in enclosed if c["certified"]]
    print(
        f"whole set, one command ({len(ids)} claims, {len(points)} points, median of {runs}): check "
        f"{statistics.median(plain):.1f} s, check --certify {statistics.median(certify):.1f} s "
        f"(runs {', '.join(f'{s:.1f}' for s in certify)}); value certified at {len(done)} of {len(enclosed)} points"
    )


def _per_claim(claims, dps: int) -> None:
    args = argparse.Namespace(dps=dps)
    header = f"{'claim':<22} {'points':>6} {'check s':>8} {'--certify s':>11} {'certified':>10} {'widest width':>13}"
    print(header)
    print("-" * len(header))
    totals = [0.0, 0.0]
    tmp = tempfile.TemporaryDirectory()
    for claim in claims:
        plain, _ = _run(claim.id, args.dps)
        certified, data = _run(claim.id, args.dps, "--certify", "--out", tmp.name)
        totals[0] += plain
        totals[1] += certified
        points = data["claims"][0]["details"]
        enclosed = [c for p in points for c in p["comparisons"] if c["quantity"] == "value" and "certified" in c]
        done = [c for c in enclosed if c["certified"]]
        widths = [float(c["enclosure"]["width"]) for c in done]
        widest = f"{max(widths):.1e}" if widths else "-"
        print(
            f"{claim.id:<22} {len(points):>6} {plain:>8.2f} {certified:>11.2f} {len(done):>4} of {len(enclosed):<3} "
            f"{widest:>13}"
        )
    print(f"{'all':<22} {'':>6} {totals[0]:>8.2f} {totals[1]:>11.2f}")
    paths = sorted(Path(tmp.name).glob("*.json"))
    t0 = time.perf_counter()
    held = sum(checker.recheck(json.loads(p.read_text()))[0] for p in paths)
    seconds = time.perf_counter() - t0
    print(f"recheck of {len(paths)} certificate files by verify.certify.checker alone: {held} hold, {seconds:.2f} s")
    tmp.cleanup()


def _run(claim_id: str, dps: int, *extra: str) -> tuple[float, dict]:
    """Wall seconds of one ``nc-verify check`` in a fresh process, and its JSON."""
    return _run_ids([claim_id], dps, *extra)


def _run_ids(ids: list[str], dps: int, *extra: str) -> tuple[float, dict]:
    """Wall seconds of one ``nc-verify check ID...`` in a fresh process, and its JSON."""
    t0 = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "verify", "check", *ids, "--examples", "0", "--dps", str(dps), "--json", *extra],
        capture_output=True,
        text=True,
        check=False,
    )
    return time.perf_counter() - t0, json.loads(out.stdout)


if __name__ == "__main__":
    main()
