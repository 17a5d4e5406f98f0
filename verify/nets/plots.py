"""Figures of a network-tier result (matplotlib, in the ``nets`` and ``docs`` extras): PNG and SVG.

- ``<name>-metrics``: NC1, the worst ETF cosine gap and self-duality against epoch, one line per run;
- ``<name>-minority`` (imbalanced_ce): the average minority-classifier cosine against R, measured (dots) and
  predicted by fang2021.thm5 at each run's realised budgets (crosses), with the predicted R0 marked
  (Fang et al. 2021 Figures 2 and 4); oversampled runs drawn at their effective ratio R / w_r;
- ``<name>-predicted``: every comparison row with a scalar prediction, measured against predicted (the diagonal
  is agreement).
"""

from __future__ import annotations

from pathlib import Path

from verify.base.errors import InputError


def _num(x):
    return x if isinstance(x, float | int) and not isinstance(x, bool) else None


def _save(fig, folder: Path, stem: str) -> list[str]:
    out = []
    for ext in ("png", "svg"):
        path = folder / f"{stem}.{ext}"
        fig.savefig(path, dpi=120, bbox_inches="tight")
        out.append(str(path))
    return out


def require_matplotlib():
    """matplotlib.pyplot (Agg backend), or a one-line :class:`InputError` naming ``--plots`` and the extra."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise InputError(
            "--plots needs matplotlib, which is not installed",
            parameter="--plots",
            fix="install the nets extra again (pip install 'nc-verify[nets]', it includes matplotlib) or drop --plots",
        ) from None
    return plt


def plot_result(result: dict, folder: Path) -> list[str]:
    plt = require_matplotlib()

    folder.mkdir(parents=True, exist_ok=True)
    hw = result["hardware"]
    where = hw.get("gpu", f"CPU {hw['cpu']}, {hw['torch_threads']} thread(s)")
    files: list[str] = []
    names = ("NC1", "NC2_cosine_gap", "NC3_self_duality")
    fig, axes = plt.subplots(1, len(names), figsize=(4.2 * len(names), 3.4))
    for ax, name in zip(axes, names, strict=True):
        for run in result["runs"]:
            pts = [(r["epoch"], r[name]) for r in run["history"] if _num(r.get(name)) is not None and r[name] > 0]
            if pts:
                ax.plot(*zip(*pts, strict=True), label=run["label"])
        ax.set_yscale("log")
        ax.set_xlabel("epoch")
        ax.set_title(name)
    axes[0].legend(fontsize=7)
    fig.suptitle(f"{result['name']} ({where})", fontsize=9)
    files += _save(fig, folder, f"{result['name']}-metrics")
    plt.close(fig)

    if result["experiment"] == "imbalanced_ce":
        fig, ax = plt.subplots(figsize=(5, 3.6))
        for run in result["runs"]:
            rows = [r for r in run["comparison"] if r["claim_quantity"] == "cos_minority"]
            r0 = [r for r in run["comparison"] if r["claim_quantity"] == "R0"]
            if not rows or _num(rows[0]["measured"]) is None:
                continue
            R = r0[0]["measured"]
            over = max(run["data"]["oversample"]) != 1
            ax.plot(R, rows[0]["measured"], "s" if over else "o", color="C1" if over else "C0")
            if _num(rows[0]["predicted"]) is not None:
                ax.plot(R, rows[0]["predicted"], "x", color="C3")
            if r0 and _num(r0[0]["predicted"]) is not None:
                ax.axvline(r0[0]["predicted"], color="C3", alpha=0.25, lw=0.8)
        ax.plot([], [], "o", color="C0", label="measured")
        ax.plot([], [], "s", color="C1", label="measured, oversampled (at R / w_r)")
        ax.plot([], [], "x", color="C3", label="fang2021.thm5 at realised budgets")
        ax.plot([], [], color="C3", alpha=0.25, label="predicted R0 (each run)")
        ax.set_xscale("log")
        ax.set_xlabel("R = n_A / n_B (effective)")
        ax.set_ylabel("average minority cos(w_k, w_l)")
        ax.legend(fontsize=7)
        ax.set_title(f"{result['name']} ({where})", fontsize=9)
        files += _save(fig, folder, f"{result['name']}-minority")
        plt.close(fig)

    pairs = [
        (r["measured"], r["predicted"], r["quantity"])
        for run in result["runs"]
        for r in run["comparison"]
        if _num(r["measured"]) is not None and _num(r["predicted"]) is not None and r["relation"] == "~"
    ]
    if pairs:
        fig, ax = plt.subplots(figsize=(4.2, 4.2))
        m, p, _ = zip(*pairs, strict=True)
        ax.plot(p, m, "o", ms=4)
        lo, hi = min(m + p), max(m + p)
        ax.plot([lo, hi], [lo, hi], color="grey", lw=0.8)
        ax.set_xlabel("predicted (catalogue, realised parameters)")
        ax.set_ylabel("measured (trained network)")
        ax.set_title(f"{result['name']} ({where})", fontsize=9)
        files += _save(fig, folder, f"{result['name']}-predicted")
        plt.close(fig)
    return files
