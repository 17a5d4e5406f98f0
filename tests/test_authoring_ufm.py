"""The kit's unconstrained-features pieces (verify.authoring.ufm, .roots, .landscape; verify.models.ufm,
ufm_convex, the label-smoothing and focal losses): gradients against finite differences, one-line errors, the
origin's Hessian against an independent eigen-solve, roots against their equations."""

from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from verify import authoring as a
from verify.authoring.ufm import origin_curvature, origin_hessian, zero_threshold
from verify.base.errors import InputError
from verify.models import FLOAT
from verify.models.losses import LabelSmoothing
from verify.models.softmax_losses import FOCAL
from verify.models.ufm import UnconstrainedFeaturesModel
from verify.record import Unavailable

#: Central differences with step 1e-6 on O(1) float64 objectives: truncation ~1e-12, rounding ~1e-10 relative
#: to the gradient's scale; 1e-6 leaves four digits and is far below any wrong-gradient error (O(1)).
FD_RTOL = 1e-6


def _loss(kind):
    if kind == "ls":
        return LabelSmoothing(0.3)
    if kind == "fl":
        return FOCAL.at({"gamma": Fraction(2)})
    return None


@settings(max_examples=12, deadline=None)
@given(
    bias=st.sampled_from(["none", "free", "penalised"]),
    loss=st.sampled_from(["ce", "ls", "fl"]),
    seed=st.integers(0, 2**31),
)
def test_model_gradient_matches_central_differences(bias, loss, seed):
    kwargs = {"loss": _loss(loss)} if loss != "ce" else {}
    m = UnconstrainedFeaturesModel((2, 1, 3), 3, 0.1, 0.2, bias, 0.3 if bias == "penalised" else 0, **kwargs)
    rng = np.random.default_rng(seed)
    x = m.random_start(rng)
    g = m.gradient(x, FLOAT)
    h = 1e-6
    for j in rng.choice(m.dim, size=5, replace=False):
        e = np.zeros(m.dim)
        e[j] = h
        fd = (m.objective(x + e, FLOAT) - m.objective(x - e, FLOAT)) / (2 * h)
        assert abs(fd - g[j]) <= FD_RTOL * max(1.0, np.abs(g).max()), (j, fd, g[j])


def test_bad_model_input_is_one_line_naming_the_argument():
    with pytest.raises(InputError, match="lambda_b"):
        UnconstrainedFeaturesModel((2, 2), 2, 0.1, 0.1, "penalised", 0)
    with pytest.raises(InputError, match="bias"):
        UnconstrainedFeaturesModel((2, 2), 2, 0.1, 0.1, "sometimes")
    with pytest.raises(InputError, match="lambda_W"):
        UnconstrainedFeaturesModel((2, 2), 2, 0, 0.1)
    with pytest.raises(InputError, match="K"):
        UnconstrainedFeaturesModel((2,), 2, 0.1, 0.1)


def test_bad_solve_definitions_are_refused_when_built():
    with pytest.raises(InputError, match="penalties"):
        a.ufm_solve(penalties={"W": "lambda_W", "H": "lambda_H"}, bias="penalised")
    with pytest.raises(InputError, match="measure"):
        a.ufm_solve(penalties={"W": "lambda_W", "H": "lambda_H"}, measure=["nonsense"])
    with pytest.raises(InputError, match="bias"):
        a.ufm_solve(penalties={"W": "lambda_W", "H": "lambda_H"}, bias="half")


@pytest.mark.parametrize("bias", ["none", "free"])
def test_origin_hessian_agrees_with_an_independent_float_eigen_solve(bias):
    """The mpmath FD Hessian at 0 against float64 central differences of the float gradient (FD error ~1e-9)."""
    m = UnconstrainedFeaturesModel((2, 2, 2), 3, Fraction(1, 5), Fraction(1, 10), bias)
    size = (m.K + m.N) * m.d
    h = 1e-5
    cols = []
    for j in range(size):
        e = np.zeros(m.dim)
        e[j] = h
        cols.append((m.gradient(e, FLOAT) - m.gradient(-e, FLOAT))[:size] / (2 * h))
    float_min = np.linalg.eigvalsh((np.array(cols) + np.array(cols).T) / 2).min()
    assert abs(float(origin_curvature(m, 20)) - float_min) < 1e-7
    hess = origin_hessian(m, 20)
    assert hess.rows == size


def test_zero_threshold_makes_the_origin_hessian_singular():
    """At lambda_H = zero_threshold(model) the origin's smallest curvature is 0 (to the working precision)."""
    m = UnconstrainedFeaturesModel((1, 1, 1, 1), 4, Fraction(1, 3), Fraction(1, 7))
    with mpmath.workdps(30):
        edge = zero_threshold(m, 30)
        at_edge = UnconstrainedFeaturesModel((1, 1, 1, 1), 4, Fraction(1, 3), Fraction(str(mpmath.nstr(edge, 25))))
        assert abs(origin_curvature(at_edge, 30)) < mpmath.mpf(10) ** -22


def test_root_quantity_definition_states_the_equation_and_solves_it():
    x, c = sp.symbols("x c", positive=True)
    quantity = a.root(
        "r", "the cube root of c", equation=x**3 - c, unknown=x, bracket=(0, c + 1), tol=a.tolerance(5, "a test")
    )
    assert "x**3" in quantity.definition and quantity.definition.startswith("the root x in (0, c + 1)")
    with mpmath.workdps(40):
        value = quantity.reference({"c": Fraction(2)}, 40)
        assert abs(value**3 - 2) < mpmath.mpf(10) ** -38
    bad = a.root("r", "none", equation=x**2 + c, unknown=x, bracket=(0, 1), tol=a.tolerance(5, "a test"))
    assert isinstance(bad.reference({"c": Fraction(1)}, 20), Unavailable)
    with pytest.raises(InputError, match="unknown"):
        a.root("r", "no unknown", equation=c, unknown=x, bracket=(0, 1), tol=a.tolerance(5, "a test"))
