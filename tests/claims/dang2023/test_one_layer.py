"""dang2023.one_layer: the closed forms against the original program's multistart + high-precision polish (the
claim's solve), against the convex reformulation in Z solved conically, and the collapse threshold located on the
original program; a wrong threshold fails; bad input is one line."""

from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings

from verify import authoring as a
from verify.authoring.testing import strategy
from verify.claims.dang2023 import one_layer
from verify.engine.checking import Verdict, check_claim, check_point
from verify.face.cli import main
from verify.record import SolveOptions

CLAIM = one_layer.CLAIM

#: cvxpy's conic solvers (Clarabel/SCS) stop at relative gaps ~1e-8; the value is O(1): 1e-6 leaves margin.
CONIC_TOL = 1e-6


def test_pinned_examples_verify():
    result = check_claim(CLAIM, examples=0)
    assert result.verdict is Verdict.VERIFIED, [(p.params, p.solve.message) for p in result.points]


@settings(max_examples=3, deadline=None)
@given(strategy("dang2023.one_layer"))
def test_drawn_points_verify(values):
    point = check_point(CLAIM, CLAIM.parse(values), SolveOptions(seed=1))
    assert point.verdict is Verdict.VERIFIED, (values, point.solve.message, [c for c in point.comparisons if not c.ok])


def convex_value(sizes, lam_w, lam_h) -> float:
    """min_Z 1/(2N)||Z - Y||^2 + sqrt(lambda_W lambda_H) ||Z||_*: the program in Z = W H (common tool), convex,
    solved by cvxpy; it never sees the closed form."""
    import cvxpy as cp

    K, N = len(sizes), sum(sizes)
    Y = np.zeros((K, N))
    Y[np.repeat(np.arange(K), sizes), np.arange(N)] = 1
    Z = cp.Variable((K, N))
    objective = cp.sum_squares(Z - Y) / (2 * N) + np.sqrt(lam_w * lam_h) * cp.normNuc(Z)
    problem = cp.Problem(cp.Minimize(objective))
    problem.solve()
    return float(problem.value)


@settings(max_examples=6, deadline=None)
@given(strategy("dang2023.one_layer"))
def test_value_equals_the_convex_program_in_z(values):
    v = CLAIM.parse(values)
    predicted = float(CLAIM.evaluate(v)["value"])
    measured = convex_value([int(n) for n in v["n"]], float(v["lambda_W"]), float(v["lambda_H"]))
    assert abs(measured - predicted) <= CONIC_TOL * max(1.0, abs(predicted))


@pytest.mark.parametrize("sizes,k", [((5, 2), 1), ((6, 3, 2, 1), 2)])
def test_collapse_threshold_on_the_original_program(sizes, k):
    """Solve the original program 1% either side of lambda_H* = n_k/(N^2 lambda_W): class k lives below and
    collapses above (the solve measures 'alive' from the logits' singular value on class k)."""
    lam_w = Fraction(1, 10)
    star = Fraction(sizes[k]) / (sum(sizes) ** 2 * lam_w)
    seen = []
    for factor in (Fraction(99, 100), Fraction(101, 100)):
        values = CLAIM.parse({"n": sizes, "lambda_W": lam_w, "lambda_H": star * factor})
        report = CLAIM.solver(values, SolveOptions(seed=2))
        assert report.converged, report.message
        seen.append(int(report.quantities["alive"][str(k + 1)][0]))
    assert seen == [1, 0]


def test_a_wrong_threshold_fails():
    """The threshold with N instead of N^2 (a plausible normalisation slip) is caught at a point between them."""
    lam_w, lam_h = one_layer.lam_W, one_layer.lam_H
    wrong_alive = a.n_k > a.N * lam_w * lam_h
    z_wrong = sp.Piecewise((sp.sqrt(a.n_k) - a.N * one_layer.rho, wrong_alive), (0, True))
    wrong = a.claim(
        id="dang2023.one_layer_wrong",
        title=CLAIM.title,
        statement=CLAIM.statement,
        source=CLAIM.source,
        convention=CLAIM.convention,
        parameters=CLAIM.parameters,
        hypotheses=CLAIM.hypotheses,
        quantities=[a.per_class("z", "z_k (wrong threshold)", z_wrong, one_layer.GEOMETRY_TOL)],
        solve=a.linear_chain_solve(layers=["lambda_W"], features="lambda_H", measure={"z": "class_singular_value"}),
        strategy=CLAIM.strategy,
        examples=[a.example("n_2 between N lW lH = 0.4 and N^2 lW lH = 4", n="9,1", lambda_W="1/5", lambda_H="1/5")],
    )
    point = check_point(wrong, wrong.parse(wrong.examples[0].params), SolveOptions())
    assert point.verdict is Verdict.FAILED


def test_worked_example_value_to_30_digits(capsys):
    assert main(["eval", "dang2023.one_layer", "n=6,3,2,1", "lambda_W=0.1", "lambda_H=0.1"]) == 0
    assert "0.421242077939181710719" in capsys.readouterr().out


@pytest.mark.parametrize(
    "args,word",
    [
        (["n=3", "lambda_W=0.1", "lambda_H=0.1"], "K >= 2"),
        (["n=3,0", "lambda_W=0.1", "lambda_H=0.1"], "n_k >= 1"),
        (["n=3,2", "lambda_W=0", "lambda_H=0.1"], "lambda_W > 0"),
        (["n=3,2,1", "lambda_W=0.1", "lambda_H=0.1", "d=2"], "d >= K"),
    ],
)
def test_bad_input_is_a_one_line_error(args, word, capsys):
    for command in ("eval", "solve"):
        assert main([command, "dang2023.one_layer", *args]) == 2
        err = capsys.readouterr().err.strip()
        assert err.count("\n") == 0 and word in err, err


def test_total_collapse_value_is_one_half():
    out = CLAIM.evaluate(CLAIM.parse({"n": "2,2", "lambda_W": "1/2", "lambda_H": "1/2"}))
    assert out["value"] == mpmath.mpf(1) / 2 and all(v == 0 for v in out["z"].values())
