"""tirer2022.metrics: the metrics (26)-(28) at solved minimisers, and the exact metrics against verify.metrics."""

import subprocess
import sys

import numpy as np
import pytest

from verify.engine.checking import Verdict, check_claim
from verify.metrics import exact
from verify.metrics.measures import etf_distance, nc1, orthogonal_frame_distance, self_duality

CLAIM = __import__("verify.claims.tirer2022.metrics", fromlist=["CLAIM"]).CLAIM


def test_pinned_examples_and_drawn_points_verify():
    result = check_claim(CLAIM, examples=4, seed=6)
    assert result.verdict is Verdict.VERIFIED, [(p.params, p.solve.message) for p in result.points]


@pytest.mark.parametrize("seed", range(5))
def test_exact_metrics_agree_with_the_float_metrics(seed):
    """float64 rounding of O(K d) terms: 1e-12 absolute on metrics of order 1."""
    rng = np.random.default_rng(seed)
    K, d, n = 3 + seed % 2, 5, 4
    H, labels, W = rng.standard_normal((K * n, d)), np.repeat(np.arange(K), n), rng.standard_normal((K, d))
    M, Sw, Sb = (np.array(X, dtype=float) for X in exact.covariances(H, labels, K))
    assert abs(float(exact.nc1(Sw, Sb, K)) - nc1(Sw, Sb, K=K)) < 1e-12
    assert abs(float(exact.nc2_etf(M)) - etf_distance(M - M.mean(axis=0))) < 1e-12
    assert abs(float(exact.nc2_of(M)) - orthogonal_frame_distance(M)) < 1e-12
    assert abs(float(exact.nc3(W, M)) - self_duality(W, M)) < 1e-12


def test_zero_means_make_the_metrics_undefined_not_zero():
    M = np.zeros((3, 4))
    assert isinstance(exact.nc2_of(M), exact.Undefined)
    assert isinstance(exact.nc3(np.ones((3, 4)), M), exact.Undefined)
    assert isinstance(exact.nc1(np.zeros((4, 4)), np.zeros((4, 4)), 3), exact.Undefined)


@pytest.mark.parametrize("args,needle", [(["bias=2"], "bias is 0 or 1"), (["lambda_W=10"], "kappa < 1")])
def test_bad_input_is_one_line(args, needle):
    params = {"K": "3", "n": "2", "lambda_W": "1/200", "lambda_H": "1/100", "bias": "0"}
    params.update(dict(a.split("=") for a in args))
    cmd = [sys.executable, "-m", "verify", "eval", CLAIM.id, *[f"{k}={v}" for k, v in params.items()]]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    lines = (out.stdout + out.stderr).strip().splitlines()
    assert out.returncode == 2 and len(lines) == 1 and needle in lines[0], lines
