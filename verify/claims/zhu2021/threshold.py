"""Zhu et al. 2021 (NeurIPS): where the zero solution takes over (THEOREMS-NEXT.md, section A, rows
``zhu2021.value`` and ``zhu2021.threshold``; derived there and again in proofs/zhu2021.threshold.md, not quoted
from the paper).

With s = sqrt(n lambda_W lambda_H): for K s < 1 the minimum is -log(1 - (K-1)s) + (K-1)s log(1/s - K + 1) at a
nonzero ETF; for K s >= 1 the unique minimiser is W = 0, H = 0 with value log K, for each bias variant. The
transition is continuous (a* -> 0 as K s -> 1-). The (W, H) block of the Hessian of f at the origin has smallest
eigenvalue (lambda_W + lambda_H)/2 - sqrt(((lambda_W - lambda_H)/2)^2 + 1/(K^2 n)): positive definite iff
K s > 1, indefinite iff K s < 1 (the origin is then a strict saddle), singular at lambda_H = 1/(K^2 n lambda_W).
"""

from __future__ import annotations

import sympy as sp

from verify import authoring as a
from verify.claims.zhu2021 import PAPER
from verify.claims.zhu2021._model import (
    CLASSIFIER_NORM_SQ,
    FEATURE_NORM_SQ,
    HYPOTHESES,
    ORIGIN_CURVATURE,
    PARAMETERS,
    THRESHOLD_LAMBDA_H,
    VALUE,
    VALUE_TOL,
    ZERO_TOL,
    K,
    certificate,
    lambda_H,
    lambda_H_for,
    lambda_W,
    n,
    solve,
)

below = K**2 * n * lambda_W * lambda_H < 1

# Both origin quantities come from the Hessian at 0 by central differences at 2 dps + 10 digits (entries
# accurate to 10^-dps absolute), a Schur complement and a symmetric eigenvalue at 2 dps + 10 (authoring/ufm.py).
THRESHOLD_TOL = a.tolerance(
    2,
    "lambda_H from the largest eigenvalue of the origin's Schur complement (an O(1), well-separated eigenvalue): "
    "the Hessian entries are right to 10^-dps, the eigen-solve runs at 2 dps + 10 digits; the rounding to dps "
    "digits and the few operations after (x10): 2 guard digits (measured worst over the pinned and 20 drawn points "
    "at dps 30: 7.3e-32)",
    a.ErrorBudget(0, 1e1, 1),
)
CURVATURE_TOL = a.tolerance(
    5,
    "the smallest eigenvalue mu of the origin's Hessian, whose entries are right to 10^-dps absolute: its relative "
    "error is amplified by ||H|| / |mu|, which grows near the threshold (mu -> 0); measured from the closed form's "
    "mu over the pinned and 40 drawn points (seed 0): at most 5.5e3 (K s = 0.99): 0 + 4 + 1 spare = 5 guard digits "
    "(measured worst error at dps 30: 7.0e-32)",
    a.ErrorBudget(0, 6e3, 1),
)

QUANTITIES = [
    a.quantity(
        "value",
        "optimal value: the ETF value below the threshold, log K above",
        sp.Piecewise((VALUE, below), (sp.log(K), True)),
        VALUE_TOL,
    ),
    a.quantity(
        "classifier_norm_sq",
        "||w_k||^2 (0 above the threshold)",
        sp.Piecewise((CLASSIFIER_NORM_SQ, below), (0, True)),
        ZERO_TOL,
    ),
    a.quantity(
        "feature_norm_sq",
        "||h_{k,i}||^2 (0 above the threshold)",
        sp.Piecewise((FEATURE_NORM_SQ, below), (0, True)),
        ZERO_TOL,
    ),
    a.quantity(
        "origin_threshold",
        "lambda_H at which the origin's Hessian is singular: 1/(K^2 n lambda_W)",
        THRESHOLD_LAMBDA_H,
        THRESHOLD_TOL,
        needs=("K", "n", "lambda_W"),
        standalone=True,
    ),
    a.quantity(
        "origin_curvature",
        "smallest eigenvalue of the (W, H) block of the Hessian of f at 0",
        ORIGIN_CURVATURE,
        CURVATURE_TOL,
        needs=("K", "n", "lambda_W", "lambda_H"),
        standalone=True,
    ),
]

CLAIM = a.claim(
    id="zhu2021.threshold",
    certificate=certificate("zhu2021.threshold"),
    certificate_note="the value: an Arb enclosure of the global minimum at the solve's point, from the Fenchel dual "
    "of the program convex in Z = W H (kind ufm_softmax, docs/certified.md); the geometry stays verified",
    title="Regularised CE: the zero solution takes over at K sqrt(n lambda_W lambda_H) = 1 (continuously)",
    statement="For n_k = n and d >= K-1, with s = sqrt(n lambda_W lambda_H): if K s < 1 the minimum is "
    "-log(1 - (K-1)s) + (K-1)s log(1/s - K + 1) at a nonzero ETF; if K s >= 1 the unique minimiser is W = H = 0 "
    "with value log K; the same for the three bias variants. The Hessian of f at the origin, (W, H) block, has "
    "smallest eigenvalue (lambda_W + lambda_H)/2 - sqrt(((lambda_W - lambda_H)/2)^2 + 1/(K^2 n)): singular exactly "
    "at lambda_H = 1/(K^2 n lambda_W), negative (a strict saddle) below it.",
    source=a.Source(PAPER, "zero regime and threshold: derived (THEOREMS-NEXT.md A, rows value and threshold)", ()),
    convention="mean CE (1/N) + (lambda_W/2)||W||_F^2 + (lambda_H/2)||H||_F^2 (+ (lambda_b/2)||b||^2 for bias 2); "
    "balanced, unconstrained",
    parameters=PARAMETERS,
    hypotheses=HYPOTHESES,
    quantities=QUANTITIES,
    solve=solve(
        {
            "value": "value",
            "classifier_norm_sq": "classifier_norm_sq",
            "feature_norm_sq": "feature_norm_sq",
            "origin_threshold": "zero_threshold",
            "origin_curvature": "origin_curvature",
        }
    ),
    strategy={
        "K": a.integers(2, 4),
        "n": a.integers(1, 2),
        "d": lambda v: a.integers(int(v["K"]) - 1, int(v["K"]) + 1),
        "bias": a.choice(0, 1, 2),
        "lambda_W": a.decimals("0.01", "0.5"),
        "lambda_H": lambda_H_for(["0.3", "0.8", "0.95", "1.05", "1.3", "3"]),
    },
    examples=[
        a.example(
            "K s = 0.99, no bias: nonzero just below", K=3, n=1, d=3, lambda_W="33/100", lambda_H="33/100", bias=0
        ),
        a.example(
            "K s = 1.01, penalised bias: zero just above the threshold",
            K=3,
            n=2,
            d=3,
            lambda_W="1/10",
            lambda_H="10201/180000",
        ),
        a.example("K s = 2, free bias, d = K - 1", K=4, n=1, d=3, lambda_W="1/2", lambda_H="1/2", bias=1),
    ],
)
