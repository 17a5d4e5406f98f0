"""Where tasks run: Dask's distributed scheduler, or local processes when the ``campaigns`` extra is absent.

Both give the same three calls (``submit``, ``wait_any``, ``close``), so a campaign is the same code on a
laptop and on a cluster. Dask: a ``LocalCluster`` of ``workers`` single-threaded worker processes on the
loopback interface, or the scheduler at ``address`` (its workers must have nc-verify installed, and any
``--path`` directory at the same place). A worker that dies mid-task loses nothing: the scheduler runs its
tasks again on another worker, and a task is pure given its spec, so the result is the same.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable

from verify.base.errors import InputError


def dask_available() -> bool:
    try:
        import distributed  # noqa: F401
    except ImportError:
        return False
    return True


class InProcess:
    """Each task run at once in this process: the serial reference for the other executors (tests, benchmarks)."""

    name = "this process"
    workers = 1

    def describe(self) -> str:
        return "this process (no executor)"

    def submit(self, fn: Callable, spec, key: str):
        return fn(spec)

    def wait_any(self, handles: list, timeout: float):
        return list(handles), []

    @staticmethod
    def result(handle):
        return handle

    def close(self) -> None:
        pass


class LocalProcesses:
    """``workers`` spawned processes (concurrent.futures); what runs without the ``campaigns`` extra."""

    name = "local processes"

    def __init__(self, workers: int):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self.workers = workers
        self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))

    def describe(self) -> str:
        return f"{self.workers} local process{'es' if self.workers != 1 else ''} (no Dask: the campaigns extra is not installed)"

    def submit(self, fn: Callable, spec, key: str):
        return self.pool.submit(fn, spec)

    def wait_any(self, handles: list, timeout: float):
        from concurrent.futures import FIRST_COMPLETED, wait

        done, pending = wait(handles, timeout=timeout, return_when=FIRST_COMPLETED)
        return list(done), list(pending)

    @staticmethod
    def result(handle):
        return handle.result()

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


class DaskCluster:
    """A Dask client: on a new ``LocalCluster`` (``address`` None) or on the scheduler at ``address``."""

    name = "dask"

    def __init__(self, workers: int, address: str | None = None):
        from distributed import Client, LocalCluster

        self.cluster = None
        self.address = address
        try:
            if address is None:
                self.cluster = LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                )
                self.client = Client(self.cluster)
            else:
                self.client = Client(address, timeout="20s")
        except OSError as exc:
            raise InputError(
                f"--scheduler {address}: no Dask scheduler answers there ({exc})".splitlines()[0],
                parameter="--scheduler",
                fix="start one with `dask scheduler` and `dask worker ADDRESS`, or leave --scheduler out for a local cluster",
            ) from None
        self.workers = len(self.client.scheduler_info().get("workers", {})) or workers

    def describe(self) -> str:
        where = f"the scheduler at {self.address}" if self.address else "a local cluster"
        return f"Dask, {self.workers} worker{'s' if self.workers != 1 else ''} on {where}"

    def worker_pids(self) -> dict:
        return self.client.run(os.getpid)

    def submit(self, fn: Callable, spec, key: str):
        return self.client.submit(fn, spec, key=key, pure=False)

    def wait_any(self, handles: list, timeout: float):
        from distributed import wait

        try:
            done, pending = wait(handles, timeout=timeout, return_when="FIRST_COMPLETED")
        except TimeoutError:
            return [], list(handles)
        return list(done), list(pending)

    @staticmethod
    def result(handle):
        return handle.result()

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def executor(workers: int, scheduler: str | None, use_dask: bool | None = None):
    """Dask when it is installed (or a scheduler is named), else local processes."""
    if use_dask is None:
        use_dask = dask_available()
    if scheduler is not None and not dask_available():
        raise InputError(
            "--scheduler needs Dask, which is not installed",
            parameter="--scheduler",
            fix='pip install "nc-verify[campaigns]", or leave --scheduler out to run in local processes',
        )
    if use_dask:
        return DaskCluster(workers, scheduler)
    return LocalProcesses(workers)
