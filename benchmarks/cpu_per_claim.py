"""CPU seconds of each claim's ``check`` (``time.process_time`` in one process, ``--jobs 1`` equivalent).

CPU time is far less sensitive than wall time to other jobs on a shared machine, so this is the figure to
compare two trees with when the machine is loaded. A script, not a test (speed is never asserted in tests):

    PYTHONPATH=<tree> python benchmarks/cpu_per_claim.py [--examples 4] [--seed 0] [CLAIM ...] > out.json

Prints JSON: {claim: {"cpu": seconds, "verdict": ..., "points": [[params, verdict], ...]}} so that two trees'
outputs also show that the points and verdicts are the same.
"""

from __future__ import annotations

import argparse
import json
import sys
import time


def main() -> int:
    import numpy as np

    from verify.engine import registry
    from verify.engine.checking import check_claim

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("claims", nargs="*", help="claim ids (default: the whole catalogue)")
    ap.add_argument("--examples", type=int, default=4)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    out = {}
    ids = args.claims or list(registry.catalogue())
    for cid in ids:
        t0 = time.process_time()
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            res = check_claim(registry.get(cid), examples=args.examples, seed=args.seed)
        cpu = time.process_time() - t0
        points = [[{k: str(v) for k, v in p.params.items()}, str(p.verdict)] for p in res.points]
        out[cid] = {"cpu": round(cpu, 3), "verdict": str(res.verdict), "points": points}
        print(f"{cid:22s} {cpu:8.2f} s CPU  {res.verdict}", file=sys.stderr, flush=True)
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
