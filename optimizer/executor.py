"""One interface for running independent district subproblems: serial or local processes.

`make_executor(workers)` gives the local default; a cluster back end only has to provide the
same `map(fn, items)` (ordered results), e.g. over Ray or Dask, without touching the models.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from typing import Callable, Iterable, Protocol


class Executor(Protocol):
    def map(self, fn: Callable, items: Iterable, *, on_done: Callable | None = None) -> list: ...


class SerialExecutor:
    """Runs subproblems one after another in this process."""

    def map(self, fn, items, *, on_done=None):
        results = []
        for i, item in enumerate(items):
            results.append(fn(item))
            if on_done:
                on_done(i, results[-1])
        return results


class LocalProcessExecutor:
    """Runs subproblems in `workers` local processes; results come back in input order."""

    def __init__(self, workers: int):
        self.workers = workers

    def map(self, fn, items, *, on_done=None):
        items = list(items)
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=self.workers, mp_context=context) as pool:
            futures = [pool.submit(fn, item) for item in items]
            results = []
            for i, future in enumerate(futures):
                results.append(future.result())
                if on_done:
                    on_done(i, results[-1])
        return results


def make_executor(workers: int) -> Executor:
    return SerialExecutor() if workers <= 1 else LocalProcessExecutor(workers)
