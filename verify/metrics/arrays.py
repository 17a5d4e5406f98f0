"""Input conversion for the metrics: numpy arrays, array-likes and torch tensors on any device.

A torch tensor is recognised by duck typing (its type lives in a ``torch`` module) and brought to the host
with ``.detach().cpu().numpy()``: this package never imports torch. Every statistic is accumulated in
float64 whatever the input dtype; the machine epsilon of the *input* dtype is kept alongside, because it,
not float64's, says which small eigenvalues and norms are indistinguishable from the input's rounding.
"""

from __future__ import annotations

import contextlib

import numpy as np
from threadpoolctl import ThreadpoolController

from verify.base.errors import InputError

#: Epsilon of integer and boolean inputs, which float64 holds exactly (below 2**53).
EXACT_EPS = float(np.finfo(np.float64).eps)


_CONTROLLER: list[ThreadpoolController] = []  # created at first use: one scan of the loaded libraries


def blas_threads(threads: int | None):
    """Context limiting the BLAS pools (numpy's and scipy's) to ``threads``; None: the library default.

    The metrics default to one thread: on a shared machine OpenBLAS's spinning worker threads slow the
    d x d scatter updates by one to two orders of magnitude (benchmarks/bench_metrics.py, ``--threads``),
    as they do the solvers (verify/solvers/threads.py). The controller is built once (a fresh
    ``threadpool_limits`` rescans every loaded library, 3.6 ms a call once torch is imported)."""
    if threads is not None and (isinstance(threads, bool) or not isinstance(threads, int) or threads < 1):
        raise InputError(
            f"threads = {threads!r} is not a positive integer", parameter="threads", fix="1, 2, ... or None"
        )
    if threads is None:
        return contextlib.nullcontext()
    if not _CONTROLLER:
        _CONTROLLER.append(ThreadpoolController())
    return _CONTROLLER[0].limit(limits=threads, user_api="blas")


def is_torch(x) -> bool:
    return type(x).__module__.split(".")[0] == "torch"


def to_numpy(x) -> np.ndarray:
    """The host numpy view of ``x`` (torch tensors: detached, moved to the CPU; bfloat16 widened first)."""
    if is_torch(x):
        x = x.detach()
        if str(x.dtype) == "torch.bfloat16":  # numpy has no bfloat16: float32 holds it exactly
            x = x.float()
        return x.cpu().numpy()
    return np.asarray(x)


#: Machine epsilon of bfloat16 (8 significand bits), which numpy lacks: its tensors are widened to float32.
BFLOAT16_EPS = 2.0**-7


def input_eps(a: np.ndarray, source=None) -> float:
    """Machine epsilon of the input's dtype (bfloat16: 7.8e-3, float16: 9.8e-4, float32: 1.2e-7, float64:
    2.2e-16); ``source`` is the object ``a`` came from (a bfloat16 tensor arrives widened)."""
    if source is not None and is_torch(source) and str(source.dtype) == "torch.bfloat16":
        return BFLOAT16_EPS
    if np.issubdtype(a.dtype, np.floating):
        return float(np.finfo(a.dtype).eps)
    return EXACT_EPS


def raw_matrix(x, name: str, *, rows: int | None = None, cols: int | None = None) -> np.ndarray:
    """The host array of ``x``, checked to be a numeric 2-D array of the given shape (not converted)."""
    raw = to_numpy(x)
    if raw.ndim != 2:
        raise InputError(f"{name}: shape {raw.shape} is not 2-D", parameter=name, fix=f"pass {name} as (rows, dim)")
    if not (np.issubdtype(raw.dtype, np.number) or raw.dtype == bool):
        raise InputError(f"{name}: dtype {raw.dtype} is not numeric", parameter=name, fix="pass numbers")
    if rows is not None and raw.shape[0] != rows:
        raise InputError(f"{name}: {raw.shape[0]} rows, expected {rows}", parameter=name, fix=f"give {rows} rows")
    if cols is not None and raw.shape[1] != cols:
        raise InputError(
            f"{name}: width {raw.shape[1]} does not match the features' dimension {cols}",
            parameter=name,
            fix=f"give {name} {cols} columns",
        )
    return raw


def as_float64(raw: np.ndarray, name: str) -> np.ndarray:
    """float64 copy (or view) of a checked array; a NaN or inf is an InputError naming ``name``."""
    a = np.asarray(raw, dtype=np.float64)
    if not np.all(np.isfinite(a)):
        raise InputError(f"{name}: contains NaN or inf", parameter=name, fix=f"pass finite {name}")
    return a


def as_matrix(x, name: str, *, rows: int | None = None, cols: int | None = None) -> tuple[np.ndarray, float]:
    """(float64 2-D array, epsilon of the input dtype); a one-line InputError for a wrong shape or a NaN."""
    raw = raw_matrix(x, name, rows=rows, cols=cols)
    return as_float64(raw, name), input_eps(raw, x)


def as_vector(x, name: str, length: int) -> np.ndarray:
    raw = to_numpy(x)
    a = np.asarray(raw, dtype=np.float64).reshape(-1)
    if a.shape[0] != length:
        raise InputError(f"{name}: length {a.shape[0]}, expected {length}", parameter=name, fix=f"give {length} values")
    if not np.all(np.isfinite(a)):
        raise InputError(f"{name}: contains NaN or inf", parameter=name, fix=f"pass finite {name}")
    return a


def as_labels(y, n: int) -> np.ndarray:
    """Labels as a 1-D numpy array of length n: any sortable values (integers need not be contiguous)."""
    a = np.asarray(to_numpy(y)).reshape(-1)
    if a.shape[0] != n:
        raise InputError(f"labels: {a.shape[0]} labels for {n} feature rows", parameter="labels", fix="one label a row")
    if np.issubdtype(a.dtype, np.floating):
        if not np.all(np.isfinite(a)) or np.any(a != np.round(a)):
            raise InputError("labels: non-integer float labels", parameter="labels", fix="pass integer class labels")
        a = a.astype(np.int64)
    return a
