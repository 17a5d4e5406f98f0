"""Independent solves built from the toolkit's models and solvers, so that a claim's author writes no solver.

* :func:`layer_peeled_solve`: the Layer-Peeled Model (Fang et al. 2021, program (7)) with budgets, or its
  penalised twin (:class:`verify.models.penalised.PenalisedLayerPeeledModel`), any loss of
  :mod:`verify.models` (cross-entropy, a softmax family (14) of your own), measured by the standard rotation
  invariants (:data:`INVARIANTS`); SLSQP multistart, then high-precision KKT refinement
  (:func:`verify.solvers.pipeline.solve_constrained`).
* :func:`minimise`: the same pipeline for any problem of your own that fills
  :class:`verify.solvers.problem.ConstrainedProblem` (objective, gradient, constraints g(x) <= 0).
* :func:`bounded`: a bound-constrained problem lo <= x <= hi (an objective and its gradient), as a
  ConstrainedProblem for :func:`minimise`.
* :func:`conic_solve`: a Gram (semidefinite) relaxation of :mod:`verify.models.gram_relaxation`, solved by
  Clarabel/SCS and polished to working precision with a certified duality gap (:func:`verify.solvers.conic.polish`).

Each returns a :class:`Solve`: callable ``(values, options) -> SolveReport`` (what a
:class:`verify.record.Claim` needs), with the ``description`` that ``nc-verify show`` prints and the parameter
names and quantity names it uses, which :func:`verify.authoring.claim` checks when the claim is built.
None of this sees a closed form: a solve measures the point it finds.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from verify.base.errors import InputError
from verify.record import SolveOptions, SolveReport, Undefined


@dataclass(frozen=True)
class Solve:
    """An independent solve: ``solve(values, options) -> SolveReport``."""

    run: Callable[[Mapping[str, Fraction], SolveOptions], SolveReport]
    description: str
    reads: tuple[str, ...] = ()  # parameter names the solve reads (checked against the claim's)
    measures: tuple[str, ...] | None = None  # quantity names it measures (None: not known in advance)

    def __call__(self, values: Mapping[str, Fraction], options: SolveOptions) -> SolveReport:
        return self.run(values, options)


def _error(field: str, message: str, fix: str) -> InputError:
    return InputError(f"{field}: {message}", parameter=field, fix=fix)


# --- the standard invariants of a point (W, H) ------------------------------------------------------------------
def _zero(rows, digits: int) -> float:
    """A row shorter than 10^-digits times the longest row of its block is numerically zero."""
    from verify.geometry import norm

    longest = max((float(norm(r)) for r in rows), default=0.0)
    return longest * 10.0 ** (-digits)


def _invariants(W, H, labels, K: int, ar, zero_digits: int) -> dict[str, Callable[[], tuple]]:
    from verify.geometry import cosine, norm, pairwise_cosines
    from verify.geometry.collapse import class_means

    tol_h, tol_w = _zero(H, zero_digits), _zero(W, zero_digits)
    means = class_means(H, labels, K)
    h_norms = lambda: tuple(norm(h) for h in H)  # noqa: E731
    w_norms = lambda: tuple(norm(w) for w in W)  # noqa: E731

    def ratio():
        out = []
        for j in range(len(H)):
            w = norm(W[labels[j]])
            out.append(Undefined(f"||w_{labels[j] + 1}|| = 0") if w <= tol_w else norm(H[j]) / w)
        return tuple(out)

    return {
        "feature_norm": h_norms,
        "classifier_norm": w_norms,
        "cosine": lambda: pairwise_cosines(means, zero_tol=tol_h, label="hbar"),
        "cosine_classifiers": lambda: pairwise_cosines(W, zero_tol=tol_w, label="w"),
        "cos_feature_classifier": lambda: tuple(
            cosine(H[j], W[labels[j]], zero_tol=min(tol_h, tol_w), names=(f"h_{j + 1}", f"w_{labels[j] + 1}"))
            for j in range(len(H))
        ),
        "C": ratio,
        "C_prime": lambda: tuple(norm(m) for m in means),
        "scale": lambda: tuple(norm(H[j]) * norm(W[labels[j]]) for j in range(len(H))),
    }


#: The invariants :func:`layer_peeled_solve` measures, by name (rotation invariants, never raw arrays).
INVARIANTS = {
    "value": "the objective at the minimiser",
    "feature_norm": "||h_{k,i}|| for every sample",
    "classifier_norm": "||w_k|| for every class",
    "cosine": "cos(hbar_k, hbar_l) of the class means, every pair k < l",
    "cosine_classifiers": "cos(w_k, w_l), every pair k < l",
    "cos_feature_classifier": "cos(h_{k,i}, w_k) for every sample (NC1 + self-duality)",
    "C": "||h_{k,i}|| / ||w_k|| for every sample",
    "C_prime": "||hbar_k|| for every class",
    "scale": "||h_{k,i}|| ||w_k|| for every sample",
}


def _param(spec, field: str) -> tuple[Callable[[Mapping], object], tuple[str, ...]]:
    """A parameter name (read from the values) or a callable of the values."""
    if isinstance(spec, str):
        return (lambda v, name=spec: v[name]), (spec,)
    if callable(spec):
        return spec, ()
    raise _error(field, f"{spec!r} is neither a parameter name nor a function of the values", "give e.g. 'E_H'")


def layer_peeled_solve(
    *,
    budgets: Mapping[str, object] | None = None,
    penalties: Mapping[str, object] | None = None,
    loss=None,
    measure: Sequence[str] | Mapping[str, str] = ("value", "feature_norm", "classifier_norm", "cosine"),
    classes: Callable[[Mapping], Sequence[int]] | None = None,
    dimension: str | Callable[[Mapping], int] = "p",
) -> Solve:
    """The Layer-Peeled Model solved from random starts and refined to working precision.

    ``budgets={"H": "E_H", "W": "E_W"}`` (parameter names, or functions of the values): program (7),
    constrained. ``penalties={"H": "lambda_H", "W": "lambda_W"}``: its penalised twin, lambda/2 times the same
    normalised norms, unconstrained. ``loss``: None (cross-entropy), a :class:`verify.models.losses.Loss`, a
    :class:`verify.models.softmax_losses.SoftmaxLossFamily` (its parameters are read from the values) or a
    function of the values returning a Loss. ``measure``: names of :data:`INVARIANTS`, or a mapping from your
    quantity names to them. ``classes``: the class sizes from the values (default: K classes of n samples, n = 1
    if the claim has no n; a vector parameter n gives the sizes). ``dimension``: the feature dimension p.
    """
    if (budgets is None) == (penalties is None):
        raise _error(
            "budgets",
            "give exactly one of budgets= (program (7)) or penalties= (its penalised twin)",
            "e.g. budgets={'H': 'E_H', 'W': 'E_W'} or penalties={'H': 'lambda_H', 'W': 'lambda_W'}",
        )
    field = "budgets" if budgets is not None else "penalties"
    blocks = dict(budgets if budgets is not None else penalties)
    if set(blocks) != {"H", "W"}:
        raise _error(field, f"keys {sorted(blocks)} are not H and W", f"give {field}={{'H': ..., 'W': ...}}")
    (get_h, reads_h), (get_w, reads_w) = _param(blocks["H"], f"{field}['H']"), _param(blocks["W"], f"{field}['W']")
    get_p, reads_p = _param(dimension, "dimension")
    if isinstance(measure, str):
        measure = (measure,)
    wanted = dict(measure) if isinstance(measure, Mapping) else {m: m for m in measure}
    unknown = [std for std in wanted.values() if std not in INVARIANTS]
    if unknown:
        raise _error("measure", f"{unknown[0]!r} is not a standard invariant", f"use one of {', '.join(INVARIANTS)}")
    loss_for, reads_loss = _loss(loss)

    def sizes(values) -> tuple[int, ...]:
        if classes is not None:
            return tuple(int(n) for n in classes(values))
        n = values.get("n", Fraction(1))
        if isinstance(n, tuple):
            return tuple(int(v) for v in n)
        return (int(n),) * int(values["K"])

    def model(values):
        from verify.models import LayerPeeledModel
        from verify.models.penalised import PenalisedLayerPeeledModel

        kind = LayerPeeledModel if budgets is not None else PenalisedLayerPeeledModel
        return kind(sizes(values), int(get_p(values)), get_h(values), get_w(values), loss=loss_for(values))

    def run(values, options: SolveOptions) -> SolveReport:
        from verify.solvers.pipeline import solve_constrained

        lpm = model(values)

        def measured(x, ar):
            W, H = lpm.unpack(x)
            digits = 8 if ar.name == "float64" else options.dps // 2
            inv = _invariants(W, H, lpm.labels, lpm.K, ar, digits)
            inv["value"] = lambda: (lpm.objective(x, ar),)
            return {name: inv[std]() for name, std in wanted.items()}

        return solve_constrained(lpm, options, measured)

    program = (
        "program (7) of Fang et al. 2021 (budgets)"
        if budgets is not None
        else "the penalised Layer-Peeled Model (lambda/2 penalties, unconstrained)"
    )
    description = (
        f"{program} with the {getattr(loss, 'name', 'cross-entropy') if loss is not None else 'cross-entropy'} "
        "loss: SLSQP multistart from seeded random starts (best value reached by >= 2), then mixed-precision "
        "Newton refinement of the KKT system in mpmath; quantities are rotation invariants of the refined point"
    )
    reads = tuple(dict.fromkeys([*reads_h, *reads_w, *reads_p, *reads_loss]))
    return Solve(run, description, reads, tuple(wanted))


def _loss(loss) -> tuple[Callable[[Mapping], object], tuple[str, ...]]:
    from verify.models.losses import CrossEntropy

    if loss is None:
        return (lambda v: CrossEntropy()), ()
    if hasattr(loss, "at") and hasattr(loss, "g1"):  # a SoftmaxLossFamily: parameters from the values
        return loss.at, tuple(loss.parameters)
    if hasattr(loss, "values") and hasattr(loss, "grad"):
        return (lambda v: loss), ()
    if callable(loss):
        return loss, ()
    raise _error("loss", f"{loss!r} is not a loss", "give None, a verify.models Loss or a SoftmaxLossFamily")


def minimise(
    problem: Callable[[Mapping], object],
    measure: Callable[[object, np.ndarray, object], Mapping[str, tuple]],
    description: str,
    *,
    measures: Sequence[str] | None = None,
) -> Solve:
    """Multistart + KKT refinement of a problem of your own: ``problem(values)`` returns an object with
    ``dim``, ``n_constraints``, ``objective/gradient/constraints/constraint_jacobian(x, ar)`` and
    ``random_start(rng)`` (:class:`verify.solvers.problem.ConstrainedProblem`; ``ar`` is float64 or mpmath
    arithmetic, :mod:`verify.models.arith`), and ``measure(problem, x, ar)`` the measured quantities (tuples of
    instances) at a point."""
    if not callable(problem) or not callable(measure):
        raise _error("problem", "problem and measure must be functions", "see verify.authoring.solves.minimise")
    if not str(description).strip():
        raise _error("description", "is empty", "say which program is solved and how")

    def run(values, options: SolveOptions) -> SolveReport:
        from verify.solvers.pipeline import solve_constrained

        prob = problem(values)
        missing = [a for a in ("dim", "n_constraints", "objective", "gradient", "random_start") if not hasattr(prob, a)]
        if missing:
            raise _error(
                "problem", f"the problem has no {missing[0]}", "fill verify.solvers.problem.ConstrainedProblem"
            )
        return solve_constrained(prob, options, lambda x, ar: measure(prob, x, ar))

    return Solve(run, description, (), tuple(measures) if measures is not None else None)


@dataclass(frozen=True)
class BoundedProblem:
    """min f(x) subject to lo <= x <= hi, as a :class:`~verify.solvers.problem.ConstrainedProblem` (one row
    lo_i - x_i <= 0 per finite lower bound, x_i - hi_i <= 0 per finite upper bound)."""

    objective_fn: Callable
    gradient_fn: Callable
    lower: tuple
    upper: tuple

    @property
    def dim(self) -> int:
        return len(self.lower)

    @property
    def _rows(self) -> list[tuple[int, int, float]]:
        lo = [(i, -1, b) for i, b in enumerate(self.lower) if np.isfinite(float(b))]
        return lo + [(i, 1, b) for i, b in enumerate(self.upper) if np.isfinite(float(b))]

    @property
    def n_constraints(self) -> int:
        return len(self._rows)

    @property
    def constraint_scale(self) -> tuple[float, ...]:
        return tuple(max(1.0, abs(float(b))) for _, _, b in self._rows)

    def objective(self, x, ar):
        return self.objective_fn(x, ar)

    def gradient(self, x, ar):
        return np.asarray(self.gradient_fn(x, ar))

    def constraints(self, x, ar):
        vals = [sign * (x[i] - ar.scalar(b)) for i, sign, b in self._rows]
        return np.array(vals, dtype=object if ar.name != "float64" else float)

    def constraint_jacobian(self, x, ar):
        J = np.zeros((self.n_constraints, self.dim), dtype=object if ar.name != "float64" else float)
        J[:] = 0 * x[0] if ar.name != "float64" else 0.0
        for r, (i, sign, _) in enumerate(self._rows):
            J[r, i] = sign + 0 * x[i]
        return J

    def random_start(self, rng):
        lo = np.array([float(b) if np.isfinite(float(b)) else -1.0 for b in self.lower])
        hi = np.array([float(b) if np.isfinite(float(b)) else lo[i] + 2.0 for i, b in enumerate(self.upper)])
        lo = np.where(np.isfinite(np.asarray(self.lower, dtype=float)), lo, hi - 2.0)
        return lo + (hi - lo) * rng.uniform(0.05, 0.95, self.dim)


def bounded(objective, gradient, lower, upper) -> BoundedProblem:
    """A bound-constrained problem for :func:`minimise`: ``objective(x, ar)``, ``gradient(x, ar)`` in the given
    arithmetic, bounds as sequences (``float('inf')`` for none)."""
    if len(lower) != len(upper):
        raise _error("bounds", f"{len(lower)} lower and {len(upper)} upper bounds", "give one of each per unknown")
    return BoundedProblem(objective, gradient, tuple(lower), tuple(upper))


def conic_solve(
    program: Callable[[Mapping], object],
    measure: Callable[[object, object], Mapping[str, tuple]],
    description: str,
    *,
    measures: Sequence[str] | None = None,
) -> Solve:
    """A Gram relaxation ``program(values)`` (:class:`verify.models.gram_relaxation.GramProgram`) solved conically
    and polished to working precision; converged when the polished optimum is certified (duality gap and budget
    excess below 10^-(dps-6)). ``measure(polished, dps)`` turns the :class:`~verify.solvers.conic.PolishedSolution`
    into quantities."""

    def run(values, options: SolveOptions) -> SolveReport:
        from verify.solvers.conic import polish

        t0 = time.perf_counter()
        sol = polish(program(values), options.dps)
        q = measure(sol, options.dps)
        return SolveReport(
            converged=bool(sol.certified),
            message=sol.message,
            quantities=q,
            float_quantities={},
            residuals={k: float(v) for k, v in sol.conic.residuals.items()},
            dps=options.dps,
            seconds=time.perf_counter() - t0,
            details={"conic_solver": sol.conic.solver, "kkt": sol.kkt_message},
        )

    return Solve(run, description, (), tuple(measures) if measures is not None else None)
