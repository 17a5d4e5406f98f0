"""The neural-collapse metrics as pure functions of class means, covariances and classifier rows.

Each function cites the definition it computes; :mod:`verify.metrics.report` applies them under named
conventions. Rows are vectors (class means mu_k or classifier rows w_k, K of them). A measurement that needs
the direction of a vector whose norm is at most ``zero_rtol`` times the largest norm of its family returns
:class:`verify.base.values.Undefined` naming the vector, never a number.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from verify.base.values import Undefined
from verify.metrics import tiles as t
from verify.metrics.arrays import as_matrix
from verify.metrics.tiles import DEFAULT_TILE

#: Default zero guard for float64 inputs given directly to these functions: a norm below 1e-12 of the
#: largest in its family is float64 rounding (2.2e-16) amplified by at most ~4500, six decades of margin.
DEFAULT_ZERO_RTOL = 1e-12

#: Rows of the features processed at once by :func:`agreement_counts` (bounds its N x K scratch).
CHUNK = 16384

#: Scores (rows x K) held at once by the NC4 counts: 2^22 float64 = 32 MiB whatever K.
SCORE_ENTRIES = 2**22


def rows_per_chunk(K: int) -> int:
    """Feature rows per NC4 chunk: CHUNK, fewer when K is large (K = 20,000: 209 rows)."""
    return max(1, min(CHUNK, SCORE_ENTRIES // max(K, 1)))


def _names(names: Sequence[str] | None, K: int, label: str) -> list[str]:
    return list(names) if names is not None else [f"{label}[{k}]" for k in range(K)]


def unit_rows(V: np.ndarray, *, zero_rtol: float, names: Sequence[str] | None = None, what: str = "row"):
    """Rows divided by their norms, or Undefined naming the first (numerically) zero row."""
    norms = np.linalg.norm(V, axis=1)
    top = norms.max() if norms.size else 0.0
    for k, n in enumerate(norms):
        if top == 0 or n <= zero_rtol * top:
            return Undefined(f"zero-norm {what} {_names(names, V.shape[0], 'v')[k]} (norm {n:.1e}, largest {top:.1e})")
    return V / norms[:, None]


def _pairs(K: int) -> tuple[np.ndarray, np.ndarray]:
    return np.triu_indices(K, k=1)


# --- NC1 -----------------------------------------------------------------------------------------------------


def nc1(sigma_w, sigma_b, *, K: int, pinv: str = "full", scale: str = "1/K", rtol: float | None = None):
    """NC1 = tr(Sigma_W Sigma_B^+) / K (Papyan, Han & Donoho 2020, Fig. 6; Tirer & Bruna 2022, eq. 26).

    Sigma_B^+ inverts the eigenvalues of Sigma_B above ``rtol * lambda_max`` (default max(K, d) * eps of the
    arrays' dtype); ``pinv="rank_K-1"`` keeps at most the K-1 largest of those (Papyan et al. code);
    ``scale="none"`` drops the 1/K. Undefined when Sigma_B = 0 (all class means coincide).
    """
    Sw, eps = as_matrix(sigma_w, "sigma_w")
    Sb, eps_b = as_matrix(sigma_b, "sigma_b", rows=Sw.shape[0], cols=Sw.shape[0])
    rtol = max(K, Sw.shape[0]) * max(eps, eps_b) if rtol is None else rtol
    lam, V = np.linalg.eigh((Sb + Sb.T) / 2)
    return _nc1_from_spectrum(Sw, lam, V, K=K, pinv=pinv, scale=scale, rtol=rtol)


def _nc1_from_spectrum(Sw, lam, V, *, K: int, pinv: str, scale: str, rtol: float):
    """tr(Sw Sb^+) from the eigenpairs (lam, columns of V) of Sigma_B, with the cutoff and truncation."""
    top = lam.max() if lam.size else 0.0
    if top <= 0:
        return Undefined("Sigma_B = 0: all class means coincide, NC1 has no between-class scale")
    keep = np.flatnonzero(lam > rtol * top)
    if pinv == "rank_K-1":
        keep = keep[np.argsort(lam[keep])[::-1][: K - 1]]
    Vk = V[:, keep]
    value = float(np.einsum("ij,ij->j", Vk, Sw @ Vk) @ (1.0 / lam[keep]))
    return value / K if scale == "1/K" else value


def nc1_quotient(sigma_w, sigma_b):
    """tr Sigma_W / tr Sigma_B (Hui et al. 2022; Tirer et al. 2023): no inverse, defined whenever
    Sigma_B != 0."""
    Sw, _ = as_matrix(sigma_w, "sigma_w")
    Sb, _ = as_matrix(sigma_b, "sigma_b")
    tb = float(np.trace(Sb))
    if tb <= 0:
        return Undefined("tr Sigma_B = 0: all class means coincide")
    return float(np.trace(Sw)) / tb


def cdnv(
    means,
    variances,
    *,
    exponent: float = 1.0,
    zero_rtol: float = DEFAULT_ZERO_RTOL,
    names=None,
    tile: int = DEFAULT_TILE,
):
    """Average class-distance normalised variance over pairs k < l (Galanti, Gyorgy & Hutter 2022, Def. 1):
    (Var_k + Var_l) / (2 ||mu_k - mu_l||^(2 p)), Var_k = E_k ||h - mu_k||^2, p = ``exponent``; the pairs
    swept ``tile`` x ``tile`` at a time (:mod:`verify.metrics.tiles`). Undefined when two class means
    coincide (distance at most ``zero_rtol`` times the larger of the largest mean norm and distance)."""
    M, _ = as_matrix(means, "means")
    var = np.asarray(variances, dtype=float).reshape(-1)
    K = M.shape[0]
    if K < 2:
        return Undefined("CDNV needs K >= 2 classes")
    big = float(np.einsum("ij,ij->i", M, M).max())
    Mc = M - M.mean(axis=0)
    floor2 = zero_rtol**2 * max(big, 4.0 * float(np.einsum("ij,ij->i", Mc, Mc).max()))
    value, top, close = t.cdnv_sweep(M, var, exponent, floor2, t.check_tile(tile))
    scale2 = max(big, top)
    for a, b, d2 in close:  # row-major order: the first coinciding pair is named
        if d2 <= zero_rtol**2 * scale2:
            nm = _names(names, K, "mu")
            return Undefined(f"class means {nm[a]} and {nm[b]} coincide: CDNV divides by their distance")
    return float(value)


# --- NC2 -----------------------------------------------------------------------------------------------------


def equinorm(vectors, *, ddof: int = 0):
    """Coefficient of variation std/mean of the row norms (Papyan et al. 2020, Fig. 2); 0 iff equinorm.
    Undefined only when every row is zero (a single zero row gives a large, defined spread)."""
    V, _ = as_matrix(vectors, "vectors")
    norms = np.linalg.norm(V, axis=1)
    if norms.mean() == 0:
        return Undefined("norm spread of all-zero vectors")
    if norms.shape[0] <= ddof:
        return Undefined(f"std with ddof={ddof} of {norms.shape[0]} norm(s)")
    return float(norms.std(ddof=ddof) / norms.mean())


@dataclass(frozen=True)
class Equiangularity:
    """Pairwise cosines against the simplex value -1/(K-1) (Papyan et al. 2020, Figs. 3-4).

    ``mean_abs`` = mean |cos + 1/(K-1)| (the Papyan et al. code's coherence), ``max_abs`` = its maximum,
    ``spread`` = the standard deviation of the cosines, ``mean_cos`` = their mean (for centred equinorm
    rows it is -1/(K-1) whatever the angles: it cannot measure equiangularity, see docs/metrics.md)."""

    mean_abs: float
    max_abs: float
    spread: float
    mean_cos: float


def pairwise_cosines(vectors, *, zero_rtol: float = DEFAULT_ZERO_RTOL, names=None, what: str = "row"):
    V, _ = as_matrix(vectors, "vectors")
    U = unit_rows(V, zero_rtol=zero_rtol, names=names, what=what)
    if isinstance(U, Undefined):
        return U
    i, j = _pairs(V.shape[0])
    return np.einsum("ij,ij->i", U[i], U[j])


def pair_statistics(
    vectors,
    *,
    s: float = 1.0,
    zero_rtol: float = DEFAULT_ZERO_RTOL,
    names=None,
    what="row",
    tile=DEFAULT_TILE,
    etf: bool = False,
):
    """:class:`verify.metrics.tiles.PairStats` of the rows' directions (one tiled sweep), or Undefined for a
    zero row or K < 2; ``etf``: its ``etf_residual`` is :func:`etf_distance` of the rows, from the same sweep."""
    V, _ = as_matrix(vectors, "vectors")
    U = unit_rows(V, zero_rtol=zero_rtol, names=names, what=what)
    if isinstance(U, Undefined):
        return U
    if V.shape[0] < 2:
        return Undefined(f"pairwise statistics need K >= 2 rows ({V.shape[0]} given)")
    scale = np.linalg.norm(V, axis=1) / math.sqrt(t.gram_norm(V)) if etf else None  # ||V V^T||_F >= max n_k^2 > 0
    return t.pair_stats(U, t.check_tile(tile), s=s, etf_scale=scale)


def equiangularity(
    vectors, *, zero_rtol: float = DEFAULT_ZERO_RTOL, names=None, what: str = "row", tile: int = DEFAULT_TILE
):
    """:class:`Equiangularity` of the rows, or Undefined for a zero row or K < 2 (tiled: no K x K array)."""
    ps = pair_statistics(vectors, zero_rtol=zero_rtol, names=names, what=what, tile=tile)
    if isinstance(ps, Undefined):
        return ps
    return Equiangularity(ps.mean_abs, ps.max_abs, ps.spread, ps.mean_cos)


def _frame_distance(vectors, target: str, what: str, tile: int):
    V, _ = as_matrix(vectors, "vectors")
    if V.shape[0] < 2:
        return Undefined(f"{what} needs K >= 2 rows")
    value = t.frame_residual(V, target, t.check_tile(tile))
    return Undefined(f"{what}: all rows are zero") if value is None else value


def etf_distance(vectors, *, tile: int = DEFAULT_TILE):
    """|| G/||G||_F - (I - 11^T/K)/sqrt(K-1) ||_F, G the Gram of the rows (Tirer & Bruna 2022, eq. 27;
    Zhu et al. 2021): 0 iff the rows form a simplex ETF at some scale. Pass centred means. Tiled."""
    return _frame_distance(vectors, "etf", "ETF distance", tile)


def orthogonal_frame_distance(vectors, *, tile: int = DEFAULT_TILE):
    """|| G/||G||_F - I/sqrt(K) ||_F of *uncentred* class means (Tirer & Bruna 2022, eq. 27): 0 iff the rows
    are orthogonal and equinorm (the bias-free collapse of their Theorems 3.1, 4.1). Tiled."""
    return _frame_distance(vectors, "orthogonal", "orthogonal-frame distance", tile)


def hyperspherical_energy(
    vectors, *, s: float = 1.0, zero_rtol: float = DEFAULT_ZERO_RTOL, names=None, tile: int = DEFAULT_TILE
):
    """GNC2 (Liu et al. 2023, 'Generalizing and decoupling neural collapse via hyperspherical uniformity'):
    mean over pairs of ||u_k - u_l||^(-s) of the unit rows u_k (s = 0: mean of -log ||u_k - u_l||).
    +inf when two rows share a direction; Undefined for a zero row. Tiled."""
    ps = pair_statistics(vectors, s=s, zero_rtol=zero_rtol, names=names, tile=tile)
    if isinstance(ps, Undefined):
        return Undefined("hyperspherical energy needs K >= 2 rows") if "K >= 2" in ps.reason else ps
    return ps.energy


def simplex_energy(K: int, s: float = 1.0) -> float:
    """The s-energy of a K-simplex ETF (every pairwise distance sqrt(2K/(K-1))): the minimum over K unit
    vectors in R^d for K <= d+1 (the simplex is universally optimal; Cohn & Kumar 2007)."""
    dist = math.sqrt(2 * K / (K - 1))
    return -math.log(dist) if s == 0 else dist ** (-s)


# --- NC3 -----------------------------------------------------------------------------------------------------


def self_duality(W, M):
    """|| W/||W||_F - M/||M||_F ||_F (Papyan et al. 2020, Fig. 5, unsquared; Tirer & Bruna 2022, eq. 28):
    classifier rows against class-mean rows (centred or not is the caller's convention)."""
    Wm, _ = as_matrix(W, "W")
    Mm, _ = as_matrix(M, "means", rows=Wm.shape[0], cols=Wm.shape[1])
    w, m = np.linalg.norm(Wm), np.linalg.norm(Mm)
    if w == 0 or m == 0:
        return Undefined("self-duality of a zero classifier or zero class means")
    return float(np.linalg.norm(Wm / w - Mm / m))


def self_duality_dot(W, M, *, tile: int = DEFAULT_TILE):
    """|| W M^T/||W M^T||_F - (I - 11^T/K)/sqrt(K-1) ||_F (the Zhu et al. 2021 code's W-H relation): 0 iff
    W M^T is a multiple of the centring matrix. Tiled."""
    Wm, _ = as_matrix(W, "W")
    Mm, _ = as_matrix(M, "means", rows=Wm.shape[0], cols=Wm.shape[1])
    if Wm.shape[0] < 2:
        return Undefined("W M^T against the simplex ETF needs K >= 2")
    value = t.frame_residual(Wm, "etf", t.check_tile(tile), U=Mm)
    return Undefined("W M^T = 0: no alignment to measure") if value is None else value


# --- NC4 -----------------------------------------------------------------------------------------------------


def agreement_counts(H: np.ndarray, means: np.ndarray, scores) -> int:
    """Number of rows h of H whose nearest class mean has the index of the largest score (scores: (N, K)
    array, or a callable giving the scores of a chunk of H). H is converted to float64 a chunk at a time."""
    half_sq = 0.5 * np.einsum("ij,ij->i", means, means)
    agree = 0
    step = rows_per_chunk(means.shape[0])
    for start in range(0, H.shape[0], step):
        h = np.asarray(H[start : start + step], dtype=np.float64)
        ncc = np.argmax(h @ means.T - half_sq, axis=1)  # argmin ||h - mu_k||^2
        s = scores(h) if callable(scores) else scores[start : start + step]
        agree += int(np.count_nonzero(ncc == np.argmax(s, axis=1)))
    return agree


def ncc_agreement(features, means, W=None, b=None, *, logits=None):
    """NC4 (Papyan et al. 2020, Fig. 7): the fraction of samples on which the classifier's decision
    argmax_k (w_k.h + b_k) (or argmax of ``logits``) is the nearest class mean argmin_k ||h - mu_k||."""
    H, _ = as_matrix(features, "features")
    Mm, _ = as_matrix(means, "means", cols=H.shape[1])
    if logits is not None:
        L, _ = as_matrix(logits, "logits", rows=H.shape[0], cols=Mm.shape[0])
        return agreement_counts(H, Mm, L) / H.shape[0]
    if W is None:
        raise ValueError("ncc_agreement needs W or logits")
    Wm, _ = as_matrix(W, "W", rows=Mm.shape[0], cols=H.shape[1])
    bias = np.zeros(Wm.shape[0]) if b is None else np.asarray(b, dtype=float).reshape(-1)
    return agreement_counts(H, Mm, lambda h: h @ Wm.T + bias) / H.shape[0]


# --- imbalanced data -----------------------------------------------------------------------------------------


def minority_cosine(
    W, minority: Sequence[int], *, zero_rtol: float = DEFAULT_ZERO_RTOL, names=None, tile: int = DEFAULT_TILE
):
    """Average cosine between pairs of minority classifiers (Fang et al. 2021, Fig. 3 and Fig. 4): 1 at
    Minority Collapse. ``minority``: row indices. Undefined for fewer than two minority rows or a zero row."""
    Wm, _ = as_matrix(W, "W")
    idx = list(minority)
    if len(idx) < 2:
        return Undefined(f"{len(idx)} minority class(es): the average minority cosine needs two")
    nm = [_names(names, Wm.shape[0], "w")[k] for k in idx]
    ps = pair_statistics(Wm[idx], zero_rtol=zero_rtol, names=nm, tile=tile)
    return ps if isinstance(ps, Undefined) else ps.mean_cos


def nonnegative_orthogonality(means, *, zero_rtol: float = DEFAULT_ZERO_RTOL, names=None, tile=DEFAULT_TILE):
    """RMS pairwise cosine of the *uncentred* class means: 0 iff they are pairwise orthogonal, whatever their
    lengths (the general orthogonal frame of non-negative features, Dang et al. 2024, Theorem 1). Tiled."""
    ps = pair_statistics(means, zero_rtol=zero_rtol, names=names, what="class mean", tile=tile)
    if isinstance(ps, Undefined):
        return Undefined("orthogonality needs K >= 2 class means") if "K >= 2" in ps.reason else ps
    return ps.rms_cos
