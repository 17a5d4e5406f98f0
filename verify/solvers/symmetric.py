"""Fast solver of program (15) of Fang et al. 2021 for two class sizes, through its symmetry reduction.

:func:`solve_two_group` minimises the seven-scalar program of :mod:`verify.models.two_group` (float64 SLSQP
from seeded random starts, :func:`verify.solvers.multistart.multistart`), refines the best point to ``dps``
digits by Newton's method on its KKT system (:func:`verify.solvers.kkt_refine.refine_kkt`: generic, finite-
difference Jacobian, active set read off the float point), and checks that the refined point is a global
minimiser of the *full* program (15): the duality gap of (15) at its Gram matrix must vanish to working
precision (:meth:`TwoGroupProgram.gap_bound`; sigma_max of the structured loss gradient in O(1)). A
reduced stationary point that is not optimal for (15) (a saddle such as p_B = q_B = 0 below the transition)
has a positive gap and is reported as not converged. The cost does not depend on K (10^6 classes: ~0.1 s).

:func:`transition_ratio` measures the ratio R0 at which the minority classifiers become equal, without any
closed form or precomputed equation: (1) bisection over R on the *measured* phase of independent solves
(minority classifiers equal or not) brackets it to 5 %; (2) on the sub-program where the minority classifiers
are equal (p_B = q_B = 0), the refined multipliers give m(R) = 4 L_H L_W - 1 (L_H, L_W the multipliers of
F = sum_k (n_k/n_B) L(z_k, y_k) with the budgets as sums), which is the second-order test of that sub-
program's minimiser inside the full one (the (p_B, q_B) block of the Lagrangian Hessian is
K_B [[2 L_H, -1], [-1, 2 L_W]] there; the -1 is measured, not assumed: :func:`collapse_margin`); a secant
iteration on m in log R finds its root to working precision, and the root must lie in the bisection bracket.

Nothing here imports a claim.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import mpmath
import numpy as np

from verify.models.arith import mp_arithmetic
from verify.models.two_group import GapBound, TwoGroupProgram
from verify.solvers.kkt_refine import refine_kkt
from verify.solvers.multistart import multistart
from verify.solvers.threads import single_threaded_blas

#: Relative duality gap of (15) accepted as "optimal" at ``dps`` digits: 10^-(dps - GAP_GUARD). The gap is a
#: difference of O(1) terms each rounded at dps digits after a KKT refinement to 10^-(dps-5); measured gaps
#: at dps 30 are below 4e-30 (pinned points, K up to 10^6), so 8 guard digits leave a 10^6 margin while a
#: saddle (gap ~ (R0 - R)^2 / R0^2 or more) is rejected down to |R - R0| / R0 ~ 10^-11 at dps 30.
GAP_GUARD = 8

#: The phase bisection stops at hi/lo <= BRACKET_RATIO: it is a cross-check of the secant's root (which must
#: lie inside), and SLSQP slows down near R0 (the minimiser degenerates there: ~1 s per solve within 1 %).
BRACKET_RATIO = 1.05

#: Phases of the minority classifiers, in order of increasing R.
PHASES = ("separated", "collapsed", "vanished")


@dataclass(frozen=True)
class SymmetricSolution:
    """A refined point (gap closed: converged) of the reduced program."""

    program: TwoGroupProgram
    x: np.ndarray  # mpf entries, in the program's packing (program.free)
    value: object  # objective of (15) (mean cross-entropy), mpf
    L_H: object  # multipliers of F = sum_k (n_k/n_B) CE with the budgets written as sums (F-scale)
    L_W: object
    gap_bound: GapBound
    phase: str
    converged: bool
    message: str
    dps: int
    seconds: float
    starts: int
    agreeing: int
    kkt_converged: bool = True  # the refinement's own test and the (15) duality gap, before corroboration


def zero_tolerance(program: TwoGroupProgram, dps: int) -> float:
    """A classifier shorter than 10^-(dps/2) sqrt(E_W) is zero (refined points carry ~dps-5 digits)."""
    return float(program.E_W) ** 0.5 * 10.0 ** (-(dps // 2))


def measured_phase(program: TwoGroupProgram, x: np.ndarray, dps: int) -> str:
    """separated: minority classifiers differ; collapsed: all equal, nonzero; vanished: all zero."""
    zero = zero_tolerance(program, dps)
    with mpmath.workdps(dps):
        ar = mp_arithmetic()
        if program.invariants(x, ar, zero_tol=zero).norm_w_B <= zero:
            return "vanished"
        spread = abs(program.full(x, ar)["q_B"])  # the centred (pairwise-differing) part
        return "collapsed" if spread <= zero else "separated"


def solve_two_group(
    program: TwoGroupProgram, *, dps: int = 30, n_starts: int = 8, seed: int = 0, x0: np.ndarray | None = None
) -> SymmetricSolution:
    """Minimise the reduced program (random starts, or refine ``x0``), refine at ``dps``, close the duality gap of (15)."""
    t0 = time.perf_counter()
    with single_threaded_blas():
        if x0 is None:
            ms = multistart(program, n_starts=n_starts, seed=seed)
            start, starts, agreeing = ms.x, ms.n_starts, ms.agreeing
        else:
            start, starts, agreeing = np.asarray(x0, dtype=float), 0, 0
        kkt = refine_kkt(program, start, dps=dps, constraint_scale=program.constraint_scale)
    with mpmath.workdps(dps):
        ar = mp_arithmetic()
        cert = program.gap_bound(kkt.x, ar)
        value = program.objective(kkt.x, ar)
        total = program.K_A * ar.scalar(program.R) + program.K_B
        L_H, L_W = (m * total / program.K for m in kkt.multipliers)
        allowed = mpmath.mpf(10) ** (-(dps - GAP_GUARD))
        gap_closed = abs(cert.relative_gap) <= allowed
    messages = [kkt.message]
    if not gap_closed:
        messages.append(
            f"duality gap of (15) {mpmath.nstr(cert.relative_gap, 3)} (relative) > allowed {mpmath.nstr(allowed, 1)}: "
            "the reduced point is not a global minimiser of (15) (a saddle, or R too close to a transition); "
            "try more starts or move R away from R0/R1"
        )
    corroborated = x0 is not None or agreeing >= 2
    if not corroborated:
        messages.append(f"best value reached by {agreeing} of {starts} starts (< 2); try more starts")
    return SymmetricSolution(
        program=program,
        x=kkt.x,
        value=value,
        L_H=L_H,
        L_W=L_W,
        gap_bound=cert,
        phase=measured_phase(program, kkt.x, dps),
        converged=kkt.converged and gap_closed and corroborated,
        message="; ".join(messages),
        dps=dps,
        seconds=time.perf_counter() - t0,
        starts=starts,
        agreeing=agreeing,
        kkt_converged=kkt.converged and gap_closed,
    )


# --- the transition ratio R0 ------------------------------------------------------------------------------
@dataclass(frozen=True)
class TransitionMeasurement:
    """R0 measured by phase bisection (bracket) and a secant iteration on the collapsed sub-program."""

    R0: object  # mpf, or None when K_B = 1 or the measurement failed
    bracket: tuple[float, float]  # phase bisection: separated at bracket[0], equal minority at bracket[1]
    margin: object  # m(R0) = 4 L_H L_W - 1 at the returned root
    steps: int
    converged: bool
    message: str
    seconds: float


def collapse_margin(K_A: int, K_B: int, E_H, E_W, R, *, dps: int, x0=None, seed: int = 0):
    """(m, x): m = 4 L_H L_W - 1 at the minimiser of the sub-program p_B = q_B = 0 at ratio R.

    Also checks the premise of the test: d L_B/d x_B at x_B = 0 must be -1 (a finite difference of the
    measured minority loss at dps digits); a different value raises (the second-order block would change)."""
    prog = TwoGroupProgram(K_A, K_B, E_H, E_W, R, minority="collapsed")
    sol = solve_two_group(prog, dps=dps, n_starts=4, seed=seed, x0=x0)
    with mpmath.workdps(dps):
        full = TwoGroupProgram(K_A, K_B, E_H, E_W, R)
        v = prog.full(sol.x, mp_arithmetic())
        h = mpmath.mpf(10) ** (-(dps // 3))
        plus = full.pack({**v, "p_B": h, "q_B": mpmath.mpf(1)})
        minus = full.pack({**v, "p_B": -h, "q_B": mpmath.mpf(1)})
        slope = (full.group_losses(plus, mp_arithmetic())[1] - full.group_losses(minus, mp_arithmetic())[1]) / (2 * h)
        if abs(slope + 1) > mpmath.mpf(10) ** (-(dps // 3) + 2):
            raise ArithmeticError(f"d L_B / d x_B at x_B = 0 is {mpmath.nstr(slope, 10)}, not -1")
        m = 4 * sol.L_H * sol.L_W - 1
    return m, sol


@lru_cache(maxsize=64)
def transition_ratio(
    K_A: int, K_B: int, E_H: Fraction, E_W: Fraction, *, dps: int = 30, seed: int = 0, r_max: float = 1e9
) -> TransitionMeasurement:
    """R0 for (K_A, K_B, E_H, E_W): phase bisection, then a secant on the measured margin (module docstring)."""
    t0 = time.perf_counter()
    if K_B < 2:
        return TransitionMeasurement(None, (np.nan, np.nan), None, 0, False, "K_B = 1: no minority pair", 0.0)

    def equal_minority(R: float) -> bool:
        prog = TwoGroupProgram(K_A, K_B, E_H, E_W, Fraction(R))
        return solve_two_group(prog, dps=20, n_starts=3, seed=seed).phase != "separated"

    lo, hi = 1.0, 2.0
    while not equal_minority(hi):
        lo, hi = hi, hi * 2
        if hi > r_max:
            msg = f"minority classifiers still differ at R = {hi:.3g} > r_max; raise r_max"
            return TransitionMeasurement(None, (lo, hi), None, 0, False, msg, time.perf_counter() - t0)
    while hi / lo > BRACKET_RATIO:
        mid = (lo * hi) ** 0.5
        lo, hi = (lo, mid) if equal_minority(mid) else (mid, hi)
    with mpmath.workdps(dps + 5):
        a, b = mpmath.log(lo), mpmath.log(hi)
        ma, _ = collapse_margin(K_A, K_B, E_H, E_W, Fraction(lo), dps=dps + 5, seed=seed)
        mb, _ = collapse_margin(K_A, K_B, E_H, E_W, Fraction(hi), dps=dps + 5, seed=seed)
        allowed = mpmath.mpf(10) ** (-(dps - 3))
        steps, converged = 0, False
        for steps in range(1, 40):  # noqa: B007
            if mb == ma:
                break
            c = b - mb * (b - a) / (mb - ma)
            Rc = mpmath.exp(c)
            # random starts every time (a warm start on the d = 0 branch would stay on that saddle)
            mc, sc = collapse_margin(K_A, K_B, E_H, E_W, Fraction(mpmath.nstr(Rc, dps + 5)), dps=dps + 5, seed=seed)
            a, ma, b, mb = b, mb, c, mc
            if abs(b - a) <= allowed and sc.converged:
                converged = True
                break
        R0 = mpmath.exp(b) if converged else None
        inside = R0 is not None and lo * (1 - 1e-9) <= R0 <= hi * (1 + 1e-9)
        R0 = +R0 if inside else None  # kept at dps + 5 digits: rounded inside the working precision
    message = (
        f"secant on 4 L_H L_W - 1 converged in {steps} steps; R0 inside the phase-bisection bracket [{lo:.6g}, {hi:.6g}]"
        if converged and inside
        else f"R0 not measured: secant converged={converged}, inside bracket [{lo:.6g}, {hi:.6g}]={inside}; "
        "try a larger --dps or another seed"
    )
    return TransitionMeasurement(
        R0,
        (lo, hi),
        mb,
        steps,
        converged and inside,
        message,
        time.perf_counter() - t0,
    )


__all__ = [
    "PHASES",
    "SymmetricSolution",
    "TransitionMeasurement",
    "collapse_margin",
    "measured_phase",
    "solve_two_group",
    "transition_ratio",
]
