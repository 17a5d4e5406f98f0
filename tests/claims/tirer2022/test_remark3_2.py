"""tirer2022.remark3_2: the regularised bias in closed form against independent solves, both regimes; the limits
lambda_b -> infinity (Theorem 3.1) and lambda_b -> 0 (Theorem 3.2)."""

import mpmath
import pytest
from hypothesis import given, settings

from verify.claims.tirer2022 import remark3_2, thm3_1, thm3_2
from verify.engine.checking import Verdict, check_claim, check_point
from verify.record import SolveOptions

CLAIM = remark3_2.CLAIM


def test_pinned_examples_verify():
    result = check_claim(CLAIM, examples=0)
    assert result.verdict is Verdict.VERIFIED, [(p.params, p.solve.message) for p in result.points]


@settings(max_examples=2)
@given(remark3_2.parameters())
def test_drawn_points_verify(values):
    point = check_point(CLAIM, CLAIM.parse(values), SolveOptions(seed=6))
    assert point.verdict is Verdict.VERIFIED, (values, point.solve.message, [c for c in point.comparisons if not c.ok])


def test_neither_orthogonal_frame_nor_simplex_etf_in_the_first_regime():
    mpmath.mp.dps = 30
    out = CLAIM.evaluate(CLAIM.parse(CLAIM.examples[0].params))
    K = int(CLAIM.examples[0].params["K"])
    assert -1 / mpmath.mpf(K - 1) < out["cos_means"] < 0  # between the ETF and the OF
    assert mpmath.almosteq(out["cos_centred_means"], -1 / mpmath.mpf(K - 1), 1e-25)
    second = CLAIM.evaluate(CLAIM.parse(CLAIM.examples[1].params))
    assert second["sigma_WHbar_mean"] == 0 and mpmath.almosteq(second["cos_means"], -mpmath.mpf(1) / 2, 1e-25)
    mpmath.mp.dps = 15


def test_limits_are_theorems_3_1_and_3_2():
    base = {"K": "4", "n": "5", "lambda_W": "1/100", "lambda_H": "1/100", "d": "4"}
    big = CLAIM.evaluate(CLAIM.parse({**base, "lambda_b": "1e12"}))
    free = thm3_1.CLAIM.evaluate(thm3_1.CLAIM.parse(base))
    assert abs(big["value"] - free["value"]) < 1e-10
    assert abs(big["sigma_WHbar_mean"] - free["sigma_WHbar"]) < 1e-10
    small = CLAIM.evaluate(CLAIM.parse({**base, "lambda_b": "1e-12"}))
    bias = thm3_2.CLAIM.evaluate(thm3_2.CLAIM.parse(base))
    assert abs(small["value"] - bias["value"]) < 1e-10 and abs(small["bias"] - bias["bias"]) < 1e-10


@pytest.mark.slow
def test_campaign_at_high_precision():
    """The slow tier: 20 drawn points at dps 50 with twice the starts."""
    result = check_claim(CLAIM, examples=20, seed=11, options=SolveOptions(dps=50, n_starts=16, seed=11))
    assert result.verdict is Verdict.VERIFIED, [
        (p.params, p.solve.message) for p in result.points if p.verdict != "verified"
    ]
