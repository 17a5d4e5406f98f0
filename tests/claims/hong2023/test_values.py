"""hong2023.values: the convex program in Z (reduced, Newton) against the original (W, H) program, and against the
full K x K convex program solved conically (a third computation)."""

from fractions import Fraction

import mpmath
import numpy as np
import pytest

from verify.claims.hong2023 import values as values_claim
from verify.claims.hong2023._program import program, reduced
from verify.engine.checking import Verdict, check_claim

CLAIM = values_claim.CLAIM


def test_pinned_examples_and_drawn_points_verify():
    result = check_claim(CLAIM, examples=1, seed=2)
    assert result.verdict is Verdict.VERIFIED, [(p.params, p.solve.message) for p in result.points]


def _conic_value(values) -> tuple[float, np.ndarray]:
    """The K x K program sum_k (n_k/N) CE(Zb[:, k], k) + rho ||Zb D^(1/2)||_*, no symmetry assumed (Clarabel)."""
    import cvxpy as cp

    prog = program(values)
    n = np.array([float(v) for v in prog.sizes])
    K, N = prog.K, n.sum()
    rho = float(np.sqrt(float(values["lambda_W"]) * float(values["lambda_H"])))
    Zb = cp.Variable((K, K))
    loss = sum(n[k] / N * (cp.log_sum_exp(Zb[:, k]) - Zb[k, k]) for k in range(K))
    problem = cp.Problem(cp.Minimize(loss + rho * cp.normNuc(Zb @ np.diag(np.sqrt(n)))))
    problem.solve(solver="CLARABEL")
    return problem.value, Zb.value


@pytest.mark.parametrize("example", range(4))
def test_the_reduction_equals_the_full_convex_program(example):
    """The four-scalar reduction (Newton, dps 30) against Clarabel on the full K x K program: Clarabel's interior
    point stops near 1e-8 relative on these exponential-cone programs (measured <= 3e-9): 1e-7."""
    values = CLAIM.parse(CLAIM.examples[example].params)
    sol, WW, _ = reduced(values, 30)
    conic, Zb = _conic_value(values)
    assert abs(conic - float(sol.value)) <= 1e-7 * abs(float(sol.value))
    # the conic minimiser is the symmetric one: its W W^T (from its own SVD) matches the reduced Grams
    prog = program(values)
    n = np.array([float(v) for v in prog.sizes])
    U, S, _ = np.linalg.svd(Zb * np.sqrt(n))
    lw, lh = float(values["lambda_W"]), float(values["lambda_H"])
    WW_conic = np.sqrt(lh / lw) * (U * S) @ U.T
    assert np.abs(WW_conic - np.array(WW.tolist(), dtype=float)).max() <= 1e-3 * np.abs(WW_conic).max()


def test_the_worked_example_of_the_spec():
    """THEOREMS-NEXT.md family F, worked example (printed to 20 digits)."""
    values = CLAIM.parse(CLAIM.examples[0].params)
    with mpmath.workdps(30):
        printed = {
            "value": "1.1130659328734005543",
            "cos_w_minority": "0.19371612312688926323",
            "norm_w_majority": str(mpmath.sqrt(mpmath.mpf("2.0824546431706780804"))),
            "norm_w_minority": str(mpmath.sqrt(mpmath.mpf("0.7504065588227717887"))),
        }
        for name, text in printed.items():
            ref = [q for q in CLAIM.quantities if q.name == name][0].reference(values, 30)
            assert abs(ref / mpmath.mpf(text) - 1) < mpmath.mpf(10) ** -18, name


def test_features_collapse_and_the_minority_cosine_is_exactly_one_beyond_R_star():
    values = CLAIM.parse(CLAIM.examples[1].params)  # R = 5 > R* = 4
    ref = [q for q in CLAIM.quantities if q.name == "cos_w_minority"][0].reference(values, 30)
    assert ref == 1
    sol, _, _ = reduced(values, 30)
    assert "dB" in sol.pinned


def test_the_reference_is_unavailable_rather_than_wrong_when_the_newton_solve_fails(monkeypatch):
    from verify.claims.hong2023 import _program
    from verify.solvers.two_size_ce import ReducedMinimum

    bad = ReducedMinimum((mpmath.mpf(0),) * 4, mpmath.mpf(0), (), False, "forced failure")
    monkeypatch.setattr(_program, "reduced", lambda values, dps: (bad, None, None))
    values = CLAIM.parse(CLAIM.examples[0].params)
    out = _program.reference("value")(values, 30)
    assert isinstance(out, values_claim.a.Unavailable)


def test_real_class_sizes_are_accepted_by_the_convex_program():
    prog = program(
        {"K_A": 2, "K_B": 2, "n_B": Fraction(1), "lambda_W": Fraction(1, 10), "lambda_H": Fraction(1, 10)},
        Fraction(7, 3),
    )
    assert prog.n_A == Fraction(7, 3)


def test_the_figure_data_puts_curves_and_solves_side_by_side():
    """The plot's curves (convex program) and markers (original program) agree where both exist (float64 plot
    data: 1e-8), and the minority cosine is 1 beyond R*."""
    from verify.face.figures.hong2023 import figure_data

    values = {
        "K_A": Fraction(2),
        "K_B": Fraction(2),
        "n_B": Fraction(1),
        "lambda_W": Fraction(1, 10),
        "lambda_H": Fraction(1, 10),
    }
    fig = figure_data(values, r_min=3, r_max=5, points=3, markers=2)
    assert fig["r_star"] == 4 and all(fig["converged"])
    for q in ("cos_w_minority", "cos_w_between"):
        for r, m in zip(fig["marker_ratios"], fig["markers"][q], strict=True):
            curve = [c for x, c in zip(fig["ratios"], fig["curves"][q], strict=True) if abs(x - r) < 1e-9]
            assert not curve or abs(curve[0] - m) < 1e-8
    assert fig["curves"]["cos_w_minority"][-1] == 1.0


def test_the_value_is_certified_and_a_tampered_certificate_is_refused():
    """Checker kind penalised_ufm_ce: the enclosure closes at the first pinned point; a dual point pushed outside
    lambda_W lambda_H I - G G^T > 0, or a changed primal entry, is refused by the independent checker."""
    import copy

    from verify.base.solving import SolveOptions
    from verify.certify import checker

    values = CLAIM.parse(CLAIM.examples[0].params)
    report = CLAIM.solver(values, SolveOptions(dps=30))
    enclosure = values_claim.certificate(values, report)
    assert enclosure.closed, enclosure.message
    printed = Fraction("1.1130659328734005543")  # the spec's worked example, printed to 20 digits
    assert enclosure.lo - Fraction(1, 10**19) <= printed <= enclosure.hi + Fraction(1, 10**19)
    assert enclosure.width < Fraction(1, 10**25)
    assert checker.recheck(enclosure.certificate)[0]
    bad = copy.deepcopy(enclosure.certificate)
    bad["dual"]["P"][0] = ["0", "1", "0", "0"]  # far from the optimum: ||G||_2 > sqrt(lambda_W lambda_H)
    assert not checker.recheck(bad)[0]
    bad = copy.deepcopy(enclosure.certificate)
    bad["primal"]["W"][0][0] = "5"
    assert not checker.recheck(bad)[0]
