"""A fuzzing campaign: tasks planned per claim, spread over an executor, within a budget, into one report.

Planning is deterministic: claim ``c``'s task ``i`` has the Hypothesis seed ``task_seed(seed, c, i)`` and draws
``batch`` points, and tasks are handed out round-robin over the claims. With ``examples`` (points per claim)
the campaign is a fixed set of tasks, so the same seed and options give the same points and verdicts on any
number of workers (results are ordered by claim and task, not by arrival). With ``budget`` (seconds) tasks
are handed out until the time is spent; a task running at the deadline stops starting solves and returns
what it has (its shrinking stops at the simplest point reached).
"""

from __future__ import annotations

import math
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from verify.base.solving import SolveOptions
from verify.campaigns.tasks import KINDS, CounterExample, TaskResult, TaskSpec, run_task, task_seed

SCHEMA = 1  # the version of the JSON format (docs/schemas.md)


@dataclass(frozen=True)
class Plan:
    """What to fuzz and how long: ``examples`` points per claim and/or ``budget`` seconds (one at least)."""

    claim_ids: tuple[str, ...]
    options: SolveOptions
    seed: int = 0
    batch: int = 4  # points a task draws (before shrinking)
    examples: int | None = None
    budget: float | None = None
    paths: tuple[str, ...] = ()


@dataclass
class ClaimTally:
    claim_id: str
    tasks: int = 0
    verdicts: Counter = field(default_factory=Counter)
    counterexamples: list[CounterExample] = field(default_factory=list)

    @property
    def points(self) -> int:
        return sum(self.verdicts.values())


@dataclass(frozen=True)
class Report:
    plan: Plan
    executor: str
    seconds: float
    tallies: tuple[ClaimTally, ...]
    results: tuple[TaskResult, ...]  # ordered by claim, then task index
    notes: tuple[str, ...]
    stopped_by_budget: bool

    @property
    def counterexamples(self) -> list[CounterExample]:
        return [c for t in self.tallies for c in t.counterexamples]

    @property
    def verdict(self) -> str:
        kinds = {c.kind for c in self.counterexamples}
        if "failed" in kinds:
            return "failed"
        if kinds or not any(t.points for t in self.tallies):
            return "inconclusive"
        return "verified"


def _tasks_per_claim(plan: Plan) -> int | None:
    return None if plan.examples is None else math.ceil(plan.examples / plan.batch)


def run(
    plan: Plan,
    executor,
    store=None,
    progress: Callable[[dict], None] | None = None,
    start_index: dict[str, int] | None = None,
) -> Report:
    """Run ``plan`` on ``executor`` (:mod:`verify.campaigns.executors`), reading and updating ``store``
    (:class:`verify.campaigns.database.CampaignStore`, or None for no memory between runs)."""
    t0 = time.time()
    deadline = t0 + plan.budget if plan.budget is not None else math.inf
    per_claim = _tasks_per_claim(plan)
    first = {c: (start_index or {}).get(c, store.next_task(c, plan.seed) if store else 0) for c in plan.claim_ids}
    next_index = dict(first)
    in_flight_max = 2 * max(getattr(executor, "workers", 1), 1)
    tallies = {c: ClaimTally(c) for c in plan.claim_ids}
    results: list[TaskResult] = []
    handles: list[tuple[object, TaskSpec]] = []  # (executor's handle, its task), in submission order
    notes: list[str] = []
    turn = 0

    def next_spec() -> TaskSpec | None:
        nonlocal turn
        for _ in range(len(plan.claim_ids)):
            claim_id = plan.claim_ids[turn % len(plan.claim_ids)]
            turn += 1
            if per_claim is not None and next_index[claim_id] - first[claim_id] >= per_claim:
                continue
            i = next_index[claim_id]
            next_index[claim_id] += 1
            remaining = None if plan.examples is None else plan.examples - (i - first[claim_id]) * plan.batch
            return TaskSpec(
                claim_id,
                i,
                task_seed(plan.seed, claim_id, i),
                plan.batch if remaining is None else min(plan.batch, remaining),
                plan.options,
                deadline,
                plan.paths,
                store.snapshot(claim_id) if store else {},
            )
        return None

    run_token = uuid.uuid4().hex[:12]
    exhausted = False
    while True:
        while not exhausted and len(handles) < in_flight_max and time.time() < deadline:
            spec = next_spec()
            if spec is None:
                exhausted = True
                break
            key = f"fuzz-{spec.claim_id}-{spec.seed}-{run_token}"  # per run: Dask must not return a held result
            handles.append((executor.submit(run_task, spec, key), spec))
        if not handles:
            break
        done, _ = executor.wait_any([h for h, _ in handles], timeout=1.0)
        finished = [(h, spec) for h, spec in handles if any(h is d for d in done)]
        handles = [(h, spec) for h, spec in handles if not any(h is d for d in done)]
        for h, spec in finished:
            result: TaskResult = executor.result(h)
            results.append(result)
            tally = tallies[spec.claim_id]
            tally.tasks += 1
            tally.verdicts.update(p.verdict for p in result.points)
            for c in result.counterexamples:
                if all((c.kind, c.params) != (k.kind, k.params) for k in tally.counterexamples):
                    tally.counterexamples.append(c)
            if result.note:
                notes.append(f"{spec.claim_id} task {spec.index}: {result.note}")
            if store is not None:
                store.apply(spec.claim_id, result.saved, result.deleted)
        if progress is not None:
            progress(_progress(tallies, deadline, len(handles)))
    order = {c: k for k, c in enumerate(plan.claim_ids)}
    results.sort(key=lambda r: (order[r.claim_id], r.index))
    for tally in tallies.values():
        tally.counterexamples.sort(key=lambda c: (KINDS.index(c.kind), sorted(c.params.items())))
    if store is not None:
        for c in plan.claim_ids:
            store.record(c, plan.seed, next_index[c], [counterexample_json(k) for k in tallies[c].counterexamples])
    return Report(
        plan,
        getattr(executor, "describe", lambda: "serial")(),
        time.time() - t0,
        tuple(tallies[c] for c in plan.claim_ids),
        tuple(results),
        tuple(notes),
        any(r.stopped_by_deadline for r in results) or (plan.budget is not None and time.time() >= deadline),
    )


def _progress(tallies: dict, deadline: float, in_flight: int) -> dict:
    points = sum(t.points for t in tallies.values())
    found = Counter(c.kind for t in tallies.values() for c in t.counterexamples)
    left = None if deadline == math.inf else max(0.0, deadline - time.time())
    return {
        "points": points,
        "per_claim": {c: t.points for c, t in tallies.items()},
        "failed": found["failed"],
        "inconclusive": found["inconclusive"] + found["error"],
        "in_flight": in_flight,
        "seconds_left": left,
    }


def counterexample_json(c: CounterExample) -> dict:
    return {"claim": c.claim_id, "kind": c.kind, "params": dict(c.params), "detail": c.detail, "command": c.command}


def report_json(report: Report) -> dict:
    p = report.plan
    return {
        "schema": SCHEMA,
        "verdict": report.verdict,
        "executor": report.executor,
        "seed": p.seed,
        "batch": p.batch,
        "examples": p.examples,
        "budget_seconds": p.budget,
        "seconds": round(report.seconds, 3),
        "stopped_by_budget": report.stopped_by_budget,
        "options": {"dps": p.options.dps, "starts": p.options.n_starts, "seed": p.options.seed},
        "claims": [
            {
                "id": t.claim_id,
                "tasks": t.tasks,
                "points": t.points,
                "verdicts": {k: t.verdicts.get(k, 0) for k in ("verified", "failed", "inconclusive", "error")},
                "counterexamples": [counterexample_json(c) for c in t.counterexamples],
            }
            for t in report.tallies
        ],
        "notes": list(report.notes),
    }


def report_text(report: Report) -> str:
    lines = [
        f"fuzz: {sum(t.points for t in report.tallies)} points in {report.seconds:.1f} s on {report.executor}"
        + (" (budget spent)" if report.stopped_by_budget else ""),
    ]
    width = max((len(t.claim_id) for t in report.tallies), default=10)
    for t in report.tallies:
        v = t.verdicts
        lines.append(
            f"  {t.claim_id:<{width}}  {t.points:>5} points  {v.get('verified', 0):>5} verified  "
            f"{v.get('failed', 0):>3} failed  {v.get('inconclusive', 0) + v.get('error', 0):>3} inconclusive"
        )
    for c in report.counterexamples:
        point = " ".join(f"{k}={v}" for k, v in c.params.items())
        lines.append(f"{c.kind} (shrunk): {c.claim_id} at {point}: {c.detail}")
        lines.append(f"  reproduce: {c.command}")
    lines += [f"note: {n}" for n in report.notes]
    lines.append(f"campaign {report.verdict}")
    return "\n".join(lines)
