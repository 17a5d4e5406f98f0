"""Fang et al. 2021, Lemma 1: the convex program (15) is an exact relaxation of the Layer-Peeled Model (7).

Statement (seed 001, Section 4A, Lemma 1 with Eqs. (15)-(16); proof SI B.1): assume p >= 2K and L convex in
its first argument. If X* minimises (15), then (H*, W*) with [hbar*_1..hbar*_K, W*^T] = P X*^{1/2}
(P^T P = I_2K) and h*_{k,i} = hbar*_k minimises (7). Moreover, if every minimiser of (15) saturates the
feature budget, every minimiser of (7) has this form (the SI proves saturation for cross-entropy).

What is checked, for two groups of classes (K_A classes of n_A samples, K_B classes of n_B samples):

- ``value``: the optimal value of (7) equals the optimal value of (15). Reference: (15) solved by a conic
  solver (Clarabel, SCS as fallback; :mod:`verify.solvers.conic`), factored as in Lemma 1, refined to the
  working precision on the factored program and shown globally optimal (in mpmath, to working precision) by the convexity (Frank-Wolfe)
  bound of :func:`verify.models.gram_relaxation.gap_bound`. Solve: (7) itself with individual samples,
  SLSQP from random starts, mpmath KKT refinement (never sees (15)).
- ``mean_feature_budget`` = E_H: (1/K) sum ||hbar_k||^2 at the minimiser of (7); since it is <= the feature
  budget by Jensen (inequality (a) of SI B.1), equality means both saturation and within-class collapse
  h_{k,i} = hbar_k (the form (16)).
- ``classifier_budget`` = E_W: saturation of the classifier budget.

The solve's details report the rank of the Gram matrix of [hbar; W] at the minimiser of (7).
Erratum: Eq. (16) prints "for all 1 <= i <= n" for class sizes n_k (see ERRATA).
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

import mpmath
import numpy as np

from verify.authoring import strategies as st
from verify.authoring.strategies import log_decimals
from verify.claims.fang2021 import PAPER, SEEDS
from verify.geometry.collapse import class_means
from verify.models import LayerPeeledModel
from verify.models.arith import Arithmetic
from verify.models.gram_relaxation import GramProgram
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
)
from verify.record.hypotheses import CLASSIFIER_BUDGET, FEATURE_BUDGET
from verify.solvers.conic import PolishedSolution, polished_optimum, recover
from verify.solvers.pipeline import solve_constrained

PARAMETERS = (
    Parameter("K_A", "integer", "number of classes in group A"),
    Parameter("K_B", "integer", "number of classes in group B"),
    Parameter("n_A", "integer", "samples per class of group A"),
    Parameter("n_B", "integer", "samples per class of group B"),
    Parameter(
        "p",
        "integer",
        "feature dimension (Lemma 1: p >= 2K)",
        default=lambda v: 2 * (v["K_A"] + v["K_B"]),
        default_text="2K",
    ),
    Parameter("E_H", "real", "feature budget: (1/K) sum_k (1/n_k) sum_i ||h_{k,i}||^2 <= E_H"),
    Parameter("E_W", "real", "classifier budget: (1/K) sum_k ||w_k||^2 <= E_W"),
)
K_A, K_B, n_A, n_B, p, E_H, E_W = (par.symbol for par in PARAMETERS)


def class_sizes(values: Mapping[str, Fraction]) -> tuple[int, ...]:
    """(n_A repeated K_A times, n_B repeated K_B times): group A first, as in the paper's Section 4B."""
    return (int(values["n_A"]),) * int(values["K_A"]) + (int(values["n_B"]),) * int(values["K_B"])


def program(values: Mapping[str, Fraction]) -> GramProgram:
    return GramProgram(class_sizes(values), values["E_H"], values["E_W"])


# --- the relaxation side: (15), conic solve, polished and converged ---------------------------------------
def relaxation(values: Mapping[str, Fraction], dps: int) -> PolishedSolution:
    """The converged optimum of (15) at ``values`` (cached: the quantities and the mutation test share it)."""
    return polished_optimum(class_sizes(values), values["E_H"], values["E_W"], dps)


def relaxation_value(values: Mapping[str, Fraction], dps: int) -> mpmath.mpf | Undefined:
    sol = relaxation(values, dps)
    return sol.unconverged() or +sol.value  # re-rounded at the caller's precision


# --- tolerances ------------------------------------------------------------------------------------------
VALUE_TOL = Tolerance(
    guard_digits=8,
    reason="both sides are KKT points refined to a residual below 10^-(dps-5) (the relaxation's is also "
    "checked by a Frank-Wolfe gap below 10^-(dps-6) of the value; measured ~1e-31 at dps 30); the value is a "
    "sum of O(N K) terms rounded at dps digits and first-order insensitive to the point's error: 8 guard "
    "digits cover both. The conic solvers' own accuracy (Clarabel ~1e-11, SCS ~1e-9) never enters: they only "
    "start the Newton refinement",
    budget=ErrorBudget(5, 1e2, 1, residuals=("kkt_stationarity",)),
)
BUDGET_TOL = Tolerance(
    guard_digits=8,
    reason="the budgets are quadratic in the refined point, whose forward error is ~ the KKT residual "
    "10^-(dps-5) times the condition of the KKT matrix on the complement of the rotation orbit (<= 1e3 on the "
    "pinned and drawn points): 8 guard digits",
    budget=ErrorBudget(5, 1e3, 0, residuals=("kkt_stationarity",), condition=("kkt_condition",)),
)

QUANTITIES = (
    Quantity(
        "value",
        "optimal value of (7) with cross-entropy",
        None,
        VALUE_TOL,
        reference=relaxation_value,
        definition="the minimum of the convex program (15) with n_k/N weights: conic solve (Clarabel/SCS), "
        "factor P X^(1/2), KKT refinement of the factored program at the working precision, checked by the "
        "convexity bound F* >= F - (<G,Z> + K sigma_max(G) sqrt(E_H E_W))",
    ),
    Quantity(
        "mean_feature_budget",
        "(1/K) sum_k ||hbar_k||^2 at the minimiser of (7): = E_H iff saturated and collapsed (Eq. (16))",
        E_H,
        BUDGET_TOL,
    ),
    Quantity("classifier_budget", "(1/K) sum_k ||w_k||^2 at the minimiser of (7)", E_W, BUDGET_TOL),
)


# --- the independent solve of (7) --------------------------------------------------------------------------
def model(values: Mapping[str, Fraction]) -> LayerPeeledModel:
    return LayerPeeledModel(class_sizes(values), int(values["p"]), values["E_H"], values["E_W"])


def measure(lpm: LayerPeeledModel, x: np.ndarray, ar: Arithmetic) -> dict[str, tuple]:
    W, H = lpm.unpack(x)
    means = class_means(H, lpm.labels, lpm.K)
    return {
        "value": (lpm.objective(x, ar),),
        "mean_feature_budget": ((means * means).sum() / lpm.K,),
        "classifier_budget": ((W * W).sum() / lpm.K,),
    }


def gram_rank(lpm: LayerPeeledModel, x: np.ndarray, rel_tol: float = 1e-10) -> int:
    """Numerical rank of the Gram matrix of [hbar_1..hbar_K, W^T] (eigenvalues > rel_tol x the largest)."""
    W, H = lpm.unpack(np.asarray(x, dtype=float))
    F = np.vstack([class_means(H, lpm.labels, lpm.K), W])
    ev = np.linalg.eigvalsh(F @ F.T)
    return int((ev > rel_tol * ev.max()).sum())


def solve(values: Mapping[str, Fraction], options: SolveOptions) -> SolveReport:
    """Minimise (7) directly with individual samples: SLSQP multistart, mpmath KKT refinement; never uses (15)."""
    lpm = model(values)
    report = solve_constrained(lpm, options, lambda x, ar: measure(lpm, x, ar))
    if report.point is not None:
        report.details["gram_rank"] = gram_rank(lpm, report.point)
    return report


def certificate(values: Mapping[str, Fraction], report: SolveReport):
    """The proven enclosure of min (7) at the solve's point (verify.certify.layer_peeled): lo is the dual bound
    of (15), so [lo, hi] holds min (15) <= min (7) as well: the lemma's equality of the two minima is proved to
    the enclosure's width; the budgets stay verified."""
    from verify.certify.layer_peeled import certify_layer_peeled

    return certify_layer_peeled(model(values), report.point, "fang2021.lemma1", values, ("value",), report.dps)


# --- Hypothesis strategy -------------------------------------------------------------------------------------
@st.composite
def parameters(draw) -> dict[str, Fraction]:
    """K <= 4 classes, at most 4 samples per class, p = 2K or 2K + 1: (7) has at most ~180 unknowns."""
    ka = draw(st.integers(1, 2))
    kb = draw(st.integers(1, 2))
    return {
        "K_A": Fraction(ka),
        "K_B": Fraction(kb),
        "n_A": Fraction(draw(st.integers(1, 4))),
        "n_B": Fraction(draw(st.integers(1, 2))),
        "p": Fraction(2 * (ka + kb) + draw(st.integers(0, 1))),
        "E_H": draw(log_decimals(-1, 1)),
        "E_W": draw(log_decimals(-1, 1)),
    }


# --- erratum: Eq. (16) indexes every class with n ----------------------------------------------------------
def _eq16_evidence() -> Evidence:
    """Build (16) at an imbalanced point with the printed range (n = n_1 copies per class) and with n_k copies.

    Only the corrected range gives a point of (7) (N = sum n_k samples) whose value equals the optimum of (15)."""
    point = {
        "K_A": Fraction(2),
        "K_B": Fraction(2),
        "n_A": Fraction(3),
        "n_B": Fraction(1),
        "p": Fraction(8),
        "E_H": Fraction(5),
        "E_W": Fraction(1),
    }
    lpm = model(point)
    sol = relaxation(point, 30)
    Hbar, W = recover(np.asarray(sol.X, dtype=float), lpm.p)
    corrected = np.repeat(Hbar, lpm.class_sizes, axis=0)  # h_{k,i} = hbar_k, 1 <= i <= n_k
    printed_samples = lpm.K * lpm.class_sizes[0]  # "1 <= i <= n" with one n for every class
    value = lpm.objective(lpm.pack(W, corrected))
    return Evidence(
        symbolic_difference=f"printed range gives K n = {printed_samples} samples; program (7) at sizes "
        f"{lpm.class_sizes} has N = {lpm.N}",
        point={k: str(v) for k, v in point.items()},
        printed_value=f"not a point of (7): {printed_samples} != {lpm.N} samples",
        corrected_value=f"{value:.15g} (objective (7) at h_(k,i) = hbar_k, i <= n_k)",
        reference_value=f"{mpmath.nstr(sol.value, 15)} (converged optimum of (15))",
        holds=printed_samples != lpm.N and abs(value - float(sol.value)) <= 1e-12,
    )


ERRATA = (
    Erratum(
        claim_id="fang2021.lemma1",
        location="seed 001, Section 4A, Lemma 1, Eq. (16) (journal text seed 000, Eq. (16))",
        printed="h*_{k,i} = hbar*_k for all 1 <= i <= n, 1 <= k <= K",
        corrected="h*_{k,i} = hbar*_k for all 1 <= i <= n_k, 1 <= k <= K",
        summary="The lemma is about imbalanced class sizes n_k; the single n belongs to the balanced setting of "
        "Theorem 1 (Proposition 1's Eq. (19) uses n_A and n_B correctly). A typo: the lemma holds with n_k.",
        evidence=_eq16_evidence,
    ),
)


# --- exploration: is the minimiser of (15) unique (up to rotation of the factor)? --------------------------
def _uniqueness() -> Finding:
    """Gram matrix of [hbar; W] at the (7) minimiser (random starts) against the converged X* of (15)."""
    rows, worst = [], 0.0
    for ex in CLAIM.examples:
        values = CLAIM.parse(ex.params)
        lpm = model(values)
        sol = relaxation(values, 30)
        for seed in (0, 1):
            report = solve(values, SolveOptions(dps=30, seed=seed))
            with mpmath.workdps(30):
                W, H = lpm.unpack(report.point)
                F = np.vstack([class_means(H, lpm.labels, lpm.K), W])
                diff = float(np.max(np.abs(F @ F.T - sol.X)))
            worst = max(worst, diff) if report.converged else worst
            rows.append(
                {
                    "point": " ".join(f"{k}={v}" for k, v in ex.params.items()),
                    "seed": str(seed),
                    "converged": str(report.converged),
                    "max |Gram(7) - X*(15)|": f"{diff:.1e}",
                }
            )
    return Finding(
        f"On the {len(CLAIM.examples)} pinned points, two seeds each, the Gram matrix of the minimiser of (7) equals "
        f"the converged minimiser X* of (15) entrywise to {worst:.1e} (dps 30): no second minimiser was found. "
        "Lemma 1 does not assert uniqueness; prop1's cosine comparison relies on it.",
        tuple(rows),
    )


EXPLORATIONS = (
    Exploration(
        claim_id="fang2021.lemma1",
        label="exploration",
        title="Uniqueness of the minimiser of (15)",
        question="Do independent minimisers of (7) all have the Gram matrix of the converged X* of (15)?",
        run=_uniqueness,
    ),
)

CLAIM = Claim(
    id="fang2021.lemma1",
    title="Layer-Peeled Model with imbalanced classes: the semidefinite relaxation (15) is exact",
    statement="For p >= 2K and cross-entropy, the optimal value of the nonconvex program (7) equals that of the "
    "convex program (15); a minimiser of (7) is P X*^(1/2) with h_{k,i} = hbar_k, and both budgets are "
    "saturated: (1/K) sum ||hbar_k||^2 = E_H (collapse to class means), (1/K) sum ||w_k||^2 = E_W.",
    source=Source(PAPER, "Section 4A: Eq. (15), Lemma 1 and Eq. (16); SI B.1 (proof)", SEEDS),
    convention=GramProgram.convention + "; " + LayerPeeledModel.convention,
    parameters=PARAMETERS,
    hypotheses=(
        Hypothesis("K_A >= 1", lambda v: v["K_A"] >= 1, "K_A", "give at least one class in group A"),
        Hypothesis("K_B >= 1", lambda v: v["K_B"] >= 1, "K_B", "give at least one class in group B"),
        Hypothesis("n_A >= 1", lambda v: v["n_A"] >= 1, "n_A", "class sizes are positive integers"),
        Hypothesis("n_B >= 1", lambda v: v["n_B"] >= 1, "n_B", "class sizes are positive integers"),
        Hypothesis(
            "p >= 2K",
            lambda v: v["p"] >= 2 * (v["K_A"] + v["K_B"]),
            "p",
            "raise p to at least 2(K_A + K_B): Lemma 1 factors the 2K x 2K matrix X as P X^(1/2)",
        ),
        FEATURE_BUDGET,
        CLASSIFIER_BUDGET,
    ),
    quantities=QUANTITIES,
    solver=solve,
    solver_description="(7) with individual samples: SLSQP multistart (8 seeded random feasible starts, the "
    "best value reached by >= 2), mixed-precision Newton refinement of the KKT system in mpmath; quantities are "
    "the value and the two budgets used at the refined point. The reference side solves (15) instead.",
    strategy=parameters,
    examples=(
        Example(
            {"K_A": "2", "K_B": "2", "n_A": "3", "n_B": "1", "p": "8", "E_H": "5", "E_W": "1"},
            "imbalanced, R = 3, p = 2K",
        ),
        Example({"K_A": "1", "K_B": "1", "n_A": "2", "n_B": "1", "p": "4", "E_H": "1", "E_W": "1"}, "K = 2"),
        Example(
            {"K_A": "2", "K_B": "2", "n_A": "5", "n_B": "1", "p": "8", "E_H": "1", "E_W": "1"},
            "minority collapse: the two minority classifiers are parallel, X has rank 2 < K",
        ),
        Example(
            {"K_A": "2", "K_B": "2", "n_A": "8", "n_B": "1", "p": "8", "E_H": "2/5", "E_W": "2/5"},
            "beyond R1 = 5.21 (Lemma 5 case (ii) holds): minority features and classifiers exactly 0, rank 1",
        ),
        Example(
            {"K_A": "1", "K_B": "2", "n_A": "5", "n_B": "1", "p": "7", "E_H": "10", "E_W": "1"},
            "one majority class (Lemma 5 case (i) setting), p = 2K + 1",
        ),
        Example(
            {"K_A": "2", "K_B": "1", "n_A": "1", "n_B": "3", "p": "6", "E_H": "1/10", "E_W": "1/10"},
            "group B is the larger one; small budgets",
        ),
        Example(
            {"K_A": "1", "K_B": "1", "n_A": "1", "n_B": "1", "p": "4", "E_H": "1", "E_W": "1"},
            "balanced K = 2 (value of Theorem 1)",
        ),
    ),
    errata=ERRATA,
    explorations=EXPLORATIONS,
    module=__name__,
    certificate=certificate,
    certificate_note="value certified: [lo, hi] from the dual of (15) (lo <= min (15) <= min (7)) and (7) at the "
    "solve's feasible point (kind layer_peeled_ce), so both minima lie in it; the reference (min (15), a "
    "numerical polish) is compared to dps+20 digits; the budgets stay verified",
)
