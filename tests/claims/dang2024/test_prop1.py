"""dang2024.prop1: two class sizes — per-group geometry and R* against independent solves, the threshold at 1e-9,
the figure, and the ReLU-vs-LPM exploration (slow)."""

from fractions import Fraction

import mpmath
import pytest
from hypothesis import Phase, given, settings

from verify.claims.dang2024 import _closed_form as cf
from verify.claims.dang2024 import prop1
from verify.engine.checking import Verdict, check_claim, check_point
from verify.face.cli import main
from verify.record import SolveOptions

CLAIM = prop1.CLAIM


def test_pinned_examples_verify():
    result = check_claim(CLAIM, examples=0, seed=0)
    assert result.verdict is Verdict.VERIFIED, [(p.params, p.solve.message) for p in result.points]


@settings(max_examples=2, phases=[Phase.explicit, Phase.generate])
@given(prop1.parameters())
def test_hypothesis_drawn_points_verify(values):
    point = check_point(CLAIM, CLAIM.parse(values), SolveOptions(dps=30, seed=2))
    assert point.verdict is Verdict.VERIFIED, (values, point.solve.message, [c for c in point.comparisons if not c.ok])


@pytest.mark.parametrize("side", [-1, 1])
def test_r_star_within_1e9_of_r_is_honest(side):
    """lambda_H chosen so that R* = R (1 + side 1e-9): the minority is barely alive (or barely dead). The check may be
    inconclusive; it must not fail, and R* itself is measured to its tolerance whatever the verdict."""
    KA, KB, nB, R, lw = 2, 2, 2, Fraction(3), Fraction(1, 10)
    K = KA + KB
    target = R * (1 + side * Fraction(1, 10**9))
    lh = Fraction(K - 1, K) / (lw * nB * (KA * target + KB) ** 2)
    values = CLAIM.parse({"K_A": KA, "K_B": KB, "n_B": nB, "R": R, "lambda_W": lw, "lambda_H": lh, "d": 16})
    with mpmath.workdps(30):
        assert abs(cf.r_star(Fraction(KA), Fraction(KB), Fraction(nB), lw, lh) / mpmath.mpf(3) - 1) < 2e-9
    point = check_point(CLAIM, values, SolveOptions(dps=30))
    assert point.verdict in (Verdict.VERIFIED, Verdict.INCONCLUSIVE), point.solve.message
    (rs,) = [c for c in point.comparisons if c.name == "R_star"]
    assert rs.ok, rs


def test_k2_classifier_norms_are_equal_whatever_the_imbalance():
    values = CLAIM.parse(CLAIM.examples[2].params)
    report = CLAIM.solver(values, SolveOptions(dps=30))
    assert report.converged, report.message
    with mpmath.workdps(30):
        (ratio,) = set(report.quantities["norm_ratio_w"])
        assert abs(ratio - 1) < mpmath.mpf(10) ** -20


def test_plot_writes_png_and_svg(tmp_path, capsys):
    pytest.importorskip("matplotlib", reason="plotting needs matplotlib (the docs or nets extra)")
    png, svg = tmp_path / "f.png", tmp_path / "f.svg"
    args = ["plot", "dang2024.prop1", "K_A=2", "K_B=2", "n_B=2", "lambda_W=1/10", "lambda_H=1/20"]
    assert main([*args, "--points", "12", "--out", str(png), "--out", str(svg)]) == 0
    assert png.stat().st_size > 1000 and svg.read_text().startswith("<?xml")
    assert "R* = 3.33012701892" in capsys.readouterr().out


def test_plot_refuses_other_claims_with_one_line(capsys):
    assert main(["plot", "dang2024.thm1", "n=3,2", "--out", "x.png"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "dang2024.prop1" in err[0]


@pytest.mark.slow
def test_relu_versus_lpm_exploration_runs_and_says_which_way():
    (exp,) = [e for e in __import__("verify.claims.dang2024.thm1", fromlist=["x"]).CLAIM.explorations]
    finding = exp.run()
    assert finding.rows and "R*" in finding.summary
