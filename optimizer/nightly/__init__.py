"""The nightly re-plan: actuals in, re-forecast, re-plan, publish to the plan store; the replay.

Public API:
- `run_nightly(scenario_dir, actuals, as_of, store, out, NightlyOptions(...))`: the batch job;
- `replan_night(scenario, published, observed, as_of_day, options)`: the pure core;
- `read_actuals`, `merge_actuals`, `reforecast`, `plan_diff`: its steps;
- `PlanStore(path)`: the SQLite plan store (`export_csv`, locks, runs);
- `run_replay(scenario, seed, nights=...)`: the closed-loop replay;
- `run_history`, `actual_vs_planned`, `latest_published_roster`, `published_plan`: for the app.
"""

from .actuals import merge_actuals, missing_reports, observed_arrays, read_actuals
from .diff import plan_diff
from .reforecast import Reforecast, reforecast
from .replay import run_replay, write_replay
from .roster import RosterUnavailable, make_roster, staffed_roster
from .run import NightlyFailed, NightlyOptions, NightlyPlan, replan_night, run_nightly
from .store import PlanStore, StoreBusy, StoreError
from .views import actual_vs_planned, latest_published_roster, published_plan, run_history

__all__ = ["read_actuals", "merge_actuals", "missing_reports", "observed_arrays", "reforecast", "Reforecast",
           "plan_diff", "run_replay", "write_replay", "RosterUnavailable", "make_roster", "staffed_roster",
           "NightlyFailed", "NightlyOptions", "NightlyPlan", "replan_night", "run_nightly", "PlanStore",
           "StoreBusy", "StoreError", "run_history", "actual_vs_planned", "latest_published_roster",
           "published_plan"]
