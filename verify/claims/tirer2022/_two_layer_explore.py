"""Two-layer model (Tirer & Bruna 2022, Section 4): explorations (the landscape census, the nuclear-norm assumption)."""

from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np

from verify.claims.tirer2022._two_layer_solve import (
    classify,
    model,
    nuclear_norms,
)
from verify.models.arith import mp_arithmetic

# --- explorations: the landscape census and the nuclear-norm assumption -------------------------------------
CENSUS_POINT = {"K": "3", "n": "2", "lambda_W1": "1/10", "lambda_W2": "1/10", "lambda_H1": "1/20"}


def census(relu: bool, starts: int = 48, seed: int = 0):
    """Where L-BFGS from ``starts`` random starts (scales 0.1, 0.5, 1, 2) ends, by name, for d1 = d2 = K, K+1, 2K
    at K beta = 0.3 (nonzero point global); and (ReLU) whether ||relu(W1 H1)||_* = ||W1 H1||_* at each end point."""
    from verify.record import Finding
    from verify.solvers.landscape import explore  # solvers load with the census, not with the claim
    from verify.solvers.threads import single_threaded_blas

    rows = []
    holds_total = points_total = 0
    for d in (3, 4, 6):
        values = {k: Fraction(v) for k, v in {**CENSUS_POINT, "d1": str(d), "d2": str(d)}.items()}
        m = model(values, relu)

        def piece(x, m=m):
            Z = m.second_features(np.asarray(x, dtype=float))[0]
            return m.on_piece(Z > 1e-7 * np.abs(Z).max()) if relu else m

        with single_threaded_blas():
            land = explore(
                m,
                n_starts=starts,
                seed=seed,
                dps=30,
                scales=(0.1, 0.5, 1.0, 2.0),
                classify=lambda x, m=m: classify(m, x),
                polish_problem=piece if relu else None,
                max_polished=12,
            )
        for s in (land.best, *land.others):
            row = {
                "d1 = d2": str(d),
                "stationary point": s.name,
                "kind": "global minimum" if s is land.best else ("local minimum" if s.local_minimum else "saddle"),
                "value": f"{s.value_float:.12g}",
                "starts": f"{s.starts} of {starts}",
            }
            if relu:
                with mpmath.workdps(30):
                    rn, zn = nuclear_norms(m, s.polished.x, mp_arithmetic())
                    eq = abs(rn - zn) <= mpmath.mpf(10) ** -22 * max(zn, 1)
                row["||relu(Z)||_* / ||Z||_*"] = "0/0 (Z = 0)" if zn < 1e-20 else mpmath.nstr(rn / zn, 12)
                holds_total += s.starts * bool(eq)
                points_total += s.starts
            rows.append(row)
    summary = (
        "Multistart L-BFGS on (24) at K beta = 0.3: every end point is named (global, partly active local minima "
        "with inactive directions, the origin, saddles) with the number of starts reaching it; narrow layers "
        "(d = K) trap most starts in partly active minima."
    )
    if relu:
        summary += (
            f" The nuclear-norm assumption holds at the end points of {holds_total} of {points_total} starts "
            "(equality to 22 digits after the polish; at the origin trivially)."
        )
    return Finding(summary, tuple(rows))
