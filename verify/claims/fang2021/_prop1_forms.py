"""fang2021 prop1: the paper's closed forms and their high-precision references (the record is verify.claims.fang2021.prop1)."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

import mpmath

from verify.models.arith import to_mpf
from verify.record import (
    Parameter,
    Undefined,
)
from verify.solvers.conic import PolishedSolution, polished_optimum

PARAMETERS = (
    Parameter("K_A", "integer", "number of majority classes"),
    Parameter("K_B", "integer", "number of minority classes"),
    Parameter("n_A", "integer", "samples per majority class"),
    Parameter("n_B", "integer", "samples per minority class"),
    Parameter("w_r", "real", "oversampling rate of the minority classes (any real > 0)"),
    Parameter(
        "p",
        "integer",
        "feature dimension (Proposition 1: p >= 2K)",
        default=lambda v: 2 * (v["K_A"] + v["K_B"]),
        default_text="2K",
    ),
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
