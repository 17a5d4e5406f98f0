"""Rotation-invariant measurements: norms, Gram matrices, cosines.

Minimisers are unique only up to an orthogonal transform, so claims are checked on invariants. A cosine
involving a (numerically) zero vector is undefined and is returned as :class:`verify.base.values.Undefined`
naming the vector, never as a number.
"""

from __future__ import annotations

import numpy as np

from verify.base.values import Undefined


def norm(v: np.ndarray):
    """Euclidean norm in the arithmetic of ``v`` (float64 or mpf entries)."""
    return (v * v).sum() ** 0.5  # 0.5 is exact in binary: mpf ** 0.5 is the sqrt at working precision


def gram(rows: np.ndarray) -> np.ndarray:
    return rows @ rows.T


def cosine(u: np.ndarray, v: np.ndarray, *, zero_tol: float, names: tuple[str, str] = ("u", "v")):
    """cos(u, v), or Undefined when ||u|| or ||v|| <= zero_tol (an absolute threshold the caller justifies)."""
    nu, nv = norm(u), norm(v)
    for n, name in ((nu, names[0]), (nv, names[1])):
        if n <= zero_tol:
            return Undefined(f"zero-norm vector {name} (norm {float(n):.1e} <= {zero_tol:.0e})")
    return (u * v).sum() / (nu * nv)


def pairwise_cosines(rows: np.ndarray, *, zero_tol: float, label: str = "v") -> tuple:
    """cos(row_k, row_l) for all k < l."""
    K = rows.shape[0]
    return tuple(
        cosine(rows[k], rows[l], zero_tol=zero_tol, names=(f"{label}_{k + 1}", f"{label}_{l + 1}"))
        for k in range(K)
        for l in range(k + 1, K)  # noqa: E741
    )
