"""Neural regression collapse, NRC1-NRC3 (Andriopoulos et al. 2024, 'The prevalence of neural collapse in
neural multivariate regression', Section 3), with the conventions of felixsh/nc-toolbox (``regression.py``)
stated; features H (M, d), regression weights W (n, d), targets Y (M, n).

- NRC1 = (1/M) sum_i ||h~_i - P_n h~_i||^2, h~_i = h_i/||h_i||, P_n the projector on the n leading right
  singular vectors of the *uncentred* H (nc-toolbox ``principal_decomp(H, n)``, ``center=False``).
- NRC2 = (1/M) sum_i ||h~_i - P_W h~_i||^2, P_W the projector on the row space of W.
- NRC3 = || W W^T/||W W^T||_F - (Sigma^(1/2) - sqrt(gamma) I)/||Sigma^(1/2) - sqrt(gamma) I||_F ||_F^2, Sigma the
  covariance of the targets (1/M, centred over the samples); gamma given, or minimised over
  [0, gamma_max] (nc-toolbox: L-BFGS-B from 0.5 on [0, 1]). nc-toolbox centres each *sample* over its n
  targets (``Y - Y.mean(axis=1)``), which is not the covariance of the targets; ours centres over samples.

All three are 0 at collapse.
"""

from __future__ import annotations

import math

import numpy as np

from verify.base.errors import InputError
from verify.base.values import Undefined
from verify.metrics.arrays import as_matrix
from verify.metrics.measures import DEFAULT_ZERO_RTOL, unit_rows


def _unit_features(H):
    Hm, _ = as_matrix(H, "features")
    return Hm, unit_rows(Hm, zero_rtol=DEFAULT_ZERO_RTOL, what="feature")


def nrc1(features, n_components: int):
    """NRC1: mean squared distance of the unit features to the span of the n leading principal directions
    (uncentred) of the features."""
    H, U = _unit_features(features)
    if isinstance(U, Undefined):
        return U
    if not (isinstance(n_components, int) and 1 <= n_components <= min(H.shape)):
        raise InputError(
            f"n_components = {n_components!r} outside [1, {min(H.shape)}]",
            parameter="n_components",
            fix="the number of regression targets",
        )
    _, _, Vt = np.linalg.svd(H, full_matrices=False)
    P = Vt[:n_components]
    R = U - (U @ P.T) @ P
    return float(np.mean(np.einsum("ij,ij->i", R, R)))


def nrc2(features, W):
    """NRC2: mean squared distance of the unit features to the row space of W (rank by the numpy rule)."""
    H, U = _unit_features(features)
    if isinstance(U, Undefined):
        return U
    Wm, _ = as_matrix(W, "W", cols=H.shape[1])
    u, s, _ = np.linalg.svd(Wm.T, full_matrices=False)
    if s.size == 0 or s[0] == 0:
        return Undefined("W = 0: no row space")
    Q = u[:, s > max(Wm.shape) * np.finfo(float).eps * s[0]]
    R = U - (U @ Q) @ Q.T
    return float(np.mean(np.einsum("ij,ij->i", R, R)))


def _nrc3_value(A: np.ndarray, S: np.ndarray, gamma: float) -> float:
    X = S - math.sqrt(gamma) * np.eye(S.shape[0])
    x = np.linalg.norm(X)
    if x == 0:
        return math.nan
    return float(np.linalg.norm(A - X / x) ** 2)


def nrc3(W, targets, *, gamma: float | None = None, gamma_max: float = 1.0):
    """NRC3 at ``gamma``, or its minimum over gamma in [0, gamma_max] (bounded Brent search, endpoints included)
    when ``gamma`` is None."""
    Wm, _ = as_matrix(W, "W")
    Y, _ = as_matrix(targets, "targets", cols=Wm.shape[0])
    WW = Wm @ Wm.T
    ww = np.linalg.norm(WW)
    if ww == 0:
        return Undefined("W = 0: W W^T has no direction")
    Yc = Y - Y.mean(axis=0)
    lam, V = np.linalg.eigh(Yc.T @ Yc / Y.shape[0])
    S = (V * np.sqrt(np.clip(lam, 0, None))) @ V.T  # Sigma^(1/2), Sigma PSD
    A = WW / ww
    if gamma is not None:
        if not gamma >= 0:
            raise InputError(f"gamma = {gamma} < 0", parameter="gamma", fix="gamma >= 0")
        return _nrc3_value(A, S, gamma)
    if not gamma_max > 0:
        raise InputError(f"gamma_max = {gamma_max}", parameter="gamma_max", fix="a positive bound")
    from scipy.optimize import minimize_scalar

    res = minimize_scalar(
        lambda g: _nrc3_value(A, S, g), bounds=(0.0, gamma_max), method="bounded", options={"xatol": 1e-12 * gamma_max}
    )
    values = [v for v in (res.fun, _nrc3_value(A, S, 0.0), _nrc3_value(A, S, gamma_max)) if v == v]
    return float(min(values))
