"""The mixed-integer program of a window of days (HiGHS): every rule of the rostering problem.

Within `days`, the shifts and roles of `employees` (all by default) are decided again; the rest
of the roster is fixed and enters the rules as constants (days before and after the window,
totals over the horizon, the other employees' cover). Used by the cover fill (`cover.py`) and
the MIP sweep of the engine (`sweep.py`).

- columns: employee e works shift s on day d in role r (only where the slot has a demand and e
  holds the role), e works day d, a weekend worked, people missing and extra per slot, minutes
  short of an employee's minimum;
- rows, one method per rule family: shifts a day, rest between shifts, forbidden successions,
  minutes a week, working days (in a row, off per 7), shifts by type, total minutes, weekends,
  minimum work and off blocks, cover;
- sites are left out: cover does not depend on the site within a slot's demands, so the
  program decides who works each slot, and `_place` then sends them to the sites that need
  them (where they were before, else their home site, else the largest gap);
- objective: people missing and extra at the slot's weights, minutes short of a minimum (each
  outweighing any single soft cost), requests, a small cost per shift worked, less a bonus for
  keeping the roster as it was. Cross-site, reserve and fairness costs are not stated (the
  neighbourhood search works on them).

HiGHS runs on one thread from the roster as it was (a feasible start, cost never worse) and
stops on a node limit, so the same roster and seed give the same result; a wall-clock limit
only guards an overloaded machine.
"""

from __future__ import annotations

import math
from collections import defaultdict

import highspy
import numpy as np
import scipy.sparse as sp
from highspy._core import _Highs

from .compiled import Compiled
from .draft import RosterDraft

__all__ = ["WindowProgram"]

# Branch-and-bound nodes per window (deterministic); the windows of the Hà Nội plan are solved
# at the root or within a few dozen nodes. A window stops once its roster is proven within
# GAP_SHARE of one missing person of the best (the fewest people missing is then proven; what
# is left is small costs the neighbourhood search works on after).
MIP_MAX_NODES = 50
GAP_SHARE = 0.5
# Keeping a shift as it was is worth KEEP_SHARE of the cost of a shift worked: among rosters as
# good, the one closest to the greedy's (its ward choices) is taken.
KEEP_SHARE = 0.5
MIN_SHIFT_COST = 1e-3


class WindowProgram:
    """The MIP of one window of days: the shifts of `employees` (all by default) in `days`, the
    rest of the roster fixed."""

    def __init__(self, compiled: Compiled, plan: RosterDraft, days: range, *, employees: list[int] | None = None,
                 cover_only: bool = False):
        """`employees`: whose shifts are decided (all by default; the others' shifts in the window
        are fixed and count towards cover); `cover_only`: the objective is the people missing
        alone (for a bound on them)."""
        self.c, self.plan, self.days = compiled, plan, days
        self.employees = list(range(compiled.n_employees)) if employees is None else sorted(employees)
        self.cover_only = cover_only
        self.problem = compiled.problem
        self.n = 0
        self.cost: list[float] = []
        self.start: list[float] = []
        self.upper: list[float] = []
        self.rows: list[tuple[list[int], list[float], float, float]] = []
        self.x: dict[tuple[int, int, int, str], int] = {}    # (e, d, s, role) -> column
        self.by_shift: dict[tuple[int, int, int], list[int]] = defaultdict(list)
        self.w: dict[tuple[int, int], int] = {}
        self._columns()
        self._outside_totals()
        for e in self.employees:
            self._shifts_a_day(e)
            self._rest_between_shifts(e)
            self._forbidden_successions(e)
            self._minutes_a_week(e)
            self._working_days(e)
            self._shift_type_limits(e)
            self._total_minutes(e)
            self._weekends(e)
            self._min_blocks(e)
        self._cover()

    # -- building -------------------------------------------------------------------------
    def _column(self, cost: float, start: float, upper: float = 1.0) -> int:
        self.cost.append(cost)
        self.start.append(start)
        self.upper.append(upper)
        self.n += 1
        return self.n - 1

    def _row(self, columns: list[int], coefs: list[float], lower: float, upper: float) -> None:
        if columns:
            self.rows.append((columns, coefs, lower, upper))

    def _worked(self, e: int, d: int, s: int) -> int:
        """1 if e works shift s on day d outside the window (a constant here)."""
        return int(any(work[0] == s for work in self.plan.works(e, d)))

    def _columns(self) -> None:
        """Columns x (a shift in a role where the slot has a demand) and w (a day worked), with
        their costs: a shift worked, less the bonus for keeping it, plus the requests."""
        c, problem = self.c, self.problem
        shift_cost = 0.0 if self.cover_only else max(MIN_SHIFT_COST, problem.costs.shift_worked)
        wishes: dict[tuple[int, int, int | None], float] = defaultdict(float)
        if not self.cover_only:
            for e in self.employees:
                for d, s, kind, weight in c.requests_of[e]:
                    if d in self.days:
                        wishes[(e, d, s)] += -weight if kind == "want" else weight
        for e in self.employees:
            emp = problem.employees[e]
            for d in self.days:
                if d in emp.days_off:
                    continue
                worked = {(s, role) for s, role, _ in self.plan.works(e, d)}
                day_columns = []
                for s in c.allowed[e]:
                    for role in c.roles_for(e, d, s):
                        kept = (s, role) in worked
                        column = self._column(shift_cost - KEEP_SHARE * shift_cost * kept + wishes.get((e, d, s), 0.0),
                                              float(kept))
                        self.x[(e, d, s, role)] = column
                        self.by_shift[(e, d, s)].append(column)
                        day_columns.append(column)
                if day_columns:
                    self.w[(e, d)] = self._column(wishes.get((e, d, None), 0.0), float(bool(worked)))

    def _shift_terms(self, e: int, d: int, s: int) -> tuple[list[int], int]:
        """(columns, constant) of "e works shift s on day d"."""
        if d in self.days:
            return self.by_shift.get((e, d, s), []), 0
        if 0 <= d < self.c.horizon:
            return [], self._worked(e, d, s)
        return [], 0

    def _day_terms(self, e: int, d: int) -> tuple[list[int], int]:
        """(columns, constant) of "e works on day d" (days outside the horizon are off)."""
        if d in self.days:
            return ([self.w[(e, d)]] if (e, d) in self.w else []), 0
        return [], int(0 <= d < self.c.horizon and bool(self.plan.works(e, d)))

    def _linear(self, parts: list[tuple[list[int], int]], coefs: list[float], upper: float) -> None:
        """sum coef * part <= upper, constants moved to the right-hand side; only rows that
        involve a column of the window."""
        columns, values, constant = [], [], 0.0
        for (cols, const), coef in zip(parts, coefs):
            columns.extend(cols)
            values.extend([coef] * len(cols))
            constant += coef * const
        self._row(columns, values, -math.inf, upper - constant)

    def _shifts_a_day(self, e: int) -> None:
        """One role a shift, only on a day worked; at most `max_shifts_per_day` shifts a day (with
        one, a day worked is exactly one shift: a single row). A day worked has a shift: stated
        only where a day marked worked without one could pay (minimum work or off blocks, a wish
        to work a day); elsewhere it never does, and on the officers' rosters the extra rows
        doubled the time of the proof of fewest missing."""
        emp = self.problem.employees[e]
        most = emp.max_shifts_per_day
        link = emp.min_consecutive_days > 1 or emp.min_consecutive_days_off > 1 or any(
            s is None and kind == "want" and d in self.days for d, s, kind, _ in self.c.requests_of[e])
        for d in self.days:
            if (e, d) not in self.w:
                continue
            day = [column for s in range(self.c.n_shifts) for column in self.by_shift.get((e, d, s), [])]
            if most == 1:   # shifts worked == day worked
                self._row(day + [self.w[(e, d)]], [1.0] * len(day) + [-1.0], 0.0, 0.0)
                continue
            if link:
                self._row(day + [self.w[(e, d)]], [-1.0] * len(day) + [1.0], -math.inf, 0.0)
            for s in range(self.c.n_shifts):
                columns = self.by_shift.get((e, d, s), [])
                self._row(columns + [self.w[(e, d)]], [1.0] * len(columns) + [-1.0], -math.inf, 0.0)
            if len(day) > most:
                self._row(day, [1.0] * len(day), -math.inf, float(most))

    def _rest_between_shifts(self, e: int) -> None:
        """Two shifts too close for the rest rule are not both worked, unless a shift between
        them is worked too and joins them into one period."""
        most = self.problem.employees[e].max_shifts_per_day
        for conflict in self.c.conflicts[e]:
            # a bridge on the day of both shifts makes three shifts that day: not always possible
            bridges = [(offset, c) for offset, c in conflict.bridges if conflict.delta > 0 or most >= 3]
            for d in range(self.days.start - conflict.delta, self.days.stop):
                if not (d >= 0 and d + conflict.delta < self.c.horizon):
                    continue
                parts = [self._shift_terms(e, d, conflict.first),
                         self._shift_terms(e, d + conflict.delta, conflict.second)]
                parts += [self._shift_terms(e, d + offset, c) for offset, c in bridges]
                if any(cols for cols, _ in parts):
                    self._linear(parts, [1.0, 1.0] + [-1.0] * len(bridges), 1.0)

    def _forbidden_successions(self, e: int) -> None:
        """Shift b is not worked the day after shift a, for each forbidden pair (a, b); with one
        shift a day, one row per shift a and day: a, or at most one of its banned followers."""
        one_a_day = self.problem.employees[e].max_shifts_per_day == 1
        for a, followers in self.c.successions[e].items():
            for group in ([followers] if one_a_day else [(b,) for b in followers]):
                for d in range(self.days.start - 1, self.days.stop):
                    if d >= 0 and d + 1 < self.c.horizon:
                        parts = [self._shift_terms(e, d, a)] + [self._shift_terms(e, d + 1, b) for b in group]
                        if any(cols for cols, _ in parts):
                            self._linear(parts, [1.0] * len(parts), 1.0)

    def _minutes_a_week(self, e: int) -> None:
        """Minutes worked in each calendar week at most `max_minutes_per_week`."""
        cap = self.problem.employees[e].max_minutes_per_week
        if cap is None:
            return
        for week in sorted({self.problem.days[d].week for d in self.days}):
            parts, coefs = [], []
            for d in self.c.weeks[week]:
                for s in range(self.c.n_shifts):
                    parts.append(self._shift_terms(e, d, s))
                    coefs.append(float(self.c.lengths[s]))
            self._linear(parts, coefs, float(cap))

    def _working_days(self, e: int) -> None:
        """At most `max_consecutive_days` days worked in any run one day longer (days outside
        the horizon off); at least `min_days_off_per_7` days off in every 7 days of the horizon."""
        emp = self.problem.employees[e]
        limits = []
        if emp.max_consecutive_days is not None:
            limits.append((emp.max_consecutive_days + 1, emp.max_consecutive_days, False))
        if emp.min_days_off_per_7 and (7, 7 - emp.min_days_off_per_7, False) not in limits:
            limits.append((7, 7 - emp.min_days_off_per_7, True))
        for length, most, inside in limits:
            for first in range(self.days.start - length + 1, self.days.stop):
                if inside and (first < 0 or first + length > self.c.horizon):
                    continue
                parts = [self._day_terms(e, d) for d in range(first, first + length)]
                if any(cols for cols, _ in parts):
                    self._linear(parts, [1.0] * length, float(most))

    def _outside_totals(self) -> None:
        """Per employee, what the days outside the window already hold: shifts by type, minutes
        and the weekends worked (the horizon-wide rules add the window to these)."""
        c = self.c
        self.out_shifts = [defaultdict(int) for _ in range(c.n_employees)]
        self.out_minutes = [0] * c.n_employees
        self.out_weekends: list[set[int]] = [set() for _ in range(c.n_employees)]
        for (e, d), works in self.plan.cells.items():
            if d in self.days or not works:
                continue
            for s, _, _ in works:
                self.out_shifts[e][s] += 1
                self.out_minutes[e] += c.lengths[s]
            weekend = self.problem.days[d].weekend
            if weekend is not None:
                self.out_weekends[e].add(weekend)

    def _window_shifts(self, e: int, s: int) -> list[int]:
        return [column for d in self.days for column in self.by_shift.get((e, d, s), [])]

    def _shift_type_limits(self, e: int) -> None:
        """At most `max_shifts_by_type[code]` shifts of each type over the horizon."""
        for s, limit in self.c.type_limits[e].items():
            columns = self._window_shifts(e, s)
            if columns and len(columns) + self.out_shifts[e][s] > limit:
                self._row(columns, [1.0] * len(columns), -math.inf, float(limit - self.out_shifts[e][s]))

    def _total_minutes(self, e: int) -> None:
        """Minutes worked over the horizon within [min_total_minutes, max_total_minutes]; a
        minute short of the minimum costs `shortfall_weight` (a start roster may be short)."""
        emp = self.problem.employees[e]
        low, high = emp.min_total_minutes, emp.max_total_minutes
        if low == 0 and high is None:
            return
        columns, coefs = [], []
        for s in range(self.c.n_shifts):
            window = self._window_shifts(e, s)
            columns.extend(window)
            coefs.extend([float(self.c.lengths[s])] * len(window))
        if not columns:
            return
        outside = self.out_minutes[e]
        if high is not None:
            self._row(columns, coefs, -math.inf, float(high - outside))
        if low > outside:
            worked = outside + sum(coef * self.start[col] for col, coef in zip(columns, coefs))
            weight = 0.0 if self.cover_only else self.c.shortfall_weight
            short = self._column(weight, float(max(0, low - worked)), float(low - outside))
            self._row(columns + [short], coefs + [1.0], float(low - outside), math.inf)

    def _weekends(self, e: int) -> None:
        """At most `max_weekends` weekends with work on Saturday or Sunday."""
        limit = self.problem.employees[e].max_weekends
        if limit is None:
            return
        outside = self.out_weekends[e]
        columns = []
        for weekend, weekend_days in sorted(self.c.weekends.items()):
            if weekend in outside:
                continue
            days = [self.w[(e, d)] for d in weekend_days if (e, d) in self.w]
            if not days:
                continue
            worked = self._column(0.0, float(max(self.start[col] for col in days)))
            for day in days:
                self._row([day, worked], [1.0, -1.0], -math.inf, 0.0)
            columns.append(worked)
        if columns and len(columns) + len(outside) > limit:
            self._row(columns, [1.0] * len(columns), -math.inf, float(limit - len(outside)))

    def _min_blocks(self, e: int) -> None:
        """Work blocks last at least `min_consecutive_days`, off blocks `min_consecutive_days_off`:
        if d is off and d+1 worked, d+1 .. d+min are worked (and the other way round for days
        off). With `edge_blocks_exempt`, blocks touching the first or last day may be shorter;
        otherwise days outside the horizon count as off."""
        emp = self.problem.employees[e]
        exempt = self.problem.edge_blocks_exempt
        horizon = self.c.horizon
        for length, work in ((emp.min_consecutive_days, True), (emp.min_consecutive_days_off, False)):
            if length <= 1:
                continue
            for d in range(max(0 if exempt else -1, self.days.start - length), min(horizon - 1, self.days.stop)):
                for j in range(2, length + 1):
                    if d + j >= horizon and exempt:
                        break
                    before, start, later = self._day_terms(e, d), self._day_terms(e, d + 1), self._day_terms(e, d + j)
                    if not (before[0] or start[0] or later[0]):
                        continue
                    if work:   # w[d+1] - w[d] - w[d+j] <= 0
                        self._linear([start, before, later], [1.0, -1.0, -1.0], 0.0)
                    else:      # w[d] - w[d+1] + w[d+j] <= 1
                        self._linear([before, start, later], [1.0, -1.0, 1.0], 1.0)

    def _cover(self) -> None:
        """Per slot (day, shift, role): people working it plus people missing at least the
        slot's requirement (summed over its sites), and no more people than that."""
        self.missing: dict[tuple[int, int, str], int] = {}
        self.missing_weight = 1.0 if self.cover_only else \
            min((dm.weight_under for demands in self.c.slot_demands.values() for dm in demands), default=1.0)
        people: dict[tuple[int, int, str], list[int]] = defaultdict(list)
        for (_employee, d, s, role), column in self.x.items():
            people[(d, s, role)].append(column)
        fixed: dict[tuple[int, int, str], int] = defaultdict(int)   # people not decided here
        if len(self.employees) < self.c.n_employees:
            free = set(self.employees)
            for d in self.days:
                for e in range(self.c.n_employees):
                    if e not in free:
                        for s, role, _ in self.plan.works(e, d):
                            fixed[(d, s, role)] += 1
        for (d, s, role), demands in self.c.slot_demands.items():
            if d not in self.days:
                continue
            need = sum(dm.requirement for dm in demands) - fixed[(d, s, role)]
            columns = people.get((d, s, role), [])
            have = sum(self.start[c] for c in columns)
            weight = 1.0 if self.cover_only else min(dm.weight_under for dm in demands)
            if need > 0:
                u = self._column(weight, float(max(0, need - have)), float(need))
                self.missing[(d, s, role)] = u
                self._row(columns + [u], [1.0] * len(columns) + [1.0], float(need), math.inf)
            need = max(0, need)
            if any(math.isinf(dm.weight_over) for dm in demands):
                self._row(columns, [1.0] * len(columns), -math.inf, float(need))
            elif not self.cover_only and len(columns) > need:
                over_weight = min(dm.weight_over for dm in demands)
                over = self._column(over_weight, float(max(0, have - need)), float(len(columns) - need))
                self._row(columns + [over], [1.0] * len(columns) + [-1.0], -math.inf, float(need))

    # -- solving --------------------------------------------------------------------------
    def solve(self, seed: int, time_limit_seconds: float | None, *, max_nodes: int = MIP_MAX_NODES,
              abs_gap: float | None = None, cut_pool: int | None = None) -> tuple[np.ndarray | None, int, float]:
        """HiGHS from the roster as it was, stopping after `max_nodes` nodes or once proven
        within `abs_gap` of the best (default: GAP_SHARE of a missing person); `cut_pool` caps
        HiGHS's pool of cuts (its soft limit; None: HiGHS's default). Returns (column values or
        None, nodes, the proven lower bound on the objective)."""
        rows, cols, vals, lower, upper = [], [], [], [], []
        for i, (columns, coefs, low, high) in enumerate(self.rows):
            rows.extend([i] * len(columns))
            cols.extend(columns)
            vals.extend(coefs)
            lower.append(low)
            upper.append(high)
        matrix = sp.csc_matrix((vals, (rows, cols)), shape=(len(self.rows), self.n))
        highs = _Highs()   # the bare solver: highspy.Highs() prints a banner on stdout
        self.abs_gap = GAP_SHARE * self.missing_weight if abs_gap is None else float(abs_gap)
        options = [("output_flag", False), ("threads", 1), ("random_seed", int(seed) % 2_147_483_647),
                   ("mip_max_nodes", int(max_nodes)), ("mip_abs_gap", self.abs_gap)]
        if time_limit_seconds is not None:
            options.append(("time_limit", float(time_limit_seconds)))
        if cut_pool is not None:
            options.append(("mip_pool_soft_limit", int(cut_pool)))
        for option, value in options:
            highs.setOptionValue(option, value)
        model = highspy.HighsLp()
        model.num_col_, model.num_row_ = self.n, len(self.rows)
        model.col_cost_ = np.asarray(self.cost, float)
        model.col_lower_ = np.zeros(self.n)
        model.col_upper_ = np.asarray(self.upper, float)
        model.row_lower_ = np.maximum(np.asarray(lower, float), -highspy.kHighsInf)
        model.row_upper_ = np.minimum(np.asarray(upper, float), highspy.kHighsInf)
        model.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        model.a_matrix_.start_, model.a_matrix_.index_, model.a_matrix_.value_ = \
            matrix.indptr, matrix.indices, matrix.data
        model.integrality_ = [highspy.HighsVarType.kInteger] * self.n
        model.sense_ = highspy.ObjSense.kMinimize
        highs.passModel(model)
        start = highspy.HighsSolution()
        start.col_value = list(self.start)
        start.value_valid = True
        highs.setSolution(start)
        highs.run()
        info = highs.getInfo()
        nodes, bound = int(info.mip_node_count), float(info.mip_dual_bound)
        if info.primal_solution_status != 2:   # no feasible solution
            return None, nodes, bound
        return np.asarray(highs.getSolution().col_value), nodes, bound

    def apply(self, values: np.ndarray) -> RosterDraft:
        """The plan with the window's shifts as the program chose them, placed at sites."""
        cells = dict(self.plan.cells)
        chosen: dict[tuple[int, int], list[tuple[int, str]]] = defaultdict(list)
        for (e, d, s, role), column in self.x.items():
            if values[column] > 0.5:
                chosen[(e, d)].append((s, role))
        for e in self.employees:
            for d in self.days:
                cells.pop((e, d), None)
        sites = _place(self.c, self.plan, chosen, self.employees)
        for (e, d), works in chosen.items():
            cells[(e, d)] = tuple(sorted((s, role, sites[(e, d, s)]) for s, role in works))
        return RosterDraft(cells)


def _place(compiled: Compiled, before: RosterDraft, chosen: dict, free: list[int]) -> dict[tuple[int, int, int], str]:
    """A site for every shift chosen, slot by slot: first everyone who worked the same slot at a
    site that still needs people, then their home site, then the site short of most people
    (ties: site order); the employees not in `free` stay where they are and count. Who goes
    first is decided by employee order (deterministic)."""
    problem = compiled.problem
    members: dict[tuple[int, int, str], list[int]] = defaultdict(list)
    for (e, d), works in sorted(chosen.items()):
        for s, role in works:
            members[(d, s, role)].append(e)
    staying: dict[tuple[int, int, str, str], int] = defaultdict(int)
    if len(free) < compiled.n_employees:
        days = {d for d, _, _ in members}
        moving = set(free)
        for (e, d), works in before.cells.items():
            if d in days and e not in moving:
                for s, role, site in works:
                    staying[(d, s, role, site)] += 1
    placed: dict[tuple[int, int, int], str] = {}
    for (d, s, role), people in members.items():
        demands = compiled.slot_demands.get((d, s, role), ())
        need = {dm.site: dm.requirement - staying[(d, s, role, dm.site)] for dm in demands}
        order = [dm.site for dm in demands]
        waiting = []
        for e in people:
            was = next((site for s0, r0, site in before.works(e, d) if s0 == s and r0 == role), None)
            if was in need and need[was] > 0:
                need[was] -= 1
                placed[(e, d, s)] = was
            else:
                waiting.append(e)
        rest = []
        for e in waiting:
            home = problem.employees[e].home_site
            if home in need and need[home] > 0:
                need[home] -= 1
                placed[(e, d, s)] = home
            else:
                rest.append(e)
        for e in rest:
            site = max(order, key=lambda st: (need[st], -order.index(st))) if order else problem.sites[0]
            if order:
                need[site] -= 1
            placed[(e, d, s)] = site
    return placed


