"""fang2021.prop1: oversampling = (15) with n_B -> w_r n_B, checked against direct solves of (18); w_r = R is an ETF."""

import subprocess
import sys
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings

from verify.claims.fang2021 import lemma1, prop1, thm1
from verify.engine.checking import Verdict, check_claim, check_point
from verify.geometry import pairwise_cosines
from verify.models import LayerPeeledModel
from verify.record import SolveOptions, Undefined
from verify.solvers.conic import polished_optimum

CLAIM = prop1.CLAIM


def test_pinned_examples_and_drawn_points_verify():
    result = check_claim(CLAIM, examples=2, seed=5)
    assert result.verdict is Verdict.VERIFIED, [(p.params, p.solve.message) for p in result.points]


@settings(max_examples=3)
@given(prop1.parameters())
def test_hypothesis_drawn_points_verify(values):
    point = check_point(CLAIM, CLAIM.parse(values), SolveOptions(dps=30, seed=9))
    assert point.verdict is Verdict.VERIFIED, (point.solve.message, [c for c in point.comparisons if not c.ok])


@pytest.mark.parametrize(
    "params",
    [
        {"K_A": "2", "K_B": "2", "n_A": "3", "n_B": "1", "w_r": "3", "p": "8", "E_H": "5", "E_W": "1"},
        {"K_A": "1", "K_B": "3", "n_A": "2", "n_B": "1", "w_r": "2", "p": "8", "E_H": "1/2", "E_W": "3"},
    ],
)
def test_rate_equal_to_R_gives_the_balanced_etf_of_theorem_1(params):
    """Closed form (Theorem 1 at K = K_A + K_B) against the independent solve of (18) at w_r = R."""
    values = CLAIM.parse(params)
    K = int(values["K_A"] + values["K_B"])
    subs = {thm1.K: K, thm1.E_H: sp.Rational(params["E_H"]), thm1.E_W: sp.Rational(params["E_W"])}
    report = prop1.solve(values, SolveOptions(dps=30))
    assert report.converged, report.message
    lpm = prop1.model(values)
    with mpmath.workdps(30):
        etf_value = mpmath.mpf(sp.N(thm1.VALUE.subs(subs), 35))
        tol = mpmath.mpf(10) ** -20
        assert abs(report.quantities["value"][0] - etf_value) <= tol * etf_value
        assert abs(prop1.relaxation_value(values, 30) - etf_value) <= tol * etf_value
        W, H = lpm.unpack(report.point)
        for cos in pairwise_cosines(W, zero_tol=1e-10, label="w"):  # every pair: AA, AB and BB
            assert abs(cos + mpmath.mpf(1) / (K - 1)) <= tol
        bounds = np.cumsum((0,) + lpm.class_sizes)
        means = np.array([H[bounds[k] : bounds[k + 1]].sum(axis=0) / lpm.class_sizes[k] for k in range(K)])
        for cos in pairwise_cosines(means, zero_tol=1e-10, label="hbar"):
            assert abs(cos + mpmath.mpf(1) / (K - 1)) <= tol
        E_W = mpmath.mpf(values["E_W"].numerator) / values["E_W"].denominator
        assert all(abs((w * w).sum() - E_W) <= tol * E_W for w in W)  # ||w_k||^2 = E_W for every class


def test_integer_oversampling_is_replication_of_the_minority_samples():
    """(18) with integer w_r has the optimal value of (7) with w_r n_B samples per minority class."""
    values = CLAIM.parse(CLAIM.examples[0].params)  # w_r = 2
    replicated = lemma1.CLAIM.parse({"K_A": "2", "K_B": "2", "n_A": "3", "n_B": "2", "p": "8", "E_H": "5", "E_W": "1"})
    a = prop1.solve(values, SolveOptions(dps=30))
    b = lemma1.solve(replicated, SolveOptions(dps=30))
    assert a.converged and b.converged
    with mpmath.workdps(30):
        assert abs(a.quantities["value"][0] - b.quantities["value"][0]) <= mpmath.mpf(10) ** -22


def test_oversampled_objective_is_7_with_replicated_samples_at_any_point():
    rng = np.random.default_rng(0)
    over = prop1.model(CLAIM.parse(CLAIM.examples[0].params))  # sizes (3, 3, 1, 1), w_r = 2
    rep = LayerPeeledModel((3, 3, 2, 2), 8, 5, 1)
    for _ in range(5):
        x = over.project(rng.standard_normal(over.dim))
        W, H = over.unpack(x)
        H_rep = np.vstack([H[:6], np.repeat(H[6:], 2, axis=0)])  # each minority sample twice
        y = rep.pack(W, H_rep)
        assert over.objective(x) == pytest.approx(rep.objective(y), rel=1e-14)
        assert np.allclose(over.constraints(x), rep.constraints(y), atol=1e-14)
        assert np.allclose(over.gradient(x)[: 4 * 8], rep.gradient(y)[: 4 * 8], atol=1e-14)


def test_oversampling_undoes_minority_collapse():
    collapsed = CLAIM.parse(CLAIM.examples[4].params)  # w_r = 1, R = 5, E_H = E_W = 1
    fixed = CLAIM.parse(CLAIM.examples[5].params)  # w_r = 5
    with mpmath.workdps(30):
        assert abs(prop1._classifier_cosine(collapsed, 30, "BB") - 1) < mpmath.mpf(10) ** -20
        assert abs(prop1._classifier_cosine(fixed, 30, "BB") + mpmath.mpf(1) / 3) < mpmath.mpf(10) ** -20


def test_minority_classifiers_vanish_beyond_R1_and_the_cosine_is_undefined():
    values = CLAIM.parse(CLAIM.examples[6].params)  # R = 8 > R1 = 5.21
    assert isinstance(prop1._classifier_cosine(values, 30, "BB"), Undefined)
    report = prop1.solve(values, SolveOptions(dps=30))
    assert report.converged
    assert all(isinstance(c, Undefined) for c in report.quantities["cos_classifiers_BB"])


def test_the_rate_enters_only_through_n_k_over_N():
    """Scaling every size by the same factor leaves (15) unchanged: (n_A, w_r n_B) = (2 n_A, 2 w_r n_B)."""
    a = prop1.relaxation(CLAIM.parse(CLAIM.examples[0].params), 30)
    b = polished_optimum((Fraction(6),) * 2 + (Fraction(4),) * 2, Fraction(5), Fraction(1), 30)
    with mpmath.workdps(30):
        assert abs(a.value - b.value) < mpmath.mpf(10) ** -27


@pytest.mark.parametrize(
    "change,needle",
    [
        ({"K_A": "0"}, "K_A"),
        ({"n_A": "1", "n_B": "2"}, "R = n_A/n_B >= 1"),
        ({"w_r": "0"}, "w_r > 0"),
        ({"w_r": "-2"}, "w_r > 0"),
        ({"n_B": "1.5"}, "not an integer"),
        ({"K_B": "1"}, "K_B >= 2"),
        ({"p": "7"}, "p >= 2K"),
    ],
)
def test_bad_input_gives_one_line_and_exit_2(change, needle):
    params = dict(CLAIM.examples[0].params) | change
    cmd = [sys.executable, "-m", "verify", "eval", "fang2021.prop1", *[f"{k}={v}" for k, v in params.items()]]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert out.returncode == 2
    lines = (out.stdout + out.stderr).strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], lines


@pytest.mark.slow
def test_fig6_exploration_minority_angles_grow_with_the_rate():
    finding = prop1.EXPLORATIONS[0].run()
    assert "decreases monotonically" in finding.summary
    ends = [r for r in finding.rows if r["w_r"] == "1000"]
    assert all(abs(float(r["cos_BB"]) + 1 / 9) < 1e-6 for r in ends)
