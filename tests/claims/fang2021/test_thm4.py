"""fang2021.thm4: softmax-based losses (14), the ETF value against independent solves, the hypothesis boundary
x_star(K) (Lambert W vs findroot), the user API for (g1, g2), the erratum and the exploration below x_star."""

from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from verify.base.errors import InputError
from verify.claims.fang2021 import thm4
from verify.engine.checking import Verdict, check_claim, check_point
from verify.face.cli import main
from verify.models import FLOAT, CrossEntropy, LayerPeeledModel
from verify.models.arith import mp_arithmetic
from verify.models.softmax_losses import CROSS_ENTROPY, POWER, SoftmaxLossFamily, X
from verify.record import SolveOptions

CLAIM = thm4.CLAIM


def test_pinned_examples_and_drawn_points_verify():
    result = check_claim(CLAIM, examples=3, seed=1)
    assert result.verdict is Verdict.VERIFIED, [(p.params, p.solve.message) for p in result.points]


@settings(max_examples=3)
@given(thm4.parameters({"q": st.sampled_from([Fraction(3, 2), Fraction(2), Fraction(3)])}))
def test_hypothesis_drawn_points_verify(values):
    point = check_point(CLAIM, CLAIM.parse(values), SolveOptions(dps=30, seed=7))
    assert point.verdict is Verdict.VERIFIED, (point.solve.message, [c for c in point.comparisons if not c.ok])


def test_no_random_start_goes_below_the_etf_value():
    """Inside the hypothesis the ETF point is a global minimiser: every start ends at or above its value."""
    values = CLAIM.parse({"K": "4", "n": "1", "p": "4", "E_H": "4", "E_W": "4", "q": "2"})  # x = 4 > 3.211
    report = thm4.solver_for((POWER,), geometry=False)(values, SolveOptions(n_starts=12, seed=5))
    etf = float(sp.N(thm4.etf_value(POWER).subs(CLAIM.subs(values)), 20))
    starts = report.details["power"]["start_values"]
    assert report.converged and min(starts) >= etf * (1 - 1e-10), (etf, starts)


# --- the threshold x_star(K) -------------------------------------------------------------------------------------
KNOWN_X_STAR = {
    2: "0.96196937517293982112853034487430592522404018125831",
    3: "2.2786574917755679042029161362211993253108960101895",
    10: "5.9806589947772244583744706684133533320445220505184",
    1000: "16.728659980729853930207215234768379589930061864474",
    10**6: "31.131473588164797690617784751960572702009757684163",
}


@pytest.mark.parametrize("K", sorted(KNOWN_X_STAR))
def test_x_star_lambert_w_matches_findroot_to_50_digits(K):
    with mpmath.workdps(50):
        closed = mpmath.mpf(sp.N(thm4.X_STAR.subs(thm4.K, K), 60))
        root = thm4.x_star_findroot(K, 50)
        assert abs(closed - root) <= mpmath.mpf(10) ** -48 * closed
        assert abs(closed - mpmath.mpf(KNOWN_X_STAR[K])) <= mpmath.mpf(10) ** -48 * closed
        assert abs(thm4.threshold_gap(closed, K)) < mpmath.mpf(10) ** -45


@pytest.mark.parametrize("K", [2, 3, 10, 1000])
def test_principal_branch_gives_a_negative_spurious_root(K):
    z = -sp.exp(-sp.Rational(2 * K - 1, K)) / (K * (K - 1))
    x0 = -sp.Rational(K - 1, K**2) * (K * sp.LambertW(z, 0) + 2 * K - 1)
    assert float(sp.N(x0)) < 0


@pytest.mark.parametrize("K", [2, 3, 7])
def test_hypothesis_boundary_is_x_star(K, capsys):
    with mpmath.workdps(30):
        xs = Fraction(mpmath.nstr(thm4.x_star_findroot(K, 30), 25))
    base = {"K": str(K), "n": "1", "p": str(K), "E_W": "1", "q": "2"}
    above, below = xs * (1 + Fraction(1, 10**6)), xs * (1 - Fraction(1, 10**6))
    CLAIM.parse(base | {"E_H": str(above**2)})
    with pytest.raises(InputError) as info:
        CLAIM.parse(base | {"E_H": str(below**2)})
    assert info.value.parameter == "E_H" and "x_star" in str(info.value)
    args = ["eval", CLAIM.id, *[f"{k}={v}" for k, v in (base | {"E_H": str(below**2)}).items()]]
    # eval answers the threshold itself below it, and withholds (with the reason) what the theorem says above it
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "x_star" in out and "not computed:" in out and "value_cross_entropy" in out.split("not computed:")[1]
    assert main([*args, "--quantity", "value_cross_entropy"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "E_H" in err[0] and "Traceback" not in err[0]


@pytest.mark.parametrize("q,ok", [("1", False), ("1/2", False), ("3/2", True), ("5", True)])
def test_power_loss_needs_q_above_one(q, ok):
    params = dict(CLAIM.examples[0].params) | {"q": q}
    if ok:
        CLAIM.parse(params)
    else:
        with pytest.raises(InputError) as info:
            CLAIM.parse(params)
        assert info.value.parameter == "q"


# --- the loss family (14) ---------------------------------------------------------------------------------------
def test_cross_entropy_family_is_the_cross_entropy_loss():
    rng = np.random.default_rng(0)
    Z, labels = 3 * rng.standard_normal((6, 4)), rng.integers(0, 4, 6)
    ce, ref = CROSS_ENTROPY.at({}), CrossEntropy()
    assert np.allclose(ce.values(Z, labels, FLOAT), ref.values(Z, labels, FLOAT), rtol=1e-14)
    assert np.allclose(ce.grad(Z, labels, FLOAT), ref.grad(Z, labels, FLOAT), atol=1e-15)
    with mpmath.workdps(40):
        mp = mp_arithmetic()
        diff = ce.values(mp.asarray(Z), labels, mp) - ref.values(mp.asarray(Z), labels, mp)
        assert max(abs(v) for v in diff) < mpmath.mpf(10) ** -38


@pytest.mark.parametrize(
    "family,values", [(CROSS_ENTROPY, {}), (POWER, {"q": Fraction(2)}), (POWER, {"q": Fraction(7, 2)})]
)
def test_gradient_matches_finite_differences(family, values):
    from scipy.optimize import check_grad

    lpm = LayerPeeledModel((2, 2, 2), 3, Fraction(2), Fraction(1), loss=family.at(values))
    x = lpm.random_start(np.random.default_rng(1))
    assert check_grad(lpm.objective, lpm.gradient, x) < 1e-6 * np.linalg.norm(lpm.gradient(x))


def test_power_loss_keeps_relative_accuracy_near_zero():
    """g1 = (1 - S)^q is evaluated on 1 - S summed from the small probabilities: no cancellation at S ~ 1."""
    loss = POWER.at({"q": Fraction(3)})
    Z = np.array([[30.0, 0.0, 0.0]])
    exact = (2 * mpmath.exp(-30) / (1 + 2 * mpmath.exp(-30))) ** 3 + 2 * (
        mpmath.exp(-30) / (1 + 2 * mpmath.exp(-30))
    ) ** 3
    assert float(loss.values(Z, np.array([0]), FLOAT)[0]) == pytest.approx(float(exact), rel=1e-12)


def test_user_family_declares_its_symbols():
    a = sp.Symbol("a")
    with pytest.raises(ValueError, match="not declared"):
        SoftmaxLossFamily("bad", (1 - X) ** a, X**a)
    fam = SoftmaxLossFamily(
        "ok", (1 - sp.Symbol("x")) ** a, sp.Symbol("x") ** a, ("a",)
    )  # plain symbols: matched by name
    assert fam.shape_conditions({"a": Fraction(2)})["g2 strictly convex"]


# --- the Python API for a user's (g1, g2) -----------------------------------------------------------------------
def test_claim_for_a_user_loss_verifies():
    claim = thm4.claim_for(sp.exp(-X), X**2, "exp-square")
    assert claim.id == "fang2021.thm4[exp-square]"
    assert {q.name for q in claim.quantities} >= {"x_star", "value_exp_square", "cosine", "cos_feature_classifier"}
    result = check_claim(claim, examples=1, seed=3)
    assert result.verdict is Verdict.VERIFIED, [(p.params, p.solve.message) for p in result.points]


def test_claim_for_without_uniqueness_compares_values_only():
    claim = thm4.claim_for(1 - X, sp.Integer(0), "linear", unique=False)
    assert [q.name for q in claim.quantities] == ["x_star", "value_linear"]
    with pytest.raises(InputError):
        thm4.claim_for(X**2, sp.Integer(0), "increasing-g1").parse({"K": 3, "n": 1, "p": 3, "E_H": 3, "E_W": 3})


# --- erratum and exploration ------------------------------------------------------------------------------------
def test_g2_argument_erratum_is_confirmed_by_computation():
    (erratum,) = CLAIM.errata
    ev = erratum.evidence()
    assert ev.holds, ev
    assert float(ev.printed_value) > 700 * float(ev.corrected_value)


def test_exploration_finds_a_better_non_etf_point_below_x_star_only():
    settings_ = ((POWER, 2, 5, "1/5"), (CROSS_ENTROPY, None, 5, "1/5"))
    finding = thm4.explore_below_threshold(settings_, n_starts=4)
    power, ce = finding.rows
    assert float(power["best_value"]) == pytest.approx(0.7142945395, rel=1e-8)
    assert float(power["etf_value"]) == pytest.approx(0.7163086568, rel=1e-9)
    assert float(power["gram_distance_W"]) > 0.5
    assert abs(float(ce["rel_diff"])) < 1e-12
    assert "1 of 2 settings" in finding.summary


@pytest.mark.slow
def test_fuzz_at_high_precision():
    result = check_claim(CLAIM, examples=30, seed=11, options=SolveOptions(dps=60, n_starts=12, seed=11))
    assert result.verdict is Verdict.VERIFIED
