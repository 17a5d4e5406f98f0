"""The independent solve of the max-margin model (hard margin constraints), any class sizes.

    max_margin_solve(measure={"value": "value", "gram_W": "gram_classifier", ...})

minimises :class:`verify.models.max_margin.MaxMarginModel`, (1/2)(||W||^2 + ||H||^2) subject to
(w_{y_i} - w_c)^T h_i >= 1 for every sample and every other class, from seeded feasible random starts (SLSQP),
then refines the KKT point (active set read off the float solution, multipliers fitted) to the working precision
(:func:`verify.solvers.pipeline.solve_constrained`), and measures the invariants :data:`MARGIN_INVARIANTS`.
The solve never sees a closed form.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from verify.authoring.chains import _pairs
from verify.authoring.solves import Solve, _error

#: What :func:`max_margin_solve` measures (per class "1".."K"; pairs "k,l", k <= l; ordered pairs "k,l" all k, l).
MARGIN_INVARIANTS = {
    "value": "(1/2)(||W||^2 + ||H||^2) at the refined point",
    "gram_classifier": "w_k . w_l, k <= l",
    "gram_means": "hbar_k . hbar_l, k <= l",
    "mean_logits": "w_k . hbar_l for every ordered pair (k, l): the class-mean logit matrix W Hbar",
    "margins": "(w_k - w_c)^T h_{k,i} for every sample i of class k and c != k",
    "feature_norm_sq": "||h_{k,i}||^2 for every sample of class k",
    "multipliers": "KKT multipliers mu_{i,c} of the margin constraints, fitted by least squares from "
    "grad f + J^T mu = 0 at the refined point (all constraints), labelled 'y,c' (sample's class, other class), "
    "one instance per sample",
}


def fitted_multipliers(model, x, ar) -> list:
    """mu solving J^T mu = -grad f in the least-squares sense (normal equations; J: every margin constraint)."""
    import mpmath

    J, g = model.constraint_jacobian(x, ar), model.gradient(x, ar)
    if ar.name == "float64":
        return list(np.linalg.lstsq(J.T, -g, rcond=None)[0])
    Jm, gm = mpmath.matrix(J.tolist()), mpmath.matrix(list(g))
    mu = mpmath.lu_solve(Jm * Jm.T, -(Jm * gm))
    return [mu[r] for r in range(len(model.pairs))]


def margin_invariants(model, x, ar=None) -> dict:
    W, H = model.unpack(x)
    labels = np.asarray(model.labels)
    means = np.stack([H[:, labels == k].sum(axis=1) / n for k, n in enumerate(model.sizes)], axis=1)
    margins = model.margins(x)

    def per_class_margins():
        out = {str(k + 1): [] for k in range(model.K)}
        for m, (i, _) in zip(margins, model.pairs, strict=True):
            out[str(model.labels[i] + 1)].append(m)
        return {k: tuple(v) for k, v in out.items()}

    def norms_sq():
        cols = [(H[:, j] * H[:, j]).sum() for j in range(H.shape[1])]
        return {str(k + 1): tuple(c for c, y in zip(cols, labels, strict=True) if y == k) for k in range(model.K)}

    def logits():
        L = W @ means
        return {f"{k + 1},{m + 1}": (L[k, m],) for k in range(model.K) for m in range(model.K)}

    def multipliers():
        out: dict = {}
        for m, (i, c) in zip(fitted_multipliers(model, x, ar), model.pairs, strict=True):
            out.setdefault(f"{model.labels[i] + 1},{c + 1}", []).append(m)
        return {k: tuple(v) for k, v in out.items()}

    return {
        "multipliers": multipliers,
        "value": lambda: (model.objective(x),),
        "gram_classifier": lambda: _pairs(W @ W.T),
        "gram_means": lambda: _pairs(means.T @ means),
        "mean_logits": logits,
        "margins": per_class_margins,
        "feature_norm_sq": norms_sq,
    }


def max_margin_solve(
    *, sizes: str = "n", dimension: str = "d", measure: Sequence[str] | Mapping[str, str] = ("value",)
) -> Solve:
    """The max-margin model solved from feasible random starts and refined to working precision. ``sizes``: the
    class-size vector parameter; ``dimension``: the feature dimension d (>= K - 1); ``measure``: names of
    :data:`MARGIN_INVARIANTS` or a mapping from your quantity names to them."""
    wanted = dict(measure) if isinstance(measure, Mapping) else {m: m for m in measure}
    unknown = [std for std in wanted.values() if std not in MARGIN_INVARIANTS]
    if unknown:
        raise _error(
            "measure", f"{unknown[0]!r} is not a margin invariant", f"use one of {', '.join(MARGIN_INVARIANTS)}"
        )

    def run(values, options):
        from verify.models.max_margin import MaxMarginModel
        from verify.solvers.pipeline import solve_constrained

        model = MaxMarginModel(tuple(int(n) for n in values[sizes]), int(values[dimension]))

        def measured(x, ar):
            inv = margin_invariants(model, x, ar)
            return {name: inv[std]() for name, std in wanted.items()}

        return solve_constrained(model, options, measured)

    description = (
        "the max-margin program min (1/2)(||W||^2 + ||H||^2) s.t. (w_y - w_c).h_i >= 1, classes of the given sizes: "
        "SLSQP from seeded feasible random starts (best value reached by >= 2), then mixed-precision Newton refinement "
        "of the KKT system (active set from the float solution) in mpmath; quantities are rotation invariants"
    )
    return Solve(run, description, (sizes, dimension), tuple(wanted))
