"""NC metrics of a torch model in the loop: a forward hook captures a layer's *input* (the penultimate
features when the layer is the classifier) and feeds :class:`verify.metrics.CollapseStats` batch by batch
from a DataLoader, on the model's device. torch is never imported here: it is the module of the model
passed in (``verify.metrics.arrays.loaded_torch``).

    report = measure(model, model.fc, loader)                 # NC1-NC4 (two passes), W and b from model.fc
    history.record(epoch, report)                             # verify.metrics.CollapseHistory

The first pass accumulates the statistics (and the logits' accuracy) on the device; the second pass, run when
the classifier is known, counts NC4 against the final class means (its tallies need the features on the
host: one copy per batch, O(B d)).
"""

from __future__ import annotations

from contextlib import contextmanager

from verify.base.errors import InputError
from verify.metrics.arrays import loaded_torch
from verify.metrics.streaming import CollapseStats


@contextmanager
def layer_inputs(layer):
    """Context in which ``captured[0]`` is the latest input of ``layer`` (a forward pre-hook, detached)."""
    captured: list = [None]

    def hook(_module, args):
        captured[0] = args[0].detach()

    handle = layer.register_forward_pre_hook(hook)
    try:
        yield captured
    finally:
        handle.remove()


def _batches(model, layer, loader, device):
    torch = loaded_torch()  # a torch model was passed: torch is loaded (never imported here)

    with torch.no_grad(), layer_inputs(layer) as captured:
        for batch in loader:
            if not isinstance(batch, list | tuple) or len(batch) < 2:
                raise InputError("loader: batches are not (inputs, labels)", parameter="loader", fix="yield (x, y)")
            x, y = batch[0], batch[1]
            if device is not None:
                x = x.to(device)
            out = model(x)
            if captured[0] is None:
                raise InputError("layer: not called by the model's forward", parameter="layer", fix="pass a submodule")
            H = captured[0].flatten(1)
            yield H, y.to(H.device), out


def accumulate(model, layer, loader, *, stats: CollapseStats | None = None, device=None, logits: bool = True):
    """First pass: the inputs of ``layer`` over ``loader`` into ``stats`` (a new CollapseStats if None); the
    model's outputs count the accuracy when ``logits``. The model is put in eval mode and restored."""
    stats = CollapseStats() if stats is None else stats
    was_training = model.training
    model.eval()
    try:
        for H, y, out in _batches(model, layer, loader, device):
            stats.update(H, y, logits=out if logits else None)
    finally:
        model.train(was_training)
    return stats


def measure(model, layer, loader, *, W=None, b=None, device=None, second_pass: bool = True, **report_kwargs):
    """Every NC metric of the inputs of ``layer``: the first pass, then (``second_pass`` and a classifier) the
    NC4 pass. W, b default to ``layer.weight`` / ``layer.bias`` when ``layer`` has them (an nn.Linear)."""
    if W is None and getattr(layer, "weight", None) is not None:
        W = layer.weight.detach()
        b = getattr(layer, "bias", None) if b is None else b
        b = None if b is None else b.detach()
    stats = accumulate(model, layer, loader, device=device)
    agreement = None
    if second_pass and W is not None:
        agreement = stats.agreement(W, b)
        was_training = model.training
        model.eval()
        try:
            for H, y, out in _batches(model, layer, loader, device):
                agreement.update(H, y, logits=out)
        finally:
            model.train(was_training)
    return stats.report(W, b, agreement=agreement, **report_kwargs)
