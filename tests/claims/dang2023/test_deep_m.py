"""dang2023.deep_m: the M-layer closed forms (derived here for any M) against the original program (the claim's
solve, M = 2 and 3); the M = 3 switch located on the original program by a secant on the value gap of the two
polished branches; bad input."""

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from scipy.optimize import minimize

from verify.authoring.testing import strategy
from verify.claims.dang2023 import deep_m
from verify.engine.checking import Verdict, check_claim, check_point
from verify.face.cli import main
from verify.models.arith import FLOAT, mp_arithmetic
from verify.models.linear_chain import LinearChainMSE
from verify.record import SolveOptions
from verify.solvers.kkt_refine import refine_kkt

CLAIM = deep_m.CLAIM
DPS = 30


def test_pinned_examples_verify():
    result = check_claim(CLAIM, examples=0)
    assert result.verdict is Verdict.VERIFIED, [(p.params, p.solve.message) for p in result.points]


@settings(max_examples=2, deadline=None)
@given(strategy("dang2023.deep_m"))
def test_drawn_points_verify(values):
    point = check_point(CLAIM, CLAIM.parse(values), SolveOptions(seed=1))
    assert point.verdict is Verdict.VERIFIED, (values, point.solve.message, [c for c in point.comparisons if not c.ok])


def chain(sizes, t, M=3) -> LinearChainMSE:
    return LinearChainMSE(tuple(sizes), (len(sizes),) * M, (t,) * M, t)


def class_sv(model, x, k) -> float:
    Ws, H = model.unpack(np.asarray(x, dtype=float))
    Z = model.product(Ws) @ H
    return float(np.linalg.norm(Z[:, np.asarray(model.labels) == k].sum(axis=1)) / np.sqrt(model.sizes[k]))


def test_switch_of_three_layers_on_the_original_program():
    """(5,2), M = 3, lambda_W = lambda_H = t: class 2 lives iff n_2^3 4 > 729 N^4 t^4, i.e. below
    t* = (32/(729 * 7^4))^(1/4); the value gap of the two polished branches (class 2 alive / collapsed) is zeroed by
    a secant in t and compared with t*."""
    sizes = (5, 2)
    with mpmath.workdps(DPS + 10):
        predicted = (mpmath.mpf(32) / (729 * 7**4)) ** (mpmath.mpf(1) / 4)
    model, found = chain(sizes, float(predicted)), {}
    rng = np.random.default_rng(0)
    for _ in range(60):
        x0 = model.random_start(rng)
        x = minimize(lambda z: model.objective(z, FLOAT), x0, jac=lambda z: model.gradient(z, FLOAT), method="BFGS",
                     options={"gtol": 1e-13, "maxiter": 10000}).x  # fmt: skip
        if class_sv(model, x, 0) > 1e-3:
            found.setdefault(class_sv(model, x, 1) > 1e-3, x)
        if len(found) == 2:
            break
    assert len(found) == 2

    def gap(t):
        out = []
        for key in (True, False):
            kkt = refine_kkt(chain(sizes, t), found[key], dps=DPS)
            assert kkt.converged, kkt.message
            out.append(chain(sizes, t).objective(kkt.x, mp_arithmetic()))
        return out[0] - out[1]

    with mpmath.workdps(DPS + 10):
        lo, hi = predicted * (1 - mpmath.mpf(10) ** -6), predicted * (1 + mpmath.mpf(10) ** -6)
        g_lo, g_hi = gap(lo), gap(hi)
        assert g_lo < 0 < g_hi
        for _ in range(3):
            t = hi - g_hi * (hi - lo) / (g_hi - g_lo)
            lo, g_lo, hi = hi, g_hi, t
            g_hi = gap(t)
        assert abs(t - predicted) / predicted < mpmath.mpf(10) ** -(DPS - 10)


@pytest.mark.parametrize(
    "args,word",
    [
        (["n=3,2", "M=1", "lambda_W=0.1", "lambda_H=0.1"], "2 <= M <= 6"),
        (["n=3,2", "M=7", "lambda_W=0.1", "lambda_H=0.1"], "2 <= M <= 6"),
        (["n=3,2", "M=2", "lambda_W=0", "lambda_H=0.1"], "lambda_W > 0"),
        (["n=3,2,1", "M=2", "lambda_W=0.1", "lambda_H=0.1", "d=2"], "d >= K"),
    ],
)
def test_bad_input_is_a_one_line_error(args, word, capsys):
    for command in ("eval", "solve"):
        assert main([command, "dang2023.deep_m", *args]) == 2
        err = capsys.readouterr().err.strip()
        assert err.count("\n") == 0 and word in err, err
