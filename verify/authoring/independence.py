"""Independence tested, not trusted: run a claim's solve with its closed forms poisoned.

A check compares two independent computations (docs/guide.md, "Standards"): the solve must never see the
closed form. :func:`poisoned_closed_forms` makes every way a solve could read its answer raise
:class:`ClosedFormRead` while it runs:

- reading a :class:`verify.record.Quantity`'s ``expr``, ``reference`` or ``ball``, or calling ``value`` (so
  ``claim.evaluate`` and ``claim.quantity(name).expr`` raise);
- substituting into, evaluating or lambdifying a sympy expression that *is* one of the claim's closed forms or
  contains one (``2*KAPPA.subs(...)``, ``sp.N(VALUE.subs(...))``, ``sp.lambdify(.., R1)``):
  ``Basic.subs``, ``Basic.xreplace``, ``evalf``/``n`` and ``sympy.lambdify`` are wrapped for the duration;
- calling a quantity's ``reference`` or ``ball`` function through a module-level name in ``verify.claims``.

:class:`ClosedFormRead` derives from ``BaseException``, so a solve's ``except Exception`` fallback cannot
swallow it. Use: ``with poisoned_closed_forms(claim): report = claim.solver(values, options)``, then compare the
measurements with an unpoisoned solve (tests/test_independence.py does so for every claim of the catalogue).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

import sympy
from sympy.core.basic import Basic
from sympy.core.evalf import EvalfMixin

from verify.record import Claim, Quantity


class ClosedFormRead(BaseException):  # noqa: N818 - a signal, not an error a solve may handle
    """A solve read a closed form (or a reference) of the claim it is meant to check independently."""


def _poisoned_exprs(claim: Claim) -> set:
    """The claim's closed forms worth poisoning: sympy expressions with a parameter in them (a constant such as
    1 or -1/(K-1)... with K is kept; a bare number or a lone symbol is not an answer a solve could read)."""
    out = set()
    for q in claim.quantities:
        expr = q.__dict__["expr"]
        if isinstance(expr, Basic) and expr.free_symbols and not expr.is_Symbol:
            out.add(expr)
    return out


def _reads_poison(expr, poison: set) -> bool:
    if not isinstance(expr, Basic) or not poison:
        return False
    return expr.has(*poison)  # also inside a flattened product or sum: 2*K*sqrt(x) has K*sqrt(x)


@contextlib.contextmanager
def poisoned_closed_forms(claim: Claim) -> Iterator[None]:
    """Inside the block, any read of ``claim``'s closed forms or references raises :class:`ClosedFormRead`."""
    poison = _poisoned_exprs(claim)
    references = {
        id(q.__dict__[kind]) for q in claim.quantities for kind in ("reference", "ball") if q.__dict__.get(kind)
    }

    def refuse(what):
        raise ClosedFormRead(f"{claim.id}: the solve read {what}; a solve must never see the closed form")

    def attribute(name):
        return property(lambda self: refuse(f"Quantity {self.__dict__['name']!r}.{name}"))

    def guarded(original, what):
        def wrapper(self, *args, **kwargs):
            if _reads_poison(self, poison):
                refuse(f"a closed form through sympy {what} ({str(self)[:80]})")
            return original(self, *args, **kwargs)

        return wrapper

    def guarded_lambdify(original):
        def wrapper(args, expr, *rest, **kwargs):
            exprs = expr if isinstance(expr, list | tuple) else [expr]
            if any(_reads_poison(e, poison) for e in exprs):
                refuse("a closed form through sympy.lambdify")
            return original(args, expr, *rest, **kwargs)

        return wrapper

    def guarded_reference(fn, where):
        def wrapper(*args, **kwargs):
            refuse(f"the reference function {where}")

        return wrapper

    saved: list[tuple[object, str, object]] = []
    absent = object()

    def patch(owner, name, new):
        saved.append((owner, name, vars(owner).get(name, absent)))
        setattr(owner, name, new)

    try:
        for name in ("expr", "reference", "ball"):
            patch(Quantity, name, attribute(name))
        patch(Quantity, "value", lambda self, *a, **k: refuse(f"Quantity {self.__dict__['name']!r}.value"))
        patch(Basic, "subs", guarded(Basic.subs, "subs"))
        patch(Basic, "xreplace", guarded(Basic.xreplace, "xreplace"))
        patch(EvalfMixin, "evalf", guarded(EvalfMixin.evalf, "evalf"))
        patch(EvalfMixin, "n", guarded(EvalfMixin.n, "evalf"))
        lambdify_module = sys.modules["sympy.utilities.lambdify"]
        lambdify = guarded_lambdify(lambdify_module.lambdify)
        patch(sympy, "lambdify", lambdify)
        patch(lambdify_module, "lambdify", lambdify)
        for module_name, module in list(sys.modules.items()):
            if not module_name.startswith("verify.claims") or module is None:
                continue
            for attr, obj in list(vars(module).items()):
                if callable(obj) and id(obj) in references:
                    patch(module, attr, guarded_reference(obj, f"{module_name}.{attr}"))
        yield
    finally:
        for owner, name, old in reversed(saved):
            if old is absent:
                delattr(owner, name)
            else:
                setattr(owner, name, old)
