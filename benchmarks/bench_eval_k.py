"""Closed-form ``eval`` time against the number of classes K for the vector-valued claims (issue 22).

dang2024.thm1 carries K per-class values and K^2 pair values (Gram entries, cosines); every quantity is
evaluated through the claim (``Claim.evaluate``, the path of ``nc-verify eval``, relative digits by
verify/base/precision.py) at class sizes drawn from a few distinct values (pairs of equal sizes share their
entries), and, with ``--distinct``, at K distinct sizes. Prints one line per K: seconds, number of values.

    python benchmarks/bench_eval_k.py [--ks 24,48,99,300,1000] [--distinct] [--dps 30]

Wall time depends on the machine and its load: figures are for comparison on one machine, never asserted.
"""

from __future__ import annotations

import argparse
import time
from fractions import Fraction

from verify.engine import registry


def sizes(K: int, distinct: bool) -> tuple[Fraction, ...]:
    if distinct:
        return tuple(Fraction(10 + k) for k in range(K))
    pattern = (8, 4, 2, 1)  # four sizes, cycled
    return tuple(Fraction(pattern[k % len(pattern)]) for k in range(K))


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ks", default="24,48,99,300,1000")
    ap.add_argument("--distinct", action="store_true", help="K distinct class sizes (worst case)")
    ap.add_argument("--dps", type=int, default=30)
    args = ap.parse_args(argv)
    claim = registry.get("dang2024.thm1")
    print(f"{'claim':<16} {'K':>6} {'sizes':>8} {'values':>9} {'seconds':>8}")
    for K in (int(k) for k in args.ks.split(",")):
        n = sizes(K, args.distinct)
        values = claim.parse({"n": n, "lambda_W": "1/20000", "lambda_H": "1/20000"}, partial=True)
        t0 = time.perf_counter()
        out = claim.evaluate(values, args.dps)
        dt = time.perf_counter() - t0
        count = sum(len(v) if isinstance(v, dict) else 1 for v in out.values())
        print(f"{claim.id:<16} {K:>6} {len(set(n)):>8} {count:>9} {dt:>8.2f}", flush=True)


if __name__ == "__main__":
    main()
