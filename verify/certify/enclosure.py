"""The enclosure of a program's global minimum at a point, as the certificate writers return it (issue 18).

An :class:`Enclosure` holds [lo, hi] (exact decimals), the certificate file that proves it (a JSON-able dict,
checked by :mod:`verify.certify.checker`, which is what made ``closed`` True) and the names of the claim's
quantities that equal the program's minimum (those the engine may certify).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any


@dataclass(frozen=True)
class Enclosure:
    """lo <= min(program) <= hi, closed (proved by the checker) or not (``message`` says why)."""

    lo: Fraction | None
    hi: Fraction | None
    closed: bool
    message: str
    quantities: tuple[str, ...] = ()
    certificate: Mapping[str, Any] = field(default_factory=dict)
    program: str = ""

    @property
    def width(self) -> Fraction | None:
        """hi - lo relative to max(|lo|, |hi|) (absolute when both are 0)."""
        if self.lo is None or self.hi is None:
            return None
        scale = max(abs(self.lo), abs(self.hi))
        return (self.hi - self.lo) / scale if scale else self.hi - self.lo


def not_closed(message: str, quantities: tuple[str, ...] = (), program: str = "") -> Enclosure:
    """An enclosure that could not be built or proved (``certified`` never follows from it)."""
    return Enclosure(None, None, False, message, quantities, {}, program)
