"""The checks behind :func:`verify.authoring.claim`: each field of a claim validated when it is built.

Every error is a :class:`ClaimDefinitionError` (an :class:`~verify.base.errors.InputError`) naming the claim,
the field, what is wrong and the fix (docs/authoring.md).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from verify.authoring.drawing import draws
from verify.authoring.solves import Solve
from verify.base.errors import InputError
from verify.record import (
    Hypothesis,
    Parameter,
    Quantity,
    Tolerance,
)


class ClaimDefinitionError(InputError):
    """A claim (or a piece of one) is defined wrongly: the message names the claim, the field and the fix."""


def _fail(where: str, field: str, message: str, fix: str) -> ClaimDefinitionError:
    prefix = f"claim {where!r}: " if where else ""
    return ClaimDefinitionError(f"{prefix}{field}: {message}", parameter=field, fix=fix)


def _reads_nothing(h: Hypothesis) -> bool:
    """A hypothesis that reads no parameter (a condition on the claim's own definition, such as the shape of a
    loss's g2) may blame that definition's input instead of a parameter."""
    try:
        h.holds({})
    except KeyError:
        return False
    except Exception:
        return False
    return not h.uses


def _typed(w: str, field: str, items, kind, how: str) -> tuple:
    if isinstance(items, str | bytes) or not isinstance(items, Sequence | tuple | list):
        raise _fail(w, field, f"{type(items).__name__} is not a sequence", f"give a list of {kind.__name__}")
    out = tuple(items)
    for i, item in enumerate(out):
        if not isinstance(item, kind):
            raise _fail(w, f"{field}[{i}]", f"{type(item).__name__} is not a {kind.__name__}", f"build it with {how}")
    return out


def _parameters(w: str, parameters) -> tuple[Parameter, ...]:
    params = _typed(w, "parameters", parameters, Parameter, "verify.authoring.integer/real(name, description)")
    if not params:
        raise _fail(w, "parameters", "none given", "declare the theorem's parameters")
    seen: set[str] = set()
    for i, p in enumerate(params):
        if p.name in seen:
            raise _fail(w, f"parameters[{i}]", f"{p.name!r} is declared twice", "give each parameter once")
        seen.add(p.name)
    return params


def _quantities(w: str, quantities, params: tuple[Parameter, ...]) -> tuple[Quantity, ...]:
    quants = _typed(w, "quantities", quantities, Quantity, "verify.authoring.quantity(...)")
    if not quants:
        raise _fail(w, "quantities", "none given", "a claim states at least one quantity")
    symbols = {p.name: p.symbol for p in params if not p.vector}
    vector = {p.name for p in params if p.vector}
    names = {p.name for p in params}
    out, seen = [], set()
    for i, q in enumerate(quants):
        f = f"quantities[{i}] ({q.name})"
        if q.name in seen:
            raise _fail(w, f, "the name is used twice", "give each quantity its own name")
        seen.add(q.name)
        if not isinstance(q.tolerance, Tolerance) or not q.tolerance.reason.strip():
            raise _fail(w, f + ".tolerance", "has no reason", "give verify.authoring.tolerance(digits, reason)")
        if q.expr is None and q.reference is None:
            raise _fail(w, f, "has neither a closed form nor a reference", "give expr= or reference=(values, dps)")
        if q.reference is not None and not q.definition.strip():
            raise _fail(
                w,
                f + ".definition",
                "an implicitly defined quantity needs its definition",
                "say in words what reference= computes",
            )
        if q.needs is not None:
            stray = [n for n in q.needs if n not in names]
            if stray:
                raise _fail(w, f + ".needs", f"{stray[0]!r} is not a parameter", "list parameter names")
        if q.expr is not None:
            free = {s.name for s in q.expr.free_symbols}
            stray = sorted(free - set(symbols))
            if stray and q.reference is None:
                why = "is a vector parameter (use reference=)" if stray[0] in vector else "is not a parameter"
                raise _fail(
                    w,
                    f + ".expr",
                    f"symbol {stray[0]} {why}",
                    f"declare it as a parameter or substitute it (parameters: {', '.join(names)})",
                )
            q = _canonical(q, symbols)
        out.append(q)
    return tuple(out)


def _canonical(q: Quantity, symbols: Mapping) -> Quantity:
    """Symbols matched to the parameters by name (a user's Symbol('K') has other assumptions than the
    parameter's positive integer K, and sympy would treat them as different)."""
    from dataclasses import replace

    subs = {s: symbols[s.name] for s in q.expr.free_symbols if s.name in symbols and s != symbols[s.name]}
    return replace(q, expr=q.expr.xreplace(subs)) if subs else q


def _solver(w: str, solve, description, names: set[str], quants) -> tuple[Callable, str]:
    if not callable(solve):
        raise _fail(
            w,
            "solve",
            f"{type(solve).__name__} is not callable",
            "give verify.authoring.layer_peeled_solve(...) or minimise(...), or (values, options) -> SolveReport",
        )
    if isinstance(solve, Solve):
        stray = [r for r in solve.reads if r not in names]
        if stray:
            raise _fail(
                w,
                "solve",
                f"reads parameter {stray[0]!r}, which the claim does not declare",
                "declare it, or name one of the claim's parameters in the solve",
            )
        if solve.measures is not None:
            unmeasured = [q.name for q in quants if q.name not in solve.measures]
            if unmeasured:
                raise _fail(
                    w,
                    "solve",
                    f"measures no quantity {unmeasured[0]!r}",
                    f"add it to the solve's measure= (it measures {', '.join(solve.measures)})",
                )
        description = description or solve.description
    if not description or not str(description).strip():
        raise _fail(w, "solver_description", "is empty", "say which program the solve minimises and how")
    return solve, description


def _strategy(w: str, strategy, params, hyps) -> Callable:
    if isinstance(strategy, Mapping):
        need = [p.name for p in params if p.default is None and p.name not in strategy]
        if need:
            raise _fail(
                w,
                "strategy",
                f"draws no value for {need[0]!r} (and it has no default)",
                f"add e.g. {need[0]!r}: verify.authoring.integers(2, 5) or decimals('0.01', '10')",
            )
        stray = [k for k in strategy if k not in {p.name for p in params}]
        if stray:
            raise _fail(w, "strategy", f"draws {stray[0]!r}, which is not a parameter", "draw only parameters")
        return draws(strategy, params=params, hypotheses=hyps)
    if not callable(strategy):
        raise _fail(
            w,
            "strategy",
            f"{type(strategy).__name__} is neither a mapping nor a function",
            "give {'K': integers(2, 5), ...} or a function returning a Hypothesis strategy",
        )
    return strategy
