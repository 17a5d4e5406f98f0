"""The claim record: one theorem of one paper as an executable, checkable object.

A :class:`Claim` pairs the paper's closed form (sympy expressions of the parameters, the named
quantities) with an independent numerical solver that measures the same quantities without using the
closed form. :mod:`verify.engine.checking` compares the two and returns a verdict.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import mpmath
import sympy

from verify.base.errors import InputError
from verify.base.numbers_text import fraction_text
from verify.base.solving import SolveOptions, SolveReport
from verify.base.values import Unavailable, Undefined, Value
from verify.record.erratum import Erratum, Example, Exploration
from verify.record.hypothesis import Hypothesis, Withheld
from verify.record.inequality import ProofInequality
from verify.record.parameter import Parameter
from verify.record.quantity import Quantity, QuantityValue

__all__ = ["Claim", "Source", "Undefined", "substitution"]


@dataclass(frozen=True)
class Source:
    """Where a claim is printed."""

    paper: str
    where: str  # theorem, equations, SI section
    seeds: tuple[str, ...]  # files in ../shared/seeds/


@dataclass(frozen=True)
class Claim:
    """One theorem of one paper as an executable object (docs/guide.md, "What a claim is").

    The paper's closed form (``quantities``, sympy or a high-precision reference), the conditions it rests on
    (``hypotheses``, checked on exact parameter values), and an independent ``solver`` of the paper's program
    that measures the same quantities without the closed form; :mod:`verify.engine.checking` compares the two.
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
    #: the proof's inequalities that ``nc-verify certify`` proves over parameter boxes
    inequalities: tuple[ProofInequality, ...] = ()
    #: the certificate hook (issue 18, docs/certified.md): (values, solve report) -> verify.certify.Enclosure of
    #: the global minimum of the claim's program, built from the report's point; None: no certificate
    certificate: Callable[[Mapping[str, Fraction], SolveReport], Any] | None = None
    #: why the claim has no certificate (or what its certificate does not cover), shown by ``show``
    certificate_note: str = ""

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
                in_domain = hyp.statement in self.domain or self._domain_bound(hyp.statement)
                if in_domain and hyp.check(values) is False:
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

    def _domain_bound(self, statement: str) -> bool:
        """``x > 0`` for any parameter, ``k >= c`` for an integer one (K >= 2, n >= 1): the model's domain. A
        real lower bound other than 0 (R >= 1, q > 1) is a theorem hypothesis, applied per quantity."""
        m = _DOMAIN_BOUND.match(statement)
        if not m:
            return False
        name, op, bound = m.groups()
        kind = next((p.kind for p in self.parameters if p.name == name), "")
        return (op == ">" and bound == "0") or kind.startswith("integer")

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
        return substitution(self.parameters, values)

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


def substitution(parameters: Sequence[Parameter], values: Mapping[str, Value]) -> dict[sympy.Symbol, sympy.Rational]:
    """The sympy substitution of the scalar ``parameters`` present in ``values`` (what :meth:`Claim.subs` gives;
    usable before the claim is built, e.g. by a claim's sibling modules)."""
    return {
        p.symbol: sympy.Rational(values[p.name].numerator, values[p.name].denominator)
        for p in parameters
        if p.name in values and not p.vector
    }


#: A hypothesis that bounds one parameter by a constant (K >= 2, n >= 1, E_H > 0, q > 0; see
#: Claim._domain_bound) states the model's domain on every claim: a partial ``eval`` refuses a value outside it (exit 2), as solve and check do,
#: instead of printing the quantities that happen not to read it.
_DOMAIN_BOUND = re.compile(r"^\s*(\w+)\s*(>=|>)\s*(\d+)\s*$")


def _fmt(value: Value) -> str:
    if isinstance(value, tuple):
        return ",".join(_fmt(v) for v in value)
    return fraction_text(value)
