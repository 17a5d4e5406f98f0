"""The group-symmetric certificate of program (15) for two class sizes (Fang et al. 2021, Theorem 5; issue 18).

Program (15) with K_A majority classes of weight c_A = R/(K_A R + K_B) and K_B minority classes of weight
c_B = 1/(K_A R + K_B) is invariant under permutations within each group, and so is the solve's point
(:class:`verify.models.two_group.TwoGroupProgram`, seven scalars). From that point (never from a closed form),
:func:`symmetric_certificate` writes a certificate of kind ``two_group_ce`` (checked by
:mod:`verify.certify.checker.two_group`) whose size does not depend on K:

- primal: the seven scalars (p_A, q_A, p_B, q_B, s_A, s_B, d) rounded to ``digits`` significant decimals, each
  budget's scalars then scaled by an exact decimal t <= 1 into the budget, so hi = f(x) is the objective of (15)
  at the Gram matrix of the vectors hbar_k = s_A e + p_A u_k, w_k = K_B d/K e + q_A u_k (majority; minority
  -s_B, -K_A d/K, p_B, q_B; u_k unit simplex vectors per group);
- dual: the softmax of the point's logits, which in a symmetric point takes three values per row: alpha (own
  class), beta (another class of the same group), gamma (a class of the other group); beta, gamma rounded,
  alpha = 1 - (K_g - 1) beta - K_g' gamma exactly; s >= sigma_max(diag(c)(P - I)), whose singular values are
  |c_A (alpha_A - 1 - beta_A)|, |c_B (alpha_B - 1 - beta_B)| and sqrt(K (K_B c_A^2 gamma_A^2 + K_A c_B^2
  gamma_B^2)) (the group means; G 1 = 0 makes that 2 x 2 block rank one): proofs/fang2021.thm5.md, Step 7.

This is the dense certificate of :func:`verify.certify.layer_peeled.certify_two_group` with every matrix in the
block form [[a I + b J, c J], [c' J, d I + e J]]: :func:`expand` writes that dense certificate (small K) so
that the tests and the proof compare the two checkers' bounds.
"""

from __future__ import annotations

from fractions import Fraction

import mpmath

from verify.certify import checker
from verify.certify.balls import ceil_decimal, decimal_string, fraction, mp_decimal
from verify.certify.enclosure import Enclosure
from verify.certify.layer_peeled import (
    GUARD_DIGITS,
    MAX_CLASSES,
    _scale_into,
    close,
    decimal_or_fraction,
    two_group_vectors,
)
from verify.models.arith import mp_arithmetic

NAMES = ("p_A", "q_A", "p_B", "q_B", "s_A", "s_B", "d")


def _weights(KA: int, KB: int, R: Fraction) -> tuple[Fraction, Fraction]:
    return R / (KA * R + KB), 1 / (KA * R + KB)


def _softmax_rows(x: dict[str, Fraction], KA: int, KB: int, digits: int) -> dict[str, Fraction]:
    """alpha, beta, gamma of both groups at the exact point ``x``: beta, gamma rounded to ``digits``
    significant decimals, alpha = 1 - the rest exactly (a probability vector with exact sum 1)."""
    out = {}
    with mpmath.workdps(digits + 10):
        v = {k: mpmath.mpf(q.numerator) / q.denominator for k, q in x.items()}
        for g, m, other, xg, cross in (
            ("A", KA, KB, v["p_A"] * v["q_A"], -v["s_A"] * v["d"]),
            ("B", KB, KA, v["p_B"] * v["q_B"], -v["s_B"] * v["d"]),
        ):
            e_same = mpmath.exp(-m * xg / (m - 1)) if m > 1 else mpmath.mpf(0)
            e_other = mpmath.exp(cross - xg)
            D = 1 + (m - 1) * e_same + other * e_other
            beta = Fraction(mp_decimal(e_same / D, digits)) if m > 1 else Fraction(0)
            gamma = Fraction(mp_decimal(e_other / D, digits))
            out |= {f"alpha_{g}": 1 - (m - 1) * beta - other * gamma, f"beta_{g}": beta, f"gamma_{g}": gamma}
    return out


def sigma_squares(KA: int, KB: int, R: Fraction, P: dict[str, Fraction]) -> list[Fraction]:
    """The distinct nonzero-candidate eigenvalues of G^T G, G = diag(c)(P - I), exactly (module docstring)."""
    cA, cB = _weights(KA, KB, R)
    out = [(cA * (P["alpha_A"] - 1 - P["beta_A"])) ** 2] if KA > 1 else []
    out += [(cB * (P["alpha_B"] - 1 - P["beta_B"])) ** 2] if KB > 1 else []
    return [*out, (KA + KB) * (KB * (cA * P["gamma_A"]) ** 2 + KA * (cB * P["gamma_B"]) ** 2)]


def _sigma_bound(squares: list[Fraction], digits: int) -> Fraction:
    """A decimal s with s^2 > every entry of ``squares`` (exactly)."""
    top = max(squares)
    with mpmath.workdps(digits + 10):
        s = ceil_decimal(fraction(mpmath.sqrt(mpmath.mpf(top.numerator) / top.denominator)), digits)
    s = max(s, Fraction(1, 10**digits))
    while s * s <= top:  # the float sqrt was rounded down: step up by one part in 10^digits
        s += s / 10**digits
    return s


def symmetric_certificate(prog, point, digits: int) -> dict:
    """The ``two_group_ce`` certificate dict (no enclosure yet) of the solve's seven scalars ``point`` of
    ``prog`` (a :class:`~verify.models.two_group.TwoGroupProgram`)."""
    KA, KB, K = prog.K_A, prog.K_B, prog.K
    E_H, E_W, R = fraction(prog.E_H), fraction(prog.E_W), fraction(prog.R)
    with mpmath.workdps(digits + 10):
        v = prog.full(point, mp_arithmetic())
        x = {k: Fraction(mp_decimal(mpmath.mpf(v[k]), digits)) for k in NAMES}
    (pA, sA), (pB, sB) = _scale_into(
        [[x["p_A"], x["s_A"]], [x["p_B"], x["s_B"]]], [Fraction(KA, K), Fraction(KB, K)], E_H, digits
    )
    (qA,), (qB,), (d,) = _scale_into(
        [[x["q_A"]], [x["q_B"]], [x["d"]]], [Fraction(KA, K), Fraction(KB, K), Fraction(KA * KB, K * K)], E_W, digits
    )
    x = {"p_A": pA, "q_A": qA, "p_B": pB, "q_B": qB, "s_A": sA, "s_B": sB, "d": d}
    P = _softmax_rows(x, KA, KB, digits)
    s = _sigma_bound(sigma_squares(KA, KB, R, P), digits)
    return {
        "format": checker.FORMAT,
        "digits": digits,
        "program": {
            "kind": "two_group_ce",
            "K_A": str(KA),
            "K_B": str(KB),
            "E_H": decimal_or_fraction(E_H),
            "E_W": decimal_or_fraction(E_W),
            "R": decimal_or_fraction(R),
        },
        "primal": {k: decimal_string(q) for k, q in x.items()},
        "dual": {**{k: decimal_string(q) for k, q in P.items()}, "sigma_bound": decimal_string(s)},
    }


def certify_two_group_symmetric(prog, point, claim_id: str, values, quantities: tuple[str, ...], dps: int) -> Enclosure:
    """The enclosure of min (15) at the solve's symmetric point, any K (the checker's work is O(1))."""
    digits = dps + GUARD_DIGITS
    cert = symmetric_certificate(prog, point, digits)
    parameters = {k: decimal_or_fraction(Fraction(v)) for k, v in values.items() if not isinstance(v, tuple)}
    return close(cert, claim_id, parameters, quantities, digits)


def expand(cert: dict) -> dict:
    """The dense ``layer_peeled_ce`` certificate (K <= MAX_CLASSES) with the same dual point, every entry of P
    written out, and the vectors of the same seven scalars (:func:`two_group_vectors`, rounded and scaled into
    the budgets, so its hi differs from the symmetric one's by the rounding at ``digits``)."""
    data, digits = cert["program"], int(cert["digits"])
    KA, KB = int(data["K_A"]), int(data["K_B"])
    K, R = KA + KB, Fraction(data["R"])
    if K > MAX_CLASSES:
        raise ValueError(f"K = {K} classes above the dense certificate's limit {MAX_CLASSES}")
    E_H, E_W = Fraction(data["E_H"]), Fraction(data["E_W"])
    x, P = cert["primal"], {k: Fraction(v) for k, v in cert["dual"].items()}
    with mpmath.workdps(digits + 10):
        H, W = two_group_vectors(
            {k: mpmath.mpf(Fraction(x[k]).numerator) / Fraction(x[k]).denominator for k in NAMES}, KA, KB
        )
    Hq = _scale_into([[Fraction(mp_decimal(a, digits)) for a in r] for r in H], [Fraction(1, K)] * K, E_H, digits)
    Wq = _scale_into([[Fraction(mp_decimal(a, digits)) for a in r] for r in W], [Fraction(1, K)] * K, E_W, digits)
    group = [0] * KA + [1] * KB

    def entry(k: int, j: int) -> Fraction:
        g = "AB"[group[k]]
        return P[f"alpha_{g}"] if j == k else P[f"beta_{g}"] if group[j] == group[k] else P[f"gamma_{g}"]

    cA, cB = _weights(KA, KB, R)
    return {
        "format": checker.FORMAT,
        "digits": digits,
        "claim": cert.get("claim", ""),
        "parameters": {},
        "program": {
            "kind": "layer_peeled_ce",
            "class_sizes": ["1"] * K,
            "E_H": decimal_or_fraction(E_H),
            "E_W": decimal_or_fraction(E_W),
            "p": str(K + 1),
            "class_weights": [decimal_or_fraction(c) for c in [cA] * KA + [cB] * KB],
        },
        "primal": {
            "W": [[decimal_string(a) for a in r] for r in Wq],
            "H": [[decimal_string(a) for a in r] for r in Hq],
        },
        "dual": {
            "P": [[decimal_string(entry(k, j)) for j in range(K)] for k in range(K)],
            "sigma_bound": cert["dual"]["sigma_bound"],
        },
    }
