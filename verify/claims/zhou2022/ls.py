"""Zhou et al. 2022 (NeurIPS): label smoothing in the regularised unconstrained features model.

Statement (THEOREMS-NEXT.md, section D, row ``zhou2022.ls``; the paper proves that the global minimisers
collapse to a simplex ETF for label smoothing, the closed forms are derived in the spec and again in
proofs/zhou2022.ls.md): with smoothing alpha in (0, 1), target q = (1 - alpha) e_y + (alpha/K) 1 and
c = alpha + K sqrt(n lambda_W lambda_H): if c < 1 the minimiser is a simplex ETF with logit gap
t* = log(K/c - (K-1)), value -log(1 - (K-1)c/K) + ((K-1)c/K) log(K/c - K + 1), ||w_k||^2 =
sqrt(n lambda_H/lambda_W) t* (K-1)/K, ||h||^2 = sqrt(lambda_W/(n lambda_H)) t* (K-1)/K, cos(w_k, w_l) = -1/(K-1);
if c >= 1 it is W = H = 0 with value log K. The threshold c = 1 is continuous; the origin's Hessian is singular
at lambda_H = (1 - alpha)^2/(K^2 n lambda_W).
"""

from __future__ import annotations

from fractions import Fraction

import sympy as sp

from verify import authoring as a
from verify.claims.zhou2022 import PAPER
from verify.claims.zhou2022._model import (
    COMMON_HYPOTHESES,
    COMMON_PARAMETERS,
    GEOMETRY_TOL,
    THRESHOLD_TOL,
    VALUE_TOL,
    ZERO_TOL,
    K,
    lambda_W,
    n,
    norms_from_gap,
    s,
)
from verify.models.losses import LabelSmoothing
from verify.record import Undefined

alpha = sp.Symbol("alpha", positive=True)
c = alpha + K * s
below = (alpha + K * s) < 1  # sympy relational, decided exactly at rational points by evaluation
#: the logit gap at the minimiser (root of 1/(e^t + K - 1) = c/K)
GAP = sp.log(K / c - (K - 1))
VALUE = -sp.log(1 - (K - 1) * c / K) + (K - 1) * c / K * sp.log(K / c - K + 1)
NORM_W, NORM_H = norms_from_gap(GAP)
THRESHOLD_LAMBDA_H = (1 - alpha) ** 2 / (K**2 * n * lambda_W)


def certificate(values, report):
    """The proven enclosure of the minimum at the solve's point (the Fenchel dual of the program convex in
    Z = W H with the smoothed targets, kind ufm_softmax); the value can be certified, the geometry stays verified."""
    from verify.certify.ufm import certify_ufm
    from verify.models.ufm import UnconstrainedFeaturesModel

    model = UnconstrainedFeaturesModel(
        (int(values["n"]),) * int(values["K"]),
        int(values["d"]),
        values["lambda_W"],
        values["lambda_H"],
        loss=LabelSmoothing(values["alpha"]),
    )
    return certify_ufm(model, report.point, "zhou2022.ls", values, ("value",), report.dps, alpha=values["alpha"])


def _nonzero(values) -> bool:
    """c < 1 decided exactly: alpha + K sqrt(n lW lH) < 1 iff alpha < 1 and K^2 n lW lH < (1 - alpha)^2."""
    al = values["alpha"]
    return al < 1 and values["K"] ** 2 * values["n"] * values["lambda_W"] * values["lambda_H"] < (1 - al) ** 2


def _cosine(values, dps):
    import mpmath

    if not _nonzero(values):
        return Undefined("W = 0 for alpha + K sqrt(n lambda_W lambda_H) >= 1: no angle")
    return -1 / (mpmath.mpf(int(values["K"])) - 1)


QUANTITIES = [
    a.quantity(
        "value",
        "optimal value: ETF value for c < 1, log K for c >= 1",
        sp.Piecewise((VALUE, below), (sp.log(K), True)),
        VALUE_TOL,
    ),
    a.quantity(
        "logit_gap",
        "z_y - z_c at every sample, every c != y (0 in the zero regime)",
        sp.Piecewise((GAP, below), (0, True)),
        GEOMETRY_TOL,
    ),
    a.quantity("classifier_norm_sq", "||w_k||^2 for every class", sp.Piecewise((NORM_W, below), (0, True)), ZERO_TOL),
    a.quantity("feature_norm_sq", "||h_{k,i}||^2 for every sample", sp.Piecewise((NORM_H, below), (0, True)), ZERO_TOL),
    a.quantity(
        "cosine_classifiers",
        "cos(w_k, w_l), k != l: -1/(K-1) for c < 1, undefined (W = 0) otherwise",
        None,
        GEOMETRY_TOL,
        reference=_cosine,
        needs=("K", "n", "lambda_W", "lambda_H", "alpha"),
        definition="-1/(K-1) where alpha + K sqrt(n lambda_W lambda_H) < 1; Undefined where W = 0",
    ),
    a.quantity(
        "origin_threshold",
        "lambda_H where the origin's Hessian is singular: (1-alpha)^2/(K^2 n lambda_W)",
        THRESHOLD_LAMBDA_H,
        THRESHOLD_TOL,
        needs=("K", "n", "lambda_W", "alpha"),
        standalone=True,
    ),
]

#: c = alpha + K s at the drawn points: both regimes, away from the degenerate c = 1 (a quartic minimum there)
C_DRAWN = ("0.1", "0.3", "0.6", "0.9", "1.1", "1.5")

CLAIM = a.claim(
    id="zhou2022.ls",
    certificate=certificate,
    certificate_note="the value: an Arb enclosure of the global minimum at the solve's point, from the Fenchel dual "
    "of the program convex in Z = W H (kind ufm_softmax, docs/certified.md); the geometry stays verified",
    title="Label smoothing: an ETF with logit gap log(K/c - (K-1)), c = alpha + K sqrt(n lambda_W lambda_H); zero for c >= 1",
    statement="For n_k = n, d >= K-1, no bias and smoothing 0 < alpha < 1, let c = alpha + K sqrt(n lambda_W "
    "lambda_H). If c < 1 every global minimiser is a simplex ETF with logit gap t* = log(K/c - (K-1)), value "
    "-log(1 - (K-1)c/K) + ((K-1)c/K) log(K/c - K + 1) and ||w_k||^2 = sqrt(n lambda_H/lambda_W) t* (K-1)/K; if "
    "c >= 1 the minimiser is W = H = 0 with value log K. The origin's Hessian is singular at lambda_H = "
    "(1-alpha)^2/(K^2 n lambda_W).",
    source=a.Source(PAPER, "label smoothing: NC global (paper); closed forms derived (THEOREMS-NEXT.md D)", ()),
    convention="mean label-smoothed CE (1/N) sum_i -sum_c q_c log softmax(W h_i)_c, q = (1-alpha) e_y + alpha/K, "
    "+ (lambda_W/2)||W||_F^2 + (lambda_H/2)||H||_F^2; balanced, no bias, unconstrained",
    parameters=[*COMMON_PARAMETERS, a.real("alpha", "label-smoothing parameter: target (1-alpha) e_y + alpha/K")],
    hypotheses=[
        *COMMON_HYPOTHESES,
        a.hypothesis("0 < alpha < 1", lambda v: 0 < v["alpha"] < 1, "alpha", "give a smoothing in (0, 1)"),
    ],
    quantities=QUANTITIES,
    solve=a.ufm_solve(
        penalties={"W": "lambda_W", "H": "lambda_H"},
        loss=lambda v: LabelSmoothing(v["alpha"]),
        measure={
            "value": "value",
            "logit_gap": "logit_gap",
            "classifier_norm_sq": "classifier_norm_sq",
            "feature_norm_sq": "feature_norm_sq",
            "cosine_classifiers": "cosine_classifiers",
            "origin_threshold": "zero_threshold",
        },
    ),
    strategy={
        "K": a.integers(2, 4),
        "n": a.integers(1, 2),
        "d": lambda v: a.integers(int(v["K"]) - 1, int(v["K"]) + 1),
        "alpha": a.choice("1/20", "1/10", "3/10", "1/2", "9/10"),
        "lambda_W": a.decimals("0.001", "0.5"),
        "lambda_H": lambda v: a.choice(
            *[
                (Fraction(t) - v["alpha"]) ** 2 / (v["K"] ** 2 * v["n"] * v["lambda_W"])
                for t in C_DRAWN
                if Fraction(t) > v["alpha"]
            ]
        ),
    },
    examples=[
        a.example(
            "the spec's worked example: c = 0.13", K=3, n=2, d=3, lambda_W="1/200", lambda_H="1/100", alpha="1/10"
        ),
        a.example("c = 0.95, d = K - 1", K=4, n=1, d=3, lambda_W="1/10", lambda_H="9/640", alpha="4/5"),
        a.example("c = 1.3: W = H = 0", K=3, n=1, d=3, lambda_W="1/2", lambda_H="1/8", alpha="11/20"),
    ],
)
