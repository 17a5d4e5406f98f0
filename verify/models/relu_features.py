"""The unconstrained ReLU feature model with cross-entropy (Dang, Tran, Nguyen, Ho, ICML 2024, problem (4)).

Reconstructed normalisation (the seed lost its formulas; ../shared/THEOREMS.md), the convention ``"mean"``:

    minimise  (1/N) sum_k sum_{i<=n_k} CE(W h_{k,i}, y_k) + (lambda_W/2) ||W||_F^2 + (lambda_H/2) ||H||_F^2
    over W in R^{K x d}, H in R^{d x N} with H >= 0 entrywise, no bias.

Two other normalisations are named, each a model of its own (``convention=``):

- ``"sum"``: summed cross-entropy  sum_{k,i} CE + (lambda_W/2)||W||^2 + (lambda_H/2)||H||^2;
- ``"penalty_over_N"``: mean cross-entropy with lambda/(2N) penalties.

Both are the ``"mean"`` model at lambda' = lambda/N (the summed one multiplied by N): :func:`to_mean_convention`.

The feature rows carry weights: the per-sample model has one row per sample (weight 1); the class-mean model
(:meth:`ReluFeatureModel.class_mean_model`) has one row per class with weight n_k, which is the same
program restricted to within-class-collapsed H. At every KKT point of the per-sample model the samples of a
class coincide (for fixed W each h_{k,i} solves the same strictly convex problem
min_{h>=0} (1/N) CE(W h, k) + (lambda_H/2)||h||^2), so the KKT points of the two are in one-to-one
correspondence; the solver (verify/solvers/nonneg_multistart.py) uses both and reports the per-sample spread.

The unknowns are packed as x = [vec(W) (K x d), vec(Hrows) (rows x d, row r is the feature of sample / class
r)]; the bounds are x >= 0 on the H block. Models never import claims.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from numbers import Real

import numpy as np

from verify.base.errors import InputError
from verify.models.arith import FLOAT, Arithmetic

CONVENTIONS = {
    "mean": "Dang et al. 2024 problem (4) as reconstructed: (1/N) sum_{k,i} CE(W h_{k,i}, y_k) + (lambda_W/2)||W||_F^2 "
    "+ (lambda_H/2)||H||_F^2, H >= 0 entrywise, no bias",
    "sum": "summed cross-entropy: sum_{k,i} CE(W h_{k,i}, y_k) + (lambda_W/2)||W||_F^2 + (lambda_H/2)||H||_F^2, H >= 0",
    "penalty_over_N": "mean cross-entropy, penalties over N: (1/N) sum_{k,i} CE + (lambda_W/(2N))||W||_F^2 "
    "+ (lambda_H/(2N))||H||_F^2, H >= 0",
}


def to_mean_convention(convention: str, lambda_W, lambda_H, N: int) -> tuple[Fraction, Fraction, Fraction]:
    """(lambda_W', lambda_H', value factor): the ``convention`` program equals ``factor`` times the ``"mean"``
    program at (lambda_W', lambda_H'); same minimisers. Exact in Fractions."""
    lw, lh, n = Fraction(lambda_W), Fraction(lambda_H), Fraction(N)
    if convention == "mean":
        return lw, lh, Fraction(1)
    if convention == "sum":  # sum CE + lam/2 = N [(1/N) sum CE + (lam/N)/2]
        return lw / n, lh / n, n
    if convention == "penalty_over_N":  # (1/N) sum CE + (lam/N)/2
        return lw / n, lh / n, Fraction(1)
    raise InputError(
        f"unknown convention {convention!r}", parameter="convention", fix=f"use one of {list(CONVENTIONS)}"
    )


def from_mean_convention(convention: str, lambda_W, lambda_H, N: int) -> tuple[Fraction, Fraction]:
    """The (lambda_W, lambda_H) of ``convention`` whose program is (a multiple of) the mean one at the given pair."""
    lw, lh, _ = to_mean_convention(convention, 1, 1, N)
    return Fraction(lambda_W) / lw, Fraction(lambda_H) / lh


@dataclass(frozen=True)
class ReluFeatureModel:
    """Problem (4) of Dang et al. 2024 for class sizes ``class_sizes`` (n_1..n_K), dimension d, weight decays."""

    class_sizes: tuple[int, ...]
    d: int
    lambda_W: Real
    lambda_H: Real
    convention: str = "mean"
    per_sample: bool = True  # False: one row per class with weight n_k (the class-mean model)

    def __post_init__(self) -> None:
        if len(self.class_sizes) < 2:
            raise InputError(f"K = {len(self.class_sizes)} classes violates K >= 2", parameter="n")
        for k, n in enumerate(self.class_sizes):
            if not n > 0 or (self.per_sample and int(n) != n):
                raise InputError(f"class size n_{k + 1} = {n} violates 'positive integer'", parameter="n")
        if self.d < 1:
            raise InputError(f"d = {self.d} violates d >= 1", parameter="d")
        if not (self.lambda_W > 0 and self.lambda_H > 0):
            raise InputError("lambda_W and lambda_H must be > 0", parameter="lambda_W")
        if self.convention not in CONVENTIONS:
            raise InputError(f"unknown convention {self.convention!r}", parameter="convention")

    @property
    def description(self) -> str:
        return CONVENTIONS[self.convention]

    # --- sizes and layout -------------------------------------------------------------------------------
    @property
    def K(self) -> int:
        return len(self.class_sizes)

    @property
    def N(self):
        """Total sample count (an int for the per-sample model; exact sum of the weights otherwise)."""
        return int(sum(self.class_sizes)) if self.per_sample else sum(self.class_sizes)

    @property
    def rows(self) -> int:
        return self.N if self.per_sample else self.K

    @property
    def labels(self) -> np.ndarray:
        return np.repeat(np.arange(self.K), self.class_sizes) if self.per_sample else np.arange(self.K)

    def row_weights(self, ar: Arithmetic = FLOAT) -> np.ndarray:
        """Weight of each feature row: 1 per sample, n_k per class mean (the class-mean model may take real
        n_k, e.g. n_A = R n_B along a path in R)."""
        if self.per_sample:
            return ar.asarray(np.ones(self.N))
        return np.array([ar.scalar(v) for v in self.class_sizes], dtype=float if ar is FLOAT else object)

    @property
    def dim(self) -> int:
        return (self.K + self.rows) * self.d

    @property
    def n_W(self) -> int:
        return self.K * self.d

    def class_mean_model(self) -> ReluFeatureModel:
        return ReluFeatureModel(self.class_sizes, self.d, self.lambda_W, self.lambda_H, self.convention, False)

    def unpack(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(W, Hrows): W (K, d) with rows w_k, Hrows (rows, d) with the features as rows."""
        return x[: self.n_W].reshape(self.K, self.d), x[self.n_W :].reshape(self.rows, self.d)

    def pack(self, W: np.ndarray, Hrows: np.ndarray) -> np.ndarray:
        return np.concatenate([np.asarray(W).ravel(), np.asarray(Hrows).ravel()])

    def lower_bounds(self) -> np.ndarray:
        """-inf on W, 0 on H (entrywise non-negative features)."""
        return np.concatenate([np.full(self.n_W, -np.inf), np.zeros(self.rows * self.d)])

    def bounded(self) -> np.ndarray:
        """Boolean mask of the bounded (feature) variables."""
        return np.concatenate([np.zeros(self.n_W, bool), np.ones(self.rows * self.d, bool)])

    # --- convention constants ---------------------------------------------------------------------------
    def _constants(self, ar: Arithmetic):
        """(loss scale, lambda_W, lambda_H) of the objective  scale * sum_r w_r CE_r + lam_W/2 ||W||^2 + ..."""
        N = ar.scalar(self.N)
        lw, lh = ar.scalar(self.lambda_W), ar.scalar(self.lambda_H)
        if self.convention == "mean":
            return 1 / N, lw, lh
        if self.convention == "sum":
            return ar.scalar(1), lw, lh
        return 1 / N, lw / N, lh / N

    def logit_gradient_scale(self) -> float:
        """The largest weight of a row's cross-entropy in the objective (its logit gradient is at most this):
        a unit for gradients that does not vanish at W = H = 0."""
        scale, _, _ = self._constants(FLOAT)
        return float(scale * np.max(self.row_weights(FLOAT)))

    def natural_scale(self) -> float:
        """A size of the unknowns that needs no solution: at balance lambda |x|^2 ~ (logit-gradient scale) |x|^2
        / |x|, i.e. |x| ~ sqrt(logit-gradient scale / lambda). Used as the unit of "zero" where W = H = 0."""
        return float(np.sqrt(self.logit_gradient_scale() / max(float(self.lambda_W), float(self.lambda_H))))

    # --- objective and gradient -------------------------------------------------------------------------
    def _softmax_terms(self, Z: np.ndarray, ar: Arithmetic):
        """Per-row cross-entropy and softmax of logits Z (rows, K), shifted by the row max for stability."""
        labels = self.labels
        zmax = Z.max(axis=1)
        E = ar.exp(Z - zmax[:, None])
        S = E.sum(axis=1)
        ce = zmax + ar.log(S) - Z[np.arange(Z.shape[0]), labels]
        P = E / S[:, None]
        return ce, P

    def objective(self, x: np.ndarray, ar: Arithmetic = FLOAT):
        W, H = self.unpack(x)
        scale, lw, lh = self._constants(ar)
        wts = self.row_weights(ar)
        ce, _ = self._softmax_terms(H @ W.T, ar)
        return (wts * ce).sum() * scale + (W * W).sum() * (lw / 2) + (wts[:, None] * H * H).sum() * (lh / 2)

    def gradient(self, x: np.ndarray, ar: Arithmetic = FLOAT) -> np.ndarray:
        W, H = self.unpack(x)
        scale, lw, lh = self._constants(ar)
        wts = self.row_weights(ar)
        _, P = self._softmax_terms(H @ W.T, ar)
        G = P.copy()
        G[np.arange(G.shape[0]), self.labels] -= 1
        # array-first products: mpf * ndarray would first try (and fail) to convert the whole array in mpmath,
        # building its repr for the error message (measured: a tenth of a threshold sweep's time)
        G = G * (wts * scale)[:, None]  # d loss / d Z
        gW = G.T @ H + W * lw
        gH = G @ W + H * (wts * lh)[:, None]
        return self.pack(gW, gH)

    def gradients(self, X: np.ndarray) -> np.ndarray:
        """float64 gradients at the m points ``X`` (m, dim) in one batched pass (the rows of a finite-difference
        Hessian): the formulas of :meth:`gradient` with a leading batch axis."""
        m = X.shape[0]
        W = X[:, : self.n_W].reshape(m, self.K, self.d)
        H = X[:, self.n_W :].reshape(m, self.rows, self.d)
        scale, lw, lh = self._constants(FLOAT)
        wts = self.row_weights(FLOAT)
        Z = H @ W.transpose(0, 2, 1)
        E = np.exp(Z - Z.max(axis=2, keepdims=True))
        G = E / E.sum(axis=2, keepdims=True)
        G[:, np.arange(self.rows), self.labels] -= 1
        G = G * (wts * scale)[None, :, None]
        gW = G.transpose(0, 2, 1) @ H + W * lw
        gH = G @ W + H * (wts * lh)[None, :, None]
        return np.concatenate([gW.reshape(m, -1), gH.reshape(m, -1)], axis=1)

    def hessian_block(self, x: np.ndarray, idx, ar: Arithmetic = FLOAT) -> np.ndarray:
        """The Hessian of the objective restricted to the unknowns ``idx`` (indices into x), analytically.

        With Z = H W^T, P the row softmax, c_r = scale * w_r, G = c (P - Y) and J_r = diag(P_r) - P_r P_r^T:
        d2f/dW[k,e]dW[l,f] = sum_r c_r J_r[k,l] H[r,e] H[r,f] + lam_W [k=l, e=f];
        d2f/dH[r,e]dH[s,f] = [r=s] (c_r W[:,e]^T J_r W[:,f] + lam_H w_r [e=f]);
        d2f/dW[k,e]dH[r,f] = c_r (J_r W[:,f])[k] H[r,e] + G[r,k] [e=f].
        Cost O(len(idx)^2 (rows + K)), no exponential beyond one softmax."""
        W, H = self.unpack(x)
        scale, lw, lh = self._constants(ar)
        wts = self.row_weights(ar)
        _, P = self._softmax_terms(H @ W.T, ar)
        c = wts * scale
        G = P.copy()
        G[np.arange(G.shape[0]), self.labels] -= 1
        G = G * c[:, None]
        zero = ar.scalar(0)

        def decode(i):
            i = int(i)
            return ("W", *divmod(i, self.d)) if i < self.n_W else ("H", *divmod(i - self.n_W, self.d))

        def jac_times(r, v):  # J_r v
            return P[r] * v - P[r] * (P[r] * v).sum()

        keys = [decode(i) for i in idx]
        n = len(keys)
        out = np.empty((n, n), dtype=float if ar is FLOAT else object)
        for a in range(n):
            for b in range(a, n):
                (ka, ia, ea), (kb, ib, eb) = keys[a], keys[b]
                if ka == "W" and kb == "W":
                    col = -P[:, ia] * P[:, ib] + (P[:, ia] if ia == ib else zero)  # J_r[k, l] over the rows
                    v = (c * col * H[:, ea] * H[:, eb]).sum() + (lw if (ia, ea) == (ib, eb) else zero)
                elif ka == "H" and kb == "H":
                    v = zero
                    if ia == ib:
                        v = (W[:, ea] * jac_times(ia, W[:, eb])).sum() * c[ia] + (wts[ia] * lh if ea == eb else zero)
                else:
                    (k, e), (r, f) = ((ia, ea), (ib, eb)) if ka == "W" else ((ib, eb), (ia, ea))
                    v = jac_times(r, W[:, f])[k] * H[r, e] * c[r] + (G[r, k] if e == f else zero)
                out[a, b] = out[b, a] = v
        return out

    def value_and_gradient(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        """float64 objective and gradient in one pass (for L-BFGS-B)."""
        W, H = self.unpack(x)
        scale, lw, lh = self._constants(FLOAT)
        wts = self.row_weights(FLOAT)
        ce, P = self._softmax_terms(H @ W.T, FLOAT)
        f = scale * (wts * ce).sum() + lw / 2 * (W * W).sum() + lh / 2 * (wts[:, None] * H * H).sum()
        P[np.arange(P.shape[0]), self.labels] -= 1
        G = P * (scale * wts)[:, None]
        return float(f), self.pack(G.T @ H + lw * W, G @ W + lh * wts[:, None] * H)

    def random_start(self, rng: np.random.Generator, spread: float = 1.0) -> np.ndarray:
        """W Gaussian, H = |Gaussian| (feasible), both at a scale where the logits are O(spread)."""
        s = spread / np.sqrt(self.d) ** 0.5
        return self.pack(
            s * rng.standard_normal((self.K, self.d)), s * np.abs(rng.standard_normal((self.rows, self.d)))
        )

    # --- measurements ------------------------------------------------------------------------------------
    def class_means(self, x: np.ndarray) -> np.ndarray:
        """(K, d) class means hbar_k (rows); the class-mean model's rows are its means."""
        _, H = self.unpack(x)
        if not self.per_sample:
            return H
        bounds = np.cumsum((0, *self.class_sizes))
        return np.array(
            [H[bounds[k] : bounds[k + 1]].sum(axis=0) / self.class_sizes[k] for k in range(self.K)], dtype=H.dtype
        )

    def expand(self, x_means: np.ndarray) -> np.ndarray:
        """A class-mean point as a per-sample point (h_{k,i} = hbar_k)."""
        W, Hm = self.class_mean_model().unpack(x_means)
        return self.pack(W, np.repeat(Hm, self.class_sizes, axis=0))


def class_sizes_of(values: Sequence) -> tuple[int, ...]:
    """Integer class sizes from exact values (Fractions with denominator 1)."""
    return tuple(int(v) for v in values)
