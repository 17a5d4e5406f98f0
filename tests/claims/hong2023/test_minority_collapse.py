"""hong2023.minority_collapse: R* against the root of the measured merge pressure, and the merge of the original
program's minority classifiers on both sides of R*."""

import subprocess
import sys
from fractions import Fraction

import mpmath
import pytest

from verify.base.solving import SolveOptions
from verify.claims.hong2023 import minority_collapse
from verify.claims.hong2023._program import original_solve, pressure
from verify.engine.checking import Verdict, check_claim, check_point

CLAIM = minority_collapse.CLAIM


def test_pinned_examples_and_drawn_points_verify():
    result = check_claim(CLAIM, examples=1, seed=1)
    assert result.verdict is Verdict.VERIFIED, [(p.params, p.solve.message) for p in result.points]


def test_the_measured_threshold_matches_the_closed_form_at_an_irrational_point():
    """R* = (1/sqrt(n_B lW lH) - K_B)/K_A is irrational here: the root search cannot land on it by chance."""
    values = CLAIM.parse({"K_A": "2", "K_B": "3", "n_B": "2", "R": "1", "lambda_W": "27/500", "lambda_H": "97/1000"})
    point = check_point(CLAIM, values, SolveOptions(dps=30))
    (comparison,) = [c for c in point.comparisons if c.name == "R_star"]
    assert point.solve.converged and comparison.ok, comparison
    # 10 guard digits: the tolerance is 1e-20 at dps 30
    assert comparison.rel_error <= mpmath.mpf(10) ** -20


@pytest.mark.parametrize("factor,merged", [(Fraction(9, 10), 0), (Fraction(11, 10), 1)])
def test_the_original_program_merges_exactly_on_the_predicted_side(factor, merged):
    """K_A = 1, K_B = 2, n_B = 1, lambda_W lambda_H = 1/100: R* = 8. n_A = R must be an integer: R = 7 and 9
    (within 12% of R*), measured on the (W, H) program with individual samples."""
    r = 7 if merged == 0 else 9
    assert (Fraction(r, 8) < 1) == (factor < 1)
    values = CLAIM.parse({"K_A": "1", "K_B": "2", "n_B": "1", "R": str(r), "lambda_W": "1/10", "lambda_H": "1/10"})
    report = original_solve({"merged": "merged[B]", "cos": "cosine_classifiers[B]"})(values, SolveOptions(dps=30))
    assert report.converged, report.message
    assert report.quantities["merged"] == (merged,)
    (cos,) = report.quantities["cos"]
    with mpmath.workdps(30):
        if merged:
            assert 1 - cos < mpmath.mpf(10) ** -25  # exactly merged up to the refined point's error
        else:
            assert 1 - cos > mpmath.mpf(10) ** -3  # apart by O(R* - R)


def test_the_pressure_changes_sign_once_and_rises_with_R():
    values = {
        "K_A": Fraction(2),
        "K_B": Fraction(2),
        "n_B": Fraction(1),
        "lambda_W": Fraction(1, 10),
        "lambda_H": Fraction(1, 10),
    }
    with mpmath.workdps(30):
        seen = [pressure(values, mpmath.mpf(r), 30) for r in (1, 2, 3, 5, 8)]
    assert all(a < b for a, b in zip(seen, seen[1:], strict=False))
    assert seen[2] < 0 < seen[3]


@pytest.mark.parametrize("args,needle", [(["K_B=1"], "K_B >= 2"), (["lambda_W=0"], "lambda_W"), (["n_B=0"], "n_B")])
def test_bad_input_gives_one_line_and_exit_2(args, needle):
    out = _eval(args)
    lines = (out.stdout + out.stderr).strip().splitlines()
    assert out.returncode == 2 and len(lines) == 1 and needle in lines[0], lines


@pytest.mark.parametrize(
    "args,needle", [(["R=1/2"], "R >= 1"), (["R=3/2"], "R n_B is an integer"), (["d=2"], "d >= K")]
)
def test_R_star_is_answered_where_only_the_point_violates_a_hypothesis(args, needle):
    """R* depends on neither R nor d: it is answered; merged is withheld, naming the hypothesis."""
    out = _eval(args)
    assert out.returncode == 0, out.stderr
    assert "R_star" in out.stdout and "not computed" in out.stdout and needle in out.stdout, out.stdout


def _eval(args):
    params = {"K_A": "2", "K_B": "2", "n_B": "1", "R": "3", "lambda_W": "1/10", "lambda_H": "1/10"}
    params.update(dict(a.split("=") for a in args))
    cmd = [sys.executable, "-m", "verify", "eval", CLAIM.id, *[f"{k}={v}" for k, v in params.items()]]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def test_r_star_is_undefined_where_no_ratio_separates_the_minority():
    values = CLAIM.parse({"K_A": "1", "K_B": "2", "n_B": "4", "R": "1", "lambda_W": "1", "lambda_H": "1"})
    assert isinstance(minority_collapse.r_star(values, 30), minority_collapse.a.Undefined)


@pytest.mark.slow
def test_the_explorations_run():
    curve, comparison = (e.run() for e in CLAIM.explorations)
    rows = {r["R"]: r for r in curve.rows}
    assert float(rows["5"]["1 - cos"]) == 0 and float(rows["3"]["1 - cos"]) > 0
    assert len(comparison.rows) == 4
