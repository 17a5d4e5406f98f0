"""fang2021.prop2: the proof's closed forms against (20) on SR, global solves of (20), errata, exploration."""

from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from verify.base.errors import InputError
from verify.claims.fang2021 import prop2
from verify.engine.checking import Verdict, check_claim, check_point
from verify.face.cli import main
from verify.models import FLOAT
from verify.record import SolveOptions, Undefined

CLAIM = prop2.CLAIM


def _values(K, p, q, n=1, EH="1", EW="1"):
    return CLAIM.parse({"K": str(K), "n": str(n), "p": str(p), "q": q, "E_H": EH, "E_W": EW})


def test_pinned_examples_and_drawn_points_verify():
    result = check_claim(CLAIM, examples=2, seed=1)
    assert result.verdict is Verdict.VERIFIED, [(p.params, p.solve.message) for p in result.points]
    for point in result.points:
        measured = point.solve.quantities
        if point.params["q"] > 1:  # the proof's conclusion, on the solved SR: the ETF point is not the best
            a_star, K = measured["a_star"][0], point.params["K"]
            assert abs(a_star - (K - 1)) > 1e-3
            assert measured["value_sr_optimum"][0] < measured["value_at_etf_in_sr"][0]
        else:
            assert isinstance(measured["a_star"][0], Undefined)


@settings(max_examples=2)
@given(prop2.parameters())
def test_hypothesis_drawn_points_verify(values):
    point = check_point(CLAIM, CLAIM.parse(values), SolveOptions(dps=30))
    assert point.verdict is Verdict.VERIFIED, (point.solve.message, [c for c in point.comparisons if not c.ok])


@given(params=prop2.parameters(), a=st.floats(0.0, 1e3))
def test_no_point_of_sr_beats_the_sr_optimum(params, a):
    """Every SR point is feasible for (20) and its value is at least the closed-form optimum over SR (for
    q <= 1: at least the infimum log(1 + (K-1) exp(-E_H^(1/q) sqrt(E_W)))."""
    lpm = prop2.model(params)
    x = prop2.sr_point(lpm, a, FLOAT)
    assert np.all(lpm.constraints(x) <= 1e-12 * np.array(lpm.constraint_scale))
    best = CLAIM.evaluate(params, 20)["value_sr_optimum"]
    if isinstance(best, Undefined):
        subs = CLAIM.subs(params)
        best = sp.N(sp.log(1 + (prop2.K - 1) * sp.exp(-(prop2.E_H ** (1 / prop2.q)) * sp.sqrt(prop2.E_W))).subs(subs))
    assert lpm.objective(x) >= float(best) * (1 - 1e-12)


# --- hypotheses: one-line errors --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "params,match",
    [
        ({"K": "2", "p": "3", "q": "3"}, "fang2021.lemma3"),
        ({"K": "3", "p": "3", "q": "0"}, "q > 0"),
        ({"K": "3", "p": "3", "q": "-1"}, "q > 0"),
        ({"K": "3", "p": "3", "q": "2"}, "fang2021.thm1"),
        ({"K": "4", "p": "3", "q": "3"}, "p >= K"),
    ],
)
def test_bad_parameters_are_named(params, match):
    with pytest.raises(InputError, match=match):
        CLAIM.parse({"n": "1", "E_H": "1", "E_W": "1", **params})


def test_cli_k_equal_two_exits_2_with_one_line(capsys):
    assert main(["eval", "fang2021.prop2", "K=2", "n=1", "p=3", "q=3", "E_H=1", "E_W=1"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("nc-verify: error: K:") and "lemma3" in err


# --- the statement itself: global solves of (20) ------------------------------------------------------------------
@pytest.mark.parametrize("K,p,q", [(3, 3, "3/2"), (4, 4, "3/2"), (3, 3, "3"), (4, 4, "3")])
def test_minimiser_of_20_stays_away_from_every_etf(K, p, q):
    """Where no +-1 simplex ETF exists the minimiser is a measured distance (>= 0.04) from every ETF, and for
    q > 2 its value lies strictly above the l2-relaxation bound (which only a sign ETF attains)."""
    values = _values(K, p, q)
    report = prop2.global_solve(values, SolveOptions(dps=30, seed=2))
    assert report.converged, report.message
    assert max(report.quantities["etf_distance_W"][0], report.quantities["etf_distance_Hbar"][0]) > 0.04
    if values["q"] > 2:
        bound = float(sp.N(prop2.RELAXATION_BOUND.subs(CLAIM.subs(values))))
        assert float(report.quantities["value"][0]) > bound * (1 + 1e-3)


def test_q_two_control_is_an_etf():
    values = {
        "K": Fraction(3),
        "n": Fraction(1),
        "p": Fraction(3),
        "q": Fraction(2),
        "E_H": Fraction(1),
        "E_W": Fraction(1),
    }
    report = prop2.global_solve(values, SolveOptions(dps=30))
    assert report.converged, report.message
    assert report.quantities["etf_distance_W"][0] < 1e-25 and report.quantities["etf_distance_Hbar"][0] < 1e-25


def test_counterexample_minimiser_is_an_etf_at_the_bound():
    """q = 4 (q = 3 is the erratum's evidence point)."""
    values = _values(4, 6, "4")
    report = prop2.global_solve(values, SolveOptions(dps=30, seed=4))
    assert report.converged, report.message
    with mpmath.workdps(30):
        bound = mpmath.mpf(sp.N(prop2.RELAXATION_BOUND.subs(CLAIM.subs(values)), 40))
        assert abs(report.quantities["value"][0] - bound) < mpmath.mpf(10) ** -22 * bound
    assert report.quantities["etf_distance_W"][0] < 1e-25 and report.quantities["etf_distance_Hbar"][0] < 1e-25


def test_sign_etf_existence_conditions():
    for K in range(3, 13):
        for p in range(K, 3 * K):
            exists = prop2.sign_etf_exists(K, p)
            if K & (K - 1) == 0 and p % (K - 1) == 0:
                assert exists
                S = prop2.sign_etf(K, p)
                assert prop2.etf_gram_distance(S) < 1e-15
            if K % 2:
                assert not exists
    with pytest.raises(ValueError):
        prop2.sign_etf(6, 10)


def test_etf_gram_distance_is_rotation_and_scale_invariant():
    rng = np.random.default_rng(0)
    M = rng.standard_normal((4, 6))
    Q = np.linalg.qr(rng.standard_normal((6, 6)))[0]
    assert prop2.etf_gram_distance(3.0 * M @ Q) == pytest.approx(prop2.etf_gram_distance(M), rel=1e-12)
    assert prop2.etf_gram_distance(M) > 0.1


# --- errata --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("index", [0, 1, 2])
def test_errata_are_confirmed_by_computation(index):
    assert CLAIM.errata[index].evidence().holds


def test_printed_derivative_is_k_times_the_true_one():
    assert sp.simplify(prop2.DG_PRINTED - prop2.K * prop2.DG) == 0
    value = prop2.DG.subs({prop2.K: 3, prop2.q: 3})
    assert float(value) == pytest.approx(-0.387798244205739, rel=1e-12)


# --- exploration ---------------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_exploration_finds_etf_exactly_at_q2_and_sign_etf_points():
    (exploration,) = CLAIM.explorations
    for row in exploration.run().rows:
        etf = row["minimiser is an ETF"] == "True"
        expected = row["q"] == "2" or (Fraction(row["q"]) > 2 and row["sign ETF exists"] == "True")
        assert etf == expected, row
