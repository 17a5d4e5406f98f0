"""tirer2022.thm4_2: two layers with ReLU against independent solves; the nuclear-norm assumption measured; the
second-level class means non-negative with disjoint supports."""

import mpmath
import numpy as np
import pytest

from verify.claims.tirer2022 import thm4_1, thm4_2
from verify.claims.tirer2022._two_layer_solve import model
from verify.engine.checking import Verdict, check_claim
from verify.record import SolveOptions

CLAIM = thm4_2.CLAIM


def test_pinned_examples_verify():
    result = check_claim(CLAIM, examples=1, seed=1)
    assert result.verdict is Verdict.VERIFIED, [(p.params, p.solve.message) for p in result.points]


def test_nuclear_norm_assumption_is_measured_and_holds_at_the_optimum():
    report = CLAIM.solver(CLAIM.parse(CLAIM.examples[0].params), SolveOptions())
    nn = report.details["nuclear_norm_assumption"]
    assert nn["holds_at_best"], nn
    assert mpmath.almosteq(mpmath.mpf(nn["relu_nuclear_norm_at_best"]), mpmath.mpf(nn["linear_nuclear_norm_at_best"]))


def test_second_level_means_are_nonnegative_with_disjoint_supports():
    values = CLAIM.parse(CLAIM.examples[0].params)
    report = CLAIM.solver(values, SolveOptions())
    m = model(values, relu=True)
    x = np.vectorize(float)(report.point)
    _, A = m.second_features(x)
    Hbar2 = m.class_means(A)
    G = Hbar2.T @ Hbar2
    assert (Hbar2 >= 0).all()
    off = G - np.diag(np.diag(G))
    assert np.abs(off).max() < 1e-12 * np.diag(G).max()  # orthogonal non-negative columns: disjoint supports


def test_same_value_as_the_linear_model():
    values = CLAIM.parse(CLAIM.examples[0].params)
    relu = CLAIM.solver(values, SolveOptions()).quantities["value"][0]
    linear = thm4_1.CLAIM.solver(values, SolveOptions()).quantities["value"][0]
    assert abs(relu - linear) < 1e-25


@pytest.mark.slow
def test_campaign_at_high_precision():
    """The slow tier: 20 drawn points at dps 50 with twice the starts."""
    result = check_claim(CLAIM, examples=20, seed=11, options=SolveOptions(dps=50, n_starts=16, seed=11))
    assert result.verdict is Verdict.VERIFIED, [
        (p.params, p.solve.message) for p in result.points if p.verdict != "verified"
    ]
