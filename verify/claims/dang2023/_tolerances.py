"""The tolerances the three dang2023 claims share (Dang et al. 2023; budgets of issue 18, tests/test_tolerances.py).

Each claim measures its own Newton-matrix condition over its pinned and drawn points and passes it in: the
reason states the figure measured for that claim, the budget allows 1e2 for all three."""

from verify import authoring as a


def geometry_tolerance(measured_condition: int):
    """Singular values and Gram entries: the refined point's forward error, residual 10^-(dps-5) times the
    condition off the rotation orbit (``measured_condition`` at dps 30): 5 + 2 + 1 spare = 8 guard digits."""
    return a.tolerance(
        8,
        "singular values, Gram entries (and predictions) carry the point's forward error, (residual 10^-(dps-5)) x "
        "(condition of the Newton matrix off the rotation orbit, measured at most "
        f"{measured_condition} over the pinned and drawn points at dps 30, which "
        "the strategy keeps away from the thresholds): 5 + 2 + 1 spare = 8 guard digits",
        a.ErrorBudget(5, 1e2, 1, residuals=("kkt_stationarity",), condition=("kkt_condition",)),
    )


#: which classes live: 0 or 1 on both sides, decided on the refined point's singular values
ALIVE_TOL = a.tolerance(
    0,
    "0 or 1 on both sides, decided on the refined point's singular values (forward error below 10^-(dps-8), the "
    "geometry's budget) against a cut at 10^-(dps/2) sqrt(n_k), while a living class stays >= 1% of sqrt(n_k) "
    "above it: exact, no guard digit",
    a.ErrorBudget(5, 1e2, 0, residuals=("kkt_stationarity",), condition=("kkt_condition",), exact=True),
)
