"""Explorations of dang2024 (helper, no CLAIM): never part of a verdict, labelled ``exploration``."""

from __future__ import annotations

from fractions import Fraction

import mpmath

from verify.record import Exploration, Finding

#: (K_A, K_B, n_B, lambda) settings compared; lambda_W = lambda_H = lambda.
SETTINGS = ((5, 5, 10, Fraction(1, 200)), (3, 7, 5, Fraction(1, 100)), (7, 3, 4, Fraction(1, 60)))


def matched_budgets(K_A: int, K_B: int, n_B: Fraction, lam: Fraction, R, dps: int = 30) -> tuple:
    """(E_W, E_H) of Fang et al.'s program (7) spent by the penalised ReLU optimum at ratio R:
    E_W = ||W||_F^2 / K, E_H = (1/K) sum_k ||h_k||^2 (collapsed features: (1/n_k) sum_i ||h_{k,i}||^2 = ||h_k||^2)."""
    from verify.claims.dang2024 import _closed_form as cf

    K = K_A + K_B
    with mpmath.workdps(dps):
        Rf = Fraction(mpmath.nstr(mpmath.mpf(R), dps))
        sizes = (Rf * n_B,) * K_A + (Fraction(n_B),) * K_B
        o = cf.optimum(sizes, lam, lam, dps)
        gram = cf.gram_W(o, dps)
        EW = mpmath.fsum(gram[f"{k},{k}"] for k in range(1, K + 1)) / K
        EH = mpmath.fsum(o.norm_h2) / K
        return EW, EH


def relu_vs_lpm() -> Finding:
    """R* of the penalised ReLU model against R0 (minority classifiers equal) and R1 (minority classifiers zero) of
    Fang et al.'s constrained free-sign model at the budgets the ReLU optimum spends at R*, and the self-consistent
    ratio R_m where R_m = R0(budgets of the ReLU optimum at R_m) (bisection)."""
    from verify.claims.dang2024 import _closed_form as cf
    from verify.claims.fang2021 import thm5

    def fang(EW, EH, fn):
        v = {
            "K_A": Fraction(KA),
            "K_B": Fraction(KB),
            "E_H": Fraction(mpmath.nstr(EH, 25)),
            "E_W": Fraction(mpmath.nstr(EW, 25)),
            "R": Fraction(1),
        }
        return fn(v, 20)

    rows = []
    later = later_m = 0
    for KA, KB, nB, lam in SETTINGS:
        with mpmath.workdps(30):
            rs = cf.r_star(Fraction(KA), Fraction(KB), Fraction(nB), lam, lam)
        EW, EH = matched_budgets(KA, KB, Fraction(nB), lam, rs)
        r0, r1 = fang(EW, EH, thm5.r0_value), fang(EW, EH, thm5.r1_value)
        lo, hi = 1.0, float(rs)
        g_lo = float(fang(*matched_budgets(KA, KB, Fraction(nB), lam, lo), thm5.r0_value)) - lo
        if g_lo > 0:
            for _ in range(14):
                mid = (lo * hi) ** 0.5
                if float(fang(*matched_budgets(KA, KB, Fraction(nB), lam, mid), thm5.r0_value)) - mid > 0:
                    lo = mid
                else:
                    hi = mid
            rm = f"{(lo * hi) ** 0.5:.4g}"
            later_m += (lo * hi) ** 0.5 < float(rs)
        else:
            rm = "< 1 (LPM minority classifiers already equal at R = 1)"
            later_m += 1
        later += float(r0) < float(rs)
        rows.append(
            {
                "K_A": str(KA),
                "K_B": str(KB),
                "n_B": str(nB),
                "lambda_W = lambda_H": str(lam),
                "R* (ReLU, penalised)": mpmath.nstr(rs, 10),
                "E_W, E_H at R*": f"{mpmath.nstr(EW, 6)}, {mpmath.nstr(EH, 6)}",
                "R0 (LPM, free sign)": mpmath.nstr(r0, 10) if isinstance(r0, mpmath.mpf) else str(r0),
                "R1 (LPM, minority w = 0)": "none" if r1 is None else mpmath.nstr(r1, 10),
                "R_m (LPM, budgets matched along R)": rm,
            }
        )
    summary = (
        f"In {later} of {len(SETTINGS)} settings the free-sign Layer-Peeled Model, given the budgets the penalised "
        "ReLU optimum spends at R*, collapses its minority classifiers (R0) at a smaller imbalance than R*; with the "
        f"budgets matched along R (R_m) in {later_m} of {len(SETTINGS)}. Where both counts are full, the ReLU "
        "(penalised, H >= 0) model keeps the minority alive longer: it moves the threshold up. The pictures also "
        "differ in kind: at R* the ReLU minority features vanish (h = 0) while its classifiers stay nonzero and "
        "equal; in the LPM the classifiers first become equal (R0) and vanish only at R1 (when Lemma 5's case (ii) "
        "holds). Budgets: E_W = ||W||^2/K, E_H = (1/K) sum_k ||h_k||^2 of the ReLU optimum."
    )
    return Finding(summary, tuple(rows))


EXPLORATIONS = (
    Exploration(
        claim_id="dang2024.thm1",
        label="exploration",
        title="Minority Collapse with and without ReLU: R* (penalised, H >= 0) vs R0/R1 (constrained, free sign)",
        question="On the same class sizes, at the budgets the penalised ReLU optimum uses, does the non-negativity of "
        "the features move the Minority Collapse threshold of Fang et al.'s Layer-Peeled Model, and which way?",
        run=relu_vs_lpm,
    ),
)
