"""The ratio R1 beyond which the minority classifiers of program (15) vanish, measured without a closed form.

Fang et al. 2021 (seed 001, Section 4B, Figure 3; SI B.2, Lemma 5 case (ii)): for R >= R1 every minority
classifier and class mean of the minimiser of (15) is exactly zero. :func:`vanishing_ratio` measures R1 from
the solver side only (nothing here imports a claim or a closed form):

1. bisection over R on the *measured* phase of independent solves (:func:`verify.solvers.symmetric.
   solve_two_group`, random starts, (15) duality gap): 'vanished' (minority classifiers zero) or not,
   multiplying R by :data:`GROWTH` from 1 until the phase is 'vanished' (or ``r_max``), then halving the bracket in log R down to
   :data:`BRACKET_RATIO`;
2. a secant iteration in log R on the vanishing margin m1(R): the smallest eigenvalue of the Lagrangian
   Hessian in the directions (s_A, s_B, d) at the vanished KKT point of the equal-minority sub-program
   (minority classifiers equal, p_B = q_B = 0; majority alone on the budget spheres, s_A = s_B = d = 0).
   That point is a KKT point at every R (the gradient in s_A, s_B, d vanishes there); the directions
   (s_A, s_B, d) span the tangent space of the active budgets there, so it is a local minimiser when m1 > 0
   and a saddle when m1 < 0; m1 crosses zero linearly at R1. The point and its multipliers are refined by the
   generic KKT Newton (:func:`verify.solvers.kkt_refine.refine_kkt`) at ``dps + 5`` digits from the measured
   vanished minimiser; the Hessian block is a central difference of the program's own Lagrangian gradient at
   ``2 (dps + 5) + 10`` digits with step 10^-(dps + 5) (truncation ~ step^2, rounding ~ 10^-(2 dps) / step:
   both far below the point's own error 10^-dps). The root must lie inside the phase-bisection bracket.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import mpmath
import numpy as np

from verify.models.arith import mp_arithmetic
from verify.models.two_group import TwoGroupProgram
from verify.solvers.kkt_refine import refine_kkt
from verify.solvers.symmetric import solve_two_group, zero_tolerance

#: The phase bisection stops at hi/lo <= BRACKET_RATIO: it only has to hold the secant's root (a cross-check).
BRACKET_RATIO = 1.05
#: The bracket search multiplies R by GROWTH until the phase is 'vanished' (10 solves reach 10^9).
GROWTH = 8.0
#: The directions of the second-order test at the vanished point.
DIRECTIONS = ("s_A", "s_B", "d")


@dataclass(frozen=True)
class VanishingMeasurement:
    """R1 measured by phase bisection (bracket) and a secant on the vanishing margin."""

    R1: object  # mpf; None when the classifiers did not vanish up to r_max, or the measurement failed
    never: bool  # True: the minority classifiers were measured nonzero up to r_max (no R1 there)
    bracket: tuple[float, float]  # not vanished at bracket[0], vanished at bracket[1]
    margin: object  # m1 at the returned root
    steps: int
    converged: bool
    message: str
    seconds: float


def _vanished(K_A: int, K_B: int, E_H, E_W, R, seed: int) -> bool:
    prog = TwoGroupProgram(K_A, K_B, E_H, E_W, Fraction(R))
    return solve_two_group(prog, dps=20, n_starts=3, seed=seed).phase == "vanished"


def vanished_start(K_A: int, K_B: int, E_H, E_W, R, *, seed: int = 0) -> np.ndarray:
    """A float start on the vanished point of the equal-minority sub-program, from an independent solve at R
    whose measured phase is 'vanished' (coordinates below the zero tolerance set to exact zeros)."""
    full = TwoGroupProgram(K_A, K_B, E_H, E_W, Fraction(R))
    sol = solve_two_group(full, dps=20, n_starts=3, seed=seed)
    if sol.phase != "vanished":
        raise ArithmeticError(f"the solve at R = {float(R):.6g} is in phase {sol.phase}, not vanished")
    sub = TwoGroupProgram(K_A, K_B, E_H, E_W, Fraction(R), minority="collapsed")
    values = full.full(sol.x, mp_arithmetic())
    zero = zero_tolerance(full, 20) * 10
    start = []
    for name in sub.free:
        v = float(values[name])
        if name in DIRECTIONS:
            if abs(v) > zero * max(1.0, float(full.E_H) ** 0.5):
                raise ArithmeticError(f"{name} = {v:.3g} at the vanished solve is not zero")
            v = 0.0
        start.append(v)
    return np.array(start)


@dataclass(frozen=True)
class _Vanished:
    """The equal-minority sub-program with (s_A, s_B, d) held at exact zeros: the vanished point as a KKT point
    of the remaining unknowns (the majority's p_A, q_A). Holding them at zero is exact, not an approximation:
    the gradient in those directions vanishes identically there, and refining them too would meet a singular
    KKT matrix at R1 itself (the Hessian block this module measures)."""

    program: TwoGroupProgram
    n_constraints = 2

    @property
    def kept(self) -> list[int]:
        return [i for i, n in enumerate(self.program.free) if n not in DIRECTIONS]

    @property
    def dim(self) -> int:
        return len(self.kept)

    @property
    def constraint_scale(self):
        return self.program.constraint_scale

    def embed(self, y: np.ndarray, ar) -> np.ndarray:
        x = np.array([ar.scalar(0)] * self.program.dim, dtype=object if ar.name != "float64" else float)
        for k, i in enumerate(self.kept):
            x[i] = y[k]
        return x

    def objective(self, y, ar):
        return self.program.objective(self.embed(y, ar), ar)

    def gradient(self, y, ar):
        g = self.program.gradient(self.embed(y, ar), ar)
        return g[self.kept]

    def constraints(self, y, ar):
        return self.program.constraints(self.embed(y, ar), ar)

    def constraint_jacobian(self, y, ar):
        return self.program.constraint_jacobian(self.embed(y, ar), ar)[:, self.kept]

    def random_start(self, rng):  # pragma: no cover - refined from a measured start only
        raise NotImplementedError


def vanishing_margin(K_A: int, K_B: int, E_H, E_W, R, *, dps: int, x0: np.ndarray):
    """(m1, kkt): the smallest eigenvalue of the Lagrangian Hessian in (s_A, s_B, d) at the vanished KKT point
    of the equal-minority sub-program at ratio R (module docstring), refined from ``x0`` at ``dps`` digits."""
    prog = TwoGroupProgram(K_A, K_B, E_H, E_W, R, minority="collapsed")
    sub = _Vanished(prog)
    kkt = refine_kkt(sub, np.asarray(x0, dtype=float)[sub.kept], dps=dps, constraint_scale=prog.constraint_scale)
    if not kkt.converged:
        raise ArithmeticError(f"the vanished KKT point at R = {float(R):.8g}: {kkt.message}")
    idx = [prog.free.index(n) for n in DIRECTIONS]
    with mpmath.workdps(2 * dps + 10):
        ar = mp_arithmetic()
        mu = [mpmath.mpf(m) for m in kkt.multipliers]
        x = sub.embed([mpmath.mpf(v) for v in kkt.x], ar)

        def lagrangian_gradient(y):
            g = prog.gradient(y, ar)
            J = prog.constraint_jacobian(y, ar)
            return [g[i] + sum(mu[c] * J[c][i] for c in range(len(mu))) for i in idx]

        h = mpmath.mpf(10) ** (-dps)
        H = mpmath.matrix(len(idx), len(idx))
        for col, j in enumerate(idx):
            plus, minus = x.copy(), x.copy()
            plus[j] += h
            minus[j] -= h
            gp, gm = lagrangian_gradient(plus), lagrangian_gradient(minus)
            for row in range(len(idx)):
                H[row, col] = (gp[row] - gm[row]) / (2 * h)
        H = (H + H.T) / 2
        eigenvalues = mpmath.eigsy(H, eigvals_only=True)
        m1 = min(eigenvalues[i] for i in range(len(idx)))
    return +m1, kkt


@lru_cache(maxsize=64)
def vanishing_ratio(
    K_A: int, K_B: int, E_H: Fraction, E_W: Fraction, *, dps: int = 30, seed: int = 0, r_max: float = 1e9
) -> VanishingMeasurement:
    """R1 for (K_A, K_B, E_H, E_W): phase bisection, then a secant on the measured margin (module docstring)."""
    t0 = time.perf_counter()
    lo, hi = 1.0, GROWTH
    if _vanished(K_A, K_B, E_H, E_W, lo, seed):
        msg = "the minority classifiers are measured zero already at R = 1"
        return VanishingMeasurement(None, False, (lo, lo), None, 0, False, msg, time.perf_counter() - t0)
    while not _vanished(K_A, K_B, E_H, E_W, hi, seed):
        if hi >= r_max:
            msg = f"the minority classifiers are measured nonzero up to R = {hi:.3g}: they do not vanish there"
            return VanishingMeasurement(None, True, (lo, hi), None, 0, True, msg, time.perf_counter() - t0)
        lo, hi = hi, min(hi * GROWTH, r_max)
    while hi / lo > BRACKET_RATIO:
        mid = (lo * hi) ** 0.5
        lo, hi = (lo, mid) if _vanished(K_A, K_B, E_H, E_W, mid, seed) else (mid, hi)
    work = dps + 5
    try:
        x0 = vanished_start(K_A, K_B, E_H, E_W, hi, seed=seed)
        with mpmath.workdps(work):
            a, b = mpmath.log(lo), mpmath.log(hi)
            ma, _ = vanishing_margin(K_A, K_B, E_H, E_W, Fraction(lo), dps=work, x0=x0)
            mb, _ = vanishing_margin(K_A, K_B, E_H, E_W, Fraction(hi), dps=work, x0=x0)
            if not ma < 0 < mb:
                raise ArithmeticError(
                    f"the vanishing margin does not change sign over the bracket ({mpmath.nstr(ma, 3)}, "
                    f"{mpmath.nstr(mb, 3)})"
                )
            allowed = mpmath.mpf(10) ** (-(dps - 3))
            steps, converged = 0, False
            for steps in range(1, 40):  # noqa: B007
                if mb == ma:
                    break
                c = b - mb * (b - a) / (mb - ma)
                mc, _ = vanishing_margin(
                    K_A, K_B, E_H, E_W, Fraction(mpmath.nstr(mpmath.exp(c), work)), dps=work, x0=x0
                )
                a, ma, b, mb = b, mb, c, mc
                if abs(b - a) <= allowed:
                    converged = True
                    break
            R1 = mpmath.exp(b) if converged else None
            inside = R1 is not None and lo * (1 - 1e-9) <= R1 <= hi * (1 + 1e-9)
    except ArithmeticError as exc:
        msg = f"R1 not measured: {exc}; try a larger --dps or another seed"
        return VanishingMeasurement(None, False, (lo, hi), None, 0, False, msg, time.perf_counter() - t0)
    ok = converged and inside
    message = (
        f"secant on the vanishing margin converged in {steps} steps; R1 inside the phase-bisection bracket "
        f"[{lo:.6g}, {hi:.6g}]"
        if ok
        else f"R1 not measured: secant converged={converged}, inside bracket [{lo:.6g}, {hi:.6g}]={inside}; "
        "try a larger --dps or another seed"
    )
    return VanishingMeasurement(R1 if ok else None, False, (lo, hi), mb, steps, ok, message, time.perf_counter() - t0)


__all__ = ["VanishingMeasurement", "vanished_start", "vanishing_margin", "vanishing_ratio"]
