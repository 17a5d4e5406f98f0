"""dang2024 prop1: the paper's closed forms and their high-precision references (the record is verify.claims.dang2024.prop1)."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from functools import cache

import mpmath

from verify.claims.dang2024 import _closed_form as cf
from verify.claims.dang2024._solve import two_group_sizes
from verify.record import (
    Hypothesis,
    Parameter,
    Undefined,
)

PARAMETERS = (
    Parameter("K_A", "integer", "number of majority classes (n_A = R n_B samples each)"),
    Parameter("K_B", "integer", "number of minority classes (n_B samples each)"),
    Parameter("n_B", "integer", "minority class size"),
    Parameter("R", "real", "imbalance ratio n_A / n_B >= 1 (R n_B must be an integer)"),
    Parameter("lambda_W", "real", "classifier weight decay (penalty lambda_W/2 ||W||_F^2)"),
    Parameter("lambda_H", "real", "feature weight decay (penalty lambda_H/2 ||H||_F^2)"),
    Parameter(
        "d",
        "integer",
        "feature dimension of the solve (d >= K; no quantity depends on it)",
        default=lambda v: Fraction(4 * (v["K_A"] + v["K_B"])),
        default_text="4K",
    ),
)


HYPOTHESES = (
    Hypothesis("K_A >= 1", lambda v: v["K_A"] >= 1, "K_A", "give at least one majority class (K_A >= 1)"),
    Hypothesis("K_B >= 1", lambda v: v["K_B"] >= 1, "K_B", "give at least one minority class (K_B >= 1)"),
    Hypothesis("n_B >= 1", lambda v: v["n_B"] >= 1, "n_B", "a class needs at least one sample (n_B >= 1)"),
    Hypothesis("R >= 1", lambda v: v["R"] >= 1, "R", "R = n_A/n_B >= 1 (swap the groups if n_A < n_B)"),
    Hypothesis(
        "R n_B is an integer",
        lambda v: (v["R"] * v["n_B"]).denominator == 1,
        "R",
        "n_A = R n_B counts samples: choose R with R n_B an integer",
    ),
    Hypothesis("lambda_W > 0", lambda v: v["lambda_W"] > 0, "lambda_W", "give a positive weight decay lambda_W"),
    Hypothesis("lambda_H > 0", lambda v: v["lambda_H"] > 0, "lambda_H", "give a positive weight decay lambda_H"),
    Hypothesis(
        "d >= K",
        lambda v: v["d"] >= v["K_A"] + v["K_B"],
        "d",
        "raise d to at least K = K_A + K_B (or omit d: 4K)",
        uses=("d", "K_A", "K_B"),
    ),
)


def class_sizes(values: Mapping[str, Fraction]) -> tuple[Fraction, ...]:
    return two_group_sizes(int(values["K_A"]), int(values["K_B"]), values["n_B"], values["R"])


def _groups(values) -> tuple[list[int], list[int]]:
    KA, KB = int(values["K_A"]), int(values["K_B"])
    return list(range(KA)), list(range(KA, KA + KB))


def _per_class(values: Mapping[str, Fraction], dps: int) -> dict:
    """The thm1 per-class closed forms at n = (R n_B,)*K_A + (n_B,)*K_B (cached: every quantity reads them)."""
    key = tuple(values[k] for k in ("K_A", "K_B", "n_B", "R", "lambda_W", "lambda_H"))
    return _per_class_cached(key, dps)


@cache
def _per_class_cached(key: tuple, dps: int) -> dict:
    KA, KB, nB, R, lw, lh = key
    opt = cf.optimum(two_group_sizes(int(KA), int(KB), nB, R), lw, lh, dps)
    return {
        "opt": opt,
        "norm_h": cf.norm_h(opt),
        "norm_w": cf.norm_w(opt, dps),
        "cos_w": cf.cos_w(opt, dps),
        "cos_wh": cf.cos_wh(opt, dps),
    }


def _group_reference(name: str):
    def reference(values: Mapping[str, Fraction], dps: int):
        A, B = _groups(values)
        a0, b0 = A[0] + 1, B[0] + 1
        pc = _per_class(values, dps)
        opt = pc["opt"]
        if name == "minority_alive":
            return mpmath.mpf(1 if opt.alive[B[0]] else 0)
        if name == "M_majority":
            return +opt.M[A[0]]
        if name == "M_minority":
            return +opt.M[B[0]]
        if name == "norm_h_majority":
            return +pc["norm_h"][str(a0)]
        if name == "norm_h_minority":
            return +pc["norm_h"][str(b0)]
        if name == "norm_w_majority":
            return +pc["norm_w"][str(a0)]
        if name == "norm_w_minority":
            return +pc["norm_w"][str(b0)]
        if name == "norm_ratio_w":
            if not any(opt.alive):
                return Undefined("every class collapses: W = 0")
            return pc["norm_w"][str(a0)] / pc["norm_w"][str(b0)]
        if name == "cos_w_majority":
            return pc["cos_w"][f"{a0},{a0 + 1}"] if len(A) > 1 else Undefined("K_A = 1: no pair of majority classes")
        if name == "cos_w_minority":
            return pc["cos_w"][f"{b0},{b0 + 1}"] if len(B) > 1 else Undefined("K_B = 1: no pair of minority classes")
        if name == "cos_w_majority_minority":
            return pc["cos_w"][f"{a0},{b0}"]
        if name == "cos_wh_majority":
            return pc["cos_wh"][f"{a0},{a0}"]
        if name == "cos_wh_minority":
            return pc["cos_wh"][f"{b0},{b0}"]
        if name == "value":
            return cf.value(opt)
        raise KeyError(name)

    return reference


def r_star_value(values: Mapping[str, Fraction], dps: int):
    r = cf.r_star(values["K_A"], values["K_B"], values["n_B"], values["lambda_W"], values["lambda_H"])
    return Undefined("the minority is collapsed at every R > 0 (R* <= 0)") if r <= 0 else r
