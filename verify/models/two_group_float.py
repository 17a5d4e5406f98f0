"""float64 fast path of :class:`verify.models.two_group.TwoGroupProgram` (Fang et al. 2021, program (15)
reduced to seven scalars): objective, gradient, constraints and their Jacobian for the multistart's inner loop.

The same operations in the same order as the generic code of ``two_group.py`` (so bit-for-bit the same
numbers: tests/test_solvers.py compares them), without its per-call dicts and Fraction conversions.
"""

from __future__ import annotations

import numpy as np

NAMES = ("p_A", "q_A", "p_B", "q_B", "s_A", "s_B", "d")


def _setup(prog) -> tuple:
    """(K_A w_A, K_B w_B, E_H, E_W, K_A K_B / K, positions of the free scalars), cached on the program."""
    fc = prog.__dict__.get("_fast_constants")
    if fc is None:
        EH, EW, KAB, (wA, wB) = prog._float_constants
        fc = (prog.K_A * wA, prog.K_B * wB, EH, EW, KAB, tuple(NAMES.index(n) for n in prog.free))
        prog.__dict__["_fast_constants"] = fc
    return fc


def _values(prog, x) -> tuple:
    fc, v = _setup(prog), [0.0] * 7
    for i, val in zip(fc[5], list(x), strict=True):
        v[i] = val
    return fc, v


def _parts(prog, x) -> tuple:
    fc, v = _values(prog, x)
    pA, qA, pB, qB, sA, sB, d = v
    KA, KB = prog.K_A, prog.K_B
    xA, xB = pA * qA, pB * qB
    e1, e2 = np.exp(-KA * xA / (KA - 1)) if KA > 1 else 0.0, np.exp(-sA * d - xA)
    e3, e4 = np.exp(-KB * xB / (KB - 1)) if KB > 1 else 0.0, np.exp(-sB * d - xB)
    return fc, v, e1, e2, e3, e4, 1 + (KA - 1) * e1 + KB * e2, 1 + (KB - 1) * e3 + KA * e4


def objective(prog, x):
    fc, _, _, _, _, _, DA, DB = _parts(prog, x)
    return fc[0] * np.log(DA) + fc[1] * np.log(DB)


def gradient(prog, x) -> np.ndarray:
    fc, (pA, qA, pB, qB, sA, sB, d), e1, e2, e3, e4, DA, DB = _parts(prog, x)
    KA, KB = prog.K_A, prog.K_B
    cA, cB = fc[0] / DA, fc[1] / DB
    dxA, dxB = -(KA * e1 + KB * e2) * cA, -(KB * e3 + KA * e4) * cB
    gs = (dxA * qA, dxA * pA, dxB * qB, dxB * pB, -KB * e2 * d * cA, -KA * e4 * d * cB)
    g = (*gs, -KB * e2 * sA * cA - KA * e4 * sB * cB)
    return np.array([g[i] for i in fc[5]])


def constraints(prog, x) -> np.ndarray:
    fc, (pA, qA, pB, qB, sA, sB, d) = _values(prog, x)
    KA, KB, K = prog.K_A, prog.K_B, prog.K
    gH = (KA * (sA**2 + pA**2) + KB * (sB**2 + pB**2)) / K - fc[2]
    return np.array([gH, (KA * qA**2 + KB * qB**2 + fc[4] * d**2) / K - fc[3]], dtype=float)


def constraint_jacobian(prog, x) -> np.ndarray:
    fc, (pA, qA, pB, qB, sA, sB, d) = _values(prog, x)
    KA, KB, K = prog.K_A, prog.K_B, prog.K
    jH = (2 * KA * pA, 0.0, 2 * KB * pB, 0.0, 2 * KA * sA, 2 * KB * sB, 0.0)
    jW = (0.0, 2 * KA * qA, 0.0, 2 * KB * qB, 0.0, 0.0, 2 * fc[4] * d)
    return np.array([[jac[i] / K for i in fc[5]] for jac in (jH, jW)], dtype=float)
