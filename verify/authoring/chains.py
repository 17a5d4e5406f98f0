"""The independent solve of a chain of linear layers on unconstrained features (squared loss, any class sizes).

    linear_chain_solve(layers=["lambda_W"], features="lambda_H")                 # one layer: W H
    linear_chain_solve(layers=["lambda_1", "lambda_2"], features="lambda_H",     # two layers: W_2 W_1 H
                       widths=lambda v: (int(v["d"]),) * 2)

minimises :class:`verify.models.linear_chain.LinearChainMSE` (1/(2N)||W_M...W_1 H - Y||^2 + (lambda_j/2)||W_j||^2
+ (lambda_H/2)||H||^2) from seeded random starts at several scales (SLSQP), then refines the stationary point to
the working precision (mixed-precision Newton, :func:`verify.solvers.pipeline.solve_constrained`), and measures
the rotation invariants :data:`CHAIN_INVARIANTS` there. ``layers`` lists the penalty of W_1 (next to H) first.
The solve never sees a closed form.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from verify.authoring.solves import Solve, _error, _param

#: What :func:`linear_chain_solve` measures, by name (per class "1".."K", pairs "k,l" with k <= l).
CHAIN_INVARIANTS = {
    "value": "the objective at the refined point",
    "class_singular_value": "||Z 1_k|| / sqrt(n_k), Z = W_M...W_1 H: the singular value of the logits on class k",
    "own_prediction": "mean over class k of the logit z_k (the own-class prediction w_k . hbar_k for M = 1)",
    "gram_classifier": "w_k . w_l for the last layer W_M (rows), k <= l",
    "gram_product": "rows of W_M...W_1: (W_M...W_1)(W_M...W_1)^T, k <= l",
    "gram_means": "hbar_k . hbar_l of the class means of H, k <= l",
    "feature_norm_sq": "||h_{k,i}||^2, every sample i of class k (with gram_means: ||h_{k,i}||^2 = ||hbar_k||^2 for "
    "every i iff the class has collapsed to its mean)",
    "alive": "1 where class k's logit singular value exceeds 10^-(dps/2) (float64, before refinement: 1e-4) of Y's, sqrt(n_k); else 0",
}


def _pairs(G) -> dict:
    K = G.shape[0]
    return {f"{k + 1},{m + 1}": (G[k, m],) for k in range(K) for m in range(k, K)}


def chain_invariants(model, x, ar) -> dict[str, Callable[[], object]]:
    """The invariants of a point of :class:`~verify.models.linear_chain.LinearChainMSE` (lazily computed)."""
    import mpmath

    Ws, H = model.unpack(x)
    P = model.product(Ws)
    Z = P @ H
    sizes, labels = model.sizes, np.asarray(model.labels)
    sqrt = (lambda v: float(np.sqrt(v))) if ar.name == "float64" else mpmath.sqrt
    means = np.stack([H[:, labels == k].sum(axis=1) / n for k, n in enumerate(sizes)], axis=1)

    def singular():
        out = {}
        for k, n in enumerate(sizes):
            col = Z[:, labels == k].sum(axis=1)
            out[str(k + 1)] = (sqrt((col * col).sum()) / sqrt(n),)
        return out

    def norms_sq():
        cols = [(H[:, j] * H[:, j]).sum() for j in range(H.shape[1])]
        return {
            str(k + 1): tuple(c for c, lab in zip(cols, labels, strict=True) if lab == k) for k in range(len(sizes))
        }

    def alive():
        sv, rel = singular(), 1e-4 if ar.name == "float64" else mpmath.mpf(10) ** (-(mpmath.mp.dps // 2))
        return {str(k + 1): (ar.scalar(1 if sv[str(k + 1)][0] > rel * sqrt(n) else 0),) for k, n in enumerate(sizes)}

    return {
        "value": lambda: (model.objective(x, ar),),
        "alive": alive,
        "class_singular_value": singular,
        "own_prediction": lambda: {str(k + 1): (Z[k, labels == k].sum() / n,) for k, n in enumerate(sizes)},
        "gram_classifier": lambda: _pairs(Ws[-1] @ Ws[-1].T),
        "gram_product": lambda: _pairs(P @ P.T),
        "gram_means": lambda: _pairs(means.T @ means),
        "feature_norm_sq": norms_sq,
    }


def linear_chain_solve(
    *,
    layers: Sequence[object] | Callable[[Mapping], Sequence[object]],
    features: object,
    sizes: str = "n",
    widths: Callable[[Mapping], Sequence[int]] | None = None,
    dimension: str = "d",
    measure: Sequence[str] | Mapping[str, str] = ("value", "class_singular_value"),
    min_starts: int = 0,
) -> Solve:
    """The chain model solved from random starts and refined to working precision. ``layers``: the penalties of
    W_1..W_M (parameter names or functions of the values), or a function of the values returning the penalties
    (a depth M that is itself a parameter: ``layers=lambda v: [v["lambda_W"]] * int(v["M"])``); ``features``: that of H; ``sizes``: the class-size
    vector parameter; ``widths(values)``: d_0..d_{M-1} (default: every width = the parameter ``dimension``);
    ``measure``: names of :data:`CHAIN_INVARIANTS` or a mapping from your quantity names to them; ``min_starts``:
    at least this many random starts whatever the options say (deep chains are not benign: local minima with a
    class collapsed, or alive, beside the global one)."""
    if isinstance(layers, str) or (not callable(layers) and not layers):
        raise _error("layers", "give the penalty of every layer, W_1 first", "e.g. layers=['lambda_W']")
    if callable(layers):
        penalties, getters = layers, []
    else:
        getters = [_param(spec, f"layers[{i}]") for i, spec in enumerate(layers)]
        penalties = lambda v: [g(v) for g, _ in getters]  # noqa: E731
    get_h, reads_h = _param(features, "features")
    wanted = dict(measure) if isinstance(measure, Mapping) else {m: m for m in measure}
    unknown = [std for std in wanted.values() if std not in CHAIN_INVARIANTS]
    if unknown:
        raise _error("measure", f"{unknown[0]!r} is not a chain invariant", f"use one of {', '.join(CHAIN_INVARIANTS)}")

    def model(values):
        from fractions import Fraction

        from verify.models.linear_chain import LinearChainMSE

        lams = tuple(Fraction(p) for p in penalties(values))
        M = len(lams)
        dims = tuple(int(w) for w in widths(values)) if widths is not None else (int(values[dimension]),) * M
        return LinearChainMSE(tuple(int(n) for n in values[sizes]), dims, lams, Fraction(get_h(values)))

    def run(values, options):
        from dataclasses import replace

        from verify.solvers.pipeline import solve_constrained

        chain = model(values)
        options = replace(options, n_starts=max(options.n_starts, min_starts))

        def measured(x, ar):
            inv = chain_invariants(chain, x, ar)
            return {name: inv[std]() for name, std in wanted.items()}

        return solve_constrained(chain, options, measured)

    M = len(getters)
    depth = "one-layer" if M == 1 else f"{M}-layer linear" if M else "deep linear"
    description = (
        f"the {depth} squared-loss model on unconstrained features, "
        "1/(2N)||W_M...W_1 H - Y||^2 + lambda/2 penalties, classes of the given sizes: SLSQP multistart from seeded "
        "Gaussian starts at three scales (best value reached by >= 2), then mixed-precision Newton refinement of "
        "the stationary point in mpmath; quantities are rotation invariants of the refined point"
    )
    reads = [r for _, rs in getters for r in rs] + list(reads_h) + [sizes] + ([dimension] if widths is None else [])
    return Solve(run, description, tuple(dict.fromkeys(reads)), tuple(wanted))
