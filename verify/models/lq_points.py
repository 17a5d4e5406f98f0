"""Points of the l_q-constrained program (20) of Fang et al. 2021 used by Proposition 2 and its erratum.

* :func:`sr_point`: the feasible family SR of the proof of Proposition 2 (SI A.1), with P a signed
  coordinate embedding, its scales read off the model's own constraint functions;
* :func:`sign_etf_exists`, :func:`sign_etf`: +-1 simplex ETFs (the counterexample for q > 2);
* :func:`etf_gram_distance`: the rotation- and scale-invariant distance of K vectors from every simplex ETF.

No closed form of the claim is used here.
"""

from __future__ import annotations

import numpy as np

from verify.models.arith import Arithmetic
from verify.models.lq_constrained import LqLayerPeeledModel


def sr_point(lpm: LqLayerPeeledModel, a_value, ar: Arithmetic, *, saturate: bool = True) -> np.ndarray:
    """The point of SR at parameter a with P = [I_K; 0] (a signed coordinate embedding): h_{k,i} = t_H m_k,
    w_k = t_W m_k, m_k = (a+1) e_k - 1_K. With ``saturate`` the scales fill both budgets, read off the model's
    own constraint functions (never from a formula for the norms); otherwise t_H = t_W = 1."""
    one = ar.scalar(1)
    zero = one * 0
    M = np.empty((lpm.K, lpm.p), dtype=float if ar.name == "float64" else object)
    for i in range(lpm.K):
        for j in range(lpm.p):
            M[i, j] = ((a_value + 1 if i == j else zero) - one) if j < lpm.K else zero
    W0, H0 = M, np.repeat(M, lpm.n, axis=0)
    if not saturate:
        return lpm.pack(W0, H0)
    g = lpm.constraints(lpm.pack(W0, H0), ar)
    E_W_, E_H_ = ar.scalar(lpm.E_W), ar.scalar(lpm.E_H)
    t_w = (E_W_ / (g[0] + E_W_)) ** 0.5
    t_h = (E_H_ / (g[1] + E_H_)) ** (1 / ar.scalar(lpm.q))
    return lpm.pack(W0 * t_w, H0 * t_h)  # array first: mpf * ndarray would first try (and repr) the array


def sign_etf_exists(Kv: int, pv: int) -> bool:
    """Whether a K x p matrix of +-1 with simplex-ETF Gram p K/(K-1) (I - J/K) exists, K >= 3. Necessary:
    columns sum to 0 (K even), integer inner products -p/(K-1) ((K-1) | p), and appending p/(K-1) all-ones
    columns gives K >= 3 orthogonal +-1 rows of length K p/(K-1) (4 | K p/(K-1)). Sufficient given a
    Hadamard matrix of order K (K = 0 mod 4) or 2K (K = 2 mod 4), known for every order <= 668."""
    return Kv % 2 == 0 and pv % (Kv - 1) == 0 and (Kv * pv // (Kv - 1)) % 4 == 0


def sign_etf(Kv: int, pv: int) -> np.ndarray:
    """A +-1 simplex ETF for K a power of 2 and (K-1) | p: a Sylvester-Hadamard matrix without its all-ones
    column, tiled p/(K-1) times (rows: pairwise inner products -p/(K-1), squared norms p)."""
    from scipy.linalg import hadamard

    if Kv & (Kv - 1) or pv % (Kv - 1):
        raise ValueError(f"no Sylvester sign ETF for K = {Kv}, p = {pv}")
    return np.tile(hadamard(Kv)[:, 1:], (1, pv // (Kv - 1))).astype(float)


def etf_gram_distance(M: np.ndarray):
    """||G/(tr G/K) - E||_F / ||E||_F, G the Gram of the rows of M, E the unit simplex-ETF Gram: rotation
    invariant and zero iff the rows form a simplex ETF at some scale -- the distance to every ETF at once."""
    Kv = M.shape[0]
    G = M @ M.T
    Gn = G / (sum(G[i, i] for i in range(Kv)) / Kv)
    D = [(Gn[i, j] - 1) if i == j else (Gn[i, j] * (Kv - 1) + 1) / (Kv - 1) for i in range(Kv) for j in range(Kv)]
    return (sum(d * d for d in D) * (Kv - 1) / (Kv * Kv)) ** 0.5
