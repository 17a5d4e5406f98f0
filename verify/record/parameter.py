"""A claim's parameter: its name, domain, default, and the exact parsing of user values."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

import sympy

from verify.base.errors import InputError
from verify.base.numbers_text import check_exponent_text, check_range
from verify.base.values import Value

_KINDS = ("integer", "real", "integer_vector", "real_vector")


@dataclass(frozen=True)
class Parameter:
    """A parameter with its domain; the name follows the paper (K, p, n, E_H, E_W, ...).

    ``kind`` is ``integer``, ``real``, or a vector of either (``integer_vector``: class sizes ``n=8,4,2`` on the
    command line, any sequence in Python). ``default`` gives a documented value for a size or dimension that no
    quantity depends on (``p = K``, ``n = 1``, ``d = 4K``): ``solve`` and ``check`` fill it in and print it,
    ``eval`` never needs it. ``default_text`` says the default in words.
    """

    name: str
    kind: Literal["integer", "real", "integer_vector", "real_vector"]
    description: str
    default: Callable[[Mapping[str, Value]], Value] | None = None
    default_text: str = ""

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise ValueError(f"Parameter {self.name!r}: kind {self.kind!r} is not one of {', '.join(_KINDS)}")
        if self.default is not None and not self.default_text:
            raise ValueError(f"Parameter {self.name!r}: a default needs its default_text (say it in words)")

    @property
    def vector(self) -> bool:
        return self.kind.endswith("_vector")

    @property
    def symbol(self) -> sympy.Symbol:
        """The sympy symbol of a scalar parameter (a vector parameter is used through quantity references)."""
        if self.kind.startswith("integer"):
            return sympy.Symbol(self.name, integer=True, positive=True)
        return sympy.Symbol(self.name, positive=True)

    def parse(self, text: str | int | Fraction | Sequence) -> Value:
        """Parse a user value exactly ('0.1' is 1/10, not the nearest double); a vector from '8,4,2' or a
        sequence."""
        if self.vector:
            items = _vector_items(text)
            if not items:
                raise InputError(
                    f"{self.name} is empty", parameter=self.name, fix=f"give at least one entry, e.g. {self.name}=8,4,2"
                )
            return tuple(self._scalar(item, f"{self.name}[{i + 1}]") for i, item in enumerate(items))
        if isinstance(text, list | tuple):
            raise InputError(
                f"{self.name} = {text!r} is a sequence but {self.name} is a single number",
                parameter=self.name,
                fix=f"give one value, e.g. {self.name}=3",
            )
        return self._scalar(text, self.name)

    def _scalar(self, text, label: str) -> Fraction:
        if isinstance(text, bool):
            raise InputError(f"{label} = {text} is not a number", parameter=self.name, fix=f"give {self.name}=<number>")
        if isinstance(text, float):  # numpy's float64 too (its repr is np.float64(0.1))
            text = repr(float(text))  # the shortest decimal that round-trips: 0.1 is 1/10
        raw = str(text).strip()
        if raw == "":
            raise InputError(
                f"{label} is empty", parameter=self.name, fix=f"give a number for {label} (an extra comma in a list?)"
            )
        if len(raw) > MAX_DIGITS:
            raise InputError(
                f"{label} has {len(raw)} characters",
                parameter=self.name,
                fix=f"give at most {MAX_DIGITS} characters (a fraction such as 1/3 or a decimal with an exponent)",
            )
        check_exponent_text(raw, self.name, label)
        try:
            value = Fraction(raw)
        except (ValueError, ZeroDivisionError, OverflowError):
            raise InputError(
                f"{label} = {text!r} is not a number",
                parameter=self.name,
                fix=f"give {self.name}=<number> (an integer, a decimal such as 0.05, or a fraction such as 1/20)",
            ) from None
        if self.kind.startswith("integer") and value.denominator != 1:
            raise InputError(f"{label} = {raw} is not an integer", parameter=self.name, fix=f"give an integer {label}")
        check_range(value, self.name, label, raw)
        return value


#: Longest accepted text of one number: an exact rational with more digits than any working precision is a
#: typing accident, and its exact arithmetic would run unbounded.
MAX_DIGITS = 200


def _vector_items(text) -> list:
    if isinstance(text, str):
        body = text.strip().strip("[]()").strip()
        return [] if not body else [s.strip() for s in body.split(",")]  # an empty item is refused by name
    if isinstance(text, Sequence):
        return list(text)
    if hasattr(text, "tolist"):  # numpy arrays
        return list(text.tolist())
    return [text]
