"""Analytic gradients and constraint Jacobians of every model, against central differences in mpmath.

The float multistart (SLSQP, L-BFGS-B) and the KKT refinement use each model's ``gradient`` and
``constraint_jacobian``: these tests compare them, in mpmath at 40 digits, with central differences of the
model's own ``objective`` and ``constraints`` at step h = 1e-12 (relative to the coordinate scale). The
difference quotient's truncation error is ~h^2 |f'''| ~ 1e-24 and its rounding error ~10^-40 / h = 1e-28,
so agreement to GRADIENT_RTOL = 1e-18 relative to the gradient's largest entry leaves six digits of margin
while catching any wrong term (a wrong factor or a missing term is an O(1) relative error).
"""

from __future__ import annotations

from fractions import Fraction as Fr

import mpmath
import numpy as np
import pytest

from verify.models import LayerPeeledModel
from verify.models.arith import mp_arithmetic
from verify.models.contrastive import ContrastiveModel
from verify.models.gram_relaxation import GramFactorModel, GramProgram
from verify.models.lq_constrained import LqLayerPeeledModel
from verify.models.softmax_losses import POWER
from verify.models.two_group import TwoGroupProgram

GRADIENT_RTOL = mpmath.mpf("1e-18")
STEP = mpmath.mpf("1e-12")
DPS = 40

MODELS = {
    "layer_peeled_ce_imbalanced": LayerPeeledModel((2, 1, 3), 3, Fr(2), Fr(1, 2)),
    "layer_peeled_power_loss": LayerPeeledModel((1, 1, 1), 3, Fr(3), Fr(3), loss=POWER.at({"q": Fr(2)})),
    "contrastive": ContrastiveModel(3, 2, 3, Fr(2), Fr(1, 2)),
    "lq_constrained_q3": LqLayerPeeledModel(3, 1, 3, Fr(3), Fr(2), Fr(1)),
    "lq_constrained_q3_2_sum": LqLayerPeeledModel(2, 1, 3, Fr(3, 2), Fr(2), Fr(1), reduction="sum"),
    "two_group_free": TwoGroupProgram(3, 2, Fr(5), Fr(1), Fr(3)),
    "two_group_collapsed": TwoGroupProgram(4, 3, Fr(2), Fr(1), Fr(7), minority="collapsed"),
    "gram_factor": GramFactorModel(GramProgram((3, 1, 2), Fr(2), Fr(1)), 6),
}


def _central_difference(fun, x: np.ndarray) -> np.ndarray:
    """Columns d fun / d x_j by central differences at the working precision (fun returns an array)."""
    cols = []
    for j in range(x.size):
        h = STEP * max(1, abs(x[j]))
        xp, xm = x.copy(), x.copy()
        xp[j] += h
        xm[j] -= h
        cols.append((np.asarray(fun(xp), dtype=object) - np.asarray(fun(xm), dtype=object)) / (2 * h))
    return np.array(cols, dtype=object).T


def _max_abs(a) -> mpmath.mpf:
    return max(abs(v) for v in np.asarray(a, dtype=object).ravel())


@pytest.mark.parametrize("name", MODELS)
def test_gradient_and_constraint_jacobian_match_central_differences(name):
    model = MODELS[name]
    x0 = np.asarray(model.random_start(np.random.default_rng(7)), dtype=float)
    with mpmath.workdps(DPS):
        ar = mp_arithmetic()
        x = ar.asarray(x0)
        grad = np.asarray(model.gradient(x, ar), dtype=object)
        fd = _central_difference(lambda z: np.array([model.objective(z, ar)], dtype=object), x)[0]
        assert _max_abs(grad - fd) <= GRADIENT_RTOL * _max_abs(fd), name
        jac = np.asarray(model.constraint_jacobian(x, ar), dtype=object)
        fd_jac = _central_difference(lambda z: model.constraints(z, ar), x)
        assert jac.shape == fd_jac.shape
        for row, fd_row in zip(jac, fd_jac, strict=True):
            assert _max_abs(row - fd_row) <= GRADIENT_RTOL * max(_max_abs(fd_row), 1), name


@pytest.mark.parametrize("name", MODELS)
def test_float_gradient_is_the_mpmath_gradient_rounded(name):
    """The float64 stage (SLSQP) gets the same analytic gradient as the refinement, to float accuracy."""
    model = MODELS[name]
    x0 = np.asarray(model.random_start(np.random.default_rng(11)), dtype=float)
    g_float = np.asarray(model.gradient(x0), dtype=float)
    with mpmath.workdps(DPS):
        g_mp = np.array([float(v) for v in model.gradient(mp_arithmetic().asarray(x0), mp_arithmetic())])
    assert np.max(np.abs(g_float - g_mp)) <= 1e-12 * max(np.max(np.abs(g_mp)), 1e-300)
