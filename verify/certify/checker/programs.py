"""The program kinds the checker knows: for each, (lo, hi, errors) recomputed from a certificate's data, primal
and dual point (what each proves: the package docstring). python-flint and the standard library only."""

from __future__ import annotations

from flint import arb, fmpq

from .exact import gram, matrix, positive_definite, rational, xlogx
from .scalar import two_layer_scalar
from .two_group import two_group_ce


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
    "two_layer_scalar": two_layer_scalar,
    "two_group_ce": two_group_ce,
}
