"""A fast greedy roster for problems too large to construct with CP-SAT (long horizons).

Employees are rostered one after the other, day by day, each working the shift that fills the
most valuable cover gap that day while keeping pace with their minimum and maximum minutes.
Every hard rule is checked against the days already decided (rules that look ahead, the
minimum block lengths, by trying to complete the block first), so the result breaks no hard
rule except possibly a minimum-minutes shortfall, which the neighbourhood search then works
away (see `RosterModel(soft_minimums=True)`).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict

from .compiled import Compiled
from .draft import RosterDraft


class _Schedule:
    """One employee's days decided so far, with the counters the rules need."""

    def __init__(self, compiled: Compiled, e: int):
        self.c = compiled
        self.e = e
        self.employee = compiled.problem.employees[e]
        self.shift_of: list[int | None] = []      # per decided day: shift index or None (off)
        self.minutes = 0
        self.by_shift = Counter()
        self.weekends: set[int] = set()
        self.weekend_days = Counter()             # weekend -> days of it worked
        self.week_minutes = Counter()

    # -- rules against the past -----------------------------------------------------------
    def run(self, working: bool) -> int:
        """Length of the current run of work (or off) days ending yesterday."""
        length = 0
        for shift in reversed(self.shift_of):
            if (shift is not None) != working:
                break
            length += 1
        return length

    def run_touches_start(self, working: bool) -> bool:
        return self.run(working) == len(self.shift_of)

    def can_work(self, d: int, s: int) -> bool:
        """Working shift s on day d keeps every rule, given the days before d."""
        c, employee = self.c, self.employee
        if d in employee.days_off or s not in c.allowed[self.e]:
            return False
        limit = c.type_limits[self.e].get(s)
        if limit is not None and self.by_shift[s] >= limit:
            return False
        length = c.lengths[s]
        if employee.max_total_minutes is not None and self.minutes + length > employee.max_total_minutes:
            return False
        week = c.problem.days[d].week
        if employee.max_minutes_per_week is not None and \
                self.week_minutes[week] + length > employee.max_minutes_per_week:
            return False
        weekend = c.problem.days[d].weekend
        if weekend is not None and weekend not in self.weekends and employee.max_weekends is not None:
            # spend the weekends in step with the horizon (and never more than allowed)
            order = sorted(c.weekends)
            paced = math.ceil(employee.max_weekends * (order.index(weekend) + 1) / len(order))
            if len(self.weekends) >= min(employee.max_weekends, paced):
                return False
        worked = self.run(True)
        if employee.max_consecutive_days is not None and worked + 1 > employee.max_consecutive_days:
            return False
        if worked == 0 and d > 0:   # starting a work block after an off block
            rested = self.run(False)
            exempt = self.c.problem.edge_blocks_exempt and self.run_touches_start(False)
            if rested < employee.min_consecutive_days_off and not exempt:
                return False
        if d > 0 and self.shift_of[d - 1] is not None and s in c.successions[self.e].get(self.shift_of[d - 1], ()):
            return False
        for conflict in c.conflicts[self.e]:
            # one shift a day here, so no bridging shift can fill a too-short rest
            first = d - conflict.delta
            if conflict.delta > 0 and first >= 0 and self.shift_of[first] == conflict.first \
                    and conflict.second == s:
                return False
        need = employee.min_days_off_per_7
        return not (need and d >= 6 and sum(1 for x in self.shift_of[d - 6:d] if x is not None) + 1 > 7 - need)

    def can_rest(self, d: int) -> bool:
        """Day d may be off: the work block before it (if any) is long enough."""
        worked = self.run(True)
        if worked == 0:
            return True
        exempt = self.c.problem.edge_blocks_exempt and self.run_touches_start(True)
        return worked >= self.employee.min_consecutive_days or exempt

    def add(self, d: int, s: int | None) -> None:
        self.shift_of.append(s)
        if s is None:
            return
        length = self.c.lengths[s]
        self.minutes += length
        self.by_shift[s] += 1
        self.week_minutes[self.c.problem.days[d].week] += length
        weekend = self.c.problem.days[d].weekend
        if weekend is not None:
            self.weekends.add(weekend)
            self.weekend_days[weekend] += 1

    def undo(self) -> None:
        s = self.shift_of.pop()
        if s is None:
            return
        d = len(self.shift_of)
        length = self.c.lengths[s]
        self.minutes -= length
        self.by_shift[s] -= 1
        self.week_minutes[self.c.problem.days[d].week] -= length
        weekend = self.c.problem.days[d].weekend
        if weekend is not None:
            self.weekend_days[weekend] -= 1
            if not self.weekend_days[weekend]:
                self.weekends.discard(weekend)

    def can_complete_block(self, d: int, s: int) -> bool:
        """Working shift s on day d, the work block can still reach its minimum length."""
        worked = self.run(True)
        exempt = self.c.problem.edge_blocks_exempt and worked == len(self.shift_of)
        remaining = self.employee.min_consecutive_days - worked - 1
        if remaining <= 0 or exempt:
            return True
        self.add(d, s)
        try:
            return self._extend(d + 1, remaining)
        finally:
            self.undo()

    def weekend_part(self, d: int) -> str | None:
        """For an employee with a limit of weekends with work, on a day of a weekend they do not
        work yet: "later" when they were free to work an earlier day of it, else "first"; None
        on other days."""
        weekend = self.c.problem.days[d].weekend
        if weekend is None or self.employee.max_weekends is None or weekend in self.weekends:
            return None
        earlier = [day for day in self.c.weekends[weekend] if day < d and day not in self.employee.days_off]
        return "later" if earlier else "first"

    def can_work_whole_weekend(self, d: int, s: int) -> bool:
        """Working shift s on day d, the first day of a weekend, every later day of that
        weekend (within the horizon, not a day off) can be worked too."""
        days = [day for day in self.c.weekends[self.c.problem.days[d].weekend] if day > d]
        self.add(d, s)
        try:
            return self._work_days(days)
        finally:
            self.undo()

    def _work_days(self, days: list[int]) -> bool:
        if not days:
            return True
        d = days[0]
        if d != len(self.shift_of) or d in self.employee.days_off:
            return True   # not consecutive, or off anyway: nothing more to check here
        for s in self.c.allowed[self.e]:
            if self.can_work(d, s):
                self.add(d, s)
                ok = self._work_days(days[1:])
                self.undo()
                if ok:
                    return True
        return False

    def _extend(self, d: int, remaining: int) -> bool:
        if remaining == 0:
            return True
        if d >= self.c.horizon:
            return self.c.problem.edge_blocks_exempt
        for s in self.c.allowed[self.e]:
            if self.can_work(d, s):
                self.add(d, s)
                ok = self._extend(d + 1, remaining - 1)
                self.undo()
                if ok:
                    return True
        return False


def greedy_plan(compiled: Compiled) -> RosterDraft:
    """Roster day by day; each day the employees most behind their pace choose first, each
    taking at most one shift: the one whose (role, site) gap is worth most to fill, net of the
    cross-site, reserve and shift costs and of their requests."""
    problem = compiled.problem
    costs = problem.costs
    need: dict[tuple, int] = {}          # (day, shift, role, site) -> people still wanted
    weight: dict[tuple, tuple[float, float]] = {}
    sites_of: dict[tuple, list[str]] = {}
    for (d, s, role), demands in compiled.slot_demands.items():
        sites_of[(d, s, role)] = [dm.site for dm in demands]
        for dm in demands:
            need[(d, s, role, dm.site)] = dm.requirement
            weight[(d, s, role, dm.site)] = (min(dm.weight_under, 1e6), min(dm.weight_over, 1e6))
    request_value = defaultdict(float)
    for e, requests in enumerate(compiled.requests_of):
        for d, s, kind, value in requests:
            for shift in ([s] if s is not None else range(compiled.n_shifts)):
                request_value[(e, d, shift)] += value if kind == "want" else -value
    schedules = [_Schedule(compiled, e) for e in range(compiled.n_employees)]
    employees = problem.employees
    available = [max(1, sum(1 for d in range(compiled.horizon) if d not in emp.days_off)) for emp in employees]
    seen = [0] * compiled.n_employees
    longest = [max((compiled.lengths[s] for s in compiled.allowed[e]), default=0)
               for e in range(compiled.n_employees)]
    # pace: each employee aims at their maximum minutes (at least their minimum), spread over
    # their available days; working is a must once behind that pace
    pace = [emp.max_total_minutes if emp.max_total_minutes is not None else emp.min_total_minutes
            for emp in employees]
    cells: dict = {}
    for d in range(compiled.horizon):
        for e, emp in enumerate(employees):
            if d not in emp.days_off:
                seen[e] += 1
        # most behind their pace first; home-site staff before reserves; then by index
        order = sorted(range(compiled.n_employees), key=lambda e: (
            schedules[e].minutes - pace[e] * seen[e] / available[e], employees[e].reserve, e))
        decided = set()
        # first everyone fills gaps at their own site, then what is left is open to all
        for anywhere in (False, True):
            for e in order:
                if e in decided:
                    continue
                schedule, employee = schedules[e], employees[e]
                must_work = not schedule.can_rest(d)
                home_only = not anywhere and not must_work and employee.home_site is not None \
                    and len(problem.sites) > 1
                if not anywhere and employee.home_site is None and len(problem.sites) > 1 and not must_work:
                    continue   # reserves wait for the second pass
                share = seen[e] / available[e]
                low = pace[e] * share
                high = (employee.max_total_minutes if employee.max_total_minutes is not None else math.inf) * share
                behind = schedule.minutes < low
                options = []
                for s in compiled.allowed[e]:
                    if not schedule.can_work(d, s):
                        continue
                    if schedule.minutes + compiled.lengths[s] > high + longest[e] and not must_work:
                        continue
                    value, role, site = _best_place(compiled, e, d, s, need, weight, sites_of, home_only)
                    value += request_value.get((e, d, s), 0.0) - costs.shift_worked
                    value -= costs.reserve_per_shift if employee.reserve else 0.0
                    options.append((value, -s, s, role, site))
                options.sort(reverse=True)
                choice = None
                # a limited weekend is spent whole: begun on its first day only when every day of
                # it can be worked, never begun on a later day (unless the employee must work)
                part = None if must_work else schedule.weekend_part(d)
                for value, _, s, role, site in options:
                    if not (must_work or behind or value > 0) or part == "later":
                        break
                    if part == "first" and not schedule.can_work_whole_weekend(d, s):
                        continue
                    if schedule.can_complete_block(d, s):
                        choice = (s, role, site)
                        break
                if choice is None and not anywhere:
                    continue       # may still take a gap elsewhere in the second pass
                decided.add(e)
                schedule.add(d, None if choice is None else choice[0])
                if choice is not None:
                    s, role, site = choice
                    cells[(e, d)] = ((s, role, site),)
                    if role is not None:
                        need[(d, s, role, site)] -= 1
    return RosterDraft(cells)


def _best_place(compiled: Compiled, e: int, d: int, s: int, need, weight, sites_of, home_only: bool = False
                ) -> tuple[float, str | None, str | None]:
    """(value, role, site) of the best place for employee e in shift s of day d (at their home
    site only, with `home_only`)."""
    employee = compiled.problem.employees[e]
    cross = compiled.problem.costs.cross_site_per_shift
    best = (-math.inf, None, None)
    for role in compiled.roles_for(e, d, s):
        for site in sites_of[(d, s, role)]:
            if home_only and site != employee.home_site:
                continue
            under, over = weight[(d, s, role, site)]
            value = under if need[(d, s, role, site)] > 0 else -over
            if employee.home_site is not None and site != employee.home_site:
                value -= cross
            if value > best[0]:
                best = (value, role, site)
    if best[1] is None:
        home = employee.home_site or compiled.problem.sites[0]
        return 0.0, None, home
    return best
