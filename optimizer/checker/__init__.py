"""Independent checker: re-verifies a plan's output folder from scratch.

`check_plan(scenario, out_dir)` reads `plan.csv`, `projection.csv` and `summary.json`, re-simulates
every ward from the scenario and the plan's decision columns alone (kits_open, mobile_kits,
home_visit_teams, letters), following docs/dynamics.md, and reports every rule the plan breaks
and every number of the files that differs from its own. It shares no code with the planner,
its models or its simulation: it imports only `optimizer.scenario` (the loaded data), numpy,
pandas and the standard library, so that a bug in one is not silently repeated in the other.
`check_baseline` verifies the fair baseline (`baseline_plan.csv`) the same way.

Modules: `report` (violations, the report), `arithmetic` (rounding and walk-in splits of
docs/dynamics.md), `context` (the scenario's numbers and officers, read once), `resimulation`
(the checker's own simulation), `layout` (the files, their columns, reading them), `rules`
(decisions, staffing, balances, projection, summary and bound).

Reading of docs/dynamics.md where the text leaves room (the planner's simulation must match):
- Decisions are simulated as written even when they break a rule (kits above `fixed_kits` add
  hours, letters before the lead day or beyond the pool bring people), and the broken rule is
  reported on its own; except that home visits happen only in the home-visit shift and mobile
  sessions only in the mobile-kit shifts ("3. Home visits (in the home-visit shift)"): teams or
  mobile kits written elsewhere serve nobody. A ward whose rows are missing or whose decision
  values are not whole numbers >= 0 is not re-simulated (that is reported too).
- "never-coming walk-ins" are part of the invitable pool, so they are counted once:
  not yet arrived = (W - walk-ins arrived) + (pool - invited who showed up)
  + homebound not enrolled + institution not enrolled.
- given up = all who gave up - those who already came back (returns dropped past the deadline
  stay given up). `gave_up` in plan.csv is the total of both queues in that shift.
- `mobile_kit.crew` and `home_visit.crew` count only the roles written in campaign.toml (the
  loader's CrewPerKit fills an unwritten operator/verifier with 1; crew = { home_visit = 2 }
  means two home-visit officers, nobody else). `crew_per_kit` uses the loaded values.
- Staffing uses each officer's own max_shifts_per_day / max_hours_per_week from officers.csv when
  given (scenario default otherwise). Every staffing condition is one the roster rules imply
  as `roster_check` applies them: per shift (Hall), per day (shifts), per campaign week
  (officer-hours: full weekly hours in a short last week; no more than the days not on leave
  times an officer's longest day), rest pairs, forbidden successions and runs of 7 days.
  Without officers.csv the district's reserve_* counts are single-role officers.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..scenario import Scenario
from .arithmetic import (
    largest_remainder,
    walk_in_arrivals,
    walk_in_day_weights,
    walk_ins_by_open_shift,
    walk_ins_coming,
)
from .context import _Context
from .layout import (
    BASELINE_PLAN_FILE,
    COVERAGE_TOLERANCE,
    DECISION_COLUMNS,
    KEY_COLUMNS,
    OUTCOME_COLUMNS,
    PLAN_COLUMNS,
    PLAN_FILE,
    PROJECTION_COLUMNS,
    PROJECTION_COUNT_COLUMNS,
    PROJECTION_FILE,
    SERVED_PARTS,
    SUMMARY_FILE,
    SUMMARY_KEYS,
    _read_plan,
    _read_summary,
)
from .report import CheckReport, Violation, format_report
from .resimulation import _resimulate, resimulate
from .rules import (
    _check_balances,
    _check_decisions,
    _check_projection,
    _check_staffing,
    _check_summary,
    _compare_simulation,
    _complete_wards,
    _kpis,
    _people_by_state,
    _reserve_allocation,
)

__all__ = ["BASELINE_PLAN_FILE", "COVERAGE_TOLERANCE", "DECISION_COLUMNS", "KEY_COLUMNS", "OUTCOME_COLUMNS",
           "PLAN_COLUMNS", "PLAN_FILE", "PROJECTION_COLUMNS", "PROJECTION_COUNT_COLUMNS", "PROJECTION_FILE",
           "SERVED_PARTS", "SUMMARY_FILE", "SUMMARY_KEYS", "CheckReport", "Violation", "check_baseline",
           "check_plan", "format_report", "largest_remainder", "resimulate", "walk_in_arrivals",
           "walk_in_day_weights", "walk_ins_by_open_shift", "walk_ins_coming"]


# --- entry point --------------------------------------------------------------------------

def check_plan(scenario: Scenario, out_dir: str | Path) -> CheckReport:
    """Re-verify a planner output folder (plan.csv, projection.csv, summary.json) from scratch."""
    out = Path(out_dir)
    ctx = _Context(scenario)
    report = CheckReport()
    summary = _read_summary(out, report)
    reserve = _reserve_allocation(ctx, summary, report)
    sim, simulated, references = _check_plan_file(ctx, out, PLAN_FILE, reserve, report)
    _check_projection(ctx, out, references, report)
    report.kpis = _kpis(ctx, sim, simulated)
    _check_summary(ctx, summary, report.kpis, scenario, report)
    return report


def check_baseline(scenario: Scenario, out_dir: str | Path) -> CheckReport:
    """Re-verify the fair baseline (baseline_plan.csv) exactly as the plan: its decisions, its
    staffing under the same officer rules (with summary.json's baseline_reserve_allocation), its
    numbers against a re-simulation, and summary.json's baseline_enrolled."""
    out = Path(out_dir)
    ctx = _Context(scenario)
    report = CheckReport()
    summary = _read_summary(out, report)
    reserve = _reserve_allocation(ctx, {"reserve_allocation": (summary or {}).get("baseline_reserve_allocation", {})},
                                  report)
    sim, simulated, _ = _check_plan_file(ctx, out, BASELINE_PLAN_FILE, reserve, report)
    report.kpis = _kpis(ctx, sim, simulated)
    if summary is not None and report.kpis.get("enrolled") is not None \
            and summary.get("baseline_enrolled") != report.kpis["enrolled"]:
        report.add("summary", SUMMARY_FILE, f"baseline_enrolled: expected {report.kpis['enrolled']} "
                                            f"(re-simulated), found {summary.get('baseline_enrolled')!r}")
    return report


def _check_plan_file(ctx: _Context, out: Path, file: str, reserve: dict[str, int], report: CheckReport):
    """Decisions, staffing, re-simulation and balances of one plan file; returns the
    re-simulation, the wards re-simulated and each ward's people by state (for projections)."""
    plan = _read_plan(ctx, out, report, file)
    sim: dict[str, np.ndarray] | None = None
    simulated: list[int] = []
    references: dict[int, tuple[str, dict[str, np.ndarray]]] = {}   # ward -> (source, people by state)
    if plan is None:
        return sim, simulated, references
    _check_decisions(ctx, plan, reserve, report)
    _check_staffing(ctx, plan, report)
    simulated = _complete_wards(ctx, plan, DECISION_COLUMNS)
    for i in sorted(set(range(ctx.n_wards)) - set(simulated)):
        if plan.present[i].any():
            report.add("simulation", f"ward {ctx.ward_codes[i]}",
                       "not re-simulated: rows missing or decision values not whole numbers >= 0")
    decisions = {c: plan.values[c] for c in DECISION_COLUMNS}
    decisions["calls"] = plan.values["calls"]     # the plan names the shift of each day's calls
    sim = _resimulate(ctx, decisions, simulated)
    _compare_simulation(ctx, plan, sim, simulated, report)
    for i in _check_balances(ctx, plan, report):
        from_file = {c: plan.values[c][i] for c in OUTCOME_COLUMNS}
        references[i] = (file, _people_by_state(ctx, i, from_file))
    for i in simulated:
        if i not in references:
            from_sim = {c: sim[c][i] for c in OUTCOME_COLUMNS}
            references[i] = ("re-simulation", _people_by_state(ctx, i, from_sim))
    return sim, simulated, references
