"""The bottom layer: what every other layer may use and which uses nothing of ``verify`` above it.

:mod:`~verify.base.errors` (:class:`InputError`, the one-line refusal), :mod:`~verify.base.values`
(:class:`Undefined`, :class:`Unavailable`, exact values), :mod:`~verify.base.solving` (:class:`SolveOptions`,
:class:`SolveReport`), :mod:`~verify.base.precision` (evaluation to relative digits) and
:mod:`~verify.base.symbolic` (sympy helpers).
"""
