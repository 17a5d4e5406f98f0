"""Program (91) of Fang et al. 2021 (SI, before Lemma 7): cross-entropy over a nuclear-norm ball in the logits.

    minimise  sum_k (n_k/N) L(Z_k, y_k)   s.t.  ||Z||_* <= K sqrt(E_H E_W),   Z in R^{K x K}

(Z_k the k-th column of Z = W Htilde in the paper; here, as in :mod:`verify.models.gram_relaxation`, row k holds
the logits of class k, Z[k, j] = hbar_k . w_j, which transposes Z and leaves its nuclear norm unchanged).

:func:`optimum` solves (91) conically (cvxpy: ``normNuc`` constraint, exponential cone for the log-sum-exp;
Clarabel, SCS as fallback), factors the solution as Eq. (92) does (W = U Sigma_1 P^T, [hbar_1..hbar_K] =
P Sigma_2 V with Sigma_1 = (E_W/E_H)^(1/4) Sigma^(1/2), Sigma_2 = (E_H/E_W)^(1/4) Sigma^(1/2), P = the first
columns of I_p), refines the factored program at the working precision and closes the Frank-Wolfe duality gap over the nuclear
ball (:func:`verify.models.gram_relaxation.gap_bound`, in mpmath: a measurement, not a proof; min over ||Z'||_* <= c of
<G, Z'> is -c sigma_max(G)). It never solves (7) on the samples or (15).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import mpmath
import numpy as np

from verify.base.errors import InputError
from verify.models.arith import mp_arithmetic
from verify.models.gram_relaxation import GapBound, GramFactorModel, GramProgram, gap_bound


@dataclass(frozen=True)
class NuclearBallOptimum:
    """The optimum of (91) with its duality gap closed (mpmath, not ball arithmetic): value, gap bound, the refined
    factors' nuclear norm, and why."""

    value: object
    nuclear_norm: object
    gap_bound: GapBound
    converged: bool
    message: str


def conic_logits(sizes: tuple, E_H, E_W, solver: str = "CLARABEL") -> tuple[np.ndarray, str]:
    """Z (rows: class logits) minimising (91), float64, and the solver's status."""
    import cvxpy as cp

    K = len(sizes)
    n = np.array([float(v) for v in sizes])
    Z = cp.Variable((K, K))
    loss = sum(n[k] / n.sum() * (cp.log_sum_exp(Z[k, :]) - Z[k, k]) for k in range(K))
    radius = K * float(np.sqrt(float(E_H) * float(E_W)))
    problem = cp.Problem(cp.Minimize(loss), [cp.normNuc(Z) <= radius])
    problem.solve(solver=solver)
    return (Z.value if Z.value is not None else np.full((K, K), np.nan)), str(problem.status)


def factor(Z: np.ndarray, E_H, E_W, p: int) -> tuple[np.ndarray, np.ndarray]:
    """(W, Hbar) of Eq. (92) at dimension p >= rank Z (rows hbar_k, so that Hbar W^T = Z)."""
    K = Z.shape[0]
    if p < K:
        raise InputError(f"p = {p} < K = {K}", parameter="p", fix="Lemma 7 needs p >= K")
    U, S, Vt = np.linalg.svd(Z.T)  # paper's Z = W Htilde = Z.T here: U (K x K), S, Vt
    root = np.sqrt(np.maximum(S, 0))
    P = np.eye(p)[:, :K]
    W = U * ((float(E_W) / float(E_H)) ** 0.25 * root) @ P.T
    Htilde = P @ (((float(E_H) / float(E_W)) ** 0.25 * root)[:, None] * Vt)
    return W, Htilde.T


@lru_cache(maxsize=64)
def optimum(sizes: tuple, E_H, E_W, p: int, dps: int) -> NuclearBallOptimum:
    """The optimum of (91), conic then refined at ``dps`` digits, its duality gap below 10^-(dps-6) relative."""
    from verify.solvers.kkt_refine import refine_kkt

    program = GramProgram(tuple(sizes), E_H, E_W)
    status = ""
    for solver in ("CLARABEL", "SCS"):
        Z, status = conic_logits(sizes, E_H, E_W, solver)
        if np.all(np.isfinite(Z)) and status.startswith("optimal"):
            break
    model = GramFactorModel(program, int(p))
    W, Hbar = factor(Z, E_H, E_W, int(p))
    kkt = refine_kkt(model, model.pack(W, Hbar), dps=dps, constraint_scale=model.constraint_scale)
    with mpmath.workdps(dps):
        W_mp, H_mp = model.unpack(kkt.x)
        cert = gap_bound(program, H_mp, W_mp, mp_arithmetic())
        logits = mpmath.matrix((H_mp @ W_mp.T).tolist())
        nuclear = sum(mpmath.svd_r(logits, compute_uv=False))
        tol = mpmath.mpf(10) ** (-(dps - 6)) * max(abs(cert.value), mpmath.mpf(10) ** (-dps))
        converged = bool(kkt.converged and abs(cert.gap) <= tol and cert.infeasibility <= tol)
        message = (
            f"(91) by {solver} ({status}); KKT polish: {kkt.message}; Frank-Wolfe gap over the nuclear ball "
            f"{mpmath.nstr(cert.gap, 3)} (allowed {mpmath.nstr(tol, 3)})"
        )
        return NuclearBallOptimum(+cert.value, +nuclear, cert, converged, message)
