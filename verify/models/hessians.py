"""Analytic Hessians of the Layer-Peeled objectives and constraints (Fang et al. 2021, programs (7), (20), (33)),
for the KKT refinement of :mod:`verify.solvers.kkt_refine` (which otherwise differentiates the gradient by
finite differences).

The objectives are f(W, H) = (1/s) sum_r L(z_r, y_r) with logits z_r = W h_r (Z = H W^T). With the logit gradient
G[r] = dL/dz_r and the logit Hessian J_r = d^2 L/dz_r^2 (for cross-entropy J_r = diag(p_r) - p_r p_r^T, p_r the
softmax of z_r, whatever the label):

    d2f/dW[k,a] dW[l,b] = (1/s) sum_r J_r[k,l] H[r,a] H[r,b]
    d2f/dH[r,a] dH[t,b] = (1/s) [r = t] (W^T J_r W)[a,b]
    d2f/dW[k,a] dH[r,b] = (1/s) ((J_r W)[k,b] H[r,a] + G[r,k] [a = b])

in the packing x = [vec(W) (K x p), vec(H) (N x p)] of the models. Every entry is a polynomial in p_r, W, H: exact
to the working precision in either arithmetic (float64 or mpmath object arrays).
"""

from __future__ import annotations

import numpy as np

from verify.models.arith import FLOAT, Arithmetic


def softmax_hessians(Z: np.ndarray, ar: Arithmetic = FLOAT) -> np.ndarray:
    """(N, K, K): J_r = diag(p_r) - p_r p_r^T, the Hessian of cross-entropy in the logits of row r (Eq. (8) of
    Fang et al. 2021; the same for every label)."""
    E = ar.exp(Z - Z.max(axis=1, keepdims=True))
    P = E / E.sum(axis=1, keepdims=True)
    N, K = P.shape
    J = -P[:, :, None] * P[:, None, :]
    for k in range(K):
        J[:, k, k] = J[:, k, k] + P[:, k]
    return J


def logit_objective_hessian(W: np.ndarray, H: np.ndarray, G: np.ndarray, J: np.ndarray, s) -> np.ndarray:
    """The (dim, dim) Hessian of (1/s) sum_r L(W h_r) from the logit gradients G (N, K) (unscaled: dL/dz) and
    logit Hessians J (N, K, K); the module docstring has the three blocks."""
    K, p = W.shape
    N = H.shape[0]
    kp = K * p
    obj = W.dtype == object or H.dtype == object or J.dtype == object
    out = np.zeros((kp + N * p, kp + N * p), dtype=object if obj else float)
    if obj:
        out[...] = 0 * W.flat[0]
    ww = np.einsum("rkl,ra,rb->kalb", J, H, H).reshape(kp, kp)
    JW = np.einsum("rkl,lb->rkb", J, W)  # (J_r W)[k, b]
    hh = np.einsum("ka,rkb->rab", W, JW)  # (W^T J_r W)[a, b]
    wh = np.einsum("rkb,ra->karb", JW, H)
    eye = np.eye(p, dtype=int)
    wh = wh + np.einsum("rk,ab->karb", G, eye)
    out[:kp, :kp] = ww
    for r in range(N):
        sl = slice(kp + r * p, kp + (r + 1) * p)
        out[sl, sl] = hh[r]
    out[:kp, kp:] = wh.reshape(kp, N * p)
    out[kp:, :kp] = out[:kp, kp:].T
    return out / s
