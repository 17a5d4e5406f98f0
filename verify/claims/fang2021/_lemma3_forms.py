"""fang2021 lemma3: the paper's closed forms and their high-precision references (the record is verify.claims.fang2021.lemma3)."""

from __future__ import annotations

import sympy as sp

from verify.record import (
    Parameter,
)

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
