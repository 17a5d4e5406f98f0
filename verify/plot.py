"""Figure 3 of Fang et al. 2021 (seed 001, Section 4B): the average cosine between minority classifiers vs R.

Each point is an independent certified solve of program (15) through its symmetry reduction
(:func:`verify.solvers.symmetric.solve_two_group`, random starts, (15) duality gap); R0 and R1 come from the
claim ``fang2021.thm5`` (optimality conditions, closed form). Where the minority classifiers are exactly
zero (R >= R1, the "vanished" phase) their cosine does not exist: that range is shaded and labelled, never
plotted as 1 (Figure 3 of the paper plots solver noise there). matplotlib is imported lazily; without it the
functions raise a one-line :class:`verify.errors.InputError` naming the ``docs`` extra.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

import mpmath
import numpy as np

from verify.errors import InputError

#: Figure 3 of the paper: K = 10, K_A in {3, 5, 7}, panels (E_W, E_H) = (1, 5) and (1, 10), R from 1 to 10^4.
PAPER_PANELS = ((Fraction(5), Fraction(1)), (Fraction(10), Fraction(1)))
PAPER_K, PAPER_KA = 10, (3, 5, 7)


@dataclass(frozen=True)
class Curve:
    """Average minority cosine along R (nan where undefined), with the phases and the transition ratios."""

    K_A: int
    K_B: int
    E_H: Fraction
    E_W: Fraction
    ratios: np.ndarray
    cosine: np.ndarray  # nan where the minority classifiers vanish (cosine undefined)
    phases: tuple[str, ...]
    certified: tuple[bool, ...]
    R0: float | None
    R1: float | None


def _pyplot():
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise InputError(
            "plotting needs matplotlib, which is not installed",
            parameter="matplotlib",
            fix="install the docs extra: pip install 'nc-verify[docs]' (or pip install matplotlib)",
        ) from None
    return plt


def progress_bar(label: str) -> Callable[[int, int], None]:
    """A text progress bar on stderr: ``progress(done, total)``."""

    def show(done: int, total: int) -> None:
        width = 30
        filled = int(width * done / total)
        sys.stderr.write(f"\r{label:<28} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        if done == total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return show


def minority_curve(
    K_A: int,
    K_B: int,
    E_H: Fraction,
    E_W: Fraction,
    *,
    r_min: float = 1.0,
    r_max: float = 1e4,
    points: int = 60,
    dps: int = 20,
    progress: Callable[[int, int], None] | None = None,
) -> Curve:
    """Solve (15) at ``points`` log-spaced ratios and measure the average minority cosine."""
    from verify.claims.fang2021 import thm5  # the claim gives R0, R1; the curve comes from the solver
    from verify.models.arith import mp_arithmetic
    from verify.models.two_group import TwoGroupProgram
    from verify.solvers.symmetric import solve_two_group, zero_tolerance

    if K_B < 2:
        raise InputError(
            "K_B = 1: a single minority classifier has no pair to average", parameter="K_B", fix="use K_B >= 2"
        )
    if not (1 <= r_min < r_max):
        raise InputError(f"--r-min {r_min}, --r-max {r_max}", parameter="--r-min", fix="need 1 <= r-min < r-max")
    ratios = np.geomspace(r_min, r_max, points)
    cos, phases, certified = [], [], []
    for i, r in enumerate(ratios):
        prog = TwoGroupProgram(K_A, K_B, E_H, E_W, Fraction(f"{r:.12g}"))
        sol = solve_two_group(prog, dps=dps, n_starts=4)
        with mpmath.workdps(dps):
            inv = prog.invariants(sol.x, mp_arithmetic(), zero_tol=zero_tolerance(prog, dps))
        c = inv.cos_w_BB
        cos.append(float("nan") if sol.phase == "vanished" or isinstance(c, str) else float(c))
        phases.append(sol.phase)
        certified.append(sol.converged)
        if progress is not None:
            progress(i + 1, points)
    values = {"K_A": Fraction(K_A), "K_B": Fraction(K_B), "E_H": E_H, "E_W": E_W}
    r0 = thm5.r0_value(values, dps)
    r1 = thm5.r1_value(values, dps)
    return Curve(
        K_A,
        K_B,
        E_H,
        E_W,
        ratios,
        np.array(cos),
        tuple(phases),
        tuple(certified),
        None if not isinstance(r0, mpmath.mpf) else float(r0),
        None if r1 is None else float(r1),
    )


def draw(curves: Sequence[Curve], ax, title: str) -> None:
    """One panel: curves, R0 marks, the -1/(K-1) line and the shaded 'vanished' ranges."""
    colors = ("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple")
    K = curves[0].K_A + curves[0].K_B
    lo, hi = curves[0].ratios[0], curves[0].ratios[-1]
    ax.axhline(-1 / (K - 1), color="gray", ls="-.", lw=1, label=f"-1/(K-1) = {-1 / (K - 1):.3f}")
    strips = 0
    for curve, color in zip(curves, colors, strict=False):
        ax.plot(curve.ratios, curve.cosine, color=color, lw=1.8, label=f"K_A={curve.K_A}")
        if curve.R0 is not None and lo <= curve.R0 <= hi:
            ax.axvline(curve.R0, color=color, ls=":", lw=1.2)
            ax.annotate(
                f"R0={curve.R0:.5g}",
                (curve.R0 * 0.93, 0.5),
                rotation=90,
                color=color,
                fontsize=8,
                ha="right",
                va="center",
            )
        if curve.R1 is not None and curve.R1 <= hi:  # a hatched strip: where this curve does not exist
            y0 = -0.29 + 0.07 * strips
            strips += 1
            ax.fill_between([max(curve.R1, lo), hi], y0, y0 + 0.05, color=color, alpha=0.25, hatch="//", lw=0)
            ax.text(
                max(curve.R1, lo) * 1.1,
                y0 + 0.1,
                f"K_A={curve.K_A}, R >= R1 = {curve.R1:.5g}: minority w = 0,\ncosine undefined (not plotted)",
                color=color,
                fontsize=7.5,
                va="center",
            )
    ax.set_xscale("log")
    ax.set_xlim(lo, hi)
    ax.set_ylim(-0.3, 1.08)
    ax.set_xlabel("Imbalance ratio R = n_A / n_B")
    ax.set_ylabel("average cosine between minority classifiers")
    ax.set_title(title, fontsize=10)
    ax.grid(True, which="both", alpha=0.25)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=4, fontsize=8, frameon=False)


def check_outputs(outputs: Sequence[str]) -> None:
    """Fail early (before a sweep) on an unsupported file type or a missing matplotlib."""
    for out in outputs:
        if not out.endswith((".png", ".svg")):
            raise InputError(f"--out {out}", parameter="--out", fix="give a file name ending in .png or .svg")
    _pyplot()


def save(fig, outputs: Sequence[str]) -> None:
    check_outputs(outputs)
    for out in outputs:
        fig.savefig(out, dpi=150, bbox_inches="tight", metadata={"Date": None} if out.endswith(".svg") else None)


def plot_curve(curve: Curve, outputs: Sequence[str]) -> None:
    """One curve, one panel (the ``nc-verify plot`` command)."""
    plt = _pyplot()
    plt.rcParams["svg.hashsalt"] = "nc-verify"
    fig, ax = plt.subplots(figsize=(6, 4.2))
    draw([curve], ax, f"K_A={curve.K_A}, K_B={curve.K_B}, E_H={curve.E_H}, E_W={curve.E_W}")
    save(fig, outputs)
    plt.close(fig)


def paper_figure3(outputs: Sequence[str], *, points: int = 60, r_max: float = 1e4, progress: bool = True) -> list:
    """The six settings of Figure 3 (two panels, three curves each); returns the curves."""
    plt = _pyplot()
    plt.rcParams["svg.hashsalt"] = "nc-verify"
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.4))
    all_curves = []
    for ax, (EH, EW), tag in zip(axes, PAPER_PANELS, "ab", strict=True):
        curves = [
            minority_curve(
                ka,
                PAPER_K - ka,
                EH,
                EW,
                r_max=r_max,
                points=points,
                progress=progress_bar(f"E_H={EH} K_A={ka}") if progress else None,
            )
            for ka in PAPER_KA
        ]
        draw(curves, ax, f"({tag}) E_W = {EW}, E_H = {EH}   (K = {PAPER_K})")
        all_curves += curves
    fig.suptitle("Fang et al. 2021, Figure 3, recomputed: certified solves of (15) (nc-verify)", fontsize=11)
    save(fig, outputs)
    plt.close(fig)
    return all_curves
