"""fang2021 thm5: the independent computation (never sees the closed forms) and the Hypothesis strategy (the record is verify.claims.fang2021.thm5)."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

import mpmath

from verify.authoring import strategies as st
from verify.authoring.strategies import assume, log_decimals
from verify.claims.fang2021._thm5_forms import r0_value, r1_value
from verify.claims.fang2021._thm5_reference import R0_SEARCH_LIMIT
from verify.models.arith import mp_arithmetic
from verify.models.two_group import TwoGroupProgram
from verify.record import (
    SolveOptions,
    SolveReport,
    Undefined,
)
from verify.solvers.symmetric import solve_two_group, transition_ratio, zero_tolerance
from verify.solvers.vanishing import vanishing_ratio


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
