"""dang2024's D x D Gram and cosine tables in fixed point (verify/claims/dang2024/_fixed_point.py) against a direct
evaluation of the same closed form at three times the digits, and the array rounding against mpmath's own."""

from fractions import Fraction

import mpmath
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from mpmath.libmp import from_man_exp, round_nearest

from verify.claims.dang2024 import _closed_form as cf
from verify.claims.dang2024._fixed_point import mpf_rounded

DPS = 30


def _mp(x: Fraction) -> mpmath.mpf:
    return mpmath.mpf(x.numerator) / x.denominator


#: each entry is promised to DPS digits relative to itself; one unit of slack in the last digit
ALLOWED = mpmath.mpf(10) ** (1 - DPS)


def _direct(n, lambda_W, lambda_H, dps):
    """(W W^T)_kl and cos(w_k, w_l) from the module docstring's formulas, entry by entry at ``dps`` digits."""
    K, N = len(n), sum(n)
    with mpmath.workdps(dps):
        a = []
        for nk in n:
            rho = _mp(N) * mpmath.sqrt(_mp((K - 1) * lambda_W * lambda_H / (K * nk)))
            alive = N * N * K * lambda_W * lambda_H < (K - 1) * nk
            a.append(mpmath.sqrt(_mp(nk)) * mpmath.log((K - 1) * (1 / rho - 1)) if alive else mpmath.mpf(0))
        S = mpmath.fsum(a)
        kappa = mpmath.sqrt(_mp(K * lambda_H / ((K - 1) * lambda_W)))
        G = [
            [kappa / K**2 * (S - K * (a[k] + a[m]) + (K * K * a[k] if k == m else 0)) for m in range(K)]
            for k in range(K)
        ]
        cos = [[G[k][m] / mpmath.sqrt(G[k][k] * G[m][m]) for m in range(K)] for k in range(K)]
    return G, cos


def _check(n, lambda_W, lambda_H):
    opt = cf.optimum(n, lambda_W, lambda_H, DPS)
    if not any(opt.alive):
        return
    with mpmath.workdps(DPS):
        gram, cos = cf.gram_W(opt, DPS), cf.cos_w(opt, DPS)
    G, C = _direct(n, lambda_W, lambda_H, 3 * DPS)
    with mpmath.workdps(3 * DPS):
        for label, got in gram.items():
            k, m = (int(x) - 1 for x in label.split(","))
            assert abs(got - G[k][m]) <= ALLOWED * abs(G[k][m]), (label, got, G[k][m])
        for label, got in cos.items():
            k, m = (int(x) - 1 for x in label.split(","))
            assert abs(got - C[k][m]) <= ALLOWED * abs(C[k][m]), (label, got, C[k][m])


@settings(max_examples=15, deadline=None)
@given(
    st.lists(st.integers(1, 400), min_size=2, max_size=12, unique=True),
    st.sampled_from([Fraction(1, 10**6), Fraction(1, 2000), Fraction(3, 7000)]),
)
def test_tables_match_the_direct_formula_at_three_times_the_digits(sizes, lam):
    _check(tuple(Fraction(s) for s in sizes), lam, lam)


def test_an_entry_that_cancels_twenty_digits_is_still_right():
    """Sizes (1, 2, n3) with n3 chosen so that S - 3(a_1 + a_2) nearly vanishes: the fixed-point pass loses more
    than its margin there and the entry is evaluated again with the digits it lost."""
    lam = Fraction(1, 10**6)

    def entry(n3):
        G, _ = _direct((Fraction(1), Fraction(2), n3), lam, lam, 60)
        return G[0][1]

    with mpmath.workdps(60):
        root = mpmath.findroot(lambda t: entry(Fraction(mpmath.nstr(t, 60))), 8.0)
    n3 = Fraction(mpmath.nstr(root, 25))  # within 1e-24 of the zero: ~20 digits cancel
    _check((Fraction(1), Fraction(2), n3), lam, lam)


@settings(max_examples=50, deadline=None)
@given(st.integers(-(2**300), 2**300), st.integers(-400, 400), st.sampled_from([53, 113, 200]))
def test_array_rounding_is_mpmaths_up_to_the_tie_rule(m, e, prec):
    got = mpf_rounded(np.array([m], dtype=object), np.array([e], dtype=np.int64), prec)[0]
    ref = mpmath.mp.make_mpf(from_man_exp(m, e, prec, round_nearest))
    if got != ref:  # an exact tie: both within half a unit, on either side
        with mpmath.workprec(1000):
            x = mpmath.ldexp(mpmath.mpf(m), e)
            assert abs(got - x) == abs(ref - x)
    assert +got == got  # mpmath's normal form (odd mantissa, right bit count)
