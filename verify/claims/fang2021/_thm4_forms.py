"""fang2021 thm4: the paper's closed forms and their high-precision references (the record is verify.claims.fang2021.thm4)."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from fractions import Fraction

import mpmath
import sympy as sp

from verify.certify.intervals import closed_form_ball
from verify.models.softmax_losses import POWER, SoftmaxLossFamily, X
from verify.record import (
    ErrorBudget,
    Hypothesis,
    Parameter,
    ProofInequality,
    Quantity,
    Tolerance,
)
from verify.record.hypotheses import CLASSIFIER_BUDGET, ETF_DIMENSION, FEATURE_BUDGET, ONE_SAMPLE_PER_CLASS, TWO_CLASSES

BASE_PARAMETERS = (
    Parameter("K", "integer", "number of classes"),
    Parameter("n", "integer", "samples per class (balanced)", default=lambda v: Fraction(1), default_text="1"),
    Parameter("p", "integer", "feature dimension", default=lambda v: v["K"], default_text="K"),
    Parameter("E_H", "real", "feature budget: (1/K) sum_k (1/n) sum_i ||h_{k,i}||^2 <= E_H"),
    Parameter("E_W", "real", "classifier budget: (1/K) sum_k ||w_k||^2 <= E_W"),
)


K, n, p, E_H, E_W = (par.symbol for par in BASE_PARAMETERS)


s = sp.sqrt(E_H * E_W)


#: Softmax probability of the true class at the ETF point (9): logits s and -s/(K-1).
S_TRUE = 1 / (1 + (K - 1) * sp.exp(-K * s / (K - 1)))


# --- the hypothesis and its boundary ----------------------------------------------------------------------
_x = sp.Symbol("x", positive=True)


#: The hypothesis of Theorem 4 is THRESHOLD_GAP(sqrt(E_H E_W)) > 0.
THRESHOLD_GAP = _x - (K - 1) / K * sp.log(K**2 * _x + (2 * K - 1) * (K - 1))


#: Its unique positive root, via the lower branch W_{-1} of Lambert W (proofs/fang2021.thm4.md).
X_STAR = -(K - 1) / K**2 * (K * sp.LambertW(-sp.exp(-(2 * K - 1) / K) / (K * (K - 1)), -1) + 2 * K - 1)


#: s = sqrt(E_H E_W) as one variable of the box engine (nc-verify certify; verify/certify/box.py).
S_BOX = sp.Symbol("s", positive=True)
#: The condition of Theorem 4 as printed, as a margin in (K, s): > 0 is the hypothesis.
CONDITION_MARGIN = S_BOX - (K - 1) / K * sp.log(K**2 * S_BOX + (2 * K - 1) * (K - 1))
INEQUALITIES = (
    ProofInequality(
        "condition",
        "the hypothesis of Theorem 4 holds: sqrt(E_H E_W) > ((K-1)/K) log(K^2 sqrt(E_H E_W) + (2K-1)(K-1))",
        CONDITION_MARGIN,
        "Theorem 4, the condition before Eq. (14)",
        strict=True,
        derived=((S_BOX, s),),
    ),
    ProofInequality(
        "lambert_w_boundary",
        "the condition holds exactly above the Lambert-W closed form x_star(K): (s - x_star(K)) times the "
        "condition's margin is > 0 wherever s != x_star(K) (boxes on the curve s = x_star(K) stay undecided)",
        (S_BOX - X_STAR) * CONDITION_MARGIN,
        "Theorem 4's condition; x_star(K) = -(K-1)/K^2 (K W_{-1}(-exp(-(2K-1)/K)/(K(K-1))) + 2K - 1)",
        strict=True,
        derived=((S_BOX, s),),
    ),
)


def threshold_gap(x: mpmath.mpf, K_: int) -> mpmath.mpf:
    """x - ((K-1)/K) log(K^2 x + (2K-1)(K-1)) at the working precision (the inequality as printed)."""
    return x - mpmath.mpf(K_ - 1) / K_ * mpmath.log(K_**2 * x + (2 * K_ - 1) * (K_ - 1))


@functools.lru_cache(maxsize=64)
def x_star_findroot(K_: int, dps: int) -> mpmath.mpf:
    """The boundary of the hypothesis by mpmath's root finder on the printed inequality (no Lambert W).

    threshold_gap is convex with a negative value at 0 and tends to +inf, so it has one positive root; it lies
    where x = ((K-1)/K) log(K^2 x + d) and the fixed-point iteration from x = 1 increases to it (a contraction
    near the root: slope (K-1)K/(K^2 x + d) < 1/2). Its value brackets the root for a final Newton solve."""
    with mpmath.workdps(dps + 10):
        x = mpmath.mpf(1)
        for _ in range(60):
            x = mpmath.mpf(K_ - 1) / K_ * mpmath.log(K_**2 * x + (2 * K_ - 1) * (K_ - 1))
        return mpmath.findroot(lambda t: threshold_gap(t, K_), x, tol=mpmath.mpf(10) ** -(dps + 5))


def hypothesis_holds(values: Mapping[str, Fraction]) -> bool:
    with mpmath.workdps(50):
        x = mpmath.sqrt(mpmath.mpf(values["E_H"].numerator) / values["E_H"].denominator * values["E_W"])
        return values["K"] >= 2 and threshold_gap(x, int(values["K"])) > 0


def family_parameters(families: Sequence[SoftmaxLossFamily]) -> tuple[Parameter, ...]:
    """The parameters of a Theorem-4 claim over ``families``: the model's, then each loss's own (q of the power
    loss), once each."""
    extra_params: list[Parameter] = []
    for fam in families:
        for name in fam.parameters:
            if name not in {p_.name for p_ in (*BASE_PARAMETERS, *extra_params)}:
                extra_params.append(Parameter(name, "real", f"parameter of the {fam.name} loss"))
    return (*BASE_PARAMETERS, *extra_params)


# --- closed forms ----------------------------------------------------------------------------------------------
def etf_value(family: SoftmaxLossFamily) -> sp.Expr:
    """L0 of SI Eq. (56) with the corrected argument: g1(S*) + (K-1) g2((1 - S*)/(K-1))."""
    return sp.sympify(family.g1).subs(X, S_TRUE) + (K - 1) * sp.sympify(family.g2).subs(X, (1 - S_TRUE) / (K - 1))


def etf_value_printed(family: SoftmaxLossFamily) -> sp.Expr:
    """L0 of SI Eq. (56) as the seed prints it: g1(S*) + (K-1) g2(1 - S*/(K-1))."""
    return sp.sympify(family.g1).subs(X, S_TRUE) + (K - 1) * sp.sympify(family.g2).subs(X, 1 - S_TRUE / (K - 1))


VALUE_TOL = Tolerance(
    guard_digits=8,
    reason="the solve refines the KKT point until its residual is below 10^-(dps-5); the value is a sum of "
    "N softmax losses rounded at dps digits (g1 evaluated on 1 - S summed from the small probabilities, no "
    "cancellation) and first-order insensitive to the remaining error: 8 guard digits cover both",
    budget=ErrorBudget(5, 1e2, 1, residuals=("kkt_stationarity",)),
)


GEOMETRY_TOL = Tolerance(
    guard_digits=10,
    reason="norms and cosines carry the forward error of the point, ~ (KKT residual 10^-(dps-5)) x (condition "
    "of the KKT matrix off the rotation orbit); conditions up to ~1e4 are measured on the pinned and drawn "
    "points, so 10 guard digits leave at least one digit to spare",
    budget=ErrorBudget(5, 1e4, 1, residuals=("kkt_stationarity",), condition=("kkt_condition",)),
)


ROOT_TOL = Tolerance(
    guard_digits=2,
    reason="findroot solves the printed inequality's boundary to 10^-(dps+5) at dps+10 digits; the boundary is "
    "a simple root (slope of the gap function in (1/2, 1)), so the root is exact to the working precision; "
    "the final rounding to dps digits, x10: 2 guard digits",
    budget=ErrorBudget(0, 1e1, 1),
)


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name).strip("_")


GEOMETRY = (
    ("feature_norm", "||h_{k,i}|| for every sample (all losses)", sp.sqrt(E_H)),
    ("classifier_norm", "||w_k|| for every class (all losses)", sp.sqrt(E_W)),
    ("cosine", "cos(hbar_k, hbar_l), class means, k != l (all losses)", -1 / (K - 1)),
    ("cosine_classifiers", "cos(w_k, w_l), k != l (all losses)", -1 / (K - 1)),
    ("cos_feature_classifier", "cos(h_{k,i}, w_k): NC1 and self-duality (all losses)", sp.Integer(1)),
)


def quantities(families: Sequence[SoftmaxLossFamily], geometry: bool) -> tuple[Quantity, ...]:
    out = [
        Quantity(
            "x_star",
            "boundary of the hypothesis: sqrt(E_H E_W) must exceed x_star(K)",
            X_STAR,
            ROOT_TOL,
            definition="the positive root of x = ((K-1)/K) log(K^2 x + (2K-1)(K-1)); closed form "
            "-(K-1)/K^2 (K W_{-1}(-exp(-(2K-1)/K)/(K(K-1))) + 2K - 1), W_{-1} the lower real branch of Lambert W",
            standalone=True,  # the threshold itself: answered also where sqrt(E_H E_W) <= x_star(K)
            ball=closed_form_ball(X_STAR),
        )
    ]
    out += [
        Quantity(
            f"value_{_slug(f.name)}",
            f"optimal value of (7) with the {f.name} loss ({f.description})",
            etf_value(f),
            VALUE_TOL,
        )
        for f in families
    ]
    if geometry:
        out += [Quantity(name, desc, expr, GEOMETRY_TOL) for name, desc, expr in GEOMETRY]
    return tuple(out)


# --- hypotheses ----------------------------------------------------------------------------------------------
THRESHOLD_HYPOTHESIS = Hypothesis(
    "sqrt(E_H E_W) > ((K-1)/K) log(K^2 sqrt(E_H E_W) + (2K-1)(K-1)), i.e. sqrt(E_H E_W) > x_star(K)",
    hypothesis_holds,
    "E_H",
    "raise E_H*E_W until sqrt(E_H E_W) > x_star(K) (0.962 at K=2, 2.279 at K=3, 3.211 at K=4, 5.981 at K=10; "
    "'nc-verify show fang2021.thm4' gives the formula); below it Theorem 4 says nothing (see 'nc-verify explore')",
)


def shape_hypotheses(family: SoftmaxLossFamily, strict: bool) -> tuple[Hypothesis, ...]:
    """(14)'s conditions on g1, g2, checked on a grid of (0, 1) at the parameter point; with ``strict`` also the
    uniqueness conditions of Theorem 4 (needed to compare the geometry of *the* minimiser). One hypothesis per
    function, so that a failing g2 is blamed on g2 (or on the loss parameter that shapes it), not on g1."""
    conds = {"g1": ["g1 nonincreasing", "g1 convex"], "g2": ["g2 nondecreasing", "g2 convex"]}
    if strict:
        conds["g2"] += ["g2 strictly convex", "g1 or g2 strictly monotone"]

    @functools.lru_cache(maxsize=256)
    def found(key):
        return family.shape_conditions(dict(key))

    def holds_for(names):
        return lambda values: all(found(tuple((n, values[n]) for n in family.parameters))[c] for c in names)

    out = []
    for function, names in conds.items():
        blame = family.parameters[0] if family.parameters else function
        formula = sp.sympify(getattr(family, function))
        out.append(
            Hypothesis(
                f"{family.name} loss: {', '.join(names)} on (0, 1)",
                holds_for(tuple(names)),
                blame,
                f"choose {blame} so that {function} = {formula} has these properties"
                + (" (the power loss needs q > 1)" if family is POWER else ""),
            )
        )
    return tuple(out)


def base_hypotheses() -> tuple[Hypothesis, ...]:
    return (
        TWO_CLASSES,
        ONE_SAMPLE_PER_CLASS,
        ETF_DIMENSION,
        FEATURE_BUDGET,
        CLASSIFIER_BUDGET,
        THRESHOLD_HYPOTHESIS,
    )
