"""The quick first roster of a district: crew slots filled greedily, scarcest role first,
keeping every officer rule (the engine's cover fill and search then improve it)."""

from __future__ import annotations

from ..roster.problem import RosterProblem
from ..roster.result import Assignment

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
    codes = problem.shift_codes
    shifts = problem.shifts
    n_days = problem.horizon
    employees = problem.employees
    index = {e.id: i for i, e in enumerate(employees)}
    wishes: dict[tuple[int, int, str | None], float] = {}
    for r in problem.requests:
        wishes[(index[r.employee], r.day, r.shift)] = wishes.get((index[r.employee], r.day, r.shift), 0.0) + (
            r.weight if r.kind == "want" else -r.weight)
    worked: list[list[list[int]]] = [[[] for _ in range(n_days)] for _ in employees]      # shift indexes per day
    week_minutes: list[dict[int, int]] = [{} for _ in employees]
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
    order: list[tuple] = []
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
