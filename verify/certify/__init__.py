"""Rigorous enclosures of the global minima of the claims' programs (issue 18): the verdict ``certified``.

Solver level: imports verify.errors/models/solvers/geometry only, never the claims, the record or the engine;
a certificate is built from a numerical solve's point (and multipliers), never from a closed form.

- :mod:`verify.certify.checker`: the independent checker (python-flint and the standard library only): the
  trusted base; :func:`~verify.certify.checker.recheck` proves lo <= min <= hi from a certificate file.
- :mod:`verify.certify.balls`: Arb helpers of the writers (exact decimals, outward rounding, closed forms in
  balls, singular-value bounds proposed for the checker to verify).
- :mod:`verify.certify.layer_peeled`, :mod:`verify.certify.bilinear`: the certificate writers per program.
- :class:`~verify.certify.enclosure.Enclosure`: what a claim's ``certificate`` hook returns.
"""

from verify.certify.enclosure import Enclosure, not_closed

__all__ = ["Enclosure", "not_closed"]
