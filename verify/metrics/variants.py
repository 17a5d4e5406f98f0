"""Metrics that users of the other public libraries have, each as its source computes it (sources below;
docs/metrics.md has the convention table).

Two libraries call two *different* quantities "UNC3" (uniform duality, Wu & Papyan 2024, 'Linguistic
Collapse', Section 3.6); ours are named for what they compute:

- :func:`unc3_similarity_variance`: the variance over classes of w_k . (mu_k - mu_G) (rhubarbwu/
  neural-collapse, README and examples: ``similarities(W, M, mG).var()``, dot products, torch's unbiased
  variance, ddof = 1); ``cosine=True`` uses cos(w_k, mu_k - mu_G) instead.
- :func:`unc3_offdiagonal_cosine`: the mean (or std/mean) of the off-diagonal cosines cos(w_k, mu_l - mu_G),
  k != l. felixsh/nc-toolbox's ``unc3_uniform_duality`` takes the strict upper triangle k < l only, which
  depends on the order of the classes (this matrix is not symmetric): ``upper_only=True`` reproduces it.

NC5 (Ammar et al. 2024, NECO, ICLR): :func:`ood_orthogonality`, the mean over classes of
|cos(mu_k, mu_G^OOD)|, class means of the training (in-distribution) data against the global mean of
out-of-distribution features (rhubarbwu ``orthogonality_deviation``, which is passed the uncentred means).

``nc1_weak`` (Rangamani et al. 2023, Section 4; nc-toolbox ``nc1_weak``): tr Sigma_B and tr Sigma_W as
fractions of their sum. ||W mu_G + b|| (Zhu et al. 2021, ``compute_Wh_b_relation`` of their code; some public
copies subtract b instead): the logits of the global mean, which vanish at their Theorem 3.1's minimiser with
the bias absorbed.
"""

from __future__ import annotations

import math

import numpy as np

from verify.base.errors import InputError
from verify.base.values import Undefined
from verify.metrics import tiles as t
from verify.metrics.arrays import as_matrix, as_vector
from verify.metrics.measures import DEFAULT_ZERO_RTOL, self_duality_dot, unit_rows
from verify.metrics.tiles import DEFAULT_TILE


def ood_orthogonality(means, ood_mean, *, zero_rtol: float = DEFAULT_ZERO_RTOL, names=None):
    """NC5 (Ammar et al. 2024): mean_k |cos(mu_k, mu_G^OOD)|, 0 when the out-of-distribution global mean is
    orthogonal to every class mean. Undefined for a zero class mean or a zero OOD mean."""
    M, _ = as_matrix(means, "means")
    g = as_vector(ood_mean, "ood_mean", M.shape[1])
    gn = float(np.linalg.norm(g))
    if gn == 0:
        return Undefined("the out-of-distribution global mean is zero: no direction")
    U = unit_rows(M, zero_rtol=zero_rtol, names=names, what="class mean")
    if isinstance(U, Undefined):
        return U
    return float(np.mean(np.abs(U @ (g / gn))))


def unc3_similarity_variance(W, centred_means, *, cosine: bool = False, ddof: int = 1, zero_rtol=DEFAULT_ZERO_RTOL):
    """UNC3 as rhubarbwu/neural-collapse computes it: Var_k of s_k = w_k . (mu_k - mu_G) (``cosine=True``:
    cos(w_k, mu_k - mu_G)), with ``ddof`` (torch's default 1). 0 when every class has the same similarity."""
    Wm, _ = as_matrix(W, "W")
    M, _ = as_matrix(centred_means, "means", rows=Wm.shape[0], cols=Wm.shape[1])
    if Wm.shape[0] <= ddof:
        return Undefined(f"variance with ddof={ddof} of {Wm.shape[0]} similarity(ies)")
    if cosine:
        Wu, Mu = unit_rows(Wm, zero_rtol=zero_rtol, what="classifier row"), unit_rows(M, zero_rtol=zero_rtol)
        for u in (Wu, Mu):
            if isinstance(u, Undefined):
                return u
        Wm, M = Wu, Mu
    return float(np.var(np.einsum("ij,ij->i", Wm, M), ddof=ddof))


def unc3_offdiagonal_cosine(
    W,
    centred_means,
    *,
    reduction: str = "mean",
    upper_only: bool = False,
    zero_rtol=DEFAULT_ZERO_RTOL,
    tile: int = DEFAULT_TILE,
):
    """The cosines c_kl = cos(w_k, mu_l - mu_G), k != l, reduced by their mean (``reduction="mean"``) or their
    coefficient of variation std/mean ("cov", population std); ``upper_only``: k < l only, as
    felixsh/nc-toolbox's UNC3 (order dependent). Tiled: no K x K array."""
    if reduction not in ("mean", "cov"):
        raise InputError(f"reduction = {reduction!r}", parameter="reduction", fix="'mean' or 'cov'")
    Wm, _ = as_matrix(W, "W")
    M, _ = as_matrix(centred_means, "means", rows=Wm.shape[0], cols=Wm.shape[1])
    K = Wm.shape[0]
    if K < 2:
        return Undefined("pairs k < l need K >= 2")
    Wu, Mu = unit_rows(Wm, zero_rtol=zero_rtol, what="classifier row"), unit_rows(M, zero_rtol=zero_rtol)
    for u in (Wu, Mu):
        if isinstance(u, Undefined):
            return u
    tile = t.check_tile(tile)
    total, moments = t.ExactSum(), t.Moments()
    for i0 in range(0, K, tile):
        for j0 in range(i0 if upper_only else 0, K, tile):
            C = Wu[i0 : i0 + tile] @ Mu[j0 : j0 + tile].T
            c = t.upper(C, i0, j0) if upper_only or i0 != j0 else C[~np.eye(C.shape[0], dtype=bool)]
            total.add(c)
            moments.add(c)
    mean = total.value / (K * (K - 1) / (2 if upper_only else 1))
    if reduction == "mean":
        return mean
    return Undefined("coefficient of variation of cosines whose mean is 0") if mean == 0 else moments.std() / mean


def unc3_and_self_duality_dot(W, centred_means, *, zero_rtol=DEFAULT_ZERO_RTOL, tile: int = DEFAULT_TILE):
    """(:func:`unc3_offdiagonal_cosine` (mean), :func:`verify.metrics.measures.self_duality_dot`) of W and the
    centred means from one sweep of the K x K blocks of cos(w_k, mu_l): W M^T / ||W M^T||_F is
    (|w_k| / sqrt g)(|mu_l| / sqrt g) cos_kl with g = ||W M^T||_F. A zero row leaves the cosines undefined,
    not W M^T: then its own sweep. The report's two keys for the price of one K^2 d sweep."""
    Wm, _ = as_matrix(W, "W")
    M, _ = as_matrix(centred_means, "means", rows=Wm.shape[0], cols=Wm.shape[1])
    K = Wm.shape[0]
    Wu, Mu = unit_rows(Wm, zero_rtol=zero_rtol, what="classifier row"), unit_rows(M, zero_rtol=zero_rtol)
    g = t.gram_norm(Wm, M)
    if K < 2 or g == 0 or isinstance(Wu, Undefined) or isinstance(Mu, Undefined):
        return unc3_offdiagonal_cosine(Wm, M, zero_rtol=zero_rtol, tile=tile), self_duality_dot(Wm, M, tile=tile)
    tile = t.check_tile(tile)
    sw, sm = np.linalg.norm(Wm, axis=1) / math.sqrt(g), np.linalg.norm(M, axis=1) / math.sqrt(g)
    off, diag = -1.0 / (K * math.sqrt(K - 1)), (1.0 - 1.0 / K) / math.sqrt(K - 1)
    cosines, residual = t.ExactSum(), t.ExactSum()
    for i0 in range(0, K, tile):
        for j0 in range(0, K, tile):
            C = Wu[i0 : i0 + tile] @ Mu[j0 : j0 + tile].T
            R = C * sw[i0 : i0 + tile, None] * sm[None, j0 : j0 + tile] - off
            if i0 == j0:
                cosines.add(C[~np.eye(C.shape[0], dtype=bool)])
                R[np.diag_indices(C.shape[0])] -= diag - off
            else:
                cosines.add(C)
            residual.add(R * R)
    return cosines.value / (K * (K - 1)), math.sqrt(residual.value)


def nc1_weak(trace_sigma_w: float, trace_sigma_b: float):
    """(tr Sigma_B, tr Sigma_W) / (tr Sigma_B + tr Sigma_W) (Rangamani et al. 2023, Section 4): the between-
    and within-class fractions of the total variance; collapse sends them to (1, 0)."""
    total = trace_sigma_w + trace_sigma_b
    if not total > 0:
        return Undefined("tr Sigma_W + tr Sigma_B = 0: every feature is the same vector")
    return trace_sigma_b / total, trace_sigma_w / total


def global_mean_logit_norm(W, b, global_mean) -> float:
    """||W mu_G + b||_2 (Zhu et al. 2021 code, ``compute_Wh_b_relation``); b = None: ||W mu_G||."""
    Wm, _ = as_matrix(W, "W")
    g = as_vector(global_mean, "global_mean", Wm.shape[1])
    z = Wm @ g + (0.0 if b is None else as_vector(b, "b", Wm.shape[0]))
    return float(math.sqrt(float(z @ z)))
