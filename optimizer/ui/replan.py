"""Fast re-planning for the app: district plans cached by their inputs, one persistent pool.

`run_plan` solves districts through an executor (`map(fn, items)`, items are tuples whose first
element is a `DistrictInput`). `CachingExecutor` answers each item from `DistrictPlanCache` when
the same district subproblem was solved before, and sends only the others to the workers. A
what-if that changes one district therefore re-solves that district only; the rest of
`run_plan` (the fair baseline and the proportional rule, the simulation of each) still runs in full.

A district subproblem is keyed by everything `DistrictModel` reads: the scenario's settings, the
district's row and its wards' rows, the city reserve, every field of its `DistrictInput` (wards,
arrivals, officer budgets, start state, pinned decisions, ceilings, ...) and the task's other
arguments. If the model starts reading other scenario data, add it to `task_key`
(tests/test_app_ui.py checks cached and uncached plans agree).
"""

from __future__ import annotations

import dataclasses
import hashlib
import multiprocessing
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

import numpy as np
import pandas as pd

from ..capacity.model import DistrictInput
from ..kept_plans import update_with_array
from ..planner import SolveOptions, run_plan
from ..result import PlanResult
from ..scenario import Scenario
from ..simulation import Decisions
from ..staffing import DistrictBudget


def _frame_digest(frame: pd.DataFrame) -> bytes:
    """The rows' hashes of a few rows of a scenario table. As Python objects: hashing Arrow
    strings lets go of the interpreter lock and waits to get it back behind the plan's
    references (a thread beside the districts) dozens of times a re-plan."""
    return pd.util.hash_pandas_object(frame.reset_index().astype(object), index=False).to_numpy().tobytes()


def _value_digest(digest, value) -> None:
    """Feed one field of a district's input to the digest: arrays, decisions, budgets, numbers."""
    if isinstance(value, Decisions):
        for name in Decisions.FIELDS:
            update_with_array(digest, getattr(value, name))
        update_with_array(digest, value.call_shift)
    elif isinstance(value, DistrictBudget):
        digest.update(repr([tuple(sorted(s)) for s in value.role_sets]).encode())
        for name in ("per_shift", "per_day", "per_week_hours", "headcount"):
            update_with_array(digest, getattr(value, name))
        for length, days in value.work_day_windows:
            digest.update(str(length).encode())
            update_with_array(digest, days)
    elif value is None or isinstance(value, np.ndarray):
        update_with_array(digest, value)
    else:
        digest.update(repr(value).encode())


def task_key(fn: Callable, item) -> str | None:
    """A key naming one district subproblem, or None when the item is not one."""
    if not isinstance(item, tuple) or not item or not isinstance(item[0], DistrictInput):
        return None
    data: DistrictInput = item[0]
    scenario = data.scenario
    digest = hashlib.blake2b(digest_size=20)
    digest.update(f"{fn.__module__}.{fn.__qualname__}|{data.district_code}|{data.first_day}|".encode())
    digest.update(repr(item[1:]).encode())
    digest.update(scenario.settings.model_dump_json().encode())
    digest.update(str(scenario.city_mobile_kits).encode())
    digest.update(_frame_digest(scenario.districts.loc[[data.district_code]]))
    digest.update(_frame_digest(scenario.wards.iloc[data.ward_index]))
    for item_field in dataclasses.fields(DistrictInput):     # every input the model reads
        if item_field.name in ("scenario", "district_code", "first_day"):
            continue
        digest.update(item_field.name.encode())
        _value_digest(digest, getattr(data, item_field.name))
    return digest.hexdigest()


class LruStore:
    """A thread-safe least-recently-used mapping with hit and miss counts."""

    def __init__(self, max_entries: int):
        self.max_entries = max_entries
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key):
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                self.hits += 1
                return self._items[key]
            self.misses += 1
            return None

    def put(self, key, value) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)

    def __contains__(self, key) -> bool:
        with self._lock:
            return key in self._items

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.hits = self.misses = 0


class DistrictPlanCache(LruStore):
    """District plans (and LP values) by `task_key`. Hà Nội's 30 plans take a few MB."""

    def __init__(self, max_entries: int = 2000):
        super().__init__(max_entries)


def _exit_with_parent(parent: int) -> None:
    """Worker initializer: end this worker if the app server that started it goes away."""
    import os
    import time

    def watch():
        while True:
            try:
                os.kill(parent, 0)
            except ProcessLookupError:
                os._exit(0)
            except PermissionError:
                pass
            time.sleep(2.0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def socket_inodes() -> frozenset[str]:
    """The sockets this process holds open, as the kernel names them (`socket:[inode]`).

    Linux only (reads /proc/self/fd); elsewhere an empty set. A worker that holds none of the
    server's sockets cannot keep a browser's connection open after the server closed it."""
    import os
    found = set()
    try:
        names = os.listdir("/proc/self/fd")
    except OSError:
        return frozenset()
    for name in names:
        try:
            target = os.readlink(f"/proc/self/fd/{name}")
        except OSError:
            continue
        if target.startswith("socket:"):
            found.add(target)
    return frozenset(found)


class WorkerPool:
    """A process pool kept alive between plans (no start-up cost per batch of districts).

    Workers come from multiprocessing's fork server, a fresh process started once, so they
    hold none of the app server's sockets. (Forked from the server, a worker kept copies of
    the browser's open connections: the server's close then never reached the browser, and a
    tab that had used up its six connections to the host hung.) The fork server imports the
    page's main module once (`app.py` lays out no page when imported under another name), so
    the workers start with the models already imported; a worker ends if the server that
    started it dies. A broken pool is replaced on the next call."""

    START_METHOD = "forkserver"

    def __init__(self, workers: int):
        self.workers = max(1, int(workers))
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def _ensure(self) -> ProcessPoolExecutor:
        import os
        with self._lock:
            if self._pool is None:
                context = multiprocessing.get_context(self.START_METHOD)
                self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=context,
                                                 initializer=_exit_with_parent, initargs=(os.getpid(),))
            return self._pool

    def map(self, fn, items) -> list:
        pool = self._ensure()
        try:
            return list(pool.map(fn, items))
        except BrokenProcessPool:
            with self._lock:
                self._pool = None
            raise

    def submit(self, fn, item) -> Future:
        """Start `fn(item)` on a worker; its future's result raises BrokenProcessPool when the
        worker died (the pool is then replaced on the next call)."""
        pool = self._ensure()
        try:
            return pool.submit(fn, item)
        except BrokenProcessPool:
            with self._lock:
                self._pool = None
            raise

    def forget_broken(self) -> None:
        with self._lock:
            self._pool = None

    def shutdown(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = None


class CachingExecutor:
    """`map` for `plan_capacity`: cached district results first, the rest on the pool.

    Without a pool the work runs in this process. With one, even a one-district re-plan goes to
    a worker: this process meanwhile works out the plan's references (`run_plan`), and sending
    the district's input costs milliseconds."""

    def __init__(self, cache: DistrictPlanCache, pool: WorkerPool | None = None):
        self.cache = cache
        self.pool = pool
        self.solved = 0     # subproblems actually solved through this executor
        self.reused = 0     # answered from the cache

    def map(self, fn, items, *, on_done=None, should_stop=None):
        """Results in input order. Each item's key is worked out in turn and a miss goes to a
        worker at once, so the workers solve while the other keys are hashed (the largest
        districts come first); with a stop to watch, at most a pool's worth is in flight and
        none is started once it is asked for (their results are None)."""
        items = list(items)
        results: list = [None] * len(items)
        keys: list[str | None] = [None] * len(items)
        in_flight = len(items) if should_stop is None else (self.pool.workers if self.pool else 1)
        pending: dict[Future, int] = {}
        stopped = False

        def finish(i: int, value) -> None:
            results[i] = value
            if keys[i] is not None:
                self.cache.put(keys[i], value)
            self.solved += 1

        def collect(return_when) -> None:
            done, _ = wait(list(pending), return_when=return_when)
            for future in sorted(done, key=pending.__getitem__):
                i = pending.pop(future)
                try:
                    finish(i, future.result())
                except BrokenProcessPool:
                    if self.pool is not None:
                        self.pool.forget_broken()
                    raise

        for i, item in enumerate(items):
            keys[i] = task_key(fn, item)
            cached = self.cache.get(keys[i]) if keys[i] is not None else None
            if cached is not None:
                results[i] = cached
                self.reused += 1
                continue
            stopped = stopped or bool(should_stop and should_stop())
            if stopped:
                continue
            if self.pool is None:
                finish(i, fn(item))
                continue
            while len(pending) >= in_flight:
                collect(FIRST_COMPLETED)
            pending[self.pool.submit(fn, item)] = i
        while pending:
            collect(FIRST_COMPLETED)
        if on_done:
            for i, value in enumerate(results):
                if value is not None:
                    on_done(i, value)
        return results


def run_key(scenario: Scenario, *, time_limit_seconds: float | None = None, seed: int | None = None) -> str:
    """Names a complete plan: the scenario's input hash and the solve parameters."""
    solver = scenario.settings.solver
    limit = solver.time_limit_seconds if time_limit_seconds is None else time_limit_seconds
    return f"{scenario.input_hash}-t{limit:g}-s{solver.seed if seed is None else seed}"


def plan(scenario: Scenario, *, cache: DistrictPlanCache, pool: WorkerPool | None = None,
         workers: int | None = None, time_limit_seconds: float | None = None, seed: int | None = None,
         progress=None, should_stop=None, with_roster: bool = False) -> PlanResult:
    """`run_plan` through a `CachingExecutor`; the result's timings gain the districts solved
    and reused."""
    executor = CachingExecutor(cache, pool)
    result = run_plan(scenario, SolveOptions(workers=workers or (pool.workers if pool else 1),
                                             time_limit_seconds=time_limit_seconds, seed=seed, progress=progress,
                                             should_stop=should_stop, with_roster=with_roster, executor=executor))
    result.timings["district_solves"] = executor.solved
    result.timings["district_reuses"] = executor.reused
    return result
