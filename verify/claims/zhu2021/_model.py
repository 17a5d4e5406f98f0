"""Zhu et al. 2021's regularised cross-entropy model: parameters, hypotheses and closed forms stated once.

    f(W, H, b) = (1/N) sum_i CE(W h_i + b, y_i) + (lambda_W/2)||W||_F^2 + (lambda_H/2)||H||_F^2 + (lambda_b/2)||b||^2

balanced (n per class, N = nK), d >= K - 1, and the bias one of three variants (parameter ``bias``: 0 none,
1 free, 2 penalised by lambda_b). With s = sqrt(n lambda_W lambda_H) and K s < 1 the logit gap is
a* = log(1/s - (K - 1)) (the root of 1/(e^a + K - 1) = s, proofs/zhu2021.thm3_1.md); for K s >= 1 the minimiser
is 0. Everything here is a statement of the spec (THEOREMS-NEXT.md, section A), derived again in proofs/.
"""

from __future__ import annotations

import sympy as sp

from verify import authoring as a

BIASES = {0: "none", 1: "free", 2: "penalised"}

PARAMETERS = [
    a.integer("K", "number of classes"),
    a.integer("n", "samples per class (balanced)"),
    a.integer("d", "feature dimension", default=lambda v: v["K"], default_text="K"),
    a.real("lambda_W", "classifier penalty: (lambda_W/2)||W||_F^2"),
    a.real("lambda_H", "feature penalty: (lambda_H/2)||H||_F^2"),
    a.integer("bias", "bias variant: 0 no bias, 1 free bias (lambda_b = 0), 2 bias penalised by lambda_b", default=2),
    a.real("lambda_b", "bias penalty (lambda_b/2)||b||^2, read only when bias = 2", default="1/10"),
]
K, n, d, lambda_W, lambda_H, bias, lambda_b = sp.symbols("K n d lambda_W lambda_H bias lambda_b", positive=True)
s = sp.sqrt(n * lambda_W * lambda_H)

HYPOTHESES = [
    a.hypothesis("K >= 2", lambda v: v["K"] >= 2, "K", "use at least two classes"),
    a.hypothesis("n >= 1", lambda v: v["n"] >= 1, "n", "give at least one sample per class"),
    a.hypothesis("d >= K - 1", lambda v: v["d"] >= v["K"] - 1, "d", "raise d to K - 1 or more"),
    a.hypothesis("lambda_W > 0", lambda v: v["lambda_W"] > 0, "lambda_W", "give a positive penalty"),
    a.hypothesis("lambda_H > 0", lambda v: v["lambda_H"] > 0, "lambda_H", "give a positive penalty"),
    a.hypothesis("bias in {0, 1, 2}", lambda v: v["bias"] in (0, 1, 2), "bias", "0 none, 1 free, 2 penalised"),
    a.hypothesis("lambda_b > 0", lambda v: v["lambda_b"] > 0, "lambda_b", "give a positive bias penalty"),
]
#: K s < 1, i.e. K^2 n lambda_W lambda_H < 1 (exact in rationals): the regime of a nonzero minimiser.
BELOW = a.hypothesis(
    "K sqrt(n lambda_W lambda_H) < 1",
    lambda v: v["K"] ** 2 * v["n"] * v["lambda_W"] * v["lambda_H"] < 1,
    "lambda_H",
    "lower lambda_W lambda_H below 1/(K^2 n) (above it the minimiser is W = H = 0: zhu2021.threshold)",
    uses=("K", "n", "lambda_W"),
)

#: The logit gap z_y - z_c at every sample (root of 1/(e^a + K - 1) = s).
GAP = sp.log(1 / s - (K - 1))
#: The optimal value for K s < 1 (g(a*) simplified: proofs/zhu2021.thm3_1.md).
VALUE = -sp.log(1 - (K - 1) * s) + (K - 1) * s * sp.log(1 / s - K + 1)
CLASSIFIER_NORM_SQ = sp.sqrt(n * lambda_H / lambda_W) * GAP * (K - 1) / K
FEATURE_NORM_SQ = sp.sqrt(lambda_W / (n * lambda_H)) * GAP * (K - 1) / K
#: h_{k,i} = sqrt(lambda_W/(n lambda_H)) w_k
RATIO = sp.sqrt(lambda_W / (n * lambda_H))
#: lambda_H at which the origin's Hessian becomes singular: K^2 n lambda_W lambda_H = 1
THRESHOLD_LAMBDA_H = 1 / (K**2 * n * lambda_W)
#: smallest eigenvalue of the (W, H) block of the Hessian of f at 0 (couplings of norm 1/(K sqrt n))
ORIGIN_CURVATURE = (lambda_W + lambda_H) / 2 - sp.sqrt(((lambda_W - lambda_H) / 2) ** 2 + 1 / (K**2 * n))

# Budgets (issue 18; tests/test_tolerances.py): kkt_stationarity is the refinement's stopping target 10^-(dps-5)
# (measured <= 4.7e-30 at dps 30); kkt_condition measured over the pinned points and 20 drawn points of each of
# thm3_1 and threshold (seed 0, dps 30): at most 5.0e4 (thm3_1, K = 2, n = 2, d = 1, K s = 0.97), 2.0e3
# (threshold); worst geometry error measured 1.4e-29 against 1e-20.
VALUE_TOL = a.tolerance(
    8,
    "the solve refines the stationary point until its relative gradient is below 10^-(dps-5); the value is a sum "
    "of O(N K) terms rounded at dps digits and first-order insensitive to the remaining error: 8 guard digits",
    a.ErrorBudget(5, 1e2, 1, residuals=("kkt_stationarity",)),
)
GEOMETRY_TOL = a.tolerance(
    10,
    "norms, gaps and cosines carry the forward error of the point, (residual 10^-(dps-5)) x (condition of the "
    "Newton matrix off the rotation orbit, measured at most 5.0e4 on the pinned and 40 drawn points): 5 + 5 = 10 "
    "guard digits",
    a.ErrorBudget(5, 6e4, 0, residuals=("kkt_stationarity",), condition=("kkt_condition",)),
)
ZERO_TOL = a.tolerance(
    10,
    "quantities predicted to be exactly 0 (relative spreads, the bias spread, norms in the zero regime) are "
    "compared absolutely; the refined point carries the same forward error as the geometry (residual "
    "10^-(dps-5) x condition <= 6e4) relative to O(1) blocks",
    a.ErrorBudget(5, 6e4, 0, residuals=("kkt_stationarity",), condition=("kkt_condition",)),
)


def bias_kind(values) -> str:
    return BIASES[int(values["bias"])]


def solve(measure):
    """The kit's independent solve of the original program, bias variant from the values."""
    return a.ufm_solve(penalties={"W": "lambda_W", "H": "lambda_H", "b": "lambda_b"}, bias=bias_kind, measure=measure)


def lambda_H_for(ks_values):
    """A strategy entry: lambda_H that puts K sqrt(n lambda_W lambda_H) at one of ``ks_values`` (exact)."""
    from fractions import Fraction

    return lambda v: a.choice(*[Fraction(t) ** 2 / (v["K"] ** 2 * v["n"] * v["lambda_W"]) for t in ks_values])


def ufm_model(values):
    """The program at the values as :class:`verify.models.ufm.UnconstrainedFeaturesModel` (the census, the
    certificate)."""
    from verify.models.ufm import UnconstrainedFeaturesModel

    kind = bias_kind(values)
    return UnconstrainedFeaturesModel(
        (int(values["n"]),) * int(values["K"]),
        int(values["d"]),
        values["lambda_W"],
        values["lambda_H"],
        kind,
        values["lambda_b"] if kind == "penalised" else 0,
    )


def certificate(claim_id: str):
    """The claim's certificate hook: the proven enclosure of the minimum at the solve's point (the Fenchel dual
    of the program convex in Z = W H, kind ufm_softmax); the value can be certified, the geometry stays verified."""

    def hook(values, report):
        from verify.certify.ufm import certify_ufm

        return certify_ufm(ufm_model(values), report.point, claim_id, values, ("value",), report.dps)

    return hook
