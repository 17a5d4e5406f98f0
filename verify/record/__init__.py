"""The record: a claim of a paper as data (layer 2, above :mod:`verify.base`).

:class:`Claim` (record/claim.py) holds its :class:`Parameter` s, :class:`Hypothesis` es with their
:class:`Tolerance` s (each with its :class:`ErrorBudget`), :class:`Quantity` s, pinned :class:`Example` s,
:class:`Erratum` / :class:`Exploration` records and the :class:`ProofInequality` s its proof rests on (proved
over parameter boxes by ``nc-verify certify``); the hypotheses many claims share are in
:mod:`verify.record.hypotheses`. The record imports only :mod:`verify.base` (and sympy, mpmath): it never runs
a solve or a check.
"""

from verify.base.solving import SolveOptions, SolveReport
from verify.base.values import Measured, Unavailable, Undefined, Value
from verify.record.claim import Claim, Source, substitution
from verify.record.erratum import Erratum, Evidence, Example, Exploration, Finding
from verify.record.hypothesis import MAX_SPARE_DIGITS, ErrorBudget, Hypothesis, Tolerance, Withheld
from verify.record.inequality import ProofInequality
from verify.record.parameter import MAX_DIGITS, Parameter
from verify.record.quantity import Quantity, QuantityValue, Reference

__all__ = [
    "MAX_DIGITS",
    "MAX_SPARE_DIGITS",
    "Claim",
    "Erratum",
    "ErrorBudget",
    "Evidence",
    "Example",
    "Exploration",
    "Finding",
    "Hypothesis",
    "Measured",
    "Parameter",
    "ProofInequality",
    "Quantity",
    "QuantityValue",
    "Reference",
    "SolveOptions",
    "SolveReport",
    "Source",
    "Tolerance",
    "Unavailable",
    "Undefined",
    "Value",
    "Withheld",
    "substitution",
]
