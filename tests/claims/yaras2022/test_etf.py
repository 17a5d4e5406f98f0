"""yaras2022.etf: the ETF value and geometry against the claim's solve on the product of spheres (multistart +
high-precision refinement), against an independent angle parametrisation for d = 2 (scipy, no normalisation trick),
the exploration's findings for K > d + 1, and bad input."""

from fractions import Fraction

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verify.authoring.testing import strategy
from verify.claims.yaras2022 import _explore, etf
from verify.engine.checking import Verdict, check_claim, check_point
from verify.face.cli import main
from verify.record import SolveOptions

CLAIM = etf.CLAIM

#: L-BFGS-B on the angles stops at gradient ~1e-9; the value is quadratic in the point's error: 1e-9 relative.
ANGLE_TOL = 1e-9


def test_pinned_examples_verify():
    result = check_claim(CLAIM, examples=0)
    assert result.verdict is Verdict.VERIFIED, [(p.params, p.solve.message) for p in result.points]


@settings(max_examples=3, deadline=None)
@given(strategy("yaras2022.etf"))
def test_drawn_points_verify(values):
    point = check_point(CLAIM, CLAIM.parse(values), SolveOptions(seed=1))
    assert point.verdict is Verdict.VERIFIED, (values, point.solve.message, [c for c in point.comparisons if not c.ok])


def angle_minimum(K: int, n: int, tau: float, starts: int = 6) -> float:
    """d = 2: every unit vector is (cos a, sin a); minimise the mean CE over the K + nK angles (L-BFGS-B, seeded
    multistart). Independent of the claim's solve (no free vectors, no radial term) and of the closed form."""
    from scipy.optimize import minimize
    from scipy.special import logsumexp

    labels = np.repeat(np.arange(K), n)

    def f(a):
        W = np.stack([np.cos(a[:K]), np.sin(a[:K])], axis=1)
        H = np.stack([np.cos(a[K:]), np.sin(a[K:])], axis=1)
        Z = H @ W.T / tau
        return float(np.mean(logsumexp(Z, axis=1) - Z[np.arange(len(labels)), labels]))

    rng = np.random.default_rng(0)
    return min(minimize(f, rng.uniform(0, 2 * np.pi, K + n * K), method="L-BFGS-B", options={"gtol": 1e-12}).fun
               for _ in range(starts))  # fmt: skip


@settings(max_examples=4, deadline=None)
@given(st.integers(2, 3), st.integers(1, 2), st.sampled_from(["0.3", "0.5", "1", "2.5"]))
def test_value_against_the_angle_parametrisation_in_the_plane(K, n, tau):
    predicted = float(CLAIM.evaluate(CLAIM.parse({"K": K, "n": n, "d": 2, "tau": tau}))["value"])
    assert abs(angle_minimum(K, n, float(Fraction(tau))) - predicted) <= ANGLE_TOL * max(predicted, 1e-300) + 1e-15


def test_exploration_square_and_the_cold_k5_d3_configuration():
    """K > d + 1 (outside the theorem): K = 4, d = 2 finds the square (2 log(1 + e^(-1/tau)) at tau = 1/2); K = 5,
    d = 3, tau = 1/10 finds a configuration below the triangular bipyramid (THEOREMS-NEXT.md E(d))."""
    for K, d, tau, name, below in ((4, 2, Fraction(1, 2), "square", False), (5, 3, Fraction(1, 10), "bipyramid", True)):
        values = {"K": Fraction(K), "n": Fraction(1), "d": Fraction(d), "tau": tau}
        report = CLAIM.solver(values, SolveOptions(dps=30, n_starts=12))
        assert report.converged, report.message
        found, cand = report.quantities["value"][0], _explore.candidate_value(name, tau)
        if below:
            assert found < cand * (1 - mpmath.mpf(10) ** -3)  # 1.0573e-4 against 1.0932e-4: 3% below
        else:
            assert abs(found - cand) <= etf.VALUE_TOL.at(30) * cand
    with mpmath.workdps(30):
        square = 2 * mpmath.log(1 + mpmath.exp(-2))
        assert abs(_explore.candidate_value("square", Fraction(1, 2)) - square) < mpmath.mpf(10) ** -28


@pytest.mark.parametrize(
    "args,word",
    [
        (["K=5", "d=3", "tau=0.5"], "K <= d + 1"),
        (["K=3", "tau=0"], "tau > 0"),
        (["K=1", "tau=1"], "K >= 2"),
        (["K=3", "n=0", "tau=1"], "n >= 1"),
    ],
)
def test_bad_input_is_a_one_line_error(args, word, capsys):
    for command in ("eval", "solve"):
        assert main([command, "yaras2022.etf", *args]) == 2
        err = capsys.readouterr().err.strip()
        assert err.count("\n") == 0 and word in err, err


def test_switch_temperature_of_k5_in_d3():
    """THEOREMS-NEXT.md E(d): tau_c = 0.14524183127 +- 5e-12 (bisection on the continued branches); here a secant on
    the gap of the two branches, each polished at 30 digits."""
    tau_c, _ = _explore.switch_temperature()
    assert abs(tau_c - mpmath.mpf("0.14524183127")) <= mpmath.mpf("5e-12")
