"""The convex relaxation (15) of the Layer-Peeled Model, Fang, He, Long, Su (PNAS 2021), Section 4A.

Seed 001, Eq. (15) and the text before Lemma 1 (journal text 000 says the same): with the class means
hbar_k = (1/n_k) sum_i h_{k,i} and the classifier rows w_k, the decision variable is the Gram matrix

    X = [hbar_1, ..., hbar_K, W^T]^T [hbar_1, ..., hbar_K, W^T]  in R^{2K x 2K},

so X[:K, :K] is the Gram matrix of the class means, X[K:, K:] = W W^T and X[k, K+j] = hbar_k . w_j. The
program is

    minimise   sum_k (n_k / N) L(z_k, y_k),     z_k = [X[k, K], ..., X[k, 2K-1]]   (logits of class k)
    subject to X PSD,   (1/K) tr X[:K, :K] <= E_H,   (1/K) tr X[K:, K:] <= E_W.

Convention (checked against the seed): the objective is the *mean* loss over the N = sum_k n_k samples
(weights n_k/N, exactly the 1/N of program (7)), and both budgets are *averages over the K classes*, as in
(7). The class sizes enter only through the weights n_k/N, so any positive reals are accepted (oversampling,
Proposition 1, replaces n_B by w_r n_B with w_r real). Lemma 1 (p >= 2K, L convex in its first argument):
a factor P X*^{1/2} of a minimiser X* gives a minimiser of (7); see :func:`verify.solvers.conic.recover`.

Losses: ``loss="cross_entropy"`` (Eq. (8)) is built with ``cp.log_sum_exp``. Any other loss convex in the
logits is given as a :class:`ConvexLoss`: ``cvx(z, k)`` returns the cvxpy expression of L(z, y_k) for the
cvxpy row expression ``z`` (length K), ``value(z, k)`` its float value for a numpy row, and optionally
``grad(z, k)`` its gradient in z (numpy); without ``grad`` the conic solver cannot recompute the duality gap.
This module states the problem; it never knows its answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from numbers import Real
from typing import TYPE_CHECKING

import numpy as np

from verify.base.errors import InputError
from verify.models.arith import FLOAT, Arithmetic
from verify.models.losses import CrossEntropy

if TYPE_CHECKING:
    import cvxpy as cp

_CE = CrossEntropy()


@dataclass(frozen=True)
class ConvexLoss:
    """A loss convex in the logits: the hook of :class:`GramProgram` for losses other than cross-entropy."""

    name: str
    cvx: Callable[[cp.Expression, int], cp.Expression]  # L(z, y_k) as a cvxpy expression of the row z
    value: Callable[[np.ndarray, int], float]  # the same in numpy
    grad: Callable[[np.ndarray, int], np.ndarray] | None = None  # dL/dz in numpy (for the duality gap)


def _cvxpy():
    """cvxpy, imported when a conic program is built (it costs ~1 s; listing claims must not pay it)."""
    import cvxpy

    return cvxpy


def _ce_value(z: np.ndarray, k: int) -> float:
    """log(1 + sum_{j != k} exp(z_j - z_k)), evaluated stably (as verify.models.losses.CrossEntropy)."""
    d = np.delete(z - z[k], k)
    m = d.max()
    a = m + np.log(np.exp(d - m).sum())
    return float(max(a, 0.0) + np.log1p(np.exp(-abs(a))))


def _ce_grad(z: np.ndarray, k: int) -> np.ndarray:
    e = np.exp(z - z.max())
    g = e / e.sum()
    g[k] = -(np.delete(g, k)).sum()  # p_k - 1 without cancellation
    return g


CROSS_ENTROPY = ConvexLoss(
    name="cross-entropy",
    cvx=lambda z, k: _cvxpy().log_sum_exp(z) - z[k],
    value=_ce_value,
    grad=_ce_grad,
)


@dataclass(frozen=True)
class GramProgram:
    """Program (15) of Fang et al. 2021 for class sizes n_1..n_K (positive reals) and budgets E_H, E_W."""

    class_sizes: tuple[Real, ...]
    E_H: Real
    E_W: Real
    loss: str | ConvexLoss = "cross_entropy"
    _loss: ConvexLoss = field(init=False, repr=False, compare=False)

    convention = (
        "Fang et al. 2021 Eq. (15): X = Gram of [hbar_1..hbar_K, W^T] (2K x 2K, PSD), logits z_k[j] = X[k, K+j]; "
        "objective sum_k (n_k/N) L(z_k, y_k) (mean over the N samples, as (7)); budgets as class averages: "
        "(1/K) tr X[:K,:K] <= E_H, (1/K) tr X[K:,K:] <= E_W"
    )

    def __post_init__(self) -> None:
        if len(self.class_sizes) < 2:
            raise InputError(f"K = {len(self.class_sizes)} classes violates K >= 2", parameter="K")
        for k, n in enumerate(self.class_sizes):
            if not n > 0:
                raise InputError(f"class size n_{k + 1} = {n} violates n_k > 0", parameter="n")
        if not (self.E_H > 0 and self.E_W > 0):
            raise InputError("E_H and E_W must be > 0", parameter="E_H")
        if isinstance(self.loss, ConvexLoss):
            resolved = self.loss
        elif self.loss in ("cross_entropy", "cross-entropy", "ce"):
            resolved = CROSS_ENTROPY
        else:
            raise InputError(f"unknown loss {self.loss!r}", parameter="loss", fix="use 'cross_entropy' or a ConvexLoss")
        object.__setattr__(self, "_loss", resolved)

    # --- sizes --------------------------------------------------------------------------------------------
    @property
    def K(self) -> int:
        return len(self.class_sizes)

    @property
    def weights_exact(self) -> tuple[Fraction, ...]:
        """n_k / N as exact fractions (sizes given as int, Fraction or decimal string)."""
        sizes = [Fraction(str(n)) if not isinstance(n, Fraction) else n for n in self.class_sizes]
        total = sum(sizes)
        return tuple(n / total for n in sizes)

    @property
    def weights(self) -> np.ndarray:
        return np.array([float(w) for w in self.weights_exact])

    @property
    def loss_impl(self) -> ConvexLoss:
        return self._loss

    # --- the program ------------------------------------------------------------------------------------
    def build(self) -> tuple[cp.Problem, cp.Variable, tuple[cp.Constraint, cp.Constraint]]:
        """The cvxpy problem, its PSD variable X and the two budget constraints (H first, then W)."""
        cp = _cvxpy()
        K = self.K
        X = cp.Variable((2 * K, 2 * K), PSD=True)
        Z = X[:K, K:]
        w = self.weights
        obj = sum(w[k] * self._loss.cvx(Z[k, :], k) for k in range(K))
        budget_H = cp.trace(X[:K, :K]) / K <= float(self.E_H)
        budget_W = cp.trace(X[K:, K:]) / K <= float(self.E_W)
        return cp.Problem(cp.Minimize(obj), [budget_H, budget_W]), X, (budget_H, budget_W)

    # --- evaluation at a numeric X ----------------------------------------------------------------------
    def logits(self, X: np.ndarray) -> np.ndarray:
        """Z with Z[k, j] = X[k, K+j] = hbar_k . w_j (row k: logits of class k)."""
        return np.asarray(X, dtype=float)[: self.K, self.K :]

    def objective(self, X: np.ndarray) -> float:
        Z, w = self.logits(X), self.weights
        return float(sum(w[k] * self._loss.value(Z[k], k) for k in range(self.K)))

    def gradient_logits(self, X: np.ndarray) -> np.ndarray | None:
        """G[k, j] = d objective / d Z[k, j] = (n_k/N) dL(z_k, y_k)/dz_j, or None without a loss gradient."""
        if self._loss.grad is None:
            return None
        Z, w = self.logits(X), self.weights
        return np.array([w[k] * self._loss.grad(Z[k], k) for k in range(self.K)])

    def budgets_used(self, X: np.ndarray) -> tuple[float, float]:
        """((1/K) tr X[:K,:K], (1/K) tr X[K:,K:]): the feature and classifier budgets the point uses."""
        X = np.asarray(X, dtype=float)
        K = self.K
        return float(np.trace(X[:K, :K]) / K), float(np.trace(X[K:, K:]) / K)


# --- the factored program (Burer-Monteiro form of (15)) and an exact optimality certificate -----------------
@dataclass(frozen=True)
class GramFactorModel:
    """Program (15) written in a factor: X = Gram of [hbar_1..hbar_K, W^T] with hbar_k, w_k in R^p.

    minimise sum_k (n_k/N) CE(W hbar_k, y_k)  s.t.  (1/K) sum ||w_k||^2 <= E_W,  (1/K) sum ||hbar_k||^2 <= E_H.

    This is program (7) with every class collapsed onto its mean (one feature per class, class weight
    n_k/N); for p >= 2K it has the same minimum as (15) (Lemma 1). Packing as verify.models.LayerPeeledModel
    (x = [vec(W), vec(Hbar)], constraints [g_W, g_H] <= 0), so the solvers of verify.solvers apply (the
    mpmath KKT refinement of a conic solution). Cross-entropy only."""

    program: GramProgram
    p: int

    n_constraints = 2

    def __post_init__(self) -> None:
        if self.program.loss_impl is not CROSS_ENTROPY:
            raise InputError("GramFactorModel supports the cross-entropy loss only", parameter="loss")

    @property
    def K(self) -> int:
        return self.program.K

    @property
    def dim(self) -> int:
        return 2 * self.K * self.p

    @property
    def constraint_scale(self) -> tuple[float, float]:
        return (float(self.program.E_W), float(self.program.E_H))

    def _weights(self, ar: Arithmetic) -> np.ndarray:
        return np.array([ar.scalar(w) for w in self.program.weights_exact], dtype=object if ar is not FLOAT else float)

    def unpack(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(W, Hbar), both K x p."""
        kp = self.K * self.p
        return x[:kp].reshape(self.K, self.p), x[kp:].reshape(self.K, self.p)

    def pack(self, W: np.ndarray, Hbar: np.ndarray) -> np.ndarray:
        return np.concatenate([np.asarray(W).ravel(), np.asarray(Hbar).ravel()])

    def objective(self, x: np.ndarray, ar: Arithmetic = FLOAT):
        W, Hb = self.unpack(x)
        return (_CE.values(Hb @ W.T, np.arange(self.K), ar) * self._weights(ar)).sum()

    def gradient(self, x: np.ndarray, ar: Arithmetic = FLOAT) -> np.ndarray:
        W, Hb = self.unpack(x)
        G = _CE.grad(Hb @ W.T, np.arange(self.K), ar) * self._weights(ar)[:, None]
        return self.pack(G.T @ Hb, G @ W)

    def constraints(self, x: np.ndarray, ar: Arithmetic = FLOAT) -> np.ndarray:
        W, Hb = self.unpack(x)
        g_w = (W * W).sum() / self.K - ar.scalar(self.program.E_W)
        g_h = (Hb * Hb).sum() / self.K - ar.scalar(self.program.E_H)
        return np.array([g_w, g_h], dtype=object if ar is not FLOAT else float)

    def constraint_jacobian(self, x: np.ndarray, ar: Arithmetic = FLOAT) -> np.ndarray:
        W, Hb = self.unpack(x)
        return np.vstack([self.pack(2 * W / self.K, Hb * 0), self.pack(W * 0, 2 * Hb / self.K)])

    def random_start(self, rng: np.random.Generator) -> np.ndarray:
        W = rng.standard_normal((self.K, self.p))
        Hb = rng.standard_normal((self.K, self.p))
        W *= np.sqrt(float(self.program.E_W) * rng.uniform(0.2, 1.0) * self.K / (W * W).sum())
        Hb *= np.sqrt(float(self.program.E_H) * rng.uniform(0.2, 1.0) * self.K / (Hb * Hb).sum())
        return self.pack(W, Hb)


@dataclass(frozen=True)
class Certificate:
    """Global-optimality certificate of a feasible point of (15) (see :func:`certify`)."""

    value: object  # F at the point (float or mpf)
    gap: object  # F - lower bound >= F - F*  (valid when the point is feasible)
    infeasibility: object  # max relative budget excess (0 when feasible; PSD holds by construction)
    sigma_max: object  # largest singular value of G = dF/dZ
    alignment: object  # -<G, Z> / (K sigma_max sqrt(E_H E_W)): 1 at a minimiser


def certify(program: GramProgram, Hbar: np.ndarray, W: np.ndarray, ar: Arithmetic = FLOAT) -> Certificate:
    """Frank-Wolfe (convexity) certificate for the point X = Gram[Hbar; W] of (15), in arithmetic ``ar``.

    With G = dF/dZ at Z = Hbar W^T (G[k, j] = (n_k/N)(softmax(z_k)_j - delta_kj) for cross-entropy),
    convexity gives F(Z') >= F(Z) + <G, Z' - Z> for every Z', and for every feasible X' (blocks A', Z', B')
    <G, Z'> >= -K sigma_max(G) sqrt(E_H E_W) (PSD of [[a I, G/2], [G^T/2, b I]] for a b = sigma^2/4, then the
    best a, b). Hence F* >= F(Z) - gap with gap = <G, Z> + K sigma_max(G) sqrt(E_H E_W), and gap = 0 exactly at
    a minimiser with both budgets saturated (the KKT conditions of (15), cf. SI B.1). Computed in mpmath
    (``ar`` = mp_arithmetic()) the gap certifies the optimal value to the working precision."""
    K = program.K
    Z = Hbar @ W.T
    wts = np.array([ar.scalar(w) for w in program.weights_exact], dtype=object if ar is not FLOAT else float)
    value = (_CE.values(Z, np.arange(K), ar) * wts).sum()
    G = _CE.grad(Z, np.arange(K), ar) * wts[:, None]
    if ar is FLOAT:
        sigma = float(np.linalg.svd(G, compute_uv=False)[0])
    else:
        import mpmath

        GtG = mpmath.matrix((G.T @ G).tolist())
        sigma = mpmath.sqrt(max(mpmath.eigsy(GtG, eigvals_only=True)))
    radius = K * (ar.scalar(program.E_H) * ar.scalar(program.E_W)) ** 0.5
    inner = (G * Z).sum()
    gap = inner + sigma * radius
    used_H = (Hbar * Hbar).sum() / K / ar.scalar(program.E_H) - 1
    used_W = (W * W).sum() / K / ar.scalar(program.E_W) - 1
    infeas = max(used_H, used_W, 0 * used_H)
    return Certificate(value, gap, infeas, sigma, -inner / (sigma * radius))
