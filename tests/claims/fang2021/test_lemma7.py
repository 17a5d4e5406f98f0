"""fang2021.lemma7: (7) at K <= p < 2K against the optimum of the nuclear-ball program (91), duality gap closed."""

import subprocess
import sys

import mpmath
import numpy as np
import pytest

from verify.base.errors import InputError
from verify.base.solving import SolveOptions
from verify.claims.fang2021 import lemma7
from verify.engine.checking import Verdict, check_claim
from verify.solvers.nuclear_ball import conic_logits, factor, optimum

CLAIM = lemma7.CLAIM


def test_pinned_examples_and_drawn_points_verify():
    result = check_claim(CLAIM, examples=3, seed=4)
    assert result.verdict is Verdict.VERIFIED, [(p.params, p.solve.message) for p in result.points]


def test_the_solve_at_p_equal_K_reaches_the_minimum_of_15_too():
    """Below Lemma 1's p >= 2K: the direct solve of (7) at p = K equals the optimum of (15) (duality gap closed)."""
    from verify.solvers.conic import polished_optimum

    values = CLAIM.parse(CLAIM.examples[0].params)
    report = CLAIM.solver(values, SolveOptions(dps=30))
    sdp = polished_optimum(lemma7.class_sizes(values), values["E_H"], values["E_W"], 30)
    assert report.converged and sdp.converged
    with mpmath.workdps(30):
        # 8 guard digits, as the claim's value tolerance
        assert abs(report.quantities["value"][0] / sdp.value - 1) < mpmath.mpf(10) ** -22


@pytest.mark.parametrize("solver,accuracy", [("CLARABEL", 1e-7), ("SCS", 1e-4)])
def test_both_conic_solvers_of_91_approach_the_refined_value(solver, accuracy):
    """Conic accuracy only seeds the refinement; Clarabel ~1e-8, SCS ~1e-5 relative measured on this point."""
    values = CLAIM.parse(CLAIM.examples[0].params)
    sizes = lemma7.class_sizes(values)
    Z, status = conic_logits(sizes, values["E_H"], values["E_W"], solver)
    assert status.startswith("optimal")
    n = np.array(sizes, dtype=float)
    value = sum(n[k] / n.sum() * (np.log(np.exp(Z[k]).sum()) - Z[k, k]) for k in range(len(n)))
    best = float(optimum(sizes, values["E_H"], values["E_W"], 4, 30).value)
    assert value >= best - accuracy * best and abs(value - best) <= accuracy * best


def test_factor_refuses_p_below_K():
    with pytest.raises(InputError, match="p >= K"):
        factor(np.eye(4), 1, 1, 3)


@pytest.mark.parametrize("args,needle", [(["p=3"], "p >= K"), (["E_H=0"], "E_H"), (["n_B=0"], "n_B")])
def test_bad_input_gives_one_line_and_exit_2(args, needle):
    params = {"K_A": "2", "K_B": "2", "n_A": "3", "n_B": "1", "p": "4", "E_H": "5", "E_W": "1"}
    params.update(dict(a.split("=") for a in args))
    cmd = [sys.executable, "-m", "verify", "eval", CLAIM.id, *[f"{k}={v}" for k, v in params.items()]]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    lines = (out.stdout + out.stderr).strip().splitlines()
    assert out.returncode == 2 and len(lines) == 1 and needle in lines[0], lines
