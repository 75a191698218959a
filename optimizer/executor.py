"""One interface for running independent subproblems: serial, local processes or a Ray cluster.

`make_executor(workers)` gives the local default; `make_executor(workers, kind="ray")` runs the
same `map(fn, items)` (results in input order; `on_done(index, result)` as each one finishes;
items are started in input order, and none is started once `should_stop()` turns true: those
results are None) as Ray tasks, on a local Ray started here or on a cluster joined at `address`. The models never see
which back end runs them: the same function on the same items gives the same results.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import Protocol

from .processes import end_with_parent

EXECUTOR_KINDS = ("local", "ray")


class Executor(Protocol):
    def map(self, fn: Callable, items: Iterable, *, on_done: Callable | None = None,
            should_stop: Callable[[], bool] | None = None) -> list: ...


def in_flight(items: list, limit: int, start: Callable, finished: Callable, result: Callable, *,
              on_done: Callable | None = None, should_stop: Callable[[], bool] | None = None) -> list:
    """Run `items` with at most `limit` started and not yet finished: `start(item)` gives a
    handle, `finished(handles)` waits until some are done and returns those, `result(handle)`
    gives the value. Items start in input order and none once `should_stop()` turns true (their
    results are None); `on_done(index, result)` as each finishes; results in input order."""
    results: list = [None] * len(items)
    pending: dict = {}
    next_item = 0
    while next_item < len(items) or pending:
        while next_item < len(items) and len(pending) < limit:
            if should_stop and should_stop():
                next_item = len(items)
                break
            pending[start(items[next_item])] = next_item
            next_item += 1
        if not pending:
            break
        for handle in sorted(finished(list(pending)), key=pending.__getitem__):
            i = pending.pop(handle)
            results[i] = result(handle)
            if on_done:
                on_done(i, results[i])
    return results


class SerialExecutor:
    """Runs subproblems one after another in this process."""

    def map(self, fn, items, *, on_done=None, should_stop=None):
        items = list(items)
        results: list = [None] * len(items)
        for i, item in enumerate(items):
            if should_stop and should_stop():
                break
            results[i] = fn(item)
            if on_done:
                on_done(i, results[i])
        return results


class LocalProcessExecutor:
    """Runs subproblems in `workers` local processes; results come back in input order.

    One pool for the whole `map`, each worker taking the next item as soon as it is free
    (items given largest first then keep the workers busy to the end); at most `workers` items
    are in flight, so a stop asked for leaves the rest unstarted."""

    def __init__(self, workers: int):
        self.workers = workers

    def map(self, fn, items, *, on_done=None, should_stop=None):
        items = list(items)
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=self.workers, mp_context=context,
                                 initializer=end_with_parent, initargs=(os.getpid(),)) as pool:
            return in_flight(items, self.workers, lambda item: pool.submit(fn, item),
                             lambda futures: wait(futures, return_when=FIRST_COMPLETED)[0],
                             lambda future: future.result(), on_done=on_done, should_stop=should_stop)


class RayExecutor:
    """Runs subproblems as Ray tasks, one CPU each; results come back in input order.

    Joins the Ray already running in this process (a driver or a Ray worker), else the cluster
    at `address`, else starts a local Ray with `workers` CPUs (no dashboard). A task whose worker
    process dies is re-run up to `max_retries` times; a task that raises is not re-run (the
    exception reaches the caller), so retries only repeat work that never finished. `in_flight`
    bounds the tasks submitted and not yet collected, so that results are collected (and can be
    dropped by the caller) as they finish rather than all held at once.
    """

    def __init__(self, workers: int | None = None, *, address: str | None = None, max_retries: int = 3,
                 in_flight: int | None = None):
        import ray

        self.started_here = False
        if not ray.is_initialized():
            if address:
                ray.init(address=address)   # a cluster (host:port, "auto" or ray://): its own settings stand
            else:
                ray.init(num_cpus=workers or os.cpu_count() or 1, include_dashboard=False, log_to_driver=False,
                         configure_logging=False)
                self.started_here = True
        self.workers = workers or int(ray.cluster_resources().get("CPU", 1))
        self.max_retries = max_retries
        self.in_flight = in_flight or max(4, 4 * self.workers)

    def map(self, fn, items, *, on_done=None, should_stop=None):
        import ray

        remote = ray.remote(num_cpus=1, max_retries=self.max_retries, retry_exceptions=False)(fn)
        items = list(items)
        return in_flight(items, self.in_flight, remote.remote, lambda refs: ray.wait(refs, num_returns=1)[0],
                         ray.get, on_done=on_done, should_stop=should_stop)

    def shutdown(self) -> None:
        """Stop the local Ray this executor started (a joined cluster is left running)."""
        import ray

        if self.started_here and ray.is_initialized():
            ray.shutdown()
        self.started_here = False


def make_executor(workers: int | None, kind: str = "local", *, address: str | None = None) -> Executor:
    """The executor for `workers` parallel subproblems: `local` (serial for one worker, else
    forked processes) or `ray` (a local Ray with `workers` CPUs, or the cluster at `address`)."""
    if kind == "ray":
        return RayExecutor(workers, address=address)
    if kind != "local":
        raise ValueError(f"unknown executor {kind!r}: choose one of {', '.join(EXECUTOR_KINDS)}")
    workers = workers or 1
    return SerialExecutor() if workers <= 1 else LocalProcessExecutor(workers)
