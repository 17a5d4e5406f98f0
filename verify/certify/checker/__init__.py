"""The independent checker of nc-verify certificates: the trusted base of the verdict ``certified``.

It imports python-flint and the standard library only (nothing of ``verify``: a test holds it to that), so
that a reader can audit it alone. Every number of a certificate file is an exact decimal (or p/q) string read
as a rational (``flint.fmpq``); feasibility and the semidefiniteness of matrices are decided in exact rational
arithmetic; exp and log are evaluated in Arb balls (``flint.arb``), whose radii account for every rounding.

What :func:`recheck` proves, for a file whose ``program`` block names one of the kinds below with its data:

    lo <= min(program) <= hi,   [lo, hi] = the file's ``enclosure``,

where hi is the objective at the file's ``primal`` point, which is checked exactly to be feasible, and lo is
the value of a weak-duality bound at the file's ``dual`` point, whose validity conditions are checked exactly.
It proves nothing about the program's relation to a paper (that the kind and data encode the claim's program
is the writer's statement, not the checker's), nor that the minimiser is unique. Kinds:

``layer_peeled_ce`` (Fang et al. 2021, program (7), cross-entropy): data class_sizes n_k, budgets E_H, E_W,
    optional class_weights c_k > 0 (default n_k/N), optional K and n (checked against the class sizes); minimise sum_k (c_k/n_k) sum_i CE(W h_{k,i}, k) over
    W (K x p), H (N x p, rows class by class) subject to (1/K) sum_k ||w_k||^2 <= E_W and
    (1/K) sum_k (1/n_k) sum_i ||h_{k,i}||^2 <= E_H. With n_k = 1 this is the Gram relaxation (15) written in
    a factor (Lemma 1); with c_k = n_k/N it is (7); other c_k: oversampling (18).
    Dual point: P (K x K, rows probability vectors) and s >= sigma_max(G), G = diag(c_k)(P - I) (checked:
    s^2 I - G^T G positive definite). Bound: CE(z, k) >= <p - e_k, z> - sum_j p_j log p_j (Fenchel) for every
    sample; summed, sum_k c_k <g_k, W hbar_k> = <G, Hbar W^T> >= -s ||Hbar||_F ||W||_F >= -s K sqrt(E_H E_W)
    (Cauchy-Schwarz, Jensen on the class means); so lo = -sum_k c_k sum_j p_kj log p_kj - s K sqrt(E_H E_W),
    a lower bound of (7) for every p and of (15).
``two_group_ce`` (Fang et al. 2021, program (15) with two class sizes, any K in O(1)): data integers K_A, K_B >= 1
    and E_H, E_W, R > 0: the ``layer_peeled_ce`` program with n_k = 1 and class weights c_A = R/(K_A R + K_B)
    (K_A majority classes), c_B = 1/(K_A R + K_B) (K_B minority). Primal: seven scalars standing for the vectors
    hbar_k = s_A e + p_A u_k, w_k = (K_B d/K) e + q_A u_k (majority), hbar_k = -s_B e + p_B u_k,
    w_k = -(K_A d/K) e + q_B u_k (minority), e a unit vector orthogonal to the unit simplex vectors u_k of each
    group (u_k . u_j = -1/(K_g - 1) in a group, 0 across; p = q = 0 for a group of one class, checked). Their
    budgets (K_A (s_A^2 + p_A^2) + K_B (s_B^2 + p_B^2))/K <= E_H and (K_A q_A^2 + K_B q_B^2 + K_A K_B d^2/K)/K
    <= E_W are checked exactly; the logit gaps to the own class are -K_A x_A/(K_A - 1) (another majority class)
    and -s_A d - x_A (a minority class), x_A = p_A q_A (minority alike), so hi = K_A c_A L_A + K_B c_B L_B,
    L_A = log(1 + (K_A - 1) exp(-K_A x_A/(K_A - 1)) + K_B exp(-s_A d - x_A)). Dual: the block P of
    ``layer_peeled_ce`` (a majority row: alpha_A own class, beta_A another majority class, gamma_A a minority
    class; minority rows alike), rows checked to be probability vectors exactly, and s with s^2 >= every
    eigenvalue of G^T G, G = diag(c)(P - I): c_A^2 (alpha_A - 1 - beta_A)^2, c_B^2 (alpha_B - 1 - beta_B)^2,
    K (K_B c_A^2 gamma_A^2 + K_A c_B^2 gamma_B^2) and 0 (G 1 = 0); lo is ``layer_peeled_ce``'s bound at this P
    (every p), hi a point of it for every p >= K - 1 (the vectors span K - 1 dimensions) and of (15).
    The expansion into a dense certificate (logits, spectrum): proofs/fang2021.thm5.md, Step 7.
``bilinear_mse`` (Tirer & Bruna 2022, problems (3), (5), (14); with ``class_sizes`` instead of n, any class sizes:
    Dang et al. 2023, the one-layer imbalanced model): data K, n, lambda_W, lambda_H, bias ("none",
    "free" or "regularised") and lambda_b; with N = Kn and Y = I_K (x) 1_n^T, minimise
    f = (1/(2N))||W H + b 1^T - Y||^2 + (lambda_W/2)||W||^2 + (lambda_H/2)||H||^2 (+ (lambda_b/2)||b||^2) over
    W (K x d), H (d x N) and b (none: b = 0). Since (lW||W||^2 + lH||H||^2)/2 >= c||W H||_* (c = sqrt(lW lH)),
    f >= g(Z, b) = (1/(2N))||Z + b 1^T - Y||^2 + c||Z||_* (+ ...) at Z = W H. Dual point: Lambda (K x N) with
    ||Lambda||_2 <= c (checked: lW lH I - Lambda Lambda^T positive definite, exactly) and, for a free bias,
    Lambda 1 = 0 exactly. Then c||Z||_* >= -<Lambda, Z>, and minimising the quadratic over Z (and b) in closed
    form gives lo = -(N/2)||Lambda||^2 - <Lambda, Y> (- ||Lambda 1||^2/(2 lambda_b) with a regularised bias),
    a lower bound of f for every d. Both lo and hi = f(W, H, b) are exact rationals here.

``penalised_ufm_ce`` (the unconstrained-features model with Frobenius penalties and cross-entropy, no bias; Zhu
    et al. 2021 without bias, THEOREMS-NEXT.md family F): data class_sizes n_k, lambda_W, lambda_H; minimise
    (1/N) sum_i CE(W h_i, y_i) + (lambda_W/2)||W||^2 + (lambda_H/2)||H||^2 over W (K x d), H (N x d, rows class by
    class), unconstrained (every point is feasible). Since (lW||W||^2 + lH||H||^2)/2 >= c||W H^T||_*,
    c = sqrt(lW lH), and CE(z, k) >= <p - e_k, z> - sum_j p_j log p_j (Fenchel) with one P row per class, f >=
    <G, Z> + c||Z||_* - sum_k (n_k/N) sum_j p_kj log p_kj, G (K x N) with columns (p_{y_i} - e_{y_i})/N. Dual point:
    P (K x K, rows probability vectors) with lW lH I - G G^T positive definite (checked exactly), so that
    <G, Z> >= -c||Z||_*: lo = -sum_k (n_k/N) sum_j p_kj log p_kj, a lower bound for every d.
``contrastive_gram`` (Fang et al. 2021, program (12), supervised contrastive loss): data K, n, E_H, tau;
    with N = Kn, A_ab = [same class]/n and X = H H^T, minimise
    F = (1/N) sum_a [log sum_b exp(X_ab/tau) - sum_b A_ab X_ab/tau] over H (N x p) with tr(X)/N <= E_H.
    Dual point: Pi (N x N, rows probability vectors) and mu with S - mu I positive definite (checked exactly),
    S the symmetric part of (Pi - A)/(N tau). Fenchel on each log-sum-exp gives F >= <S, X> - (1/N) sum_a
    sum_b Pi_ab log Pi_ab, and <S, X> >= mu tr X >= min(mu, 0) N E_H for X PSD in the budget: lo =
    -(1/N) sum Pi log Pi + min(mu, 0) N E_H, a lower bound for every p (the convex program in X).

``ufm_softmax`` (Zhu et al. 2021 regularised cross-entropy; Zhou et al. 2022 label smoothing): data class_sizes
    n_k, lambda_W, lambda_H, bias_kind ("none", "free" or "penalised"; optional bias code 0, 1, 2 that must
    agree, and a primal b exactly when there is a bias), bias_penalty (> 0 iff penalised) and alpha in [0, 1); with targets q_i = (1 - alpha) e_{y_i} + alpha/K, minimise
    f = (1/N) sum_i [logsumexp(z_i) - q_i . z_i] + (lambda_W/2)||W||^2 + (lambda_H/2)||H||^2 (+ (bias_penalty/2)||b||^2),
    z_i = W h_i + b, over W (K x d), H (N x d, rows class by class) and b. Dual point: P (N x K, rows probability
    vectors p_i), G = P^T - Q (K x N) with lambda_W lambda_H N^2 I - G G^T positive definite (checked exactly;
    i.e. ||G||_2 < N sqrt(lambda_W lambda_H)) and, for a free bias, G 1 = 0 exactly. Fenchel per sample:
    logsumexp(z) - q.z >= (p - q).z - sum_c p_c log p_c; summed, (1/N)<G, Z> >= -sqrt(lW lH)||Z||_* >= -(penalties)
    and (1/N) b.(G 1) + (bias_penalty/2)||b||^2 >= -||G 1||^2/(2 bias_penalty N^2); so
    lo = -(1/N) sum_i sum_c p_ic log p_ic (- ||G 1||^2/(2 bias_penalty N^2)), a lower bound of f for every d.
``max_margin`` (Ji et al. 2022, Thrampoulidis et al. 2022): data class_sizes; minimise (1/2)(||W||^2 + ||H||^2)
    over W (K x d), H (d x N) subject to (w_{y_i} - w_c)^T h_i >= 1 for every sample i and c != y_i. Primal: W, H,
    checked feasible exactly (hi = its objective). Dual point: mu >= 0, one per constraint in the order (sample,
    then c != y_i), with Lambda = sum mu_{i,c} (e_{y_i} - e_c) e_i^T and ||Lambda||_2 <= 1 (checked: I - Lambda
    Lambda^T positive definite, exactly). For every feasible (W, H): (1/2)(||W||^2 + ||H||^2) >= ||W H||_* >=
    <Lambda, W H> = sum mu_{i,c} margin_{i,c} >= sum mu_{i,c}: lo = sum mu, a lower bound for every d.
``two_layer_scalar`` (Tirer & Bruna 2022, problems (23) and (24)): data K, n, lambda_W1, lambda_W2, lambda_H1,
    activation ("identity": (23), "relu": (24)), optional d1, d2; f = (1/(2N))||W2 s(W1 H1) - Y||^2 +
    (lambda_W2||W2||^2 + lambda_W1||W1||^2 + lambda_H1||H1||^2)/2, N = Kn, Y = I_K (x) 1_n^T, over W2 (K x d2),
    W1 (d2 x d1), H1 (d1 x N). hi = f at the primal point, exactly (every point is feasible): min f <= hi.
    Dual: breakpoints 0 = t_0 < ... < t_m with t_m^3 >= 2 (checked exactly). lo = the least of lower bounds of
    the scalar core g(u) = (u^3 - 1)^2/2 + (3/2) K beta u^2, K beta = (K^3 n lambda_H1 lambda_W1 lambda_W2)^(1/3)
    (a ball), on each [t_i, t_(i+1)] (a Taylor form in balls, ``scalar.g_lower``); beyond t_m, (u^3 - 1)^2 > 1, so
    g(u) > 1/2 = g(0): lo <= min over u >= 0 of g. **What this kind does not prove**: that min f >= min g. That is
    the proof's reduction (Jensen on the class means, the three-factor AM-GM bound per singular value, von
    Neumann's trace inequality: proofs/tirer2022.thm4_1.md, checked step by step with sympy), and for "relu"
    also Theorem 4.2's assumption ||relu(W1 H1)||_* = ||W1 H1||_* at the global minimiser, which nothing here
    checks. With the reduction: lo <= min f <= hi.

Usage: ``python -m verify.certify.checker FILE...`` (or ``nc-verify recheck FILE...``): one line per file,
exit status 0 when every file holds.

The trusted base is this package alone: ``exact`` (rationals, exact positive-definiteness, entropy balls),
``programs`` (one function per program kind: lo, hi and the errors, from the file's data) and this module
(recomputing and comparing with the claimed enclosure); ``scalar`` (the kind two_layer_scalar). It imports python-flint and the standard library only.
"""

from __future__ import annotations

import json
import sys

from flint import arb, ctx

from .exact import rational
from .programs import KINDS

FORMAT = "nc-verify-certificate/1"


def enclose(cert: dict, digits: int) -> tuple[arb, arb, list[str]]:
    """(lo, hi, errors) recomputed from the file's program, primal and dual at ``digits`` decimal digits."""
    program = cert["program"]
    if program.get("kind") not in KINDS:
        return arb(0), arb(0), [f"unknown program kind {program.get('kind')!r}"]
    errors = [
        f"program datum {k} = {v} differs from the claim's parameter {k} = {cert['parameters'][k]}"
        for k, v in program.items()
        if k in cert.get("parameters", {}) and rational(v) != rational(cert["parameters"][k])
    ]
    with ctx.workprec(int(digits * 3.33) + 64):
        lo, hi, more = KINDS[program["kind"]](program, cert["primal"], cert["dual"])
    return lo, hi, errors + more


def recheck(cert: dict) -> tuple[bool, str]:
    """(holds, message): the primal point is feasible, the dual point valid, and the recomputed bounds lie
    inside the claimed enclosure: claimed lo <= recomputed lo and recomputed hi <= claimed hi, as balls."""
    if cert.get("format") != FORMAT:
        return False, f"not a {FORMAT} file"
    claimed_lo, claimed_hi = rational(cert["enclosure"]["lo"]), rational(cert["enclosure"]["hi"])
    digits = int(cert["digits"])
    lo, hi, errors = enclose(cert, digits)
    with ctx.workprec(int(digits * 3.33) + 64):  # the claimed ends as balls: comparisons hold for every point
        if not errors and not (lo >= arb(claimed_lo)):
            errors.append(f"the dual bound {lo.str(10)} is not provably >= the claimed lo {cert['enclosure']['lo']}")
        if not errors and not (hi <= arb(claimed_hi)):
            errors.append(f"the primal value {hi.str(10)} is not provably <= the claimed hi {cert['enclosure']['hi']}")
    if errors:
        return False, "; ".join(errors)
    return True, f"{cert['claim']}: min in [{cert['enclosure']['lo']}, {cert['enclosure']['hi']}]"


def main(argv: list[str] | None = None) -> int:
    ok = True
    for path in sys.argv[1:] if argv is None else argv:
        try:
            with open(path) as fh:
                holds, message = recheck(json.load(fh))
        except (OSError, ValueError, KeyError, TypeError, ZeroDivisionError) as exc:
            holds, message = False, f"unreadable certificate: {type(exc).__name__}: {exc}"
        ok &= holds
        print(f"{'holds' if holds else 'FAILS'}  {path}: {message}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
