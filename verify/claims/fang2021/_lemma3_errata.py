"""fang2021 lemma3: errata: what the toolkit computed about the paper's printed steps (evidence) (the record is verify.claims.fang2021.lemma3)."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

import mpmath
import sympy as sp

from verify.claims.fang2021._lemma3_forms import BOUND_CORRECTED, BOUND_PRINTED, PARAMETERS, VALUE, q
from verify.claims.fang2021._lemma3_solve import solve
from verify.record import (
    Erratum,
    Evidence,
    SolveOptions,
    substitution,
)

# --- errata ----------------------------------------------------------------------------------------------
ERRATUM_POINT = {"p": Fraction(8), "q": Fraction(3, 2), "E_H": Fraction(2), "E_W": Fraction(1)}


#: 1 < q < 2 with a large budget product: there the printed bound lies above the minimum.
BOUND_POINT = {"p": Fraction(8), "q": Fraction(3, 2), "E_H": Fraction(2), "E_W": Fraction(4)}


def _number(expr: sp.Expr, values: Mapping[str, Fraction]) -> mpmath.mpf:
    return mpmath.mpf(sp.N(expr.subs(substitution(PARAMETERS, values)), 40))


def _bound_evidence() -> Evidence:
    """Printed bound (41) against the corrected one and against an independent solve of (33)."""
    with mpmath.workdps(30):
        printed = _number(BOUND_PRINTED, BOUND_POINT)
        corrected = _number(BOUND_CORRECTED, BOUND_POINT)
        report = solve(BOUND_POINT, SolveOptions(dps=30))
        solved = report.quantities["value"][0]
        # the printed "lower bound" lies above the minimum (so it is no bound); the corrected one equals it
        holds = (
            report.converged
            and (printed - solved) / solved > mpmath.mpf(10) ** -2
            and abs(corrected - solved) / solved < mpmath.mpf(10) ** -20
        )
    gap = sp.simplify((BOUND_CORRECTED - VALUE).subs(q, sp.Rational(3, 2)))
    return Evidence(
        symbolic_difference=f"corrected bound - value = {gap} at q = 3/2 (zero for every q: proofs/fang2021.lemma3.md)",
        point={k: str(v) for k, v in BOUND_POINT.items()},
        printed_value=mpmath.nstr(printed, 20),
        corrected_value=mpmath.nstr(corrected, 20),
        reference_value=f"{mpmath.nstr(solved, 20)} (independent solve of (33), {report.message})",
        holds=holds,
    )


def _citation_evidence() -> Evidence:
    """At 1 < q < 2 the solved minimiser is one-sparse (35), not a sign vector (34)."""
    with mpmath.workdps(30):
        report = solve(ERRATUM_POINT, SolveOptions(dps=30))
    support = [int(v) for v in report.quantities["support"]]
    return Evidence(
        symbolic_difference=None,
        point={k: str(v) for k, v in ERRATUM_POINT.items()},
        printed_value="Eq. (34): ||h_1||_0 = p = 8 (sign vector)",
        corrected_value="Eq. (35): ||h_1||_0 = 1",
        reference_value=f"solved ||h_j||_0 = {support} ({report.message})",
        holds=report.converged and support == [1, 1],
    )


ERRATA = (
    Erratum(
        claim_id="fang2021.lemma3",
        location="seed 001, SI A.1, proof of Lemma 3, Eqs. (36), (41) and (43)",
        printed="(41): >= -(C_b/(C_a+C_b)) sqrt(2^(4-4/q) E_W E_H^(2/q)) + C_d (and (43) with an extra p^(1-2/q))",
        corrected=">= -(C_b/(C_a+C_b)) sqrt(16 E_W E_H^(2/q)) + 2 C_d (times p^(1-2/q) under the root for q > 2)",
        summary="(38)-(40) give ||w_1-w_2||^2 <= 4 E_W and ||h_1-h_2||^2 <= 2^(2-2/q) (2 E_H)^(2/q) = 4 E_H^(2/q), "
        "so the product in (37) is at most sqrt(16 E_W E_H^(2/q)); the printed 2^(4-4/q) drops the 2^(2/q) of "
        "(2 E_H)^(2/q) twice. (36) sums two per-sample Jensen bounds, each with its own C_d. As printed, for "
        "1 < q < 2 and a large budget product the 'lower bound' lies above the minimum (it is no bound), and "
        "elsewhere below it (not tight); corrected, it equals the minimum 2 log(1 + exp(-m)) for every q > 1, "
        "q != 2. The lemma itself is unaffected.",
        evidence=_bound_evidence,
    ),
    Erratum(
        claim_id="fang2021.lemma3",
        location="seed 001, SI A.1, proof of Lemma 3, end of the case 1 < q < 2",
        printed="'We can obtain Eq. (34).'",
        corrected="'We can obtain Eq. (35).' (one-sparse minimisers; (34) is the q > 2 case)",
        summary="A wrong cross-reference: the equality conditions of the 1 < q < 2 case give (35).",
        evidence=_citation_evidence,
    ),
)
