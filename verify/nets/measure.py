"""The one adapter between the network tier and the metrics: every last-layer measurement goes through here.

Standard metrics (NC1-NC4 and their conventions) come from :func:`verify.metrics.collapse_report`.
:func:`geometry` adds what the predictions are
compared with: the realised budgets (E_H, E_W) of Fang et al. 2021 program (7) (their Figure 2 sets the
Layer-Peeled Model's budgets to the trained network's), per-class norms, cosines of class means (uncentred,
as in the claims, and centred by the global mean, as in Papyan et al. 2020), the average minority-classifier
cosine of Fang et al. Figure 4, singular values (Tirer & Bruna 2022 Theorem 3.1) and non-negativity
(Dang et al. 2024). numpy only; every cosine goes through :func:`verify.geometry.invariants.cosine`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from verify.geometry.collapse import ZERO_FRACTION, class_means
from verify.geometry.invariants import cosine
from verify.metrics import collapse_report
from verify.record import Undefined

METRICS_SOURCE = "verify.metrics.collapse_report"


def _worst(*values):
    """The largest of several metrics; Undefined (the first one) if any is."""
    bad = next((v for v in values if isinstance(v, Undefined)), None)
    return bad if bad is not None else max(float(v) for v in values)


def standard_metrics(H: np.ndarray, y: np.ndarray, W: np.ndarray, b: np.ndarray | None = None) -> dict:
    """Every metric of :func:`verify.metrics.collapse_report` (its documented keys, docs/metrics.md), plus the
    tier's summary names: ``NC1`` (= nc1, tr(Sigma_W Sigma_B^+)/K), ``NC2_cosine_gap`` (the worst
    |cos + 1/(K-1)| over class means and classifiers), ``NC2_mean_norm_cv`` / ``NC2_classifier_norm_cv``
    (equinorm) and ``NC3_self_duality``."""
    r = dict(collapse_report(H, y, W=W, b=b))
    r["NC1"] = r["nc1"]
    r["NC2_cosine_gap"] = _worst(r["max_equiangularity_means"], r["max_equiangularity_classifiers"])
    r["NC2_mean_norm_cv"] = r["equinorm_means"]
    r["NC2_classifier_norm_cv"] = r["equinorm_classifiers"]
    r["NC3_self_duality"] = r["self_duality"]
    return r


def _pair_cosines(rows: np.ndarray, pairs: Sequence[tuple[int, int]], label: str) -> list:
    tol = ZERO_FRACTION * max(float(np.linalg.norm(r)) for r in rows)  # all-zero rows: every cosine Undefined
    return [cosine(rows[k], rows[j], zero_tol=tol, names=(f"{label}_{k + 1}", f"{label}_{j + 1}")) for k, j in pairs]


def _stats(values: list, name: str) -> dict:
    """mean/min/max of a family of cosines; Undefined (naming the first undefined one) if any is."""
    bad = next((v for v in values if isinstance(v, Undefined)), None)
    if not values:
        return {f"{name}_mean": Undefined(f"no pairs for {name}")}
    if bad is not None:
        return {f"{name}_{s}": bad for s in ("mean", "min", "max")}
    v = np.array([float(x) for x in values])
    return {f"{name}_mean": float(v.mean()), f"{name}_min": float(v.min()), f"{name}_max": float(v.max())}


def geometry(H: np.ndarray, y: np.ndarray, W: np.ndarray, minority: Sequence[int] = ()) -> dict:
    """Invariants of the last layer that the catalogue's predictions speak about (see the module docstring).

    ``minority``: the classes whose classifier cosines are averaged as in Fang et al. 2021 Figures 2 and 4."""
    H, W = np.asarray(H, dtype=float), np.asarray(W, dtype=float)
    K = W.shape[0]
    means = class_means(H, y, K)
    counts = np.bincount(y, minlength=K)
    sq = np.bincount(y, weights=(H * H).sum(axis=1), minlength=K) / counts
    centred = means - means.mean(axis=0)
    pairs = [(k, l) for k in range(K) for l in range(k + 1, K)]  # noqa: E741
    out: dict = {
        "E_H": float(sq.mean()),  # (1/K) sum_k (1/n_k) sum_i ||h_{k,i}||^2: program (7)'s feature budget, realised
        "E_W": float((W * W).sum(axis=1).mean()),  # (1/K) sum_k ||w_k||^2
        "feature_norm_mean": float(np.sqrt(sq).mean()),
        "sum_sq_features": float((H * H).sum()),  # sum_i ||h_i||^2 = ||H||_F^2 (the penalised models' feature term)
        "sum_sq_classifier": float((W * W).sum()),  # ||W||_F^2
        "mean_norms": [float(v) for v in np.linalg.norm(means, axis=1)],
        "classifier_norms": [float(v) for v in np.linalg.norm(W, axis=1)],
        "min_feature": float(H.min()),
        "negative_fraction": float((H < 0).mean()),
    }
    out |= _stats(_pair_cosines(means, pairs, "hbar"), "cos_means")
    out |= _stats(_pair_cosines(centred, pairs, "hbar_centred"), "cos_means_centred")
    out |= _stats(_pair_cosines(W, pairs, "w"), "cos_classifiers")
    tol = ZERO_FRACTION * max(float(np.abs(means).max()), float(np.abs(W).max()))
    duality = [cosine(means[k], W[k], zero_tol=tol, names=(f"hbar_{k + 1}", f"w_{k + 1}")) for k in range(K)]
    out |= _stats(duality, "cos_mean_classifier")
    minority = sorted(minority)
    if len(minority) >= 2:
        mpairs = [(k, l) for i, k in enumerate(minority) for l in minority[i + 1 :]]  # noqa: E741
        out |= _stats(_pair_cosines(W, mpairs, "w"), "cos_minority_classifiers")
        out |= _stats(_pair_cosines(means, mpairs, "hbar"), "cos_minority_means")
    Hbar = means.T  # d x K, Tirer & Bruna's Hbar
    out["singular_values_Hbar"] = [float(s) for s in np.linalg.svd(Hbar, compute_uv=False)]
    out["singular_values_W"] = [float(s) for s in np.linalg.svd(W, compute_uv=False)]
    out["singular_values_WHbar"] = [float(s) for s in np.linalg.svd(W @ Hbar, compute_uv=False)]
    G = Hbar.T @ Hbar  # Gram of uncentred means: a multiple of I for an orthogonal frame
    if np.linalg.norm(G) == 0:
        out["orthogonal_frame_gap"] = Undefined("orthogonal-frame gap of all-zero class means")
    else:  # Tirer & Bruna's NC2 (OF): || G/||G||_F - I/sqrt(K) ||_F
        out["orthogonal_frame_gap"] = float(np.linalg.norm(G / np.linalg.norm(G) - np.eye(K) / np.sqrt(K)))
    return out


def jsonable(value):
    """A measurement for JSON: floats stay floats, Undefined becomes {"undefined": reason}, recursively."""
    if isinstance(value, Undefined):
        return {"undefined": value.reason}
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float | int | str | bool) or value is None:
        return value
    try:
        return float(value)  # mpmath.mpf
    except (TypeError, ValueError):
        return str(value)
