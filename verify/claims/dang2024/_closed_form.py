"""The closed forms of Dang et al. 2024, Theorem 1 and Proposition 1, at any precision (helper, no CLAIM).

Derived in proofs/dang2024.thm1.md (Steps 1-5 of the seed's proof) for the ``"mean"`` convention of
verify/models/relu_features.py. With q_k = (K-1) lambda_W lambda_H / (K n_k) and rho_k = N sqrt(q_k):

- class k is alive iff rho_k < (K-1)/K, decided exactly in rationals: N^2 K lambda_W lambda_H < (K-1) n_k;
- M_k = log((K-1)(1/rho_k - 1)) = log1p(u_k), u_k = ((K-1)^2 - K^2 N^2 q_k) / (rho_k ((K-1) + K rho_k)), so no
  digits cancel near the threshold; M_k = 0 for a collapsed class;
- ||h_k||^2 = sqrt((K-1) lambda_W / (K n_k lambda_H)) M_k, kappa = sqrt(K lambda_H / ((K-1) lambda_W)),
  a_k = sqrt(n_k) M_k, S = sum a_k: (W W^T)_kl = (kappa/K^2) (K^2 a_k delta_kl - K (a_k + a_l) + S);
- w_k . h_l = M_l ((K-1)/K if k = l else -1/K) (the logits W h_l = M_l (e_l - 1/K));
- value = sum_k (n_k/N) log(1 + (K-1) e^{-M_k}) + sqrt((K-1) lambda_W lambda_H n_k / K) M_k;
- lambda_W ||W||^2 = lambda_H ||H||^2 = sum_k sqrt((K-1) lambda_W lambda_H n_k / K) M_k (Lemma 1 at the optimum).

Thresholds (exact rationals): class k collapses iff lambda_W lambda_H >= T_k = (K-1) n_k / (K N^2), iff
n_k <= n* = K N^2 lambda_W lambda_H / (K-1); everything collapses iff lambda_W lambda_H >= max_k T_k. Two groups
(K_A classes of n_A = R n_B, K_B of n_B): the minority collapses iff R >= R* = (sqrt((K-1)/(K lambda_W lambda_H
n_B)) - K_B)/K_A.

Every function computes at ``dps + GUARD`` digits and, where a difference of nearly equal terms can cancel (the
off-diagonal Gram entries, the cosines built on them), re-evaluates with as many extra digits as were lost, so
each returned value is correct to ``dps`` digits relative to itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import mpmath

from verify.record import Undefined

GUARD = 10


def _mp(x: Fraction) -> mpmath.mpf:
    return mpmath.mpf(x.numerator) / x.denominator


@dataclass(frozen=True)
class Optimum:
    """The closed-form optimum at working precision (mpf), for class sizes n and weight decays."""

    n: tuple[Fraction, ...]
    lambda_W: Fraction
    lambda_H: Fraction
    alive: tuple[bool, ...]
    M: tuple  # mpf
    norm_h2: tuple
    a: tuple
    kappa: mpmath.mpf

    @property
    def K(self) -> int:
        return len(self.n)

    @property
    def S(self) -> mpmath.mpf:
        return mpmath.fsum(self.a)


def alive_exact(n: Sequence[Fraction], lambda_W: Fraction, lambda_H: Fraction) -> tuple[bool, ...]:
    """Class k alive iff N^2 K lambda_W lambda_H < (K-1) n_k (exact rationals)."""
    K, N = len(n), sum(n)
    return tuple(N * N * K * lambda_W * lambda_H < (K - 1) * nk for nk in n)


def optimum(n: Sequence[Fraction], lambda_W: Fraction, lambda_H: Fraction, dps: int) -> Optimum:
    """M_k, ||h_k||^2 and a_k at ``dps`` digits (computed at dps + GUARD; call inside any workdps)."""
    n = tuple(Fraction(v) for v in n)
    K, N = len(n), sum(n)
    alive = alive_exact(n, lambda_W, lambda_H)
    with mpmath.workdps(dps + GUARD):
        Ms, h2, a = [], [], []
        for nk, ok in zip(n, alive, strict=True):
            q = Fraction(K - 1) * lambda_W * lambda_H / (K * nk)
            if ok:
                rho = _mp(Fraction(N)) * mpmath.sqrt(_mp(q))
                E = Fraction(K - 1) ** 2 - Fraction(K * K) * N * N * q  # exact: (K-1)^2 - K^2 rho^2 > 0
                u = _mp(E) / (rho * ((K - 1) + K * rho))
                M = mpmath.log1p(u)
            else:
                M = mpmath.mpf(0)
            Ms.append(M)
            h2.append(mpmath.sqrt(_mp(Fraction(K - 1) * lambda_W / (K * nk * lambda_H))) * M)
            a.append(mpmath.sqrt(_mp(nk)) * M)
        kappa = mpmath.sqrt(_mp(Fraction(K) * lambda_H / ((K - 1) * lambda_W)))
    return Optimum(n, lambda_W, lambda_H, alive, tuple(Ms), tuple(h2), tuple(a), kappa)


def _gram_entry(opt: Optimum, k: int, l: int, dps: int) -> mpmath.mpf:  # noqa: E741
    """(W W^T)_kl to dps digits relative to itself (extra digits where S - K(a_k + a_l) cancels)."""
    extra = GUARD
    for _ in range(4):
        with mpmath.workdps(dps + extra):
            o = optimum(opt.n, opt.lambda_W, opt.lambda_H, dps + extra)
            K = o.K
            terms = [o.S, K * (o.a[k] + o.a[l]), (K * K * o.a[k] if k == l else mpmath.mpf(0))]
            val = terms[0] - terms[1] + terms[2]
            big = max(abs(t) for t in terms)
            if big == 0:
                return mpmath.mpf(0)
            lost = 0 if val == 0 else max(0, int(mpmath.log10(big / abs(val))) + 1)
            if lost + GUARD <= extra:
                return o.kappa / K**2 * val
            extra = lost + 2 * GUARD
    return o.kappa / K**2 * val


def gram_W(opt: Optimum, dps: int) -> dict[str, mpmath.mpf]:
    """(W W^T)_kl for k <= l, labels 'k,l' (1-based)."""
    return {f"{k + 1},{l + 1}": _gram_entry(opt, k, l, dps) for k in range(opt.K) for l in range(k, opt.K)}  # noqa: E741


def norm_w(opt: Optimum, dps: int) -> dict[str, mpmath.mpf]:
    with mpmath.workdps(dps + GUARD):
        return {str(k + 1): mpmath.sqrt(_gram_entry(opt, k, k, dps)) for k in range(opt.K)}


def norm_h(opt: Optimum) -> dict[str, mpmath.mpf]:
    with mpmath.workdps(mpmath.mp.dps + GUARD):
        return {str(k + 1): mpmath.sqrt(v) for k, v in enumerate(opt.norm_h2)}


def gram_H(opt: Optimum) -> dict[str, mpmath.mpf]:
    """Gram of the class means: diagonal ||h_k||^2, off-diagonal 0 (pairwise orthogonal)."""
    return {
        f"{k + 1},{l + 1}": (opt.norm_h2[k] if k == l else mpmath.mpf(0))
        for k in range(opt.K)
        for l in range(k, opt.K)  # noqa: E741
    }


def _all_collapsed(opt: Optimum) -> bool:
    return not any(opt.alive)


def cos_w(opt: Optimum, dps: int) -> dict[str, mpmath.mpf | Undefined]:
    """cos(w_k, w_l), k < l; Undefined when every class collapses (W = 0)."""
    out = {}
    for k in range(opt.K):
        for l in range(k + 1, opt.K):  # noqa: E741
            if _all_collapsed(opt):
                out[f"{k + 1},{l + 1}"] = Undefined("every class collapses: W = 0")
                continue
            with mpmath.workdps(dps + GUARD):
                g = _gram_entry(opt, k, l, dps)
                out[f"{k + 1},{l + 1}"] = g / mpmath.sqrt(_gram_entry(opt, k, k, dps) * _gram_entry(opt, l, l, dps))
    return out


def cos_wh(opt: Optimum, dps: int) -> dict[str, mpmath.mpf | Undefined]:
    """cos(w_k, h_l) for all k, l: (K-1) sqrt(a_l / G_ll') on the diagonal, -sqrt(a_l / G'_kk) off it, with
    G'_kk = K(K-2) a_k + S; Undefined where class l collapses (h_l = 0)."""
    out = {}
    K = opt.K
    with mpmath.workdps(dps + GUARD):
        S = opt.S
        for k in range(K):
            for l in range(K):  # noqa: E741
                key = f"{k + 1},{l + 1}"
                if not opt.alive[l]:
                    out[key] = Undefined(f"class {l + 1} collapses: h_{l + 1} = 0")
                    continue
                root = mpmath.sqrt(opt.a[l] / (K * (K - 2) * opt.a[k] + S))
                out[key] = (K - 1) * root if k == l else -root
    return out


def value(opt: Optimum) -> mpmath.mpf:
    K, N = opt.K, sum(opt.n)
    with mpmath.workdps(mpmath.mp.dps + GUARD):
        terms = []
        for nk, M in zip(opt.n, opt.M, strict=True):
            c = mpmath.sqrt(_mp(Fraction(K - 1) * opt.lambda_W * opt.lambda_H * nk / K))
            terms.append(_mp(nk / N) * mpmath.log1p((K - 1) * mpmath.exp(-M)) + c * M)
        return +mpmath.fsum(terms)


def balance(opt: Optimum) -> mpmath.mpf:
    """lambda_W ||W||_F^2 (= lambda_H ||H||_F^2, Lemma 1)."""
    K = opt.K
    with mpmath.workdps(mpmath.mp.dps + GUARD):
        return +mpmath.fsum(
            mpmath.sqrt(_mp(Fraction(K - 1) * opt.lambda_W * opt.lambda_H * nk / K)) * M
            for nk, M in zip(opt.n, opt.M, strict=True)
        )


def collapse_lambda(n: Sequence[Fraction]) -> dict[str, Fraction]:
    """T_k = (K-1) n_k / (K N^2): class k collapses iff lambda_W lambda_H >= T_k."""
    K, N = len(n), sum(n)
    return {str(k + 1): Fraction(K - 1) * nk / (K * N * N) for k, nk in enumerate(n)}


def collapse_size(n: Sequence[Fraction], lambda_W: Fraction, lambda_H: Fraction) -> Fraction:
    """n* = K N^2 lambda_W lambda_H / (K-1): class k collapses iff n_k <= n*."""
    K, N = len(n), sum(n)
    return Fraction(K) * N * N * lambda_W * lambda_H / (K - 1)


def total_collapse_lambda(n: Sequence[Fraction]) -> Fraction:
    """max_k T_k: W = 0, H = 0 (value log K) iff lambda_W lambda_H >= this."""
    return max(collapse_lambda(n).values())


def r_star(K_A: Fraction, K_B: Fraction, n_B: Fraction, lambda_W: Fraction, lambda_H: Fraction) -> mpmath.mpf:
    """R* = (sqrt((K-1)/(K lambda_W lambda_H n_B)) - K_B)/K_A (may be < 1: then the minority never lives)."""
    K = K_A + K_B
    with mpmath.workdps(mpmath.mp.dps + GUARD):
        root = mpmath.sqrt(_mp(Fraction(K - 1) / (K * lambda_W * lambda_H * n_B)))
        # root - K_B can cancel: root^2 - K_B^2 is exact
        diff = _mp(Fraction(K - 1) / (K * lambda_W * lambda_H * n_B) - K_B * K_B) / (root + _mp(Fraction(K_B)))
        return diff / _mp(Fraction(K_A))
