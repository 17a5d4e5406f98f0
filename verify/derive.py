"""Public alias: ``from verify.derive import equal, holds, tight`` keeps working.

The derivation checker lives in the authoring kit, :mod:`verify.authoring.derive`; this module re-exports its
public names unchanged (docs/authoring.md, proofs/*.md).
"""

from verify.authoring.derive import (
    DEFAULT_INTEGER,
    DEFAULT_POSITIVE,
    DEFAULT_REAL,
    GUARD_DIGITS,
    MAX_BOXES,
    DerivationFailed,
    Step,
    equal,
    holds,
    tight,
)

__all__ = [
    "DEFAULT_INTEGER",
    "DEFAULT_POSITIVE",
    "DEFAULT_REAL",
    "GUARD_DIGITS",
    "MAX_BOXES",
    "DerivationFailed",
    "Step",
    "equal",
    "holds",
    "tight",
]
