"""Dang et al. 2023 (ICML), the deep linear imbalanced MSE model (M = 2 weight layers), bias-free.

Program (THEOREMS-NEXT.md family B, M = 2; reconstructed, the paper is not among the seeds):

    f(W_2, W_1, H) = 1/(2N)||W_2 W_1 H - Y||_F^2 + (l_2/2)||W_2||^2 + (l_1/2)||W_1||^2 + (l_H/2)||H||^2,  d >= K.

With c = (l_1 l_2 l_H)^(1/3), y_k = sqrt(n_k) and u_k the largest positive root of u^4 - y_k u + N c = 0: class k
lives at the global minimum iff n_k > 4T, T = N^(3/2) sqrt(l_1 l_2 l_H) (equivalently u_k^3 > y_k/2); then the
singular value of W_2 W_1 H on class k is u_k^3, W_2 W_2^T = (c/l_2) diag(u_k^2), (W_2 W_1)(W_2 W_1)^T =
(c^2/(l_1 l_2)) diag(u_k^4), ||hbar_k||^2 = (c/l_H) u_k^2/n_k, and the value is
sum_k [n_k + 1{alive}(u_k^3 y_k - 2 u_k^6)]/(2N). A root exists iff n_k >= (16/(3 sqrt 3)) T: for
(16/(3 sqrt 3)) T <= n_k <= 4T the nonzero point is only a local minimum and the zero point wins (spec ids
dang2023.M2_root and dang2023.M2_threshold; derivation: proofs/dang2023.deep.md). u_k is a root-defined quantity,
computed by a bracketed solve (verify.authoring.root_of).
"""

from __future__ import annotations

import sympy as sp

from verify import authoring as a
from verify.claims.dang2023 import PAPER
from verify.claims.dang2023._tolerances import ALIVE_TOL, geometry_tolerance

lam_1, lam_2, lam_H = sp.symbols("lambda_1 lambda_2 lambda_H", positive=True)
u = sp.Symbol("u", positive=True)
c = (lam_1 * lam_2 * lam_H) ** sp.Rational(1, 3)
y = sp.sqrt(a.n_k)
T = a.N ** sp.Rational(3, 2) * sp.sqrt(lam_1 * lam_2 * lam_H)
#: u_k: the largest root of u^4 - y_k u + N c, bracketed between the minimum of the left side, (y_k/4)^(1/3), and
#: y_k^(1/3), where the left side is N c > 0 (proofs/dang2023.deep.md, step 3)
U_K = a.root_of(u**4 - y * u + a.N * c, u, ((y / 4) ** sp.Rational(1, 3), y ** sp.Rational(1, 3)),
                "largest positive root of u^4 - sqrt(n_k) u + N c = 0")  # fmt: skip
#: class k lives at the global minimum iff n_k > 4T, i.e. n_k^2 > 16 N^3 l_1 l_2 l_H (exact on rationals)
ALIVE = a.n_k**2 > 16 * a.N**3 * lam_1 * lam_2 * lam_H
#: a positive root exists iff n_k >= (16/(3 sqrt 3)) T, i.e. 27 n_k^2 >= 256 N^3 l_1 l_2 l_H
ROOT_EXISTS = 27 * a.n_k**2 >= 256 * a.N**3 * lam_1 * lam_2 * lam_H
ROOTS = {u: U_K}


def alive(expr):
    return sp.Piecewise((expr, ALIVE), (0, True))


VALUE_TERM = (a.n_k + alive(u**3 * y - 2 * u**6)) / (2 * a.N)

# Budgets (issue 18; tests/test_tolerances.py): kkt_stationarity is the refinement's stopping target 10^-(dps-5)
# (measured <= 1.9e-30 at dps 30); kkt_condition measured over the pinned and 20 + 60 drawn points (seed 0, dps 30):
# at most 35; worst geometry error 1.2e-30 against 1e-22 (the tolerance was 10 guard digits, tightened to 8).
VALUE_TOL = a.tolerance(
    8,
    "the refinement stops at a relative gradient 10^-(dps-5); the value is first-order insensitive to the point's "
    "error, a sum of O(K N d^2) terms at dps digits; the root u_k is solved at dps+15: 8 guard digits",
    a.ErrorBudget(5, 1e2, 1, residuals=("kkt_stationarity",)),
)
GEOMETRY_TOL = geometry_tolerance(35)


def _away_from_thresholds(v) -> bool:
    """Drawn points keep n_k^2 >= 5% from 16 N^3 l_1 l_2 l_H and from (256/27) N^3 l_1 l_2 l_H: near n_k = 4T two
    minima tie (the multistart cannot tell which is global), near the root threshold a minimum is degenerate."""
    t = sum(v["n"]) ** 3 * v["lambda_1"] * v["lambda_2"] * v["lambda_H"]
    return all(abs(nk**2 - 16 * t) > 16 * t / 20 and abs(27 * nk**2 - 256 * t) > 256 * t / 20 for nk in v["n"])


PARAMETERS = [
    a.class_sizes("n"),
    a.real("lambda_1", "weight decay of W_1 (next to H): (lambda_1/2)||W_1||_F^2"),
    a.real("lambda_2", "weight decay of W_2 (the classifier): (lambda_2/2)||W_2||_F^2"),
    a.real("lambda_H", "feature weight decay: (lambda_H/2)||H||_F^2"),
    a.integer("d", "width of H and of W_1's output (d >= K; no quantity depends on it)",
              default=lambda v: len(v["n"]), default_text="K"),
]  # fmt: skip
HYPOTHESES = [
    a.hypothesis("K >= 2", lambda v: len(v["n"]) >= 2, "n", "give at least two class sizes, e.g. n=6,3,2,1", ("n",)),
    a.hypothesis("n_k >= 1", lambda v: min(v["n"]) >= 1, "n", "every class needs a sample (n_k >= 1)", ("n",)),
    a.hypothesis("lambda_1 > 0", lambda v: v["lambda_1"] > 0, "lambda_1", "give a positive weight decay"),
    a.hypothesis("lambda_2 > 0", lambda v: v["lambda_2"] > 0, "lambda_2", "give a positive weight decay"),
    a.hypothesis("lambda_H > 0", lambda v: v["lambda_H"] > 0, "lambda_H", "give a positive weight decay"),
    a.hypothesis("d >= K", lambda v: v["d"] >= len(v["n"]), "d", "raise d to K = len(n) or more (or omit d)",
                 ("d", "n")),
]  # fmt: skip

QUANTITIES = [
    a.per_class("z", "singular value of W_2 W_1 H on class k", alive(u**3), GEOMETRY_TOL, roots=ROOTS, absent=0,
                definition="u_k^3 if n_k > 4T, else 0"),
    a.per_class("alive", "1 if class k lives at the global minimum, 0 if it collapses", sp.Piecewise((1, ALIVE),
                (0, True)), ALIVE_TOL, definition="1 iff n_k > 4T = 4 N^(3/2) sqrt(l_1 l_2 l_H)"),
    a.class_gram("gram_W2", "rows of W_2: w_k . w_l", alive(c / lam_2 * u**2), GEOMETRY_TOL, roots=ROOTS,
                 absent=0, definition="diag((c/l_2) u_k^2 on living classes, 0 on collapsed ones)"),
    a.class_gram("gram_W2W1", "rows of W_2 W_1", alive(c**2 / (lam_1 * lam_2) * u**4), GEOMETRY_TOL, roots=ROOTS,
                 absent=0, definition="diag((c^2/(l_1 l_2)) u_k^4 on living classes, 0 on collapsed ones)"),
    a.class_gram("gram_means", "hbar_k . hbar_l", alive(c / lam_H * u**2 / a.n_k), GEOMETRY_TOL, roots=ROOTS,
                 absent=0, definition="diag((c/l_H) u_k^2/n_k on living classes, 0 on collapsed ones)"),
    a.per_class("feature_norm_sq", "||h_{k,i}||^2 for every sample of class k (= ||hbar_k||^2: collapse)",
                alive(c / lam_H * u**2 / a.n_k), GEOMETRY_TOL, roots=ROOTS, absent=0),
    a.summed("value", "optimal value", VALUE_TERM, VALUE_TOL, roots=ROOTS, absent=a.n_k / (2 * a.N),
             definition="sum_k [n_k + 1{n_k > 4T}(u_k^3 sqrt(n_k) - 2 u_k^6)]/(2N)"),
]  # fmt: skip

CLAIM = a.claim(
    id="dang2023.deep",
    title="Imbalanced MSE, two linear layers: per-class scale from u^4 - sqrt(n_k) u + N c = 0; class k lives iff "
    "n_k > 4 N^(3/2) sqrt(l_1 l_2 l_H), a root exists from (16/(3 sqrt 3)) T",
    statement="For classes of any sizes and d >= K, every global minimiser of 1/(2N)||W_2 W_1 H - Y||^2 + "
    "(l_2/2)||W_2||^2 + (l_1/2)||W_1||^2 + (l_H/2)||H||^2 is orthogonal across classes and collapsed within them; "
    "with c = (l_1 l_2 l_H)^(1/3), T = N^(3/2) sqrt(l_1 l_2 l_H) and u_k the largest root of u^4 - sqrt(n_k) u + N c: "
    "class k lives iff n_k > 4T, with singular value u_k^3, W_2 W_2^T = (c/l_2) u_k^2, (W_2 W_1)(W_2 W_1)^T = "
    "(c^2/(l_1 l_2)) u_k^4, ||hbar_k||^2 = (c/l_H) u_k^2/n_k on its diagonal entry; value sum_k [n_k + 1{alive}"
    "(u_k^3 sqrt(n_k) - 2 u_k^6)]/(2N). For (16/(3 sqrt 3)) T <= n_k <= 4T the root exists but the zero point wins.",
    source=a.Source(PAPER, "bias-free imbalanced MSE, M = 2 (THEOREMS-NEXT.md B: dang2023.M2_root, M2_threshold; "
                    "derived, theorem number unconfirmed)", ()),
    convention="mean squared loss 1/(2N)||W_2 W_1 H - Y||_F^2, penalties (lambda/2)||.||_F^2 on sums, no bias; "
    "Y one-hot K x N, samples class by class; W_1 next to H",
    parameters=PARAMETERS,
    hypotheses=HYPOTHESES,
    quantities=QUANTITIES,
    solve=a.linear_chain_solve(
        layers=["lambda_1", "lambda_2"],
        features="lambda_H",
        measure={"z": "class_singular_value", "alive": "alive", "gram_W2": "gram_classifier",
                 "gram_W2W1": "gram_product", "gram_means": "gram_means", "feature_norm_sq": "feature_norm_sq",
                 "value": "value"},
        min_starts=24,
    ),
    strategy=lambda: a.draws(
        {"n": a.vectors(a.integers(1, 5), 2, 3), "lambda_1": a.decimals("0.02", "0.15"),
         "lambda_2": a.decimals("0.02", "0.15"), "lambda_H": a.decimals("0.02", "0.15")},
        params=PARAMETERS, hypotheses=HYPOTHESES,
    )().filter(_away_from_thresholds),
    examples=[
        a.example("every class alive", n="6,3,2,1", lambda_1="1/50", lambda_2="1/50", lambda_H="1/50"),
        a.example("class 4 in the band (n_4/T = 3.52): a root exists, the zero point wins", n="6,3,2,1",
                  lambda_1="9/250", lambda_2="9/250", lambda_H="9/250"),
        a.example("unequal decays", n="5,2", lambda_1="1/20", lambda_2="1/10", lambda_H="1/30"),
        a.example("everything collapsed (value 1/2) while a nonzero local minimum exists", n="4,4,4",
                  lambda_1="9/100", lambda_2="9/100", lambda_H="9/100"),
    ],
    certificate_note="no certificate: with two layers the penalty (3/2) c sigma^(2/3) is concave in the singular values of Z, so the program is not convex in Z; thresholds and the root stay verified",
)  # fmt: skip
