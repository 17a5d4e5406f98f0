"""The extended unconstrained-features models of Tirer & Bruna (ICML 2022): problems (23) (linear) and (24) (ReLU).

Convention (reconstruction of ../shared/THEOREMS.md):

    f(W2, W1, H1) = 1/(2Kn) ||W2 s(W1 H1) - Y||_F^2 + (lambda_W2/2)||W2||_F^2 + (lambda_W1/2)||W1||_F^2
                    + (lambda_H1/2)||H1||_F^2

with s the identity (problem (23)) or the entrywise ReLU (problem (24)), Y = I_K (x) 1_n^T, W2 in R^{K x d2},
W1 in R^{d2 x d1}, H1 in R^{d1 x Kn}; no bias. The second-level features are H2 = s(W1 H1).

x = [vec(W2), vec(W1), vec(H1)] (row-major). For the ReLU model a fixed activation ``mask`` (a boolean
d2 x Kn array) selects one smooth piece: s(Z) = mask * Z; with ``mask=None`` the ReLU is evaluated at the
point (the derivative at 0 is taken as 0). The polish of a ReLU solve refines on the piece its float point
lies on and then checks the piece's first-order conditions against the true ReLU (see
:func:`relu_kink_conditions`).

:meth:`TwoLayerModel.diagonal` is the restriction of (23) to diagonal factors with collapsed features (one
singular direction): g(a, b, c) = (1/2K)(a b c - 1)^2 + (l2 a^2 + l1 b^2 + n lH c^2)/2, times K for the K
directions. For a, b, c >= 0 the ReLU model restricts to the same function (relu(b c) = b c).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction
from functools import cached_property

import numpy as np

from verify.base.errors import InputError
from verify.models.arith import FLOAT, Arithmetic
from verify.models.mse_features import _targets


@dataclass(frozen=True, eq=False)
class TwoLayerModel:
    """Problem (23) (``relu=False``) or (24) (``relu=True``) of Tirer & Bruna 2022."""

    K: int
    n: int
    d1: int
    d2: int
    lambda_W1: Fraction
    lambda_W2: Fraction
    lambda_H1: Fraction
    relu: bool = False
    mask: np.ndarray | None = None  # fixed activation pattern (ReLU piece), d2 x Kn booleans

    convention = (
        "Tirer & Bruna 2022 Eqs. (23)/(24): 1/(2Kn)||W2 s(W1 H1) - Y||_F^2 + (lambda_W2/2)||W2||_F^2 + "
        "(lambda_W1/2)||W1||_F^2 + (lambda_H1/2)||H1||_F^2, s = identity or ReLU; Y = I_K (x) 1_n^T; no bias"
    )

    def __post_init__(self) -> None:
        for name in ("K", "n", "d1", "d2"):
            if getattr(self, name) < 1:
                raise InputError(f"{name} = {getattr(self, name)} must be >= 1", parameter=name)
        for name in ("lambda_W1", "lambda_W2", "lambda_H1"):
            if not getattr(self, name) > 0:
                raise InputError(f"{name} must be > 0", parameter=name, fix=f"give {name} > 0")

    @property
    def N(self) -> int:
        return self.K * self.n

    @property
    def dim(self) -> int:
        return self.K * self.d2 + self.d2 * self.d1 + self.d1 * self.N

    n_constraints = 0

    def on_piece(self, mask: np.ndarray) -> TwoLayerModel:
        """The smooth piece s(Z) = mask * Z of the ReLU model."""
        return replace(self, mask=np.asarray(mask, dtype=bool))

    def targets(self, ar: Arithmetic = FLOAT) -> np.ndarray:
        Y = self._float_targets
        return Y if ar is FLOAT else ar.asarray(Y)

    @cached_property
    def _float_targets(self) -> np.ndarray:
        return _targets(self.K, self.n)

    @cached_property
    def _float_penalties(self) -> tuple[float, float, float]:
        return tuple(FLOAT.scalar(v) for v in (self.lambda_W2, self.lambda_W1, self.lambda_H1))

    def _penalties(self, ar: Arithmetic):
        """(lambda_W2, lambda_W1, lambda_H1) in ``ar`` (float values computed once per model: the solves call
        objective and gradient ~10^5 times)."""
        if ar is FLOAT:
            return self._float_penalties
        return tuple(ar.scalar(v) for v in (self.lambda_W2, self.lambda_W1, self.lambda_H1))

    def unpack(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        a, b = self.K * self.d2, self.K * self.d2 + self.d2 * self.d1
        return x[:a].reshape(self.K, self.d2), x[a:b].reshape(self.d2, self.d1), x[b:].reshape(self.d1, self.N)

    def pack(self, W2: np.ndarray, W1: np.ndarray, H1: np.ndarray) -> np.ndarray:
        return np.concatenate([np.asarray(W2).ravel(), np.asarray(W1).ravel(), np.asarray(H1).ravel()])

    def class_means(self, H: np.ndarray) -> np.ndarray:
        """Column k: the mean of the n columns of class k (H is features x Kn)."""
        return H.reshape(H.shape[0], self.K, self.n).sum(axis=2) / self.n

    # --- forward --------------------------------------------------------------------------------------
    def activation_mask(self, Z: np.ndarray) -> np.ndarray | None:
        if not self.relu:
            return None
        if self.mask is not None:
            return self.mask
        return np.asarray(Z > 0, dtype=bool)

    def second_features(self, x: np.ndarray, ar: Arithmetic = FLOAT) -> tuple[np.ndarray, np.ndarray]:
        """(Z1 = W1 H1, H2 = s(Z1))."""
        _, W1, H1 = self.unpack(x)
        Z = W1 @ H1
        m = self.activation_mask(Z)
        return Z, (Z if m is None else np.where(m, Z, 0 * Z))

    def objective(self, x: np.ndarray, ar: Arithmetic = FLOAT):
        W2, W1, H1 = self.unpack(x)
        _, A = self.second_features(x, ar)
        R = W2 @ A - self.targets(ar)
        l2, l1, lh = self._penalties(ar)
        return (R * R).sum() / (2 * self.N) + (l2 * (W2 * W2).sum() + l1 * (W1 * W1).sum() + lh * (H1 * H1).sum()) / 2

    def gradient(self, x: np.ndarray, ar: Arithmetic = FLOAT) -> np.ndarray:
        W2, W1, H1 = self.unpack(x)
        Z, A = self.second_features(x, ar)
        R = (W2 @ A - self.targets(ar)) / self.N
        return self._gradient_from(W2, W1, H1, Z, A, R, ar)

    def _gradient_from(self, W2, W1, H1, Z, A, R, ar: Arithmetic) -> np.ndarray:
        l2, l1, lh = self._penalties(ar)
        G = W2.T @ R
        m = self.activation_mask(Z)
        if m is not None:
            G = np.where(m, G, 0 * G)
        return self.pack(R @ A.T + W2 * l2, G @ H1.T + W1 * l1, W1.T @ G + H1 * lh)  # array first: see relu_features

    def value_and_gradient(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        """(objective, gradient) in float64 from one forward pass: the same operations, in the same order, as
        :meth:`objective` and :meth:`gradient` (bit-for-bit the same numbers), for the L-BFGS solves."""
        W2, W1, H1 = self.unpack(x)
        Z, A = self.second_features(x)
        R0 = W2 @ A - self._float_targets
        l2, l1, lh = self._float_penalties
        f = (R0 * R0).sum() / (2 * self.N) + (l2 * (W2 * W2).sum() + l1 * (W1 * W1).sum() + lh * (H1 * H1).sum()) / 2
        return float(f), self._gradient_from(W2, W1, H1, Z, A, R0 / self.N, FLOAT)

    def penalty_gradient(self, x: np.ndarray, ar: Arithmetic = FLOAT) -> np.ndarray:
        """The gradient of the three regularisation terms alone."""
        W2, W1, H1 = self.unpack(x)
        l2, l1, lh = self._penalties(ar)
        return self.pack(W2 * l2, W1 * l1, H1 * lh)

    def constraints(self, x: np.ndarray, ar: Arithmetic = FLOAT) -> np.ndarray:
        return np.zeros(0, dtype=float if ar is FLOAT else object)

    def constraint_jacobian(self, x: np.ndarray, ar: Arithmetic = FLOAT) -> np.ndarray:
        return np.zeros((0, self.dim), dtype=float if ar is FLOAT else object)

    def random_start(self, rng: np.random.Generator, scale: float = 1.0) -> np.ndarray:
        return scale * rng.standard_normal(self.dim)

    # --- the diagonal restriction (one singular direction) -------------------------------------------------
    def diagonal(self, a, b, c, t=1, ar: Arithmetic = FLOAT):
        """g(a, b, c) with lambda_W2 scaled by ``t``: the objective per direction of diagonal, collapsed factors."""
        l2, l1, lh = self._penalties(ar)
        one = ar.scalar(1)  # Python ints at the origin would make the first term a float
        return (a * b * c - one) ** 2 / (2 * self.K) + (t * l2 * a * a + l1 * b * b + self.n * lh * c * c) / 2

    def diagonal_gradient(self, a, b, c, t=1, ar: Arithmetic = FLOAT):
        l2, l1, lh = self._penalties(ar)
        r = (a * b * c - ar.scalar(1)) / self.K
        return (r * b * c + t * l2 * a, r * a * c + l1 * b, r * a * b + self.n * lh * c)

    def diagonal_hessian(self, a, b, c, t=1, ar: Arithmetic = FLOAT):
        l2, l1, lh = self._penalties(ar)
        K = self.K
        p = a * b * c * ar.scalar(1)
        return (
            ((b * c) ** 2 / K + t * l2, (2 * p - 1) * c / K, (2 * p - 1) * b / K),
            ((2 * p - 1) * c / K, (a * c) ** 2 / K + l1, (2 * p - 1) * a / K),
            ((2 * p - 1) * b / K, (2 * p - 1) * a / K, (a * b) ** 2 / K + self.n * lh),
        )


def relu_kink_conditions(model: TwoLayerModel, x: np.ndarray, ar: Arithmetic, zero_tol) -> dict[str, float]:
    """First-order conditions of the *true* ReLU problem at a stationary point x of one of its smooth pieces.

    Entries of Z1 = W1 H1 with |Z| <= zero_tol sit on the kink. Off the kink, entries the piece keeps must be
    > 0 (``active_margin``: min Z over them, relative to max |Z|) and entries it drops must be < 0
    (``dead_excess``: max Z, relative). On the kink, moving Z_ij either way changes f by G_ij |dZ_ij| (the piece
    is stationary), with G = W2^T R/(Kn) the loss gradient in H2: a local minimiser needs G >= 0 there
    (``kink_descent``: max of -G over the kink entries, relative to max(max |G|, 1))."""
    W2, W1, H1 = model.unpack(x)
    Z = W1 @ H1
    mask = model.activation_mask(Z)
    R = (W2 @ np.where(mask, Z, 0 * Z) - model.targets(ar)) / model.N
    G = W2.T @ R
    zf = np.vectorize(float)(Z) if Z.dtype == object else np.asarray(Z, dtype=float)
    gf = np.vectorize(float)(G) if G.dtype == object else np.asarray(G, dtype=float)
    scale = float(np.max(np.abs(zf))) or 1.0
    kink = np.abs(zf) <= zero_tol
    active = zf[mask & ~kink]
    dead = zf[~mask & ~kink]
    gscale = max(float(np.max(np.abs(gf))), 1.0)  # absolute below 1 (G is O(||W2||) and the objectives O(1))
    return {
        "active_margin": float(active.min() / scale) if active.size else float("inf"),
        "dead_excess": float(dead.max() / scale) if dead.size else float("-inf"),
        "kink_descent": float(np.max(-gf[kink]) / gscale) if kink.any() else float("-inf"),
        "kink_entries": int(kink.sum()),
    }
