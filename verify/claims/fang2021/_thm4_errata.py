"""fang2021 thm4: errata: what the toolkit computed about the paper's printed steps (evidence) (the record is verify.claims.fang2021.thm4)."""

from __future__ import annotations

from fractions import Fraction

import mpmath
import sympy as sp

from verify.claims.fang2021._thm4_forms import K, etf_value, etf_value_printed, family_parameters
from verify.claims.fang2021._thm4_solve import solver_for
from verify.models.softmax_losses import CROSS_ENTROPY, POWER
from verify.record import (
    Erratum,
    Evidence,
    SolveOptions,
    substitution,
)

# --- erratum: the argument of g2 in (50), (51), (56) --------------------------------------------------------------
ERRATUM_POINT = {"K": "3", "n": "1", "p": "3", "E_H": "3", "E_W": "3", "q": "2"}


def _g2_argument_evidence() -> Evidence:
    point = {k: Fraction(v) for k, v in ERRATUM_POINT.items()}
    subs = substitution(family_parameters((CROSS_ENTROPY, POWER)), point)
    qsym = POWER.symbols()["q"]
    printed_e = etf_value_printed(POWER).subs(qsym, 2)
    corrected_e = etf_value(POWER).subs(qsym, 2)
    diff = sp.simplify((printed_e - corrected_e).subs({K: 3}))
    at_2 = sp.simplify((printed_e - corrected_e).subs({K: 2}))
    with mpmath.workdps(30):
        printed = mpmath.mpf(sp.N(printed_e.subs(subs), 35))
        corrected = mpmath.mpf(sp.N(corrected_e.subs(subs), 35))
        rep = solver_for((POWER,), geometry=False)(point, SolveOptions(dps=30))
        solved = rep.quantities["value_power"][0]
        holds = rep.converged and abs(solved - corrected) < mpmath.mpf(10) ** -20 and printed - solved > 0.5
    return Evidence(
        symbolic_difference=f"printed - corrected L0 at K = 3, q = 2: {diff}; at K = 2: {at_2}",
        point={k: str(v) for k, v in point.items()},
        printed_value=mpmath.nstr(printed, 20),
        corrected_value=mpmath.nstr(corrected, 20),
        reference_value=f"{mpmath.nstr(solved, 20)} (independent solve, {rep.message})",
        holds=bool(holds),
    )


ERRATA = (
    Erratum(
        claim_id="fang2021.thm4",
        location="seed 001, SI A.2, proof of Theorem 4, Eqs. (50), (51), (56) and the monotonicity remark after (51)",
        printed="(K-1) g2(1 - S(z)(k)/(K-1)) (as extracted: '1 - 1/(K-1) S(z)(k)'), and L0 = g1(L(0)/N) + (K-1) "
        "g2(1 - L(0)/(N(K-1)))",
        corrected="(K-1) g2((1 - S(z)(k))/(K-1)): the mean of the K-1 other probabilities is (1 - S(z)(k))/(K-1); "
        "L0 = g1(L(0)/N) + (K-1) g2((1 - L(0)/N)/(K-1))",
        summary="Jensen's inequality for g2 over the K-1 wrong classes averages probabilities that sum to 1 - S_k, "
        "not to K-1 - S_k. With the printed argument the bound (56) exceeds the minimum (it is not even a lower "
        "bound) whenever g2 is not constant and K >= 3; only the corrected form equals the ETF value. "
        "Cross-entropy (g2 = 0) and K = 2 are unaffected. (The PDF extraction of the fraction is somewhat "
        "ambiguous; the token order in (50) points to the printed form.)",
        evidence=_g2_argument_evidence,
    ),
)
