"""Thrampoulidis et al. 2022 (NeurIPS), SELI geometry of the max-margin unconstrained-features model, any sizes.

Program (Ji et al. 2022 ICLR, the unregularised limit of cross-entropy; THEOREMS-NEXT.md family C):

    min (1/2)(||W||_F^2 + ||H||_F^2)  s.t.  (w_{y_i} - w_c)^T h_i >= 1  for every sample i and every c != y_i.

With the simplex-encoded label matrix Zhat = P Y (columns e_{y_i} - 1/K) and D = diag(n_k): the optimal value is
||Zhat||_* = tr (P D P)^(1/2); at every minimiser W H = Zhat (every margin equals 1), W W^T = (P D P)^(1/2), within-
class collapse, and Hbar^T Hbar = D^(-1/2) (D^(1/2) P D^(1/2))^(1/2) D^(-1/2) (spec ids seli2022.value and
seli2022.geometry; and seli2022.multipliers: the KKT multipliers, the dual certificate of the derivation,
proofs/thrampoulidis2022.seli.md, fitted at the solve's refined point).
The id follows the issue's rule <first author><year>: the spec's "seli2022" is the paper's acronym.
"""

from __future__ import annotations

from verify import authoring as a
from verify.claims.thrampoulidis2022 import PAPER
from verify.claims.thrampoulidis2022 import _sel as sel

# Budgets (issue 18; tests/test_tolerances.py): kkt_stationarity is the refinement's stopping target 10^-(dps-5)
# (measured <= 5.9e-31 at dps 30); kkt_condition measured over the pinned points and 20 + 60 drawn points (seed 0,
# dps 30): at most 6.7; worst geometry error 1.4e-30 (multipliers) against 1e-23 (tightened from 10 guard digits).
VALUE_TOL = a.tolerance(
    8,
    "the KKT refinement stops at residual 10^-(dps-5); the value (1/2)||x||^2 at a feasible KKT point is first-order "
    "insensitive to the point's error, a sum of O(N K) terms rounded at dps digits: 8 guard digits",
    a.ErrorBudget(5, 1e2, 1, residuals=("kkt_stationarity",)),
)
GEOMETRY_TOL = a.tolerance(
    7,
    "Gram entries, logits, margins and multipliers carry the point's forward error, (KKT residual 10^-(dps-5)) x "
    "(condition of the KKT Jacobian off the rotation orbit, measured at most 6.7 on the pinned and 80 drawn points "
    "at size ratios <= 8): 5 + 1 + 1 spare = 7 guard digits",
    a.ErrorBudget(5, 1e1, 1, residuals=("kkt_stationarity",), condition=("kkt_condition",)),
)

PARAMETERS = [
    a.class_sizes("n"),
    a.integer("d", "feature dimension of the solve (d >= K - 1; no quantity depends on it)",
              default=lambda v: len(v["n"]), default_text="K"),
]  # fmt: skip
HYPOTHESES = [
    a.hypothesis("K >= 2", lambda v: len(v["n"]) >= 2, "n", "give at least two class sizes, e.g. n=4,2,1", ("n",)),
    a.hypothesis("n_k >= 1", lambda v: min(v["n"]) >= 1, "n", "every class needs a sample (n_k >= 1)", ("n",)),
    a.hypothesis("d >= K - 1", lambda v: v["d"] >= len(v["n"]) - 1, "d", "raise d to K - 1 = len(n) - 1 or more",
                 ("d", "n")),
]  # fmt: skip

QUANTITIES = [
    a.quantity("value", "optimal value: ||Zhat||_* = tr (P D P)^(1/2)", None, VALUE_TOL, reference=sel.nuclear_norm,
               definition="tr (P D P)^(1/2), P = I - 11^T/K, D = diag(n)", needs=("n",)),
    a.class_matrix("gram_W", "w_k . w_l", sel.gram_W, GEOMETRY_TOL, definition="(P D P)^(1/2)"),
    a.class_matrix("gram_means", "hbar_k . hbar_l", sel.gram_means, GEOMETRY_TOL,
                   definition="D^(-1/2) (D^(1/2) P D^(1/2))^(1/2) D^(-1/2)"),
    a.class_matrix("mean_logits", "w_k . hbar_l: the class-mean logits W Hbar (= Zhat's columns)", sel.centring,
                   GEOMETRY_TOL, definition="P = I - 11^T/K", symmetric=False),
    a.per_class("margins", "(w_k - w_c)^T h_{k,i}, every sample and every c != k: all equal to 1", 1, GEOMETRY_TOL),
    a.quantity("feature_norm_sq", "||h_{k,i}||^2 for every sample of class k: the diagonal of gram_means (with "
               "gram_means, within-class collapse)", None, GEOMETRY_TOL, reference=lambda v, dps: _diagonal(
               sel.gram_means(v, dps)), definition="diagonal of D^(-1/2) (D^(1/2) P D^(1/2))^(1/2) D^(-1/2)",
               needs=("n",)),
    a.quantity("multipliers", "KKT multiplier mu_{i,c} of the margin (w_{y_i} - w_c).h_i >= 1, every sample and "
               "c != y_i, labelled 'y,c' (the dual certificate; all positive)", None, GEOMETRY_TOL,
               reference=sel.multipliers, definition="-[(P D P)^(+1/2)]_{c, y_i} = -[U B^(-1/2) U^T]_{c, y_i}",
               needs=("n",)),
]  # fmt: skip


def _diagonal(G) -> dict:
    return {str(k + 1): +G[k, k] for k in range(G.rows)}


def certificate(values, report):
    """The proven enclosure of the minimum at the solve's point (verify.certify.families, kind max_margin): the
    point rounded and scaled to exact feasibility gives hi; the KKT multipliers fitted there, clipped at 0 and
    scaled so that ||sum mu (e_y - e_c) e_i^T||_2 < 1, give lo = sum mu. Never reads the closed form."""
    from verify.certify.families import certify_max_margin
    from verify.models.max_margin import MaxMarginModel

    model = MaxMarginModel(tuple(int(n) for n in values["n"]), int(values["d"]))
    return certify_max_margin(model, report.point, "thrampoulidis2022.seli", values, ("value",), report.dps)


CLAIM = a.claim(
    id="thrampoulidis2022.seli",
    title="Max-margin UFM, any class sizes: SELI geometry, value = nuclear norm of the simplex-encoded labels",
    statement="For classes of any sizes and d >= K - 1, the minimum of (1/2)(||W||^2 + ||H||^2) subject to "
    "(w_{y_i} - w_c)^T h_i >= 1 is ||P Y||_* = tr (P D P)^(1/2); every minimiser has W H = P Y (all margins 1, the "
    "class-mean logits W Hbar = P), W W^T = (P D P)^(1/2), within-class collapse and Hbar^T Hbar = "
    "D^(-1/2) (D^(1/2) P D^(1/2))^(1/2) D^(-1/2) (the SELI geometry; for equal sizes a simplex ETF of value "
    "(K-1) sqrt(n)).",
    source=a.Source(PAPER, "SELI geometry (THEOREMS-NEXT.md C: seli2022.value, seli2022.geometry; reconstructed, "
                    "theorem numbers unconfirmed)", ()),
    convention="hard-margin program, penalties (1/2)||.||_F^2 on W and H (sums), no bias, samples class by class",
    parameters=PARAMETERS,
    hypotheses=HYPOTHESES,
    quantities=QUANTITIES,
    solve=a.max_margin_solve(measure={"value": "value", "gram_W": "gram_classifier", "gram_means": "gram_means",
                                      "mean_logits": "mean_logits", "margins": "margins",
                                      "feature_norm_sq": "feature_norm_sq",
                                      "multipliers": "multipliers"}),
    strategy={"n": a.vectors(a.integers(1, 6), 2, 4), "d": lambda v: a.integers(len(v["n"]) - 1, len(v["n"]) + 1)},
    examples=[
        a.example("THEOREMS-NEXT.md worked example (value 2.99785931384467075594615185634)", n="4,2,1"),
        a.example("d = K - 1", n="4,2,1", d=2),
        a.example("balanced: a simplex ETF, value (K-1) sqrt(n)", n="3,3,3"),
        a.example("one majority, three minorities", n="5,1,1,1"),
    ],
    certificate=certificate,
    certificate_note="value certified: convex in Z = W H (min ||Z||_* under the margins); lo = sum of dual "
    "multipliers with ||Lambda||_2 < 1, hi = the objective at an exactly feasible rounding of the solve's point "
    "(kind max_margin, exact rationals); the geometry and the multipliers stay verified",
)  # fmt: skip
