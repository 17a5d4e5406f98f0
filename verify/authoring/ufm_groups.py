"""Kit extension: the unconstrained-features model with Frobenius penalties, and invariants restricted to groups
of classes (docs/authoring.md, section 7).

:func:`verify.authoring.layer_peeled_solve` covers Fang et al.'s program (7) and its penalised twin, whose
penalties are class-averaged norms. Most of the later literature (Zhu et al. 2021, Hong & Ling 2023,
THEOREMS-NEXT.md families A and F) penalises sums, (lambda_W/2)||W||_F^2 + (lambda_H/2)||H||_F^2, which for
unequal class sizes is a different problem; and a two-group theorem speaks of cosines *within* the minority
group or *between* the groups, which the all-pairs invariants cannot express. This module adds both:

    a.group_ufm_solve(penalties={"W": "lambda_W", "H": "lambda_H"}, classes=sizes, dimension="d",
                groups=lambda v: {"A": range(int(v["K_A"])), "B": range(int(v["K_A"]), K(v))},
                measure={"value": "value", "cos_w_minority": "cosine_classifiers[B]",
                         "cos_w_between": "cosine_classifiers[A,B]", "merged": "merged[B]"})

A measure is a standard invariant (:data:`verify.authoring.INVARIANTS`), optionally restricted: ``name[G]``
keeps the classes (or the samples of the classes) of group G, and for pairwise invariants ``name[G,H]`` keeps
the pairs k in G, l in H. ``vanished`` is 1 when every entry of W and H is at most 10^-digits. ``merged[G]`` is 1 when the classifiers of group G coincide (max ||w_k - w_l|| at most
10^-digits times the longest w_k, digits = 8 in float64 and dps/2 at the working precision) and 0 otherwise.
The solve is the standard pipeline (SLSQP multistart, then mixed-precision Newton refinement of the stationarity
system in mpmath; :func:`verify.solvers.pipeline.solve_constrained`) on
:class:`verify.models.frobenius_ufm.FrobeniusUFM`; it never sees a closed form.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from verify.authoring.solves import INVARIANTS, Solve, _error, _loss, _param, _zero
from verify.base.solving import SolveOptions, SolveReport
from verify.base.values import Undefined

_SELECT = re.compile(r"^(?P<name>[a-z_]+)(\[(?P<g>[A-Za-z0-9_]+)(,(?P<h>[A-Za-z0-9_]+))?\])?$")
_PAIRWISE = {"cosine", "cosine_classifiers"}
_PER_CLASS = {"classifier_norm", "C_prime"}
_PER_SAMPLE = {"feature_norm", "cos_feature_classifier", "C", "scale"}

#: Invariants only :func:`group_ufm_solve` measures (beside :data:`INVARIANTS`).
GROUP_INVARIANTS = {
    "merged": "1 if the classifiers of the group coincide, else 0 (needs a group: merged[G])",
    "vanished": "1 if every classifier and feature is 0 (norms at most 10^-digits), else 0 (no group)",
}


def _parse(spec: str, groups_known: bool) -> tuple[str, str | None, str | None]:
    m = _SELECT.match(spec)
    if m is None or (m["name"] not in INVARIANTS and m["name"] not in GROUP_INVARIANTS):
        raise _error(
            "measure",
            f"{spec!r} is not an invariant (optionally restricted: name[G] or name[G,H])",
            f"use one of {', '.join([*INVARIANTS, *GROUP_INVARIANTS])}",
        )
    name, g, h = m["name"], m["g"], m["h"]
    if (g is not None) and not groups_known:
        raise _error("measure", f"{spec!r} restricts to a group but no groups= are given", "give groups=...")
    if h is not None and name not in _PAIRWISE:
        raise _error("measure", f"{spec!r}: only pairwise invariants take two groups", "use name[G] instead")
    if name == "merged" and g is None:
        raise _error("measure", "merged needs a group", "write merged[G]")
    if name in ("value", "vanished") and g is not None:
        raise _error("measure", "the value is not restricted to a group", "write value")
    return name, g, h


def _measure_point(W, H, labels, K, groups, spec, digits):
    from verify.geometry import cosine, norm
    from verify.geometry.collapse import class_means

    name, g, h = spec
    tol_h, tol_w = _zero(H, digits), _zero(W, digits)
    every = range(K)
    first = list(groups[g]) if g is not None else list(every)
    second = list(groups[h]) if h is not None else first
    if name in _PAIRWISE:
        rows, tol, label = (
            (W, tol_w, "w") if name == "cosine_classifiers" else (class_means(H, labels, K), tol_h, "hbar")
        )
        pairs = [(k, j) for k in first for j in second if (k < j if h is None else k != j)]
        return tuple(
            cosine(rows[k], rows[j], zero_tol=tol, names=(f"{label}_{k + 1}", f"{label}_{j + 1}")) for k, j in pairs
        )
    if name == "merged":
        longest = max((norm(W[k]) for k in first), default=0)
        spread = max((norm(W[k] - W[l]) for k in first for l in first if k < l), default=0)  # noqa: E741
        return (type(longest)(1) if spread <= longest * 10.0 ** (-digits) else type(longest)(0),)
    if name in _PER_CLASS:
        if name == "classifier_norm":
            return tuple(norm(W[k]) for k in first)
        means = class_means(H, labels, K)
        return tuple(norm(means[k]) for k in first)
    samples = [j for j in range(len(H)) if labels[j] in first]
    if name == "feature_norm":
        return tuple(norm(H[j]) for j in samples)
    if name == "scale":
        return tuple(norm(H[j]) * norm(W[labels[j]]) for j in samples)
    if name == "C":
        out = []
        for j in samples:
            w = norm(W[labels[j]])
            out.append(Undefined(f"||w_{labels[j] + 1}|| = 0") if w <= tol_w else norm(H[j]) / w)
        return tuple(out)
    return tuple(
        cosine(H[j], W[labels[j]], zero_tol=min(tol_h, tol_w), names=(f"h_{j + 1}", f"w_{labels[j] + 1}"))
        for j in samples
    )


def group_ufm_solve(
    *,
    penalties: Mapping[str, object],
    classes: Callable[[Mapping], Sequence[int]],
    measure: Mapping[str, str] | Sequence[str] = ("value",),
    groups: Callable[[Mapping], Mapping[str, Sequence[int]]] | None = None,
    dimension: str | Callable[[Mapping], int] = "d",
    loss=None,
) -> Solve:
    """The Frobenius-penalised unconstrained-features model solved from random starts and refined to working
    precision (see the module docstring). ``penalties={"W": ..., "H": ...}``: parameter names or functions of the
    values; ``classes``: the class sizes from the values; ``groups``: named lists of class indices (0-based);
    ``measure``: quantity name -> invariant (optionally restricted to groups)."""
    if not isinstance(penalties, Mapping) or set(penalties) != {"H", "W"}:
        raise _error("penalties", "give penalties={'W': ..., 'H': ...}", "e.g. {'W': 'lambda_W', 'H': 'lambda_H'}")
    if not callable(classes):
        raise _error("classes", "is not a function of the values", "give classes=lambda v: (n_1, ..., n_K)")
    (get_w, reads_w), (get_h, reads_h) = (
        _param(penalties["W"], "penalties['W']"),
        _param(penalties["H"], "penalties['H']"),
    )
    get_d, reads_d = _param(dimension, "dimension")
    if isinstance(measure, str):
        measure = (measure,)
    wanted = dict(measure) if isinstance(measure, Mapping) else {m: m for m in measure}
    parsed = {q: _parse(spec, groups is not None) for q, spec in wanted.items()}
    loss_for, reads_loss = _loss(loss)

    def run(values, options: SolveOptions) -> SolveReport:
        from verify.models.frobenius_ufm import FrobeniusUFM
        from verify.solvers.pipeline import solve_constrained

        sizes = tuple(int(n) for n in classes(values))
        model = FrobeniusUFM(sizes, int(get_d(values)), get_w(values), get_h(values), loss=loss_for(values))
        named = {g: tuple(int(k) for k in ks) for g, ks in (groups(values) if groups else {}).items()}
        for q, (_, g, h) in parsed.items():
            for grp in (g, h):
                if grp is not None and grp not in named:
                    raise _error(
                        "measure", f"{q}: group {grp!r} is not defined", f"define it in groups= ({sorted(named)})"
                    )

        def measured(x, ar):
            W, H = model.unpack(x)
            digits = 8 if ar.name == "float64" else options.dps // 2
            out = {}
            for q, spec in parsed.items():
                if spec[0] == "value":
                    out[q] = (model.objective(x, ar),)
                elif spec[0] == "vanished":
                    top = max(abs(v) for v in x)
                    out[q] = (type(top)(1) if top <= 10.0 ** (-digits) else type(top)(0),)
                else:
                    out[q] = _measure_point(W, H, model.labels, model.K, named, spec, digits)
            return out

        return solve_constrained(model, options, measured)

    description = (
        "the unconstrained-features model with Frobenius penalties (mean loss, (lambda/2)||.||_F^2, no bias) on "
        "the individual samples: SLSQP multistart from seeded random starts (best value reached by >= 2), then "
        "mixed-precision Newton refinement of the stationarity system in mpmath; quantities are rotation "
        "invariants of the refined point"
    )
    reads = tuple(dict.fromkeys([*reads_w, *reads_h, *reads_d, *reads_loss]))
    return Solve(run, description, reads, tuple(wanted))
