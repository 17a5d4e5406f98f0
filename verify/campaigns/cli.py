"""``nc-verify fuzz``: a Hypothesis campaign over claims' hypothesis spaces, on Dask or local processes.

    nc-verify fuzz [ID ...] [--budget 10m] [--examples N] [--workers N] [--scheduler tcp://HOST:8786]
                   [--seed S] [--db DIR] [--fresh] [--batch B] [--dps D] [--starts S] [--local] [--json]

Exit status as for ``check``: 0 nothing found, 1 a failed point, 2 user error, 3 inconclusive points (or
nothing checked). docs/campaigns.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys

from verify.base.errors import InputError

MAX_WORKERS = 4096
MAX_BATCH = 1000
MAX_BUDGET = 30 * 24 * 3600.0  # a month: longer is a typo
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_budget(text: str) -> float:
    """``90s``, ``10m``, ``2h30m``, ``1d``, or plain seconds; positive, at most a month."""
    t = text.strip().lower()
    if re.fullmatch(r"\d+(\.\d+)?", t):
        seconds = float(t)
    else:
        parts = re.findall(r"(\d+(?:\.\d+)?)([smhd])", t)
        if not parts or "".join(a + b for a, b in parts) != t:
            raise InputError(f"--budget {text!r} is not a duration", parameter="--budget", fix="e.g. 90s, 10m, 2h30m")
        seconds = sum(float(a) * _UNITS[b] for a, b in parts)
    if not 0 < seconds <= MAX_BUDGET:
        raise InputError(
            f"--budget {text!r} is {seconds:g} s, outside (0, {MAX_BUDGET:g}] s", parameter="--budget", fix="e.g. 10m"
        )
    return seconds


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="nc-verify fuzz", description=__doc__.split("\n\n")[0])
    ap.add_argument("ids", nargs="*", metavar="ID", help="claims to fuzz (default: the whole catalogue)")
    ap.add_argument("--budget", help="wall time, e.g. 10m (default: none; then --examples bounds the campaign)")
    ap.add_argument("--examples", type=int, help="points per claim (deterministic; default 8 without --budget)")
    ap.add_argument("--batch", type=int, default=4, help="points per task, 1..1000 (default 4)")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="local workers (default: the cores)")
    ap.add_argument("--scheduler", help="a Dask scheduler address, e.g. tcp://HOST:8786 (default: a local cluster)")
    ap.add_argument("--local", action="store_true", help="local processes even where Dask is installed")
    ap.add_argument("--seed", type=int, default=0, help="campaign seed, >= 0 (default 0)")
    ap.add_argument("--db", help="directory of the example database and campaign memory (default: none)")
    ap.add_argument("--fresh", action="store_true", help="with --db: draw from the seed's first task again")
    ap.add_argument("--dps", type=int, default=30, help="working precision of each solve (default 30)")
    ap.add_argument("--starts", type=int, default=8, help="random starts per solve (default 8)")
    ap.add_argument("--json", action="store_true", help="the report as JSON (docs/schemas/fuzz.schema.json)")
    ap.add_argument("--path", action="append", default=[], metavar="DIR", help="also load claims from DIR")
    return ap


class _Progress:
    """One line on stderr, rewritten: points (per claim), failures, inconclusive, time left."""

    def __init__(self, stream=sys.stderr):
        self.stream = stream

    def __call__(self, p: dict) -> None:
        left = (
            ""
            if p["seconds_left"] is None
            else f"  {int(p['seconds_left']) // 60}m{int(p['seconds_left']) % 60:02d}s left"
        )
        busiest = sorted(p["per_claim"].items(), key=lambda kv: -kv[1])[:3]
        per = ", ".join(f"{c} {n}" for c, n in busiest)
        self.stream.write(
            f"\rfuzz: {p['points']} points ({per}{', ...' if len(p['per_claim']) > 3 else ''})  "
            f"{p['failed']} failed  {p['inconclusive']} inconclusive{left}   "
        )
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("\n")
        self.stream.flush()


def main(argv: list[str]) -> int:
    from verify.campaigns import campaign
    from verify.campaigns.database import CampaignStore
    from verify.campaigns.executors import dask_available, executor
    from verify.engine import registry
    from verify.engine.options import validate_count, validate_solve_options

    args = parser().parse_args(argv)
    try:
        registry.use_command_paths(args.path)
        budget = parse_budget(args.budget) if args.budget is not None else None
        examples = args.examples if args.examples is not None or budget is not None else 8
        if examples is not None:
            validate_count(
                "--examples", examples, 1, "a campaign checks one point at least", 10**9, "use --budget for longer"
            )
        validate_count("--batch", args.batch, 1, "a task draws one point at least", MAX_BATCH, "shrinking restarts")
        validate_count("--workers", args.workers, 1, "one worker at least", MAX_WORKERS, "a bound on typos")
        options = validate_solve_options(args.dps, args.starts, args.seed)
        ids = tuple(registry.get(i).id for i in args.ids) if args.ids else tuple(registry.everything())
        if args.fresh and not args.db:
            raise InputError("--fresh needs --db", parameter="--fresh", fix="give --db DIR, or drop --fresh")
        plan = campaign.Plan(
            ids, options, args.seed, args.batch, examples, budget, tuple(os.path.abspath(p) for p in args.path)
        )
        store = CampaignStore(args.db) if args.db else None
        start = {c: 0 for c in ids} if args.fresh else None
        runner = executor(args.workers, args.scheduler, use_dask=False if args.local else None)
        if not args.json:
            if not dask_available() and not args.local:
                print(
                    'nc-verify fuzz: Dask is not installed (pip install "nc-verify[campaigns]"): running in local processes',
                    file=sys.stderr,
                )
            print(f"nc-verify fuzz: {len(ids)} claims on {runner.describe()}", file=sys.stderr, flush=True)
        progress = None if args.json else _Progress()
        try:
            report = campaign.run(plan, runner, store, progress, start)
        finally:
            runner.close()
            if progress is not None:
                progress.close()
    except InputError as exc:
        if args.json:
            print(json.dumps({"schema": campaign.SCHEMA, "error": str(exc), "parameter": exc.parameter}))
        print(f"nc-verify: error: {exc}", file=sys.stderr)
        return 2
    finally:
        registry.use_command_paths([])
    print(json.dumps(campaign.report_json(report), indent=2) if args.json else campaign.report_text(report))
    return {"verified": 0, "failed": 1, "inconclusive": 3}[report.verdict]
