"""The Section 6 metrics of Tirer & Bruna 2022 (Eqs. (26)-(28); definitions as reconstructed in
../shared/THEOREMS.md, ``tirer2022.metrics``) at any precision, for points refined in mpmath.

:mod:`verify.metrics.measures` computes the same metrics in float64 for networks; a claim compared at 30 or more
digits needs them in the arithmetic of its refined point. Features are given as class means (rows) and the
within-class covariance; every function takes object arrays of ``mpmath.mpf`` (or floats) and works at the
caller's precision. Conventions (the module's switches are fixed here to the paper's): NC1 divides by K and uses
the full pseudo-inverse of Sigma_B (eigenvalues above 10^-(dps/2) of the largest); NC2 (ETF) uses the means
centred by their (unweighted) global mean, NC2 (OF) the uncentred means; NC3 compares W with the uncentred
means Hbar^T, both normalised to unit Frobenius norm.
"""

from __future__ import annotations

import mpmath
import numpy as np

from verify.base.values import Undefined


def _mat(A) -> mpmath.matrix:
    return mpmath.matrix(np.asarray(A, dtype=object).tolist())


def _fro(A: mpmath.matrix):
    return mpmath.sqrt(sum(A[i, j] ** 2 for i in range(A.rows) for j in range(A.cols)))


def covariances(features, labels, K: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(class means M (K x d, rows), Sigma_W, Sigma_B) of features (N x d, rows) with equal class sizes:
    Sigma_W = (1/N) sum (h - mu_k)(h - mu_k)^T, Sigma_B = (1/K) sum (mu_k - mu_G)(mu_k - mu_G)^T."""
    H = np.asarray(features, dtype=object)
    labels = np.asarray(labels)
    N, d = H.shape
    M = np.array([H[labels == k].sum(axis=0) / int((labels == k).sum()) for k in range(K)], dtype=object)
    G = M.sum(axis=0) / K
    C = H - M[labels]
    Sw = (C.T @ C) / N
    B = M - G
    Sb = (B.T @ B) / K
    return M, Sw, Sb


def nc1(Sw, Sb, K: int):
    """tr(Sigma_W Sigma_B^+)/K (Eq. (26)); Undefined when Sigma_B = 0."""
    S = _mat(Sb)
    S = (S + S.T) / 2
    E, Q = mpmath.eigsy(S)
    top = max(abs(e) for e in E)
    if top == 0:
        return Undefined("Sigma_B = 0: all class means coincide")
    cut = top * mpmath.mpf(10) ** (-(mpmath.mp.dps // 2))
    inv = mpmath.diag([1 / e if e > cut else 0 for e in E])
    return sum((_mat(Sw) * (Q * inv * Q.T))[i, i] for i in range(S.rows)) / K


def _frame(V, target: mpmath.matrix, what: str):
    A = _mat(V)
    G = A * A.T
    g = _fro(G)
    if g == 0:
        return Undefined(f"{what}: the Gram of the means is 0")
    return _fro(G / g - target / _fro(target))


def nc2_etf(M):
    """|| G/||G||_F - P/||P||_F ||_F, G the Gram of the centred means, P = I - 11^T/K (Eq. (27), ETF)."""
    M = np.asarray(M, dtype=object)
    K = M.shape[0]
    centred = M - M.sum(axis=0) / K
    P = mpmath.eye(K) - mpmath.ones(K, K) / K
    return _frame(centred, P, "NC2 (ETF)")


def nc2_of(M):
    """|| G/||G||_F - I/sqrt(K) ||_F, G the Gram of the uncentred means (Eq. (27), orthogonal frame)."""
    return _frame(M, mpmath.eye(np.asarray(M).shape[0]), "NC2 (OF)")


def nc3(W, M):
    """|| W/||W||_F - Hbar^T/||Hbar||_F ||_F with W (K x d) and the uncentred means as rows (Eq. (28))."""
    A, B = _mat(W), _mat(M)
    a, b = _fro(A), _fro(B)
    if a == 0 or b == 0:
        return Undefined("NC3 of a zero classifier or zero means")
    return _fro(A / a - B / b)
