"""Fang et al. 2021, Proposition 2: with an l_q feature constraint (q != 2) neural collapse does not emerge.

Statement (seed 001, Section 6, program (20); proof in SI A.1): for K >= 3, p >= K and q in (0, 2) U (2, inf),
no global minimiser of program (20) -- program (7) with the feature constraint
(1/K) sum_k (1/n) sum_i ||h_{k,i}||_q^q <= E_H, cross-entropy loss -- satisfies Eq. (9) (h_{k,i} = C w_k =
C' m_k with (m_k) a simplex ETF) for any C, C' > 0.

**The statement is false for q > 2 at some (K, p)** (erratum, with an independent solve): when a {+-1}-valued
simplex ETF S (K x p) exists -- K even, (K-1) | p, and p/(K-1) even when K = 2 mod 4; e.g. K = 4, p = 6 --
the point H = (E_H/p)^(1/q) S, W = sqrt(E_W/p) S satisfies (9) and attains a lower bound of (20) (Hoelder
plus Theorem 1 with E_H' = p^(1-2/q) E_H^(2/q)), so it is a global minimiser. Everywhere else we measured
(q < 2 at every (K, p) tried; q > 2 without a sign ETF: K odd, or (K-1) not dividing p) the minimiser is a
measured distance away from every ETF; ``nc-verify explore fang2021.prop2`` reports the distances.

Which quantities, and why. Prop 2 is a negative statement: the global minimiser of (20) has no closed form,
so "the distance of the minimiser from the nearest ETF" is measured only numerically and belongs to the
exploration and the tests, not to a checked Quantity. What the paper does print in closed form is its
proof: the feasible family SR (a one-parameter family of points of (20) that satisfy NC1 and NC3, an ETF
exactly at a = K-1), the loss on SR as a function of its margin, and the derivative g'(K-1) of the function
g whose maximiser over a gives the best point of SR. The checked quantities are these, each computed twice:
in closed form (sympy, corrected where the seed errs) and by an independent computation on the model (20)
itself -- SR points built from their definition, budgets saturated through the model's own constraint
functions, margins read from the logits, the best point of SR found by a 1-D solve of (20) over a:

* ``dg_at_etf``: g'(K-1) = 2K^2((K-1) - (K-1)^(q-1)) / ((K-1)((K-1)^q + K-1)^(2/q+1)) (printed: K times
  this; erratum). Nonzero for q != 2: the proof's conclusion. Measured: d/da of margin(a)^2 /
  (E_H^(2/q) E_W) at a = K-1 (mpmath.diff of the model's logits).
* ``value_at_etf_in_sr``: the value of (20) at the ETF point of SR, log(1 + (K-1) exp(-E_H^(1/q) sqrt(E_W)
  sqrt(g(K-1)))). Measured: the model's objective there.
* ``a_star``: the maximiser of g over a >= 0, i.e. the minimiser of (20) over SR (defined implicitly: the
  reference maximises the closed-form g; a != K-1 for q != 2). For q <= 1, g < 1 = lim_{a->inf} g (proof in
  proofs/fang2021.prop2.md): no maximiser, Undefined, and the solve must find (20) decreasing along SR.
* ``value_sr_optimum``: the value of (20) at a_star (Undefined for q <= 1); below ``value_at_etf_in_sr``.

The SR of the seed also needs two corrections (erratum): |B1| <= E_H^(1/q) (not sqrt(E_H)), so (32) reads
E_H^(2/q) E_W, and P must be a signed coordinate embedding (for a general P^T P = I the l_q norm is not
b^q(a^q + K-1)). Only the scale changes; the maximiser over a does not.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from fractions import Fraction

import mpmath
import numpy as np
import sympy as sp

from verify.authoring import strategies as st
from verify.authoring.strategies import log_decimals
from verify.claims.fang2021 import PAPER, SEEDS
from verify.claims.fang2021._prop2_errata import (
    COUNTER_POINT,
    DG_POINT,
    ERRATA,
    SCALE_POINT,
)
from verify.claims.fang2021._prop2_explore import EXPLORATION_GRID, EXPLORATIONS
from verify.claims.fang2021._prop2_forms import (
    A_MAX_EXP,
    DG,
    DG_PRINTED,
    E_H,
    E_W,
    GRID_DPS,
    GRID_POINTS,
    MARGIN_SR,
    PARAMETERS,
    VALUE_AT_ETF,
    VALUE_SR,
    G,
    K,
    _argmax_g,
    _value_sr_optimum,
    a,
    n,
    p,
    q,
)
from verify.claims.fang2021._prop2_solve import RELAXATION_BOUND, global_solve, model, parameters, solve
from verify.models.arith import FLOAT, mp_arithmetic, to_mpf
from verify.models.lq_constrained import LqLayerPeeledModel
from verify.models.lq_points import etf_gram_distance, sign_etf, sign_etf_exists, sr_point
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
    Undefined,
    substitution,
)
from verify.record.hypotheses import CLASSIFIER_BUDGET, FEATURE_BUDGET, ONE_SAMPLE_PER_CLASS
from verify.solvers.lq_saturated import solve_lq

#: the room's names, as before the split (its tests and proof use them; most live in the sibling modules)
__all__ = [
    "ARGMAX_TOL",
    "A_MAX_EXP",
    "CLAIM",
    "CLASSIFIER_BUDGET",
    "COUNTER_POINT",
    "Claim",
    "DERIVATIVE_TOL",
    "DG",
    "DG_POINT",
    "DG_PRINTED",
    "ERRATA",
    "EXPLORATIONS",
    "EXPLORATION_GRID",
    "E_H",
    "E_W",
    "Erratum",
    "Evidence",
    "Example",
    "Exploration",
    "FEATURE_BUDGET",
    "FLOAT",
    "Finding",
    "Fraction",
    "G",
    "GRID_DPS",
    "GRID_POINTS",
    "Hypothesis",
    "K",
    "LqLayerPeeledModel",
    "MARGIN_SR",
    "Mapping",
    "ONE_SAMPLE_PER_CLASS",
    "PAPER",
    "PARAMETERS",
    "Parameter",
    "QUANTITIES",
    "Quantity",
    "RELAXATION_BOUND",
    "SCALE_POINT",
    "SEEDS",
    "SolveOptions",
    "SolveReport",
    "Source",
    "Tolerance",
    "Undefined",
    "VALUE_AT_ETF",
    "VALUE_SR",
    "VALUE_TOL",
    "a",
    "etf_gram_distance",
    "global_solve",
    "log_decimals",
    "model",
    "mp_arithmetic",
    "mpmath",
    "n",
    "np",
    "p",
    "parameters",
    "q",
    "sign_etf",
    "sign_etf_exists",
    "solve",
    "solve_lq",
    "sp",
    "sr_point",
    "st",
    "substitution",
    "time",
    "to_mpf",
]


# --- tolerances ------------------------------------------------------------------------------------------
DERIVATIVE_TOL = Tolerance(
    guard_digits=6,
    reason="mpmath.diff differentiates the model's margin at dps + 10 digits (its own step control raises the "
    "precision further); g'(K-1) is evaluated by sympy at dps + 5: both exact to the working precision on "
    "the pinned and drawn points (measured error 0 at dps 30), the rounding of the margins (x1e5 through the differentiation step): 0 + 5 + 1 spare = 6 guard digits",
    budget=ErrorBudget(0, 1e5, 1),
)


VALUE_TOL = Tolerance(
    guard_digits=3,
    reason="the model's objective at an SR point sums N softplus terms rounded at dps + 10 digits; at a_star it "
    "is first-order insensitive to the error of a_star (measured <= 1e-31 at dps 30); the error left is the rounding to dps digits of a sum (x1e2): 2 + 1 spare = 3 guard digits",
    budget=ErrorBudget(0, 1e2, 1),
)


ARGMAX_TOL = Tolerance(
    guard_digits=9,
    reason="a_star is the root of a numerical derivative of (20) along SR, found at dps + 10 digits; an error e "
    "in the derivative moves the root by e / phi''(a*), and phi'' is small where g is flat (q near 2, large "
    "K); with the root's rounding to dps digits and 1/phi''(a*) <= 1e8 assumed (not measured by the solve): "
    "0 + 8 + 1 spare = 9 guard digits; measured relative errors <= 6e-32 at dps 30 on 19 pinned and drawn points",
    budget=ErrorBudget(0, 1e8, 1),
)


QUANTITIES = (
    Quantity("dg_at_etf", "g'(K-1) of the proof (corrected): nonzero iff q != 2", DG, DERIVATIVE_TOL),
    Quantity("value_at_etf_in_sr", "value of (20) at the ETF point a = K-1 of SR", VALUE_AT_ETF, VALUE_TOL),
    Quantity(
        "a_star",
        "maximiser of g over a >= 0: the best point of SR (a_star != K-1 for q != 2; Undefined for q <= 1)",
        None,
        ARGMAX_TOL,
        reference=_argmax_g,
        definition="the global maximiser over a > 0 of g(a) = ((a+1)^2/(a^2+K-1)) ((a+1)^q/(a^q+K-1))^(2/q) "
        "(log grid 1e-3..1e60, then the root of g' in the best cell); none for q <= 1",
    ),
    Quantity(
        "value_sr_optimum",
        "value of (20) at a_star, the minimum of (20) over SR (below value_at_etf_in_sr)",
        None,
        VALUE_TOL,
        reference=_value_sr_optimum,
        definition="log(1 + (K-1) exp(-E_H^(1/q) sqrt(E_W) sqrt(g(a_star)))), a_star as above; none for q <= 1",
    ),
)


CLAIM = Claim(
    id="fang2021.prop2",
    title="l_q feature constraint (20): no neural collapse for q != 2 (false for q > 2 at sign-ETF dimensions)",
    statement="For K >= 3, p >= K and q in (0,2) U (2,inf), no global minimiser of (20) satisfies (9). Proof: "
    "on SR the loss is log(1 + (K-1) exp(-E_H^(1/q) sqrt(E_W g(a)))) and g'(K-1) != 0 for q != 2, so the ETF "
    "point a = K-1 is not the best point of SR.",
    source=Source(
        PAPER, "Section 6, Proposition 2, Eq. (20); SI A.1, proof of Proposition 2 (set SR, Eq. (32))", SEEDS
    ),
    convention="Fang et al. 2021 Eq. (20): mean loss (1/N); (1/K) sum ||w_k||^2 <= E_W, (1/K) sum_k (1/n) "
    "sum_i ||h_{k,i}||_q^q <= E_H with ||h||_q^q = sum_j |h(j)|^q; cross-entropy; no bias",
    parameters=PARAMETERS,
    hypotheses=(
        Hypothesis("K >= 3", lambda v: v["K"] >= 3, "K", "K = 2 is Lemma 3 (program (33)): use fang2021.lemma3"),
        ONE_SAMPLE_PER_CLASS,
        Hypothesis("p >= K", lambda v: v["p"] >= v["K"], "p", "raise p to at least K (SR embeds R^K)"),
        Hypothesis("q > 0", lambda v: v["q"] > 0, "q", "give a positive exponent q"),
        Hypothesis("q != 2", lambda v: v["q"] != 2, "q", "q = 2 is Theorem 1 (neural collapse): use fang2021.thm1"),
        FEATURE_BUDGET,
        CLASSIFIER_BUDGET,
    ),
    quantities=QUANTITIES,
    solver=solve,
    solver_description="program (20) on the proof's family SR: points built from SR's definition with both "
    "budgets saturated through the model's constraints, margins from the logits, d/da by mpmath.diff, the "
    "best point of SR by a log-grid search over a and a root of d(value)/da (never uses g or its derivative); "
    "the full program (20) is solved in the errata and the exploration",
    strategy=parameters,
    examples=(
        Example({"K": "3", "n": "1", "p": "3", "q": "3", "E_H": "1", "E_W": "1"}, "q > 2, p = K"),
        Example(
            {"K": "4", "n": "1", "p": "6", "q": "3", "E_H": "1", "E_W": "1"}, "the counterexample point (sign ETF)"
        ),
        Example({"K": "5", "n": "2", "p": "6", "q": "3/2", "E_H": "2", "E_W": "1/2"}, "1 < q < 2, n = 2"),
        Example({"K": "3", "n": "1", "p": "4", "q": "1/2", "E_H": "1", "E_W": "1"}, "q < 1: SR has no best point"),
        Example({"K": "4", "n": "1", "p": "4", "q": "1", "E_H": "3", "E_W": "1"}, "q = 1: SR has no best point"),
        Example({"K": "3", "n": "1", "p": "3", "q": "21/10", "E_H": "1", "E_W": "1"}, "q just above 2: g'(K-1) small"),
        Example({"K": "6", "n": "1", "p": "6", "q": "8", "E_H": "1/10", "E_W": "10"}, "large q, K = 6"),
    ),
    errata=ERRATA,
    explorations=EXPLORATIONS,
    module=__name__,
    certificate_note="none: the l_q feature budget (q != 2) is not a function of the Gram matrix, so Lemma 1's convex relaxation (15) does not apply; no dual certificate is known; verified only",
)
