"""Checks: a claim's closed form against its independent solve, point by point, with honest verdicts.

A point is ``verified`` when the solve converged (its own residual test) and every quantity agrees within
its tolerance; ``failed`` when the solve converged and some quantity disagrees (or is undefined where the
claim predicts a value); ``inconclusive`` when the solve did not converge, precision ran out, or the claim's own reference for an
implicitly defined quantity could not be computed (:class:`verify.record.Unavailable`). A claim is
``failed`` if any point failed, else ``inconclusive`` if any point was, else ``verified``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

import mpmath

from verify.engine.comparing import Comparison, compare, relative_error  # noqa: F401 (re-exported)
from verify.record import Claim, SolveOptions, SolveReport, Unavailable


class Verdict(StrEnum):
    """The outcome of comparing a closed form with an independent solve (docs/guide.md, "Verdicts").

    ``verified``: the solve converged by its own residual test and every quantity agrees within its tolerance;
    ``failed``: a converged solve disagrees (or measures undefined where a value is predicted);
    ``inconclusive``: the solve did not converge or precision ran out; nothing is concluded; ``certified``
    (``check --certify``): verified, and every quantity's closed form lies in a proven enclosure. A string enum:
    ``Verdict.VERIFIED == "verified"``."""

    CERTIFIED = "certified"  # every quantity enclosed rigorously (verify/engine/certifying.py, docs/certified.md)
    VERIFIED = "verified"
    FAILED = "failed"
    INCONCLUSIVE = "inconclusive"


@dataclass(frozen=True)
class PointResult:
    """One parameter point of a check: its verdict, every comparison, and the solve behind them."""

    claim_id: str
    params: Mapping[str, Fraction]
    origin: str  # "pinned: <note>" or "drawn"
    verdict: Verdict
    comparisons: tuple[Comparison, ...]
    solve: SolveReport
    seconds: float
    enclosure: object = None  # verify.certify.Enclosure under --certify (its certificate file), else None

    def worst(self) -> Comparison | None:
        """The comparison closest to (or furthest past) its tolerance."""
        if not self.comparisons:
            return None
        return max(self.comparisons, key=lambda c: mpmath.inf if c.rel_error is None else c.rel_error / c.tolerance)


@dataclass(frozen=True)
class ClaimResult:
    """A claim's check: the verdict over all points (failed if any failed, else inconclusive if any was, else
    verified) and the points; :meth:`worst` is the comparison closest to its tolerance."""

    claim_id: str
    verdict: Verdict
    points: tuple[PointResult, ...]
    seconds: float

    def worst(self) -> Comparison | None:
        comps = [p.worst() for p in self.points if p.worst() is not None]
        return max(comps, key=lambda c: mpmath.inf if c.rel_error is None else c.rel_error / c.tolerance, default=None)


def judge(report: SolveReport, comparisons: tuple[Comparison, ...]) -> Verdict:
    """An unconverged solve is inconclusive whatever it measured; a converged one is verified or failed."""
    if any(c.refuted for c in comparisons):  # a proof that a closed form is wrong needs no converged solve
        return Verdict.FAILED
    if not report.converged or any(isinstance(c.predicted, Unavailable) for c in comparisons):
        return Verdict.INCONCLUSIVE
    if not all(c.ok for c in comparisons):
        return Verdict.FAILED
    return Verdict.CERTIFIED if all(c.certified for c in comparisons) else Verdict.VERIFIED


def check_point(
    claim: Claim, values: Mapping[str, Fraction], options: SolveOptions, origin: str = "drawn", certify: bool = False
) -> PointResult:
    """One point: the independent solve, the comparisons and, with ``certify``, the claim's certificate."""
    t0 = time.perf_counter()
    report = claim.solver(values, options)
    comparisons = compare(claim, values, report)
    enclosure = None
    if certify:
        from verify.engine.certifying import certify_point

        comparisons, enclosure = certify_point(claim, values, report, comparisons)
    verdict = judge(report, comparisons)
    return PointResult(
        claim.id, dict(values), origin, verdict, comparisons, report, time.perf_counter() - t0, enclosure
    )


def drawn_points(claim: Claim, n: int, seed: int) -> list[dict[str, Fraction]]:
    """``n`` distinct parameter points drawn by the claim's Hypothesis strategy, reproducibly from ``seed``."""
    if n <= 0:
        return []
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hypothesis_seed

    points: list[dict[str, Fraction]] = []

    @hypothesis_seed(seed)
    @settings(
        max_examples=n,
        database=None,
        phases=[Phase.generate],
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(claim.strategy())
    def collect(values: dict[str, Fraction]) -> None:
        if values not in points:
            points.append(values)

    collect()
    return points[:n]


def check_claim(
    claim: Claim, *, examples: int = 4, seed: int = 0, options: SolveOptions | None = None, progress=None, certify=False
) -> ClaimResult:
    """Check ``claim``: its pinned examples plus ``examples`` points drawn (deterministically from ``seed``) by
    its Hypothesis strategy, each solved independently with ``options`` and compared quantity by quantity
    (:func:`check_point`); ``progress(done, total)`` is called after each point."""
    options = options or SolveOptions(seed=seed)
    t0 = time.perf_counter()
    todo = [(claim.parse(ex.params), f"pinned: {ex.note}") for ex in claim.examples]
    todo += [(claim.parse(v), "drawn") for v in drawn_points(claim, examples, seed)]
    results = []
    with single_threaded_blas():
        for values, origin in todo:
            results.append(check_point(claim, values, options, origin, certify))
            if progress is not None:
                progress(results[-1])
    return ClaimResult(claim.id, _claim_verdict(results), tuple(results), time.perf_counter() - t0)


def single_threaded_blas():
    """A context manager: BLAS/OpenMP pools at one thread inside the block (as
    :func:`verify.solvers.threads.single_threaded_blas`, which the engine does not import: it is below the
    solvers). Every check runs its solves inside it, serial or spread over processes, so a point's float stage
    sees the same BLAS whatever ``jobs``; and the tiny problems gain nothing from threads while OpenBLAS's spinning
    threads cost much (measured: fang2021.lemma3's whole check took 9.7 s of CPU with two BLAS threads and 1.2 s
    with one, on a loaded 2-core machine). scipy's own OpenBLAS is loaded first: threadpoolctl limits only the
    libraries loaded when the block is entered."""
    import scipy.linalg  # noqa: F401  (loads scipy's BLAS before the limit is applied)
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1)


# --- across processes ------------------------------------------------------------------------------------
def _worker_init() -> None:
    """A worker of :func:`check_claims`: single-threaded BLAS for its whole life (N workers on N cores must not
    each spin N BLAS threads, see :func:`single_threaded_blas`)."""
    single_threaded_blas()


def _check_registered_point(
    claim_id: str, values: Mapping[str, Fraction], options: SolveOptions, origin: str, certify: bool = False
) -> PointResult:
    """One point in a worker: the claim is looked up by id (claims hold closures and are not pickled). numpy's
    floating-point warnings are silenced as the CLI silences them (they never change a value or a verdict)."""
    import numpy as np

    from verify.engine import registry

    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        return check_point(registry.get(claim_id), values, options, origin, certify)


def _claim_verdict(results: list[PointResult]) -> Verdict:
    verdicts = {r.verdict for r in results}
    if Verdict.FAILED in verdicts:
        return Verdict.FAILED
    if Verdict.INCONCLUSIVE in verdicts or not results:
        return Verdict.INCONCLUSIVE
    return Verdict.CERTIFIED if verdicts == {Verdict.CERTIFIED} else Verdict.VERIFIED


def check_claims(
    claims: list[Claim],
    *,
    examples: int = 4,
    seed: int = 0,
    options: SolveOptions | None = None,
    jobs: int = 1,
    progress=None,
    certify: bool = False,
) -> list[ClaimResult]:
    """:func:`check_claim` for each claim, the points spread over ``jobs`` processes (spawned, so safe on every
    platform). The points (pinned, then drawn from ``seed`` in this process) and each point's solve (seeded by
    ``options.seed``, independent of which worker runs it or when) are the same for every ``jobs``, so verdicts
    and errors are identical; only the order in which ``progress`` sees points may differ. A claim's
    ``seconds`` is then the sum of its points' solve times (CPU time spent on it, not wall time). Claims not in
    the registry (built by a user, e.g. ``thm4.claim_for``) cannot be looked up by a worker and are checked
    here, serially. ``jobs`` defaults to 1 here (serial, no process started); the command line's default is
    :func:`verify.engine.options.usable_cores`."""
    if jobs <= 1:
        return [
            check_claim(c, examples=examples, seed=seed, options=options, progress=progress, certify=certify)
            for c in claims
        ]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    from verify.engine import registry

    options = options or SolveOptions(seed=seed)
    registered = registry.catalogue()
    todo: list[tuple[int, Mapping[str, Fraction], str]] = []
    for i, claim in enumerate(claims):
        todo += [(i, claim.parse(ex.params), f"pinned: {ex.note}") for ex in claim.examples]
        todo += [(i, claim.parse(v), "drawn") for v in drawn_points(claim, examples, seed)]
    per_claim: list[list[PointResult | None]] = [[] for _ in claims]
    slots = []
    for i, _values, _origin in todo:
        slots.append((i, len(per_claim[i])))
        per_claim[i].append(None)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_worker_init) as pool:
        futures = {}
        for k, (i, values, origin) in enumerate(todo):
            claim = claims[i]
            if registered.get(claim.id) is claim:
                futures[pool.submit(_check_registered_point, claim.id, values, options, origin, certify)] = k
            else:
                i_, j_ = slots[k]
                with single_threaded_blas():
                    per_claim[i_][j_] = check_point(claim, values, options, origin, certify)
                if progress is not None:
                    progress(per_claim[i_][j_])
        for future in as_completed(futures):
            i_, j_ = slots[futures[future]]
            per_claim[i_][j_] = future.result()
            if progress is not None:
                progress(per_claim[i_][j_])
    out = []
    for claim, results in zip(claims, per_claim, strict=True):
        done = [r for r in results if r is not None]
        out.append(ClaimResult(claim.id, _claim_verdict(done), tuple(done), sum(r.seconds for r in done)))
    return out
