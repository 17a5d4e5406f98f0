"""Program (15) of Fang et al. 2021 for two class sizes, reduced by its symmetry to seven scalars.

Seed 001, Section 4B ("Minority Collapse"): K_A majority classes of n_A samples, K_B minority classes of
n_B samples, R = n_A / n_B. Program (15) is convex and invariant under permuting the majority classes among
themselves and the minority classes among themselves, so averaging a minimiser over that group gives a
minimiser with the same symmetry. Written in vectors (e a unit vector, u_k centred within each group, the
u_k of a group forming a simplex: u_k . u_j = -|u|^2/(K_g - 1), the two groups' u_k orthogonal):

    majority k:  hbar_k =  s_A e + u_k,   w_k = t_A e + (q_A/p_A) u_k,   |u_k| = p_A
    minority k:  hbar_k = -s_B e + u_k,   w_k = t_B e + (q_B/p_B) u_k,   |u_k| = p_B
    t_A = K_B d / K,  t_B = -K_A d / K   (the logits do not change when one vector is added to every w_k)

Seven scalars x = (p_A, q_A, p_B, q_B, s_A, s_B, d). With x_A = p_A q_A, x_B = p_B q_B the per-class
cross-entropies are (logit gaps: other majority class -K_A x_A/(K_A-1), minority class -(s_A d + x_A), ...)

    L_A = log(1 + (K_A-1) exp(-K_A x_A/(K_A-1)) + K_B exp(-s_A d - x_A))
    L_B = log(1 + (K_B-1) exp(-K_B x_B/(K_B-1)) + K_A exp(-s_B d - x_B))

and the program is

    minimise   f = (K_A R L_A + K_B L_B) / (K_A R + K_B)          (= sum_k (n_k/N) L(z_k, y_k) of (15))
    subject to g_H = (K_A (s_A^2 + p_A^2) + K_B (s_B^2 + p_B^2)) / K - E_H <= 0
               g_W = (K_A q_A^2 + K_B q_B^2 + K_A K_B d^2 / K) / K - E_W <= 0.

A group of one class has no centred part: p, q of that group are absent (fixed at 0). ``minority=
"collapsed"`` fixes p_B = q_B = 0 (the sub-program on which the minority classifiers are equal).

The reduced program is not convex; a point of it is a global minimiser of (15) iff the duality gap of (15)
at its Gram matrix vanishes (:meth:`TwoGroupProgram.gap_bound`). The gradient G = dF/dZ of
F = sum_k (n_k/n_B) L(z_k, y_k) has the block structure of the symmetry, so its largest singular value,
and hence the gap, costs O(1) for any K (10^6 classes included).

This module states the problem; it never knows its answer (it imports no claim).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from typing import Literal

import mpmath
import numpy as np

from verify.base.errors import InputError
from verify.models.arith import FLOAT, Arithmetic

NAMES = ("p_A", "q_A", "p_B", "q_B", "s_A", "s_B", "d")


@dataclass(frozen=True)
class Invariants:
    """Rotation invariants of the point (class-mean features hbar_k, classifiers w_k), per group."""

    norm_h_A: object
    norm_h_B: object
    norm_w_A: object
    norm_w_B: object
    cos_w_AA: object  # None when K_A = 1 (no pair)
    cos_w_BB: object
    cos_w_AB: object
    cos_h_AA: object
    cos_h_BB: object


@dataclass(frozen=True)
class GapBound:
    """Optimality of the reduced point for the full program (15) (F scaled by N/n_B, see module docstring).

    ``gap`` = F(Z0) - LB >= 0 with LB = F(Z0) - <G, Z0> - K sigma sqrt(E_H E_W) a lower bound on the minimum of
    (15) valid for every feasible X (convexity of F, and [[a I, G/2], [G^T/2, b I]] PSD for a b = sigma^2/4);
    ``relative_gap`` = gap / F. ``sigma`` = sigma_max(G); ``sigma_parts`` its candidates (centred majority,
    centred minority, the 2x2 block on the group means)."""

    gap: object
    relative_gap: object
    sigma: object
    sigma_parts: tuple
    F: object


@dataclass(frozen=True)
class TwoGroupProgram:
    """The symmetry-reduced program (15) with K_A classes of size R n_B and K_B classes of size n_B."""

    K_A: int
    K_B: int
    E_H: Fraction | float
    E_W: Fraction | float
    R: Fraction | float
    minority: Literal["free", "collapsed"] = "free"
    free: tuple[str, ...] = field(init=False)

    convention = (
        "Fang et al. 2021 Eq. (15) for n_k = n_A (K_A classes), n_B (K_B classes), R = n_A/n_B: objective the "
        "mean cross-entropy over the N samples (weights n_k/N); budgets as class averages (1/K) sum ||hbar_k||^2 "
        "<= E_H, (1/K) sum ||w_k||^2 <= E_W; reduced by the within-group permutation symmetry to "
        "(p_A, q_A, p_B, q_B, s_A, s_B, d) (verify/models/two_group.py)"
    )

    def __post_init__(self) -> None:
        if self.K_A < 1 or self.K_B < 1:
            raise InputError(f"K_A = {self.K_A}, K_B = {self.K_B}: each group needs a class", parameter="K_A")
        if not (self.E_H > 0 and self.E_W > 0 and self.R > 0):
            raise InputError("E_H, E_W and R must be > 0", parameter="E_H")
        drop = set()
        if self.K_A == 1:
            drop |= {"p_A", "q_A"}
        if self.K_B == 1 or self.minority == "collapsed":
            drop |= {"p_B", "q_B"}
        object.__setattr__(self, "free", tuple(n for n in NAMES if n not in drop))

    # --- the problem contract (verify.solvers.problem.ConstrainedProblem) ---------------------------------
    @property
    def K(self) -> int:
        return self.K_A + self.K_B

    @property
    def dim(self) -> int:
        return len(self.free)

    n_constraints = 2

    @property
    def constraint_scale(self) -> tuple[float, float]:
        return (float(self.E_H), float(self.E_W))

    @cached_property
    def _float_constants(self) -> tuple[float, float, float, tuple[float, float]]:
        """(E_H, E_W, K_A K_B/K, weights) as float64, converted once (the float solves call the objective and
        constraints ~10^5 times per claim check; the same conversions as ``ar.scalar``, so the same floats)."""
        R = float(self.R)
        total = self.K_A * R + self.K_B
        return float(self.E_H), float(self.E_W), float(Fraction(self.K_A * self.K_B, self.K)), (R / total, 1 / total)

    def full(self, x: np.ndarray, ar: Arithmetic = FLOAT) -> dict:
        """The seven scalars by name (absent ones are exact zeros of the arithmetic)."""
        zero = 0.0 if ar.name == "float64" else ar.scalar(0)
        out = dict.fromkeys(NAMES, zero)
        out.update(zip(self.free, list(x), strict=True))
        return out

    def pack(self, values: dict) -> np.ndarray:
        return np.array([values[n] for n in self.free], dtype=object)

    def _parts(self, v: dict, ar: Arithmetic) -> dict:
        """Exponentials (relative to the own logit) and denominators of the two per-class losses."""
        KA, KB = self.K_A, self.K_B
        xA, xB = v["p_A"] * v["q_A"], v["p_B"] * v["q_B"]
        e1 = ar.exp(-KA * xA / (KA - 1)) if KA > 1 else ar.scalar(0)
        e2 = ar.exp(-v["s_A"] * v["d"] - xA)
        e3 = ar.exp(-KB * xB / (KB - 1)) if KB > 1 else ar.scalar(0)
        e4 = ar.exp(-v["s_B"] * v["d"] - xB)
        DA = 1 + (KA - 1) * e1 + KB * e2
        DB = 1 + (KB - 1) * e3 + KA * e4
        return {"xA": xA, "xB": xB, "e1": e1, "e2": e2, "e3": e3, "e4": e4, "DA": DA, "DB": DB}

    def weights(self, ar: Arithmetic = FLOAT) -> tuple:
        """(R, 1) / (K_A R + K_B): the weight n_k/N of one majority and one minority class."""
        if ar.name == "float64":
            return self._float_constants[3]
        R = ar.scalar(self.R)
        total = self.K_A * R + self.K_B
        return R / total, 1 / total

    def group_losses(self, x: np.ndarray, ar: Arithmetic = FLOAT) -> tuple:
        """(L_A, L_B): the cross-entropy of one majority and one minority class at the point."""
        P = self._parts(self.full(x, ar), ar)
        return ar.log(P["DA"]), ar.log(P["DB"])

    def objective(self, x: np.ndarray, ar: Arithmetic = FLOAT):
        LA, LB = self.group_losses(x, ar)
        wA, wB = self.weights(ar)
        return self.K_A * wA * LA + self.K_B * wB * LB

    def gradient(self, x: np.ndarray, ar: Arithmetic = FLOAT) -> np.ndarray:
        v = self.full(x, ar)
        P = self._parts(v, ar)
        KA, KB = self.K_A, self.K_B
        wA, wB = self.weights(ar)
        cA, cB = KA * wA / P["DA"], KB * wB / P["DB"]
        dxA = -(KA * P["e1"] + KB * P["e2"]) * cA  # d f / d x_A
        dxB = -(KB * P["e3"] + KA * P["e4"]) * cB
        g = {
            "p_A": dxA * v["q_A"],
            "q_A": dxA * v["p_A"],
            "p_B": dxB * v["q_B"],
            "q_B": dxB * v["p_B"],
            "s_A": -KB * P["e2"] * v["d"] * cA,
            "s_B": -KA * P["e4"] * v["d"] * cB,
            "d": -KB * P["e2"] * v["s_A"] * cA - KA * P["e4"] * v["s_B"] * cB,
        }
        return ar.asarray([g[n] for n in self.free]) if ar.name != "float64" else np.array([g[n] for n in self.free])

    def constraints(self, x: np.ndarray, ar: Arithmetic = FLOAT) -> np.ndarray:
        v = self.full(x, ar)
        KA, KB, K = self.K_A, self.K_B, self.K
        if ar.name == "float64":
            EH, EW, KAB, _ = self._float_constants
        else:
            EH, EW, KAB = ar.scalar(self.E_H), ar.scalar(self.E_W), ar.scalar(Fraction(KA * KB, K))
        gH = (KA * (v["s_A"] ** 2 + v["p_A"] ** 2) + KB * (v["s_B"] ** 2 + v["p_B"] ** 2)) / K - EH
        gW = (KA * v["q_A"] ** 2 + KB * v["q_B"] ** 2 + KAB * v["d"] ** 2) / K - EW
        return np.array([gH, gW], dtype=object if ar.name != "float64" else float)

    def constraint_jacobian(self, x: np.ndarray, ar: Arithmetic = FLOAT) -> np.ndarray:
        v = self.full(x, ar)
        KA, KB, K = self.K_A, self.K_B, self.K
        zero = ar.scalar(0)
        jH = {"p_A": 2 * KA * v["p_A"], "p_B": 2 * KB * v["p_B"], "s_A": 2 * KA * v["s_A"], "s_B": 2 * KB * v["s_B"]}
        jW = {"q_A": 2 * KA * v["q_A"], "q_B": 2 * KB * v["q_B"], "d": 2 * ar.scalar(Fraction(KA * KB, K)) * v["d"]}
        rows = [[jac.get(n, zero) / K for n in self.free] for jac in (jH, jW)]
        return np.array(rows, dtype=object if ar.name != "float64" else float)

    def random_start(self, rng: np.random.Generator) -> np.ndarray:
        """A feasible start: a random direction on each (weighted) budget sphere, at a random radius."""
        K, KA, KB = self.K, self.K_A, self.K_B
        wH = {"p_A": KA, "s_A": KA, "p_B": KB, "s_B": KB}
        wW = {"q_A": KA, "q_B": KB, "d": KA * KB / K}
        out = {}
        for weights, budget in ((wH, float(self.E_H)), (wW, float(self.E_W))):
            names = [n for n in weights if n in self.free]
            u = rng.standard_normal(len(names))
            u *= np.sqrt(K * budget) * rng.uniform(0.3, 1.0) / np.linalg.norm(u)
            out.update({n: u[i] / np.sqrt(weights[n]) for i, n in enumerate(names)})
        return np.array([out[n] for n in self.free])

    # --- geometry ----------------------------------------------------------------------------------------
    def invariants(self, x: np.ndarray, ar: Arithmetic = FLOAT, zero_tol: float = 0.0) -> Invariants:
        """Norms and cosines of class means and classifiers from the seven scalars (every pair in a group has
        the same cosine). A cosine involving a vector of norm <= ``zero_tol`` is the string ``"zero"`` (the
        caller reports it as undefined); a cosine of a group with one class (no pair) is None."""
        v = self.full(x, ar)
        KA, KB, K = self.K_A, self.K_B, self.K
        tA, tB = KB * v["d"] / K, -KA * v["d"] / K
        sA, sB = v["s_A"], -v["s_B"]
        nwA2, nwB2 = tA**2 + v["q_A"] ** 2, tB**2 + v["q_B"] ** 2
        nhA2, nhB2 = sA**2 + v["p_A"] ** 2, sB**2 + v["p_B"] ** 2
        sqrt = (lambda t: t**0.5) if ar.name == "float64" else mpmath.sqrt
        nwA, nwB, nhA, nhB = sqrt(nwA2), sqrt(nwB2), sqrt(nhA2), sqrt(nhB2)

        def cos(num, n1, n2):
            return "zero" if min(n1, n2) <= zero_tol else num / (n1 * n2)

        return Invariants(
            norm_h_A=nhA,
            norm_h_B=nhB,
            norm_w_A=nwA,
            norm_w_B=nwB,
            cos_w_AA=cos(tA**2 - v["q_A"] ** 2 / (KA - 1), nwA, nwA) if KA > 1 else None,
            cos_w_BB=cos(tB**2 - v["q_B"] ** 2 / (KB - 1), nwB, nwB) if KB > 1 else None,
            cos_w_AB=cos(tA * tB, nwA, nwB),
            cos_h_AA=cos(sA**2 - v["p_A"] ** 2 / (KA - 1), nhA, nhA) if KA > 1 else None,
            cos_h_BB=cos(sB**2 - v["p_B"] ** 2 / (KB - 1), nhB, nhB) if KB > 1 else None,
        )

    def vectors(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(Hbar, W) as explicit K x (K+1) float arrays (rows hbar_k, w_k), for small K (tests, plots)."""
        v = {n: float(val) for n, val in self.full(np.asarray(x, dtype=float)).items()}
        KA, KB, K = self.K_A, self.K_B, self.K
        U = np.zeros((K, K + 1))  # column 0: e; columns 1..K: the centred simplex directions

        def simplex(m: int) -> np.ndarray:
            return (np.eye(m) - 1.0 / m) * np.sqrt(m / (m - 1)) if m > 1 else np.zeros((1, 1))

        U[:KA, 1 : KA + 1] = simplex(KA)
        U[KA:, KA + 1 :] = simplex(KB)
        tA, tB = KB * v["d"] / K, -KA * v["d"] / K
        H, W = np.zeros((K, K + 1)), np.zeros((K, K + 1))
        H[:KA, 0], H[KA:, 0], W[:KA, 0], W[KA:, 0] = v["s_A"], -v["s_B"], tA, tB
        H[:KA] += v["p_A"] * U[:KA]
        H[KA:] += v["p_B"] * U[KA:]
        W[:KA] += v["q_A"] * U[:KA]
        W[KA:] += v["q_B"] * U[KA:]
        return H, W

    def gram(self, x: np.ndarray) -> np.ndarray:
        """The 2K x 2K decision variable X of (15) at the point (small K)."""
        H, W = self.vectors(x)
        V = np.vstack([H, W])
        return V @ V.T

    # --- optimality for the full program (15) --------------------------------------------------------------
    def gap_bound(self, x: np.ndarray, ar: Arithmetic = FLOAT) -> GapBound:
        """The duality gap of (15) at the Gram matrix of this point, in O(1) (see :class:`GapBound`)."""
        v = self.full(x, ar)
        P = self._parts(v, ar)
        KA, KB, K = self.K_A, self.K_B, self.K
        R = ar.scalar(self.R)
        sqrt = (lambda t: t**0.5) if ar.name == "float64" else mpmath.sqrt
        # G = dF/dZ, F = sum_k (n_k/n_B) CE(z_k): rows of softmax minus one-hot, weighted R (majority), 1
        bA, gAB = R * P["e1"] / P["DA"], R * P["e2"] / P["DA"]
        aA = R * (1 / P["DA"] - 1) - bA
        bB, gBA = P["e3"] / P["DB"], P["e4"] / P["DB"]
        aB = (1 / P["DB"] - 1) - bB
        m11, m12 = aA + KA * bA, sqrt(ar.scalar(KA * KB)) * gAB
        m21, m22 = sqrt(ar.scalar(KA * KB)) * gBA, aB + KB * bB
        fro = m11**2 + m12**2 + m21**2 + m22**2
        det = m11 * m22 - m12 * m21
        disc = fro**2 - 4 * det**2
        s_mean = sqrt((fro + sqrt(disc if disc > 0 else 0 * disc)) / 2)
        parts = (abs(aA) if KA > 1 else None, abs(aB) if KB > 1 else None, s_mean)
        sigma = max(p for p in parts if p is not None)
        # <G, Z0> = sum_k w_k sum_j pi_kj (z_kj - z_kk): probabilities times logit gaps
        gaps_A = (KA - 1) * P["e1"] * (-KA * P["xA"] / (KA - 1) if KA > 1 else 0) + KB * P["e2"] * (
            -v["s_A"] * v["d"] - P["xA"]
        )
        gaps_B = (KB - 1) * P["e3"] * (-KB * P["xB"] / (KB - 1) if KB > 1 else 0) + KA * P["e4"] * (
            -v["s_B"] * v["d"] - P["xB"]
        )
        GZ = KA * R * gaps_A / P["DA"] + KB * gaps_B / P["DB"]
        F = KA * R * ar.log(P["DA"]) + KB * ar.log(P["DB"])
        gap = GZ + K * sigma * sqrt(ar.scalar(self.E_H) * ar.scalar(self.E_W))
        return GapBound(gap=gap, relative_gap=gap / F, sigma=sigma, sigma_parts=parts, F=F)
