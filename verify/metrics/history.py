"""Reports that serialise, and the per-epoch history of a training run.

A report's value is a float or :class:`verify.base.values.Undefined` (a reason, not a number), which ``json``
cannot write. :func:`report_to_dict` gives ``{"metrics": {key: float or None}, "undefined": {key: reason}}``
(an Undefined metric is ``null`` beside its reason; an infinite energy is the string ``"inf"``, so the JSON
is strict), :func:`report_to_json` its text, :func:`report_from_dict` the report back. The reports of
:func:`verify.metrics.collapse_report` are :class:`Report` dicts with ``to_dict`` / ``to_json``.

:class:`CollapseHistory` records one report per epoch (or step) and writes JSON or CSV (Undefined: an empty
cell and its reason in the ``undefined`` column); :meth:`CollapseHistory.plot` draws the NC trajectories on
log axes, one panel per family of metrics, as Papyan, Han & Donoho (2020, Figs. 2-7) do.
"""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

from verify.base.errors import InputError
from verify.base.values import Undefined

#: Families of report keys, one panel each in :meth:`CollapseHistory.plot` (keys absent from a history are
#: skipped). NC4 is drawn as the disagreement 1 - agreement, so that collapse goes down on a log axis.
FAMILIES: dict[str, tuple[str, ...]] = {
    "NC1 (within-class variability)": ("nc1", "nc1_quotient", "cdnv"),
    "NC2 (simplex ETF)": (
        "equinorm_means",
        "equinorm_classifiers",
        "equiangularity_means",
        "equiangularity_classifiers",
        "etf_distance_means",
        "etf_distance_classifiers",
    ),
    "NC3 (self-duality)": ("self_duality", "self_duality_uncentred", "self_duality_dot"),
    "NC4 (1 - agreement with the nearest class mean)": ("nc4_agreement", "nc4_agreement_logits"),
}
_DISAGREEMENT = {"nc4_agreement", "nc4_agreement_nobias", "nc4_agreement_logits"}


def _jsonable(key: str, value):
    if isinstance(value, Undefined):
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        try:
            value = float(value)  # numpy scalars
        except (TypeError, ValueError):
            raise InputError(
                f"report[{key!r}] = {value!r} is not a number or Undefined", parameter=key, fix="numbers only"
            ) from None
    if math.isfinite(value):
        return value
    return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")


def report_to_dict(report) -> dict:
    """``{"metrics": {key: float | "inf" | None}, "undefined": {key: reason}}``: json.dumps never fails."""
    metrics = {str(k): _jsonable(str(k), v) for k, v in report.items()}
    undefined = {str(k): v.reason for k, v in report.items() if isinstance(v, Undefined)}
    return {"metrics": metrics, "undefined": undefined}


def report_to_json(report, **kwargs) -> str:
    return json.dumps(report_to_dict(report), allow_nan=False, **kwargs)


def report_from_dict(data: dict) -> Report:
    """The report back from :func:`report_to_dict`'s form (Undefined with its reason, "inf" as inf)."""
    out = Report()
    reasons = data.get("undefined", {})
    for k, v in data["metrics"].items():
        out[k] = Undefined(reasons.get(k, "undefined")) if v is None else float(v)
    return out


class Report(dict):
    """A report of the metrics: a dict of key -> float or Undefined, which serialises."""

    def to_dict(self) -> dict:
        return report_to_dict(self)

    def to_json(self, **kwargs) -> str:
        return report_to_json(self, **kwargs)


class CollapseHistory:
    """Reports of one run, one per epoch or step: ``record(epoch, report, **extra)`` (extra: loss, learning
    rate, ... numbers), ``to_json``/``to_csv`` (a path or None for the text), ``series(key)``, ``plot``."""

    def __init__(self) -> None:
        self.steps: list[float] = []
        self.reports: list[Report] = []

    def record(self, step, report, **extra) -> CollapseHistory:
        if self.steps and not step > self.steps[-1]:
            raise InputError(
                f"step {step} does not follow {self.steps[-1]}", parameter="step", fix="record epochs in order"
            )
        row = Report(report)
        row.update(extra)
        report_to_dict(row)  # refuses a value that is neither a number nor Undefined, now rather than at export
        self.steps.append(step)
        self.reports.append(row)
        return self

    def __len__(self) -> int:
        return len(self.steps)

    def keys(self) -> list[str]:
        seen: dict[str, None] = {}
        for r in self.reports:
            seen.update(dict.fromkeys(r))
        return list(seen)

    def series(self, key: str) -> tuple[list, list[float]]:
        """(steps, values) of one key; an Undefined or missing value is NaN."""
        values = []
        for r in self.reports:
            v = r.get(key)
            values.append(math.nan if v is None or isinstance(v, Undefined) else float(v))
        return list(self.steps), values

    def to_dict(self) -> dict:
        return {"steps": list(self.steps), "reports": [report_to_dict(r) for r in self.reports]}

    def to_json(self, path=None, **kwargs) -> str:
        text = json.dumps(self.to_dict(), allow_nan=False, **kwargs)
        if path is not None:
            Path(path).write_text(text)
        return text

    @classmethod
    def from_json(cls, text_or_path) -> CollapseHistory:
        text = str(text_or_path)
        if not text.lstrip().startswith("{"):
            text = Path(text).read_text()
        data = json.loads(text)
        out = cls()
        for step, rep in zip(data["steps"], data["reports"], strict=True):
            out.steps.append(step)
            out.reports.append(report_from_dict(rep))
        return out

    def to_csv(self, path=None) -> str:
        """One row per step: ``step``, every key (an Undefined value: empty), ``undefined`` ("key: reason; ...")."""
        keys = self.keys()
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(["step", *keys, "undefined"])
        for step, r in zip(self.steps, self.reports, strict=True):
            d = report_to_dict(r)
            cells = ["" if d["metrics"].get(k) is None else repr(d["metrics"][k]) for k in keys]
            reasons = "; ".join(f"{k}: {why}" for k, why in d["undefined"].items())
            writer.writerow([step, *cells, reasons])
        text = buf.getvalue()
        if path is not None:
            Path(path).write_text(text)
        return text

    def plot(self, path=None, *, families: dict[str, tuple[str, ...]] | None = None):
        """The NC trajectories on log axes, one panel per family (default :data:`FAMILIES`); NC4 as
        1 - agreement. Values <= 0 or Undefined are gaps; a family with no value at all has no panel. Needs matplotlib (the ``docs`` extra)."""
        try:
            import matplotlib

            matplotlib.use("Agg", force=False)
            import matplotlib.pyplot as plt
        except ImportError:
            raise InputError(
                "plot needs matplotlib", parameter="matplotlib", fix="pip install 'nc-verify[docs]'"
            ) from None
        present = {k for k in self.keys() if any(math.isfinite(v) for v in self.series(k)[1])}
        panels = {name: [k for k in keys if k in present] for name, keys in (families or FAMILIES).items()}
        panels = {name: keys for name, keys in panels.items() if keys}
        if not panels or not self.steps:
            raise InputError("plot: no recorded metric to draw", parameter="history", fix="record reports first")
        fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 3.4), squeeze=False)
        for ax, (name, keys) in zip(axes[0], panels.items(), strict=True):
            for key in keys:
                steps, values = self.series(key)
                if key in _DISAGREEMENT:
                    values, label = [1.0 - v for v in values], f"1 - {key}"
                else:
                    label = key
                ax.plot(steps, [v if v > 0 else math.nan for v in values], marker=".", label=label)
            ax.set_yscale("log")
            ax.set_title(name, fontsize=9)
            ax.set_xlabel("epoch")
            ax.legend(fontsize=7)
        fig.tight_layout()
        if path is not None:
            fig.savefig(path)
        return fig
