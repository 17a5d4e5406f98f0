"""The simplex-encoded label (SEL) matrix Zhat = P Y and its matrix functions, at any precision.

With U (K x (K-1)) an orthonormal basis of 1^perp (Helmert) and B = U^T D U (positive definite, D = diag(n)):
P D P = U B U^T, so (P D P)^(1/2) = U B^(1/2) U^T, ||Zhat||_* = tr B^(1/2), and, with A = D^(1/2) U,
(D^(1/2) P D^(1/2))^(1/2) = A B^(-1/2) A^T, hence D^(-1/2) (D^(1/2) P D^(1/2))^(1/2) D^(-1/2) = U B^(-1/2) U^T
and (P D P)^(+1/2) (the pseudo-inverse square root) = U B^(-1/2) U^T too (proofs/thrampoulidis2022.seli.md, step 3).
B has no zero eigenvalue, so no eigenvalue is clipped: every entry is accurate to the working precision.
"""

from __future__ import annotations

import mpmath

#: guard digits of the eigen-decomposition (B is K-1 x K-1, condition max n / min n at most)
GUARD = 15


def helmert(K: int) -> mpmath.matrix:
    """Orthonormal basis of the vectors orthogonal to 1 (K x (K-1)), at the current precision."""
    U = mpmath.zeros(K, K - 1)
    for j in range(1, K):
        norm = mpmath.sqrt(j * (j + 1))
        for i in range(j):
            U[i, j - 1] = 1 / norm
        U[j, j - 1] = -mpmath.mpf(j) / norm
    return U


def _power(sizes, power: mpmath.mpf, dps: int) -> mpmath.matrix:
    """U B^power U^T at dps + GUARD digits."""
    with mpmath.workdps(dps + GUARD):
        K = len(sizes)
        U = helmert(K)
        B = U.T * mpmath.diag([mpmath.mpf(int(n)) for n in sizes]) * U
        E, Q = mpmath.eigsy(B)
        S = mpmath.diag([E[i] ** power for i in range(K - 1)])
        return U * Q * S * Q.T * U.T


def gram_W(values, dps: int) -> mpmath.matrix:
    """(P D P)^(1/2)."""
    return _power(values["n"], mpmath.mpf(1) / 2, dps)


def gram_means(values, dps: int) -> mpmath.matrix:
    """D^(-1/2) (D^(1/2) P D^(1/2))^(1/2) D^(-1/2) = (P D P)^(+1/2)."""
    return _power(values["n"], -mpmath.mpf(1) / 2, dps)


def nuclear_norm(values, dps: int) -> mpmath.mpf:
    """||P Y||_* = tr (P D P)^(1/2)."""
    G = gram_W(values, dps)
    with mpmath.workdps(dps + GUARD):
        total = mpmath.fsum(G[k, k] for k in range(G.rows))
    return +total


def centring(values, dps: int) -> mpmath.matrix:
    """P = I - 11^T/K: the class-mean logit matrix W Hbar at a minimiser (every margin 1)."""
    K = len(values["n"])
    return mpmath.eye(K) - mpmath.ones(K, K) / K


def multipliers(values, dps: int) -> dict:
    """mu_{i,c} = -[(P D P)^(+1/2)]_{c, y_i} (the same for every sample of class y_i), labelled "y,c"."""
    G = gram_means(values, dps)
    K = G.rows
    return {f"{y + 1},{c + 1}": -G[c, y] for y in range(K) for c in range(K) if c != y}
