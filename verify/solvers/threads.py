"""Run the dense solvers with single-threaded BLAS.

The problems here are tiny (tens to hundreds of unknowns): SLSQP's inner linear algebra gains nothing from
threads, and on a loaded machine OpenBLAS's spinning worker threads slow it down by orders of magnitude
(measured: the same 8-start solve of Fang et al. (12), K = 5, n = 1, p = 6, takes 0.1 s single-threaded and
1 to 18 s with two BLAS threads on a 2-core machine running other jobs). ``threadpoolctl`` limits the
threads of the BLAS libraries numpy and scipy already loaded; when it is not installed nothing changes.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping

from verify.claim import SolveOptions, SolveReport
from verify.solvers.problem import ConstrainedProblem

try:  # a core dependency; guarded so that the solve stays correct (only slower) in an environment without it
    from threadpoolctl import threadpool_limits
except ImportError:  # pragma: no cover
    threadpool_limits = None


@contextlib.contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Limit BLAS/OpenMP pools to one thread inside the block (no-op without threadpoolctl)."""
    if threadpool_limits is None:  # pragma: no cover
        yield
        return
    with threadpool_limits(limits=1):
        yield


def solve_constrained_single_threaded(
    problem: ConstrainedProblem, options: SolveOptions, measure: Callable[..., Mapping[str, tuple]]
) -> SolveReport:
    """:func:`verify.solvers.pipeline.solve_constrained`, which now always runs single-threaded (kept as a name)."""
    from verify.solvers.pipeline import solve_constrained

    return solve_constrained(problem, options, measure)
