"""What the toolkit found beyond a theorem: pinned examples, errata with their evidence, explorations."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Example:
    """A pinned parameter point, with why it is pinned."""

    params: Mapping[str, str]
    note: str


@dataclass(frozen=True)
class Evidence:
    """What the toolkit computed about an erratum."""

    symbolic_difference: str | None
    point: Mapping[str, str] | None
    printed_value: str | None
    corrected_value: str | None
    reference_value: str | None  # an independent computation (a solve) at the point
    holds: bool  # True when the computation confirms the erratum


@dataclass(frozen=True)
class Erratum:
    """A printed step that disagrees with what sympy or a solve shows, with the corrected form."""

    claim_id: str
    location: str
    printed: str
    corrected: str
    summary: str
    evidence: Callable[[], Evidence]  # computed when asked, never typed in


@dataclass(frozen=True)
class Finding:
    """What an exploration measured: a one-paragraph summary and the rows behind it (strings, for JSON)."""

    summary: str
    rows: tuple[Mapping[str, str], ...] = ()


@dataclass(frozen=True)
class Exploration:
    """A numerical search *beyond* the theorem (outside its hypotheses, or a conjecture of the paper).

    Never part of the claim's verdict: ``nc-verify explore`` runs it and labels its output as
    ``exploration`` (the theorem says nothing there) or ``conjecture`` (the paper conjectures, we measure)."""

    claim_id: str
    label: Literal["exploration", "conjecture"]
    title: str
    question: str
    run: Callable[[], Finding]  # computed when asked, never typed in
