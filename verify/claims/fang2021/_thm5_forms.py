"""fang2021 thm5: the paper's closed forms and their high-precision references (the record is verify.claims.fang2021.thm5)."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from functools import cache

import mpmath
import sympy as sp

from verify.base.errors import InputError
from verify.base.precision import evaluate_expr
from verify.claims.fang2021._thm5_reference import (
    NAMES,
    R0_BRACKET_LIMIT,
    R0_SEARCH_LIMIT,
    kkt_point,
    loss_value,
    r0_root,
)
from verify.models.arith import to_mpf
from verify.record import (
    Parameter,
    Unavailable,
    Undefined,
)

PARAMETERS = (
    Parameter("K_A", "integer", "number of majority classes (n_A samples each)"),
    Parameter("K_B", "integer", "number of minority classes (n_B samples each)"),
    Parameter("E_H", "real", "feature budget: (1/K) sum_k (1/n_k) sum_i ||h_{k,i}||^2 <= E_H"),
    Parameter("E_W", "real", "classifier budget: (1/K) sum_k ||w_k||^2 <= E_W"),
    Parameter("R", "real", "imbalance ratio n_A / n_B >= 1"),
)


K_A, K_B, E_H, E_W, R = (par.symbol for par in PARAMETERS)


K = K_A + K_B


# --- closed forms: the vanished phase, R1 and the limit problem (66) ---------------------------------------
#: Majority margin in the vanished phase: the majority classifiers and means form a K_A-simplex ETF using
#: the whole budgets (K_A p_A^2 = K E_H, K_A q_A^2 = K E_W), so x_A = p_A q_A = K sqrt(E_H E_W) / K_A.
X_VANISHED = K * sp.sqrt(E_H * E_W) / K_A


_D_A = 1 + (K_A - 1) * sp.exp(-K_A * X_VANISHED / (K_A - 1)) + K_B * sp.exp(-X_VANISHED)


_LA_X = (K_A * sp.exp(-K_A * X_VANISHED / (K_A - 1)) + K_B * sp.exp(-X_VANISHED)) / _D_A


#: R1: below it the stationarity in (s_A, s_B, d) at d = 0 has a nonzero solution (proofs/fang2021.thm5.md,
#: step 5); it exists iff the denominator is positive, which is Lemma 5's case (ii) condition.
R1_DENOMINATOR = _LA_X**2 / K - K_B * sp.exp(-2 * X_VANISHED) / _D_A**2


R1 = sp.sqrt((K_A / K**2) / R1_DENOMINATOR)


#: Lemma 5 case (ii) as printed (SI B.2): K_A > 1 and exp((1 + 1/K_R) sqrt(E_H E_W)/(K_A-1)) < sqrt(1+K_R)+1.
_KR = K_A / K_B


CASE_II_PRINTED = sp.exp((1 + 1 / _KR) * sp.sqrt(E_H * E_W) / (K_A - 1)) - (sp.sqrt(1 + _KR) + 1)


def r1_value(values: Mapping[str, Fraction], dps: int) -> mpmath.mpf | None:
    """R1 at ``values`` (None when the minority classifiers never vanish: K_A = 1 or case (ii) fails)."""
    if values["K_A"] < 2:
        return None
    subs = {p.symbol: sp.Rational(values[p.name].numerator, values[p.name].denominator) for p in PARAMETERS[:4]}
    # relative digits at any scale (verify.base.precision): the denominator's sign is certified (its enclosure
    # excludes 0) before R1 is evaluated; a denominator unresolved at the precision cap is 0 to 2000 digits,
    # R1 = infinity there: the minority classifiers never vanish
    den = evaluate_expr(R1_DENOMINATOR, subs, dps + 10)
    if isinstance(den, Unavailable) or den <= 0:
        return None
    return evaluate_expr(R1, subs, dps + 5)  # den certified > 0: sqrt(K_A / K^2 / den) resolves


def r1_quantity(values: Mapping[str, Fraction], dps: int) -> mpmath.mpf | Undefined:
    """The quantity R1: the closed form :data:`R1`, or Undefined with the reason where the minority classifiers
    never vanish (K_A = 1: Lemma 5 case (i); R1's denominator <= 0: case (ii) fails) or where R1 lies beyond
    :data:`R0_SEARCH_LIMIT` (the solver's phase search stops there too, as for R0)."""
    if values["K_A"] < 2:
        return Undefined("K_A = 1: the minority classifiers never vanish (Lemma 5 case (i))")
    r1 = r1_value(values, dps)
    if r1 is None:
        return Undefined(
            "the minority classifiers never vanish: Lemma 5's case (ii) fails (R1's denominator "
            "L_A'(x)^2/K - K_B e^(-2x)/D_A^2 <= 0)"
        )
    if r1 >= R0_SEARCH_LIMIT:
        return Undefined(f"R1 = {mpmath.nstr(r1, 15)} lies beyond R = {R0_SEARCH_LIMIT:.0e}, where the search stops")
    return r1


def limit_value(K_A: int, K_B: int, E_H, E_W) -> tuple[mpmath.mpf, mpmath.mpf]:
    """(L0, u*) of Lemma 5's program (66) (R = infinity: only the majority loss counts), closed form.

    The majority budget splits into the within-majority simplex part (share u) and the group-mean direction
    (1 - u, which also carries the minority classifiers' common offset d); the H and W angles coincide
    (Cauchy-Schwarz), leaving L0 = log(1 + min_u g(u)) with g convex; u* = 1 is case (ii) (minority w = 0),
    u* < 1 case (iii), K_A = 1 case (i) (proofs/fang2021.thm5.md, step 6)."""
    KA, KB = mpmath.mpf(K_A), mpmath.mpf(K_B)
    Kt, s = KA + KB, mpmath.sqrt(to_mpf(Fraction(E_H)) * to_mpf(Fraction(E_W)))
    c2, c3 = Kt**1.5 * s / (KA * mpmath.sqrt(KB)), Kt * s / KA
    if K_A == 1:
        return mpmath.log(1 + KB * mpmath.exp(-c2)), mpmath.mpf(0)
    c1 = Kt * s / (KA - 1)
    u = (mpmath.log((KA - 1) * c1 / (KB * (c2 - c3))) + c2) / (c1 + c2 - c3)
    u = min(max(u, mpmath.mpf(0)), mpmath.mpf(1))
    g = (KA - 1) * mpmath.exp(-c1 * u) + KB * mpmath.exp(-c2 * (1 - u) - c3 * u)
    return mpmath.log(1 + g), u


def r0_value(values: Mapping[str, Fraction], dps: int) -> mpmath.mpf | Undefined:
    """R0 at ``values``; Undefined for K_B = 1 (a single minority classifier has no pair to collapse) and,
    with the reason, when R0 lies beyond R = 1e300 (:data:`R0_BRACKET_LIMIT`, float64's range of the bracket)."""
    if values["K_B"] < 2:
        return Undefined("K_B = 1: a single minority classifier, no pair to collapse")
    try:
        return r0_root(int(values["K_A"]), int(values["K_B"]), values["E_H"], values["E_W"], dps)
    except ArithmeticError as exc:
        return Undefined(str(exc))


def phase(values: Mapping[str, Fraction], dps: int = 30) -> str:
    """The predicted phase of the minority classifiers: separated, collapsed or vanished."""
    r1 = r1_value(values, dps)
    r = to_mpf(values["R"])
    if r1 is not None and r >= r1:
        return "vanished"
    r0 = r0_value(values, dps)
    if values["K_B"] >= 2 and isinstance(r0, Undefined):
        if r >= R0_BRACKET_LIMIT:
            raise InputError(
                f"R = {mpmath.nstr(r, 6)}: {r0.reason}",
                parameter="R",
                fix=f"give R < {R0_BRACKET_LIMIT:.0e} for these budgets",
            )
        return "separated"
    if values["K_B"] >= 2 and r < r0:
        return "separated"
    return "collapsed"


@cache
def _reference_point(KA: int, KB: int, EH: Fraction, EW: Fraction, Rv: Fraction, dps: int) -> dict:
    """The minimiser's seven scalars, predicted from the phase and its optimality conditions."""
    ph = phase({"K_A": Fraction(KA), "K_B": Fraction(KB), "E_H": EH, "E_W": EW, "R": Fraction(Rv)}, dps)
    if ph != "vanished":
        return {**kkt_point(KA, KB, EH, EW, Rv, ph, dps), "phase": ph}
    with mpmath.workdps(dps + 10):  # majority K_A-simplex ETF with the whole budgets; minority h = w = 0
        point = dict.fromkeys(NAMES, mpmath.mpf(0))
        point.update(p_A=mpmath.sqrt((KA + KB) * to_mpf(EH) / KA), q_A=mpmath.sqrt((KA + KB) * to_mpf(EW) / KA))
    return {**point, "phase": ph}


def _geometry(values: Mapping[str, Fraction], dps: int) -> dict:
    """Every quantity at ``values`` from the reference point (Undefined where a vector is zero)."""
    KA, KB = int(values["K_A"]), int(values["K_B"])
    pt = _reference_point(KA, KB, values["E_H"], values["E_W"], values["R"], dps)
    ph = pt["phase"]
    with mpmath.workdps(dps + 10):
        Kt = KA + KB
        tA, tB = KB * pt["d"] / Kt, -KA * pt["d"] / Kt
        nwA2, nwB2 = tA**2 + pt["q_A"] ** 2, tB**2 + pt["q_B"] ** 2
        vanished = Undefined(f"vanished phase (R >= R1): the minority classifiers are exactly 0, phase {ph}")
        out = {
            "norm_w_majority": mpmath.sqrt(nwA2),
            "norm_w_minority": mpmath.sqrt(nwB2),
            "norm_h_majority": mpmath.sqrt(pt["s_A"] ** 2 + pt["p_A"] ** 2),
            "norm_h_minority": mpmath.sqrt(pt["s_B"] ** 2 + pt["p_B"] ** 2),
            "cos_majority": (tA**2 - pt["q_A"] ** 2 / (KA - 1)) / nwA2
            if KA > 1
            else Undefined("K_A = 1: no pair of majority classifiers"),
        }
        if KB < 2:
            out["cos_minority"] = Undefined("K_B = 1: no pair of minority classifiers")
        elif ph == "vanished":
            out["cos_minority"] = vanished
        else:
            out["cos_minority"] = (tB**2 - pt["q_B"] ** 2 / (KB - 1)) / nwB2
        out["cos_majority_minority"] = vanished if ph == "vanished" else tA * tB / mpmath.sqrt(nwA2 * nwB2)
        out["value"] = loss_value(KA, KB, pt, "separated" if ph == "separated" else "collapsed", to_mpf(values["R"]))
    return out


def _ref(name: str):
    def reference(values: Mapping[str, Fraction], dps: int):
        v = _geometry(values, dps)[name]
        return v if isinstance(v, Undefined) else +v

    return reference
