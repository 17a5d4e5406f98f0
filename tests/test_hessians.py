"""Analytic Hessians (verify/models/hessians.py, ReluFeatureModel.hessian_block) against central differences of
the analytic gradient in mpmath, and the KKT refinement with and without them.

At DPS digits with step h = 10^-STEP_DIGITS, a central difference of the gradient errs by (h^2/6) |f'''| (a third
derivative of these smooth objectives, O(1) to O(10^3) at O(1) points) plus the rounding 10^-DPS / h: both
10^-40 here. The bound TOL = 10^-30 leaves ten digits for the size of the third derivatives (q = 3/2 constraints
near small entries) and is still 14 digits below what float64 rounding could ever reach: an error in a formula
shows at O(1).
"""

from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np
import pytest

from verify.models.arith import FLOAT, mp_arithmetic
from verify.models.layer_peeled import LayerPeeledModel
from verify.models.lq_constrained import LqLayerPeeledModel
from verify.models.relu_features import ReluFeatureModel

DPS = 60
STEP_DIGITS = 20
TOL = mpmath.mpf(10) ** -30


def _fd_columns(fun, x, idx):
    """Central differences of the vector function ``fun`` (in mpmath) along each coordinate of ``idx``."""
    h = mpmath.mpf(10) ** -STEP_DIGITS
    cols = []
    for i in idx:
        xp, xm = x.copy(), x.copy()
        xp[i] += h
        xm[i] -= h
        cols.append((fun(xp) - fun(xm)) / (2 * h))
    return cols


def _worst(analytic, cols, idx_rows):
    return max(abs(col[j] - analytic[a, b]) for b, col in enumerate(cols) for a, j in enumerate(idx_rows))


def _layer_peeled_problems():
    from verify.claims.fang2021._prop1_solve import OversampledModel

    yield LayerPeeledModel((2, 1, 3), 4, Fraction(2), Fraction(1))
    yield OversampledModel((3, 1, 1), 4, Fraction(2), Fraction(1), K_A=1, w_r=Fraction(5, 2))  # weighted rows
    for q in (Fraction(3), Fraction(2), Fraction(3, 2)):
        yield LqLayerPeeledModel(3, 1, 4, q, Fraction(2), Fraction(1))
    model = LqLayerPeeledModel(2, 1, 4, Fraction(5, 4), Fraction(2), Fraction(1), "sum")
    x = model.random_start(np.random.default_rng(3))
    free = np.ones(model.dim, bool)
    free[[1, 9]] = False  # sparse minimisers of (33): zero entries held fixed
    x[~free] = 0
    yield model.restricted(x, free)


@pytest.mark.parametrize("problem", list(_layer_peeled_problems()), ids=lambda p: type(p).__name__)
def test_layer_peeled_hessians_match_differences_of_the_gradient(problem):
    rng = np.random.default_rng(0)
    x = problem.base[problem.free] if hasattr(problem, "base") else problem.random_start(rng)
    with mpmath.workdps(DPS):
        ar = mp_arithmetic()
        xm = ar.asarray(x)
        idx = range(len(x))
        H = problem.hessian(xm, ar)
        C = problem.constraint_hessians(xm, ar)
        assert _worst(H, _fd_columns(lambda v: problem.gradient(v, ar), xm, idx), idx) <= TOL
        for m in range(problem.n_constraints):
            cols = _fd_columns(lambda v, m=m: problem.constraint_jacobian(v, ar)[m], xm, idx)
            assert _worst(C[m], cols, idx) <= TOL
    # the float64 Hessian is the same formula: equal to the mpmath one within float rounding of O(1) entries
    assert np.max(np.abs(problem.hessian(x, FLOAT) - np.asarray(H, dtype=float))) <= 1e-13


@pytest.mark.parametrize("per_sample", [True, False])
def test_relu_hessian_block_matches_differences_of_the_gradient(per_sample):
    model = ReluFeatureModel((3, 2, 2), 4, Fraction(1, 10), Fraction(1, 20), "mean", per_sample)
    x = model.random_start(np.random.default_rng(1))
    idx = [0, 5, model.n_W + 1, model.n_W + 6, model.dim - 1]  # W-W, W-H, H-H pairs, same and other rows
    with mpmath.workdps(DPS):
        ar = mp_arithmetic()
        xm = ar.asarray(x)
        block = model.hessian_block(xm, idx, ar)
        assert _worst(block, _fd_columns(lambda v: model.gradient(v, ar), xm, idx), idx) <= TOL
    assert np.max(np.abs(model.hessian_block(x, idx) - np.asarray(block, dtype=float))) <= 1e-13


def test_refinement_agrees_with_and_without_analytic_hessians():
    """The KKT refinement of (20) at q = 3 from the same float start: analytic Jacobian and the finite-difference
    fallback reach the same KKT point to the target 10^-(dps-5) (each converged by its own residual test)."""
    from verify.solvers.kkt_refine import refine_kkt
    from verify.solvers.lq_saturated import saturated_multistart

    model = LqLayerPeeledModel(3, 1, 3, Fraction(3), Fraction(2), Fraction(1))
    x0 = saturated_multistart(model, n_starts=2, seed=0).x

    class NoHessian:  # the same problem without the optional methods
        dim, n_constraints = model.dim, model.n_constraints
        objective, gradient = model.objective, model.gradient
        constraints, constraint_jacobian = model.constraints, model.constraint_jacobian

    dps = 30
    with_h = refine_kkt(model, x0, dps=dps, constraint_scale=model.constraint_scale)
    without = refine_kkt(NoHessian(), x0, dps=dps, constraint_scale=model.constraint_scale)
    assert with_h.converged and without.converged
    with mpmath.workdps(dps):
        gap = max(abs(a - b) for a, b in zip(with_h.x, without.x, strict=True))
        top = max(abs(v) for v in with_h.x)
    # both within ~10^-(dps-5) of the same KKT point (relative), up to the condition of the KKT matrix
    assert gap / top <= 10.0 ** (-(dps - 5)) * max(with_h.condition, without.condition)


def test_a_subclass_that_reweights_the_gradient_does_not_inherit_the_hessian():
    """A model that overrides ``gradient`` but inherits ``hessian`` (a reweighted objective) gets the
    finite-difference Jacobian: its parent's Hessian belongs to another objective."""
    from verify.solvers.kkt_refine import _analytic_jacobian

    class Reweighted(LayerPeeledModel):
        def gradient(self, x, ar=FLOAT):
            return 2 * super().gradient(x, ar)

    parent = LayerPeeledModel((2, 1), 3, Fraction(2), Fraction(1))
    child = Reweighted((2, 1), 3, Fraction(2), Fraction(1))
    act, cs = np.array([0, 1]), np.ones(2)
    assert _analytic_jacobian(parent, 1.0, cs, act) is not None
    assert _analytic_jacobian(child, 1.0, cs, act) is None
