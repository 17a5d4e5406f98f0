"""The penalised cross-entropy UFM with two class sizes, convex in the logits: the K x K program and its
four-scalar symmetric reduction (THEOREMS-NEXT.md, family F, "Convex form" and "Symmetric reduction").

Original program (:class:`verify.models.frobenius_ufm.FrobeniusUFM`): K_A classes of n_A samples, K_B of n_B,
(1/N) sum_i CE(W h_i, y_i) + (lambda_W/2)||W||_F^2 + (lambda_H/2)||H||_F^2, no bias, d >= K - 1. With the
factorisation identity min {(lW/2)||W||^2 + (lH/2)||H||^2 : W H = Z} = rho ||Z||_*, rho = sqrt(lW lH), and
within-class averaging, it becomes convex in the K x K class logit matrix Zb (column k: the logits of a sample of
class k; D = diag(n_k)):

    F(Zb) = sum_k (n_k/N) CE(Zb[:, k], k) + rho ||Zb D^{1/2}||_*                                  (the K x K form)

and, averaging over the permutations within each group, in four scalars (dA, dB: own minus other-same-group
logit; mA, mB: mean of own-group logits minus the other group's logit):

    F = (K_A n_A/N) ln(1 + (K_A-1)e^{-dA} + K_B e^{-mA-(K_A-1)dA/K_A})
      + (K_B n_B/N) ln(1 + (K_B-1)e^{-dB} + K_A e^{-mB-(K_B-1)dB/K_B})
      + rho [(K_A-1) sqrt(n_A)|dA| + (K_B-1) sqrt(n_B)|dB| + sqrt(K_A K_B/K) sqrt(K_A n_A mA^2 + K_B n_B mB^2)].

Class sizes enter only as weights, so any positive reals are accepted (R = n_A/n_B real, for thresholds).
The factors are recovered from Zb by W W^T = sqrt(lH/lW) (Zb D Zb^T)^{1/2} and Hbar^T Hbar =
sqrt(lW/lH) D^{-1/2} (D^{1/2} Zb^T Zb D^{1/2})^{1/2} D^{-1/2}. A model states a problem, never its answer: the
minimisers come from :mod:`verify.solvers.two_size_ce`.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import cache, cached_property

import mpmath
import sympy

from verify.base.errors import InputError

#: The reduced unknowns, in order.
NAMES = ("dA", "dB", "mA", "mB")


def _exact(value) -> sympy.Rational:
    return sympy.Rational(str(Fraction(str(value)) if not isinstance(value, Fraction) else value))


@dataclass(frozen=True)
class TwoSizeCE:
    """The convex program in the logits for K_A classes of n_A and K_B classes of n_B samples (real sizes)."""

    K_A: int
    K_B: int
    n_A: Fraction
    n_B: Fraction
    lambda_W: Fraction
    lambda_H: Fraction

    def __post_init__(self) -> None:
        if self.K_A < 1 or self.K_B < 1 or self.K_A + self.K_B < 2:
            raise InputError(
                f"K_A = {self.K_A}, K_B = {self.K_B}: need K_A, K_B >= 1", parameter="K_A", fix="give both groups"
            )
        for name in ("n_A", "n_B", "lambda_W", "lambda_H"):
            if not Fraction(str(getattr(self, name))) > 0:
                raise InputError(f"{name} must be > 0", parameter=name, fix=f"give a positive {name}")

    @property
    def K(self) -> int:
        return self.K_A + self.K_B

    @property
    def sizes(self) -> tuple[Fraction, ...]:
        return (Fraction(str(self.n_A)),) * self.K_A + (Fraction(str(self.n_B)),) * self.K_B

    # --- the four-scalar objective, symbolic (exact parameters), one branch of the absolute values ----------
    @cached_property
    def symbols(self) -> tuple[sympy.Symbol, ...]:
        return sympy.symbols(NAMES, real=True)

    def reduced_expr(self, signs: tuple[int, int] = (1, 1)) -> sympy.Expr:
        """F with |dA| -> signs[0] dA and |dB| -> signs[1] dB (a smooth branch off dA = 0, dB = 0, m = 0)."""
        loss, nuclear, rho = self.reduced_parts(signs)
        return loss + rho * nuclear

    def reduced_parts(self, signs: tuple[int, int] = (1, 1)) -> tuple[sympy.Expr, sympy.Expr, sympy.Expr]:
        """(the weighted loss, the nuclear norm ||Zb D^{1/2}||_* on the branch, rho) of the reduced program."""
        n_A, n_B, rho = PARAMETER_SYMBOLS
        loss, nuclear = reduced_parts(self.K_A, self.K_B, self.symbols, signs)
        exact = {n_A: _exact(self.n_A), n_B: _exact(self.n_B)}
        return loss.subs(exact), nuclear.subs(exact), sympy.sqrt(_exact(self.lambda_W) * _exact(self.lambda_H))

    def numbers(self) -> tuple[mpmath.mpf, mpmath.mpf, mpmath.mpf]:
        """(n_A, n_B, rho) at the caller's precision."""
        return _mp(self.n_A), _mp(self.n_B), mpmath.sqrt(_mp(self.lambda_W) * _mp(self.lambda_H))

    def value(self, x) -> mpmath.mpf:
        """F at x = (dA, dB, mA, mB) (mpmath, the caller's precision), with the absolute values."""
        y = [mpmath.mpf(v) for v in x]
        return compiled(self.K_A, self.K_B).value(*y, *self.numbers())

    # --- the K x K form ------------------------------------------------------------------------------------
    def logits(self, x) -> mpmath.matrix:
        """The symmetric Zb (zero column sums) of the scalars x = (dA, dB, mA, mB): column k holds the logits of
        a class-k sample. A column: own a2 + dA, other A a2 = K_B mA/K - dA/K_A, B rows -K_A mA/K; B likewise."""
        dA, dB, mA, mB = (mpmath.mpf(v) for v in x)
        KA, KB, K = self.K_A, self.K_B, self.K
        Z = mpmath.matrix(K, K)
        a2, a3 = KB * mA / K - dA / KA, -KA * mA / K
        b2, b3 = KA * mB / K - dB / KB, -KB * mB / K
        for k in range(K):
            for j in range(K):
                if k < KA:  # column of an A class
                    Z[j, k] = (a2 + dA if j == k else a2) if j < KA else a3
                else:
                    Z[j, k] = (b2 + dB if j == k else b2) if j >= KA else b3
        return Z

    def objective_logits(self, Z: mpmath.matrix) -> mpmath.mpf:
        """F(Zb) = sum_k (n_k/N) CE(Zb[:, k], k) + rho ||Zb D^{1/2}||_* (any K x K matrix, mpmath)."""
        n = [_mp(v) for v in self.sizes]
        N = sum(n)
        loss = mpmath.mpf(0)
        for k in range(self.K):
            col = [Z[j, k] for j in range(self.K)]
            top = max(col)
            loss += n[k] / N * (top + mpmath.log(sum(mpmath.exp(c - top) for c in col)) - col[k])
        M = mpmath.matrix(self.K, self.K)
        for j in range(self.K):
            for k in range(self.K):
                M[j, k] = Z[j, k] * mpmath.sqrt(n[k])
        rho = mpmath.sqrt(_mp(self.lambda_W) * _mp(self.lambda_H))
        return loss + rho * sum(mpmath.svd_r(M, compute_uv=False))

    def grams(self, Z: mpmath.matrix) -> tuple[mpmath.matrix, mpmath.matrix]:
        """(W W^T, Gram of the class means hbar_k) of the balanced factorisation of Zb: with M = Zb D^{1/2} =
        U S V (singular value decomposition), (M M^T)^{1/2} = U S U^T and (M^T M)^{1/2} = V^T S V; working from
        S rather than an eigendecomposition of M M^T keeps full precision at the zero singular values."""
        n = [_mp(v) for v in self.sizes]
        lw, lh = _mp(self.lambda_W), _mp(self.lambda_H)
        M = mpmath.matrix(self.K, self.K)
        for j in range(self.K):
            for k in range(self.K):
                M[j, k] = Z[j, k] * mpmath.sqrt(n[k])
        U, S, V = mpmath.svd_r(M)
        S = mpmath.diag(S)
        Dih = mpmath.diag([1 / mpmath.sqrt(v) for v in n])
        WW = mpmath.sqrt(lh / lw) * (U * S * U.T)
        HH = mpmath.sqrt(lw / lh) * (Dih * (V.T * S * V) * Dih)
        return _symmetric(WW), _symmetric(HH)


def _symmetric(A: mpmath.matrix) -> mpmath.matrix:
    return (A + A.T) / 2


#: (n_A, n_B, rho) as symbols of the compiled reduced program.
PARAMETER_SYMBOLS = sympy.symbols("n_A n_B rho", positive=True)


def reduced_parts(K_A: int, K_B: int, unknowns, signs=(1, 1)) -> tuple[sympy.Expr, sympy.Expr]:
    """(the weighted loss, ||Zb D^{1/2}||_* on the branch |dA| = signs[0] dA, |dB| = signs[1] dB) with n_A, n_B
    symbolic (:data:`PARAMETER_SYMBOLS`)."""
    dA, dB, mA, mB = unknowns
    nA, nB, _ = PARAMETER_SYMBOLS
    KA, KB, K = K_A, K_B, K_A + K_B
    N = KA * nA + KB * nB
    loss_A = sympy.log(1 + (KA - 1) * sympy.exp(-dA) + KB * sympy.exp(-mA - sympy.Rational(KA - 1, KA) * dA))
    loss_B = sympy.log(1 + (KB - 1) * sympy.exp(-dB) + KA * sympy.exp(-mB - sympy.Rational(KB - 1, KB) * dB))
    nuclear = (
        (KA - 1) * sympy.sqrt(nA) * signs[0] * dA
        + (KB - 1) * sympy.sqrt(nB) * signs[1] * dB
        + sympy.sqrt(sympy.Rational(KA * KB, K)) * sympy.sqrt(KA * nA * mA**2 + KB * nB * mB**2)
    )
    return KA * nA / N * loss_A + KB * nB / N * loss_B, nuclear


@dataclass(frozen=True)
class Compiled:
    """The reduced program's value, loss, gradient and Hessian as mpmath functions of (dA, dB, mA, mB, n_A, n_B,
    rho), on the branch dA, dB >= 0 (derived once per (K_A, K_B) by sympy)."""

    loss: object
    objective: object
    gradient: object
    hessian: object
    coefficient: tuple  # the nuclear norm's coefficients of |dA| and |dB| as functions of (n_A, n_B)

    def value(self, dA, dB, mA, mB, n_A, n_B, rho):
        """F with the absolute values: the loss at the signed gaps, the penalty at |dA|, |dB|."""
        base = self.objective(dA, dB, mA, mB, n_A, n_B, rho)
        if dA < 0 or dB < 0:
            cA, cB = self.coefficient[0](n_A, n_B), self.coefficient[1](n_A, n_B)
            base -= 2 * rho * (cA * min(dA, 0) + cB * min(dB, 0))
        return base


@cache
def compiled(K_A: int, K_B: int) -> Compiled:
    unknowns = sympy.symbols(NAMES, real=True)
    loss, nuclear = reduced_parts(K_A, K_B, unknowns)
    nA, nB, rho = PARAMETER_SYMBOLS
    f = loss + rho * nuclear
    args = (*unknowns, nA, nB, rho)
    grad = [sympy.diff(f, u) for u in unknowns]
    hess = [[sympy.diff(g, u) for u in unknowns] for g in grad]
    lam = lambda e: sympy.lambdify(args, e, "mpmath")  # noqa: E731
    coef = tuple(sympy.lambdify((nA, nB), nuclear.diff(u), "mpmath") for u in unknowns[:2])
    return Compiled(lam(loss), lam(f), lam(grad), lam(hess), coef)


def _mp(value) -> mpmath.mpf:
    v = Fraction(str(value)) if not isinstance(value, Fraction) else value
    return mpmath.mpf(v.numerator) / v.denominator
