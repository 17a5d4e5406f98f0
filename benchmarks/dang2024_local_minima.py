"""How often do L-BFGS-B starts on the ReLU feature model (Dang et al. 2024, problem (4)) stop at a spurious KKT
point, as a function of d/K? Prints one row per (class sizes, d/K): starts, distinct end values, share of starts
above the best, the worst excess, and whether the polished spurious points pass the revival second-order test.

    python benchmarks/dang2024_local_minima.py [--starts 24]

Class-mean program (equivalent at every KKT point); lambda_W = lambda_H chosen so that every class lives."""

from __future__ import annotations

import argparse
from fractions import Fraction

from verify.models.relu_features import ReluFeatureModel
from verify.solvers.nonneg_multistart import group_values, multistart, polish
from verify.solvers.nonneg_second_order import concentrate, revival_curvatures
from verify.solvers.threads import single_threaded_blas

CASES = (
    ((8, 4, 2), Fraction(1, 30)),
    ((5, 5, 2, 2), Fraction(1, 40)),
    ((6, 5, 4, 3, 2, 1), Fraction(1, 80)),
    ((20, 10, 5, 3, 2, 1, 1, 1), Fraction(1, 300)),
)
RATIOS = (1, 1.5, 2, 4, 8)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--starts", type=int, default=24)
    args = ap.parse_args()
    print(f"{'n':<24} {'d/K':>5} {'starts':>6} {'values':>6} {'worse':>6} {'max excess':>11} {'spurious polished':>18}")
    with single_threaded_blas():
        for sizes, lam in CASES:
            K = len(sizes)
            for ratio in RATIOS:
                d = max(K, int(round(ratio * K)))
                m = ReluFeatureModel(sizes, d, lam, lam).class_mean_model()
                runs = multistart(m, n_starts=args.starts, seed=0)
                groups = group_values(runs)
                best = groups[0][0].value
                worse = sum(len(g) for g in groups[1:])
                excess = max((g[0].value - best for g in groups[1:]), default=0.0)
                kinds = []
                for g in groups[1:]:
                    pt = polish(m, g[0].x, dps=30)
                    if not pt.converged:
                        kinds.append("unpolished")
                        continue
                    curv = revival_curvatures(m, concentrate(m, pt.x, 30), 30)
                    kinds.append("saddle" if any(c[2] < -c[3] for c in curv) else "KKT-min")
                summary = ",".join(f"{kinds.count(k)} {k}" for k in sorted(set(kinds))) or "-"
                print(
                    f"{str(sizes):<24} {d / K:>5.2f} {len(runs):>6} {len(groups):>6} {worse / len(runs):>6.0%} "
                    f"{excess:>11.3g} {summary:>18}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
