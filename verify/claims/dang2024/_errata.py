"""Errata of Dang et al. 2024 (seed 002) with computed evidence (helper of dang2024.thm1, no CLAIM)."""

from __future__ import annotations

from fractions import Fraction

from verify.record import Erratum, Evidence, SolveOptions

DUALITY_POINT = {"n": (Fraction(3), Fraction(2), Fraction(1)), "lambda_W": Fraction(1, 20), "lambda_H": Fraction(1, 20)}
DUALITY_D = 12


def duality_gap_evidence() -> Evidence:
    """At the solved optimum (W*, H*) of (4) with multipliers mu* = grad_H f >= 0 (complementary to H*), minimise
    the Lagrangian L(W, H) = f(W, H) - <mu*, H> over all (W, H), H of any sign (L-BFGS from signed random starts):
    a value below f* is a positive duality gap. mu* is the only multiplier for which (W*, H*) can minimise L
    (stationarity of L there forces mu = grad_H f), so no dual solution closes the gap."""
    import numpy as np
    from scipy.optimize import minimize

    from verify.claims.dang2024._solve import solve_relu
    from verify.models.relu_features import ReluFeatureModel

    p = DUALITY_POINT
    sizes = tuple(int(v) for v in p["n"])
    report = solve_relu(sizes, DUALITY_D, p["lambda_W"], p["lambda_H"], SolveOptions(dps=30))
    full = ReluFeatureModel(sizes, DUALITY_D, p["lambda_W"], p["lambda_H"])
    x = full.expand(np.asarray(report.point, dtype=float))
    f_star, g = full.value_and_gradient(x)
    mu = np.where(full.bounded(), g, 0.0)

    def lagrangian(z):
        fz, gz = full.value_and_gradient(z)
        return fz - mu @ z, gz - mu

    rng = np.random.default_rng(0)
    best = np.inf
    for _ in range(6):
        z0 = full.random_start(rng, 1.0)
        z0[full.bounded()] *= rng.choice([-1.0, 1.0], size=int(full.bounded().sum()))
        res = minimize(lagrangian, z0, jac=True, method="L-BFGS-B", options={"maxiter": 20000, "ftol": 1e-15})
        best = min(best, float(res.fun))
    holds = report.converged and float(mu[full.bounded()].min()) >= -1e-12 and best < f_star - 1e-3
    return Evidence(
        symbolic_difference=None,
        point={"n": "3,2,1", "lambda_W": "1/20", "lambda_H": "1/20", "d": str(DUALITY_D)},
        printed_value="'the constraints are affine functions, it is clear that strong duality holds'",
        corrected_value=f"min over (W, H) of L(W, H, mu*) <= {best:.12g} < f* = {f_star:.12g}: duality gap >= "
        f"{f_star - best:.6g} (mu* = grad_H f at the optimum, min mu* = {float(mu[full.bounded()].min()):.1e}, "
        f"max |mu* H*| = {float(np.abs(mu * x).max()):.1e})",
        reference_value=f"independent solve: {report.message[:120]}",
        holds=bool(holds),
    )


ERRATA = (
    Erratum(
        claim_id="dang2024.thm1",
        location="seed 002, Section 7.1, the Remark before Lemma 1",
        printed="although the training problem is constrained, the constraints are affine, so 'it is clear that strong "
        "duality holds', and primal solutions with the optimal dual variables satisfy the KKT conditions",
        corrected="strong duality does not hold (f is not convex: the bilinear W H term); what holds is that every "
        "local minimiser satisfies the KKT conditions, because linear constraints satisfy a constraint "
        "qualification (Abadie's). The proof's use of complementarity, and Lemma 1, are unaffected.",
        summary="At the optimum of (4) for n = 3,2,1, lambda_W = lambda_H = 1/20, the Lagrangian with the optimum's "
        "own multipliers has unconstrained minimum about 0.278 < f* = 0.5675: the duality gap is positive, so "
        "the stated reason is false, though the KKT conclusion is right.",
        evidence=duality_gap_evidence,
    ),
)
