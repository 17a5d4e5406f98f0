"""Tirer & Bruna 2022, Theorem 3.1: the bias-free regularised MSE UFM collapses to an orthogonal frame.

Statement (seed 003, Section 3.1, Theorem 3.1 and Eqs. (6)-(13); proof in Appendix A with Lemma A.1; the
formulas are reconstructed, ../shared/THEOREMS.md, and derived again in proofs/tirer2022.thm3_1.md): for
problem (5) with d >= K and kappa = K sqrt(n lambda_H lambda_W),

- kappa < 1: every global minimiser has h_{k,i} = hbar_k (within-class collapse), Hbar^T Hbar = rho I_K with
  rho = sqrt(lambda_W/(n lambda_H)) (1 - kappa) (an orthogonal frame; centred, a simplex ETF),
  W = sqrt(n lambda_H/lambda_W) Hbar^T, W W^T = sqrt(n lambda_H/lambda_W)(1 - kappa) I_K, W Hbar = (1 - kappa) I_K;
  the optimal value is kappa - kappa^2/2;
- kappa >= 1: the minimiser is (W, H) = (0, 0) with value 1/2 (at kappa = 1 both descriptions coincide).

Supporting check (Lemma A.1, the scalar core): min over x >= 0 and an angle t of (x cos t - 1)^2/2 + a x is
a - a^2/2 at x = 1 - a, t = 0 when a < 1, and 1/2 at x = 0 otherwise; it is a derivation step of the proof
(proofs/tirer2022.thm3_1.md, step 3) with a = kappa, not a room of its own.
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
        "feature dimension (solve only; no quantity depends on it), d >= K",
        default=lambda v: v["K"],
        default_text="K",
    ),
)
K, n, lambda_W, lambda_H, d = (par.symbol for par in PARAMETERS)
VALUE = sp.Piecewise((KAPPA - KAPPA**2 / 2, KAPPA < 1), (sp.Rational(1, 2), True))

HYPOTHESES = (
    TWO_CLASSES,
    SAMPLES,
    positive("lambda_W"),
    positive("lambda_H"),
    Hypothesis(
        "d >= K",
        lambda v: v["d"] >= v["K"],
        "d",
        "raise d to at least K (an orthogonal frame of K classes needs K dimensions)",
        uses=("d", "K"),
    ),
)


QUANTITIES = (
    Quantity("value", "optimal value of (5)", VALUE, VALUE_TOL),
    Quantity("sigma_W", "the K singular values of W (all equal: W W^T = c I)", SIGMA_W, GEOMETRY_TOL),
    Quantity(
        "sigma_Hbar", "the K singular values of Hbar (all sqrt(rho): Hbar^T Hbar = rho I)", SIGMA_HBAR, GEOMETRY_TOL
    ),
    Quantity("sigma_WHbar", "the K singular values of W Hbar (W Hbar = (1 - kappa) I)", SHRINK, GEOMETRY_TOL),
    Quantity(
        "feature_norm", "||h_{k,i}|| for every sample (within-class collapse: = ||hbar_k||)", SIGMA_HBAR, GEOMETRY_TOL
    ),
    Quantity(
        "global_mean_norm",
        "||h_G||, h_G = (1/K) sum_k hbar_k: sqrt(rho/K), an OF is not centred",
        SIGMA_HBAR / sp.sqrt(K),
        GEOMETRY_TOL,
    ),
    *alignment_quantities(PARAMETERS),
    Quantity(
        "cos_centred_means",
        "cos(hbar_k - h_G, hbar_l - h_G), k < l: the centred OF is a simplex ETF, -1/(K-1)",
        -1 / (K - 1),
        GEOMETRY_TOL,
        reference=if_nonzero(PARAMETERS, -1 / (K - 1), "the class means are zero"),
        definition="-1/(K-1) for kappa < 1 (Eq. (13)), undefined for kappa >= 1",
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
    """L-BFGS and gradient descent from random starts on (5), mpmath polish; thresholds from the Hessian at
    the origin. Never uses kappa or the closed forms."""
    return solve_one_layer(values, options, "none", KEEP)


def certificate(values: Mapping[str, Fraction], report: SolveReport):
    """The proven enclosure of the minimum at the solve's point: the nuclear-norm dual of the model convex in
    Z = W H (verify.certify.bilinear, kind bilinear_mse); the value can be certified, the geometry stays verified."""
    from verify.certify.bilinear import certify_bilinear

    model = one_layer_model(values, "none")
    return certify_bilinear(model, report.point, "tirer2022.thm3_1", values, ("value",), report.dps)


def parameters():
    """Hypothesis strategy: K in 2..5, n in 1..4, d in K..K+2; kappa below 1, above 1, or within 2-10% of the
    tie kappa = 1 (|kappa - 1| >= 2%: at the tie the zero solution is degenerate, quartic, and the polish
    converges only linearly)."""
    from hypothesis import strategies as st

    @st.composite
    def draw(draw):
        values, kappa = draw_model_point(draw)
        K_ = int(values["K"])
        return values | {
            "d": Fraction(draw(st.integers(K_, K_ + 2))),
        }

    return draw()


CLAIM = Claim(
    id="tirer2022.thm3_1",
    title="Bias-free MSE unconstrained features: collapse to an orthogonal frame, zero beyond kappa = 1",
    statement="For problem (5) with d >= K and kappa = K sqrt(n lambda_H lambda_W) < 1 every global minimiser has "
    "within-class collapse, Hbar^T Hbar = sqrt(lambda_W/(n lambda_H))(1 - kappa) I_K (an orthogonal frame), "
    "W = sqrt(n lambda_H/lambda_W) Hbar^T and W Hbar = (1 - kappa) I_K; the minimum is kappa - kappa^2/2. For "
    "kappa >= 1 the minimiser is (0, 0) with value 1/2.",
    source=Source(PAPER, "Section 3.1, Theorem 3.1, Eqs. (5)-(13); Appendix A (Lemma A.1) and A.1", SEEDS),
    convention=MSEFeaturesModel.convention + "; bias-free (b = 0)",
    parameters=PARAMETERS,
    hypotheses=HYPOTHESES,
    quantities=QUANTITIES,
    solver=solve,
    solver_description="L-BFGS from options.n_starts standard-normal starts (best value reached by >= 2) and "
    "plain gradient descent (step 0.1) from 2 more, every value found polished by mixed-precision Newton in "
    "mpmath (stationarity and curvature reported); kappa and the lambda_W threshold from the Hessian at the "
    "origin assembled by exact differencing (sigma_max of the coupling block)",
    strategy=parameters,
    examples=(
        Example(
            {"K": "4", "n": "5", "lambda_W": "0.01", "lambda_H": "0.01", "d": "4"}, "the issue's example: kappa = 0.089"
        ),
        Example({"K": "2", "n": "1", "lambda_W": "1/10", "lambda_H": "1/5", "d": "2"}, "K = d = 2, kappa = 0.28"),
        Example({"K": "3", "n": "3", "lambda_W": "1/50", "lambda_H": "1/40", "d": "5"}, "d > K, kappa = 0.12"),
        Example({"K": "3", "n": "2", "lambda_W": "1/2", "lambda_H": "9/100", "d": "3"}, "near the tie: kappa = 0.9"),
        Example({"K": "3", "n": "2", "lambda_W": "1/2", "lambda_H": "1/2", "d": "3"}, "kappa = 2.1 > 1: zero solution"),
    ),
    domain=tuple(h.statement for h in HYPOTHESES if not h.statement.startswith("K^2")),
    module=__name__,
    certificate=certificate,
    certificate_note="value certified: the model is convex in Z = W H by sqrt(lW lH)||Z||_* = min_{WH=Z}"
    " (lW||W||^2 + lH||H||^2)/2; lo from its dual at Lambda = residual/N, hi = f at the solve's point (kind "
    "bilinear_mse, exact rationals); singular values, norms, cosines and thresholds stay verified",
)
