"""Certificates for the Layer-Peeled Model with cross-entropy, Fang et al. 2021 program (7) (issue 18).

From a numerical solve's point (W, H) of (7) (never from a closed form), :func:`certify_layer_peeled` writes
a certificate of kind ``layer_peeled_ce`` (see :mod:`verify.certify.checker`):

- primal: (W, H) rounded to ``digits`` significant decimals, then scaled by exact decimals t <= 1 into the
  budgets (checked exactly), so hi = F(W, H) is the objective at a feasible point;
- dual: P[k] = the mean over class k's samples of softmax(W h_{k,i}) (the gradient of CE, Fenchel's dual point),
  rounded, with p_kk = 1 - sum_{j != k} p_kj exactly; s >= sigma_max(diag(n_k/N)(P - I)) from
  :func:`verify.certify.balls.sigma_bound`. lo = -sum_k (n_k/N) sum_j p_kj log p_kj - s K sqrt(E_H E_W) is the
  value of the dual of the Gram relaxation (15) (Lemma 1), a lower bound of (7) for every p.

At a minimiser the two meet (the KKT conditions of (15), SI B.1), so the width is set by the accuracy of the
solve's point: first order in its error (s is non-smooth at a repeated singular value).
"""

from __future__ import annotations

from fractions import Fraction

import mpmath
from flint import ctx

from verify.certify import checker
from verify.certify.balls import bits, ceil_decimal, decimal_string, floor_decimal, fraction, mp_decimal, sigma_bound
from verify.certify.enclosure import Enclosure, not_closed


def _scale_into(rows: list[list[Fraction]], weights: list[Fraction], budget: Fraction, digits: int):
    """Scale ``rows`` by an exact decimal t <= 1 with sum_i weights_i ||row_i||^2 <= budget, exactly."""
    used = sum(w * sum(x * x for x in r) for w, r in zip(weights, rows, strict=True))
    if used <= budget:
        return rows
    with mpmath.workdps(digits + 10):
        t = floor_decimal(
            fraction(
                mpmath.sqrt(
                    mpmath.mpf(budget.numerator) / budget.denominator / (mpmath.mpf(used.numerator) / used.denominator)
                )
            ),
            digits + 2,
        )
    while t * t * used > budget:  # the float sqrt was rounded up: step down one unit of the last digit
        t -= Fraction(1, 10 ** (digits + 2))
    return [[t * x for x in r] for r in rows]


def layer_peeled_certificate(class_sizes, p: int, E_H, E_W, W, H, digits: int, class_weights=None) -> dict:
    """The certificate dict (no enclosure yet) of the point (W, H) (mpf arrays) of program (7); ``class_weights``
    c_k (exact, total loss weight of class k) default to n_k/N."""
    K, N = len(class_sizes), sum(class_sizes)
    c = [Fraction(n, N) for n in class_sizes] if class_weights is None else [Fraction(w) for w in class_weights]
    E_H, E_W = fraction(E_H), fraction(E_W)
    Wq = [[Fraction(mp_decimal(x, digits)) for x in row] for row in W]
    Hq = [[Fraction(mp_decimal(x, digits)) for x in row] for row in H]
    labels = [k for k in range(K) for _ in range(class_sizes[k])]
    Wq = _scale_into(Wq, [Fraction(1, K)] * K, E_W, digits)
    Hq = _scale_into(Hq, [Fraction(1, K * class_sizes[labels[i]]) for i in range(N)], E_H, digits)
    P = []
    with mpmath.workdps(digits + 10):
        for k in range(K):
            rows = [i for i in range(N) if labels[i] == k]
            acc = [mpmath.mpf(0)] * K
            for i in rows:
                z = [sum(mpmath.mpf(a) * mpmath.mpf(b) for a, b in zip(W[j], H[i], strict=True)) for j in range(K)]
                m = max(z)
                e = [mpmath.exp(zj - m) for zj in z]
                tot = sum(e)
                acc = [a + ej / tot / len(rows) for a, ej in zip(acc, e, strict=True)]
            row = [Fraction(mp_decimal(acc[j], digits)) if j != k else None for j in range(K)]
            row[k] = 1 - sum(x for x in row if x is not None)
            P.append(row)
    G = [[c[k] * (P[k][j] - (1 if j == k else 0)) for j in range(K)] for k in range(K)]
    s = sigma_bound(G, digits)
    return {
        "format": checker.FORMAT,
        "digits": digits,
        "program": {
            "kind": "layer_peeled_ce",
            "class_sizes": [str(n) for n in class_sizes],
            "K": str(K),
            **({"n": str(class_sizes[0])} if len(set(class_sizes)) == 1 else {}),
            "E_H": decimal_or_fraction(E_H),
            "E_W": decimal_or_fraction(E_W),
            "p": str(p),
            **({} if class_weights is None else {"class_weights": [decimal_or_fraction(w) for w in c]}),
        },
        "primal": {
            "W": [[decimal_string(x) for x in r] for r in Wq],
            "H": [[decimal_string(x) for x in r] for r in Hq],
        },
        "dual": {"P": [[decimal_string(x) for x in r] for r in P], "sigma_bound": decimal_string(s)},
    }


def decimal_or_fraction(q: Fraction) -> str:
    try:
        return decimal_string(q)
    except ValueError:
        return f"{q.numerator}/{q.denominator}"


def close(cert: dict, claim_id: str, parameters: dict, quantities: tuple[str, ...], digits: int) -> Enclosure:
    """Run the checker on ``cert``, write the enclosure it proves (outward-rounded decimals) into it, recheck."""
    cert = {"claim": claim_id, "parameters": parameters, **cert}
    kind = cert["program"]["kind"]
    lo, hi, errors = checker.enclose(cert, digits)
    if errors or not (lo.is_finite() and hi.is_finite()):
        return not_closed("; ".join(errors) or "non-finite bounds", quantities, kind)
    with ctx.workprec(bits(digits) + 64):  # .lower()/.upper() round to the working precision (outward)
        lo_q, hi_q = floor_decimal(lo.lower(), digits), ceil_decimal(hi.upper(), digits)
    cert["enclosure"] = {"lo": decimal_string(lo_q), "hi": decimal_string(hi_q)}
    holds, message = checker.recheck(cert)
    return Enclosure(lo_q, hi_q, holds, message, quantities, cert, kind)


#: The certificate is written ``GUARD_DIGITS`` beyond the solve's precision: its rounding then adds ~10^-(dps+10)
#: to the width, which the solve's own accuracy (~10^-(dps-5)) dominates.
GUARD_DIGITS = 10
#: The dense certificate carries K x p and N x p primal numbers and the checker's exact elimination on
#: s^2 I - G^T G costs O(K^3) operations on rationals of ~2 x digits: above this class count no dense certificate
#: is written (the two-group program has an O(1) symmetric one: verify/certify/two_group.py).
MAX_CLASSES = 64


def certify_layer_peeled(
    model, point, claim_id: str, values, quantities: tuple[str, ...], dps: int, class_weights=None
) -> Enclosure:
    """The enclosure of min (7) for a :class:`verify.models.LayerPeeledModel` with cross-entropy at the solve's
    ``point`` (its packing): the certificate written, then proved by the checker. ``class_weights``: the total
    loss weight of each class when it is not n_k/N (oversampling, program (18))."""
    if getattr(model.loss, "name", "") != "cross-entropy":
        return not_closed(f"no certificate writer for the loss {model.loss!r}", quantities, "layer_peeled_ce")
    if model.K > MAX_CLASSES:
        return not_closed(f"K = {model.K} classes above the dense certificate's limit {MAX_CLASSES}", quantities)
    W, H = model.unpack(point)
    digits = dps + GUARD_DIGITS
    cert = layer_peeled_certificate(model.class_sizes, model.p, model.E_H, model.E_W, W, H, digits, class_weights)
    parameters = {k: decimal_or_fraction(Fraction(v)) for k, v in values.items() if not isinstance(v, tuple)}
    return close(cert, claim_id, parameters, quantities, digits)


def two_group_vectors(v: dict, KA: int, KB: int) -> tuple[list, list]:
    """(H, W): the K x (K+1) class means and classifiers (mpmath, current precision) of the symmetric point with
    the seven scalars ``v`` (verify/models/two_group.py): hbar_k = s_A e + p_A u_k, w_k = t_A e + q_A u_k
    (majority; minority with -s_B, t_B, p_B, q_B), u_k unit simplex vectors of the group, t_A = K_B d/K,
    t_B = -K_A d/K."""
    K = KA + KB

    def simplex(m: int):
        if m == 1:
            return [[mpmath.mpf(0)]]
        f = mpmath.sqrt(mpmath.mpf(m) / (m - 1))
        return [[((1 if i == j else 0) - mpmath.mpf(1) / m) * f for j in range(m)] for i in range(m)]

    zero = mpmath.mpf(0)
    H = [[zero] * (K + 1) for _ in range(K)]
    W = [[zero] * (K + 1) for _ in range(K)]
    for lo, m, s, t, pn, qn in (
        (0, KA, v["s_A"], KB * v["d"] / K, v["p_A"], v["q_A"]),
        (KA, KB, -v["s_B"], -KA * v["d"] / K, v["p_B"], v["q_B"]),
    ):
        U = simplex(m)
        for i in range(m):
            H[lo + i][0], W[lo + i][0] = s, t
            for j in range(m):
                H[lo + i][1 + lo + j] += pn * U[i][j]
                W[lo + i][1 + lo + j] += qn * U[i][j]
    return H, W


def certify_two_group(prog, point, claim_id: str, values, quantities: tuple[str, ...], dps: int) -> Enclosure:
    """The enclosure of min (15) for a :class:`verify.models.two_group.TwoGroupProgram` at the solve's seven
    scalars by the *dense* certificate (kind layer_peeled_ce, K <= :data:`MAX_CLASSES`): the vectors of
    :func:`two_group_vectors`, one sample per class with class weights n_k/N = R/(K_A R + K_B), 1/(K_A R + K_B).
    fang2021.thm5 uses the O(1) symmetric certificate (:mod:`verify.certify.two_group`); this one is its
    small-K cross-check."""
    from verify.models.arith import mp_arithmetic

    digits = dps + GUARD_DIGITS
    if prog.K > MAX_CLASSES:
        return not_closed(f"K = {prog.K} classes above the dense certificate's limit {MAX_CLASSES}", quantities)
    KA, KB, K = prog.K_A, prog.K_B, prog.K
    with mpmath.workdps(digits + 10):
        H, W = two_group_vectors(prog.full(point, mp_arithmetic()), KA, KB)
    R = Fraction(prog.R)
    total = KA * R + KB
    weights = [R / total] * KA + [1 / total] * KB
    cert = layer_peeled_certificate((1,) * K, K + 1, prog.E_H, prog.E_W, W, H, digits, weights)
    parameters = {k: decimal_or_fraction(Fraction(v)) for k, v in values.items() if not isinstance(v, tuple)}
    return close(cert, claim_id, parameters, quantities, digits)
