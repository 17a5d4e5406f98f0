"""Beyond fang2021.lemma3: the certified crossing at q < 1 (verify/claims/fang2021/_lemma3_switch.py)."""

from fractions import Fraction

import mpmath
import numpy as np

from verify.claims.fang2021._lemma3_switch import switch


def test_the_crossing_is_certified_and_matches_the_two_explicit_points():
    row = switch(Fraction(1, 2))
    assert "proven" in row["one-sided better on"] and "NOT" not in row["one-sided better on"]
    t = float(row["t_star"].split(" +- ")[0])
    # the two candidate values of (33), in floats, at t* (1 -+ 1e-3): one-sided better below, Lemma-3 form above
    for factor, one_sided_better in ((1 - 1e-3, True), (1 + 1e-3, False)):
        tt = t * factor
        sym = 2 * np.logaddexp(0, -2 * tt)
        one = np.logaddexp(0, -(2**3) * tt) + np.log(2)
        assert bool(one < sym) is one_sided_better
    # E_H* = t*^q at E_W = 1
    assert mpmath.almosteq(mpmath.mpf(row["E_H_star (E_W = 1)"].split(" +- ")[0]) ** 2, t, 1e-12)
