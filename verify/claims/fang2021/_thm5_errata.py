"""fang2021 thm5: errata: what the toolkit computed about the paper's printed steps (evidence) (the record is verify.claims.fang2021.thm5)."""

from __future__ import annotations

from fractions import Fraction

import mpmath

from verify.claims.fang2021._thm5_forms import r1_value
from verify.claims.fang2021._thm5_solve import solve
from verify.models.arith import to_mpf
from verify.record import (
    Erratum,
    Evidence,
    SolveOptions,
    Undefined,
)

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
