"""The fused float pass ``value_and_gradient`` (the L-BFGS inner loop of the two-layer solves of Tirer &
Bruna 2022, problems (23)/(24)) against the separate ``objective`` and ``gradient``.

Both evaluate the same expressions in float64; the bound is a few units in the last place of each value
(FUSED_ULPS * eps relative), so the test never depends on a BLAS kernel's summation order.
"""

from __future__ import annotations

from fractions import Fraction as Fr

import numpy as np
import pytest

from verify.models.two_layer import TwoLayerModel

#: 8 float64 roundings of slack: the two passes perform the same operations, so any difference is a
#: kernel's reordering of one sum (a few ulp), while a wrong term is an O(1) relative error.
FUSED_ULPS = 8 * np.finfo(float).eps

MODELS = {
    "linear": TwoLayerModel(3, 2, 4, 5, Fr(1, 100), Fr(1, 50), Fr(1, 200)),
    "relu": TwoLayerModel(3, 2, 4, 5, Fr(1, 100), Fr(1, 50), Fr(1, 200), relu=True),
}


@pytest.mark.parametrize("name", MODELS)
@pytest.mark.parametrize("seed", [0, 1])
def test_fused_pass_is_the_separate_value_and_gradient(name, seed):
    m = MODELS[name]
    x = m.random_start(np.random.default_rng(seed))
    f, g = m.value_and_gradient(x)
    f0, g0 = float(m.objective(x)), m.gradient(x)
    assert abs(f - f0) <= FUSED_ULPS * abs(f0)
    assert np.max(np.abs(g - g0)) <= FUSED_ULPS * np.max(np.abs(g0))
    piece = m.on_piece(m.second_features(x)[0] > 0) if m.relu else m
    fp, gp = piece.value_and_gradient(x)
    assert abs(fp - f0) <= FUSED_ULPS * abs(f0) and np.max(np.abs(gp - g0)) <= FUSED_ULPS * np.max(np.abs(g0))


@pytest.mark.parametrize("bias", ["none", "free", "regularised"])
def test_fused_pass_of_the_one_layer_model(bias):
    """Problem (3)/(5)/(14) of Tirer & Bruna 2022: the fused pass used by gradient descent and L-BFGS."""
    from verify.models.mse_features import MSEFeaturesModel

    m = MSEFeaturesModel(3, 2, 4, Fr(1, 100), Fr(1, 50), bias=bias, lambda_b=Fr(1, 10))
    x = m.random_start(np.random.default_rng(3))
    f, g = m.value_and_gradient(x)
    f0, g0 = float(m.objective(x)), m.gradient(x)
    assert abs(f - f0) <= FUSED_ULPS * abs(f0)
    assert np.max(np.abs(g - g0)) <= FUSED_ULPS * np.max(np.abs(g0))
