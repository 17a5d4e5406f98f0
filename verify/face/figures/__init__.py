"""Figures of the claims, dispatched by claim id: ``nc-verify plot ID ...``.

:data:`PLOTTERS` maps a claim-id prefix to ``"module:function"``; the longest matching prefix wins. A plotting
function is called as ``function(claim, assignments, args)`` (``assignments``: the ``name=value`` strings of the
command line; ``args``: the parsed options, ``out``, ``points``, ``json``, ...), validates everything before any
work (one-line :class:`verify.base.errors.InputError`), and returns a :class:`Figure`. It is imported only when
asked for (matplotlib and the solvers are heavy).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from verify.base.errors import InputError


@dataclass(frozen=True)
class Figure:
    """What a plot command wrote: ``data`` for ``--json`` (docs/schemas/plot.schema.json), one line of ``text``
    for the terminal, and whether every plotted point converged (else the exit status is 3)."""

    data: dict
    text: str
    complete: bool


#: claim-id prefix -> "module:function" (add yours: e.g. "dang2024.": "verify.face.figures.dang2024:figure").
PLOTTERS: dict[str, str] = {
    "fang2021.thm5": "verify.face.figures.fang2021:figure",
    "tirer2022.": "verify.face.figures.tirer2022:figure",
    "dang2024.prop1": "verify.face.figures.dang2024:figure",
    "hong2023.": "verify.face.figures.hong2023:figure",
}


def plotter(claim_id: str) -> Callable:
    """The plotting function of ``claim_id`` (a user error naming the claims that have one)."""
    matches = [prefix for prefix in PLOTTERS if claim_id.startswith(prefix)]
    if not matches:
        raise InputError(
            f"no plot for {claim_id}", parameter="ID", fix=f"plots exist for: {', '.join(sorted(PLOTTERS))}"
        )
    module, _, function = PLOTTERS[max(matches, key=len)].partition(":")
    return getattr(importlib.import_module(module), function)
