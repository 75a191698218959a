"""Large-neighbourhood search: free a few employees or a window of days, re-solve them with
CP-SAT around the incumbent roster, keep the result when it is no worse.

Neighbourhoods (`KINDS`): random employees over the horizon (or a window of it), a window of
days for many employees, employees able to fill a badly covered shift around its day, an unmet
request; where weekend cover is short because of the limits of weekends with work (the
caller's `weekend_pairs`: the limits cannot meet the weekend demand at all; or, in the
incumbent, someone at their limit could otherwise take an uncovered weekend slot,
`weekend_limit_blocks_cover`) and someone works only part of a weekend, two weekends with the
days around them for everyone left free (`_weekend_pair`); once the search stalls, also
everyone who may work a badly covered shift type over ten days around it; and, while some
employee is short of their minimum minutes, that employee with others. Their size adapts
(except the shift type's and the weekend pair's): a kind solved to optimality quickly grows,
one that hits its limit shrinks. One round solves one neighbourhood per worker thread, disjoint
in employees, so that two improvements can be combined. A roster is better when it is fewer
minutes short of the minimums, then when it costs less (`cost.evaluate`).

When every neighbourhood has stayed at its own optimum for a while (`LS_STALL_ROUNDS`), and the
caller allows it (`local_search`, small full models), CP-SAT's violation local search runs on
the whole roster from the incumbent: it moves single shifts with weighted rule violations and
reaches rosters that need many employees to change at once.

Deterministic: neighbourhoods come from a seeded random generator, every sub-solve runs one
CP-SAT worker under a deterministic-time limit with a seed derived from the round (the local
search interleaves its workers), parallel sub-solves are merged in a fixed order, and the loop
stops on a work budget counted in deterministic units (plus a wall-clock deadline that only
cuts a run short as a last resort).
"""

from __future__ import annotations

import math
import random
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from .compiled import Compiled
from .cost import draft_cost
from .draft import Cell, RosterDraft
from .model import RosterModel

# Python model building (and CP-SAT's loading of the model) is not counted in CP-SAT's
# deterministic time; count it as this much work per constraint of the model built. Building
# took 28-42 microseconds per constraint on a loaded 2-core machine whatever the problem
# (Curtois neighbourhoods and full models of 1,000-410,000 constraints, Hà Nội district
# neighbourhoods of 4,000-8,000), about a third of that on an idle one, where about 0.6 units
# pass per second: about 1e-5 units per constraint.
BUILD_WORK_PER_CONSTRAINT = 1e-5
# Deterministic-time limit of one sub-solve.
SUB_SOLVE_WORK = 0.6
# A shift-type neighbourhood: its days (shorter windows seldom let a shift move between people)
# and its size in free variables. Its size does not adapt: it has to hold everyone able to take
# the shift, and its sub-solves usually hit their limit while still finding improvements.
SHIFT_WINDOW_DAYS = 10
SHIFT_VARIABLES = 1200
# Free variables of a neighbourhood of the other kinds at the start (their size then adapts).
START_VARIABLES = 600
# A shift-type sub-solve's work limit is SUB_SOLVE_WORK scaled by its size against the others'
# start size (SHIFT_VARIABLES / START_VARIABLES = 2): it frees twice as many variables, most of
# its sub-solves hit the limit, and moving a night between the few able to work it is how a
# 100-weight gap closes (Instance9, seed 4: 454 against 564 at 30 units with twice the limit).
# Rounds without an improvement of STALL_GAIN (a share of the cost) after which half the
# neighbourhoods are of the shift type. Used from the start, that kind can steer the search into
# a worse roster (Instance5: one more uncovered slot at 30 units); once the other kinds stall,
# it is what moves a shift type between the people able to work it (Instance9: one uncovered
# night fewer).
STALL_ROUNDS = 4
STALL_GAIN = 0.01
# Violation local search on the full model (CP-SAT's `use_ls_only` workers, started from the
# incumbent): once the neighbourhoods have found nothing for LS_STALL_ROUNDS rounds, and again
# every LS_STALL_ROUNDS rounds while they stay stuck, for LS_WORK units. It moves single shifts
# across the whole roster with weighted rule violations, which escapes rosters where every
# neighbourhood is at its own optimum (Instance5, seed 2: 1249 -> 1162 in 1.5 s, where the
# search had been stuck for 14 units). From that roster, 2 units escaped on 2 of 8 seeds, 4
# units on 4 of 8. It runs on any size of problem (building the full model is charged by its
# size, `build_work`), but each call that finds nothing doubles the rounds the neighbourhoods
# get before the next one: the step keeps its share of the run only while it pays off.
LS_STALL_ROUNDS = 8
LS_WORK = 4.0
# A weekend-pair neighbourhood (`_weekend_pair`) frees everyone over two weekends and this many
# days before and after each at most (fewer when no employee's shortest work or off block needs
# that many), so that the blocks around a weekend can be reshaped. With a limit of weekends with
# work, a weekend worked on one day only costs the employee a whole weekend for one shift: where
# weekend cover is short, each such half weekend can be an uncovered slot. Closing one means
# passing weekends along between several employees over two weekends at once, which no window
# of days or few employees holds. From the rosters the search ended on at 36 units (twenty random
# pairs, every employee; `benchmarks/curtois_weekend_pairs.py`): Curtois Instance19 seed 0 4092
# -> 3892 in 3.9 units (one day around: 4090), Instance15 4869 -> 4647 in 6.7; with half of the
# employees (those working part of either weekend first, then at random), 3901 in 0.8 units and
# 4761 in 1.9.
WEEKEND_MARGIN_DAYS = 2
# At most this many free variables in a weekend-pair neighbourhood (its size does not adapt, like
# the shift type's): beyond it, those working part of one of the two weekends and then others at
# random, as many as fit. Where everyone over the whole horizon fits in that many, the kind is
# not drawn: a days window for everyone (which grows while its sub-solves are easy) then holds
# any two weekends already. Measured at 36 units with the kind drawn there too, Curtois Instance5
# ended one uncovered slot above the best known on 2 of seeds 0-5 (1237, 1248; without it
# 1146-1168 on all six). It is drawn only where the weekend limits are what leaves weekend
# cover short: the caller's `weekend_pairs` (the limits cannot meet the weekend demand at all), or
# the incumbent's `weekend_limit_blocks_cover`. Elsewhere a half weekend wastes nothing scarce and
# the kind only takes rounds from the others: drawn wherever weekends are limited, the 30-staff
# cut of Instance9 (whose uncovered weekend slots are nights nobody may work any more) ended at
# 3655 on seeds 0 and 1 against 3554 and 3552. With the incumbent's signal, seeds 0-2 at 36
# units: Instance15 4450, 4655, 4755 against 4869, 4453, 4941; Instance13 3099, 2837, 2735
# against 2906, 2836, 3028; Instance9 unchanged (444, 444, 446).
WEEKEND_PAIR_VARIABLES = 2 * SHIFT_VARIABLES


@dataclass
class Neighbourhood:
    """The (employee, day) cells one sub-solve may change, and the kind that chose them."""

    kind: str
    cells: list[Cell]


@dataclass
class SubSolve:
    """The outcome of re-solving one neighbourhood."""

    neighbourhood: Neighbourhood
    plan: RosterDraft | None
    optimal: bool
    work: float


@dataclass
class SearchStats:
    """What the search did: rounds, improvements, work used, why it stopped, by kind."""

    rounds: int = 0
    improvements: int = 0
    work: float = 0.0
    stopped_by: str = ""
    kinds: Counter = field(default_factory=Counter)
    improved_by: Counter = field(default_factory=Counter)


def plan_cost(compiled: Compiled, plan: RosterDraft) -> float:
    """The roster's soft cost by the engine's cost function (`cost.evaluate`, read from the draft:
    `cost.draft_cost`)."""
    return draft_cost(compiled.problem, plan)


def plan_score(compiled: Compiled, plan: RosterDraft) -> tuple[int, float]:
    """(minutes short of the minimums, cost) of a roster: lower is better."""
    return compiled.shortfall_minutes(plan), plan_cost(compiled, plan)


def build_work(model: RosterModel) -> float:
    """Work charged for building `model` (see BUILD_WORK_PER_CONSTRAINT): deterministic, from
    the model's size."""
    return len(model.model.proto.constraints) * BUILD_WORK_PER_CONSTRAINT


def sub_solve(model: RosterModel, seed: int, work_limit: float, seconds_left: float) -> tuple[int, float, object]:
    """Solve one sub-model with one worker; returns (status, deterministic time, solver)."""
    model.add_hints()
    solver = cp_model.CpSolver()
    parameters = solver.parameters
    parameters.num_workers = 1
    parameters.linearization_level = 2   # clauses in the LP: much stronger on rostering rules
    parameters.random_seed = seed
    parameters.max_deterministic_time = work_limit
    parameters.max_time_in_seconds = max(0.01, seconds_left)
    status = solver.solve(model.model)
    return status, solver.deterministic_time, solver


def half_weekends(compiled: Compiled, plan: RosterDraft) -> Counter:
    """(employee, weekend) -> days worked, for the weekends an employee with a limit of weekends
    with work works on some but not all of its days."""
    days = compiled.problem.days
    employees = compiled.problem.employees
    worked: Counter = Counter()
    for (e, d), works in plan.cells.items():
        if works and days[d].weekend is not None and employees[e].max_weekends is not None:
            worked[(e, days[d].weekend)] += 1
    return Counter({(e, w): n for (e, w), n in worked.items() if n < len(compiled.weekends[w])})


def weekend_limit_blocks_cover(compiled: Compiled, plan: RosterDraft) -> bool:
    """Whether the limits of weekends with work are what leaves weekend cover short in `plan`:
    some weekend slot is under its demand, and an employee who may work that shift, has shifts of
    its type and minutes left, is free that day and off that whole weekend, is kept off it only by
    being at their limit of weekends with work. (Where every such slot is out of reach for other
    reasons, such as everyone able to work a night having worked their most nights, a half
    weekend wastes nothing scarce.)"""
    problem = compiled.problem
    days, employees = problem.days, problem.employees
    cover = plan.cover()
    by_type: Counter = Counter()
    minutes: Counter = Counter()
    weekends_worked: dict[int, set[int]] = defaultdict(set)
    for (e, d), works in plan.cells.items():
        for s, _role, _site in works:
            by_type[(e, s)] += 1
            minutes[e] += compiled.lengths[s]
        if works and days[d].weekend is not None:
            weekends_worked[e].add(days[d].weekend)
    at_limit = [e for e, employee in enumerate(employees)
                if employee.max_weekends is not None and len(weekends_worked[e]) >= employee.max_weekends]
    if not at_limit:
        return False
    for (d, s, role), demands in compiled.slot_demands.items():
        weekend = days[d].weekend
        if weekend is None or all(demand.requirement <= cover[(d, s, role, demand.site)] for demand in demands):
            continue
        for e in at_limit:
            employee = employees[e]
            limit = compiled.type_limits[e].get(s)
            if (s in compiled.allowed[e] and role in employee.skills and weekend not in weekends_worked[e]
                    and d not in employee.days_off and (limit is None or by_type[(e, s)] < limit)
                    and (employee.max_total_minutes is None
                         or minutes[e] + compiled.lengths[s] <= employee.max_total_minutes)):
                return True
    return False


def solve_whole_roster(compiled: Compiled, plan: RosterDraft, *, workers: int, seed: int, work_limit: float,
                       deadline: float, lns_only: bool = False) -> tuple[RosterDraft | None, float, bool]:
    """Run CP-SAT's violation local search (`use_ls_only`), or with `lns_only` its
    large-neighbourhood workers, alone on the full model from `plan` for `work_limit` units per
    worker (interleaved with several workers, so deterministic). Returns (their roster or None,
    the work used including the model's building, whether the wall clock stopped them)."""
    model = RosterModel(compiled, plan, names=False)
    model.add_hints()
    solver = cp_model.CpSolver()
    parameters = solver.parameters
    parameters.num_workers = workers
    parameters.interleave_search = workers > 1
    if lns_only:
        parameters.use_lns_only = True
        parameters.linearization_level = 2
    else:
        parameters.use_ls_only = True
    parameters.random_seed = seed
    parameters.max_deterministic_time = max(0.01, work_limit) * workers   # summed over the workers
    parameters.max_time_in_seconds = max(0.01, deadline - time.monotonic())
    status = solver.solve(model.model)
    work = solver.deterministic_time / workers + build_work(model)
    cut_by_clock = solver.wall_time >= parameters.max_time_in_seconds - 0.05
    roster = model.read_plan(solver) if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None
    return roster, work, cut_by_clock


class NeighbourhoodSearch:
    """Improve `plan` within `work_budget` deterministic units (and before `deadline`)."""

    KINDS = ("employees", "days", "cover", "requests")

    def __init__(self, compiled: Compiled, plan: RosterDraft, *, seed: int, workers: int, work_budget: float,
                 deadline: float, log: bool = False, local_search: bool = False, weekend_pairs: bool = False):
        self.c = compiled
        self.problem = compiled.problem
        self.plan = plan
        self.cost = plan_cost(compiled, plan)
        self.shortfall = compiled.shortfall_minutes(plan)   # > 0: not yet feasible
        self.rng = random.Random(seed)
        self.seed = seed
        self.workers = max(1, workers)
        self.work_budget = work_budget
        self.deadline = deadline
        self.log = log
        self.stats = SearchStats()
        self.target = {kind: float(START_VARIABLES) for kind in self.KINDS + ("shortfall",)}   # free variables
        self.improved_round = 0   # the last round that improved the roster by STALL_GAIN
        self.local_search = local_search   # violation local search on the full model when stuck
        self.searched_round = 0   # the last round a local search started from
        self.found_round = 0      # the last round that improved the roster at all
        self.fruitless_searches = 0   # local searches in a row that found nothing
        self.history: list[tuple[float, float]] = [(0.0, self.cost)]   # (work, cost) after each gain
        self.sub_work = SUB_SOLVE_WORK
        self.shift_work = SUB_SOLVE_WORK * SHIFT_VARIABLES / START_VARIABLES
        avg_shifts = sum(len(a) for a in compiled.allowed) / max(1, compiled.n_employees)
        self.vars_per_cell = max(1.0, avg_shifts)
        # the weekend-pair kind when the caller asks for it (`weekend_pairs`: where the limits of
        # weekends with work cannot meet the weekend demand), weekends with work are limited and
        # there are two of them; not where everyone over the whole horizon fits in one (see
        # WEEKEND_PAIR_VARIABLES)
        employees = compiled.problem.employees
        limited = any(employee.max_weekends is not None for employee in employees)
        whole = compiled.n_employees * compiled.horizon * self.vars_per_cell
        self.pairs_possible = limited and len(compiled.weekends) >= 2 and whole > WEEKEND_PAIR_VARIABLES
        self.weekend_pairs = weekend_pairs
        self._blocked: tuple[RosterDraft, bool] | None = None   # (roster, weekend_limit_blocks_cover)
        blocks = max((max(employee.min_consecutive_days, employee.min_consecutive_days_off) for employee in employees),
                     default=1)
        self.weekend_margin = max(1, min(WEEKEND_MARGIN_DAYS, blocks))

    @property
    def kinds(self) -> tuple[str, ...]:
        """The neighbourhood kinds drawn now: the weekend pair joins where it is possible and
        the caller asked for it (`weekend_pairs`) or the incumbent's weekend cover is short
        because of the limits of weekends with work (`weekend_limit_blocks_cover`)."""
        if not self.pairs_possible:
            return self.KINDS
        if self.weekend_pairs:
            return self.KINDS + ("weekends",)
        if self._blocked is None or self._blocked[0] is not self.plan:
            self._blocked = (self.plan, weekend_limit_blocks_cover(self.c, self.plan))
        return self.KINDS + (("weekends",) if self._blocked[1] else ())

    # -- loop -----------------------------------------------------------------------------
    def run(self) -> RosterDraft:
        pool = ThreadPoolExecutor(max_workers=self.workers) if self.workers > 1 else None
        last_round = 0.0
        try:
            while True:
                if self.stats.work >= self.work_budget:
                    self.stats.stopped_by = "work_limit"
                    break
                # stop when a round as long as the last one would overrun the deadline
                if time.monotonic() + 0.5 * last_round >= self.deadline - 0.05:
                    self.stats.stopped_by = "time_limit"
                    break
                started = time.monotonic()
                if self._stuck():
                    self._local_search()
                else:
                    self._round(pool)
                last_round = time.monotonic() - started
        finally:
            if pool is not None:
                pool.shutdown()
        return self.plan

    def resume(self, plan: RosterDraft, extra_work: float, deadline: float) -> RosterDraft:
        """Go on from `plan` (when it is no worse than the incumbent) for `extra_work` more
        units, until `deadline`; returns the roster."""
        score = self._score(plan)
        if self._no_worse(score, (self.shortfall, self.cost)):
            if self._better(score, (self.shortfall, self.cost)):
                self.history.append((self.stats.work, score[1]))
            self.plan, (self.shortfall, self.cost) = plan, score
        self.work_budget = self.stats.work + extra_work
        self.deadline = deadline
        return self.run()

    def gain_over_last(self, work: float) -> float:
        """How much the cost fell over the last `work` units of the search (0 while some
        employee is short of their minimum)."""
        if self.shortfall > 0:
            return 0.0
        since = self.stats.work - work
        before = self.history[0][1]
        for at, cost in self.history:
            if at <= since:
                before = cost
        return max(0.0, before - self.cost)

    def _round(self, pool) -> None:
        stats = self.stats
        taken: set[int] = set()
        hoods = [self._pick(taken) for _ in range(min(self.workers, self.c.n_employees))]
        soft = self.shortfall > 0
        models = [RosterModel(self.c, self.plan, hood.cells, names=False, soft_minimums=soft) for hood in hoods]
        built = sum(build_work(m) for m in models)
        left = max(0.05, self.work_budget - stats.work)
        limits = [min(self.shift_work if hood.kind == "shift" else self.sub_work, left) for hood in hoods]
        seeds = [(self.seed * 1_000_003 + stats.rounds * 31 + i) % (2 ** 31) for i in range(len(models))]
        seconds_left = self.deadline - time.monotonic()
        if pool is None:
            outcomes = [sub_solve(models[0], seeds[0], limits[0], seconds_left)]
        else:
            outcomes = list(pool.map(sub_solve, models, seeds, limits, [seconds_left] * len(models)))
        results = []
        for hood, model, limit, (status, work, solver) in zip(hoods, models, limits, outcomes):
            optimal = status == cp_model.OPTIMAL
            plan = model.read_plan(solver) if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None
            results.append(SubSolve(hood, plan, optimal, work))
            self._adapt(hood.kind, optimal, work, limit)
            if self.log == "rounds":
                print(f"    {hood.kind:9s} vars {len(model.x):5d} {'optimal' if optimal else 'limit  '} "
                      f"work {work:.3f} cost {plan_cost(self.c, plan) if plan else None}")
        stats.rounds += 1
        stats.work += max(r.work for r in results) + built
        self._accept(results)

    def _stuck(self) -> bool:
        """Local search is on, the roster keeps every minimum, and neither the neighbourhoods
        nor the last local search have improved it for LS_STALL_ROUNDS rounds."""
        rounds = self.stats.rounds
        wait = LS_STALL_ROUNDS * 2 ** self.fruitless_searches
        return (self.local_search and self.shortfall == 0 and rounds - self.found_round >= LS_STALL_ROUNDS
                and rounds - self.searched_round >= wait)

    def _local_search(self) -> None:
        """Run CP-SAT's violation local search on the full model from the incumbent for LS_WORK
        units (`solve_whole_roster`); keep its roster when better."""
        stats = self.stats
        plan, work, _ = solve_whole_roster(
            self.c, self.plan, workers=self.workers,
            seed=(self.seed * 1_000_003 + stats.rounds * 31 + 17) % (2 ** 31),
            work_limit=min(LS_WORK, max(0.05, self.work_budget - stats.work)), deadline=self.deadline)
        self.searched_round = stats.rounds
        stats.rounds += 1
        stats.work += work
        stats.kinds["local_search"] += 1
        self.fruitless_searches += 1
        if plan is None:
            return
        score, current = self._score(plan), (self.shortfall, self.cost)
        if self.log == "rounds":
            print(f"    local search work {work:.3f} cost {score[1]}")
        if not self._better(score, current):
            return
        self.fruitless_searches = 0
        self._count_improvement("local_search", score, current)
        if self.log:
            print(f"  round {stats.rounds}: {current} -> {score} (local_search, work {stats.work:.1f})", flush=True)
        self.plan = plan
        self.shortfall, self.cost = score
        self.history.append((self.stats.work, self.cost))

    def _count_improvement(self, kind: str, score: tuple[int, float], current: tuple[int, float]) -> None:
        """Count an improvement by `kind` and mark this round as the last that found one (and as
        the last that gained STALL_GAIN, if it did)."""
        self.stats.improvements += 1
        self.stats.improved_by[kind] += 1
        self.found_round = self.stats.rounds
        if score[0] < current[0] or score[1] < (1 - STALL_GAIN) * current[1]:
            self.improved_round = self.stats.rounds

    def _adapt(self, kind: str, optimal: bool, work: float, limit: float) -> None:
        """Grow a neighbourhood kind that is solved to optimality, shrink one that times out
        (the shift-type kind keeps its size)."""
        if kind not in self.target:
            return
        if optimal and work < 0.5 * limit:
            self.target[kind] = min(20_000.0, self.target[kind] * 1.15)
        elif not optimal:
            self.target[kind] = max(60.0, self.target[kind] / 1.25)

    def _accept(self, results: list[SubSolve]) -> None:
        """Keep the best sub-solution when it is no worse (fewer minutes short of the minimum
        first, then lower cost); then add another disjoint one if together they are better."""
        scored = []
        for index, result in enumerate(results):
            self.stats.kinds[result.neighbourhood.kind] += 1
            if result.plan is None:
                continue
            scored.append((self._score(result.plan), index, result))
        if not scored:
            return
        scored.sort(key=lambda t: (t[0], t[1]))
        current = (self.shortfall, self.cost)
        best_score, _, best = scored[0]
        if not self._no_worse(best_score, current):
            return
        if self._better(best_score, current):
            self._count_improvement(best.neighbourhood.kind, best_score, current)
        plan, score = best.plan, best_score
        used = set(best.neighbourhood.cells)
        for other_score, _, other in scored[1:]:
            if not self._better(other_score, current) or not self._can_merge(used, other.neighbourhood.cells):
                continue
            merged = plan.copy()
            for cell in other.neighbourhood.cells:
                works = other.plan.cells.get(cell)
                if works:
                    merged.cells[cell] = works
                else:
                    merged.cells.pop(cell, None)
            merged_score = self._score(merged)
            if self._better(merged_score, score):
                plan, score = merged, merged_score
                used |= set(other.neighbourhood.cells)
        if self.log and self._better(score, current):
            print(f"  round {self.stats.rounds}: {current} -> {score} ({best.neighbourhood.kind}, "
                  f"work {self.stats.work:.1f})", flush=True)
        self.plan = plan
        self.shortfall, self.cost = score
        self.history.append((self.stats.work, self.cost))

    def _score(self, plan: RosterDraft) -> tuple[int, float]:
        return plan_score(self.c, plan)

    @staticmethod
    def _better(a: tuple[int, float], b: tuple[int, float]) -> bool:
        return a[0] < b[0] or (a[0] == b[0] and a[1] < b[1] - 1e-9)

    @staticmethod
    def _no_worse(a: tuple[int, float], b: tuple[int, float]) -> bool:
        return a[0] < b[0] or (a[0] == b[0] and a[1] <= b[1] + 1e-9)

    def _can_merge(self, first: set[Cell], second: list[Cell]) -> bool:
        """Each sub-solution kept the other's cells at their incumbent values, so their union
        keeps every hard rule when no employee is in both (an employee's rules see only that
        employee) and no cover limit is hard."""
        return not self.c.has_hard_cover and not ({e for e, _ in first} & {e for e, _ in second})

    # -- neighbourhoods -------------------------------------------------------------------
    def _pick(self, taken: set[int]) -> Neighbourhood:
        """A neighbourhood of a random kind among employees not in `taken` if any are left (the
        neighbourhoods of one round are then disjoint in employees, so their improvements can be
        combined), else among all employees. The shift-type kind joins when the search stalls."""
        free = [e for e in range(self.c.n_employees) if e not in taken] or list(range(self.c.n_employees))
        kind = self.kinds[self.rng.randrange(len(self.kinds))]
        if self.stats.rounds - self.improved_round >= STALL_ROUNDS and self.rng.random() < 0.5:
            kind = "shift"
        if self.shortfall > 0 and self.rng.random() < 0.8:
            kind = "shortfall"       # a feasible roster first
        self._most = max(1, math.ceil(self.c.n_employees / self.workers))   # room for the others
        if kind == "days":
            hood = self._days_window(kind, free)
        elif kind == "cover":
            hood = self._around_cover_gap(kind, free)
        elif kind == "shift":
            hood = self._shift_type_window(kind, free)
        elif kind == "shortfall":
            hood = self._around_shortfall(kind, free)
        elif kind == "requests":
            hood = self._around_unmet_request(kind, free)
        elif kind == "weekends":
            hood = self._weekend_pair(kind, free)
        else:
            hood = self._employees_window(kind, free)
        taken.update(e for e, _ in hood.cells)
        return hood

    def _shape(self, kind: str, employees: int, length: int | None = None) -> tuple[int, int]:
        """(employees, days) giving about `target[kind]` free variables."""
        cells = self.target[kind] / self.vars_per_cell
        horizon = self.c.horizon
        if length is None:
            length = min(horizon, max(7, int(math.sqrt(cells) * 2)))
        count = max(1, min(employees, self._most, int(cells / max(1, length))))
        return count, max(1, min(horizon, int(cells / count)))

    def _window(self, length: int, centre: int | None = None) -> range:
        horizon = self.c.horizon
        length = max(1, min(horizon, length))
        if centre is None:
            start = self.rng.randrange(horizon - length + 1)
        else:
            start = max(0, min(horizon - length, centre - length // 2))
        return range(start, start + length)

    def _employees_window(self, kind: str, free: list[int]) -> Neighbourhood:
        """Random employees over the whole horizon (a window of it when the horizon is long)."""
        count, length = self._shape(kind, len(free))
        days = self._window(length)
        employees = sorted(self.rng.sample(free, count))
        return Neighbourhood(kind, [(e, d) for e in employees for d in days])

    def _days_window(self, kind: str, free: list[int]) -> Neighbourhood:
        """A window of at least three consecutive days for as many employees as fit (all of
        them on small instances: cover is then re-planned as a whole)."""
        cells = self.target[kind] / self.vars_per_cell
        count = max(1, min(len(free), int(cells / 3)))
        length = max(1, min(self.c.horizon, int(cells / count)))
        days = self._window(length)
        employees = sorted(self.rng.sample(free, count))
        return Neighbourhood(kind, [(e, d) for e in employees for d in days])

    def _around_cover_gap(self, kind: str, free: list[int]) -> Neighbourhood:
        """Around a badly covered (day, shift), picked with probability by its cost: employees
        who may work that shift, over a window of days centred on it."""
        gaps = self._cover_gaps()
        if not gaps:
            return self._employees_window(kind, free)
        _, day, shift = gaps[self._weighted_index([g[0] for g in gaps])]
        count, length = self._shape(kind, len(free))
        able = [e for e in free if shift in self.c.allowed[e]
                and day not in self.c.problem.employees[e].days_off]
        others = [e for e in free if e not in set(able)]
        self.rng.shuffle(able)
        self.rng.shuffle(others)
        employees = sorted((able + others)[:count])
        return Neighbourhood(kind, [(e, d) for e in employees for d in self._window(length, centre=day)])

    def _shift_type_window(self, kind: str, free: list[int]) -> Neighbourhood:
        """Around a badly covered (day, shift), picked with probability by its cost: every
        employee who may work that shift type (as many as fit), over `SHIFT_WINDOW_DAYS` days
        centred on it, so the shift can be passed along between them. The window stays that
        short when everyone would fit a longer one: re-solving everyone over the whole horizon
        at once tends to settle in a worse roster."""
        gaps = self._cover_gaps()
        if not gaps:
            return self._days_window("days", free)
        _, day, shift = gaps[self._weighted_index([g[0] for g in gaps])]
        able = [e for e in free if shift in self.c.allowed[e]]
        if not able:
            return self._days_window("days", free)
        length = min(self.c.horizon, SHIFT_WINDOW_DAYS)
        count = max(1, min(len(able), int(SHIFT_VARIABLES / self.vars_per_cell / length)))
        employees = sorted(self.rng.sample(able, count))
        return Neighbourhood(kind, [(e, d) for e in employees for d in self._window(length, centre=day)])

    def _weekend_pair(self, kind: str, free: list[int]) -> Neighbourhood:
        """Two weekends, each with `weekend_margin` days before and after it, for every employee
        of `free` (up to WEEKEND_PAIR_VARIABLES): a half weekend closes by passing weekends along
        between several employees (see WEEKEND_MARGIN_DAYS), and leaving out those of the
        round's other neighbourhoods lets their gains be combined. The first weekend is picked
        by how many employees with a weekend limit work it on some but not all of its days, the
        second by the cover cost (missing and extra people) of its days, any other alike when
        none costs. Without a half weekend, the employees' kind."""
        days = self.problem.days
        partial = half_weekends(self.c, self.plan)
        weekends = sorted(self.c.weekends)
        halves = Counter(w for _, w in partial)
        if not halves:
            return self._employees_window("employees", free)
        first = weekends[self._weighted_index([float(halves[w]) for w in weekends])]
        short: Counter = Counter()
        for cost, d, _ in self._cover_gaps():
            if days[d].weekend is not None:
                short[days[d].weekend] += cost
        others = [w for w in weekends if w != first]
        second = others[self._weighted_index([short[w] + 1e-3 for w in others])]
        margin = self.weekend_margin
        chosen = sorted({n for w in (first, second) for d in self.c.weekends[w]
                         for n in range(d - margin, d + margin + 1) if 0 <= n < self.c.horizon})
        members = list(free)
        fit = int(WEEKEND_PAIR_VARIABLES / self.vars_per_cell / len(chosen))
        if len(members) > fit:
            part = sorted({e for e, w in partial if w in (first, second)} & set(members))
            rest = [e for e in members if e not in set(part)]
            self.rng.shuffle(part)
            self.rng.shuffle(rest)
            members = sorted((part + rest)[:max(1, fit)])
        return Neighbourhood(kind, [(e, d) for e in members for d in chosen])

    def _around_unmet_request(self, kind: str, free: list[int]) -> Neighbourhood:
        """An employee's request not honoured (picked by weight), with colleagues who may take
        or give up that shift, over a window of days centred on it."""
        unmet = []
        for e in free:
            for d, s, request_kind, weight in self.c.requests_of[e]:
                works = self.plan.works(e, d)
                working = bool(works) if s is None else any(w[0] == s for w in works)
                if working != (request_kind == "want"):
                    unmet.append((weight, e, d, s))
        if not unmet:
            return self._around_cover_gap("cover", free)
        _, chosen, day, shift = unmet[self._weighted_index([u[0] for u in unmet])]
        count, length = self._shape(kind, len(free))
        able = [e for e in free if e != chosen and (shift is None or shift in self.c.allowed[e])]
        self.rng.shuffle(able)
        members = sorted([chosen] + able[:count - 1])
        return Neighbourhood(kind, [(e, d) for e in members for d in self._window(length, centre=day)])

    def _around_shortfall(self, kind: str, free: list[int]) -> Neighbourhood:
        """An employee short of their minimum minutes (picked by how short) with others, over a
        window of days, so the shortfall can be worked away."""
        worked = Counter()
        for (e, _), works in self.plan.cells.items():
            for s, _, _ in works:
                worked[e] += self.c.lengths[s]
        employees = self.problem.employees
        short = [(employees[e].min_total_minutes - worked[e], e) for e in free
                 if worked[e] < employees[e].min_total_minutes]
        if not short:
            return self._employees_window("employees", free)
        _, chosen = short[self._weighted_index([float(m) for m, _ in short])]
        cells = self.target[kind] / self.vars_per_cell
        horizon = self.c.horizon
        # the whole horizon, so the minutes can go wherever the rules leave room (on a long
        # horizon, the window where the employee is off most); colleagues join if size allows
        length = horizon if horizon <= 2 * cells else max(28, int(cells))
        count = max(1, min(self._most, int(cells / length)))
        others = [e for e in free if e != chosen]
        members = sorted([chosen] + self.rng.sample(others, min(len(others), count - 1)))
        if length >= horizon:
            days = range(horizon)
        else:
            days_off = employees[chosen].days_off
            idle = [0] + [int((chosen, d) not in self.plan.cells and d not in days_off) for d in range(horizon)]
            for d in range(1, horizon + 1):
                idle[d] += idle[d - 1]
            starts = sorted(range(horizon - length + 1), key=lambda t: (idle[t + length] - idle[t], -t), reverse=True)
            start = starts[self.rng.randrange(min(3, len(starts)))]
            days = range(start, start + length)
        return Neighbourhood(kind, [(e, d) for e in members for d in days])

    def _weighted_index(self, weights: list[float]) -> int:
        total = sum(weights)
        pick = self.rng.random() * total
        for index, weight in enumerate(weights):
            pick -= weight
            if pick <= 0:
                return index
        return len(weights) - 1

    def _cover_gaps(self) -> list[tuple[float, int, int]]:
        """(cost, day, shift) of every slot with under- or over-cover in the incumbent."""
        cover = self.plan.cover()
        gaps = defaultdict(float)
        for (d, s, role), demands in self.c.slot_demands.items():
            for demand in demands:
                have = cover.get((d, s, role, demand.site), 0)
                if have < demand.requirement:
                    gaps[(d, s)] += min(demand.weight_under, 1e6) * (demand.requirement - have)
                elif have > demand.requirement:
                    gaps[(d, s)] += min(demand.weight_over, 1e6) * (have - demand.requirement)
        return sorted(((cost, d, s) for (d, s), cost in gaps.items()), key=lambda g: (g[1], g[2]))
