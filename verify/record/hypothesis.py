"""A claim's hypotheses, its tolerances, and why a quantity was withheld."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction

import mpmath

from verify.base.values import Value


@dataclass(frozen=True)
class Hypothesis:
    """A checkable condition on the parameters, with the parameter to blame and the fix.

    ``statement`` is printed as written (``"p >= K - 1"``); ``holds(values)`` decides it on exact values;
    ``parameter`` is named in the one-line error when it fails and ``fix`` says what to give instead. It is
    checked only where every parameter in ``uses`` is given (partial evaluation), else reported as an
    assumption of the values computed."""

    statement: str  # e.g. "p >= K - 1"
    holds: Callable[[Mapping[str, Fraction]], bool]
    parameter: str
    fix: str
    #: the parameters ``holds`` reads; empty: found out by calling it (a missing parameter raises KeyError)
    uses: tuple[str, ...] = ()

    def check(self, values: Mapping[str, Value]) -> bool | None:
        """True or False where every parameter the hypothesis reads is in ``values``; None where one is missing."""
        if self.uses and not set(self.uses) <= set(values):
            return None
        try:
            return bool(self.holds(values))
        except KeyError:
            return None


@dataclass(frozen=True)
class Tolerance:
    """A relative tolerance that follows the working precision: 10**-(dps - guard_digits)."""

    guard_digits: int
    reason: str

    def at(self, dps: int) -> mpmath.mpf:
        return mpmath.mpf(10) ** (-(dps - self.guard_digits))


@dataclass(frozen=True)
class Withheld:
    """A quantity ``eval`` did not compute: a parameter it needs is missing, or a hypothesis it rests on fails.

    Not a statement about the quantity (unlike :class:`Undefined`): it says what to give or change."""

    reason: str
    needs: tuple[str, ...] = ()
    fix: str = ""
    hypothesis: Hypothesis | None = None  # the failing hypothesis, where that is the reason

    def __str__(self) -> str:
        return f"not computed ({self.reason}{'; ' + self.fix if self.fix else ''})"
