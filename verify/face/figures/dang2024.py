"""Dang et al. 2024, two class sizes: norms and cosines of the optimum against the imbalance ratio R, R* marked.

Curves: the closed forms of dang2024.prop1 (verify/claims/dang2024/_closed_form.py) at n_A = R n_B on a log grid
(real R). Markers: independent solves of problem (4) (verify/claims/dang2024/_solve.py, no thresholds) at ratios
with R n_B an integer, so every figure shows theory and measurement side by side. matplotlib is imported lazily
(the ``docs`` extra); without it a one-line :class:`verify.base.errors.InputError` names the extra.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import mpmath
import numpy as np

from verify.base.errors import InputError

#: Curve quantities of prop1 plotted, by panel.
NORMS = ("norm_h_majority", "norm_h_minority", "norm_w_majority", "norm_w_minority")
COSINES = ("cos_w_majority", "cos_w_minority", "cos_w_majority_minority", "cos_wh_majority", "cos_wh_minority")


@dataclass(frozen=True)
class TwoGroupFigure:
    values: dict  # K_A, K_B, n_B, lambda_W, lambda_H
    ratios: np.ndarray
    curves: dict  # quantity -> array (nan where undefined)
    marker_ratios: tuple
    markers: dict  # quantity -> list (nan where undefined)
    converged: tuple
    r_star: float | None


def _f(v) -> float:
    return float("nan") if not isinstance(v, mpmath.mpf) else float(v)


def _refuse_total_collapse(values: dict, r_min: float) -> None:
    """Every class collapses (W = 0, H = 0) for all R >= r_min once lambda_W lambda_H >= (K-1) n_A / (K N^2) at
    r_min (the largest class's threshold, decreasing in R): nothing to draw, refused before any solve
    (lambda_H = 1e30 would otherwise spend minutes polishing zeros)."""
    from verify.claims.dang2024._closed_form import total_collapse_lambda

    KA, KB, nB = int(values["K_A"]), int(values["K_B"]), Fraction(values["n_B"])
    sizes = (Fraction(f"{r_min:.12g}") * nB,) * KA + (nB,) * KB
    threshold = total_collapse_lambda(sizes)
    if values["lambda_W"] * values["lambda_H"] >= threshold:
        raise InputError(
            f"lambda_W lambda_H = {float(values['lambda_W'] * values['lambda_H']):.3g}: every class collapses "
            f"(W = 0, H = 0) for every R >= {r_min:g}",
            parameter="lambda_H",
            fix=f"give lambda_W lambda_H < {float(threshold):.3g} (the total-collapse threshold at R = {r_min:g})",
        )


def figure_data(values: dict, *, r_min: float, r_max: float, points: int, markers: int = 6, dps: int = 20):
    """Closed-form curves and solved markers for prop1 at (K_A, K_B, n_B, lambda_W, lambda_H), R in [r_min, r_max]."""
    from verify.claims.dang2024 import prop1
    from verify.claims.dang2024._solve import solve_relu
    from verify.record import SolveOptions

    if not (1 <= r_min < r_max):
        raise InputError(f"--r-min {r_min}, --r-max {r_max}", parameter="--r-min", fix="need 1 <= r-min < r-max")
    if points < 2:
        raise InputError(f"--points {points}", parameter="--points", fix="use at least 2 points")
    _refuse_total_collapse(values, r_min)
    ratios = np.geomspace(r_min, r_max, points)
    curves = {q: [] for q in NORMS + COSINES}
    for r in ratios:
        v = {**values, "R": Fraction(f"{r:.12g}"), "d": Fraction(1)}
        with mpmath.workdps(dps):
            for q in curves:
                curves[q].append(_f(prop1.CLAIM.quantity(q).reference(v, dps)))
    nB = int(values["n_B"])
    lo, hi = int(np.ceil(r_min * nB)), int(np.floor(r_max * nB))
    counts = sorted({int(round(c)) for c in np.geomspace(max(lo, nB), max(hi, nB), markers)} & set(range(lo, hi + 1)))
    KA, KB = int(values["K_A"]), int(values["K_B"])
    mark = {q: [] for q in curves}
    conv = []
    for nA in counts:
        v = {**values, "R": Fraction(nA, nB), "d": Fraction(4 * (KA + KB))}
        rep = solve_relu(
            (nA,) * KA + (nB,) * KB, 4 * (KA + KB), values["lambda_W"], values["lambda_H"], SolveOptions(dps=dps)
        )
        agg = prop1._aggregate(rep.quantities, v)
        for q in mark:
            inst = [x for x in agg[q] if isinstance(x, mpmath.mpf)]
            mark[q].append(float(np.mean([float(x) for x in inst])) if inst else float("nan"))
        conv.append(rep.converged)
    with mpmath.workdps(dps):
        rs = prop1.r_star_value({**values, "R": Fraction(1), "d": Fraction(1)}, dps)
    return TwoGroupFigure(
        values,
        ratios,
        {q: np.array(c) for q, c in curves.items()},
        tuple(Fraction(c, nB) for c in counts),
        mark,
        tuple(conv),
        None if not isinstance(rs, mpmath.mpf) else float(rs),
    )


def plot(fig: TwoGroupFigure, outputs: Sequence[str]) -> None:
    from verify.face.figures.output import _pyplot, check_outputs

    check_outputs(outputs)
    plt = _pyplot()
    f, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    mr = [float(r) for r in fig.marker_ratios]
    for ax, names in ((ax1, NORMS), (ax2, COSINES)):
        for i, q in enumerate(names):
            c = colours[i % len(colours)]
            ax.plot(fig.ratios, fig.curves[q], color=c, label=q.replace("_", " "))
            ax.plot(mr, fig.markers[q], "o", color=c, mfc="none", ms=6)
        if fig.r_star is not None and fig.ratios[0] <= fig.r_star <= fig.ratios[-1]:
            ax.axvline(fig.r_star, color="k", ls="--", lw=1)
            ax.text(fig.r_star, ax.get_ylim()[1], " R*", va="top")
        ax.set_xscale("log")
        ax.set_xlabel("R = n_A / n_B")
        ax.legend(fontsize=7)
    v = fig.values
    ax1.set_title("norms (lines: closed form; circles: independent solves)", fontsize=9)
    ax2.set_title("cosines (undefined where a vector is 0: not drawn)", fontsize=9)
    f.suptitle(
        f"Dang et al. 2024, ReLU features: K_A = {v['K_A']}, K_B = {v['K_B']}, n_B = {v['n_B']}, "
        f"lambda_W = {v['lambda_W']}, lambda_H = {v['lambda_H']}",
        fontsize=10,
    )
    f.tight_layout()
    for out in outputs:
        f.savefig(out, **({"metadata": {"Date": None}} if out.endswith(".svg") else {}))
    plt.close(f)


def figure(claim, assignments, args):
    """``nc-verify plot dang2024.prop1 K_A=.. K_B=.. n_B=.. lambda_W=.. lambda_H=.. --out F.png --out F.svg``
    (dispatched by verify.face.figures); without --r-max the range ends at 4 R* (or 100 when the minority never lives)."""
    from verify.face.figures import Figure
    from verify.face.figures.output import check_outputs
    from verify.face.schema import SCHEMA_VERSION

    given = dict(assignments)
    missing = [k for k in ("K_A", "K_B", "n_B", "lambda_W", "lambda_H") if k not in given]
    if missing:
        raise InputError(
            f"plot {claim.id} needs {', '.join(missing)}",
            parameter=missing[0],
            fix="e.g. K_A=3 K_B=3 n_B=5 lambda_W=1/50 lambda_H=1/50 (R is swept)",
        )
    params = claim.parse({**given, "R": "1"})
    check_outputs(args.out)
    values = {k: params[k] for k in ("K_A", "K_B", "n_B", "lambda_W", "lambda_H")}
    r_max = args.r_max
    if r_max == 1e4:  # the Figure 3 default of the shared option: pick a range around R* instead
        from verify.claims.dang2024 import prop1

        with mpmath.workdps(20):
            rs = prop1.r_star_value(dict(params), 20)
        r_max = 4 * float(rs) if isinstance(rs, mpmath.mpf) and rs > 1 else 100.0
    fig = figure_data(values, r_min=args.r_min, r_max=r_max, points=args.points)
    plot(fig, args.out)
    rs = "none (the minority never lives)" if fig.r_star is None else f"{fig.r_star:.15g}"
    text = f"wrote {', '.join(args.out)}: R* = {rs}, {sum(fig.converged)} of {len(fig.converged)} solves converged"
    data = {
        "schema": SCHEMA_VERSION,
        "claim": claim.id,
        "files": list(args.out),
        "points": len(fig.converged),
        "converged": int(sum(fig.converged)),
    }
    return Figure(data=data, text=text, complete=all(fig.converged))
