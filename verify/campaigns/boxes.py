"""Box certification spread over workers: the branch and bound of :mod:`verify.certify.box`, cut into subtrees.

The client expands the root box breadth-first (deciding each box it meets, exactly as the serial run would)
until there are enough undecided boxes to keep the workers busy; each of those boxes is then one task, run on
a worker by :func:`verify.certify.box.run` with the same limits and precision, and the parts are merged by
:func:`verify.certify.box.merge`. :func:`~verify.certify.box.decide` and :func:`~verify.certify.box.split`
depend on the box alone and ``max_depth`` counts from the root (``Box.depth``), so the proven region, the
undecided boxes and the counter-examples are identical to the serial run's whenever the serial run is not
stopped by ``max_boxes`` or a time limit (each subtree gets the whole ``max_boxes``: a subtree never examines
more boxes than the serial run does). The total of boxes examined is the same too: every box is decided once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from verify.certify.box import Box, BoxResult, Limits, decide, merge, run, split


@dataclass(frozen=True)
class BoxTask:
    """One subtree: the claim and inequality by name (looked up on the worker), the box, limits, precision."""

    claim_id: str
    inequality: str
    box: Box
    limits: Limits
    dps: int
    paths: tuple[str, ...] = ()


def _inequality(claim_id: str, name: str, paths=()):
    from verify.certify.margins import SympyMargin
    from verify.engine import registry

    if paths:
        registry.use_command_paths(list(paths))
    claim = registry.get(claim_id)
    ineq = next(q for q in claim.inequalities if q.name == name)
    return SympyMargin(ineq.margin, ineq.strict)


def run_box_task(task: BoxTask) -> BoxResult:
    """A subtree on a worker (pure given the task)."""
    return run(_inequality(task.claim_id, task.inequality, task.paths), task.box, task.limits, task.dps)


def distributed_run(
    claim_id: str, inequality: str, box: Box, limits: Limits, dps: int, executor, paths=(), per_worker: int = 4
) -> BoxResult:
    """:func:`verify.certify.box.run` over ``box`` with the subtrees on ``executor``
    (:mod:`verify.campaigns.executors`); the same result as the serial run (module docstring)."""
    margin = _inequality(claim_id, inequality, paths)
    target = per_worker * max(getattr(executor, "workers", 1), 1)
    queue, decided = [box], []
    examined = 0
    while queue and len(queue) < target:
        current = queue.pop(0)
        examined += 1
        decision, detail = decide(margin, current, dps)
        if decision == "split":
            halves = split(current) if current.depth < limits.max_depth else None
            if halves is not None:
                queue.extend(halves)
                continue
        decided.append(BoxResult(current, *_leaf(current, decision, detail), examined=0))
    run_token = uuid.uuid4().hex[:12]  # per run: Dask must not return a result it still holds
    handles = [
        (
            executor.submit(
                run_box_task, BoxTask(claim_id, inequality, b, limits, dps, tuple(paths)), f"box-{b.key()}-{run_token}"
            ),
            b,
        )
        for b in queue
    ]
    parts = list(decided)
    pending = [h for h, _ in handles]
    while pending:
        done, pending = executor.wait_any(pending, timeout=1.0)
        parts += [executor.result(h) for h in done]
    result = merge(box, parts)
    from dataclasses import replace

    return replace(result, examined=result.examined + examined)


def _leaf(current: Box, decision: str, detail) -> tuple:
    """(proven, undecided, counterexamples) for one box the client decided itself."""
    from verify.certify.box import Counterexample
    from verify.certify.intervals import ball_ends

    if decision == "proven":
        return (current,), (), ()
    if decision == "counterexample":
        point, at = detail
        return (), (), (Counterexample(current, point, ball_ends(at, 6)),)
    return (), (current,), ()
