"""``check --jobs N``: the points of a check spread over processes give the same verdicts and errors."""

from __future__ import annotations

from verify.engine.checking import check_claims
from verify.engine.registry import get
from verify.record import SolveOptions


def _fingerprint(results):
    """Everything a verdict rests on, point by point: parameters, origin, verdict, every relative error."""
    return [
        (
            r.claim_id,
            r.verdict,
            [
                (dict(p.params), p.origin, p.verdict, [(c.name, c.rel_error, c.float_rel_error) for c in p.comparisons])
                for p in r.points
            ],
        )
        for r in results
    ]


def test_jobs_give_identical_verdicts_and_errors():
    """fang2021.thm1 (5 pinned + 1 drawn point), fang2021.thm3 and fang2021.lemma3 (pinned + 1 drawn; its float
    stage is L-BFGS-B, whose BLAS ran multi-threaded in a serial check before every check took one thread)
    checked serially and over two spawned processes: identical points, verdicts and relative errors (bit for
    bit: the same seeded computation with single-threaded BLAS, whichever process runs it)."""
    claims = [get("fang2021.thm1"), get("fang2021.thm3"), get("fang2021.lemma3")]
    options = SolveOptions(dps=25, seed=0)
    serial = check_claims(claims, examples=1, seed=0, options=options, jobs=1)
    parallel = check_claims(claims, examples=1, seed=0, options=options, jobs=2)
    assert _fingerprint(serial) == _fingerprint(parallel)
    assert [r.worst().rel_error for r in serial] == [r.worst().rel_error for r in parallel]


def test_check_uses_the_usable_cores_by_default():
    """``check`` without ``--jobs`` runs on the cores this process may use (at least 1, at most MAX_JOBS); the
    help says so with the number."""
    from verify.engine.options import MAX_JOBS, usable_cores
    from verify.face.cli import parser

    assert parser().parse_args(["check"]).jobs is None  # resolved to usable_cores() by cmd_check
    assert 1 <= usable_cores() <= MAX_JOBS
    check = parser()._subparsers._group_actions[0].choices["check"]
    assert f"here {usable_cores()}" in " ".join(check.format_help().split())
