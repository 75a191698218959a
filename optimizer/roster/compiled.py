"""Problem data arranged for model building, computed once per problem and shared by every
model, construction and search step."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from .draft import AWAY, FREE, RosterDraft
from .problem import MINUTES_PER_DAY, Demand, RosterProblem


@dataclass(frozen=True)
class RestConflict:
    """Shift `first` on day d and shift `second` on day d + `delta` may not both be worked,
    unless one of `bridges` ((day offset, shift)) is also worked and fills the gap exactly."""

    delta: int
    first: int
    second: int
    bridges: tuple[tuple[int, int], ...]


def rest_conflicts(problem: RosterProblem, min_rest_minutes: int, one_shift_a_day: bool
                   ) -> tuple[RestConflict, ...]:
    """Pairs of shifts too close (or overlapping) to be worked by one person."""
    shifts = problem.shifts
    latest_end = max(s.end_minute for s in shifts)
    max_delta = max(1, math.ceil((latest_end + min_rest_minutes) / MINUTES_PER_DAY))
    found = []
    for delta in range(0, max_delta + 1):
        if delta == 0 and one_shift_a_day:
            continue  # the one-shift-a-day rule already separates them
        for a, first in enumerate(shifts):
            for b, second in enumerate(shifts):
                if delta == 0 and (second.start_minute, b) <= (first.start_minute, a):
                    continue  # same-day pairs once, in clock order
                gap = delta * MINUTES_PER_DAY + second.start_minute - first.end_minute
                if gap < 0 or 0 < gap < min_rest_minutes:
                    bridges = []
                    if gap > 0:
                        for c, middle in enumerate(shifts):
                            for offset in range(0, delta + 1):
                                start = offset * MINUTES_PER_DAY + middle.start_minute
                                if start == first.end_minute and start + middle.length_minutes == \
                                        delta * MINUTES_PER_DAY + second.start_minute:
                                    bridges.append((offset, c))
                    found.append(RestConflict(delta, a, b, tuple(bridges)))
    return tuple(found)


class Compiled:
    """Lookups derived from a problem, shared by every model built for it."""

    def __init__(self, problem: RosterProblem):
        self.problem = problem
        self.n_employees = len(problem.employees)
        self.horizon = problem.horizon
        self.n_shifts = len(problem.shifts)
        self.lengths = [s.length_minutes for s in problem.shifts]
        codes = problem.shift_codes
        self.slot_demands: dict[tuple[int, int, str], tuple[Demand, ...]] = {}
        grouped = defaultdict(list)
        site_order = {site: i for i, site in enumerate(problem.sites)}
        for demand in problem.demands:
            grouped[(demand.day, codes.index(demand.shift), demand.role)].append(demand)
        for key, demands in grouped.items():
            self.slot_demands[key] = tuple(sorted(demands, key=lambda dm: site_order[dm.site]))
        roles_at = defaultdict(set)
        for d, s, role in self.slot_demands:
            roles_at[(d, s)].add(role)
        self.roles_at = {key: tuple(sorted(v)) for key, v in roles_at.items()}
        self.single_role = len({role for (_, _, role) in self.slot_demands}) <= 1
        self.has_hard_cover = any(math.isinf(dm.weight_under) or math.isinf(dm.weight_over)
                                  for dm in problem.demands)
        self.allowed: list[tuple[int, ...]] = []
        self.type_limits: list[dict[int, int]] = []
        self.successions: list[dict[int, tuple[int, ...]]] = []
        self.conflicts: list[tuple[RestConflict, ...]] = []
        conflict_cache = {}
        for employee in problem.employees:
            limits = {codes.index(code): limit for code, limit in employee.max_shifts_by_type}
            self.type_limits.append(limits)
            self.allowed.append(tuple(s for s in range(self.n_shifts) if limits.get(s) != 0))
            after = defaultdict(list)
            for first, second in sorted(employee.forbidden_successions):
                after[codes.index(first)].append(codes.index(second))
            self.successions.append({a: tuple(sorted(bs)) for a, bs in after.items()})
            key = (employee.min_rest_minutes, employee.max_shifts_per_day == 1)
            if key not in conflict_cache:
                conflict_cache[key] = rest_conflicts(problem, *key)
            self.conflicts.append(conflict_cache[key])
        self.requests_of: list[list] = [[] for _ in problem.employees]
        index = {e.id: i for i, e in enumerate(problem.employees)}
        for request in problem.requests:
            s = None if request.shift is None else codes.index(request.shift)
            self.requests_of[index[request.employee]].append((request.day, s, request.kind, request.weight))
        self.weekends: dict[int, list[int]] = defaultdict(list)
        self.weeks: dict[int, list[int]] = defaultdict(list)
        for day in problem.days:
            if day.weekend is not None:
                self.weekends[day.weekend].append(day.index)
            self.weeks[day.week].append(day.index)
        self.groups: dict[str, list[int]] = defaultdict(list)
        for e, employee in enumerate(problem.employees):
            self.groups[employee.group].append(e)
        self.scale = objective_scale(problem)
        # per minute of min_total_minutes shortfall while searching from an infeasible roster:
        # one minute short outweighs any single soft cost
        finite = [w for d in problem.demands for w in (d.weight_under, d.weight_over) if w < math.inf]
        finite += [r.weight for r in problem.requests]
        self.shortfall_weight = max([1.0] + finite)

    def shortfall_minutes(self, plan: RosterDraft, employees: Iterable[int] | None = None) -> int:
        """Minutes below min_total_minutes, summed over employees (or over `employees` only; 0
        for a feasible roster)."""
        staff = self.problem.employees
        if employees is not None:
            return sum(max(0, staff[e].min_total_minutes - sum(
                self.lengths[s] for d in range(self.horizon) for s, _, _ in plan.cells.get((e, d), ())))
                for e in employees)
        worked = Counter()
        for (e, _), works in plan.cells.items():
            for s, _, _ in works:
                worked[e] += self.lengths[s]
        return sum(max(0, emp.min_total_minutes - worked[e]) for e, emp in enumerate(staff))

    def roles_for(self, e: int, d: int, s: int) -> tuple[str, ...]:
        """Roles employee e could fill in shift s of day d (skills with a demand there)."""
        roles = self.roles_at.get((d, s), ())
        skills = self.problem.employees[e].skills
        return tuple(r for r in roles if r in skills)

    def home_key(self, e: int, sites: tuple[str, ...]) -> str:
        home = self.problem.employees[e].home_site
        if home is None:
            return FREE
        return home if home in sites else AWAY


def objective_scale(problem: RosterProblem) -> int:
    """The power of ten that makes every finite weight an integer (CP-SAT needs integers)."""
    weights = [w for d in problem.demands for w in (d.weight_under, d.weight_over) if w < math.inf]
    weights += [r.weight for r in problem.requests]
    costs = problem.costs
    weights += [costs.cross_site_per_shift, costs.reserve_per_shift, costs.shift_worked,
                costs.fairness_per_shift]
    for scale in (1, 10, 100, 1000, 10_000, 100_000, 1_000_000):
        if all(abs(w * scale - round(w * scale)) <= 1e-6 * max(1.0, w * scale) for w in weights):
            return scale
    return 1_000_000


