"""Fang et al. 2021, Lemma 3 (SI A.1): the binary l_q-constrained Layer-Peeled Model (33) and its minimisers.

Statement (seed 001, SI A.1, after the proof of Proposition 2, Eqs. (33)-(35)): for K = 2 classes with one
sample each, program (33) -- the *sum* of the two cross-entropy losses, ||w_1||^2 + ||w_2||^2 <= 2 E_W,
||h_1||_q^q + ||h_2||_q^q <= 2 E_H -- has, for q > 2, only minimisers

    h_1 = -h_2 = C1 w_1 = -C1 w_2 = C2 (+-1_p),   C1 = (E_H/p)^(1/q) (E_W/p)^(-1/2),  C2 = (E_H/p)^(1/q)   [34]

(sign vectors: every entry has modulus C2), and for 1 < q < 2 only minimisers

    h_1 = -h_2 = C3 w_1 = -C3 w_2,  ||h_1||_0 = 1,  ||h_1|| = C4,   C3 = E_H^(1/q) E_W^(-1/2),  C4 = E_H^(1/q) [35]

(one-sparse). The lemma prints no optimal value; derived here (proofs/fang2021.lemma3.md): both samples have
margin m = h_j.(w_j - w_j') = 2 ||h_j|| ||w_j||, i.e.

    m = 2 p^(1/2 - 1/q) E_H^(1/q) sqrt(E_W)  (q > 2),    m = 2 E_H^(1/q) sqrt(E_W)  (1 < q < 2),

and the minimum of the sum is 2 log(1 + exp(-m)). The closed forms are sympy ``Piecewise`` in q.

Quantities are invariants of the symmetry group of (33) for q != 2 (coordinate permutations, coordinate
sign flips, swapping the classes): norms, l_inf norms, support sizes, cosines. Together they pin the
structure: ||h||_2 = sqrt(p) ||h||_inf with p nonzero entries forces equal moduli (a sign vector); ||h||_0 = 1
is one-sparsity.

q = 2 is excluded (a one-line error). It is the boundary between the two regimes and there (33) is Theorem 1
with K = 2: the minimisers are every antipodal pair h_1 = -h_2 = C w_1 in *any* direction, so neither
structure holds, although both value formulas agree at q = 2 (m = 2 sqrt(E_H E_W)); tests check that value.
q <= 1 is excluded too: the paper only conjectures sparsity there; ``nc-verify explore fang2021.lemma3``
measures it (a "conjecture" exploration: one-sparse, but for small E_H the h_1 = -h_2 symmetry fails).

Errata (proof, not statement): the bound (41)/(43) uses sqrt(2^(4-4/q) ...) where the chain (37)-(40)/(42)
gives sqrt(16 ...), and the constant C_d of (36) must appear twice (the objective is a sum of two losses);
the 1 < q < 2 case ends with "we can obtain Eq. (34)" where (35) is meant.
"""

from __future__ import annotations

import ast
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
)
from verify.claims.fang2021 import PAPER, SEEDS
from verify.geometry import cosine, norm
from verify.hypotheses import CLASSIFIER_BUDGET, FEATURE_BUDGET
from verify.models.arith import Arithmetic
from verify.models.lq_constrained import LqLayerPeeledModel
from verify.solvers.lq_saturated import solve_lq
from verify.strategies import log_decimals

PARAMETERS = (
    Parameter("p", "integer", "feature dimension"),
    Parameter("q", "real", "exponent of the feature constraint ||h_1||_q^q + ||h_2||_q^q <= 2 E_H"),
    Parameter("E_H", "real", "feature budget (per sample)"),
    Parameter("E_W", "real", "classifier budget: ||w_1||^2 + ||w_2||^2 <= 2 E_W"),
)
p, q, E_H, E_W = (par.symbol for par in PARAMETERS)

# --- the constants of (34) and (35), as printed -------------------------------------------------------------
C1 = (E_H / p) ** (1 / q) * (E_W / p) ** sp.Rational(-1, 2)
C2 = (E_H / p) ** (1 / q)
C3 = E_H ** (1 / q) * E_W ** sp.Rational(-1, 2)
C4 = E_H ** (1 / q)


def by_regime(above_two: sp.Expr, below_two: sp.Expr) -> sp.Expr:
    """The q > 2 form for q > 2, the 1 < q < 2 form otherwise (the hypotheses exclude q <= 1 and q = 2)."""
    return sp.Piecewise((above_two, q > 2), (below_two, True))


#: Margin h_j.(w_j - w_j') of either sample at the minimiser (derived in proofs/fang2021.lemma3.md).
MARGIN_ABOVE = 2 * p ** (sp.Rational(1, 2) - 1 / q) * E_H ** (1 / q) * sp.sqrt(E_W)
MARGIN_BELOW = 2 * E_H ** (1 / q) * sp.sqrt(E_W)
MARGIN = by_regime(MARGIN_ABOVE, MARGIN_BELOW)
#: Optimal value of (33): the SUM of two cross-entropy losses, each log(1 + exp(-m)).
VALUE = 2 * sp.log(1 + sp.exp(-MARGIN))

# --- the proof's bound (36)-(41), (43) ------------------------------------------------------------------------
Ca, Cb = sp.symbols("C_a C_b", positive=True)
Cc = Cb / (Ca + Cb)  # K = 2: C_c = C_b / ((C_a + C_b)(K - 1))
Cd = Ca / (Ca + Cb) * sp.log((Ca + Cb) / Ca) + Cb / (Ca + Cb) * sp.log(1 / Cc)


def bound(product_squared: sp.Expr, cd_multiple: int) -> sp.Expr:
    """-(C_b/(C_a+C_b)) sqrt(product_squared) + cd_multiple * C_d at the printed C_a = exp(m/2), C_b = 1/C_a."""
    ca = sp.exp(MARGIN / 2)
    return (-Cb / (Ca + Cb) * sp.sqrt(product_squared) + cd_multiple * Cd).subs({Ca: ca, Cb: 1 / ca})


_P_FACTOR = by_regime(p ** (1 - 2 / q), sp.Integer(1))
#: As printed in (41) (1 < q < 2) and (43) (q > 2): constant 2^(4-4/q), one C_d.
BOUND_PRINTED = bound(2 ** (4 - 4 / q) * _P_FACTOR * E_W * E_H ** (2 / q), 1)
#: What the chain (37)-(40) / (42) gives: 16, and 2 C_d for the sum of two losses.
BOUND_CORRECTED = bound(16 * _P_FACTOR * E_W * E_H ** (2 / q), 2)

# --- tolerances ------------------------------------------------------------------------------------------
VALUE_TOL = Tolerance(
    guard_digits=8,
    reason="the refined KKT point has residual below 10^-(dps-5); the value (two softplus terms) is "
    "first-order insensitive to the remaining error and each term is rounded at dps digits: 8 guard digits",
)
GEOMETRY_TOL = Tolerance(
    guard_digits=10,
    reason="norms, l_inf norms and cosines carry the forward error of the point, ~ KKT residual x condition "
    "of the KKT matrix; conditions up to 2e4 are seen (q = 8, p = 64; 1e1 to 5e2 elsewhere), so 10 guard "
    "digits leave a digit to spare; the support size is an integer count and agrees exactly or by >= 1",
)

QUANTITIES = (
    Quantity("value", "optimal value of (33) (sum of the two cross-entropy losses)", VALUE, VALUE_TOL),
    Quantity(
        "C",
        "||h_j|| / ||w_j||, j = 1, 2 (h_j = C w_j: C1 for q > 2, C3 for 1 < q < 2)",
        by_regime(C1, C3),
        GEOMETRY_TOL,
    ),
    Quantity("cos_feature_classifier", "cos(h_j, w_j), j = 1, 2 (h_j parallel to w_j)", sp.Integer(1), GEOMETRY_TOL),
    Quantity("cos_antipodal", "cos(h_1, h_2) and cos(w_1, w_2) (h_1 = -h_2, w_1 = -w_2)", sp.Integer(-1), GEOMETRY_TOL),
    Quantity("classifier_norm", "||w_j||, j = 1, 2", sp.sqrt(E_W), GEOMETRY_TOL),
    Quantity(
        "feature_norm",
        "||h_j||_2 (sqrt(p) C2 for q > 2, C4 for 1 < q < 2)",
        by_regime(sp.sqrt(p) * C2, C4),
        GEOMETRY_TOL,
    ),
    Quantity(
        "entry_max", "||h_j||_inf, largest |entry| (C2 for q > 2, C4 for 1 < q < 2)", by_regime(C2, C4), GEOMETRY_TOL
    ),
    Quantity(
        "support",
        "||h_j||_0, number of nonzero entries (p for q > 2, 1 for 1 < q < 2)",
        by_regime(p, sp.Integer(1)),
        GEOMETRY_TOL,
    ),
)


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


# --- errata ----------------------------------------------------------------------------------------------
ERRATUM_POINT = {"p": Fraction(8), "q": Fraction(3, 2), "E_H": Fraction(2), "E_W": Fraction(1)}
#: 1 < q < 2 with a large budget product: there the printed bound lies above the minimum.
BOUND_POINT = {"p": Fraction(8), "q": Fraction(3, 2), "E_H": Fraction(2), "E_W": Fraction(4)}


def _number(expr: sp.Expr, values: Mapping[str, Fraction]) -> mpmath.mpf:
    return mpmath.mpf(sp.N(expr.subs(CLAIM.subs(values)), 40))


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


# --- exploration: q <= 1, which the paper leaves as a conjecture ---------------------------------------------
def _conjecture_q_le_1() -> Finding:
    """Solve (33) at q in {1, 3/4, 1/2} (float search, 16 starts, p = 8) at E_H = 2 and E_H = 1/20 (E_W = 1)."""
    rows = []
    for EH in (Fraction(2), Fraction(1, 20)):
        for qv in (Fraction(1), Fraction(3, 4), Fraction(1, 2)):
            values = {"p": Fraction(8), "q": qv, "E_H": EH, "E_W": Fraction(1)}
            lpm = model(values)
            rep = solve_lq(lpm, SolveOptions(n_starts=16, seed=3), lambda x, ar, lpm=lpm: measure(lpm, x, ar, 8))
            W, H = lpm.unpack(rep.point)
            qf, eh = float(qv), float(EH)
            symmetric = 2 * np.logaddexp(0, -2 * eh ** (1 / qf))  # Lemma-3 form: h_1 = -h_2 one-sparse, ||h||_q^q = E_H
            one_sided = np.logaddexp(0, -2 * (2 * eh) ** (1 / qf)) + np.log(2)  # h_2 = 0, ||h_1||_q^q = 2 E_H
            best = min(rep.details["start_values"])
            rows.append(
                {
                    "q": str(qv),
                    "E_H": str(EH),
                    "best value": f"{best:.10f}",
                    "Lemma-3 form (h1=-h2, one-sparse)": f"{symmetric:.10f}",
                    "one-sided (h2=0, h1 one-sparse)": f"{one_sided:.10f}",
                    "relative gain over Lemma-3 form": f"{(best - symmetric) / symmetric:+.2e}",
                    "support (h1, h2)": str(tuple(int(v) for v in rep.quantities["support"])),
                    "||h1||, ||h2||": f"{np.linalg.norm(H[0]):.4f}, {np.linalg.norm(H[1]):.4f}",
                    "starts at best": f"{rep.details['starts_at_best']}/{rep.details['starts']}",
                }
            )
    gains = [float(r["relative gain over Lemma-3 form"]) for r in rows]
    sparse = all(set(ast.literal_eval(r["support (h1, h2)"])) <= {0, 1} for r in rows)
    return Finding(
        summary=f"Sparsity {'holds' if sparse else 'FAILS'} for q <= 1: every best point has "
        f"{'at most one nonzero entry per feature' if sparse else 'a feature with several nonzero entries'}. At E_H = 2 "
        "the Lemma-3 form (h_1 = -h_2) is optimal; at E_H = 1/20 and q < 1 the symmetric form is NOT optimal: "
        "all budget goes to one sample (h_2 = 0), best relative gain "
        f"{min(gains):+.2e}. q = 1 stays symmetric. The power-mean step (39)-(40) needs q >= 1.",
        rows=tuple(rows),
    )


EXPLORATIONS = (
    Exploration(
        claim_id="fang2021.lemma3",
        label="conjecture",
        title="q <= 1: are the minimisers of (33) sparse (SI A.1, end of the proof of Lemma 3)?",
        question="For q in {1, 3/4, 1/2}, what do minimisers of (33) look like, and is the symmetric "
        "one-sparse form h_1 = -h_2 of Lemma 3 still optimal?",
        run=_conjecture_q_le_1,
    ),
)


def _not_two(v: Mapping[str, Fraction]) -> bool:
    return v["q"] != 2


CLAIM = Claim(
    id="fang2021.lemma3",
    title="Binary l_q Layer-Peeled Model (33): sign-vector minimisers for q > 2, one-sparse for 1 < q < 2",
    statement="For K = 2, one sample per class, program (33) has only minimisers h_1 = -h_2 = C1 w_1 = -C1 w_2 = "
    "C2 (+-1_p) when q > 2, and h_1 = -h_2 = C3 w_1 = -C3 w_2 with ||h_1||_0 = 1, ||h_1|| = C4 when 1 < q < 2; "
    "the minimum is 2 log(1 + exp(-m)), m = 2 p^(1/2-1/q) E_H^(1/q) sqrt(E_W) (q > 2), 2 E_H^(1/q) sqrt(E_W) (q < 2).",
    source=Source(PAPER, "SI A.1: Eq. (33), Lemma 3 (Eqs. (34)-(35)) and its proof (Eqs. (36)-(43))", SEEDS),
    convention="Fang et al. 2021 Eq. (33): SUM (not mean) of the two cross-entropy losses; ||w_1||^2 + ||w_2||^2 "
    "<= 2 E_W, ||h_1||_q^q + ||h_2||_q^q <= 2 E_H, ||h||_q^q = sum_i |h(i)|^q; no bias",
    parameters=PARAMETERS,
    hypotheses=(
        Hypothesis("p >= 1", lambda v: v["p"] >= 1, "p", "give a positive feature dimension"),
        Hypothesis(
            "q > 1",
            lambda v: v["q"] > 1,
            "q",
            "Lemma 3 covers q > 1; q <= 1 is only conjectured: run 'nc-verify explore fang2021.lemma3'",
        ),
        Hypothesis(
            "q != 2",
            _not_two,
            "q",
            "q = 2 is Theorem 1 with K = 2 (antipodal pair in any direction): use fang2021.thm1",
        ),
        FEATURE_BUDGET,
        CLASSIFIER_BUDGET,
        Hypothesis("p <= 256 (solver size)", lambda v: v["p"] <= 256, "p", "the dense KKT refinement handles p <= 256"),
    ),
    quantities=QUANTITIES,
    solver=solve,
    solver_description="L-BFGS-B multistart (8 seeded starts, best value reached by >= 2) on the boundary of both "
    "budgets through a smooth saturated parametrisation, then KKT Newton refinement of the raw program (33) in "
    "mpmath; for sparse points on the support (zero coordinates held at 0), with the first-order KKT residual "
    "of the full program checked at the refined point",
    strategy=parameters,
    examples=(
        Example({"p": "4", "q": "3", "E_H": "2", "E_W": "1"}, "q > 2: sign vectors"),
        Example({"p": "8", "q": "3/2", "E_H": "2", "E_W": "1"}, "1 < q < 2: one-sparse"),
        Example({"p": "64", "q": "8", "E_H": "1", "E_W": "1"}, "p = 64, large q: all 64 entries equal in modulus"),
        Example({"p": "64", "q": "6/5", "E_H": "1/2", "E_W": "3"}, "p = 64, q near 1: one nonzero entry of 64"),
        Example({"p": "1", "q": "5/2", "E_H": "1", "E_W": "1"}, "p = 1: sign vector and one-sparse coincide"),
        Example({"p": "2", "q": "21/10", "E_H": "1", "E_W": "1"}, "q just above 2"),
        Example({"p": "3", "q": "19/10", "E_H": "1", "E_W": "1"}, "q just below 2"),
    ),
    errata=ERRATA,
    explorations=EXPLORATIONS,
    module=__name__,
    certificate_note="none: the l_q feature budget (q != 2) is not a function of the Gram matrix, so Lemma 1's convex relaxation (15) does not apply, and for q < 1 the feasible set is not convex; no dual certificate is known; verified only",
)
