"""Zhu et al. 2021 (NeurIPS), Theorem 3.1 (number unconfirmed): the global minimisers of the regularised
cross-entropy model are simplex ETFs, with the closed-form scale and value.

Statement (THEOREMS-NEXT.md, section A, rows ``zhu2021.thm3_1``, ``zhu2021.scale`` and ``zhu2021.value``;
the paper states the ETF structure, the scale and the value are derived there and again in
proofs/zhu2021.thm3_1.md): balanced classes, d >= K - 1, s = sqrt(n lambda_W lambda_H), K s < 1. Every global
minimiser has equal ||w_k||, h_{k,i} = sqrt(lambda_W/(n lambda_H)) w_k (within-class collapse), W W^T
proportional to P = I - 11^T/K (rows summing to zero, pairwise cosines -1/(K-1)), logit gap
a* = log(1/s - (K - 1)) at every sample, ||w_k||^2 = sqrt(n lambda_H/lambda_W) a* (K-1)/K,
||h||^2 = sqrt(lambda_W/(n lambda_H)) a* (K-1)/K, b constant (0 when penalised), and the value
-log(1 - (K-1)s) + (K-1)s log(1/s - K + 1), the same for the three bias variants.
"""

from __future__ import annotations

from verify import authoring as a
from verify.claims.zhu2021 import PAPER
from verify.claims.zhu2021._model import (
    BELOW,
    CLASSIFIER_NORM_SQ,
    FEATURE_NORM_SQ,
    GAP,
    GEOMETRY_TOL,
    HYPOTHESES,
    PARAMETERS,
    RATIO,
    VALUE,
    VALUE_TOL,
    K,
    certificate,
    lambda_H_for,
    solve,
)

QUANTITIES = [
    a.quantity("value", "optimal value (the same for the three bias variants)", VALUE, VALUE_TOL),
    a.quantity("logit_gap", "z_y - z_c at every sample, every c != y (bias included)", GAP, GEOMETRY_TOL),
    a.quantity("classifier_norm_sq", "||w_k||^2 for every class", CLASSIFIER_NORM_SQ, GEOMETRY_TOL),
    a.quantity("feature_norm_sq", "||h_{k,i}||^2 for every sample", FEATURE_NORM_SQ, GEOMETRY_TOL),
    a.quantity("cosine_classifiers", "cos(w_k, w_l), k != l", -1 / (K - 1), GEOMETRY_TOL),
    a.quantity("cosine", "cos(hbar_k, hbar_l) of the class means, k != l", -1 / (K - 1), GEOMETRY_TOL),
    a.quantity("cos_feature_classifier", "cos(h_{k,i}, w_k): h aligned with its classifier", 1, GEOMETRY_TOL),
    a.quantity("C", "||h_{k,i}|| / ||w_k|| = sqrt(lambda_W/(n lambda_H))", RATIO, GEOMETRY_TOL),
]

CLAIM = a.claim(
    id="zhu2021.thm3_1",
    certificate=certificate("zhu2021.thm3_1"),
    certificate_note="the value: an Arb enclosure of the global minimum at the solve's point, from the Fenchel dual "
    "of the program convex in Z = W H (kind ufm_softmax, docs/certified.md); the geometry stays verified",
    title="Regularised CE with or without a bias: simplex-ETF global minimisers, closed-form scale and value",
    statement="For n_k = n, d >= K-1 and K sqrt(n lambda_W lambda_H) < 1, every global minimiser of the "
    "regularised CE model (no bias, free bias or penalised bias) is a simplex ETF: equal ||w_k||, "
    "h_{k,i} = sqrt(lambda_W/(n lambda_H)) w_k, W W^T proportional to I - 11^T/K, b = beta 1 (0 if penalised); "
    "the logit gap is a* = log(1/s - (K-1)) with s = sqrt(n lambda_W lambda_H), ||w_k||^2 = sqrt(n lambda_H/"
    "lambda_W) a* (K-1)/K, and the minimum is -log(1 - (K-1)s) + (K-1) s log(1/s - K + 1).",
    source=a.Source(PAPER, "Theorem 3.1 (R: number unconfirmed); scale and value derived (THEOREMS-NEXT.md A)", ()),
    convention="mean CE (1/N) sum_i CE(W h_i + b, y_i) + (lambda_W/2)||W||_F^2 + (lambda_H/2)||H||_F^2 "
    "+ (lambda_b/2)||b||^2 (bias 2), b free (bias 1) or absent (bias 0); balanced, unconstrained",
    parameters=PARAMETERS,
    hypotheses=[*HYPOTHESES, BELOW],
    quantities=QUANTITIES,
    solve=solve([q.name for q in QUANTITIES]),
    strategy={
        "K": a.integers(2, 4),
        "n": a.integers(1, 2),
        "d": lambda v: a.integers(int(v["K"]) - 1, int(v["K"]) + 1),
        "bias": a.choice(0, 1, 2),
        "lambda_W": a.decimals("0.001", "0.5"),
        "lambda_H": lambda_H_for(["0.03", "0.1", "0.3", "0.6", "0.9", "0.97"]),
    },
    examples=[
        a.example(
            "the spec's worked example (s = 0.01), penalised bias", K=3, n=2, d=3, lambda_W="1/200", lambda_H="1/100"
        ),
        a.example("d = K - 1, free bias", K=4, n=1, d=3, lambda_W="1/10", lambda_H="1/20", bias=1),
        a.example(
            "no bias, K s = 0.99 (just below the threshold)",
            K=3,
            n=1,
            d=3,
            lambda_W="33/100",
            lambda_H="33/100",
            bias=0,
        ),
    ],
)
