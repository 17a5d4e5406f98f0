"""Fuzz of ``verify.face.cli.main`` over generated argument lists: no input may raise a traceback.

Argument lists are built from the real command names, claim ids, parameter and quantity names, with valid
values, edge values (0, -1, 1e-400, 400-digit numbers, 'nan', 'inf', '', '1/0') and options (valid, at their
bounds and beyond). ``main`` must return an exit status of the documented table (0, 1, 2, 3) or let argparse
exit with 0 (``--help``, ``--version``) or 2 (its one-line usage error); a status 2 of ours prints exactly one
line on stderr. The fuzz is about argument handling: the solvers, ``check_claim`` and the plot's sweep are
replaced by fakes, and only ``list``, ``show``, ``eval`` and ``errata ID`` run for real, on cheap claims. Each
example has a time budget; an example that runs out of it is not an error (nothing was raised).
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verify.engine import registry
from verify.record import SolveReport

CLAIMS = ("fang2021.thm1", "fang2021.thm5", "dang2024.thm1", "tirer2022.thm4_2")
COMMANDS = ("list", "show", "eval", "solve", "check", "errata", "explore", "plot")
EDGE_VALUES = ("0", "-1", "1e-400", "1e400", "9" * 400, "1" + "0" * 150, "nan", "inf", "-inf", "", "1/0", "abc", "0.5")
EDGE_VALUES += ("3", "1/3", "2,3", "[1]", " 7 ", "1e-20", "10**3", "0x10")
#: issue 22: beyond the accepted range (refused at once, exponent read from the text), empty vector items, the
#: ends of the range and tiny penalties (printed in scientific notation, every digit right)
EDGE_VALUES += ("1e-9999", "1e100000", "1e99999999", "1,,2", ",", "5e-61", "1e300", "1e-300", "1e1000", "1e-1000")
#: The edge values of the deterministic grid: one of each kind (the fuzz draws from all of them).
GRID_VALUES = ("0", "-1", "1e-400", "1e400", "9" * 400, "1" + "0" * 150, "nan", "inf", "", "1/0", "0.5", "2,3")
GRID_VALUES += ("1e-9999", "1,,2", "1e300")
#: Seconds one example may run (eval of an extreme point may spend them in a root find); a campaign sets
#: NC_FUZZ_BUDGET=60 to count hangs as the issue defines them (> 60 s), and NC_FUZZ_REPORT=FILE for its figures.
BUDGET = float(os.environ.get("NC_FUZZ_BUDGET", 4.0))


class _OutOfBudget(BaseException):
    """Raised by the timer: a BaseException, so that no ``except Exception`` of the code under test eats it."""


def _fake_solver(values, options):
    converged = options.seed % 2 == 0
    return SolveReport(
        converged=converged,
        message="fake solve (the fuzz tests argument handling)",
        quantities={},
        float_quantities={},
        residuals={"kkt_stationarity": 0.0},
        dps=options.dps,
        seconds=0.0,
        details={"starts": options.n_starts, "starts_at_best": min(options.n_starts, 2), "locally_converged": True},
    )


def _fake_check_claim(claim, *, examples=4, seed=0, options=None, progress=None, certify=False):
    from verify.engine.checking import ClaimResult, Verdict

    verdict = (Verdict.VERIFIED, Verdict.FAILED, Verdict.INCONCLUSIVE)[seed % 3]
    return ClaimResult(claim.id, verdict, (), 0.0)


def _fake_curve(K_A, K_B, E_H, E_W, *, r_min=1.0, r_max=1e4, points=40, dps=20, ratios=None, progress=None):
    from verify.face.figures.fang2021 import Curve, check_range

    check_range(r_min, r_max, points)
    grid = np.geomspace(r_min, r_max, min(points, 5))
    cos = np.where(grid < 10, 0.5, np.nan)
    phases = tuple("separated" if r < 10 else "vanished" for r in grid)
    return Curve(K_A, K_B, E_H, E_W, grid, cos, phases, (True,) * len(grid), 10.0, 10.0)


@st.composite
def argv(draw, outdir: str):
    command = draw(st.sampled_from(COMMANDS))
    claim_id = draw(st.sampled_from((*CLAIMS, "nope.thm9", "")))
    claim = registry.get(claim_id) if claim_id in CLAIMS else registry.get(CLAIMS[0])
    example = dict(claim.examples[0].params)
    names = [p.name for p in claim.parameters]
    args: list[str] = [command]
    if command in ("show", "eval", "solve", "plot") or (
        command in ("check", "errata", "explore") and draw(st.booleans())
    ):
        if command not in ("check", "errata", "explore") or claim_id:
            args.append(claim_id)
    if command in ("eval", "solve", "plot"):
        chosen = draw(st.lists(st.sampled_from([*names, "X", "R"]), max_size=len(names) + 2))
        for name in chosen if draw(st.booleans()) else [*names, *chosen[:1]]:
            value = draw(st.sampled_from((example.get(name, "1"),) * 3 + EDGE_VALUES))
            args.append(draw(st.sampled_from((f"{name}={value}",) * 6 + (name, f"={value}", f"{name}=={value}"))))
    options = {
        "--dps": ("19", "20", "30", "1000", "1001", "-5", "abc", "1e3", ""),
        "--starts": ("0", "1", "2", "1001", "-1", "x"),
        "--seed": ("-1", "0", "1", "2", "1.5"),
        "--examples": ("-1", "0", "1", "10001"),
        "--quantity": (*[q.name for q in claim.quantities], "nope"),
        "--out": (f"{outdir}/f.png", f"{outdir}/f.svg", "/nonexistent/x.png", f"{outdir}/f.pdf", outdir),
        "--points": ("1", "2", "3", "2001", "x"),
        "--r-min": ("nan", "inf", "0.5", "1", "2", "1e300"),
        "--r-max": ("nan", "inf", "5", "100", "1e9"),
    }
    relevant = {
        "eval": ("--dps", "--quantity"),
        "solve": ("--dps", "--starts", "--seed"),
        "check": ("--dps", "--starts", "--seed", "--examples"),
        "plot": ("--out", "--points", "--r-min", "--r-max"),
    }.get(command, ())
    flags = {"show": ("--full",), "plot": ("--figure3",)}.get(command, ())
    for _ in range(draw(st.integers(0, 4))):
        position = draw(st.integers(1, len(args)))
        kind = draw(st.integers(0, 9))
        if kind < 6 and relevant:
            name = draw(st.sampled_from(relevant))
            args[position:position] = [name, draw(st.sampled_from(options[name]))]
        elif kind < 8:
            args.insert(position, draw(st.sampled_from(("--json", *flags))))
        else:  # anything, anywhere: argparse's own errors, --help, --version
            name = draw(
                st.sampled_from((*sorted(options), "--json", "--full", "--figure3", "--version", "--help", "-x"))
            )
            args.insert(position, name)
    if command == "plot" and "--out" not in args and draw(st.booleans()):
        args += ["--out", f"{outdir}/f.png"]
    if command == "check" and "--examples" not in args:
        args += ["--examples", "0"]
    if command == "check":
        args += ["--jobs", "1"]  # the faked check_claim and registry live in this process, not in spawned workers
    return args


def _run(main, args: list[str]) -> tuple[object, str, str]:
    out, err = io.StringIO(), io.StringIO()
    previous = signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(_OutOfBudget()))
    signal.setitimer(signal.ITIMER_REAL, BUDGET)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(args)
            except SystemExit as exc:  # argparse: --help / --version (0) or its usage error (2)
                code = ("argparse", exc.code)
    except _OutOfBudget:
        code = "budget"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    return code, err.getvalue(), out.getvalue()


def _check_outcome(args: list[str], code, err: str, out: str) -> None:
    """What every outcome must look like (issue 22): one error line on stderr for exit 2, never a progress bar
    before it on the same line; with --json, stdout is JSON whatever the exit status; eval never answers
    without parameters; a parameter never echoes as hundreds of digits."""
    import json
    import re

    assert code in (0, 1, 2, 3, "budget", ("argparse", 0), ("argparse", 2)), (args, code)
    if code == 2:
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("nc-verify: error: "), (args, err)
    if "--json" in args and code in (0, 1, 2, 3, ("argparse", 2)) and "--help" not in args and "--version" not in args:
        json.loads(out)  # a JSON document, also for an error
    if code == 0 and "--json" not in args:
        assert " at  (" not in out, (args, out[:200])
    header = out.splitlines()[0] if out else ""
    assert not re.search(r"\d{100}", header), (args, header[:200])


def _report(seen: dict, hangs: list) -> None:
    with open(os.environ["NC_FUZZ_REPORT"], "w") as f:
        f.write(repr({"examples": sum(seen.values()), "outcomes": seen, "hangs": hangs}) + "\n")


def test_cli_main_never_raises_on_generated_arguments(tmp_path):
    pytest.importorskip("matplotlib")
    from verify.engine import checking, options
    from verify.face.cli import main
    from verify.face.figures import fang2021 as plot

    real_get = registry.get
    fakes = {i: replace(real_get(i), solver=_fake_solver, explorations=(), errata=()) for i in CLAIMS[2:]}
    fakes.update({i: replace(real_get(i), solver=_fake_solver, explorations=()) for i in CLAIMS[:2]})

    def fake_get(claim_id):
        real_get(claim_id)  # an unknown id raises the real one-line error
        return fakes[claim_id] if claim_id in fakes else replace(real_get(claim_id), solver=_fake_solver)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(registry, "get", fake_get)
        mp.setattr(registry, "catalogue", lambda: fakes)
        mp.setattr(checking, "check_claim", _fake_check_claim)
        mp.setattr(options, "usable_cores", lambda: 1)  # the fakes live in this process: no workers
        mp.setattr(plot, "minority_curve", _fake_curve)
        seen: dict[object, int] = {}
        hangs: list = []

        @settings(
            # 150 argument lists by default (seconds); the fuzz profile's campaign size, or NC_FUZZ, for campaigns
            max_examples=int(os.environ.get("NC_FUZZ", max(150, settings.default.max_examples))),
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(args=argv(str(tmp_path)))
        def run(args):
            code, err, out = _run(main, args)
            seen[code] = seen.get(code, 0) + 1
            if code == "budget":
                hangs.append(args)
            if os.environ.get("NC_FUZZ_REPORT") and sum(seen.values()) % 25 == 0:  # a campaign's running figures
                _report(seen, hangs)
            _check_outcome(args, code, err, out)

        run()
    if os.environ.get("NC_FUZZ_REPORT"):  # a campaign's figures: outcomes by exit status, hangs ("budget")
        _report(seen, hangs)
    # the generator reaches every kind of outcome that argument handling can produce
    assert {0, 2, ("argparse", 2)} <= set(seen), seen


@pytest.mark.parametrize("claim_id", CLAIMS[:2])
def test_eval_at_every_edge_value_of_every_parameter(claim_id):
    """Deterministic complement of the fuzz: each parameter in turn takes each edge value, the others their
    first pinned value; eval answers (0), says what is out of reach (3) or gives one line (2)."""
    from verify.face.cli import main

    claim = registry.get(claim_id)
    example = dict(claim.examples[0].params)
    for name in example:
        for value in GRID_VALUES:
            args = ["eval", claim_id, *(f"{k}={value if k == name else v}" for k, v in example.items()), "--dps", "20"]
            code, err, out = _run(main, args)
            assert code in (0, 2, 3, "budget"), (args, code)
            _check_outcome(args, code, err, out)
