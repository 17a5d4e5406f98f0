"""The checker's kind ``two_group_ce``: program (15) of Fang et al. 2021 with K_A classes of weight R and K_B of
weight 1, certified from group-symmetric data in O(1) for any K (what it proves: the package docstring).
python-flint and the standard library only."""

from __future__ import annotations

from flint import arb

from .exact import rational, xlogx

PRIMAL = ("p_A", "q_A", "p_B", "q_B", "s_A", "s_B", "d")
DUAL = ("alpha_A", "beta_A", "gamma_A", "alpha_B", "beta_B", "gamma_B")


def two_group_ce(data, primal, dual) -> tuple[arb, arb, list[str]]:
    KA, KB = rational(data["K_A"]), rational(data["K_B"])
    E_H, E_W, R = rational(data["E_H"]), rational(data["E_W"]), rational(data["R"])
    if KA.q != 1 or KB.q != 1 or not (KA >= 1 and KB >= 1 and E_H > 0 and E_W > 0 and R > 0):
        return arb(0), arb(0), ["program data invalid: integers K_A, K_B >= 1 and E_H, E_W, R > 0"]
    if set(primal) != set(PRIMAL) or set(dual) != {*DUAL, "sigma_bound"}:
        return arb(0), arb(0), [f"primal must name {', '.join(PRIMAL)}; dual {', '.join(DUAL)}, sigma_bound"]
    x = {k: rational(v) for k, v in primal.items()}
    a_A, b_A, g_A, a_B, b_B, g_B = (rational(dual[k]) for k in DUAL)
    s = rational(dual["sigma_bound"])
    K = KA + KB
    cA, cB = R / (KA * R + KB), 1 / (KA * R + KB)  # n_k/N of one majority, one minority class
    errors = []
    if (KA == 1 and (x["p_A"] != 0 or x["q_A"] != 0)) or (KB == 1 and (x["p_B"] != 0 or x["q_B"] != 0)):
        errors.append("a group of one class has no centred part: its p and q must be 0")
    used_H = (KA * (x["s_A"] ** 2 + x["p_A"] ** 2) + KB * (x["s_B"] ** 2 + x["p_B"] ** 2)) / K
    used_W = (KA * x["q_A"] ** 2 + KB * x["q_B"] ** 2 + KA * KB * x["d"] ** 2 / K) / K
    if used_H > E_H or used_W > E_W:
        errors.append(f"primal point infeasible: budgets used {float(used_H):.3g} (H), {float(used_W):.3g} (W)")
    xA, xB = x["p_A"] * x["q_A"], x["p_B"] * x["q_B"]
    centred_A = arb(-KA * xA / (KA - 1)).exp() * (KA - 1) if KA > 1 else arb(0)
    centred_B = arb(-KB * xB / (KB - 1)).exp() * (KB - 1) if KB > 1 else arb(0)
    L_A = (centred_A + arb(-x["s_A"] * x["d"] - xA).exp() * KB).log1p()
    L_B = (centred_B + arb(-x["s_B"] * x["d"] - xB).exp() * KA).log1p()
    hi = arb(KA * cA) * L_A + arb(KB * cB) * L_B
    if min(a_A, b_A, g_A, a_B, b_B, g_B) < 0 or (KA == 1 and b_A != 0) or (KB == 1 and b_B != 0):
        errors.append("dual point invalid: a probability is negative (or beta of a one-class group is not 0)")
    if a_A + (KA - 1) * b_A + KB * g_A != 1 or a_B + (KB - 1) * b_B + KA * g_B != 1:
        errors.append("dual point invalid: a row of P does not sum to 1")
    # the eigenvalues of G^T G, G = diag(c)(P - I): centred majority, centred minority, the group means
    eigen = [(cA * (a_A - 1 - b_A)) ** 2] if KA > 1 else []
    eigen += [(cB * (a_B - 1 - b_B)) ** 2] if KB > 1 else []
    eigen.append(K * (KB * (cA * g_A) ** 2 + KA * (cB * g_B) ** 2))
    if not (s > 0 and all(s * s >= e for e in eigen)):
        errors.append("sigma_bound is not above sigma_max(G): s^2 is below an eigenvalue of G^T G")
    ent_A = xlogx(a_A) + arb(KA - 1) * xlogx(b_A) + arb(KB) * xlogx(g_A)
    ent_B = xlogx(a_B) + arb(KB - 1) * xlogx(b_B) + arb(KA) * xlogx(g_B)
    entropy = arb(KA * cA) * ent_A + arb(KB * cB) * ent_B
    lo = -entropy - arb(s) * arb(K) * (arb(E_H) * arb(E_W)).sqrt()
    return lo, hi, errors


__all__ = ["DUAL", "PRIMAL", "two_group_ce"]
