"""Train an MLP with a bias-free linear classifier and record its last-layer geometry over training.

The classifier ``W`` (K x p, no bias, as in the Layer-Peeled Model (7) of Fang et al. 2021) sits on top of
features ``h = f(x)`` (p-dimensional, the penultimate layer). Training is full-batch with weight decay, the
regime in which the terminal phase of training is observed (Papyan et al. 2020). Metrics are measured on
the training set with :func:`verify.geometry.collapse.collapse_metrics` at checkpoints.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from verify.geometry.collapse import CollapseMetrics, collapse_metrics
from verify.nets import require_torch
from verify.nets.data import Dataset


@dataclass(frozen=True)
class TrainConfig:
    width: int = 128
    depth: int = 2  # hidden ReLU layers of the feature map, then a linear map to the p features
    feature_dim: int = 32  # p: must be >= K - 1 for a simplex ETF
    steps: int = 2000  # full-batch optimiser steps
    lr: float = 1e-3  # Adam
    weight_decay: float = 5e-3  # L2 penalty on every parameter (the penalised analogue of the budgets of (7))
    checkpoints: int = 5
    seed: int = 0
    device: str = "cpu"  # "cpu", "cuda" or "auto"


@dataclass(frozen=True)
class Checkpoint:
    step: int
    loss: float
    accuracy: float
    metrics: CollapseMetrics


@dataclass(frozen=True)
class TrainingRun:
    dataset: str
    K: int
    per_class: int
    config: TrainConfig
    device: str
    seconds: float
    history: tuple[Checkpoint, ...] = field(default_factory=tuple)

    @property
    def final(self) -> Checkpoint:
        return self.history[-1]


def train(data: Dataset, config: TrainConfig = TrainConfig()) -> TrainingRun:
    """Train from ``config.seed`` and measure NC1-NC3 at ``config.checkpoints`` evenly spaced steps."""
    torch = require_torch()
    if config.feature_dim < data.K - 1:
        raise ValueError(f"feature_dim = {config.feature_dim} < K - 1 = {data.K - 1}: a simplex ETF needs p >= K-1")
    device = ("cuda" if torch.cuda.is_available() else "cpu") if config.device == "auto" else config.device
    torch.manual_seed(config.seed)
    layers, width_in = [], data.X.shape[1]
    for _ in range(config.depth):
        layers += [torch.nn.Linear(width_in, config.width), torch.nn.ReLU()]
        width_in = config.width
    layers += [torch.nn.Linear(width_in, config.feature_dim)]  # unconstrained features, as in (7)
    features = torch.nn.Sequential(*layers).to(device, torch.float64)
    classifier = torch.nn.Linear(config.feature_dim, data.K, bias=False).to(device, torch.float64)
    params = list(features.parameters()) + list(classifier.parameters())
    opt = torch.optim.Adam(params, lr=config.lr, weight_decay=config.weight_decay)
    X = torch.as_tensor(data.X, dtype=torch.float64, device=device)
    y = torch.as_tensor(data.y, device=device)
    marks = set(np.linspace(0, config.steps, config.checkpoints + 1).astype(int))
    history, t0 = [], time.perf_counter()
    for step in range(0, config.steps + 1):
        if step > 0:
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(classifier(features(X)), y)
            loss.backward()
            opt.step()
        if step in marks:  # step 0 is the initialisation
            with torch.no_grad():
                H = features(X)
                logits = classifier(H)
                history.append(
                    Checkpoint(
                        step,
                        float(torch.nn.functional.cross_entropy(logits, y)),
                        float((logits.argmax(1) == y).double().mean()),
                        collapse_metrics(H.cpu().numpy(), data.y, classifier.weight.detach().cpu().numpy()),
                    )
                )
    return TrainingRun(
        data.name, data.K, len(data.y) // data.K, config, device, time.perf_counter() - t0, tuple(history)
    )
