"""Fang et al. 2021, Section 4B: R0 shrinks with E_W, E_H and K_B.

Statement (seed 001, Section 4B, after Figure 3, lines 1368-1371): "the phase transition point R0 depends on the
class sizes K_A, K_B and the thresholds E_H, E_W. This value becomes smaller when E_W, E_H, or the number of
minority classes K_B is smaller while fixing the other parameters (see more numerical examples in Figure S2)".
The paper shows it by figures only. R0 is the ratio where the minority classifiers of (7) start to coincide
(fang2021.thm5, computed as the root of its collapsed KKT system with 4 L_H L_W = 1).

"Fixing the other parameters" is read both ways for K_B: with K_A fixed (K grows with K_B), and with K = K_A + K_B
fixed (Figure 3's reading, K = 10: one majority class becomes a minority class). Derived in
proofs/fang2021.r0_monotone.md: (7) depends on the budgets only through E_H E_W (rescale h -> c h, w -> w/c), so
R0 does too, and the E_H and E_W statements are one statement about s = sqrt(E_H E_W).

What is checked at each point (the claim predicts 1 for every indicator): R0 is computed by fang2021.thm5's
reference root (``r0_value``, dps + 10 digits) at the point and at its neighbours; ``increasing_in_E_H`` and
``increasing_in_E_W`` are the signs of central differences of R0 with relative steps 10^-8 (the root is accurate
to ~10^-(dps+5), so a difference quotient is accurate to ~10^-(dps-4) and its sign is decided whenever the
derivative exceeds that: measured d log R0 / d log E_H down to 0.03 on the draws); ``increasing_in_K_B``
compares R0 at K_B + 1 and K_B (K_A fixed), ``increasing_in_K_B_fixed_K`` at (K_A - 1, K_B + 1) and (K_A, K_B);
``rescaling_ratio`` = R0(2 E_H, E_W/2)/R0(E_H, E_W) = 1 checks the product dependence. Not certified: an interval
enclosure of R0 needs a certified root of the KKT system (the certification layer).
"""

from __future__ import annotations

from fractions import Fraction

import mpmath

from verify import authoring as a
from verify.claims.fang2021 import PAPER, SEEDS

STEP = Fraction(1, 10**8)


def r0(K_A, K_B, E_H, E_W, dps: int):
    from verify.claims.fang2021._thm5_forms import r0_value

    out = r0_value({"K_A": Fraction(K_A), "K_B": Fraction(K_B), "E_H": Fraction(E_H), "E_W": Fraction(E_W)}, dps + 10)
    if isinstance(out, a.Undefined):
        return a.Unavailable(f"R0 at K_A={K_A}, K_B={K_B}, E_H={E_H}, E_W={E_W}: {out.reason}")
    return out


def _indicators(v, dps: int) -> dict:
    ka, kb, eh, ew = int(v["K_A"]), int(v["K_B"]), v["E_H"], v["E_W"]
    here = r0(ka, kb, eh, ew, dps)
    pairs = {
        "increasing_in_E_H": (r0(ka, kb, eh * (1 - STEP), ew, dps), r0(ka, kb, eh * (1 + STEP), ew, dps)),
        "increasing_in_E_W": (r0(ka, kb, eh, ew * (1 - STEP), dps), r0(ka, kb, eh, ew * (1 + STEP), dps)),
        "increasing_in_K_B": (here, r0(ka, kb + 1, eh, ew, dps)),
        "increasing_in_K_B_fixed_K": (here, r0(ka - 1, kb + 1, eh, ew, dps)) if ka >= 2 else None,
    }
    out = {}
    decision = 0.0  # the decisions' condition: R0 over the smallest |difference| a sign is read from
    for name, pair in pairs.items():
        if pair is None:
            out[name] = a.Undefined("K_A = 1: no majority class to move into the minority")
            continue
        lo, hi = pair
        bad = [x for x in pair if isinstance(x, a.Undefined)]
        out[name] = bad[0] if bad else mpmath.mpf(1 if hi > lo else 0)
        if not bad and not isinstance(here, a.Undefined):
            decision = max(decision, float(abs(here) / abs(hi - lo)) if hi != lo else float("inf"))
    out["_residuals"] = {"decision_condition": decision}
    scaled = r0(ka, kb, eh * 2, ew / 2, dps)
    out["rescaling_ratio"] = scaled if isinstance(scaled, a.Undefined) else scaled / here
    return out


# Budgets (issue 18; tests/test_tolerances.py): every R0 is fang2021.thm5's reference root, Newton at dps+10 to a
# step below 10^-(dps+5), so each is right to 10^-dps after rounding. A sign is read from two such roots: it is
# decided when their error times decision_condition = R0 / |R0(hi) - R0(lo)| stays far below 1; measured over the
# 4 pinned and 40 drawn points (seed 0, dps 30): decision_condition at most 1.7e9 (K_A = K_B = 6, E_H = E_W = 0.22).
INDICATOR_TOL = a.tolerance(
    0,
    "0 or 1 on both sides: the sign of a difference of two roots computed to ~10^-(dps+5), whose relative size is "
    "at least 10^-10 (central differences with relative steps 10^-8, d log R0 / d log E measured >= 0.03): exact, "
    "no guard digit",
    a.ErrorBudget(0, 1e10, 0, condition=("decision_condition",), exact=True),
)
RATIO_TOL = a.tolerance(
    2,
    "a ratio of two independently computed roots of the collapsed KKT system, each refined by Newton's method at "
    "dps+10 digits to a step below 10^-(dps+5): the rounding to dps digits x10 for the division: 2 guard digits "
    "(was 10; measured error 0 at the pinned points at dps 30)",
    a.ErrorBudget(0, 1e1, 1),
)


def _only_with_two_majority(values, dps):
    return mpmath.mpf(1) if values["K_A"] >= 2 else a.Undefined("K_A = 1: no majority class to move into the minority")


CLAIM = a.claim(
    id="fang2021.r0_monotone",
    title="Minority Collapse: R0 is smaller when E_H, E_W or K_B is smaller (Section 4B)",
    statement="The transition ratio R0 of Theorem 5 increases with E_H, with E_W (through E_H E_W only) and with "
    "the number K_B of minority classes, at fixed K_A and at fixed K = K_A + K_B",
    source=a.Source(PAPER, "Section 4B, after Figure 3 (lines 1368-1371); Figures 3 and S2 (SI Fig. 8)", SEEDS),
    convention="Fang et al. 2021 Eq. (7) as in fang2021.thm5: mean loss, class-averaged budgets E_H, E_W",
    parameters=[
        a.integer("K_A", "number of majority classes"),
        a.integer("K_B", "number of minority classes"),
        a.real("E_H", "feature budget"),
        a.real("E_W", "classifier budget"),
    ],
    hypotheses=[
        a.hypothesis("K_A >= 1", lambda v: v["K_A"] >= 1, "K_A", "give at least one majority class"),
        a.hypothesis("K_B >= 2", lambda v: v["K_B"] >= 2, "K_B", "R0 needs two minority classes to collapse"),
        a.hypothesis("E_H > 0", lambda v: v["E_H"] > 0, "E_H", "give a positive feature budget"),
        a.hypothesis("E_W > 0", lambda v: v["E_W"] > 0, "E_W", "give a positive classifier budget"),
    ],
    quantities=[
        a.quantity("increasing_in_E_H", "1 if dR0/dE_H > 0 (central difference)", 1, INDICATOR_TOL),
        a.quantity("increasing_in_E_W", "1 if dR0/dE_W > 0 (central difference)", 1, INDICATOR_TOL),
        a.quantity("increasing_in_K_B", "1 if R0(K_A, K_B + 1) > R0(K_A, K_B)", 1, INDICATOR_TOL),
        a.quantity(
            "increasing_in_K_B_fixed_K",
            "1 if R0(K_A - 1, K_B + 1) > R0(K_A, K_B) (K fixed; undefined for K_A = 1)",
            None,
            INDICATOR_TOL,
            reference=_only_with_two_majority,
            definition="1 (the claim), undefined where K_A = 1",
        ),
        a.quantity("rescaling_ratio", "R0(2 E_H, E_W/2) / R0(E_H, E_W): R0 depends on E_H E_W only", 1, RATIO_TOL),
    ],
    solve=a.computed(
        _indicators,
        description="R0 by fang2021.thm5's reference root (collapsed KKT system + 4 L_H L_W = 1, Newton at "
        "dps+10) at the point, at E_H (1 +- 1e-8), E_W (1 +- 1e-8), K_B + 1, (K_A - 1, K_B + 1) and (2 E_H, E_W/2)",
        measures=(
            "increasing_in_E_H",
            "increasing_in_E_W",
            "increasing_in_K_B",
            "increasing_in_K_B_fixed_K",
            "rescaling_ratio",
        ),
        reads=("K_A", "K_B", "E_H", "E_W"),
    ),
    strategy={
        "K_A": a.integers(1, 6),
        "K_B": a.integers(2, 6),
        "E_H": a.decimals("0.2", "5"),
        "E_W": a.decimals("0.2", "2"),
    },
    examples=[
        a.example("Figure 3(a) setting, K_A = 3", K_A=3, K_B=7, E_H=5, E_W=1),
        a.example("Figure 3(b) setting, K_A = 7", K_A=7, K_B=3, E_H=10, E_W=1),
        a.example("K_A = 1 (fixed-K reading undefined)", K_A=1, K_B=2, E_H=1, E_W=1),
        a.example("small budgets", K_A=2, K_B=2, E_H="1/2", E_W="1/2"),
    ],
)
