"""Minority collapse of the penalised imbalanced cross-entropy UFM, without budgets: the ratio R*.

Statement (THEOREMS-NEXT.md, family F, ``imbce.minority_collapse``; reconstructed, attributed to Hong & Ling
2023, arXiv 2309.09725, whose model also carries a penalised bias): for K_A classes of n_A = R n_B samples and
K_B >= 2 classes of n_B samples, f(W, H) = (1/N) sum_i CE(W h_i, y_i) + (lambda_W/2)||W||_F^2 +
(lambda_H/2)||H||_F^2 (no bias, d >= K - 1), the minority classifiers coincide at the minimiser iff
sqrt(n_B) <= N sqrt(lambda_W lambda_H), i.e. iff

    R >= R* = (1/sqrt(n_B lambda_W lambda_H) - K_B) / K_A.

The collapse is exact at a finite ratio (not only as R -> infinity, as for the budgeted model of Fang et al.'s
Theorem 5). Derived again in proofs/hong2023.minority_collapse.md.

What is checked: ``R_star`` against the root in R (real n_A = R n_B) of the one-sided derivative along dB of the
convex four-scalar program at its minimiser restricted to dB = 0 (:mod:`verify.solvers.two_size_ce`), located by
:func:`verify.authoring.root_solve` without the formula; ``merged`` (1 for R >= R*, else 0) against the original
(W, H) program on the individual samples, whose refined minimiser has (or has not) coinciding minority
classifiers. Drawn points keep |R/R* - 1| >= 5%, where the merge is decided far above the solve's resolution.
"""

from __future__ import annotations

import sympy

from verify import authoring as a
from verify.claims.hong2023 import PAPER, SEEDS
from verify.claims.hong2023._explore import EXPLORATIONS
from verify.claims.hong2023._program import (
    CONVENTION,
    HYPOTHESES,
    PARAMETERS,
    R_STAR,
    draws,
    original_solve,
    pressure,
)

R = sympy.Symbol("R", positive=True)


def r_star(values, dps: int):
    """R* from the closed form; Undefined when R* <= 0 (no ratio R > 0 separates the minority)."""
    from verify.base.precision import evaluate_expr

    subs = {s: sympy.Rational(str(values[s.name])) for s in R_STAR.free_symbols}
    value = evaluate_expr(R_STAR, subs, dps)
    return value if value > 0 else a.Undefined("R* <= 0: the minority classifiers coincide at every ratio R > 0")


def _away_from_threshold(values) -> bool:
    star = float(R_STAR.subs({s: sympy.Rational(str(values[s.name])) for s in R_STAR.free_symbols}))
    return star <= 0 or abs(float(values["R"]) / star - 1) >= 0.05


def strategy():
    return a.draws(draws(), params=PARAMETERS, hypotheses=HYPOTHESES)().filter(_away_from_threshold)


# Budgets (issue 18; tests/test_tolerances.py), measured over the 4 pinned and 20 drawn points (seed 0, dps 30):
# the root solve's root_error (authoring/combined.py) at most 1.3e-45, the R* error 0 at every point (below the
# rounding at dps digits); the original solve's kkt_condition at most 20.
THRESHOLD_TOL = a.tolerance(
    2,
    "the root is bracketed to 10^-(dps+2) relative, or stopped where the one-sided derivative falls 10^-(dps+4) "
    "below its size at the bracket's ends; that derivative is a numerical derivative (mpmath.diff at dps+10) at a "
    "Newton minimiser with gradient below 10^-(dps+7), and its slope in R is O(1/R): the root's relative error "
    "(root_error) is below 10^-dps, the rounding to dps digits x10 for the slope: 2 guard digits (was 10)",
    a.ErrorBudget(0, 1e1, 1, residuals=("root_error",)),
)
MERGED_TOL = a.tolerance(
    0,
    "0 or 1 on both sides: the solve calls the minority merged when max ||w_k - w_l|| <= 10^-(dps/2) max ||w_k|| "
    "at a point refined to a KKT residual 10^-(dps-5) (forward error below 10^-(dps-8), condition <= 1e2); drawn "
    "points keep |R/R* - 1| >= 5%, where the separation is O(1): exact, no guard digit",
    a.ErrorBudget(5, 1e2, 0, residuals=("kkt_stationarity",), condition=("kkt_condition",), exact=True),
)

CLAIM = a.claim(
    id="hong2023.minority_collapse",
    title="Penalised imbalanced CE, two class sizes: minority classifiers coincide exactly for R >= R*",
    statement="For K_B >= 2 minority classes of n_B samples and K_A classes of n_A = R n_B, the minimiser of "
    "(1/N) sum CE(W h_i, y_i) + (lambda_W/2)||W||_F^2 + (lambda_H/2)||H||_F^2 (no bias) has coinciding minority "
    "classifiers (and class means) iff sqrt(n_B) <= N sqrt(lambda_W lambda_H), i.e. iff R >= R* = "
    "(1/sqrt(n_B lambda_W lambda_H) - K_B)/K_A: exact collapse at a finite ratio",
    source=a.Source(
        PAPER,
        "THEOREMS-NEXT.md family F, claim imbce.minority_collapse (reconstructed; Hong & Ling 2023 related, not "
        "quoted: their model adds a penalised bias and their threshold statement was not available)",
        SEEDS,
    ),
    convention=CONVENTION,
    parameters=PARAMETERS,
    hypotheses=HYPOTHESES,
    quantities=[
        a.quantity(
            "R_star",
            "R* = (1/sqrt(n_B lambda_W lambda_H) - K_B)/K_A (undefined when <= 0)",
            R_STAR,
            THRESHOLD_TOL,
            reference=r_star,
            definition="the closed form (1/sqrt(n_B lambda_W lambda_H) - K_B)/K_A, evaluated to relative digits; "
            "Undefined when <= 0",
            needs=("K_A", "K_B", "n_B", "lambda_W", "lambda_H"),
            standalone=True,
        ),
        a.quantity(
            "merged",
            "1 if the minority classifiers coincide at the minimiser, else 0",
            sympy.Piecewise((1, R >= R_STAR), (0, True)),
            MERGED_TOL,
        ),
    ],
    solve=a.combine(
        original_solve({"merged": "merged[B]"}),
        a.root_solve(
            "R_star",
            pressure,
            variable="R",
            reads=("K_A", "K_B", "n_B", "lambda_W", "lambda_H"),
            description="R* as the root in R (real n_A = R n_B) of the one-sided derivative along dB of the "
            "four-scalar convex program at its minimiser restricted to dB = 0 (active-set Newton at dps+10, "
            "mpmath.diff), bracketed by doubling/halving from R = 1 and refined by the Illinois method",
        ),
    ),
    strategy=strategy,
    examples=[
        a.example(
            "R = 5 > R* = 4: the minority classifiers coincide exactly (first: merged = 1)",
            K_A=2,
            K_B=2,
            n_B=1,
            R=5,
            lambda_W="1/10",
            lambda_H="1/10",
        ),
        a.example(
            "R = 3 < R* = 4: the minority classifiers stay apart",
            K_A=2,
            K_B=2,
            n_B=1,
            R=3,
            lambda_W="1/10",
            lambda_H="1/10",
        ),
        a.example("K_A = 1, K_B = 3: R = 3 > R* = 2", K_A=1, K_B=3, n_B=1, R=3, lambda_W="3/25", lambda_H="1/3"),
        a.example(
            "n_B = 2, K = 5: R = 5/2 > R* = 2.04", K_A=2, K_B=3, n_B=2, R="5/2", lambda_W="1/10", lambda_H="1/10"
        ),
    ],
    explorations=EXPLORATIONS,
)
