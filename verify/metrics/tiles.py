"""Pairwise (K x K) quantities of K row vectors, computed tile by tile in O(K d + d^2 + tile^2) memory.

Every K x K grid of the metrics (Gram matrices, pairwise cosines and distances, the CDNV terms, the ETF and
orthogonal-frame residuals, W M^T) is swept in ``tile`` x ``tile`` blocks, the upper-triangular blocks only
for symmetric grids; no K x K array exists whatever K (K = 20,000 classes at d = 2048 needs the K x d rows,
a d x d Gram and one tile). Sums over pairs are exact across tiles: numpy's pairwise summation within a tile,
then ``math.fsum`` of the per-tile partial sums (correctly rounded); standard deviations combine per-tile
(count, mean, M2) by the pairwise update of Chan, Golub & LeVeque (1979), never E[x^2] - E[x]^2.

Squared distances come from the Gram block, ||a - b||^2 = ||a||^2 + ||b||^2 - 2 a.b, whose relative error
is ~eps (||a||^2 + ||b||^2) / ||a - b||^2: pairs with ||a - b||^2 < REFINE (||a||^2 + ||b||^2) are
recomputed from the difference a - b (``tile`` pairs at a time), so every distance carries the relative
accuracy of a direct subtraction (error ~eps / REFINE otherwise).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from verify.base.errors import InputError

#: Default rows per tile: the sweep holds ~8 float64 tile x tile blocks (16 MiB) and its GEMMs are large
#: enough for full BLAS speed.
DEFAULT_TILE = 512

#: Gram distances below this fraction of ||a||^2 + ||b||^2 are recomputed by subtraction (error bound 2/REFINE
#: = 4 times eps of a direct computation; on random or ETF-like rows almost no pair is below it).
REFINE = 0.5


def check_tile(tile) -> int:
    if isinstance(tile, bool) or not isinstance(tile, int | np.integer) or tile < 1:
        raise InputError(
            f"tile = {tile!r} is not a positive integer",
            parameter="tile",
            fix=f"rows per tile, e.g. {DEFAULT_TILE} (scratch ~ 24 tile^2 bytes)",
        )
    return int(tile)


@lru_cache(maxsize=8)
def _triu(n: int) -> tuple[np.ndarray, np.ndarray]:
    return np.triu_indices(n, k=1)


def upper_blocks(K: int, tile: int):
    """(i0, i1, j0, j1) of the blocks on and above the diagonal of a K x K grid."""
    for i0 in range(0, K, tile):
        for j0 in range(i0, K, tile):
            yield i0, min(i0 + tile, K), j0, min(j0 + tile, K)


def upper(X: np.ndarray, i0: int, j0: int) -> np.ndarray:
    """The entries of a block of the upper triangle that are pairs k < l (a view off the diagonal)."""
    return X[_triu(X.shape[0])] if i0 == j0 else X.ravel()


def pair_nonzero(mask: np.ndarray, i0: int, j0: int) -> tuple[np.ndarray, np.ndarray]:
    """Global (k, l), k < l, of the true entries of a block's mask, in row-major order."""
    r, c = np.nonzero(np.triu(mask, k=1) if i0 == j0 else mask)
    return r + i0, c + j0


class ExactSum:
    """Sum of many float64 values: pairwise within each added array, ``math.fsum`` across arrays."""

    def __init__(self) -> None:
        self.parts: list[float] = []

    def add(self, values: np.ndarray) -> None:
        self.parts.append(float(np.sum(values)))

    @property
    def value(self) -> float:
        return math.fsum(self.parts)


class Moments:
    """Count, mean and sum of squared deviations, combined block by block (Chan, Golub & LeVeque 1979)."""

    def __init__(self) -> None:
        self.n, self.mean, self.m2 = 0, 0.0, 0.0

    def add(self, values: np.ndarray) -> None:
        nb = values.size
        if nb == 0:
            return
        mb = float(np.mean(values))
        m2b = float(np.sum((values - mb) ** 2))
        n = self.n + nb
        delta = mb - self.mean
        self.mean += delta * nb / n
        self.m2 += m2b + delta * delta * self.n * nb / n
        self.n = n

    def std(self) -> float:
        return math.sqrt(self.m2 / self.n)


def sq_distances(A: np.ndarray, B: np.ndarray, na: np.ndarray, nb: np.ndarray, G: np.ndarray, tile: int):
    """||a_k - b_l||^2 for the rows of A and B from their Gram block G = A B^T and squared norms na, nb, the
    ill-conditioned entries (below REFINE of na + nb) recomputed by subtraction, ``tile`` pairs at a time."""
    total = na[:, None] + nb[None, :]
    d2 = total - 2.0 * G
    ii, jj = np.nonzero(d2 < REFINE * total)
    step = max(tile, tile * tile // max(A.shape[1], 1))  # tile^2 numbers of scratch
    for s in range(0, ii.size, step):
        r, c = ii[s : s + step], jj[s : s + step]
        diff = A[r] - B[c]
        d2[r, c] = np.einsum("ij,ij->i", diff, diff)
    return d2


def gram_norm(V: np.ndarray, U: np.ndarray | None = None) -> float:
    """||V U^T||_F (U = V if None) without a K x K array when K > d: ||V U^T||_F^2 = <V^T V, U^T U>_F."""
    U = V if U is None else U
    K, d = V.shape
    if K <= d:  # K^2 <= d^2: the K x K Gram is within the d^2 budget
        return float(np.linalg.norm(V @ U.T))
    CV = V.T @ V
    CU = CV if U is V else U.T @ U
    return math.sqrt(max(float(np.einsum("ij,ij->", CV, CU)), 0.0))


def frame_residual(V: np.ndarray, target: str, tile: int, U: np.ndarray | None = None):
    """|| G/||G||_F - T ||_F, G = V U^T (U = V: symmetric, upper blocks counted twice), T the simplex
    ETF's (I - 11^T/K)/sqrt(K-1) (``target="etf"``) or I/sqrt(K) (``"orthogonal"``). None when G = 0."""
    K = V.shape[0]
    g = gram_norm(V, U)
    if g == 0:
        return None
    if target == "etf":
        off, diag = -1.0 / (K * math.sqrt(K - 1)), (1.0 - 1.0 / K) / math.sqrt(K - 1)
    else:
        off, diag = 0.0, 1.0 / math.sqrt(K)
    acc = ExactSum()
    symmetric = U is None
    U = V if U is None else U
    for i0 in range(0, K, tile):
        i1 = min(i0 + tile, K)
        for j0 in range(i0 if symmetric else 0, K, tile):
            j1 = min(j0 + tile, K)
            R = (V[i0:i1] @ U[j0:j1].T) / g - off
            if i0 == j0:
                R[np.diag_indices(i1 - i0)] -= diag - off
            acc.add((R * R) * (2.0 if symmetric and i0 != j0 else 1.0))
    return math.sqrt(acc.value)


@dataclass(frozen=True)
class PairStats:
    """Statistics of the pairwise cosines c_kl (k < l) of K unit rows and of their distances."""

    mean_abs: float  # mean |c + 1/(K-1)|
    max_abs: float  # max |c + 1/(K-1)|
    spread: float  # std of c (population)
    mean_cos: float
    rms_cos: float  # sqrt(mean c^2)
    energy: float  # mean ||u_k - u_l||^(-s) (s = 0: mean -log ||u_k - u_l||); inf if two rows coincide
    etf_residual: float | None = None  # frame_residual(V, "etf") of the rows V = norms * U, when asked


def pair_stats(U: np.ndarray, tile: int, *, s: float = 1.0, etf_scale: np.ndarray | None = None) -> PairStats:
    """:class:`PairStats` of the unit rows U (K >= 2), one sweep of the upper blocks of U U^T. With
    ``etf_scale`` = n_k / sqrt(||V V^T||_F) for the rows V = n_k u_k the same sweep gives
    :func:`frame_residual` (V, "etf") from G_kl / ||G||_F = scale_k scale_l cos_kl (one K^2 d / 2 sweep
    instead of two; each entry within a few eps of the direct V V^T, as the direct one is of the exact)."""
    K = U.shape[0]
    target = 1.0 / (K - 1)
    dev, cos, sq, energy, moments, top = ExactSum(), ExactSum(), ExactSum(), ExactSum(), Moments(), 0.0
    ones = np.ones(K)
    coincide = False
    frame = None if etf_scale is None else (ExactSum(), etf_scale)
    off, diag = -1.0 / (K * math.sqrt(K - 1)), (1.0 - 1.0 / K) / math.sqrt(K - 1)
    for i0, i1, j0, j1 in upper_blocks(K, tile):
        C = U[i0:i1] @ U[j0:j1].T
        if frame is not None:  # G / ||G||_F = (n_k / sqrt g)(n_l / sqrt g) cos_kl
            R = C * frame[1][i0:i1, None] * frame[1][None, j0:j1] - off
            if i0 == j0:
                R[np.diag_indices(i1 - i0)] -= diag - off
            frame[0].add((R * R) * (1.0 if i0 == j0 else 2.0))
        d2 = sq_distances(U[i0:i1], U[j0:j1], ones[i0:i1], ones[j0:j1], C, tile)
        cv, dv = upper(C, i0, j0), upper(d2, i0, j0)
        if cv.size == 0:
            continue
        a = np.abs(cv + target)
        dev.add(a)
        top = max(top, float(a.max()))
        cos.add(cv)
        sq.add(cv * cv)
        moments.add(cv)
        if np.any(dv <= 0):
            coincide = True
        elif not coincide:
            energy.add(-0.5 * np.log(dv) if s == 0 else dv ** (-s / 2))
    n = K * (K - 1) / 2
    return PairStats(
        mean_abs=dev.value / n,
        max_abs=top,
        spread=moments.std(),
        mean_cos=cos.value / n,
        rms_cos=math.sqrt(sq.value / n),
        energy=math.inf if coincide else energy.value / n,
        etf_residual=None if frame is None else math.sqrt(frame[0].value),
    )


def cdnv_sweep(M: np.ndarray, var: np.ndarray, exponent: float, floor2: float, tile: int):
    """(mean over k < l of (Var_k + Var_l) / (2 ||mu_k - mu_l||^(2p)), max squared distance, pairs with a
    squared distance <= floor2 in row-major order). M is centred here (distances are shift invariant)."""
    K = M.shape[0]
    Mc = M - M.mean(axis=0)
    norms2 = np.einsum("ij,ij->i", Mc, Mc)
    acc, top, close = ExactSum(), 0.0, []
    for i0, i1, j0, j1 in upper_blocks(K, tile):
        d2 = sq_distances(Mc[i0:i1], Mc[j0:j1], norms2[i0:i1], norms2[j0:j1], Mc[i0:i1] @ Mc[j0:j1].T, tile)
        dv = upper(d2, i0, j0)
        if dv.size == 0:
            continue
        top = max(top, float(dv.max()))
        if np.any(dv <= floor2):
            rows, cols = pair_nonzero(d2 <= floor2, i0, j0)
            close.extend(zip(rows.tolist(), cols.tolist(), d2[rows - i0, cols - j0].tolist(), strict=True))
        varsum = upper(var[i0:i1, None] + var[None, j0:j1], i0, j0)
        with np.errstate(divide="ignore", invalid="ignore"):  # 0/0 of a coinciding pair: reported as Undefined
            acc.add(varsum / (2.0 * dv**exponent))
    return acc.value / (K * (K - 1) / 2), top, sorted(close)
