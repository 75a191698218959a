"""The CP-SAT model of a rostering problem, or of part of it.

`RosterModel(compiled, plan, free)` builds variables only for the `free` (employee, day) cells;
every other cell keeps the value it has in `plan` and enters the rules as a constant. With
`free=None` every cell is free: the full model. The construction and the neighbourhood search
(`search.py`) use the same class to roster a few employees, or re-optimise a window of days,
around the current roster. Options: `soft_minimums` turns the minimum-minutes rule into a
penalty (for rosters still being built), `sites` restricts where free people may be placed,
`extra_under` raises the under-cover weight of some demands and `half_weekends` charges
weekends worked on one day only while another day of them is open (a construction's steers).

Variables: `x[e, d, s]` employee e works shift s on day d; `y[e, d, s, role]` in that role
(an alias of x when only one role is possible); `w[e, d]` day d is worked. Sites are decided
per cover slot (day, shift, role) by counts: how many people of each home site move away and
how many arrive at each site, which is exact because every move costs the same.
Each rule family is one method below whose docstring states the rule (the cover rules in
`cover_rules.py`, the placement at sites in `site_placement.py`); soft rules add named
penalty terms (`terms`), gathered into one objective scaled to integers.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from ortools.sat.python import cp_model

from .compiled import Compiled
from .cover_rules import add_cover
from .draft import Cell, RosterDraft
from .site_placement import place_at_sites

__all__ = ["RosterModel", "Compiled", "RosterDraft", "Cell"]   # Compiled and RosterDraft kept importable from here

class RosterModel:
    """CP-SAT model of the free cells of a roster; see the module docstring."""

    def __init__(self, compiled: Compiled, plan: RosterDraft | None = None, free: Iterable[Cell] | None = None,
                 *, guard: bool = False, names: bool = True, soft_minimums: bool = False,
                 sites: Iterable[str] | None = None, extra_under: dict | None = None,
                 half_weekends: tuple[float, set] | None = None):
        self.compiled = compiled
        self.problem = compiled.problem
        self.plan = plan if plan is not None else RosterDraft()
        self.guard_mode = guard
        self.names = names
        self.soft_minimums = soft_minimums
        self.extra_under = extra_under or {}   # (day, shift, role, site) -> added under-cover weight
        self.half_weekends = half_weekends   # a construction's steer (`_half_weekends`)
        # the sites this model may place people at (None: all); people already placed at
        # other sites stay there untouched
        self.site_filter = None if sites is None else frozenset(sites)
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
        self.full = free is None   # the whole problem: constant costs count too
        self.x: dict[tuple[int, int, int], cp_model.IntVar] = {}
        self.y: dict[tuple[int, int, int, str | None], cp_model.IntVar] = {}
        self.w: dict[Cell, Any] = {}
        self.guards: dict[tuple[str, str], cp_model.IntVar] = {}
        self.terms: list[tuple[str, str, float, object, bool]] = []   # rule, label, weight, var, negated
        self.hint: dict = {}
        self.slots: dict[tuple[int, int, str], dict] = {}
        self._obj_vars: list = []
        self._obj_coefs: list[int] = []
        self.constant = 0    # scaled objective constant (cover cost of slots solved linearly)
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
        self._half_weekends()
        self._days_off_per_7()
        self._rest_between_shifts()
        self._forbidden_successions()
        add_cover(self)
        self._requests()
        self._shift_costs()
        self._fairness()
        self._objective()

    # -- helpers --------------------------------------------------------------------------
    def _name(self, text: str) -> str:
        return text if self.names else ""

    def bool_var(self, name: str):
        return self.model.new_bool_var(self._name(name))

    def int_var(self, low: int, high: int, name: str):
        return self.model.new_int_var(low, high, self._name(name))

    def guard(self, rule: str, who: str):
        """The enforcement literal of a hard rule for one employee or slot (guard mode only)."""
        if not self.guard_mode:
            return None
        key = (rule, who)
        if key not in self.guards:
            self.guards[key] = self.model.new_bool_var(f"guard[{rule}, {who}]")
        return self.guards[key]

    def is_free(self, e: int, d: int) -> bool:
        days = self.free_set.get(e)
        return days is not None and d in days

    def shift_worked(self, e: int, d: int, s: int):
        """Employee e works shift s on day d: a literal, or 0/1 for a fixed or impossible cell."""
        if self.is_free(e, d):
            return self.x.get((e, d, s), 0)
        return 1 if any(work[0] == s for work in self.plan.works(e, d)) else 0

    def day_worked(self, e: int, d: int):
        """Employee e works on day d (0 outside the horizon or the decided days)."""
        if d < 0 or d >= self.compiled.horizon:
            return 0
        if self.is_free(e, d):
            return self.w[(e, d)]
        return 1 if self.plan.works(e, d) else 0

    def _clause(self, literals: list[tuple[Any, bool]], enforce=None) -> None:
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

    def _linear(self, terms: list[tuple[int, Any]], low: int | None, high: int | None, enforce=None) -> None:
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
    def enforced(constraint, guard) -> None:
        if guard is not None:
            constraint.only_enforce_if(guard)

    def penalise(self, rule: str, label: str, weight: float, var, negated: bool = False) -> None:
        """Add weight * var (or weight * (1 - var)) to the objective under a readable name."""
        if weight == 0:
            return
        if isinstance(var, int):
            # a constant term changes nothing to optimise, but the full model's objective (and
            # so its bound) must include it
            value = 1 - var if negated else var
            if self.full and value:
                self.constant += int(round(weight * self.compiled.scale))
            return
        coef = int(round(weight * self.compiled.scale))
        if coef == 0:
            return
        self.terms.append((rule, label, weight, var, negated))
        self._obj_vars.append(var)
        self._obj_coefs.append(-coef if negated else coef)

    def _starts_touching(self, e: int, first: int, last: int, length: int) -> list[int]:
        """Window starts t in [first, last] whose days t .. t+length-1 include a free day of e."""
        starts: set[int] = set()
        for f in self.free_days[e]:
            starts.update(range(max(first, f - length + 1), min(last, f) + 1))
        return sorted(starts)

    def fixed_stats(self, e: int) -> dict:
        """Totals of employee e over the fixed (not free) days, from the plan."""
        stats = self._fixed_stats.get(e)
        if stats is None:
            free = self.free_set.get(e, set())
            by_shift: Counter[int] = Counter()
            minutes_by_week: Counter[int] = Counter()
            weekends, shifts, minutes = set(), 0, 0
            days = self.problem.days
            for d in range(self.compiled.horizon):
                if d in free:
                    continue
                for s, _, _ in self.plan.works(e, d):
                    by_shift[s] += 1
                    minutes += self.compiled.lengths[s]
                    minutes_by_week[days[d].week] += self.compiled.lengths[s]
                    shifts += 1
                    if days[d].weekend is not None:
                        weekends.add(days[d].weekend)
            stats = {"by_shift": by_shift, "minutes": minutes, "minutes_by_week": minutes_by_week,
                     "weekends": weekends, "shifts": shifts}
            self._fixed_stats[e] = stats
        return stats

    def _roles_here(self, e: int, d: int, s: int) -> tuple[str, ...]:
        """Roles employee e could fill in shift s of day d at a site this model places at."""
        roles = self.compiled.roles_for(e, d, s)
        if self.site_filter is None:
            return roles
        return tuple(r for r in roles
                     if any(dm.site in self.site_filter for dm in self.compiled.slot_demands[(d, s, r)]))

    def _plan_has(self, e: int, d: int, s: int, role=None) -> int:
        for work in self.plan.works(e, d):
            if work[0] == s and (role is None or work[1] == role):
                return 1
        return 0

    # -- variables ------------------------------------------------------------------------
    def _variables(self) -> None:
        """x[e, d, s] for every free cell and shift the employee may work; y per role when the
        employee could fill several roles there (exactly one role per worked shift)."""
        problem, compiled = self.problem, self.compiled
        all_shifts = tuple(range(compiled.n_shifts))
        for e, days in self.free_days.items():
            employee = problem.employees[e]
            shifts = all_shifts if self.guard_mode else compiled.allowed[e]
            for d in days:
                if d in employee.days_off and not self.guard_mode:
                    continue
                for s in shifts:
                    x = self.bool_var(f"x[{employee.id},{d},{problem.shifts[s].code}]")
                    self.x[(e, d, s)] = x
                    hint = self._plan_has(e, d, s)
                    self.hint[x] = hint
                    roles = self._roles_here(e, d, s)
                    if len(roles) <= 1:
                        self.y[(e, d, s, roles[0] if roles else None)] = x
                        continue
                    ys = []
                    for role in roles:
                        y = self.bool_var(f"y[{employee.id},{d},{problem.shifts[s].code},{role}]")
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
                shifts = [self.x[(e, d, s)] for s in range(self.compiled.n_shifts) if (e, d, s) in self.x]
                if not shifts:
                    self.w[(e, d)] = 0
                elif len(shifts) == 1:
                    self.w[(e, d)] = shifts[0]
                else:
                    w = self.bool_var(f"w[{self.problem.employees[e].id},{d}]")
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
                shifts = [self.x[(e, d, s)] for s in range(self.compiled.n_shifts) if (e, d, s) in self.x]
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
            for s, limit in self.compiled.type_limits[e].items():
                terms = [(1, self.x[(e, d, s)]) for d in days if (e, d, s) in self.x]
                if fixed[s] + len(terms) > limit:
                    self._linear(terms + [(1, fixed[s])], None, limit, guard)

    def _total_minutes(self) -> None:
        """Worked minutes over the horizon lie within [min_total_minutes, max_total_minutes].

        With `soft_minimums` the lower bound becomes a penalty per minute short, so a roster
        that does not yet reach it (a construction) can be improved towards it."""
        for e, days in self.free_days.items():
            employee = self.problem.employees[e]
            low, high = employee.min_total_minutes, employee.max_total_minutes
            if low == 0 and high is None:
                continue
            terms = [(self.compiled.lengths[s], self.x[(e, d, s)]) for d in days
                     for s in range(self.compiled.n_shifts) if (e, d, s) in self.x]
            fixed = self.fixed_stats(e)["minutes"]
            guard = self.guard("total_minutes", employee.id)
            if self.soft_minimums and low > 0:
                short = self.int_var(0, low, f"minutes_short[{employee.id}]")
                worked = fixed + sum(self.compiled.lengths[s] for d in days for s, _, _ in self.plan.works(e, d))
                self.hint[short] = max(0, low - worked)
                self._linear(terms + [(1, fixed), (1, short)], low, None, guard)
                self.penalise("min_total_shortfall", f"minutes_short(employee={employee.id})",
                               self.compiled.shortfall_weight, short)
                low = 0
            self._linear(terms + [(1, fixed)], low or None, high, guard)

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
                for s in range(self.compiled.n_shifts):
                    if (e, d, s) in self.x:
                        by_week[days_of[d].week].append((self.compiled.lengths[s], self.x[(e, d, s)]))
            guard = self.guard("max_minutes_per_week", employee.id)
            for week, terms in sorted(by_week.items()):
                if fixed[week] + sum(coef for coef, _ in terms) > employee.max_minutes_per_week:
                    self._linear(terms + [(1, fixed[week])], None, employee.max_minutes_per_week, guard)

    def _max_consecutive_days(self) -> None:
        """At most `max_consecutive_days` days worked in a row (days outside the horizon are off):
        every window of max + 1 consecutive days has a day off."""
        horizon = self.compiled.horizon
        for e in self.free_days:
            employee = self.problem.employees[e]
            limit = employee.max_consecutive_days
            if limit is None or limit >= horizon:
                continue
            guard = self.guard("max_consecutive_days", employee.id)
            for t in self._starts_touching(e, 0, horizon - limit - 1, limit + 1):
                self._linear([(1, self.day_worked(e, d)) for d in range(t, t + limit + 1)], None, limit, guard)

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
        horizon = self.compiled.horizon
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
                before, start = self.day_worked(e, d), self.day_worked(e, d + 1)
                for j in range(2, length + 1):
                    if d + j >= horizon and exempt:
                        break
                    # work: not w[d] and w[d+1] -> w[d+j]; off: w[d] and not w[d+1] -> not w[d+j]
                    self._clause([(before, work), (start, not work), (self.day_worked(e, d + j), work)], guard)

    def _max_weekends(self) -> None:
        """At most `max_weekends` weekends with any work (Saturday or Sunday)."""
        for e in self.free_days:
            employee = self.problem.employees[e]
            limit = employee.max_weekends
            if limit is None or limit >= len(self.compiled.weekends):
                continue
            fixed = self.fixed_stats(e)["weekends"]
            free = self.free_set[e]
            terms = []
            for weekend, weekend_days in sorted(self.compiled.weekends.items()):
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
                worked = self.bool_var(f"weekend[{employee.id},{weekend}]")
                for lit in literals:
                    self.model.add_implication(lit, worked)
                self.hint[worked] = max(self.hint.get(lit, 0) for lit in literals)
                terms.append((1, worked))
            if sum(1 for _, t in terms if not isinstance(t, int)) + len(fixed) > limit:
                self._linear(terms, None, limit, self.guard("max_weekends", employee.id))

    def _half_weekends(self) -> None:
        """A construction's steer, not a rule of the problem (`half_weekends` = (weight, open
        (day, shift) slots)): an employee whose weekends with work are limited, working some day
        of a weekend but not another day of it that still has an open slot they may work, pays
        the weight once for that weekend (it uses up one of their weekends and leaves a slot
        they could have filled on it)."""
        if self.half_weekends is None or self.half_weekends[0] <= 0:
            return
        weight, open_slots = self.half_weekends
        open_days: dict[int, set[int]] = defaultdict(set)
        for d, s in open_slots:
            open_days[d].add(s)
        for e in self.free_days:
            employee = self.problem.employees[e]
            limit = employee.max_weekends
            if limit is None or limit >= len(self.compiled.weekends):
                continue
            allowed = set(self.compiled.allowed[e])
            for weekend, weekend_days in sorted(self.compiled.weekends.items()):
                worked = {d: self.day_worked(e, d) for d in weekend_days}
                if len(weekend_days) < 2 or all(isinstance(v, int) for v in worked.values()):
                    continue
                half = None
                for d in weekend_days:   # d left idle while another day of the weekend is worked
                    if d in employee.days_off or not (open_days.get(d, set()) & allowed):
                        continue
                    for other in weekend_days:
                        if other != d:
                            if half is None:
                                half = self.bool_var(f"half_weekend[{employee.id},{weekend}]")
                            self._linear([(1, half), (-1, worked[other]), (1, worked[d])], 0, None)
                if half is not None:
                    self.penalise("half_weekend", f"{employee.id},{weekend}", weight, half)

    def _days_off_per_7(self) -> None:
        """Every 7 consecutive days of the horizon hold at least `min_days_off_per_7` days off."""
        horizon = self.compiled.horizon
        for e in self.free_days:
            employee = self.problem.employees[e]
            need = employee.min_days_off_per_7
            if need == 0 or horizon < 7:
                continue
            guard = self.guard("min_days_off_per_7", employee.id)
            for t in self._starts_touching(e, 0, horizon - 7, 7):
                self._linear([(1, self.day_worked(e, d)) for d in range(t, t + 7)], None, 7 - need, guard)

    def _rest_between_shifts(self) -> None:
        """Two work periods are at least `min_rest_minutes` apart (shifts that touch form one
        period) and no two worked shifts overlap in time, across midnight too."""
        horizon = self.compiled.horizon
        for e in self.free_days:
            conflicts = self.compiled.conflicts[e]
            if not conflicts:
                continue
            employee = self.problem.employees[e]
            guard = self.guard("min_rest", employee.id)
            span = max(conflict.delta for conflict in conflicts)
            for d in self._starts_touching(e, 0, horizon - 1, span + 1):
                for conflict in conflicts:
                    if d + conflict.delta >= horizon:
                        continue
                    literals = [(self.shift_worked(e, d, conflict.first), False),
                                (self.shift_worked(e, d + conflict.delta, conflict.second), False)]
                    literals += [(self.shift_worked(e, d + offset, c), True) for offset, c in conflict.bridges]
                    self._clause(literals, guard)

    def _forbidden_successions(self) -> None:
        """Shift b is not worked the day after shift a for each forbidden succession (a, b)."""
        horizon = self.compiled.horizon
        for e in self.free_days:
            after = self.compiled.successions[e]
            if not after:
                continue
            employee = self.problem.employees[e]
            guard = self.guard("forbidden_successions", employee.id)
            one_a_day = employee.max_shifts_per_day == 1
            for d in self._starts_touching(e, 0, horizon - 2, 2):
                for a, followers in after.items():
                    first = self.shift_worked(e, d, a)
                    if isinstance(first, int) and first == 0:
                        continue
                    seconds = [self.shift_worked(e, d + 1, b) for b in followers]
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

    # -- other soft rules -------------------------------------------------------------------
    def _requests(self) -> None:
        """A `want` request costs its weight when the shift (or day) is not worked, an `avoid`
        request when it is."""
        problem = self.problem
        for e in self.free_days:
            employee = problem.employees[e]
            for d, s, kind, weight in self.compiled.requests_of[e]:
                if not self.is_free(e, d):
                    continue
                literal = self.day_worked(e, d) if s is None else self.shift_worked(e, d, s)
                code = "any" if s is None else problem.shifts[s].code
                label = f"request_not_honoured(employee={employee.id}, day={d}, shift={code}, kind={kind})"
                self.penalise("request_not_honoured", label, weight, literal, negated=(kind == "want"))

    def _shift_costs(self) -> None:
        """Each shift worked costs `shift_worked`, plus `reserve_per_shift` for a reserve employee."""
        costs = self.problem.costs
        if costs.shift_worked <= 0 and costs.reserve_per_shift <= 0:
            return
        codes = self.problem.shift_codes
        for (e, d, s), x in self.x.items():
            employee = self.problem.employees[e]
            where = f"employee={employee.id}, day={d}, shift={codes[s]}"
            self.penalise("shifts_worked", f"shift_worked({where})", costs.shift_worked, x)
            if employee.reserve:
                self.penalise("reserve_used", f"reserve_used({where})", costs.reserve_per_shift, x)

    def _fairness(self) -> None:
        """Balanced load: each employee's shift count is compared with the median count of their
        group; every shift of distance costs `fairness_per_shift`."""
        weight = self.problem.costs.fairness_per_shift
        if weight <= 0:
            return
        most = self.compiled.horizon * max(e.max_shifts_per_day for e in self.problem.employees)
        for group, members in sorted(self.compiled.groups.items()):
            if len(members) < 2 or not any(e in self.free_days for e in members):
                continue
            median = self.int_var(0, most, f"median_load[{group}]")
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
                deviation = self.int_var(0, most, f"load_deviation[{employee.id}]")
                load = cp_model.LinearExpr.sum(terms) + constant
                self.model.add(deviation >= load - median)
                self.model.add(deviation >= median - load)
                self.hint[deviation] = abs(hint - self.hint[median])
                self.penalise("unbalanced_load", f"unbalanced_load(employee={employee.id}, group={group or '-'})",
                               weight, deviation)

    def _objective(self) -> None:
        """Minimise the sum of every named penalty term (scaled to integers by `Compiled.scale`)."""
        self.model.minimize(cp_model.LinearExpr.weighted_sum(self._obj_vars, self._obj_coefs)
                            + self.objective_offset() + self.constant)

    # -- solutions --------------------------------------------------------------------------
    def add_hints(self) -> None:
        """Use the plan as the solver's starting point (hint every variable we can)."""
        model = self.model
        model.clear_hints()
        for var, value in self.hint.items():
            model.add_hint(var, value)

    def objective_offset(self) -> int:
        """Scaled constant of the `negated` terms: weight * (1 - x) = weight - weight * x."""
        return sum(int(round(weight * self.compiled.scale)) for _, _, weight, _, negated in self.terms if negated)

    def read_plan(self, solver: cp_model.CpSolver) -> RosterDraft:
        """The plan with the free cells and the touched slots' sites taken from the solver."""
        problem, compiled = self.problem, self.compiled
        cells = dict(self.plan.cells)
        for e, days in self.free_days.items():
            for d in days:
                works = []
                for s in range(compiled.n_shifts):
                    x = self.x.get((e, d, s))
                    if x is None or not solver.boolean_value(x):
                        continue
                    role = None
                    for r in self._roles_here(e, d, s) or (None,):
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
        plan = RosterDraft(cells)
        counts = {}
        for slot, info in self.slots.items():
            cover = {site: int(solver.value(expr)) if not isinstance(expr, int) else expr
                     for site, expr in info["cover"].items()}
            moved = {site: int(solver.value(v)) for site, v in info["moved"].items()}
            counts[slot] = (cover, moved, info["members"])
        place_at_sites(compiled, plan, counts)
        return plan


