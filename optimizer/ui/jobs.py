"""A plan (or roster) computed in a background thread, so the page stays responsive.

The page starts a `PlanJob`, keeps it in its session, and polls `snapshot()` to draw the
progress; a Stop button calls `stop()`, which the solver reads through `should_stop` between
districts and then returns the best plan so far. The thread never touches the page.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..errors import ScenarioError
from ..result import PlanResult
from ..scenario import Scenario
from .whatif import WhatIf

Runner = Callable[[Callable[[str, float], None], Callable[[], bool]], PlanResult]


@dataclass
class RunRecord:
    """A finished plan kept under a name in the session, for viewing and comparing."""

    name: str
    scenario: Scenario
    result: PlanResult
    whatif: WhatIf
    source: str                 # the scenario it came from (bundled folder or upload)
    key: str                    # cache key of the result (input hash and parameters)
    seconds: float              # wall-clock seconds from submit to result
    created: dt.datetime = field(default_factory=lambda: dt.datetime.now().astimezone())   # when computed
    plan_result: PlanResult | None = None   # the plan as first made, once rosters replaced `result`
    kept: bool = False          # read back from the kept plans (computed before, at `created`)

    @property
    def stopped_early(self) -> bool:
        return bool(self.result.stopped_early)


@dataclass
class JobSnapshot:
    fraction: float
    message: str
    seconds: float
    done: bool
    stopping: bool


class PlanJob:
    """One background computation with progress, a stop flag, and a result or an error."""

    def __init__(self, name: str, kind: str, scenario: Scenario, whatif: WhatIf, source: str,
                 key: str, runner: Runner, extra: dict | None = None):
        self.name = name
        self.kind = kind                      # "plan" or "roster"
        self.scenario = scenario
        self.whatif = whatif
        self.source = source
        self.key = key
        self.extra: dict[str, Any] = dict(extra or {})
        self._runner = runner
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._fraction = 0.0
        self._message = ""
        self.log: list[tuple[float, str, float]] = []
        self.result: PlanResult | None = None
        self.error: str | None = None          # one line for the page
        self.error_kind: str | None = None     # "input", "missing" (module not there) or "failure"
        self.input_error: ScenarioError | None = None   # the bad input's error, for the page's language
        self.started = time.perf_counter()
        self.finished: float | None = None
        self.thread = threading.Thread(target=self._run, name=f"plan-job:{name}", daemon=True)

    def start(self) -> PlanJob:
        self.thread.start()
        return self

    # -- called from the worker thread -----------------------------------------------------
    def progress(self, message: str, fraction: float) -> None:
        with self._lock:
            self._message = message
            self._fraction = max(self._fraction, min(1.0, float(fraction)))
            self.log.append((time.perf_counter() - self.started, message, fraction))

    def should_stop(self) -> bool:
        return self._stop.is_set()

    def _run(self) -> None:
        try:
            self.result = self._runner(self.progress, self.should_stop)
        except ScenarioError as exc:
            self.error, self.error_kind = str(exc), "input"
            self.input_error = exc
        except ImportError as exc:
            self.error, self.error_kind = str(exc), "missing"
        except Exception as exc:  # noqa: BLE001 - shown as one line; the traceback goes to the log
            traceback.print_exc()
            self.error, self.error_kind = f"{type(exc).__name__}: {exc}", "failure"
        finally:
            self.finished = time.perf_counter()

    # -- called from the page ----------------------------------------------------------------
    def stop(self) -> None:
        self._stop.set()

    @property
    def done(self) -> bool:
        return self.finished is not None

    @property
    def seconds(self) -> float:
        return (self.finished or time.perf_counter()) - self.started

    def snapshot(self) -> JobSnapshot:
        with self._lock:
            return JobSnapshot(self._fraction, self._message, self.seconds, self.done, self._stop.is_set())

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the job ends (tests); True when it did."""
        self.thread.join(timeout)
        return self.done

    def record(self) -> RunRecord:
        """The finished job as a run to keep (raises if it has no result)."""
        if self.result is None:
            raise RuntimeError(f"job '{self.name}' has no result: {self.error}")
        key = self.key if not self.result.stopped_early else f"{self.key}-stopped-{id(self.result)}"
        return RunRecord(name=self.name, scenario=self.scenario, result=self.result, whatif=self.whatif,
                         source=self.source, key=key, seconds=self.seconds)
