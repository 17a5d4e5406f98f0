"""One task of a fuzzing campaign: a claim, a seed, a batch of points, searched and shrunk by Hypothesis.

A task is pure given its :class:`TaskSpec` (the claim id, the Hypothesis seed, the solve options and the
database entries it starts from), so a task lost with its worker is simply run again elsewhere and gives the
same :class:`TaskResult`. It runs on the worker: the claim is looked up there by id (claims hold closures and
are not shipped), every point is checked by :func:`verify.engine.checking.check_point` (the claim's
independent solve against its closed form), and a point that comes back ``failed``, ``inconclusive`` or
raises is a Hypothesis failure, which Hypothesis then shrinks to the simplest point that still fails the same
way (distinct kinds are shrunk separately: ``report_multiple_bugs``).

Time: a task has a deadline. Past it, no new solve starts: a point already checked returns its recorded
outcome and a new one passes, so the shrinker stops at the simplest point reached so far and its final
replay is consistent (no Flaky).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction

from verify.base.solving import SolveOptions

KINDS = ("failed", "inconclusive", "error")  # what a counter-example can be, in order of severity


@dataclass(frozen=True)
class TaskSpec:
    """What a worker needs to run one task; picklable, small."""

    claim_id: str
    index: int  # the task's place in its claim's sequence (0, 1, 2, ...): with the seed, fixes its points
    seed: int  # the Hypothesis seed, derived from (campaign seed, claim id, index) by :func:`task_seed`
    examples: int  # points to draw (Hypothesis ``max_examples``)
    options: SolveOptions
    deadline: float  # wall-clock time (time.time()) after which no new solve starts
    paths: tuple[str, ...] = ()  # --path directories of user claims, loaded on the worker
    database: Mapping[bytes, tuple[bytes, ...]] = field(default_factory=dict)  # entries to start from


@dataclass(frozen=True)
class Point:
    """One checked point: its parameters (exact decimal/fraction strings), verdict and the worst error."""

    params: Mapping[str, str]
    verdict: str
    detail: str  # the worst comparison ("name: error e / tolerance t"), the solve's message, or the exception


@dataclass(frozen=True)
class CounterExample:
    """A point that failed, was inconclusive, or raised, shrunk by Hypothesis to the simplest such point."""

    claim_id: str
    kind: str  # one of KINDS
    params: Mapping[str, str]
    detail: str  # the worst comparison, the solve's message, or the exception's one line
    command: str  # the exact command that reproduces it


@dataclass(frozen=True)
class TaskResult:
    claim_id: str
    index: int
    points: tuple[Point, ...]  # every point checked, in the order checked (generation, then shrinking)
    counterexamples: tuple[CounterExample, ...]
    saved: tuple[tuple[bytes, bytes], ...]  # database entries Hypothesis saved (key, value)
    deleted: tuple[tuple[bytes, bytes], ...]
    seconds: float
    stopped_by_deadline: bool
    note: str = ""  # Unsatisfiable, Flaky or an unexpected error of the search itself, in one line


def task_seed(campaign_seed: int, claim_id: str, index: int) -> int:
    """A stable 64-bit seed for task ``index`` of ``claim_id`` (Python's ``hash`` is salted per process)."""
    digest = hashlib.sha256(f"{campaign_seed}:{claim_id}:{index}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def fraction_text(x) -> str:
    """An exact, copy-pasteable value: ``3``, ``1/2``, ``-7/3`` (what ``name=value`` parses back)."""
    q = Fraction(x)
    return str(q.numerator) if q.denominator == 1 else f"{q.numerator}/{q.denominator}"


def params_text(values: Mapping) -> dict[str, str]:
    out = {}
    for name, v in values.items():
        if isinstance(v, list | tuple):
            out[name] = ",".join(fraction_text(x) for x in v)
        else:
            out[name] = fraction_text(v)
    return out


def reproduce_command(claim_id: str, params: Mapping[str, str], options: SolveOptions, paths=()) -> str:
    """``nc-verify check ID name=value ...`` checks exactly that point with the campaign's solve options."""
    where = "".join(f" --path {p}" for p in paths)
    point = " ".join(f"{k}={v}" for k, v in params.items())
    return (
        f"nc-verify{where} check {claim_id} {point} --dps {options.dps} --starts {options.n_starts} "
        f"--seed {options.seed}"
    ).replace("  ", " ")


class _Found(AssertionError):
    """Raised inside the Hypothesis test for a point that is a counter-example (one subclass per kind, so
    Hypothesis shrinks each kind separately)."""

    kind = "failed"

    def __init__(self, params: Mapping[str, str], detail: str):
        super().__init__(f"{self.kind} at {params}: {detail}")
        self.params, self.detail = dict(params), detail


class _Failed(_Found):
    kind = "failed"


class _Inconclusive(_Found):
    kind = "inconclusive"


class _Errored(_Found):
    kind = "error"


_RAISE = {"failed": _Failed, "inconclusive": _Inconclusive, "error": _Errored}


def _worst_text(point) -> str | None:
    c = point.worst()
    if c is None:
        return None
    err = "undefined" if c.rel_error is None else f"{float(c.rel_error):.3g}"
    return f"{c.name}: error {err} / tolerance {float(c.tolerance):.3g}"


def run_task(spec: TaskSpec) -> TaskResult:
    """Run one task (on a worker). Never raises for what it finds: everything is in the result."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hypothesis_seed
    from hypothesis.errors import Flaky, Unsatisfiable

    from verify.campaigns.database import SnapshotDatabase
    from verify.engine import registry
    from verify.engine.checking import check_point, single_threaded_blas

    t0 = time.time()
    registry.use_command_paths(list(spec.paths))
    claim = registry.get(spec.claim_id)
    database = SnapshotDatabase(spec.claim_id, spec.database)
    points: list[Point] = []
    outcomes: dict[tuple, tuple[str, str]] = {}  # point -> (kind or "verified", detail)
    stopped = False

    def probe(raw: dict) -> None:
        nonlocal stopped
        values = claim.parse(raw)
        params = params_text(values)
        key = tuple(sorted(params.items()))
        if key not in outcomes:
            if time.time() >= spec.deadline:
                stopped = True
                return  # past the deadline no new solve starts: an unknown point passes
            import numpy as np

            try:
                with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
                    result = check_point(claim, values, spec.options)
                verdict, detail = str(result.verdict), _worst_text(result) or result.solve.message
            except Exception as exc:  # noqa: BLE001 - a breakdown of the toolkit at this point is a finding
                verdict, detail = "error", f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
            outcomes[key] = (verdict, detail)
            points.append(Point(params, verdict, detail))
        verdict, detail = outcomes[key]
        if verdict in _RAISE:
            raise _RAISE[verdict](params, detail)

    # the seed first, the settings over it: @seed alone turns the example database off
    test = settings(
        max_examples=spec.examples,
        database=database,
        derandomize=False,  # explicit: the `ci` profile (loaded when CI is set) must not turn the search off
        deadline=None,
        phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
        report_multiple_bugs=True,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )(hypothesis_seed(spec.seed)(given(claim.strategy())(probe)))

    found: list[_Found] = []
    note = ""
    with single_threaded_blas():  # one BLAS thread per task (N workers on N cores), as every check
        try:
            test()
        except _Found as exc:
            found.append(exc)
        except Flaky as exc:  # before the group: FlakyFailure is an exception group too
            note = f"Flaky: {exc}".splitlines()[0][:300]
        except BaseExceptionGroup as group:
            leaves = list(group.exceptions)
            found += [e for e in leaves if isinstance(e, _Found)]
            others = [e for e in leaves if not isinstance(e, _Found)]
            if others:
                note = f"{type(others[0]).__name__}: {others[0]}".splitlines()[0][:300]
        except Unsatisfiable:
            note = "Unsatisfiable: the claim's strategy drew no valid point"
        except Exception as exc:  # noqa: BLE001 - reported, not raised: a worker must not lose its results
            note = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
    counterexamples = tuple(
        CounterExample(
            spec.claim_id,
            f.kind,
            f.params,
            f.detail,
            reproduce_command(spec.claim_id, f.params, spec.options, spec.paths),
        )
        for f in sorted(found, key=lambda f: KINDS.index(f.kind))
    )
    return TaskResult(
        spec.claim_id,
        spec.index,
        tuple(points),
        counterexamples,
        tuple(database.saved),
        tuple(database.deleted),
        time.time() - t0,
        stopped,
        note,
    )
