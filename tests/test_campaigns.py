"""Fuzzing campaigns (verify.campaigns, docs/campaigns.md): a deliberately wrong closed form is found and shrunk
to its simplest failing point, the same seed gives the same points on any executor, a killed worker loses no
result, and a second run replays the first one's failure first.

The test claims solve by an independent Newton iteration for sqrt(a) (cheap, so the tests are fast); the
wrong one is off by 10^-3 relative for K >= 5 only, so the simplest failing point has K = 5."""

from __future__ import annotations

import json
import os
import signal
import textwrap
import threading

import pytest

from verify.base.solving import SolveOptions
from verify.campaigns import campaign
from verify.campaigns.cli import main as fuzz_main
from verify.campaigns.cli import parse_budget
from verify.campaigns.database import CampaignStore
from verify.campaigns.executors import InProcess, LocalProcesses
from verify.engine import registry

CLAIMS = '''
import os, time
import mpmath, sympy as sp
from verify import authoring as a
from verify.base.solving import SolveReport

K, A = sp.symbols("K a")

def newton_sqrt(values, options):
    """sqrt(a) by Newton's iteration at the working precision: never reads the closed form."""
    time.sleep(float(os.environ.get("NC_TEST_SOLVE_SLEEP", "0")))
    with mpmath.workdps(options.dps + 10):
        a_ = mpmath.mpf(values["a"].numerator) / values["a"].denominator
        x = a_
        for _ in range(200):
            x = (x + a_ / x) / 2
    return SolveReport(True, "Newton converged", {"value": (x,)}, {"value": (float(x),)}, {}, options.dps, 0.0)

def make(claim_id, expr):
    return a.claim(
        id=claim_id, title="toy: the square root", statement="sqrt(a) is the positive root of x^2 = a",
        source="campaign test", convention="none",
        parameters=[a.integer("K", "a label"), a.real("a", "the radicand")],
        hypotheses=[a.hypothesis("a > 0", lambda v: v["a"] > 0, "a", "give a positive a")],
        quantities=[a.quantity("value", "the root", expr, a.tolerance(8, "Newton at dps + 10 digits"))],
        solve=newton_sqrt, solver_description="Newton's iteration for x^2 = a",
        strategy={"K": a.integers(2, 9), "a": a.decimals("1", "100")},
        examples=[a.example("a = 4", K=2, a=4)],
    )

RIGHT = make("toy.sqrt", sp.sqrt(A))
WRONG = make("toy.sqrt_typo", sp.sqrt(A) * (1 + sp.Piecewise((sp.Rational(1, 1000), K >= 5), (0, True))))
CLAIMS = [RIGHT, WRONG]
'''

OPTIONS = SolveOptions(dps=20, n_starts=1, seed=0)


@pytest.fixture()
def toy(tmp_path):
    (tmp_path / "toy_claims.py").write_text(textwrap.dedent(CLAIMS))
    registry.use_command_paths([str(tmp_path)])
    yield str(tmp_path)
    registry.use_command_paths([])


def _points(report):
    return [
        (r.claim_id, r.index, [(tuple(sorted(p.params.items())), p.verdict) for p in r.points]) for r in report.results
    ]


def _plan(toy, ids=("toy.sqrt", "toy.sqrt_typo"), **kw):
    kw.setdefault("examples", 8)
    kw.setdefault("batch", 4)
    return campaign.Plan(tuple(ids), OPTIONS, paths=(toy,), **kw)


_Serial = InProcess  # the serial reference


def test_wrong_closed_form_is_found_and_shrunk_with_a_command_that_reproduces_it(toy):
    report = campaign.run(_plan(toy, ids=("toy.sqrt_typo",), examples=12), _Serial())
    assert report.verdict == "failed"
    found = [c for c in report.counterexamples if c.kind == "failed"]
    assert len(found) == 1
    assert found[0].params["K"] == "5"  # the smallest K where the closed form is wrong
    from verify.face.cli import main

    argv = found[0].command.split()[1:]
    assert main(argv) == 1  # the command checks exactly that point and fails
    assert main([a for a in argv if not a.startswith("K=")] + ["K=4"]) == 0  # one K lower it holds


def test_right_claim_finds_nothing(toy):
    report = campaign.run(_plan(toy, ids=("toy.sqrt",)), _Serial())
    assert report.verdict == "verified" and not report.counterexamples
    assert sum(t.points for t in report.tallies) == 8


def test_same_seed_same_points_in_processes_as_in_this_process(toy):
    serial = campaign.run(_plan(toy), _Serial())
    pool = LocalProcesses(2)
    try:
        parallel = campaign.run(_plan(toy), pool)
    finally:
        pool.close()
    assert _points(parallel) == _points(serial)
    assert [c.params for c in parallel.counterexamples] == [c.params for c in serial.counterexamples]
    other_seed = campaign.run(_plan(toy, seed=1), _Serial())
    assert _points(other_seed) != _points(serial)


def test_second_run_replays_the_failure_first_and_draws_new_points(toy, tmp_path):
    store = CampaignStore(tmp_path / "db")
    first = campaign.run(_plan(toy, ids=("toy.sqrt_typo",), examples=12), _Serial(), store)
    assert first.verdict == "failed"
    again = campaign.run(_plan(toy, ids=("toy.sqrt_typo",), examples=4), _Serial(), CampaignStore(tmp_path / "db"))
    first_point = dict(again.results[0].points[0].params)
    assert first_point == dict(first.counterexamples[0].params)  # replayed before anything new is drawn
    assert again.results[0].index == 3  # 12 points in batches of 4 were tasks 0..2: this run starts at task 3


def test_budget_and_limits_are_one_line_errors(toy, capsys):
    assert parse_budget("2h30m") == 9000 and parse_budget("90") == 90
    for bad in ("", "10 minutes", "0s", "40d"):
        with pytest.raises(Exception, match="--budget"):
            parse_budget(bad)
    assert fuzz_main(["toy.sqrt", "--path", toy, "--batch", "0", "--local"]) == 2
    assert "--batch" in capsys.readouterr().err
    assert fuzz_main(["no.such", "--local"]) == 2


def test_cli_json_report_matches_its_schema(toy, capsys):
    jsonschema = pytest.importorskip("jsonschema")
    code = fuzz_main(["toy.sqrt_typo", "--path", toy, "--examples", "4", "--workers", "1", "--local", "--json"])
    data = json.loads(capsys.readouterr().out)
    schema = json.loads((__import__("pathlib").Path(__file__).parents[1] / "docs/schemas/fuzz.schema.json").read_text())
    jsonschema.validate(data, schema)
    assert code in (0, 1) and data["verdict"] in ("verified", "failed")


def test_dask_local_cluster_survives_a_killed_worker(toy, monkeypatch):
    pytest.importorskip("distributed", reason="the campaigns extra (dask, distributed) is not installed")
    from verify.campaigns.executors import DaskCluster

    monkeypatch.setenv("NC_TEST_SOLVE_SLEEP", "0.05")  # inherited by the workers: tasks last long enough to kill
    serial = campaign.run(_plan(toy, examples=16), _Serial())
    cluster = DaskCluster(2)
    try:
        pids = list(cluster.worker_pids().values())
        killed = threading.Event()

        def kill(progress):
            if not killed.is_set() and progress["points"] > 0:
                killed.set()
                os.kill(pids[0], signal.SIGKILL)

        distributed_run = campaign.run(_plan(toy, examples=16), cluster, progress=kill)
    finally:
        cluster.close()
    assert killed.is_set()
    assert _points(distributed_run) == _points(serial)  # every task's result, as in the serial run


def _certify_json(argv, capsys):
    from verify.face.cli import main

    code = main(argv + ["--json"])
    data = json.loads(capsys.readouterr().out)
    data.pop("seconds", None)
    for run in data.get("inequalities", data.get("runs", [])):
        if isinstance(run, dict):
            run.pop("seconds", None)
    return code, data


BOX = ["certify", "fang2021.thm1", "--box", "K=2..9", "E_H=1/10..10", "E_W=1/10..10", "--inequality"]


def test_box_certification_on_workers_is_the_serial_result(capsys):
    """Issue 21: the branch and bound spread over workers proves the same region, leaves the same boxes undecided
    and finds the same counter-examples as the serial run (local processes here; Dask below)."""
    from verify.claims.fang2021.thm1 import CLAIM

    name = CLAIM.inequalities[0].name
    serial = _certify_json(BOX + [name], capsys)
    spread = _certify_json(BOX + [name, "--workers", "2", "--local"], capsys)
    assert spread == serial
    assert serial[0] in (0, 3)


def test_box_certification_on_a_dask_local_cluster_is_the_serial_result(capsys):
    pytest.importorskip("distributed", reason="the campaigns extra (dask, distributed) is not installed")
    from verify.claims.fang2021.thm1 import CLAIM

    name = CLAIM.inequalities[0].name
    assert _certify_json(BOX + [name, "--workers", "2"], capsys) == _certify_json(BOX + [name], capsys)
