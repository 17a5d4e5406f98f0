"""Certificates for Zhu et al. 2021's regularised cross-entropy model and Zhou et al. 2022's label smoothing
(kind ``ufm_softmax`` of :mod:`verify.certify.checker`), from a numerical solve's point, never a closed form.

The program is convex in Z = W H through the nuclear-norm identity; its Fenchel dual point is the softmax of the
solve's logits. The writer

- rounds the solve's (W, H, b) to ``digits`` significant decimals (unconstrained: hi = f there);
- forms p_i = softmax(z_i) at the rounded point, rounds it, restores sum_c p_ic = 1 exactly (on the label
  entry), and for a free bias moves G's row sums into the last sample (G 1 = 0 exactly);
- shrinks towards the targets, p' = q + t (p - q) with an exact decimal t <= 1 such that
  t^2 s <= lambda_W lambda_H N^2 for a proved s >= ||G||_2^2 (p' stays a probability vector);
- lets the checker prove lo <= min <= hi.

At a minimiser ||G||_2 = N sqrt(lambda_W lambda_H) on the range of Z (the KKT condition), so t = 1 - O(10^-digits)
and the width is first order in the point's error. The zero solution (K s >= 1) is covered too (G = -(P - Q) at
z = 0 has norm below the bound).
"""

from __future__ import annotations

from fractions import Fraction

import mpmath

from verify.certify.balls import decimal_string, floor_decimal, fraction, mp_decimal, sigma_bound
from verify.certify.enclosure import Enclosure, not_closed
from verify.certify.layer_peeled import GUARD_DIGITS, MAX_CLASSES, close, decimal_or_fraction

#: Largest K x N dual the dense certificate carries (the checker forms G G^T exactly).
MAX_ENTRIES = 20000


def ufm_certificate(model, W, H, b, alpha: Fraction, digits: int) -> dict:
    """The certificate dict (no enclosure yet) of the point (W, H, b) of ``model``
    (:class:`verify.models.ufm.UnconstrainedFeaturesModel`; cross-entropy, or label smoothing ``alpha``)."""
    K, N, sizes = model.K, model.N, model.class_sizes
    labels = [k for k, m in enumerate(sizes) for _ in range(m)]
    Wq = [[Fraction(mp_decimal(x, digits)) for x in row] for row in W]
    Hq = [[Fraction(mp_decimal(x, digits)) for x in row] for row in H]
    bq = [Fraction(mp_decimal(x, digits)) for x in b] if model.bias != "none" else [Fraction(0)] * K
    Q = [[(1 - alpha) * (1 if labels[i] == k else 0) + alpha / K for k in range(K)] for i in range(N)]
    P = []
    with mpmath.workdps(digits + 10):
        for i, h in enumerate(Hq):
            z = [sum(w * x for w, x in zip(Wq[k], h, strict=True)) + bq[k] for k in range(K)]
            top = max(z)
            e = [mpmath.exp(mpmath.mpf((v - top).numerator) / (v - top).denominator) for v in z]
            total = sum(e)
            row = [floor_decimal(fraction(v / total), digits) for v in e]
            y = labels[i]
            row[y] = 1 - sum(row[k] for k in range(K) if k != y)
            P.append(row)
    G = [[P[i][k] - Q[i][k] for i in range(N)] for k in range(K)]
    if model.bias == "free":
        for k in range(K):
            G[k][N - 1] -= sum(G[k])
    s = sigma_bound(
        [list(col) for col in zip(*G, strict=True)], digits
    )  # s > ||G||_2 (G^T passed: a K x K eigen-solve)
    cap = Fraction(model.lambda_W) * Fraction(model.lambda_H) * N * N
    with mpmath.workdps(digits + 10):
        ratio = mpmath.sqrt(mpmath.mpf(cap.numerator) / cap.denominator) / (mpmath.mpf(s.numerator) / s.denominator)
        t = floor_decimal(fraction(min(mpmath.mpf(1), ratio) * (1 - mpmath.mpf(10) ** -(digits - 5))), digits + 2)
    Pt = [[Q[i][k] + t * G[k][i] for k in range(K)] for i in range(N)]
    program = {
        "kind": "ufm_softmax",
        "class_sizes": [str(m) for m in sizes],
        "lambda_W": decimal_or_fraction(Fraction(model.lambda_W)),
        "lambda_H": decimal_or_fraction(Fraction(model.lambda_H)),
        "bias_kind": model.bias,
        "bias": str({"none": 0, "free": 1, "penalised": 2}[model.bias]),
        "bias_penalty": decimal_or_fraction(Fraction(model.lambda_b)),
        "alpha": decimal_or_fraction(Fraction(alpha)),
    }
    primal = {"W": [[decimal_string(x) for x in r] for r in Wq], "H": [[decimal_string(x) for x in r] for r in Hq]}
    if model.bias != "none":
        primal["b"] = [decimal_string(x) for x in bq]
    return {
        "format": "nc-verify-certificate/1",
        "digits": digits,
        "program": program,
        "primal": primal,
        "dual": {"P": [[decimal_or_fraction(x) for x in r] for r in Pt]},
    }


def certify_ufm(model, point, claim_id: str, values, quantities: tuple[str, ...], dps: int, alpha=0) -> Enclosure:
    """The enclosure of the minimum of ``model`` at the solve's ``point`` (its packing), proved by the checker."""
    if model.K > MAX_CLASSES or model.K * model.N > MAX_ENTRIES:
        return not_closed(f"K = {model.K}, N = {model.N}: above the dense certificate's size", quantities)
    digits = dps + GUARD_DIGITS
    W, H, b = model.unpack(point)
    cert = ufm_certificate(model, W, H, b, Fraction(alpha), digits)
    parameters = {k: decimal_or_fraction(Fraction(v)) for k, v in values.items() if not isinstance(v, tuple)}
    return close(cert, claim_id, parameters, quantities, digits)
