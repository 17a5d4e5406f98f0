"""The four experiments of the network tier, each with the catalogue's prediction beside every measurement.

- ``balanced_ce``: balanced cross-entropy, bias-free classifier: NC1 falls, class means and classifiers
  approach a simplex ETF (cosines -1/(K-1)); fang2021.thm1 at the realised budgets (E_H, E_W).
- ``imbalanced_ce``: two-size imbalance K_A x n_A, K_B x n_A/R over a sweep of R, and oversampling of the
  minority at rates w_r: the average minority-classifier cosine (Fang et al. 2021 Figures 2 and 4) against
  fang2021.thm5 (with R0) and fang2021.prop1 at the realised budgets.
- ``mse``: balanced MSE without and with a free classifier bias: an orthogonal frame with the singular values
  of tirer2022.thm3_1, a simplex ETF for tirer2022.thm3_2, at the realised lambda_W, lambda_H.
- ``relu_ce``: a ReLU before the classifier, cross-entropy, any class sizes: non-negative, near-orthogonal
  class means, and the classes that dang2024.thm1 says collapse, at the realised lambda_W, lambda_H.

The mapping from a network to the surrogate models is explained in :mod:`verify.nets.predict`.
"""

from __future__ import annotations

import platform
import time
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from verify.nets import predict as P
from verify.nets.config import Experiment
from verify.nets.data import Dataset, load
from verify.nets.measure import METRICS_SOURCE, jsonable
from verify.nets.train import TrainingRun, resolve_device, train
from verify.record import Undefined

SCHEMA = "nc-verify.nets/1"


def _row(quantity: str, measured, pred: P.Prediction, name: str, relation: str = "~") -> dict:
    return {
        "quantity": quantity,
        "measured": measured,
        "predicted": pred.get(name),
        "claim": pred.claim_id,
        "claim_quantity": name,
        "relation": relation,  # "~": should be close; ">=": measured >= predicted (a bound)
    }


def _derived_row(quantity: str, measured, pred: P.Prediction, name: str, derive, relation: str = "~") -> dict:
    """A row whose prediction is a function of the claim's quantity ``name`` (e.g. the largest off-diagonal
    cosine of its Gram matrix); an undefined or missing quantity stays as it is."""
    row = _row(quantity, measured, pred, name, relation)
    value = row["predicted"]
    if isinstance(value, dict) or isinstance(value, int | float):
        row["predicted"] = derive(value)
    return row


def _max_offdiagonal_cosine(gram: dict) -> float:
    """max |G_kl| / sqrt(G_kk G_ll) over k < l with both classes alive (a collapsed class has no direction)."""
    diag = {k.split(",")[0]: float(v) for k, v in gram.items() if k.split(",")[0] == k.split(",")[1]}
    out = 0.0
    for key, v in gram.items():
        k, l = key.split(",")  # noqa: E741
        if k != l and diag.get(k, 0) > 0 and diag.get(l, 0) > 0:
            out = max(out, abs(float(v)) / (diag[k] * diag[l]) ** 0.5)
    return out


def _first(pred: P.Prediction, *names: str, keywords: tuple[str, ...] = ()) -> str:
    """The first of ``names`` that the claim defines, else its first quantity whose name contains every one of
    ``keywords`` (claims written in parallel may name a quantity differently), else ``names[0]`` (reported as
    missing in the row)."""
    found = next((n for n in names if n in pred.values), None)
    if found is None and keywords:
        found = next((n for n in pred.values if all(k in n.lower() for k in keywords)), None)
    return found or names[0]


def _fang_budgets(run: TrainingRun) -> tuple[float, float]:
    return run.final["E_H"], run.final["E_W"]


def _balanced_predictions(run: TrainingRun) -> tuple[list[P.Prediction], list[dict]]:
    f = run.final
    E_H, E_W = _fang_budgets(run)
    thm1 = P.fang_thm1(run.K, run.sizes[0], run.model.feature_dim, E_H, E_W)
    rows = [
        _row("cos(hbar_k, hbar_l) mean", f["cos_means_mean"], thm1, "cosine"),
        _row("cos(hbar_k, hbar_l) centred mean", f["cos_means_centred_mean"], thm1, "cosine"),
        _row("cos(w_k, w_l) mean", f["cos_classifiers_mean"], thm1, "cosine_classifiers"),
        _row("cos(w_k, w_l) min", f["cos_classifiers_min"], thm1, "cosine_classifiers"),
        _row("cos(w_k, w_l) max", f["cos_classifiers_max"], thm1, "cosine_classifiers"),
        _row("cos(hbar_k, w_k) mean", f["cos_mean_classifier_mean"], thm1, "cos_feature_classifier"),
        _row("||hbar_k|| mean", float(np.mean(f["mean_norms"])), thm1, "C_prime"),
        _row("||w_k|| mean", float(np.mean(f["classifier_norms"])), thm1, "classifier_norm"),
        _row("training cross-entropy", f["cross_entropy"], thm1, "value", ">="),
    ]
    return [thm1], rows


def _minority(data: Dataset) -> tuple[int, ...]:
    n_A = max(data.sizes)
    return tuple(k for k, s in enumerate(data.sizes) if s < n_A)


def _imbalanced_predictions(run: TrainingRun, data: Dataset) -> tuple[list[P.Prediction], list[dict]]:
    f = run.final
    E_H, E_W = _fang_budgets(run)
    minority = _minority(data)
    K_B = len(minority)
    K_A = run.K - K_B
    if K_B == 0:  # R = 1: balanced, Theorem 1
        preds, rows = _balanced_predictions(run)
        return preds, rows
    n_A, n_B = max(data.sizes), min(data.sizes)
    w_r = max(data.rates)
    R = n_A / n_B
    thm5 = P.fang_thm5(K_A, K_B, E_H, E_W, R / w_r)  # Proposition 1: oversampling is n_B -> w_r n_B
    preds = [thm5]
    measured = f.get("cos_minority_classifiers_mean", Undefined("fewer than two minority classes"))
    rows = [
        _row("average minority cos(w_k, w_l)", measured, thm5, "cos_minority"),
        _row("R0 (transition ratio, n_A / (w_r n_B))", R / w_r, thm5, "R0", "vs"),
        _row("training cross-entropy", f["cross_entropy"], thm5, "value", ">="),
    ]
    if w_r != 1:
        prop1 = P.fang_prop1(K_A, K_B, n_A, n_B, w_r, run.model.feature_dim, E_H, E_W)
        preds.append(prop1)
        rows.append(_row("average minority cos(w_k, w_l)", measured, prop1, "cos_classifiers_BB"))
    return preds, rows


def _penalised_objective(run: TrainingRun) -> float:
    """The unconstrained features model's objective at the network's own last layer (W, H, b): the loss plus
    (lambda_W/2)||W||_F^2 + (lambda_H/2)||H||_F^2 (the bias is not penalised). (W, H, b) is a feasible point of that
    model, so this is >= its minimum (the claim's ``value``): a bound, not an analogy."""
    f, t = run.final, run.train
    return f["loss"] + 0.5 * t.lambda_W * f["sum_sq_classifier"] + 0.5 * t.feature_decay * f["sum_sq_features"]


def _mse_predictions(run: TrainingRun) -> tuple[list[P.Prediction], list[dict]]:
    f = run.final
    pred = P.tirer_thm3(run.model.bias, run.K, run.sizes[0], run.train.lambda_W, run.train.feature_decay)
    sv = _first(pred, "singular_values_Hbar", "singular_value_Hbar", "sigma_Hbar", keywords=("singular", "h"))
    sw = _first(pred, "singular_values_W", "singular_value_W", "sigma_W", keywords=("singular", "w"))
    rank = run.K - 1 if run.model.bias else run.K  # a simplex ETF (free bias) has rank K-1, an orthogonal frame K
    rows = [
        _row(
            f"the {rank} largest singular values of Hbar (mean)",
            float(np.mean(f["singular_values_Hbar"][:rank])),
            pred,
            sv,
        ),
        _row(
            f"the {rank} largest singular values of W (mean)", float(np.mean(f["singular_values_W"][:rank])), pred, sw
        ),
        # Theorem 3.1: Hbar^T Hbar = rho I (every singular value of Hbar equal): the orthogonal-frame gap is 0
        _derived_row("orthogonal-frame gap of the class means", f["orthogonal_frame_gap"], pred, sv, lambda v: 0.0)
        if not run.model.bias
        else _row("cos(hbar_k, hbar_l) mean (global mean 0: simplex ETF)", f["cos_means_mean"], pred, "cos_means"),
        _row(
            "cos(hbar_k, hbar_l) centred mean",
            f["cos_means_centred_mean"],
            pred,
            _first(pred, "cos_centred_means", "cos_means"),
        ),
        _row("penalised objective at (W, H, b)", _penalised_objective(run), pred, "value", ">="),
    ]
    return [pred], rows


def _relu_predictions(run: TrainingRun) -> tuple[list[P.Prediction], list[dict]]:
    f = run.final
    pred = P.dang_thm1(run.sizes, run.train.lambda_W, run.train.feature_decay)
    hn = _first(pred, "norm_h", "h_norm", "feature_norm", "norm_hbar", keywords=("norm", "h"))
    wn = _first(pred, "norm_w", "w_norm", "classifier_norm", keywords=("norm", "w"))
    alive = _first(pred, "alive", "class_alive", keywords=("alive",))
    rows = [
        _row("||hbar_k|| per class", f["mean_norms"], pred, hn),
        _row("||w_k|| per class", f["classifier_norms"], pred, wn),
        _row("class alive (||hbar_k|| > 1% of the largest)", _alive(f["mean_norms"]), pred, alive),
        _derived_row(
            "max |cos(hbar_k, hbar_l)| (orthogonal: 0)", f["cos_means_max"], pred, "gram_H", _max_offdiagonal_cosine
        ),
        _row("penalised objective at (W, H)", _penalised_objective(run), pred, "value", ">="),
    ]
    return [pred], rows


#: A class mean shorter than this fraction of the longest counts as collapsed (h_k = 0 in dang2024.thm1). The
#: trained network's collapsed classes measure 2e-3 or less of the longest mean (docs/nets.md), the alive ones
#: 0.5 or more, so the split does not depend on the exact value.
ALIVE_FRACTION = 0.01


def _alive(norms: list[float]) -> list[int]:
    top = max(norms)
    return [int(v > ALIVE_FRACTION * top) for v in norms]


def _settings(exp: Experiment) -> list[tuple[str, dict, dict]]:
    """(label, data table, model overrides) of every run of the experiment."""
    if exp.experiment == "imbalanced_ce":
        out = [(f"R={r:g}", exp.data | {"R": r}, {}) for r in exp.sweep.get("ratios", [exp.data.get("R", 1)])]
        at = exp.sweep.get("oversample_at", max(exp.sweep.get("ratios", [exp.data.get("R", 1)])))
        out += [
            (f"R={at:g} w_r={w:g}", exp.data | {"R": at, "oversample": w}, {}) for w in exp.sweep.get("oversample", [])
        ]
        return out
    if exp.experiment == "mse":
        return [(f"bias={b}", exp.data, {"bias": b}) for b in exp.sweep.get("bias", [exp.model.bias])]
    return [(exp.name, exp.data, {})]


def versions() -> dict:
    import importlib.metadata as md

    import torch

    out = {"python": platform.python_version(), "torch": torch.__version__, "numpy": np.__version__}
    for dist in ("nc-verify", "scikit-learn", "sympy", "mpmath"):
        try:
            out[dist] = md.version(dist)
        except md.PackageNotFoundError:  # pragma: no cover
            out[dist] = "not installed"
    return out


def hardware(device: str, threads: int) -> dict:
    import os

    import torch

    out = {
        "device": device,
        "cpu": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "torch_threads": threads,
    }
    if device.startswith("cuda"):
        out["gpu"] = torch.cuda.get_device_name(0)
    return out


def run_experiment(
    exp: Experiment,
    device: str | None = None,
    progress: Callable[[str], Callable[[int, int, dict], None] | None] = lambda label: None,
    predictions: bool = True,
) -> dict:
    """Train every run of ``exp`` and return the result (JSON-ready: configuration, seeds, versions, hardware,
    timings, every metric per measured epoch, the predictions and the comparison rows; ``predictions=False``
    skips the claims' evaluation, which costs seconds per claim)."""
    device = resolve_device(device or exp.device)
    t0 = time.perf_counter()
    runs = []
    for label, table, overrides in _settings(exp):
        data = load(table, exp.seed)
        model = replace(exp.model, **overrides)
        minority = _minority(data)
        run = train(data, model, exp.train, seed=exp.seed, device=device, minority=minority, progress=progress(label))
        t1 = time.perf_counter()
        if not predictions:
            preds, rows = [], []
        elif exp.experiment == "balanced_ce":
            preds, rows = _balanced_predictions(run)
        elif exp.experiment == "imbalanced_ce":
            preds, rows = _imbalanced_predictions(run, data)
        elif exp.experiment == "mse":
            preds, rows = _mse_predictions(run)
        else:
            preds, rows = _relu_predictions(run)
        runs.append(
            {
                "label": label,
                "data": {
                    "kind": data.name,
                    "sizes": list(data.sizes),
                    "oversample": list(data.rates),
                    "N": int(len(data.y)),
                },
                "model": jsonable(model.__dict__),
                "minority": list(minority),
                "seconds_train": run.seconds,
                "seconds_predict": time.perf_counter() - t1,
                "history": jsonable(list(run.history)),
                "final": jsonable(run.final),
                "predictions": [p.json() for p in preds],
                "comparison": jsonable(rows),
            }
        )
    return {
        "schema": SCHEMA,
        "name": exp.name,
        "experiment": exp.experiment,
        "config": exp.raw,
        "seeds": {"data": exp.seed, "torch": exp.seed, "batch_order": exp.seed},
        "metrics_source": METRICS_SOURCE,
        "versions": versions(),
        "hardware": hardware(device, exp.train.threads),  # threads used in training (set per run)
        "timings": {"total_s": time.perf_counter() - t0, "runs_s": {r["label"]: r["seconds_train"] for r in runs}},
        "runs": runs,
    }
