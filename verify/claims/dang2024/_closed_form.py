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

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import mpmath
import numpy as np

from verify.claims.dang2024 import _fixed_point
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
    """M_k, ||h_k||^2 and a_k at ``dps`` digits (computed at dps + GUARD; call inside any workdps). Each depends
    on n_k alone: computed once per distinct class size (K = 1000 classes of a few sizes: a few evaluations)."""
    return _optimum(tuple(Fraction(v) for v in n), Fraction(lambda_W), Fraction(lambda_H), dps)


@lru_cache(maxsize=16)
def _optimum(n: tuple[Fraction, ...], lambda_W: Fraction, lambda_H: Fraction, dps: int) -> Optimum:
    K, N = len(n), sum(n)
    per_size = {}
    with mpmath.workdps(dps + GUARD):
        for nk in sorted(set(n)):
            ok = N * N * K * lambda_W * lambda_H < (K - 1) * nk
            q = Fraction(K - 1) * lambda_W * lambda_H / (K * nk)
            if ok:
                rho = _mp(Fraction(N)) * mpmath.sqrt(_mp(q))
                E = Fraction(K - 1) ** 2 - Fraction(K * K) * N * N * q  # exact: (K-1)^2 - K^2 rho^2 > 0
                u = _mp(E) / (rho * ((K - 1) + K * rho))
                M = mpmath.log1p(u)
            else:
                M = mpmath.mpf(0)
            h2 = mpmath.sqrt(_mp(Fraction(K - 1) * lambda_W / (K * nk * lambda_H))) * M
            per_size[nk] = (ok, M, h2, mpmath.sqrt(_mp(nk)) * M)
        kappa = mpmath.sqrt(_mp(Fraction(K) * lambda_H / ((K - 1) * lambda_W)))
    alive, Ms, h2s, a = zip(*(per_size[nk] for nk in n), strict=True)
    return Optimum(n, lambda_W, lambda_H, alive, Ms, h2s, a, kappa)


def _S(o: Optimum) -> mpmath.mpf:
    """sum_k a_k, summed once per distinct size (count x a)."""
    counts = Counter(o.n)
    first = {nk: a for nk, a in zip(o.n, o.a, strict=True)}
    return mpmath.fsum(counts[nk] * first[nk] for nk in counts)


@dataclass(frozen=True)
class SizeTables:
    """Per distinct class size: (W W^T)_kk; per pair of sizes (i, j): (W W^T)_kl and cos(w_k, w_l) for classes
    k != l of sizes i, j (symmetric D x D object arrays of mpf), each to dps digits relative to itself."""

    sizes: list[Fraction]
    diag: list
    off: np.ndarray
    cos: np.ndarray


@lru_cache(maxsize=4)
def _size_tables(opt: Optimum, dps: int) -> SizeTables:
    """The Gram and cosine tables, computed once per (optimum, dps) for gram_W, norm_w and cos_w. Pairs of equal
    sizes share their entry, so K classes of D sizes cost O(D^2) entries, each an exact integer
    combination of a_i and S in fixed point (verify/claims/dang2024/_fixed_point.py) at dps + 2 GUARD digits;
    an entry losing more than GUARD digits to cancellation in S - K(a_k + a_l) is evaluated again in mpmath
    with as many extra digits as it lost."""
    sizes = sorted(set(opt.n))
    D, K = len(sizes), opt.K
    with mpmath.workdps(dps + 2 * GUARD):
        o = optimum(opt.n, opt.lambda_W, opt.lambda_H, dps + 2 * GUARD)
        by_size = dict(zip(o.n, o.a, strict=True))
        a = [by_size[t] for t in sizes]
        S = _S(o)
        if S == 0:  # every class collapses: W = 0 (the cosines are undefined; cos_w says so before reading)
            zero = mpmath.mpf(0)
            zeros = np.full((D, D), zero, dtype=object)
            return SizeTables(sizes, [zero] * D, zeros, zeros)
        t = _fixed_point.tables(a, S, o.kappa, K)
    off, cos = t.off.copy(), t.cos.copy()
    for i, j in zip(*np.nonzero(np.triu(t.lost > GUARD)), strict=True):
        value, cosine = _refined_entry(opt, dps, sizes, int(i), int(j), int(t.lost[i, j]), t.diag)
        off[i, j] = off[j, i] = value
        cos[i, j] = cos[j, i] = cosine
    return SizeTables(sizes, t.diag, off, cos)


def _refined_entry(opt: Optimum, dps: int, sizes, i: int, j: int, lost: int, diag) -> tuple:
    """(W W^T)_kl and its cosine for sizes i, j in mpmath at dps + lost + 2 GUARD digits, more while digits are
    still lost (each pass adds what the previous one lost)."""
    extra = lost + 2 * GUARD
    for _ in range(4):
        with mpmath.workdps(dps + extra):
            o = optimum(opt.n, opt.lambda_W, opt.lambda_H, dps + extra)
            by_size = dict(zip(o.n, o.a, strict=True))
            ai, aj, K, S = by_size[sizes[i]], by_size[sizes[j]], o.K, _S(o)
            terms = (S, K * (ai + aj))
            val = terms[0] - terms[1]
            big = max(abs(x) for x in terms)
            lost = 0 if val == 0 else max(0, int(_fixed_point.DIGITS_PER_BIT * (mpmath.mag(big) - mpmath.mag(val))) + 1)
            value = o.kappa / K**2 * val
            if lost + GUARD <= extra:
                break
            extra = lost + 2 * GUARD
    with mpmath.workdps(dps + GUARD):
        return value, value / (mpmath.sqrt(diag[i]) * mpmath.sqrt(diag[j]))


def gram_W(opt: Optimum, dps: int) -> dict[str, mpmath.mpf]:
    """(W W^T)_kl for k <= l, labels 'k,l' (1-based)."""
    g, K = _size_tables(opt, dps), opt.K
    _, idx = _size_index(opt)
    table = g.off.tolist()
    labels, ks, ls = _pairs(K, False)
    values = [g.diag[idx[k]] if k == l else table[idx[k]][idx[l]] for k, l in zip(ks, ls, strict=True)]  # noqa: E741
    return dict(zip(labels, values, strict=True))


def norm_w(opt: Optimum, dps: int) -> dict[str, mpmath.mpf]:
    g = _size_tables(opt, dps)
    with mpmath.workdps(dps + GUARD):
        root = {s: mpmath.sqrt(d) for s, d in zip(g.sizes, g.diag, strict=True)}
    return {str(k + 1): root[nk] for k, nk in enumerate(opt.n)}


def norm_h(opt: Optimum) -> dict[str, mpmath.mpf]:
    with mpmath.workdps(mpmath.mp.dps + GUARD):
        root = {nk: mpmath.sqrt(v) for nk, v in zip(opt.n, opt.norm_h2, strict=True)}
    return {str(k + 1): root[nk] for k, nk in enumerate(opt.n)}


def gram_H(opt: Optimum) -> dict[str, mpmath.mpf]:
    """Gram of the class means: diagonal ||h_k||^2, off-diagonal 0 (pairwise orthogonal)."""
    zero = mpmath.mpf(0)
    labels, ks, ls = _pairs(opt.K, False)
    h2 = opt.norm_h2
    return dict(zip(labels, [h2[k] if k == l else zero for k, l in zip(ks, ls, strict=True)], strict=True))  # noqa: E741


def _all_collapsed(opt: Optimum) -> bool:
    return not any(opt.alive)


def cos_w(opt: Optimum, dps: int) -> dict[str, mpmath.mpf | Undefined]:
    """cos(w_k, w_l), k < l; Undefined when every class collapses (W = 0). One value per pair of sizes."""
    K = opt.K
    if _all_collapsed(opt):
        return dict.fromkeys(_pairs(K, True)[0], Undefined("every class collapses: W = 0"))
    table = _size_tables(opt, dps).cos.tolist()
    _, idx = _size_index(opt)
    labels, ks, ls = _pairs(K, True)
    return dict(zip(labels, [table[idx[k]][idx[l]] for k, l in zip(ks, ls, strict=True)], strict=True))  # noqa: E741


def _size_index(opt: Optimum) -> tuple[list[Fraction], list[int]]:
    """The distinct class sizes and, per class, the index of its size (int keys: Fraction hashing of 10^6
    pairs would cost more than the values)."""
    sizes = sorted(set(opt.n))
    pos = {t: i for i, t in enumerate(sizes)}
    return sizes, [pos[t] for t in opt.n]


@lru_cache(maxsize=8)
def _pairs(K: int, strict: bool) -> tuple[tuple[str, ...], tuple[int, ...], tuple[int, ...]]:
    """Labels 'k,l' (1-based) and the index arrays of the pairs k <= l (k < l when ``strict``), built once per K."""
    ks = tuple(k for k in range(K) for _ in range(k + strict, K))
    ls = tuple(l for k in range(K) for l in range(k + strict, K))  # noqa: E741
    return tuple(f"{k + 1},{l + 1}" for k, l in zip(ks, ls, strict=True)), ks, ls  # noqa: E741


@lru_cache(maxsize=8)
def _all_pairs(K: int) -> tuple[str, ...]:
    return tuple(f"{k + 1},{l + 1}" for k in range(K) for l in range(K))  # noqa: E741


def cos_wh(opt: Optimum, dps: int) -> dict[str, mpmath.mpf | Undefined]:
    """cos(w_k, h_l) for all k, l: (K-1) sqrt(a_l / G_ll') on the diagonal, -sqrt(a_l / G'_kk) off it, with
    G'_kk = K(K-2) a_k + S; Undefined where class l collapses (h_l = 0). One value per pair of sizes."""
    K = opt.K
    sizes, idx = _size_index(opt)
    first = {t: k for k, t in reversed(list(enumerate(opt.n)))}
    a = [opt.a[first[t]] for t in sizes]
    alive = [opt.alive[first[t]] for t in sizes]
    D = len(sizes)
    with mpmath.workdps(dps + GUARD):
        S = _S(opt)
        # per size, once; the denominator is >= S > 0 wherever some class lives (a_l > 0 is part of S)
        inv = [1 / mpmath.sqrt(K * (K - 2) * a[i] + S) if S > 0 else None for i in range(D)]
        sa = [mpmath.sqrt(a[j]) if alive[j] else None for j in range(D)]
        neg = [None if x is None else -x for x in sa]
        off = [[None if neg[j] is None or inv[i] is None else neg[j] * inv[i] for j in range(D)] for i in range(D)]
        diag = [(K - 1) * sa[i] * inv[i] if alive[i] else None for i in range(D)]
    dead = [None if alive[idx[l]] else Undefined(f"class {l + 1} collapses: h_{l + 1} = 0") for l in range(K)]  # noqa: E741
    values = []
    for k in range(K):
        offs = off[idx[k]]
        row = [dead[l] if dead[l] is not None else offs[idx[l]] for l in range(K)]  # noqa: E741
        if diag[idx[k]] is not None:
            row[k] = diag[idx[k]]
        values += row
    return dict(zip(_all_pairs(K), values, strict=True))


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
