"""Arithmetic back ends: the same model code runs in float64 and in mpmath at any precision.

Float arithmetic uses numpy float64 arrays. Multiprecision arithmetic uses numpy object arrays whose entries
are ``mpmath.mpf``; the elementwise functions are mpmath's, so every operation is carried out at the
working precision of the enclosing ``mpmath.workdps`` block.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

import mpmath
import numpy as np


@dataclass(frozen=True)
class Arithmetic:
    """Elementwise functions and array conversion for one number system."""

    name: str
    exp: Callable[[np.ndarray], np.ndarray]
    log: Callable[[np.ndarray], np.ndarray]
    log1p: Callable[[np.ndarray], np.ndarray]
    asarray: Callable[[object], np.ndarray]

    def scalar(self, value: object):
        """An exact parameter (int, Fraction, decimal string, float) as a number of this system."""
        return float(value) if self.name == "float64" else to_mpf(value)


def to_mpf(value: object) -> mpmath.mpf:
    """Convert at the current working precision; a Fraction is divided in mpmath, not rounded to float first."""
    if isinstance(value, Fraction):
        return mpmath.mpf(value.numerator) / value.denominator
    if hasattr(value, "p") and hasattr(value, "q"):  # sympy Rational / Integer
        return mpmath.mpf(int(value.p)) / int(value.q)
    return mpmath.mpf(value)


def _mp_array(values: object) -> np.ndarray:
    arr = np.asarray(values, dtype=object)
    return np.frompyfunc(mpmath.mpf, 1, 1)(arr) if arr.shape else np.asarray(mpmath.mpf(arr), dtype=object)


FLOAT = Arithmetic(
    name="float64",
    exp=np.exp,
    log=np.log,
    log1p=np.log1p,
    asarray=lambda v: np.asarray(v, dtype=float),
)


def mp_arithmetic() -> Arithmetic:
    """mpmath arithmetic; the precision is whatever ``mpmath.mp.dps`` is when the functions run."""
    return Arithmetic(
        name="mpmath",
        exp=np.frompyfunc(mpmath.exp, 1, 1),
        log=np.frompyfunc(mpmath.log, 1, 1),
        log1p=np.frompyfunc(mpmath.log1p, 1, 1),
        asarray=_mp_array,
    )
