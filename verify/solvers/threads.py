"""Run the dense solvers with single-threaded BLAS.

The problems here are tiny (tens to hundreds of unknowns): SLSQP's inner linear algebra gains nothing from
threads, and on a loaded machine OpenBLAS's spinning worker threads slow it down by orders of magnitude
(measured: the same 8-start solve of Fang et al. (12), K = 5, n = 1, p = 6, takes 0.1 s single-threaded and
1 to 18 s with two BLAS threads on a 2-core machine running other jobs). ``threadpoolctl`` (a core
dependency) limits the threads of the BLAS libraries numpy and scipy already loaded.
:func:`verify.solvers.pipeline.solve_constrained` always runs inside this limit; solvers that call
``multistart`` or ``refine_kkt`` directly wrap their float work in :func:`single_threaded_blas`.
"""

from __future__ import annotations

from threadpoolctl import threadpool_limits


def single_threaded_blas() -> threadpool_limits:
    """A context manager limiting BLAS/OpenMP pools to one thread inside the block.

    threadpoolctl limits the libraries loaded when the block is entered, so scipy's own OpenBLAS (which SLSQP
    and L-BFGS-B call) is loaded first: scipy is imported lazily, and a first solve that imported it inside
    the block would run with a multi-threaded scipy BLAS (measured: its last bits then differ from every
    later solve's, so a point's refined errors depended on whether it was its process's first solve)."""
    import scipy.linalg  # noqa: F401  (loads scipy's BLAS before the limit is applied)

    return threadpool_limits(limits=1)
