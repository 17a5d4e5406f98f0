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
    """fang2021.thm1 (5 pinned + 1 drawn point) and fang2021.thm3 (pinned + 1 drawn) checked serially and over
    two spawned processes: identical points, verdicts and relative errors (bit for bit: the same seeded
    computation with single-threaded BLAS, whichever process runs it)."""
    claims = [get("fang2021.thm1"), get("fang2021.thm3")]
    options = SolveOptions(dps=25, seed=0)
    serial = check_claims(claims, examples=1, seed=0, options=options, jobs=1)
    parallel = check_claims(claims, examples=1, seed=0, options=options, jobs=2)
    assert _fingerprint(serial) == _fingerprint(parallel)
    assert [r.worst().rel_error for r in serial] == [r.worst().rel_error for r in parallel]
