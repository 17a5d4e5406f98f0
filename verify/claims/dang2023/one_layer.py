"""Dang et al. 2023 (ICML), the one-layer imbalanced MSE model, bias-free: singular-value thresholding of Y.

Program (THEOREMS-NEXT.md family B, M = 1; reconstructed, the paper is not among the seeds):

    f(W, H) = 1/(2N) ||W H - Y||_F^2 + (lambda_W/2)||W||_F^2 + (lambda_H/2)||H||_F^2,   d >= K, any n_k.

With rho = sqrt(lambda_W lambda_H), the logit matrix Z = W H is Y's singular-value thresholding at N rho: on class k
(singular value sqrt(n_k) of Y, singular vectors e_k and 1_k/sqrt(n_k)) it keeps z_k = max(sqrt(n_k) - N rho, 0).
Hence W W^T = sqrt(lambda_H/lambda_W) diag(z_k) (orthogonal classifiers), within-class collapse, orthogonal means
with ||hbar_k||^2 = sqrt(lambda_W/lambda_H) z_k/n_k, the own-class prediction 1 - N rho/sqrt(n_k), and the value
sum_k (sqrt(n_k) - z_k)^2/(2N) + rho z_k. Class k collapses (w_k = 0, h_{k,i} = 0) iff n_k <= N^2 lambda_W
lambda_H (spec ids dang2023.M1 and dang2023.M1_collapse; derivation: proofs/dang2023.one_layer.md).
"""

from __future__ import annotations

import sympy as sp

from verify import authoring as a
from verify.claims.dang2023 import PAPER
from verify.claims.dang2023._tolerances import ALIVE_TOL, geometry_tolerance

lam_W, lam_H = sp.symbols("lambda_W lambda_H", positive=True)
rho = sp.sqrt(lam_W * lam_H)
#: class k lives iff n_k > N^2 lambda_W lambda_H (squares: decided exactly on rationals)
ALIVE = a.n_k > a.N**2 * lam_W * lam_H
#: the singular value of Z = W H on class k: Y's singular value sqrt(n_k), soft-thresholded at N rho
Z_K = sp.Piecewise((sp.sqrt(a.n_k) - a.N * rho, ALIVE), (0, True))
VALUE_TERM = (sp.sqrt(a.n_k) - Z_K) ** 2 / (2 * a.N) + rho * Z_K

# Budgets (issue 18; tests/test_tolerances.py): kkt_stationarity is the refinement's stopping target 10^-(dps-5)
# (measured <= 1.9e-30 at dps 30); kkt_condition measured over the pinned and 20 + 60 drawn points (seed 0, dps 30):
# at most 85; worst geometry error 1.2e-30 against 1e-22 (the tolerance was 10 guard digits, tightened to 8).
VALUE_TOL = a.tolerance(
    8,
    "the refinement stops at a relative gradient 10^-(dps-5); the value is first-order insensitive to the point's "
    "error and a sum of O(K N d) terms rounded at dps digits: 8 guard digits",
    a.ErrorBudget(5, 1e2, 1, residuals=("kkt_stationarity",)),
)
GEOMETRY_TOL = geometry_tolerance(85)


def _away_from_threshold(v) -> bool:
    """Drawn points stay >= 2% from every class's collapse threshold (the Hessian is singular there)."""
    t = sum(v["n"]) ** 2 * v["lambda_W"] * v["lambda_H"]
    return all(abs(nk - t) > t / 50 for nk in v["n"])


PARAMETERS = [
    a.class_sizes("n"),
    a.real("lambda_W", "classifier weight decay: (lambda_W/2)||W||_F^2"),
    a.real("lambda_H", "feature weight decay: (lambda_H/2)||H||_F^2"),
    a.integer("d", "feature dimension of the solve (d >= K; no quantity depends on it)",
              default=lambda v: len(v["n"]), default_text="K"),
]  # fmt: skip
HYPOTHESES = [
    a.hypothesis("K >= 2", lambda v: len(v["n"]) >= 2, "n", "give at least two class sizes, e.g. n=6,3,2,1", ("n",)),
    a.hypothesis("n_k >= 1", lambda v: min(v["n"]) >= 1, "n", "every class needs a sample (n_k >= 1)", ("n",)),
    a.hypothesis("lambda_W > 0", lambda v: v["lambda_W"] > 0, "lambda_W", "give a positive weight decay"),
    a.hypothesis("lambda_H > 0", lambda v: v["lambda_H"] > 0, "lambda_H", "give a positive weight decay"),
    a.hypothesis("d >= K", lambda v: v["d"] >= len(v["n"]), "d", "raise d to K = len(n) or more (or omit d)",
                 ("d", "n")),
]  # fmt: skip

QUANTITIES = [
    a.per_class("z", "singular value of the logits W H on class k", Z_K, GEOMETRY_TOL),
    a.per_class("alive", "1 if class k lives (w_k != 0), 0 if it collapses", sp.Piecewise((1, ALIVE), (0, True)),
                ALIVE_TOL, definition="1 iff n_k > N^2 lambda_W lambda_H"),
    a.class_gram("gram_W", "w_k . w_l (orthogonal classifiers)", sp.sqrt(lam_H / lam_W) * Z_K, GEOMETRY_TOL,
                 definition="sqrt(lambda_H/lambda_W) diag(z_k)"),
    a.class_gram("gram_means", "hbar_k . hbar_l (orthogonal class means)", sp.sqrt(lam_W / lam_H) * Z_K / a.n_k,
                 GEOMETRY_TOL, definition="sqrt(lambda_W/lambda_H) diag(z_k/n_k)"),
    a.per_class("own_prediction", "w_k . hbar_k, the own-class logit", sp.Piecewise((Z_K / sp.sqrt(a.n_k), ALIVE),
                (0, True)), GEOMETRY_TOL, definition="1 - N rho/sqrt(n_k) if class k lives, else 0"),
    a.per_class("feature_norm_sq", "||h_{k,i}||^2 for every sample of class k: all equal to ||hbar_k||^2 (with "
                "gram_means, within-class collapse)", sp.sqrt(lam_W / lam_H) * Z_K / a.n_k, GEOMETRY_TOL),
    a.summed("value", "optimal value", VALUE_TERM, VALUE_TOL,
             definition="sum_k (sqrt(n_k) - z_k)^2/(2N) + sqrt(lambda_W lambda_H) z_k"),
]  # fmt: skip


def certificate(values, report):
    """The proven enclosure of the minimum at the solve's point (verify.certify.families, kind bilinear_mse with
    class sizes): the program is convex in Z = W H by sqrt(lW lH)||Z||_* = min_{WH = Z}; the dual point is the
    residual (W H - Y)/N. Never reads the closed form."""
    from fractions import Fraction

    from verify.certify.families import certify_one_layer_mse
    from verify.models.linear_chain import LinearChainMSE

    model = LinearChainMSE(
        tuple(int(n) for n in values["n"]), (int(values["d"]),), (Fraction(values["lambda_W"]),),
        Fraction(values["lambda_H"]),
    )  # fmt: skip
    return certify_one_layer_mse(model, report.point, "dang2023.one_layer", values, ("value",), report.dps)


CLAIM = a.claim(
    id="dang2023.one_layer",
    title="Imbalanced MSE, one layer: singular-value thresholding of Y at N sqrt(lambda_W lambda_H); "
    "class k collapses iff n_k <= N^2 lambda_W lambda_H",
    statement="For classes of any sizes n_k and d >= K, every global minimiser of 1/(2N)||W H - Y||^2 + "
    "(lambda_W/2)||W||^2 + (lambda_H/2)||H||^2 has logits W H with singular value z_k = max(sqrt(n_k) - N rho, 0) "
    "on class k (rho = sqrt(lambda_W lambda_H)), W W^T = sqrt(lambda_H/lambda_W) diag(z_k), within-class collapse, "
    "orthogonal class means with ||hbar_k||^2 = sqrt(lambda_W/lambda_H) z_k/n_k, own-class logit 1 - N rho/sqrt(n_k) "
    "and value sum_k (sqrt(n_k) - z_k)^2/(2N) + rho z_k; class k collapses iff n_k <= N^2 lambda_W lambda_H "
    "(all classes, value 1/2, iff max n_k <= N^2 lambda_W lambda_H).",
    source=a.Source(
        PAPER,
        "bias-free imbalanced MSE, one layer (THEOREMS-NEXT.md B: dang2023.M1, M1_collapse; "
        "reconstructed, theorem number unconfirmed)",
        (),
    ),
    convention="mean squared loss 1/(2N)||W H - Y||_F^2, penalties (lambda/2)||.||_F^2 (sums, not means), no bias; "
    "Y one-hot K x N, samples class by class",
    parameters=PARAMETERS,
    hypotheses=HYPOTHESES,
    quantities=QUANTITIES,
    solve=a.linear_chain_solve(
        layers=["lambda_W"],
        features="lambda_H",
        measure={
            "z": "class_singular_value",
            "alive": "alive",
            "gram_W": "gram_classifier",
            "gram_means": "gram_means",
            "own_prediction": "own_prediction",
            "feature_norm_sq": "feature_norm_sq",
            "value": "value",
        },
    ),
    strategy=lambda: a.draws(
        {
            "n": a.vectors(a.integers(1, 5), 2, 4),
            "lambda_W": a.decimals("0.005", "0.2"),
            "lambda_H": a.decimals("0.005", "0.2"),
        },
        params=PARAMETERS,
        hypotheses=HYPOTHESES,
    )().filter(_away_from_threshold),  # fmt: skip
    examples=[
        a.example(
            "THEOREMS-NEXT.md worked example: class 4 collapses (1 <= 1.44)",
            n="6,3,2,1",
            lambda_W="1/10",
            lambda_H="1/10",
        ),
        a.example("two classes, both alive, unequal decays", n="5,2", lambda_W="1/50", lambda_H="1/20"),
        a.example("every class collapses: value 1/2", n="3,3,3", lambda_W="1/5", lambda_H="1/5"),
    ],  # fmt: skip
    certificate=certificate,
    certificate_note="value certified: convex in Z = W H (nuclear-norm identity); lo from the dual at Lambda = "
    "residual/N, hi = f at the solve's point (kind bilinear_mse with class sizes, exact rationals); singular "
    "values, Gram entries and the threshold stay verified",
)
