"""The unconstrained features model with Frobenius penalties and a bias, for claims' independent solves.

The kit's :func:`~verify.authoring.solves.layer_peeled_solve` states Fang et al.'s normalised budgets or
penalties and has no bias. Zhu et al. 2021 (NeurIPS) and the papers built on it (Zhou et al. 2022, label
smoothing and focal loss) use ``(1/N) sum L(W h_i + b, y_i) + (lambda_W/2)||W||_F^2 + (lambda_H/2)||H||_F^2
+ (lambda_b/2)||b||^2`` with three bias variants; :func:`ufm_solve` solves that program
(:class:`verify.models.ufm.UnconstrainedFeaturesModel`) from random starts and refines it to working precision
(the same pipeline: SLSQP multistart, mixed-precision Newton), measuring the invariants of :data:`UFM_INVARIANTS`.

``zero_threshold``: the penalty lambda_H at which the origin stops being a strict local minimum, found without
any closed form: the Hessian of f at (W, H) = (0, 0) is computed by central differences of the analytic
gradient (at twice the working precision), and the value of lambda_H where its (W, H) block becomes singular is
the largest eigenvalue of the Schur complement B^T A^-1 B - C (the Hessian is affine in lambda_H, with the
lambda_H I on the H block): a generalised eigenvalue, computed in mpmath.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction

import mpmath
import numpy as np

from verify.authoring.solves import Solve, _error, _loss, _param, _zero
from verify.record import SolveOptions, SolveReport, Undefined

#: The invariants :func:`ufm_solve` measures, by name (rotation invariants, never raw arrays).
UFM_INVARIANTS = {
    "value": "the objective at the minimiser",
    "classifier_norm_sq": "||w_k||^2 for every class",
    "feature_norm_sq": "||h_{k,i}||^2 for every sample",
    "cosine_classifiers": "cos(w_k, w_l), every pair k < l",
    "cosine": "cos(hbar_k, hbar_l) of the class means, every pair k < l",
    "cos_feature_classifier": "cos(h_{k,i}, w_k) for every sample",
    "C": "||h_{k,i}|| / ||w_k|| for every sample",
    "logit_gap": "z_y - z_c (bias included) for every sample and every c != y",
    "classifier_sum": "||sum_k w_k|| / max_k ||w_k|| (0 iff the rows of W sum to zero)",
    "within_class_spread": "max_i ||h_{k,i} - hbar_k|| / max_i ||h_i|| (0 iff features collapse to the means)",
    "bias_spread": "max_k b_k - min_k b_k (0 without a bias)",
    "bias_norm": "||b|| (0 without a bias)",
    "zero_threshold": "lambda_H where the Hessian of f at (W, H) = 0 becomes singular (the origin's stability edge)",
    "origin_curvature": "the smallest eigenvalue of the (W, H) block of the Hessian of f at the origin",
}


def _measure(model, x, ar, zero_digits: int) -> dict[str, Callable[[], tuple]]:
    from verify.geometry import cosine, norm, pairwise_cosines
    from verify.geometry.collapse import class_means

    W, H, b = model.unpack(x)
    labels, K = model.labels, model.K
    # a row is zero below 10^-digits of its block's longest row, or below 10^-digits absolutely (the zero
    # regimes: the whole block is 0 to the solve's accuracy, and relative comparisons would call it nonzero)
    floor = 10.0 ** (-zero_digits)
    tol_h, tol_w = max(_zero(H, zero_digits), floor), max(_zero(W, zero_digits), floor)
    means = class_means(H, labels, K)
    Z = H @ W.T + b[None, :]

    def ratio():
        out = []
        for j in range(len(H)):
            w = norm(W[labels[j]])
            out.append(Undefined(f"||w_{labels[j] + 1}|| = 0") if w <= tol_w else norm(H[j]) / w)
        return tuple(out)

    def longest(rows):
        return max(norm(r) for r in rows)

    def relative(num, den, what):
        return (Undefined(f"{what} = 0"),) if den <= 0 else (num / den,)

    return {
        "value": lambda: (model.objective(x, ar),),
        "classifier_norm_sq": lambda: tuple(w @ w for w in W),
        "feature_norm_sq": lambda: tuple(h @ h for h in H),
        "cosine_classifiers": lambda: pairwise_cosines(W, zero_tol=tol_w, label="w"),
        "cosine": lambda: pairwise_cosines(means, zero_tol=tol_h, label="hbar"),
        "cos_feature_classifier": lambda: tuple(
            cosine(H[j], W[labels[j]], zero_tol=min(tol_h, tol_w), names=(f"h_{j + 1}", f"w_{labels[j] + 1}"))
            for j in range(len(H))
        ),
        "C": ratio,
        "logit_gap": lambda: tuple(
            Z[j, labels[j]] - Z[j, c] for j in range(len(H)) for c in range(K) if c != labels[j]
        ),
        "classifier_sum": lambda: relative(norm(W.sum(axis=0)), longest(W), "max ||w_k||"),
        "within_class_spread": lambda: relative(
            max(norm(H[j] - means[labels[j]]) for j in range(len(H))), longest(H), "max ||h_i||"
        ),
        "bias_spread": lambda: (max(b) - min(b),),
        "bias_norm": lambda: (norm(b),),
    }


def origin_hessian(model, dps: int):
    """The (W, H) block of the Hessian of ``model``'s objective at the origin, at ``dps`` digits: central
    differences of the analytic gradient at 2 dps + 10 digits with step 10^-(dps+5) (truncation O(h^2) and
    rounding O(10^-(2dps+10)/h) both below 10^-dps), symmetrised. An mpmath matrix."""
    from verify.models.arith import mp_arithmetic

    size = (model.K + model.N) * model.d
    with mpmath.workdps(2 * dps + 10):
        ar = mp_arithmetic()
        h = mpmath.mpf(10) ** -(dps + 5)
        zero = np.array([mpmath.mpf(0)] * model.dim, dtype=object)
        cols = []
        for j in range(size):
            e = zero.copy()
            e[j] = h
            cols.append((model.gradient(zero + e, ar) - model.gradient(zero - e, ar))[:size] / (2 * h))
        return mpmath.matrix([[(cols[i][j] + cols[j][i]) / 2 for j in range(size)] for i in range(size)])


def origin_curvature(model, dps: int) -> mpmath.mpf:
    """The smallest eigenvalue of :func:`origin_hessian` (negative: the origin is a strict saddle)."""
    hess = origin_hessian(model, dps)
    with mpmath.workdps(2 * dps + 10):
        return +min(mpmath.eigsy(hess, eigvals_only=True))


def zero_threshold(model, dps: int) -> mpmath.mpf:
    """lambda_H at which the (W, H) block of the Hessian of ``model`` at the origin becomes singular.

    The Hessian (:func:`origin_hessian`) minus lambda_H times the identity on the H block is lambda_H-free (the
    penalty is the only lambda_H term); [[A, B], [B^T, C + l I]] with A positive definite is singular at the
    eigenvalues l of B^T A^-1 B - C, and the origin's stability edge is the largest. Sees no closed form."""
    from verify.models.arith import to_mpf

    kd = model.K * model.d
    hess = origin_hessian(model, dps)
    with mpmath.workdps(2 * dps + 10):
        lh = to_mpf(model.lambda_H)
        nd = hess.rows - kd
        A, B = hess[:kd, :kd], hess[:kd, kd:]
        C = hess[kd:, kd:] - lh * mpmath.eye(nd)
        S = B.T * mpmath.inverse(A) * B - C
        return +max(mpmath.eigsy((S + S.T) / 2, eigvals_only=True))


#: Invariants of the program at the origin (measured once per solve, not at the minimiser).
ORIGIN = {"zero_threshold": zero_threshold, "origin_curvature": origin_curvature}


def ufm_solve(
    *,
    penalties: Mapping[str, object],
    bias: str | Callable[[Mapping], str] = "none",
    loss=None,
    measure: Sequence[str] | Mapping[str, str] = ("value", "classifier_norm_sq", "feature_norm_sq", "cosine"),
    classes: Callable[[Mapping], Sequence[int]] | None = None,
    dimension: str | Callable[[Mapping], int] = "d",
) -> Solve:
    """Zhu et al. 2021's regularised unconstrained features model, solved from random starts and refined.

    ``penalties={"W": "lambda_W", "H": "lambda_H"}`` (and ``"b"`` for a penalised bias): parameter names or
    functions of the values, multiplying (1/2)||.||_F^2 (unnormalised). ``bias``: ``"none"``, ``"free"``,
    ``"penalised"``, or a function of the values returning one of them. ``loss``: as for
    :func:`~verify.authoring.solves.layer_peeled_solve` (None: cross-entropy; a SoftmaxLossFamily such as label
    smoothing or focal loss). ``measure``: names of :data:`UFM_INVARIANTS` or a mapping from your quantity names
    to them. ``classes``: class sizes (default K classes of n). ``dimension``: the feature dimension d."""
    if set(penalties) - {"W", "H", "b"} or not {"W", "H"} <= set(penalties):
        raise _error("penalties", f"keys {sorted(penalties)} are not W, H (and b)", "give {'W': ..., 'H': ...}")
    if bias == "penalised" and "b" not in penalties:
        raise _error("penalties", "a penalised bias needs penalties['b']", "give penalties={..., 'b': 'lambda_b'}")
    if isinstance(bias, str) and bias not in ("none", "free", "penalised"):
        raise _error(
            "bias", f"{bias!r} is not none, free or penalised", "give one of them, or a function of the values"
        )
    getters = {k: _param(v, f"penalties[{k!r}]") for k, v in penalties.items()}
    get_p, reads_p = _param(dimension, "dimension")
    bias_of = bias if callable(bias) else (lambda v, b=bias: b)
    if isinstance(measure, str):
        measure = (measure,)
    wanted = dict(measure) if isinstance(measure, Mapping) else {m: m for m in measure}
    unknown = [std for std in wanted.values() if std not in UFM_INVARIANTS]
    if unknown:
        raise _error("measure", f"{unknown[0]!r} is not a UFM invariant", f"use one of {', '.join(UFM_INVARIANTS)}")
    loss_for, reads_loss = _loss(loss)

    def model(values):
        from verify.models.ufm import UnconstrainedFeaturesModel

        if classes is not None:
            sizes = tuple(int(n) for n in classes(values))
        else:
            sizes = (int(values.get("n", Fraction(1))),) * int(values["K"])
        kind = bias_of(values)
        lb = getters["b"][0](values) if (kind == "penalised" and "b" in getters) else 0
        return UnconstrainedFeaturesModel(
            sizes, int(get_p(values)), getters["W"][0](values), getters["H"][0](values), kind, lb, loss_for(values)
        )

    def run(values, options: SolveOptions) -> SolveReport:
        from verify.solvers.pipeline import solve_constrained

        ufm = model(values)

        def measured(x, ar):
            digits = 8 if ar.name == "float64" else options.dps // 2
            inv = _measure(ufm, x, ar, digits)
            out = {}
            for name, std in wanted.items():
                if std in ORIGIN:
                    if ar.name != "float64":  # a property of the program at 0, not of the point: once, in mpmath
                        out[name] = (ORIGIN[std](ufm, options.dps),)
                    continue
                out[name] = inv[std]()
            return out

        return solve_constrained(ufm, options, measured)

    description = (
        "Zhu et al. 2021's regularised program (mean loss, (lambda/2)||.||_F^2 penalties, "
        f"{'bias ' + bias if isinstance(bias, str) else 'bias as the values say'}) with the "
        f"{getattr(loss, 'name', 'cross-entropy') if loss is not None else 'cross-entropy'} loss: SLSQP multistart "
        "from seeded random starts (best value reached by >= 2), then mixed-precision Newton refinement of the "
        "stationarity system in mpmath; quantities are rotation invariants of the refined point"
    )
    if set(ORIGIN) & set(wanted.values()):
        description += "; at the origin: the FD Hessian at 0 at twice the precision (its smallest eigenvalue; the "
        description += "lambda_H where it turns singular as a Schur-complement eigenvalue)"
    reads = tuple(dict.fromkeys([r for g in getters.values() for r in g[1]] + [*reads_p, *reads_loss]))
    return Solve(run, description, reads, tuple(wanted))
