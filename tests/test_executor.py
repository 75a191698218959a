"""The executors' `map`: results in input order, each reported once as it finishes, and no item
started once `should_stop()` turns true (those results are None)."""

from __future__ import annotations

import pytest

from optimizer.executor import LocalProcessExecutor, SerialExecutor
from optimizer.ui.replan import CachingExecutor, DistrictPlanCache


def _square(x: int) -> int:
    return x * x


@pytest.mark.parametrize("executor", [SerialExecutor(), LocalProcessExecutor(2)], ids=["serial", "processes"])
def test_map_returns_results_in_input_order_and_reports_each_once(executor):
    seen: list[tuple[int, int]] = []
    results = executor.map(_square, range(7), on_done=lambda i, value: seen.append((i, value)))
    assert results == [0, 1, 4, 9, 16, 25, 36]
    assert sorted(seen) == [(i, i * i) for i in range(7)]


@pytest.mark.parametrize("executor, in_flight", [(SerialExecutor(), 1), (LocalProcessExecutor(2), 2)],
                         ids=["serial", "processes"])
def test_map_starts_nothing_after_a_stop(executor, in_flight):
    """The stop turns true after the first result: only the items already started finish."""
    finished: list[int] = []
    results = executor.map(_square, range(8), on_done=lambda i, value: finished.append(i),
                           should_stop=lambda: bool(finished))
    assert results[0] == 0
    assert 1 <= len(finished) <= in_flight
    assert [i for i, value in enumerate(results) if value is not None] == sorted(finished)
    assert all(value is None for value in results[in_flight:])


def test_map_stopped_at_once_runs_nothing():
    assert LocalProcessExecutor(2).map(_square, range(4), should_stop=lambda: True) == [None] * 4


def test_caching_executor_asks_between_items_without_a_pool():
    executor = CachingExecutor(DistrictPlanCache())
    asked: list[bool] = []

    def stop() -> bool:
        asked.append(True)
        return len(asked) > 2

    done: list[int] = []
    results = executor.map(_square, [3, 4, 5, 6], on_done=lambda i, value: done.append(i), should_stop=stop)
    assert results == [9, 16, None, None] and done == [0, 1] and executor.solved == 2


class _RecordingPool:
    """A pool that runs at once and records when work was handed to it."""

    workers = 2

    def __init__(self, log: list):
        self.log = log

    def submit(self, fn, item):
        from concurrent.futures import Future
        self.log.append(("submit", item))
        future: Future = Future()
        future.set_result(fn(item))
        return future


def test_caching_executor_hands_a_miss_to_the_pool_before_hashing_the_next_item(monkeypatch):
    """The workers solve while the other keys are worked out: each miss is submitted as soon as its key is known."""
    from optimizer.ui import replan
    log: list = []
    monkeypatch.setattr(replan, "task_key", lambda fn, item: log.append(("key", item)) or f"k{item}")
    cache = DistrictPlanCache()
    cache.put("k4", 16)
    results = CachingExecutor(cache, _RecordingPool(log)).map(_square, [3, 4, 5])
    assert results == [9, 16, 25]
    assert log == [("key", 3), ("submit", 3), ("key", 4), ("key", 5), ("submit", 5)]
