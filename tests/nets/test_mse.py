"""Balanced MSE (cpu/mse) against Tirer & Bruna (2022) Theorems 3.1 (no bias) and 3.2 (free bias), at the
realised lambda_W = 1e-2 (classifier decay) and lambda_H = 1e-3 (feature penalty); K = 10, n = 20.

Measured (docs/nets.md; seed 0, float64, 1 thread, 2026-12-01):
- no bias: NC1 3.2e-7; orthogonal-frame gap of the class means 1.3e-4; singular values of Hbar 0.77894-0.77911
  and of W 1.10197-1.10215 (spread 2.2e-4 and 1.6e-4 relative). The reconstructed Theorem 3.1 (/work/shared/THEOREMS.md, evaluated by hand until
  tirer2022.thm3_1 is registered): kappa = K sqrt(n lambda_H lambda_W) = 0.1414, Hbar^T Hbar = rho I with
  rho = sqrt(lambda_W/(n lambda_H)) (1 - kappa) = 0.6071 (sqrt: 0.7792), W W^T = sqrt(n lambda_H/lambda_W)(1-kappa) I
  = 1.2142 I (sqrt: 1.1019).
- free bias: NC1 1.4e-6; centred class-mean cosines -0.1111 (simplex ETF, -1/9) to 4 digits.
When the claims are registered the rows compare with them (within SINGULAR_RTOL).
"""

import math

import pytest

pytestmark = pytest.mark.nets

#: NC1 bound: measured 3.2e-7 (no bias) and 1.4e-6 (bias); bound 1e-4, 70x headroom, 5000x below the 0.53 at init.
NC1_BOUND = 1e-4
#: Orthogonal-frame gap || G/||G|| - I/sqrt(K) ||_F of the uncentred means without bias: measured 1.3e-4 (7.7x).
FRAME_BOUND = 1e-3
#: Singular values of the trained network against the claim's: measured spread across the K values 2.2e-4
#: relative, 0.7790 against the reconstructed 0.7792; a 1% tolerance covers the feature map's own weight decay (1e-4), which the surrogate model lacks.
SINGULAR_RTOL = 0.01


@pytest.fixture(scope="module")
def runs(cpu_result):
    return {r["label"]: r for r in cpu_result("mse")["runs"]}


def test_without_bias_class_means_form_an_orthogonal_frame(runs):
    f = runs["bias=False"]["final"]
    assert f["NC1"] < NC1_BOUND
    assert f["orthogonal_frame_gap"] < FRAME_BOUND
    sv = f["singular_values_Hbar"][:10]
    assert max(sv) / min(sv) < 1 + 1e-3  # equal singular values: measured ratio 1 + 2.2e-4
    sw = f["singular_values_W"]
    assert max(sw) / min(sw) < 1 + 1e-3


def test_without_bias_singular_values_match_theorem_3_1(runs, row):
    run = runs["bias=False"]
    r = row(run, run["comparison"][0]["claim_quantity"])
    if isinstance(r["predicted"], dict) and "undefined" in r["predicted"]:
        assert "not registered" in r["predicted"]["undefined"] or "unavailable" in r["predicted"]["undefined"]
        # the reconstructed formula, for the record (see the module docstring): 0.7792 against 0.7790 measured
        kappa = 10 * math.sqrt(20 * 1e-3 * 1e-2)
        assert r["measured"] == pytest.approx(math.sqrt(math.sqrt(1e-2 / (20 * 1e-3)) * (1 - kappa)), rel=SINGULAR_RTOL)
        pytest.skip(f"measured value recorded; prediction {r['predicted']['undefined']}")
    predicted = r["predicted"]
    values = list(predicted.values()) if isinstance(predicted, dict) else [predicted]
    assert all(v == pytest.approx(r["measured"], rel=SINGULAR_RTOL) for v in values)


def test_with_free_bias_centred_means_form_a_simplex_etf(runs):
    f = runs["bias=True"]["final"]
    K = 10
    assert f["NC1"] < NC1_BOUND
    for s in ("min", "max"):
        assert f[f"cos_means_centred_{s}"] == pytest.approx(-1 / (K - 1), abs=1e-3)  # measured to 1e-4
