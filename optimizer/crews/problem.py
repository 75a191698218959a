"""Police officers as a rostering problem: one district's crew slots, staffed from officers.csv.

One district at a time: its wards are the sites, its officers the employees (home ward, or
none for the district reserve), the plan's crew slots the demands (hard at most, soft at
least: an empty slot costs `objective.unstaffed_slot`). Published assignments of a frozen
window are pinned by a dominant wish to keep them; a previous roster is kept where it costs
little (each changed officer-shift costs `change_cost`).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pandas as pd

from ..roster.problem import Costs, Day, Demand, Employee, Request, RosterProblem, ShiftType
from ..scenario import Scenario
from .slots import table_rows

FROZEN_WEIGHT = 10_000.0   # a published frozen shift outweighs anything else in the roster


def campaign_days(scenario: Scenario) -> tuple[Day, ...]:
    """Campaign days; weeks are campaign weeks (days 0-6, 7-13, ...), weekends by date."""
    days = []
    for index, date in enumerate(scenario.dates):
        weekend = (date - dt.timedelta(days=date.weekday())).toordinal() if date.weekday() >= 5 else None
        days.append(Day(index=index, date=date, weekend=weekend, week=index // 7))
    return tuple(days)


def _officer_employee(scenario: Scenario, officer_id: str, row) -> Employee:
    rules = scenario.settings.officer_rules
    start = scenario.dates[0]
    leave = set()
    for text in filter(None, str(row["leave_dates"]).split("|")):
        d = (dt.date.fromisoformat(text) - start).days
        if 0 <= d < scenario.n_days:
            leave.add(d)
    per_day = rules.max_shifts_per_day if pd.isna(row["max_shifts_per_day"]) else int(row["max_shifts_per_day"])
    hours = rules.max_hours_per_week if pd.isna(row["max_hours_per_week"]) else float(row["max_hours_per_week"])
    home = row["home_ward"] or None
    return Employee(
        id=officer_id, name=row["display_name"], skills=frozenset(row["roles"].split("|")),
        home_site=home, reserve=home is None, group=home or f"reserve-{row['district_code']}",
        max_shifts_per_day=per_day, max_minutes_per_week=int(math.floor(hours * 60 + 1e-9)),
        max_consecutive_days=rules.max_consecutive_days, days_off=frozenset(leave),
        min_rest_minutes=int(round(rules.min_rest_hours * 60)),
        forbidden_successions=frozenset((first, then) for first, then in rules.forbidden_successions),
        min_days_off_per_7=rules.min_days_off_per_7)


def crew_problem(scenario: Scenario, district_code: str, slots: pd.DataFrame, *,
                 frozen: pd.DataFrame | None = None, previous: pd.DataFrame | None = None,
                 change_cost: float = 2.0) -> RosterProblem:
    """The rostering problem of one district for the given crew slots."""
    weights = scenario.settings.objective
    officers = scenario.officers
    mine: Any = officers[officers["district_code"] == district_code] if officers is not None else officers
    employees = tuple(_officer_employee(scenario, officer_id, row) for officer_id, row in mine.iterrows())
    sites = tuple(scenario.wards_of(district_code).index)
    shifts = tuple(ShiftType(s.code, s.start_minutes, int(round(s.hours * 60))) for s in scenario.shifts)
    demands = tuple(Demand(day=int(r.day), shift=r.shift, site=r.ward_code, role=r.role,
                           requirement=int(r.needed), weight_under=weights.unstaffed_slot,
                           weight_over=math.inf)
                    for r in table_rows(slots) if int(r.needed) > 0)
    wishes: dict[tuple[str, int, str, Any], float] = {}
    start = scenario.dates[0]
    ids = {e.id for e in employees}
    if scenario.requests is not None:
        for r in table_rows(scenario.requests):
            if r.officer_id in ids:
                key = (r.officer_id, (dt.date.fromisoformat(r.date) - start).days, r.shift, r.kind)
                wishes[key] = wishes.get(key, 0.0) + float(r.weight) * weights.request
    for frame, weight in ((previous, change_cost), (frozen, FROZEN_WEIGHT)):
        if frame is None or not len(frame):
            continue
        for r in table_rows(frame):
            if r.officer_id in ids:
                key = (r.officer_id, int(r.day), r.shift, "want")
                wishes[key] = max(wishes.get(key, 0.0), weight) if weight == FROZEN_WEIGHT else \
                    wishes.get(key, 0.0) + weight
    requests = tuple(Request(employee=e, day=d, shift=s, kind=k, weight=w)
                     for (e, d, s, k), w in sorted(wishes.items()) if 0 <= d < scenario.n_days and w > 0)
    costs = Costs(cross_site_per_shift=weights.cross_ward, reserve_per_shift=weights.reserve_use,
                  shift_worked=0.01, fairness_per_shift=0.05)
    return RosterProblem(days=campaign_days(scenario), shifts=shifts, employees=employees, demands=demands,
                         requests=requests, sites=sites or ("none",), costs=costs, edge_blocks_exempt=True,
                         name=f"district {district_code}")
