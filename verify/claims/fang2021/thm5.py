"""Fang et al. 2021, Theorem 5 and Figure 3: Minority Collapse, with the transition ratio R0.

Statement (seed 001, Section 4B, Theorem 5; SI B.2, Lemma 5): K_A majority classes of n_A samples, K_B
minority classes of n_B, R = n_A/n_B. As R -> infinity every global minimiser of (7) with cross-entropy has
w_k - w_k' -> 0 for all minority k, k'. Figure 3 (K = 10) shows more: the average cosine between minority
classifiers reaches 1 at a finite R0 and stays there ("two-phase behaviour"; the paper leaves exact equality at
finite R open, line 1410 of seed 001).

Encoded through program (15) (Lemma 1: its minimisers give those of (7) for p >= 2K), reduced by the
within-group permutation symmetry to seven scalars (verify/models/two_group.py; derivation in
proofs/fang2021.thm5.md). Three phases of the minority classifiers, named and reported:

- ``separated`` (R < R0): the minority classifiers differ (average cosine < 1);
- ``collapsed`` (R0 <= R < R1): all minority classifiers are *exactly* equal and nonzero;
- ``vanished`` (R >= R1, only when Lemma 5's case (ii) holds): all minority classifiers (and class means) are
  exactly 0, so their cosines do not exist (:class:`Undefined`; Figure 3 plots solver noise as "1" there).

R0 is the ratio at which the collapsed point stops being a saddle: on the collapsed sub-program the
(p_B, q_B) block of the Lagrangian Hessian is K_B [[2 L_H, -1], [-1, 2 L_W]], so R0 solves the collapsed
KKT system together with 4 L_H L_W = 1. R1 has a closed form (:data:`R1`; the quantity ``R1``, undefined where
the minority classifiers never vanish). The R -> infinity limit is
program (66) of Lemma 5, solved in closed form by :func:`limit_value`.

Which computation is independent of which: the *reference* (this module, with the optimality conditions in
verify/claims/fang2021/_thm5_reference.py) predicts the phase from R0 and R1 and solves that phase's symbolic
KKT system (sympy-derived, mpmath Newton) from a float start found by an unconstrained BFGS in normalised
coordinates (both budgets saturated), never by the solver below. The
*solver* (verify/solvers/symmetric.py) knows neither R0 nor the phases: generic SLSQP from random starts on
the constrained seven-scalar program, generic finite-difference KKT refinement, a certificate that the
point is a global minimiser of the full program (15) (duality gap), and R0 by bisection on the measured
phase followed by a secant on the measured multipliers, R1 by bisection on the measured phase (vanished or not)
followed by a secant on the measured second-order margin at the vanished point (verify/solvers/vanishing.py). tests/claims/fang2021/test_thm5.py also compares
with conic solves of the full program (15) (verify/solvers/conic.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from functools import cache

import mpmath
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
    Unavailable,
    Undefined,
)
from verify.claims.fang2021 import PAPER, SEEDS
from verify.claims.fang2021._thm5_reference import (
    NAMES,
    R0_BRACKET_LIMIT,
    R0_SEARCH_LIMIT,
    kkt_point,
    loss_value,
    r0_root,
)
from verify.errors import InputError
from verify.hypotheses import CLASSIFIER_BUDGET, FEATURE_BUDGET
from verify.models.arith import mp_arithmetic, to_mpf
from verify.models.two_group import TwoGroupProgram
from verify.precision import evaluate_expr
from verify.solvers.symmetric import solve_two_group, transition_ratio, zero_tolerance
from verify.solvers.vanishing import vanishing_ratio
from verify.strategies import assume, log_decimals

PARAMETERS = (
    Parameter("K_A", "integer", "number of majority classes (n_A samples each)"),
    Parameter("K_B", "integer", "number of minority classes (n_B samples each)"),
    Parameter("E_H", "real", "feature budget: (1/K) sum_k (1/n_k) sum_i ||h_{k,i}||^2 <= E_H"),
    Parameter("E_W", "real", "classifier budget: (1/K) sum_k ||w_k||^2 <= E_W"),
    Parameter("R", "real", "imbalance ratio n_A / n_B >= 1"),
)
K_A, K_B, E_H, E_W, R = (par.symbol for par in PARAMETERS)
K = K_A + K_B

# --- closed forms: the vanished phase, R1 and the limit problem (66) ---------------------------------------
#: Majority margin in the vanished phase: the majority classifiers and means form a K_A-simplex ETF using
#: the whole budgets (K_A p_A^2 = K E_H, K_A q_A^2 = K E_W), so x_A = p_A q_A = K sqrt(E_H E_W) / K_A.
X_VANISHED = K * sp.sqrt(E_H * E_W) / K_A
_D_A = 1 + (K_A - 1) * sp.exp(-K_A * X_VANISHED / (K_A - 1)) + K_B * sp.exp(-X_VANISHED)
_LA_X = (K_A * sp.exp(-K_A * X_VANISHED / (K_A - 1)) + K_B * sp.exp(-X_VANISHED)) / _D_A
#: R1: below it the stationarity in (s_A, s_B, d) at d = 0 has a nonzero solution (proofs/fang2021.thm5.md,
#: step 5); it exists iff the denominator is positive, which is Lemma 5's case (ii) condition.
R1_DENOMINATOR = _LA_X**2 / K - K_B * sp.exp(-2 * X_VANISHED) / _D_A**2
R1 = sp.sqrt((K_A / K**2) / R1_DENOMINATOR)
#: Lemma 5 case (ii) as printed (SI B.2): K_A > 1 and exp((1 + 1/K_R) sqrt(E_H E_W)/(K_A-1)) < sqrt(1+K_R)+1.
_KR = K_A / K_B
CASE_II_PRINTED = sp.exp((1 + 1 / _KR) * sp.sqrt(E_H * E_W) / (K_A - 1)) - (sp.sqrt(1 + _KR) + 1)


def r1_value(values: Mapping[str, Fraction], dps: int) -> mpmath.mpf | None:
    """R1 at ``values`` (None when the minority classifiers never vanish: K_A = 1 or case (ii) fails)."""
    if values["K_A"] < 2:
        return None
    subs = {p.symbol: sp.Rational(values[p.name].numerator, values[p.name].denominator) for p in PARAMETERS[:4]}
    # relative digits at any scale (verify.precision): the denominator's sign is certified (its enclosure
    # excludes 0) before R1 is evaluated; a denominator unresolved at the precision cap is 0 to 2000 digits,
    # R1 = infinity there: the minority classifiers never vanish
    den = evaluate_expr(R1_DENOMINATOR, subs, dps + 10)
    if isinstance(den, Unavailable) or den <= 0:
        return None
    return evaluate_expr(R1, subs, dps + 5)  # den certified > 0: sqrt(K_A / K^2 / den) resolves


def r1_quantity(values: Mapping[str, Fraction], dps: int) -> mpmath.mpf | Undefined:
    """The quantity R1: the closed form :data:`R1`, or Undefined with the reason where the minority classifiers
    never vanish (K_A = 1: Lemma 5 case (i); R1's denominator <= 0: case (ii) fails) or where R1 lies beyond
    :data:`R0_SEARCH_LIMIT` (the solver's phase search stops there too, as for R0)."""
    if values["K_A"] < 2:
        return Undefined("K_A = 1: the minority classifiers never vanish (Lemma 5 case (i))")
    r1 = r1_value(values, dps)
    if r1 is None:
        return Undefined(
            "the minority classifiers never vanish: Lemma 5's case (ii) fails (R1's denominator "
            "L_A'(x)^2/K - K_B e^(-2x)/D_A^2 <= 0)"
        )
    if r1 >= R0_SEARCH_LIMIT:
        return Undefined(f"R1 = {mpmath.nstr(r1, 15)} lies beyond R = {R0_SEARCH_LIMIT:.0e}, where the search stops")
    return r1


def limit_value(K_A: int, K_B: int, E_H, E_W) -> tuple[mpmath.mpf, mpmath.mpf]:
    """(L0, u*) of Lemma 5's program (66) (R = infinity: only the majority loss counts), closed form.

    The majority budget splits into the within-majority simplex part (share u) and the group-mean direction
    (1 - u, which also carries the minority classifiers' common offset d); the H and W angles coincide
    (Cauchy-Schwarz), leaving L0 = log(1 + min_u g(u)) with g convex; u* = 1 is case (ii) (minority w = 0),
    u* < 1 case (iii), K_A = 1 case (i) (proofs/fang2021.thm5.md, step 6)."""
    KA, KB = mpmath.mpf(K_A), mpmath.mpf(K_B)
    Kt, s = KA + KB, mpmath.sqrt(to_mpf(Fraction(E_H)) * to_mpf(Fraction(E_W)))
    c2, c3 = Kt**1.5 * s / (KA * mpmath.sqrt(KB)), Kt * s / KA
    if K_A == 1:
        return mpmath.log(1 + KB * mpmath.exp(-c2)), mpmath.mpf(0)
    c1 = Kt * s / (KA - 1)
    u = (mpmath.log((KA - 1) * c1 / (KB * (c2 - c3))) + c2) / (c1 + c2 - c3)
    u = min(max(u, mpmath.mpf(0)), mpmath.mpf(1))
    g = (KA - 1) * mpmath.exp(-c1 * u) + KB * mpmath.exp(-c2 * (1 - u) - c3 * u)
    return mpmath.log(1 + g), u


def r0_value(values: Mapping[str, Fraction], dps: int) -> mpmath.mpf | Undefined:
    """R0 at ``values``; Undefined for K_B = 1 (a single minority classifier has no pair to collapse) and,
    with the reason, when R0 lies beyond R = 1e300 (:data:`R0_BRACKET_LIMIT`, float64's range of the bracket)."""
    if values["K_B"] < 2:
        return Undefined("K_B = 1: a single minority classifier, no pair to collapse")
    try:
        return r0_root(int(values["K_A"]), int(values["K_B"]), values["E_H"], values["E_W"], dps)
    except ArithmeticError as exc:
        return Undefined(str(exc))


def phase(values: Mapping[str, Fraction], dps: int = 30) -> str:
    """The predicted phase of the minority classifiers: separated, collapsed or vanished."""
    r1 = r1_value(values, dps)
    r = to_mpf(values["R"])
    if r1 is not None and r >= r1:
        return "vanished"
    r0 = r0_value(values, dps)
    if values["K_B"] >= 2 and isinstance(r0, Undefined):
        if r >= R0_BRACKET_LIMIT:
            raise InputError(
                f"R = {mpmath.nstr(r, 6)}: {r0.reason}",
                parameter="R",
                fix=f"give R < {R0_BRACKET_LIMIT:.0e} for these budgets",
            )
        return "separated"
    if values["K_B"] >= 2 and r < r0:
        return "separated"
    return "collapsed"


@cache
def _reference_point(KA: int, KB: int, EH: Fraction, EW: Fraction, Rv: Fraction, dps: int) -> dict:
    """The minimiser's seven scalars, predicted from the phase and its optimality conditions."""
    ph = phase({"K_A": Fraction(KA), "K_B": Fraction(KB), "E_H": EH, "E_W": EW, "R": Fraction(Rv)}, dps)
    if ph != "vanished":
        return {**kkt_point(KA, KB, EH, EW, Rv, ph, dps), "phase": ph}
    with mpmath.workdps(dps + 10):  # majority K_A-simplex ETF with the whole budgets; minority h = w = 0
        point = dict.fromkeys(NAMES, mpmath.mpf(0))
        point.update(p_A=mpmath.sqrt((KA + KB) * to_mpf(EH) / KA), q_A=mpmath.sqrt((KA + KB) * to_mpf(EW) / KA))
    return {**point, "phase": ph}


def _geometry(values: Mapping[str, Fraction], dps: int) -> dict:
    """Every quantity at ``values`` from the reference point (Undefined where a vector is zero)."""
    KA, KB = int(values["K_A"]), int(values["K_B"])
    pt = _reference_point(KA, KB, values["E_H"], values["E_W"], values["R"], dps)
    ph = pt["phase"]
    with mpmath.workdps(dps + 10):
        Kt = KA + KB
        tA, tB = KB * pt["d"] / Kt, -KA * pt["d"] / Kt
        nwA2, nwB2 = tA**2 + pt["q_A"] ** 2, tB**2 + pt["q_B"] ** 2
        vanished = Undefined(f"vanished phase (R >= R1): the minority classifiers are exactly 0, phase {ph}")
        out = {
            "norm_w_majority": mpmath.sqrt(nwA2),
            "norm_w_minority": mpmath.sqrt(nwB2),
            "norm_h_majority": mpmath.sqrt(pt["s_A"] ** 2 + pt["p_A"] ** 2),
            "norm_h_minority": mpmath.sqrt(pt["s_B"] ** 2 + pt["p_B"] ** 2),
            "cos_majority": (tA**2 - pt["q_A"] ** 2 / (KA - 1)) / nwA2
            if KA > 1
            else Undefined("K_A = 1: no pair of majority classifiers"),
        }
        if KB < 2:
            out["cos_minority"] = Undefined("K_B = 1: no pair of minority classifiers")
        elif ph == "vanished":
            out["cos_minority"] = vanished
        else:
            out["cos_minority"] = (tB**2 - pt["q_B"] ** 2 / (KB - 1)) / nwB2
        out["cos_majority_minority"] = vanished if ph == "vanished" else tA * tB / mpmath.sqrt(nwA2 * nwB2)
        out["value"] = loss_value(KA, KB, pt, "separated" if ph == "separated" else "collapsed", to_mpf(values["R"]))
    return out


def _ref(name: str):
    def reference(values: Mapping[str, Fraction], dps: int):
        v = _geometry(values, dps)[name]
        return v if isinstance(v, Undefined) else +v

    return reference


# --- tolerances ------------------------------------------------------------------------------------------
VALUE_TOL = Tolerance(
    guard_digits=8,
    reason="both sides solve to a KKT residual of 10^-(dps-5) or better (reference: symbolic Newton at dps+10; "
    "solver: generic refinement at dps) and the value is first-order insensitive to the point's error; a few "
    "O(1) terms rounded at dps digits: 8 guard digits cover both (measured worst over the 7 pinned and 40 "
    "drawn points of seed 3 at dps 30: 4.2e-30 against 1e-22)",
)
GEOMETRY_TOL = Tolerance(
    guard_digits=10,
    reason="norms and cosines carry the solver's forward error ~ (KKT residual 10^-(dps-5)) x (condition of the "
    "7+2 KKT matrix, which grows without bound at R0 and R1, so drawn points keep |R/R0 - 1| and |R/R1 - 1| "
    ">= 2%); measured worst over the 7 small pinned and 40 drawn points of seed 3 at dps 30: 5.6e-30, and "
    "1.9e-27 at the K = 10^6 pinned point (cos_minority = 2.4e-5 there, a difference of nearly equal terms; "
    "absolute error 5e-32), against 1e-20",
)
R0_TOL = Tolerance(
    guard_digits=8,
    reason="reference: augmented Newton at dps+10; solver: secant in log R on 4 L_H L_W - 1 measured at dps+5, "
    "stopped at a step of 10^-(dps-3) (the secant's error is far below its last step), slope dm/dlog R = O(1); "
    "measured worst over 47 points of seed 3 at dps 30: 4.4e-35 against 1e-22",
)

R1_TOL = Tolerance(
    guard_digits=8,
    reason="reference: closed form at dps+5; solver: secant in log R on the measured vanishing margin (smallest "
    "eigenvalue of the Lagrangian Hessian in (s_A, s_B, d) at the vanished KKT point, refined to a residual of "
    "10^-(dps) at dps+5 digits, Hessian by central differences at 2(dps+5)+10 digits), stopped at a step of "
    "10^-(dps-3); the margin crosses zero linearly (slope ~ 0.03 per unit log R at K_A=7, K_B=3, E_H E_W=5); "
    "measured worst over the 8 pinned and 10 drawn points of seed 3 at dps 30: 8.4e-32 against 1e-22 (both "
    "sides undefined, with their reasons, at the 7 points where the classifiers never vanish)",
)

_DESC = {
    "value": ("optimal value of (15) = of (7) (mean cross-entropy)", VALUE_TOL),
    "cos_minority": (
        "cos(w_k, w_k'), k != k' minority; 1 in the collapsed phase, undefined when vanished",
        GEOMETRY_TOL,
    ),
    "cos_majority": ("cos(w_k, w_k'), k != k' majority", GEOMETRY_TOL),
    "cos_majority_minority": ("cos(w_k, w_k'), k majority, k' minority", GEOMETRY_TOL),
    "norm_w_majority": ("||w_k||, k majority", GEOMETRY_TOL),
    "norm_w_minority": ("||w_k||, k minority (0 in the vanished phase)", GEOMETRY_TOL),
    "norm_h_majority": ("||hbar_k||, k majority (class-mean feature)", GEOMETRY_TOL),
    "norm_h_minority": ("||hbar_k||, k minority (0 in the vanished phase)", GEOMETRY_TOL),
}
_DEFINITION = (
    " at the minimiser given by the phase's optimality conditions (stationarity, saturated budgets of the reduced "
    "(15), proofs/fang2021.thm5.md; mpmath Newton; phase from R0, R1)"
)
QUANTITIES = (
    *(Quantity(n, d, None, tol, reference=_ref(n), definition=d + _DEFINITION) for n, (d, tol) in _DESC.items()),
    Quantity(
        "R0",
        "transition ratio: the minority classifiers are exactly equal iff R >= R0 (K_B >= 2)",
        None,
        R0_TOL,
        reference=r0_value,
        definition="root in R of the collapsed reduced KKT system (p_B = q_B = 0) together with 4 L_H L_W = 1, "
        "L_H, L_W the multipliers of F = sum_k (n_k/n_B) L(z_k, y_k) with the budgets written as sums "
        "(equivalently L_W = sqrt(E_H/E_W)/2); mpmath Newton at dps + 10 from a float bracket",
        needs=("K_A", "K_B", "E_H", "E_W"),
        standalone=True,  # a threshold in R: answered without R
    ),
    Quantity(
        "R1",
        "vanishing ratio: the minority classifiers (and class means) are exactly zero iff R >= R1; undefined "
        "where they never vanish",
        None,
        R1_TOL,
        reference=r1_quantity,
        definition="R1 = sqrt((K_A/K^2) / (L_A'(x)^2/K - K_B e^(-2x)/D_A^2)), x = K sqrt(E_H E_W)/K_A: where the "
        "Lagrangian Hessian in (s_A, s_B, d) at the vanished point turns PSD (proofs/fang2021.thm5.md, Step 5); "
        "undefined for K_A = 1 or where Lemma 5's case (ii) fails (denominator <= 0)",
        needs=("K_A", "K_B", "E_H", "E_W"),
        standalone=True,  # a threshold in R: answered without R
    ),
)


# --- the independent solve ---------------------------------------------------------------------------------
def solve(values: Mapping[str, Fraction], options: SolveOptions) -> SolveReport:
    """Fast symmetric solver: random starts on the seven-scalar program, generic KKT refinement, (15) duality
    gap; R0 by phase bisection and a secant on measured multipliers; R1 by phase bisection and a secant on the
    measured vanishing margin (verify/solvers/vanishing.py). Never uses R0, R1 or the phase."""
    KA, KB = int(values["K_A"]), int(values["K_B"])
    prog = TwoGroupProgram(KA, KB, values["E_H"], values["E_W"], values["R"])
    sol = solve_two_group(prog, dps=options.dps, n_starts=options.n_starts, seed=options.seed)
    tr = transition_ratio(
        KA, KB, values["E_H"], values["E_W"], dps=options.dps, seed=options.seed, r_max=R0_SEARCH_LIMIT
    )
    vr = vanishing_ratio(
        KA, KB, values["E_H"], values["E_W"], dps=options.dps, seed=options.seed, r_max=R0_SEARCH_LIMIT
    )
    zero = zero_tolerance(prog, options.dps)
    with mpmath.workdps(options.dps):
        ar = mp_arithmetic()
        inv = prog.invariants(sol.x, ar, zero_tol=zero)

        def cos(c, why):
            if c is None:
                return Undefined(why)
            return (
                Undefined(f"zero-norm classifier (norm <= {zero:.0e}), measured phase {sol.phase}")
                if c == "zero"
                else c
            )

        quantities = {
            "value": (sol.value,),
            "cos_minority": (cos(inv.cos_w_BB, "K_B = 1: no pair of minority classifiers"),),
            "cos_majority": (cos(inv.cos_w_AA, "K_A = 1: no pair of majority classifiers"),),
            "cos_majority_minority": (cos(inv.cos_w_AB, ""),),
            "norm_w_majority": (inv.norm_w_A,),
            "norm_w_minority": (inv.norm_w_B,),
            "norm_h_majority": (inv.norm_h_A,),
            "norm_h_minority": (inv.norm_h_B,),
            "R0": (tr.R0 if tr.R0 is not None else Undefined(tr.message),),
            "R1": (vr.R1 if vr.R1 is not None else Undefined(vr.message),),
        }
    r0_ok = (tr.converged or KB < 2) and vr.converged
    return SolveReport(
        converged=sol.converged and r0_ok,
        message=f"measured phase {sol.phase}; {sol.message}; R0: {tr.message}; R1: {vr.message}",
        quantities=quantities,
        float_quantities={},
        residuals={"duality_gap_15_relative": float(sol.certificate.relative_gap)},
        dps=options.dps,
        seconds=sol.seconds + tr.seconds + vr.seconds,
        details={
            "phase": sol.phase,
            "starts": sol.starts,
            "starts_at_best": sol.agreeing,
            "locally_converged": sol.kkt_converged and r0_ok,
            "sigma_max_G": str(mpmath.nstr(sol.certificate.sigma, 20)),
            "L_H": str(mpmath.nstr(sol.L_H, 20)),
            "L_W": str(mpmath.nstr(sol.L_W, 20)),
            "R0_bracket_by_phase_bisection": list(tr.bracket),
            "R0_secant_steps": tr.steps,
            "R1_bracket_by_phase_bisection": list(vr.bracket),
            "R1_secant_steps": vr.steps,
        },
        point=sol.x,
    )


# --- Hypothesis strategy -----------------------------------------------------------------------------------
#: Drawn points stay this far (relative) from R0 and R1: at a transition the KKT matrix is singular.
BOUNDARY_GAP = Fraction(1, 50)
#: Drawn points have R0 <= MAX_DRAWN_R0 (K_A = 1 with E_H E_W = 30 gives R0 ~ 2e8: a 40 s solver run).
MAX_DRAWN_R0 = 10**4


@st.composite
def parameters(draw) -> dict[str, Fraction]:
    """K_A, K_B in 1..8, E_H E_W between 0.1 and 30, R in [1, 1000], R0 <= 10^4, |R/R0 - 1| and |R/R1 - 1| >= 2 %."""
    values = {
        "K_A": Fraction(draw(st.integers(1, 8))),
        "K_B": Fraction(draw(st.integers(1, 8))),
        "E_H": draw(log_decimals(-1, 1)),
        "E_W": draw(log_decimals(-1, 1)),
        "R": draw(log_decimals(0, 3)),
    }
    assume(values["R"] >= 1 and Fraction(1, 10) <= values["E_H"] * values["E_W"] <= 30)
    r0 = r0_value(values, 20)
    # R0 <= MAX_DRAWN_R0: beyond it the solver's phase bisection costs ~1 s per decade of R0
    assume(isinstance(r0, mpmath.mpf) and r0 <= MAX_DRAWN_R0 or values["K_B"] == 1)
    for boundary in (r1_value(values, 20), r0):
        if isinstance(boundary, mpmath.mpf):
            assume(abs(mpmath.mpf(float(values["R"])) / boundary - 1) >= float(BOUNDARY_GAP))
    return values


# --- erratum: Figure 3's "cosine 1" beyond R1 is a cosine of zero vectors -------------------------------------
VANISHED_POINT = {"K_A": "7", "K_B": "3", "E_H": "5", "E_W": "1", "R": "30"}


def _vanished_evidence() -> Evidence:
    """At K_A = 7, E_H = 5, E_W = 1 (Figure 3a), R = 30 > R1: the certified minimiser has w_k = 0 (minority)."""
    point = {k: Fraction(v) for k, v in VANISHED_POINT.items()}
    dps = 30
    report = solve(point, SolveOptions(dps=dps))
    with mpmath.workdps(dps):
        r1 = r1_value(point, dps)
        norm_b = report.quantities["norm_w_minority"][0]
        norm_a = report.quantities["norm_w_majority"][0]
        holds = (
            report.converged
            and r1 is not None
            and to_mpf(point["R"]) > r1
            and norm_b < mpmath.mpf(10) ** -(dps // 2)
            and isinstance(report.quantities["cos_minority"][0], Undefined)
        )
        return Evidence(
            symbolic_difference=f"R1 = sqrt((K_A/K^2) / (L_A'(x)^2/K - K_B e^(-2x)/D_A^2)) = {mpmath.nstr(r1, 20)} at "
            "K_A = 7, K_B = 3, E_H E_W = 5 (x = K sqrt(E_H E_W)/K_A); beyond it the stationary point with d = 0 is "
            "the minimiser",
            point={k: str(v) for k, v in point.items()},
            printed_value="average minority cosine 1 (Figure 3a/3b, K_A = 7, R up to 10^4): 'the minority "
            "classifiers collapse to a single vector' of 'about the same length'",
            corrected_value=f"||w_k|| = 0 for every minority k (measured {mpmath.nstr(norm_b, 3)}; majority "
            f"||w_k|| = {mpmath.nstr(norm_a, 12)} = sqrt(K E_W/K_A)): the cosine does not exist",
            reference_value=f"independent symmetric solve, (15) duality gap "
            f"{report.residuals['duality_gap_15_relative']:.1e}: {report.message}",
            holds=bool(holds),
        )


ERRATA = (
    Erratum(
        claim_id="fang2021.thm5",
        location="seed 001, Section 4B, Figure 3 (K_A = 7 curves, both panels) and the text after it, item (2)",
        printed="once R >= R0 the average between-minority cosine is 1 and the minority classifiers have about the "
        "same length (plotted as cosine 1 up to R = 10^4)",
        corrected="for R0 <= R < R1 the minority classifiers are exactly equal and nonzero; for R >= R1 (finite iff "
        "Lemma 5's case (ii): K_A = 7, E_H E_W = 5 gives R1 = 5.7053..., E_H E_W = 10 gives 26.2409...) they "
        "are exactly zero and their cosine is undefined (0/0); a plotted 1 there is solver noise",
        summary="Figure 3's K_A = 7 curves show cosine 1 beyond R1, where every optimal minority classifier is the "
        "zero vector (certified by the duality gap of (15)): the cosine of the figure does not exist there. "
        "'Same length' holds with length 0. Lemma 5's case (ii) already says this at R = infinity.",
        evidence=_vanished_evidence,
    ),
)


# --- the paper's open question (line 1410): exact equality at finite R ---------------------------------------
def _exact_equality() -> Finding:
    """At R = 1.05 R0 (R0 measured by the solver itself), are the minority classifiers exactly equal?"""
    rows = []
    ok = True
    for KA, KB, EH in ((3, 7, 5), (5, 5, 5), (7, 3, 10), (2, 4, 1), (10, 20, 3)):
        tr = transition_ratio(KA, KB, Fraction(EH), Fraction(1), dps=30)
        r = Fraction(mpmath.nstr(tr.R0 * mpmath.mpf("1.05"), 25))
        sol = solve_two_group(TwoGroupProgram(KA, KB, Fraction(EH), Fraction(1), r), dps=40)
        with mpmath.workdps(40):
            inv = sol.program.invariants(sol.x, mp_arithmetic())
            spread = abs(sol.program.full(sol.x, mp_arithmetic())["q_B"])
        ok &= sol.converged and sol.phase == "collapsed"
        rows.append(
            {
                "K_A": str(KA),
                "K_B": str(KB),
                "E_H E_W": str(EH),
                "R0 (measured)": mpmath.nstr(tr.R0, 15),
                "R": f"{float(r):.6g}",
                "phase": sol.phase,
                "1 - cos": mpmath.nstr(1 - inv.cos_w_BB, 3) if not isinstance(inv.cos_w_BB, str) else "-",
                "|q_B|": mpmath.nstr(spread, 3),
                "(15) gap": mpmath.nstr(sol.certificate.relative_gap, 3),
            }
        )
    summary = (
        "At R = 1.05 R0 the certified minimiser of (15) (dps 40) has minority spread |q_B| = 0 to working precision "
        "and 1 - cos = 0 in every case: the minority classifiers are exactly equal at finite R, as Figure 3 suggests "
        "and line 1410 asks."
        if ok
        else "Not every case was certified collapsed at 1.05 R0; see the rows."
    )
    return Finding(summary, tuple(rows))


EXPLORATIONS = (
    Exploration(
        claim_id="fang2021.thm5",
        label="conjecture",
        title="Exact Minority Collapse at finite R",
        question="Theorem 5 proves w_k - w_k' -> 0 only as R -> infinity; the paper (seed 001, line 1410) asks "
        "whether the minority classifiers are exactly equal for R large but finite. Are they, just above R0?",
        run=_exact_equality,
    ),
)


CLAIM = Claim(
    id="fang2021.thm5",
    title="Minority Collapse: minority classifiers become exactly equal for R >= R0 (and zero beyond R1)",
    statement="For K_A majority and K_B minority classes with R = n_A/n_B, the minority classifiers of every "
    "global minimiser of (15) (hence (7), p >= 2K) differ for R < R0, are exactly equal and nonzero for "
    "R0 <= R < R1, and are exactly zero for R >= R1 (R1 finite iff Lemma 5's case (ii)); R0 solves the collapsed "
    "optimality conditions with 4 L_H L_W = 1; as R -> infinity the majority loss tends to Lemma 5's L0 "
    "(Theorem 5: w_k - w_k' -> 0).",
    source=Source(
        PAPER, "Section 4B, Theorem 5, Figure 3, Eq. (15); SI B.1 (Lemma 1), SI B.2 (Lemma 5, Eq. (66))", SEEDS
    ),
    convention=TwoGroupProgram.convention,
    parameters=PARAMETERS,
    hypotheses=(
        Hypothesis("K_A >= 1", lambda v: v["K_A"] >= 1, "K_A", "give at least one majority class (K_A >= 1)"),
        Hypothesis("K_B >= 1", lambda v: v["K_B"] >= 1, "K_B", "give at least one minority class (K_B >= 1)"),
        FEATURE_BUDGET,
        CLASSIFIER_BUDGET,
        Hypothesis(
            "R >= 1", lambda v: v["R"] >= 1, "R", "R = n_A/n_B >= 1 (swap the roles of the groups if n_A < n_B)"
        ),
    ),
    quantities=QUANTITIES,
    solver=solve,
    solver_description="symmetric reduction of (15) to 7 scalars: SLSQP from seeded random starts (best value "
    "reached by >= 2), generic finite-difference KKT refinement in mpmath, global optimality for (15) certified "
    "by its duality gap (sigma_max of the structured loss gradient); R0 by bisection on the measured phase, then "
    "a secant on the measured 4 L_H L_W - 1 of the equal-minority sub-program; R1 by bisection on the measured "
    "phase (vanished or not), then a secant on the smallest eigenvalue of the measured Lagrangian Hessian in "
    "(s_A, s_B, d) at the vanished point",
    strategy=parameters,
    examples=(
        Example(
            {"K_A": "7", "K_B": "3", "E_H": "5", "E_W": "1", "R": "5"}, "Figure 3a K_A = 7: collapsed, R0 < R < R1"
        ),
        Example({"K_A": "5", "K_B": "5", "E_H": "5", "E_W": "1", "R": "10"}, "Figure 3a K_A = 5: separated, R < R0"),
        Example({"K_A": "5", "K_B": "5", "E_H": "5", "E_W": "1", "R": "20"}, "Figure 3a K_A = 5: collapsed"),
        Example(
            {"K_A": "7", "K_B": "3", "E_H": "5", "E_W": "1", "R": "30"}, "vanished: minority w = 0, cosines undefined"
        ),
        Example({"K_A": "5", "K_B": "5", "E_H": "5", "E_W": "1", "R": "1"}, "R = 1: balanced, Theorem 1's ETF"),
        Example({"K_A": "1", "K_B": "4", "E_H": "2", "E_W": "1/2", "R": "3"}, "K_A = 1 (Lemma 5 case (i))"),
        Example(
            {"K_A": "4", "K_B": "1", "E_H": "2", "E_W": "1/2", "R": "3"}, "K_B = 1: no minority pair, R0 undefined"
        ),
        Example(
            {"K_A": "300000", "K_B": "700000", "E_H": "20", "E_W": "1", "R": "3"},
            "K = 10^6 classes (separated; R0 = 3.9790767 < R1 = 3.9792462)",
        ),
    ),
    errata=ERRATA,
    explorations=EXPLORATIONS,
    module=__name__,
)
