"""fang2021 prop2: explorations beyond the theorem (the record is verify.claims.fang2021.prop2)."""

from __future__ import annotations

from fractions import Fraction

import sympy as sp

from verify.claims.fang2021._prop2_forms import PARAMETERS
from verify.claims.fang2021._prop2_solve import RELAXATION_BOUND, global_solve
from verify.models.lq_points import sign_etf_exists
from verify.record import (
    Exploration,
    Finding,
    SolveOptions,
    substitution,
)

# --- exploration: where the statement holds --------------------------------------------------------------------
EXPLORATION_GRID = (
    (3, 3, "1/2"),
    (3, 3, "1"),
    (3, 3, "3/2"),
    (3, 3, "2"),
    (3, 3, "3"),
    (3, 6, "4"),
    (4, 4, "3/2"),
    (4, 4, "3"),
    (4, 6, "3/2"),
    (4, 6, "3"),
    (4, 6, "4"),
    (5, 5, "3/2"),
    (5, 5, "3"),
    (5, 8, "3"),
)


def _explore_distances() -> Finding:
    rows = []
    for Kv, pv, qv in EXPLORATION_GRID:
        values = {
            "K": Fraction(Kv),
            "n": Fraction(1),
            "p": Fraction(pv),
            "q": Fraction(qv),
            "E_H": Fraction(1),
            "E_W": Fraction(1),
        }
        rep = global_solve(values, SolveOptions(dps=30, n_starts=8, seed=1))
        dW, dH = float(rep.quantities["etf_distance_W"][0]), float(rep.quantities["etf_distance_Hbar"][0])
        bound = float(sp.N(RELAXATION_BOUND.subs(substitution(PARAMETERS, values)))) if Fraction(qv) > 2 else None
        rows.append(
            {
                "K": str(Kv),
                "p": str(pv),
                "q": qv,
                "value": f"{float(rep.quantities['value'][0]):.12f}",
                "l2-relaxation bound": "-" if bound is None else f"{bound:.12f}",
                "ETF distance W": f"{dW:.2e}",
                "ETF distance Hbar": f"{dH:.2e}",
                "sign ETF exists": str(sign_etf_exists(Kv, pv)),
                "minimiser is an ETF": str(max(dW, dH) < 1e-6),
                "refined": "KKT" if rep.converged else f"float only ({rep.message.split(';')[0]})",
                "starts at best": f"{rep.details['starts_at_best']}/{rep.details['starts']}",
            }
        )
    fails = [r for r in rows if r["minimiser is an ETF"] == "True" and r["q"] != "2"]
    closest = min(
        max(float(r["ETF distance W"]), float(r["ETF distance Hbar"]))
        for r in rows
        if r["minimiser is an ETF"] == "False"
    )
    return Finding(
        summary="Global solves of (20) (E_H = E_W = 1, n = 1, 8 starts): the minimiser is an ETF exactly at the "
        "q = 2 control and at q > 2 where a +-1 simplex ETF exists ("
        + ", ".join(f"K={r['K']} p={r['p']} q={r['q']}" for r in fails)
        + "; value = the l2-relaxation bound): there Proposition 2 fails. Elsewhere (q < 2; q > 2 with K odd "
        f"or no sign ETF) the minimiser stays a distance >= {closest:.2g} from every ETF (the larger of the "
        "W and class-mean distances), as the proposition says.",
        rows=tuple(rows),
    )


EXPLORATIONS = (
    Exploration(
        claim_id="fang2021.prop2",
        label="exploration",
        title="Distance of the global minimiser of (20) from every simplex ETF, by (K, p, q)",
        question="Is the minimiser of (20) an ETF (normalised Gram distance 0) -- for which (K, p, q)?",
        run=_explore_distances,
    ),
)
