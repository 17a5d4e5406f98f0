"""Exact parameter values: the range accepted at once, and their faithful short text (issue 22).

A parameter is an exact rational (``0.1`` is 1/10). Every parameter, real or integer, lies in
1e-1000 <= |x| <= 1e1000 (or is 0, which the hypotheses judge): beyond, an exact value has thousands of digits
(Python refuses to print integers of more than 4300 digits), the closed forms' cancellations exceed the precision cap
of verify.base.precision, and ``E_H=1e99999999`` would spend minutes building a 10^8-digit integer before any
check, so the exponent is read from the text before the rational is built. Inside the range a closed form is
evaluated to every digit; a solve that float64 cannot start says so in one line (out of reach, inconclusive).

:func:`fraction_text` prints a value faithfully and short: ``1e300`` and ``1e-300``, not a 301-digit integer or
``1/1000...000``; a value that is not a short decimal (1/3) keeps its fraction.
"""

from __future__ import annotations

import re
from fractions import Fraction

from verify.base.errors import InputError

MAX_EXPONENT = 1000
_EXPONENT = re.compile(r"^\s*[+-]?(?:\d[\d_]*\.?\d*|\.\d+)[eE]([+-]?\d+)\s*$")
_HUGE, _TINY = Fraction(10) ** MAX_EXPONENT, Fraction(1, 10**MAX_EXPONENT)


def check_exponent_text(raw: str, name: str, label: str) -> None:
    """Refuse a decimal exponent far beyond the range before the rational is built (1e99999999)."""
    m = _EXPONENT.match(raw)  # a decimal with an exponent (anything else is refused as not a number)
    if m:
        if abs(int(m.group(1))) > MAX_EXPONENT + 30:  # 30: room for a long mantissa (123e-320 is 1.23e-318)
            raise _out_of_range(name, label, raw)


def check_range(value: Fraction, name: str, label: str, raw: str) -> None:
    """Refuse a value outside 1e-1000 <= |x| <= 1e1000 (0 is left to the hypotheses)."""
    if value != 0 and not (_TINY <= abs(value) <= _HUGE):
        raise _out_of_range(name, label, raw)


def _out_of_range(name: str, label: str, raw: str) -> InputError:
    shown = raw if len(raw) <= 40 else raw[:37] + "..."
    return InputError(
        f"{label} = {shown} is outside 1e-1000 <= |{name}| <= 1e1000",
        parameter=name,
        fix=f"give {name} between 1e-1000 and 1e1000 in magnitude (beyond, exact values have thousands of digits "
        "and the closed forms' cancellations exceed the precision cap)",
    )


def fraction_text(value) -> str:
    """A rational as short faithful text: ``3``, ``1/20``, ``0.05`` stays ``1/20``, ``10^300`` is ``1e300``,
    ``10^-300`` is ``1e-300``, ``5 10^-61`` is ``5e-61``; a non-decimal with long terms keeps its fraction."""
    if not isinstance(value, Fraction):
        return str(value)
    text = str(value)
    if len(text) <= 24:
        return text
    q = value.denominator
    a = b = 0
    while q % 2 == 0:
        q //= 2
        a += 1
    while q % 5 == 0:
        q //= 5
        b += 1
    if q != 1:
        return text  # not a terminating decimal: the fraction is the faithful text
    k = max(a, b)  # value = m 10^-k exactly
    m = value.numerator * (10**k // value.denominator)
    e = -k
    while m % 10 == 0 and m != 0:
        m //= 10
        e += 1
    digits = str(abs(m))
    if len(digits) > 40:
        return text
    exp = e + len(digits) - 1  # d.ddd x 10^exp
    mant = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    return f"{'-' if m < 0 else ''}{mant}e{exp}"
