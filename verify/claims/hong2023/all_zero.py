"""All classes die: the penalised imbalanced cross-entropy UFM with two class sizes has W = H = 0 exactly when
lambda_W lambda_H >= lambda_max(P D P)/N^2.

Statement (THEOREMS-NEXT.md, family F, ``imbce.all_zero``; reconstructed, attributed to Hong & Ling 2023):
W = H = 0 iff lambda_W lambda_H >= lambda_max(P D P)/N^2 (P = I - 11^T/K, D = diag(n_k)); with two groups,
R >= 1 and K_A >= 2, lambda_max(P D P) = n_A ("everything dies exactly when the majority group would merge");
with K_A = 1 it is (K_B n_A + n_B)/K, the group-contrast direction (derived in proofs/hong2023.all_zero.md; the
spec states only the K_A >= 2 case).

What is checked: ``rho_star`` = sqrt(lambda_max(P D P))/N against the root in rho = sqrt(lambda_W lambda_H) of
the smallest optimality margin of Zb = 0 in the four-scalar convex program (one-sided derivatives and the
dual-norm test at 0, numerical: :func:`verify.solvers.two_size_ce.zero_margin`); ``all_zero`` (1 iff
lambda_W lambda_H >= rho*^2) against the original (W, H) program on the samples (``vanished``: every entry of the
refined point below 10^-(dps/2)). Drawn points keep sqrt(lambda_W lambda_H) at least 20% from rho*.
"""

from __future__ import annotations

from fractions import Fraction

import mpmath
import sympy

from verify import authoring as a
from verify.claims.hong2023 import PAPER, SEEDS
from verify.claims.hong2023._program import CONVENTION, HYPOTHESES, PARAMETERS, draws, original_solve, program

K_A, K_B, n_B, R, lambda_W, lambda_H = sympy.symbols("K_A K_B n_B R lambda_W lambda_H", positive=True)
N = n_B * (K_A * R + K_B)
LAMBDA_MAX = sympy.Piecewise((R * n_B, K_A >= 2), ((K_B * R * n_B + n_B) / (K_A + K_B), True))
RHO_STAR = sympy.sqrt(LAMBDA_MAX) / N


def _exact(t) -> Fraction:
    r = mpmath.mpf(t)
    return Fraction(int(r.man)) * Fraction(2) ** int(r.exp) if r.man else Fraction(0)


def margin(values, t, dps: int):
    """The zero-optimality margin at rho = t (lambda_W = 1, lambda_H = t^2: only the product matters)."""
    from verify.solvers.two_size_ce import zero_margin

    v = {**values, "lambda_W": Fraction(1), "lambda_H": _exact(t) ** 2}
    return zero_margin(program(v), dps)


def _g_choices(v):
    star2 = Fraction(
        sympy.Rational(str(RHO_STAR.subs({s: sympy.Rational(str(v[s.name])) for s in RHO_STAR.free_symbols}) ** 2))
    )
    return a.choice(
        *[star2 * g * g / v["lambda_W"] for g in (Fraction(1, 2), Fraction(4, 5), Fraction(6, 5), Fraction(3, 2))]
    )


def strategy():
    spec = {**{k: v for k, v in draws().items() if k != "lambda_H"}, "lambda_H": _g_choices}
    return a.draws(spec, params=PARAMETERS, hypotheses=HYPOTHESES)()


CLAIM = a.claim(
    id="hong2023.all_zero",
    title="Penalised imbalanced CE, two class sizes: W = H = 0 iff lambda_W lambda_H >= lambda_max(PDP)/N^2",
    statement="The minimiser of (1/N) sum CE(W h_i, y_i) + (lambda_W/2)||W||_F^2 + (lambda_H/2)||H||_F^2 (two class "
    "sizes, no bias) is W = H = 0 iff sqrt(lambda_W lambda_H) >= rho* = sqrt(lambda_max(P D P))/N, with "
    "lambda_max(P D P) = n_A for K_A >= 2 and (K_B n_A + n_B)/K for K_A = 1 (R >= 1)",
    source=a.Source(
        PAPER, "THEOREMS-NEXT.md family F, claim imbce.all_zero (reconstructed; K_A = 1 case derived here)", SEEDS
    ),
    convention=CONVENTION,
    parameters=PARAMETERS,
    hypotheses=HYPOTHESES,
    quantities=[
        a.quantity(
            "rho_star",
            "rho* = sqrt(lambda_max(P D P))/N: the product threshold sqrt(lambda_W lambda_H) of the zero solution",
            RHO_STAR,
            a.tolerance(
                2,
                "a root bracketed to 10^-(dps+2) of margins computed by numerical differentiation at dps+10, slope "
                "O(1/rho*): its relative error (root_error, measured at most 4.7e-40 at dps 30 over the pinned and "
                "20 drawn points; the error against rho* was 0 at each) is below 10^-dps; the rounding to dps digits "
                "x10: 2 guard digits (was 10)",
                a.ErrorBudget(0, 1e1, 1, residuals=("root_error",)),
            ),
            needs=("K_A", "K_B", "n_B", "R"),
            standalone=True,
        ),
        a.quantity(
            "all_zero",
            "1 if the minimiser is W = H = 0, else 0",
            sympy.Piecewise((1, lambda_W * lambda_H >= RHO_STAR**2), (0, True)),
            a.tolerance(
                0,
                "0 or 1 on both sides: the refined point's entries (KKT residual 10^-(dps-5), condition measured at "
                "most 5.4e2 over the pinned and 20 drawn points) are below 10^-(dps/2) or O(1); drawn points keep rho "
                "20% from rho*: exact, no guard digit",
                a.ErrorBudget(5, 1e3, 0, residuals=("kkt_stationarity",), condition=("kkt_condition",), exact=True),
            ),
        ),
    ],
    solve=a.combine(
        original_solve({"all_zero": "vanished"}),
        a.root_solve(
            "rho_star",
            margin,
            variable="rho",
            reads=("K_A", "K_B", "n_B", "R"),
            description="rho* as the root in rho of the smallest optimality margin of Zb = 0 in the four-scalar "
            "convex program (numerical one-sided derivatives and dual-norm test at 0), bracketed and refined by the "
            "Illinois method",
        ),
    ),
    strategy=strategy,
    examples=[
        a.example(
            "rho = 1.2 rho*: everything dies (rho* = sqrt(3)/8)",
            K_A=2,
            K_B=2,
            n_B=1,
            R=3,
            lambda_W="3/10",
            lambda_H="9/40",
        ),
        a.example("rho = 0.8 rho*: alive", K_A=2, K_B=2, n_B=1, R=3, lambda_W="1/5", lambda_H="3/20"),
        a.example(
            "K_A = 1: the contrast direction, rho* = sqrt(21)/15, rho = 0.73 rho*",
            K_A=1,
            K_B=2,
            n_B=1,
            R=3,
            lambda_W="1/10",
            lambda_H="1/2",
        ),
    ],
)
