"""Certificates for the class-size families convex in Z = W H (issue 19): the one-layer imbalanced MSE model of
Dang et al. 2023 (kind ``bilinear_mse`` with ``class_sizes``) and the max-margin model of Ji et al. 2022 /
Thrampoulidis et al. 2022 (kind ``max_margin``). The writers round the solve's point and a dual point built from it
(the residual for MSE; least-squares KKT multipliers for the margins), scale the dual into its feasible set with a
margin the checker's exact test sees, and let :mod:`verify.certify.checker` prove lo <= min <= hi. Never reads a
closed form.
"""

from __future__ import annotations

from fractions import Fraction

import mpmath

from verify.certify.balls import ceil_decimal, decimal_string, floor_decimal, fraction, mp_decimal
from verify.certify.enclosure import Enclosure, not_closed
from verify.certify.layer_peeled import GUARD_DIGITS, close, decimal_or_fraction

#: Largest K x N (and d x N) block a dense certificate carries (the checker works on exact rationals).
MAX_ENTRIES = 20000


def _q(rows, digits: int) -> list[list[Fraction]]:
    return [[Fraction(mp_decimal(x, digits)) for x in row] for row in rows]


def _mp(q: Fraction) -> mpmath.mpf:
    return mpmath.mpf(q.numerator) / q.denominator


def _sigma(L: list[list[Fraction]], digits: int) -> mpmath.mpf:
    with mpmath.workdps(2 * digits + 20):
        Lm = mpmath.matrix([[_mp(x) for x in row] for row in L])
        return mpmath.sqrt(max(max(mpmath.eigsy(Lm * Lm.T, eigvals_only=True)), mpmath.mpf(0)))


def _shrink(sigma: mpmath.mpf, bound: mpmath.mpf, digits: int) -> Fraction:
    """A decimal t <= 1 - 10^-(digits-5) with t sigma < bound (the dual's spectral-norm constraint)."""
    with mpmath.workdps(2 * digits + 20):
        t = min(mpmath.mpf(1), bound / sigma if sigma > 0 else mpmath.mpf(1)) * (1 - mpmath.mpf(10) ** -(digits - 5))
        return floor_decimal(fraction(t), digits + 2)


def _parameters(values) -> dict:
    return {
        k: ",".join(str(int(x)) for x in v) if isinstance(v, tuple) else decimal_or_fraction(Fraction(v))
        for k, v in values.items()
    }


def _matrix_text(rows) -> list[list[str]]:
    return [[decimal_string(x) for x in r] for r in rows]


def certify_one_layer_mse(model, point, claim_id: str, values, quantities: tuple[str, ...], dps: int) -> Enclosure:
    """``model``: a one-layer :class:`verify.models.linear_chain.LinearChainMSE` (any class sizes); dual point
    Lambda = (W H - Y)/N at the rounded point, scaled below sqrt(lambda_W lambda_H) in spectral norm."""
    if model.M != 1:
        return not_closed("only the one-layer chain is convex in Z = W H", quantities)
    if model.K * model.N > MAX_ENTRIES or model.dims[0] * model.N > MAX_ENTRIES:
        return not_closed(f"K = {model.K}, N = {model.N}: above the dense certificate's size", quantities)
    digits = dps + GUARD_DIGITS
    Ws, H = model.unpack(point)
    Wq, Hq = _q(Ws[0], digits), _q(H, digits)
    labels, N, d = model.labels, model.N, len(Hq)
    L = []
    for k in range(model.K):
        row = []
        for j in range(N):
            r = sum(Wq[k][i] * Hq[i][j] for i in range(d)) - (1 if labels[j] == k else 0)
            row.append(floor_decimal(r / N, digits))
        L.append(row)
    lW, lH = Fraction(model.layer_penalties[0]), Fraction(model.lambda_H)
    with mpmath.workdps(2 * digits + 20):
        t = _shrink(_sigma(L, digits), mpmath.sqrt(_mp(lW * lH)), digits)
    program = {
        "kind": "bilinear_mse",
        "K": str(model.K),
        "class_sizes": [str(n) for n in model.sizes],
        "d": str(d),
        "lambda_W": decimal_or_fraction(lW),
        "lambda_H": decimal_or_fraction(lH),
        "bias": "none",
        "lambda_b": "0",
    }
    cert = {
        "format": "nc-verify-certificate/1",
        "digits": digits,
        "program": program,
        "primal": {"W": _matrix_text(Wq), "H": _matrix_text(Hq)},
        "dual": {"Lambda": _matrix_text([[t * x for x in row] for row in L])},
    }
    return close(cert, claim_id, _parameters(values), quantities, digits)


def _fitted_multipliers(model, point) -> list:
    """mu with J^T mu = -grad f in the least-squares sense, at the working precision."""
    from verify.models.arith import mp_arithmetic

    ar = mp_arithmetic()
    J = mpmath.matrix(model.constraint_jacobian(point, ar).tolist())
    g = mpmath.matrix(list(model.gradient(point, ar)))
    mu = mpmath.lu_solve(J * J.T, -(J * g))
    return [mu[r] for r in range(model.n_constraints)]


def certify_max_margin(model, point, claim_id: str, values, quantities: tuple[str, ...], dps: int) -> Enclosure:
    """``model``: :class:`verify.models.max_margin.MaxMarginModel`. The rounded point is scaled up until every
    margin is >= 1 exactly (hi = its objective); the multipliers fitted there, clipped at 0 and scaled so that
    ||Lambda||_2 < 1, give lo = sum mu."""
    if model.K * model.N > MAX_ENTRIES or model.d * model.N > MAX_ENTRIES:
        return not_closed(f"K = {model.K}, N = {model.N}: above the dense certificate's size", quantities)
    digits = dps + GUARD_DIGITS
    W, H = model.unpack(point)
    Wq, Hq = _q(W, digits), _q(H, digits)
    labels, d = model.labels, len(Hq)
    margins = [sum((Wq[labels[i]][r] - Wq[c][r]) * Hq[r][i] for r in range(d)) for i, c in model.pairs]
    low = min(margins)
    if low <= 0:
        return not_closed("the solve's point separates no class: no feasible scaling", quantities)
    if low < 1:
        with mpmath.workdps(2 * digits + 20):
            s = ceil_decimal(fraction(mpmath.sqrt(1 / _mp(low))), digits + 2)
        while s * s * low < 1:
            s += Fraction(1, 10 ** (digits + 2))
        Wq, Hq = [[s * x for x in r] for r in Wq], [[s * x for x in r] for r in Hq]
    with mpmath.workdps(dps + 10):
        mu = [max(Fraction(0), floor_decimal(fraction(m), digits)) for m in _fitted_multipliers(model, point)]
    L = [[Fraction(0)] * model.N for _ in range(model.K)]
    for m, (i, c) in zip(mu, model.pairs, strict=True):
        L[labels[i]][i] += m
        L[c][i] -= m
    t = _shrink(_sigma(L, digits), mpmath.mpf(1), digits)
    cert = {
        "format": "nc-verify-certificate/1",
        "digits": digits,
        "program": {
            "kind": "max_margin",
            "K": str(model.K),
            "class_sizes": [str(n) for n in model.sizes],
            "d": str(d),
        },  # fmt: skip
        "primal": {"W": _matrix_text(Wq), "H": _matrix_text(Hq)},
        "dual": {"mu": [decimal_string(t * m) for m in mu]},
    }
    return close(cert, claim_id, _parameters(values), quantities, digits)
