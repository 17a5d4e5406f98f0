"""Certificates for the regularised MSE bilinear model, Tirer & Bruna 2022 problems (3), (5), (14) (issue 18).

The model is made convex in Z = W H by the nuclear-norm identity min_{W H = Z} (lW||W||^2 + lH||H||^2)/2 =
sqrt(lW lH)||Z||_*; its dual point is Lambda = (W H + b 1^T - Y)/N, the residual of the solve's point (at a
minimiser -Lambda is a subgradient of c||.||_* at Z: ||Lambda||_2 = c on the range of Z). The writer

- rounds the solve's (W, H, b) to ``digits`` significant decimals (the model is unconstrained: any point is
  feasible, hi = f there, an exact rational);
- forms Lambda exactly from the rounded point, rounds it, restores Lambda 1 = 0 exactly for a free bias, and
  scales it by a decimal t <= 1 - 10^-(digits-5) (times c/||Lambda||_2 when that is below 1) so that
  ||Lambda||_2 < c with a margin the checker's exact test sees;
- lets :mod:`verify.certify.checker` (kind ``bilinear_mse``) prove lo <= min <= hi.

The width is first order in the point's error (~10^-(dps-5)) plus c ||Z||_* 10^-(digits-5) from the margin.
Never reads a closed form.
"""

from __future__ import annotations

from fractions import Fraction

import mpmath

from verify.certify.balls import decimal_string, floor_decimal, fraction, mp_decimal
from verify.certify.enclosure import Enclosure, not_closed
from verify.certify.layer_peeled import GUARD_DIGITS, close, decimal_or_fraction

#: Largest K x (Kn) residual the dense certificate carries (the checker forms Lambda Lambda^T exactly).
MAX_ENTRIES = 20000


def _mp(q: Fraction):
    return mpmath.mpf(q.numerator) / q.denominator


def bilinear_certificate(model, W, H, b, digits: int) -> dict:
    """The certificate dict (no enclosure yet) of the point (W, H, b) (mpf arrays) of ``model``
    (:class:`verify.models.mse_features.MSEFeaturesModel`)."""
    K, n, N = model.K, model.n, model.K * model.n
    Wq = [[Fraction(mp_decimal(x, digits)) for x in row] for row in W]
    Hq = [[Fraction(mp_decimal(x, digits)) for x in row] for row in H]
    bq = [Fraction(mp_decimal(x, digits)) for x in b] if b is not None else [Fraction(0)] * K
    d = len(Hq)
    lW, lH = Fraction(model.lambda_W), Fraction(model.lambda_H)
    L = []
    for k in range(K):
        row = []
        for j in range(N):
            r = sum(Wq[k][i] * Hq[i][j] for i in range(d)) + bq[k] - (1 if j // n == k else 0)
            row.append(floor_decimal(r / N, digits))  # exact rational rounding (never through a float)
        if model.bias == "free":
            row[-1] = -sum(row[:-1])
        L.append(row)
    with mpmath.workdps(2 * digits + 20):
        Lm = mpmath.matrix([[_mp(x) for x in row] for row in L])
        top = max(mpmath.eigsy(Lm * Lm.T, eigvals_only=True))
        sigma = mpmath.sqrt(max(top, mpmath.mpf(0)))
        c = mpmath.sqrt(_mp(lW * lH))
        t = min(mpmath.mpf(1), c / sigma if sigma > 0 else mpmath.mpf(1)) * (1 - mpmath.mpf(10) ** -(digits - 5))
        t = floor_decimal(fraction(t), digits + 2)
    L = [[t * x for x in row] for row in L]
    program = {
        "kind": "bilinear_mse",
        "K": str(K),
        "n": str(n),
        "d": str(d),
        "lambda_W": decimal_or_fraction(lW),
        "lambda_H": decimal_or_fraction(lH),
        "bias": model.bias,
        "lambda_b": decimal_or_fraction(Fraction(model.lambda_b)),
    }
    primal = {"W": [[decimal_string(x) for x in r] for r in Wq], "H": [[decimal_string(x) for x in r] for r in Hq]}
    if model.bias != "none":
        primal["b"] = [decimal_string(x) for x in bq]
    return {
        "format": "nc-verify-certificate/1",
        "digits": digits,
        "program": program,
        "primal": primal,
        "dual": {"Lambda": [[decimal_string(x) for x in r] for r in L]},
    }


def certify_bilinear(model, point, claim_id: str, values, quantities: tuple[str, ...], dps: int) -> Enclosure:
    """The enclosure of the minimum of ``model`` at the solve's ``point`` (its packing), proved by the checker."""
    if model.K * model.N > MAX_ENTRIES or model.d * model.N > MAX_ENTRIES:
        return not_closed(
            f"K = {model.K}, n = {model.n}, d = {model.d}: above the dense certificate's size", quantities
        )
    digits = dps + GUARD_DIGITS
    W, H, b = model.unpack(point)
    cert = bilinear_certificate(model, W, H, b, digits)
    parameters = {k: decimal_or_fraction(Fraction(v)) for k, v in values.items() if not isinstance(v, tuple)}
    return close(cert, claim_id, parameters, quantities, digits)
