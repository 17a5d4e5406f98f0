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
    runs = cert.certify_claim(claim, box, args.inequality, limits, dps)
    _emit(args, cert.certify_json(claim, box, runs, limits, dps), cert.certify_text(claim, box, runs, limits, dps))
    return {"ok": EXIT_OK, "failed": EXIT_FAILED}.get(cert.exit_kind(runs), EXIT_INCONCLUSIVE)


def with_balls(result, quantities, data: dict, text: str) -> tuple[dict, str]:
    """``eval --certify``: the eval's JSON and text with the balls of the quantities that offer one
    (verify/certify/evaluate.py)."""
    from verify.certify.evaluate import balls, balls_json, balls_text

    found = balls(result.claim, result.params, result.dps, quantities)
    return data | {"balls": balls_json(found, result.dps)}, text + "\n" + balls_text(found, result.dps)
