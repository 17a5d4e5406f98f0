"""Figure 3 of Fang et al. 2021 (seed 001, Section 4B): the average cosine between minority classifiers vs R.

Each point is an independent certified solve of program (15) through its symmetry reduction
(:func:`verify.solvers.symmetric.solve_two_group`, random starts, (15) duality gap); R0 and R1 come from the
claim ``fang2021.thm5`` (optimality conditions, closed form) and decide only *where* the points are placed
(:func:`sample_ratios`: most of them where the curve changes, below R0, denser towards it; a few on the
constant collapsed stretch and in the vanished range), never their values. Where the minority classifiers are
exactly zero (R >= R1, the "vanished" phase) their cosine does not exist: those solves are drawn as markers
on a labelled "undefined" row below the axis, never plotted as 1 (Figure 3 of the paper plots solver noise
there). matplotlib is imported lazily; without it the functions raise a one-line
:class:`verify.base.errors.InputError` naming the ``docs`` extra.

``nc-verify plot fang2021.thm5 K_A=7 K_B=3 E_H=5 E_W=1 --out f.png`` draws one setting;
``nc-verify plot fang2021.thm5 --figure3 --out docs/figure3.png --out docs/figure3.svg`` the paper's six.

``_pyplot``, ``progress_bar``, ``check_outputs`` and ``save`` (shared with the other figures) are in
:mod:`verify.face.figures.output`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

import mpmath
import numpy as np

from verify.base.errors import InputError
from verify.face.figures.output import _pyplot, check_outputs, progress_bar, save

#: Figure 3 of the paper: K = 10, K_A in {3, 5, 7}, panels (E_H, E_W) = (5, 1) and (10, 1), R from 1 to 10^4.
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

    def to_json(self) -> dict:
        """The curve for ``plot --json`` (docs/schemas/plot.schema.json): every solved point with its phase."""
        points = [
            {
                "R": f"{r:.12g}",
                "cos_minority": None if math.isnan(c) else f"{c:.15g}",
                "phase": ph,
                "certified": ok,
            }
            for r, c, ph, ok in zip(self.ratios, self.cosine, self.phases, self.certified, strict=True)
        ]
        return {
            "params": {"K_A": str(self.K_A), "K_B": str(self.K_B), "E_H": str(self.E_H), "E_W": str(self.E_W)},
            "R0": None if self.R0 is None else f"{self.R0:.15g}",
            "R1": None if self.R1 is None else f"{self.R1:.15g}",
            "points": points,
        }


#: Share of the points placed below R0 (where the cosine changes), on the collapsed stretch [R0, R1) and beyond
#: R1; the first is clustered towards R0 (the curve's slope grows there).
SHARES = (0.7, 0.2, 0.1)
#: Points stay this far (relative) from R0 and R1: at a transition the minimiser degenerates and SLSQP slows.
EDGE = 0.004


def sample_ratios(r_min: float, r_max: float, points: int, R0: float | None, R1: float | None) -> np.ndarray:
    """``points`` ratios in [r_min, r_max] placed where the curve changes (module docstring)."""
    inside = [b for b in (R0, R1) if b is not None and r_min * (1 + EDGE) < b < r_max * (1 - EDGE)]
    if not inside:
        return np.geomspace(r_min, r_max, points)
    edges = [r_min, *inside, r_max]
    segments = len(edges) - 1
    shares = SHARES[:segments] if R0 in inside else SHARES[1 : 1 + segments]
    counts = [max(2, round(points * s / sum(shares))) for s in shares]
    counts[0] = max(2, points - sum(counts[1:]))
    out = []
    for i, n in enumerate(counts):
        lo, hi = edges[i], edges[i + 1]
        lo_in = lo if i == 0 else lo * (1 + EDGE)
        hi_in = hi if i == segments - 1 else hi * (1 - EDGE)
        if i == 0 and R0 in inside:  # denser towards R0: u -> 1 - (1 - u)^2 in log R
            u = np.linspace(0, 1, n)
            out.append(np.exp(np.log(lo_in) + (np.log(hi_in) - np.log(lo_in)) * (1 - (1 - u) ** 2)))
        else:
            out.append(np.geomspace(lo_in, hi_in, n))
    return np.unique(np.concatenate(out))[:points] if sum(counts) > points else np.concatenate(out)


def minority_curve(
    K_A: int,
    K_B: int,
    E_H: Fraction,
    E_W: Fraction,
    *,
    r_min: float = 1.0,
    r_max: float = 1e4,
    points: int = 40,
    dps: int = 20,
    ratios: Sequence[float] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Curve:
    """Solve (15) at ``points`` ratios (:func:`sample_ratios`, or the given ``ratios``) and measure the average
    minority cosine; a point whose solve breaks down is kept, uncertified, with no value."""
    from verify.claims.fang2021 import thm5  # the claim gives R0, R1 (placement, marks); values come from the solver
    from verify.models.arith import mp_arithmetic
    from verify.models.two_group import TwoGroupProgram
    from verify.solvers.symmetric import solve_two_group, zero_tolerance

    if K_B < 2:
        raise InputError(
            "K_B = 1: a single minority classifier has no pair to average", parameter="K_B", fix="use K_B >= 2"
        )
    check_range(r_min, r_max, points)
    values = {"K_A": Fraction(K_A), "K_B": Fraction(K_B), "E_H": E_H, "E_W": E_W}
    r0 = thm5.r0_value(values, dps)
    r0 = float(r0) if isinstance(r0, mpmath.mpf) else None
    r1 = thm5.r1_value(values, dps)
    r1 = None if r1 is None else float(r1)
    grid = np.asarray(ratios, dtype=float) if ratios is not None else sample_ratios(r_min, r_max, points, r0, r1)
    cos, phases, certified = [], [], []
    for i, r in enumerate(grid):
        prog = TwoGroupProgram(K_A, K_B, E_H, E_W, Fraction(f"{r:.12g}"))
        try:
            sol = solve_two_group(prog, dps=dps, n_starts=4)
            with mpmath.workdps(dps):
                inv = prog.invariants(sol.x, mp_arithmetic(), zero_tol=zero_tolerance(prog, dps))
        except (ArithmeticError, ValueError, np.linalg.LinAlgError):  # out of reach at this point: no value
            cos.append(float("nan"))
            phases.append("unsolved")
            certified.append(False)
        else:
            c = inv.cos_w_BB
            cos.append(float("nan") if sol.phase == "vanished" or isinstance(c, str) else float(c))
            phases.append(sol.phase)
            certified.append(sol.converged)
        if progress is not None:
            progress(i + 1, len(grid))
    return Curve(K_A, K_B, E_H, E_W, grid, np.array(cos), tuple(phases), tuple(certified), r0, r1)


def check_range(r_min: float, r_max: float, points: int) -> None:
    """One-line errors for the sweep's options (before any solve)."""
    if not (math.isfinite(r_min) and math.isfinite(r_max) and 1 <= r_min < r_max <= MAX_R):
        raise InputError(
            f"--r-min {r_min}, --r-max {r_max}",
            parameter="--r-min",
            fix=f"need 1 <= r-min < r-max <= {MAX_R:.0e} (finite; R = n_A/n_B >= 1, and R0 is searched up to 1e9)",
        )
    if not (isinstance(points, int) and 2 <= points <= MAX_POINTS):
        raise InputError(
            f"--points {points} is outside 2..{MAX_POINTS}",
            parameter="--points",
            fix=f"use 2 to {MAX_POINTS} points (each is a certified solve of ~0.5 s)",
        )


#: Largest R of a sweep, and most points per curve (each point is a solve).
MAX_R = 1e8
MAX_POINTS = 2000

#: Height of one 'undefined' row (the vanished solves of one curve) below the axis.
ROW = 0.09

_COLORS = ("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple")


def draw(curves: Sequence[Curve], ax, title: str) -> None:
    """One panel: measured points (markers) joined per curve, R0 marks labelled above the curves, the
    -1/(K-1) line, and the vanished solves on labelled 'undefined' rows below the axis."""
    K = curves[0].K_A + curves[0].K_B
    lo = min(c.ratios[0] for c in curves)
    hi = max(c.ratios[-1] for c in curves)
    etf = -1 / (K - 1)
    ax.axhline(etf, color="gray", ls="-.", lw=1, label=rf"$-1/(K-1) = {etf:.3f}$")
    ax.axhline(1, color="gray", ls=":", lw=0.8)
    rows = 0
    for i, (curve, color) in enumerate(zip(curves, _COLORS, strict=False)):
        ok = np.array(curve.certified)
        defined = ~np.isnan(curve.cosine)
        ax.plot(curve.ratios[defined], curve.cosine[defined], color=color, lw=1.4, zorder=2)
        ax.plot(
            curve.ratios[defined & ok],
            curve.cosine[defined & ok],
            "o",
            ms=3.2,
            color=color,
            zorder=3,
            label=rf"$K_A = {curve.K_A}$, $K_B = {curve.K_B}$",
        )
        if (defined & ~ok).any():
            ax.plot(curve.ratios[defined & ~ok], curve.cosine[defined & ~ok], "x", ms=5, color=color, zorder=3)
        if curve.R0 is not None and lo <= curve.R0 <= hi:
            ax.axvline(curve.R0, color=color, ls=":", lw=1.1, zorder=1)
            right = math.log(curve.R0 / lo) < 0.8 * math.log(hi / lo)  # the label on the side with room
            ax.text(
                curve.R0 * (1.04 if right else 1 / 1.04),
                1.06 + 0.075 * i,
                rf"$R_0 = {curve.R0:.5g}$",
                color=color,
                fontsize=8,
                va="center",
                ha="left" if right else "right",
            )
        vanished = np.array([ph == "vanished" for ph in curve.phases])
        if vanished.any():
            y = -0.2 - ROW * rows - 0.06
            rows += 1
            ax.plot(curve.ratios[vanished], np.full(vanished.sum(), y), "x", ms=3.5, color=color, zorder=3)
            y += 0.028  # the label just above its row of markers
            start = curve.R1 if curve.R1 is not None else curve.ratios[vanished][0]
            ax.text(
                max(start, lo) * 1.12,
                y,
                rf"$K_A = {curve.K_A}$: $R \geq R_1 = {start:.5g}$: minority $w_k = 0$, cosine undefined",
                color=color,
                fontsize=7,
                ha="left",
                va="center",
            )
            if curve.R1 is not None:
                ax.axvline(curve.R1, color=color, ls="--", lw=0.9, zorder=1)
    if rows:
        ax.axhspan(-0.2 - ROW * rows, -0.2, color="0.93", zorder=0)
    ax.set_xscale("log")
    ax.set_xlim(lo, hi)
    ax.set_ylim(-0.2 - ROW * max(rows, 1) - 0.01, 1.08 + 0.075 * len(curves))
    ax.set_xlabel(r"imbalance ratio $R = n_A / n_B$")
    ax.set_ylabel(r"average $\cos(w_k, w_{k'})$, $k \neq k'$ minority")
    ax.set_title(title, fontsize=10)
    ax.grid(True, which="major", alpha=0.25)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=4, fontsize=8, frameon=False)


def _title(curve: Curve) -> str:
    return rf"$K_A = {curve.K_A}$, $K_B = {curve.K_B}$, $E_H = {curve.E_H}$, $E_W = {curve.E_W}$"


def plot_curve(curve: Curve, outputs: Sequence[str]) -> None:
    """One curve, one panel (the ``nc-verify plot`` command)."""
    plt = _pyplot()
    plt.rcParams["svg.hashsalt"] = "nc-verify"
    fig, ax = plt.subplots(figsize=(6.4, 4.6))
    draw([curve], ax, _title(curve))
    save(fig, outputs)
    plt.close(fig)


def paper_figure3(outputs: Sequence[str], *, points: int = 40, r_max: float = 1e4, progress: bool = True) -> list:
    """The six settings of Figure 3 (two panels, three curves each); returns the curves."""
    plt = _pyplot()
    plt.rcParams["svg.hashsalt"] = "nc-verify"
    check_outputs(outputs)
    check_range(1.0, r_max, points)
    fig, axes = plt.subplots(1, 2, figsize=(13, 5.2))
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
        draw(curves, ax, rf"({tag}) $E_W = {EW}$, $E_H = {EH}$   ($K = {PAPER_K}$)")
        all_curves += curves
    fig.suptitle(
        "Fang et al. 2021, Figure 3, recomputed: each marker a certified solve of (15) (nc-verify)", fontsize=11
    )
    save(fig, outputs)
    plt.close(fig)
    return all_curves


# --- the ``nc-verify plot fang2021.thm5`` command (dispatched by verify/face/figures/__init__.py) -------------------
def figure(claim, assignments, args):
    """Parse and validate everything, then sweep: one setting, or ``--figure3`` (the paper's six)."""
    from verify.face.figures import Figure
    from verify.face.schema import SCHEMA_VERSION

    check_outputs(args.out)
    check_range(args.r_min, args.r_max, args.points)
    if "R" in assignments:
        raise InputError("plot sweeps R", parameter="R", fix="give K_A, K_B, E_H, E_W only (and --r-min, --r-max)")
    if args.figure3:
        if assignments:
            raise InputError(
                "--figure3 draws the paper's six settings", parameter="--figure3", fix="give no parameters with it"
            )
        curves = paper_figure3(args.out, points=args.points, r_max=args.r_max, progress=not args.json)
    else:
        params = claim.parse({**assignments, "R": "1"})
        if params["K_B"] < 2:
            raise InputError(
                "K_B = 1: a single minority classifier has no pair to average", parameter="K_B", fix="use K_B >= 2"
            )
        curve = minority_curve(
            int(params["K_A"]),
            int(params["K_B"]),
            params["E_H"],
            params["E_W"],
            r_min=args.r_min,
            r_max=args.r_max,
            points=args.points,
            progress=None if args.json else progress_bar(f"{claim.id} K_A={params['K_A']}"),
        )
        plot_curve(curve, args.out)
        curves = [curve]
    certified = sum(sum(c.certified) for c in curves)
    total = sum(len(c.ratios) for c in curves)
    marks = "; ".join(
        f"K_A={c.K_A}: R0 = {'none (K_B = 1)' if c.R0 is None else f'{c.R0:.15g}'}, "
        f"R1 = {'none' if c.R1 is None else f'{c.R1:.15g}'}"
        for c in curves
    )
    text = f"wrote {', '.join(args.out)}: {marks}; {certified} of {total} points certified"
    data = {
        "schema": SCHEMA_VERSION,
        "claim": claim.id,
        "files": list(args.out),
        "curves": [c.to_json() for c in curves],
        "points": total,
        "certified": certified,
    }
    return Figure(data=data, text=text, complete=certified == total)
