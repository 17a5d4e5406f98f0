"""Rigorous enclosures (python-flint ``arb``), issue 18. Solver level: imports verify.base/models/solvers/geometry
only, never the claims, the record or the engine.

Certified global minima (the verdict ``certified``): a certificate is built from a numerical solve's point (and
multipliers), never from a closed form.

- :mod:`verify.certify.checker`: the independent checker (python-flint and the standard library only): the
  trusted base; :func:`~verify.certify.checker.recheck` proves lo <= min <= hi from a certificate file.
- :mod:`verify.certify.balls`: Arb helpers of the writers (exact decimals, outward rounding, closed forms in
  balls, singular-value bounds proposed for the checker to verify).
- :mod:`verify.certify.layer_peeled`, :mod:`verify.certify.bilinear`, :mod:`verify.certify.two_layer` (through the
  scalar reduction of the two-layer proofs): the certificate writers per program.
- :class:`~verify.certify.enclosure.Enclosure`: what a claim's ``certificate`` hook returns.

Certified balls and boxes (``eval --certify``, ``nc-verify certify ID --box``; docs/certified.md, "Balls and
boxes"):

- :mod:`verify.certify.intervals`, :mod:`verify.certify.roots`: balls of closed forms, thresholds and roots
  (Krawczyk boxes, certified sign changes), the helpers of a quantity's ``ball`` hook;
  :mod:`verify.certify.evaluate` collects them for ``eval --certify``.
- :mod:`verify.certify.box`, :mod:`verify.certify.margins`: inequalities over parameter boxes by branch and
  bound on balls (the ``certify`` command's report, which reads a claim's record, is verify/face/certify_report.py).
"""

from verify.certify.enclosure import Enclosure, not_closed

__all__ = ["Enclosure", "not_closed"]
