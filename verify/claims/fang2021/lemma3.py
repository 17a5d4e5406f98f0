"""Fang et al. 2021, Lemma 3 (SI A.1): the binary l_q-constrained Layer-Peeled Model (33) and its minimisers.

Statement (seed 001, SI A.1, after the proof of Proposition 2, Eqs. (33)-(35)): for K = 2 classes with one
sample each, program (33) -- the *sum* of the two cross-entropy losses, ||w_1||^2 + ||w_2||^2 <= 2 E_W,
||h_1||_q^q + ||h_2||_q^q <= 2 E_H -- has, for q > 2, only minimisers

    h_1 = -h_2 = C1 w_1 = -C1 w_2 = C2 (+-1_p),   C1 = (E_H/p)^(1/q) (E_W/p)^(-1/2),  C2 = (E_H/p)^(1/q)   [34]

(sign vectors: every entry has modulus C2), and for 1 < q < 2 only minimisers

    h_1 = -h_2 = C3 w_1 = -C3 w_2,  ||h_1||_0 = 1,  ||h_1|| = C4,   C3 = E_H^(1/q) E_W^(-1/2),  C4 = E_H^(1/q) [35]

(one-sparse). The lemma prints no optimal value; derived here (proofs/fang2021.lemma3.md): both samples have
margin m = h_j.(w_j - w_j') = 2 ||h_j|| ||w_j||, i.e.

    m = 2 p^(1/2 - 1/q) E_H^(1/q) sqrt(E_W)  (q > 2),    m = 2 E_H^(1/q) sqrt(E_W)  (1 < q < 2),

and the minimum of the sum is 2 log(1 + exp(-m)). The closed forms are sympy ``Piecewise`` in q.

Quantities are invariants of the symmetry group of (33) for q != 2 (coordinate permutations, coordinate
sign flips, swapping the classes): norms, l_inf norms, support sizes, cosines. Together they pin the
structure: ||h||_2 = sqrt(p) ||h||_inf with p nonzero entries forces equal moduli (a sign vector); ||h||_0 = 1
is one-sparsity.

q = 2 is excluded (a one-line error). It is the boundary between the two regimes and there (33) is Theorem 1
with K = 2: the minimisers are every antipodal pair h_1 = -h_2 = C w_1 in *any* direction, so neither
structure holds, although both value formulas agree at q = 2 (m = 2 sqrt(E_H E_W)); tests check that value.
q <= 1 is excluded too: the paper only conjectures sparsity there; ``nc-verify explore fang2021.lemma3``
measures it (a "conjecture" exploration: one-sparse, but for small E_H the h_1 = -h_2 symmetry fails).

Errata (proof, not statement): the bound (41)/(43) uses sqrt(2^(4-4/q) ...) where the chain (37)-(40)/(42)
gives sqrt(16 ...), and the constant C_d of (36) must appear twice (the objective is a sum of two losses);
the 1 < q < 2 case ends with "we can obtain Eq. (34)" where (35) is meant.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from fractions import Fraction

import mpmath
import numpy as np
import sympy as sp

from verify.authoring import strategies as st
from verify.authoring.strategies import log_decimals
from verify.claims.fang2021 import PAPER, SEEDS
from verify.claims.fang2021._lemma3_errata import (
    BOUND_POINT,
    ERRATA,
    ERRATUM_POINT,
)
from verify.claims.fang2021._lemma3_explore import EXPLORATIONS, _not_two
from verify.claims.fang2021._lemma3_forms import (
    BOUND_CORRECTED,
    BOUND_PRINTED,
    C1,
    C2,
    C3,
    C4,
    E_H,
    E_W,
    MARGIN,
    MARGIN_ABOVE,
    MARGIN_BELOW,
    PARAMETERS,
    VALUE,
    Ca,
    Cb,
    Cc,
    Cd,
    bound,
    by_regime,
    p,
    q,
)
from verify.claims.fang2021._lemma3_solve import measure, model, parameters, solve
from verify.geometry import cosine, norm
from verify.models.arith import Arithmetic
from verify.models.lq_constrained import LqLayerPeeledModel
from verify.record import (
    Claim,
    Erratum,
    ErrorBudget,
    Evidence,
    Example,
    Exploration,
    Finding,
    Hypothesis,
    Parameter,
    Quantity,
    SolveOptions,
    SolveReport,
    Source,
    Tolerance,
    substitution,
)
from verify.record.hypotheses import CLASSIFIER_BUDGET, FEATURE_BUDGET
from verify.solvers.lq_saturated import solve_lq

#: the room's names, as before the split (its tests and proof use them; most live in the sibling modules)
__all__ = [
    "Arithmetic",
    "BOUND_CORRECTED",
    "BOUND_POINT",
    "BOUND_PRINTED",
    "C1",
    "C2",
    "C3",
    "C4",
    "CLAIM",
    "CLASSIFIER_BUDGET",
    "Ca",
    "Cb",
    "Cc",
    "Cd",
    "Claim",
    "ERRATA",
    "ERRATUM_POINT",
    "EXPLORATIONS",
    "E_H",
    "E_W",
    "Erratum",
    "Evidence",
    "Example",
    "Exploration",
    "FEATURE_BUDGET",
    "Finding",
    "Fraction",
    "GEOMETRY_TOL",
    "Hypothesis",
    "LqLayerPeeledModel",
    "MARGIN",
    "MARGIN_ABOVE",
    "MARGIN_BELOW",
    "Mapping",
    "PAPER",
    "PARAMETERS",
    "Parameter",
    "QUANTITIES",
    "Quantity",
    "SEEDS",
    "SolveOptions",
    "SolveReport",
    "Source",
    "Tolerance",
    "VALUE",
    "VALUE_TOL",
    "ast",
    "bound",
    "by_regime",
    "cosine",
    "log_decimals",
    "measure",
    "model",
    "mpmath",
    "norm",
    "np",
    "p",
    "parameters",
    "q",
    "solve",
    "solve_lq",
    "sp",
    "st",
    "substitution",
]


# --- tolerances ------------------------------------------------------------------------------------------
VALUE_TOL = Tolerance(
    guard_digits=7,
    reason="the refined KKT point has residual below 10^-(dps-5); the value (two softplus terms) is "
    "first-order insensitive to the remaining error and each term is rounded at dps digits (x10): 5 + 1 + 1 spare = 7 guard digits",
    budget=ErrorBudget(5, 1e1, 1, residuals=("kkt_stationarity",)),
)


GEOMETRY_TOL = Tolerance(
    guard_digits=10,
    reason="norms, l_inf norms and cosines carry the forward error of the point, ~ KKT residual x condition "
    "of the KKT matrix; conditions up to 2e4 are seen (q = 8, p = 64; 1e1 to 5e2 elsewhere), so 10 guard "
    "digits leave a digit to spare; the support size is an integer count and agrees exactly or by >= 1",
    budget=ErrorBudget(5, 2e4, 0, residuals=("kkt_stationarity",), condition=("kkt_condition",)),
)


QUANTITIES = (
    Quantity("value", "optimal value of (33) (sum of the two cross-entropy losses)", VALUE, VALUE_TOL),
    Quantity(
        "C",
        "||h_j|| / ||w_j||, j = 1, 2 (h_j = C w_j: C1 for q > 2, C3 for 1 < q < 2)",
        by_regime(C1, C3),
        GEOMETRY_TOL,
    ),
    Quantity("cos_feature_classifier", "cos(h_j, w_j), j = 1, 2 (h_j parallel to w_j)", sp.Integer(1), GEOMETRY_TOL),
    Quantity("cos_antipodal", "cos(h_1, h_2) and cos(w_1, w_2) (h_1 = -h_2, w_1 = -w_2)", sp.Integer(-1), GEOMETRY_TOL),
    Quantity("classifier_norm", "||w_j||, j = 1, 2", sp.sqrt(E_W), GEOMETRY_TOL),
    Quantity(
        "feature_norm",
        "||h_j||_2 (sqrt(p) C2 for q > 2, C4 for 1 < q < 2)",
        by_regime(sp.sqrt(p) * C2, C4),
        GEOMETRY_TOL,
    ),
    Quantity(
        "entry_max", "||h_j||_inf, largest |entry| (C2 for q > 2, C4 for 1 < q < 2)", by_regime(C2, C4), GEOMETRY_TOL
    ),
    Quantity(
        "support",
        "||h_j||_0, number of nonzero entries (p for q > 2, 1 for 1 < q < 2)",
        by_regime(p, sp.Integer(1)),
        GEOMETRY_TOL,
    ),
)


CLAIM = Claim(
    id="fang2021.lemma3",
    title="Binary l_q Layer-Peeled Model (33): sign-vector minimisers for q > 2, one-sparse for 1 < q < 2",
    statement="For K = 2, one sample per class, program (33) has only minimisers h_1 = -h_2 = C1 w_1 = -C1 w_2 = "
    "C2 (+-1_p) when q > 2, and h_1 = -h_2 = C3 w_1 = -C3 w_2 with ||h_1||_0 = 1, ||h_1|| = C4 when 1 < q < 2; "
    "the minimum is 2 log(1 + exp(-m)), m = 2 p^(1/2-1/q) E_H^(1/q) sqrt(E_W) (q > 2), 2 E_H^(1/q) sqrt(E_W) (q < 2).",
    source=Source(PAPER, "SI A.1: Eq. (33), Lemma 3 (Eqs. (34)-(35)) and its proof (Eqs. (36)-(43))", SEEDS),
    convention="Fang et al. 2021 Eq. (33): SUM (not mean) of the two cross-entropy losses; ||w_1||^2 + ||w_2||^2 "
    "<= 2 E_W, ||h_1||_q^q + ||h_2||_q^q <= 2 E_H, ||h||_q^q = sum_i |h(i)|^q; no bias",
    parameters=PARAMETERS,
    hypotheses=(
        Hypothesis("p >= 1", lambda v: v["p"] >= 1, "p", "give a positive feature dimension"),
        Hypothesis(
            "q > 1",
            lambda v: v["q"] > 1,
            "q",
            "Lemma 3 covers q > 1; q <= 1 is only conjectured: run 'nc-verify explore fang2021.lemma3'",
        ),
        Hypothesis(
            "q != 2",
            _not_two,
            "q",
            "q = 2 is Theorem 1 with K = 2 (antipodal pair in any direction): use fang2021.thm1",
        ),
        FEATURE_BUDGET,
        CLASSIFIER_BUDGET,
        Hypothesis("p <= 256 (solver size)", lambda v: v["p"] <= 256, "p", "the dense KKT refinement handles p <= 256"),
    ),
    quantities=QUANTITIES,
    solver=solve,
    solver_description="L-BFGS-B multistart (8 seeded starts, best value reached by >= 2) on the boundary of both "
    "budgets through a smooth saturated parametrisation, then KKT Newton refinement of the raw program (33) in "
    "mpmath; for sparse points on the support (zero coordinates held at 0), with the first-order KKT residual "
    "of the full program checked at the refined point",
    strategy=parameters,
    examples=(
        Example({"p": "4", "q": "3", "E_H": "2", "E_W": "1"}, "q > 2: sign vectors"),
        Example({"p": "8", "q": "3/2", "E_H": "2", "E_W": "1"}, "1 < q < 2: one-sparse"),
        Example({"p": "64", "q": "8", "E_H": "1", "E_W": "1"}, "p = 64, large q: all 64 entries equal in modulus"),
        Example({"p": "64", "q": "6/5", "E_H": "1/2", "E_W": "3"}, "p = 64, q near 1: one nonzero entry of 64"),
        Example({"p": "1", "q": "5/2", "E_H": "1", "E_W": "1"}, "p = 1: sign vector and one-sparse coincide"),
        Example({"p": "2", "q": "21/10", "E_H": "1", "E_W": "1"}, "q just above 2"),
        Example({"p": "3", "q": "19/10", "E_H": "1", "E_W": "1"}, "q just below 2"),
    ),
    errata=ERRATA,
    explorations=EXPLORATIONS,
    module=__name__,
    certificate_note="none: the l_q feature budget (q != 2) is not a function of the Gram matrix, so Lemma 1's convex relaxation (15) does not apply, and for q < 1 the feasible set is not convex; no dual certificate is known; verified only",
)
