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

Usage: ``python -m verify.certify.checker FILE...`` (or ``nc-verify recheck FILE...``): one line per file,
exit status 0 when every file holds.
"""

from __future__ import annotations

import json
import sys
from fractions import Fraction

from flint import arb, ctx, fmpq

FORMAT = "nc-verify-certificate/1"


def rational(text) -> fmpq:
    """An exact rational from a decimal ("1.25", "-3e-7") or fraction ("1/3") string."""
    f = Fraction(str(text))
    return fmpq(f.numerator, f.denominator)


def matrix(rows) -> list[list[fmpq]]:
    return [[rational(x) for x in row] for row in rows]


def positive_definite(M: list[list[fmpq]]) -> bool:
    """True iff the symmetric rational matrix M is positive definite: exact Gaussian elimination, every pivot
    > 0 (a symmetric matrix is PD iff its LDL^T pivots are all positive)."""
    A = [row[:] for row in M]
    n = len(A)
    if any(A[i][j] != A[j][i] for i in range(n) for j in range(i)):
        return False
    for k in range(n):
        if not A[k][k] > 0:
            return False
        for i in range(k + 1, n):
            f = A[i][k] / A[k][k]
            for j in range(k + 1, n):
                A[i][j] -= f * A[k][j]
    return True


def gram(A: list[list[fmpq]]) -> list[list[fmpq]]:
    """A A^T, exactly."""
    return [[sum((x * y for x, y in zip(a, b, strict=True)), fmpq(0)) for b in A] for a in A]


def xlogx(p: fmpq) -> arb:
    """p log p in a ball (0 at p = 0); log1p(-(1 - p)) near 1 so that tiny 1 - p keeps its relative accuracy."""
    if p == 0:
        return arb(0)
    return arb(p) * (arb(-(1 - p)).log1p() if p > fmpq(1, 2) else arb(p).log())


def _layer_peeled_ce(data, primal, dual) -> tuple[arb, arb, list[str]]:
    n = [int(rational(v)) for v in data["class_sizes"]]
    E_H, E_W = rational(data["E_H"]), rational(data["E_W"])
    K, N = len(n), sum(n)
    c = [rational(v) for v in data["class_weights"]] if "class_weights" in data else [fmpq(m, N) for m in n]
    W, H = matrix(primal["W"]), matrix(primal["H"])
    P, s = matrix(dual["P"]), rational(dual["sigma_bound"])
    errors = []
    p = int(rational(data.get("p", len(W[0]) if W else 0)))
    if len(W) != K or len(H) != N or {len(r) for r in W + H} != {p} or len(P) != K:
        return arb(0), arb(0), ["primal or dual shapes do not match the class sizes"]
    if len(c) != K or any(not w > 0 for w in c) or any(m < 1 for m in n):
        return arb(0), arb(0), ["class sizes must be >= 1 and class weights > 0, one per class"]
    if rational(data.get("K", K)) != K or any(rational(data.get("n", m)) != m for m in n):
        return arb(0), arb(0), ["the data K, n (when given) must be the number of classes and every class size"]
    labels = [k for k in range(K) for _ in range(n[k])]
    used_W = sum((x * x for r in W for x in r), fmpq(0)) / K
    used_H = sum((x * x / n[labels[i]] for i, r in enumerate(H) for x in r), fmpq(0)) / K
    if used_W > E_W or used_H > E_H:
        errors.append(f"primal point infeasible: budgets used {float(used_W):.3g} (W), {float(used_H):.3g} (H)")
    hi = arb(0)
    for i, h in enumerate(H):
        k = labels[i]
        z = [sum((a * b for a, b in zip(w, h, strict=True)), fmpq(0)) for w in W]
        hi += arb(c[k] / n[k]) * sum((arb(z[j] - z[k]).exp() for j in range(K) if j != k), arb(0)).log1p()
    if any(len(row) != K or any(x < 0 for x in row) or sum(row, fmpq(0)) != 1 for row in P):
        errors.append("dual point invalid: a row of P is not a probability vector")
    G = [[c[k] * (P[k][j] - (1 if j == k else 0)) for k in range(K)] for j in range(K)]  # G^T
    M = [[(s * s if i == j else 0) - g for j, g in enumerate(row)] for i, row in enumerate(gram(G))]
    if not (s > 0 and positive_definite(M)):
        errors.append("sigma_bound is not above sigma_max(G): s^2 I - G^T G is not positive definite")
    entropy = sum((arb(c[k]) * sum((xlogx(x) for x in P[k]), arb(0)) for k in range(K)), arb(0))
    lo = -entropy - arb(s) * K * (arb(E_H) * arb(E_W)).sqrt()
    return lo, hi, errors


def _labels(data) -> tuple[list[int], int, int]:
    """Labels, K and N from ``class_sizes`` (any sizes) or from K and n (balanced)."""
    if "class_sizes" in data:
        sizes = [int(rational(v)) for v in data["class_sizes"]]
    else:
        sizes = [int(rational(data["n"]))] * int(rational(data["K"]))
    return [k for k, n in enumerate(sizes) for _ in range(n)], len(sizes), sum(sizes)


def _max_margin(data, primal, dual) -> tuple[arb, arb, list[str]]:
    labels, K, N = _labels(data)
    W, H = matrix(primal["W"]), matrix(primal["H"])
    mu = [rational(x) for x in dual["mu"]]
    d = len(H)
    pairs = [(i, c) for i, y in enumerate(labels) for c in range(K) if c != y]
    if len(W) != K or {len(r) for r in W} != {d} or {len(r) for r in H} != {N}:
        return arb(0), arb(0), ["primal shapes do not match the class sizes"]
    if len(mu) != len(pairs):
        return arb(0), arb(0), [f"dual: {len(mu)} multipliers for {len(pairs)} margin constraints"]
    errors = []
    if any(m < 0 for m in mu):
        errors.append("a multiplier is negative")
    for i, c in pairs:
        y = labels[i]
        if sum(((W[y][r] - W[c][r]) * H[r][i] for r in range(d)), fmpq(0)) < 1:
            errors.append(f"primal infeasible: margin of sample {i + 1} against class {c + 1} is below 1")
            break
    L = [[fmpq(0)] * N for _ in range(K)]
    for m, (i, c) in zip(mu, pairs, strict=True):
        L[labels[i]][i] += m
        L[c][i] -= m
    M = gram(L)
    if not positive_definite([[(1 if i == j else 0) - x for j, x in enumerate(row)] for i, row in enumerate(M)]):
        errors.append("||Lambda||_2 is not below 1: I - Lambda Lambda^T not positive definite")
    sq = lambda rows: sum((x * x for r in rows for x in r), fmpq(0))  # noqa: E731
    return arb(sum(mu, fmpq(0))), arb((sq(W) + sq(H)) / 2), errors


def _bilinear_mse(data, primal, dual) -> tuple[arb, arb, list[str]]:
    labels, K, N = _labels(data)
    lW, lH, lb = rational(data["lambda_W"]), rational(data["lambda_H"]), rational(data.get("lambda_b", 0))
    bias = data["bias"]
    W, H, L = matrix(primal["W"]), matrix(primal["H"]), matrix(dual["Lambda"])
    b = [rational(x) for x in primal["b"]] if bias != "none" else [fmpq(0)] * K
    d = len(H)
    if bias not in ("none", "free", "regularised") or not (lW > 0 and lH > 0) or (bias == "regularised") != (lb > 0):
        return arb(0), arb(0), ["program data invalid: lambdas must be > 0 (lambda_b > 0 iff the bias is regularised)"]
    if len(W) != K or {len(r) for r in W} != {d} or {len(r) for r in H} != {N} or len(b) != K:
        return arb(0), arb(0), ["primal shapes do not match the class sizes"]
    if len(L) != K or {len(r) for r in L} != {N}:
        return arb(0), arb(0), ["dual shape is not K x N"]
    errors = []
    Y = [[fmpq(1) if labels[j] == k else fmpq(0) for j in range(N)] for k in range(K)]
    sq = lambda rows: sum((x * x for r in rows for x in r), fmpq(0))  # noqa: E731
    R = [[sum((W[k][i] * H[i][j] for i in range(d)), fmpq(0)) + b[k] - Y[k][j] for j in range(N)] for k in range(K)]
    hi = sq(R) / (2 * N) + lW * sq(W) / 2 + lH * sq(H) / 2 + lb * sq([b]) / 2
    M = gram(L)
    if not positive_definite([[(lW * lH if i == j else 0) - x for j, x in enumerate(row)] for i, row in enumerate(M)]):
        errors.append(
            "||Lambda||_2 is not below sqrt(lambda_W lambda_H): lW lH I - Lambda Lambda^T not positive definite"
        )
    row_sums = [sum(r, fmpq(0)) for r in L]
    if bias == "free" and any(x != 0 for x in row_sums):
        errors.append("free bias: the rows of Lambda must sum to 0 exactly")
    lo = -fmpq(N, 2) * sq(L) - sum((L[k][j] * Y[k][j] for k in range(K) for j in range(N)), fmpq(0))
    if bias == "regularised":
        lo -= sq([row_sums]) / (2 * lb)
    return arb(lo), arb(hi), errors


def _contrastive_gram(data, primal, dual) -> tuple[arb, arb, list[str]]:
    K, n = int(rational(data["K"])), int(rational(data["n"]))
    E_H, tau, N = rational(data["E_H"]), rational(data["tau"]), K * n
    H, P, mu = matrix(primal["H"]), matrix(dual["Pi"]), rational(dual["mu"])
    if len(H) != N or len({len(r) for r in H}) != 1 or len(P) != N or {len(r) for r in P} != {N}:
        return arb(0), arb(0), ["primal or dual shapes do not match K, n"]
    if not (E_H > 0 and tau > 0):
        return arb(0), arb(0), ["program data invalid: E_H and tau must be > 0"]
    errors = []
    X = gram(H)
    if sum((X[a][a] for a in range(N)), fmpq(0)) / N > E_H:
        errors.append("primal point infeasible: tr(H H^T)/N > E_H")
    A = [[fmpq(1, n) if a // n == b // n else fmpq(0) for b in range(N)] for a in range(N)]
    hi = arb(0)
    for a in range(N):
        lse = sum((arb((X[a][b] - X[a][a]) / tau).exp() for b in range(N)), arb(0)).log() + arb(X[a][a] / tau)
        hi += lse - arb(sum((A[a][b] * X[a][b] for b in range(N)), fmpq(0)) / tau)
    hi /= N
    if any(any(x < 0 for x in row) or sum(row, fmpq(0)) != 1 for row in P):
        errors.append("dual point invalid: a row of Pi is not a probability vector")
    M = [[(P[a][b] - A[a][b]) / (N * tau) for b in range(N)] for a in range(N)]
    S = [[(M[a][b] + M[b][a]) / 2 - (mu if a == b else 0) for b in range(N)] for a in range(N)]
    if not positive_definite(S):
        errors.append("mu is not below the smallest eigenvalue of S: S - mu I is not positive definite")
    entropy = sum((xlogx(x) for row in P for x in row), arb(0)) / N
    lo = -entropy + arb(min(mu, fmpq(0)) * N * E_H)
    return lo, hi, errors


def _ufm_softmax(data, primal, dual) -> tuple[arb, arb, list[str]]:
    n = [int(rational(v)) for v in data["class_sizes"]]
    lW, lH = rational(data["lambda_W"]), rational(data["lambda_H"])
    bias, lb, alpha = data["bias_kind"], rational(data.get("bias_penalty", 0)), rational(data.get("alpha", 0))
    K, N = len(n), sum(n)
    W, H, P = matrix(primal["W"]), matrix(primal["H"]), matrix(dual["P"])
    b = [rational(x) for x in primal["b"]] if bias != "none" else [fmpq(0)] * K
    if bias not in ("none", "free", "penalised") or not (lW > 0 and lH > 0) or (bias == "penalised") != (lb > 0):
        return arb(0), arb(0), ["program data invalid: lambdas > 0, bias_penalty > 0 iff the bias is penalised"]
    if not (0 <= alpha < 1) or any(m < 1 for m in n):
        return arb(0), arb(0), ["program data invalid: 0 <= alpha < 1 and class sizes >= 1"]
    code = {"none": 0, "free": 1, "penalised": 2}[bias]
    if ("bias" in data and rational(data["bias"]) != code) or (("b" in primal) != (bias != "none")):
        return arb(0), arb(0), ["program data invalid: bias code, bias_kind and the primal b disagree"]
    d = len(W[0]) if W else 0
    if len(W) != K or len(H) != N or {len(r) for r in W + H} != {d} or len(b) != K:
        return arb(0), arb(0), ["primal shapes do not match the class sizes"]
    if len(P) != N or {len(r) for r in P} != {K}:
        return arb(0), arb(0), ["dual shape is not N x K"]
    errors = []
    labels = [k for k in range(K) for _ in range(n[k])]
    Q = [[(1 - alpha) * (1 if labels[i] == k else 0) + alpha / K for k in range(K)] for i in range(N)]
    sq = lambda rows: sum((x * x for r in rows for x in r), fmpq(0))  # noqa: E731
    loss = arb(0)
    for i, h in enumerate(H):
        z = [sum((a * c for a, c in zip(w, h, strict=True)), fmpq(0)) + b[k] for k, w in enumerate(W)]
        top = max(z)
        lse = sum((arb(v - top).exp() for v in z), arb(0)).log() + arb(top)
        loss += lse - arb(sum((Q[i][k] * z[k] for k in range(K)), fmpq(0)))
    hi = loss / N + arb(lW * sq(W) / 2 + lH * sq(H) / 2 + lb * sq([b]) / 2)
    if any(any(x < 0 for x in row) or sum(row, fmpq(0)) != 1 for row in P):
        errors.append("dual point invalid: a row of P is not a probability vector")
    G = [[P[i][k] - Q[i][k] for i in range(N)] for k in range(K)]
    M = [[(lW * lH * N * N if k == j else 0) - x for j, x in enumerate(row)] for k, row in enumerate(gram(G))]
    if not positive_definite(M):
        errors.append("||G||_2 is not below N sqrt(lambda_W lambda_H): lW lH N^2 I - G G^T not positive definite")
    row_sums = [sum(r, fmpq(0)) for r in G]
    if bias == "free" and any(x != 0 for x in row_sums):
        errors.append("free bias: the rows of G must sum to 0 exactly")
    lo = -sum((xlogx(x) for row in P for x in row), arb(0)) / N
    if bias == "penalised":
        lo -= arb(sq([row_sums]) / (2 * lb * N * N))
    return lo, hi, errors
def _penalised_ufm_ce(data, primal, dual) -> tuple[arb, arb, list[str]]:
    n = [int(rational(v)) for v in data["class_sizes"]]
    lw, lh = rational(data["lambda_W"]), rational(data["lambda_H"])
    K, N = len(n), sum(n)
    W, H, P = matrix(primal["W"]), matrix(primal["H"]), matrix(dual["P"])
    d = len(W[0]) if W else 0
    if len(W) != K or len(H) != N or {len(r) for r in W + H} != {d} or len(P) != K or any(m < 1 for m in n):
        return arb(0), arb(0), ["primal or dual shapes do not match the class sizes"]
    if not (lw > 0 and lh > 0):
        return arb(0), arb(0), ["lambda_W and lambda_H must be > 0"]
    errors = []
    if any(len(row) != K or any(x < 0 for x in row) or sum(row, fmpq(0)) != 1 for row in P):
        errors.append("dual point invalid: a row of P is not a probability vector")
    labels = [k for k in range(K) for _ in range(n[k])]
    hi = arb(0)
    for i, h in enumerate(H):
        k = labels[i]
        z = [sum((a * b for a, b in zip(w, h, strict=True)), fmpq(0)) for w in W]
        hi += sum((arb(z[j] - z[k]).exp() for j in range(K) if j != k), arb(0)).log1p() / N
    hi += arb(
        lw / 2 * sum((x * x for r in W for x in r), fmpq(0)) + lh / 2 * sum((x * x for r in H for x in r), fmpq(0))
    )
    V = [[P[k][j] - (1 if j == k else 0) for j in range(K)] for k in range(K)]
    GGt = [
        [sum((fmpq(n[k], N * N) * V[k][i] * V[k][j] for k in range(K)), fmpq(0)) for j in range(K)] for i in range(K)
    ]
    M = [[(lw * lh if i == j else 0) - g for j, g in enumerate(row)] for i, row in enumerate(GGt)]
    if not positive_definite(M):
        errors.append("dual point infeasible: lambda_W lambda_H I - G G^T is not positive definite")
    entropy = sum((arb(fmpq(n[k], N)) * sum((xlogx(x) for x in P[k]), arb(0)) for k in range(K)), arb(0))
    return -entropy, hi, errors


KINDS = {
    "layer_peeled_ce": _layer_peeled_ce,
    "bilinear_mse": _bilinear_mse,
    "contrastive_gram": _contrastive_gram,
    "ufm_softmax": _ufm_softmax,
    "max_margin": _max_margin,
    "penalised_ufm_ce": _penalised_ufm_ce,
}


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
