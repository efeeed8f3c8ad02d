"""Run many independent tasks: serially, in a local process pool, or on Dask distributed.

One function, :func:`iter_tasks`, runs ``fn(task)`` for every task and yields
``(index, result)`` as each finishes, whatever the executor:

``serial``
    in this process, in order (tests, debugging).
``process`` (the default)
    a local :class:`concurrent.futures.ProcessPoolExecutor`. A worker process that
    dies (killed, out of memory) breaks the pool; the tasks not yet finished are
    submitted again to a new pool, up to ``retries`` times each, so no task is lost.
``dask``
    :mod:`dask.distributed` (an optional extra: ``pip install ".[dask]"``): a
    ``LocalCluster`` of ``workers`` single-threaded processes, or the running
    cluster at ``scheduler`` (``tcp://HOST:8786``, or ``DASK_SCHEDULER_ADDRESS``).
    Dask reschedules the tasks of a worker that dies; ``retries`` more attempts
    are allowed for a task that raises.

Tasks and results cross process boundaries by pickling: they hold validated
inputs and plain results, never solver objects.
"""

from __future__ import annotations

import contextlib
import os
from typing import Any, Callable, Iterator, Sequence

from planner.load import InputError, did_you_mean

EXECUTORS = ("process", "serial", "dask")
RETRIES = 2  # further attempts of a task whose worker died


class WorkerLost(RuntimeError):
    """A task's worker died more often than the retries allow."""


def usable_cpus() -> int:
    """CPUs this process may run on (its affinity mask where the system has one, else every CPU)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def default_workers() -> int:
    """Workers run at once by default: two, or one where the process may use only one CPU."""
    return min(2, usable_cpus())


def _dask_missing() -> InputError:
    return InputError("--executor", "dask", "dask.distributed is not installed (it is optional, not a dependency "
                      "of the planner): pip install 'dask[distributed]' (or pip install \".[dask]\"), "
                      "or use --executor process")


def dask_client(workers: int, scheduler: str | None = None):
    """A Dask client: the cluster at ``scheduler`` (or ``DASK_SCHEDULER_ADDRESS``), else a new LocalCluster.

    The LocalCluster has ``workers`` worker processes of one thread each and no dashboard; its
    workers, like those of a running cluster, must be able to read the site files.
    """
    try:
        import dask
        from dask.distributed import Client
    except ImportError:
        raise _dask_missing() from None
    address = scheduler or dask.config.get("scheduler-address", None)
    if address:
        try:
            return Client(address, timeout=10)
        except (OSError, TimeoutError) as err:
            raise InputError("--scheduler", address, f"cannot reach the Dask scheduler: {err}") from None
    return Client(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)


def check_executor(executor: str, workers: int | None, scheduler: str | None = None) -> None:
    """Refuse an unknown executor, a bad worker count, a scheduler without Dask or a missing dask, before any work."""
    if executor not in EXECUTORS:
        raise InputError("--executor", executor, f"unknown executor{did_you_mean(executor, EXECUTORS)}")
    if workers is not None and workers < 1:
        raise InputError("--workers", str(workers), "expected a whole number of workers >= 1")
    if scheduler is not None and executor != "dask":
        raise InputError("--scheduler", scheduler, "a scheduler address needs --executor dask")
    if scheduler is not None and not scheduler.strip():
        raise InputError("--scheduler", scheduler, "expected an address such as tcp://HOST:8786")
    if executor == "dask":
        try:
            import dask.distributed  # noqa: F401
        except ImportError:
            raise _dask_missing() from None


def stop_pool(pool) -> None:
    """Cancel what has not started and terminate the worker processes, waiting briefly for each."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in processes:
        try:
            proc.terminate()
        except (OSError, AttributeError):
            pass
    for proc in processes:
        try:
            proc.join(timeout=2.0)
            if proc.is_alive():
                proc.kill()
                proc.join(timeout=1.0)
        except (OSError, AttributeError, AssertionError):
            pass


def _iter_pool(fn: Callable, tasks: Sequence, workers: int, retries: int) -> Iterator[tuple[int, Any]]:
    """The process pool; a broken pool (a worker died) is replaced and the unfinished tasks resubmitted."""
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    from planner.processes import init_worker

    pending = list(range(len(tasks)))
    attempts = [0] * len(tasks)
    while pending:
        pool = ProcessPoolExecutor(max_workers=min(workers, len(pending)), initializer=init_worker)
        broken = False
        try:
            futures = {pool.submit(fn, tasks[i]): i for i in pending}
            for f in as_completed(futures):
                i = futures[f]
                try:
                    result = f.result()
                except BrokenProcessPool:
                    broken = True
                    break
                pending.remove(i)
                yield i, result
        except BaseException:
            # an interrupt (Ctrl-C, SIGTERM) or a failure: stop every worker now, not after its task
            stop_pool(pool)
            raise
        if not broken:
            pool.shutdown(wait=True)
            continue
        stop_pool(pool)
        for i in pending:
            attempts[i] += 1
        lost = [i for i in pending if attempts[i] > retries]
        if lost:
            raise WorkerLost(f"a worker process died {retries + 1} times while running task {lost[0]}; "
                             "the results finished so far are kept")


def _iter_dask(fn: Callable, tasks: Sequence, workers: int, scheduler: str | None, retries: int,
               client=None) -> Iterator[tuple[int, Any]]:
    from contextlib import nullcontext

    from dask.distributed import as_completed as dask_completed

    with nullcontext(client) if client is not None else dask_client(workers, scheduler) as client:
        futures = client.map(fn, list(tasks), pure=False, retries=retries)
        index = {f.key: i for i, f in enumerate(futures)}
        try:
            for f in dask_completed(futures):
                yield index[f.key], f.result()
        finally:
            client.cancel(futures)


@contextlib.contextmanager
def session(executor: str, workers: int | None = None, scheduler: str | None = None):
    """Keyword arguments of :func:`iter_tasks` for several runs on the same workers.

    With Dask, one client (one LocalCluster, or one connection to the scheduler) serves every run
    made inside the block; the other executors start their workers per run.
    """
    check_executor(executor, workers, scheduler)
    kw = {"executor": executor, "workers": workers, "scheduler": scheduler}
    if executor != "dask":
        yield kw
        return
    with dask_client(workers or default_workers(), scheduler) as client:
        yield {**kw, "client": client}


def iter_tasks(fn: Callable, tasks: Sequence, *, executor: str = "process", workers: int | None = None,
               scheduler: str | None = None, retries: int = RETRIES, client=None) -> Iterator[tuple[int, Any]]:
    """Run ``fn`` on every task; yield ``(index into tasks, result)`` as each finishes.

    Parameters
    ----------
    fn : callable
        A module-level function (it is pickled by reference for the workers).
    tasks : sequence
        Picklable task objects.
    executor : {"process", "serial", "dask"}
    workers : int, optional
        Worker processes (default :func:`default_workers`); ignored with a running Dask scheduler.
    scheduler : str, optional
        Address of a running Dask scheduler (``executor="dask"`` only).
    retries : int
        Further attempts of a task whose worker died.
    client : dask.distributed.Client, optional
        A client to run on (see :func:`session`); by default each run starts its own.

    Raises
    ------
    InputError
        Unknown executor, bad worker count, Dask missing or unreachable.
    WorkerLost
        A task's worker died more than ``retries`` times (process pool).
    """
    check_executor(executor, workers, scheduler)
    if not tasks:
        return
    n = min(workers or default_workers(), len(tasks))
    if executor == "serial":
        for i, task in enumerate(tasks):
            yield i, fn(task)
    elif executor == "process":
        yield from _iter_pool(fn, tasks, n, retries)
    else:
        yield from _iter_dask(fn, tasks, n, scheduler, retries, client)


def run_tasks(fn: Callable, tasks: Sequence, *, executor: str = "process", workers: int | None = None,
              scheduler: str | None = None, progress: Callable[[int, Any], None] | None = None,
              retries: int = RETRIES) -> list:
    """Run ``fn`` on every task (see :func:`iter_tasks`); the results in the order of ``tasks``.

    ``progress(index, result)`` is called as each task finishes.
    """
    out: list = [None] * len(tasks)
    for i, result in iter_tasks(fn, tasks, executor=executor, workers=workers, scheduler=scheduler,
                                retries=retries):
        out[i] = result
        if progress:
            progress(i, result)
    return out


__all__ = ["EXECUTORS", "WorkerLost", "default_workers", "usable_cpus", "dask_client", "check_executor", "stop_pool",
           "iter_tasks", "run_tasks", "session"]
