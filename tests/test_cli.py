"""The command line's contract: one-line errors (exit 2) for every user mistake, before any work; the
exit-status table of docs/guide.md (0 ok, 1 failed, 2 user error, 3 inconclusive); solve statuses that agree
with their messages; show, errata and --version as documented."""

from __future__ import annotations

import pytest

from verify.engine import checking
from verify.engine.checking import ClaimResult, Verdict
from verify.face.cli import EXIT_FAILED, EXIT_INCONCLUSIVE, EXIT_OK, EXIT_USER_ERROR, main

THM1 = ["fang2021.thm1", "K=3", "n=1", "p=3", "E_H=1", "E_W=1"]
THM5 = ["fang2021.thm5", "K_A=7", "K_B=3", "E_H=5", "E_W=1"]


def one_error_line(capsys, *needles: str) -> str:
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("nc-verify: error: "), err
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


@pytest.mark.parametrize(
    "argv,needles",
    [
        (["eval", *THM1, "--dps", "19"], ("--dps", "below 20", "guard digits")),
        (["eval", *THM1, "--dps", "1001"], ("--dps", "above 1000", "minutes")),
        (["solve", *THM1, "--starts", "0"], ("--starts", "below 1")),
        (["solve", *THM1, "--starts", "1001"], ("--starts", "above 1000")),
        (["solve", *THM1, "--seed", "-1"], ("--seed", "below 0")),
        (["check", "fang2021.thm1", "--examples", "-1"], ("--examples", "below 0")),
        (["eval", *THM1, "K=4"], ("K is given twice",)),
        (["eval", "fang2021.thm1", "K=3", "E_H=1", "E_W=1e-400x"], ("E_W", "not a number")),
        (["eval", "fang2021.thm1", "K=3", "E_H=1", "E_W=" + "9" * 400], ("E_W", "characters")),
        (["eval", "fang2021.thm1", "K=3", "E_H=1", "E_W=1/0"], ("E_W", "not a number")),
        (["eval", "fang2021.thm1", "K=3", "E_H=1", "E_W=nan"], ("E_W", "not a number")),
        (["errata", "nope.thm9"], ("unknown claim id",)),
        (["plot", *THM5, "--out", "/nonexistent/x.png"], ("--out", "does not exist")),
        (["plot", *THM5, "--out", "x.pdf"], ("--out", ".png or .svg")),
        (["plot", *THM5, "--out", "x.png", "--points", "1"], ("--points",)),
        (["plot", *THM5, "--out", "x.png", "--r-max", "inf"], ("--r-min",)),
        (["plot", *THM5, "R=3", "--out", "x.png"], ("plot sweeps R",)),
        (["plot", "fang2021.thm5", "--figure3", "K_A=3", "--out", "x.png"], ("--figure3",)),
        (["plot", "fang2021.thm1", "--out", "x.png"], ("no plot for fang2021.thm1",)),
        (["solve", "fang2021.thm1", "K=50", "n=1", "p=50", "E_H=1", "E_W=1"], ("5000 unknowns", "3000", "K")),
    ],
)
def test_user_errors_are_one_line_exit_2(argv, needles, capsys):
    assert main(argv) == EXIT_USER_ERROR
    one_error_line(capsys, *needles)


def test_plot_output_is_checked_before_any_solve(monkeypatch, capsys):
    from verify.face.figures import fang2021 as plot

    def no_sweep(*a, **k):
        raise AssertionError("the sweep ran before --out was checked")

    monkeypatch.setattr(plot, "minority_curve", no_sweep)
    assert main(["plot", *THM5, "--out", "/nonexistent/x.png"]) == EXIT_USER_ERROR
    one_error_line(capsys, "/nonexistent")


def test_size_refusal_does_no_work(monkeypatch, capsys):
    from verify.solvers import pipeline

    monkeypatch.setattr(pipeline, "multistart", lambda *a, **k: pytest.fail("multistart ran"))
    assert main(["solve", "fang2021.thm1", "K=50", "n=1", "p=50", "E_H=1", "E_W=1"]) == EXIT_USER_ERROR
    one_error_line(capsys, "limit")


def test_extreme_valid_inputs_give_a_result_or_say_what_is_out_of_reach(capsys):
    # a 150-digit E_W and E_H = 10^100: the reference's Newton matrix is singular in floating point
    for extreme in ("E_W=1" + "0" * 150, "E_H=1e100"):
        argv = ["eval", "fang2021.thm5", "K_A=7", "K_B=3", "E_H=5", "E_W=1", "R=2"]
        name = extreme.split("=")[0]
        argv = [a for a in argv if not a.startswith(name + "=")] + [extreme]
        code = main(argv)
        out = capsys.readouterr().out
        assert code in (EXIT_OK, EXIT_INCONCLUSIVE)
        if code == EXIT_INCONCLUSIVE:
            line = next(r for r in out.splitlines() if "unavailable" in r)
            assert "out of reach" in line and "try" in line
    assert main(["eval", "fang2021.thm1", "K=3", "E_H=1", "E_W=1e-400"]) == EXIT_OK
    assert "1.00000000000000000000000000000e-200" in capsys.readouterr().out  # sqrt(E_W): every digit, at any scale


def test_solve_with_one_start_is_not_corroborated_and_says_so(capsys):
    assert main(["solve", *THM1, "--starts", "1"]) == EXIT_INCONCLUSIVE
    out = capsys.readouterr().out
    first = out.splitlines()[0]
    assert ": not_corroborated (" in first and "not corroborated" in first
    assert "use --starts 8 or more" in out
    assert main(["solve", *THM1]) == EXIT_OK
    assert ": converged (" in capsys.readouterr().out


@pytest.mark.parametrize(
    "verdicts,code",
    [
        ((Verdict.VERIFIED, Verdict.VERIFIED), EXIT_OK),
        ((Verdict.VERIFIED, Verdict.INCONCLUSIVE), EXIT_INCONCLUSIVE),
        ((Verdict.INCONCLUSIVE, Verdict.FAILED), EXIT_FAILED),
    ],
)
def test_check_exit_status_table(verdicts, code, monkeypatch, capsys):
    results = iter(verdicts)
    monkeypatch.setattr(checking, "check_claim", lambda claim, **k: ClaimResult(claim.id, next(results), (), 0.0))
    assert main(["check", "fang2021.thm1", "fang2021.thm3", "--examples", "0", "--jobs", "1"]) == code


def test_show_states_each_tolerance_reason_once_and_folds_long_forms(capsys):
    from verify.engine.registry import get

    assert main(["show", "fang2021.thm5"]) == EXIT_OK
    out = capsys.readouterr().out
    for q in get("fang2021.thm5").quantities:
        assert out.count(q.tolerance.reason) == 1
    assert "--full)" in out
    assert main(["show", "fang2021.thm5", "--full"]) == EXIT_OK
    full = capsys.readouterr().out
    assert "--full)" not in full and all(q.definition in full for q in get("fang2021.thm5").quantities)


def test_errata_filters_by_claim_id(capsys):
    import json

    assert main(["errata", "fang2021.thm1", "--json"]) == EXIT_OK
    data = json.loads(capsys.readouterr().out)
    assert data["errata"] and {e["claim"] for e in data["errata"]} == {"fang2021.thm1"}


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0 and capsys.readouterr().out.startswith("nc-verify ")


def test_options_anywhere(capsys):
    assert main(["eval", "--dps", "25", "fang2021.thm1", "K=3", "--quantity", "cosine", "E_H=1", "E_W=1"]) == 0
    assert "-0.5000000000000000000000000" in capsys.readouterr().out


def test_solver_breakdown_at_an_extreme_point_is_one_line_inconclusive(capsys):
    # 10^20 majority classes: float64 cannot hold the class weights' square roots
    argv = ["solve", "fang2021.thm5", "K_A=100000000000000000000", "K_B=3", "E_H=5", "E_W=1", "R=2"]
    assert main(argv) == EXIT_INCONCLUSIVE
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("nc-verify: out of reach:") and "TypeError" in err[0]
