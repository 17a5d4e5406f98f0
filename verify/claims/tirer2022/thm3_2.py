"""Tirer & Bruna 2022, Theorem 3.2: with an unregularised bias the MSE UFM collapses to a simplex ETF.

Statement (seed 003, Section 3.2, Theorem 3.2 and Eqs. (14)-(22); proof in Appendix B with Lemma B.1;
reconstructed, ../shared/THEOREMS.md; derived again in proofs/tirer2022.thm3_2.md): for problem (14)
(b optimised, not penalised) with d >= K-1 and kappa = K sqrt(n lambda_H lambda_W),

- b = (1/K) 1 and the global feature mean is 0 at every global minimiser (any kappa);
- kappa < 1: within-class collapse, Hbar^T Hbar = rho (I_K - 1 1^T/K) with rho = sqrt(lambda_W/(n lambda_H))
  (1 - kappa) (a simplex ETF), W = sqrt(n lambda_H/lambda_W) Hbar^T, W Hbar = (1 - kappa)(I_K - 1 1^T/K); value
  ((K-1)/K)(kappa - kappa^2/2);
- kappa >= 1: (W, H, b) = (0, 0, 1/K), value (K-1)/(2K).

Supporting check (Lemma B.1, the scalar core with the angle between a class mean and its classifier fixed by
the equiangular structure): a derivation step of proofs/tirer2022.thm3_2.md, not a room of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

import sympy as sp

from verify.certify.intervals import closed_form_ball
from verify.claims.tirer2022 import PAPER, SEEDS
from verify.claims.tirer2022._one_layer import (
    GEOMETRY_TOL,
    KAPPA,
    LAMBDA_W_THRESHOLD,
    MODEL_NEEDS,
    MODEL_PARAMETERS,
    SAMPLES,
    SHRINK,
    SIGMA_HBAR,
    SIGMA_W,
    THRESHOLD_TOL,
    TWO_CLASSES,
    VALUE_TOL,
    alignment_quantities,
    draw_model_point,
    if_nonzero,
    one_layer_model,
    positive,
    solve_one_layer,
)
from verify.models.mse_features import MSEFeaturesModel
from verify.record import Claim, Example, Hypothesis, Parameter, Quantity, SolveOptions, SolveReport, Source

PARAMETERS = (
    *MODEL_PARAMETERS,
    Parameter(
        "d",
        "integer",
        "feature dimension (solve only; no quantity depends on it), d >= K-1",
        default=lambda v: v["K"],
        default_text="K",
    ),
)
K, n, lambda_W, lambda_H, d = (par.symbol for par in PARAMETERS)
VALUE = (K - 1) / K * sp.Piecewise((KAPPA - KAPPA**2 / 2, KAPPA < 1), (sp.Rational(1, 2), True))
FEATURE_NORM = SIGMA_HBAR * sp.sqrt((K - 1) / K)  # ||hbar_k||^2 = rho (K-1)/K

HYPOTHESES = (
    TWO_CLASSES,
    SAMPLES,
    positive("lambda_W"),
    positive("lambda_H"),
    Hypothesis(
        "d >= K - 1",
        lambda v: v["d"] >= v["K"] - 1,
        "d",
        "raise d to at least K-1 (a simplex ETF of K classes needs K-1 dimensions)",
        uses=("d", "K"),
    ),
)


QUANTITIES = (
    Quantity("value", "optimal value of (14)", VALUE, VALUE_TOL),
    Quantity("sigma_W", "the K-1 nonzero singular values of W (W W^T = c (I - 11^T/K))", SIGMA_W, GEOMETRY_TOL),
    Quantity(
        "sigma_Hbar",
        "the K-1 nonzero singular values of Hbar (Hbar^T Hbar = rho (I - 11^T/K))",
        SIGMA_HBAR,
        GEOMETRY_TOL,
    ),
    Quantity(
        "sigma_WHbar", "the K-1 nonzero singular values of W Hbar (= (1 - kappa)(I - 11^T/K))", SHRINK, GEOMETRY_TOL
    ),
    Quantity(
        "feature_norm", "||h_{k,i}|| for every sample (within-class collapse: = ||hbar_k||)", FEATURE_NORM, GEOMETRY_TOL
    ),
    Quantity("bias", "b_k for every class: 1/K (also at the zero solution)", 1 / K, GEOMETRY_TOL),
    *alignment_quantities(PARAMETERS),
    Quantity(
        "cos_means",
        "cos(hbar_k, hbar_l), k < l: a simplex ETF, -1/(K-1) (the global mean is 0)",
        -1 / (K - 1),
        GEOMETRY_TOL,
        reference=if_nonzero(PARAMETERS, -1 / (K - 1), "the class means are zero"),
        definition="-1/(K-1) for kappa < 1, undefined for kappa >= 1",
        needs=MODEL_NEEDS,
    ),
    Quantity(
        "cos_classifiers",
        "cos(w_k, w_l), k < l: -1/(K-1)",
        -1 / (K - 1),
        GEOMETRY_TOL,
        reference=if_nonzero(PARAMETERS, -1 / (K - 1), "the classifiers are zero"),
        definition="-1/(K-1) for kappa < 1, undefined for kappa >= 1",
        needs=MODEL_NEEDS,
    ),
    Quantity(
        "kappa",
        "threshold variable kappa = K sqrt(n lambda_H lambda_W); the solution is zero iff kappa >= 1",
        KAPPA,
        THRESHOLD_TOL,
        standalone=True,
        ball=closed_form_ball(KAPPA),
    ),
    Quantity(
        "lambda_W_threshold",
        "the lambda_W at which the solution becomes zero (kappa = 1), given K, n, lambda_H: 1/(K^2 n lambda_H)",
        LAMBDA_W_THRESHOLD,
        THRESHOLD_TOL,
        standalone=True,
        ball=closed_form_ball(LAMBDA_W_THRESHOLD),
    ),
)

KEEP = tuple(q.name for q in QUANTITIES)


def solve(values: Mapping[str, Fraction], options: SolveOptions) -> SolveReport:
    """L-BFGS and gradient descent from random starts on (14) (b free), mpmath polish; thresholds from the
    Hessian at W = 0, H = 0 and the minimising b there. Never uses kappa or the closed forms."""
    return solve_one_layer(values, options, "free", KEEP)


def certificate(values: Mapping[str, Fraction], report: SolveReport):
    """The proven enclosure of the minimum at the solve's point: the nuclear-norm dual of the model convex in
    Z = W H (verify.certify.bilinear, kind bilinear_mse); the value can be certified, the geometry stays verified."""
    from verify.certify.bilinear import certify_bilinear

    model = one_layer_model(values, "free")
    return certify_bilinear(model, report.point, "tirer2022.thm3_2", values, ("value",), report.dps)


def parameters():
    """Hypothesis strategy: K in 2..5, n in 1..4, d in K-1..K+2; kappa below 1, above 1, or within 2-10% of the
    tie kappa = 1 (|kappa - 1| >= 2%: at the tie the zero solution is degenerate, quartic, and the polish
    converges only linearly)."""
    from hypothesis import strategies as st

    @st.composite
    def draw(draw):
        values, kappa = draw_model_point(draw)
        K_ = int(values["K"])
        return values | {
            "d": Fraction(draw(st.integers(K_ - 1, K_ + 2))),
        }

    return draw()


CLAIM = Claim(
    id="tirer2022.thm3_2",
    title="MSE unconstrained features with a free bias: b = 1/K and collapse to a simplex ETF",
    statement="For problem (14) (bias optimised, not penalised) with d >= K-1 and kappa = K sqrt(n lambda_H "
    "lambda_W) < 1 every global minimiser has b = 1/K, global feature mean 0, within-class collapse, Hbar^T Hbar = "
    "sqrt(lambda_W/(n lambda_H))(1 - kappa)(I - 11^T/K) (a simplex ETF), W = sqrt(n lambda_H/lambda_W) Hbar^T; the "
    "minimum is ((K-1)/K)(kappa - kappa^2/2). For kappa >= 1 the minimiser is (0, 0, 1/K) with value (K-1)/(2K).",
    source=Source(PAPER, "Section 3.2, Theorem 3.2, Eqs. (14)-(22); Appendix B (Eqs. (45)-(56), Lemma B.1)", SEEDS),
    convention=MSEFeaturesModel.convention + "; free bias (lambda_b = 0)",
    parameters=PARAMETERS,
    hypotheses=HYPOTHESES,
    quantities=QUANTITIES,
    solver=solve,
    solver_description="L-BFGS from options.n_starts standard-normal starts (best value reached by >= 2) and "
    "plain gradient descent (step 0.1) from 2 more, every value found polished by mixed-precision Newton in "
    "mpmath; kappa and the lambda_W threshold from the Hessian at W = 0, H = 0 (with the b minimising there) "
    "assembled by exact differencing",
    strategy=parameters,
    examples=(
        Example({"K": "4", "n": "5", "lambda_W": "0.01", "lambda_H": "0.01", "d": "4"}, "kappa = 0.089"),
        Example({"K": "4", "n": "2", "lambda_W": "1/20", "lambda_H": "1/10", "d": "3"}, "d = K-1, kappa = 0.4"),
        Example({"K": "2", "n": "3", "lambda_W": "1/10", "lambda_H": "1/30", "d": "1"}, "K = 2, d = 1: kappa = 0.2"),
        Example({"K": "3", "n": "2", "lambda_W": "1/2", "lambda_H": "9/100", "d": "4"}, "near the tie: kappa = 0.9"),
        Example({"K": "3", "n": "2", "lambda_W": "1/2", "lambda_H": "1/2", "d": "2"}, "kappa = 2.1 > 1: (0, 0, 1/K)"),
    ),
    domain=tuple(h.statement for h in HYPOTHESES if not h.statement.startswith("K^2")),
    module=__name__,
    certificate=certificate,
    certificate_note="value certified: the model is convex in Z = W H by sqrt(lW lH)||Z||_* = min_{WH=Z}"
    " (lW||W||^2 + lH||H||^2)/2; lo from its dual at Lambda = residual/N, hi = f at the solve's point (kind "
    "bilinear_mse, exact rationals); singular values, norms, cosines and thresholds stay verified",
)
