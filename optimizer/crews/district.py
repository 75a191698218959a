"""One district's roster: the greedy crew assignment, its empty slots filled where the
officers allow (cover fill), then the engine's neighbourhood search lowers its cost."""

from __future__ import annotations

import time

import pandas as pd

from ..roster.compiled import Compiled
from ..roster.cost import evaluate
from ..roster.cover import fill_cover
from ..roster.draft import RosterDraft
from ..roster.problem import RosterProblem
from ..roster.result import Assignment
from ..roster.search import NeighbourhoodSearch
from ..roster.solve import WORK_UNITS_PER_SECOND
from ..scenario import Scenario
from .assign import greedy_crews
from .problem import crew_problem
from .slots import ROSTER_COLUMNS, UNSTAFFED_COLUMNS, empty_slots, table_rows, trim_to_slots

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
    pinned, published_kept = [], []
    frozen_days = 0
    if frozen is not None and len(frozen):
        pinned = [Assignment(r.officer_id, int(r.day), r.shift, r.ward_code, r.role) for r in table_rows(frozen)]
        frozen_days = int(frozen["day"].max()) + 1
    if previous is not None and len(previous):
        # published shifts stay where the new plan still has their slot: a part of a roster that
        # kept every rule keeps them too (every officer rule is a limit)
        ids = {e.id for e in problem.employees}
        later = previous[(previous["day"] >= frozen_days) & previous["officer_id"].isin(ids)]
        published_kept = [Assignment(r.officer_id, int(r.day), r.shift, r.ward_code, r.role)
                          for r in table_rows(trim_to_slots(later.reset_index(drop=True), slots))]
        report["published_shifts_kept_first"] = len(published_kept)
    assignments = greedy_crews(problem, frozen_days=frozen_days, pinned=pinned + published_kept)
    status, method = "feasible", "greedy"
    if _empty_count(problem, assignments):
        plan, fill = fill_cover(problem, RosterDraft.from_assignments(problem, assignments), first_day=frozen_days,
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
            search = NeighbourhoodSearch(compiled, RosterDraft.from_assignments(problem, assignments), seed=seed,
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
    missing = empty_slots(scenario, slots, roster)
    report["unstaffed"] = int(missing["missing"].sum()) if len(missing) else 0
    report["officer_shifts"] = len(roster)
    report["shifts_without_a_slot_dropped"] = idle
    return roster, missing, report
