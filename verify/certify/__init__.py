"""Rigorous enclosures (python-flint ``arb``): balls of thresholds and roots (intervals.py, roots.py,
evaluate.py), branch and bound over parameter boxes (box.py, margins.py), certificates of global minima.
Solver-level: imports base (and models, solvers, geometry where needed), never the record, claims or engine; the
``nc-verify certify`` report that reads a claim's record is verify/face/certify_report.py."""
