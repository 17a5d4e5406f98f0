"""Fang et al. 2021, Theorem 4: softmax-based losses (14) in the balanced Layer-Peeled Model.

Statement (seed 000 Theorem 4; seed 001 Section 3B, SI A.2 Eqs. (50)-(63)): assume
sqrt(E_H E_W) > ((K-1)/K) log(K^2 sqrt(E_H E_W) + (2K-1)(K-1)). Then for every loss (14) (g1 nonincreasing
convex, g2 nondecreasing convex on (0, 1)) the simplex-ETF point (9) is a global minimiser of program (7);
if moreover g2 is strictly convex and g1 or g2 strictly monotone, every global minimiser is of the form (9).

Encoded here, with x = sqrt(E_H E_W) and S* = 1/(1 + (K-1) exp(-K x/(K-1))) (the softmax of the true class
at the ETF point):
* the optimal value g1(S*) + (K-1) g2((1 - S*)/(K-1)) for each loss, and the geometry of the minimiser;
* the hypothesis boundary x_star(K) in closed form, x_star(K) = -(K-1)/K^2 (K W_{-1}(-e^{-(2K-1)/K}/(K(K-1)))
  + 2K - 1), with W_{-1} the lower branch of Lambert W (branch choice proved in proofs/fang2021.thm4.md).

Losses are sympy pairs (g1, g2) (:mod:`verify.models.softmax_losses`). The registered claim checks two at every
point: cross-entropy and the paper's g1 = (1-x)^q, g2 = x^q. For any other pair::

    import sympy as sp
    from verify.claims.fang2021.thm4 import claim_for
    from verify.models.softmax_losses import X
    claim = claim_for(sp.exp(-X), X**2, "exp-square")          # parameters may be added: claim_for(g1, g2, name, ("a",))
    from verify.engine.checking import check_claim
    check_claim(claim)                                         # closed form vs independent solve of (7)
"""

from __future__ import annotations

import functools
import time
from collections.abc import Mapping, Sequence
from fractions import Fraction

import mpmath
import numpy as np
import sympy as sp

from verify.authoring import strategies as st
from verify.authoring.strategies import log_decimals
from verify.base.errors import InputError
from verify.claims.fang2021 import PAPER, SEEDS
from verify.claims.fang2021._thm4_errata import ERRATA, ERRATUM_POINT
from verify.claims.fang2021._thm4_explore import EXPLORATION_SETTINGS, EXPLORATIONS, explore_below_threshold
from verify.claims.fang2021._thm4_forms import (
    BASE_PARAMETERS,
    E_H,
    E_W,
    GEOMETRY,
    GEOMETRY_TOL,
    INEQUALITIES,
    ROOT_TOL,
    S_TRUE,
    THRESHOLD_GAP,
    THRESHOLD_HYPOTHESIS,
    VALUE_TOL,
    X_STAR,
    K,
    _x,
    base_hypotheses,
    etf_value,
    etf_value_printed,
    family_parameters,
    hypothesis_holds,
    n,
    p,
    quantities,
    s,
    shape_hypotheses,
    threshold_gap,
    x_star_findroot,
)
from verify.claims.fang2021._thm4_solve import measure, model, parameters, solver_for
from verify.geometry import cosine, norm, pairwise_cosines
from verify.geometry.collapse import class_means
from verify.models import LayerPeeledModel
from verify.models.arith import Arithmetic
from verify.models.lq_points import etf_gram_distance
from verify.models.softmax_losses import CROSS_ENTROPY, POWER, SoftmaxLossFamily, X
from verify.record import (
    Claim,
    Erratum,
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
from verify.record.hypotheses import CLASSIFIER_BUDGET, ETF_DIMENSION, FEATURE_BUDGET, ONE_SAMPLE_PER_CLASS, TWO_CLASSES
from verify.solvers.multistart import multistart
from verify.solvers.pipeline import solve_constrained
from verify.solvers.threads import single_threaded_blas

#: the room's names, as before the split (its tests and proof use them; most live in the sibling modules)
__all__ = [
    "Arithmetic",
    "BASE_PARAMETERS",
    "CLAIM",
    "CLASSIFIER_BUDGET",
    "CROSS_ENTROPY",
    "Claim",
    "ERRATA",
    "ERRATUM_POINT",
    "ETF_DIMENSION",
    "EXPLORATIONS",
    "EXPLORATION_SETTINGS",
    "E_H",
    "E_W",
    "Erratum",
    "Evidence",
    "Example",
    "Exploration",
    "FEATURE_BUDGET",
    "Finding",
    "Fraction",
    "GEOMETRY",
    "GEOMETRY_TOL",
    "Hypothesis",
    "InputError",
    "K",
    "LayerPeeledModel",
    "Mapping",
    "ONE_SAMPLE_PER_CLASS",
    "PAPER",
    "POWER",
    "Parameter",
    "Quantity",
    "ROOT_TOL",
    "SEEDS",
    "S_TRUE",
    "Sequence",
    "SoftmaxLossFamily",
    "SolveOptions",
    "SolveReport",
    "Source",
    "THRESHOLD_GAP",
    "THRESHOLD_HYPOTHESIS",
    "TWO_CLASSES",
    "Tolerance",
    "VALUE_TOL",
    "X",
    "X_STAR",
    "_x",
    "base_hypotheses",
    "claim_for",
    "claim_for_families",
    "class_means",
    "cosine",
    "etf_gram_distance",
    "etf_value",
    "etf_value_printed",
    "explore_below_threshold",
    "family_parameters",
    "functools",
    "hypothesis_holds",
    "log_decimals",
    "measure",
    "model",
    "mpmath",
    "multistart",
    "n",
    "norm",
    "np",
    "p",
    "pairwise_cosines",
    "parameters",
    "quantities",
    "s",
    "shape_hypotheses",
    "single_threaded_blas",
    "solve_constrained",
    "solver_for",
    "sp",
    "st",
    "substitution",
    "threshold_gap",
    "time",
    "x_star_findroot",
]


# --- building claims -------------------------------------------------------------------------------------------
def claim_for_families(
    families: Sequence[SoftmaxLossFamily],
    claim_id: str,
    *,
    geometry: bool,
    examples: Sequence[Example],
    extra_strategies: Mapping | None = None,  # name -> strategy, or a tuple of values to sample
    errata: tuple[Erratum, ...] = (),
    explorations: tuple[Exploration, ...] = (),
    unique_by_theorem_1: Sequence[SoftmaxLossFamily] = (),
) -> Claim:
    """A Theorem-4 claim over one or more losses (14). ``geometry``: also compare norms and cosines of the
    minimiser, which needs uniqueness: the strictness conditions are then hypotheses, except for losses in
    ``unique_by_theorem_1`` (cross-entropy: uniqueness is Theorem 1)."""
    hyps = list(base_hypotheses())
    for fam in families:
        hyps += shape_hypotheses(fam, strict=geometry and fam not in unique_by_theorem_1)
    names = ", ".join(f.name for f in families)
    return Claim(
        id=claim_id,
        title=f"Softmax-based losses ({names}): the ETF point is the global minimiser above x_star(K)",
        statement="If sqrt(E_H E_W) > ((K-1)/K) log(K^2 sqrt(E_H E_W) + (2K-1)(K-1)) (i.e. > x_star(K)), the "
        "ETF point (9) is a global minimiser of (7) for every loss (14), with value g1(S*) + (K-1) g2((1-S*)/(K-1)),"
        " S* = 1/(1 + (K-1) exp(-K sqrt(E_H E_W)/(K-1))); unique if g2 is strictly convex and g1 or g2 strictly "
        "monotone.",
        source=Source(PAPER, "Theorem 4, Eq. (14); SI A.2 Eqs. (50)-(63), Lemma 4", SEEDS),
        convention=LayerPeeledModel.convention + "; loss (14): g1(S(z)(k)) + sum_{k' != k} g2(S(z)(k'))",
        parameters=family_parameters(families),
        hypotheses=tuple(hyps),
        quantities=quantities(families, geometry),
        solver=solver_for(families, geometry),
        solver_description="for each loss: SLSQP multistart on (7) (seeded random feasible starts, best value must "
        "be reached by >= 2; a start below the ETF value would make the check fail), mixed-precision Newton "
        "refinement of the KKT system in mpmath; x_star by mpmath.findroot on the printed inequality",
        strategy=lambda: parameters(extra_strategies),
        examples=tuple(examples),
        errata=errata,
        explorations=explorations,
        module=__name__,
        inequalities=INEQUALITIES,
        certificate_note="none: the losses (14) other than cross-entropy are convex functions of the softmax, not of "
        "the logits (g1 = (1-x)^q, g2 = x^q are not convex in z), so (15) is not a convex program and weak duality "
        "gives no certificate; cross-entropy itself is certified by fang2021.thm1; verified only",
    )


def claim_for(g1: sp.Expr, g2: sp.Expr, name: str, parameters: tuple[str, ...] = (), *, unique: bool = True) -> Claim:
    """A Theorem-4 claim for one user loss: g1, g2 sympy expressions of ``verify.models.softmax_losses.X``
    (other symbols must be listed in ``parameters`` and are then claim parameters). ``unique=True`` also
    compares the minimiser's geometry and adds the strictness conditions as hypotheses."""
    family = SoftmaxLossFamily(name, sp.sympify(g1), sp.sympify(g2), tuple(parameters), "user loss")
    if not parameters:  # the shape conditions do not depend on the point: a bad g1 or g2 is reported now
        for hyp in shape_hypotheses(family, strict=unique):
            if not hyp.holds({}):
                raise InputError(
                    f"claim_for: {hyp.parameter} of the {name} loss fails '{hyp.statement}'",
                    parameter=hyp.parameter,
                    fix=hyp.fix,
                )
    example = {"K": "3", "n": "1", "p": "3", "E_H": "3", "E_W": "3"} | {q_: "2" for q_ in parameters}
    return claim_for_families(
        (family,),
        f"fang2021.thm4[{name}]",
        geometry=unique,
        examples=(Example(example, "sqrt(E_H E_W) = 3 > x_star(3) = 2.279"),),
        extra_strategies={q_: (Fraction(3, 2), Fraction(2), Fraction(3)) for q_ in parameters},
    )


# --- the registered claim: cross-entropy and the power loss at every point ----------------------------------------
CLAIM = claim_for_families(
    (CROSS_ENTROPY, POWER),
    "fang2021.thm4",
    geometry=True,
    unique_by_theorem_1=(CROSS_ENTROPY,),
    examples=(
        Example({"K": "3", "n": "1", "p": "3", "E_H": "3", "E_W": "3", "q": "2"}, "x = 3 > x_star(3) = 2.279"),
        Example(
            {"K": "2", "n": "1", "p": "1", "E_H": "1", "E_W": "1", "q": "3"}, "K = 2, p = 1, x = 1 just above 0.962"
        ),
        Example({"K": "4", "n": "2", "p": "3", "E_H": "4", "E_W": "3", "q": "3/2"}, "p = K-1, n = 2, x = 3.46"),
        Example({"K": "3", "n": "2", "p": "4", "E_H": "8", "E_W": "1", "q": "3"}, "E_H != E_W, x = 2.83"),
    ),
    extra_strategies={"q": (Fraction(3, 2), Fraction(2), Fraction(3))},
    errata=ERRATA,
    explorations=EXPLORATIONS,
)
