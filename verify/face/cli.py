"""The ``nc-verify`` command line: list, show, eval, certify, solve, check, errata, explore, plot, nets.

Exit status (docs/guide.md, "Exit status"):

===  ===================================================================================================
 0   ok: the command did what was asked (a check verified every point, a solve converged and corroborated)
 1   a check failed: a converged solve disagrees with the closed form (or a recorded erratum is not confirmed;
     or ``certify`` found a counter-example box)
 2   user error: one line on stderr naming the parameter or option, the violated condition and the fix
 3   inconclusive: a solve did not converge or could not corroborate global minimality, precision ran out,
     a plotted point did not converge, ``certify`` left boxes undecided; nothing is concluded
===  ===================================================================================================

A user mistake never prints a traceback: every value is parsed and every option validated before any work.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from verify.base.errors import InputError
from verify.engine import registry
from verify.face import cli_certify
from verify.face.cli_common import (  # re-exported: callers of verify.face.cli use these names
    EXIT_FAILED,
    EXIT_INCONCLUSIVE,
    EXIT_OK,
    EXIT_USER_ERROR,
    _assignments,
    _emit,
    _jsonable,
)
from verify.face.schema import SCHEMA_VERSION

# Everything heavier (sympy through verify.face.report, numpy, the solvers) is imported by the command that needs
# it, so that ``list`` starts without importing any of it and ``show``/``eval`` import only their claim.


def cmd_list(args) -> int:
    claims = registry.entries()
    data = [{"id": c.id, "title": c.title, "where": c.where} for c in claims]
    _emit(args, {"schema": SCHEMA_VERSION, "claims": data}, "\n".join(f"{c.id:<22} {c.title}" for c in claims))
    return EXIT_OK


def cmd_show(args) -> int:
    from verify.face import report

    claim = registry.get(args.id)
    _emit(args, report.claim_json(claim), report.claim_text(claim, full=args.full))
    return EXIT_OK


def cmd_eval(args) -> int:
    from verify.engine.options import validate_dps
    from verify.face import report
    from verify.face.api import ClaimHandle
    from verify.record import Unavailable

    handle = ClaimHandle(registry.get(args.id))
    names = [q.name for q in handle.claim.quantities]
    for bad in [n for n in args.quantity or () if n not in names][:1]:
        raise InputError(f"--quantity {bad!r} is not one of {args.id}'s", parameter="--quantity", fix=", ".join(names))
    result = handle.eval(validate_dps(args.dps), args.quantity or None, **_assignments(args.params))
    if args.certify:  # the quantities that offer a ball
        data, text = result.to_json(), report.eval_text(result.claim, result.params, result.values, result.dps)
        data, text = cli_certify.with_balls(result, args.quantity or None, data, text)
        _emit(args, data, text)
    elif args.json:  # one rendering, not both (K = 1000 classes: 2.5e6 numbers)
        print(json.dumps(result.to_json(), indent=2, default=_jsonable))
    else:
        print(report.eval_text(result.claim, result.params, result.values, result.dps))
    unavailable = any(isinstance(v, Unavailable) for v in _flat(result.values.values()))
    return EXIT_INCONCLUSIVE if unavailable else EXIT_OK


def _flat(values):
    for v in values:
        if isinstance(v, dict):
            yield from v.values()
        else:
            yield v


def cmd_solve(args) -> int:
    from verify.engine.options import validate_solve_options
    from verify.face import report

    claim = registry.get(args.id)
    given = _assignments(args.params)
    options = validate_solve_options(args.dps, args.starts, args.seed)
    params = claim.parse(given)
    defaults = claim.defaulted(given, params)
    rep = _solve_or_out_of_reach(claim, params, options)
    if rep is None:
        return EXIT_INCONCLUSIVE
    data = report.solve_json(claim, params, rep, options=options)
    data["defaults"] = defaults
    _emit(args, data, report.solve_text(claim, params, rep, defaults=defaults, options=options))
    return EXIT_OK if data["status"] == "converged" else EXIT_INCONCLUSIVE


def _solve_or_out_of_reach(claim, params, options):
    """The solve at a user's point, or None after one line saying what is out of reach: at extreme valid values
    (budgets of 10^100, 10^20 classes) a float64 stage can break down (an SVD that does not converge, a size
    float64 cannot hold). The exception's type is named, so that a defect is not mistaken for a limit."""
    import mpmath
    import numpy as np

    try:
        return claim.solver(params, options)
    except InputError:
        raise
    except (ArithmeticError, ValueError, TypeError, np.linalg.LinAlgError, mpmath.libmp.NoConvergence) as exc:
        what = f"{type(exc).__name__}: {exc}".splitlines()[0][:200]
        print(
            f"nc-verify: out of reach: the solver of {claim.id} broke down at this point ({what}); nothing is "
            "concluded: try less extreme parameters (nc-verify eval answers the closed form) or a larger --dps",
            file=sys.stderr,
        )
        return None


def cmd_check(args) -> int:
    """``check``: verify/face/cli_check.py (the whole catalogue, some claims, or one point)."""
    from verify.face.cli_check import check_command

    return check_command(args)


def cmd_recheck(args) -> int:
    """Re-verify certificate files with the independent checker (verify/certify/checker/)."""
    from verify.certify import checker

    return checker.main(args.files)


def cmd_errata(args) -> int:
    from verify.face import report_check

    claims = [registry.get(i) for i in args.ids] if args.ids else list(registry.everything().values())
    items = [report_check.erratum_json(e) for c in claims for e in c.errata]
    _emit(args, {"schema": SCHEMA_VERSION, "errata": items}, report_check.errata_text(items))
    return EXIT_OK if all(d["confirmed"] for d in items) else EXIT_FAILED


def cmd_explore(args) -> int:
    from verify.face import report_check

    claims = [registry.get(i) for i in args.ids] if args.ids else list(registry.everything().values())
    items = [report_check.exploration_json(e, e.run()) for c in claims for e in c.explorations]
    _emit(args, {"schema": SCHEMA_VERSION, "explorations": items}, report_check.explorations_text(items))
    return EXIT_OK


def cmd_plot(args) -> int:
    """A figure of one claim, dispatched by claim id (verify/face/figures/__init__.py)."""
    from verify.face.figures import plotter

    claim = registry.get(args.id)
    figure = plotter(claim.id)(claim, _assignments(args.params), args)
    _emit(args, figure.data, figure.text)
    return EXIT_OK if figure.complete else EXIT_INCONCLUSIVE


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("nc-verify")
    except Exception:  # noqa: BLE001 - an uninstalled source tree has no metadata
        return "unknown (not installed)"


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="nc-verify",
        description="Executable, checked claims of neural-collapse theory.",
        epilog="exit status: 0 ok, 1 a check failed, 2 user error, 3 inconclusive (docs/guide.md)",
    )
    ap.add_argument("--version", action="version", version=f"nc-verify {_version()}")
    path_help = "also load claims from DIR (.py files defining CLAIM; repeatable; see docs/authoring.md)"
    ap.add_argument("--path", action="append", default=[], metavar="DIR", help=path_help)
    sub = ap.add_subparsers(dest="command", required=True)

    def add(name: str, func, help_: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_)
        p.add_argument("--json", action="store_true", help="machine-readable output (docs/schemas.md)")
        p.add_argument("--path", action="append", default=argparse.SUPPRESS, metavar="DIR", help=path_help)
        p.set_defaults(func=func)
        return p

    def precision(p: argparse.ArgumentParser) -> None:
        p.add_argument("--dps", type=int, default=30, help="working precision in decimal digits, 20..1000 (default 30)")

    def solving(p: argparse.ArgumentParser) -> None:
        p.add_argument("--starts", type=int, default=8, help="random starts, >= 1 (default 8; 2 must agree)")
        p.add_argument("--seed", type=int, default=0, help="seed of the random starts, >= 0 (default 0)")

    add("list", cmd_list, "list the claims")
    p = add("show", cmd_show, "show one claim: statement, source, hypotheses, quantities, tolerances")
    p.add_argument("id")
    p.add_argument("--full", action="store_true", help="long closed forms in full (default: folded)")
    p = add("eval", cmd_eval, "evaluate the closed form")
    p.add_argument("id")
    p.add_argument("params", nargs="*", metavar="name=value")
    precision(p)
    p.add_argument("--quantity", action="append", metavar="NAME", help="only this quantity (repeatable; default all)")
    p.add_argument("--certify", action="store_true", help="also certified balls (midpoint +- radius) where offered")
    cli_certify.register(add, precision)
    p = add("solve", cmd_solve, "run the independent solve")
    p.add_argument("id")
    p.add_argument("params", nargs="*", metavar="name=value")
    precision(p)
    solving(p)
    p = add("check", cmd_check, "closed form against independent solve, pinned + drawn points")
    p.add_argument(
        "ids", nargs="*", metavar="ID", help="claims (default all); or one ID and name=value: that point only"
    )
    p.add_argument("--examples", type=int, default=4, help="Hypothesis-drawn points per claim, >= 0 (default 4)")
    precision(p)
    solving(p)
    p.add_argument(
        "--jobs", type=int, default=None, help="processes for the points, >= 1 (default: the cores available)"
    )
    p.add_argument(
        "--certify", action="store_true", help="also prove enclosures of the minimum where a claim has a certificate"
    )
    p.add_argument(
        "--out", metavar="DIR", help="write one certificate file per point whose enclosure closed (implies --certify)"
    )
    p = add("recheck", cmd_recheck, "re-verify certificate files with the independent checker (exit 0: all hold)")
    p.add_argument("files", nargs="+", metavar="FILE")
    p = add("errata", cmd_errata, "recorded disagreements with the papers, with computed evidence")
    p.add_argument("ids", nargs="*", metavar="ID", help="only these claims (default all)")
    p = add("explore", cmd_explore, "searches beyond the theorems (labelled exploration / conjecture, no verdict)")
    p.add_argument("ids", nargs="*", metavar="ID")
    p = add("plot", cmd_plot, "a figure of a claim (fang2021.thm5: Figure 3), PNG or SVG")
    p.add_argument("id")
    p.add_argument("params", nargs="*", metavar="name=value", help="fang2021.thm5: K_A, K_B, E_H, E_W")
    p.add_argument("--out", action="append", required=True, help="FILE.png or FILE.svg (repeat for both)")
    p.add_argument("--points", type=int, default=40, help="solves per curve, 2..2000 (default 40)")
    p.add_argument("--r-min", type=float, default=1.0, help="fang2021.thm5: smallest R (default 1)")
    p.add_argument("--r-max", type=float, default=1e4, help="fang2021.thm5: largest R (default 10^4)")
    p.add_argument(
        "--figure3", action="store_true", help="fang2021.thm5: the paper's six settings (K = 10, no parameters)"
    )
    p = sub.add_parser("fuzz", help="a fuzzing campaign on Dask or local processes (docs/campaigns.md)", add_help=False)
    p.add_argument("rest", nargs=argparse.REMAINDER)  # listed in --help; main() forwards `fuzz ...` before parsing
    p = sub.add_parser("nets", help="network tier: train networks against the catalogue (nets extra)", add_help=False)
    p.add_argument("rest", nargs=argparse.REMAINDER)  # listed in --help; main() forwards `nets ...` before parsing
    p.set_defaults(func=cmd_nets)
    return ap


def cmd_nets(args) -> int:
    """Forward to verify.nets.cli (imported by name: the core never imports the network tier or torch)."""
    import importlib

    return importlib.import_module("verify.nets.cli").main(args.rest)


def _error(message: str, parameter, fix, want_json: bool) -> int:
    """One line on stderr (after closing an open progress bar); with --json, the error as JSON on stdout too."""
    output = sys.modules.get("verify.face.figures.output")  # loaded only where a bar was shown
    if output is not None:
        output.close_progress_line()
    print(f"nc-verify: error: {message}", file=sys.stderr)
    if want_json:
        error = {"message": message, "parameter": parameter, "fix": fix}
        print(json.dumps({"schema": SCHEMA_VERSION, "error": error, "exit": EXIT_USER_ERROR}))
    return EXIT_USER_ERROR


def parse_args(argv: list[str] | None):
    """Options anywhere on the line: ``eval ID --dps 40 K=4`` as well as ``eval ID K=4 --dps 40``."""
    ap = parser()
    args, extras = ap.parse_known_args(argv)
    where = "params" if hasattr(args, "params") else "ids" if args.command == "check" else None
    stray = [x for x in extras if x.startswith("-") or "=" not in x or where is None]
    if stray:
        ap.error(f"unrecognized arguments: {' '.join(stray)}")
    if extras:
        setattr(args, where, [*getattr(args, where), *extras])  # check ID name=value: that point only
    return args


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] in (["nets"], ["fuzz"]):  # everything after them (options included) belongs to their own parser
        import importlib

        module = "verify.nets.cli" if argv[0] == "nets" else "verify.campaigns.cli"
        return importlib.import_module(module).main(argv[1:])
    want_json = "--json" in argv
    try:
        args = parse_args(argv)  # argparse's own errors: usage and one line on stderr, SystemExit(2)
    except SystemExit as exc:
        if want_json and exc.code not in (0, None):  # --json: the error as JSON on stdout too
            print(json.dumps({"schema": SCHEMA_VERSION, "error": "invalid command line (see stderr)", "exit": 2}))
        raise
    try:
        registry.use_command_paths(getattr(args, "path", []))  # claims of the user's own (docs/authoring.md)
        if args.command == "list":
            return args.func(args)
        import numpy as np

        # float64 stages try far-out random starts where exp overflows; whether a solve succeeded is decided
        # by its residuals and reported in its status, so numpy's overflow warnings are noise on the terminal
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            return args.func(args)
    except InputError as exc:
        return _error(str(exc), exc.parameter, exc.fix, want_json)
    except BrokenPipeError:  # output piped into `head` and closed early: not an error of ours
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - suppress the flush error at interpreter exit
        return EXIT_OK
    except OSError as exc:  # a figure or result written to a full disk, a folder that went away: one line
        where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
        return _error(f"cannot write{where}: {exc.strerror or exc}", "--out", None, want_json)
    except KeyboardInterrupt:
        print("nc-verify: interrupted", file=sys.stderr)
        return 130
    finally:
        registry.use_command_paths([])  # --path holds for this command only (main() may run again in-process)


if __name__ == "__main__":
    sys.exit(main())
