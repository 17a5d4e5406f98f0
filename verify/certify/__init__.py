"""Rigorous enclosures (python-flint ``arb``): balls of thresholds and roots, branch and bound over parameter
boxes, certificates of global minima. Solver-level: imports base, models and solvers, never claims."""
