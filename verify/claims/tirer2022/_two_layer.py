"""Shared by tirer2022.thm4_1 (linear) and thm4_2 (ReLU): parameters, closed forms, references, measurement and
the independent solve of problems (23)/(24).

Closed forms (derived in proofs/tirer2022.thm4_1.md): with beta = (n lambda_H1 lambda_W1 lambda_W2)^(1/3), the
nonzero stationary points with all K directions active have the singular value u^3 of W2 W1 Hbar1, u a
positive root of u^4 - u + K beta = 0; the local minimiser is the *largest* root (the smaller one is a local
maximum of the scalar core). Factor singular values: W2: u sqrt(beta/lambda_W2), W1: u sqrt(beta/lambda_W1),
Hbar1: u sqrt(beta/(n lambda_H1)); value 1/2 + u^3/2 - u^6.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

import mpmath
import sympy as sp

from verify.certify.intervals import Undecided, arb_of, closed_form_ball, precision
from verify.certify.roots import positive_roots_by_sign_change
from verify.claims.tirer2022._one_layer import (
    GEOMETRY_TOL,
    SAMPLES,
    TWO_CLASSES,
    VALUE_TOL,
    positive,
)
from verify.models.arith import to_mpf
from verify.record import ErrorBudget, Hypothesis, Parameter, Quantity, Tolerance, Undefined

PARAMETERS = (
    Parameter("K", "integer", "number of classes"),
    Parameter("n", "integer", "samples per class (balanced)"),
    Parameter("lambda_W1", "real", "weight decay of the first layer W1 (d2 x d1)"),
    Parameter("lambda_W2", "real", "weight decay of the last layer W2 (K x d2)"),
    Parameter("lambda_H1", "real", "weight decay of the first-level features H1 (d1 x Kn)"),
    Parameter(
        "d1",
        "integer",
        "first feature dimension (solve only), d1 >= K",
        default=lambda v: 2 * v["K"],
        default_text="2K",
    ),
    Parameter(
        "d2",
        "integer",
        "second feature dimension (solve only), d2 >= K",
        default=lambda v: 2 * v["K"],
        default_text="2K",
    ),
)
K, n, lambda_W1, lambda_W2, lambda_H1, d1, d2 = (par.symbol for par in PARAMETERS)
BETA = (n * lambda_H1 * lambda_W1 * lambda_W2) ** sp.Rational(1, 3)
BETA_GLOBAL = 2 ** sp.Rational(-4, 3) / K
BETA_LOCAL = 3 * 2 ** sp.Rational(-8, 3) / K
#: K^3 n lambda_H1 lambda_W1 lambda_W2 against 1/16 (global) and 27/256 (existence): exact rational tests.
CUBE = K**3 * n * lambda_H1 * lambda_W1 * lambda_W2

HYPOTHESES = (
    TWO_CLASSES,
    SAMPLES,
    positive("lambda_W1"),
    positive("lambda_W2"),
    positive("lambda_H1"),
    Hypothesis("d1 >= K", lambda v: v["d1"] >= v["K"], "d1", "raise d1 to at least K", uses=("d1", "K")),
    Hypothesis("d2 >= K", lambda v: v["d2"] >= v["K"], "d2", "raise d2 to at least K", uses=("d2", "K")),
)

THRESHOLD_TOL = Tolerance(
    guard_digits=2,
    reason="both sides are roots at dps+10 digits: the closed forms are exact, the measurement solves the tie and "
    "fold systems of the diagonal sub-model by mpmath Newton to residual 10^-(dps+2) (numerical Jacobian); the "
    "roots are simple (the tie crossing is transversal; the fold system is regular in (a, b, c, t)), so their "
    "error is ~ the residual; the last error is the rounding to dps digits, x10 for the few operations after: 2 guard digits",
    budget=ErrorBudget(0, 1e1, 1),
)
ROOT_TOL = Tolerance(
    guard_digits=9,
    reason="u is measured as (singular value of W2 W1 Hbar1)^(1/3) at the polished point: the forward error of the "
    "point (stationarity 10^-(dps-5) times the Hessian condition off the orbit, measured below 1e3 at the pinned "
    "and drawn points, which keep K beta 2% from both ties) is below 10^-(dps-8): 5 + 3 + 1 spare = 9 guard digits",
    budget=ErrorBudget(5, 1e3, 1, residuals=("stationarity",), condition=("hessian_condition",)),
)


def _exact(values: Mapping[str, Fraction]) -> Fraction:
    return values["K"] ** 3 * values["n"] * values["lambda_H1"] * values["lambda_W1"] * values["lambda_W2"]


def u_root(values: Mapping[str, Fraction], dps: int) -> mpmath.mpf | Undefined:
    """The largest positive root of u^4 - u + K beta = 0, or Undefined when there is none (K beta > 3 2^(-8/3))."""
    c = _exact(values)
    if c > Fraction(27, 256):
        return Undefined("K beta > 3 2^(-8/3): u^4 - u + K beta has no positive root, no nonzero stationary point")
    with mpmath.workdps(dps + 10):
        if c == Fraction(27, 256):
            return mpmath.mpf(2) ** (mpmath.mpf(-2) / 3)  # the double root at the fold
        kb = mpmath.cbrt(to_mpf(c))
        roots = mpmath.polyroots([1, 0, 0, -1, kb], maxsteps=200, extraprec=2 * dps)
        real = [mpmath.re(r) for r in roots if abs(mpmath.im(r)) <= mpmath.mpf(10) ** (-(dps + 5))]
        u = max(r for r in real if r > 0)
        return mpmath.findroot(lambda x: x**4 - x + kb, u)  # polish the root at the working precision


def u_ball(values: Mapping[str, Fraction], dps: int):
    """The ``ball`` hook of u: the quartic u^4 - u + K beta (K beta = cbrt(K^3 n lambda_H1 lambda_W1 lambda_W2) as
    a ball) has at most two positive roots (Descartes: signs + - +); both are enclosed by certified sign
    changes around mpmath's approximations (verify/certify/roots.py), so the larger ball holds the largest
    positive root. At the fold (a double root) or beyond it no sign change exists: no ball."""
    c = _exact(values)
    if c >= Fraction(27, 256):
        raise Undecided(
            "K beta >= 3 2^(-8/3): no simple positive root (the fold or no root): no sign change to certify"
        )
    with mpmath.workdps(dps + 20):
        kb = mpmath.cbrt(to_mpf(c))
        approx = [mpmath.re(r) for r in mpmath.polyroots([1, 0, 0, -1, kb], maxsteps=200, extraprec=2 * dps)]
        approx = [mpmath.findroot(lambda x: x**4 - x + kb, r) for r in approx if r > 0]
    with precision(dps + 10):
        kb_ball = (arb_of(c).log() / 3).exp()  # cbrt of an exact rational, outward rounded
        roots = positive_roots_by_sign_change([arb_of(1), arb_of(0), arb_of(0), arb_of(-1), kb_ball], approx)
        return +roots[-1]


def value_ball(values: Mapping[str, Fraction], dps: int):
    """The ``ball`` hook of the value: 1/2 (exact) when K^3 n lambda_H1 lambda_W1 lambda_W2 >= 1/16 (K beta >=
    2^(-4/3), decided exactly), else 1/2 + u^3/2 - u^6 with u the certified ball of :func:`u_ball`."""
    if _exact(values) >= Fraction(1, 16):
        return arb_of(Fraction(1, 2))
    u = u_ball(values, dps)
    with precision(dps + 10):
        return 1 / arb_of(2) + u**3 / 2 - u**6


def _from_u(fn):
    """A reference ``(values, dps) -> fn(u, beta, values)`` at dps+10, Undefined when u is."""

    def ref(values, dps):
        u = u_root(values, dps)
        if isinstance(u, Undefined):
            return u
        with mpmath.workdps(dps + 10):
            beta = mpmath.cbrt(to_mpf(values["n"] * values["lambda_H1"] * values["lambda_W1"] * values["lambda_W2"]))
            lam = {k: to_mpf(values[k]) for k in ("lambda_W1", "lambda_W2", "lambda_H1", "n")}
            return +fn(u, beta, lam)

    return ref


def _value(values, dps):
    u = u_root(values, dps)
    with mpmath.workdps(dps + 10):
        if isinstance(u, Undefined) or _exact(values) >= Fraction(1, 16):
            return mpmath.mpf(1) / 2
        return 1 / mpmath.mpf(2) + u**3 / 2 - u**6


_ALL = ("K", "n", "lambda_W1", "lambda_W2", "lambda_H1")
_DEF = " at the nonzero local minimiser with all K directions active (u the largest positive root of u^4 - u + K beta)"


def common_quantities() -> list:
    """The quantities both claims share (values, u, the last layer, thresholds and ties)."""
    return [
        Quantity(
            "value",
            "optimal value: 1/2 + u^3/2 - u^6 if K beta < 2^(-4/3), else 1/2 (the origin)",
            None,
            VALUE_TOL,
            reference=_value,
            ball=value_ball,
            definition="min(1/2, 1/2 + u^3/2 - u^6), u the largest positive root of u^4 - u + K beta (1/2 without one)",
            needs=_ALL,
        ),
        Quantity(
            "value_nonzero",
            "value of the nonzero local minimiser (all directions active): 1/2 + u^3/2 - u^6",
            None,
            VALUE_TOL,
            reference=_from_u(lambda u, b, lam: 1 / mpmath.mpf(2) + u**3 / 2 - u**6),
            definition="1/2 + u^3/2 - u^6" + _DEF + "; undefined when K beta > 3 2^(-8/3)",
            needs=_ALL,
        ),
        Quantity(
            "u",
            "the scale u: largest positive root of u^4 - u + K beta = 0 (u^3 = singular value of W2 s(W1 Hbar1))",
            None,
            ROOT_TOL,
            reference=_from_u(lambda u, b, lam: u),
            ball=u_ball,
            definition="largest positive root of u^4 - u + K beta (mpmath polyroots, polished by findroot)",
            needs=_ALL,
        ),
        Quantity(
            "sigma_W2",
            "the K singular values of W2: u sqrt(beta/lambda_W2)",
            None,
            GEOMETRY_TOL,
            reference=_from_u(lambda u, b, lam: u * mpmath.sqrt(b / lam["lambda_W2"])),
            definition="u sqrt(beta/lambda_W2)" + _DEF,
            needs=_ALL,
        ),
        Quantity(
            "sigma_Hbar2",
            "the K singular values of Hbar2 (second-level class means): u^2 beta / sqrt(n lambda_H1 lambda_W1)",
            None,
            GEOMETRY_TOL,
            reference=_from_u(lambda u, b, lam: u**2 * b / mpmath.sqrt(lam["n"] * lam["lambda_H1"] * lam["lambda_W1"])),
            definition="u^2 beta / sqrt(n lambda_H1 lambda_W1)" + _DEF,
            needs=_ALL,
        ),
        Quantity(
            "sigma_product",
            "the K singular values of W2 Hbar2 = W2 s(W1 Hbar1): u^3",
            None,
            GEOMETRY_TOL,
            reference=_from_u(lambda u, b, lam: u**3),
            definition="u^3" + _DEF,
            needs=_ALL,
        ),
        Quantity(
            "alignment_cosine_2",
            "<W2, Hbar2^T> / (||W2|| ||Hbar2||): 1 (W2 aligned with Hbar2^T)",
            None,
            GEOMETRY_TOL,
            reference=_from_u(lambda u, b, lam: mpmath.mpf(1)),
            definition="1" + _DEF,
            needs=_ALL,
        ),
        Quantity(
            "alignment_ratio_2",
            "c in W2 = c Hbar2^T: sigma_W2 / sigma_Hbar2 = sqrt(n lambda_H1 lambda_W1 / lambda_W2) / (u sqrt(beta))",
            None,
            GEOMETRY_TOL,
            reference=_from_u(
                lambda u, b, lam: (
                    mpmath.sqrt(lam["n"] * lam["lambda_H1"] * lam["lambda_W1"] / lam["lambda_W2"])
                    / (u * mpmath.sqrt(b))
                )
            ),
            definition="sqrt(n lambda_H1 lambda_W1/lambda_W2)/(u sqrt(beta))" + _DEF,
            needs=_ALL,
        ),
        Quantity(
            "beta_global_threshold",
            "the nonzero point is the global minimiser iff beta < 2^(-4/3)/K (value 1/2 on both sides at the tie)",
            BETA_GLOBAL,
            THRESHOLD_TOL,
            standalone=True,
            ball=closed_form_ball(BETA_GLOBAL),
        ),
        Quantity(
            "beta_local_threshold",
            "a nonzero local minimiser exists iff beta < 3 2^(-8/3)/K (positive roots iff <=)",
            BETA_LOCAL,
            THRESHOLD_TOL,
            standalone=True,
            ball=closed_form_ball(BETA_LOCAL),
        ),
        Quantity(
            "u_at_global_tie",
            "u at K beta = 2^(-4/3): 2^(-1/3) (u^3 = 1/2)",
            2 ** sp.Rational(-1, 3),
            THRESHOLD_TOL,
            standalone=True,
            ball=closed_form_ball(2 ** sp.Rational(-1, 3)),
        ),
        Quantity(
            "u_at_local_tie",
            "u at K beta = 3 2^(-8/3): the double root 2^(-2/3)",
            2 ** sp.Rational(-2, 3),
            THRESHOLD_TOL,
            standalone=True,
            ball=closed_form_ball(2 ** sp.Rational(-2, 3)),
        ),
        Quantity(
            "value_at_local_tie",
            "value of the nonzero point at K beta = 3 2^(-8/3): 9/16",
            sp.Rational(9, 16),
            THRESHOLD_TOL,
            standalone=True,
            ball=closed_form_ball(sp.Rational(9, 16)),
        ),
    ]
