"""Dang et al. 2024, Proposition 1 for two class sizes: norms, angles and the Minority Collapse ratio R*.

Statement (seed 002, Section 7, Step 5 "we proceed to deduce the results of Proposition 1"; formulas
reconstructed in ../shared/THEOREMS.md, derived in proofs/dang2024.prop1.md): K_A majority classes of
n_A = R n_B samples, K_B minority classes of n_B, non-negative features, cross-entropy, convention "mean" of
verify/models/relu_features.py. Every global minimiser has the thm1 geometry with
a_k = sqrt(n_k) M_k; the minority classes collapse (h = 0, one shared classifier) iff R >= R* =
(sqrt((K-1)/(K lambda_W lambda_H n_B)) - K_B)/K_A.

Quantities are the per-group invariants (each measured on every class of its group) and R*; the closed forms
are the per-class formulas of verify/claims/dang2024/_closed_form.py at n = (R n_B,)*K_A + (n_B,)*K_B.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from functools import cache

import mpmath

from verify.claims.dang2024 import PAPER, SEEDS
from verify.claims.dang2024 import _closed_form as cf
from verify.claims.dang2024._prop1_forms import (
    HYPOTHESES,
    PARAMETERS,
    _group_reference,
    class_sizes,
    r_star_value,
)
from verify.claims.dang2024._prop1_solve import BOUNDARY_GAP, _aggregate, parameters, solve
from verify.claims.dang2024._solve import r_star_threshold, solve_relu, two_group_sizes
from verify.models.relu_features import CONVENTIONS
from verify.record import (
    Claim,
    ErrorBudget,
    Example,
    Hypothesis,
    Parameter,
    Quantity,
    SolveOptions,
    SolveReport,
    Source,
    Tolerance,
    Undefined,
)

#: the room's names, as before the split (its tests and proof use them; most live in the sibling modules)
__all__ = [
    "ALIVE_TOL",
    "BOUNDARY_GAP",
    "CLAIM",
    "CONVENTIONS",
    "Claim",
    "Example",
    "Fraction",
    "GEOMETRY_TOL",
    "HYPOTHESES",
    "Hypothesis",
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
    "THRESHOLD_TOL",
    "Tolerance",
    "Undefined",
    "VALUE_TOL",
    "_aggregate",
    "cache",
    "cf",
    "class_sizes",
    "mpmath",
    "parameters",
    "r_star_threshold",
    "r_star_value",
    "solve",
    "solve_relu",
    "two_group_sizes",
]


def r_star_ball(values: Mapping[str, Fraction], dps: int):
    """The ``ball`` hook of R*: (t - K_B^2) / (sqrt(t) + K_B) / K_A with t = (K-1)/(K lambda_W lambda_H n_B)
    exact, the square root in balls; no ball where R* is not certified > 0 (undefined there)."""
    from verify.certify.intervals import Undecided, arb_of, precision

    KA, KB = values["K_A"], values["K_B"]
    t = (KA + KB - 1) / ((KA + KB) * values["lambda_W"] * values["lambda_H"] * values["n_B"])
    with precision(dps):
        r = arb_of(t - KB * KB) / (arb_of(t).sqrt() + arb_of(KB)) / arb_of(KA)
    if not r > 0:
        raise Undecided("R* is not certified > 0 (undefined: the minority is collapsed at every R)")
    return r


# --- tolerances ------------------------------------------------------------------------------------------
VALUE_TOL = Tolerance(
    guard_digits=8,
    reason="the polish stops at a KKT residual <= 10^-(dps-5); the value is first-order insensitive to the "
    "point's error and a sum of O(K^2) terms rounded at dps digits: 8 guard digits (measured worst over the "
    "pinned and 12 drawn points of seed 0 at dps 30: 1e-31)",
    budget=ErrorBudget(5, 1e2, 1, residuals=("kkt_stationarity",)),
)


GEOMETRY_TOL = Tolerance(
    guard_digits=10,
    reason="norms, gaps and cosines carry the forward error of the polished point ~ (KKT residual "
    "10^-(dps-5)) x (condition of the free-variable Hessian on the complement of its null space, measured "
    "<= 1e3 away from thresholds); drawn points keep |R/R* - 1| >= 2% where the Hessian degenerates; measured "
    "worst at dps 30 over the pinned and 12 drawn points: 4e-29 against 1e-20",
    budget=ErrorBudget(5, 1e3, 2, residuals=("kkt_stationarity",)),
)


THRESHOLD_TOL = Tolerance(
    guard_digits=5,
    reason="the measured R* is the root of the revival curvature, a Hessian block by central differences at "
    "dps+10 digits (error ~10^-(2(dps+10)/3)), found by a secant stopped at a step 10^-(dps-3); the curvature's "
    "slope in log R is O(1) (x10): 3 + 1 + 1 spare = 5 guard digits (measured worst at dps 30: 2e-31)",
    budget=ErrorBudget(3, 1e1, 1),
)


ALIVE_TOL = Tolerance(
    guard_digits=10,
    reason="0 or 1, exact on both sides (a row is zero when the polish put it at its bound); any tolerance "
    "below 1 decides it, 10 guard digits as the geometry",
    budget=ErrorBudget(5, 1e3, 2, residuals=("kkt_stationarity",)),
)


_DESC = {
    "minority_alive": ("1 if the minority classes live (h_B != 0), 0 if they collapse", ALIVE_TOL),
    "M_majority": ("logit gap M_A = w_A.h_A - w_j.h_A (every j != A), majority class", GEOMETRY_TOL),
    "M_minority": ("logit gap M_B, minority class (0 when it collapses)", GEOMETRY_TOL),
    "norm_h_majority": ("||h_{k,i}||, k majority", GEOMETRY_TOL),
    "norm_h_minority": ("||h_{k,i}||, k minority (0 when collapsed)", GEOMETRY_TOL),
    "norm_w_majority": ("||w_k||, k majority", GEOMETRY_TOL),
    "norm_w_minority": ("||w_k||, k minority", GEOMETRY_TOL),
    "norm_ratio_w": ("||w_A|| / ||w_B|| (>= 1 for K >= 3, = 1 for K = 2)", GEOMETRY_TOL),
    "cos_w_majority": ("cos(w_k, w_k'), k != k' majority", GEOMETRY_TOL),
    "cos_w_minority": ("cos(w_k, w_k'), k != k' minority (1 when the minority collapses)", GEOMETRY_TOL),
    "cos_w_majority_minority": ("cos(w_k, w_k'), k majority, k' minority", GEOMETRY_TOL),
    "cos_wh_majority": ("cos(w_k, h_{k,i}), k majority", GEOMETRY_TOL),
    "cos_wh_minority": ("cos(w_k, h_{k,i}), k minority (undefined when collapsed: h = 0)", GEOMETRY_TOL),
    "value": ("optimal value of (4), convention 'mean'", VALUE_TOL),
}


_DEFINITION = (
    " at n = (R n_B,)*K_A + (n_B,)*K_B from thm1's closed forms: M_k = log((K-1)(1/rho_k - 1)) or 0, "
    "||h_k||^2 = sqrt((K-1) lambda_W/(K n_k lambda_H)) M_k, W W^T = (kappa/K^2)(K^2 a_k delta - K(a_k + a_l) + S)"
)


_GROUP_NEEDS = ("K_A", "K_B", "n_B", "R", "lambda_W", "lambda_H")


QUANTITIES = (
    *(
        Quantity(
            name, desc, None, tol, reference=_group_reference(name), definition=desc + _DEFINITION, needs=_GROUP_NEEDS
        )
        for name, (desc, tol) in _DESC.items()
    ),
    Quantity(
        "R_star",
        "Minority Collapse ratio: the minority classes collapse iff R >= R*",
        None,
        THRESHOLD_TOL,
        reference=r_star_value,
        ball=r_star_ball,
        needs=("K_A", "K_B", "n_B", "lambda_W", "lambda_H"),
        standalone=True,
        definition="R* = (sqrt((K-1)/(K lambda_W lambda_H n_B)) - K_B)/K_A (undefined when <= 0: the minority never "
        "lives); evaluated with the exact numerator (K-1)/(K lambda_W lambda_H n_B) - K_B^2",
    ),
)


CLAIM = Claim(
    id="dang2024.prop1",
    title="ReLU features, two class sizes: norms, angles and the Minority Collapse ratio R*",
    statement="With K_A classes of n_A = R n_B and K_B of n_B samples, every global minimiser of (4) (non-negative "
    "features, cross-entropy, mean convention) has the thm1 geometry; the minority classes collapse (h = 0, one "
    "shared classifier) iff R >= R* = (sqrt((K-1)/(K lambda_W lambda_H n_B)) - K_B)/K_A; for K >= 3 the majority "
    "classifiers are longer, for K = 2 all classifiers have the same length.",
    source=Source(PAPER, "Proposition 1; Section 7 Step 5 (seed lost the formulas: THEOREMS.md)", SEEDS),
    convention=CONVENTIONS["mean"],
    parameters=PARAMETERS,
    hypotheses=HYPOTHESES,
    quantities=QUANTITIES,
    solver=solve,
    solver_description="the dang2024.thm1 solve at n = (R n_B,)*K_A + (n_B,)*K_B (L-BFGS-B multistart with H >= 0, "
    "active-set Newton polish in mpmath, revival second-order test, per-sample float stage); R* by a sweep of "
    "global solves along R (n_A = s n_B, real s) bracketing the minority's change of state, then a secant on the "
    "revival curvature of a minority row",
    strategy=parameters,
    examples=(
        Example(
            {"K_A": "2", "K_B": "2", "n_B": "2", "R": "2", "lambda_W": "1/10", "lambda_H": "1/20", "d": "16"},
            "both groups alive, R < R* = 3.33",
        ),
        Example(
            {"K_A": "2", "K_B": "2", "n_B": "2", "R": "5", "lambda_W": "1/10", "lambda_H": "1/20", "d": "16"},
            "R > R*: the minority collapses, its classifiers coincide",
        ),
        Example(
            {"K_A": "1", "K_B": "1", "n_B": "3", "R": "4", "lambda_W": "1/100", "lambda_H": "1/25", "d": "8"},
            "K = 2: equal classifier norms whatever R",
        ),
    ),
    module=__name__,
    certificate_note="none: with non-negative features the convex reformulation lives on the completely positive cone, whose membership has no tractable certificate; a doubly non-negative relaxation would give a lower bound only (not computed); verified only",
)
