"""Fang et al. 2021, Proposition 1: oversampling the minority classes w_r times is the program (15) with
n_B replaced by w_r n_B.

Statement (seed 001, Section 5, Eqs. (17)-(19); proof "by the same argument" as Lemma 1, SI B.1): assume
p >= 2K and L convex in its first argument. Let X* minimise (15) with n_k = n_A (k <= K_A) and n_k = w_r n_B
(k > K_A). Then (H*, W*) from P X*^{1/2} with h*_{k,i} = hbar*_k (i <= n_A, resp. i <= n_B; Eq. (19))
minimises the oversampling-adjusted Layer-Peeled Model (18):

    minimise (1/N') [ sum_{k<=K_A} sum_{i<=n_A} L(W h_{k,i}, y_k) + w_r sum_{k>K_A} sum_{i<=n_B} L(W h_{k,i}, y_k) ]
    s.t. (1/K) sum_k ||w_k||^2 <= E_W,  (1/K) sum_{k<=K_A} (1/n_A) sum_i ||h_{k,i}||^2
                                        + (1/K) sum_{k>K_A} (1/n_B) sum_i ||h_{k,i}||^2 <= E_H,

N' = n_A K_A + w_r n_B K_B. Program (15) depends on the sizes only through the weights n_k/N, so the
statement makes sense for every real w_r > 0 (the paper thinks of an integer rate); it is checked so.
With w_r = R = n_A/n_B all weights are equal and Theorem 1 applies: one K-simplex ETF, every pair of
classifiers at cosine -1/(K-1) (the paper's "all the angles are equal"; proofs/fang2021.prop1.md).

Checked quantities (reference: the converged optimum of (15) at sizes (n_A, w_r n_B), see
:mod:`verify.claims.fang2021.lemma1`; solve: (18) itself with individual samples, random starts, mpmath KKT):
``value``, the two budgets used (saturation and collapse to the means), and the classifier cosines between
groups (``cos_classifiers_AB``) and within the minority (``cos_classifiers_BB``). Where the relaxation's
minority classifiers are zero (beyond the second transition R1 of issue 5 research) the cosines are
Undefined on both sides. Comparing cosines assumes that the minimiser of (15) is unique up to rotation
(not proved by the paper; observed on every point checked).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

import mpmath
import numpy as np

from verify.authoring import strategies as st
from verify.authoring.strategies import log_decimals
from verify.claims.fang2021 import PAPER, SEEDS
from verify.claims.fang2021._prop1_explore import EXPLORATIONS
from verify.claims.fang2021._prop1_forms import (
    E_H,
    E_W,
    K_A,
    K_B,
    PARAMETERS,
    _classifier_cosine,
    effective_sizes,
    n_A,
    n_B,
    p,
    relaxation,
    relaxation_value,
    w_r,
)
from verify.claims.fang2021._prop1_solve import OversampledModel, measure, model, parameters, solve
from verify.geometry import cosine
from verify.geometry.collapse import class_means
from verify.models import LayerPeeledModel
from verify.models.arith import FLOAT, Arithmetic, to_mpf
from verify.models.gram_relaxation import GramProgram
from verify.record import (
    Claim,
    ErrorBudget,
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
    Undefined,
)
from verify.record.hypotheses import CLASSIFIER_BUDGET, FEATURE_BUDGET
from verify.solvers.conic import PolishedSolution, classifier_geometry, polished_optimum, solve_gram
from verify.solvers.pipeline import solve_constrained

#: the room's names, as before the split (its tests and proof use them; most live in the sibling modules)
__all__ = [
    "Arithmetic",
    "CLAIM",
    "CLASSIFIER_BUDGET",
    "Claim",
    "EXPLORATIONS",
    "E_H",
    "E_W",
    "Example",
    "Exploration",
    "FEATURE_BUDGET",
    "FLOAT",
    "Finding",
    "Fraction",
    "GEOMETRY_TOL",
    "GramProgram",
    "Hypothesis",
    "K_A",
    "K_B",
    "LayerPeeledModel",
    "Mapping",
    "OversampledModel",
    "PAPER",
    "PARAMETERS",
    "Parameter",
    "PolishedSolution",
    "QUANTITIES",
    "Quantity",
    "SEEDS",
    "SolveOptions",
    "SolveReport",
    "Source",
    "Tolerance",
    "Undefined",
    "VALUE_TOL",
    "_classifier_cosine",
    "class_means",
    "classifier_geometry",
    "cosine",
    "dataclass",
    "effective_sizes",
    "log_decimals",
    "measure",
    "model",
    "mpmath",
    "n_A",
    "n_B",
    "np",
    "p",
    "parameters",
    "polished_optimum",
    "relaxation",
    "relaxation_value",
    "solve",
    "solve_constrained",
    "solve_gram",
    "st",
    "to_mpf",
    "w_r",
]


# --- tolerances ------------------------------------------------------------------------------------------
VALUE_TOL = Tolerance(
    guard_digits=8,
    reason="both sides are KKT points refined to a residual below 10^-(dps-5) (the relaxation's also converged "
    "by a Frank-Wolfe gap below 10^-(dps-6), measured ~1e-31 at dps 30); the value is a sum of O(N K) terms "
    "and first-order insensitive to the point's error: 8 guard digits. The conic solvers' accuracy (Clarabel "
    "~1e-11, SCS ~1e-9) only starts the refinement",
    budget=ErrorBudget(5, 1e2, 1, residuals=("kkt_stationarity",)),
)


GEOMETRY_TOL = Tolerance(
    guard_digits=10,
    reason="budgets and cosines carry the forward error of each refined point, ~ (KKT residual 10^-(dps-5)) x "
    "(condition of the KKT matrix on the complement of the rotation orbit, <= 1e3 on the pinned and drawn "
    "points); the relaxation's cosines are ratios of Gram entries at its own refined point: 10 guard digits",
    budget=ErrorBudget(5, 1e3, 2, residuals=("kkt_stationarity",), condition=("kkt_condition",)),
)


QUANTITIES = (
    Quantity(
        "value",
        "optimal value of the oversampling-adjusted model (18)",
        None,
        VALUE_TOL,
        reference=relaxation_value,
        definition="the minimum of (15) with sizes n_A (K_A classes) and w_r n_B (K_B classes): conic solve, "
        "factor P X^(1/2), mpmath KKT refinement, convexity certificate (verify.solvers.conic.polish)",
    ),
    Quantity(
        "mean_feature_budget",
        "(1/K) sum_k ||hbar_k||^2 at the minimiser of (18): = E_H iff saturated and of the form (19)",
        E_H,
        GEOMETRY_TOL,
    ),
    Quantity("classifier_budget", "(1/K) sum_k ||w_k||^2 at the minimiser of (18)", E_W, GEOMETRY_TOL),
    Quantity(
        "cos_classifiers_AB",
        "cos(w_k, w_l), k majority, l minority",
        None,
        GEOMETRY_TOL,
        reference=lambda v, dps: _classifier_cosine(v, dps, "AB"),
        definition="the same cosine at the converged minimiser of (15) with n_B -> w_r n_B",
    ),
    Quantity(
        "cos_classifiers_BB",
        "cos(w_k, w_l), k != l both minority",
        None,
        GEOMETRY_TOL,
        reference=lambda v, dps: _classifier_cosine(v, dps, "BB"),
        definition="the same cosine at the converged minimiser of (15) with n_B -> w_r n_B",
    ),
)


def certificate(values: Mapping[str, Fraction], report: SolveReport):
    """The proven enclosure of min (18) at the solve's point: program (7) with class weights w_r n_B / N' for the
    minority, n_A / N' for the majority (verify.certify.layer_peeled, kind layer_peeled_ce with class_weights)."""
    from verify.certify.layer_peeled import certify_layer_peeled

    lpm = model(values)
    w = Fraction(values["w_r"])
    n_prime = sum(lpm.class_sizes[: lpm.K_A]) + w * sum(lpm.class_sizes[lpm.K_A :])
    weights = [Fraction(n) / n_prime for n in lpm.class_sizes[: lpm.K_A]]
    weights += [w * n / n_prime for n in lpm.class_sizes[lpm.K_A :]]
    return certify_layer_peeled(lpm, report.point, "fang2021.prop1", values, ("value",), report.dps, weights)


CLAIM = Claim(
    id="fang2021.prop1",
    title="Oversampling the minority classes w_r times is the Layer-Peeled Model with n_B -> w_r n_B",
    statement="For p >= 2K and cross-entropy, the oversampling-adjusted model (18) has the optimal value and the "
    "minimisers (form (19), both budgets saturated) of the convex program (15) with n_k = w_r n_B for the minority "
    "classes; at w_r = R = n_A/n_B all classifiers form one simplex ETF (every cosine -1/(K-1)).",
    source=Source(
        PAPER, "Section 5: Eqs. (17)-(19), Proposition 1, Fig. 6; SI B.1 (proof by Lemma 1's argument)", SEEDS
    ),
    convention=GramProgram.convention
    + "; (18): mean over N' = n_A K_A + w_r n_B K_B weighted samples, constraints of (7) with the real counts",
    parameters=PARAMETERS,
    hypotheses=(
        Hypothesis("K_A >= 1", lambda v: v["K_A"] >= 1, "K_A", "give at least one majority class"),
        Hypothesis(
            "K_B >= 2", lambda v: v["K_B"] >= 2, "K_B", "give at least two minority classes (their angle is checked)"
        ),
        Hypothesis("n_B >= 1", lambda v: v["n_B"] >= 1, "n_B", "class sizes are positive integers"),
        Hypothesis(
            "R = n_A/n_B >= 1", lambda v: v["n_A"] >= v["n_B"], "n_A", "group A is the majority: give n_A >= n_B"
        ),
        Hypothesis("w_r > 0", lambda v: v["w_r"] > 0, "w_r", "give a positive oversampling rate"),
        Hypothesis(
            "p >= 2K",
            lambda v: v["p"] >= 2 * (v["K_A"] + v["K_B"]),
            "p",
            "raise p to at least 2(K_A + K_B), as Proposition 1 assumes",
        ),
        FEATURE_BUDGET,
        CLASSIFIER_BUDGET,
    ),
    quantities=QUANTITIES,
    solver=solve,
    solver_description="(18) with individual samples and the minority losses weighted by w_r: SLSQP multistart "
    "(8 seeded random feasible starts, best value reached by >= 2), mpmath KKT refinement; the reference side "
    "solves (15) with n_B -> w_r n_B instead",
    strategy=parameters,
    examples=(
        Example(
            {"K_A": "2", "K_B": "2", "n_A": "3", "n_B": "1", "w_r": "2", "p": "8", "E_H": "5", "E_W": "1"},
            "R = 3, integer rate w_r = 2 < R",
        ),
        Example(
            {"K_A": "2", "K_B": "2", "n_A": "3", "n_B": "1", "w_r": "3", "p": "8", "E_H": "5", "E_W": "1"},
            "w_r = R: balanced, one simplex ETF (cosines -1/3)",
        ),
        Example(
            {"K_A": "1", "K_B": "2", "n_A": "4", "n_B": "1", "w_r": "1/2", "p": "6", "E_H": "5", "E_W": "1"},
            "real rate w_r = 1/2 < 1 (down-weighting), one majority class",
        ),
        Example(
            {"K_A": "2", "K_B": "2", "n_A": "5", "n_B": "2", "w_r": "3/2", "p": "9", "E_H": "5", "E_W": "1"},
            "non-integer rate 3/2, n_B = 2, p = 2K + 1",
        ),
        Example(
            {"K_A": "2", "K_B": "2", "n_A": "5", "n_B": "1", "w_r": "1", "p": "8", "E_H": "1", "E_W": "1"},
            "no oversampling in the minority-collapse regime: minority classifiers parallel (cos_BB = 1)",
        ),
        Example(
            {"K_A": "2", "K_B": "2", "n_A": "5", "n_B": "1", "w_r": "5", "p": "8", "E_H": "1", "E_W": "1"},
            "the same point oversampled at w_r = R = 5: collapse undone, ETF",
        ),
        Example(
            {"K_A": "2", "K_B": "2", "n_A": "8", "n_B": "1", "w_r": "1", "p": "8", "E_H": "2/5", "E_W": "2/5"},
            "R = 8 beyond R1 = 5.21 (Lemma 5 case (ii)): minority classifiers exactly 0, cosines undefined on both sides",
        ),
        Example(
            {"K_A": "2", "K_B": "2", "n_A": "8", "n_B": "1", "w_r": "8", "p": "8", "E_H": "2/5", "E_W": "2/5"},
            "the same point at w_r = R = 8: ETF again",
        ),
    ),
    explorations=EXPLORATIONS,
    module=__name__,
    certificate=certificate,
    certificate_note="value certified: dual bound of the weighted relaxation and (18) at the solve's feasible point "
    "(kind layer_peeled_ce with class weights); budgets and cosines stay verified",
)
