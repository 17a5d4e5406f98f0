"""tirer2022.thm3_1: the bias-free orthogonal frame against independent solves; thresholds; gradient descent;
bad input; Lemma A.1 (the scalar core) against a brute-force minimisation."""

from fractions import Fraction

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings

from verify.base.errors import InputError
from verify.claims.tirer2022 import thm3_1
from verify.engine.checking import Verdict, check_claim, check_point
from verify.face.cli import main
from verify.record import SolveOptions, Withheld

CLAIM = thm3_1.CLAIM


def test_pinned_examples_verify():
    result = check_claim(CLAIM, examples=0)
    assert result.verdict is Verdict.VERIFIED, [(p.params, p.solve.message) for p in result.points]


@settings(max_examples=2)
@given(thm3_1.parameters())
def test_drawn_points_verify(values):
    point = check_point(CLAIM, CLAIM.parse(values), SolveOptions(seed=3))
    assert point.verdict is Verdict.VERIFIED, (values, point.solve.message, [c for c in point.comparisons if not c.ok])


def test_gradient_descent_reaches_the_global_value_and_no_spurious_minimum():
    """The paper's landscape remark: plain gradient descent from random starts ends at the global value."""
    report = CLAIM.solver(CLAIM.parse(CLAIM.examples[0].params), SolveOptions(seed=5))
    assert report.details["gradient_descent_agrees"], report.details["gradient_descent"]
    assert report.details["local_minima"] == []
    assert report.details["starts_at_best"] == report.details["starts"]


def test_zero_solution_beyond_kappa_one():
    values = CLAIM.parse(CLAIM.examples[-1].params)
    out = CLAIM.evaluate(values)
    assert out["kappa"] > 1 and out["value"] == mpmath.mpf(1) / 2 and out["sigma_W"] == 0
    report = CLAIM.solver(values, SolveOptions())
    assert report.converged and report.details["best_point"].startswith("origin")
    assert all(abs(v) < 1e-25 for v in report.quantities["sigma_W"])


def test_thresholds_are_answered_on_their_own_and_tie_values():
    out = CLAIM.evaluate(CLAIM.parse({"K": "4", "n": "5", "lambda_H": "1/100"}, partial=True))
    assert out["lambda_W_threshold"] == mpmath.mpf("1.25")
    assert isinstance(out["value"], Withheld) and out["value"].needs == ("lambda_W",)
    at_tie = CLAIM.evaluate(CLAIM.parse({"K": "4", "n": "5", "lambda_H": "1/100", "lambda_W": "5/4"}, partial=True))
    assert at_tie["kappa"] == 1 and at_tie["value"] == mpmath.mpf(1) / 2 and at_tie["sigma_WHbar"] == 0


@pytest.mark.parametrize(
    "args,word",
    [
        (["K=4", "n=5", "lambda_W=0.01", "lambda_H=0.01", "d=3"], "d >= K"),
        (["K=4", "n=5", "lambda_W=0", "lambda_H=0.01"], "lambda_W > 0"),
        (["K=4", "n=5", "lambda_W=0.01", "lambda_H=-1"], "lambda_H > 0"),
        (["K=4", "n=0", "lambda_W=0.01", "lambda_H=0.01"], "n >= 1"),
    ],
)
def test_bad_input_is_a_one_line_error(args, word, capsys):
    for command in ("eval", "solve"):
        assert main([command, "tirer2022.thm3_1", *args]) == 2
        err = capsys.readouterr().err.strip()
        assert err.count("\n") == 0 and word in err, err


def test_issue_command_works_as_written(capsys):
    assert main(["eval", "tirer2022.thm3_1", "K=4", "n=5", "lambda_W=0.01", "lambda_H=0.01"]) == 0
    assert "0.0854427190999915878563669467493" in capsys.readouterr().out


def lemma_a1(a: float, x_grid: np.ndarray, t_grid: np.ndarray) -> float:
    X, T = np.meshgrid(x_grid, t_grid)
    return float(((X * np.cos(T) - 1) ** 2 / 2 + a * X).min())


@pytest.mark.parametrize("a", [0.05, 0.4, 0.9, 1.0, 1.7])
def test_lemma_a1_scalar_core_by_brute_force(a):
    """min over x >= 0, t of (x cos t - 1)^2/2 + a x: a - a^2/2 for a < 1, else 1/2 (Lemma A.1)."""
    brute = lemma_a1(a, np.linspace(0, 2, 2001), np.linspace(-np.pi, np.pi, 721))
    closed = a - a * a / 2 if a < 1 else 0.5
    assert brute == pytest.approx(closed, abs=2e-6)  # grid spacing 1e-3 in x: error <= h^2/2 + a h cos-grid


def test_strategy_reaches_both_sides_and_the_ties():
    from verify.engine.checking import drawn_points

    kappas = [float(CLAIM.evaluate(v)["kappa"]) for v in drawn_points(CLAIM, 40, seed=0)]
    assert min(kappas) < 0.9 and max(kappas) > 1.1 and any(0.9 <= k < 1 or 1 < k <= 1.1 for k in kappas)


def test_parse_rejects_d_below_K_for_solve():
    with pytest.raises(InputError, match="d >= K"):
        CLAIM.parse({"K": "4", "n": "1", "lambda_W": "1", "lambda_H": "1", "d": "2"})
    assert CLAIM.parse({"K": "4", "n": "1", "lambda_W": "1", "lambda_H": "1"})["d"] == Fraction(4)


def test_plot_draws_the_section6_experiment(tmp_path, capsys):
    """``nc-verify plot`` dispatches tirer2022 ids to verify/face/figures/tirer2022.py (small sizes: a few seconds)."""
    pytest.importorskip("matplotlib", reason="plotting needs matplotlib (the docs or nets extra)")
    out = tmp_path / "gd.png"
    assert main(["plot", "tirer2022.thm3_1", "K=2", "n=2", "d=2", "--out", str(out)]) == 0
    assert out.stat().st_size > 0 and "NC1" in capsys.readouterr().out
    assert main(["plot", "tirer2022.thm5_1", "--out", str(out)]) == 2


def test_plot_metrics_vanish_on_the_closed_form_point():
    """The Section 6 plots measure through verify.metrics: an orthogonal frame with W aligned to Hbar^T gives
    NC1 = NC2 (OF, and ETF after centring) = NC3 = 0; centred means are no orthogonal frame."""
    from verify.face.figures.tirer2022 import _report

    K, n, d = 3, 4, 5
    M = np.eye(d, K) * 0.7
    H = np.repeat(M, n, axis=1)
    r = _report(H, K, n, 2.0 * M.T)
    assert r["nc1"] < 1e-20 and r["orthogonal_frame_distance"] < 1e-12 and r["etf_distance_means"] < 1e-12
    assert r["self_duality_uncentred"] < 1e-12
    centred = _report(H - H.mean(axis=1, keepdims=True), K, n)
    assert centred["orthogonal_frame_distance"] > 0.1


@pytest.mark.slow
def test_campaign_at_high_precision():
    """The slow tier: 20 drawn points at dps 50 with twice the starts."""
    result = check_claim(CLAIM, examples=20, seed=11, options=SolveOptions(dps=50, n_starts=16, seed=11))
    assert result.verdict is Verdict.VERIFIED, [
        (p.params, p.solve.message) for p in result.points if p.verdict != "verified"
    ]
