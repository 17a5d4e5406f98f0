"""Experiment configurations: TOML (stdlib tomllib) or JSON files, validated with one-line errors.

A configuration names the experiment, the seed and device, and four tables::

    name = "balanced-ce-cpu"
    experiment = "balanced_ce"        # balanced_ce | imbalanced_ce | mse | relu_ce
    seed = 0
    device = "auto"                   # cpu | cuda | auto
    [data]  kind = "gaussian", classes = 10, per_class = 50   (or sizes = [...], or K_A, K_B, n_A, R)
    [model] kind = "mlp", width = 256, depth = 1, feature_dim = 32, relu = false, bias = false
    [train] loss = "ce", lr = 0.1, weight_decay = 5e-3, epochs = 3000, batch_size = 0, ...
    [sweep] ratios = [1, 4, 16], oversample = [4], oversample_at = 16, bias = [false, true]

Shipped configurations live in ``verify/nets/configs/`` (``cpu/`` for CI, ``gpu/`` for a CUDA machine).
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field, fields
from importlib import resources
from pathlib import Path

from verify.base.errors import InputError
from verify.nets.models import ModelConfig
from verify.nets.train import TrainConfig

EXPERIMENTS = ("balanced_ce", "imbalanced_ce", "mse", "relu_ce")
SWEEP_KEYS = ("ratios", "oversample", "oversample_at", "bias")


@dataclass(frozen=True)
class Experiment:
    name: str
    experiment: str
    seed: int
    device: str
    data: dict
    model: ModelConfig
    train: TrainConfig
    sweep: dict = field(default_factory=dict)
    raw: dict = field(default_factory=dict)  # the configuration as given, for the result file


def _typed(cls, table: dict, where: str):
    known = {f.name: f for f in fields(cls)}
    unknown = sorted(set(table) - set(known))
    if unknown:
        raise InputError(
            f"[{where}] has unknown key {unknown[0]!r}",
            parameter=f"{where}.{unknown[0]}",
            fix=f"known keys: {', '.join(known)}",
        )
    kwargs = {}
    for k, v in table.items():
        default = getattr(cls(), k)
        kwargs[k] = tuple(v) if isinstance(default, tuple) else v
    return cls(**kwargs)


def from_mapping(raw: dict) -> Experiment:
    """An :class:`Experiment` from a parsed TOML/JSON document."""
    allowed = {"name", "experiment", "seed", "device", "data", "model", "train", "sweep", "description"}
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise InputError(
            f"unknown top-level key {unknown[0]!r}",
            parameter=unknown[0],
            fix=f"known keys: {', '.join(sorted(allowed))}",
        )
    kind = raw.get("experiment")
    if kind not in EXPERIMENTS:
        raise InputError(f"experiment = {kind!r}", parameter="experiment", fix=f"use one of {', '.join(EXPERIMENTS)}")
    sweep = dict(raw.get("sweep", {}))
    bad = sorted(set(sweep) - set(SWEEP_KEYS))
    if bad:
        raise InputError(
            f"[sweep] has unknown key {bad[0]!r}",
            parameter=f"sweep.{bad[0]}",
            fix=f"known keys: {', '.join(SWEEP_KEYS)}",
        )
    return Experiment(
        name=str(raw.get("name", kind)),
        experiment=kind,
        seed=int(raw.get("seed", 0)),
        device=str(raw.get("device", "auto")),
        data=dict(raw.get("data", {})),
        model=_typed(ModelConfig, dict(raw.get("model", {})), "model"),
        train=_typed(TrainConfig, dict(raw.get("train", {})), "train"),
        sweep=sweep,
        raw=raw,
    )


def load_config(path: str | Path) -> Experiment:
    """Read a ``.toml`` or ``.json`` configuration (or the name of a shipped one, e.g. ``cpu/balanced_ce``)."""
    p = Path(path)
    if not p.exists():
        shipped = resources.files("verify.nets") / "configs" / f"{path}.toml"
        if not shipped.is_file():
            raise InputError(
                f"no configuration {str(path)!r}",
                parameter="CONFIG",
                fix=f"give a .toml or .json file, or one of: {', '.join(shipped_configs())}",
            )
        p = Path(str(shipped))
    text = p.read_text()
    try:
        raw = json.loads(text) if p.suffix == ".json" else tomllib.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"{p}: {exc}", parameter="CONFIG", fix="fix the syntax of the configuration file") from None
    return from_mapping(raw)


def shipped_configs() -> list[str]:
    """Names of the configurations under verify/nets/configs/ (``cpu/...``, ``gpu/...``)."""
    root = resources.files("verify.nets") / "configs"
    return sorted(
        f"{d.name}/{f.name[:-5]}" for d in root.iterdir() if d.is_dir() for f in d.iterdir() if f.name.endswith(".toml")
    )
