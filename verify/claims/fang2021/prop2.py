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

from verify import strategies as st
from verify.claim import (
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
    Undefined,
)
from verify.claims.fang2021 import PAPER, SEEDS
from verify.hypotheses import CLASSIFIER_BUDGET, FEATURE_BUDGET, ONE_SAMPLE_PER_CLASS
from verify.models.arith import FLOAT, mp_arithmetic, to_mpf
from verify.models.lq_constrained import LqLayerPeeledModel
from verify.models.lq_points import etf_gram_distance, sign_etf, sign_etf_exists, sr_point
from verify.solvers.lq_saturated import solve_lq
from verify.strategies import log_decimals

PARAMETERS = (
    Parameter("K", "integer", "number of classes"),
    Parameter("n", "integer", "samples per class (balanced)", default=lambda v: Fraction(1), default_text="1"),
    Parameter("p", "integer", "feature dimension", default=lambda v: v["K"], default_text="K"),
    Parameter("q", "real", "exponent of the feature constraint (1/K) sum_k (1/n) sum_i ||h_{k,i}||_q^q <= E_H"),
    Parameter("E_H", "real", "feature budget"),
    Parameter("E_W", "real", "classifier budget: (1/K) sum_k ||w_k||^2 <= E_W"),
)
K, n, p, q, E_H, E_W = (par.symbol for par in PARAMETERS)
a = sp.Symbol("a", nonnegative=True)  # the SR family's parameter (not a parameter of the claim)

# --- the proof's closed forms (SI A.1, proof of Proposition 2) ------------------------------------------------
#: g of the proof, after Eq. (32), as printed.
G = ((a + 1) ** 2 / (a**2 + K - 1)) * ((a + 1) ** q / (a**q + K - 1)) ** (2 / q)
#: g'(K-1) as printed.
DG_PRINTED = (
    2 * K**4 / (((K - 1) ** 2 + (K - 1)) * ((K - 1) ** q + K - 1) ** (2 / q + 1)) * ((K - 1) - (K - 1) ** (q - 1))
)
#: g'(K-1) as sympy derives it (proofs/fang2021.prop2.md): the printed value divided by K.
DG = 2 * K**2 * ((K - 1) - (K - 1) ** (q - 1)) / ((K - 1) * ((K - 1) ** q + K - 1) ** (2 / q + 1))
#: The largest margin on SR at parameter a (budgets saturated, |B1| = E_H^(1/q), |B2| = sqrt(E_W)).
MARGIN_SR = E_H ** (1 / q) * sp.sqrt(E_W) * sp.sqrt(G)
#: Cross-entropy on SR: every sample has margin MARGIN_SR against each of the K-1 other classes.
VALUE_SR = sp.log(1 + (K - 1) * sp.exp(-MARGIN_SR))
VALUE_AT_ETF = VALUE_SR.subs(a, K - 1)

#: a is searched on a log grid 10^-3 .. 10^A_MAX_EXP: for 1 < q the maximiser of g grows like
#: ((K-1)/2)^(1/(q-1)) as q -> 1+ (1e4 at K = 6, q = 5/4); beyond the grid the solve reports inconclusive.
A_MAX_EXP = 60
GRID_POINTS = 631
#: Working precision of the grid: along SR the value approaches its limit like a^-min(q, 1), so resolving the
#: trend up to a = 10^A_MAX_EXP needs about A_MAX_EXP digits beyond the value's own.
GRID_DPS = A_MAX_EXP + 20


def _g_numeric(values: Mapping[str, Fraction]):
    Kv, qv = to_mpf(values["K"]), to_mpf(values["q"])
    g = sp.lambdify((a, K, q), G, "mpmath")
    return lambda x: g(x, Kv, qv)


def _argmax_g(values: Mapping[str, Fraction], dps: int) -> mpmath.mpf | Undefined:
    """The global maximiser of the closed-form g on a > 0: log grid, then the root of g' in the best cell."""
    if values["q"] <= 1:
        return Undefined("q <= 1: g(a) < 1 = lim_{a->inf} g(a), so g has no maximiser (SR has no best point)")
    with mpmath.workdps(max(dps + 10, GRID_DPS)):
        g = _g_numeric(values)
        grid = [
            mpmath.mpf(10) ** (mpmath.mpf(-3) + mpmath.mpf(A_MAX_EXP + 3) * i / (GRID_POINTS - 1))
            for i in range(GRID_POINTS)
        ]
        vals = [g(x) for x in grid]
        i = max(range(len(grid)), key=lambda j: vals[j])
        if i in (0, len(grid) - 1):
            return Undefined(f"maximiser of g outside 1e-3 <= a <= 1e{A_MAX_EXP} (q too close to 1)")
        root = mpmath.findroot(lambda x: mpmath.diff(g, x), (grid[i - 1], grid[i + 1]), solver="anderson")
        return +root


def _value_sr_optimum(values: Mapping[str, Fraction], dps: int) -> mpmath.mpf | Undefined:
    astar = _argmax_g(values, dps)
    if isinstance(astar, Undefined):
        return astar
    with mpmath.workdps(dps + 10):
        f = sp.lambdify(a, VALUE_SR.subs(CLAIM.subs(values)), "mpmath")
        return +f(astar)


# --- tolerances ------------------------------------------------------------------------------------------
DERIVATIVE_TOL = Tolerance(
    guard_digits=6,
    reason="mpmath.diff differentiates the model's margin at dps + 10 digits (its own step control raises the "
    "precision further); g'(K-1) is evaluated by sympy at dps + 5: both exact to the working precision on "
    "the pinned and drawn points (measured error 0 at dps 30), 6 guard digits for rounding of the margins",
)
VALUE_TOL = Tolerance(
    guard_digits=8,
    reason="the model's objective at an SR point sums N softplus terms rounded at dps + 10 digits; at a_star it "
    "is first-order insensitive to the error of a_star (measured <= 1e-31 at dps 30): 8 guard digits",
)
ARGMAX_TOL = Tolerance(
    guard_digits=10,
    reason="a_star is the root of a numerical derivative of (20) along SR, found at dps + 10 digits; an error e "
    "in the derivative moves the root by e / phi''(a*), and phi'' is small where g is flat (q near 2, large "
    "K); measured relative errors <= 6e-32 at dps 30 on 19 pinned and drawn points, 10 guard digits keep a "
    "margin for flatter maxima",
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


# --- errata ------------------------------------------------------------------------------------------------
DG_POINT = {
    "K": Fraction(3),
    "n": Fraction(1),
    "p": Fraction(3),
    "q": Fraction(3),
    "E_H": Fraction(1),
    "E_W": Fraction(1),
}
SCALE_POINT = {**DG_POINT, "E_H": Fraction(2)}
COUNTER_POINT = {
    "K": Fraction(4),
    "n": Fraction(1),
    "p": Fraction(6),
    "q": Fraction(3),
    "E_H": Fraction(1),
    "E_W": Fraction(1),
}


def _dg_evidence() -> Evidence:
    with mpmath.workdps(30):
        printed = mpmath.mpf(sp.N(DG_PRINTED.subs(CLAIM.subs(DG_POINT)), 40))
        corrected = mpmath.mpf(sp.N(DG.subs(CLAIM.subs(DG_POINT)), 40))
        report = solve(DG_POINT, SolveOptions(dps=30))
        measured = report.quantities["dg_at_etf"]
        holds = report.converged and all(abs(v - corrected) < mpmath.mpf(10) ** -20 for v in measured)
        holds = holds and abs(printed - corrected) > mpmath.mpf("0.1")
    return Evidence(
        symbolic_difference=f"printed - K * corrected = {sp.simplify(DG_PRINTED - K * DG)}",
        point={k: str(v) for k, v in DG_POINT.items()},
        printed_value=mpmath.nstr(printed, 15),
        corrected_value=mpmath.nstr(corrected, 15),
        reference_value=f"{mpmath.nstr(measured[0], 15)} (d/da of the squared margin of (20) on SR, mpmath.diff)",
        holds=holds,
    )


def _scale_evidence() -> Evidence:
    """The l_q budget of SR points with the printed B1 = sqrt(E_H), the corrected E_H^(1/q), and a rotated P."""
    lpm = model(SCALE_POINT)
    qf, EH, Kv = float(lpm.q), float(lpm.E_H), lpm.K
    b = ((Kv - 1) ** qf + Kv - 1) ** (-1 / qf)  # b^q (a^q + K - 1) = 1 at a = K - 1
    unit = sr_point(lpm, float(Kv - 1), FLOAT, saturate=False) * b
    budget = [float(lpm.constraints(B1 * unit)[1]) + EH for B1 in (EH**0.5, EH ** (1 / qf))]
    W, H = lpm.unpack(EH ** (1 / qf) * unit)
    P = np.linalg.qr(np.random.default_rng(0).standard_normal((lpm.p, lpm.p)))[0]
    rotated = float(lpm.constraints(lpm.pack(W, H @ P))[1]) + EH
    return Evidence(
        symbolic_difference=None,
        point={k: str(v) for k, v in SCALE_POINT.items()},
        printed_value=f"B1 = sqrt(E_H): (1/K) sum ||h_k||_q^q = {budget[0]:.12g} > E_H = {EH:g} (infeasible)",
        corrected_value=f"B1 = E_H^(1/q): (1/K) sum ||h_k||_q^q = {budget[1]:.12g} = E_H",
        reference_value=f"B1 = E_H^(1/q) with a random orthogonal P: {rotated:.12g} != E_H",
        holds=budget[0] > 1.01 * EH and abs(budget[1] - EH) < 1e-12 and abs(rotated - EH) > 1e-3,
    )


def _counterexample_evidence() -> Evidence:
    """An independent solve of (20) at K = 4, p = 6, q = 3 lands on an ETF at the relaxation bound; the
    Sylvester sign ETF attains the bound there and at K = 8, p = 14."""
    with mpmath.workdps(30):
        report = global_solve(COUNTER_POINT, SolveOptions(dps=30))
        value = report.quantities["value"][0]
        dW, dH = report.quantities["etf_distance_W"][0], report.quantities["etf_distance_Hbar"][0]
        tiny = mpmath.mpf(10) ** -20
        holds = report.converged and dW < tiny and dH < tiny
        sign_values = []
        for pt in (COUNTER_POINT, {**COUNTER_POINT, "K": Fraction(8), "p": Fraction(14)}):
            lpm = model(pt)
            S = np.array([[mpmath.mpf(v) for v in row] for row in sign_etf(lpm.K, lpm.p)], dtype=object)
            ar = mp_arithmetic()
            x = lpm.pack((to_mpf(lpm.E_W) / lpm.p) ** 0.5 * S, (to_mpf(lpm.E_H) / lpm.p) ** (1 / to_mpf(lpm.q)) * S)
            bound = mpmath.mpf(sp.N(RELAXATION_BOUND.subs(CLAIM.subs(pt)), 40))
            sign_values.append((lpm.objective(x, ar), bound, max(lpm.constraints(x, ar))))
            holds = holds and abs(sign_values[-1][0] - bound) < tiny * bound and sign_values[-1][2] < tiny
        holds = holds and abs(value - sign_values[0][1]) < tiny * value
    (v4, b4, _), (v8, b8, _) = sign_values
    return Evidence(
        symbolic_difference=None,
        point={k: str(v) for k, v in COUNTER_POINT.items()},
        printed_value="no global minimiser of (20) satisfies (9)",
        corrected_value=f"sign-ETF point (satisfies (9)) attains the lower bound {mpmath.nstr(b4, 15)}: "
        f"value {mpmath.nstr(v4, 15)}; at K = 8, p = 14: {mpmath.nstr(v8, 15)} = bound {mpmath.nstr(b8, 15)}",
        reference_value=f"independent solve of (20): value {mpmath.nstr(value, 15)}, ETF-Gram distance of W "
        f"{mpmath.nstr(dW, 3)}, of the class means {mpmath.nstr(dH, 3)} ({report.message})",
        holds=holds,
    )


ERRATA = (
    Erratum(
        claim_id="fang2021.prop2",
        location="seed 001, Section 6, Proposition 2 (program (20)); SI A.1, proof of Proposition 2",
        printed="For K >= 3, p >= K and any q in (0,2) U (2,inf), no global minimiser of (20) satisfies (9)",
        corrected="False for q > 2 whenever a +-1 simplex ETF of size K x p exists (K even, (K-1) | p, "
        "4 | K p/(K-1): e.g. (K, p) = (4, 6), (8, 14), (6, 10)); then H = (E_H/p)^(1/q) S, W = sqrt(E_W/p) S "
        "is a global minimiser satisfying (9). Holds as measured for q < 2 and for q > 2 without a sign ETF "
        "(e.g. K odd). Repair: assume q < 2, or that no +-1 simplex ETF of size K x p exists",
        summary="For q > 2, Hoelder (||h||_2 <= p^(1/2-1/q) ||h||_q) and the power mean bound (20) below by "
        "Theorem 1 with E_H' = p^(1-2/q) E_H^(2/q); a sign ETF attains that bound, so it is optimal and, by "
        "the equality cases, every minimiser is an ETF. The proof only shows that a = K-1 is not optimal "
        "inside SR, whose P is coordinate-aligned; rotated ETFs have different l_q norms and are never compared.",
        evidence=_counterexample_evidence,
    ),
    Erratum(
        claim_id="fang2021.prop2",
        location="seed 001, SI A.1, proof of Proposition 2, g'(K-1) after Eq. (32)",
        printed="g'(K-1) = 2K^4 ((K-1) - (K-1)^(q-1)) / ([(K-1)^2 + (K-1)] [(K-1)^q + K-1]^(2/q+1))",
        corrected="g'(K-1) = 2K^2 ((K-1) - (K-1)^(q-1)) / ((K-1) [(K-1)^q + K-1]^(2/q+1)) (printed / K)",
        summary="The printed derivative is K times too large. Its sign, and so the proof's step 'a = K-1 is "
        "not the maximiser unless q = 2', is unaffected.",
        evidence=_dg_evidence,
    ),
    Erratum(
        claim_id="fang2021.prop2",
        location="seed 001, SI A.1, proof of Proposition 2, definition of SR and Eq. (32)",
        printed="|B1| <= sqrt(E_H), P^T P = I_K; (32): ... <= E_H E_W [...]",
        corrected="|B1| <= E_H^(1/q) and P a signed coordinate embedding; (32): ... <= E_H^(2/q) E_W [...]",
        summary="With b^q (a^q + K-1) = 1 the l_q budget of h_k = B1 b P m_k is B1^q only when P maps "
        "coordinates to signed coordinates; then |B1| <= E_H^(1/q). With sqrt(E_H) the SR points leave the "
        "feasible set of (20) (q > 2, E_H > 1). Only a scale: the maximiser over a is unchanged.",
        evidence=_scale_evidence,
    ),
)


# --- exploration: where the statement holds --------------------------------------------------------------------
EXPLORATION_GRID = (
    (3, 3, "1/2"),
    (3, 3, "1"),
    (3, 3, "3/2"),
    (3, 3, "2"),
    (3, 3, "3"),
    (3, 6, "4"),
    (4, 4, "3/2"),
    (4, 4, "3"),
    (4, 6, "3/2"),
    (4, 6, "3"),
    (4, 6, "4"),
    (5, 5, "3/2"),
    (5, 5, "3"),
    (5, 8, "3"),
)


def _explore_distances() -> Finding:
    rows = []
    for Kv, pv, qv in EXPLORATION_GRID:
        values = {
            "K": Fraction(Kv),
            "n": Fraction(1),
            "p": Fraction(pv),
            "q": Fraction(qv),
            "E_H": Fraction(1),
            "E_W": Fraction(1),
        }
        rep = global_solve(values, SolveOptions(dps=30, n_starts=8, seed=1))
        dW, dH = float(rep.quantities["etf_distance_W"][0]), float(rep.quantities["etf_distance_Hbar"][0])
        bound = float(sp.N(RELAXATION_BOUND.subs(CLAIM.subs(values)))) if Fraction(qv) > 2 else None
        rows.append(
            {
                "K": str(Kv),
                "p": str(pv),
                "q": qv,
                "value": f"{float(rep.quantities['value'][0]):.12f}",
                "l2-relaxation bound": "-" if bound is None else f"{bound:.12f}",
                "ETF distance W": f"{dW:.2e}",
                "ETF distance Hbar": f"{dH:.2e}",
                "sign ETF exists": str(sign_etf_exists(Kv, pv)),
                "minimiser is an ETF": str(max(dW, dH) < 1e-6),
                "refined": "KKT" if rep.converged else f"float only ({rep.message.split(';')[0]})",
                "starts at best": f"{rep.details['starts_at_best']}/{rep.details['starts']}",
            }
        )
    fails = [r for r in rows if r["minimiser is an ETF"] == "True" and r["q"] != "2"]
    closest = min(
        max(float(r["ETF distance W"]), float(r["ETF distance Hbar"]))
        for r in rows
        if r["minimiser is an ETF"] == "False"
    )
    return Finding(
        summary="Global solves of (20) (E_H = E_W = 1, n = 1, 8 starts): the minimiser is an ETF exactly at the "
        "q = 2 control and at q > 2 where a +-1 simplex ETF exists ("
        + ", ".join(f"K={r['K']} p={r['p']} q={r['q']}" for r in fails)
        + "; value = the l2-relaxation bound): there Proposition 2 fails. Elsewhere (q < 2; q > 2 with K odd "
        f"or no sign ETF) the minimiser stays a distance >= {closest:.2g} from every ETF (the larger of the "
        "W and class-mean distances), as the proposition says.",
        rows=tuple(rows),
    )


EXPLORATIONS = (
    Exploration(
        claim_id="fang2021.prop2",
        label="exploration",
        title="Distance of the global minimiser of (20) from every simplex ETF, by (K, p, q)",
        question="Is the minimiser of (20) an ETF (normalised Gram distance 0) -- for which (K, p, q)?",
        run=_explore_distances,
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
