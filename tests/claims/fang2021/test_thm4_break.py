"""Beyond fang2021.thm4: the break s_c of ETF optimality for the power loss (verify/claims/fang2021/_thm4_break.py).
The certified side: a competitor proved below the ETF value in balls; the ETF point itself is never 'proved'
below itself."""

from fractions import Fraction

import mpmath
import numpy as np
import pytest

from verify.claims.fang2021 import _thm4_break as brk
from verify.geometry import simplex_etf


def test_a_competitor_is_proved_below_the_etf_value():
    x, value, etf = brk._below(5, 2, Fraction(1, 2))
    assert value < etf
    proved, competitor, etf_ball = brk.certified_below(5, 2, Fraction(1, 2), x)
    assert proved, (competitor, etf_ball)


def test_the_etf_point_is_not_proved_below_itself():
    K_, s = 5, Fraction(1, 2)
    M = simplex_etf(K_, K_, np.random.default_rng(0))
    x = np.concatenate([(np.sqrt(float(s)) * M).ravel(), (np.sqrt(float(s)) * M).ravel()])
    proved, _, _ = brk.certified_below(K_, 2, s, x)
    assert not proved


@pytest.mark.slow
def test_s_c_of_the_power_loss_at_k5_q2():
    row = brk.s_c(5, 2)
    assert row["certified"] == "yes"
    assert Fraction(1, 2) < Fraction(row["s_c"]) < Fraction(11, 20)
    assert mpmath.almosteq(mpmath.mpf(row["s_c"]), mpmath.mpf("0.544121301868024112877882827076"), 1e-25)
