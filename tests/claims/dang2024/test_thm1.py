"""dang2024.thm1: the closed-form optimum of the ReLU feature model against independent solves; thresholds,
Lemma 1 and Lemma 2 as supporting checks, near-threshold honesty, conventions, bad input, the erratum."""

from fractions import Fraction

import mpmath
import numpy as np
import pytest
from hypothesis import Phase, given, settings

from verify.claims.dang2024 import _closed_form as cf
from verify.claims.dang2024 import thm1
from verify.claims.dang2024._solve import solve_relu
from verify.engine.checking import Verdict, check_claim, check_point
from verify.face.cli import main
from verify.models.relu_features import CONVENTIONS, ReluFeatureModel, to_mean_convention
from verify.record import SolveOptions

CLAIM = thm1.CLAIM


def test_pinned_examples_verify():
    result = check_claim(CLAIM, examples=0, seed=0)
    assert result.verdict is Verdict.VERIFIED, [
        (p.params, p.solve.message) for p in result.points if p.verdict != "verified"
    ]


@settings(max_examples=3, phases=[Phase.explicit, Phase.generate])
@given(thm1.parameters(max_K=4, max_n=20))
def test_hypothesis_drawn_points_verify(values):
    point = check_point(CLAIM, CLAIM.parse(values), SolveOptions(dps=30, seed=3))
    assert point.verdict is Verdict.VERIFIED, (values, point.solve.message, [c for c in point.comparisons if not c.ok])


@settings(max_examples=3, phases=[Phase.explicit, Phase.generate])
@given(thm1.parameters(max_K=3, max_n=10, near=True))
def test_within_1e9_of_a_threshold_the_verdict_is_never_a_false_failure(values):
    """lambda_W lambda_H = T_j (1 +- eps), eps <= 1e-9: the solve may honestly be inconclusive, never failed."""
    point = check_point(CLAIM, CLAIM.parse(values), SolveOptions(dps=30, seed=5))
    assert point.verdict in (Verdict.VERIFIED, Verdict.INCONCLUSIVE), (
        values,
        point.solve.message,
        [c for c in point.comparisons if not c.ok],
    )


def test_thresholds_are_answered_on_their_own_and_beyond_the_decays():
    only_n = CLAIM.evaluate({"n": "8,4,2"})
    assert isinstance(only_n["total_collapse_lambda"], mpmath.mpf)
    assert set(only_n["collapse_lambda"]) == {"1", "2", "3"}
    assert type(only_n["value"]).__name__ == "Withheld"
    with mpmath.workdps(30):
        assert mpmath.almosteq(only_n["total_collapse_lambda"], mpmath.mpf(2 * 8) / (3 * 14**2), 1e-28)


# --- Lemma 1 and Lemma 2 ------------------------------------------------------------------------------------
def test_lemma2_equality_conditions_hold_at_the_solved_optimum_and_not_elsewhere():
    values = CLAIM.parse({"n": "6,3,2,1", "lambda_W": "1/50", "lambda_H": "1/40"})
    report = thm1.solve(values, SolveOptions(dps=30))
    assert report.converged, report.message
    res = thm1.lemma2_residuals(values, report)
    assert max(res.values()) < 1e-25, res
    model = ReluFeatureModel((6, 3, 2, 1), 16, values["lambda_W"], values["lambda_H"]).class_mean_model()
    x = model.random_start(np.random.default_rng(0))
    with mpmath.workdps(30):
        far = thm1.lemma2_residuals(values, type(report)(**{**report.__dict__, "point": x.astype(object)}))
    assert far["alignment"] > 1e-2 and far["orthogonality"] > 1e-2


def test_lemma1_balance_holds_at_spurious_local_minima_too():
    """Lemma 1 is a statement about every critical point: the worse KKT points found at d = K obey it."""
    from verify.solvers.nonneg_multistart import group_values, multistart, polish

    model = ReluFeatureModel((5, 4, 3, 2, 1), 5, Fraction(1, 100), Fraction(1, 100)).class_mean_model()
    groups = group_values(multistart(model, n_starts=16, seed=0))
    assert len(groups) >= 2, "expected spurious local minima at d = K for this setting"
    with mpmath.workdps(30):
        for grp in groups:
            pt = polish(model, grp[0].x, dps=30)
            assert pt.converged, pt.message
            W, H = model.unpack(pt.x)
            wts = model.row_weights(mpmath_ar := __import__("verify.models.arith", fromlist=["x"]).mp_arithmetic())
            lw = mpmath_ar.scalar(model.lambda_W) * (W * W).sum()
            lh = mpmath_ar.scalar(model.lambda_H) * (wts[:, None] * H * H).sum()
            assert abs(lw - lh) <= mpmath.mpf(10) ** -24 * lw


# --- the revival test: a spuriously collapsed class is found and escaped ----------------------------------
def test_a_class_held_at_zero_is_a_kkt_point_the_revival_test_rejects():
    from verify.solvers.nonneg_multistart import polish
    from verify.solvers.nonneg_second_order import concentrate, polish_with_second_order, revival_curvatures

    model = ReluFeatureModel((8, 4, 2), 12, Fraction(1, 20), Fraction(1, 20)).class_mean_model()
    x = model.random_start(np.random.default_rng(1))
    x[model.n_W + 2 * model.d : model.n_W + 3 * model.d] = 0.0  # class 3 (alive at the optimum) forced to 0
    from verify.solvers.nonneg_multistart import lbfgsb

    fixed = np.zeros(model.dim, bool)
    fixed[model.n_W + 2 * model.d : model.n_W + 3 * model.d] = True
    x = lbfgsb(model, x, fixed)
    pt = polish(model, x, dps=30, active=model.bounded() & ((x <= 0) | fixed))
    assert pt.converged  # first-order KKT cannot tell
    curv = revival_curvatures(model, concentrate(model, pt.x, 30), 30)
    assert curv and curv[0][0] == 2 and curv[0][2] < -curv[0][3]  # a descent direction
    escaped = polish_with_second_order(model, x, dps=30)
    assert escaped.point.converged and escaped.status == "no collapsed row", escaped.detail
    assert escaped.point.value < pt.value


# --- conventions --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("convention", ["sum", "penalty_over_N"])
def test_converted_statement_matches_a_solve_of_the_other_convention(convention):
    """Solve the summed-CE (or lambda/(2N)) program directly; the mean-convention closed form at lambda' = lambda/N,
    times the value factor, must predict it."""
    sizes, lw, lh = (6, 3, 1), Fraction(1, 2), Fraction(1, 3)
    report = solve_relu(sizes, 12, lw, lh, SolveOptions(dps=30), convention=convention)
    assert report.converged, report.message
    lw2, lh2, factor = to_mean_convention(convention, lw, lh, sum(sizes))
    with mpmath.workdps(30):
        opt = cf.optimum([Fraction(v) for v in sizes], lw2, lh2, 30)
        assert abs(report.quantities["value"][0] / (factor * cf.value(opt)) - 1) < mpmath.mpf(10) ** -22
        for k, v in cf.norm_h(opt).items():
            assert abs(report.quantities["norm_h"][k][0] - v) <= mpmath.mpf(10) ** -20 * v
        for k, v in cf.gram_W(opt, 30).items():
            assert abs(report.quantities["gram_W"][k][0] - v) <= mpmath.mpf(10) ** -20 * abs(v)
    assert set(CONVENTIONS) == {"mean", "sum", "penalty_over_N"}


def test_under_the_summed_convention_the_collapse_count_does_not_depend_on_the_other_classes():
    """n_k <= K lambda_W lambda_H / (K-1) in the sum convention: the same class size collapses next to any others."""
    lw, lh = Fraction(3), Fraction(1)  # K = 2: collapse iff n_k <= 6
    for other in (10, 40):
        sizes = (other, 6)
        lw2, lh2, _ = to_mean_convention("sum", lw, lh, sum(sizes))
        assert cf.alive_exact([Fraction(v) for v in sizes], lw2, lh2) == (True, False)
        sizes = (other, 7)
        lw2, lh2, _ = to_mean_convention("sum", lw, lh, sum(sizes))
        assert cf.alive_exact([Fraction(v) for v in sizes], lw2, lh2) == (True, True)


def test_model_gradient_matches_finite_differences_in_every_convention():
    rng = np.random.default_rng(0)
    for convention in CONVENTIONS:
        for per_sample in (True, False):
            m = ReluFeatureModel((3, 2), 3, Fraction(1, 7), Fraction(2, 5), convention, per_sample)
            x = m.random_start(rng)
            g = m.gradient(x)
            assert np.allclose(m.value_and_gradient(x)[1], g, rtol=1e-13, atol=1e-15)
            with mpmath.workdps(40):
                from verify.models.arith import mp_arithmetic

                ar = mp_arithmetic()
                xm = ar.asarray(x)
                h = mpmath.mpf(10) ** -15
                for i in range(0, m.dim, 3):
                    e = np.array([mpmath.mpf(0)] * m.dim, dtype=object)
                    e[i] = h
                    fd = (m.objective(xm + e, ar) - m.objective(xm - e, ar)) / (2 * h)
                    assert abs(fd - m.gradient(xm, ar)[i]) < mpmath.mpf(10) ** -25


# --- bad input -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "args,parameter",
    [
        (["n=8,0,2", "lambda_W=1", "lambda_H=1"], "n"),
        (["n=8,2.5", "lambda_W=1", "lambda_H=1"], "n[2]"),
        (["n=8,4", "lambda_W=0", "lambda_H=1"], "lambda_W"),
        (["n=8,4", "lambda_W=1", "lambda_H=-1"], "lambda_H"),
        (["n=8,4,2", "lambda_W=1", "lambda_H=1", "d=2"], "d"),
        (["n=", "lambda_W=1", "lambda_H=1"], "n"),
    ],
)
def test_bad_input_is_one_line_naming_the_parameter_exit_2(args, parameter, capsys):
    assert main(["solve", "dang2024.thm1", *args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and parameter in err[0] and ";" in err[0], err


def test_eval_without_d(capsys):
    assert main(["eval", "dang2024.thm1", "n=8,4,2", "lambda_W=0.05", "lambda_H=0.05"]) == 0
    out = capsys.readouterr().out
    assert "collapse_size" in out and "not computed" not in out


# --- erratum ---------------------------------------------------------------------------------------------------
def test_strong_duality_erratum_is_confirmed_by_computation():
    (erratum,) = CLAIM.errata
    evidence = erratum.evidence()
    assert evidence.holds, evidence


@pytest.mark.slow
def test_fuzz_up_to_eight_classes_and_sixty_samples():
    for seed in range(3):
        result = check_claim(thm1.CLAIM, examples=6, seed=seed)  # the claim's strategy: K up to 8, n_k up to 60
        assert result.verdict is Verdict.VERIFIED, [(p.params, p.solve.message) for p in result.points]
