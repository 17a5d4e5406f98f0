"""tirer2022.ce_two_layer: unrestricted solves of (23) with cross-entropy against the ETF reduction."""

import subprocess
import sys

import numpy as np

from verify.claims.tirer2022 import ce_two_layer
from verify.engine.checking import Verdict, check_claim
from verify.models.two_layer_ce import TwoLayerCEModel

CLAIM = ce_two_layer.CLAIM


def test_pinned_examples_and_drawn_points_verify():
    result = check_claim(CLAIM, examples=3, seed=8)
    assert result.verdict is Verdict.VERIFIED, [(p.params, p.solve.message) for p in result.points]


def test_the_gradient_matches_central_differences():
    """float64 central differences with step 1e-6: truncation ~1e-12 x third derivative, rounding ~1e-10."""
    m = TwoLayerCEModel(3, 2, 4, 3, 0.01, 0.02, 0.03)
    x = np.random.default_rng(0).standard_normal(m.dim)
    g = m.gradient(x)
    for j in range(0, m.dim, 5):
        e = np.zeros(m.dim)
        e[j] = 1e-6
        assert abs((m.objective(x + e) - m.objective(x - e)) / 2e-6 - g[j]) < 1e-8


def test_outside_the_checked_range_is_one_line():
    cmd = [sys.executable, "-m", "verify", "eval", CLAIM.id, "K=3", "n=2", "lambda_W1=1", "lambda_W2=1", "lambda_H1=1"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    lines = (out.stdout + out.stderr).strip().splitlines()
    assert out.returncode == 2 and len(lines) == 1 and "K beta <= 1/5" in lines[0], lines
