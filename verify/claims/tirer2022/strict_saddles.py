"""Tirer & Bruna 2022, Section 3, "Remark on the optimization procedure": the two-factor problem has only global
minima and strict saddles.

Statement (seed 003, line 52): "the optimization landscape of matrix factorization with two factors includes only
global minima (no local minima) and strict saddle points ... (Kawaguchi, 2016; Freeman & Bruna, 2017)", so plain
gradient descent reaches the global minimisers of (5). Made checkable here for the bias-free problem (5) with
kappa = K sqrt(n lambda_H lambda_W) < 1 (proofs/tirer2022.strict_saddles.md):

- ``fraction_at_global`` = 1: every L-BFGS and gradient-descent start (standard normal, four scales) ends at the
  global value (a census of where starts end, as for tirer2022.thm4_2; a census finds what it finds, it does
  not prove the absence of other minima);
- the stationary points obtained by switching off any nonempty set of classes at the global minimiser (w_k = 0,
  h_{k,i} = 0; the origin when all are off) are stationary (``stationarity`` = 1 - relative gradient = 1) and strict saddles: the
  smallest Hessian eigenvalue there is

      mu = (lambda_W + lambda_H)/2 - sqrt(((lambda_W - lambda_H)/2)^2 + 1/(K^2 n))  < 0  iff  kappa < 1

  (``origin_curvature`` at the origin, ``saddle_curvature`` at every partial point), measured from the Hessian
  of the model at dps digits (columns from gradient differences along unit vectors, eigenvalues in mpmath).
"""

from __future__ import annotations

from itertools import combinations

import mpmath
import numpy as np
import sympy as sp

from verify import authoring as a
from verify.base.solving import SolveReport
from verify.claims.tirer2022 import PAPER, SEEDS
from verify.models.arith import mp_arithmetic
from verify.models.mse_features import MSEFeaturesModel

K, n, lambda_W, lambda_H = sp.symbols("K n lambda_W lambda_H", positive=True)
MU = (lambda_W + lambda_H) / 2 - sp.sqrt(((lambda_W - lambda_H) / 2) ** 2 + 1 / (K**2 * n))
NEEDS = ("K", "n", "lambda_W", "lambda_H")


def _model(v) -> MSEFeaturesModel:
    return MSEFeaturesModel(int(v["K"]), int(v["n"]), int(v["d"]), v["lambda_W"], v["lambda_H"], "none")


def _hessian_min(m: MSEFeaturesModel, x: np.ndarray, dps: int) -> mpmath.mpf:
    """Smallest eigenvalue of the Hessian at x: columns (grad(x + h e_j) - grad(x - h e_j))/(2h) at dps + 20 digits,
    h = 10^-(dps/2 + 5) (the objective is a polynomial of degree 4: the error is h^2 times its third derivative)."""
    ar = mp_arithmetic()
    with mpmath.workdps(dps + 20):
        h = mpmath.mpf(10) ** (-(dps // 2 + 5))
        cols = []
        for j in range(m.dim):
            e = np.array([mpmath.mpf(0)] * m.dim, dtype=object)
            e[j] = h
            cols.append((m.gradient(x + e, ar) - m.gradient(x - e, ar)) / (2 * h))
        Hm = mpmath.matrix([[cols[j][i] for j in range(m.dim)] for i in range(m.dim)])
        return min(mpmath.eigsy((Hm + Hm.T) / 2, eigvals_only=True))


def _switched_off(m: MSEFeaturesModel, x, classes) -> np.ndarray:
    W, H, _ = m.unpack(np.array(x, dtype=object))
    W, H = W.copy(), H.copy()
    for k in classes:
        W[k, :] = 0 * W[k, :]
        H[:, k * m.n : (k + 1) * m.n] = 0 * H[:, k * m.n : (k + 1) * m.n]
    return m.pack(W, H)


def _census(values, options) -> SolveReport:
    from verify.solvers.landscape import explore

    m = _model(values)
    land = explore(
        m,
        n_starts=4 * options.n_starts,
        seed=options.seed,
        dps=options.dps,
        scales=(0.1, 0.5, 1.0, 2.0),
        gd_starts=4,
        gd_options={"max_iter": 20000},
    )
    best = land.best.value_float
    ends = list(land.lbfgs_values) + [r.value for r in land.gd]
    at_global = sum(abs(v - best) <= 1e-7 * max(abs(best), 1e-12) for v in ends)
    ar = mp_arithmetic()
    q: dict = {"fraction_at_global": (mpmath.mpf(at_global) / len(ends),)}
    with mpmath.workdps(options.dps):
        x = land.best.polished.x
        subsets = [s for r in range(1, m.K + 1) for s in combinations(range(m.K), r)]
        points = {s: _switched_off(m, x, s) for s in subsets}
        scale = max(abs(v) for v in m.penalty_gradient(x, ar)) if hasattr(m, "penalty_gradient") else 1
        q["stationarity"] = tuple(1 - max(abs(v) for v in m.gradient(p, ar)) / scale for p in points.values())
        q["origin_curvature"] = (+_hessian_min(m, points[tuple(range(m.K))], options.dps),)
        q["saddle_curvature"] = tuple(+_hessian_min(m, p, options.dps) for s, p in points.items() if len(s) < m.K)
    converged = land.best.polished.converged
    message = (
        f"{land.best.polished.message}; {at_global} of {len(ends)} starts (L-BFGS and GD) at the global value "
        f"{best:.12g}; {len(subsets)} switched-off points"
    )
    return SolveReport(
        converged,
        message,
        q,
        {},
        {"stationarity": land.best.polished.stationarity, "hessian_condition": land.best.polished.condition},
        options.dps,
        land.seconds,
        {"other_values": [s.value_float for s in land.others], "census_starts": len(ends)},
        x,
    )


# Budgets (issue 18; tests/test_tolerances.py), measured over the pinned and 20 drawn points (seed 0, dps 30): the
# polished minimiser's stationarity <= 3.2e-30 (target 10^-(dps-5)), hessian_condition <= 50, ||H|| / |mu| <= 4 at
# the switched-off points (closed-form mu); worst errors 3.2e-30 (stationarity), 0 (curvatures).
CURVATURE_TOL = a.tolerance(
    9,
    "an eigenvalue of a Hessian formed at dps+20 digits from gradient differences with step 10^-(dps/2+5) (error "
    "~ step^2 x the quartic's third derivative, below 10^-(dps+5)) at a point whose forward error is the "
    "polished minimiser's, stationarity 10^-(dps-5) x Hessian condition (<= 50 measured), relative to |mu| (x "
    "||H|| / |mu| <= 4): amplification <= 2e2, 5 + 3 + 1 spare = 9 guard digits (was 10)",
    a.ErrorBudget(5, 2e2, 1, residuals=("stationarity",), condition=("hessian_condition",)),
)
ZERO_TOL = a.tolerance(
    7,
    "the gradient at a switched-off point of a refined minimiser is the refined point's residual (10^-(dps-5) "
    "relative to the penalty gradient) on the classes left on, exactly 0 on those switched off; the maximum and "
    "the ratio x10: 5 + 1 + 1 spare = 7 guard digits (was 10)",
    a.ErrorBudget(5, 1e1, 1, residuals=("stationarity",)),
)
#: a census, not a budget (tests/test_tolerances.py, CENSUS): a count over a count, one division rounded at dps
#: digits: 1 guard digit, far below one start's share 1/starts
COUNT_TOL = a.tolerance(1, "a fraction of start counts: exact up to one division rounded at dps digits (1 guard digit)")

CLAIM = a.claim(
    id="tirer2022.strict_saddles",
    title="Bias-free MSE UFM (5): every start reaches the global minimum; the other stationary points are strict saddles",
    statement="For (5) with kappa < 1 the landscape has no spurious local minima: gradient methods from random "
    "starts reach the global minimum, and the stationary points with any set of classes switched off (the origin "
    "included) are strict saddles, with smallest Hessian eigenvalue (lambda_W + lambda_H)/2 - "
    "sqrt(((lambda_W - lambda_H)/2)^2 + 1/(K^2 n)) < 0",
    source=a.Source(
        PAPER,
        "Section 3, 'Remark on the optimization procedure' (Kawaguchi 2016; Freeman & Bruna "
        "2017); the curvature is derived here",
        SEEDS,
    ),
    convention=MSEFeaturesModel.convention,
    parameters=[
        a.integer("K", "number of classes"),
        a.integer("n", "samples per class"),
        a.real("lambda_W", "weight decay of W"),
        a.real("lambda_H", "weight decay of H"),
        a.integer("d", "feature dimension (d >= K)", default=lambda v: v["K"], default_text="K"),
    ],
    hypotheses=[
        a.hypothesis("K >= 2", lambda v: v["K"] >= 2, "K", "use at least two classes"),
        a.hypothesis("n >= 1", lambda v: v["n"] >= 1, "n", "give at least one sample per class"),
        a.hypothesis("lambda_W > 0", lambda v: v["lambda_W"] > 0, "lambda_W", "give a positive weight decay"),
        a.hypothesis("lambda_H > 0", lambda v: v["lambda_H"] > 0, "lambda_H", "give a positive weight decay"),
        a.hypothesis(
            "kappa < 1",
            lambda v: v["K"] ** 2 * v["n"] * v["lambda_W"] * v["lambda_H"] < 1,
            "lambda_W",
            "at kappa >= 1 the origin is the global minimiser (no saddle): lower lambda_W lambda_H",
            uses=NEEDS,
        ),
        a.hypothesis("d >= K", lambda v: v["d"] >= v["K"], "d", "raise d to K", uses=("d", "K")),
    ],
    quantities=[
        a.quantity(
            "fraction_at_global",
            "fraction of L-BFGS and GD starts ending at the global value",
            sp.Integer(1),
            COUNT_TOL,
            needs=NEEDS,
        ),
        a.quantity(
            "stationarity",
            "1 - ||grad f||_inf / ||grad penalty||_inf at every switched-off point (1: stationary)",
            sp.Integer(1),
            ZERO_TOL,
            needs=NEEDS,
        ),
        a.quantity("origin_curvature", "smallest Hessian eigenvalue at W = H = 0", MU, CURVATURE_TOL),
        a.quantity(
            "saddle_curvature", "smallest Hessian eigenvalue at every partly switched-off point", MU, CURVATURE_TOL
        ),
    ],
    solve=a.Solve(
        _census,
        "census: L-BFGS from 4 x starts standard-normal starts at scales 0.1, 0.5, 1, 2 plus 4 gradient-descent "
        "runs, end values clustered, the best polished in mpmath; switched-off points built from it; Hessians at "
        "dps+20 from gradient differences, eigenvalues in mpmath",
        ("K", "n", "lambda_W", "lambda_H", "d"),
        ("fraction_at_global", "stationarity", "origin_curvature", "saddle_curvature"),
    ),
    strategy={
        "K": a.integers(2, 3),
        "n": a.integers(1, 2),
        "lambda_W": a.decimals("0.01", "0.2"),
        "lambda_H": a.decimals("0.01", "0.2"),
    },
    examples=[
        a.example("K = 3, n = 2 (Figure 2 scale)", K=3, n=2, lambda_W="1/20", lambda_H="1/10"),
        a.example("K = 2, unequal decays", K=2, n=1, lambda_W="1/50", lambda_H="3/10"),
    ],
)
