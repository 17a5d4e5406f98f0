"""Solvers on problems with answers known independently of any claim."""

from dataclasses import dataclass
from fractions import Fraction

import mpmath
import numpy as np
import pytest

from verify.models.arith import FLOAT, Arithmetic
from verify.solvers import multistart, refine_kkt


@dataclass(frozen=True)
class LinearOnBall:
    """min c.x s.t. ||x||^2 <= r^2: minimum -r ||c|| at x = -r c/||c|| (Cauchy-Schwarz)."""

    c: tuple[float, ...]
    r2: int = 2
    n_constraints = 1

    @property
    def dim(self):
        return len(self.c)

    def objective(self, x, ar: Arithmetic = FLOAT):
        return (ar.asarray(self.c) * x).sum()

    def gradient(self, x, ar: Arithmetic = FLOAT):
        return ar.asarray(self.c) + 0 * x

    def constraints(self, x, ar: Arithmetic = FLOAT):
        return np.array([(x * x).sum() - self.r2], dtype=float if ar is FLOAT else object)

    def constraint_jacobian(self, x, ar: Arithmetic = FLOAT):
        return (2 * x)[None, :]

    def random_start(self, rng):
        return rng.standard_normal(self.dim) * 0.1


def test_multistart_finds_and_corroborates_the_minimum():
    prob = LinearOnBall((1.0, 2.0, 2.0))
    res = multistart(prob, n_starts=5, seed=1)
    assert res.agreeing == 5 and abs(res.value + 3 * np.sqrt(2)) < 1e-8  # SLSQP stops ~2e-10 here (measured)


def test_refinement_reaches_the_working_precision():
    prob = LinearOnBall((1.0, 2.0, 2.0))
    x0 = multistart(prob, n_starts=2, seed=0).x
    kkt = refine_kkt(prob, x0, dps=50, constraint_scale=[2.0])
    assert kkt.converged, kkt.message
    with mpmath.workdps(50):
        exact = -3 * mpmath.sqrt(2)
        from verify.models import mp_arithmetic

        value = prob.objective(kkt.x, mp_arithmetic())
        assert abs(value - exact) < mpmath.mpf(10) ** -44
        # multiplier of ||x||^2 <= 2: c + 2 mu x = 0 at x = -sqrt(2) c/3, so mu = 3/(2 sqrt 2)
        assert abs(kkt.multipliers[0] - 3 / (2 * mpmath.sqrt(2))) < mpmath.mpf(10) ** -40


def test_refinement_reports_failure_with_achieved_and_allowed():
    prob = LinearOnBall((1.0, 2.0, 2.0))
    x0 = multistart(prob, n_starts=1, seed=0).x + 1e-3 * np.array([1.0, -1.0, 0.5])
    x0 *= np.sqrt(2) / np.linalg.norm(x0)
    kkt = refine_kkt(prob, x0, dps=60, max_iter=1)
    assert not kkt.converged
    assert "above allowed" in kkt.message and "try" in kkt.message


def test_refinement_rejects_an_infeasible_start():
    kkt = refine_kkt(LinearOnBall((1.0,)), np.array([5.0]), dps=30)
    assert not kkt.converged and "infeasible" in kkt.message


def test_models_solvers_geometry_import_no_heavy_dependency():
    """Import cost: scipy, cvxpy and hypothesis are imported by the functions that need them, never when
    verify.models, verify.solvers or verify.geometry is imported (a fresh interpreter, so nothing is cached)."""
    import subprocess
    import sys

    modules = (
        "verify.models verify.models.gram_relaxation verify.models.two_group verify.models.contrastive "
        "verify.models.lq_constrained verify.models.lq_points verify.models.softmax_losses verify.solvers "
        "verify.solvers.conic verify.solvers.symmetric verify.solvers.lq_saturated verify.solvers.pipeline "
        "verify.geometry verify.geometry.frames verify.geometry.invariants verify.geometry.collapse"
    ).split()
    code = f"import sys\nfor m in {modules!r}: __import__(m)\nprint(sorted(m for m in ('scipy', 'cvxpy', 'hypothesis') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]", out


def test_random_rotation_is_orthogonal_and_seeded():
    from verify.geometry.frames import random_rotation

    Q = random_rotation(5, np.random.default_rng(3))
    assert np.allclose(Q @ Q.T, np.eye(5), atol=1e-14)
    assert np.array_equal(Q, random_rotation(5, np.random.default_rng(3)))


@pytest.mark.parametrize(
    "K_A, K_B, minority", [(7, 3, "free"), (1, 4, "free"), (4, 1, "free"), (1, 1, "free"), (5, 5, "collapsed")]
)
def test_two_group_float_fast_path_is_the_generic_code_bit_for_bit(K_A, K_B, minority):
    """verify/models/two_group_float.py promises the generic float64 code's numbers exactly (same operations, same
    order): compared with the generic path (a float64 arithmetic that is not FLOAT) at random points."""
    import dataclasses

    from verify.models.arith import FLOAT
    from verify.models.two_group import TwoGroupProgram

    generic = dataclasses.replace(FLOAT)
    rng = np.random.default_rng(0)
    for R in (Fraction(5), Fraction(39, 5), Fraction(960)):
        prog = TwoGroupProgram(K_A, K_B, Fraction(23, 50), Fraction(31, 5), R, minority=minority)
        for _ in range(30):
            x = prog.random_start(rng) * rng.choice([0.01, 1.0, 3.0])
            for name in ("objective", "gradient", "constraints", "constraint_jacobian"):
                fast, slow = np.asarray(getattr(prog, name)(x, FLOAT)), np.asarray(getattr(prog, name)(x, generic))
                assert fast.dtype == slow.dtype and np.array_equal(fast, slow), name
