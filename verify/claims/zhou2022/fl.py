"""Zhou et al. 2022 (NeurIPS): focal loss in the regularised unconstrained features model; the scale is the root
of a stated equation, and the origin's stability edge is kappa = (1 - 1/K)^gamma (1 + gamma log K/(K-1)).

Statement (THEOREMS-NEXT.md, section D, rows ``zhou2022.fl_scalar`` and ``zhou2022.fl_zero_stability``;
derived there and again in proofs/zhou2022.fl.md): assuming the neural-collapse form the paper proves for focal
loss, the logit gap a* minimises g(a) = -(1-q)^gamma log q + (K-1) s a with q = 1/(1 + (K-1)e^{-a}),
s = sqrt(n lambda_W lambda_H); stationarity reads phi(q) = (1-q)^gamma (1 - q - gamma q log q) = (K-1) s, whose
root in (1/K, 1) exists iff K s < kappa. Where phi decreases on [1/K, 1) (checked at each point: the spec found it
for K <= 10; it fails for large K, where the transition is first order, see the exploration) g is convex, the
root is the global scale, and the origin turns from strict saddle into strict local minimum at K s = kappa.
The norms follow from a* as in zhu2021.thm3_1.
"""

from __future__ import annotations

import functools
from fractions import Fraction

import mpmath
import sympy as sp

from verify import authoring as a
from verify.claims.zhou2022 import PAPER
from verify.claims.zhou2022._census import census
from verify.claims.zhou2022._first_order import first_order
from verify.claims.zhou2022._model import (
    COMMON_HYPOTHESES,
    COMMON_PARAMETERS,
    GEOMETRY_TOL,
    THRESHOLD_TOL,
    VALUE_TOL,
    K,
    lambda_H_for,
    lambda_W,
    n,
    norms_from_gap,
    s,
)
from verify.models.softmax_losses import FOCAL

gamma = sp.Symbol("gamma", positive=True)
q = sp.Symbol("q", positive=True)  # the own-class probability at the ETF logits
#: phi(q): (K-1) s at a stationary point (proofs/zhou2022.fl.md, Step 2)
PHI = (1 - q) ** gamma * (1 - q - gamma * q * sp.log(q))
EQUATION = PHI - (K - 1) * s
GAP_OF_Q = sp.log((K - 1) * q / (1 - q))
VALUE_OF_Q = -((1 - q) ** gamma) * sp.log(q) + (K - 1) * s * GAP_OF_Q
NORM_W, NORM_H = norms_from_gap(GAP_OF_Q)
KAPPA = (1 - 1 / K) ** gamma * (1 + gamma * sp.log(K) / (K - 1))
THRESHOLD_LAMBDA_H = KAPPA**2 / (K**2 * n * lambda_W)

ROOT_TOL = a.tolerance(
    10,
    "the reference is the root at dps + 15 digits; the solve's point carries its forward error "
    "(residual 10^-(dps-5) x condition, measured at most 3.4e3 on the pinned and 20 drawn points): 5 + 4 + 1 "
    "spare = 10 guard digits",
    a.ErrorBudget(5, 3.5e3, 1, residuals=("kkt_stationarity",), condition=("kkt_condition",)),
)


def _root(name, description, then, tol):
    return a.root(name, description, equation=EQUATION, unknown=q, bracket=(1 / K, 1), then=then, tol=tol)


@functools.lru_cache(maxsize=256)
def phi_decreasing(K_: int, gamma_: Fraction, points: int = 400) -> bool:
    """phi'(q) < 0 on a 400-point grid of [1/K, 1) at 30 digits (sampled, not proved: the claim's hypothesis
    says so)."""
    dphi = sp.lambdify(
        q, sp.diff(PHI, q).subs({K: K_, gamma: sp.Rational(gamma_.numerator, gamma_.denominator)}), "mpmath"
    )
    with mpmath.workdps(30):
        lo = mpmath.mpf(1) / K_
        return all(dphi(lo + (1 - lo) * mpmath.mpf(i) / (points + 1)) < 0 for i in range(points + 1))


def _below_kappa(v) -> bool:
    """(K s)^2 = K^2 n lambda_W lambda_H (exact) against kappa^2 at 40 digits (kappa is transcendental)."""
    from verify.models.arith import to_mpf

    with mpmath.workdps(40):
        K_, g_ = int(v["K"]), to_mpf(v["gamma"])
        kappa = (1 - mpmath.mpf(1) / K_) ** g_ * (1 + g_ * mpmath.log(K_) / (K_ - 1))
        return bool(to_mpf(v["K"] ** 2 * v["n"] * v["lambda_W"] * v["lambda_H"]) < kappa**2)


QUANTITIES = [
    _root("value", "optimal value g(a*) (the scalar reduction at the root)", VALUE_OF_Q, VALUE_TOL),
    _root("logit_gap", "z_y - z_c at every sample: a* = log((K-1) q*/(1-q*))", GAP_OF_Q, ROOT_TOL),
    _root("classifier_norm_sq", "||w_k||^2 = sqrt(n lambda_H/lambda_W) a* (K-1)/K", NORM_W, ROOT_TOL),
    _root("feature_norm_sq", "||h_{k,i}||^2 = sqrt(lambda_W/(n lambda_H)) a* (K-1)/K", NORM_H, ROOT_TOL),
    a.quantity("cosine_classifiers", "cos(w_k, w_l), k != l", -1 / (K - 1), GEOMETRY_TOL),
    a.quantity("cosine", "cos(hbar_k, hbar_l), k != l", -1 / (K - 1), GEOMETRY_TOL),
    a.quantity(
        "origin_threshold",
        "lambda_H where the origin's Hessian is singular: kappa^2/(K^2 n lambda_W)",
        THRESHOLD_LAMBDA_H,
        THRESHOLD_TOL,
        needs=("K", "n", "lambda_W", "gamma"),
        standalone=True,
    ),
]

CLAIM = a.claim(
    id="zhou2022.fl",
    certificate_note="none: focal loss is not convex in the logits, so the convex program in Z = W H that certifies "
    "zhu2021 and zhou2022.ls does not exist here",
    title="Focal loss: the ETF scale is the root of phi(q) = (K-1)s; the origin is stable beyond K s = kappa",
    statement="For n_k = n, d >= K-1, no bias, focal parameter gamma > 0, s = sqrt(n lambda_W lambda_H) and phi "
    "decreasing on [1/K, 1): if K s < kappa = (1-1/K)^gamma (1 + gamma log K/(K-1)), the global minimiser is a "
    "simplex ETF whose own-class probability q* is the root in (1/K, 1) of (1-q)^gamma (1 - q - gamma q log q) "
    "= (K-1) s, with logit gap a* = log((K-1) q*/(1-q*)), value -(1-q*)^gamma log q* + (K-1) s a* and the norms of "
    "zhu2021.thm3_1 at a*; the origin's Hessian is singular at lambda_H = kappa^2/(K^2 n lambda_W).",
    source=a.Source(
        PAPER, "focal loss: NC global (paper); scalar reduction and kappa derived (THEOREMS-NEXT.md D)", ()
    ),
    convention="mean focal loss (1/N) sum_i -(1 - p_{y_i})^gamma log p_{y_i}, p = softmax(W h_i), "
    "+ (lambda_W/2)||W||_F^2 + (lambda_H/2)||H||_F^2; balanced, no bias, unconstrained",
    parameters=[*COMMON_PARAMETERS, a.real("gamma", "focal parameter: loss -(1-p_y)^gamma log p_y")],
    hypotheses=[
        *COMMON_HYPOTHESES,
        a.hypothesis("gamma > 0", lambda v: v["gamma"] > 0, "gamma", "give a positive focal parameter"),
        a.hypothesis(
            "phi(q) = (1-q)^gamma (1 - q - gamma q log q) decreasing on [1/K, 1) (400-point grid)",
            lambda v: phi_decreasing(int(v["K"]), Fraction(v["gamma"])),
            "K",
            "use fewer classes or a smaller gamma (phi is not monotone for K = 20, gamma = 2; K = 50, gamma >= 1): "
            "the transition is then first order and the root need not be the global scale",
            uses=("gamma",),
        ),
        a.hypothesis(
            "K sqrt(n lambda_W lambda_H) < kappa",
            _below_kappa,
            "lambda_H",
            "lower lambda_W lambda_H below kappa^2/(K^2 n) (above it W = H = 0 is the minimiser)",
            uses=("K", "n", "lambda_W", "gamma"),
        ),
    ],
    quantities=QUANTITIES,
    solve=a.ufm_solve(
        penalties={"W": "lambda_W", "H": "lambda_H"},
        loss=FOCAL,
        measure={
            "value": "value",
            "logit_gap": "logit_gap",
            "classifier_norm_sq": "classifier_norm_sq",
            "feature_norm_sq": "feature_norm_sq",
            "cosine_classifiers": "cosine_classifiers",
            "cosine": "cosine",
            "origin_threshold": "zero_threshold",
        },
    ),
    strategy={
        "K": a.integers(2, 4),
        "n": a.integers(1, 2),
        "d": lambda v: a.integers(int(v["K"]) - 1, int(v["K"]) + 1),
        "gamma": a.choice("1/2", "1", "2", "5"),
        "lambda_W": a.decimals("0.001", "0.5"),
        "lambda_H": lambda_H_for(["0.03", "0.1", "0.3", "0.5", "0.7"]),
    },
    explorations=[
        a.Exploration(
            claim_id="zhou2022.fl",
            label="exploration",
            title="Large K: phi not monotone, a first-order transition (scalar reduction)",
            question="Where phi is not decreasing (K = 20, 50, 100), how far apart are the origin's stability edge "
            "kappa, the K s where the NC value equals g(0), and the K s where the nonzero branch disappears?",
            run=first_order,
        ),
        a.Exploration(
            claim_id="zhou2022.fl",
            label="exploration",
            title="Census of where random starts end on the original focal-loss program (small K)",
            question="The scalar reduction assumes the NC form; do L-BFGS and gradient descent on the full program "
            "reach any other local minimum for K = 3, 4?",
            run=census,
        ),
    ],
    examples=[
        a.example("the spec's worked example, gamma = 2", K=3, n=2, d=3, lambda_W="1/200", lambda_H="1/100", gamma=2),
        a.example(
            "K s = 0.85 < kappa = 0.9327 (gamma = 2), d = K - 1",
            K=3,
            n=1,
            d=2,
            lambda_W="17/60",
            lambda_H="17/60",
            gamma=2,
        ),
        a.example("gamma = 5, K = 4, d = K", K=4, n=1, d=4, lambda_W="1/10", lambda_H="1/40", gamma=5),
    ],
)
