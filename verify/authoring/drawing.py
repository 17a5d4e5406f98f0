"""Where a claim is fuzzed: a mapping parameter -> range, turned into a Hypothesis strategy.

    draws({"K": integers(2, 5), "p": lambda v: integers(v["K"] - 1, v["K"] + 2), "E_H": decimals("0.01", "10")})

Each entry is a range helper (:func:`integers`, :func:`decimals`, :func:`choice`, :func:`vectors`), a Hypothesis
strategy, or a function of the values drawn so far (in the mapping's order) returning one of those. Drawn values
are exact (decimals print and re-parse exactly); parameters with a documented default and no entry take their
default; a drawn point that violates a hypothesis is rejected (``hypothesis.assume``), so every point the strategy
yields is inside the theorem. Hypothesis is imported only when points are drawn.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True)
class _Range:
    kind: str
    args: tuple

    def strategy(self):
        from hypothesis import strategies as st

        if self.kind == "integers":
            lo, hi = self.args
            return st.integers(int(lo), int(hi)).map(Fraction)
        if self.kind == "decimals":
            lo, hi, digits = self.args
            lo_exp, hi_exp = math.floor(math.log10(lo)), math.floor(math.log10(hi)) + 1
            mantissa = st.integers(10 ** (digits - 1), 10**digits - 1)
            exponent = st.integers(lo_exp - digits + 1, hi_exp - digits)
            values = st.builds(lambda m, e: Fraction(m) * Fraction(10) ** e, mantissa, exponent)
            return values.filter(lambda x: lo <= x <= hi)
        if self.kind == "choice":
            return st.sampled_from([Fraction(str(v)) for v in self.args])
        if self.kind == "vectors":
            element, min_size, max_size = self.args
            return st.lists(_as_strategy(element), min_size=min_size, max_size=max_size).map(tuple)
        raise AssertionError(self.kind)


def integers(lo: int, hi: int) -> _Range:
    """Integers lo..hi (inclusive)."""
    if int(lo) != lo or int(hi) != hi or lo > hi:
        raise ValueError(f"integers({lo!r}, {hi!r}): give integers lo <= hi")
    return _Range("integers", (int(lo), int(hi)))


def decimals(lo, hi, digits: int = 2) -> _Range:
    """Positive decimals with ``digits`` significant digits in [lo, hi], log-uniform over the decades."""
    lo_f, hi_f = Fraction(str(lo)), Fraction(str(hi))
    if not 0 < lo_f <= hi_f:
        raise ValueError(f"decimals({lo!r}, {hi!r}): give 0 < lo <= hi (for signed values use a strategy)")
    return _Range("decimals", (lo_f, hi_f, int(digits)))


def choice(*values) -> _Range:
    """One of these values (exact)."""
    if not values:
        raise ValueError("choice(): give at least one value")
    return _Range("choice", tuple(values))


def vectors(element, min_size: int = 2, max_size: int = 4) -> _Range:
    """A vector parameter (class sizes ``n``): a tuple of min_size..max_size elements drawn from ``element``."""
    return _Range("vectors", (element, int(min_size), int(max_size)))


def _as_strategy(spec):
    if isinstance(spec, _Range):
        return spec.strategy()
    if hasattr(spec, "map") and hasattr(spec, "filter"):  # already a Hypothesis strategy
        return spec.map(lambda v: tuple(Fraction(x) for x in v) if isinstance(v, tuple | list) else Fraction(v))
    if isinstance(spec, Sequence) and not isinstance(spec, str):
        return choice(*spec).strategy()
    raise TypeError(f"{spec!r} is not a range: use integers(lo, hi), decimals(lo, hi), choice(...) or a strategy")


def draws(spec: Mapping[str, object], *, params: Sequence = (), hypotheses: Sequence = ()) -> Callable[[], object]:
    """A claim's ``strategy``: ``() -> strategy of dict[str, Fraction]`` drawing ``spec`` in order."""
    spec = dict(spec)

    def strategy():
        from hypothesis import assume
        from hypothesis import strategies as st

        @st.composite
        def points(draw) -> dict:
            values: dict = {}
            for name, entry in spec.items():
                if callable(entry) and not isinstance(entry, _Range) and not hasattr(entry, "filter"):
                    entry = entry(values)
                values[name] = draw(_as_strategy(entry))
            full = dict(values)
            for p in params:
                if p.name not in full and p.default is not None:
                    full[p.name] = p.default(full)
            assume(all(h.check(full) is not False for h in hypotheses))
            return values

        return points()

    return strategy
