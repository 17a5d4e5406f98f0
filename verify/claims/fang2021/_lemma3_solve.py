"""fang2021 lemma3: the independent computation (never sees the closed forms) and the Hypothesis strategy (the record is verify.claims.fang2021.lemma3)."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

import numpy as np

from verify.authoring import strategies as st
from verify.authoring.strategies import log_decimals
from verify.geometry import cosine, norm
from verify.models.arith import Arithmetic
from verify.models.lq_constrained import LqLayerPeeledModel
from verify.record import (
    SolveOptions,
    SolveReport,
)
from verify.solvers.lq_saturated import solve_lq


# --- the independent solve -------------------------------------------------------------------------------
def model(values: Mapping[str, Fraction]) -> LqLayerPeeledModel:
    """Program (33): K = 2, one sample per class, sum of the losses."""
    return LqLayerPeeledModel(2, 1, int(values["p"]), values["q"], values["E_H"], values["E_W"], reduction="sum")


def measure(lpm: LqLayerPeeledModel, x: np.ndarray, ar: Arithmetic, zero_digits: int) -> dict[str, tuple]:
    """Invariants of (33) under coordinate permutations and sign flips. An entry counts as nonzero when it
    exceeds 10^-zero_digits times E_H^(1/q) (the largest possible entry); a cosine of a vector whose norm is
    below that scale is Undefined. Zero entries of a point refined on its support are exact zeros."""
    W, H = lpm.unpack(x)
    tol_h = float(lpm.E_H) ** (1 / float(lpm.q)) * 10.0 ** (-zero_digits)
    tol_w = float(lpm.E_W) ** 0.5 * 10.0 ** (-zero_digits)
    h_norms = tuple(norm(h) for h in H)
    w_norms = tuple(norm(w) for w in W)
    entry_max = tuple(max(abs(v) for v in h) for h in H)
    support = tuple(ar.scalar(sum(1 for v in h if abs(v) > tol_h)) for h in H)
    return {
        "value": (lpm.objective(x, ar),),
        "C": tuple(hn / wn for hn, wn in zip(h_norms, w_norms, strict=True)),
        "cos_feature_classifier": tuple(
            cosine(H[j], W[j], zero_tol=min(tol_h, tol_w), names=(f"h_{j + 1}", f"w_{j + 1}")) for j in range(2)
        ),
        "cos_antipodal": (
            cosine(H[0], H[1], zero_tol=tol_h, names=("h_1", "h_2")),
            cosine(W[0], W[1], zero_tol=tol_w, names=("w_1", "w_2")),
        ),
        "classifier_norm": w_norms,
        "feature_norm": h_norms,
        "entry_max": entry_max,
        "support": support,
    }


def solve(values: Mapping[str, Fraction], options: SolveOptions) -> SolveReport:
    """Minimise (33) directly (never uses the closed forms): L-BFGS-B multistart on the budgets' boundary,
    then KKT Newton refinement of the raw program in mpmath (on the support for sparse points)."""
    lpm = model(values)

    def measured(x, ar):
        return measure(lpm, x, ar, zero_digits=8 if ar.name == "float64" else options.dps // 2)

    return solve_lq(lpm, options, measured)


# --- Hypothesis strategy ---------------------------------------------------------------------------------
@st.composite
def parameters(draw) -> dict[str, Fraction]:
    """p from 1 to 64; q in [1.1, 1.9] or [2.1, 8] (0.1 from the excluded q = 2 and q = 1); budgets 0.1-10."""
    q_ = draw(
        st.one_of(
            st.integers(11, 19).map(lambda k: Fraction(k, 10)), st.integers(21, 80).map(lambda k: Fraction(k, 10))
        )
    )
    return {
        "p": Fraction(draw(st.sampled_from([1, 2, 3, 4, 5, 8, 16, 32, 64]))),
        "q": q_,
        "E_H": draw(log_decimals(-1, 1)),
        "E_W": draw(log_decimals(-1, 1)),
    }
