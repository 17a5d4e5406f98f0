"""A claim's named quantity: closed form or high-precision reference, what it depends on, its tolerance."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

import mpmath
import sympy

from verify.base.values import Undefined, Value
from verify.record.hypothesis import Tolerance
from verify.record.parameter import Parameter

#: A high-precision reference for a quantity the paper defines implicitly (a root, the minimum of a 1-D
#: function): ``(values, dps) -> mpf | Undefined``, computed from the claim's own formulas (optimality
#: conditions, a limit problem), never from the independent solver's program.
Reference = Callable[[Mapping[str, Fraction], int], "mpmath.mpf | Undefined"]


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
    #: opt-in certified enclosure: ``(values, dps) -> flint.arb`` holding the quantity's exact value, narrow at
    #: ``dps`` digits (``eval --certify``; helpers in verify/certify/intervals.py); None: no ball offered
    ball: Callable[[Mapping[str, Value], int], Any] | None = None
    #: the reference resolves its own cancellations (each value correct to dps digits relative to itself, as
    #: dang2024's closed forms): evaluated once, not through verify.base.precision's two-precision loop
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
        from verify.base.precision import evaluate_expr, evaluate_reference  # relative digits at any scale

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
