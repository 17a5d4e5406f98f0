"""Tirer & Bruna 2022, the remark after Theorem 3.2: the regularised-bias case (lambda_b > 0), in closed form.

The seed (Section 3.2, "Remark on the regularized-bias case") only argues: with 0 < lambda_b < infinity "the
global minimizers may have W and H that are neither a simplex ETF nor an OF", and it reports, empirically,
that W stays aligned with Hbar^T and that the centred means Hbar - h_G 1^T form a simplex ETF. Derived in
proofs/tirer2022.remark3_2.md (the problem in (Z = W Hbar, b) is strictly convex after Lemma C.1's
factorisation bound and symmetric under class permutations, so Z = a (I - 11^T/K) + c 11^T/K, b = (t/K) 1):

- a = max(0, 1 - kappa) on the centred directions, exactly as in Theorem 3.2;
- on the mean direction: if kappa < lambda_b/(1 + lambda_b), c = 1 - kappa (1 + lambda_b)/lambda_b > 0 and
  t = kappa/lambda_b (neither an OF, c = a, nor an ETF, c = 0); otherwise c = 0 and t = 1/(1 + lambda_b) (a
  simplex ETF with a shrunk bias);
- W = sqrt(n lambda_H/lambda_W) Hbar^T and the centred means are a simplex ETF in both regimes (the remark's
  empirical observations, now proved); the value is ((K-1)/K) phi(kappa) + q/K with phi of Theorem 3.1 and
  q = kappa - kappa^2 (1 + lambda_b)/(2 lambda_b), resp. lambda_b/(2(1 + lambda_b)).

lambda_b -> infinity gives Theorem 3.1 (c = a), lambda_b -> 0 Theorem 3.2 (c = 0, t = 1).
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
    RATIO,
    SAMPLES,
    SHRINK,
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
    Parameter("lambda_b", "real", "weight decay of the bias: (lambda_b/2)||b||^2"),
    Parameter(
        "d",
        "integer",
        "feature dimension (solve only; no quantity depends on it), d >= K",
        default=lambda v: v["K"],
        default_text="K",
    ),
)
K, n, lambda_W, lambda_H, lambda_b, d = (par.symbol for par in PARAMETERS)
#: kappa below this: the mean direction stays active (c > 0).
KAPPA_MEAN = lambda_b / (1 + lambda_b)
MEAN_ACTIVE = KAPPA < KAPPA_MEAN
C_MEAN = sp.Piecewise((1 - KAPPA * (1 + lambda_b) / lambda_b, MEAN_ACTIVE), (0, True))
T_BIAS = sp.Piecewise((KAPPA / lambda_b, MEAN_ACTIVE), (1 / (1 + lambda_b), True))
PHI = sp.Piecewise((KAPPA - KAPPA**2 / 2, KAPPA < 1), (sp.Rational(1, 2), True))
Q_MEAN = sp.Piecewise(
    (KAPPA - KAPPA**2 * (1 + lambda_b) / (2 * lambda_b), MEAN_ACTIVE), (lambda_b / (2 * (1 + lambda_b)), True)
)
VALUE = (K - 1) / K * PHI + Q_MEAN / K
COS_MEANS = (C_MEAN - SHRINK) / (SHRINK * (K - 1) + C_MEAN)
GLOBAL_MEAN_NORM = sp.sqrt(C_MEAN / (K * RATIO))

HYPOTHESES = (
    TWO_CLASSES,
    SAMPLES,
    positive("lambda_W"),
    positive("lambda_H"),
    positive("lambda_b"),
    Hypothesis(
        "d >= K",
        lambda v: v["d"] >= v["K"],
        "d",
        "raise d to at least K (the class means span the mean direction too when it is active)",
        uses=("d", "K"),
    ),
)


QUANTITIES = (
    Quantity("value", "optimal value of (3) with lambda_b > 0", VALUE, VALUE_TOL),
    Quantity(
        "sigma_WHbar_centred",
        "the K-1 singular values of W Hbar (I - 11^T/K): max(0, 1 - kappa)",
        SHRINK,
        GEOMETRY_TOL,
    ),
    Quantity(
        "sigma_WHbar_mean",
        "||W Hbar 1|| / ||1||: the mean-direction singular value c (0 when kappa >= lambda_b/(1+lambda_b))",
        C_MEAN,
        GEOMETRY_TOL,
    ),
    Quantity(
        "bias", "b_k for every class: t/K (kappa/(K lambda_b), resp. 1/(K(1 + lambda_b)))", T_BIAS / K, GEOMETRY_TOL
    ),
    Quantity("global_mean_norm", "||h_G||: sqrt(c sqrt(lambda_W/(n lambda_H))/K)", GLOBAL_MEAN_NORM, GEOMETRY_TOL),
    Quantity(
        "cos_means",
        "cos(hbar_k, hbar_l), k < l: (c - a)/((K-1) a + c), between the ETF -1/(K-1) and the OF 0",
        COS_MEANS,
        GEOMETRY_TOL,
        reference=if_nonzero(PARAMETERS, COS_MEANS, "the class means are zero"),
        definition="(c - a)/((K-1) a + c) for kappa < 1 (a = 1 - kappa), undefined for kappa >= 1",
        needs=MODEL_NEEDS,
    ),
    Quantity(
        "cos_centred_means",
        "cos(hbar_k - h_G, hbar_l - h_G), k < l: -1/(K-1) (the remark's empirical simplex ETF)",
        -1 / (K - 1),
        GEOMETRY_TOL,
        reference=if_nonzero(PARAMETERS, -1 / (K - 1), "the class means are zero"),
        definition="-1/(K-1) for kappa < 1, undefined for kappa >= 1",
        needs=MODEL_NEEDS,
    ),
    *alignment_quantities(PARAMETERS),
    Quantity(
        "kappa",
        "kappa = K sqrt(n lambda_H lambda_W); the solution is zero (W, H) iff kappa >= 1",
        KAPPA,
        THRESHOLD_TOL,
        standalone=True,
        ball=closed_form_ball(KAPPA),
    ),
    Quantity(
        "lambda_W_threshold",
        "the lambda_W at which W and H become zero (kappa = 1), given K, n, lambda_H: 1/(K^2 n lambda_H)",
        LAMBDA_W_THRESHOLD,
        THRESHOLD_TOL,
        standalone=True,
        ball=closed_form_ball(LAMBDA_W_THRESHOLD),
    ),
)

KEEP = tuple(q.name for q in QUANTITIES)


def solve(values: Mapping[str, Fraction], options: SolveOptions) -> SolveReport:
    """L-BFGS and gradient descent from random starts on (3) with lambda_b > 0, mpmath polish; thresholds from
    the Hessian at W = 0, H = 0 and the minimising b there. Never uses kappa or the closed forms."""
    return solve_one_layer(values, options, "regularised", KEEP)


def certificate(values: Mapping[str, Fraction], report: SolveReport):
    """The proven enclosure of the minimum at the solve's point: the nuclear-norm dual of the model convex in
    Z = W H (verify.certify.bilinear, kind bilinear_mse); the value can be certified, the geometry stays verified."""
    from verify.certify.bilinear import certify_bilinear

    model = one_layer_model(values, "regularised")
    return certify_bilinear(model, report.point, "tirer2022.remark3_2", values, ("value",), report.dps)


def parameters():
    """Hypothesis strategy: K in 2..5, n in 1..4, d in K..K+2, lambda_b in [0.01, 100); kappa below 1, above 1, or within 2-10% of the
    tie kappa = 1 (|kappa - 1| >= 2%: at the tie the zero solution is degenerate, quartic, and the polish
    converges only linearly)."""
    from hypothesis import assume
    from hypothesis import strategies as st

    from verify.authoring.strategies import log_decimals

    @st.composite
    def draw(draw):
        values, kappa = draw_model_point(draw)
        K_ = int(values["K"])
        lam_b = draw(log_decimals(-2, 2))
        # keep kappa 2% away from the mean-direction threshold lambda_b/(1+lambda_b) too
        kb = lam_b / (1 + lam_b)
        assume(abs(kappa / kb - 1) >= Fraction(1, 50))
        return values | {
            "lambda_b": lam_b,
            "d": Fraction(draw(st.integers(K_, K_ + 2))),
        }

    return draw()


CLAIM = Claim(
    id="tirer2022.remark3_2",
    title="Regularised bias (lambda_b > 0): neither OF nor ETF below kappa = lambda_b/(1+lambda_b), centred ETF always",
    statement="For problem (3) with lambda_b > 0, d >= K and kappa = K sqrt(n lambda_H lambda_W) < 1, every global "
    "minimiser has W = sqrt(n lambda_H/lambda_W) Hbar^T, W Hbar = (1 - kappa)(I - 11^T/K) + c 11^T/K with "
    "c = max(0, 1 - kappa(1 + lambda_b)/lambda_b), bias b = (t/K) 1 with t = kappa/lambda_b if c > 0 else "
    "1/(1 + lambda_b), and centred class means forming a simplex ETF; the Gram of the class means is neither an OF "
    "nor an ETF while c > 0. For kappa >= 1: W = 0, H = 0, b = 1/(K(1 + lambda_b)).",
    source=Source(PAPER, "Section 3.2, 'Remark on the regularized-bias case' after Theorem 3.2, Eq. (3)", SEEDS),
    convention=MSEFeaturesModel.convention + "; regularised bias (lambda_b > 0)",
    parameters=PARAMETERS,
    hypotheses=HYPOTHESES,
    quantities=QUANTITIES,
    solver=solve,
    solver_description="L-BFGS from options.n_starts standard-normal starts (best value reached by >= 2) and "
    "plain gradient descent (step 0.1) from 2 more, every value found polished by mixed-precision Newton in "
    "mpmath; kappa and the lambda_W threshold from the Hessian at W = 0, H = 0 (with the b minimising there)",
    strategy=parameters,
    examples=(
        Example(
            {"K": "4", "n": "5", "lambda_W": "0.01", "lambda_H": "0.01", "lambda_b": "1", "d": "4"},
            "kappa = 0.089 < 1/2: mean direction active (neither OF nor ETF)",
        ),
        Example(
            {"K": "3", "n": "2", "lambda_W": "1/20", "lambda_H": "1/10", "lambda_b": "1/10", "d": "3"},
            "kappa = 0.21 > 1/11: centred part only, a simplex ETF with a shrunk bias",
        ),
        Example(
            {"K": "3", "n": "2", "lambda_W": "1/20", "lambda_H": "1/10", "lambda_b": "100", "d": "4"},
            "lambda_b = 100: close to the bias-free OF",
        ),
        Example(
            {"K": "3", "n": "2", "lambda_W": "1/2", "lambda_H": "1/2", "lambda_b": "1", "d": "3"},
            "kappa = 2.1 > 1: W = 0, H = 0, b = 1/(2K)",
        ),
    ),
    domain=tuple(h.statement for h in HYPOTHESES if not h.statement.startswith("K^2")),
    module=__name__,
    certificate=certificate,
    certificate_note="value certified: the model is convex in Z = W H by sqrt(lW lH)||Z||_* = min_{WH=Z}"
    " (lW||W||^2 + lH||H||^2)/2; lo from its dual at Lambda = residual/N, hi = f at the solve's point (kind "
    "bilinear_mse, exact rationals); singular values, norms, cosines and thresholds stay verified",
)
