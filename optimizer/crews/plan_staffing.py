"""Plan and roster agree: staff every crew slot the plan opens, or correct the plan.

1. The plan's crew slots (each open kit-shift, mobile session and home-visit team needs its
   roles) go to the rostering engine, one district at a time through the executor.
2. Where officers could not staff what the plan opened, the districts concerned are re-planned
   with, per role, day and shift, no more officers than the roster found; the same officers
   then staff the new plan (only the ward they go to may change). The alternative, closing
   exactly what was not staffed, is kept instead when the simulation scores it higher. Nothing
   is published with empty slots; what was closed is reported by ward, day, shift and role.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from ..result import PlanResult
from ..scenario import Scenario
from ..simulation import Decisions, simulate
from ..staffing import CrewNeeds
from .slots import ROSTER_COLUMNS, UNSTAFFED_COLUMNS, crew_slots, empty_slots, table_rows, trim_to_slots

# After the greedy roster and its cover fill (bounded by MIP nodes), the
# neighbourhood search of all districts gets ROSTER_SHARE of the solver's time limit (spread
# over the workers); a district gets no more than its size needs (SLOTS_PER_SECOND crew slots
# a second, at least ROSTER_MIN_SECONDS). It is off (a share below the search's minimum): on
# four of the largest Hà Nội districts (017, 008, 021, 268) it gained 0.8 % of the roster cost
# (travel, reserve, fairness; no slot more staffed) for a third of their CPU time (13.0 s with
# it, 8.8 s without), and the roster phase has to fit in 30 s.
ROSTER_SHARE = 0.0
SLOTS_PER_SECOND = 2000.0
ROSTER_MIN_SECONDS = 0.6
# Districts whose first roster left at least this share of their crew slots empty are
# re-planned with the staffing the roster found; elsewhere the few empty slots are closed.
REPLAN_MIN_SHARE = 0.03

def staffed_decisions(scenario: Scenario, decisions: Decisions, roster: pd.DataFrame) -> Decisions:
    """The plan cut down to what the roster staffs: per ward and shift, home-visit teams first
    (their own role), then fixed kits, then mobile kits, each only with its full crew."""
    crew = CrewNeeds.of(scenario)
    codes = scenario.shift_codes
    index = {code: i for i, code in enumerate(scenario.wards.index)}
    assigned = {}
    if roster is not None and len(roster):
        counts: Any = roster.groupby(["ward_code", "day", "shift", "role"]).size()
        for (ward, day, shift, role), n in counts.items():
            assigned[(index[ward], int(day), codes.index(shift), role)] = int(n)
    out = decisions.copy()
    mobile_shifts = [codes.index(c) for c in scenario.settings.mobile_kit.shifts]
    home = codes.index(scenario.settings.home_visit.shift)
    for w, d, s in np.argwhere((decisions.kits_open > 0) | (decisions.mobile_kits > 0)
                               | (decisions.home_visit_teams > 0)):
        left = {role: assigned.get((w, d, s, role), 0) for role in crew.roles}

        def take(needs: dict[str, int], wanted: int) -> int:
            if not needs:
                return wanted
            full = min(left.get(r, 0) // n for r, n in needs.items())
            granted = min(wanted, full)
            for r, n in needs.items():
                left[r] -= granted * n
            return granted

        if s == home:
            out.home_visit_teams[w, d, s] = take(crew.home_visit, int(decisions.home_visit_teams[w, d, s]))
        out.kits_open[w, d, s] = take(crew.kit, int(decisions.kits_open[w, d, s]))
        if s in mobile_shifts:
            out.mobile_kits[w, d, s] = take(crew.mobile, int(decisions.mobile_kits[w, d, s]))
    # a mobile deployment is for the whole day: keep the smallest staffed count in each shift
    if mobile_shifts:
        least = out.mobile_kits[:, :, mobile_shifts].min(axis=2)
        for s in mobile_shifts:
            out.mobile_kits[:, :, s] = least
    return out


def roster_districts(scenario: Scenario, slots: pd.DataFrame, districts: list[str], *, workers: int,
                     time_limit_seconds: float, seed: int, frozen: pd.DataFrame | None = None,
                     previous: pd.DataFrame | None = None, executor=None,
                     progress: Callable | None = None) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Roster the given districts in parallel; returns (roster, unstaffed, per-district report)."""
    from ..executor import make_executor

    executor = executor or make_executor(workers)
    share = ROSTER_SHARE * time_limit_seconds * max(1, workers) / max(1, len(districts))
    tasks: list[dict[str, Any]] = []
    for code in districts:
        mine = slots[slots["district_code"] == code].reset_index(drop=True)
        seconds = min(share, max(ROSTER_MIN_SECONDS, 0.2 + float(mine["needed"].sum()) / SLOTS_PER_SECOND))
        tasks.append(dict(scenario=scenario, district_code=code, slots=mine,
                          time_limit_seconds=seconds, seed=seed,
                          frozen=None if frozen is None else frozen[frozen["district_code"] == code],
                          previous=None if previous is None else previous[previous["district_code"] == code]))
    done = []
    # the largest districts first, so that no worker is left with a long one at the end
    order = sorted(range(len(tasks)), key=lambda i: (-int(tasks[i]["slots"]["needed"].sum()) if len(tasks[i]["slots"])
                                                     else 0, i))

    def report(i, item):
        done.append(i)
        if progress:
            progress(f"roster {districts[order[i]]}: {item[2].get('status', '')}",
                     0.85 + 0.1 * len(done) / len(tasks))

    ran = executor.map(_roster_task, [tasks[i] for i in order], on_done=report)
    results: list[Any] = [None] * len(tasks)
    for i, result in zip(order, ran):
        results[i] = result
    rosters = [r[0] for r in results if r[0] is not None and len(r[0])]
    unstaffed = [r[1] for r in results if r[1] is not None and len(r[1])]
    reports = {code: r[2] for code, r in zip(districts, results)}
    roster = pd.concat(rosters, ignore_index=True) if rosters else pd.DataFrame(columns=ROSTER_COLUMNS)
    missing = pd.concat(unstaffed, ignore_index=True) if unstaffed else pd.DataFrame(columns=UNSTAFFED_COLUMNS)
    return roster, missing, reports


def _roster_task(task: dict):
    from .district import roster_district
    return roster_district(**task)


def staff_plan(result: PlanResult, *, workers: int | None = None, time_limit_seconds: float | None = None,
               progress: Callable | None = None, frozen: pd.DataFrame | None = None,
               previous: pd.DataFrame | None = None, executor=None,
               replan: Callable[[Decisions, list, dict], Decisions] | None = None) -> PlanResult:
    """Roster the plan; correct the plan where officers cannot staff it; update `result`."""
    scenario = result.scenario
    solver = scenario.settings.solver
    workers = solver.workers if workers is None else workers
    limit = solver.time_limit_seconds if time_limit_seconds is None else time_limit_seconds
    begin = time.perf_counter()
    slots = crew_slots(scenario, result.decisions, first_day=result.first_day)
    districts = scenario.district_codes
    roster, unstaffed, reports = roster_districts(scenario, slots, districts, workers=workers,
                                                  time_limit_seconds=limit, seed=result.seed, frozen=frozen,
                                                  previous=previous, executor=executor, progress=progress)
    closed_total = 0
    if len(unstaffed):
        # the plan asked for crews the officers cannot give. Two corrections: (a) close exactly
        # what the roster could not staff (the roster already covers the rest); (b) re-plan the
        # districts concerned with no more officers per role and shift than the roster has, and
        # staff it with the same officer-shifts. The one the simulation scores higher is
        # published; nothing is published with empty slots.
        from ..objective import objective_terms, officer_shifts
        window = result.window

        def score(decisions: Decisions):
            outcome = simulate(scenario, decisions, arrivals=window.arrivals, start=window.start,
                               first_day=window.first_day)
            terms = objective_terms(scenario, decisions, outcome)
            return float(sum(terms.values())), outcome, terms

        missing: Any = unstaffed.assign(district_code=unstaffed["ward_code"].map(scenario.wards["district_code"])) \
            .groupby("district_code")["missing"].sum()
        needed = slots.groupby("district_code")["needed"].sum()
        short = sorted(code for code, n in missing.items() if n >= REPLAN_MIN_SHARE * needed.get(code, 0))
        closed = staffed_decisions(scenario, result.decisions, roster)
        best_score, best_outcome, best_terms = score(closed)
        final, method = closed, "closed the unstaffed kit-shifts"
        if replan is not None and short:
            if progress:
                progress(f"re-planning {len(short)} district(s) with the staffing the roster found", 0.95)
            served = trim_to_slots(roster, slots)
            decisions = replan(closed, short, crew_ceiling(scenario, served, short))
            moved = reassign_to_slots(served, crew_slots(scenario, decisions, first_day=result.first_day))
            staffed = staffed_decisions(scenario, decisions, moved)   # the same, unless a re-plan failed
            staffed_score, staffed_outcome, staffed_terms = score(staffed)
            if staffed_score > best_score + 1e-6:
                roster = moved
                final, method = staffed, "re-planned with the staffing limit"
                best_score, best_outcome, best_terms = staffed_score, staffed_outcome, staffed_terms
        closed_total = int((result.decisions.kits_open - final.kits_open).clip(min=0).sum())
        # keep only roster rows that still serve an open activity of the final plan
        slots_now = crew_slots(scenario, final, first_day=result.first_day)
        roster = trim_to_slots(roster, slots_now)
        still_empty = empty_slots(scenario, slots_now, roster)
        if len(still_empty):   # cannot happen by construction; say so rather than publish gaps
            result.messages.append(f"staffing: {int(still_empty['missing'].sum())} slot(s) still empty")
        result.decisions = final
        result.outcome = best_outcome
        result.objective = best_score
        best_terms["officer_shifts_count"] = float(officer_shifts(scenario, final))
        result.objective_terms = best_terms
        result.messages.append(f"staffing: {closed_total} kit-shift(s) closed for lack of officers ({method})")
    roster = roster.sort_values(["district_code", "officer_id", "day", "shift"]).reset_index(drop=True)
    result.roster = roster
    result.unstaffed = unstaffed.reset_index(drop=True)
    result.roster_report = {
        "officer_shifts": int(len(roster)),
        "officers_working": int(roster["officer_id"].nunique()) if len(roster) else 0,
        "unstaffed_slots": int(unstaffed["missing"].sum()) if len(unstaffed) else 0,   # closed, see unstaffed.csv
        "kit_shifts_closed_for_lack_of_officers": closed_total,
        "districts": reports,
        "seconds": round(time.perf_counter() - begin, 3),
    }
    return result


def crew_ceiling(scenario: Scenario, roster: pd.DataFrame, districts: list[str]) -> dict[str, np.ndarray]:
    """Per district, officers of each role (CrewNeeds.roles order) the roster has on each day and
    shift: [role, day, shift]. A plan that asks no more of any role can be staffed by the same
    officer-shifts (only the ward each officer goes to may change)."""
    roles = CrewNeeds.of(scenario).roles
    codes = scenario.shift_codes
    out = {code: np.zeros((len(roles), scenario.n_days, len(codes)), dtype=np.int64) for code in districts}
    if len(roster):
        counts: Any = roster.groupby(["district_code", "role", "day", "shift"]).size()
        for (district, role, day, shift), n in counts.items():
            if district in out and role in roles:
                out[district][roles.index(role), int(day), codes.index(shift)] += int(n)
    return out


def reassign_to_slots(roster: pd.DataFrame, slots: pd.DataFrame) -> pd.DataFrame:
    """Move officers between wards of their district so the roster fills `slots`: per district,
    day, shift and role the same officers work, each kept at the ward they had where it still
    needs them, then sent to their home ward, then wherever a slot is open; officers beyond
    what the slots need are dropped. No officer's days or shifts change, so every roster rule
    still holds."""
    if not len(roster):
        return roster
    need: dict[tuple, dict[str, int]] = {}
    for r in table_rows(slots):
        need.setdefault((r.district_code, int(r.day), r.shift, r.role), {})[r.ward_code] = int(r.needed)
    rows = []
    groups: Any = roster.groupby(["district_code", "day", "shift", "role"], sort=True)
    for key, group in groups:
        open_slots = dict(need.get((key[0], int(key[1]), key[2], key[3]), {}))
        waiting = []
        for i, r in zip(group.index, table_rows(group)):
            if open_slots.get(r.ward_code, 0) > 0:
                open_slots[r.ward_code] -= 1
                rows.append((i, r.ward_code))
            else:
                waiting.append((i, r))
        later = []
        for i, r in waiting:
            if open_slots.get(r.home_ward, 0) > 0:
                open_slots[r.home_ward] -= 1
                rows.append((i, r.home_ward))
            else:
                later.append(i)
        free = [ward for ward, n in sorted(open_slots.items()) for _ in range(n)]
        rows.extend(zip(later, free))
    keep = [i for i, _ in rows]
    out = roster.loc[keep].copy()
    out["ward_code"] = [ward for _, ward in rows]
    return out.sort_index().reset_index(drop=True)
