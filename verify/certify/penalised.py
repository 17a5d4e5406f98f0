"""Certificates for the unconstrained-features model with Frobenius penalties and cross-entropy, no bias
(checker kind ``penalised_ufm_ce``; THEOREMS-NEXT.md family F, :class:`verify.models.frobenius_ufm.FrobeniusUFM`).

From a solve's point (W, H) (never a closed form): primal = the point rounded to ``digits`` decimals (every point
is feasible: hi is the objective there); dual = P, row k the mean over class k's samples of softmax(W h_{k,i}),
mixed toward e_k by the smallest exact factor that makes lambda_W lambda_H I - G G^T positive definite (at a
minimiser ||G||_2 = sqrt(lambda_W lambda_H) exactly, so the rounded point needs that margin), rounded, with
p_kk = 1 - sum_{j != k} p_kj exactly. lo = sum_k (n_k/N) H(p_k) (entropies). At a minimiser the two meet, so the
width is the solve's accuracy plus the 10^-(digits-4) mixing.
"""

from __future__ import annotations

from fractions import Fraction

import mpmath

from verify.certify.balls import decimal_string, fraction, mp_decimal
from verify.certify.enclosure import Enclosure, not_closed
from verify.certify.layer_peeled import GUARD_DIGITS, MAX_CLASSES, close, decimal_or_fraction


def penalised_certificate(class_sizes, lambda_W, lambda_H, W, H, digits: int) -> dict:
    K, N = len(class_sizes), sum(class_sizes)
    lw, lh = fraction(lambda_W), fraction(lambda_H)
    labels = [k for k in range(K) for _ in range(class_sizes[k])]
    with mpmath.workdps(digits + 10):
        rows = []
        for k in range(K):
            acc = [mpmath.mpf(0)] * K
            for i in (i for i in range(N) if labels[i] == k):
                z = [sum(mpmath.mpf(a) * mpmath.mpf(b) for a, b in zip(W[j], H[i], strict=True)) for j in range(K)]
                m = max(z)
                e = [mpmath.exp(zj - m) for zj in z]
                acc = [x + ej / sum(e) / class_sizes[k] for x, ej in zip(acc, e, strict=True)]
            rows.append(acc)
        G = mpmath.matrix(K, K)
        for k in range(K):
            for j in range(K):
                G[j, k] = mpmath.sqrt(mpmath.mpf(class_sizes[k])) / N * (rows[k][j] - (1 if j == k else 0))
        sigma = max(mpmath.svd_r(G, compute_uv=False))  # ||G_samples||_2 (the n_k equal columns merged)
        c = mpmath.sqrt(mpmath.mpf(lw.numerator) / lw.denominator * mpmath.mpf(lh.numerator) / lh.denominator)
        t = min(mpmath.mpf(1), c / sigma * (1 - mpmath.mpf(10) ** (-(digits - 4)))) if sigma > 0 else mpmath.mpf(1)
        P = []
        for k in range(K):
            row = [Fraction(mp_decimal(t * rows[k][j], digits)) if j != k else None for j in range(K)]
            row[k] = 1 - sum(x for x in row if x is not None)
            P.append(row)
    Wq = [[Fraction(mp_decimal(x, digits)) for x in r] for r in W]
    Hq = [[Fraction(mp_decimal(x, digits)) for x in r] for r in H]
    from verify.certify import checker

    return {
        "format": checker.FORMAT,
        "digits": digits,
        "program": {
            "kind": "penalised_ufm_ce",
            "class_sizes": [str(n) for n in class_sizes],
            "lambda_W": decimal_or_fraction(lw),
            "lambda_H": decimal_or_fraction(lh),
        },
        "primal": {
            "W": [[decimal_string(x) for x in r] for r in Wq],
            "H": [[decimal_string(x) for x in r] for r in Hq],
        },
        "dual": {"P": [[decimal_string(x) for x in r] for r in P]},
    }


def certify_penalised(model, point, claim_id: str, values, quantities: tuple[str, ...], dps: int) -> Enclosure:
    """The enclosure of the minimum of a :class:`verify.models.frobenius_ufm.FrobeniusUFM` (cross-entropy) at the
    solve's ``point``: the certificate written, then proved by the checker."""
    if getattr(model.loss, "name", "") != "cross-entropy":
        return not_closed(f"no certificate writer for the loss {model.loss!r}", quantities, "penalised_ufm_ce")
    if model.K > MAX_CLASSES:
        return not_closed(f"K = {model.K} classes above the dense certificate's limit {MAX_CLASSES}", quantities)
    W, H = model.unpack(point)
    digits = dps + GUARD_DIGITS
    cert = penalised_certificate(model.class_sizes, model.lambda_W, model.lambda_H, W, H, digits)
    parameters = {k: decimal_or_fraction(Fraction(v)) for k, v in values.items() if not isinstance(v, tuple)}
    return close(cert, claim_id, parameters, quantities, digits)
