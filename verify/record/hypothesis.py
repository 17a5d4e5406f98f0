"""A claim's hypotheses, its tolerances (with their error budgets), and why a quantity was withheld."""

from __future__ import annotations

import math
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


#: Most spare digits an :class:`ErrorBudget` may add on top of what it accounts for.
MAX_SPARE_DIGITS = 2


@dataclass(frozen=True)
class ErrorBudget:
    """The computable reason of a tolerance (issue 18: tolerances tied to their reasons, tested).

    The comparison's relative error is at most 10^-(dps - residual_digits) (where the computation stops: a KKT
    residual or stationarity 10^-(dps-5), a secant's last step 10^-(dps-3), the final rounding to dps digits: 0)
    times ``amplification`` (a condition number measured over the pinned and drawn points, the count of rounded
    terms, 1/slope at a simple root), plus ``spare_digits`` (<= :data:`MAX_SPARE_DIGITS`). ``residuals`` and
    ``condition`` name the solve's residuals (``SolveReport.residuals``, matched by suffix) that measure the two
    at each point: tests/test_tolerances.py checks them at the pinned points, and that the tolerance is not
    looser than :attr:`guard_digits`.

    ``exact``: the quantity is an integer on both sides (an indicator, a rank, a count of classes), decided by
    a cut on inputs whose error the rest of the budget bounds (residual, condition: checked as above). Its
    comparison loses no digit, so the budget justifies ``spare_digits`` guard digits only, and every measured
    instance must be an integer (checked at the pinned points: a decided quantity that carries rounding is not
    one)."""

    residual_digits: int
    amplification: float = 1.0
    spare_digits: int = 1
    residuals: tuple[str, ...] = ()
    condition: tuple[str, ...] = ()
    exact: bool = False

    @property
    def guard_digits(self) -> int:
        """residual_digits + ceil(log10(amplification)) + spare_digits: the guard digits this budget justifies
        (``spare_digits`` alone for an exact quantity)."""
        if self.exact:
            return self.spare_digits
        return self.residual_digits + max(0, math.ceil(math.log10(self.amplification) - 1e-9)) + self.spare_digits


@dataclass(frozen=True)
class Tolerance:
    """A relative tolerance that follows the working precision: 10**-(dps - guard_digits); ``budget`` is its
    reason made computable (None only for a statistical quantity, whose tolerance is the solve's interval)."""

    guard_digits: int
    reason: str
    budget: ErrorBudget | None = None

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
