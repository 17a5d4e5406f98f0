"""The authoring kit's family tools (docs/authoring.md section 7): per-class forms, roots, and the three solves'
one-line errors; each tool against an independent computation where it computes something."""

from fractions import Fraction

import mpmath
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from verify import authoring as a
from verify.base.errors import InputError

x = sp.Symbol("x", positive=True)


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 50), st.integers(1, 20))
def test_root_of_matches_a_closed_root_and_reports_a_missing_one(nk, c):
    """x^2 - n_k = c has the root sqrt(n_k + c) in [0, n_k + c + 1] and no root in [0, sqrt(n_k + c)/2]."""
    values = {a.n_k: sp.Integer(nk)}
    found = a.root_of(x**2 - a.n_k - c, x, (0, a.n_k + c + 1)).solve(values, 30)
    with mpmath.workdps(30):
        assert abs(found - mpmath.sqrt(nk + c)) < mpmath.mpf(10) ** -29 * mpmath.sqrt(nk + c)
    missing = a.root_of(x**2 - a.n_k - c, x, (0, sp.sqrt(a.n_k + c) / 2)).solve(values, 30)
    assert isinstance(missing, a.Undefined) and "no root" in missing.reason


def test_per_class_forms_with_a_root_and_an_absent_value():
    lam = sp.Symbol("lam", positive=True)
    root = a.root_of(x - (sp.sqrt(a.n_k) - a.N * lam), x, (0, sp.sqrt(a.n_k)))
    q = a.per_class("z", "thresholded", x, a.tolerance(5, "test"), roots={x: root}, absent=0)
    with mpmath.workdps(30):
        out = q.reference({"n": (Fraction(9), Fraction(1)), "lam": Fraction(1, 5)}, 30)
        assert out["1"] == 1 and out["2"] == 0  # sqrt(9) - 10/5 = 1; sqrt(1) - 2 < 0: no root, absent
    assert q.needs == ("lam", "n")
    s = a.summed("total", "sum of n_k/N", a.n_k / a.N, a.tolerance(5, "test"))
    with mpmath.workdps(30):
        assert s.reference({"n": (Fraction(2), Fraction(3))}, 30) == 1
    g = a.class_gram("g", "diag n_k", a.n_k, a.tolerance(5, "test"), off_diagonal=a.n_k * a.n_l)
    with mpmath.workdps(30):
        assert g.reference({"n": (Fraction(2), Fraction(3))}, 30) == {"1,1": 2, "1,2": 6, "2,2": 3}


@pytest.mark.parametrize(
    "build,field",
    [
        (lambda: a.linear_chain_solve(layers="lambda_W", features="lambda_H"), "layers"),
        (lambda: a.linear_chain_solve(layers=["lambda_W"], features="lambda_H", measure=["spin"]), "measure"),
        (lambda: a.max_margin_solve(measure=["cosine"]), "measure"),
        (lambda: a.sphere_product_solve(measure=["margins"]), "measure"),
        (lambda: a.root_of(x, "x", (0, 1)), "symbol"),
        (lambda: a.class_sizes("n k"), "name"),
    ],
)
def test_bad_definitions_are_one_line_errors(build, field):
    with pytest.raises(InputError) as err:
        build()
    assert field in str(err.value) or err.value.parameter == field
    assert "\n" not in str(err.value)
