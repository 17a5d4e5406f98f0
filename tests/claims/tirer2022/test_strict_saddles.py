"""tirer2022.strict_saddles: the census and the curvature of the switched-off stationary points."""

import subprocess
import sys

from verify.base.solving import SolveOptions
from verify.claims.tirer2022 import strict_saddles
from verify.engine.checking import Verdict, check_claim

CLAIM = strict_saddles.CLAIM


def test_pinned_examples_and_drawn_points_verify():
    result = check_claim(CLAIM, examples=2, seed=9)
    assert result.verdict is Verdict.VERIFIED, [(p.params, p.solve.message) for p in result.points]


def test_every_switched_off_point_has_negative_curvature():
    values = CLAIM.parse(CLAIM.examples[0].params)
    report = CLAIM.solver(values, SolveOptions(dps=30))
    assert report.converged
    curvatures = report.quantities["origin_curvature"] + report.quantities["saddle_curvature"]
    assert len(curvatures) == 2**3 - 1 and all(c < 0 for c in curvatures)


def test_above_kappa_one_is_refused_in_one_line():
    cmd = [sys.executable, "-m", "verify", "eval", CLAIM.id, "K=3", "n=2", "lambda_W=1", "lambda_H=1"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    lines = (out.stdout + out.stderr).strip().splitlines()
    assert out.returncode == 2 and len(lines) == 1 and "kappa < 1" in lines[0], lines
