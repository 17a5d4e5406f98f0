"""Zhou et al. 2022's balanced, bias-free regularised model with label smoothing or focal loss: the parameters
and hypotheses shared by zhou2022.ls and zhou2022.fl (THEOREMS-NEXT.md, section D).

    f(W, H) = (1/N) sum_i L(W h_i, y_i) + (lambda_W/2)||W||_F^2 + (lambda_H/2)||H||_F^2,

with s = sqrt(n lambda_W lambda_H). Along the ETF logits z = a(e_y - 1/K) every loss here is a function of the
gap a, the nuclear norm of Z is (K-1) sqrt(n) a, and the norms follow from a exactly as in zhu2021.thm3_1.
"""

from __future__ import annotations

import sympy as sp

from verify import authoring as a

K, n, lambda_W, lambda_H = sp.symbols("K n lambda_W lambda_H", positive=True)
s = sp.sqrt(n * lambda_W * lambda_H)

COMMON_PARAMETERS = [
    a.integer("K", "number of classes"),
    a.integer("n", "samples per class (balanced)"),
    a.integer("d", "feature dimension", default=lambda v: v["K"], default_text="K"),
    a.real("lambda_W", "classifier penalty: (lambda_W/2)||W||_F^2"),
    a.real("lambda_H", "feature penalty: (lambda_H/2)||H||_F^2"),
]
COMMON_HYPOTHESES = [
    a.hypothesis("K >= 2", lambda v: v["K"] >= 2, "K", "use at least two classes"),
    a.hypothesis("n >= 1", lambda v: v["n"] >= 1, "n", "give at least one sample per class"),
    a.hypothesis("d >= K - 1", lambda v: v["d"] >= v["K"] - 1, "d", "raise d to K - 1 or more"),
    a.hypothesis("lambda_W > 0", lambda v: v["lambda_W"] > 0, "lambda_W", "give a positive penalty"),
    a.hypothesis("lambda_H > 0", lambda v: v["lambda_H"] > 0, "lambda_H", "give a positive penalty"),
]


def norms_from_gap(gap):
    """(||w_k||^2, ||h||^2) of the balanced factorisation of Z = gap P (x) 1_n^T (proofs/zhu2021.thm3_1.md, Step 5)."""
    return (
        sp.sqrt(n * lambda_H / lambda_W) * gap * (K - 1) / K,
        sp.sqrt(lambda_W / (n * lambda_H)) * gap * (K - 1) / K,
    )


# Budgets (issue 18; tests/test_tolerances.py): kkt_stationarity is the refinement's stopping target 10^-(dps-5)
# (measured <= 1.4e-30 at dps 30); kkt_condition measured over the pinned points and 20 drawn points of fl and ls
# (seed 0, dps 30): at most 3.4e3 (fl, K = 4, gamma = 5), 2.9e3 (ls); worst geometry error 5.0e-30 against 1e-20.
VALUE_TOL = a.tolerance(
    8,
    "the solve refines the stationary point until its relative gradient is below 10^-(dps-5); the value is a sum "
    "of O(N K) terms rounded at dps digits and first-order insensitive to the remaining error: 8 guard digits",
    a.ErrorBudget(5, 1e2, 1, residuals=("kkt_stationarity",)),
)
GEOMETRY_TOL = a.tolerance(
    10,
    "norms, gaps and cosines carry the forward error of the point, (residual 10^-(dps-5)) x (condition of the "
    "Newton matrix off the rotation orbit, measured at most 3.4e3 on the pinned and 40 drawn points): 5 + 4 + 1 "
    "spare = 10 guard digits",
    a.ErrorBudget(5, 3.5e3, 1, residuals=("kkt_stationarity",), condition=("kkt_condition",)),
)
ZERO_TOL = a.tolerance(
    10,
    "in the zero regime the norms and gaps are predicted to be exactly 0 and compared absolutely; the refined "
    "point carries the geometry's forward error (residual 10^-(dps-5) x condition <= 3.5e3) on O(1) blocks",
    a.ErrorBudget(5, 3.5e3, 1, residuals=("kkt_stationarity",), condition=("kkt_condition",)),
)
THRESHOLD_TOL = a.tolerance(
    2,
    "lambda_H from the largest eigenvalue of the origin's Schur complement (O(1), well separated): the Hessian is "
    "formed by central differences at 2 dps + 10 digits (entries right to 10^-dps), the eigen-solve runs at "
    "2 dps + 10; the rounding to dps digits and the few operations after (x10): 2 guard digits (measured worst "
    "over the pinned and 40 drawn points at dps 30: 8.0e-32)",
    a.ErrorBudget(0, 1e1, 1),
)


def lambda_H_for(ks_values):
    """A strategy entry: lambda_H putting K sqrt(n lambda_W lambda_H) at one of ``ks_values`` (exact)."""
    from fractions import Fraction

    return lambda v: a.choice(*[Fraction(t) ** 2 / (v["K"] ** 2 * v["n"] * v["lambda_W"]) for t in ks_values])
