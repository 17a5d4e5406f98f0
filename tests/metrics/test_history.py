"""Reports serialise whatever is Undefined (null with its reason); the per-epoch history exports JSON and CSV
and draws the NC trajectories."""

import csv
import io
import json
import math

import numpy as np
import pytest

from verify.base.errors import InputError
from verify.base.values import Undefined
from verify.geometry.examples import collapsed, noisy
from verify.metrics import CollapseHistory, CollapseStats, collapse_report, report_from_dict, report_to_dict


def _report_with_undefined():
    rng = np.random.default_rng(2)
    H, y, _, _ = noisy(4, 6, 10, rng)
    report = collapse_report(H, y)  # no classifier: every classifier key is Undefined
    assert any(isinstance(v, Undefined) for v in report.values())
    return report


def test_json_dumps_of_a_report_with_undefined_values_round_trips():
    report = _report_with_undefined()
    text = report.to_json()
    data = json.loads(text)
    for key, value in report.items():
        if isinstance(value, Undefined):
            assert data["metrics"][key] is None and data["undefined"][key] == value.reason
        else:
            assert data["metrics"][key] == value  # floats round-trip exactly through repr
    back = report_from_dict(data)
    assert back.keys() == report.keys()
    assert all(isinstance(back[k], Undefined) == isinstance(v, Undefined) for k, v in report.items())


def test_infinite_energy_and_numpy_scalars_give_strict_json():
    rep = {"hyperspherical_energy_means": math.inf, "nc1": np.float32(0.5), "x": Undefined("why")}
    data = json.loads(json.dumps(report_to_dict(rep), allow_nan=False))
    assert data["metrics"] == {"hyperspherical_energy_means": "inf", "nc1": 0.5, "x": None}
    assert report_from_dict(data)["hyperspherical_energy_means"] == math.inf


def test_a_non_number_is_refused_by_name():
    with pytest.raises(InputError, match="nc1"):
        report_to_dict({"nc1": "small"})


def _history():
    rng = np.random.default_rng(4)
    hist = CollapseHistory()
    for epoch, spread in enumerate([1.0, 0.3, 0.1, 0.0]):
        if spread:
            H, y, W, b = noisy(3, 5, 8, rng, spread=spread)
        else:
            H, y, _ = collapsed("etf", 3, 5, 8, rng)
            W, b = rng.normal(size=(3, 5)), None
        stats = CollapseStats().update(H, y)
        hist.record(epoch, stats.report(W, b), loss=1.0 / (epoch + 1))
    return hist


def test_history_exports_json_and_csv_with_undefined():
    hist = _history()
    back = CollapseHistory.from_json(hist.to_json())
    assert back.steps == hist.steps
    for a, b in zip(hist.reports, back.reports, strict=True):
        for k, v in a.items():
            assert isinstance(b[k], Undefined) if isinstance(v, Undefined) else b[k] == v
    rows = list(csv.DictReader(io.StringIO(hist.to_csv())))
    assert [r["step"] for r in rows] == ["0", "1", "2", "3"]
    assert rows[0]["nc4_agreement"] == "" and "nc4_agreement: needs the samples" in rows[0]["undefined"]
    assert float(rows[1]["nc1"]) == hist.reports[1]["nc1"]
    steps, values = hist.series("nc4_agreement")
    assert steps == [0, 1, 2, 3] and all(math.isnan(v) for v in values)


def test_history_refuses_steps_out_of_order():
    hist = _history()
    with pytest.raises(InputError, match="step"):
        hist.record(2, {})


def test_history_plot_one_panel_per_family(tmp_path):
    pytest.importorskip("matplotlib")
    fig = _history().plot(tmp_path / "nc.png")
    assert (tmp_path / "nc.png").stat().st_size > 0
    assert len(fig.axes) == 3  # NC1, NC2, NC3 (NC4 is Undefined throughout: no samples in a streamed report)
    assert all(ax.get_yscale() == "log" for ax in fig.axes)
