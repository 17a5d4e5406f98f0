"""The contract between a model and a solver: a smooth problem  min f(x)  s.t.  g(x) <= 0."""

from __future__ import annotations

from typing import Protocol

import numpy as np

from verify.models.arith import Arithmetic


class ConstrainedProblem(Protocol):
    """What a solver may know: values, gradients and constraints, in float64 or mpmath arithmetic."""

    @property
    def dim(self) -> int: ...

    n_constraints: int

    def objective(self, x: np.ndarray, ar: Arithmetic): ...

    def gradient(self, x: np.ndarray, ar: Arithmetic) -> np.ndarray: ...

    def constraints(self, x: np.ndarray, ar: Arithmetic) -> np.ndarray: ...

    def constraint_jacobian(self, x: np.ndarray, ar: Arithmetic) -> np.ndarray: ...

    def random_start(self, rng: np.random.Generator) -> np.ndarray: ...

    # Optional (used by :func:`verify.solvers.kkt_refine.refine_kkt` when present, finite differences otherwise):
    #   hessian(x, ar) -> (dim, dim) Hessian of the objective, or None where the model has none (e.g. a loss
    #   without a logit Hessian);  constraint_hessians(x, ar) -> (n_constraints, dim, dim).
