"""The ``check`` command of :mod:`verify.face.cli`: claims at their pinned and drawn points, or one given point;
with ``--certify``/``--out DIR`` the proven enclosures and their certificate files (docs/certified.md)."""

from __future__ import annotations

import sys
import time

from verify.base.errors import InputError
from verify.engine import registry
from verify.face.cli_common import EXIT_FAILED, EXIT_INCONCLUSIVE, EXIT_OK, _assignments, _emit


def check_command(args) -> int:
    """``nc-verify check [ID...] [name=value...]``, with ``--certify`` and ``--out DIR`` (docs/certified.md)."""
    from verify.engine.checking import Verdict, check_claims
    from verify.engine.options import MAX_EXAMPLES, MAX_JOBS, available_cores, validate_count, validate_solve_options
    from verify.face import report_check
    from verify.face.report_certify import certificate_directory, write_certificates

    validate_count(
        "--examples", args.examples, 0, "0 checks the pinned examples only", MAX_EXAMPLES, "each is a full solve"
    )
    options = validate_solve_options(args.dps, args.starts, args.seed)
    point = [x for x in args.ids if "=" in x]
    if point:
        return _check_one_point(args, [x for x in args.ids if "=" not in x], point, options)
    claims = [registry.get(i) for i in args.ids] if args.ids else list(registry.everything().values())
    jobs = args.jobs if args.jobs is not None else available_cores()
    jobs = validate_count("--jobs", jobs, 1, "one process at least", MAX_JOBS, "more processes than points only wait")
    t0 = time.perf_counter()
    if not args.json:
        how = f"{jobs} processes" if jobs > 1 else "one process"
        why = "" if args.jobs is not None else f" (--jobs default: the {jobs} core(s) this process may use)"
        print(f"checking {', '.join(c.id for c in claims)} on {how}{why} ...", file=sys.stderr, flush=True)
    certify = args.certify or args.out is not None
    if args.out is not None:
        certificate_directory(args.out)  # refused before any solve
    results = check_claims(claims, examples=args.examples, seed=args.seed, options=options, jobs=jobs, certify=certify)
    seconds = time.perf_counter() - t0
    files = write_certificates(results, args.out) if args.out is not None else {}
    text = report_check.check_text(results, seconds)
    if files:
        text += f"\n\n{len(files)} certificate files in {args.out} (nc-verify recheck {args.out}/*.json)"
    _emit(args, report_check.check_json(results, seconds, files), text)
    if any(r.verdict is Verdict.FAILED for r in results):
        return EXIT_FAILED
    return EXIT_INCONCLUSIVE if any(r.verdict is Verdict.INCONCLUSIVE for r in results) else EXIT_OK


def _check_one_point(args, ids: list[str], point: list[str], options) -> int:
    """``check ID name=value ...``: that point only (what a fuzzing campaign prints to reproduce a finding)."""
    from verify.engine.checking import ClaimResult, Verdict, check_point
    from verify.face import report_check
    from verify.face.report_certify import certificate_directory, write_certificates

    if len(ids) != 1:
        raise InputError(
            f"a point ({' '.join(point)}) is checked for one claim, {len(ids)} given",
            parameter="ID",
            fix="give exactly one claim id before the name=value assignments",
        )
    claim = registry.get(ids[0])
    params = claim.parse(_assignments(point))
    if args.out is not None:
        certificate_directory(args.out)  # refused before any solve
    t0 = time.perf_counter()
    result = check_point(claim, params, options, origin="given", certify=args.certify or args.out is not None)
    seconds = time.perf_counter() - t0
    results = [ClaimResult(claim.id, result.verdict, (result,), seconds)]
    files = write_certificates(results, args.out) if args.out is not None else {}
    _emit(args, report_check.check_json(results, seconds, files), report_check.check_text(results, seconds))
    if result.verdict is Verdict.FAILED:
        return EXIT_FAILED
    return EXIT_INCONCLUSIVE if result.verdict is Verdict.INCONCLUSIVE else EXIT_OK
