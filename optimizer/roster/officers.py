"""Hà Nội officer rosters: build the generic rostering problem of one district from a scenario
and the crew slots of a capacity plan, and turn a solved roster back into tables.

    problem = problem_from_slots(scenario, slots, "001")
    result = solve_roster(problem, time_limit_seconds=4, workers=1, seed=0)
    roster, unstaffed = roster_to_frame(result)

    results = solve_districts(scenario, slots, time_limit_seconds=60, processes=2)   # all districts

Sites are the district's wards; an officer may work any ward of their district (working away
from the home ward costs `objective.cross_ward` per shift, a district-reserve officer costs
`objective.reserve_use` per shift), every crew slot left empty costs `objective.unstaffed_slot`,
requests cost `objective.request` times their weight, every officer-shift
`objective.officer_shift`, and the load of officers of the same home ward (or of the reserve)
is balanced at `fairness_per_shift`.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor

import pandas as pd

from ..scenario import Scenario
from .problem import Costs, Demand, Employee, Request, RosterProblem, ShiftType, make_days
from .result import RosterResult
from .solve import solve

SLOT_COLUMNS = ("ward_code", "district_code", "day", "shift", "role", "needed")
ROSTER_COLUMNS = ("officer_id", "display_name", "district_code", "home_ward", "date", "day", "shift",
                  "ward_code", "role")
UNSTAFFED_COLUMNS = ("ward_code", "date", "day", "shift", "role", "missing")
RESERVE_GROUP = "reserve"
DEFAULT_FAIRNESS_PER_SHIFT = 0.01


def problem_from_slots(scenario: Scenario, slots: pd.DataFrame, district_code: str, *,
                       fairness_per_shift: float = DEFAULT_FAIRNESS_PER_SHIFT) -> RosterProblem:
    """The rostering problem of one district: its officers (scenario.officers), their requests
    (scenario.requests) and the crew `slots` (columns ward_code, district_code, day, shift,
    role, needed; one row per ward, day, shift and role) of that district.

    The problem's `name` is the district code."""
    missing = [c for c in SLOT_COLUMNS if c not in slots.columns]
    if missing:
        raise ValueError(f"slots: missing columns {missing} (expected {', '.join(SLOT_COLUMNS)})")
    if scenario.officers is None:
        raise ValueError("the scenario has no officers.csv")
    settings = scenario.settings
    rules = settings.officer_rules
    weights = settings.objective
    days = make_days(scenario.n_days, start_date=settings.campaign.start_date)
    shifts = tuple(ShiftType(s.code, s.start_minutes, s.end_minutes - s.start_minutes) for s in scenario.shifts)
    wards = tuple(sorted(scenario.wards_of(district_code).index))
    if not wards:
        raise ValueError(f"district '{district_code}' has no wards in the scenario")
    index_of_date = {d.date: d.index for d in days}

    officers = scenario.officers[scenario.officers["district_code"] == district_code]
    employees = []
    for officer_id, row in officers.sort_index().iterrows():
        leave = {index_of_date[date] for date in _dates(row["leave_dates"]) if date in index_of_date}
        per_day = row["max_shifts_per_day"]
        hours = row["max_hours_per_week"]
        employees.append(Employee(
            id=str(officer_id),
            name=row["display_name"],
            skills=frozenset(row["roles"].split("|")),
            home_site=row["home_ward"] or None,
            reserve=not row["home_ward"],
            group=row["home_ward"] or RESERVE_GROUP,
            max_shifts_per_day=int(rules.max_shifts_per_day if pd.isna(per_day) else per_day),
            max_minutes_per_week=round(60 * (rules.max_hours_per_week if pd.isna(hours) else float(hours))),
            max_consecutive_days=rules.max_consecutive_days,
            days_off=frozenset(leave),
            min_rest_minutes=round(60 * rules.min_rest_hours),
            forbidden_successions=frozenset(tuple(pair) for pair in rules.forbidden_successions),
            min_days_off_per_7=rules.min_days_off_per_7,
        ))

    mine = slots[slots["district_code"].astype(str) == str(district_code)]
    needed = Counter()
    for row in mine.itertuples(index=False):
        needed[(int(row.day), str(row.shift), str(row.ward_code), str(row.role))] += int(row.needed)
    demands = tuple(Demand(day, shift, ward, role, count, weights.unstaffed_slot, 0.0)
                    for (day, shift, ward, role), count in sorted(needed.items()) if count > 0)

    requests = []
    if scenario.requests is not None:
        ours = set(officers.index)
        for row in scenario.requests.itertuples(index=False):
            date = dt.date.fromisoformat(row.date)
            if row.officer_id in ours and date in index_of_date:
                requests.append(Request(str(row.officer_id), index_of_date[date], row.shift, row.kind,
                                        float(row.weight) * weights.request))
    return RosterProblem(
        days=days,
        shifts=shifts,
        employees=tuple(employees),
        demands=demands,
        requests=tuple(requests),
        sites=wards,
        costs=Costs(cross_site_per_shift=weights.cross_ward, reserve_per_shift=weights.reserve_use,
                    shift_worked=weights.officer_shift, fairness_per_shift=fairness_per_shift),
        edge_blocks_exempt=True,
        name=str(district_code),
    )


def solve_districts(scenario: Scenario, slots: pd.DataFrame, *, time_limit_seconds: float = 60.0,
                    processes: int = 2, seed: int = 0, relative_gap: float | None = None
                    ) -> dict[str, RosterResult]:
    """Roster every district with slots, `processes` districts at a time (one CP-SAT worker
    each), within `time_limit_seconds` of wall-clock time in all: each district gets an equal
    share of the time still left when it starts. Returns district code -> RosterResult."""
    districts = sorted({str(code) for code in slots["district_code"]})
    if not districts:
        return {}
    processes = max(1, min(processes, len(districts)))
    deadline = time.time() + time_limit_seconds - 1.0      # wall clock, shared by the processes
    gap = scenario.settings.solver.relative_gap if relative_gap is None else relative_gap
    jobs = [(scenario, slots[slots["district_code"].astype(str) == code], code, index, len(districts), processes,
             deadline, seed, gap) for index, code in enumerate(districts)]
    if processes == 1:
        return dict(zip(districts, map(_solve_district, jobs)))
    with ProcessPoolExecutor(max_workers=processes) as pool:
        return dict(zip(districts, pool.map(_solve_district, jobs)))


def _solve_district(job) -> RosterResult:
    scenario, slots, code, index, count, processes, deadline, seed, gap = job
    problem = problem_from_slots(scenario, slots, code)
    still_to_start = math.ceil((count - index) / processes)     # this district and the ones after it
    seconds = max(0.5, (deadline - time.time()) / still_to_start)
    return solve(problem, time_limit_seconds=seconds, workers=1, seed=seed, relative_gap=gap)


def roster_to_frame(result: RosterResult) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(roster, unstaffed) tables of a solved district roster.

    roster: officer_id, display_name, district_code, home_ward, date, day, shift, ward_code, role
    (one row per officer-shift, sorted by date, shift, ward, officer); unstaffed: ward_code,
    date, day, shift, role, missing (crew slots left empty)."""
    problem = result.problem
    if problem is None:
        raise ValueError("the result does not carry its problem")
    employees = {e.id: e for e in problem.employees}
    order = {code: i for i, code in enumerate(problem.shift_codes)}
    rows = []
    for a in result.assignments:
        employee = employees[a.employee]
        rows.append({
            "officer_id": a.employee, "display_name": employee.name, "district_code": problem.name,
            "home_ward": employee.home_site or "", "date": problem.days[a.day].date, "day": a.day,
            "shift": a.shift, "ward_code": a.site, "role": a.role,
        })
    roster = pd.DataFrame(rows, columns=list(ROSTER_COLUMNS))
    if not roster.empty:
        roster = roster.sort_values(["day", "shift", "ward_code", "officer_id"],
                                    key=lambda col: col.map(order) if col.name == "shift" else col)
        roster = roster.reset_index(drop=True)
    cover = Counter((a.day, a.shift, a.site, a.role) for a in result.assignments)
    gaps = []
    if result.has_roster:
        for demand in problem.demands:
            have = cover.get((demand.day, demand.shift, demand.site, demand.role), 0)
            if have < demand.requirement:
                gaps.append({"ward_code": demand.site, "date": problem.days[demand.day].date, "day": demand.day,
                             "shift": demand.shift, "role": demand.role, "missing": demand.requirement - have})
    unstaffed = pd.DataFrame(gaps, columns=list(UNSTAFFED_COLUMNS))
    return roster, unstaffed


def _dates(text: str) -> list[dt.date]:
    return [dt.date.fromisoformat(part) for part in str(text).split("|") if part]


def every_ward_slots(scenario: Scenario, district_code: str | None = None, kits_per_shift: int = 1) -> pd.DataFrame:
    """Synthetic crew slots: every ward opens `kits_per_shift` kits in every shift of every day,
    each needing the scenario's crew per kit (for tests and demos before a capacity plan)."""
    crew = scenario.settings.crew_per_kit.as_dict()
    wards = scenario.wards if district_code is None else scenario.wards_of(district_code)
    rows = [{"ward_code": ward, "district_code": row["district_code"], "day": day, "shift": shift,
             "role": role, "needed": count * kits_per_shift}
            for ward, row in wards.iterrows() for day in range(scenario.n_days)
            for shift in scenario.shift_codes for role, count in crew.items()]
    return pd.DataFrame(rows, columns=list(SLOT_COLUMNS))
