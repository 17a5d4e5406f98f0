"""The claim record: one theorem of one paper as an executable, checkable object.

A :class:`Claim` pairs the paper's closed form (sympy expressions of the parameters, the named
quantities) with an independent numerical solver that measures the same quantities without using the
closed form. :mod:`verify.checking` compares the two and returns a verdict.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Callable, Mapping, Sequence
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


#: A parsed parameter value: an exact rational, or a tuple of them for a vector parameter (class sizes).
Value = Fraction | tuple[Fraction, ...]

_KINDS = ("integer", "real", "integer_vector", "real_vector")


@dataclass(frozen=True)
class Parameter:
    """A parameter with its domain; the name follows the paper (K, p, n, E_H, E_W, ...).

    ``kind`` is ``integer``, ``real``, or a vector of either (``integer_vector``: class sizes ``n=8,4,2`` on the
    command line, any sequence in Python). ``default`` gives a documented value for a size or dimension that no
    quantity depends on (``p = K``, ``n = 1``, ``d = 4K``): ``solve`` and ``check`` fill it in and print it,
    ``eval`` never needs it. ``default_text`` says the default in words.
    """

    name: str
    kind: Literal["integer", "real", "integer_vector", "real_vector"]
    description: str
    default: Callable[[Mapping[str, Value]], Value] | None = None
    default_text: str = ""

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise ValueError(f"Parameter {self.name!r}: kind {self.kind!r} is not one of {', '.join(_KINDS)}")
        if self.default is not None and not self.default_text:
            raise ValueError(f"Parameter {self.name!r}: a default needs its default_text (say it in words)")

    @property
    def vector(self) -> bool:
        return self.kind.endswith("_vector")

    @property
    def symbol(self) -> sympy.Symbol:
        """The sympy symbol of a scalar parameter (a vector parameter is used through quantity references)."""
        if self.kind.startswith("integer"):
            return sympy.Symbol(self.name, integer=True, positive=True)
        return sympy.Symbol(self.name, positive=True)

    def parse(self, text: str | int | Fraction | Sequence) -> Value:
        """Parse a user value exactly ('0.1' is 1/10, not the nearest double); a vector from '8,4,2' or a
        sequence."""
        if self.vector:
            items = _vector_items(text)
            if not items:
                raise InputError(
                    f"{self.name} is empty", parameter=self.name, fix=f"give at least one entry, e.g. {self.name}=8,4,2"
                )
            return tuple(self._scalar(item, f"{self.name}[{i + 1}]") for i, item in enumerate(items))
        if isinstance(text, list | tuple):
            raise InputError(
                f"{self.name} = {text!r} is a sequence but {self.name} is a single number",
                parameter=self.name,
                fix=f"give one value, e.g. {self.name}=3",
            )
        return self._scalar(text, self.name)

    def _scalar(self, text, label: str) -> Fraction:
        if isinstance(text, bool):
            raise InputError(f"{label} = {text} is not a number", parameter=self.name, fix=f"give {self.name}=<number>")
        if isinstance(text, float):
            text = repr(text)  # the shortest decimal that round-trips: 0.1 is 1/10
        raw = str(text).strip()
        if len(raw) > MAX_DIGITS:
            raise InputError(
                f"{label} has {len(raw)} characters",
                parameter=self.name,
                fix=f"give at most {MAX_DIGITS} characters (a fraction such as 1/3 or a decimal with an exponent)",
            )
        try:
            value = Fraction(raw)
        except (ValueError, ZeroDivisionError, OverflowError):
            raise InputError(
                f"{label} = {text!r} is not a number",
                parameter=self.name,
                fix=f"give {self.name}=<number> (an integer, a decimal such as 0.05, or a fraction such as 1/20)",
            ) from None
        if self.kind.startswith("integer") and value.denominator != 1:
            raise InputError(f"{label} = {text} is not an integer", parameter=self.name, fix=f"give an integer {label}")
        return value


#: Longest accepted text of one number: an exact rational with more digits than any working precision is a
#: typing accident, and its exact arithmetic would run unbounded.
MAX_DIGITS = 200


def _vector_items(text) -> list:
    if isinstance(text, str):
        body = text.strip().strip("[]()").strip()
        return [] if not body else [t for t in (s.strip() for s in body.split(",")) if t != ""] or []
    if isinstance(text, Sequence):
        return list(text)
    if hasattr(text, "tolist"):  # numpy arrays
        return list(text.tolist())
    return [text]


@dataclass(frozen=True)
class Hypothesis:
    """A checkable condition on the parameters, with the parameter to blame and the fix.

    ``statement`` is printed as written (``"p >= K - 1"``); ``holds(values)`` decides it on exact values;
    ``parameter`` is named in the one-line error when it fails and ``fix`` says what to give instead. It is
    checked only where every parameter in ``uses`` is given (partial evaluation), else reported as an
    assumption of the values computed."""

    statement: str  # e.g. "p >= K - 1"
    holds: Callable[[Mapping[str, Fraction]], bool]
    parameter: str
    fix: str
    #: the parameters ``holds`` reads; empty: found out by calling it (a missing parameter raises KeyError)
    uses: tuple[str, ...] = ()

    def check(self, values: Mapping[str, Value]) -> bool | None:
        """True or False where every parameter the hypothesis reads is in ``values``; None where one is missing."""
        if self.uses and not set(self.uses) <= set(values):
            return None
        try:
            return bool(self.holds(values))
        except KeyError:
            return None


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
class Withheld:
    """A quantity ``eval`` did not compute: a parameter it needs is missing, or a hypothesis it rests on fails.

    Not a statement about the quantity (unlike :class:`Undefined`): it says what to give or change."""

    reason: str
    needs: tuple[str, ...] = ()
    fix: str = ""
    hypothesis: Hypothesis | None = None  # the failing hypothesis, where that is the reason

    def __str__(self) -> str:
        return f"not computed ({self.reason}{'; ' + self.fix if self.fix else ''})"


#: A quantity's value: a number, a named non-existence, or a vector of those with ordered labels
#: ("1", "2", ... one per class; "1,2" for a pair; "1,1" for a Gram entry).
QuantityValue = "mpmath.mpf | Undefined | dict[str, mpmath.mpf | Undefined]"


@dataclass(frozen=True)
class Quantity:
    """A named quantity of the claim: its closed form, what it depends on, and the tolerance of its comparison.

    ``expr`` is a sympy expression of the parameters. When the paper defines the quantity implicitly (R0 of
    Theorem 5 is a root of an optimality condition), or the quantity is a vector (one value per class of a
    class-size vector), ``expr`` is a sympy *description* (may be None) and ``reference`` computes it to the
    working precision; ``definition`` says in words what it is.

    ``needs`` names the parameters the quantity depends on (default: the free symbols of ``expr``; for a
    reference without ``expr``, every parameter of the claim). Every hypothesis of the claim applies to it: it is
    checked where its parameters are given and reported as an assumption where they are not. A ``standalone``
    quantity (a threshold such as R0 or x_star, defined beyond the theorem's hypotheses) rests only on the
    hypotheses that read nothing but its own ``needs``, so it is answered wherever it exists, also where the
    theorem's main hypothesis fails.
    """

    name: str
    description: str
    expr: sympy.Expr | None
    tolerance: Tolerance
    reference: Reference | None = None
    definition: str = ""
    needs: tuple[str, ...] | None = None
    standalone: bool = False
    #: the reference resolves its own cancellations (each value correct to dps digits relative to itself, as
    #: dang2024's closed forms): evaluated once, not through verify.precision's two-precision loop
    relative_digits: bool = False

    def depends_on(self, claim_parameters: tuple[Parameter, ...]) -> tuple[str, ...]:
        """The parameter names this quantity needs, in the claim's order."""
        if self.needs is not None:
            wanted = set(self.needs)
        elif self.expr is not None and self.reference is None:
            wanted = {s.name for s in self.expr.free_symbols}
        else:
            wanted = {p.name for p in claim_parameters}
        return tuple(p.name for p in claim_parameters if p.name in wanted)

    def value(self, values: Mapping[str, Value], subs: Mapping, dps: int) -> QuantityValue:
        """The quantity at ``values`` to ``dps`` digits (caller holds ``mpmath.workdps(dps)``)."""
        from verify.precision import evaluate_expr, evaluate_reference  # relative digits at any scale

        if self.reference is not None and self.relative_digits:
            return self.reference(values, dps)
        if self.reference is not None:
            return evaluate_reference(self.reference, values, dps)
        return evaluate_expr(self.expr, subs, dps)

    def scaled(self, factor: sympy.Expr) -> Quantity:
        """A copy whose value is multiplied by ``factor`` (used by the mutation meta-test)."""
        if self.reference is None:
            return replace(self, expr=self.expr * factor)
        ref, f = self.reference, factor

        def scale(v, dps):
            return v if isinstance(v, Undefined) else v * mpmath.mpf(sympy.N(f, dps + 5))

        def scaled_reference(values, dps):
            v = ref(values, dps)
            if isinstance(v, Mapping):
                return {label: scale(x, dps) for label, x in v.items()}
            return scale(v, dps)

        return replace(self, reference=scaled_reference)


Measured = tuple  # of mpmath.mpf | Undefined: every instance of a quantity (all pairs, all classes...)


@dataclass(frozen=True)
class SolveOptions:
    """How a solve runs: working precision ``dps`` (decimal digits), ``n_starts`` seeded random starts, and how
    many starts must reach the best value to corroborate global minimality (``min_agreeing``). Validated
    values: :func:`verify.options.validate_solve_options`."""

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
    """One theorem of one paper as an executable object (docs/guide.md, "What a claim is").

    The paper's closed form (``quantities``, sympy or a high-precision reference), the conditions it rests on
    (``hypotheses``, checked on exact parameter values), and an independent ``solver`` of the paper's program
    that measures the same quantities without the closed form; :mod:`verify.checking` compares the two.
    :meth:`parse` validates user values, :meth:`evaluate` computes the closed form (partially, where only some
    parameters are given), ``strategy`` draws valid points for Hypothesis, ``examples`` are the pinned points,
    ``errata`` and ``explorations`` what the toolkit found beyond the theorem. For notebooks, wrap it with
    :func:`verify.claim` (``verify.claim("fang2021.thm5").eval(...)``)."""

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
    #: statements of the hypotheses that define the model's domain (K >= 2, n_k >= 1, lambda > 0, d >= K):
    #: checked by a partial ``eval`` too, wherever their parameters are given, so bad input is a one-line error
    #: rather than a list of withheld quantities; the theorem's other hypotheses are applied per quantity
    domain: tuple[str, ...] = ()
    module: str = ""

    # --- parameters ------------------------------------------------------------------------------------
    def parameter(self, name: str) -> Parameter:
        for par in self.parameters:
            if par.name == name:
                return par
        names = ", ".join(p.name for p in self.parameters)
        raise InputError(f"unknown parameter {name!r} for {self.id}", parameter=name, fix=f"use one of: {names}")

    def parse(self, assignments: Mapping[str, object], *, partial: bool = False) -> dict[str, Value]:
        """Parse and validate user parameters; every message names the parameter and the hypothesis.

        ``partial=False`` (solve, check): every parameter is needed; those with a documented default are filled
        in (:meth:`defaulted` says which), and every hypothesis must hold. ``partial=True`` (eval): only what is
        given is parsed; the hypotheses are applied per quantity by :meth:`evaluate`."""
        values = {name: self.parameter(name).parse(text) for name, text in assignments.items()}
        if partial:
            values = {p.name: values[p.name] for p in self.parameters if p.name in values}
            for hyp in self.hypotheses:  # outside its domain the model itself is undefined: an error, not a gap
                if hyp.statement in self.domain and hyp.check(values) is False:
                    raise self._violation(hyp, values)
            return values
        values = self.complete(values)
        missing = [p.name for p in self.parameters if p.name not in values]
        if missing:
            example = " ".join(f"{k}={v}" for k, v in self.examples[0].params.items())
            raise InputError(f"{self.id} needs {', '.join(missing)}", parameter=missing[0], fix=f"e.g. {example}")
        for hyp in self.hypotheses:
            if not hyp.holds(values):
                raise self._violation(hyp, values)
        return values

    def complete(self, values: Mapping[str, Value]) -> dict[str, Value]:
        """``values`` with the documented defaults filled in for the parameters not given (in claim order)."""
        out = dict(values)
        for p in self.parameters:
            if p.name not in out and p.default is not None:
                try:
                    out[p.name] = p.default(out)
                except KeyError:  # the default is stated in terms of a parameter that is missing too
                    continue
        return {p.name: out[p.name] for p in self.parameters if p.name in out}

    def defaulted(self, given: Mapping[str, object], values: Mapping[str, Value]) -> dict[str, str]:
        """The parameters of ``values`` that came from defaults, each with its rule (``p = K``)."""
        return {p.name: p.default_text for p in self.parameters if p.name in values and p.name not in given}

    def _violation(self, hyp: Hypothesis, values: Mapping[str, Value]) -> InputError:
        shown = ", ".join(f"{k}={_fmt(v)}" for k, v in values.items())
        return InputError(
            f"{hyp.parameter}: hypothesis '{hyp.statement}' of {self.id} fails at {shown}",
            parameter=hyp.parameter,
            fix=hyp.fix,
        )

    def quantity(self, name: str) -> Quantity:
        for q in self.quantities:
            if q.name == name:
                return q
        names = ", ".join(q.name for q in self.quantities)
        raise InputError(f"{self.id} has no quantity {name!r}", parameter=name, fix=f"use one of: {names}")

    # --- closed form ---------------------------------------------------------------------------------
    def subs(self, values: Mapping[str, Value]) -> dict[sympy.Symbol, sympy.Rational]:
        """The sympy substitution of the scalar parameters present in ``values``."""
        return {
            p.symbol: sympy.Rational(values[p.name].numerator, values[p.name].denominator)
            for p in self.parameters
            if p.name in values and not p.vector
        }

    def withheld(self, q: Quantity, values: Mapping[str, Value]) -> Withheld | None:
        """Why ``q`` cannot be computed at ``values`` (a needed parameter missing, a hypothesis failing), or None.

        Every hypothesis whose parameters are given is checked; for a ``standalone`` quantity, only those that
        read nothing but the parameters it needs."""
        needs = q.depends_on(self.parameters)
        missing = tuple(n for n in needs if n not in values)
        if missing:
            return Withheld(f"needs {', '.join(missing)}", needs=missing)
        scope = {n: values[n] for n in needs} if q.standalone else values
        for hyp in self.hypotheses:
            if hyp.check(scope) is False:
                return Withheld(f"hypothesis '{hyp.statement}' fails", fix=hyp.fix, hypothesis=hyp)
        return None

    def assumptions(self, q: Quantity, values: Mapping[str, Value]) -> tuple[str, ...]:
        """The hypotheses that apply to ``q`` but read a parameter not given: what its value assumes."""
        if q.standalone:
            return ()
        return tuple(h.statement for h in self.hypotheses if h.check(values) is None)

    def evaluate(
        self, values: Mapping[str, Value], dps: int = 30, quantities: Sequence[str] | None = None
    ) -> dict[str, QuantityValue | Withheld]:
        """The quantities (all, or those named) at ``values``, each correct to ``dps`` digits (the closed form,
        or the quantity's high-precision reference). ``values`` may be partial: a quantity whose parameters are
        missing, or one of whose hypotheses fails, is :class:`Withheld`; a quantity that does not exist at this
        point is :class:`Undefined`. A plain dict of strings or numbers is parsed first (hypotheses checked)."""
        if any(not isinstance(v, Fraction | tuple) for v in values.values()):
            values = self.parse(values, partial=True)
        chosen = self.quantities if quantities is None else tuple(self.quantity(n) for n in quantities)
        subs = self.subs(values)
        out: dict = {}
        with mpmath.workdps(dps):
            for q in chosen:
                why = self.withheld(q, values)
                out[q.name] = why if why is not None else _value_or_unavailable(q, values, subs, dps)
        return out


def _value_or_unavailable(q: Quantity, values: Mapping[str, Value], subs: Mapping, dps: int) -> QuantityValue:
    """``q``'s value, or :class:`Unavailable` saying what is out of reach where its numerics break down at an
    extreme valid point (a singular Newton matrix, a root find that does not converge, an overflow, a size that
    float64 cannot hold); the exception's type is named, so that a defect is not mistaken for a limit."""
    try:
        return q.value(values, subs, dps)
    except InputError:
        raise
    except (ArithmeticError, ValueError, TypeError, mpmath.libmp.NoConvergence) as exc:  # numpy's LinAlgError too
        what = f"{type(exc).__name__}: {exc}".splitlines()[0][:200]
        return Unavailable(
            f"out of reach at this point: the computation broke down ({what}); try a larger --dps "
            "or parameters closer to the claim's pinned examples"
        )


def _fmt(value: Value) -> str:
    if isinstance(value, tuple):
        return ",".join(_fmt(v) for v in value)
    return str(value)


class _ClaimModule(types.ModuleType):
    """``verify.claim`` is this module (the record types) and, called, the notebook entry point:
    ``verify.claim("fang2021.thm5")`` is :func:`verify.api.claim` (a package attribute cannot be both a
    submodule and a function otherwise)."""

    def __call__(self, claim_id):
        from verify.api import claim

        return claim(claim_id)


sys.modules[__name__].__class__ = _ClaimModule
