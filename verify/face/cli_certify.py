"""The certified side of the command line: ``nc-verify certify ID --box ...`` (its options and its run) and the
balls of ``eval --certify``. Everything heavy (python-flint, sympy) is imported when the command runs."""

from __future__ import annotations

import argparse


def register(add, precision) -> None:
    """The ``certify`` subcommand, through the command line's own ``add`` and ``precision`` (verify/face/cli.py)."""
    p: argparse.ArgumentParser = add(
        "certify", cmd_certify, "prove a claim's proof inequalities over a parameter box (branch and bound)"
    )
    p.add_argument("id")
    p.add_argument("--box", nargs="+", required=True, metavar="NAME=LO..HI", help="e.g. K=2..50 E_H=1/10..10")
    p.add_argument("--inequality", action="append", metavar="NAME", help="only this inequality (repeatable)")
    p.add_argument("--max-depth", type=int, default=40, help="splits of one box before it is undecided (default 40)")
    p.add_argument("--max-boxes", type=int, default=20000, help="boxes examined at most (default 20000)")
    p.add_argument("--seconds", type=float, default=None, help="wall-time limit (default none; not reproducible)")
    p.add_argument("--workers", type=int, help="spread the boxes over N workers (Dask, else local processes)")
    p.add_argument("--scheduler", help="a Dask scheduler address, e.g. tcp://HOST:8786 (docs/campaigns.md)")
    p.add_argument("--local", action="store_true", help="with --workers: local processes even where Dask is installed")
    precision(p)


def cmd_certify(args) -> int:
    """Proof inequalities over a parameter box (verify/face/certify_report.py): exit 0 when all are proven, 1 with
    a counter-example box, 3 when boxes are left undecided."""
    from verify.engine import registry
    from verify.engine.options import validate_dps
    from verify.face import certify_report as cert
    from verify.face.cli_common import EXIT_FAILED, EXIT_INCONCLUSIVE, EXIT_OK, _emit

    claim = registry.get(args.id)
    dps = validate_dps(args.dps)
    limits = cert.limits_from(args.max_depth, args.max_boxes, args.seconds)
    box = cert.parse_box(claim, args.box)
    if args.workers is None and args.scheduler is None:
        runs = cert.certify_claim(claim, box, args.inequality, limits, dps)
    else:
        runs = _distributed(args, claim, box, limits, dps, cert)
    _emit(args, cert.certify_json(claim, box, runs, limits, dps), cert.certify_text(claim, box, runs, limits, dps))
    return {"ok": EXIT_OK, "failed": EXIT_FAILED}.get(cert.exit_kind(runs), EXIT_INCONCLUSIVE)


def _distributed(args, claim, box, limits, dps, cert):
    """The same branch and bound with its subtrees on Dask workers or local processes (verify/campaigns/boxes.py):
    the same proven region, undecided boxes and counter-examples as the serial run."""
    import os
    import sys

    from verify.campaigns.boxes import distributed_run
    from verify.campaigns.executors import executor
    from verify.engine.options import validate_count

    workers = validate_count(
        "--workers", args.workers or os.cpu_count() or 1, 1, "one worker at least", 4096, "a bound on typos"
    )
    runner = executor(workers, args.scheduler, use_dask=False if args.local else None)
    if not args.json:
        print(f"nc-verify certify: on {runner.describe()}", file=sys.stderr, flush=True)
    paths = tuple(os.path.abspath(p) for p in getattr(args, "path", []) or [])
    try:
        return cert.certify_claim(
            claim,
            box,
            args.inequality,
            limits,
            dps,
            runner=lambda ineq, reduced, lim, d: distributed_run(claim.id, ineq.name, reduced, lim, d, runner, paths),
        )
    finally:
        runner.close()


def with_balls(result, quantities, data: dict, text: str) -> tuple[dict, str]:
    """``eval --certify``: the eval's JSON and text with the balls of the quantities that offer one
    (verify/certify/evaluate.py)."""
    from verify.certify.evaluate import balls, balls_json, balls_text

    found = balls(result.claim, result.params, result.dps, quantities)
    return data | {"balls": balls_json(found, result.dps)}, text + "\n" + balls_text(found, result.dps)
