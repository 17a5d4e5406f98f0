"""The independent solve of Dang et al. 2024 problem (4), and the measurement of its invariants (helper, no CLAIM).

Never sees the closed form (verify/claims/dang2024/_closed_form.py is not imported here). The pipeline:

1. Class-mean model (one feature row per class, weight n_k; equivalent at every KKT point, see
   verify/models/relu_features.py): L-BFGS-B with H >= 0 from ``n_starts`` seeded random starts; end values
   grouped (relative 1e-9).
2. The best group's point is polished at ``dps`` digits on its active set with the revival second-order test
   (verify/solvers/nonneg_multistart.py); every other group is polished too and reported as a found local
   minimum (or saddle) with its value and KKT residual — never as a failure.
3. Per-sample model: L-BFGS-B on the full N-sample program from a random start and from the class-mean float
   optimum with every sample perturbed independently (~10%); the best gives the float64 measurements (one
   instance per sample: within-class collapse is measured there, not assumed) and is compared with the
   class-mean value.
4. Thresholds (when asked): global float solves bracket where a class changes state along a scaling of the
   weight decays (or of R), then a secant on the revival curvature pins the root at ``dps`` digits.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from fractions import Fraction

import mpmath
import numpy as np

from verify.models.arith import FLOAT, Arithmetic, mp_arithmetic, to_mpf
from verify.models.relu_features import ReluFeatureModel
from verify.record import SolveOptions, SolveReport, Undefined
from verify.solvers.nonneg_multistart import FloatRun, group_values, lbfgsb, multistart, polish
from verify.solvers.nonneg_second_order import concentrate, polish_with_second_order, revival_curvatures
from verify.solvers.nonneg_thresholds import thresholds
from verify.solvers.threads import single_threaded_blas

#: The per-sample float stage runs when N d <= this (L-BFGS-B on 60 x 8 samples at d = 32 takes ~0.2 s).
MAX_PER_SAMPLE_FEATURES = 40000


def zero_tol(model: ReluFeatureModel, x, ar: Arithmetic, dps: int) -> float:
    """A feature or classifier vector shorter than this is zero: L-BFGS-B and the polish put collapsed rows
    exactly at 0 (L-BFGS-B leaves ~1e-8 near total collapse); 1e-5 (float) or 10^-(dps/2) (mpmath) of the largest row norm (at least the model's natural
    scale, for W = H = 0) leaves many decades to a live row, whose norm is ~ sqrt(distance to the threshold)
    times the largest."""
    from verify.geometry.invariants import norm

    W, H = model.unpack(x)
    top = max([float(norm(h)) for h in H] + [float(norm(w)) for w in W] + [model.natural_scale()])
    return top * (1e-5 if ar is FLOAT else 10.0 ** (-(dps // 2)))


def measure(model: ReluFeatureModel, x, ar: Arithmetic, dps: int) -> dict[str, object]:
    """Every invariant of thm1 at a point: per-class dicts of instances (one per sample of the class)."""
    from verify.geometry.invariants import cosine, norm  # verify.geometry pulls scipy.stats: not at import time

    W, H = model.unpack(x)
    K = model.K
    labels = model.labels
    zt = zero_tol(model, x, ar, dps)
    means = model.class_means(x)
    lw, lh = ar.scalar(model.lambda_W), ar.scalar(model.lambda_H)
    wts = model.row_weights(ar)
    logits = H @ W.T
    rows_of = {k: [r for r in range(model.rows) if labels[r] == k] for k in range(K)}
    one, zero = ar.scalar(1), ar.scalar(0)
    q: dict[str, object] = {}
    q["alive"] = {str(k + 1): tuple(one if norm(H[r]) > zt else zero for r in rows_of[k]) for k in range(K)}
    q["M"] = {
        str(k + 1): tuple(logits[r, k] - logits[r, j] for r in rows_of[k] for j in range(K) if j != k) for k in range(K)
    }
    q["norm_h"] = {str(k + 1): tuple(norm(H[r]) for r in rows_of[k]) for k in range(K)}
    q["gram_H"] = {
        f"{k + 1},{l + 1}": ((means[k] * means[l]).sum(),)
        for k in range(K)
        for l in range(k, K)  # noqa: E741
    }
    q["norm_w"] = {str(k + 1): (norm(W[k]),) for k in range(K)}
    q["gram_W"] = {f"{k + 1},{l + 1}": ((W[k] * W[l]).sum(),) for k in range(K) for l in range(k, K)}  # noqa: E741
    q["cos_w"] = {
        f"{k + 1},{l + 1}": (cosine(W[k], W[l], zero_tol=zt, names=(f"w_{k + 1}", f"w_{l + 1}")),)
        for k in range(K)
        for l in range(k + 1, K)  # noqa: E741
    }
    q["cos_wh"] = {
        f"{k + 1},{l + 1}": tuple(
            cosine(W[k], H[r], zero_tol=zt, names=(f"w_{k + 1}", f"h_{l + 1}")) for r in rows_of[l]
        )
        for k in range(K)
        for l in range(K)  # noqa: E741
    }
    q["value"] = (model.objective(x, ar),)
    q["balance"] = (lw * (W * W).sum(), lh * (wts[:, None] * H * H).sum())
    return q


def solve_relu(
    class_sizes: tuple[int, ...],
    d: int,
    lambda_W: Fraction,
    lambda_H: Fraction,
    options: SolveOptions,
    *,
    convention: str = "mean",
    extra: Callable[[ReluFeatureModel, SolveOptions], tuple[dict, list[str], bool]] | None = None,
) -> SolveReport:
    """Solve (4) for the class sizes; measure thm1's invariants; ``extra`` adds measured thresholds. Refused
    before any work (one line naming K and d) when the class-mean problem has more unknowns than the dense
    pipeline's limit (verify/solvers/pipeline.py: 2000 classes would run for hours)."""
    from verify.base.errors import InputError
    from verify.solvers.pipeline import MAX_DIM

    K = len(class_sizes)
    if 2 * K * d > MAX_DIM:  # W (K x d) and the class means (K x d)
        raise InputError(
            f"the solve has {2 * K * d} unknowns (K = {K} classes, d = {d}), above the dense solver's limit of {MAX_DIM}",
            parameter="n",
            fix="use fewer classes or a smaller d (K d <= 1500); the closed form needs no solve: nc-verify eval",
        )
    with single_threaded_blas():
        return _solve(class_sizes, d, lambda_W, lambda_H, options, convention, extra)


def _solve(class_sizes, d, lambda_W, lambda_H, options, convention, extra) -> SolveReport:
    t0 = time.perf_counter()
    full = ReluFeatureModel(tuple(class_sizes), d, lambda_W, lambda_H, convention)
    model = full.class_mean_model()
    n_starts = max(options.n_starts, 4)
    runs = multistart(model, n_starts=n_starts, seed=options.seed)
    groups = group_values(runs)
    best = polish_with_second_order(model, groups[0][0].x, dps=options.dps)
    messages = [f"{best.point.message}; second-order revival test: {best.status} ({best.detail})"]
    converged = best.point.converged and best.status in ("passed", "no collapsed row")
    agreeing = len(groups[0])
    if agreeing < options.min_agreeing:
        converged = False
        messages.append(
            f"best value reached by {agreeing} of {n_starts} starts (< {options.min_agreeing}): global minimality "
            "not corroborated; try more starts (--starts)"
        )
    # every other end value: a found local minimum (or saddle), polished and reported
    local_minima = []
    with mpmath.workdps(options.dps):
        best_value = best.point.value
        for grp in groups[1:]:
            pt = polish(model, grp[0].x, dps=options.dps)
            curv = revival_curvatures(model, concentrate(model, pt.x, options.dps), options.dps) if pt.converged else []
            saddle = any(c[2] < -c[3] for c in curv)
            kind = "saddle (a zero feature row has a descent direction)" if saddle else "local minimum"
            if not pt.converged:
                kind = "unpolished end point"
            if pt.converged and pt.value < best_value * (1 - mpmath.mpf(10) ** -(options.dps - 8)):
                converged = False
                messages.append(f"a polished worse float group reached a lower value {mpmath.nstr(pt.value, 15)}")
            local_minima.append(
                {
                    "value": mpmath.nstr(pt.value, 20),
                    "kkt_residual": f"{pt.kkt_residual:.1e}",
                    "description": f"{kind}: {len(grp)} of {n_starts} L-BFGS-B starts (class-mean model, d = {d}, "
                    f"K = {model.K}, d/K = {d / model.K:.3g}) stopped here, {mpmath.nstr(pt.value - best_value, 3)} "
                    f"above the best; {pt.message}",
                }
            )
        quantities = measure(model, best.point.x, mp_arithmetic(), options.dps)
    # per-sample float stage: within-class collapse measured, not assumed
    float_q: dict = {}
    residuals = {
        "kkt_stationarity": best.point.stationarity,
        "kkt_dual_feasibility": best.point.dual_feasibility,
        "kkt_complementarity": best.point.complementarity,
        "kkt_primal_feasibility": best.point.primal_feasibility,
        "newton_last_step": best.point.last_step,
    }
    if full.N * d <= MAX_PER_SAMPLE_FEATURES:
        fruns = multistart(full, n_starts=1, seed=options.seed + 1)
        # and from the class-mean float optimum, every sample's feature perturbed independently by ~10%: the
        # samples must re-collapse (within-class collapse measured, not assumed)
        rng = np.random.default_rng(options.seed + 2)
        x0 = full.expand(groups[0][0].x)
        W0, H0 = full.unpack(x0)
        x0 = full.pack(W0, H0 * np.abs(1 + 0.1 * rng.standard_normal(H0.shape)))
        xs = lbfgsb(full, x0)
        _, g = full.value_and_gradient(xs)
        pg = np.where(full.bounded() & (xs <= 0), np.minimum(g, 0), g)
        fruns.append(FloatRun(xs, float(full.objective(xs)), float(np.max(np.abs(pg))), 1, 0.1))
        fbest = min(fruns, key=lambda r: r.value)
        float_q = measure(full, fbest.x, FLOAT, options.dps)
        means = full.class_means(fbest.x)
        _, Hs = full.unpack(fbest.x)
        spread = max(float(np.linalg.norm(Hs[r] - means[full.labels[r]])) for r in range(full.N))
        top = max(float(np.linalg.norm(m)) for m in means) or 1.0
        residuals["per_sample_within_class_spread"] = spread / top
        rel = (fbest.value - float(best_value)) / max(abs(float(best_value)), 1e-300)
        residuals["per_sample_value_minus_best_relative"] = rel
        if rel < -1e-9:
            converged = False
            messages.append(
                f"the per-sample float solve found a lower value ({fbest.value!r}): class-mean multistart missed it"
            )
        for r in fruns:
            if (r.value - float(best_value)) > 1e-9 * abs(float(best_value)):
                local_minima.append(
                    {
                        "value": repr(r.value),
                        "kkt_residual": f"{r.projected_gradient:.1e} (float projected gradient)",
                        "description": f"per-sample model (N = {full.N}, d = {d}): an L-BFGS-B start stopped at a worse "
                        "end point (float64 only)",
                    }
                )
    else:
        messages.append(f"per-sample float stage skipped (N d = {full.N * d} > {MAX_PER_SAMPLE_FEATURES})")
    details = {
        "starts": n_starts,
        "starts_at_best": agreeing,
        "start_values": [r.value for r in runs],
        "second_order": best.status,
        "revival_curvatures": [list(c) for c in best.curvatures],
        "active_variables": int(best.point.active.sum()),
        "newton_steps": best.point.iterations,
        "local_minima": local_minima,
    }
    if extra is not None:
        tq, tmsg, tok = extra(model, options)
        quantities.update(tq)
        messages.extend(tmsg)
        converged = converged and tok
    return SolveReport(
        converged=converged,
        message="; ".join(messages),
        quantities=quantities,
        float_quantities=float_q,
        residuals=residuals,
        dps=options.dps,
        seconds=time.perf_counter() - t0,
        details=details,
        point=best.point.x,
    )


def _times(s, x: Fraction):
    """s * x in the number system of s (float during the global bracket, mpf during the secant)."""
    return s * float(x) if isinstance(s, float) else s * to_mpf(x)


# --- thresholds -----------------------------------------------------------------------------------------------
def lambda_thresholds(model: ReluFeatureModel, options: SolveOptions) -> tuple[dict, list[str], bool]:
    """Measured T_k (lambda_W lambda_H at which class k collapses, scaling both decays by s: T = s*^2 lambda_W
    lambda_H), n* = n_k lambda_W lambda_H / T_k (one instance per class) and max_k T_k. Classes of equal size
    are exchangeable rows and are held at zero together."""
    sizes = model.class_sizes
    lw, lh = Fraction(model.lambda_W), Fraction(model.lambda_H)
    found: dict = {}
    msgs, ok = [], True
    groups = [[k for k, v in enumerate(sizes) if v == size] for size in sorted(set(sizes))]

    def make(s):
        return ReluFeatureModel(sizes, model.d, _times(s, lw), _times(s, lh), model.convention, False)

    with mpmath.workdps(options.dps + 10):
        for rows, th in zip(
            groups, thresholds(make, groups=groups, s0=1.0, dps=options.dps, seed=options.seed), strict=True
        ):
            msgs.append(f"T for n_k = {sizes[rows[0]]}: {th.message}")
            ok &= th.converged
            for k in rows:
                found[k] = Undefined(th.message) if th.s is None else th.s**2 * to_mpf(lw) * to_mpf(lh)
    with mpmath.workdps(options.dps):
        T = {str(k + 1): (found[k] if isinstance(found[k], Undefined) else +found[k],) for k in range(model.K)}
        prod = to_mpf(lw) * to_mpf(lh)
        nstar = tuple(
            Undefined("threshold not measured")
            if isinstance(found[k], Undefined)
            else mpmath.mpf(sizes[k]) * prod / found[k]
            for k in range(model.K)
        )
        defined = [v for v in found.values() if not isinstance(v, Undefined)]
        total = (max(defined),) if len(defined) == model.K else (Undefined("a threshold was not measured"),)
    return {"collapse_lambda": T, "collapse_size": nstar, "total_collapse_lambda": total}, msgs, ok


def two_group_sizes(K_A: int, K_B: int, n_B: Fraction, R: Fraction) -> tuple[Fraction, ...]:
    """n = (R n_B,) * K_A + (n_B,) * K_B (exact)."""
    return (Fraction(R) * n_B,) * K_A + (Fraction(n_B),) * K_B


def r_star_threshold(K_A: int, K_B: int, n_B: Fraction, R: Fraction):
    """An ``extra`` for :func:`solve_relu`: R* measured along the path n_A = s n_B (class-mean model, real s):
    global sweep of the minority's state, then the secant on a minority row's revival curvature. Undefined
    (with the reason) when the minority is collapsed down to s = R / 2^20 (R* <= 0: never alive)."""

    def extra(model: ReluFeatureModel, options: SolveOptions) -> tuple[dict, list[str], bool]:
        minority = list(range(K_A, K_A + K_B))

        def make(s):
            nA = s * (float(n_B) if isinstance(s, float) else to_mpf(n_B))
            sizes = (nA,) * K_A + (Fraction(n_B),) * K_B
            return ReluFeatureModel(sizes, model.d, model.lambda_W, model.lambda_H, model.convention, False)

        with mpmath.workdps(options.dps + 10):
            (th,) = thresholds(make, groups=[minority], s0=float(R), dps=options.dps, seed=options.seed)
        with mpmath.workdps(options.dps):
            if th.s is not None:
                return {"R_star": (+th.s,)}, [f"R*: {th.message}"], True
            never = th.bracket[0] <= float(R) / 2**19 and "0 flips" in th.message
            reason = "the minority is collapsed at every R > 0 (R* <= 0)" if never else th.message
            return {"R_star": (Undefined(reason),)}, [f"R*: {reason}"], never

    return extra
