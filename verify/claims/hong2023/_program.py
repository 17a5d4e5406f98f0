"""Shared pieces of family F: the parameters, hypotheses and draws, the original program's solve (through the
kit's :func:`verify.authoring.group_ufm_solve`) and the convex-in-Z references (:mod:`verify.solvers.two_size_ce`).

Program (THEOREMS-NEXT.md, family F): K_A classes of n_A = R n_B samples, K_B classes of n_B samples,
f(W, H) = (1/N) sum_i CE(W h_i, y_i) + (lambda_W/2)||W||_F^2 + (lambda_H/2)||H||_F^2, no bias, d >= K - 1.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from functools import cache

import mpmath
import sympy

from verify import authoring as a
from verify.models.two_size_ce import TwoSizeCE
from verify.solvers.two_size_ce import ReducedMinimum, merge_pressure, solve_reduced

CONVENTION = (
    "mean loss (1/N) sum_i CE(W h_i, y_i) + (lambda_W/2)||W||_F^2 + (lambda_H/2)||H||_F^2 (sums, not class "
    "averages), unconstrained, no bias; K_A classes of n_A = R n_B samples (group A), then K_B classes of n_B (B)"
)

_K_A, _K_B, _n_B, _lW, _lH = sympy.symbols("K_A K_B n_B lambda_W lambda_H", positive=True)
#: R* = (1/sqrt(n_B lambda_W lambda_H) - K_B)/K_A (THEOREMS-NEXT.md family F; proofs/hong2023.minority_collapse.md)
R_STAR = (1 / sympy.sqrt(_n_B * _lW * _lH) - _K_B) / _K_A

PARAMETERS = [
    a.integer("K_A", "number of majority classes (n_A = R n_B samples each)"),
    a.integer("K_B", "number of minority classes (n_B samples each)"),
    a.integer("n_B", "minority class size"),
    a.real("R", "imbalance ratio n_A / n_B >= 1 (R n_B must be an integer)"),
    a.real("lambda_W", "classifier weight decay (penalty lambda_W/2 ||W||_F^2)"),
    a.real("lambda_H", "feature weight decay (penalty lambda_H/2 ||H||_F^2)"),
    a.integer(
        "d",
        "feature dimension of the solve (d >= K - 1; no quantity depends on it)",
        default=lambda v: v["K_A"] + v["K_B"],
        default_text="K",
    ),
]

HYPOTHESES = [
    a.hypothesis("K_A >= 1", lambda v: v["K_A"] >= 1, "K_A", "give at least one majority class (K_A >= 1)"),
    a.hypothesis(
        "K_B >= 2", lambda v: v["K_B"] >= 2, "K_B", "give at least two minority classes: one class cannot merge"
    ),
    a.hypothesis("n_B >= 1", lambda v: v["n_B"] >= 1, "n_B", "a class needs at least one sample (n_B >= 1)"),
    a.hypothesis("R >= 1", lambda v: v["R"] >= 1, "R", "R = n_A/n_B >= 1 (swap the groups if n_A < n_B)"),
    a.hypothesis(
        "R n_B is an integer",
        lambda v: (v["R"] * v["n_B"]).denominator == 1,
        "R",
        "n_A = R n_B counts samples: choose R with R n_B an integer",
        uses=("R", "n_B"),
    ),
    a.hypothesis("lambda_W > 0", lambda v: v["lambda_W"] > 0, "lambda_W", "give a positive weight decay"),
    a.hypothesis("lambda_H > 0", lambda v: v["lambda_H"] > 0, "lambda_H", "give a positive weight decay"),
    a.hypothesis(
        "d >= K - 1",
        lambda v: v["d"] >= v["K_A"] + v["K_B"] - 1,
        "d",
        "raise d to at least K - 1 = K_A + K_B - 1 (or omit d: K)",
        uses=("d", "K_A", "K_B"),
    ),
]


def class_sizes(values: Mapping) -> tuple[int, ...]:
    n_b = int(values["n_B"])
    return (int(values["R"] * n_b),) * int(values["K_A"]) + (n_b,) * int(values["K_B"])


def groups(values: Mapping) -> dict[str, range]:
    ka, k = int(values["K_A"]), int(values["K_A"] + values["K_B"])
    return {"A": range(ka), "B": range(ka, k)}


def program(values: Mapping, R: Fraction | None = None) -> TwoSizeCE:
    """The convex program at the values (or at another, real, ratio R: n_A = R n_B)."""
    r = values["R"] if R is None else R
    return TwoSizeCE(
        int(values["K_A"]), int(values["K_B"]), r * values["n_B"], values["n_B"], values["lambda_W"], values["lambda_H"]
    )


def _key(values: Mapping) -> tuple:
    names = ("K_A", "K_B", "n_B", "R", "lambda_W", "lambda_H")
    return tuple(Fraction(values[n]) for n in names)


@cache
def _reduced(key: tuple, dps: int) -> tuple[ReducedMinimum, mpmath.matrix, mpmath.matrix]:
    values = dict(zip(("K_A", "K_B", "n_B", "R", "lambda_W", "lambda_H"), key, strict=True))
    prog = program(values)
    sol = solve_reduced(prog, dps)
    with mpmath.workdps(dps + 10):
        WW, HH = prog.grams(prog.logits(sol.x))
    return sol, WW, HH


def reduced(values: Mapping, dps: int) -> tuple[ReducedMinimum, mpmath.matrix, mpmath.matrix]:
    """The minimiser of the four-scalar convex program and the Grams (W W^T, hbar Gram) it factors into."""
    return _reduced(_key(values), dps)


def pressure(values: Mapping, R, dps: int) -> mpmath.mpf:
    """The one-sided derivative along dB at the minimiser restricted to merged minority classifiers, at the real
    ratio R (>= 0 iff they merge): what :func:`verify.authoring.root_solve` finds the root of."""
    r = mpmath.mpf(R)
    exact = Fraction(int(r.man)) * Fraction(2) ** int(r.exp) if r.man else Fraction(0)  # the binary value, exactly
    return merge_pressure(program(values, exact), dps)


def original_solve(measure: Mapping[str, str]) -> a.Solve:
    """The original (W, H) program on the individual samples (never the convex form)."""
    return a.group_ufm_solve(
        penalties={"W": "lambda_W", "H": "lambda_H"},
        classes=class_sizes,
        groups=groups,
        dimension="d",
        measure=measure,
    )


def draws() -> dict:
    """K <= 5 classes, at most 4 majority samples: the original program has at most (K + N) K <= 95 unknowns."""
    return {
        "K_A": a.integers(1, 2),
        "K_B": a.integers(2, 3),
        "n_B": a.integers(1, 2),
        "R": lambda v: a.choice(*sorted({Fraction(m, int(v["n_B"])) for m in range(int(v["n_B"]), 5)})),
        "lambda_W": a.decimals("0.02", "0.15"),
        "lambda_H": a.decimals("0.02", "0.15"),
    }


# --- the convex-in-Z references of the geometry --------------------------------------------------------------
def _cos(G, k: int, l: int, what: str):  # noqa: E741
    if G[k, k] <= 0 or G[l, l] <= 0:
        return a.Undefined(f"{what}: a zero vector at the minimiser (all W, H vanish)")
    return G[k, l] / mpmath.sqrt(G[k, k] * G[l, l])


def reference(name: str):
    """The reference of quantity ``name`` from the minimiser of the convex program (its Grams W W^T, hbar Gram)."""

    def ref(values: Mapping, dps: int):
        sol, WW, HH = reduced(values, dps)
        if not sol.converged:
            return a.Unavailable(f"the convex program's active-set Newton solve: {sol.message}")
        ka = int(values["K_A"])
        with mpmath.workdps(dps + 10):
            out = {
                "value": lambda: sol.value,
                "norm_w_majority": lambda: mpmath.sqrt(WW[0, 0]),
                "norm_w_minority": lambda: mpmath.sqrt(WW[ka, ka]),
                "norm_h_majority": lambda: mpmath.sqrt(HH[0, 0]),
                "norm_h_minority": lambda: mpmath.sqrt(HH[ka, ka]),
                "cos_w_minority": lambda: _cos(WW, ka, ka + 1, "cos(w_k, w_l)"),
                "cos_w_between": lambda: _cos(WW, 0, ka, "cos(w_A, w_B)"),
                "cos_h_minority": lambda: _cos(HH, ka, ka + 1, "cos(hbar_k, hbar_l)"),
            }[name]()
        with mpmath.workdps(dps):
            return out if isinstance(out, a.Undefined) else +out

    return ref
