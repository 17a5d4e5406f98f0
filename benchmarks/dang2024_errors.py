"""Worst relative errors of dang2024.thm1 and dang2024.prop1 against their independent solves, per quantity:
after the mpmath polish (what the verdict uses) and at the float64 points (L-BFGS-B, per-sample program for the
float stage), over the pinned examples and ``--examples`` Hypothesis-drawn points.

    python benchmarks/dang2024_errors.py [--examples 8] [--seed 0] [--dps 30]
"""

from __future__ import annotations

import argparse
from collections import Counter

import mpmath

from verify.engine.checking import check_claim
from verify.engine.registry import get
from verify.record import SolveOptions


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--examples", type=int, default=8)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--dps", type=int, default=30)
    args = ap.parse_args()
    for cid in ("dang2024.thm1", "dang2024.prop1"):
        res = check_claim(get(cid), examples=args.examples, seed=args.seed, options=SolveOptions(dps=args.dps))
        verdicts = Counter(p.verdict.value for p in res.points)
        print(f"{cid}: {res.verdict.value} ({dict(verdicts)}), {len(res.points)} points, {res.seconds:.0f} s")
        worst: dict = {}
        for p in res.points:
            for c in p.comparisons:
                w = worst.setdefault(c.name, [mpmath.mpf(0), None])
                if c.rel_error is not None:
                    w[0] = max(w[0], c.rel_error)
                if c.float_rel_error is not None:
                    w[1] = c.float_rel_error if w[1] is None else max(w[1], c.float_rel_error)
        print(f"  {'quantity':<24} {'polished (dps ' + str(args.dps) + ')':>20} {'float64':>12}")
        for name, (pol, flt) in worst.items():
            print(f"  {name:<24} {mpmath.nstr(pol, 3):>20} {'-' if flt is None else mpmath.nstr(flt, 3):>12}")
        minima = sum(len(p.solve.details.get("local_minima", [])) for p in res.points)
        print(f"  spurious end points reported (local_minima): {minima}")


if __name__ == "__main__":
    main()
