"""The D x D tables of Dang et al. 2024 Theorem 1's classifier Gram and cosines, in fixed point (helper, no CLAIM).

With a_i = sqrt(n_i) M_i per distinct class size and S = sum_k a_k (verify/claims/dang2024/_closed_form.py, proof
in proofs/dang2024.thm1.md, Step 4), (W W^T)_kl = (kappa/K^2) (S - K(a_k + a_l) + K^2 a_k delta_kl). With every
class size distinct there are K^2/2 such entries (10^6 pairs at K = 1000): evaluating each in mpmath costs
tens of microseconds. Here a_i and S are rounded once to integers on one binary scale 2^-P, and every entry is
an exact integer combination of them, computed over numpy object arrays (Python integers, no rounding); the
only roundings are those of a_i and S (half a unit each), of the scale and of the final conversion to mpf.

Error budget (why the answer has the digits the caller asks for): P is chosen so that one unit is 2^-(prec +
2 log2 K + 8) of S (prec: the working precision in bits), and S >= every a_i, so the absolute error of an
entry, at most (1 + 2K + K^2) units, is below 2^-prec S <= 2^-prec big, big = the largest term of the entry.
Relative to the entry this is 2^-prec big/|entry|: the entry has the working digits less the digits lost to
cancellation, log10(big/|entry|), read off the integers' bit lengths. An entry losing more than the caller's
margin is reported back (``lost``) and recomputed by the caller at more digits, as before.
"""

from __future__ import annotations

from dataclasses import dataclass

import mpmath
import numpy as np

#: log10(2): digits per bit, to turn the bits lost to cancellation into digits
DIGITS_PER_BIT = 0.30103


@dataclass(frozen=True)
class FixedTables:
    """Per pair of distinct sizes (i, j), i <= j: the off-diagonal Gram entry (classes k != l with those sizes),
    its cosine and the digits lost to cancellation; per size the diagonal entry (which never cancels: K >= 2)."""

    diag: list  # mpf, (W W^T)_kk for a class of size i
    off: np.ndarray  # D x D object array of mpf (symmetric; both triangles the same objects)
    cos: np.ndarray  # D x D object array of mpf
    lost: np.ndarray  # D x D int: decimal digits lost to cancellation in the off-diagonal entry


def _fixed(x: mpmath.mpf, P: int) -> int:
    """round(x 2^P) as an integer (x in the working precision; ldexp is exact)."""
    return int(mpmath.nint(mpmath.ldexp(x, P)))


_bit_length = np.frompyfunc(int.bit_length, 1, 1)


def mpf_rounded(mantissas: np.ndarray, exponents: np.ndarray, prec: int) -> list:
    """[mpf(m 2^e) rounded to nearest at ``prec`` bits] for integer arrays (object m, int64 e), the rounding
    done over whole arrays: each |m| shifted right by its excess bits with half a unit added first (ties away
    from zero: still within half a unit), trailing zero bits stripped, then mpmath's normalised raw form
    (sign, odd mantissa, exponent, bit count) built directly. Equals mpmath's own from_man_exp up to the tie
    rule (tests/claims/dang2024/test_fixed_point.py)."""
    sign = mantissas < 0
    m = np.where(sign, -mantissas, mantissas)
    shift = np.maximum(_bit_length(m).astype(np.int64) - prec, 0)
    half = np.where(shift > 0, np.left_shift(np.ones_like(m), np.maximum(shift - 1, 0).astype(object)), 0)
    m = np.right_shift(m + half, shift.astype(object))
    e = exponents + shift
    zero = m == 0
    low = np.where(zero, 1, m)
    tz = _bit_length(low & -low).astype(np.int64) - 1  # trailing zero bits (a carry may add one)
    m = np.right_shift(m, tz.astype(object))
    e = e + tz
    bc = _bit_length(m).astype(np.int64)
    make, mpz = mpmath.mp.make_mpf, mpmath.libmp.MPZ  # the backend's integer type (int, or gmpy2's mpz)
    fzero = mpmath.mpf(0)._mpf_
    return [
        make(fzero if z else (int(s), mpz(mm), int(ee), int(b)))
        for z, s, mm, ee, b in zip(zero.tolist(), sign.tolist(), m.tolist(), e.tolist(), bc.tolist(), strict=True)
    ]


def _mpf_symmetric(D: int, mantissas: np.ndarray, exponents: np.ndarray, prec: int) -> np.ndarray:
    """The symmetric D x D object array whose upper triangle (``np.triu_indices(D)`` order) is mpf(m 2^e) for
    the given mantissas and exponents, each rounded once to ``prec`` bits; the lower triangle holds the same
    objects."""
    iu, ju = np.triu_indices(D)
    values = mpf_rounded(mantissas, exponents, prec)
    out = np.empty((D, D), dtype=object)
    out[iu, ju] = values
    out[ju, iu] = values
    return out


def tables(a: list, S: mpmath.mpf, kappa: mpmath.mpf, K: int) -> FixedTables:
    """The tables at the current working precision (call inside ``mpmath.workdps``), from a_i >= 0 (one per
    distinct size) and S = sum_k a_k > 0."""
    prec = mpmath.mp.prec
    P = prec + 2 * K.bit_length() + 8 - int(mpmath.mag(S))
    A = np.array([_fixed(x, P) for x in a], dtype=object)
    Si = _fixed(S, P)
    KA = K * A
    D = len(a)
    iu, ju = np.triu_indices(D)
    pair = KA[iu] + KA[ju]  # K(a_i + a_j) on the upper triangle (i <= j), exact integers
    V = Si - pair  # off-diagonal numerators
    Vd = Si + (K - 2) * KA  # diagonal: S - 2K a_i + K^2 a_i, a sum of non-negative terms (K >= 2)
    big = np.maximum(pair, Si)
    zero = V == 0
    lost_bits = np.where(zero, 0, _bit_length(big) - _bit_length(V)).astype(np.int64)
    lost_upper = np.where(zero, 0, (lost_bits * DIGITS_PER_BIT).astype(np.int64) + 1)
    lost = np.zeros((D, D), dtype=np.int64)
    lost[iu, ju] = lost_upper
    lost[ju, iu] = lost_upper
    scale = kappa / K**2
    sign, man, exp, _ = scale._mpf_
    scale_man = -int(man) if sign else int(man)  # Python ints throughout (mpmath's MPZ may be gmpy2's mpz)
    off = _mpf_symmetric(D, V * scale_man, np.full(V.shape, exp - P, dtype=np.int64), prec)
    diag = mpf_rounded(Vd * scale_man, np.full(Vd.shape, exp - P, dtype=np.int64), prec)
    # cos = V_ij / sqrt(Vd_i Vd_j): the scale and 2^-P cancel; 1/sqrt(Vd_i) once per size, to prec + 16 bits
    with mpmath.workprec(prec + 16):
        inv = [1 / mpmath.sqrt(mpmath.mpf(int(v))) for v in Vd]
    inv_man = np.array([(-int(m) if s else int(m)) for s, m, _, _ in (r._mpf_ for r in inv)], dtype=object)
    inv_exp = np.array([r._mpf_[2] for r in inv], dtype=np.int64)
    cos = _mpf_symmetric(D, V * inv_man[iu] * inv_man[ju], inv_exp[iu] + inv_exp[ju], prec)
    return FixedTables(diag, off, cos, lost)
