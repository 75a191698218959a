"""Fill the crew slots a quick roster left empty: a mixed-integer program over windows of days.

A greedy roster fills slots one at a time, so it spends officers' weekly hours and working
days early and leaves slots empty later in the week, although a roster that fills them exists.
Here, around each stretch of days with empty slots, every employee's shifts over a window of
days are decided again together by a MIP (HiGHS), the rest of the roster fixed:

- variables: employee e works shift s on day d in role r (only where the slot has a demand
  and e holds the role), e works day d, and the people still missing per (day, shift, role);
- every hard rule an officer has holds: leave days, shifts a day, one role a shift, rest
  between shifts, forbidden successions, minutes a week, consecutive days, days off in every
  7 days; the days outside the window enter the rules as constants;
- sites are left out: cover does not depend on where in the district an officer goes, so the
  program decides who works each slot, and `_place` then sends them to the wards that need them
  (where they were before, else their home ward, else the largest gap);
- objective: fewest people missing (each at the slot's `weight_under`), then requests (wishes,
  shifts already published), then fewest shifts, then the roster as it was.

The windows are solved in day order, each from the roster the previous one left; where slots
are still empty after them, the whole campaign (from `first_day`) at once: started that close to
its optimum, that program is usually solved at the root, and it moves hours and days off across
the windows' edges (on the Hà Nội plan it reaches the proven fewest empty slots in the
districts tried, where the windows alone left up to five more). HiGHS runs on
one thread from the roster as it was (a feasible start) and stops on a node limit, so the same
roster and seed give the same result; a wall-clock limit only guards an overloaded machine.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict

import highspy
import numpy as np
from highspy._core import _Highs
import scipy.sparse as sp

from .compiled import Compiled
from .plan import Plan
from .problem import RosterProblem

__all__ = ["fill_cover", "fewest_missing", "supported", "windows", "empty_days", "WindowProgram"]

# A window spans the days with empty slots plus WINDOW_PAD_DAYS on each side (room to move a
# shift or a day off to), merged with the next stretch while it stays within WINDOW_MAX_DAYS:
# 9-12 days of a district's officers solve in about a second, whole months in ten.
WINDOW_PAD_DAYS = 3
WINDOW_MAX_DAYS = 12
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
def supported(problem: RosterProblem) -> bool:
    """Whether every employee's rules are among those the program states: none has limits by
    shift type, minimum or maximum total minutes, a weekend limit or minimum block lengths."""
    for emp in problem.employees:
        if emp.max_shifts_by_type or emp.min_total_minutes or emp.max_total_minutes is not None \
                or emp.max_weekends is not None or emp.min_consecutive_days > 1 or emp.min_consecutive_days_off > 1:
            return False
    return True


def empty_days(compiled: Compiled, plan: Plan, first_day: int = 0) -> dict[int, int]:
    """People missing per day (summed over the day's slots), from `first_day` on."""
    have: dict[tuple, int] = defaultdict(int)
    for (e, d), works in plan.cells.items():
        for s, role, _ in works:
            have[(d, s, role)] += 1
    missing: dict[int, int] = defaultdict(int)
    for (d, s, role), demands in compiled.slot_demands.items():
        if d >= first_day:
            gap = sum(dm.requirement for dm in demands) - have[(d, s, role)]
            if gap > 0:
                missing[d] += gap
    return dict(missing)


def windows(days_with_gaps: list[int], horizon: int, first_day: int = 0) -> list[range]:
    """Windows of days around the days with empty slots (see WINDOW_PAD_DAYS), in day order."""
    spans: list[list[int]] = []
    for d in sorted(days_with_gaps):
        low, high = max(first_day, d - WINDOW_PAD_DAYS), min(horizon - 1, d + WINDOW_PAD_DAYS)
        if spans and low <= spans[-1][1] + 1 and high - spans[-1][0] < WINDOW_MAX_DAYS:
            spans[-1][1] = high
        else:
            spans.append([low, high])
    return [range(low, high + 1) for low, high in spans]


def fill_cover(problem: RosterProblem, plan: Plan, *, first_day: int = 0, seed: int = 0,
               deadline: float | None = None) -> tuple[Plan, dict]:
    """Fill empty slots of `plan` window by window, then over the whole campaign if any is left
    (see the module docstring); days before `first_day` (a frozen window) are never touched.
    Returns the new plan and {windows, nodes, filled}."""
    compiled = Compiled(problem)
    stats = {"windows": 0, "nodes": 0}
    if not supported(problem):
        return plan, {**stats, "filled": 0, "skipped": "employee rules the program does not state"}
    missing = empty_days(compiled, plan, first_day)
    before = sum(missing.values())
    for days in windows(list(missing), compiled.horizon, first_day) + [range(first_day, compiled.horizon)]:
        if deadline is not None and time.monotonic() >= deadline:
            break
        if not any(d in days for d in missing):
            continue   # an earlier window filled these days already
        program = WindowProgram(compiled, plan, days)
        seconds = None if deadline is None else max(0.1, deadline - time.monotonic())
        chosen, nodes, _ = program.solve(seed, seconds)
        stats["windows"] += 1
        stats["nodes"] += nodes
        if chosen is not None:
            candidate = program.apply(chosen)
            missing_after = empty_days(compiled, candidate, first_day)
            if sum(missing_after.values()) <= sum(missing.values()):
                plan, missing = candidate, missing_after
    stats["filled"] = before - sum(missing.values())
    return plan, stats


class WindowProgram:
    """The MIP of one window of days: every employee's shifts in `days`, the rest fixed."""

    def __init__(self, compiled: Compiled, plan: Plan, days: range, *, cover_only: bool = False):
        """`cover_only`: the objective is the people missing alone (for a bound on them)."""
        self.c, self.plan, self.days = compiled, plan, days
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
        for e in range(compiled.n_employees):
            self._shifts_a_day(e)
            self._rest_between_shifts(e)
            self._forbidden_successions(e)
            self._minutes_a_week(e)
            self._working_days(e)
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
            for e in range(c.n_employees):
                for d, s, kind, weight in c.requests_of[e]:
                    if d in self.days:
                        wishes[(e, d, s)] += -weight if kind == "want" else weight
        for e, emp in enumerate(problem.employees):
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
        """One role a shift, only on a day worked; at most `max_shifts_per_day` shifts a day."""
        most = self.problem.employees[e].max_shifts_per_day
        for d in self.days:
            if (e, d) not in self.w:
                continue
            day = []
            for s in range(self.c.n_shifts):
                columns = self.by_shift.get((e, d, s), [])
                day.extend(columns)
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
                if not (0 <= d and d + conflict.delta < self.c.horizon):
                    continue
                parts = [self._shift_terms(e, d, conflict.first), self._shift_terms(e, d + conflict.delta, conflict.second)]
                parts += [self._shift_terms(e, d + offset, c) for offset, c in bridges]
                if any(cols for cols, _ in parts):
                    self._linear(parts, [1.0, 1.0] + [-1.0] * len(bridges), 1.0)

    def _forbidden_successions(self, e: int) -> None:
        """Shift b is not worked the day after shift a, for each forbidden pair (a, b)."""
        for a, followers in self.c.successions[e].items():
            for b in followers:
                for d in range(self.days.start - 1, self.days.stop):
                    if 0 <= d and d + 1 < self.c.horizon:
                        parts = [self._shift_terms(e, d, a), self._shift_terms(e, d + 1, b)]
                        if any(cols for cols, _ in parts):
                            self._linear(parts, [1.0, 1.0], 1.0)

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

    def _cover(self) -> None:
        """Per slot (day, shift, role): people working it plus people missing at least the
        slot's requirement (summed over its sites), and no more people than that."""
        self.missing: dict[tuple[int, int, str], int] = {}
        self.missing_weight = 1.0 if self.cover_only else \
            min((dm.weight_under for demands in self.c.slot_demands.values() for dm in demands), default=1.0)
        people: dict[tuple[int, int, str], list[int]] = defaultdict(list)
        for (e, d, s, role), column in self.x.items():
            people[(d, s, role)].append(column)
        for (d, s, role), demands in self.c.slot_demands.items():
            if d not in self.days:
                continue
            need = sum(dm.requirement for dm in demands)
            columns = people.get((d, s, role), [])
            have = sum(self.start[c] for c in columns)
            weight = 1.0 if self.cover_only else min(dm.weight_under for dm in demands)
            u = self._column(weight, float(max(0, need - have)), float(need))
            self.missing[(d, s, role)] = u
            self._row(columns + [u], [1.0] * len(columns) + [1.0], float(need), math.inf)
            self._row(columns, [1.0] * len(columns), -math.inf, float(need))

    # -- solving --------------------------------------------------------------------------
    def solve(self, seed: int, time_limit_seconds: float | None) -> tuple[np.ndarray | None, int, float]:
        """HiGHS from the roster as it was; returns (column values or None, nodes, the proven
        lower bound on the objective)."""
        rows, cols, vals, lower, upper = [], [], [], [], []
        for i, (columns, coefs, low, high) in enumerate(self.rows):
            rows.extend([i] * len(columns))
            cols.extend(columns)
            vals.extend(coefs)
            lower.append(low)
            upper.append(high)
        matrix = sp.csc_matrix((vals, (rows, cols)), shape=(len(self.rows), self.n))
        highs = _Highs()   # the bare solver: highspy.Highs() prints a banner on stdout
        options = [("output_flag", False), ("threads", 1), ("random_seed", int(seed) % 2_147_483_647),
                   ("mip_max_nodes", MIP_MAX_NODES), ("mip_abs_gap", GAP_SHARE * self.missing_weight)]
        if time_limit_seconds is not None:
            options.append(("time_limit", float(time_limit_seconds)))
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

    def apply(self, values: np.ndarray) -> Plan:
        """The plan with the window's shifts as the program chose them, placed at sites."""
        cells = dict(self.plan.cells)
        chosen: dict[tuple[int, int], list[tuple[int, str]]] = defaultdict(list)
        for (e, d, s, role), column in self.x.items():
            if values[column] > 0.5:
                chosen[(e, d)].append((s, role))
        for e in range(self.c.n_employees):
            for d in self.days:
                cells.pop((e, d), None)
        sites = _place(self.c, self.plan, chosen)
        for (e, d), works in chosen.items():
            cells[(e, d)] = tuple(sorted((s, role, sites[(e, d, s)]) for s, role in works))
        return Plan(cells)


def fewest_missing(problem: RosterProblem, plan: Plan, *, seed: int = 0,
                   time_limit_seconds: float | None = None) -> int:
    """A proof: no roster leaves fewer people missing than this over the whole horizon (the
    program of every day at once, people missing alone in the objective, its dual bound)."""
    compiled = Compiled(problem)
    program = WindowProgram(compiled, plan, range(compiled.horizon), cover_only=True)
    _, _, bound = program.solve(seed, time_limit_seconds)
    return max(0, math.ceil(bound - 1e-6))


def _place(compiled: Compiled, before: Plan, chosen: dict) -> dict[tuple[int, int, int], str]:
    """A site for every shift chosen, slot by slot: first everyone who worked the same slot at a
    site that still needs people, then their home site, then the site short of most people
    (ties: site order). Who goes first is decided by employee order (deterministic)."""
    problem = compiled.problem
    members: dict[tuple[int, int, str], list[int]] = defaultdict(list)
    for (e, d), works in sorted(chosen.items()):
        for s, role in works:
            members[(d, s, role)].append(e)
    placed: dict[tuple[int, int, int], str] = {}
    for (d, s, role), people in members.items():
        demands = compiled.slot_demands.get((d, s, role), ())
        need = {dm.site: dm.requirement for dm in demands}
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


