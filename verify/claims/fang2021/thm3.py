"""Fang et al. 2021, Theorem 3: the Layer-Peeled Model with the supervised contrastive loss collapses to an ETF.

Statement (seed 000 Eq. (13); seed 001 Section 3B, SI A.2): every global minimiser of program (12) with the
supervised contrastive loss (11) has h_{k,i} = sqrt(E_H) m_k for all k, i, with [m_1, ..., m_K] a K-simplex
ETF (Definition 1). The paper prints no optimal value; at the ETF point it is

    V = log n + log(1 + (K-1) exp(-K E_H / ((K-1) tau))),

which is also the proof's lower bound (47) once its constants are corrected (erratum below, derivation in
proofs/fang2021.thm3.md). An ETF needs p >= K-1 dimensions; the proof holds for every E_H > 0, tau > 0.

Errata: the proof (SI A.2, after Eq. (44)) takes C_a = exp(sqrt(E_H E_W)), C_b = (K-1) exp(-sqrt(E_H E_W)/
(K-1)), copied from Theorem 1 (E_W does not occur in (12)); the tight constants are C_a = exp(E_H/tau),
C_b = (K-1) exp(-E_H/((K-1) tau)). The first display of (45) and the equality condition (49) drop the /tau.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

import mpmath
import numpy as np
import sympy as sp

from verify.authoring import strategies as st
from verify.authoring.strategies import assume, log_decimals
from verify.claims.fang2021 import PAPER, SEEDS
from verify.geometry import cosine, norm, pairwise_cosines, simplex_etf
from verify.geometry.collapse import class_means
from verify.models.arith import Arithmetic
from verify.models.contrastive import ContrastiveModel
from verify.record import (
    Claim,
    Erratum,
    ErrorBudget,
    Evidence,
    Example,
    Hypothesis,
    Parameter,
    ProofInequality,
    Quantity,
    SolveOptions,
    SolveReport,
    Source,
    Tolerance,
)
from verify.record.hypotheses import ETF_DIMENSION, FEATURE_BUDGET, ONE_SAMPLE_PER_CLASS, TWO_CLASSES
from verify.solvers.pipeline import solve_constrained

PARAMETERS = (
    Parameter("K", "integer", "number of classes"),
    Parameter("n", "integer", "samples per class (balanced)", default=lambda v: Fraction(1), default_text="1"),
    Parameter("p", "integer", "feature dimension", default=lambda v: v["K"], default_text="K"),
    Parameter("E_H", "real", "feature budget: (1/K) sum_k (1/n) sum_i ||h_{k,i}||^2 <= E_H"),
    Parameter("tau", "real", "temperature of the contrastive loss (11), tau > 0"),
)
K, n, p, E_H, tau = (par.symbol for par in PARAMETERS)
#: E_W of Theorem 1: it occurs only in the constants the proof prints (erratum), never in program (12).
E_W = sp.Symbol("E_W", positive=True)

#: The optimal value: at h_{k,i} = sqrt(E_H) m_k the Gram entries are E_H (same class) and -E_H/(K-1).
VALUE = sp.log(n) + sp.log(1 + (K - 1) * sp.exp(-K * E_H / ((K - 1) * tau)))


# --- the proof's lower bound (SI A.2, Eqs. (44)-(47)) ---------------------------------------------------------
def lower_bound(Ca: sp.Expr, Cb: sp.Expr) -> sp.Expr:
    """The right-hand side of SI Eq. (47) for any C_a, C_b > 0 (C_c and C_d as printed after Eq. (44))."""
    Cc = Cb / ((Ca + Cb) * (K - 1))
    Cd = Ca / (Ca + Cb) * sp.log((Ca + Cb) / Ca) + Cb / (Ca + Cb) * sp.log(1 / Cc)
    return -Cb * K * E_H / ((Ca + Cb) * (K - 1) * tau) + Cd + sp.log(n)


_s = sp.sqrt(E_H * E_W)
#: As printed (seed 001, SI A.2, before Eq. (44)): the constants of Theorem 1's proof.
PRINTED_CONSTANTS = {"C_a": sp.exp(_s), "C_b": (K - 1) * sp.exp(-_s / (K - 1))}
#: The constants that make Jensen's step (44) an equality at the ETF point (proofs/fang2021.thm3.md).
TIGHT_CONSTANTS = {"C_a": sp.exp(E_H / tau), "C_b": (K - 1) * sp.exp(-E_H / ((K - 1) * tau))}
L0_PRINTED = lower_bound(PRINTED_CONSTANTS["C_a"], PRINTED_CONSTANTS["C_b"])  # depends on the foreign E_W
L0_TIGHT = lower_bound(TIGHT_CONSTANTS["C_a"], TIGHT_CONSTANTS["C_b"])

#: The proof's bound with the corrected constants equals the value (nc-verify certify: proven by sympy on any box).
INEQUALITIES = (
    ProofInequality(
        "corrected_bound_tight",
        "the right side of SI Eq. (47) with the corrected constants C_a = exp(E_H/tau), C_b = (K-1) exp(-E_H/((K-1) "
        "tau)) is at most the optimal value, with equality (tight)",
        VALUE - L0_TIGHT,
        "SI A.2 Eqs. (44)-(47) with the corrected constants (erratum)",
    ),
)

# --- tolerances ------------------------------------------------------------------------------------------
VALUE_TOL = Tolerance(
    guard_digits=8,
    reason="the solve refines the KKT point until its residual is below 10^-(dps-5); the value is a sum of "
    "N^2 exponentials rounded at dps digits (log n + log1p form, no cancellation) and is first-order "
    "insensitive to the remaining error of the point: 8 guard digits cover both",
    budget=ErrorBudget(5, 1e2, 1, residuals=("kkt_stationarity",)),
)
GEOMETRY_TOL = Tolerance(
    guard_digits=10,
    reason="norms and cosines carry the forward error of the point, ~ (KKT residual 10^-(dps-5)) x (condition "
    "of the KKT matrix off the rotation orbit); conditions up to ~1e4 are measured on the pinned and drawn "
    "points, so 10 guard digits leave at least one digit to spare",
    budget=ErrorBudget(5, 1e4, 1, residuals=("kkt_stationarity",), condition=("kkt_condition",)),
)

QUANTITIES = (
    Quantity("value", "optimal value of (12)", VALUE, VALUE_TOL),
    Quantity(
        "lower_bound", "right side of SI Eq. (47) with the tight constants (equals the minimum)", L0_TIGHT, VALUE_TOL
    ),
    Quantity("feature_norm", "||h_{k,i}|| for every sample", sp.sqrt(E_H), GEOMETRY_TOL),
    Quantity(
        "mean_norm", "||hbar_k|| (class mean; h_{k,i} = sqrt(E_H) m_k with ||m_k|| = 1)", sp.sqrt(E_H), GEOMETRY_TOL
    ),
    Quantity("cosine", "cos(hbar_k, hbar_l), class means, k != l", -1 / (K - 1), GEOMETRY_TOL),
    Quantity(
        "within_class_cosine",
        "cos(h_{k,i}, hbar_k): within-class collapse (with feature_norm = mean_norm it forces h_{k,i} = hbar_k)",
        sp.Integer(1),
        GEOMETRY_TOL,
    ),
)


# --- the independent solve -------------------------------------------------------------------------------
def model(values: Mapping[str, Fraction]) -> ContrastiveModel:
    return ContrastiveModel(int(values["K"]), int(values["n"]), int(values["p"]), values["E_H"], values["tau"])


def measure(cm: ContrastiveModel, x: np.ndarray, ar: Arithmetic, zero_digits: int) -> dict[str, tuple]:
    """Rotation invariants of a point of (12); a vector below 10^-zero_digits sqrt(E_H) counts as zero."""
    H = cm.unpack(x)
    labels = cm.labels
    means = class_means(H, labels, cm.K)
    zero = float(cm.E_H) ** 0.5 * 10.0 ** (-zero_digits)
    value = cm.objective(x, ar)
    return {
        "value": (value,),
        "lower_bound": (value,),
        "feature_norm": tuple(norm(h) for h in H),
        "mean_norm": tuple(norm(m) for m in means),
        "cosine": pairwise_cosines(means, zero_tol=zero, label="hbar"),
        "within_class_cosine": tuple(
            cosine(H[j], means[labels[j]], zero_tol=zero, names=(f"h_{j + 1}", f"hbar_{labels[j] + 1}"))
            for j in range(cm.N)
        ),
    }


def solve(values: Mapping[str, Fraction], options: SolveOptions) -> SolveReport:
    """Minimise (12) directly: SLSQP from random starts, KKT refinement in mpmath; never uses VALUE or L0."""
    cm = model(values)

    def measured(x, ar):
        return measure(cm, x, ar, zero_digits=8 if ar.name == "float64" else options.dps // 2)

    return solve_constrained(cm, options, measured)


def certificate(values: Mapping[str, Fraction], report: SolveReport):
    """The proven enclosure of min (12) at the solve's point: (12) is convex in X = H H^T; dual point the row
    softmax of X/tau (verify.certify.contrastive, kind contrastive_gram)."""
    from verify.certify.contrastive import certify_contrastive

    return certify_contrastive(
        model(values), report.point, "fang2021.thm3", values, ("value", "lower_bound"), report.dps
    )


# --- Hypothesis strategy ---------------------------------------------------------------------------------
#: Largest E_H/tau drawn (the KKT refinement stays well conditioned up to it on every point measured).
MAX_RATIO = 5


@st.composite
def parameters(draw) -> dict[str, Fraction]:
    """Small sizes (the dense solver takes well under a second); E_H and tau over two decades each, with
    E_H/tau <= MAX_RATIO.

    Beyond it (n >= 2) the between-class curvature is ~exp(-K E_H/((K-1) tau)) times the within-class one,
    the KKT matrix's condition exceeds what the float64 Newton Jacobian resolves, and the solve honestly
    reports inconclusive (measured: E_H/tau = 10, K = 3, n = 2 stalls at KKT residual 5e-13)."""
    K_ = draw(st.integers(2, 5))
    E_H_, tau_ = draw(log_decimals(-1, 1)), draw(log_decimals(-1, 1))
    assume(E_H_ / tau_ <= MAX_RATIO)
    return {
        "K": Fraction(K_),
        "n": Fraction(draw(st.integers(1, 3))),
        "p": Fraction(draw(st.integers(K_ - 1, K_ + 2))),
        "E_H": E_H_,
        "tau": tau_,
    }


# --- errata ----------------------------------------------------------------------------------------------
ERRATUM_POINT = {"K": "3", "n": "2", "p": "3", "E_H": "13/10", "tau": "7/10"}


def _constants_evidence() -> Evidence:
    """The printed constants give a valid but loose bound (E_W = 1 inserted, since (12) has no E_W)."""
    point = {k: Fraction(v) for k, v in ERRATUM_POINT.items()}
    subs = CLAIM.subs(point) | {E_W: 1}
    # Jensen (44) is an equality iff E_kk / E_kk' = (K-1) C_a / C_b; at the ETF point E_kk / E_kk' = exp(K E_H/((K-1) tau)).
    needed = sp.exp(K * E_H / ((K - 1) * tau))
    ratio = lambda c: sp.simplify((K - 1) * c["C_a"] / c["C_b"] / needed)  # noqa: E731
    with mpmath.workdps(30):
        printed = mpmath.mpf(sp.N(L0_PRINTED.subs(subs), 35))
        tight = mpmath.mpf(sp.N(L0_TIGHT.subs(subs), 35))
        report = solve(point, SolveOptions(dps=30))
        solved = report.quantities["value"][0]
        holds = (
            report.converged
            and solved - printed > mpmath.mpf("0.09")
            and abs(solved - tight) < mpmath.mpf(10) ** -20
            and ratio(TIGHT_CONSTANTS) == 1
        )
    return Evidence(
        symbolic_difference=f"(K-1) C_a/C_b divided by the ETF ratio exp(K E_H/((K-1) tau)): printed "
        f"{ratio(PRINTED_CONSTANTS)} (1 only if sqrt(E_H E_W) = E_H/tau), tight {ratio(TIGHT_CONSTANTS)}",
        point={k: str(v) for k, v in point.items()} | {"E_W (printed constants only)": "1"},
        printed_value=mpmath.nstr(printed, 20),
        corrected_value=mpmath.nstr(tight, 20),
        reference_value=f"{mpmath.nstr(solved, 20)} (independent solve, {report.message}); printed bound is "
        f"{mpmath.nstr(solved - printed, 6)} below it",
        holds=holds,
    )


def first_display_of_45(H: np.ndarray, Kv: int, nv: int, tauv: float, with_tau: bool) -> float:
    """The left side of SI Eq. (45), first line, at features H (N x p): with /tau in the denominator as in (11),
    or without it as printed."""
    A = H @ H.T
    lab = np.repeat(np.arange(Kv), nv)
    den = np.exp(A / tauv if with_tau else A).sum(axis=1)
    terms = [
        -np.log(np.exp(A[a, b] / tauv) / den[a]) / nv
        for a in range(Kv * nv)
        for b in range(Kv * nv)
        if lab[a] == lab[b]
    ]
    return float(sum(terms) / (Kv * nv))


def _tau_evidence() -> Evidence:
    """At the ETF point, the printed first line of (45) is not the objective of (12) and the printed (49) fails."""
    point = {k: Fraction(v) for k, v in ERRATUM_POINT.items()}
    Kv, nv, EH, tv = int(point["K"]), int(point["n"]), float(point["E_H"]), float(point["tau"])
    M = simplex_etf(Kv, Kv, np.random.default_rng(0))
    H = np.repeat(np.sqrt(EH) * M, nv, axis=0)
    value = float(sp.N(VALUE.subs(CLAIM.subs(point))))
    printed = first_display_of_45(H, Kv, nv, tv, with_tau=False)
    corrected = first_display_of_45(H, Kv, nv, tv, with_tau=True)
    ca, cb = (float(sp.N(c.subs(CLAIM.subs(point)))) for c in TIGHT_CONSTANTS.values())
    # (49): exp(||h_k||^2 [/tau]) / (C_a (K-1)) = exp(h_k.h_k' [/tau]) / C_b, at the ETF point
    res_printed = np.exp(EH) / (ca * (Kv - 1)) - np.exp(-EH / (Kv - 1)) / cb
    res_tau = np.exp(EH / tv) / (ca * (Kv - 1)) - np.exp(-EH / ((Kv - 1) * tv)) / cb
    holds = abs(corrected - value) < 1e-13 and abs(printed - value) > 1e-2 and abs(res_tau) < 1e-14 < abs(res_printed)
    return Evidence(
        symbolic_difference=f"(49) at the ETF point with the tight constants: residual {res_printed:.6g} as printed, "
        f"{res_tau:.1e} with /tau",
        point={k: str(v) for k, v in point.items()},
        printed_value=f"{printed:.15g} (first line of (45) without /tau in the denominator)",
        corrected_value=f"{corrected:.15g} (with /tau)",
        reference_value=f"{value:.15g} (objective of (12) at the ETF point)",
        holds=bool(holds),
    )


ERRATA = (
    Erratum(
        claim_id="fang2021.thm3",
        location="seed 001, SI A.2, proof of Theorem 3, the constants C_a, C_b before Eq. (44)",
        printed="C_a := exp(sqrt(E_H E_W)), C_b := (K-1) exp(-sqrt(E_H E_W)/(K-1)) (the constants of Theorem 1)",
        corrected="C_a := exp(E_H/tau), C_b := (K-1) exp(-E_H/((K-1) tau)); then (47) reads "
        "V >= log n + log(1 + (K-1) exp(-K E_H/((K-1) tau))), the optimal value",
        summary="E_W does not occur in program (12). With the printed constants Jensen's step (44) is strict at "
        "the ETF point unless sqrt(E_H E_W) = E_H/tau, so (47) is valid but strictly below the minimum and "
        "'the equality for Eq. (47) is reachable' fails. The theorem is unaffected: with the corrected constants "
        "the bound is attained exactly at h_{k,i} = sqrt(E_H) m_k.",
        evidence=_constants_evidence,
    ),
    Erratum(
        claim_id="fang2021.thm3",
        location="seed 001, SI A.2, first line of Eq. (45) and Eq. (49)",
        printed="denominator sum exp(h_{k,i}.h_{k',l}) in (45); exp(||h_k||^2)/(C_a(K-1)) = exp(h_k.h_k')/C_b in (49)",
        corrected="exp(h_{k,i}.h_{k',l}/tau) in (45); exp(||h_k||^2/tau)/(C_a(K-1)) = exp(h_k.h_k'/tau)/C_b in "
        "(49); and 'the constraint of Eq. (11)' in (46) is the constraint of Eq. (12)",
        summary="Typographical: the temperature tau is dropped in two displays. Without it the first line of (45) "
        "is not the objective of (12) and (49) does not hold at the ETF point (for tau != 1).",
        evidence=_tau_evidence,
    ),
)

CLAIM = Claim(
    id="fang2021.thm3",
    title="Supervised contrastive loss in the Layer-Peeled Model: features collapse to a simplex ETF",
    statement="For p >= K-1, every global minimiser of (12) with the supervised contrastive loss (11) has "
    "h_{k,i} = sqrt(E_H) m_k, (m_k) a K-simplex ETF; the minimum is "
    "log n + log(1 + (K-1) exp(-K E_H/((K-1) tau))).",
    source=Source(PAPER, "Theorem 3, Eqs. (11)-(13); SI A.2 Eqs. (44)-(49)", SEEDS),
    convention=ContrastiveModel.convention,
    parameters=PARAMETERS,
    hypotheses=(
        TWO_CLASSES,
        ONE_SAMPLE_PER_CLASS,
        ETF_DIMENSION,
        FEATURE_BUDGET,
        Hypothesis("tau > 0", lambda v: v["tau"] > 0, "tau", "give a positive temperature (Eq. (11) needs tau > 0)"),
    ),
    quantities=QUANTITIES,
    solver=solve,
    solver_description="SLSQP multistart on (12) (8 seeded random feasible starts, best value must be reached "
    "by >= 2), then mixed-precision Newton refinement of the KKT system in mpmath; quantities are rotation "
    "invariants of the refined point",
    strategy=parameters,
    examples=(
        Example({"K": "3", "n": "2", "p": "3", "E_H": "13/10", "tau": "7/10"}, "the erratum's point"),
        Example({"K": "2", "n": "1", "p": "1", "E_H": "1", "tau": "1"}, "K = 2, p = K-1 = 1: the smallest case"),
        Example({"K": "4", "n": "3", "p": "3", "E_H": "2", "tau": "1/2"}, "p = K-1, n = 3"),
        Example({"K": "3", "n": "1", "p": "4", "E_H": "1/100", "tau": "10"}, "E_H/tau = 1e-3: nearly uniform softmax"),
        Example({"K": "2", "n": "2", "p": "1", "E_H": "5/2", "tau": "1/2"}, "E_H/tau = 5, n = 2: value log 2 + 4.5e-5"),
        Example({"K": "5", "n": "1", "p": "6", "E_H": "3", "tau": "1/2"}, "n = 1, K = 5, p > K: value ~1e-3"),
    ),
    errata=ERRATA,
    inequalities=INEQUALITIES,
    module=__name__,
    certificate=certificate,
    certificate_note="value and lower_bound certified: (12) is convex in the Gram matrix X = H H^T (linear plus log-sum-exp of "
    "linear terms, trace budget); lo by Fenchel duality at the softmax of the solve's logits and the smallest "
    "eigenvalue of the dual matrix (kind contrastive_gram); norms and cosines stay verified",
)
