"""What a planning run is asked: how to solve (`SolveOptions`) and which days to plan from what
state (`ReplanWindow`). `run_plan(scenario, options, window)` takes both; the result keeps the
window, so a later step (the roster, a re-simulation) plans and simulates the same days."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from .executor import Executor
    from .simulation import Decisions, StartState

Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class SolveOptions:
    """How to solve: worker processes, the time limit in seconds and the seed (None: the
    scenario's solver settings), whether to roster the officers as well, a progress callback
    (message, fraction done), a stop request polled between districts, and the executor that
    runs the districts (None: one made for `workers`)."""

    workers: int | None = None
    time_limit_seconds: float | None = None
    seed: int | None = None
    with_roster: bool = False
    progress: Progress | None = None
    should_stop: Callable[[], bool] | None = None
    executor: Executor | None = None


@dataclass(frozen=True, eq=False)
class ReplanWindow:
    """The days a run plans, from `first_day` on, and what stands before and within them.

    `arrivals` [wards, days] and `start` (the state at the start of `first_day`) replace the
    scenario's forecast and the campaign's start; `fixed` holds the decisions of the days before
    `first_day` as they count against the officers' budgets, `executed` what actually happened
    on those days (shown on the result; default: `fixed`); `pinned` holds decisions from
    `first_day` on that must stay (published rosters), -1 = free; `previous` (the published plan)
    makes each kit moved away from it cost `change_cost` people; `frozen_roster` rows (published)
    are kept as they are, `previous_roster` is what officers were told (changes to it cost).
    The default window is the whole campaign from its start."""

    first_day: int = 0
    arrivals: np.ndarray | None = None
    start: StartState | None = None
    fixed: Decisions | None = None
    executed: Decisions | None = None
    pinned: Decisions | None = None
    previous: Decisions | None = None
    change_cost: float = 0.0
    frozen_roster: pd.DataFrame | None = None
    previous_roster: pd.DataFrame | None = None

