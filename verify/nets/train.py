"""Train a network to the terminal phase and record its last-layer geometry at every measured epoch.

The recipe of Papyan, Han & Donoho (2020) and Fang et al. (2021, Section 4B "Experiments"): SGD with
momentum 0.9, coupled weight decay (an L2 term in the gradient, ``torch.optim.SGD(weight_decay=...)``), the
learning rate divided by 10 at 1/3 and 2/3 of training, trained far past zero training error. Mini-batch
or full batch (``batch_size = 0``). Conventions of the objective (the network analogue of the penalised
unconstrained features models):

    (1/N) sum_i loss(W h_i + b, y_i) + (weight_decay/2) ||theta||^2 + (classifier_decay/2) ||W||_F^2
        + (feature_decay/2) sum_i ||h_i||^2

with loss = cross-entropy, or (1/2)||W h_i + b - e_{y_i}||^2 for MSE (Tirer & Bruna 2022's 1/(2Kn) ||WH + b1^T - Y||^2);
theta the feature map's parameters; the classifier's bias is never decayed (Theorem 3.2's "unregularised
bias"). The feature penalty can ramp up over the first ``penalty_warmup`` of training: with a ReLU before
the classifier, a full penalty from the first step drives every feature to zero before the classifier has
grown, and the dead ReLUs never recover (measured: docs/nets.md). On a mini-batch of B samples the feature penalty is (N/B)-scaled so its expectation is the full sum.
Metrics are measured in evaluation mode (batch norm frozen) on the whole training set.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from verify.base.errors import InputError
from verify.nets import require_torch
from verify.nets.data import Dataset
from verify.nets.measure import geometry, standard_metrics
from verify.nets.models import ModelConfig, build


@dataclass(frozen=True)
class TrainConfig:
    loss: str = "ce"  # ce | mse
    optimizer: str = "sgd"  # sgd | adam | adamw (the last two for comparison: they do not collapse)
    lr: float = 0.05
    momentum: float = 0.9
    weight_decay: float = 5e-4  # feature map (coupled L2)
    classifier_decay: float | None = None  # lambda_W of the classifier weight; None: = weight_decay
    feature_decay: float = 0.0  # lambda_H: (lambda_H/2) sum_i ||h_i||^2
    penalty_warmup: float = 0.0  # fraction of the epochs over which the feature penalty ramps up linearly from 0
    epochs: int = 100
    batch_size: int = 0  # 0: full batch
    milestones: tuple[float, ...] = (1 / 3, 2 / 3)  # fractions of the epochs where lr *= gamma
    gamma: float = 0.1
    measure_every: int = 1  # epochs between measurements (the last epoch is always measured)
    dtype: str = "float64"  # float64 | float32
    threads: int = 2

    @property
    def lambda_W(self) -> float:
        return self.weight_decay if self.classifier_decay is None else self.classifier_decay


@dataclass(frozen=True)
class TrainingRun:
    dataset: str
    K: int
    sizes: tuple[int, ...]
    model: ModelConfig
    train: TrainConfig
    seed: int
    device: str
    seconds: float
    history: tuple[dict, ...]
    H: np.ndarray = field(repr=False)  # final features (N_distinct... all training samples, eval mode)
    y: np.ndarray = field(repr=False)
    W: np.ndarray = field(repr=False)
    b: np.ndarray | None = field(repr=False)

    @property
    def final(self) -> dict:
        return self.history[-1]


def resolve_device(device: str) -> str:
    torch = require_torch()
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise InputError(f"--device {device}: no CUDA device here", parameter="device", fix="use cpu or auto")
    if device != "cpu" and not device.startswith("cuda"):
        raise InputError(f"--device {device!r}", parameter="device", fix="use cpu, cuda or auto")
    return device


def _optimizer(torch, features, classifier, cfg: TrainConfig):
    groups = [
        {"params": list(features.parameters()), "weight_decay": cfg.weight_decay},
        {"params": [classifier.weight], "weight_decay": cfg.lambda_W},
    ]
    if classifier.bias is not None:
        groups.append({"params": [classifier.bias], "weight_decay": 0.0})
    if cfg.optimizer == "sgd":
        return torch.optim.SGD(groups, lr=cfg.lr, momentum=cfg.momentum)
    if cfg.optimizer == "adam":
        return torch.optim.Adam(groups, lr=cfg.lr)
    if cfg.optimizer == "adamw":
        return torch.optim.AdamW(groups, lr=cfg.lr)
    raise InputError(f"train.optimizer = {cfg.optimizer!r}", parameter="train.optimizer", fix="use sgd, adam or adamw")


def train(data: Dataset, model: ModelConfig | None = None, cfg: TrainConfig | None = None, **kwargs) -> TrainingRun:
    """Train from ``seed``; measure the last layer every ``cfg.measure_every`` epochs (and at epoch 0). numpy's
    BLAS is held to ``cfg.threads`` threads too (the measurements' SVDs otherwise oversubscribe a loaded CPU)."""
    from threadpoolctl import threadpool_limits

    cfg = cfg or TrainConfig()
    with threadpool_limits(limits=cfg.threads):
        return _train(data, model, cfg, **kwargs)


def _train(
    data: Dataset,
    model: ModelConfig | None = None,
    cfg: TrainConfig | None = None,
    seed: int = 0,
    device: str = "cpu",
    minority: tuple[int, ...] = (),
    progress: Callable[[int, int, dict], None] | None = None,
) -> TrainingRun:
    torch = require_torch()
    model, cfg = model or ModelConfig(), cfg or TrainConfig()
    if cfg.loss not in ("ce", "mse"):
        raise InputError(f"train.loss = {cfg.loss!r}", parameter="train.loss", fix="use ce or mse")
    device = resolve_device(device)
    torch.set_num_threads(cfg.threads)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True, warn_only=True)
    dtype = {"float64": torch.float64, "float32": torch.float32}[cfg.dtype]
    features, classifier = build(model, data.X.shape[1:], data.K)
    features, classifier = features.to(device, dtype), classifier.to(device, dtype)
    opt = _optimizer(torch, features, classifier, cfg)
    marks = [int(round(f * cfg.epochs)) for f in cfg.milestones]
    sched = torch.optim.lr_scheduler.MultiStepLR(opt, milestones=marks, gamma=cfg.gamma)
    X = torch.as_tensor(data.X, dtype=dtype, device=device)
    y = torch.as_tensor(data.y, device=device)
    onehot = torch.nn.functional.one_hot(y, data.K).to(dtype)
    N = len(data.y)
    B = N if cfg.batch_size <= 0 else min(cfg.batch_size, N)
    gen = torch.Generator(device="cpu").manual_seed(seed)

    def objective(idx, ramp: float):
        h = features(X[idx])
        out = classifier(h)
        if cfg.loss == "ce":
            loss = torch.nn.functional.cross_entropy(out, y[idx])
        else:
            loss = 0.5 * ((out - onehot[idx]) ** 2).sum(dim=1).mean()
        if cfg.feature_decay:
            loss = loss + 0.5 * ramp * cfg.feature_decay * (N / len(idx)) * (h * h).sum()
        return loss

    history, t0 = [], time.perf_counter()
    for epoch in range(cfg.epochs + 1):
        if epoch > 0:
            features.train(), classifier.train()
            ramp = min(1.0, epoch / (cfg.penalty_warmup * cfg.epochs)) if cfg.penalty_warmup > 0 else 1.0
            order = torch.randperm(N, generator=gen).to(device) if B < N else torch.arange(N, device=device)
            for start in range(0, N - B + 1, B):  # drop the ragged last batch (full batch: one step)
                opt.zero_grad(set_to_none=True)
                objective(order[start : start + B], ramp).backward()
                opt.step()
            sched.step()
        if epoch % cfg.measure_every == 0 or epoch == cfg.epochs:
            record = _measure(torch, features, classifier, X, y, onehot, data, cfg, minority)
            record |= {"epoch": epoch, "lr": opt.param_groups[0]["lr"], "seconds": time.perf_counter() - t0}
            history.append(record)
            if progress is not None:
                progress(epoch, cfg.epochs, record)
    H, W, b = _last_layer(torch, features, classifier, X)
    return TrainingRun(
        data.name, data.K, data.sizes, model, cfg, seed, device, time.perf_counter() - t0, tuple(history),
        H, data.y, W, b,
    )  # fmt: skip


def _last_layer(torch, features, classifier, X, chunk: int = 4096):
    features.eval(), classifier.eval()
    with torch.no_grad():
        H = torch.cat([features(X[i : i + chunk]) for i in range(0, len(X), chunk)]).double().cpu().numpy()
    W = classifier.weight.detach().double().cpu().numpy()
    b = None if classifier.bias is None else classifier.bias.detach().double().cpu().numpy()
    return H, W, b


def _measure(torch, features, classifier, X, y, onehot, data: Dataset, cfg: TrainConfig, minority) -> dict:
    H, W, b = _last_layer(torch, features, classifier, X)
    with torch.no_grad():
        out = torch.as_tensor(H @ W.T + (0 if b is None else b))
        yy = torch.as_tensor(data.y)
        ce = float(torch.nn.functional.cross_entropy(out, yy))
        mse = float(0.5 * ((out - onehot.cpu().double()) ** 2).sum(dim=1).mean())
        acc = float((out.argmax(1) == yy).double().mean())
    record = {"loss": ce if cfg.loss == "ce" else mse, "cross_entropy": ce, "mse": mse, "train_accuracy": acc}
    record |= standard_metrics(H, data.y, W, b)
    record |= geometry(H, data.y, W, minority)
    return record
