"""The independent solve on a product of unit spheres: normalised features and classifiers, CE with temperature.

    sphere_product_solve(temperature="tau", measure={"value": "value", "gram_W": "gram_classifier"})

minimises :class:`verify.models.sphere_product.SphereProductCE` ((1/N) sum CE(W h_i/tau, y_i) with ||w_k|| =
||h_i|| = 1) over free vectors used through v/||v|| plus a radial term that vanishes on the manifold (so each
minimiser is isolated up to rotation), from seeded random unit starts (SLSQP), then refines the stationary point
to the working precision (:func:`verify.solvers.pipeline.solve_constrained`) and measures
:data:`SPHERE_INVARIANTS` at the normalised point. The solve never sees a closed form.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction

from verify.authoring.chains import _pairs
from verify.authoring.solves import Solve, _error, _param

#: What :func:`sphere_product_solve` measures (pairs "k,l" with k <= l; per class "1".."K").
SPHERE_INVARIANTS = {
    "value": "(1/N) sum_i CE(W h_i / tau, y_i) at the normalised refined point",
    "gram_classifier": "w_k . w_l (cosines: the vectors are unit), k <= l",
    "feature_classifier": "h_{k,i} . w_k for every sample of class k (1 iff h_{k,i} = w_k)",
    "radial": "max | ||v|| - 1 | over the free vectors (0 on the manifold: a check of the parametrisation)",
}


def sphere_invariants(model, x, ar) -> dict[str, Callable[[], object]]:
    W, H = model.unit_point(x, ar)
    labels = model.labels

    def alignment():
        dots = [(H[:, j] * W[labels[j]]).sum() for j in range(model.N)]
        return {str(k + 1): tuple(v for v, y in zip(dots, labels, strict=True) if y == k) for k in range(model.K)}

    def radial():
        V = model.vectors(x)
        return (max(abs((v * v).sum() ** 0.5 - 1) for v in V),)

    return {
        "value": lambda: (model.loss(x, ar),),
        "gram_classifier": lambda: _pairs(W @ W.T),
        "feature_classifier": alignment,
        "radial": radial,
    }


def sphere_product_solve(
    *,
    temperature: object = "tau",
    classes: Callable[[Mapping], Sequence[int]] | None = None,
    dimension: str = "d",
    measure: Sequence[str] | Mapping[str, str] = ("value",),
) -> Solve:
    """``temperature``: tau (a parameter name or a function of the values); ``classes(values)``: the class sizes
    (default: K classes of n, n = 1 when the claim has no n); ``dimension``: d; ``measure``: names of
    :data:`SPHERE_INVARIANTS` or a mapping from your quantity names to them."""
    get_tau, reads_tau = _param(temperature, "temperature")
    wanted = dict(measure) if isinstance(measure, Mapping) else {m: m for m in measure}
    unknown = [std for std in wanted.values() if std not in SPHERE_INVARIANTS]
    if unknown:
        raise _error(
            "measure", f"{unknown[0]!r} is not a sphere invariant", f"use one of {', '.join(SPHERE_INVARIANTS)}"
        )

    def sizes(values) -> tuple[int, ...]:
        if classes is not None:
            return tuple(int(n) for n in classes(values))
        return (int(values.get("n", 1)),) * int(values["K"])

    def run(values, options):
        from verify.models.sphere_product import SphereProductCE
        from verify.solvers.pipeline import solve_constrained

        model = SphereProductCE(sizes(values), int(values[dimension]), Fraction(get_tau(values)))

        def measured(x, ar):
            inv = sphere_invariants(model, x, ar)
            return {name: inv[std]() for name, std in wanted.items()}

        return solve_constrained(model, options, measured)

    description = (
        "cross-entropy with temperature on unit-norm classifiers and features (free vectors used through v/||v||, "
        "plus a radial term zero on the manifold): SLSQP from seeded random unit starts (best value reached by >= 2), "
        "then mixed-precision Newton refinement in mpmath; quantities are rotation invariants of the normalised point"
    )
    return Solve(run, description, (*reads_tau, dimension), tuple(wanted))
