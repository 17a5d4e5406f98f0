"""Fang et al. 2021, Theorem 4: softmax-based losses (14) in the balanced Layer-Peeled Model.

Statement (seed 000 Theorem 4; seed 001 Section 3B, SI A.2 Eqs. (50)-(63)): assume
sqrt(E_H E_W) > ((K-1)/K) log(K^2 sqrt(E_H E_W) + (2K-1)(K-1)). Then for every loss (14) (g1 nonincreasing
convex, g2 nondecreasing convex on (0, 1)) the simplex-ETF point (9) is a global minimiser of program (7);
if moreover g2 is strictly convex and g1 or g2 strictly monotone, every global minimiser is of the form (9).

Encoded here, with x = sqrt(E_H E_W) and S* = 1/(1 + (K-1) exp(-K x/(K-1))) (the softmax of the true class
at the ETF point):
* the optimal value g1(S*) + (K-1) g2((1 - S*)/(K-1)) for each loss, and the geometry of the minimiser;
* the hypothesis boundary x_star(K) in closed form, x_star(K) = -(K-1)/K^2 (K W_{-1}(-e^{-(2K-1)/K}/(K(K-1)))
  + 2K - 1), with W_{-1} the lower branch of Lambert W (branch choice proved in proofs/fang2021.thm4.md).

Losses are sympy pairs (g1, g2) (:mod:`verify.models.softmax_losses`). The registered claim checks two at every
point: cross-entropy and the paper's g1 = (1-x)^q, g2 = x^q. For any other pair::

    import sympy as sp
    from verify.claims.fang2021.thm4 import claim_for
    from verify.models.softmax_losses import X
    claim = claim_for(sp.exp(-X), X**2, "exp-square")          # parameters may be added: claim_for(g1, g2, name, ("a",))
    from verify.checking import check_claim
    check_claim(claim)                                         # closed form vs independent solve of (7)
"""

from __future__ import annotations

import functools
import time
from collections.abc import Mapping, Sequence
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
from verify.errors import InputError
from verify.geometry import cosine, norm, pairwise_cosines
from verify.geometry.collapse import class_means
from verify.hypotheses import CLASSIFIER_BUDGET, ETF_DIMENSION, FEATURE_BUDGET, ONE_SAMPLE_PER_CLASS, TWO_CLASSES
from verify.models import LayerPeeledModel
from verify.models.arith import Arithmetic
from verify.models.lq_points import etf_gram_distance
from verify.models.softmax_losses import CROSS_ENTROPY, POWER, SoftmaxLossFamily, X
from verify.solvers.multistart import multistart
from verify.solvers.pipeline import solve_constrained
from verify.solvers.threads import single_threaded_blas
from verify.strategies import log_decimals

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
)
GEOMETRY_TOL = Tolerance(
    guard_digits=10,
    reason="norms and cosines carry the forward error of the point, ~ (KKT residual 10^-(dps-5)) x (condition "
    "of the KKT matrix off the rotation orbit); conditions up to ~1e4 are measured on the pinned and drawn "
    "points, so 10 guard digits leave at least one digit to spare",
)
ROOT_TOL = Tolerance(
    guard_digits=5,
    reason="findroot solves the printed inequality's boundary to 10^-(dps+5) at dps+10 digits; the boundary is "
    "a simple root (slope of the gap function in (1/2, 1)), so the root is exact to the working precision; "
    "5 guard digits absorb the final rounding",
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


# --- the independent solve ---------------------------------------------------------------------------------
def model(values: Mapping[str, Fraction], family: SoftmaxLossFamily) -> LayerPeeledModel:
    K_, n_ = int(values["K"]), int(values["n"])
    return LayerPeeledModel((n_,) * K_, int(values["p"]), values["E_H"], values["E_W"], loss=family.at(values))


def measure(lpm: LayerPeeledModel, x: np.ndarray, ar: Arithmetic, zero_digits: int) -> dict[str, tuple]:
    """Rotation invariants of a point of (7); a vector below 10^-zero_digits of its budget's scale is zero."""
    W, H = lpm.unpack(x)
    labels = lpm.labels
    means = class_means(H, labels, lpm.K)
    tol_h = float(lpm.E_H) ** 0.5 * 10.0 ** (-zero_digits)
    tol_w = float(lpm.E_W) ** 0.5 * 10.0 ** (-zero_digits)
    return {
        "value": (lpm.objective(x, ar),),
        "feature_norm": tuple(norm(h) for h in H),
        "classifier_norm": tuple(norm(w) for w in W),
        "cosine": pairwise_cosines(means, zero_tol=tol_h, label="hbar"),
        "cosine_classifiers": pairwise_cosines(W, zero_tol=tol_w, label="w"),
        "cos_feature_classifier": tuple(
            cosine(H[j], W[labels[j]], zero_tol=min(tol_h, tol_w), names=(f"h_{j + 1}", f"w_{labels[j] + 1}"))
            for j in range(lpm.N)
        ),
    }


def solver_for(families: Sequence[SoftmaxLossFamily], geometry: bool):
    """The solve of a claim over ``families``: one independent solve of (7) per loss, merged; plus the root of
    the printed inequality's boundary by findroot. Converged only if every solve converged."""

    def solve(values: Mapping[str, Fraction], options: SolveOptions) -> SolveReport:
        t0 = time.perf_counter()
        q: dict[str, tuple] = {"x_star": (x_star_findroot(int(values["K"]), options.dps),)}
        fq: dict[str, tuple] = {}
        residuals, details, messages, converged = {}, {}, [], True
        for fam in families:
            lpm = model(values, fam)
            rep = solve_constrained(
                lpm,
                options,
                lambda x, ar, lpm=lpm: measure(lpm, x, ar, zero_digits=8 if ar.name == "float64" else options.dps // 2),
            )
            slug = _slug(fam.name)
            converged = converged and rep.converged
            messages.append(f"{fam.name}: {rep.message}")
            residuals |= {f"{slug}.{k}": v for k, v in rep.residuals.items()}
            details[slug] = dict(rep.details)
            for target, measured in ((q, rep.quantities), (fq, rep.float_quantities)):
                target[f"value_{slug}"] = measured.get("value", ())
                if geometry:
                    for name, _, _ in GEOMETRY:
                        target[name] = target.get(name, ()) + tuple(measured.get(name, ()))
        return SolveReport(
            converged=converged,
            message="; ".join(messages),
            quantities=q,
            float_quantities=fq,
            residuals=residuals,
            dps=options.dps,
            seconds=time.perf_counter() - t0,
            details=details,
        )

    return solve


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


# --- strategy --------------------------------------------------------------------------------------------------
def _above(target: Fraction) -> Fraction:
    """The smallest decimal with two significant digits that is >= target (so a drawn point stays inside)."""
    e = len(str(int(target))) - 2 if target >= 1 else -len(str(int(1 / target))) - 1
    step = Fraction(10) ** e
    return -((-target) // step) * step


@st.composite
def parameters(draw, extra: Mapping | None = None) -> dict[str, Fraction]:
    """Small sizes; E_W over two decades and E_H chosen so that sqrt(E_H E_W) / x_star(K) lies in [1.05, 2]
    (above 2 x_star the power loss's value falls below ~1e-12 and float multistart loses its relative accuracy)."""
    K_ = draw(st.integers(2, 4))
    E_W_ = draw(log_decimals(-1, 1))
    ratio = Fraction(draw(st.integers(105, 200)), 100)
    with mpmath.workdps(30):
        xs = Fraction(str(mpmath.nstr(x_star_findroot(K_, 30), 25)))
    out = {
        "K": Fraction(K_),
        "n": Fraction(draw(st.integers(1, 2))),
        "p": Fraction(draw(st.integers(K_ - 1, K_ + 1))),
        "E_H": _above((xs * ratio) ** 2 / E_W_),
        "E_W": E_W_,
    }
    for name, strategy in (extra or {}).items():  # a strategy, or a sequence of values to sample from
        out[name] = draw(st.sampled_from(strategy) if isinstance(strategy, tuple | list) else strategy)
    return out


# --- building claims -------------------------------------------------------------------------------------------
def claim_for_families(
    families: Sequence[SoftmaxLossFamily],
    claim_id: str,
    *,
    geometry: bool,
    examples: Sequence[Example],
    extra_strategies: Mapping | None = None,  # name -> strategy, or a tuple of values to sample
    errata: tuple[Erratum, ...] = (),
    explorations: tuple[Exploration, ...] = (),
    unique_by_theorem_1: Sequence[SoftmaxLossFamily] = (),
) -> Claim:
    """A Theorem-4 claim over one or more losses (14). ``geometry``: also compare norms and cosines of the
    minimiser, which needs uniqueness: the strictness conditions are then hypotheses, except for losses in
    ``unique_by_theorem_1`` (cross-entropy: uniqueness is Theorem 1)."""
    extra_params: list[Parameter] = []
    for fam in families:
        for name in fam.parameters:
            if name not in {p_.name for p_ in (*BASE_PARAMETERS, *extra_params)}:
                extra_params.append(Parameter(name, "real", f"parameter of the {fam.name} loss"))
    hyps = list(base_hypotheses())
    for fam in families:
        hyps += shape_hypotheses(fam, strict=geometry and fam not in unique_by_theorem_1)
    names = ", ".join(f.name for f in families)
    return Claim(
        id=claim_id,
        title=f"Softmax-based losses ({names}): the ETF point is the global minimiser above x_star(K)",
        statement="If sqrt(E_H E_W) > ((K-1)/K) log(K^2 sqrt(E_H E_W) + (2K-1)(K-1)) (i.e. > x_star(K)), the "
        "ETF point (9) is a global minimiser of (7) for every loss (14), with value g1(S*) + (K-1) g2((1-S*)/(K-1)),"
        " S* = 1/(1 + (K-1) exp(-K sqrt(E_H E_W)/(K-1))); unique if g2 is strictly convex and g1 or g2 strictly "
        "monotone.",
        source=Source(PAPER, "Theorem 4, Eq. (14); SI A.2 Eqs. (50)-(63), Lemma 4", SEEDS),
        convention=LayerPeeledModel.convention + "; loss (14): g1(S(z)(k)) + sum_{k' != k} g2(S(z)(k'))",
        parameters=(*BASE_PARAMETERS, *extra_params),
        hypotheses=tuple(hyps),
        quantities=quantities(families, geometry),
        solver=solver_for(families, geometry),
        solver_description="for each loss: SLSQP multistart on (7) (seeded random feasible starts, best value must "
        "be reached by >= 2; a start below the ETF value would make the check fail), mixed-precision Newton "
        "refinement of the KKT system in mpmath; x_star by mpmath.findroot on the printed inequality",
        strategy=lambda: parameters(extra_strategies),
        examples=tuple(examples),
        errata=errata,
        explorations=explorations,
        module=__name__,
        certificate_note="none: the losses (14) other than cross-entropy are convex functions of the softmax, not of "
        "the logits (g1 = (1-x)^q, g2 = x^q are not convex in z), so (15) is not a convex program and weak duality "
        "gives no certificate; cross-entropy itself is certified by fang2021.thm1; verified only",
    )


def claim_for(g1: sp.Expr, g2: sp.Expr, name: str, parameters: tuple[str, ...] = (), *, unique: bool = True) -> Claim:
    """A Theorem-4 claim for one user loss: g1, g2 sympy expressions of ``verify.models.softmax_losses.X``
    (other symbols must be listed in ``parameters`` and are then claim parameters). ``unique=True`` also
    compares the minimiser's geometry and adds the strictness conditions as hypotheses."""
    family = SoftmaxLossFamily(name, sp.sympify(g1), sp.sympify(g2), tuple(parameters), "user loss")
    if not parameters:  # the shape conditions do not depend on the point: a bad g1 or g2 is reported now
        for hyp in shape_hypotheses(family, strict=unique):
            if not hyp.holds({}):
                raise InputError(
                    f"claim_for: {hyp.parameter} of the {name} loss fails '{hyp.statement}'",
                    parameter=hyp.parameter,
                    fix=hyp.fix,
                )
    example = {"K": "3", "n": "1", "p": "3", "E_H": "3", "E_W": "3"} | {q_: "2" for q_ in parameters}
    return claim_for_families(
        (family,),
        f"fang2021.thm4[{name}]",
        geometry=unique,
        examples=(Example(example, "sqrt(E_H E_W) = 3 > x_star(3) = 2.279"),),
        extra_strategies={q_: (Fraction(3, 2), Fraction(2), Fraction(3)) for q_ in parameters},
    )


# --- erratum: the argument of g2 in (50), (51), (56) --------------------------------------------------------------
ERRATUM_POINT = {"K": "3", "n": "1", "p": "3", "E_H": "3", "E_W": "3", "q": "2"}


def _g2_argument_evidence() -> Evidence:
    point = {k: Fraction(v) for k, v in ERRATUM_POINT.items()}
    subs = CLAIM.subs(point)
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


# --- exploration below the hypothesis ----------------------------------------------------------------------------
EXPLORATION_SETTINGS = (  # (family, q, K, x): E_H = E_W = x, n = 1, p = K
    (POWER, 2, 5, "1/5"),
    (POWER, 2, 5, "1/2"),
    (POWER, 2, 5, "1"),
    (CROSS_ENTROPY, None, 5, "1/5"),
    (POWER, 2, 5, "4"),  # above x_star(5) = 3.918
)


def explore_below_threshold(settings=EXPLORATION_SETTINGS, n_starts: int = 8) -> Finding:
    """Float multistart on (7) at E_H = E_W = x, n = 1, p = K: does some point beat the ETF value?"""
    rows = []
    for fam, q_, K_, x_ in settings:
        values = {"K": Fraction(K_), "n": Fraction(1), "p": Fraction(K_), "E_H": Fraction(x_), "E_W": Fraction(x_)}
        if q_ is not None:
            values["q"] = Fraction(q_)
        lpm = model(values, fam)
        with single_threaded_blas():
            ms = multistart(lpm, n_starts=n_starts, seed=0)
        etf = float(sp.N(etf_value(fam).subs(CLAIM.subs({"q": Fraction(2)} | values)), 20))
        W, _ = lpm.unpack(ms.x)
        below = sum(v < etf * (1 - 1e-9) for v in ms.values)
        rows.append(
            {
                "loss": fam.name + (f" q={q_}" if q_ is not None else ""),
                "K": str(K_),
                "x": str(Fraction(x_)),
                "x_star": f"{float(x_star_findroot(K_, 20)):.6f}",
                "etf_value": f"{etf:.10g}",
                "best_value": f"{ms.value:.10g}",
                "rel_diff": f"{(ms.value - etf) / etf:.2e}",
                "starts_below_etf": f"{below}/{ms.n_starts}",
                "gram_distance_W": f"{float(etf_gram_distance(W)):.3g}",
                "classifier_norms": " ".join(f"{float(norm(w)):.4f}" for w in W),
            }
        )
    worse = [r for r in rows if float(r["rel_diff"]) < -1e-9]
    above = [r for r in rows if float(Fraction(r["x"])) > float(r["x_star"])]
    ce = [r for r in rows if r["loss"] == CROSS_ENTROPY.name]
    etf_best = lambda rs: sum(r not in worse for r in rs)  # noqa: E731
    summary = (
        f"{len(worse)} of {len(rows)} settings have a point strictly better than the ETF"
        + (
            ": "
            + "; ".join(f"{r['loss']}, K={r['K']}, x={r['x']}: {r['best_value']} < ETF {r['etf_value']}" for r in worse)
            if worse
            else ""
        )
        + f". Above x_star(K) the ETF value is the best found in {etf_best(above)} of {len(above)} settings; "
        f"for cross-entropy in {etf_best(ce)} of {len(ce)}."
    )
    return Finding(summary=summary, rows=tuple(rows))


EXPLORATIONS = (
    Exploration(
        claim_id="fang2021.thm4",
        label="exploration",
        title="Below x_star(K): is the ETF still optimal?",
        question="For sqrt(E_H E_W) < x_star(K) Theorem 4 says nothing. Does an independent multistart of (7) find "
        "points below the ETF value for the power loss (q = 2, K = 5) and for cross-entropy (n = 1, p = K)?",
        run=explore_below_threshold,
    ),
)

# --- the registered claim: cross-entropy and the power loss at every point ----------------------------------------
CLAIM = claim_for_families(
    (CROSS_ENTROPY, POWER),
    "fang2021.thm4",
    geometry=True,
    unique_by_theorem_1=(CROSS_ENTROPY,),
    examples=(
        Example({"K": "3", "n": "1", "p": "3", "E_H": "3", "E_W": "3", "q": "2"}, "x = 3 > x_star(3) = 2.279"),
        Example(
            {"K": "2", "n": "1", "p": "1", "E_H": "1", "E_W": "1", "q": "3"}, "K = 2, p = 1, x = 1 just above 0.962"
        ),
        Example({"K": "4", "n": "2", "p": "3", "E_H": "4", "E_W": "3", "q": "3/2"}, "p = K-1, n = 2, x = 3.46"),
        Example({"K": "3", "n": "2", "p": "4", "E_H": "8", "E_W": "1", "q": "3"}, "E_H != E_W, x = 2.83"),
    ),
    extra_strategies={"q": (Fraction(3, 2), Fraction(2), Fraction(3))},
    errata=ERRATA,
    explorations=EXPLORATIONS,
)
