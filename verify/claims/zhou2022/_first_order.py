"""Exploration for zhou2022.fl: where phi is not monotone (large K), the focal-loss transition is first order.

On the scalar reduction g(a) = -(1-q)^gamma log q + (K-1) s a, q = 1/(1 + (K-1)e^{-a}) (the NC form the paper
proves, THEOREMS-NEXT.md D, row ``zhou2022.fl_first_order``), three values of t = K s are computed at 30 digits
by root solves, none typed in: kappa (the origin turns into a strict local minimum), t_global (the best nonzero
stationary value equals g(0) = (1 - 1/K)^gamma log K) and t_gone (the nonzero branch disappears: (K-1) s =
max phi). Between kappa and t_global the NC point is global while the origin is a strict local minimum. This is
the scalar problem only; the original program at K = 50 (5000 unknowns) is beyond the dense solver.
"""

from __future__ import annotations

import mpmath

from verify.record import Finding


def _q(a, K):
    return 1 / (1 + (K - 1) * mpmath.exp(-a))


def _phi(a, g, K):
    """phi at the gap a (q = own-class probability; 1 - q computed without cancellation)."""
    e = (K - 1) * mpmath.exp(-a)
    q, c = 1 / (1 + e), e / (1 + e)
    return c**g * (c - g * q * mpmath.log(q))


def _g(a, g, K, t):
    """g(a) with (K-1) s = (K-1) t / K; the loss -(1-q)^gamma log q with log q = -log1p((K-1)e^{-a})."""
    e = (K - 1) * mpmath.exp(-a)
    return (e / (1 + e)) ** g * mpmath.log1p(e) + (K - 1) * t / K * a


def _bisect(f, lo, hi, steps: int):
    """A sign change of f on [lo, hi] halved ``steps`` times (robust where f is flat)."""
    flo = f(lo)
    for _ in range(steps):
        mid = (lo + hi) / 2
        fm = f(mid)
        if (fm > 0) == (flo > 0):
            lo, flo = mid, fm
        else:
            hi = mid
    return (lo + hi) / 2


def thresholds(K: int, gamma, dps: int = 30) -> dict:
    """kappa, t_global and t_gone (module docstring) at ``dps`` digits, by bisection in the gap a."""
    steps = int(3.33 * (dps + 5)) + 10
    with mpmath.workdps(dps + 10):
        K, g = int(K), mpmath.mpf(gamma)
        kappa = (1 - mpmath.mpf(1) / K) ** g * (1 + g * mpmath.log(K) / (K - 1))
        top = 3 * mpmath.log(K) + 60  # phi(a) < 1e-20 beyond: no branch ends there
        grid = [top * i / 4000 for i in range(1, 4000)]
        i_max = max(range(len(grid)), key=lambda i: _phi(grid[i], g, K))
        monotone = i_max == 0 and _phi(grid[0], g, K) < (K - 1) * kappa / K
        if monotone:
            return {"kappa": +kappa, "t_global": +kappa, "t_gone": +kappa, "monotone": True}
        dphi = lambda a: mpmath.diff(lambda x: _phi(x, g, K), a)  # noqa: E731
        a_max = _bisect(dphi, grid[max(i_max - 1, 0)], grid[i_max + 1], steps)
        t_gone = K * _phi(a_max, g, K) / (K - 1)

        def best_gap(t):  # g at the root beyond the maximum (the nonzero local minimum) minus g(0)
            a = _bisect(lambda x: _phi(x, g, K) - (K - 1) * t / K, a_max, top, steps)
            return _g(a, g, K, t) - _g(mpmath.mpf(0), g, K, t)

        t_global = _bisect(best_gap, kappa, t_gone, steps)
        return {"kappa": +kappa, "t_global": +t_global, "t_gone": +t_gone, "monotone": False}


def first_order(cases=((50, 2), (20, 2), (100, 1), (5, 2))) -> Finding:
    rows = []
    for K, gamma in cases:
        th = thresholds(K, gamma)
        rows.append(
            {
                "K": str(K),
                "gamma": str(gamma),
                "kappa (origin stable beyond)": mpmath.nstr(th["kappa"], 10),
                "t_global (NC = zero)": mpmath.nstr(th["t_global"], 10) if not th["monotone"] else "= kappa",
                "t_gone (no nonzero branch)": mpmath.nstr(th["t_gone"], 10) if not th["monotone"] else "= kappa",
            }
        )
    return Finding(
        "On the scalar reduction (30 digits, bisection in the gap): for K = 50, gamma = 2 the origin becomes a strict local "
        "minimum at K s = kappa, the NC point stays global up to t_global > kappa, and the nonzero branch vanishes "
        "at t_gone: a first-order transition with coexisting minima, outside zhou2022.fl's hypothesis (phi "
        "decreasing). For small K, phi decreases and the three coincide.",
        tuple(rows),
    )
