"""High-precision minimisation of the four-scalar convex program of :mod:`verify.models.two_size_ce`, and the
one-sided derivative that decides whether the minority classifiers merge.

The objective is convex and smooth except where dA = 0, dB = 0 or (mA, mB) = 0. The solve is an active-set
Newton method: a float64 bound-constrained minimisation (dA, dB >= 0: the own logit is the largest, so the
absolute values are linear there) names the blocks that vanish; Newton's method on the remaining unknowns runs at
the working precision with the exact (sympy-derived) gradient and Hessian; then the KKT conditions are checked in
full (zero gradient on the free unknowns, a non-negative one-sided derivative along every pinned dA or dB, and
the dual-norm test for a pinned (mA, mB)); a violated condition frees its block and Newton's method runs again.
Nothing here knows where the minority classifiers merge: :func:`merge_pressure` measures the one-sided
derivative along dB at the minimiser restricted to dB = 0, by numerical differentiation.
"""

from __future__ import annotations

from dataclasses import dataclass

import mpmath
import numpy as np
from scipy.optimize import minimize

from verify.models.two_size_ce import NAMES, TwoSizeCE, compiled


@dataclass(frozen=True)
class ReducedMinimum:
    """The minimiser (dA, dB, mA, mB) at ``dps`` digits, the blocks pinned at zero and the verdict of the KKT
    check (``converged``)."""

    x: tuple[mpmath.mpf, ...]
    value: mpmath.mpf
    pinned: tuple[str, ...]  # among "dA", "dB", "m"
    converged: bool
    message: str


def _fixed(prog: TwoSizeCE) -> set[str]:
    """Unknowns with no effect: dA when K_A = 1, dB when K_B = 1 (a single class has no own-minus-other gap)."""
    return {name for name, k in (("dA", prog.K_A), ("dB", prog.K_B)) if k == 1}


def _float_start(prog: TwoSizeCE, pinned: set[str]) -> np.ndarray:
    c = compiled(prog.K_A, prog.K_B)
    params = [float(v) for v in prog.numbers()]

    def f(x):
        with mpmath.workdps(15):
            return float(c.objective(*x, *params))

    bounds = [(0.0, 0.0) if n in pinned else ((0.0, None) if n.startswith("d") else (None, None)) for n in NAMES]
    best = None
    for start in (1.0, 0.2, 4.0):
        x0 = [0.0 if n in pinned else start for n in NAMES]
        r = minimize(f, x0, method="L-BFGS-B", bounds=bounds, options={"ftol": 1e-14, "gtol": 1e-10})
        if best is None or r.fun < best.fun:
            best = r
    return best.x


def _newton(prog: TwoSizeCE, free: list[int], x: list, dps: int) -> tuple[list, bool]:
    c = compiled(prog.K_A, prog.K_B)
    params = prog.numbers()
    tol = mpmath.mpf(10) ** (-(dps - 3))
    for _ in range(100):
        g_all = c.gradient(*x, *params)
        g = mpmath.matrix([g_all[i] for i in free])
        if mpmath.norm(g, mpmath.inf) < tol:
            return x, True
        h_all = c.hessian(*x, *params)
        step = mpmath.lu_solve(mpmath.matrix([[h_all[i][j] for j in free] for i in free]), -g)
        t, f0 = mpmath.mpf(1), c.value(*x, *params)
        while t > mpmath.mpf(10) ** -12:  # damped: the value must not rise and the gaps stay >= 0
            trial = list(x)
            for k, i in enumerate(free):
                trial[i] = x[i] + t * step[k]
            if all(trial[i] >= 0 for i in free if i < 2) and c.value(*trial, *params) <= f0 + tol:
                break
            t /= 2
        x = trial
    return x, False


def _one_sided(prog: TwoSizeCE, x: list, i: int) -> mpmath.mpf:
    """d/dt F(x + t e_i) at t = 0+ (numerical, from the right: the absolute value's kink is at 0)."""

    def along(t):
        y = list(x)
        y[i] = x[i] + t
        return prog.value(y)

    return mpmath.diff(along, 0, direction=1)


def _m_dual(prog: TwoSizeCE, x: list) -> mpmath.mpf:
    """At m = 0: ||grad_m loss||_* - rho c (<= 0 iff m = 0 is optimal), the dual of the weighted norm
    c sqrt(a mA^2 + b mB^2), c = sqrt(K_A K_B/K), a = K_A n_A, b = K_B n_B."""
    c = compiled(prog.K_A, prog.K_B)
    n_A, n_B, rho = prog.numbers()
    gA = mpmath.diff(lambda t: c.loss(x[0], x[1], t, x[3], n_A, n_B, rho), x[2])
    gB = mpmath.diff(lambda t: c.loss(x[0], x[1], x[2], t, n_A, n_B, rho), x[3])
    a, b = prog.K_A * n_A, prog.K_B * n_B
    return mpmath.sqrt(gA**2 / a + gB**2 / b) - rho * mpmath.sqrt(mpmath.mpf(prog.K_A * prog.K_B) / prog.K)


def solve_reduced(prog: TwoSizeCE, dps: int = 30, pin: tuple[str, ...] = ()) -> ReducedMinimum:
    """The minimiser of the four-scalar program at ``dps`` digits; ``pin`` forces blocks to zero (("dB",): the
    minimiser restricted to merged minority classifiers)."""
    forced = set(pin) | _fixed(prog)
    x0 = _float_start(prog, forced)
    scale = max(1.0, float(np.abs(x0).max()))
    pinned = set(forced) | {n for n, v in zip(NAMES[:2], x0[:2], strict=True) if v <= 1e-7 * scale}
    if abs(x0[2]) + abs(x0[3]) <= 1e-7 * scale:
        pinned.add("m")
    violated: list[str] = []
    with mpmath.workdps(dps + 10):
        rho = prog.numbers()[2]
        slack = rho * mpmath.mpf(10) ** (-(dps - 5))
        for _ in range(4):
            zero = {i for i, n in enumerate(NAMES) if n in pinned or (n[0] == "m" and "m" in pinned)}
            x = [mpmath.mpf(0) if i in zero else mpmath.mpf(v) for i, v in enumerate(x0)]
            free = [i for i in range(4) if i not in zero]
            ok = True
            if free:
                x, ok = _newton(prog, free, x, dps + 10)
            violated = [
                n for n in ("dA", "dB") if n in pinned - forced and _one_sided(prog, x, NAMES.index(n)) < -slack
            ]
            if "m" in pinned and _m_dual(prog, x) > slack:
                violated.append("m")
            if not violated:
                break
            pinned -= set(violated)
            x0 = np.array([float(v) if float(v) != 0 else 0.5 for v in x])
        value = prog.value(x)
    converged = ok and not violated
    message = "KKT conditions hold" if converged else f"active-set Newton did not converge (violated: {violated})"
    with mpmath.workdps(dps):
        return ReducedMinimum(tuple(+v for v in x), +value, tuple(sorted(pinned)), converged, message)


def merge_pressure(prog: TwoSizeCE, dps: int = 30) -> mpmath.mpf:
    """The one-sided derivative of F along dB at the minimiser restricted to dB = 0: >= 0 iff the merged
    minority (dB = 0) is the minimiser (convexity), < 0 iff it separates."""
    sol = solve_reduced(prog, dps, pin=("dB",))
    with mpmath.workdps(dps + 10):
        return +_one_sided(prog, list(sol.x), NAMES.index("dB"))


def zero_margin(prog: TwoSizeCE, dps: int = 30) -> mpmath.mpf:
    """The smallest optimality margin of Zb = 0 (W = H = 0): the one-sided derivatives along dA and dB at 0 and
    rho c - ||grad_m loss||_* for the group means, each divided by its penalty coefficient. >= 0 iff the origin is
    the minimiser (convexity); numerical derivatives, no formula for where that happens."""
    with mpmath.workdps(dps + 10):
        x = [mpmath.mpf(0)] * 4
        n_A, n_B, rho = prog.numbers()
        margins = [-_m_dual(prog, x) / rho]
        for name, k, n in (("dA", prog.K_A, n_A), ("dB", prog.K_B, n_B)):
            if k >= 2:
                margins.append(_one_sided(prog, x, NAMES.index(name)) / (rho * (k - 1) * mpmath.sqrt(n)))
        return +min(margins)
