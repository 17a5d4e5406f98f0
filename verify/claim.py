"""The claim record: one theorem of one paper as an executable, checkable object.

A :class:`Claim` pairs the paper's closed form (sympy expressions of the parameters, the named
quantities) with an independent numerical solver that measures the same quantities without using the
closed form. :mod:`verify.checking` compares the two and returns a verdict.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any, Literal

import mpmath
import sympy

from verify.errors import InputError


@dataclass(frozen=True)
class Source:
    """Where a claim is printed."""

    paper: str
    where: str  # theorem, equations, SI section
    seeds: tuple[str, ...]  # files in ../shared/seeds/


@dataclass(frozen=True)
class Parameter:
    """A parameter with its domain; the name follows the paper (K, p, n, E_H, E_W, ...)."""

    name: str
    kind: Literal["integer", "real"]
    description: str

    @property
    def symbol(self) -> sympy.Symbol:
        if self.kind == "integer":
            return sympy.Symbol(self.name, integer=True, positive=True)
        return sympy.Symbol(self.name, positive=True)

    def parse(self, text: str | int | Fraction) -> Fraction:
        """Parse a user value exactly ('0.1' is 1/10, not the nearest double)."""
        try:
            value = Fraction(str(text).strip())
        except (ValueError, ZeroDivisionError):
            raise InputError(
                f"{self.name} = {text!r} is not a number", parameter=self.name, fix=f"give {self.name}=<number>"
            ) from None
        if self.kind == "integer" and value.denominator != 1:
            raise InputError(
                f"{self.name} = {text} is not an integer", parameter=self.name, fix=f"give an integer {self.name}"
            )
        return value


@dataclass(frozen=True)
class Hypothesis:
    """A checkable condition on the parameters, with the parameter to blame and the fix."""

    statement: str  # e.g. "p >= K - 1"
    holds: Callable[[Mapping[str, Fraction]], bool]
    parameter: str
    fix: str


@dataclass(frozen=True)
class Tolerance:
    """A relative tolerance that follows the working precision: 10**-(dps - guard_digits)."""

    guard_digits: int
    reason: str

    def at(self, dps: int) -> mpmath.mpf:
        return mpmath.mpf(10) ** (-(dps - self.guard_digits))


@dataclass(frozen=True)
class Undefined:
    """A quantity that does not exist at this point (e.g. the cosine of a zero vector), with the reason."""

    reason: str

    def __str__(self) -> str:
        return f"undefined ({self.reason})"


@dataclass(frozen=True)
class Unavailable(Undefined):
    """A reference value that could not be computed here (a root find that did not converge, precision that
    ran out): unlike :class:`Undefined`, it says nothing about the quantity, so a check that meets it is
    ``inconclusive``, never ``verified`` or ``failed``."""

    def __str__(self) -> str:
        return f"unavailable ({self.reason})"


#: A high-precision reference for a quantity the paper defines implicitly (a root, the minimum of a 1-D
#: function): ``(values, dps) -> mpf | Undefined``, computed from the claim's own formulas (optimality
#: conditions, a limit problem), never from the independent solver's program.
Reference = Callable[[Mapping[str, Fraction], int], "mpmath.mpf | Undefined"]


@dataclass(frozen=True)
class Quantity:
    """A named quantity of the claim: its closed form and the tolerance of its comparison.

    ``expr`` is a sympy expression of the parameters. When the paper defines the quantity implicitly (R0 of
    Theorem 5 is a root of an optimality condition), ``expr`` is a sympy *description* (may be None) and
    ``reference`` computes it to the working precision; ``definition`` says in words what it is.
    """

    name: str
    description: str
    expr: sympy.Expr | None
    tolerance: Tolerance
    reference: Reference | None = None
    definition: str = ""

    def value(self, values: Mapping[str, Fraction], subs: Mapping, dps: int) -> mpmath.mpf | Undefined:
        """The quantity at ``values`` to ``dps`` digits (caller holds ``mpmath.workdps(dps)``)."""
        if self.reference is not None:
            return self.reference(values, dps)
        from verify.precision import evaluate_expr  # relative digits at any scale (imports this module)

        return evaluate_expr(self.expr, subs, dps)

    def scaled(self, factor: sympy.Expr) -> Quantity:
        """A copy whose value is multiplied by ``factor`` (used by the mutation meta-test)."""
        if self.reference is None:
            return replace(self, expr=self.expr * factor)
        ref, f = self.reference, factor

        def scaled_reference(values, dps):
            v = ref(values, dps)
            return v if isinstance(v, Undefined) else v * mpmath.mpf(sympy.N(f, dps + 5))

        return replace(self, reference=scaled_reference)


Measured = tuple  # of mpmath.mpf | Undefined: every instance of a quantity (all pairs, all classes...)


@dataclass(frozen=True)
class SolveOptions:
    dps: int = 30
    n_starts: int = 8
    seed: int = 0
    min_agreeing: int = 2  # starts that must reach the best value to corroborate global minimality


@dataclass(frozen=True)
class SolveReport:
    """What an independent solve measured: the claim's quantities, residuals and a status."""

    converged: bool
    message: str
    quantities: Mapping[str, Measured]  # at the refined point, working precision ``dps``
    float_quantities: Mapping[str, Measured]  # at the float64 multistart point, before refinement
    residuals: Mapping[str, float]
    dps: int
    seconds: float
    details: Mapping[str, Any] = field(default_factory=dict)
    point: Any = None  # the refined minimiser (mpf object array, in the model's packing), for further checks


@dataclass(frozen=True)
class Example:
    """A pinned parameter point, with why it is pinned."""

    params: Mapping[str, str]
    note: str


@dataclass(frozen=True)
class Evidence:
    """What the toolkit computed about an erratum."""

    symbolic_difference: str | None
    point: Mapping[str, str] | None
    printed_value: str | None
    corrected_value: str | None
    reference_value: str | None  # an independent computation (a solve) at the point
    holds: bool  # True when the computation confirms the erratum


@dataclass(frozen=True)
class Erratum:
    """A printed step that disagrees with what sympy or a solve shows, with the corrected form."""

    claim_id: str
    location: str
    printed: str
    corrected: str
    summary: str
    evidence: Callable[[], Evidence]  # computed when asked, never typed in


@dataclass(frozen=True)
class Finding:
    """What an exploration measured: a one-paragraph summary and the rows behind it (strings, for JSON)."""

    summary: str
    rows: tuple[Mapping[str, str], ...] = ()


@dataclass(frozen=True)
class Exploration:
    """A numerical search *beyond* the theorem (outside its hypotheses, or a conjecture of the paper).

    Never part of the claim's verdict: ``nc-verify explore`` runs it and labels its output as
    ``exploration`` (the theorem says nothing there) or ``conjecture`` (the paper conjectures, we measure)."""

    claim_id: str
    label: Literal["exploration", "conjecture"]
    title: str
    question: str
    run: Callable[[], Finding]  # computed when asked, never typed in


@dataclass(frozen=True)
class Claim:
    id: str
    title: str
    statement: str
    source: Source
    convention: str
    parameters: tuple[Parameter, ...]
    hypotheses: tuple[Hypothesis, ...]
    quantities: tuple[Quantity, ...]
    solver: Callable[[Mapping[str, Fraction], SolveOptions], SolveReport]
    solver_description: str
    strategy: Callable[[], Any]  # () -> hypothesis strategy of dict[str, Fraction]
    examples: tuple[Example, ...]
    errata: tuple[Erratum, ...] = ()
    explorations: tuple[Exploration, ...] = ()
    module: str = ""

    # --- parameters ------------------------------------------------------------------------------------
    def parameter(self, name: str) -> Parameter:
        for par in self.parameters:
            if par.name == name:
                return par
        names = ", ".join(p.name for p in self.parameters)
        raise InputError(f"unknown parameter {name!r} for {self.id}", parameter=name, fix=f"use one of: {names}")

    def parse(self, assignments: Mapping[str, str | int | Fraction]) -> dict[str, Fraction]:
        """Parse and validate user parameters; every message names the parameter and the hypothesis."""
        values = {name: self.parameter(name).parse(text) for name, text in assignments.items()}
        missing = [p.name for p in self.parameters if p.name not in values]
        if missing:
            example = " ".join(f"{k}={v}" for k, v in self.examples[0].params.items())
            raise InputError(f"{self.id} needs {', '.join(missing)}", parameter=missing[0], fix=f"e.g. {example}")
        for hyp in self.hypotheses:
            if not hyp.holds(values):
                shown = ", ".join(f"{k}={_fmt(v)}" for k, v in values.items())
                raise InputError(
                    f"{hyp.parameter}: hypothesis '{hyp.statement}' of {self.id} fails at {shown}",
                    parameter=hyp.parameter,
                    fix=hyp.fix,
                )
        return values

    def quantity(self, name: str) -> Quantity:
        for q in self.quantities:
            if q.name == name:
                return q
        raise InputError(f"{self.id} has no quantity {name!r}", parameter=name)

    # --- closed form ---------------------------------------------------------------------------------
    def subs(self, values: Mapping[str, Fraction]) -> dict[sympy.Symbol, sympy.Rational]:
        return {p.symbol: sympy.Rational(values[p.name].numerator, values[p.name].denominator) for p in self.parameters}

    def evaluate(self, values: Mapping[str, Fraction], dps: int = 30) -> dict[str, mpmath.mpf | Undefined]:
        """Every quantity at ``values``, correct to ``dps`` digits (sympy's evalf, or the quantity's
        high-precision reference); a quantity that does not exist there is :class:`Undefined`."""
        subs = self.subs(values)
        out = {}
        with mpmath.workdps(dps):
            for q in self.quantities:
                out[q.name] = q.value(values, subs, dps)
        return out


def _fmt(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else str(float(value))
