"""The reference side of fang2021.thm5: the optimality conditions of the reduced program (15), solved.

Helper of :mod:`verify.claims.fang2021.thm5` (not a claim module: it defines no ``CLAIM``). The KKT system
of the seven-scalar reduction of (15) (proofs/fang2021.thm5.md, Step 1) is derived here in sympy for a given
phase of the minority classifiers ('separated': all seven scalars free; 'collapsed': p_B = q_B = 0), started
from a float point found by BFGS on the budget spheres and solved by mpmath Newton with the symbolic
Jacobian. R0 adds 4 L_H L_W = 1 and R as an unknown (Step 2). None of this uses the solver side
(verify/models/two_group.py, verify/solvers/symmetric.py): the losses are re-derived symbolically here.
"""

from __future__ import annotations

from fractions import Fraction
from functools import cache

import mpmath
import numpy as np
import sympy as sp

from verify.models.arith import to_mpf

NAMES = ("p_A", "q_A", "p_B", "q_B", "s_A", "s_B", "d")
_V = sp.symbols(NAMES, real=True)
_LH, _LW, _R, _EH, _EW = sp.symbols("L_H L_W R E_H E_W", real=True)
_H_COORDS = {"s_A": "A", "p_A": "A", "s_B": "B", "p_B": "B"}  # weight K_A or K_B in the H budget
_W_COORDS = {"q_A": "A", "q_B": "B", "d": "AB"}


_KA, _KB = sp.symbols("K_A K_B", positive=True)


def _lazy(make):
    """A function built by ``make()`` on its first call, then called directly."""
    built = []

    def call(*a):
        if not built:
            built.append(make())
        return built[0](*a)

    return call


@cache
def _symbolic(many_A: bool, many_B: bool, phase: str) -> dict:
    """The KKT system of the phase, derived once with K_A, K_B as symbols (so its cost does not depend on the
    class counts: K = 10^6 costs what K = 10 does); ``many_A`` is K_A > 1 (a centred majority part exists)."""
    pA, qA, pB, qB, sA, sB, d = _V
    KA, KB = _KA, _KB
    Kt = KA + KB
    absent = set()
    if not many_A:
        absent |= {pA, qA}
    if not many_B or phase == "collapsed":
        absent |= {pB, qB}
    xA, xB = pA * qA, pB * qB
    LA = sp.log(1 + ((KA - 1) * sp.exp(-KA * xA / (KA - 1)) if many_A else 0) + KB * sp.exp(-sA * d - xA))
    LB = sp.log(1 + ((KB - 1) * sp.exp(-KB * xB / (KB - 1)) if many_B else 0) + KA * sp.exp(-sB * d - xB))
    zero = {v: 0 for v in absent}
    F = (KA * _R * LA + KB * LB).subs(zero)
    cH = (KA * (sA**2 + pA**2) + KB * (sB**2 + pB**2) - Kt * _EH).subs(zero)
    cW = (KA * qA**2 + KB * qB**2 + KA * KB / Kt * d**2 - Kt * _EW).subs(zero)
    V = [v for v in _V if v not in absent]
    lag = F + _LH * cH + _LW * cW
    eqs = [sp.diff(lag, v) for v in V] + [cH, cW]
    unknowns = V + [_LH, _LW]
    out: dict = {"V": [str(v) for v in V], "equations": (eqs, unknowns)}  # sympy, for the balls (_thm5_balls)
    # each function is lambdified when first called (an R0 evaluation needs four of the eight);
    # docstring_limit=0: lambdify would otherwise print every expression a second time for the docstring of
    # the generated function (about a third of the derivation's cost)
    args = (*unknowns, _R, _EH, _EW, KA, KB)
    fargs = (*V, _R, KA, KB)
    build = {
        "kkt": lambda: sp.lambdify(args, eqs, "mpmath", docstring_limit=0),
        "kkt_jac": lambda: sp.lambdify(args, sp.Matrix(eqs).jacobian(unknowns), "mpmath", docstring_limit=0),
        "F_np": lambda: sp.lambdify(fargs, F, "numpy", docstring_limit=0),
        "F_mp": lambda: sp.lambdify(fargs, F, "mpmath", docstring_limit=0),
        "grad_F_np": lambda: sp.lambdify(fargs, [sp.diff(F, v) for v in V], "numpy", docstring_limit=0),
        "grads_np": lambda: sp.lambdify(
            (*V, _R, _EH, _EW, KA, KB), [[sp.diff(e, v) for v in V] for e in (F, cH, cW)], "numpy", docstring_limit=0
        ),
    }
    if phase == "collapsed":
        eqs0 = [*eqs, 4 * _LH * _LW - 1]
        unk0 = [*unknowns, _R]
        build["r0"] = lambda: sp.lambdify((*unk0, _EH, _EW, KA, KB), eqs0, "mpmath", docstring_limit=0)
        build["r0_jac"] = lambda: sp.lambdify(
            (*unk0, _EH, _EW, KA, KB), sp.Matrix(eqs0).jacobian(unk0), "mpmath", docstring_limit=0
        )
    for key, make in build.items():
        out[key] = _lazy(make)
    return out


@cache
def system(KA: int, KB: int, phase: str) -> dict:
    """Lambdified KKT system of the phase ('separated' or 'collapsed') and, for 'collapsed', the R0 system, at
    these class counts: the functions of :func:`_symbolic` with K_A, K_B bound (as exact mpf in the mpmath
    functions, converted at call time: a Python int quotient K_A K_B / K would be a float)."""
    sym = _symbolic(KA > 1, KB > 1, phase)
    out = {"V": sym["V"]}
    for key, fn in sym.items():
        if key in ("V", "equations"):
            continue
        if key.endswith("_np"):
            out[key] = lambda *a, fn=fn: fn(*a, float(KA), float(KB))
        else:
            out[key] = lambda *a, fn=fn: fn(*a, mpmath.mpf(KA), mpmath.mpf(KB))
    return out


def float_point(
    KA: int, KB: int, EH: float, EW: float, Rv: float, phase: str, warm: list | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """A float start for the phase's KKT system: BFGS on the budget spheres (both budgets saturated) written
    as normalised unconstrained vectors, from six fixed pseudo-random starts (or from ``warm[0]``, which is
    then updated: continuation along R); multipliers by least squares."""
    from scipy.optimize import minimize  # imported when a reference point is computed

    sysm = system(KA, KB, phase)
    V, Kt = sysm["V"], KA + KB
    weight = {"A": KA, "B": KB, "AB": KA * KB / Kt}
    hv = [n for n in V if n in _H_COORDS]
    wv = [n for n in V if n in _W_COORDS]

    # x = point(z): each block z_h, z_w normalised onto its budget sphere, x_n = r u_n / sqrt(weight_n) with
    # u = z/|z|, r = sqrt(K E); the order of V is restored by ``order``
    names = hv + wv
    order = [names.index(n) for n in V]
    nh = len(hv)
    radius = np.array([np.sqrt(Kt * EH)] * nh + [np.sqrt(Kt * EW)] * len(wv))
    inv_root_w = np.array(
        [1 / np.sqrt(weight[_H_COORDS[n]]) for n in hv] + [1 / np.sqrt(weight[_W_COORDS[n]]) for n in wv]
    )

    def point(z: np.ndarray) -> np.ndarray:
        u = np.concatenate([z[:nh] / np.linalg.norm(z[:nh]), z[nh:] / np.linalg.norm(z[nh:])])
        return (radius * inv_root_w * u)[order]

    def value_and_grad(z: np.ndarray) -> tuple[float, np.ndarray]:
        """F(point(z)) and its gradient by the chain rule (dF/dx from the symbolic gradient; d u / d z =
        (I - u u^T)/|z| per block): analytic, so BFGS needs no finite differences."""
        x = point(z)
        gx = np.empty(len(V))
        gx[order] = np.asarray(sysm["grad_F_np"](*x, Rv), dtype=float)  # dF/dx in the (hv + wv) order
        gu = gx * radius * inv_root_w
        out = np.empty_like(z)
        for sl in (slice(0, nh), slice(nh, len(z))):
            zn = np.linalg.norm(z[sl])
            u = z[sl] / zn
            out[sl] = (gu[sl] - u * (u @ gu[sl])) / zn
        return float(sysm["F_np"](*x, Rv)), out

    rng = np.random.default_rng(20210)
    best = None
    n = len(hv) + len(wv)
    # warm: the previous point, plus one fresh start (BFGS started exactly on a saddle, e.g. d = 0, stays there)
    starts = (
        [warm[0], rng.standard_normal(n)]
        if warm and warm[0] is not None
        else [rng.standard_normal(n) for _ in range(6)]
    )
    for z0 in starts:
        res = minimize(value_and_grad, z0, jac=True, method="BFGS", options={"gtol": 1e-10})
        if best is None or res.fun < best.fun:
            best = res
    if warm is not None:
        warm[0] = best.x
    x = np.array(point(best.x))
    gF, gH, gW = (np.array(g, dtype=float) for g in sysm["grads_np"](*x, Rv, EH, EW))
    lam = np.linalg.lstsq(np.stack([gH, gW], 1), -gF, rcond=None)[0]
    return x, lam


def newton(f, jac, z0: list, dps: int, what: str) -> list:
    """mpmath Newton on a square system; the failure message says achieved vs allowed and what to try."""
    allowed = mpmath.mpf(10) ** (-(dps - 3))
    z = mpmath.matrix([mpmath.mpf(float(v)) for v in z0])
    scale = max(1, mpmath.norm(mpmath.matrix(jac(*z)), mpmath.inf) * mpmath.norm(z, mpmath.inf))  # equations ~ K
    for _ in range(60):
        F = mpmath.matrix(f(*z))
        step = mpmath.lu_solve(mpmath.matrix(jac(*z)), -F)
        z += step
        if mpmath.norm(step, mpmath.inf) <= allowed * max(1, mpmath.norm(z, mpmath.inf)):
            break
    res = mpmath.norm(mpmath.matrix(f(*z)), mpmath.inf) / scale
    if not res <= mpmath.mpf(10) ** (-(dps - 6)):
        raise ArithmeticError(
            f"{what}: relative Newton residual {mpmath.nstr(res, 3)} > allowed {mpmath.nstr(mpmath.mpf(10) ** (-(dps - 6)), 1)}; "
            "try a larger dps or move the point away from a phase boundary (R0, R1)"
        )
    return list(z)


#: The solver's phase bisections (verify/solvers/symmetric.py, vanishing.py) stop at this ratio; beyond it a
#: measured R0 or R1 is missing and the check is inconclusive, never failed.
R0_SEARCH_LIMIT = 1e9
#: The reference's bracket of R0 widens geometrically in log R (R = 2, 4, 16, 256, ...) until 4 L_H L_W - 1
#: changes sign; its float64 start points exist up to R = 1e300 (float64's range), beyond which R0 is refused.
R0_BRACKET_LIMIT = 1e300


@cache
def _r0_float_start(KA: int, KB: int, EH: Fraction, EW: Fraction) -> tuple[np.ndarray, np.ndarray, float]:
    """The float64 start of R0's Newton solve: (x, multipliers, log R0) from the float bracket of
    4 L_H L_W - 1 (the bracket [R, R^2] squared until the sign changes: R0 ~ exp(c sqrt(E_H E_W)) is reached in
    log log R steps). It does not depend on dps: computed once and shared by every precision's polish (the
    reference is evaluated at two precisions, verify/base/precision.py), each of which runs its own Newton."""

    from scipy.optimize import brentq

    warm: list = [None]

    def margin(log_r: float) -> float:
        x, lam = float_point(KA, KB, float(EH), float(EW), float(np.exp(log_r)), "collapsed", warm)
        return 4 * lam[0] * lam[1] - 1

    lo, hi = 0.0, np.log(2.0)
    while margin(hi) < 0:
        lo, hi = hi, 2 * hi
        if hi > np.log(R0_BRACKET_LIMIT):
            raise ArithmeticError(
                f"R0 not found: 4 L_H L_W stays below 1 up to R = {np.exp(lo):.3g} (float64's range ends at "
                f"{R0_BRACKET_LIMIT:.0e}); R0 grows like exp(c sqrt(E_H E_W)): try smaller E_H E_W"
            )
    log_r0 = brentq(margin, lo, hi, xtol=1e-9)
    x, lam = float_point(KA, KB, float(EH), float(EW), float(np.exp(log_r0)), "collapsed")
    return x, lam, float(log_r0)


@cache
def r0_root(KA: int, KB: int, EH: Fraction, EW: Fraction, dps: int) -> mpmath.mpf:
    """R0: the collapsed KKT system plus 4 L_H L_W = 1, solved by Newton at dps + 10 digits from the float
    start of :func:`_r0_float_start`."""
    x, lam, log_r0 = _r0_float_start(KA, KB, EH, EW)
    sysm = system(KA, KB, "collapsed")
    with mpmath.workdps(dps + 10):
        eh, ew = to_mpf(EH), to_mpf(EW)
        z = newton(
            lambda *u: sysm["r0"](*u, eh, ew),
            lambda *u: sysm["r0_jac"](*u, eh, ew),
            [*x, *lam, np.exp(log_r0)],
            dps + 10,
            "R0 root",
        )
        return +z[-1]


@cache
def _kkt_float_start(KA: int, KB: int, EH: Fraction, EW: Fraction, Rv: Fraction, phase: str) -> tuple:
    """:func:`float_point` at these exact values: independent of dps, so shared by the two precisions at which
    a reference is evaluated (each still runs its own Newton polish at its own dps)."""
    return float_point(KA, KB, float(EH), float(EW), float(Rv), phase)


@cache
def kkt_point(KA: int, KB: int, EH: Fraction, EW: Fraction, Rv: Fraction, phase: str, dps: int) -> dict:
    """The seven scalars (absent ones 0) solving the KKT system of ``phase`` ('separated' or 'collapsed') at
    ratio ``Rv``, at dps + 10 digits."""
    sysm = system(KA, KB, phase)
    x, lam = _kkt_float_start(KA, KB, EH, EW, Rv, phase)
    with mpmath.workdps(dps + 10):
        args = (to_mpf(Rv), to_mpf(EH), to_mpf(EW))
        z = newton(
            lambda *u: sysm["kkt"](*u, *args),
            lambda *u: sysm["kkt_jac"](*u, *args),
            [*x, *lam],
            dps + 10,
            f"{phase} KKT system",
        )
        point = dict.fromkeys(NAMES, mpmath.mpf(0))
        point.update(zip(sysm["V"], z, strict=False))
    return point


def loss_value(KA: int, KB: int, point: dict, phase: str, R) -> mpmath.mpf:
    """Mean cross-entropy of (15), F / (K_A R + K_B), at a reduced point of ``phase`` (its absent scalars 0)."""
    sysm = system(KA, KB, phase)
    return sysm["F_mp"](*(point[n] for n in sysm["V"]), R) / (KA * R + KB)
