"""fang2021 prop2: the independent computation (never sees the closed forms) and the Hypothesis strategy (the record is verify.claims.fang2021.prop2)."""

from __future__ import annotations

import time
from collections.abc import Mapping
from fractions import Fraction

import mpmath
import numpy as np
import sympy as sp

from verify.authoring import strategies as st
from verify.authoring.strategies import log_decimals
from verify.claims.fang2021._prop2_forms import A_MAX_EXP, E_H, E_W, GRID_DPS, GRID_POINTS, K, p, q
from verify.models.arith import mp_arithmetic, to_mpf
from verify.models.lq_constrained import LqLayerPeeledModel
from verify.models.lq_points import etf_gram_distance, sr_point
from verify.record import (
    SolveOptions,
    SolveReport,
    Undefined,
)
from verify.solvers.lq_saturated import solve_lq


# --- the independent computation on (20) ----------------------------------------------------------------------
def model(values: Mapping[str, Fraction]) -> LqLayerPeeledModel:
    return LqLayerPeeledModel(
        int(values["K"]), int(values["n"]), int(values["p"]), values["q"], values["E_H"], values["E_W"]
    )


def _margins(lpm: LqLayerPeeledModel, x: np.ndarray) -> list:
    W, H = lpm.unpack(x)
    Z = H @ W.T
    return [Z[i, lpm.labels[i]] - Z[i, k] for i in range(lpm.N) for k in range(lpm.K) if k != lpm.labels[i]]


def solve(values: Mapping[str, Fraction], options: SolveOptions) -> SolveReport:
    """(20) restricted to SR: points built from the definition of SR, budgets saturated with the model's own
    constraints, margins from the logits, the best a by a log-grid search and a root of d(value)/da. Never
    uses g, g' or the closed-form values."""
    t0 = time.perf_counter()
    lpm = model(values)
    dps = options.dps
    with mpmath.workdps(dps + 10):
        ar = mp_arithmetic()
        scale = to_mpf(values["E_H"]) ** (2 / to_mpf(values["q"])) * to_mpf(values["E_W"])

        def phi(x):
            return lpm.objective(sr_point(lpm, x, ar), ar)

        def normalised_margin_sq(which):
            return lambda x: which(_margins(lpm, sr_point(lpm, x, ar))) ** 2 / scale

        a_etf = to_mpf(values["K"]) - 1
        x_etf = sr_point(lpm, a_etf, ar)
        slack = [abs(v) for v in lpm.constraints(x_etf, ar)]
        dg = tuple(mpmath.diff(normalised_margin_sq(w), a_etf) for w in (min, max))
        value_etf = lpm.objective(x_etf, ar)

        # best point of SR: log grid at modest precision, then a root of phi' at full precision
        with mpmath.workdps(GRID_DPS):
            grid = [
                mpmath.mpf(10) ** (mpmath.mpf(-3) + mpmath.mpf(A_MAX_EXP + 3) * i / (GRID_POINTS - 1))
                for i in range(GRID_POINTS)
            ]
            vals = [phi(x) for x in grid]
        i = min(range(GRID_POINTS), key=lambda j: vals[j])
        converged, notes = True, []
        if i == GRID_POINTS - 1:
            decreasing = all(vals[j + 1] <= vals[j] for j in range(GRID_POINTS // 2, GRID_POINTS - 1))
            reason = f"(20) decreases along SR up to a = 1e{A_MAX_EXP}: no best point of SR on the grid"
            a_star = value_opt = Undefined(reason)
            notes.append(reason)
            if values["q"] > 1 or not decreasing:
                converged = False
                notes.append("minimiser of (20) over SR not resolved")
        elif i == 0:
            a_star = value_opt = Undefined("best point of SR at the lower end of the grid")
            converged = False
        else:
            root = mpmath.findroot(lambda x: mpmath.diff(phi, x), (grid[i - 1], grid[i + 1]), solver="anderson")
            curvature = mpmath.diff(phi, root, 2)
            residual = abs(mpmath.diff(phi, root)) * abs(root) / abs(phi(root))
            a_star, value_opt = +root, phi(root)
            if not (curvature > 0 and residual < mpmath.mpf(10) ** -(dps - 5)):
                converged = False
                notes.append(f"1-D stationarity residual {float(residual):.1e}, curvature {float(curvature):.1e}")
        feasible = all(s < mpmath.mpf(10) ** -(dps - 5) for s in slack)
        if not feasible:
            converged = False
            notes.append("SR point does not saturate the budgets")
    with mpmath.workdps(dps):
        quantities = {
            "dg_at_etf": tuple(+v for v in dg),
            "value_at_etf_in_sr": (+value_etf,),
            "a_star": (a_star if isinstance(a_star, Undefined) else +a_star,),
            "value_sr_optimum": (value_opt if isinstance(value_opt, Undefined) else +value_opt,),
        }
    message = "; ".join(["SR family: budgets saturated, 1-D solve over a"] + notes)
    return SolveReport(
        converged=converged,
        message=message,
        quantities=quantities,
        float_quantities={},
        residuals={"budget_slack": float(max(slack))},
        dps=dps,
        seconds=time.perf_counter() - t0,
        details={"grid_best_index": i},
    )


# --- Hypothesis strategy ---------------------------------------------------------------------------------
@st.composite
def parameters(draw) -> dict[str, Fraction]:
    """K 3..5, p K..K+3, n 1..2; q in (0, 1], [1.25, 1.9] or [2.1, 8]; budgets 0.1-10."""
    K_ = draw(st.integers(3, 5))
    q_ = draw(
        st.one_of(
            st.integers(2, 10).map(lambda k: Fraction(k, 10)),
            st.integers(5, 19).map(lambda k: Fraction(k, 4) if k < 8 else Fraction(k, 10)).filter(lambda v: v < 2),
            st.integers(21, 80).map(lambda k: Fraction(k, 10)),
        )
    )
    return {
        "K": Fraction(K_),
        "n": Fraction(draw(st.integers(1, 2))),
        "p": Fraction(draw(st.integers(K_, K_ + 3))),
        "q": q_,
        "E_H": draw(log_decimals(-1, 1)),
        "E_W": draw(log_decimals(-1, 1)),
    }


#: Theorem 1's value for the l2 relaxation of (20), q > 2: ||h||_2 <= p^(1/2-1/q) ||h||_q (Hoelder) and the
#: power mean put the feasible set of (20) inside that of (7) with E_H' = p^(1-2/q) E_H^(2/q): a lower bound.
RELAXATION_BOUND = sp.log(1 + (K - 1) * sp.exp(-K / (K - 1) * sp.sqrt(p ** (1 - 2 / q) * E_H ** (2 / q) * E_W)))


def global_solve(values: Mapping[str, Fraction], options: SolveOptions) -> SolveReport:
    """The full program (20) (not SR): L-BFGS-B multistart on the budgets' boundary, KKT refinement for
    q > 1; measures the value and the ETF-Gram distances of W and of the class means."""
    lpm = model(values)

    def measured(x, ar):
        W, H = lpm.unpack(x)
        means = H.reshape(lpm.K, lpm.n, lpm.p).sum(axis=1) / lpm.n
        return {
            "value": (lpm.objective(x, ar),),
            "etf_distance_W": (etf_gram_distance(W),),
            "etf_distance_Hbar": (etf_gram_distance(means),),
        }

    return solve_lq(lpm, options, measured)
