"""thrampoulidis2022.seli: the SELI closed forms against the original program's multistart + KKT refinement (the
claim's solve) and against the convex program in Z (min ||Z||_* under the margins, cvxpy); the KKT multipliers
fitted at the refined point against mu_{i,c} = -[(P D P)^(+1/2)]_{c,y_i}; the sign condition scanned; bad input."""

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verify.authoring.testing import strategy
from verify.claims.thrampoulidis2022 import _sel as sel
from verify.claims.thrampoulidis2022 import seli
from verify.engine.checking import Verdict, check_claim, check_point
from verify.face.cli import main
from verify.models.max_margin import MaxMarginModel
from verify.record import SolveOptions

CLAIM = seli.CLAIM

#: Clarabel/SCS stop at relative gaps ~1e-8 (THEOREMS-NEXT.md measured 1.2e-10 to 1.9e-10 on the value): 1e-6.
CONIC_TOL = 1e-6


def test_pinned_examples_verify():
    result = check_claim(CLAIM, examples=0)
    assert result.verdict is Verdict.VERIFIED, [(p.params, p.solve.message) for p in result.points]


@settings(max_examples=3, deadline=None)
@given(strategy("thrampoulidis2022.seli"))
def test_drawn_points_verify(values):
    point = check_point(CLAIM, CLAIM.parse(values), SolveOptions(seed=1))
    assert point.verdict is Verdict.VERIFIED, (values, point.solve.message, [c for c in point.comparisons if not c.ok])


def convex_solve(sizes):
    """min ||Z||_* s.t. Z_{y_i,i} - Z_{c,i} >= 1 (the program in Z = W H), cvxpy; never sees the closed form."""
    import cvxpy as cp

    K, N = len(sizes), sum(sizes)
    labels = np.repeat(np.arange(K), sizes)
    Z = cp.Variable((K, N))
    cons = [Z[labels[i], i] - Z[c, i] >= 1 for i in range(N) for c in range(K) if c != labels[i]]
    problem = cp.Problem(cp.Minimize(cp.normNuc(Z)), cons)
    problem.solve()
    return float(problem.value), Z.value


@settings(max_examples=6, deadline=None)
@given(strategy("thrampoulidis2022.seli"))
def test_value_and_logits_equal_the_convex_program_in_z(values):
    v = CLAIM.parse(values)
    sizes = [int(n) for n in v["n"]]
    value, Z = convex_solve(sizes)
    predicted = float(sel.nuclear_norm(v, 20))
    assert abs(value - predicted) <= CONIC_TOL * predicted
    K = len(sizes)
    Zhat = np.repeat(np.eye(K) - 1 / K, sizes, axis=1)  # P Y: the claim's minimiser in Z
    assert np.abs(Z - Zhat).max() <= np.sqrt(CONIC_TOL)  # a minimiser's error ~ sqrt(gap) (sharp, not strong)


@pytest.mark.parametrize("sizes", [(4, 2, 1), (5, 1, 1, 1), (3, 3, 1, 1)])
def test_kkt_multipliers_at_the_refined_point(sizes):
    """Fit mu >= 0 from grad f + J^T mu = 0 at the solve's refined point (least squares, mpmath) and compare with
    mu_{i,c} = -[(P D P)^(+1/2)]_{c,y_i} (spec seli2022.multipliers): unique, positive."""
    values = CLAIM.parse({"n": ",".join(map(str, sizes))})
    report = CLAIM.solver(values, SolveOptions(dps=30))
    assert report.converged, report.message
    model = MaxMarginModel(sizes, len(sizes))
    with mpmath.workdps(30):
        from verify.models.arith import mp_arithmetic

        ar = mp_arithmetic()
        x = report.point
        J = mpmath.matrix(model.constraint_jacobian(x, ar).tolist())
        g = mpmath.matrix(model.gradient(x, ar).tolist())
        mu = mpmath.lu_solve(J * J.T, -(J * g))  # normal equations of J^T mu = -g (J has full row rank)
        Gp = sel.gram_means(values, 30)
        predicted = [-Gp[c, model.labels[i]] for i, c in model.pairs]
        worst = max(abs(mu[r] - p) / abs(p) for r, p in enumerate(predicted))
        # the geometry tolerance 10^-(dps-10): the multipliers are linear in the point's gradients (measured
        # worst 1e-30 on these three and (8,1), (1,1,6))
        assert worst < seli.GEOMETRY_TOL.at(30), worst
        assert min(predicted) > 0


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(1, 10**6), min_size=3, max_size=7))
def test_off_diagonal_of_the_pseudo_inverse_root_is_negative(sizes):
    """The sign condition the dual certificate needs (mu > 0), not proved for K >= 3: fuzzed at 30 digits."""
    Gp = sel.gram_means({"n": sizes}, 30)
    K = len(sizes)
    assert all(Gp[k, m] < 0 for k in range(K) for m in range(K) if k != m)


@pytest.mark.parametrize(
    "args,word",
    [(["n=3"], "K >= 2"), (["n=3,0"], "n_k >= 1"), (["n=3,2,1,1", "d=2"], "d >= K - 1"), (["n=a,b"], "n")],
)
def test_bad_input_is_a_one_line_error(args, word, capsys):
    for command in ("eval", "solve"):
        assert main([command, "thrampoulidis2022.seli", *args]) == 2
        err = capsys.readouterr().err.strip()
        assert err.count("\n") == 0 and word in err, err
