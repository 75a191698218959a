"""The CP-SAT model of a rostering problem, or of part of it.

`RosterModel(compiled, plan, free)` builds variables only for the `free` (employee, day) cells;
every other cell keeps the value it has in `plan` and enters the rules as a constant. With
`free=None` every cell is free: the full model. The neighbourhood search (`search.py`) uses the
same class to re-optimise a few employees or a window of days around an incumbent roster.

Variables: `x[e, d, s]` employee e works shift s on day d; `y[e, d, s, role]` in that role
(an alias of x when only one role is possible); `w[e, d]` day d is worked. Sites are decided
per cover slot (day, shift, role) by counts: how many people of each home site move away and
how many arrive at each site, which is exact because every move costs the same.
Each rule family is one method below whose docstring states the rule; soft rules add named
penalty terms, gathered into one objective.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Iterable

from ortools.sat.python import cp_model

from .problem import MINUTES_PER_DAY, Demand, RosterProblem
from .result import Assignment

Work = tuple[int, "str | None", "str | None"]   # (shift index, role, site) of one worked shift
Cell = tuple[int, int]                            # (employee index, day)

FREE = "_free"   # home key of an employee without home site (no cross-site cost)
AWAY = "_away"   # home key of an employee whose home site has no demand in the slot


class Plan:
    """A roster being built or improved: (employee index, day) -> the shifts worked that day."""

    def __init__(self, cells: dict[Cell, tuple[Work, ...]] | None = None):
        self.cells: dict[Cell, tuple[Work, ...]] = dict(cells or {})

    def works(self, e: int, d: int) -> tuple[Work, ...]:
        return self.cells.get((e, d), ())

    def copy(self) -> "Plan":
        return Plan(self.cells)

    def to_assignments(self, problem: RosterProblem) -> list[Assignment]:
        codes = problem.shift_codes
        rows = []
        for (e, d), works in self.cells.items():
            for s, role, site in works:
                rows.append(Assignment(problem.employees[e].id, d, codes[s], site, role))
        return sorted(rows, key=lambda a: (a.employee, a.day, codes.index(a.shift)))

    @classmethod
    def from_assignments(cls, problem: RosterProblem, assignments: Iterable[Assignment]) -> "Plan":
        index = {e.id: i for i, e in enumerate(problem.employees)}
        cells: dict[Cell, list[Work]] = defaultdict(list)
        for a in assignments:
            cells[(index[a.employee], a.day)].append((problem.shift_index(a.shift), a.role, a.site))
        return cls({cell: tuple(sorted(works, key=lambda w: w[0])) for cell, works in cells.items()})


# --------------------------------------------------------------------------------------------
# problem data arranged for model building (computed once per problem)

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


# --------------------------------------------------------------------------------------------

class RosterModel:
    """CP-SAT model of the free cells of a roster; see the module docstring."""

    def __init__(self, compiled: Compiled, plan: Plan | None = None, free: Iterable[Cell] | None = None,
                 *, guard: bool = False, names: bool = True):
        self.c = compiled
        self.problem = compiled.problem
        self.plan = plan if plan is not None else Plan()
        self.guard_mode = guard
        self.names = names
        self.model = cp_model.CpModel()
        horizon = compiled.horizon
        if free is None:
            self.free_days = {e: list(range(horizon)) for e in range(compiled.n_employees)}
        else:
            by_employee = defaultdict(set)
            for e, d in free:
                by_employee[e].add(d)
            self.free_days = {e: sorted(days) for e, days in sorted(by_employee.items())}
        self.free_set = {e: set(days) for e, days in self.free_days.items()}
        self.x: dict[tuple[int, int, int], cp_model.IntVar] = {}
        self.y: dict[tuple[int, int, int, str | None], cp_model.IntVar] = {}
        self.w: dict[Cell, object] = {}
        self.guards: dict[tuple[str, str], cp_model.IntVar] = {}
        self.terms: list[tuple[str, str, float, object, bool]] = []   # rule, label, weight, var, negated
        self.hint: dict = {}
        self.slots: dict[tuple[int, int, str], dict] = {}
        self._obj_vars: list = []
        self._obj_coefs: list[int] = []
        self._fixed_stats: dict[int, dict] = {}
        self.build()

    # -- building -------------------------------------------------------------------------
    def build(self) -> None:
        self._variables()
        self._link_work_days()
        self._shifts_per_day()
        self._days_off()
        self._shift_type_limits()
        self._total_minutes()
        self._weekly_minutes()
        self._max_consecutive_days()
        self._min_consecutive_days()
        self._min_consecutive_days_off()
        self._max_weekends()
        self._days_off_per_7()
        self._rest_between_shifts()
        self._forbidden_successions()
        self._cover()
        self._requests()
        self._shift_costs()
        self._fairness()
        self._objective()

    # -- helpers --------------------------------------------------------------------------
    def _name(self, text: str) -> str:
        return text if self.names else ""

    def _bool(self, name: str):
        return self.model.new_bool_var(self._name(name))

    def _int(self, low: int, high: int, name: str):
        return self.model.new_int_var(low, high, self._name(name))

    def guard(self, rule: str, who: str):
        """The enforcement literal of a hard rule for one employee or slot (guard mode only)."""
        if not self.guard_mode:
            return None
        key = (rule, who)
        if key not in self.guards:
            self.guards[key] = self.model.new_bool_var(f"guard[{rule}, {who}]")
        return self.guards[key]

    def _is_free(self, e: int, d: int) -> bool:
        days = self.free_set.get(e)
        return days is not None and d in days

    def xv(self, e: int, d: int, s: int):
        """Employee e works shift s on day d: a literal, or 0/1 for a fixed or impossible cell."""
        if self._is_free(e, d):
            return self.x.get((e, d, s), 0)
        return 1 if any(work[0] == s for work in self.plan.works(e, d)) else 0

    def wv(self, e: int, d: int):
        """Employee e works on day d (0 outside the horizon)."""
        if d < 0 or d >= self.c.horizon:
            return 0
        if self._is_free(e, d):
            return self.w[(e, d)]
        return 1 if self.plan.works(e, d) else 0

    def _clause(self, literals: list[tuple[object, bool]], enforce=None) -> None:
        """At least one of the (term, positive) literals holds; constants are simplified away."""
        lits = []
        for term, positive in literals:
            if isinstance(term, int):
                if (term == 1) == positive:
                    return
                continue
            lits.append(term if positive else term.Not())
        ct = self.model.add_bool_or(lits)   # empty: this clause cannot hold
        if enforce is not None:
            ct.only_enforce_if(enforce)

    def _linear(self, terms: list[tuple[int, object]], low: int | None, high: int | None, enforce=None) -> None:
        """low <= sum(coef * term) <= high with constant terms folded in."""
        const = 0
        variables, coefs = [], []
        for coef, term in terms:
            if isinstance(term, int):
                const += coef * term
            else:
                variables.append(term)
                coefs.append(coef)
        low = -(2 ** 62) if low is None else low - const
        high = 2 ** 62 if high is None else high - const
        if not variables:
            if low <= 0 <= high:
                return
            ct = self.model.add_bool_or([])
        else:
            ct = self.model.add_linear_constraint(cp_model.LinearExpr.weighted_sum(variables, coefs),
                                                  low, high)
        if enforce is not None:
            ct.only_enforce_if(enforce)

    @staticmethod
    def _enforced(constraint, guard) -> None:
        if guard is not None:
            constraint.only_enforce_if(guard)

    def _penalise(self, rule: str, label: str, weight: float, var, negated: bool = False) -> None:
        """Add weight * var (or weight * (1 - var)) to the objective under a readable name."""
        if isinstance(var, int) or weight <= 0:
            return
        coef = int(round(weight * self.c.scale))
        if coef == 0:
            return
        self.terms.append((rule, label, weight, var, negated))
        self._obj_vars.append(var)
        self._obj_coefs.append(-coef if negated else coef)

    def _starts_touching(self, e: int, first: int, last: int, length: int) -> list[int]:
        """Window starts t in [first, last] whose days t .. t+length-1 include a free day of e."""
        starts = set()
        for f in self.free_days[e]:
            starts.update(range(max(first, f - length + 1), min(last, f) + 1))
        return sorted(starts)

    def fixed_stats(self, e: int) -> dict:
        """Totals of employee e over the fixed (not free) days, from the plan."""
        stats = self._fixed_stats.get(e)
        if stats is None:
            free = self.free_set.get(e, set())
            by_shift, minutes_by_week, weekends, shifts, minutes = Counter(), Counter(), set(), 0, 0
            days = self.problem.days
            for d in range(self.c.horizon):
                if d in free:
                    continue
                for s, _, _ in self.plan.works(e, d):
                    by_shift[s] += 1
                    minutes += self.c.lengths[s]
                    minutes_by_week[days[d].week] += self.c.lengths[s]
                    shifts += 1
                    if days[d].weekend is not None:
                        weekends.add(days[d].weekend)
            stats = {"by_shift": by_shift, "minutes": minutes, "minutes_by_week": minutes_by_week,
                     "weekends": weekends, "shifts": shifts}
            self._fixed_stats[e] = stats
        return stats

    def _plan_has(self, e: int, d: int, s: int, role=None) -> int:
        for work in self.plan.works(e, d):
            if work[0] == s and (role is None or work[1] == role):
                return 1
        return 0

    # -- variables ------------------------------------------------------------------------
    def _variables(self) -> None:
        """x[e, d, s] for every free cell and shift the employee may work; y per role when the
        employee could fill several roles there (exactly one role per worked shift)."""
        problem, c = self.problem, self.c
        all_shifts = tuple(range(c.n_shifts))
        for e, days in self.free_days.items():
            employee = problem.employees[e]
            shifts = all_shifts if self.guard_mode else c.allowed[e]
            for d in days:
                if d in employee.days_off and not self.guard_mode:
                    continue
                for s in shifts:
                    x = self._bool(f"x[{employee.id},{d},{problem.shifts[s].code}]")
                    self.x[(e, d, s)] = x
                    hint = self._plan_has(e, d, s)
                    self.hint[x] = hint
                    roles = c.roles_for(e, d, s)
                    if len(roles) <= 1:
                        self.y[(e, d, s, roles[0] if roles else None)] = x
                        continue
                    ys = []
                    for role in roles:
                        y = self._bool(f"y[{employee.id},{d},{problem.shifts[s].code},{role}]")
                        self.y[(e, d, s, role)] = y
                        self.hint[y] = self._plan_has(e, d, s, role)
                        ys.append(y)
                    if hint and not any(self.hint[y] for y in ys):
                        self.hint[ys[0]] = 1
                    self.model.add(sum(ys) == x)

    def _link_work_days(self) -> None:
        """A day is worked if and only if some shift is worked that day."""
        for e, days in self.free_days.items():
            one_a_day = self.problem.employees[e].max_shifts_per_day == 1 and not self.guard_mode
            for d in days:
                shifts = [self.x[(e, d, s)] for s in range(self.c.n_shifts) if (e, d, s) in self.x]
                if not shifts:
                    self.w[(e, d)] = 0
                elif len(shifts) == 1:
                    self.w[(e, d)] = shifts[0]
                else:
                    w = self._bool(f"w[{self.problem.employees[e].id},{d}]")
                    self.w[(e, d)] = w
                    self.hint[w] = 1 if self.plan.works(e, d) else 0
                    if one_a_day:
                        self.model.add(sum(shifts) == w)   # also "at most one shift a day"
                    else:
                        for x in shifts:
                            self.model.add_implication(x, w)
                        self.model.add_bool_or(shifts).only_enforce_if(w)

    # -- hard rules, one method per family --------------------------------------------------
    def _shifts_per_day(self) -> None:
        """An employee works at most `max_shifts_per_day` shifts a day."""
        for e, days in self.free_days.items():
            employee = self.problem.employees[e]
            limit = employee.max_shifts_per_day
            if limit == 1 and not self.guard_mode:
                continue  # encoded exactly in _link_work_days
            guard = self.guard("max_shifts_per_day", employee.id)
            for d in days:
                shifts = [self.x[(e, d, s)] for s in range(self.c.n_shifts) if (e, d, s) in self.x]
                if len(shifts) > limit:
                    self._linear([(1, x) for x in shifts], None, limit, guard)

    def _days_off(self) -> None:
        """No work on an employee's days off (leave, hard days off)."""
        if not self.guard_mode:
            return  # no variables are created on days off
        for e, days in self.free_days.items():
            employee = self.problem.employees[e]
            guard = self.guard("days_off", employee.id)
            for d in days:
                if d in employee.days_off:
                    self._clause([(self.w[(e, d)], False)], guard)

    def _shift_type_limits(self) -> None:
        """At most `max_shifts_by_type[code]` shifts of each type over the horizon (0 forbids)."""
        for e, days in self.free_days.items():
            employee = self.problem.employees[e]
            guard = self.guard("max_shifts_by_type", employee.id)
            fixed = self.fixed_stats(e)["by_shift"]
            for s, limit in self.c.type_limits[e].items():
                terms = [(1, self.x[(e, d, s)]) for d in days if (e, d, s) in self.x]
                if fixed[s] + len(terms) > limit:
                    self._linear(terms + [(1, fixed[s])], None, limit, guard)

    def _total_minutes(self) -> None:
        """Worked minutes over the horizon lie within [min_total_minutes, max_total_minutes]."""
        for e, days in self.free_days.items():
            employee = self.problem.employees[e]
            if employee.min_total_minutes == 0 and employee.max_total_minutes is None:
                continue
            terms = [(self.c.lengths[s], self.x[(e, d, s)]) for d in days
                     for s in range(self.c.n_shifts) if (e, d, s) in self.x]
            terms.append((1, self.fixed_stats(e)["minutes"]))
            self._linear(terms, employee.min_total_minutes or None, employee.max_total_minutes,
                         self.guard("total_minutes", employee.id))

    def _weekly_minutes(self) -> None:
        """Worked minutes in each calendar week stay within `max_minutes_per_week`."""
        days_of = self.problem.days
        for e, days in self.free_days.items():
            employee = self.problem.employees[e]
            if employee.max_minutes_per_week is None:
                continue
            fixed = self.fixed_stats(e)["minutes_by_week"]
            by_week = defaultdict(list)
            for d in days:
                for s in range(self.c.n_shifts):
                    if (e, d, s) in self.x:
                        by_week[days_of[d].week].append((self.c.lengths[s], self.x[(e, d, s)]))
            guard = self.guard("max_minutes_per_week", employee.id)
            for week, terms in sorted(by_week.items()):
                if fixed[week] + sum(coef for coef, _ in terms) > employee.max_minutes_per_week:
                    self._linear(terms + [(1, fixed[week])], None, employee.max_minutes_per_week, guard)

    def _max_consecutive_days(self) -> None:
        """At most `max_consecutive_days` days worked in a row (days outside the horizon are off):
        every window of max + 1 consecutive days has a day off."""
        horizon = self.c.horizon
        for e in self.free_days:
            employee = self.problem.employees[e]
            limit = employee.max_consecutive_days
            if limit is None or limit >= horizon:
                continue
            guard = self.guard("max_consecutive_days", employee.id)
            for t in self._starts_touching(e, 0, horizon - limit - 1, limit + 1):
                self._linear([(1, self.wv(e, d)) for d in range(t, t + limit + 1)], None, limit, guard)

    def _min_consecutive_days(self) -> None:
        """Work blocks last at least `min_consecutive_days` days: if d is off and d+1 worked,
        then d+1 .. d+min are worked. With `edge_blocks_exempt`, blocks touching the first or
        last day may be shorter; otherwise days outside the horizon count as off."""
        self._min_block(work=True)

    def _min_consecutive_days_off(self) -> None:
        """Off blocks last at least `min_consecutive_days_off` days (same edge rule as work
        blocks; without the exemption, days outside the horizon count as off)."""
        self._min_block(work=False)

    def _min_block(self, work: bool) -> None:
        horizon = self.c.horizon
        exempt = self.problem.edge_blocks_exempt
        rule = "min_consecutive_days" if work else "min_consecutive_days_off"
        for e in self.free_days:
            employee = self.problem.employees[e]
            length = employee.min_consecutive_days if work else employee.min_consecutive_days_off
            if length <= 1:
                continue
            guard = self.guard(rule, employee.id)
            first = 0 if exempt else -1
            for d in self._starts_touching(e, first, horizon - 2, length + 1):
                before, start = self.wv(e, d), self.wv(e, d + 1)
                for j in range(2, length + 1):
                    if d + j >= horizon and exempt:
                        break
                    # work: not w[d] and w[d+1] -> w[d+j]; off: w[d] and not w[d+1] -> not w[d+j]
                    self._clause([(before, work), (start, not work), (self.wv(e, d + j), work)], guard)

    def _max_weekends(self) -> None:
        """At most `max_weekends` weekends with any work (Saturday or Sunday)."""
        for e, days in self.free_days.items():
            employee = self.problem.employees[e]
            limit = employee.max_weekends
            if limit is None or limit >= len(self.c.weekends):
                continue
            fixed = self.fixed_stats(e)["weekends"]
            free = self.free_set[e]
            terms = []
            for weekend, weekend_days in sorted(self.c.weekends.items()):
                if weekend in fixed:
                    terms.append((1, 1))
                    continue
                literals = [self.w[(e, d)] for d in weekend_days if d in free]
                literals = [lit for lit in literals if not isinstance(lit, int)]
                if not literals:
                    continue
                if len(literals) == 1:
                    terms.append((1, literals[0]))
                    continue
                worked = self._bool(f"weekend[{employee.id},{weekend}]")
                for lit in literals:
                    self.model.add_implication(lit, worked)
                self.hint[worked] = max(self.hint.get(lit, 0) for lit in literals)
                terms.append((1, worked))
            if sum(1 for _, t in terms if not isinstance(t, int)) + len(fixed) > limit:
                self._linear(terms, None, limit, self.guard("max_weekends", employee.id))

    def _days_off_per_7(self) -> None:
        """Every 7 consecutive days of the horizon hold at least `min_days_off_per_7` days off."""
        horizon = self.c.horizon
        for e in self.free_days:
            employee = self.problem.employees[e]
            need = employee.min_days_off_per_7
            if need == 0 or horizon < 7:
                continue
            guard = self.guard("min_days_off_per_7", employee.id)
            for t in self._starts_touching(e, 0, horizon - 7, 7):
                self._linear([(1, self.wv(e, d)) for d in range(t, t + 7)], None, 7 - need, guard)

    def _rest_between_shifts(self) -> None:
        """Two work periods are at least `min_rest_minutes` apart (shifts that touch form one
        period) and no two worked shifts overlap in time, across midnight too."""
        horizon = self.c.horizon
        for e in self.free_days:
            conflicts = self.c.conflicts[e]
            if not conflicts:
                continue
            employee = self.problem.employees[e]
            guard = self.guard("min_rest", employee.id)
            span = max(conflict.delta for conflict in conflicts)
            for d in self._starts_touching(e, 0, horizon - 1, span + 1):
                for conflict in conflicts:
                    if d + conflict.delta >= horizon:
                        continue
                    literals = [(self.xv(e, d, conflict.first), False),
                                (self.xv(e, d + conflict.delta, conflict.second), False)]
                    literals += [(self.xv(e, d + offset, c), True) for offset, c in conflict.bridges]
                    self._clause(literals, guard)

    def _forbidden_successions(self) -> None:
        """Shift b is not worked the day after shift a for each forbidden succession (a, b)."""
        horizon = self.c.horizon
        for e in self.free_days:
            after = self.c.successions[e]
            if not after:
                continue
            employee = self.problem.employees[e]
            guard = self.guard("forbidden_successions", employee.id)
            one_a_day = employee.max_shifts_per_day == 1
            for d in self._starts_touching(e, 0, horizon - 2, 2):
                for a, followers in after.items():
                    first = self.xv(e, d, a)
                    if isinstance(first, int) and first == 0:
                        continue
                    seconds = [self.xv(e, d + 1, b) for b in followers]
                    if one_a_day and guard is None:
                        # at most one of them: x[d, a] and any follower on d + 1
                        terms = [first] + [t for t in seconds if not isinstance(t, int) or t == 1]
                        self._at_most_one(terms)
                    else:
                        for second in seconds:
                            self._clause([(first, False), (second, False)], guard)

    def _at_most_one(self, terms: list) -> None:
        constant = sum(t for t in terms if isinstance(t, int))
        variables = [t for t in terms if not isinstance(t, int)]
        if constant >= 1:
            for v in variables:
                self.model.add_bool_or([v.Not()])
            if constant > 1:
                self.model.add_bool_or([])
        elif len(variables) > 1:
            self.model.add_at_most_one(variables)

    # -- cover ------------------------------------------------------------------------------
    def _cover(self) -> None:
        """Cover per (day, shift, site, role): each missing person costs weight_under, each
        extra person weight_over (infinite = hard). People are placed at sites by counts;
        an employee working away from their home site costs `cross_site_per_shift`."""
        problem, c = self.problem, self.c
        free_by_slot = defaultdict(list)
        for (e, d, s, role), y in self.y.items():
            if role is not None:
                free_by_slot[(d, s, role)].append((e, y))
        if not free_by_slot:
            return
        fixed_by_slot: dict[tuple, list[int]] = defaultdict(list)
        touched_days = {d for d, _, _ in free_by_slot}
        for (e, d), works in self.plan.cells.items():
            if d in touched_days and not self._is_free(e, d):
                for s, role, _ in works:
                    if (d, s, role) in free_by_slot:
                        fixed_by_slot[(d, s, role)].append(e)
        cross = problem.costs.cross_site_per_shift
        codes = problem.shift_codes
        for slot in sorted(free_by_slot, key=lambda k: (k[0], k[1], k[2])):
            d, s, role = slot
            demands = c.slot_demands[slot]
            sites = tuple(dm.site for dm in demands)
            where = f"day={d}, shift={codes[s]}, role={role}"
            variables = defaultdict(list)    # home key -> literals
            constants = Counter()            # home key -> fixed people
            hints = Counter()
            for e, y in free_by_slot[slot]:
                key = c.home_key(e, sites)
                variables[key].append(y)
                hints[key] += self.hint.get(y, 0)
                if key == AWAY:
                    self._penalise("cross_site", f"cross_site(employee={problem.employees[e].id}, {where})",
                                   cross, y)
            for e in fixed_by_slot.get(slot, ()):
                constants[c.home_key(e, sites)] += 1
            for key, count in constants.items():
                hints[key] += count
            plan_cover = self._plan_cover(slot, sites, fixed_by_slot.get(slot, ()), free_by_slot[slot])
            info = {"sites": sites, "cover": {}, "moved": {}}
            if len(sites) == 1:
                every = [v for vs in variables.values() for v in vs]
                info["cover"][sites[0]] = cp_model.LinearExpr.sum(every) + sum(constants.values())
            else:
                self._place_by_counts(variables, constants, hints, plan_cover, sites, where, info)
            self.slots[slot] = info
            for demand in demands:
                self._cover_penalties(demand, info["cover"][demand.site], plan_cover[demand.site], where)

    def _place_by_counts(self, variables, constants, hints, plan_cover, sites, where, info) -> None:
        """Several sites want this role in this slot: `arrive[site]` people come from elsewhere
        and, when moving costs, `moved[site]` people of that home site work elsewhere.
        Everyone works somewhere: arrivals = moved away + people without a usable home site."""
        cross = self.problem.costs.cross_site_per_shift
        people = sum(len(v) for v in variables.values()) + sum(constants.values())
        arrivals, moved_away = [], []
        for site in sites:
            arrive = self._int(0, people, f"arrive[{site},{where}]")
            arrivals.append(arrive)
            home_literals = variables.get(site, [])
            home_most = len(home_literals) + constants.get(site, 0)
            if cross > 0 and home_most > 0:
                n_home = cp_model.LinearExpr.sum(home_literals) + constants.get(site, 0)
                moved = self._int(0, home_most, f"moved[{site},{where}]")
                self.model.add(moved <= n_home)
                moved_away.append(moved)
                info["moved"][site] = moved
                info["cover"][site] = n_home - moved + arrive
                stay = min(hints[site], plan_cover[site])
                self.hint[moved] = hints[site] - stay
                self.hint[arrive] = plan_cover[site] - stay
                self._penalise("cross_site", f"moved_away(home={site}, {where})", cross, moved)
            elif cross > 0:
                info["cover"][site] = arrive
                self.hint[arrive] = plan_cover[site]
            else:
                info["cover"][site] = arrive   # without moving costs, homes do not matter
                self.hint[arrive] = plan_cover[site]
        if cross > 0:
            pool = [v for key in (AWAY, FREE) for v in variables.get(key, [])]
            pool_size = constants.get(AWAY, 0) + constants.get(FREE, 0)
            self.model.add(sum(arrivals) == sum(moved_away) + cp_model.LinearExpr.sum(pool) + pool_size)
        else:
            every = [v for vs in variables.values() for v in vs]
            self.model.add(sum(arrivals) == cp_model.LinearExpr.sum(every) + sum(constants.values()))

    def _plan_cover(self, slot, sites, fixed_employees, free_pairs) -> Counter:
        """People per site in this slot in the plan (hint values)."""
        d, s, role = slot
        cover = Counter()
        for e in list(fixed_employees) + [e for e, _ in free_pairs]:
            for work in self.plan.works(e, d):
                if work[0] == s and work[1] == role and work[2] in sites:
                    cover[work[2]] += 1
        return cover

    def _cover_penalties(self, demand: Demand, expr, plan_cover: int, where: str) -> None:
        label = f"site={demand.site}, {where}"
        need = demand.requirement
        if demand.weight_under == math.inf:
            self._enforced(self.model.add(expr >= need), self.guard("cover_min", label))
        elif demand.weight_under > 0 and need > 0:
            under = self._int(0, need, f"under[{label}]")
            self.model.add(under + expr >= need)
            self.hint[under] = max(0, need - plan_cover)
            self._penalise("understaffed", f"understaffed({label})", demand.weight_under, under)
        if demand.weight_over == math.inf:
            self._enforced(self.model.add(expr <= need), self.guard("cover_max", label))
        elif demand.weight_over > 0:
            over = self._int(0, len(self.problem.employees), f"over[{label}]")
            self.model.add(expr - over <= need)
            self.hint[over] = max(0, plan_cover - need)
            self._penalise("overstaffed", f"overstaffed({label})", demand.weight_over, over)

    # -- other soft rules -------------------------------------------------------------------
    def _requests(self) -> None:
        """A `want` request costs its weight when the shift (or day) is not worked, an `avoid`
        request when it is."""
        problem = self.problem
        for e in self.free_days:
            employee = problem.employees[e]
            for d, s, kind, weight in self.c.requests_of[e]:
                if not self._is_free(e, d):
                    continue
                literal = self.wv(e, d) if s is None else self.xv(e, d, s)
                code = "any" if s is None else problem.shifts[s].code
                label = f"request_not_honoured(employee={employee.id}, day={d}, shift={code}, kind={kind})"
                self._penalise("request_not_honoured", label, weight, literal, negated=(kind == "want"))

    def _shift_costs(self) -> None:
        """Each shift worked costs `shift_worked`, plus `reserve_per_shift` for a reserve employee."""
        costs = self.problem.costs
        if costs.shift_worked <= 0 and costs.reserve_per_shift <= 0:
            return
        codes = self.problem.shift_codes
        for (e, d, s), x in self.x.items():
            employee = self.problem.employees[e]
            where = f"employee={employee.id}, day={d}, shift={codes[s]}"
            self._penalise("shifts_worked", f"shift_worked({where})", costs.shift_worked, x)
            if employee.reserve:
                self._penalise("reserve_used", f"reserve_used({where})", costs.reserve_per_shift, x)

    def _fairness(self) -> None:
        """Balanced load: each employee's shift count is compared with the median count of their
        group; every shift of distance costs `fairness_per_shift`."""
        weight = self.problem.costs.fairness_per_shift
        if weight <= 0:
            return
        most = self.c.horizon * max(e.max_shifts_per_day for e in self.problem.employees)
        for group, members in sorted(self.c.groups.items()):
            if len(members) < 2 or not any(e in self.free_days for e in members):
                continue
            median = self._int(0, most, f"median_load[{group}]")
            counts, hints = [], []
            for e in members:
                terms = [x for (e2, d, s), x in self.x.items() if e2 == e] if e in self.free_days else []
                constant = self.fixed_stats(e)["shifts"] if e in self.free_days else \
                    sum(len(works) for (e2, _), works in self.plan.cells.items() if e2 == e)
                counts.append((terms, constant))
                hints.append(constant + sum(self.hint.get(x, 0) for x in terms))
            ordered = sorted(hints)
            self.hint[median] = ordered[(len(ordered) - 1) // 2]
            for e, (terms, constant), hint in zip(members, counts, hints):
                employee = self.problem.employees[e]
                deviation = self._int(0, most, f"load_deviation[{employee.id}]")
                load = cp_model.LinearExpr.sum(terms) + constant
                self.model.add(deviation >= load - median)
                self.model.add(deviation >= median - load)
                self.hint[deviation] = abs(hint - self.hint[median])
                self._penalise("unbalanced_load", f"unbalanced_load(employee={employee.id}, group={group or '-'})",
                               weight, deviation)

    def _objective(self) -> None:
        """Minimise the sum of every named penalty term (scaled to integers by `Compiled.scale`)."""
        if self._obj_vars:
            self.model.minimize(cp_model.LinearExpr.weighted_sum(self._obj_vars, self._obj_coefs)
                                + self.objective_offset())

    # -- solutions --------------------------------------------------------------------------
    def add_hints(self) -> None:
        """Use the plan as the solver's starting point (hint every variable we can)."""
        model = self.model
        model.clear_hints()
        for var, value in self.hint.items():
            model.add_hint(var, value)

    def objective_offset(self) -> int:
        """Scaled constant of the `negated` terms: weight * (1 - x) = weight - weight * x."""
        return sum(int(round(weight * self.c.scale)) for _, _, weight, _, negated in self.terms if negated)

    def read_plan(self, solver: cp_model.CpSolver) -> Plan:
        """The plan with the free cells and the touched slots' sites taken from the solver."""
        problem, c = self.problem, self.c
        cells = dict(self.plan.cells)
        for e, days in self.free_days.items():
            for d in days:
                works = []
                for s in range(c.n_shifts):
                    x = self.x.get((e, d, s))
                    if x is None or not solver.boolean_value(x):
                        continue
                    role = None
                    for r in c.roles_for(e, d, s) or (None,):
                        y = self.y.get((e, d, s, r))
                        if y is not None and solver.boolean_value(y):
                            role = r
                            break
                    home = problem.employees[e].home_site
                    works.append((s, role, home if home is not None else problem.sites[0]))
                if works:
                    cells[(e, d)] = tuple(works)
                else:
                    cells.pop((e, d), None)
        plan = Plan(cells)
        counts = {}
        for slot, info in self.slots.items():
            cover = {site: int(solver.value(expr)) if not isinstance(expr, int) else expr
                     for site, expr in info["cover"].items()}
            moved = {site: int(solver.value(v)) for site, v in info["moved"].items()}
            counts[slot] = (cover, moved)
        place_at_sites(c, plan, counts)
        return plan


def place_at_sites(compiled: Compiled, plan: Plan, counts: dict | None = None) -> None:
    """Give every worked shift a site, slot by slot (day, shift, role), in place.

    `counts[slot] = (people per site, people moved away per home site)` fixes the numbers (from
    a solve); slots not in `counts` (or all slots when None) are placed by the cheapest rule:
    people stay at their home site up to its requirement, the rest fill the largest gaps first.
    Who moves is decided by employee order, so the result is deterministic.
    """
    problem = compiled.problem
    people = defaultdict(list)
    for (e, d), works in plan.cells.items():
        for s, role, _ in works:
            people[(d, s, role)].append(e)
    updates: dict[Cell, dict[int, str]] = defaultdict(dict)
    for slot, members in people.items():
        demands = compiled.slot_demands.get(slot) if slot[2] is not None else None
        if counts is not None and slot not in counts:
            continue
        members.sort()
        if not demands:
            for e in members:
                home = problem.employees[e].home_site
                updates[(e, slot[0])][slot[1]] = home if home is not None else problem.sites[0]
            continue
        sites = tuple(dm.site for dm in demands)
        if len(sites) == 1:
            for e in members:
                updates[(e, slot[0])][slot[1]] = sites[0]
            continue
        by_home = defaultdict(list)
        for e in members:
            by_home[compiled.home_key(e, sites)].append(e)
        if counts is not None:
            cover, moved = counts[slot]
            stay = {}
            for site in sites:
                home_people = len(by_home.get(site, []))
                stay[site] = home_people - moved[site] if site in moved else min(home_people, cover[site])
        else:
            need = {dm.site: dm.requirement for dm in demands}
            stay = {site: min(len(by_home.get(site, [])), need[site]) for site in sites}
            cover = dict(stay)
            # the others fill the largest shortfalls first (ties: site order)
            for _ in range(len(members) - sum(stay.values())):
                site = max(sites, key=lambda st: (need[st] - cover[st], -sites.index(st)))
                cover[site] += 1
        pool = []
        for site in sites:
            home_people = by_home.get(site, [])
            for e in home_people[:stay[site]]:
                updates[(e, slot[0])][slot[1]] = site
            pool.extend(home_people[stay[site]:])
        pool.extend(by_home.get(AWAY, []))
        pool.extend(by_home.get(FREE, []))
        pool.sort()
        position = 0
        for site in sites:
            for _ in range(max(0, cover[site] - stay[site])):
                if position < len(pool):
                    updates[(pool[position], slot[0])][slot[1]] = site
                    position += 1
        for e in pool[position:]:   # should not happen: counts balance
            updates[(e, slot[0])][slot[1]] = sites[0]
    for cell, by_shift in updates.items():
        plan.cells[cell] = tuple((s, role, by_shift.get(s, site)) for s, role, site in plan.cells[cell])
