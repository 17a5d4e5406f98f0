"""The value types every layer shares: exact parameter values and the named non-values.

:class:`Undefined` (the quantity does not exist here, e.g. the cosine of a zero vector) and
:class:`Unavailable` (a reference that could not be computed here) live at the bottom, so that solvers,
geometry and metrics name them without importing the claim record.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

#: A parsed parameter value: an exact rational, or a tuple of them for a vector parameter (class sizes).
Value = Fraction | tuple[Fraction, ...]


@dataclass(frozen=True)
class Undefined:
    """A quantity that does not exist at this point (e.g. the cosine of a zero vector), with the reason."""

    reason: str

    def __str__(self) -> str:
        return f"undefined ({self.reason})"


@dataclass(frozen=True)
class Unavailable(Undefined):
    """A reference value that could not be computed here (a root find that did not converge, precision that
    ran out): unlike :class:`Undefined`, it says nothing about the quantity, so a check that meets it is
    ``inconclusive``, never ``verified`` or ``failed``."""

    def __str__(self) -> str:
        return f"unavailable ({self.reason})"


Measured = tuple  # of mpmath.mpf | Undefined: every instance of a quantity (all pairs, all classes...)
