"""Police officers as a rostering problem: the plan's crew slots, staffed from officers.csv.

One district at a time: its wards are the sites, its officers the employees (home ward, or
none for the district reserve), the plan's crew slots the demands (hard at most, soft at
least: an empty slot costs `objective.unstaffed_slot`). Published assignments of a frozen
window are pinned by a dominant wish to keep them; a previous roster is kept where it costs
little (each changed officer-shift costs `change_cost`).
"""

from __future__ import annotations

import datetime as dt
import math
import time

import pandas as pd

from ..scenario import Scenario
from .problem import Costs, Day, Demand, Employee, Request, RosterProblem, ShiftType
from .cost import evaluate
from .cover import fill_cover
from .model import Compiled, Plan
from .search import NeighbourhoodSearch
from .solve import WORK_UNITS_PER_SECOND

ROSTER_COLUMNS = ["officer_id", "display_name", "district_code", "home_ward", "date", "day", "shift",
                  "ward_code", "role"]
UNSTAFFED_COLUMNS = ["ward_code", "date", "day", "shift", "role", "missing"]
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
        forbidden_successions=frozenset(tuple(p) for p in rules.forbidden_successions),
        min_days_off_per_7=rules.min_days_off_per_7)


def crew_problem(scenario: Scenario, district_code: str, slots: pd.DataFrame, *,
                 frozen: pd.DataFrame | None = None, previous: pd.DataFrame | None = None,
                 change_cost: float = 2.0) -> RosterProblem:
    """The rostering problem of one district for the given crew slots."""
    weights = scenario.settings.objective
    officers = scenario.officers
    mine = officers[officers["district_code"] == district_code] if officers is not None else officers
    employees = tuple(_officer_employee(scenario, officer_id, row) for officer_id, row in mine.iterrows())
    sites = tuple(scenario.wards_of(district_code).index)
    shifts = tuple(ShiftType(s.code, s.start_minutes, int(round(s.hours * 60))) for s in scenario.shifts)
    demands = tuple(Demand(day=int(r.day), shift=r.shift, site=r.ward_code, role=r.role,
                           requirement=int(r.needed), weight_under=weights.unstaffed_slot,
                           weight_over=math.inf)
                    for r in slots.itertuples() if int(r.needed) > 0)
    wishes: dict[tuple[str, int, str, str], float] = {}
    start = scenario.dates[0]
    ids = {e.id for e in employees}
    if scenario.requests is not None:
        for r in scenario.requests.itertuples():
            if r.officer_id in ids:
                key = (r.officer_id, (dt.date.fromisoformat(r.date) - start).days, r.shift, r.kind)
                wishes[key] = wishes.get(key, 0.0) + float(r.weight) * weights.request
    for frame, weight in ((previous, change_cost), (frozen, FROZEN_WEIGHT)):
        if frame is None or not len(frame):
            continue
        for r in frame.itertuples():
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


ROLE_ORDER = ("home_visit", "driver", "operator", "verifier")


def greedy_crews(problem: RosterProblem, frozen_days: int = 0, pinned: list | None = None) -> list:
    """A quick roster that respects every hard rule. Roles are staffed scarcest first (needed
    slots per officer able to fill them) over the whole campaign, then day by day and shift by
    shift; each slot goes to the fittest free officer who may take it: one whose other roles
    are least scarce (so the few who can do a scarce role are kept for it), then home ward
    first, then the district's ward officers, then the reserve; wishes honoured; fewest shifts
    so far. Slots nobody may take stay empty. `pinned` assignments (a frozen window, or
    published shifts kept where the plan still has their slot) are taken as they are, and
    their slots need that many fewer people."""
    from .result import Assignment
    codes = problem.shift_codes
    shifts = problem.shifts
    n_days = problem.horizon
    employees = problem.employees
    index = {e.id: i for i, e in enumerate(employees)}
    wishes = {}
    for r in problem.requests:
        wishes[(index[r.employee], r.day, r.shift)] = wishes.get((index[r.employee], r.day, r.shift), 0.0) + (
            r.weight if r.kind == "want" else -r.weight)
    worked = [[[] for _ in range(n_days)] for _ in employees]      # shift indexes per day
    week_minutes = [dict() for _ in employees]
    count = [0] * len(employees)
    assignments = []

    def take(e, d, s, site, role):
        worked[e][d].append(s)
        week = problem.days[d].week
        week_minutes[e][week] = week_minutes[e].get(week, 0) + shifts[s].length_minutes
        count[e] += 1
        assignments.append(Assignment(employees[e].id, d, codes[s], site, role))

    def may(e, d, s) -> bool:
        emp = employees[e]
        if d in emp.days_off or s in worked[e][d] or len(worked[e][d]) >= emp.max_shifts_per_day:
            return False
        start = d * 1440 + shifts[s].start_minute
        end = start + shifts[s].length_minutes
        for dd in (d - 1, d):
            if dd < 0:
                continue
            for t in worked[e][dd]:
                t_start = dd * 1440 + shifts[t].start_minute
                t_end = t_start + shifts[t].length_minutes
                if t_start < end and start < t_end:
                    return False
                gap = start - t_end if t_end <= start else t_start - end
                if gap != 0 and gap < emp.min_rest_minutes:
                    return False
        if d > 0:
            for t in worked[e][d - 1]:
                if (codes[t], codes[s]) in emp.forbidden_successions:
                    return False
        if d + 1 < n_days:
            for t in worked[e][d + 1]:
                if (codes[s], codes[t]) in emp.forbidden_successions:
                    return False
        week = problem.days[d].week
        if emp.max_minutes_per_week is not None and \
                week_minutes[e].get(week, 0) + shifts[s].length_minutes > emp.max_minutes_per_week:
            return False
        if not worked[e][d]:
            if emp.max_consecutive_days is not None:
                run = 1
                dd = d - 1
                while dd >= 0 and worked[e][dd]:
                    run += 1
                    dd -= 1
                dd = d + 1
                while dd < n_days and worked[e][dd]:
                    run += 1
                    dd += 1
                if run > emp.max_consecutive_days:
                    return False
            if emp.min_days_off_per_7 and not _days_off_per_7_kept(worked[e], d, n_days, emp.min_days_off_per_7):
                return False
        return True

    taken: dict[tuple, int] = {}
    for a in pinned or []:
        if a.employee in index:
            take(index[a.employee], a.day, problem.shift_index(a.shift), a.site, a.role)
            key = (a.day, a.shift, a.site, a.role)
            taken[key] = taken.get(key, 0) + 1
    by_slot: dict[tuple[int, int], list] = {}
    for demand in problem.demands:
        if demand.day < frozen_days:
            continue
        by_slot.setdefault((demand.day, problem.shift_index(demand.shift)), []).append(demand)
    holders = {role: [i for i, e in enumerate(employees) if role in e.skills] for role in ROLE_ORDER}
    needed: dict[str, int] = {}
    for demand in problem.demands:
        needed[demand.role] = needed.get(demand.role, 0) + demand.requirement
    # an officer with several roles counts as a share of one officer for each
    supply = {role: sum(1.0 / len(e.skills) for e in employees if role in e.skills) for role in needed}
    scarcity = {role: needed[role] / max(1e-9, supply[role]) for role in needed}
    other_roles = {(e, role): round(sum(scarcity[r] for r in employees[e].skills if r != role and r in scarcity), 1)
                   for e in range(len(employees)) for role in needed}
    order = []
    for (d, s), demands in sorted(by_slot.items()):
        demands.sort(key=lambda x: (ROLE_ORDER.index(x.role) if x.role in ROLE_ORDER else 9, x.site))
        order.extend((d, s, demand) for demand in demands)
    order.sort(key=lambda item: (-scarcity[item[2].role], item[0], item[1]))   # stable: day, shift, site
    for d, s, demand in order:
        able = holders.get(demand.role, [i for i, emp in enumerate(employees) if demand.role in emp.skills])
        for _ in range(demand.requirement - taken.get((d, demand.shift, demand.site, demand.role), 0)):
            ranked = sorted((other_roles[(e, demand.role)],
                             0 if employees[e].home_site == demand.site else (2 if employees[e].reserve else 1),
                             -wishes.get((e, d, codes[s]), 0.0), count[e] // 3,
                             0 if worked[e][d] else 1,   # extend a duty already started today
                             count[e], e) for e in able)
            best = next((key[-1] for key in ranked if may(key[-1], d, s)), None)
            if best is None:
                break
            take(best, d, s, demand.site, demand.role)
    return assignments


def _days_off_per_7_kept(worked_days: list, d: int, n_days: int, min_off: int) -> bool:
    """Working day d as well leaves at least `min_off` days off in every run of 7 days within
    the campaign that contains d (`worked_days[day]` is truthy on a day worked)."""
    first_start, last_start = max(0, d - 6), min(d, n_days - 7)
    if first_start > last_start:
        return True
    flags = [1 if (worked_days[dd] or dd == d) else 0 for dd in range(first_start, last_start + 7)]
    most = 7 - min_off
    days_worked = sum(flags[:7])
    if days_worked > most:
        return False
    for i in range(1, last_start - first_start + 1):
        days_worked += flags[i + 6] - flags[i - 1]
        if days_worked > most:
            return False
    return True


# The cover fill is bounded by nodes (deterministic); this wall-clock stop is for an overloaded
# machine only. The neighbourhood search likewise, times its time share.
FILL_SAFETY_SECONDS = 60.0
SEARCH_SAFETY_FACTOR = 10.0
SEARCH_MIN_SECONDS = 0.4       # a smaller time share skips the neighbourhood search


def _empty_count(problem: RosterProblem, assignments: list) -> int:
    have: dict[tuple, int] = {}
    for a in assignments:
        key = (a.day, a.shift, a.site, a.role)
        have[key] = have.get(key, 0) + 1
    return sum(max(0, d.requirement - have.get((d.day, d.shift, d.site, d.role), 0)) for d in problem.demands)


def roster_district(scenario: Scenario, district_code: str, slots: pd.DataFrame, *, time_limit_seconds: float,
                    seed: int = 0, frozen: pd.DataFrame | None = None, previous: pd.DataFrame | None = None,
                    workers: int = 1) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Roster one district; returns (roster rows, unstaffed slots, a report).

    A greedy roster first, then its empty slots filled where the officers allow
    (`cover.fill_cover`, a MIP over windows of days), then the neighbourhood search improves the roster's cost for
    `time_limit_seconds` (travel, reserve, fairness, requests) without emptying a slot."""
    dates = scenario.dates
    report = {"district_code": district_code, "slots": int(slots["needed"].sum()) if len(slots) else 0}
    if scenario.officers is None or not len(slots):
        missing = slots.assign(missing=slots["needed"]) if len(slots) else pd.DataFrame(columns=UNSTAFFED_COLUMNS)
        if len(missing):
            missing["date"] = [dates[int(d)] for d in missing["day"]]
            missing = missing[UNSTAFFED_COLUMNS]
        report["status"] = "no officers" if scenario.officers is None else "nothing to staff"
        return pd.DataFrame(columns=ROSTER_COLUMNS), missing, report
    problem = crew_problem(scenario, district_code, slots, frozen=frozen, previous=previous)
    started = time.monotonic()
    from .result import Assignment
    pinned, published_kept = [], []
    frozen_days = 0
    if frozen is not None and len(frozen):
        pinned = [Assignment(r.officer_id, int(r.day), r.shift, r.ward_code, r.role) for r in frozen.itertuples()]
        frozen_days = int(frozen["day"].max()) + 1
    if previous is not None and len(previous):
        # published shifts stay where the new plan still has their slot: a part of a roster that
        # kept every rule keeps them too (every officer rule is a limit)
        from ..staffed import trim_to_slots
        ids = {e.id for e in problem.employees}
        later = previous[(previous["day"] >= frozen_days) & previous["officer_id"].isin(ids)]
        published_kept = [Assignment(r.officer_id, int(r.day), r.shift, r.ward_code, r.role)
                          for r in trim_to_slots(later.reset_index(drop=True), slots).itertuples()]
        report["published_shifts_kept_first"] = len(published_kept)
    assignments = greedy_crews(problem, frozen_days=frozen_days, pinned=pinned + published_kept)
    status, method = "feasible", "greedy"
    if _empty_count(problem, assignments):
        plan, fill = fill_cover(problem, Plan.from_assignments(problem, assignments), first_day=frozen_days,
                                seed=seed, deadline=time.monotonic() + FILL_SAFETY_SECONDS)
        assignments = plan.to_assignments(problem)
        report["cover_fill"] = fill
        method = "greedy + cover fill (MIP)"
    cost = evaluate(problem, assignments).objective
    if time_limit_seconds >= SEARCH_MIN_SECONDS:
        # improve with the engine's large-neighbourhood search (CP-SAT), keeping frozen shifts;
        # its work budget comes from the time share alone, so the same inputs give the same
        # roster; the clock only stops it on a badly overloaded machine
        try:
            compiled = Compiled(problem)
            search = NeighbourhoodSearch(compiled, Plan.from_assignments(problem, assignments), seed=seed,
                                         workers=workers, work_budget=time_limit_seconds * WORK_UNITS_PER_SECOND,
                                         deadline=time.monotonic() + SEARCH_SAFETY_FACTOR * time_limit_seconds + 2.0)
            improved = search.run().to_assignments(problem)
            kept = set(pinned) <= set(improved)
            improved_cost = evaluate(problem, improved).objective
            if kept and improved_cost < cost - 1e-9:
                assignments, cost, method = improved, improved_cost, method + " + neighbourhood search"
        except Exception as exc:  # the roster so far stands; say why the search did not run
            method += f" (search skipped: {type(exc).__name__}: {exc})"
    evaluation = evaluate(problem, assignments)
    by_rule: dict[str, float] = {}
    for v in evaluation.violations:
        by_rule[v.rule] = by_rule.get(v.rule, 0.0) + v.cost
    report.update({"status": status, "method": method, "objective": round(cost, 3),
                   "seconds": round(time.monotonic() - started, 3),
                   "cost_by_rule": {k: round(v, 3) for k, v in by_rule.items()}})
    names = scenario.officers["display_name"].to_dict()
    homes = scenario.officers["home_ward"].to_dict()
    rows = []
    idle = 0
    for a in assignments:
        if not a.role or not a.site:   # a shift with no crew slot behind it is not published
            idle += 1
            continue
        rows.append((a.employee, names[a.employee], district_code, homes[a.employee], dates[a.day], a.day,
                     a.shift, a.site, a.role))
    roster = pd.DataFrame(rows, columns=ROSTER_COLUMNS)
    from ..staffed import empty_slots
    missing = empty_slots(scenario, slots, roster)
    report["unstaffed"] = int(missing["missing"].sum()) if len(missing) else 0
    report["officer_shifts"] = len(roster)
    report["shifts_without_a_slot_dropped"] = idle
    return roster, missing, report

