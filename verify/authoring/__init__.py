"""Encode a theorem of your own: the public authoring API (guide: docs/authoring.md).

    from verify import authoring as a

    CLAIM = a.claim(
        id="smith2025.thm2", title=..., statement=..., source="Smith et al. 2025, Theorem 2",
        convention="mean loss (1/N), penalties lambda/2",
        parameters=[a.integer("K", "classes"), a.real("lam", "penalty")],
        hypotheses=[a.hypothesis("K >= 2", lambda v: v["K"] >= 2, "K", "use at least two classes")],
        quantities=[a.quantity("value", "optimal value", expr, a.tolerance(8, "why 8 guard digits"))],
        solve=a.layer_peeled_solve(penalties={"H": "lam", "W": "lam"}, measure=["value"]),
        strategy={"K": a.integers(2, 5), "lam": a.decimals("0.01", "0.5")},
        examples=[a.example("the smallest case", K=2, lam="1/10")],
    )

:func:`claim` checks everything when the claim is built, not when it is first used: every error is a
:class:`ClaimDefinitionError` (a :class:`verify.base.errors.InputError`) naming the field, what is wrong and the fix.
Symbols in closed forms are matched to parameters *by name*, whatever assumptions they were created with.
The records themselves (:class:`Parameter`, :class:`Quantity`, ...) are those of :mod:`verify.record`; the
independent solves come from :mod:`verify.authoring.solves`, built from the toolkit's models and solvers.
A claim module is found by ``nc-verify`` through an entry point (group ``nc_verify.claims``) or a path
(``--path DIR``, ``NC_VERIFY_PATH``): see :mod:`verify.engine.registry`.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction

from verify.authoring.chains import CHAIN_INVARIANTS, linear_chain_solve
from verify.authoring.classwise import (
    K,
    N,
    Root,
    class_gram,
    class_matrix,
    class_sizes,
    n_k,
    n_l,
    per_class,
    root_of,
    summed,
)
from verify.authoring.combined import combine, computed, root_solve
from verify.authoring.drawing import choice, decimals, draws, integers, vectors
from verify.authoring.landscape import ufm_landscape_solve
from verify.authoring.manifolds import SPHERE_INVARIANTS, sphere_product_solve
from verify.authoring.margins import MARGIN_INVARIANTS, max_margin_solve
from verify.authoring.roots import root
from verify.authoring.solves import INVARIANTS, Solve, bounded, conic_solve, layer_peeled_solve, minimise
from verify.authoring.ufm import UFM_INVARIANTS, ufm_solve, zero_threshold
from verify.authoring.ufm_groups import GROUP_INVARIANTS, group_ufm_solve
from verify.authoring.validation import (
    ClaimDefinitionError,
    _fail,
    _parameters,
    _quantities,
    _reads_nothing,
    _solver,
    _strategy,
    _typed,
)
from verify.base.errors import InputError
from verify.record import (
    Claim,
    Erratum,
    ErrorBudget,
    Evidence,
    Example,
    Exploration,
    Finding,
    Hypothesis,
    Parameter,
    Quantity,
    Source,
    Tolerance,
    Unavailable,
    Undefined,
)

__all__ = [
    "CHAIN_INVARIANTS",
    "GROUP_INVARIANTS",
    "group_ufm_solve",
    "INVARIANTS",
    "UFM_INVARIANTS",
    "K",
    "N",
    "Root",
    "class_gram",
    "class_matrix",
    "MARGIN_INVARIANTS",
    "SPHERE_INVARIANTS",
    "sphere_product_solve",
    "max_margin_solve",
    "class_sizes",
    "linear_chain_solve",
    "n_k",
    "n_l",
    "per_class",
    "root_of",
    "summed",
    "Claim",
    "ClaimDefinitionError",
    "ErrorBudget",
    "Erratum",
    "Evidence",
    "Example",
    "Exploration",
    "Finding",
    "Hypothesis",
    "Parameter",
    "Quantity",
    "Solve",
    "Source",
    "Tolerance",
    "Undefined",
    "Unavailable",
    "bounded",
    "choice",
    "claim",
    "combine",
    "computed",
    "conic_solve",
    "decimals",
    "draws",
    "example",
    "hypothesis",
    "integer",
    "integers",
    "layer_peeled_solve",
    "minimise",
    "quantity",
    "real",
    "root",
    "ufm_landscape_solve",
    "root_solve",
    "tolerance",
    "ufm_solve",
    "validate",
    "vectors",
    "zero_threshold",
]


# --- small builders with defaults ---------------------------------------------------------------------------
def integer(name: str, description: str, *, default=None, default_text: str = "") -> Parameter:
    """An integer parameter. ``default``: a number, or a function of the other values (``lambda v: v["K"]``)."""
    return _parameter(name, "integer", description, default, default_text)


def real(name: str, description: str, *, default=None, default_text: str = "") -> Parameter:
    """A real parameter (values are parsed exactly: ``"0.1"`` is 1/10)."""
    return _parameter(name, "real", description, default, default_text)


def _parameter(name, kind, description, default, default_text) -> Parameter:
    if not isinstance(name, str) or not name.isidentifier():
        raise _fail("", "Parameter.name", f"{name!r} is not an identifier", "use a name such as K, E_H or lambda_W")
    if not str(description).strip():
        raise _fail("", f"Parameter {name}.description", "is empty", "say what the parameter is, in words")
    if default is not None and not callable(default):
        value = Fraction(str(default))
        default, default_text = (lambda v, value=value: value), default_text or str(default)
    if default is not None and not default_text:
        raise _fail("", f"Parameter {name}.default_text", "a computed default needs its rule in words", "e.g. 'K'")
    return Parameter(name, kind, description, default=default, default_text=default_text)


def hypothesis(statement: str, holds: Callable[[Mapping], bool], parameter: str, fix: str, uses=()) -> Hypothesis:
    """A checkable hypothesis: ``holds(values) -> bool``, the parameter to blame and the fix a user should apply."""
    if not callable(holds):
        raise _fail("", f"hypothesis {statement!r}.holds", "is not a function", "give lambda v: <condition on v>")
    if not str(fix).strip():
        raise _fail("", f"hypothesis {statement!r}.fix", "is empty", "say how to choose the parameter instead")
    return Hypothesis(statement, holds, parameter, fix, tuple(uses))


def tolerance(guard_digits: int, reason: str, budget: ErrorBudget | None = None) -> Tolerance:
    """A relative tolerance 10^-(dps - guard_digits), with the reason (where the lost digits go) and, optionally,
    the reason made computable (:class:`ErrorBudget`; tests/test_tolerances.py holds the tolerance to it)."""
    if isinstance(guard_digits, bool) or not isinstance(guard_digits, int) or not 0 <= guard_digits < 20:
        raise _fail(
            "",
            "tolerance.guard_digits",
            f"{guard_digits!r} is not an integer in 0..19",
            "guard digits are lost to the solve's rounding: typically 5-10 (working precision >= 20)",
        )
    if not str(reason).strip():
        raise _fail(
            "",
            "tolerance.reason",
            "is empty",
            "say where the guard digits go (e.g. 'KKT residual 10^-(dps-5), condition <= 1e3 measured')",
        )
    return Tolerance(guard_digits, reason, budget)


def quantity(name: str, description: str, expr=None, tol: Tolerance | None = None, **kwargs) -> Quantity:
    """A quantity: closed form ``expr`` (sympy), or ``reference=(values, dps) -> value`` with a ``definition``."""
    if tol is None:
        tol = kwargs.pop("tolerance", None)
    if not isinstance(tol, Tolerance):
        raise _fail("", f"quantity {name}.tolerance", "is missing", "give verify.authoring.tolerance(digits, reason)")
    if expr is not None:
        import sympy

        expr = sympy.sympify(expr)
    return Quantity(name, description, expr, tol, **kwargs)


def example(note: str, **params) -> Example:
    """A pinned point: ``example("p = K - 1", K=4, p=3, E_H="1/2")``; values are kept as exact text."""
    if not str(note).strip():
        raise _fail("", "example.note", "is empty", "say why the point is pinned")
    return Example({k: str(v) for k, v in params.items()}, note)


# --- the claim ---------------------------------------------------------------------------------------------
_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]*(\.[A-Za-z0-9_\-\[\]=,]+)+$")


def claim(
    *,
    id: str,  # noqa: A002 - the field is called id everywhere else
    title: str,
    statement: str,
    source: str | Source,
    convention: str,
    parameters: Sequence[Parameter],
    quantities: Sequence[Quantity],
    solve: Callable,
    strategy,
    examples: Sequence[Example],
    hypotheses: Sequence[Hypothesis] = (),
    solver_description: str | None = None,
    errata: Sequence[Erratum] = (),
    explorations: Sequence[Exploration] = (),
    module: str | None = None,
    certificate: Callable | None = None,
    certificate_note: str = "",
) -> Claim:
    """Build and validate a :class:`verify.record.Claim`.

    Defaults: ``source`` may be plain text (paper and place); ``solver_description`` comes from a
    :class:`~verify.authoring.solves.Solve`; ``strategy`` may be a mapping parameter -> range (:func:`draws`);
    ``module`` is the calling module; ``certificate``: a hook ``(values, report) -> verify.certify.Enclosure`` of
    the program's global minimum built from the solve's point (docs/certified.md; e.g.
    :func:`verify.certify.ufm.certify_ufm`), ``certificate_note`` why there is none. Checked now: the id, every record's type, unique names, closed forms using
    only parameters, tolerances with reasons, what the solve reads and measures, the strategy covering every
    parameter without a default, and every pinned example satisfying the hypotheses."""
    if not isinstance(id, str) or not _ID.match(id):
        raise _fail(str(id), "id", f"{id!r} is not of the form <paper>.<claim>", "e.g. id='smith2025.thm2'")
    w = id
    for field, text in (("title", title), ("statement", statement), ("convention", convention)):
        if not isinstance(text, str) or not text.strip():
            raise _fail(w, field, "is empty", f"give the {field} in words (conventions: 1/N or sum, lambda/2 or ...)")
    if isinstance(source, str):
        source = Source(source, "", ())
    if not isinstance(source, Source):
        raise _fail(w, "source", f"{type(source).__name__} is not a Source", "give text, e.g. 'Smith 2025, Thm 2'")
    params = _parameters(w, parameters)
    names = {p.name for p in params}
    hyps = _typed(w, "hypotheses", hypotheses, Hypothesis, "verify.authoring.hypothesis(...)")
    for i, h in enumerate(hyps):
        if h.parameter not in names and not _reads_nothing(h):
            raise _fail(
                w,
                f"hypotheses[{i}].parameter",
                f"{h.parameter!r} ('{h.statement}') is not a parameter",
                f"blame one of {', '.join(sorted(names))}",
            )
        stray = [u for u in h.uses if u not in names]
        if stray:
            raise _fail(w, f"hypotheses[{i}].uses", f"{stray[0]!r} is not a parameter", "list parameter names")
    quants = _quantities(w, quantities, params)
    solver, solver_description = _solver(w, solve, solver_description, names, quants)
    strategy = _strategy(w, strategy, params, hyps)
    exs = _typed(w, "examples", examples, Example, "verify.authoring.example(note, **params)")
    if not exs:
        raise _fail(w, "examples", "none given", "pin at least one point: example('the smallest case', K=2, ...)")
    built = Claim(
        id=id,
        title=title,
        statement=statement,
        source=source,
        convention=convention,
        parameters=params,
        hypotheses=hyps,
        quantities=quants,
        solver=solver,
        solver_description=solver_description,
        strategy=strategy,
        examples=exs,
        errata=_typed(w, "errata", errata, Erratum, "verify.record.Erratum(...)"),
        explorations=_typed(w, "explorations", explorations, Exploration, "verify.record.Exploration(...)"),
        module=module if module is not None else sys._getframe(1).f_globals.get("__name__", ""),
        certificate=_certificate_hook(w, certificate),
        certificate_note=certificate_note,
    )
    for i, ex in enumerate(exs):
        try:
            built.parse(ex.params)
        except InputError as exc:
            raise _fail(w, f"examples[{i}] ({ex.note})", str(exc), "pin a point inside the hypotheses") from None
    for field, items in (("errata", built.errata), ("explorations", built.explorations)):
        for i, item in enumerate(items):
            if item.claim_id != id:
                raise _fail(w, f"{field}[{i}].claim_id", f"{item.claim_id!r} is not this claim", f"use {id!r}")
    return built


def _certificate_hook(w: str, hook):
    if hook is not None and not callable(hook):
        raise _fail(w, "certificate", f"{type(hook).__name__} is not callable", "give (values, report) -> Enclosure")
    return hook


def validate(built: Claim) -> Claim:
    """Run :func:`claim`'s checks on a claim built another way (the catalogue's modules build
    :class:`~verify.record.Claim` directly; the test suite holds them to this same contract)."""
    if not isinstance(built, Claim):
        raise _fail("", "claim", f"{type(built).__name__} is not a Claim", "build it with verify.authoring.claim(...)")
    return claim(
        id=built.id,
        title=built.title,
        statement=built.statement,
        source=built.source,
        convention=built.convention,
        parameters=built.parameters,
        quantities=built.quantities,
        solve=built.solver,
        strategy=built.strategy,
        examples=built.examples,
        hypotheses=built.hypotheses,
        solver_description=built.solver_description,
        errata=built.errata,
        explorations=built.explorations,
        module=built.module,
        certificate=built.certificate,
        certificate_note=built.certificate_note,
    )
