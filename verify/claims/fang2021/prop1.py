"""Fang et al. 2021, Proposition 1: oversampling the minority classes w_r times is the program (15) with
n_B replaced by w_r n_B.

Statement (seed 001, Section 5, Eqs. (17)-(19); proof "by the same argument" as Lemma 1, SI B.1): assume
p >= 2K and L convex in its first argument. Let X* minimise (15) with n_k = n_A (k <= K_A) and n_k = w_r n_B
(k > K_A). Then (H*, W*) from P X*^{1/2} with h*_{k,i} = hbar*_k (i <= n_A, resp. i <= n_B; Eq. (19))
minimises the oversampling-adjusted Layer-Peeled Model (18):

    minimise (1/N') [ sum_{k<=K_A} sum_{i<=n_A} L(W h_{k,i}, y_k) + w_r sum_{k>K_A} sum_{i<=n_B} L(W h_{k,i}, y_k) ]
    s.t. (1/K) sum_k ||w_k||^2 <= E_W,  (1/K) sum_{k<=K_A} (1/n_A) sum_i ||h_{k,i}||^2
                                        + (1/K) sum_{k>K_A} (1/n_B) sum_i ||h_{k,i}||^2 <= E_H,

N' = n_A K_A + w_r n_B K_B. Program (15) depends on the sizes only through the weights n_k/N, so the
statement makes sense for every real w_r > 0 (the paper thinks of an integer rate); it is checked so.
With w_r = R = n_A/n_B all weights are equal and Theorem 1 applies: one K-simplex ETF, every pair of
classifiers at cosine -1/(K-1) (the paper's "all the angles are equal"; proofs/fang2021.prop1.md).

Checked quantities (reference: the certified optimum of (15) at sizes (n_A, w_r n_B), see
:mod:`verify.claims.fang2021.lemma1`; solve: (18) itself with individual samples, random starts, mpmath KKT):
``value``, the two budgets used (saturation and collapse to the means), and the classifier cosines between
groups (``cos_classifiers_AB``) and within the minority (``cos_classifiers_BB``). Where the relaxation's
minority classifiers are zero (beyond the second transition R1 of issue 5 research) the cosines are
Undefined on both sides. Comparing cosines assumes that the minimiser of (15) is unique up to rotation
(not proved by the paper; observed on every point checked).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

import mpmath
import numpy as np

from verify import strategies as st
from verify.claim import (
    Claim,
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
from verify.geometry import cosine
from verify.geometry.collapse import class_means
from verify.hypotheses import CLASSIFIER_BUDGET, FEATURE_BUDGET
from verify.models import LayerPeeledModel
from verify.models.arith import FLOAT, Arithmetic, to_mpf
from verify.models.gram_relaxation import GramProgram
from verify.solvers.conic import PolishedSolution, classifier_geometry, polished_optimum, solve_gram
from verify.solvers.pipeline import solve_constrained
from verify.strategies import log_decimals

PARAMETERS = (
    Parameter("K_A", "integer", "number of majority classes"),
    Parameter("K_B", "integer", "number of minority classes"),
    Parameter("n_A", "integer", "samples per majority class"),
    Parameter("n_B", "integer", "samples per minority class"),
    Parameter("w_r", "real", "oversampling rate of the minority classes (any real > 0)"),
    Parameter("p", "integer", "feature dimension (Proposition 1: p >= 2K)", default=lambda v: 2 * (v["K_A"] + v["K_B"]), default_text="2K"),
    Parameter("E_H", "real", "feature budget of (18)"),
    Parameter("E_W", "real", "classifier budget: (1/K) sum_k ||w_k||^2 <= E_W"),
)
K_A, K_B, n_A, n_B, w_r, p, E_H, E_W = (par.symbol for par in PARAMETERS)


def effective_sizes(values: Mapping[str, Fraction]) -> tuple[Fraction, ...]:
    """The sizes of program (15) in Proposition 1: n_A (K_A times), w_r n_B (K_B times)."""
    ka, kb = int(values["K_A"]), int(values["K_B"])
    return (values["n_A"],) * ka + (values["w_r"] * values["n_B"],) * kb


def relaxation(values: Mapping[str, Fraction], dps: int) -> PolishedSolution:
    """The certified optimum of (15) with n_B -> w_r n_B (cached)."""
    return polished_optimum(effective_sizes(values), values["E_H"], values["E_W"], dps)


def relaxation_value(values: Mapping[str, Fraction], dps: int):
    sol = relaxation(values, dps)
    return sol.uncertified() or +sol.value


def _classifier_cosine(values: Mapping[str, Fraction], dps: int, pairs: str):
    """Mean cosine of the relaxation's classifiers over the A-B pairs or the B-B pairs (all equal at the
    symmetric minimiser); Undefined when a classifier is shorter than sqrt(E_W) 10^-(dps/2)."""
    sol = relaxation(values, dps)
    if bad := sol.uncertified():
        return bad
    ka, K = int(values["K_A"]), int(values["K_A"] + values["K_B"])
    G = sol.X[K:, K:]
    zero = to_mpf(values["E_W"]) * mpmath.mpf(10) ** (-2 * (dps // 2))
    for k in range(K):
        if G[k, k] <= zero:
            return Undefined(f"w_{k + 1} = 0 at the minimiser of (15) (||w||^2 = {mpmath.nstr(G[k, k], 3)})")
    if pairs == "AB":
        idx = [(k, j) for k in range(ka) for j in range(ka, K)]
    else:
        idx = [(k, j) for k in range(ka, K) for j in range(k + 1, K)]
    return sum(G[k, j] / mpmath.sqrt(G[k, k] * G[j, j]) for k, j in idx) / len(idx)


# --- tolerances ------------------------------------------------------------------------------------------
VALUE_TOL = Tolerance(
    guard_digits=8,
    reason="both sides are KKT points refined to a residual below 10^-(dps-5) (the relaxation's also certified "
    "by a Frank-Wolfe gap below 10^-(dps-6), measured ~1e-31 at dps 30); the value is a sum of O(N K) terms "
    "and first-order insensitive to the point's error: 8 guard digits. The conic solvers' accuracy (Clarabel "
    "~1e-11, SCS ~1e-9) only starts the refinement",
)
GEOMETRY_TOL = Tolerance(
    guard_digits=10,
    reason="budgets and cosines carry the forward error of each refined point, ~ (KKT residual 10^-(dps-5)) x "
    "(condition of the KKT matrix on the complement of the rotation orbit, <= 1e3 on the pinned and drawn "
    "points); the relaxation's cosines are ratios of Gram entries at its own refined point: 10 guard digits",
)

QUANTITIES = (
    Quantity(
        "value",
        "optimal value of the oversampling-adjusted model (18)",
        None,
        VALUE_TOL,
        reference=relaxation_value,
        definition="the minimum of (15) with sizes n_A (K_A classes) and w_r n_B (K_B classes): conic solve, "
        "factor P X^(1/2), mpmath KKT refinement, convexity certificate (verify.solvers.conic.polish)",
    ),
    Quantity(
        "mean_feature_budget",
        "(1/K) sum_k ||hbar_k||^2 at the minimiser of (18): = E_H iff saturated and of the form (19)",
        E_H,
        GEOMETRY_TOL,
    ),
    Quantity("classifier_budget", "(1/K) sum_k ||w_k||^2 at the minimiser of (18)", E_W, GEOMETRY_TOL),
    Quantity(
        "cos_classifiers_AB",
        "cos(w_k, w_l), k majority, l minority",
        None,
        GEOMETRY_TOL,
        reference=lambda v, dps: _classifier_cosine(v, dps, "AB"),
        definition="the same cosine at the certified minimiser of (15) with n_B -> w_r n_B",
    ),
    Quantity(
        "cos_classifiers_BB",
        "cos(w_k, w_l), k != l both minority",
        None,
        GEOMETRY_TOL,
        reference=lambda v, dps: _classifier_cosine(v, dps, "BB"),
        definition="the same cosine at the certified minimiser of (15) with n_B -> w_r n_B",
    ),
)


# --- the independent solve of (18) -------------------------------------------------------------------------
@dataclass(frozen=True)
class OversampledModel(LayerPeeledModel):
    """Program (18): (7) with the minority loss terms weighted by w_r and the mean taken over N' = n_A K_A +
    w_r n_B K_B. The constraints are those of (7) for the real sample counts (n_A, n_B): unchanged."""

    K_A: int = 1
    w_r: Fraction = Fraction(1)

    def _loss_weights(self, ar: Arithmetic) -> np.ndarray:
        w = ar.scalar(self.w_r)
        n_prime = sum(self.class_sizes[: self.K_A]) + w * sum(self.class_sizes[self.K_A :])
        per_class = [1 / n_prime] * self.K_A + [w / n_prime] * (self.K - self.K_A)
        return np.array(
            np.repeat(np.array(per_class, dtype=object), self.class_sizes), dtype=object if ar is not FLOAT else float
        )

    def objective(self, x: np.ndarray, ar: Arithmetic = FLOAT):
        W, H = self.unpack(x)
        return (self.loss.values(H @ W.T, self.labels, ar) * self._loss_weights(ar)).sum()

    def gradient(self, x: np.ndarray, ar: Arithmetic = FLOAT) -> np.ndarray:
        W, H = self.unpack(x)
        G = self.loss.grad(H @ W.T, self.labels, ar) * self._loss_weights(ar)[:, None]
        return self.pack(G.T @ H, G @ W)


def model(values: Mapping[str, Fraction]) -> OversampledModel:
    ka, kb = int(values["K_A"]), int(values["K_B"])
    sizes = (int(values["n_A"]),) * ka + (int(values["n_B"]),) * kb
    return OversampledModel(sizes, int(values["p"]), values["E_H"], values["E_W"], K_A=ka, w_r=values["w_r"])


def measure(lpm: OversampledModel, x: np.ndarray, ar: Arithmetic, zero_digits: int) -> dict[str, tuple]:
    W, H = lpm.unpack(x)
    means = class_means(H, lpm.labels, lpm.K)
    zero = float(lpm.E_W) ** 0.5 * 10.0 ** (-zero_digits)
    ka, K = lpm.K_A, lpm.K

    def cos(k, j):
        return cosine(W[k], W[j], zero_tol=zero, names=(f"w_{k + 1}", f"w_{j + 1}"))

    return {
        "value": (lpm.objective(x, ar),),
        "mean_feature_budget": ((means * means).sum() / K,),
        "classifier_budget": ((W * W).sum() / K,),
        "cos_classifiers_AB": tuple(cos(k, j) for k in range(ka) for j in range(ka, K)),
        "cos_classifiers_BB": tuple(cos(k, j) for k in range(ka, K) for j in range(k + 1, K)),
    }


def solve(values: Mapping[str, Fraction], options: SolveOptions) -> SolveReport:
    """Minimise (18) directly (individual samples, minority terms weighted by w_r); never uses (15)."""
    lpm = model(values)

    def measured(x, ar):
        return measure(lpm, x, ar, zero_digits=8 if ar.name == "float64" else options.dps // 2)

    return solve_constrained(lpm, options, measured)


# --- Hypothesis strategy -------------------------------------------------------------------------------------
@st.composite
def parameters(draw) -> dict[str, Fraction]:
    """K_A in {1, 2}, K_B = 2, n_A <= 4, n_B = 1, w_r in [0.1, 10) (two digits), p = 2K: <= 100 unknowns."""
    ka = draw(st.integers(1, 2))
    return {
        "K_A": Fraction(ka),
        "K_B": Fraction(2),
        "n_A": Fraction(draw(st.integers(1, 4))),
        "n_B": Fraction(1),
        "w_r": draw(log_decimals(-1, 1)),
        "p": Fraction(2 * (ka + 2)),
        "E_H": draw(log_decimals(-1, 1)),
        "E_W": draw(log_decimals(-1, 1)),
    }


# --- exploration: Fig. 6 (oversampling enlarges the minority angles) --------------------------------------------
def _fig6() -> Finding:
    """cos_BB of (15) with n_B -> w_r n_B at R = 1000, K = 10, E_W = 1, against w_r (Clarabel, then SCS)."""
    rows, monotone = [], True
    for ka in (3, 5, 7):
        for eh in (5, 10):
            previous = None
            for wr in (1, 10, 100, 200, 500, 1000):
                sizes = (Fraction(1000),) * ka + (Fraction(wr),) * (10 - ka)
                prog = GramProgram(sizes, eh, 1)
                sol = solve_gram(prog, "CLARABEL")
                if not sol.accurate:
                    sol = solve_gram(prog, "SCS")
                norms, C = classifier_geometry(sol.X)
                if norms[ka:].min() < 1e-4:
                    cos_bb = "undefined (minority classifiers ~ 0)"
                    current = None
                else:
                    current = float(np.mean([C[k, j] for k in range(ka, 10) for j in range(k + 1, 10)]))
                    cos_bb = f"{current:.6f}"
                    if previous is not None and current > previous + 10 * sol.stated_accuracy:
                        monotone = False
                    previous = current
                rows.append(
                    {
                        "K_A": str(ka),
                        "E_H": str(eh),
                        "w_r": str(wr),
                        "cos_BB": cos_bb,
                        "solver": f"{sol.solver}: {sol.reason}",
                    }
                )
    summary = (
        "At R = 1000, K = 10, E_W = 1 the mean minority-minority classifier cosine of (15) with n_B -> w_r n_B "
        + ("decreases monotonically" if monotone else "does NOT decrease monotonically")
        + " in w_r over {1, 10, 100, 200, 500, 1000} for K_A in {3, 5, 7}, E_H in {5, 10}, reaching -1/9 at w_r = R "
        "(rows; conic accuracy ~1e-8 on cosines). Where the minority classifiers vanish the cosine is undefined."
    )
    return Finding(summary, tuple(rows))


EXPLORATIONS = (
    Exploration(
        claim_id="fang2021.prop1",
        label="conjecture",
        title="Fig. 6: oversampling enlarges the between-minority-class angles",
        question="Is the minority-minority classifier cosine of the oversampled model decreasing in w_r at R = 1000?",
        run=_fig6,
    ),
)

CLAIM = Claim(
    id="fang2021.prop1",
    title="Oversampling the minority classes w_r times is the Layer-Peeled Model with n_B -> w_r n_B",
    statement="For p >= 2K and cross-entropy, the oversampling-adjusted model (18) has the optimal value and the "
    "minimisers (form (19), both budgets saturated) of the convex program (15) with n_k = w_r n_B for the minority "
    "classes; at w_r = R = n_A/n_B all classifiers form one simplex ETF (every cosine -1/(K-1)).",
    source=Source(
        PAPER, "Section 5: Eqs. (17)-(19), Proposition 1, Fig. 6; SI B.1 (proof by Lemma 1's argument)", SEEDS
    ),
    convention=GramProgram.convention
    + "; (18): mean over N' = n_A K_A + w_r n_B K_B weighted samples, constraints of (7) with the real counts",
    parameters=PARAMETERS,
    hypotheses=(
        Hypothesis("K_A >= 1", lambda v: v["K_A"] >= 1, "K_A", "give at least one majority class"),
        Hypothesis(
            "K_B >= 2", lambda v: v["K_B"] >= 2, "K_B", "give at least two minority classes (their angle is checked)"
        ),
        Hypothesis("n_B >= 1", lambda v: v["n_B"] >= 1, "n_B", "class sizes are positive integers"),
        Hypothesis(
            "R = n_A/n_B >= 1", lambda v: v["n_A"] >= v["n_B"], "n_A", "group A is the majority: give n_A >= n_B"
        ),
        Hypothesis("w_r > 0", lambda v: v["w_r"] > 0, "w_r", "give a positive oversampling rate"),
        Hypothesis(
            "p >= 2K",
            lambda v: v["p"] >= 2 * (v["K_A"] + v["K_B"]),
            "p",
            "raise p to at least 2(K_A + K_B), as Proposition 1 assumes",
        ),
        FEATURE_BUDGET,
        CLASSIFIER_BUDGET,
    ),
    quantities=QUANTITIES,
    solver=solve,
    solver_description="(18) with individual samples and the minority losses weighted by w_r: SLSQP multistart "
    "(8 seeded random feasible starts, best value reached by >= 2), mpmath KKT refinement; the reference side "
    "solves (15) with n_B -> w_r n_B instead",
    strategy=parameters,
    examples=(
        Example(
            {"K_A": "2", "K_B": "2", "n_A": "3", "n_B": "1", "w_r": "2", "p": "8", "E_H": "5", "E_W": "1"},
            "R = 3, integer rate w_r = 2 < R",
        ),
        Example(
            {"K_A": "2", "K_B": "2", "n_A": "3", "n_B": "1", "w_r": "3", "p": "8", "E_H": "5", "E_W": "1"},
            "w_r = R: balanced, one simplex ETF (cosines -1/3)",
        ),
        Example(
            {"K_A": "1", "K_B": "2", "n_A": "4", "n_B": "1", "w_r": "1/2", "p": "6", "E_H": "5", "E_W": "1"},
            "real rate w_r = 1/2 < 1 (down-weighting), one majority class",
        ),
        Example(
            {"K_A": "2", "K_B": "2", "n_A": "5", "n_B": "2", "w_r": "3/2", "p": "9", "E_H": "5", "E_W": "1"},
            "non-integer rate 3/2, n_B = 2, p = 2K + 1",
        ),
        Example(
            {"K_A": "2", "K_B": "2", "n_A": "5", "n_B": "1", "w_r": "1", "p": "8", "E_H": "1", "E_W": "1"},
            "no oversampling in the minority-collapse regime: minority classifiers parallel (cos_BB = 1)",
        ),
        Example(
            {"K_A": "2", "K_B": "2", "n_A": "5", "n_B": "1", "w_r": "5", "p": "8", "E_H": "1", "E_W": "1"},
            "the same point oversampled at w_r = R = 5: collapse undone, ETF",
        ),
        Example(
            {"K_A": "2", "K_B": "2", "n_A": "8", "n_B": "1", "w_r": "1", "p": "8", "E_H": "2/5", "E_W": "2/5"},
            "R = 8 beyond R1 = 5.21 (Lemma 5 case (ii)): minority classifiers exactly 0, cosines undefined on both sides",
        ),
        Example(
            {"K_A": "2", "K_B": "2", "n_A": "8", "n_B": "1", "w_r": "8", "p": "8", "E_H": "2/5", "E_W": "2/5"},
            "the same point at w_r = R = 8: ETF again",
        ),
    ),
    explorations=EXPLORATIONS,
    module=__name__,
)
