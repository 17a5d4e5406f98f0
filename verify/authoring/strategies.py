"""Hypothesis strategies for parameters: exact decimals, so a drawn point prints and re-parses exactly.

Claim modules write ``from verify import strategies as st``: ``st.composite`` defers building the strategy,
and every other name (``st.integers``, ``st.sampled_from``, ...) is hypothesis.strategies' own, looked up on
first use. So importing a claim (for ``show`` or ``eval``) does not import Hypothesis; drawing points does.
"""

from __future__ import annotations

import functools
from fractions import Fraction


def composite(fn):
    """``hypothesis.strategies.composite``, applied when the strategy is first asked for."""

    @functools.wraps(fn)
    def build(*args, **kwargs):
        from hypothesis import strategies

        return strategies.composite(fn)(*args, **kwargs)

    return build


def __getattr__(name: str):
    if name.startswith("__"):  # import machinery probes (__path__, __wrapped__ ...) are not strategies
        raise AttributeError(name)
    from hypothesis import strategies

    try:
        return getattr(strategies, name)
    except AttributeError:
        raise AttributeError(f"module 'verify.authoring.strategies' has no attribute {name!r}") from None


def log_decimals(lo_exp: int, hi_exp: int, digits: int = 2):
    """Positive decimals m * 10^e with ``digits`` significant digits, 10^lo_exp <= value < 10^hi_exp."""
    from hypothesis import strategies

    mantissa = strategies.integers(10 ** (digits - 1), 10**digits - 1)
    exponent = strategies.integers(lo_exp - digits + 1, hi_exp - digits)
    return strategies.builds(lambda m, e: Fraction(m) * Fraction(10) ** e, mantissa, exponent)


def assume(condition: object) -> bool:
    """``hypothesis.assume`` (imported on first use, inside a draw)."""
    from hypothesis import assume as hypothesis_assume

    return hypothesis_assume(condition)
