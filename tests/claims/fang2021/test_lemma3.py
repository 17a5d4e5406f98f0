"""fang2021.lemma3: program (33) against independent solves over p, the q = 2 boundary, errata, q <= 1."""

from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from verify.base.errors import InputError
from verify.base.symbolic import is_zero
from verify.claims.fang2021 import lemma3
from verify.engine.checking import Verdict, check_claim, check_point
from verify.face.cli import main
from verify.models.arith import mp_arithmetic
from verify.models.lq_constrained import abs_pow
from verify.record import SolveOptions
from verify.solvers.kkt_refine import refine_kkt
from verify.solvers.lq_saturated import full_stationarity, solve_lq

CLAIM = lemma3.CLAIM


def test_pinned_examples_and_drawn_points_verify():
    result = check_claim(CLAIM, examples=2, seed=1)
    assert result.verdict is Verdict.VERIFIED, [(p.params, p.solve.message) for p in result.points]


@pytest.mark.parametrize("p", [2, 3, 8, 64])
@pytest.mark.parametrize("q", ["3", "3/2"])
def test_value_and_structure_over_p(p, q):
    values = CLAIM.parse({"p": str(p), "q": q, "E_H": "2", "E_W": "1"})
    point = check_point(CLAIM, values, SolveOptions(dps=30, seed=p))
    assert point.verdict is Verdict.VERIFIED, (point.solve.message, [c for c in point.comparisons if not c.ok])
    support = [int(v) for v in point.solve.quantities["support"]]
    assert support == ([p, p] if q == "3" else [1, 1])


@settings(max_examples=3)
@given(lemma3.parameters())
def test_hypothesis_drawn_points_verify(values):
    point = check_point(CLAIM, CLAIM.parse(values), SolveOptions(dps=30, seed=5))
    assert point.verdict is Verdict.VERIFIED, (point.solve.message, [c for c in point.comparisons if not c.ok])


# --- the lemma's value is a lower bound at every feasible point ----------------------------------------------------
@given(params=lemma3.parameters(), seed=st.integers(0, 2**32 - 1), sparse=st.booleans())
def test_no_feasible_point_beats_the_closed_form(params, seed, sparse):
    lpm = lemma3.model(params)
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((2, lpm.p))
    H = rng.standard_normal((2, lpm.p)) * (rng.random((2, lpm.p)) < 0.3 if sparse else 1)
    H[0, 0] += 1.0  # never all zero
    W *= np.sqrt(2 * float(lpm.E_W) / (W * W).sum())
    H *= (2 * float(lpm.E_H) / abs_pow(H, lpm.q).sum()) ** (1 / float(lpm.q))
    value = float(sp.N(lemma3.VALUE.subs(CLAIM.subs(params)), 20))
    assert lpm.objective(lpm.pack(W, H)) >= value * (1 - 1e-12)


def test_closed_form_point_attains_the_value_through_the_model():
    for q, support in (("3", 5), ("3/2", 1)):
        values = CLAIM.parse({"p": "5", "q": q, "E_H": "3/2", "E_W": "2/3"})
        ev = CLAIM.evaluate(values, 30)
        h = np.zeros(5)
        h[:support] = float(ev["entry_max"]) * np.array([1, -1, 1, 1, -1][:support])
        w = h / float(ev["C"])
        lpm = lemma3.model(values)
        x = lpm.pack(np.array([w, -w]), np.array([h, -h]))
        assert lpm.constraints(x) == pytest.approx([0, 0], abs=1e-14)
        assert lpm.objective(x) == pytest.approx(float(ev["value"]), rel=1e-14)


def test_full_program_stationarity_sees_what_the_support_refinement_cannot():
    """A KKT point of the program restricted to a support need not be one of (33): with w_k(1) = +-eps held
    fixed and h_k(1) held at 0, the refinement converges, and only the full-program residual (the objective's
    gradient at the held coordinate h_k(1), which the l_q constraint cannot balance) rejects the point."""
    values = {"p": Fraction(2), "q": Fraction(3, 2), "E_H": Fraction(1), "E_W": Fraction(1)}
    lpm = lemma3.model(values)
    eps = 0.1
    w = np.array([np.sqrt(1 - eps**2), eps])
    x0 = lpm.pack(np.array([w, -w]), np.array([[1.0, 0.0], [-1.0, 0.0]]))
    free = lpm.pack(np.array([[True, False]] * 2), np.array([[True, False]] * 2))
    problem = lpm.restricted(x0, free)
    kkt = refine_kkt(problem, x0[free], dps=30, constraint_scale=lpm.constraint_scale)
    assert kkt.converged, kkt.message
    with mpmath.workdps(30):
        ar = mp_arithmetic()
        assert full_stationarity(lpm, problem.full(kkt.x), kkt.multipliers, ar) > 1e-3
        # control: the true sparse minimiser passes the same check
        x1 = lpm.pack(np.array([[1.0, 0.0], [-1.0, 0.0]]), np.array([[1.0, 0.0], [-1.0, 0.0]]))
        control = lpm.restricted(x1, free)
        kkt1 = refine_kkt(control, x1[free], dps=30, constraint_scale=lpm.constraint_scale)
        assert kkt1.converged, kkt1.message
        assert full_stationarity(lpm, control.full(kkt1.x), kkt1.multipliers, ar) < 1e-25


# --- q = 2: the boundary between the regimes -----------------------------------------------------------------------
def test_q_equal_two_is_rejected_with_one_line():
    with pytest.raises(InputError, match="q != 2"):
        CLAIM.parse({"p": "4", "q": "2", "E_H": "1", "E_W": "1"})
    with pytest.raises(InputError, match="q > 1"):
        CLAIM.parse({"p": "4", "q": "1", "E_H": "1", "E_W": "1"})
    with pytest.raises(InputError, match="p >= 1"):
        CLAIM.parse({"p": "0", "q": "3", "E_H": "1", "E_W": "1"})


def test_cli_bad_q_exits_2_with_one_line(capsys):
    assert main(["eval", "fang2021.lemma3", "p=4", "q=2", "E_H=1", "E_W=1"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "q" in err and "fang2021.thm1" in err


def test_at_q_two_both_value_formulas_hold_but_no_coordinate_structure():
    """At q = 2 (Theorem 1, K = 2) the solved value is 2 log(1 + exp(-2 sqrt(E_H E_W))), continuous with both
    regimes; the minimisers are antipodal in any direction: ||h||_inf / ||h|| differs between starts."""
    values = {"p": Fraction(6), "q": Fraction(2), "E_H": Fraction(2), "E_W": Fraction(1)}
    lpm = lemma3.model(values)
    ratios = []
    for seed in range(3):
        rep = solve_lq(lpm, SolveOptions(dps=30, seed=seed), lambda x, ar: lemma3.measure(lpm, x, ar, 15))
        assert rep.converged, rep.message
        with mpmath.workdps(30):
            expected = mpmath.mpf(sp.N((2 * sp.log(1 + sp.exp(-2 * sp.sqrt(2)))), 40))
            assert abs(rep.quantities["value"][0] - expected) < mpmath.mpf(10) ** -22
        assert all(abs(c + 1) < 1e-20 for c in rep.quantities["cos_antipodal"])
        ratios.append(float(rep.quantities["entry_max"][0] / rep.quantities["feature_norm"][0]))
    assert max(ratios) - min(ratios) > 1e-3  # neither one-sparse (ratio 1) nor flat (1/sqrt(6)) forced
    for margin in (lemma3.MARGIN_ABOVE, lemma3.MARGIN_BELOW):
        assert is_zero(margin.subs(lemma3.q, 2) - 2 * sp.sqrt(lemma3.E_H * lemma3.E_W))


# --- errata ----------------------------------------------------------------------------------------------------------
def test_bound_erratum_is_confirmed_by_computation():
    evidence = CLAIM.errata[0].evidence()
    assert evidence.holds
    assert float(evidence.printed_value) > float(evidence.corrected_value)


def test_citation_erratum_is_confirmed_by_computation():
    assert CLAIM.errata[1].evidence().holds


def test_corrected_bound_is_the_value_and_printed_is_not():
    for qv in (sp.Rational(5, 4), 5):
        assert is_zero((lemma3.BOUND_CORRECTED - lemma3.VALUE).subs(lemma3.q, qv))
        diff = (lemma3.BOUND_PRINTED - lemma3.VALUE).subs({lemma3.q: qv, lemma3.p: 4, lemma3.E_H: 1, lemma3.E_W: 1})
        assert abs(float(sp.N(diff))) > 1e-3


# --- q <= 1: the paper's conjecture --------------------------------------------------------------------------------
@pytest.mark.slow
def test_conjecture_exploration_q_le_1():
    """~4 s: sparse for q <= 1; the symmetric form loses at small E_H for q < 1 (one sample takes the budget)."""
    (exploration,) = CLAIM.explorations
    assert exploration.label == "conjecture"
    rows = {(r["q"], r["E_H"]): r for r in exploration.run().rows}
    for qv in ("1", "3/4", "1/2"):
        assert abs(float(rows[(qv, "2")]["relative gain over Lemma-3 form"])) < 1e-10
        assert rows[(qv, "2")]["support (h1, h2)"] == "(1, 1)"
    assert abs(float(rows[("1", "1/20")]["relative gain over Lemma-3 form"])) < 1e-10
    for qv in ("3/4", "1/2"):
        assert float(rows[(qv, "1/20")]["relative gain over Lemma-3 form"]) < -1e-3
        assert rows[(qv, "1/20")]["support (h1, h2)"] == "(1, 0)"
