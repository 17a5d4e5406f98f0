"""hong2023.all_zero: rho* against the root of the measured zero-optimality margin, and the original program."""

import subprocess
import sys

from verify.base.solving import SolveOptions
from verify.claims.hong2023 import all_zero
from verify.engine.checking import Verdict, check_claim

CLAIM = all_zero.CLAIM


def test_pinned_examples_and_drawn_points_verify():
    result = check_claim(CLAIM, examples=3, seed=10)
    assert result.verdict is Verdict.VERIFIED, [(p.params, p.solve.message) for p in result.points]
    assert {float(p.comparisons[1].predicted) for p in result.points} == {0.0, 1.0}  # both sides checked


def test_one_majority_class_uses_the_contrast_direction_not_n_A():
    """K_A = 1: lambda_max(PDP) = (K_B n_A + n_B)/K < n_A; the spec's n_A (stated for K_A >= 2) would be wrong."""
    values = CLAIM.parse(CLAIM.examples[2].params)
    report = CLAIM.solver(values, SolveOptions(dps=30))
    assert report.converged
    measured = float(report.quantities["rho_star"][0])
    assert abs(measured - 21**0.5 / 15) < 1e-12 and abs(measured - 3**0.5 / 5) > 1e-2


def test_rho_star_is_answered_without_the_penalties():
    cmd = [sys.executable, "-m", "verify", "eval", CLAIM.id, "K_A=2", "K_B=2", "n_B=1", "R=3"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and "rho_star" in out.stdout, out.stdout + out.stderr
