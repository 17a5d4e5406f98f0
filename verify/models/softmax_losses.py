"""Softmax-based losses, Fang, He, Long, Su (PNAS 2021), Eq. (14):

    L(z, y_k) = g1(S(z)(k)) + sum_{k' != k} g2(S(z)(k')),   S = softmax,

with g1 nonincreasing convex and g2 nondecreasing convex on (0, 1). Cross-entropy is g1 = -log x, g2 = 0;
the paper's other example is g1 = (1 - x)^q, g2 = x^q (q > 1).

A :class:`SoftmaxLossFamily` holds g1, g2 as sympy expressions of the variable :data:`X` and of named
parameters (q, ...); ``family.at(values)`` gives a :class:`SoftmaxLoss` that fills the
:class:`verify.models.losses.Loss` protocol (values and logit gradients in float64 or mpmath), so it plugs
into :class:`verify.models.LayerPeeledModel` (program (7)). Users define their own family with sympy::

    from verify.models.softmax_losses import X, SoftmaxLossFamily
    mine = SoftmaxLossFamily("exp", g1=sp.exp(-X), g2=X**2)

This module states losses, never a minimiser.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property

import mpmath
import numpy as np
import sympy as sp
from sympy.codegen.cfunctions import log1p

from verify.models.arith import Arithmetic

#: The argument of g1 and g2 (a probability in (0, 1)).
X = sp.Symbol("x", positive=True)
#: The complement 1 - S(z)(k): g1 is evaluated as g1(1 - C) with C summed from the small probabilities,
#: so (1 - x)^q near x = 1 keeps its relative accuracy (no cancellation in 1 - S).
C = sp.Symbol("c", positive=True)


@dataclass(frozen=True)
class SoftmaxLossFamily:
    """A loss (14) given by sympy g1(x), g2(x); ``parameters`` names the other free symbols (e.g. "q")."""

    name: str
    g1: sp.Expr
    g2: sp.Expr
    parameters: tuple[str, ...] = ()
    description: str = ""

    def __post_init__(self) -> None:
        """Symbols are matched by name: any symbol called x becomes :data:`X`, each parameter a positive
        symbol of its name (the convention of :class:`verify.record.Parameter`), whatever assumptions the
        user's symbols carried."""
        g1, g2 = sp.sympify(self.g1), sp.sympify(self.g2)
        free = {s.name for s in (g1.free_symbols | g2.free_symbols)} - {X.name}
        missing = free - set(self.parameters)
        if missing:
            raise ValueError(f"loss {self.name!r}: symbols {sorted(missing)} are not declared as parameters")
        canonical = {X.name: X} | self.symbols()
        subs = {s: canonical[s.name] for s in (g1.free_symbols | g2.free_symbols)}
        object.__setattr__(self, "g1", g1.xreplace(subs))
        object.__setattr__(self, "g2", g2.xreplace(subs))

    def symbols(self) -> dict[str, sp.Symbol]:
        """The parameter symbols as they occur in g1, g2 (positive symbols of the parameter names)."""
        return {name: sp.Symbol(name, positive=True) for name in self.parameters}

    def substituted(self, values: Mapping[str, Fraction]) -> tuple[sp.Expr, sp.Expr]:
        subs = {s: sp.Rational(values[n].numerator, values[n].denominator) for n, s in self.symbols().items()}
        return sp.sympify(self.g1).subs(subs), sp.sympify(self.g2).subs(subs)

    def at(self, values: Mapping[str, Fraction]) -> SoftmaxLoss:
        g1, g2 = self.substituted(values)
        return SoftmaxLoss(self.name, g1, g2)

    def shape_conditions(self, values: Mapping[str, Fraction], points: int = 199) -> dict[str, bool]:
        """On a grid of (0, 1) at 30 digits: g1' <= 0, g1'' >= 0, g2' >= 0, g2'' >= 0 (the hypotheses of (14)),
        and the strictness of Theorem 4's uniqueness part (g2'' > 0 and g1' < 0 or g2' > 0 throughout)."""
        g1, g2 = self.substituted(values)
        d = {
            name: sp.lambdify(X, e, "mpmath")
            for name, e in (
                ("g1p", sp.diff(g1, X)),
                ("g1pp", sp.diff(g1, X, 2)),
                ("g2p", sp.diff(g2, X)),
                ("g2pp", sp.diff(g2, X, 2)),
            )
        }
        eps = mpmath.mpf(10) ** -20
        with mpmath.workdps(30):
            grid = [mpmath.mpf(i) / (points + 1) for i in range(1, points + 1)]
            val = {k: [mpmath.mpf(f(t)) for t in grid] for k, f in d.items()}
        return {
            "g1 nonincreasing": all(v <= eps for v in val["g1p"]),
            "g1 convex": all(v >= -eps for v in val["g1pp"]),
            "g2 nondecreasing": all(v >= -eps for v in val["g2p"]),
            "g2 convex": all(v >= -eps for v in val["g2pp"]),
            "g2 strictly convex": all(v > eps for v in val["g2pp"]),
            "g1 or g2 strictly monotone": all(v < -eps for v in val["g1p"]) or all(v > eps for v in val["g2p"]),
        }


def _log1p(expr: sp.Expr) -> sp.Expr:
    """log(A) -> log1p(A - 1): with A = 1 - c, -log(1 - c) becomes -log1p(-c), exact for tiny c (cross-entropy
    near zero loss), where log(1 - c) would round 1 - c first."""
    return expr.replace(lambda e: isinstance(e, sp.log), lambda e: log1p(e.args[0] - 1))


def _vectorised(expr: sp.Expr, var: sp.Symbol):
    """(float function, mpmath function), both elementwise on arrays; constants broadcast."""
    f_np = sp.lambdify(var, expr, "numpy")
    f_mp = sp.lambdify(var, expr, "mpmath")
    return (lambda a: f_np(a) + 0 * a), np.frompyfunc(lambda t: mpmath.mpf(f_mp(t)), 1, 1)


@dataclass(frozen=True)
class SoftmaxLoss:
    """Loss (14) with numeric g1, g2 (sympy expressions of :data:`X` only), row-wise on logits Z."""

    name: str
    g1: sp.Expr
    g2: sp.Expr

    @cached_property
    def _functions(self) -> dict[str, tuple]:
        g1c = self.g1.subs(X, 1 - C)  # g1 as a function of the complement c = 1 - S_y
        return {
            "g1": _vectorised(self.g1, X),
            "dg1": _vectorised(sp.diff(self.g1, X), X),
            "g1c": _vectorised(_log1p(g1c), C),
            "dg1c": _vectorised(_log1p(sp.diff(g1c, C)), C),  # = -g1'(1 - c)
            "g2": _vectorised(self.g2, X),
            "dg2": _vectorised(sp.diff(self.g2, X), X),
        }

    def _f(self, name: str, ar: Arithmetic):
        pair = self._functions[name]
        return pair[0] if ar.name == "float64" else pair[1]

    @staticmethod
    def _softmax(Z: np.ndarray, labels: np.ndarray, ar: Arithmetic):
        rows = np.arange(Z.shape[0])
        E = ar.exp(Z - Z.max(axis=1)[:, None])
        S = E / E.sum(axis=1)[:, None]
        others = np.ones(Z.shape, dtype=bool)
        others[rows, labels] = False
        comp = (S * others).sum(axis=1)  # 1 - S_y, summed from the small entries
        return S, others, comp, rows

    def _true_class(self, S_y: np.ndarray, comp: np.ndarray, ar: Arithmetic, derivative: bool) -> np.ndarray:
        """g1(S_y) (or g1'(S_y)) from whichever of S_y, 1 - S_y is the smaller, hence accurate, number: the
        complement near S_y = 1 (tiny losses), S_y itself near 0 (where 1 - c would cancel)."""
        small = S_y < 0.5
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            direct = self._f("dg1" if derivative else "g1", ar)(S_y)
            via_c = self._f("dg1c" if derivative else "g1c", ar)(comp)
        return np.where(small, direct, -via_c if derivative else via_c)

    def values(self, Z: np.ndarray, labels: np.ndarray, ar: Arithmetic) -> np.ndarray:
        S, others, comp, rows = self._softmax(Z, labels, ar)
        g2 = self._f("g2", ar)(S)
        return self._true_class(S[rows, labels], comp, ar, derivative=False) + (g2 * others).sum(axis=1)

    def grad(self, Z: np.ndarray, labels: np.ndarray, ar: Arithmetic) -> np.ndarray:
        """dL/dz_j = S_j (a_j - sum_a a_a S_a), a_y = g1'(S_y), a_k = g2'(S_k) (k != y).

        With c = 1 - S_y and r = sum_{k != y} a_k S_k the label entry is S_y (a_y c - r), not
        S_y (a_y - a_y S_y - r): near zero loss a_y - a_y S_y cancels to O(c) and would lose the digits the
        KKT refinement needs. The other entries are S_j (a_j - a_y S_y - r)."""
        S, others, comp, rows = self._softmax(Z, labels, ar)
        a = self._f("dg2", ar)(S) * others
        a_y = self._true_class(S[rows, labels], comp, ar, derivative=True)
        r = (a * S).sum(axis=1)
        G = S * (a - (a_y * S[rows, labels] + r)[:, None])
        G[rows, labels] = S[rows, labels] * (a_y * comp - r)
        return G


# --- the shipped families ------------------------------------------------------------------------------------
_q = sp.Symbol("q", positive=True)

CROSS_ENTROPY = SoftmaxLossFamily(
    "cross-entropy", -sp.log(X), sp.Integer(0), (), "g1 = -log x, g2 = 0 (Eq. (8) written as (14))"
)
POWER = SoftmaxLossFamily(
    "power", (1 - X) ** _q, X**_q, ("q",), "g1 = (1 - x)^q, g2 = x^q, the paper's second example (q > 1)"
)

#: Losses by name (the families the package ships; users may build their own).
FAMILIES = {f.name: f for f in (CROSS_ENTROPY, POWER)}
