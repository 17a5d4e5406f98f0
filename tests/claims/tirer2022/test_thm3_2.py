"""tirer2022.thm3_2: the free-bias simplex ETF against independent solves; b = 1/K at every kappa; Lemma B.1."""

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings

from verify.claims.tirer2022 import thm3_2
from verify.engine.checking import Verdict, check_claim, check_point
from verify.face.cli import main
from verify.record import SolveOptions

CLAIM = thm3_2.CLAIM


def test_pinned_examples_verify():
    result = check_claim(CLAIM, examples=0)
    assert result.verdict is Verdict.VERIFIED, [(p.params, p.solve.message) for p in result.points]


@settings(max_examples=2)
@given(thm3_2.parameters())
def test_drawn_points_verify(values):
    point = check_point(CLAIM, CLAIM.parse(values), SolveOptions(seed=4))
    assert point.verdict is Verdict.VERIFIED, (values, point.solve.message, [c for c in point.comparisons if not c.ok])


def test_bias_is_one_over_K_on_both_sides_of_the_threshold():
    for ex in (CLAIM.examples[0], CLAIM.examples[-1]):
        report = CLAIM.solver(CLAIM.parse(ex.params), SolveOptions())
        K = int(ex.params["K"])
        assert report.converged
        with mpmath.workdps(30):
            assert all(abs(b - mpmath.mpf(1) / K) < 1e-25 for b in report.quantities["bias"])


def test_d_equal_K_minus_1_is_allowed_and_K_minus_2_is_not(capsys):
    assert main(["eval", "tirer2022.thm3_2", "K=4", "n=2", "lambda_W=0.1", "lambda_H=0.1", "d=3"]) == 0
    assert main(["eval", "tirer2022.thm3_2", "K=4", "n=2", "lambda_W=0.1", "lambda_H=0.1", "d=2"]) == 2
    assert "d >= K - 1" in capsys.readouterr().err


@pytest.mark.parametrize("a", [0.1, 0.6, 0.99, 1.3])
def test_lemma_b1_scalar_core_by_brute_force(a):
    """Lemma B.1's core with the ETF angle: min over x >= 0 of (K-1)/K [(x - 1)^2/2 + a x] (the angle term is at
    its minimum cos = 1): ((K-1)/K)(a - a^2/2) for a < 1, else (K-1)/(2K); here K = 3, brute force in x."""
    K = 3
    x = np.linspace(0, 2, 200001)
    brute = float(((K - 1) / K * ((x - 1) ** 2 / 2 + a * x)).min())
    closed = (K - 1) / K * (a - a * a / 2 if a < 1 else 0.5)
    assert brute == pytest.approx(closed, abs=1e-9)


@pytest.mark.slow
def test_campaign_at_high_precision():
    """The slow tier: 20 drawn points at dps 50 with twice the starts."""
    result = check_claim(CLAIM, examples=20, seed=11, options=SolveOptions(dps=50, n_starts=16, seed=11))
    assert result.verdict is Verdict.VERIFIED, [
        (p.params, p.solve.message) for p in result.points if p.verdict != "verified"
    ]
