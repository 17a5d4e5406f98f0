"""The ``nc-verify`` command line: list, show, eval, solve, check, errata, explore, plot.

A user mistake (unknown id or parameter, a value outside a hypothesis, a non-number) prints one line
naming the parameter and the violated hypothesis, and exits with status 2.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np

from verify import registry, report
from verify.checking import Verdict, check_claims
from verify.claim import SolveOptions
from verify.errors import InputError


def _assignments(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise InputError(f"argument {item!r} is not of the form name=value", parameter=item, fix="e.g. K=3")
        out[name.strip()] = value
    return out


def _jsonable(x):
    """numpy scalars and arrays, mpmath numbers and fractions in solver details become JSON values."""
    if hasattr(x, "tolist"):
        return x.tolist()
    if isinstance(x, float | int | str):
        return x
    return str(x)


def _emit(args, data: dict, text: str) -> None:
    print(json.dumps(data, indent=2, default=_jsonable) if args.json else text)


def cmd_list(args) -> int:
    claims = registry.catalogue().values()
    data = [{"id": c.id, "title": c.title, "where": c.source.where} for c in claims]
    _emit(args, {"schema": report.SCHEMA_VERSION, "claims": data}, "\n".join(f"{c.id:<22} {c.title}" for c in claims))
    return 0


def cmd_show(args) -> int:
    claim = registry.get(args.id)
    _emit(args, report.claim_json(claim), report.claim_text(claim))
    return 0


def _dps(value: int) -> int:
    if value < 20:
        raise InputError(
            f"--dps {value} is below 20",
            parameter="--dps",
            fix="use --dps 20 or more (tolerances keep up to 10 guard digits)",
        )
    return value


def cmd_eval(args) -> int:
    claim = registry.get(args.id)
    params = claim.parse(_assignments(args.params))
    dps = _dps(args.dps)
    values = claim.evaluate(params, dps)
    _emit(args, report.eval_json(claim, params, values, dps), report.eval_text(claim, params, values, dps))
    return 0


def cmd_solve(args) -> int:
    claim = registry.get(args.id)
    params = claim.parse(_assignments(args.params))
    rep = claim.solver(params, SolveOptions(dps=_dps(args.dps), n_starts=args.starts, seed=args.seed))
    _emit(args, report.solve_json(claim, params, rep), report.solve_text(claim, params, rep))
    return 0


def cmd_check(args) -> int:
    claims = [registry.get(i) for i in args.ids] if args.ids else list(registry.catalogue().values())
    if args.examples < 0:
        raise InputError(f"--examples {args.examples} is negative", parameter="--examples", fix="use 0 or more")
    options = SolveOptions(dps=_dps(args.dps), n_starts=args.starts, seed=args.seed)
    if args.jobs < 1:
        raise InputError(f"--jobs {args.jobs} is below 1", parameter="--jobs", fix="use --jobs 1 or more")
    t0 = time.perf_counter()
    if not args.json:
        print(f"checking {', '.join(c.id for c in claims)} ...", file=sys.stderr, flush=True)
    results = check_claims(claims, examples=args.examples, seed=args.seed, options=options, jobs=args.jobs)
    seconds = time.perf_counter() - t0
    _emit(args, report.check_json(results, seconds), report.check_text(results, seconds))
    return 1 if any(r.verdict is Verdict.FAILED for r in results) else 0


def cmd_errata(args) -> int:
    items = [report.erratum_json(e) for c in registry.catalogue().values() for e in c.errata]
    _emit(args, {"schema": report.SCHEMA_VERSION, "errata": items}, report.errata_text(items))
    return 0


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="nc-verify", description="Executable, checked claims of neural-collapse theory.")
    sub = ap.add_subparsers(dest="command", required=True)

    def add(name: str, func, help_: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_)
        p.add_argument("--json", action="store_true", help="machine-readable output (docs/schemas.md)")
        p.set_defaults(func=func)
        return p

    add("list", cmd_list, "list the claims")
    add("show", cmd_show, "show one claim: statement, source, hypotheses, quantities, tolerances").add_argument("id")
    for name, func, help_ in (
        ("eval", cmd_eval, "evaluate the closed form"),
        ("solve", cmd_solve, "run the independent solve"),
    ):
        p = add(name, func, help_)
        p.add_argument("id")
        p.add_argument("params", nargs="*", metavar="name=value")
        p.add_argument("--dps", type=int, default=30, help="working precision in decimal digits (default 30)")
        if name == "solve":
            p.add_argument("--starts", type=int, default=8, help="random starts (default 8)")
            p.add_argument("--seed", type=int, default=0)
    p = add("check", cmd_check, "closed form against independent solve, pinned + drawn points")
    p.add_argument("ids", nargs="*", metavar="ID")
    p.add_argument("--examples", type=int, default=4, help="Hypothesis-drawn points per claim (default 4)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--dps", type=int, default=30)
    p.add_argument("--starts", type=int, default=8)
    p.add_argument("--jobs", type=int, default=1, help="processes to spread the points over (same verdicts)")
    add("errata", cmd_errata, "recorded disagreements with the papers, with computed evidence")
    p = sub.add_parser("plot", help="Figure 3 (fang2021.thm5): average minority cosine vs R, PNG or SVG")
    p.set_defaults(func=cmd_plot)
    p.add_argument("id")
    p.add_argument("params", nargs="*", metavar="name=value", help="K_A, K_B, E_H, E_W")
    p.add_argument("--r-min", type=float, default=1.0)
    p.add_argument("--r-max", type=float, default=1e4)
    p.add_argument("--points", type=int, default=60)
    p.add_argument("--out", action="append", required=True, help="FILE.png or FILE.svg (repeat for both)")
    p = add("explore", cmd_explore, "searches beyond the theorems (labelled exploration / conjecture, no verdict)")
    p.add_argument("ids", nargs="*", metavar="ID")
    return ap


def cmd_explore(args) -> int:
    claims = [registry.get(i) for i in args.ids] if args.ids else list(registry.catalogue().values())
    items = [report.exploration_json(e, e.run()) for c in claims for e in c.explorations]
    _emit(args, {"schema": report.SCHEMA_VERSION, "explorations": items}, report.explorations_text(items))
    return 0


def cmd_plot(args) -> int:
    """Figure 3 of Fang et al. 2021 for one setting: average minority cosine vs R (fang2021.thm5 only)."""
    from verify import plot

    claim = registry.get(args.id)
    if claim.id != "fang2021.thm5":
        raise InputError(f"no plot for {claim.id}", parameter="ID", fix="plot supports fang2021.thm5 (Figure 3)")
    params = claim.parse({**_assignments(args.params), "R": "1"})
    plot.check_outputs(args.out)
    if args.points < 2:
        raise InputError(f"--points {args.points}", parameter="--points", fix="use at least 2 points")
    curve = plot.minority_curve(
        int(params["K_A"]),
        int(params["K_B"]),
        params["E_H"],
        params["E_W"],
        r_min=args.r_min,
        r_max=args.r_max,
        points=args.points,
        progress=plot.progress_bar(f"{claim.id} K_A={params['K_A']}"),
    )
    plot.plot_curve(curve, args.out)
    r0 = "none (K_B = 1)" if curve.R0 is None else f"{curve.R0:.15g}"
    r1 = "none" if curve.R1 is None else f"{curve.R1:.15g}"
    uncertified = sum(not c for c in curve.certified)
    done = len(curve.ratios) - uncertified
    print(f"wrote {', '.join(args.out)}: R0 = {r0}, R1 = {r1}, {done} of {len(curve.ratios)} points certified")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        # float64 stages try far-out random starts where exp overflows; whether a solve succeeded is decided
        # by its residuals and reported in its status, so numpy's overflow warnings are noise on the terminal
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            return args.func(args)
    except InputError as exc:
        print(f"nc-verify: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head` and closed early: not an error of ours
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - suppress the flush error at interpreter exit
        return 0


if __name__ == "__main__":
    sys.exit(main())
