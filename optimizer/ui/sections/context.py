"""What every section of the page needs: the language, the session state and the app's settings."""

from __future__ import annotations

import os
import time
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...scenario import Scenario
from ..formatting import date_text
from ..i18n import TEXT, translate


@dataclass(frozen=True)
class AppSettings:
    """The app's settings, read once per page run from the environment.

    PLANNER_SCENARIO: the bundled scenario shown first; PLANNER_BAND_RUNS: simulations behind the
    coverage band; PLANNER_POLL_SECONDS: how often the page reruns while a job runs (0: never,
    the tests drive it); PLANNER_POOL_MIN_WARDS: scenarios with at least this many wards are
    solved on the worker pool, smaller ones in the server process."""

    root: Path
    default_scenario: str = "scenarios/hanoi-2022"
    band_runs: int = 40
    poll_seconds: float = 0.5
    pool_min_wards: int = 60
    nightly_roster_all_rows: int = 5000    # a larger stored roster opens on its first district
    run_started: float = field(default_factory=time.perf_counter)

    @classmethod
    def from_environment(cls, root: Path) -> AppSettings:
        return cls(root=root,
                   default_scenario=str(Path(os.environ.get("PLANNER_SCENARIO", "scenarios/hanoi-2022"))),
                   band_runs=int(os.environ.get("PLANNER_BAND_RUNS", "40")),
                   poll_seconds=float(os.environ.get("PLANNER_POLL_SECONDS", "0.5")),
                   pool_min_wards=int(os.environ.get("PLANNER_POOL_MIN_WARDS", "60")))

    @property
    def scenarios_folder(self) -> Path:
        return self.root / "scenarios"

    def uses_pool(self, scenario: Scenario) -> bool:
        """Whether this scenario's plans are solved on the worker pool."""
        return len(scenario.wards) >= self.pool_min_wards


@dataclass
class Page:
    """One run of the page: its language, the browser session's state and the app's settings."""

    lang: str
    state: MutableMapping[str, Any]
    settings: AppSettings
    scope: str = "city"     # "city" or "province": the scenario's kind of area (see views.area_kind)

    def t(self, key: str, **values) -> str:
        """The label `key` in the page's language, in a province's words when the scenario is one
        ("Toàn tỉnh" rather than "Toàn thành phố")."""
        if self.scope != "city" and f"{key}@{self.scope}" in TEXT:
            key = f"{key}@{self.scope}"
        return translate(key, self.lang, **values)

    def choice(self, widget, label: str, options, key: str, format_func, **kwargs):
        """A radio or selectbox whose option labels change with the language. The browser keeps a
        widget's choice by its label, so the widget's key carries the language and the choice
        itself lives in `state[key]` (the next language's widget starts from it)."""
        options = list(options)
        current = self.state.get(key)
        index = options.index(current) if current in options else kwargs.pop("index", 0)
        kwargs.pop("index", None)
        value = widget(label, options, index=index, key=f"{key}_{self.lang}", format_func=format_func, **kwargs)
        self.state[key] = value
        return value


def district_name(scenario: Scenario, code: str) -> str:
    """A district's name, or its code when the scenario does not know it."""
    return str(scenario.districts.at[code, "district_name"]) if code in scenario.districts.index else code


def reach_text(page: Page, day: int | None, scenario: Scenario) -> str:
    """The date a level is reached, or 'not reached'."""
    return page.t("not_reached") if day is None else date_text(scenario.dates[day], page.lang)
