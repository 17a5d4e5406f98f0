"""Fang et al. 2021, Theorem 1: the balanced Layer-Peeled Model with cross-entropy collapses to a simplex ETF.

Statement (seed 001, Section 3A, Eq. (9)): with n_k = n for all k and p >= K-1, every global minimiser of
program (7) with the cross-entropy loss (8) obeys h_{k,i} = C w_k = C' m_k with C = sqrt(E_H/E_W),
C' = sqrt(E_H) and [m_1, ..., m_K] a K-simplex ETF (Definition 1).

Also encoded: the proof's lower bound L0 (SI A.1, Eqs. (21)-(27)) with its constants C_a ... C_e. As
printed (C_a = exp(sqrt(E_H E_W)), C_b = exp(-sqrt(E_H E_W)/(K-1))) the bound is valid but not tight for
K >= 3; with C_b = (K-1) exp(-sqrt(E_H E_W)/(K-1)) it equals the optimal value (erratum below; derivation
in proofs/fang2021.thm1.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

import mpmath
import numpy as np
import sympy as sp

from verify.authoring import strategies as st
from verify.authoring.strategies import log_decimals
from verify.claims.fang2021 import PAPER, SEEDS
from verify.geometry import cosine, norm, pairwise_cosines
from verify.models import LayerPeeledModel
from verify.models.arith import Arithmetic
from verify.record import (
    Claim,
    Erratum,
    ErrorBudget,
    Evidence,
    Example,
    Parameter,
    ProofInequality,
    Quantity,
    SolveOptions,
    SolveReport,
    Source,
    Tolerance,
)
from verify.record.hypotheses import CLASSIFIER_BUDGET, ETF_DIMENSION, FEATURE_BUDGET, ONE_SAMPLE_PER_CLASS, TWO_CLASSES
from verify.solvers.pipeline import solve_constrained

PARAMETERS = (
    Parameter("K", "integer", "number of classes"),
    Parameter("n", "integer", "samples per class (balanced)", default=lambda v: Fraction(1), default_text="1"),
    Parameter("p", "integer", "feature dimension", default=lambda v: v["K"], default_text="K"),
    Parameter("E_H", "real", "feature budget: (1/K) sum_k (1/n) sum_i ||h_{k,i}||^2 <= E_H"),
    Parameter("E_W", "real", "classifier budget: (1/K) sum_k ||w_k||^2 <= E_W"),
)
K, n, p, E_H, E_W = (par.symbol for par in PARAMETERS)
s = sp.sqrt(E_H * E_W)


# --- the proof's lower bound (SI A.1) -----------------------------------------------------------------------
def lower_bound(Ca: sp.Expr, Cb: sp.Expr) -> sp.Expr:
    """L0 of SI A.1 Eq. (27) for any C_a, C_b > 0: C_c, C_d as printed after Eq. (21) and (23), C_e in (24)."""
    Cc = Cb / ((Ca + Cb) * (K - 1))
    Cd = Ca / (Ca + Cb) * sp.log((Ca + Cb) / Ca) + Cb / (Ca + Cb) * sp.log(1 / Cc)
    return -Cb / (Ca + Cb) * K * s / (K - 1) + Cd


#: The constants as the seed prints them (001, proof of Theorem 1, after Eq. (23); C_e after Eq. (24)).
PRINTED_CONSTANTS = {"C_a": sp.exp(s), "C_b": sp.exp(-s / (K - 1)), "C_e": sp.sqrt(E_H / E_W)}
#: The constants that make Eq. (22) an equality at the ETF point (derived in proofs/fang2021.thm1.md).
TIGHT_CONSTANTS = {"C_a": sp.exp(s), "C_b": (K - 1) * sp.exp(-s / (K - 1)), "C_e": sp.sqrt(E_H / E_W)}

L0_PRINTED = lower_bound(PRINTED_CONSTANTS["C_a"], PRINTED_CONSTANTS["C_b"])
L0_TIGHT = lower_bound(TIGHT_CONSTANTS["C_a"], TIGHT_CONSTANTS["C_b"])

#: The optimal value: cross-entropy at the ETF logits w_k.h_k = s, w_k'.h_k = -s/(K-1).
VALUE = sp.log(1 + (K - 1) * sp.exp(-K * s / (K - 1)))

# --- the proof's inequalities over parameter boxes (nc-verify certify; verify/certify/box.py) ----------------
#: s = sqrt(E_H E_W) as one variable: L0 and the value depend on the budgets only through it.
S = sp.Symbol("s", positive=True)
_U = sp.exp(-K * S / (K - 1))  # C_b / C_a with the printed constants
#: value - L0(printed C_b) through u = exp(-K s/(K-1)): log(1 + (K-1)u) - log(1 + u) - log(K-1) u/(1 + u), i.e.
#: Jensen's gap for log at the weights 1/(1+u), u/(1+u) on 1 and K-1 (>= 0, = 0 iff K = 2); equal to
#: VALUE - L0_PRINTED (tests/test_certify_box.py proves it with sympy).
PRINTED_GAP = sp.log(1 + (K - 1) * _U) - sp.log(1 + _U) - sp.log(K - 1) * _U / (1 + _U)


def in_s(expr: sp.Expr) -> sp.Expr:
    """``expr`` with sqrt(E_H E_W) written as :data:`S` (E_H -> s^2, E_W -> 1 leaves every sqrt(E_H E_W) as s)."""
    return expr.xreplace({E_H: S**2, E_W: sp.Integer(1)})


INEQUALITIES = (
    ProofInequality(
        "printed_bound_valid",
        "L0 with the printed C_b = exp(-s/(K-1)) is at most the optimal value (a valid bound; equal only at K = 2)",
        PRINTED_GAP,
        "SI A.1 Eq. (27) with the constants printed after Eq. (23)",
        derived=((S, s),),
    ),
    ProofInequality(
        "corrected_bound_tight",
        "L0 with the corrected C_b = (K-1) exp(-s/(K-1)) is at most the optimal value, with equality (tight)",
        in_s(VALUE - L0_TIGHT),
        "SI A.1 Eq. (27) with the corrected C_b (erratum; proofs/fang2021.thm1.md, Step 5)",
        derived=((S, s),),
    ),
)

# --- tolerances ------------------------------------------------------------------------------------------
VALUE_TOL = Tolerance(
    guard_digits=8,
    reason="the solve refines the KKT point until its residual is below 10^-(dps-5); the value is a sum of "
    "O(N K) terms, each rounded at dps digits, and is first-order insensitive to the remaining error: "
    "8 guard digits cover both",
    budget=ErrorBudget(5, 1e2, 1, residuals=("kkt_stationarity",)),
)
GEOMETRY_TOL = Tolerance(
    guard_digits=10,
    reason="norms and cosines carry the forward error of the point, ~ (KKT residual <= 10^-(dps-5)) x (condition "
    "of the KKT matrix on the complement of the rotation orbit); the condition measured over the 5 pinned and 40 "
    "drawn points (seed 0) is at most 2.8e3, so the forward error is below 10^-(dps-9): 10 guard digits leave one "
    "to spare (worst geometry error measured at dps 30: 1.8e-28 against 1e-20)",
    budget=ErrorBudget(5, 2.8e3, 1, residuals=("kkt_stationarity",), condition=("kkt_condition",)),
)

QUANTITIES = (
    Quantity("value", "optimal value of (7) with cross-entropy", VALUE, VALUE_TOL),
    Quantity("lower_bound", "L0 of SI Eq. (27) with the tight constants (equals the minimum)", L0_TIGHT, VALUE_TOL),
    Quantity("feature_norm", "||h_{k,i}|| for every sample", sp.sqrt(E_H), GEOMETRY_TOL),
    Quantity("classifier_norm", "||w_k|| for every class", sp.sqrt(E_W), GEOMETRY_TOL),
    Quantity("cosine", "cos(hbar_k, hbar_l), class means, k != l", -1 / (K - 1), GEOMETRY_TOL),
    Quantity("cosine_classifiers", "cos(w_k, w_l), k != l", -1 / (K - 1), GEOMETRY_TOL),
    Quantity(
        "cos_feature_classifier",
        "cos(h_{k,i}, w_k): self-duality (NC3) and within-class collapse (NC1)",
        sp.Integer(1),
        GEOMETRY_TOL,
    ),
    Quantity("C", "||h_{k,i}|| / ||w_k|| (h_{k,i} = C w_k)", sp.sqrt(E_H / E_W), GEOMETRY_TOL),
    Quantity("C_prime", "||hbar_k|| (h_{k,i} = C' m_k, ||m_k|| = 1)", sp.sqrt(E_H), GEOMETRY_TOL),
)


# --- the independent solve -------------------------------------------------------------------------------
def model(values: Mapping[str, Fraction]) -> LayerPeeledModel:
    K_, n_ = int(values["K"]), int(values["n"])
    return LayerPeeledModel((n_,) * K_, int(values["p"]), values["E_H"], values["E_W"])


def measure(lpm: LayerPeeledModel, x: np.ndarray, ar: Arithmetic, zero_digits: int) -> dict[str, tuple]:
    """The rotation invariants of a point of (7). A vector shorter than 10^-zero_digits times its budget's
    scale is numerically zero, and a cosine involving it is Undefined."""
    W, H = lpm.unpack(x)
    n_ = lpm.class_sizes[0]
    means = np.array([H[k * n_ : (k + 1) * n_].sum(axis=0) / n_ for k in range(lpm.K)], dtype=H.dtype)
    tol_h = float(lpm.E_H) ** 0.5 * 10.0 ** (-zero_digits)
    tol_w = float(lpm.E_W) ** 0.5 * 10.0 ** (-zero_digits)
    zero = min(tol_h, tol_w)
    labels = lpm.labels
    h_norms = tuple(norm(h) for h in H)
    w_norms = tuple(norm(w) for w in W)
    return {
        "value": (lpm.objective(x, ar),),
        "lower_bound": (lpm.objective(x, ar),),
        "feature_norm": h_norms,
        "classifier_norm": w_norms,
        "cosine": pairwise_cosines(means, zero_tol=tol_h, label="hbar"),
        "cosine_classifiers": pairwise_cosines(W, zero_tol=tol_w, label="w"),
        "cos_feature_classifier": tuple(
            cosine(H[j], W[labels[j]], zero_tol=zero, names=(f"h_{j + 1}", f"w_{labels[j] + 1}")) for j in range(lpm.N)
        ),
        "C": tuple(h_norms[j] / w_norms[labels[j]] for j in range(lpm.N)),
        "C_prime": tuple(norm(m) for m in means),
    }


def lemma2_residuals(lpm: LayerPeeledModel, x: np.ndarray, ar: Arithmetic) -> dict[str, float]:
    """How far a point of (7) is from the equality conditions (28)-(30) of Lemma 2 (SI A.1), balanced case.

    centring: max_i ||hbar_i|| (hbar_i = (1/K) sum_k h_{k,i});  duality: max ||hbar_i - h_{k,i} + C_e w_k||;
    budgets: the two constraint slacks; margins: spread of h_{k,i}.w_k - h_{k,i}.w_k' over k' != k, i.
    Each is relative to the natural scale (sqrt(E_H), E_H or E_W, sqrt(E_H E_W))."""
    W, H = lpm.unpack(x)
    K_, n_ = lpm.K, lpm.class_sizes[0]
    Hk = H.reshape(K_, n_, lpm.p)
    hbar = Hk.sum(axis=0) / K_  # (n, p): hbar_i
    Ce = ar.scalar(lpm.E_H) ** 0.5 / ar.scalar(lpm.E_W) ** 0.5
    root_h = ar.scalar(lpm.E_H) ** 0.5
    dual = max(norm(hbar[i] - Hk[k, i] + Ce * W[k]) for k in range(K_) for i in range(n_))
    margins = [Hk[k, i] @ W[k] - Hk[k, i] @ W[j] for k in range(K_) for i in range(n_) for j in range(K_) if j != k]
    g = lpm.constraints(x, ar)
    return {
        "centring": float(max(norm(h) for h in hbar) / root_h),
        "duality": float(dual / root_h),
        "budget_W": float(abs(g[0]) / ar.scalar(lpm.E_W)),
        "budget_H": float(abs(g[1]) / ar.scalar(lpm.E_H)),
        "margins": float((max(margins) - min(margins)) / (ar.scalar(lpm.E_H) * ar.scalar(lpm.E_W)) ** 0.5),
    }


def solve(values: Mapping[str, Fraction], options: SolveOptions) -> SolveReport:
    """Minimise (7) directly: SLSQP from random starts, KKT refinement in mpmath; never uses VALUE or L0."""
    lpm = model(values)

    def measured(x, ar):
        return measure(lpm, x, ar, zero_digits=8 if ar.name == "float64" else options.dps // 2)

    return solve_constrained(lpm, options, measured)


def certificate(values: Mapping[str, Fraction], report: SolveReport):
    """The proven enclosure of min (7) at the solve's point (verify.certify.layer_peeled; docs/certified.md):
    the value and L0 (both equal to the minimum) can be certified; the geometry stays verified."""
    from verify.certify.layer_peeled import certify_layer_peeled

    return certify_layer_peeled(
        model(values), report.point, "fang2021.thm1", values, ("value", "lower_bound"), report.dps
    )


# --- Hypothesis strategy ---------------------------------------------------------------------------------
@st.composite
def parameters(draw) -> dict[str, Fraction]:
    """Small sizes the dense solver handles in well under a second; budgets over four decades."""
    K_ = draw(st.integers(2, 5))
    return {
        "K": Fraction(K_),
        "n": Fraction(draw(st.integers(1, 3))),
        "p": Fraction(draw(st.integers(K_ - 1, K_ + 2))),
        "E_H": draw(log_decimals(-2, 1)),
        "E_W": draw(log_decimals(-2, 1)),
    }


# --- erratum: the printed constants do not give a tight bound ----------------------------------------------
def _printed_bound_evidence() -> Evidence:
    gap = sp.simplify(VALUE - L0_PRINTED)
    point = {"K": Fraction(3), "n": Fraction(1), "p": Fraction(2), "E_H": Fraction(1), "E_W": Fraction(1)}
    subs = CLAIM.subs(point)
    with mpmath.workdps(30):
        printed = mpmath.mpf(sp.N(L0_PRINTED.subs(subs), 30))
        tight = mpmath.mpf(sp.N(L0_TIGHT.subs(subs), 30))
        report = solve(point, SolveOptions(dps=30))
        solved = report.quantities["value"][0]
        holds = report.converged and solved - printed > mpmath.mpf(10) ** -20
    return Evidence(
        symbolic_difference=f"value - L0(printed) = {sp.simplify(gap.subs(K, 3))} at K = 3 (zero only at K = 2)",
        point={k: str(v) for k, v in point.items()},
        printed_value=mpmath.nstr(printed, 20),
        corrected_value=mpmath.nstr(tight, 20),
        reference_value=f"{mpmath.nstr(solved, 20)} (independent solve, {report.message})",
        holds=holds,
    )


ERRATA = (
    Erratum(
        claim_id="fang2021.thm1",
        location="seed 001, SI A.1, proof of Theorem 1, choice of C_b after Eq. (23)",
        printed="C_b := exp(-sqrt(E_H E_W)/(K-1)), said to give the tightest bound, and L0 = the global minimum",
        corrected="C_b := (K-1) exp(-sqrt(E_H E_W)/(K-1)); then L0 = log(1 + (K-1) exp(-K sqrt(E_H E_W)/(K-1)))",
        summary="With the printed C_b, Jensen's inequality (22) is strict at the ETF point for K >= 3, so L0 lies "
        "strictly below the optimal value and the final step 'L0 is the global minimum' does not follow. The "
        "theorem itself is unaffected: with C_b multiplied by K-1 the bound is tight.",
        evidence=_printed_bound_evidence,
    ),
)

CLAIM = Claim(
    id="fang2021.thm1",
    title="Balanced Layer-Peeled Model with cross-entropy: neural collapse to a simplex ETF",
    statement="For n_k = n and p >= K-1, every global minimiser of (7) with cross-entropy has h_{k,i} = C w_k "
    "= C' m_k, C = sqrt(E_H/E_W), C' = sqrt(E_H), (m_k) a K-simplex ETF; the minimum is "
    "log(1 + (K-1) exp(-K sqrt(E_H E_W)/(K-1))).",
    source=Source(PAPER, "Theorem 1, Eq. (9)-(10); SI A.1 Eqs. (21)-(27), Lemma 2 (Eqs. (28)-(31))", SEEDS),
    convention=LayerPeeledModel.convention,
    parameters=PARAMETERS,
    hypotheses=(
        TWO_CLASSES,
        ONE_SAMPLE_PER_CLASS,
        ETF_DIMENSION,
        FEATURE_BUDGET,
        CLASSIFIER_BUDGET,
    ),
    quantities=QUANTITIES,
    solver=solve,
    solver_description="SLSQP multistart on (7) (8 seeded random feasible starts, best value must be reached "
    "by >= 2), then mixed-precision Newton refinement of the KKT system in mpmath; quantities are "
    "rotation invariants of the refined point",
    strategy=parameters,
    examples=(
        Example({"K": "2", "n": "1", "p": "1", "E_H": "1", "E_W": "1"}, "K = 2, p = K-1 = 1: the smallest case"),
        Example({"K": "4", "n": "2", "p": "3", "E_H": "2", "E_W": "1/2"}, "p = K-1"),
        Example({"K": "3", "n": "2", "p": "5", "E_H": "1/1000", "E_W": "1/1000"}, "tiny E_H E_W = 1e-6"),
        Example({"K": "3", "n": "1", "p": "3", "E_H": "5", "E_W": "5"}, "large E_H E_W = 25: optimal value ~1e-3"),
        Example({"K": "6", "n": "2", "p": "8", "E_H": "3", "E_W": "1/3"}, "K = 6, p > K"),
    ),
    errata=ERRATA,
    inequalities=INEQUALITIES,
    module=__name__,
    certificate=certificate,
    certificate_note="value and lower_bound certified by a dual (Fenchel) bound of the Gram relaxation (15) and the "
    "objective at the solve's feasible point (kind layer_peeled_ce); norms and cosines stay verified (the "
    "minimiser's geometry is not enclosed)",
)
