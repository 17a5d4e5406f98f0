"""Hypothesis strategies for parameters: exact decimals, so a drawn point prints and re-parses exactly."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import strategies as st


def log_decimals(lo_exp: int, hi_exp: int, digits: int = 2) -> st.SearchStrategy[Fraction]:
    """Positive decimals m * 10^e with ``digits`` significant digits, 10^lo_exp <= value < 10^hi_exp."""
    mantissa = st.integers(10 ** (digits - 1), 10**digits - 1)
    exponent = st.integers(lo_exp - digits + 1, hi_exp - digits)
    return st.builds(lambda m, e: Fraction(m) * Fraction(10) ** e, mantissa, exponent)
