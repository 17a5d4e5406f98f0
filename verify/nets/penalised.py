"""The ``penalised_ce`` experiment's comparison rows: a balanced network trained with the penalties of Zhu et al.
2021 (classifier decay lambda_W, explicit feature penalty (lambda_H/2) sum_i ||h_i||^2, loss averaged 1/N), with
cross-entropy (prediction: zhu2021.thm3_1, the classifier's bias free and undecayed, or absent) or with label
smoothing alpha (prediction: zhou2022.ls, bias-free).

Same convention term by term (verify.nets.train); the analogy is that the features come from a feature map, not
free variables: with inputs of dimension >= N in general position and no decay on the feature map, a linear
map can realise any H, so the network's minimisers are the model's. The penalised objective at the network's own
(W, H, b) is a feasible point of the model, hence >= its minimum: a bound, not an analogy.
"""

from __future__ import annotations

import numpy as np

from verify.nets import predict as P


def _row(quantity: str, measured, pred: P.Prediction, name: str, relation: str = "~", derive=None) -> dict:
    """A comparison row, as verify.nets.experiments writes them (same keys; built here to keep the experiments
    module free of an import circle); ``derive`` maps a defined prediction (e.g. a gap to its predicted spread 0)."""
    predicted = pred.get(name)
    if derive is not None and isinstance(predicted, int | float):
        predicted = derive(predicted)
    return {
        "quantity": quantity,
        "measured": measured,
        "predicted": predicted,
        "claim": pred.claim_id,
        "claim_quantity": name,
        "relation": relation,
    }


def _rows(run, pred: P.Prediction, alpha: float) -> list[dict]:
    f, H, W = run.final, run.H, run.W
    b = np.zeros(run.K) if run.b is None else run.b
    Z = H @ W.T + b
    y = run.y
    own = Z[np.arange(len(y)), y]
    others = np.ones(Z.shape, dtype=bool)
    others[np.arange(len(y)), y] = False
    gaps = (own[:, None] - Z)[others]
    lse = np.log(np.exp(Z - Z.max(axis=1, keepdims=True)).sum(axis=1)) + Z.max(axis=1)
    q = (1 - alpha) * np.eye(run.K)[y] + alpha / run.K
    loss = float((lse - (q * Z).sum(axis=1)).mean())
    t = run.train
    objective = loss + 0.5 * t.lambda_W * float((W * W).sum()) + 0.5 * t.feature_decay * float((H * H).sum())
    ratio = np.linalg.norm(H, axis=1) / np.linalg.norm(W[y], axis=1)
    rows = [
        _row("cos(w_k, w_l) mean", f["cos_classifiers_mean"], pred, "cosine_classifiers"),
        _row("cos(w_k, w_l) max", f["cos_classifiers_max"], pred, "cosine_classifiers"),
        _row("cos(hbar_k, hbar_l) mean", f["cos_means_mean"], pred, "cosine"),
        _row("||w_k||^2 mean", float(np.mean(np.square(f["classifier_norms"]))), pred, "classifier_norm_sq"),
        _row("||h_i||^2 mean", float((H * H).sum(axis=1).mean()), pred, "feature_norm_sq"),
        _row("logit gap z_y - z_c mean", float(gaps.mean()), pred, "logit_gap"),
        _row(  # one gap at every sample and class: the spread is predicted to be 0
            "logit gap z_y - z_c spread (max - min)",
            float(gaps.max() - gaps.min()),
            pred,
            "logit_gap",
            derive=lambda v: 0.0,
        ),
        _row("||h_i|| / ||w_{y_i}|| mean", float(ratio.mean()), pred, "C"),
        _row("penalised objective at (W, H, b)", objective, pred, "value", ">="),
    ]
    # a claim without one of these quantities (zhou2022.ls states no class-mean cosine or ratio) gets no row
    return [r for r in rows if pred.unavailable or r["claim_quantity"] in pred.values]


def penalised_predictions(run) -> tuple[list[P.Prediction], list[dict]]:
    t = run.train
    n, d = run.sizes[0], run.model.feature_dim
    if t.label_smoothing:
        pred = P.zhou_ls(run.K, n, d, t.lambda_W, t.feature_decay, t.label_smoothing)
    else:
        pred = P.zhu_thm3_1(run.K, n, d, t.lambda_W, t.feature_decay, run.model.bias)
    return [pred], _rows(run, pred, t.label_smoothing)
