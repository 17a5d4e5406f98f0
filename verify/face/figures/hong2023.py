"""Family F (hong2023.*): the minority and between-group classifier cosines against the imbalance ratio R.

Curves: the convex program in the logits (verify/claims/hong2023/_program.py: four-scalar reduction, active-set
Newton) at real R on a log grid. Markers: independent solves of the original (W, H) program on the individual
samples (the claim's ``group_ufm_solve``) at ratios with R n_B an integer. The dashed line is R* in closed form, where
the minority cosine reaches 1 exactly. matplotlib is imported lazily (the ``docs`` extra).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import mpmath
import numpy as np

from verify.base.errors import InputError

CURVES = ("cos_w_minority", "cos_w_between", "cos_h_minority")


def figure_data(values: dict, *, r_min: float, r_max: float, points: int, markers: int = 5, dps: int = 20) -> dict:
    from verify.base.solving import SolveOptions
    from verify.claims.hong2023 import values as claim_values
    from verify.claims.hong2023._program import R_STAR, original_solve

    if not (1 <= r_min < r_max):
        raise InputError(f"--r-min {r_min}, --r-max {r_max}", parameter="--r-min", fix="need 1 <= r-min < r-max")
    if points < 2:
        raise InputError(f"--points {points}", parameter="--points", fix="use at least 2 points")
    ratios = np.geomspace(r_min, r_max, points)
    refs = {q: claim_values.CLAIM.quantity(q).reference for q in CURVES}
    curves = {q: [] for q in CURVES}
    for r in ratios:
        v = {**values, "R": Fraction(f"{r:.12g}")}
        for q in CURVES:
            out = refs[q](v, dps)
            curves[q].append(float(out) if isinstance(out, mpmath.mpf) else float("nan"))
    nB = int(values["n_B"])
    lo, hi = int(np.ceil(r_min * nB)), int(np.floor(r_max * nB))
    counts = sorted({int(round(c)) for c in np.geomspace(max(lo, nB), max(hi, nB), markers)} & set(range(lo, hi + 1)))
    solve = original_solve(
        {
            "cos_w_minority": "cosine_classifiers[B]",
            "cos_w_between": "cosine_classifiers[A,B]",
            "cos_h_minority": "cosine[B]",
        }
    )
    marks = {q: [] for q in CURVES}
    conv = []
    for nA in counts:
        v = {**values, "R": Fraction(nA, nB), "d": values["K_A"] + values["K_B"]}
        rep = solve(v, SolveOptions(dps=dps))
        for q in CURVES:
            inst = [float(x) for x in rep.quantities[q] if isinstance(x, mpmath.mpf)]
            marks[q].append(float(np.mean(inst)) if inst else float("nan"))
        conv.append(rep.converged)
    star = float(R_STAR.subs({s: values[s.name] for s in R_STAR.free_symbols}))
    return {
        "values": values,
        "ratios": ratios,
        "curves": curves,
        "marker_ratios": [c / nB for c in counts],
        "markers": marks,
        "converged": conv,
        "r_star": star,
    }


def plot(fig: dict, outputs: Sequence[str]) -> None:
    from verify.face.figures.output import _pyplot, check_outputs

    check_outputs(outputs)
    plt = _pyplot()
    f, ax = plt.subplots(figsize=(7, 4.2))
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, q in enumerate(CURVES):
        ax.plot(fig["ratios"], fig["curves"][q], color=colours[i], label=q.replace("_", " "))
        ax.plot(fig["marker_ratios"], fig["markers"][q], "o", color=colours[i], mfc="none", ms=6)
    if fig["ratios"][0] <= fig["r_star"] <= fig["ratios"][-1]:
        ax.axvline(fig["r_star"], color="k", ls="--", lw=1)
        ax.text(fig["r_star"], ax.get_ylim()[1], " R*", va="top")
    ax.set_xscale("log")
    ax.set_xlabel("R = n_A / n_B")
    ax.legend(fontsize=8)
    v = fig["values"]
    ax.set_title(
        f"Penalised CE, two sizes (family F): K_A = {v['K_A']}, K_B = {v['K_B']}, n_B = {v['n_B']}, "
        f"lambda_W = {v['lambda_W']}, lambda_H = {v['lambda_H']}\nlines: convex program in Z; circles: solves of "
        "the original (W, H) program",
        fontsize=8,
    )
    f.tight_layout()
    for out in outputs:
        f.savefig(out, **({"metadata": {"Date": None}} if out.endswith(".svg") else {}))
    plt.close(f)


def figure(claim, assignments, args):
    """``nc-verify plot hong2023.values K_A=.. K_B=.. n_B=.. lambda_W=.. lambda_H=.. --out F.png`` (R swept; without
    --r-max the range ends at 2 R*)."""
    from verify.face.figures import Figure
    from verify.face.figures.output import check_outputs
    from verify.face.schema import SCHEMA_VERSION

    given = dict(assignments)
    missing = [k for k in ("K_A", "K_B", "n_B", "lambda_W", "lambda_H") if k not in given]
    if missing:
        raise InputError(
            f"plot {claim.id} needs {', '.join(missing)}",
            parameter=missing[0],
            fix="e.g. K_A=2 K_B=2 n_B=1 lambda_W=1/10 lambda_H=1/10 (R is swept)",
        )
    params = claim.parse({**given, "R": "1"})
    check_outputs(args.out)
    values = {k: params[k] for k in ("K_A", "K_B", "n_B", "lambda_W", "lambda_H")}
    from verify.claims.hong2023._program import R_STAR

    star = float(R_STAR.subs({s: values[s.name] for s in R_STAR.free_symbols}))
    r_max = args.r_max if args.r_max != 1e4 else max(2 * star, 4.0)
    fig = figure_data(values, r_min=args.r_min, r_max=r_max, points=args.points)
    plot(fig, args.out)
    text = f"wrote {', '.join(args.out)}: R* = {star:.15g}, {sum(fig['converged'])} of {len(fig['converged'])} solves converged"
    data = {
        "schema": SCHEMA_VERSION,
        "claim": claim.id,
        "files": list(args.out),
        "points": len(fig["converged"]),
        "certified": int(sum(fig["converged"])),
    }
    return Figure(data=data, text=text, complete=all(fig["converged"]))
