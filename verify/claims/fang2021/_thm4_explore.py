"""fang2021 thm4: explorations beyond the theorem (the record is verify.claims.fang2021.thm4)."""

from __future__ import annotations

from fractions import Fraction

import sympy as sp

from verify.claims.fang2021._thm4_forms import etf_value, family_parameters, x_star_findroot
from verify.claims.fang2021._thm4_solve import model
from verify.geometry import norm
from verify.models.lq_points import etf_gram_distance
from verify.models.softmax_losses import CROSS_ENTROPY, POWER
from verify.record import (
    Exploration,
    Finding,
    substitution,
)
from verify.solvers.multistart import multistart
from verify.solvers.threads import single_threaded_blas

# --- exploration below the hypothesis ----------------------------------------------------------------------------
EXPLORATION_SETTINGS = (  # (family, q, K, x): E_H = E_W = x, n = 1, p = K
    (POWER, 2, 5, "1/5"),
    (POWER, 2, 5, "1/2"),
    (POWER, 2, 5, "1"),
    (CROSS_ENTROPY, None, 5, "1/5"),
    (POWER, 2, 5, "4"),  # above x_star(5) = 3.918
)


def explore_below_threshold(settings=EXPLORATION_SETTINGS, n_starts: int = 8) -> Finding:
    """Float multistart on (7) at E_H = E_W = x, n = 1, p = K: does some point beat the ETF value?"""
    rows = []
    for fam, q_, K_, x_ in settings:
        values = {"K": Fraction(K_), "n": Fraction(1), "p": Fraction(K_), "E_H": Fraction(x_), "E_W": Fraction(x_)}
        if q_ is not None:
            values["q"] = Fraction(q_)
        lpm = model(values, fam)
        with single_threaded_blas():
            ms = multistart(lpm, n_starts=n_starts, seed=0)
        etf = float(
            sp.N(
                etf_value(fam).subs(
                    substitution(family_parameters((CROSS_ENTROPY, POWER)), {"q": Fraction(2)} | values)
                ),
                20,
            )
        )
        W, _ = lpm.unpack(ms.x)
        below = sum(v < etf * (1 - 1e-9) for v in ms.values)
        rows.append(
            {
                "loss": fam.name + (f" q={q_}" if q_ is not None else ""),
                "K": str(K_),
                "x": str(Fraction(x_)),
                "x_star": f"{float(x_star_findroot(K_, 20)):.6f}",
                "etf_value": f"{etf:.10g}",
                "best_value": f"{ms.value:.10g}",
                "rel_diff": f"{(ms.value - etf) / etf:.2e}",
                "starts_below_etf": f"{below}/{ms.n_starts}",
                "gram_distance_W": f"{float(etf_gram_distance(W)):.3g}",
                "classifier_norms": " ".join(f"{float(norm(w)):.4f}" for w in W),
            }
        )
    worse = [r for r in rows if float(r["rel_diff"]) < -1e-9]
    above = [r for r in rows if float(Fraction(r["x"])) > float(r["x_star"])]
    ce = [r for r in rows if r["loss"] == CROSS_ENTROPY.name]
    etf_best = lambda rs: sum(r not in worse for r in rs)  # noqa: E731
    summary = (
        f"{len(worse)} of {len(rows)} settings have a point strictly better than the ETF"
        + (
            ": "
            + "; ".join(f"{r['loss']}, K={r['K']}, x={r['x']}: {r['best_value']} < ETF {r['etf_value']}" for r in worse)
            if worse
            else ""
        )
        + f". Above x_star(K) the ETF value is the best found in {etf_best(above)} of {len(above)} settings; "
        f"for cross-entropy in {etf_best(ce)} of {len(ce)}."
    )
    return Finding(summary=summary, rows=tuple(rows))


EXPLORATIONS = (
    Exploration(
        claim_id="fang2021.thm4",
        label="exploration",
        title="Below x_star(K): is the ETF still optimal?",
        question="For sqrt(E_H E_W) < x_star(K) Theorem 4 says nothing. Does an independent multistart of (7) find "
        "points below the ETF value for the power loss (q = 2, K = 5) and for cross-entropy (n = 1, p = K)?",
        run=explore_below_threshold,
    ),
    Exploration(
        claim_id="fang2021.thm4",
        label="exploration",
        title="The break s_c of ETF optimality below x_star(K), power loss (with a certified side)",
        question="Along E_H = E_W = s (n = 1, p = K), below which s_c does a point beat the ETF value for the power "
        "loss at K = 4..6, q = 2, 3? s_c to 30 digits (secant on V_competitor - V_ETF at 40 digits); at the grid "
        "point below s_c the competitor is evaluated in balls: strictly below the ETF value proves non-optimality.",
        run=lambda: __import__("verify.claims.fang2021._thm4_break", fromlist=["explore_break"]).explore_break(),
    ),
)
