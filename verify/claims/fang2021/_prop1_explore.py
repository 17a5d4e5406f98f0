"""fang2021 prop1: explorations beyond the theorem (the record is verify.claims.fang2021.prop1)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from verify.models.gram_relaxation import GramProgram
from verify.record import (
    Exploration,
    Finding,
)
from verify.solvers.conic import classifier_geometry, solve_gram


# --- exploration: Fig. 6 (oversampling enlarges the minority angles) --------------------------------------------
def _fig6() -> Finding:
    """cos_BB of (15) with n_B -> w_r n_B at R = 1000, K = 10, E_W = 1, against w_r (Clarabel, then SCS)."""
    rows, monotone = [], True
    for ka in (3, 5, 7):
        for eh in (5, 10):
            previous = None
            for wr in (1, 10, 100, 200, 500, 1000):
                sizes = (Fraction(1000),) * ka + (Fraction(wr),) * (10 - ka)
                prog = GramProgram(sizes, eh, 1)
                sol = solve_gram(prog, "CLARABEL")
                if not sol.accurate:
                    sol = solve_gram(prog, "SCS")
                norms, C = classifier_geometry(sol.X)
                if norms[ka:].min() < 1e-4:
                    cos_bb = "undefined (minority classifiers ~ 0)"
                    current = None
                else:
                    current = float(np.mean([C[k, j] for k in range(ka, 10) for j in range(k + 1, 10)]))
                    cos_bb = f"{current:.6f}"
                    if previous is not None and current > previous + 10 * sol.stated_accuracy:
                        monotone = False
                    previous = current
                rows.append(
                    {
                        "K_A": str(ka),
                        "E_H": str(eh),
                        "w_r": str(wr),
                        "cos_BB": cos_bb,
                        "solver": f"{sol.solver}: {sol.reason}",
                    }
                )
    summary = (
        "At R = 1000, K = 10, E_W = 1 the mean minority-minority classifier cosine of (15) with n_B -> w_r n_B "
        + ("decreases monotonically" if monotone else "does NOT decrease monotonically")
        + " in w_r over {1, 10, 100, 200, 500, 1000} for K_A in {3, 5, 7}, E_H in {5, 10}, reaching -1/9 at w_r = R "
        "(rows; conic accuracy ~1e-8 on cosines). Where the minority classifiers vanish the cosine is undefined."
    )
    return Finding(summary, tuple(rows))


EXPLORATIONS = (
    Exploration(
        claim_id="fang2021.prop1",
        label="conjecture",
        title="Fig. 6: oversampling enlarges the between-minority-class angles",
        question="Is the minority-minority classifier cosine of the oversampled model decreasing in w_r at R = 1000?",
        run=_fig6,
    ),
)
