"""Certificates for the supervised contrastive Layer-Peeled Model, Fang et al. 2021 program (12) (issue 18).

Program (12) is convex in the Gram matrix X = H H^T of the N features (its loss is linear plus a log-sum-exp
of linear functions of X; the budget is tr X / N <= E_H). From the solve's H (never a closed form) the writer

- rounds H to ``digits`` decimals and scales it into the budget exactly (hi = F(H));
- takes Pi = the row softmax of X/tau (the Fenchel dual point of each log-sum-exp), rounded, each row's largest
  entry set to 1 minus the others exactly;
- proposes mu = lambda_min(S) - 10^-(digits-5) max|S| for S = sym((Pi - A)/(N tau)) (mpmath eigen-solve at
  2 digits + 20); the checker (kind ``contrastive_gram``) proves S - mu I > 0 exactly.
"""

from __future__ import annotations

from fractions import Fraction

import mpmath

from verify.certify.balls import decimal_string, floor_decimal, fraction, mp_decimal
from verify.certify.enclosure import Enclosure, not_closed
from verify.certify.layer_peeled import GUARD_DIGITS, MAX_CLASSES, _scale_into, close, decimal_or_fraction


def _mp(q: Fraction):
    return mpmath.mpf(q.numerator) / q.denominator


def contrastive_certificate(model, H, digits: int) -> dict:
    """The certificate dict (no enclosure) of the point H (mpf N x p array) of ``model`` (ContrastiveModel)."""
    N, n, tau = model.N, model.n, Fraction(model.tau)
    Hq = [[Fraction(mp_decimal(x, digits)) for x in row] for row in H]
    Hq = _scale_into(Hq, [Fraction(1, N)] * N, Fraction(model.E_H), digits)
    X = [[sum(a * b for a, b in zip(r, s, strict=True)) for s in Hq] for r in Hq]
    Pi = []
    with mpmath.workdps(digits + 10):
        for a in range(N):
            z = [_mp(X[a][b] / tau) for b in range(N)]
            m = max(z)
            e = [mpmath.exp(x - m) for x in z]
            tot = sum(e)
            row = [Fraction(mp_decimal(x / tot, digits)) for x in e]
            top = max(range(N), key=lambda b: row[b])
            row[top] = 1 - sum(row[b] for b in range(N) if b != top)
            Pi.append(row)
    A = [[Fraction(1, n) if a // n == b // n else Fraction(0) for b in range(N)] for a in range(N)]
    M = [[(Pi[a][b] - A[a][b]) / (N * tau) for b in range(N)] for a in range(N)]
    S = [[(M[a][b] + M[b][a]) / 2 for b in range(N)] for a in range(N)]
    with mpmath.workdps(2 * digits + 20):
        ev = mpmath.eigsy(mpmath.matrix([[_mp(x) for x in row] for row in S]), eigvals_only=True)
        scale = max(abs(_mp(x)) for row in S for x in row)
        mu = min(ev) - scale * mpmath.mpf(10) ** -(digits - 5)
        mu = floor_decimal(fraction(mu), digits + 2)
    return {
        "format": "nc-verify-certificate/1",
        "digits": digits,
        "program": {
            "kind": "contrastive_gram",
            "K": str(model.K),
            "n": str(n),
            "p": str(model.p),
            "E_H": decimal_or_fraction(Fraction(model.E_H)),
            "tau": decimal_or_fraction(tau),
        },
        "primal": {"H": [[decimal_string(x) for x in r] for r in Hq]},
        "dual": {"Pi": [[decimal_string(x) for x in r] for r in Pi], "mu": decimal_string(mu)},
    }


def certify_contrastive(model, point, claim_id: str, values, quantities: tuple[str, ...], dps: int) -> Enclosure:
    """The enclosure of min (12) at the solve's ``point`` (its packing), proved by the checker."""
    if model.N > MAX_CLASSES:
        return not_closed(f"N = {model.N} samples above the dense certificate's limit {MAX_CLASSES}", quantities)
    digits = dps + GUARD_DIGITS
    cert = contrastive_certificate(model, model.unpack(point), digits)
    parameters = {k: decimal_or_fraction(Fraction(v)) for k, v in values.items() if not isinstance(v, tuple)}
    return close(cert, claim_id, parameters, quantities, digits)
