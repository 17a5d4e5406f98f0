"""dang2024 prop1: the independent computation (never sees the closed forms) and the Hypothesis strategy (the record is verify.claims.dang2024.prop1)."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

import mpmath

from verify.claims.dang2024 import _closed_form as cf
from verify.claims.dang2024._prop1_forms import _groups, class_sizes
from verify.claims.dang2024._solve import r_star_threshold, solve_relu
from verify.record import (
    SolveOptions,
    SolveReport,
    Undefined,
)


# --- the independent solve --------------------------------------------------------------------------------
def _aggregate(report_q: Mapping, values) -> dict:
    """Per-class measurements of the thm1 solve gathered into the per-group instances of prop1."""
    A, B = _groups(values)

    def inst(name, labels):
        out = []
        for lab in labels:
            out.extend(report_q[name][lab])
        return tuple(out)

    a = [str(k + 1) for k in A]
    b = [str(k + 1) for k in B]
    q = {
        "minority_alive": inst("alive", b),
        "M_majority": inst("M", a),
        "M_minority": inst("M", b),
        "norm_h_majority": inst("norm_h", a),
        "norm_h_minority": inst("norm_h", b),
        "norm_w_majority": inst("norm_w", a),
        "norm_w_minority": inst("norm_w", b),
        "cos_w_majority": inst("cos_w", [f"{k + 1},{l + 1}" for k in A for l in A if k < l])  # noqa: E741
        or (Undefined("K_A = 1: no pair of majority classes"),),
        "cos_w_minority": inst("cos_w", [f"{k + 1},{l + 1}" for k in B for l in B if k < l])  # noqa: E741
        or (Undefined("K_B = 1: no pair of minority classes"),),
        "cos_w_majority_minority": inst("cos_w", [f"{k + 1},{l + 1}" for k in A for l in B]),  # noqa: E741
        "cos_wh_majority": inst("cos_wh", [f"{k + 1},{k + 1}" for k in A]),
        "cos_wh_minority": inst("cos_wh", [f"{k + 1},{k + 1}" for k in B]),
        "value": report_q["value"],
    }
    wa, wb = q["norm_w_majority"], q["norm_w_minority"]
    alive = [v for lab in report_q["alive"].values() for v in lab]
    if not any(v == 1 for v in alive):
        q["norm_ratio_w"] = (Undefined("every class collapses: W = 0 (measured)"),)
    else:
        q["norm_ratio_w"] = tuple(x / y for x in wa for y in wb)
    if "R_star" in report_q:
        q["R_star"] = report_q["R_star"]
    return q


def solve(values: Mapping[str, Fraction], options: SolveOptions) -> SolveReport:
    """thm1's independent solve at n = (R n_B,)*K_A + (n_B,)*K_B, plus R* measured along R; never uses R*."""
    KA, KB = int(values["K_A"]), int(values["K_B"])
    sizes = tuple(int(v) for v in class_sizes(values))
    rep = solve_relu(
        sizes,
        int(values["d"]),
        values["lambda_W"],
        values["lambda_H"],
        options,
        extra=r_star_threshold(KA, KB, values["n_B"], values["R"]),
    )
    with mpmath.workdps(options.dps):
        q = _aggregate(rep.quantities, values)
        fq = _aggregate(rep.float_quantities, values) if rep.float_quantities else {}
    fq.pop("R_star", None)
    return SolveReport(
        converged=rep.converged,
        message=rep.message,
        quantities=q,
        float_quantities=fq,
        residuals=rep.residuals,
        dps=rep.dps,
        seconds=rep.seconds,
        details=rep.details,
        point=rep.point,
    )


# --- Hypothesis strategy ----------------------------------------------------------------------------------
#: Drawn points keep |R/R* - 1| >= BOUNDARY_GAP (the polish degenerates at the threshold); the threshold tests
#: of tests/claims/dang2024/test_prop1.py go within 1e-9 on purpose and accept inconclusive there.
BOUNDARY_GAP = Fraction(1, 50)


def parameters():
    """K_A, K_B in 1..4, n_B in 1..6, R n_B integer with R in [1, 8], lambdas log-uniform so that R* falls on both
    sides of R; d = 4K."""
    from hypothesis import assume
    from hypothesis import strategies as st

    from verify.authoring.strategies import log_decimals

    @st.composite
    def draw_point(draw) -> dict[str, Fraction]:
        KA, KB = draw(st.integers(1, 4)), draw(st.integers(1, 4))
        nB = draw(st.integers(1, 6))
        nA = draw(st.integers(nB, 8 * nB))
        lam = draw(log_decimals(-3, -1))
        ratio = draw(log_decimals(-1, 1))
        values = {
            "K_A": Fraction(KA),
            "K_B": Fraction(KB),
            "n_B": Fraction(nB),
            "R": Fraction(nA, nB),
            "lambda_W": lam,
            "lambda_H": lam * ratio,
            "d": Fraction(4 * (KA + KB)),
        }
        with mpmath.workdps(20):
            rs = cf.r_star(values["K_A"], values["K_B"], values["n_B"], values["lambda_W"], values["lambda_H"])
            assume(rs > 0 and abs(mpmath.mpf(values["R"].numerator) / values["R"].denominator / rs - 1) >= 0.02)
        return values

    return draw_point()
