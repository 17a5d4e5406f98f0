"""dang2023.deep: the root-defined closed forms against the original program (multistart + high-precision polish,
the claim's solve); the band where a root exists but the zero point wins (the living local minimum found and
polished, its value against the closed form's branch); both thresholds located on the original program by
continuing the two branches of polished local minima; bad input."""

from fractions import Fraction

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from scipy.optimize import minimize

from verify.authoring.testing import strategy
from verify.claims.dang2023 import deep
from verify.engine.checking import Verdict, check_claim, check_point
from verify.face.cli import main
from verify.models.arith import FLOAT
from verify.models.linear_chain import LinearChainMSE
from verify.record import SolveOptions
from verify.solvers.kkt_refine import refine_kkt

CLAIM = deep.CLAIM
DPS = 30


def test_pinned_examples_verify():
    result = check_claim(CLAIM, examples=0)
    assert result.verdict is Verdict.VERIFIED, [(p.params, p.solve.message) for p in result.points]


@settings(max_examples=2, deadline=None)
@given(strategy("dang2023.deep"))
def test_drawn_points_verify(values):
    point = check_point(CLAIM, CLAIM.parse(values), SolveOptions(seed=1))
    assert point.verdict is Verdict.VERIFIED, (values, point.solve.message, [c for c in point.comparisons if not c.ok])


# --- branches of local minima on the original program --------------------------------------------------------
def chain(sizes, t) -> LinearChainMSE:
    return LinearChainMSE(tuple(sizes), (len(sizes),) * 2, (t, t), t)


def class_sv(model, x, k) -> float:
    Ws, H = model.unpack(np.asarray(x, dtype=float))
    Z = model.product(Ws) @ H
    return float(np.linalg.norm(Z[:, np.asarray(model.labels) == k].sum(axis=1)) / np.sqrt(model.sizes[k]))


def local_min(model, x0) -> np.ndarray:
    res = minimize(lambda x: model.objective(x, FLOAT), x0, jac=lambda x: model.gradient(x, FLOAT), method="BFGS",
                   options={"gtol": 1e-13, "maxiter": 10000})  # fmt: skip
    return res.x


def branches(sizes, t, k, seeds=range(40)) -> dict[bool, np.ndarray]:
    """A float local minimum with class k alive and one with class k collapsed (other classes as at the global
    minimum), from seeded random starts."""
    model, found = chain(sizes, t), {}
    for seed in seeds:
        x = local_min(model, model.random_start(np.random.default_rng(seed)))
        alive = class_sv(model, x, k) > 1e-3
        others = all(class_sv(model, x, j) > 1e-3 for j in range(len(sizes)) if j != k)
        if others and alive not in found:
            found[alive] = x
        if len(found) == 2:
            return found
    raise AssertionError(f"branches not found: {sorted(found)}")


def polished_value(sizes, t, x0):
    kkt = refine_kkt(chain(sizes, t), x0, dps=DPS)
    assert kkt.converged, kkt.message
    with mpmath.workdps(DPS):
        from verify.models.arith import mp_arithmetic

        return chain(sizes, t).objective(kkt.x, mp_arithmetic()), kkt


def test_band_a_root_exists_but_the_zero_point_wins():
    """Pinned band example (n_4/T = 3.52): the global minimum has class 4 collapsed (the check), and a local minimum
    with class 4 alive exists; polished, its value equals the closed form's living branch
    value + (u_4^3 sqrt(n_4) - 2 u_4^6)/(2N) > value."""
    values = CLAIM.parse(CLAIM.examples[1].params)
    sizes, t = [int(n) for n in values["n"]], values["lambda_H"]
    x_alive = branches(sizes, t, 3)[True]
    measured, _ = polished_value(sizes, t, x_alive)
    with mpmath.workdps(DPS):
        out = CLAIM.evaluate(values, DPS)
        u4 = deep.U_K.solve({deep.a.n_k: 1, deep.a.N: 12, deep.lam_1: t, deep.lam_2: t, deep.lam_H: t}, DPS)
        branch = out["value"] + (u4**3 - 2 * u4**6) / 24
        assert out["alive"]["4"] == 0 and branch > out["value"]
        assert abs(measured - branch) <= deep.VALUE_TOL.at(DPS) * branch


def gap(sizes, t, points):
    """value(class alive) - value(class collapsed), both polished at t from the float branch points."""
    va, _ = polished_value(sizes, t, points[True])
    vd, _ = polished_value(sizes, t, points[False])
    return va - vd


def test_global_threshold_on_the_original_program():
    """(5,2), equal lambdas t: the value gap between the two polished branches changes sign at
    t* = (n_2^2/(16 N^3))^(1/3) (n_2 = 4T; THEOREMS-NEXT.md: 0.0899943607067766546); located by secant on t."""
    sizes, k = (5, 2), 1
    with mpmath.workdps(DPS + 10):
        predicted = (mpmath.mpf(4) / (16 * 343)) ** (mpmath.mpf(1) / 3)
    points = branches(sizes, float(predicted), k)
    with mpmath.workdps(DPS + 10):  # t carried at more digits than the polish (penalties are read as mpf)
        lo, hi = predicted * (1 - mpmath.mpf(10) ** -6), predicted * (1 + mpmath.mpf(10) ** -6)
        g_lo, g_hi = gap(sizes, lo, points), gap(sizes, hi, points)
        assert g_lo < 0 < g_hi  # alive wins below, the zero point above
        for _ in range(3):  # secant: the gap is smooth with a nonzero slope; each step squares the error
            t = hi - g_hi * (hi - lo) / (g_hi - g_lo)
            lo, g_lo = hi, g_hi
            hi, g_hi = t, gap(sizes, t, points)
        # the polish resolves the gap to 10^-(DPS-5); its slope is O(1): 10^-(DPS-10) in t is left
        error = abs(t - predicted) / predicted
        print(f"global threshold located on the original program: relative error {mpmath.nstr(error, 3)}")
        assert error < mpmath.mpf(10) ** -(DPS - 10)


def test_root_threshold_on_the_original_program():
    """(5,2), equal lambdas: the living local minimum of class 2 exists up to t_r = (27 n_2^2/(256 N^3))^(1/3)
    (n_2 = (16/(3 sqrt 3)) T), continued there from the band; 0.1% beyond it no critical point with class 2 alive
    remains (the refinement from the last living point collapses the class or does not converge)."""
    sizes, k = (5, 2), 1
    t_r = (27 * 4 / (256 * 343)) ** (1 / 3)
    t_star = (4 / (16 * 343)) ** (1 / 3)
    x = branches(sizes, t_star, k)[True]
    for t in np.linspace(t_star, t_r * (1 - 1e-3), 12)[1:]:  # continuation along the living branch
        x = local_min(chain(sizes, t), x)
        assert class_sv(chain(sizes, t), x, k) > 0.1
    _, kkt = polished_value(sizes, Fraction(t_r * (1 - 1e-3)).limit_denominator(10**12), x)
    assert class_sv(chain(sizes, t_r), kkt.x.astype(float), k) > 0.1
    beyond = chain(sizes, t_r * (1 + 1e-3))
    x_beyond = local_min(beyond, x)
    assert class_sv(beyond, x_beyond, k) < 1e-3


@pytest.mark.parametrize(
    "args,word",
    [
        (["n=3", "lambda_1=0.1", "lambda_2=0.1", "lambda_H=0.1"], "K >= 2"),
        (["n=3,0", "lambda_1=0.1", "lambda_2=0.1", "lambda_H=0.1"], "n_k >= 1"),
        (["n=3,2", "lambda_1=0", "lambda_2=0.1", "lambda_H=0.1"], "lambda_1 > 0"),
        (["n=3,2,1", "lambda_1=0.1", "lambda_2=0.1", "lambda_H=0.1", "d=2"], "d >= K"),
    ],
)
def test_bad_input_is_a_one_line_error(args, word, capsys):
    for command in ("eval", "solve"):
        assert main([command, "dang2023.deep", *args]) == 2
        err = capsys.readouterr().err.strip()
        assert err.count("\n") == 0 and word in err, err


def test_no_root_means_collapsed_and_value_one_half():
    out = CLAIM.evaluate(CLAIM.parse({"n": "2,2", "lambda_1": "1/2", "lambda_2": "1/2", "lambda_H": "1/2"}))
    assert out["value"] == mpmath.mpf(1) / 2 and all(v == 0 for v in out["z"].values())
