"""Networks of the tier: a feature map ``h = f(x)`` (optionally ending in a ReLU) and a linear classifier.

``h`` is the penultimate layer, the "last-layer features" of Papyan et al. (2020) and of the unconstrained
features models (Fang et al. 2021 Eq. (7): no bias; Tirer & Bruna 2022 Section 3: with or without bias;
Dang et al. 2024: h >= 0 after a ReLU). Three feature maps: an MLP, a small CNN and a ResNet (BasicBlocks,
He et al. 2016; ``blocks = (2, 2, 2, 2)`` is ResNet18's layout). torch is imported lazily by the callers.
"""

from __future__ import annotations

from dataclasses import dataclass

from verify.base.errors import InputError
from verify.nets import require_torch


@dataclass(frozen=True)
class ModelConfig:
    kind: str = "mlp"  # mlp | cnn | resnet
    width: int = 256  # hidden width (MLP) or base channels (CNN, ResNet)
    depth: int = 3  # hidden layers (MLP)
    blocks: tuple[int, ...] = (1, 1, 1)  # BasicBlocks per stage (ResNet)
    feature_dim: int = 64  # p (or d): the penultimate width
    relu: bool = False  # a ReLU before the classifier (non-negative features, Dang et al. 2024)
    bias: bool = False  # a bias in the classifier (Tirer & Bruna 2022 Theorem 3.2)
    batch_norm: bool = True  # in the CNN and ResNet (Fang et al. replace VGG's dropout by batch norm)


def build(config: ModelConfig, input_shape: tuple[int, ...], K: int):
    """(features, classifier) torch modules for inputs of ``input_shape`` (without the batch axis)."""
    torch = require_torch()
    nn = torch.nn
    if config.feature_dim < K - 1:
        raise InputError(
            f"model.feature_dim = {config.feature_dim} < K - 1 = {K - 1}",
            parameter="model.feature_dim",
            fix="a simplex ETF needs p >= K - 1 (an orthogonal frame p >= K)",
        )
    norm2d = (lambda c: nn.BatchNorm2d(c)) if config.batch_norm else (lambda c: nn.Identity())
    if config.kind == "mlp":
        layers, w_in = [nn.Flatten()], 1
        for s in input_shape:
            w_in *= s
        for _ in range(config.depth):
            layers += [nn.Linear(w_in, config.width), nn.ReLU()]
            w_in = config.width
        layers.append(nn.Linear(w_in, config.feature_dim))
    elif config.kind == "cnn":
        c, layers, c_in = config.width, [], input_shape[0]
        for c_out in (c, 2 * c, 4 * c):
            layers += [nn.Conv2d(c_in, c_out, 3, padding=1), norm2d(c_out), nn.ReLU(), nn.MaxPool2d(2)]
            c_in = c_out
        layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c_in, config.feature_dim)]
    elif config.kind == "resnet":
        c_last = config.width * 2 ** (len(config.blocks) - 1)
        layers = [_resnet(nn, norm2d, input_shape[0], config), nn.Linear(c_last, config.feature_dim)]
    else:
        raise InputError(f"model.kind = {config.kind!r}", parameter="model.kind", fix="use mlp, cnn or resnet")
    if config.relu:
        layers.append(nn.ReLU())
    return nn.Sequential(*layers), nn.Linear(config.feature_dim, K, bias=config.bias)


def _resnet(nn, norm2d, c_in: int, config: ModelConfig):
    class Block(nn.Module):
        def __init__(self, c_in: int, c_out: int, stride: int):
            super().__init__()
            self.body = nn.Sequential(
                nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False),
                norm2d(c_out),
                nn.ReLU(),
                nn.Conv2d(c_out, c_out, 3, 1, 1, bias=False),
                norm2d(c_out),
            )
            self.skip = (
                nn.Identity()
                if stride == 1 and c_in == c_out
                else nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride, bias=False), norm2d(c_out))
            )
            self.relu = nn.ReLU()

        def forward(self, x):
            return self.relu(self.body(x) + self.skip(x))

    base = c = config.width
    layers = [nn.Conv2d(c_in, c, 3, 1, 1, bias=False), norm2d(c), nn.ReLU()]
    for stage, n_blocks in enumerate(config.blocks):
        c_out = base * 2**stage
        for b in range(n_blocks):
            layers.append(Block(c, c_out, 2 if (b == 0 and stage > 0) else 1))
            c = c_out
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten()]
    return nn.Sequential(*layers)
