"""fang2021.lemma1: the relaxation (15) against direct solves of (7), the conic solvers' accuracy, the certificate."""

import subprocess
import sys
from fractions import Fraction

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verify.claims.fang2021 import lemma1
from verify.engine.checking import Verdict, check_claim, check_point
from verify.models.gram_relaxation import GramFactorModel, GramProgram, gap_bound
from verify.record import SolveOptions
from verify.solvers import conic
from verify.solvers.conic import measured_residuals, polish, recover, solve_gram

CLAIM = lemma1.CLAIM
FIRST = CLAIM.parse(CLAIM.examples[0].params)


def test_pinned_examples_and_drawn_points_verify():
    result = check_claim(CLAIM, examples=2, seed=3)
    assert result.verdict is Verdict.VERIFIED, [(p.params, p.solve.message) for p in result.points]


@settings(max_examples=3)
@given(lemma1.parameters())
def test_hypothesis_drawn_points_verify(values):
    point = check_point(CLAIM, CLAIM.parse(values), SolveOptions(dps=30, seed=5))
    assert point.verdict is Verdict.VERIFIED, (point.solve.message, [c for c in point.comparisons if not c.ok])


def test_no_start_of_the_nonconvex_solve_beats_the_relaxation_and_the_best_reaches_it():
    report = lemma1.solve(FIRST, SolveOptions(n_starts=8, seed=2))
    relaxed = float(lemma1.relaxation(FIRST, 30).value)
    starts = np.array(report.details["start_values"])
    # SLSQP ends feasible to 1e-9 of each budget (FEASIBLE_RTOL), which can lower a value by ~1e-9 at most
    assert np.all(starts >= relaxed - 1e-9 * relaxed)
    assert abs(starts.min() - relaxed) <= 1e-12 * relaxed


def test_recovery_P_X_half_evaluates_7_to_the_value_of_15():
    """Lemma 1's construction: (7) at h_{k,i} = hbar_k, [hbar, W^T] = P X^(1/2), equals (15) at X."""
    lpm = lemma1.model(FIRST)
    prog = lemma1.program(FIRST)
    for solver in ("CLARABEL", "SCS"):
        sol = solve_gram(prog, solver)
        Hbar, W = recover(sol.X, lpm.p)
        x = lpm.pack(W, np.repeat(Hbar, lpm.class_sizes, axis=0))
        F = np.vstack([Hbar, W])
        # (7) at the recovered vectors is (15) at their Gram matrix F F^T, exactly; in float64 the two sides
        # form each logit by a different dot-product order (length p, and 2K for the Gram), each off by at most
        # gamma_n |f_i||f_j| (Higham 3.5, n = max(p, 2K)); the loss is 1-Lipschitz in the sup norm of each
        # sample's logits and the budgets are linear in the squared norms, so the objectives differ by at most
        # 2 gamma_n max|f|^2 + the rounding of the log-sum-exp and the means (8 eps |value|). Comparing with
        # (15) at sol.X instead would assert on the solver's clipping noise, which changes with the BLAS kernel.
        eps = np.finfo(float).eps
        n = max(lpm.p, F.shape[0])
        bound = 2 * (n * eps / (1 - n * eps)) * np.max(np.sum(F**2, axis=1)) + 8 * eps * abs(prog.objective(sol.X))
        assert abs(lpm.objective(x) - prog.objective(F @ F.T)) <= bound
        assert np.abs(F @ F.T - sol.X).max() <= 1e-12 * np.abs(sol.X).max() + abs(min(np.linalg.eigvalsh(sol.X)))


@pytest.mark.parametrize("solver,accuracy", [("CLARABEL", 1e-10), ("SCS", 1e-7)])
def test_both_conic_solvers_reach_the_converged_value_within_their_stated_accuracy(solver, accuracy):
    prog = lemma1.program(FIRST)
    converged = float(lemma1.relaxation(FIRST, 30).value)
    sol = solve_gram(prog, solver)
    assert sol.status in ("optimal", "optimal_inaccurate")
    # accurate or not, the convexity bracket measured from the returned X contains the converged minimum
    # (1e-12: float rounding of the bounds, as in test_thm5)
    assert sol.bounds["lower"] - 1e-12 <= converged <= sol.bounds["upper"] + 1e-12
    if sol.accurate:  # an accurate solution is within the stated accuracy of the truth
        assert abs(sol.value - converged) <= accuracy
        assert sol.residuals["gap"] <= accuracy
    else:
        assert "measured" in sol.reason or "status" in sol.reason


def test_optimal_but_inaccurate_is_flagged(monkeypatch):
    monkeypatch.setitem(conic.STATED_ACCURACY, "SCS", 1e-16)
    sol = solve_gram(lemma1.program(FIRST), "SCS")
    assert not sol.accurate and "> stated accuracy" in sol.reason


def test_saturation_and_rank_of_the_relaxation():
    for ex in CLAIM.examples:
        values = CLAIM.parse(ex.params)
        sol = lemma1.relaxation(values, 30)
        assert sol.converged, sol.message
        X = np.array(sol.X, dtype=float)
        K = X.shape[0] // 2
        assert np.trace(X[:K, :K]) / K == pytest.approx(float(values["E_H"]), rel=1e-15)
        assert np.trace(X[K:, K:]) / K == pytest.approx(float(values["E_W"]), rel=1e-15)
        ev = np.linalg.eigvalsh(X)
        # rank <= K: the KKT condition S X = 0 puts every hbar_k in span(W), so the factor fits in p >= K
        assert (ev > 1e-10 * ev.max()).sum() <= K


def test_rank_drops_under_minority_collapse():
    collapsed = CLAIM.parse({"K_A": "2", "K_B": "2", "n_A": "5", "n_B": "1", "p": "8", "E_H": "1", "E_W": "1"})
    report = lemma1.solve(collapsed, SolveOptions())
    assert report.converged and report.details["gram_rank"] == 2
    assert lemma1.solve(FIRST, SolveOptions()).details["gram_rank"] == 3


@given(seed=st.integers(0, 2**32 - 1), scale=st.floats(0.1, 3.0))
@settings(max_examples=25, deadline=None)
def test_certificate_bounds_the_suboptimality_of_any_feasible_point(seed, scale):
    """gap(X) >= F(X) - F* for random feasible factored points (the certificate is a valid bound)."""
    prog = lemma1.program(FIRST)
    best = float(lemma1.relaxation(FIRST, 30).value)
    model = GramFactorModel(prog, 8)
    x = model.random_start(np.random.default_rng(seed)) * min(scale, 1.0)
    W, Hbar = model.unpack(x)
    cert = gap_bound(prog, Hbar, W)
    assert cert.infeasibility == 0
    assert cert.gap >= cert.value - best - 1e-13
    residuals, bounds = measured_residuals(prog, np.vstack([Hbar, W]) @ np.vstack([Hbar, W]).T)
    assert bounds["lower"] <= best + 1e-13 <= bounds["upper"] + 2e-13


def test_polish_converges_at_50_digits():
    sol = polish(lemma1.program(FIRST), 50)
    assert sol.converged, sol.message
    with mpmath.workdps(50):
        assert abs(sol.value - lemma1.relaxation(FIRST, 30).value) < mpmath.mpf(10) ** -27


def test_polish_does_not_certify_a_value_outside_the_independent_conic_bracket(monkeypatch):
    """A loss error shared by the refinement and the certificate (here +1e-8 per class) is caught by the
    bracket measured at the conic X with GramProgram's separately coded numpy loss."""
    from verify.models import gram_relaxation

    real = gram_relaxation._CE

    class Shifted:
        def values(self, Z, labels, ar):
            return real.values(Z, labels, ar) + 1e-8

        def grad(self, Z, labels, ar):
            return real.grad(Z, labels, ar)

    monkeypatch.setattr(gram_relaxation, "_CE", Shifted())
    sol = polish(lemma1.program(FIRST), 30)
    assert not sol.converged and "outside the conic solve's convexity bracket" in sol.message, sol.message


def test_gram_program_rejects_bad_sizes_and_unknown_losses():
    with pytest.raises(ValueError, match="n_k > 0"):
        GramProgram((3, 0), 1, 1)
    with pytest.raises(ValueError, match="K >= 2"):
        GramProgram((3,), 1, 1)
    with pytest.raises(ValueError, match="unknown loss"):
        GramProgram((3, 1), 1, 1, loss="hinge")
    with pytest.raises(ValueError, match="p >= 2K"):
        recover(np.eye(4), 3)


@pytest.mark.parametrize(
    "args,needle",
    [
        (["K_A=0"], "K_A"),
        (["n_A=5/2"], "n_A = 5/2 is not an integer"),
        (["n_B=0"], "n_B"),
        (["p=7"], "p >= 2K"),
        (["E_W=-1"], "E_W"),
    ],
)
def test_bad_input_gives_one_line_and_exit_2(args, needle):
    params = {"K_A": "2", "K_B": "2", "n_A": "3", "n_B": "1", "p": "8", "E_H": "5", "E_W": "1"}
    params.update(dict(a.split("=") for a in args))
    cmd = [sys.executable, "-m", "verify", "eval", "fang2021.lemma1", *[f"{k}={v}" for k, v in params.items()]]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert out.returncode == 2
    lines = (out.stdout + out.stderr).strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], lines


def test_eq16_erratum_is_confirmed_by_computation():
    (erratum,) = CLAIM.errata
    evidence = erratum.evidence()
    assert evidence.holds, evidence


def test_custom_convex_loss_through_the_hook():
    """The hook: a squared loss on the logits (convex) solves; its value matches a direct evaluation."""
    import cvxpy as cp

    from verify.models.gram_relaxation import ConvexLoss

    target = lambda k, K: np.eye(K)[k]
    sq = ConvexLoss(
        name="squared",
        cvx=lambda z, k: cp.sum_squares(z - target(k, 3) * 3),
        value=lambda z, k: float(((z - target(k, 3) * 3) ** 2).sum()),
        grad=lambda z, k: 2 * (z - 3 * target(k, 3)),
    )
    prog = GramProgram((2, 1, 1), Fraction(1), Fraction(1), loss=sq)
    sol = solve_gram(prog)
    assert sol.accurate, sol.reason
    assert sol.value == pytest.approx(prog.objective(sol.X), abs=1e-9)


@pytest.mark.slow
def test_uniqueness_exploration_finds_one_gram_matrix():
    finding = lemma1.EXPLORATIONS[0].run()
    assert all(r["converged"] == "True" for r in finding.rows)
    assert all(float(r["max |Gram(7) - X*(15)|"]) < 1e-25 for r in finding.rows)
