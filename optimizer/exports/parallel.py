"""Run an export's independent file writes in forked worker processes.

Each task writes its own files (one district workbook, a batch of officers' calendars), so the
files are the same whatever the number of processes or the order they finish in. The shared
inputs (the enriched roster, the scenario) reach the workers by `fork`, never by pickling; a
platform without `fork`, or `workers` <= 1, runs the tasks in this process.

On Linux each worker asks the kernel to end it when the process that started it dies, so a
run killed with SIGKILL leaves no worker behind writing files.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from ..processes import end_with_parent

_TASK: tuple[Callable, Any] | None = None   # (function, shared inputs), inherited by the workers
_LOCK = threading.Lock()                    # one parallel export at a time per process


def resolve_workers(workers: int | None) -> int:
    """The number of processes to use: `workers`, or all CPUs when it is 0 or negative
    (None means 1, this process only)."""
    if workers is None:
        return 1
    if workers <= 0:
        return os.cpu_count() or 1
    return int(workers)


def run_tasks(function: Callable[[Any, Any], Any], shared: Any, items: Sequence,
              workers: int | None = 1) -> list:
    """`[function(shared, item) for item in items]`, in up to `workers` forked processes.

    Results come back in the order of `items`; an exception in a task is raised here.
    """
    global _TASK
    workers = min(resolve_workers(workers), len(items))
    serial = (workers <= 1 or "fork" not in multiprocessing.get_all_start_methods()
              or _TASK is not None)          # inside a worker already: no nested pools
    if serial or not _LOCK.acquire(blocking=False):   # another thread's export holds the pool
        return [function(shared, item) for item in items]
    try:
        _TASK = (function, shared)
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                 initializer=end_with_parent, initargs=(os.getpid(),)) as pool:
            return list(pool.map(_run, items))
    finally:
        _TASK = None
        _LOCK.release()


def _run(item):
    function, shared = _TASK
    return function(shared, item)
