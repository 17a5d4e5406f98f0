"""Exploration for zhou2022.fl: where random starts end on the original (non-convex) focal-loss program.

The scalar reduction assumes the NC form (the paper's theorem for focal loss). This census tests it the way
zhu2021.thm3_2 tests CE's landscape: L-BFGS at four start scales (1e-3: next to the origin) and gradient descent
on the full (W, H) program, every end value polished at 30 digits and classified by its curvature
(:func:`verify.authoring.ufm_landscape_solve`). Evidence, not proof.
"""

from __future__ import annotations

from fractions import Fraction

from verify.record import Finding, SolveOptions


def census(starts: int = 24) -> Finding:
    from verify import authoring as a
    from verify.models.softmax_losses import FOCAL
    from verify.models.ufm import UnconstrainedFeaturesModel

    def model(v):
        return UnconstrainedFeaturesModel(
            (int(v["n"]),) * int(v["K"]), int(v["d"]), v["lambda_W"], v["lambda_H"], loss=FOCAL.at(v)
        )

    solve = a.ufm_landscape_solve(model)
    rows, spurious = [], 0
    for K, gamma in ((3, 1), (3, 2), (4, 2), (4, 5)):
        # K s = 1/2 with n = 2, lambda_W = lambda_H: lambda = 1/(2 K sqrt 2) is irrational; use K s^2 exactly
        lam = Fraction(1, 4 * K)  # K s = K sqrt(2) lam = sqrt(2)/4 ~ 0.354 < kappa for these (K, gamma)
        values = {
            "K": Fraction(K),
            "n": Fraction(2),
            "d": Fraction(K),
            "lambda_W": lam,
            "lambda_H": lam,
            "gamma": Fraction(gamma),
        }
        report = solve(values, SolveOptions(n_starts=starts // 2))
        minima = [r for r in report.details["census"] if r["kind"] == "local minimum"]
        best = min(float(r["value"]) for r in report.details["census"])
        spurious += sum(abs(float(r["value"]) - best) > 1e-8 * abs(best) for r in minima)
        for r in report.details["census"]:
            rows.append({"K": str(K), "gamma": str(gamma), **r})
    return Finding(
        f"Focal loss, K = 3 and 4, n = 2, d = K, K s = 0.354, gamma 1 to 5: {len(rows)} clusters of end values; "
        f"{spurious} local minima above the best value. Where none is found, every start reached the NC value "
        "that the scalar reduction predicts (the claim checks that value at its own points).",
        tuple(rows),
    )
