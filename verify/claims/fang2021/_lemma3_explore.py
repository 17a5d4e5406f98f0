"""fang2021 lemma3: explorations beyond the theorem (the record is verify.claims.fang2021.lemma3)."""

from __future__ import annotations

import ast
from collections.abc import Mapping
from fractions import Fraction

import numpy as np

from verify.claims.fang2021._lemma3_solve import measure, model
from verify.record import (
    Exploration,
    Finding,
    SolveOptions,
)
from verify.solvers.lq_saturated import solve_lq


# --- exploration: q <= 1, which the paper leaves as a conjecture ---------------------------------------------
def _conjecture_q_le_1() -> Finding:
    """Solve (33) at q in {1, 3/4, 1/2} (float search, 16 starts, p = 8) at E_H = 2 and E_H = 1/20 (E_W = 1)."""
    rows = []
    for EH in (Fraction(2), Fraction(1, 20)):
        for qv in (Fraction(1), Fraction(3, 4), Fraction(1, 2)):
            values = {"p": Fraction(8), "q": qv, "E_H": EH, "E_W": Fraction(1)}
            lpm = model(values)
            rep = solve_lq(lpm, SolveOptions(n_starts=16, seed=3), lambda x, ar, lpm=lpm: measure(lpm, x, ar, 8))
            W, H = lpm.unpack(rep.point)
            qf, eh = float(qv), float(EH)
            symmetric = 2 * np.logaddexp(0, -2 * eh ** (1 / qf))  # Lemma-3 form: h_1 = -h_2 one-sparse, ||h||_q^q = E_H
            one_sided = np.logaddexp(0, -2 * (2 * eh) ** (1 / qf)) + np.log(2)  # h_2 = 0, ||h_1||_q^q = 2 E_H
            best = min(rep.details["start_values"])
            rows.append(
                {
                    "q": str(qv),
                    "E_H": str(EH),
                    "best value": f"{best:.10f}",
                    "Lemma-3 form (h1=-h2, one-sparse)": f"{symmetric:.10f}",
                    "one-sided (h2=0, h1 one-sparse)": f"{one_sided:.10f}",
                    "relative gain over Lemma-3 form": f"{(best - symmetric) / symmetric:+.2e}",
                    "support (h1, h2)": str(tuple(int(v) for v in rep.quantities["support"])),
                    "||h1||, ||h2||": f"{np.linalg.norm(H[0]):.4f}, {np.linalg.norm(H[1]):.4f}",
                    "starts at best": f"{rep.details['starts_at_best']}/{rep.details['starts']}",
                }
            )
    gains = [float(r["relative gain over Lemma-3 form"]) for r in rows]
    sparse = all(set(ast.literal_eval(r["support (h1, h2)"])) <= {0, 1} for r in rows)
    return Finding(
        summary=f"Sparsity {'holds' if sparse else 'FAILS'} for q <= 1: every best point has "
        f"{'at most one nonzero entry per feature' if sparse else 'a feature with several nonzero entries'}. At E_H = 2 "
        "the Lemma-3 form (h_1 = -h_2) is optimal; at E_H = 1/20 and q < 1 the symmetric form is NOT optimal: "
        "all budget goes to one sample (h_2 = 0), best relative gain "
        f"{min(gains):+.2e}. q = 1 stays symmetric. The power-mean step (39)-(40) needs q >= 1.",
        rows=tuple(rows),
    )


EXPLORATIONS = (
    Exploration(
        claim_id="fang2021.lemma3",
        label="conjecture",
        title="q <= 1: are the minimisers of (33) sparse (SI A.1, end of the proof of Lemma 3)?",
        question="For q in {1, 3/4, 1/2}, what do minimisers of (33) look like, and is the symmetric "
        "one-sparse form h_1 = -h_2 of Lemma 3 still optimal?",
        run=_conjecture_q_le_1,
    ),
    Exploration(
        claim_id="fang2021.lemma3",
        label="exploration",
        title="q < 1: where the one-sided form overtakes the Lemma-3 form (certified crossing)",
        question="For q in {1/2, 3/4, 9/10}, at which t = E_H^(1/q) sqrt(E_W) do the Lemma-3 form and the one-sided "
        "form (h_2 = 0) have equal values, and where is the Lemma-3 form provably not optimal?",
        run=lambda: __import__("verify.claims.fang2021._lemma3_switch", fromlist=["x"]).explore_switch(),
    ),
)


def _not_two(v: Mapping[str, Fraction]) -> bool:
    return v["q"] != 2
