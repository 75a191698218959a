"""Large-neighbourhood search: free a few employees or a window of days, re-solve them with
CP-SAT around the incumbent roster, keep the result when it costs no more.

Deterministic: neighbourhoods come from a seeded random generator, every sub-solve runs one
CP-SAT worker under a deterministic-time limit with a seed derived from the round, parallel
sub-solves are merged in a fixed order, and the loop stops on a work budget counted in
deterministic units (plus a wall-clock deadline that only cuts a run short as a last resort).
"""

from __future__ import annotations

import math
import random
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from .cost import evaluate
from .model import Cell, Compiled, Plan, RosterModel

# Python model building is not counted by CP-SAT; count it as this much work per variable.
BUILD_WORK_PER_VARIABLE = 4e-6


@dataclass
class Neighbourhood:
    kind: str
    cells: list[Cell]


@dataclass
class SubSolve:
    """The outcome of re-solving one neighbourhood."""

    neighbourhood: Neighbourhood
    plan: Plan | None
    optimal: bool
    work: float


@dataclass
class SearchStats:
    rounds: int = 0
    improvements: int = 0
    work: float = 0.0
    stopped_by: str = ""
    kinds: Counter = field(default_factory=Counter)
    improved_by: Counter = field(default_factory=Counter)


def plan_cost(compiled: Compiled, plan: Plan) -> float:
    return evaluate(compiled.problem, plan.to_assignments(compiled.problem)).objective


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


class NeighbourhoodSearch:
    """Improve `plan` within `work_budget` deterministic units (and before `deadline`)."""

    KINDS = ("employees", "days", "cover")

    def __init__(self, compiled: Compiled, plan: Plan, *, seed: int, workers: int, work_budget: float,
                 deadline: float, log: bool = False):
        self.c = compiled
        self.problem = compiled.problem
        self.plan = plan
        self.cost = plan_cost(compiled, plan)
        self.rng = random.Random(seed)
        self.seed = seed
        self.workers = max(1, workers)
        self.work_budget = work_budget
        self.deadline = deadline
        self.log = log
        self.stats = SearchStats()
        self.target = {kind: 600.0 for kind in self.KINDS}   # free variables per neighbourhood
        self.sub_work = 0.6                                    # deterministic limit per sub-solve
        avg_shifts = sum(len(a) for a in compiled.allowed) / max(1, compiled.n_employees)
        self.vars_per_cell = max(1.0, avg_shifts)

    # -- loop -----------------------------------------------------------------------------
    def run(self) -> Plan:
        pool = ThreadPoolExecutor(max_workers=self.workers) if self.workers > 1 else None
        try:
            while True:
                if self.stats.work >= self.work_budget:
                    self.stats.stopped_by = "work_limit"
                    break
                if time.monotonic() >= self.deadline - 0.05:
                    self.stats.stopped_by = "time_limit"
                    break
                self._round(pool)
        finally:
            if pool is not None:
                pool.shutdown()
        return self.plan

    def _round(self, pool) -> None:
        stats = self.stats
        hoods = [self._pick() for _ in range(self.workers)]
        models = [RosterModel(self.c, self.plan, hood.cells, names=False) for hood in hoods]
        build_work = sum(len(m.x) for m in models) * BUILD_WORK_PER_VARIABLE
        limit = min(self.sub_work, max(0.05, self.work_budget - stats.work))
        seeds = [(self.seed * 1_000_003 + stats.rounds * 31 + i) % (2 ** 31) for i in range(len(models))]
        seconds_left = self.deadline - time.monotonic()
        if pool is None:
            outcomes = [sub_solve(models[0], seeds[0], limit, seconds_left)]
        else:
            outcomes = list(pool.map(sub_solve, models, seeds, [limit] * len(models),
                                     [seconds_left] * len(models)))
        results = []
        for hood, model, (status, work, solver) in zip(hoods, models, outcomes):
            optimal = status == cp_model.OPTIMAL
            plan = model.read_plan(solver) if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None
            results.append(SubSolve(hood, plan, optimal, work))
            self._adapt(hood.kind, optimal, work, limit)
        stats.rounds += 1
        stats.work += max(r.work for r in results) + build_work
        self._accept(results)

    def _adapt(self, kind: str, optimal: bool, work: float, limit: float) -> None:
        """Grow a neighbourhood kind that is solved to optimality, shrink one that times out."""
        if optimal and work < 0.5 * limit:
            self.target[kind] = min(20_000.0, self.target[kind] * 1.15)
        elif not optimal:
            self.target[kind] = max(60.0, self.target[kind] / 1.25)

    def _accept(self, results: list[SubSolve]) -> None:
        """Keep the best sub-solution when it costs no more; then add another disjoint one if
        together they cost less still."""
        scored = []
        for index, result in enumerate(results):
            self.stats.kinds[result.neighbourhood.kind] += 1
            if result.plan is None:
                continue
            scored.append((plan_cost(self.c, result.plan), index, result))
        if not scored:
            return
        scored.sort(key=lambda t: (t[0], t[1]))
        best_cost, _, best = scored[0]
        if best_cost > self.cost + 1e-9:
            return
        if best_cost < self.cost - 1e-9:
            self.stats.improvements += 1
            self.stats.improved_by[best.neighbourhood.kind] += 1
        plan, cost = best.plan, best_cost
        used = set(best.neighbourhood.cells)
        for other_cost, _, other in scored[1:]:
            if other_cost >= self.cost - 1e-9 or not self._can_merge(used, other.neighbourhood.cells):
                continue
            merged = plan.copy()
            for cell in other.neighbourhood.cells:
                works = other.plan.cells.get(cell)
                if works:
                    merged.cells[cell] = works
                else:
                    merged.cells.pop(cell, None)
            merged_cost = plan_cost(self.c, merged)
            if merged_cost < cost - 1e-9:
                plan, cost = merged, merged_cost
                used |= set(other.neighbourhood.cells)
        if self.log and cost < self.cost - 1e-9:
            print(f"  round {self.stats.rounds}: {self.cost:g} -> {cost:g} ({best.neighbourhood.kind}, "
                  f"work {self.stats.work:.1f})", flush=True)
        self.plan, self.cost = plan, cost

    def _can_merge(self, first: set[Cell], second: list[Cell]) -> bool:
        """Each sub-solution kept the other's cells at their incumbent values, so their union
        keeps every hard rule when no employee is in both (an employee's rules see only that
        employee) and no cover limit is hard."""
        return not self.c.has_hard_cover and not ({e for e, _ in first} & {e for e, _ in second})

    # -- neighbourhoods -------------------------------------------------------------------
    def _pick(self) -> Neighbourhood:
        kind = self.KINDS[self.rng.randrange(len(self.KINDS))]
        if kind == "employees":
            return self._employees_window(kind)
        if kind == "days":
            return self._days_window(kind)
        return self._around_cover_gap(kind)

    def _window(self, length: int) -> tuple[int, int]:
        horizon = self.c.horizon
        length = max(1, min(horizon, length))
        start = self.rng.randrange(horizon - length + 1)
        return start, start + length

    def _employees_window(self, kind: str) -> Neighbourhood:
        """Random employees over the whole horizon (or over a window when the horizon is long)."""
        c = self.c
        cells_wanted = self.target[kind] / self.vars_per_cell
        length = min(c.horizon, max(14, int(math.sqrt(cells_wanted) * 2)))
        count = max(2, min(c.n_employees, int(cells_wanted / length)))
        start, end = self._window(length)
        employees = self.rng.sample(range(c.n_employees), count)
        return Neighbourhood(kind, [(e, d) for e in sorted(employees) for d in range(start, end)])

    def _days_window(self, kind: str) -> Neighbourhood:
        """A window of consecutive days for every employee (or many employees)."""
        c = self.c
        cells_wanted = self.target[kind] / self.vars_per_cell
        count = min(c.n_employees, max(2, int(cells_wanted / 3)))
        length = max(2, int(cells_wanted / count))
        start, end = self._window(length)
        employees = sorted(self.rng.sample(range(c.n_employees), count))
        return Neighbourhood(kind, [(e, d) for e in employees for d in range(start, end)])

    def _around_cover_gap(self, kind: str) -> Neighbourhood:
        """Around a badly covered (day, shift): employees who are off or on another shift then,
        over a window of days centred on it."""
        c = self.c
        gaps = self._cover_gaps()
        if not gaps:
            return self._employees_window("employees")
        weights = [g[0] for g in gaps]
        _, day = gaps[self._weighted_index(weights)][:2]
        cells_wanted = self.target[kind] / self.vars_per_cell
        length = min(c.horizon, max(5, int(math.sqrt(cells_wanted))))
        count = max(2, min(c.n_employees, int(cells_wanted / length)))
        start = max(0, min(c.horizon - length, day - length // 2))
        employees = sorted(self.rng.sample(range(c.n_employees), count))
        return Neighbourhood(kind, [(e, d) for e in employees for d in range(start, start + length)])

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
        cover = Counter()
        for (e, d), works in self.plan.cells.items():
            for s, role, site in works:
                cover[(d, s, role, site)] += 1
        gaps = defaultdict(float)
        for (d, s, role), demands in self.c.slot_demands.items():
            for demand in demands:
                have = cover.get((d, s, role, demand.site), 0)
                if have < demand.requirement:
                    gaps[(d, s)] += min(demand.weight_under, 1e6) * (demand.requirement - have)
                elif have > demand.requirement:
                    gaps[(d, s)] += min(demand.weight_over, 1e6) * (have - demand.requirement)
        return sorted((cost, d, s) for (d, s), cost in gaps.items())
