"""Fang et al. 2021, Theorem 5 and Figure 3: Minority Collapse, with the transition ratio R0.

Statement (seed 001, Section 4B, Theorem 5; SI B.2, Lemma 5): K_A majority classes of n_A samples, K_B
minority classes of n_B, R = n_A/n_B. As R -> infinity every global minimiser of (7) with cross-entropy has
w_k - w_k' -> 0 for all minority k, k'. Figure 3 (K = 10) shows more: the average cosine between minority
classifiers reaches 1 at a finite R0 and stays there ("two-phase behaviour"; the paper leaves exact equality at
finite R open, line 1410 of seed 001).

Encoded through program (15) (Lemma 1: its minimisers give those of (7) for p >= 2K), reduced by the
within-group permutation symmetry to seven scalars (verify/models/two_group.py; derivation in
proofs/fang2021.thm5.md). Three phases of the minority classifiers, named and reported:

- ``separated`` (R < R0): the minority classifiers differ (average cosine < 1);
- ``collapsed`` (R0 <= R < R1): all minority classifiers are *exactly* equal and nonzero;
- ``vanished`` (R >= R1, only when Lemma 5's case (ii) holds): all minority classifiers (and class means) are
  exactly 0, so their cosines do not exist (:class:`Undefined`; Figure 3 plots solver noise as "1" there).

R0 is the ratio at which the collapsed point stops being a saddle: on the collapsed sub-program the
(p_B, q_B) block of the Lagrangian Hessian is K_B [[2 L_H, -1], [-1, 2 L_W]], so R0 solves the collapsed
KKT system together with 4 L_H L_W = 1. R1 has a closed form (:data:`R1`; the quantity ``R1``, undefined where
the minority classifiers never vanish). The R -> infinity limit is
program (66) of Lemma 5, solved in closed form by :func:`limit_value`.

Which computation is independent of which: the *reference* (this module, with the optimality conditions in
verify/claims/fang2021/_thm5_reference.py) predicts the phase from R0 and R1 and solves that phase's symbolic
KKT system (sympy-derived, mpmath Newton) from a float start found by an unconstrained BFGS in normalised
coordinates (both budgets saturated), never by the solver below. The
*solver* (verify/solvers/symmetric.py) knows neither R0 nor the phases: generic SLSQP from random starts on
the constrained seven-scalar program, generic finite-difference KKT refinement, a certificate that the
point is a global minimiser of the full program (15) (duality gap), and R0 by bisection on the measured
phase followed by a secant on the measured multipliers, R1 by bisection on the measured phase (vanished or not)
followed by a secant on the measured second-order margin at the vanished point (verify/solvers/vanishing.py). tests/claims/fang2021/test_thm5.py also compares
with conic solves of the full program (15) (verify/solvers/conic.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from functools import cache

import mpmath
import sympy as sp

from verify.authoring import strategies as st
from verify.authoring.strategies import assume, log_decimals
from verify.base.errors import InputError
from verify.base.precision import evaluate_expr
from verify.claims.fang2021 import PAPER, SEEDS
from verify.claims.fang2021._thm5_balls import r0_ball, r1_ball
from verify.claims.fang2021._thm5_errata import ERRATA, VANISHED_POINT
from verify.claims.fang2021._thm5_explore import EXPLORATIONS
from verify.claims.fang2021._thm5_forms import (
    CASE_II_PRINTED,
    E_H,
    E_W,
    K_A,
    K_B,
    PARAMETERS,
    R1,
    R1_DENOMINATOR,
    X_VANISHED,
    K,
    R,
    _ref,
    limit_value,
    phase,
    r0_value,
    r1_quantity,
    r1_value,
)
from verify.claims.fang2021._thm5_reference import NAMES, R0_SEARCH_LIMIT, kkt_point, loss_value, r0_root
from verify.claims.fang2021._thm5_solve import BOUNDARY_GAP, MAX_DRAWN_R0, parameters, solve
from verify.models.arith import mp_arithmetic, to_mpf
from verify.models.two_group import TwoGroupProgram
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
    Unavailable,
    Undefined,
)
from verify.record.hypotheses import CLASSIFIER_BUDGET, FEATURE_BUDGET
from verify.solvers.symmetric import solve_two_group, transition_ratio, zero_tolerance
from verify.solvers.vanishing import vanishing_ratio

#: the room's names, as before the split (its tests and proof use them; most live in the sibling modules)
__all__ = [
    "BOUNDARY_GAP",
    "CASE_II_PRINTED",
    "CLAIM",
    "CLASSIFIER_BUDGET",
    "Claim",
    "ERRATA",
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
    "InputError",
    "K",
    "K_A",
    "K_B",
    "MAX_DRAWN_R0",
    "Mapping",
    "NAMES",
    "PAPER",
    "PARAMETERS",
    "Parameter",
    "QUANTITIES",
    "Quantity",
    "R",
    "R0_SEARCH_LIMIT",
    "R0_TOL",
    "R1",
    "R1_DENOMINATOR",
    "R1_TOL",
    "SEEDS",
    "SolveOptions",
    "SolveReport",
    "Source",
    "Tolerance",
    "TwoGroupProgram",
    "Unavailable",
    "Undefined",
    "VALUE_TOL",
    "VANISHED_POINT",
    "X_VANISHED",
    "assume",
    "cache",
    "evaluate_expr",
    "kkt_point",
    "limit_value",
    "log_decimals",
    "loss_value",
    "mp_arithmetic",
    "mpmath",
    "parameters",
    "phase",
    "r0_root",
    "r0_value",
    "r1_quantity",
    "r1_value",
    "solve",
    "solve_two_group",
    "sp",
    "st",
    "to_mpf",
    "transition_ratio",
    "vanishing_ratio",
    "zero_tolerance",
]


# --- tolerances ------------------------------------------------------------------------------------------
VALUE_TOL = Tolerance(
    guard_digits=7,
    reason="both sides solve to a KKT residual of 10^-(dps-5) or better (reference: symbolic Newton at dps+10; "
    "solver: generic refinement at dps) and the value is first-order insensitive to the point's error; a few "
    "O(1) terms rounded at dps digits (x10): 5 + 1 + 1 spare = 7 guard digits cover both (measured worst over the 7 pinned and 40 "
    "drawn points of seed 3 at dps 30: 4.2e-30 against 1e-22)",
    budget=ErrorBudget(5, 1e1, 1),
)


GEOMETRY_TOL = Tolerance(
    guard_digits=10,
    reason="norms and cosines carry the solver's forward error ~ (KKT residual 10^-(dps-5)) x (condition of the "
    "7+2 KKT matrix, which grows without bound at R0 and R1, so drawn points keep |R/R0 - 1| and |R/R1 - 1| "
    ">= 2%); measured worst over the 7 small pinned and 40 drawn points of seed 3 at dps 30: 5.6e-30, and "
    "1.9e-27 at the K = 10^6 pinned point (cos_minority = 2.4e-5 there, a difference of nearly equal terms; "
    "absolute error 5e-32), against 1e-20",
    budget=ErrorBudget(5, 1e4, 1),
)


R0_TOL = Tolerance(
    guard_digits=5,
    reason="reference: augmented Newton at dps+10; solver: secant in log R on 4 L_H L_W - 1 measured at dps+5, "
    "stopped at a step of 10^-(dps-3) (the secant's error is far below its last step), slope dm/dlog R = O(1) (x10): 3 + 1 + 1 spare = 5 guard digits; "
    "measured worst over 47 points of seed 3 at dps 30: 4.4e-35 against 1e-22",
    budget=ErrorBudget(3, 1e1, 1),
)


R1_TOL = Tolerance(
    guard_digits=6,
    reason="reference: closed form at dps+5; solver: secant in log R on the measured vanishing margin (smallest "
    "eigenvalue of the Lagrangian Hessian in (s_A, s_B, d) at the vanished KKT point, refined to a residual of "
    "10^-(dps) at dps+5 digits, Hessian by central differences at 2(dps+5)+10 digits), stopped at a step of "
    "10^-(dps-3); the margin crosses zero linearly (slope ~ 0.03 per unit log R at K_A=7, K_B=3, E_H E_W=5: x1e2): 3 + 2 + 1 spare = 6 guard digits; "
    "measured worst over the 8 pinned and 10 drawn points of seed 3 at dps 30: 8.4e-32 against 1e-22 (both "
    "sides undefined, with their reasons, at the 7 points where the classifiers never vanish)",
    budget=ErrorBudget(3, 1e2, 1),
)


_DESC = {
    "value": ("optimal value of (15) = of (7) (mean cross-entropy)", VALUE_TOL),
    "cos_minority": (
        "cos(w_k, w_k'), k != k' minority; 1 in the collapsed phase, undefined when vanished",
        GEOMETRY_TOL,
    ),
    "cos_majority": ("cos(w_k, w_k'), k != k' majority", GEOMETRY_TOL),
    "cos_majority_minority": ("cos(w_k, w_k'), k majority, k' minority", GEOMETRY_TOL),
    "norm_w_majority": ("||w_k||, k majority", GEOMETRY_TOL),
    "norm_w_minority": ("||w_k||, k minority (0 in the vanished phase)", GEOMETRY_TOL),
    "norm_h_majority": ("||hbar_k||, k majority (class-mean feature)", GEOMETRY_TOL),
    "norm_h_minority": ("||hbar_k||, k minority (0 in the vanished phase)", GEOMETRY_TOL),
}


_DEFINITION = (
    " at the minimiser given by the phase's optimality conditions (stationarity, saturated budgets of the reduced "
    "(15), proofs/fang2021.thm5.md; mpmath Newton; phase from R0, R1)"
)


QUANTITIES = (
    *(Quantity(n, d, None, tol, reference=_ref(n), definition=d + _DEFINITION) for n, (d, tol) in _DESC.items()),
    Quantity(
        "R0",
        "transition ratio: the minority classifiers are exactly equal iff R >= R0 (K_B >= 2)",
        None,
        R0_TOL,
        reference=r0_value,
        ball=r0_ball,
        definition="root in R of the collapsed reduced KKT system (p_B = q_B = 0) together with 4 L_H L_W = 1, "
        "L_H, L_W the multipliers of F = sum_k (n_k/n_B) L(z_k, y_k) with the budgets written as sums "
        "(equivalently L_W = sqrt(E_H/E_W)/2); mpmath Newton at dps + 10 from a float bracket",
        needs=("K_A", "K_B", "E_H", "E_W"),
        standalone=True,  # a threshold in R: answered without R
    ),
    Quantity(
        "R1",
        "vanishing ratio: the minority classifiers (and class means) are exactly zero iff R >= R1; undefined "
        "where they never vanish",
        None,
        R1_TOL,
        reference=r1_quantity,
        ball=r1_ball(R1, R1_DENOMINATOR),
        definition="R1 = sqrt((K_A/K^2) / (L_A'(x)^2/K - K_B e^(-2x)/D_A^2)), x = K sqrt(E_H E_W)/K_A: where the "
        "Lagrangian Hessian in (s_A, s_B, d) at the vanished point turns PSD (proofs/fang2021.thm5.md, Step 5); "
        "undefined for K_A = 1 or where Lemma 5's case (ii) fails (denominator <= 0)",
        needs=("K_A", "K_B", "E_H", "E_W"),
        standalone=True,  # a threshold in R: answered without R
    ),
)


def certificate(values: Mapping[str, Fraction], report: SolveReport):
    """The proven enclosure of min (15) = min (7) at the solve's symmetric point, any K (verify.certify.two_group:
    kind two_group_ce, the seven scalars and the three softmax values per group, checked in O(1))."""
    from verify.certify.two_group import certify_two_group_symmetric

    prog = TwoGroupProgram(int(values["K_A"]), int(values["K_B"]), values["E_H"], values["E_W"], values["R"])
    return certify_two_group_symmetric(prog, report.point, "fang2021.thm5", values, ("value",), report.dps)


CLAIM = Claim(
    id="fang2021.thm5",
    title="Minority Collapse: minority classifiers become exactly equal for R >= R0 (and zero beyond R1)",
    statement="For K_A majority and K_B minority classes with R = n_A/n_B, the minority classifiers of every "
    "global minimiser of (15) (hence (7), p >= 2K) differ for R < R0, are exactly equal and nonzero for "
    "R0 <= R < R1, and are exactly zero for R >= R1 (R1 finite iff Lemma 5's case (ii)); R0 solves the collapsed "
    "optimality conditions with 4 L_H L_W = 1; as R -> infinity the majority loss tends to Lemma 5's L0 "
    "(Theorem 5: w_k - w_k' -> 0).",
    source=Source(
        PAPER, "Section 4B, Theorem 5, Figure 3, Eq. (15); SI B.1 (Lemma 1), SI B.2 (Lemma 5, Eq. (66))", SEEDS
    ),
    convention=TwoGroupProgram.convention,
    parameters=PARAMETERS,
    hypotheses=(
        Hypothesis("K_A >= 1", lambda v: v["K_A"] >= 1, "K_A", "give at least one majority class (K_A >= 1)"),
        Hypothesis("K_B >= 1", lambda v: v["K_B"] >= 1, "K_B", "give at least one minority class (K_B >= 1)"),
        FEATURE_BUDGET,
        CLASSIFIER_BUDGET,
        Hypothesis(
            "R >= 1", lambda v: v["R"] >= 1, "R", "R = n_A/n_B >= 1 (swap the roles of the groups if n_A < n_B)"
        ),
    ),
    quantities=QUANTITIES,
    solver=solve,
    solver_description="symmetric reduction of (15) to 7 scalars: SLSQP from seeded random starts (best value "
    "reached by >= 2), generic finite-difference KKT refinement in mpmath, global optimality for (15) shown "
    "by its duality gap (sigma_max of the structured loss gradient); R0 by bisection on the measured phase, then "
    "a secant on the measured 4 L_H L_W - 1 of the equal-minority sub-program; R1 by bisection on the measured "
    "phase (vanished or not), then a secant on the smallest eigenvalue of the measured Lagrangian Hessian in "
    "(s_A, s_B, d) at the vanished point",
    strategy=parameters,
    examples=(
        Example(
            {"K_A": "7", "K_B": "3", "E_H": "5", "E_W": "1", "R": "5"}, "Figure 3a K_A = 7: collapsed, R0 < R < R1"
        ),
        Example({"K_A": "5", "K_B": "5", "E_H": "5", "E_W": "1", "R": "10"}, "Figure 3a K_A = 5: separated, R < R0"),
        Example({"K_A": "5", "K_B": "5", "E_H": "5", "E_W": "1", "R": "20"}, "Figure 3a K_A = 5: collapsed"),
        Example(
            {"K_A": "7", "K_B": "3", "E_H": "5", "E_W": "1", "R": "30"}, "vanished: minority w = 0, cosines undefined"
        ),
        Example({"K_A": "5", "K_B": "5", "E_H": "5", "E_W": "1", "R": "1"}, "R = 1: balanced, Theorem 1's ETF"),
        Example({"K_A": "1", "K_B": "4", "E_H": "2", "E_W": "1/2", "R": "3"}, "K_A = 1 (Lemma 5 case (i))"),
        Example(
            {"K_A": "4", "K_B": "1", "E_H": "2", "E_W": "1/2", "R": "3"}, "K_B = 1: no minority pair, R0 undefined"
        ),
        Example(
            {"K_A": "300000", "K_B": "700000", "E_H": "20", "E_W": "1", "R": "3"},
            "K = 10^6 classes (separated; R0 = 3.9790767 < R1 = 3.9792462)",
        ),
    ),
    errata=ERRATA,
    explorations=EXPLORATIONS,
    module=__name__,
    certificate=certificate,
    certificate_note="value certified: dual bound of (15) and (15) at the solve's symmetric feasible point (kind "
    "two_group_ce: block-symmetric, O(1) for any K); the reference value (Newton on the phase's optimality conditions) is "
    "compared to dps+20 digits; norms, cosines, R0 and R1 stay verified (thresholds as balls: eval --certify)",
)
