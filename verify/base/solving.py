"""How a solve runs and what it reports (:class:`SolveOptions`, :class:`SolveReport`).

Below the record: a solver returns a :class:`SolveReport` without knowing which claim asked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from verify.base.values import Measured


@dataclass(frozen=True)
class SolveOptions:
    """How a solve runs: working precision ``dps`` (decimal digits), ``n_starts`` seeded random starts, and how
    many starts must reach the best value to corroborate global minimality (``min_agreeing``). Validated
    values: :func:`verify.engine.options.validate_solve_options`."""

    dps: int = 30
    n_starts: int = 8
    seed: int = 0
    min_agreeing: int = 2  # starts that must reach the best value to corroborate global minimality


@dataclass(frozen=True)
class SolveReport:
    """What an independent solve measured: the claim's quantities, residuals and a status.

    ``converged`` is the solver's own test (residuals below their targets *and* global minimality corroborated
    by agreeing starts or a certificate); ``message`` says why in words. ``quantities[name]`` holds every
    measured instance (all pairs, all classes) at the refined point, ``float_quantities`` the same at the
    float64 point before refinement (information only). ``details`` carries solver findings for reports
    (``starts``, ``starts_at_best``, ``locally_converged``, ``local_minima``)."""

    converged: bool
    message: str
    quantities: Mapping[str, Measured]  # at the refined point, working precision ``dps``
    float_quantities: Mapping[str, Measured]  # at the float64 multistart point, before refinement
    residuals: Mapping[str, float]
    dps: int
    seconds: float
    details: Mapping[str, Any] = field(default_factory=dict)
    point: Any = None  # the refined minimiser (mpf object array, in the model's packing), for further checks
