"""Solve a rostering problem: `solve(problem, time_limit_seconds, workers, seed) -> RosterResult`.

Phases, all on one CP-SAT model family (`model.py`):
1. the full model, solved by CP-SAT for part of the budget (it proves small problems optimal
   and gives the lower bound);
2. if that found no roster (or the problem is too large to build whole), a construction that
   rosters a few employees at a time with the others fixed;
3. large-neighbourhood search (`search.py`) for the rest of the budget.

Determinism: the same problem, seed, workers and budget give the same roster. Every CP-SAT
call stops on a deterministic-time limit (parallel full solves use `interleave_search`), and
the loop stops on a work budget in the same units: `work_limit`, by default
`time_limit_seconds * WORK_UNITS_PER_SECOND` (calibrated so a run ends within its wall-clock
limit on a 2-core machine). The wall-clock limit is still enforced; if it is what stopped the
run (a slow or busy machine), `stats["deterministic"]` is False.
"""

from __future__ import annotations

import math
import time

from ortools.sat.python import cp_model

from .cost import evaluate
from .model import Compiled, Plan, RosterModel
from .problem import RosterProblem
from .result import Assignment, RosterResult, RosterStatus, Violation
from .search import NeighbourhoodSearch

__all__ = ["solve", "solve_roster", "RosterResult", "RosterStatus", "Assignment", "Violation"]

# Deterministic work units (CP-SAT deterministic time) per wall-clock second of budget. About
# 0.3-0.5 units pass per second per core on the reference machine; the margin covers Python.
WORK_UNITS_PER_SECOND = 0.3
# Above this many shift variables the full model is not built; construction starts instead.
FULL_MODEL_MAX_VARIABLES = 60_000
# Share of the work budget the full model gets before the neighbourhood search takes over.
FULL_MODEL_SHARE = 0.3


def solve(problem: RosterProblem, time_limit_seconds: float = 60.0, workers: int = 2, seed: int = 0, *,
          work_limit: float | None = None, log: bool = False) -> RosterResult:
    """Roster `problem` within `time_limit_seconds` using `workers` threads; see module doc."""
    started = time.monotonic()
    deadline = started + time_limit_seconds
    workers = max(1, int(workers))
    budget = work_limit if work_limit is not None else time_limit_seconds * WORK_UNITS_PER_SECOND
    compiled = Compiled(problem)
    stats: dict[str, object] = {"work_budget": round(budget, 3), "phases": []}
    used = 0.0
    plan, bound = None, None

    # 1. the full model
    n_variables = sum(len(compiled.allowed[e]) * (compiled.horizon - len(emp.days_off))
                      for e, emp in enumerate(problem.employees))
    if n_variables <= FULL_MODEL_MAX_VARIABLES:
        full = RosterModel(compiled)
        share = FULL_MODEL_SHARE * budget
        status, solver = _solve_full(full, share, deadline, workers, seed, log)
        work = solver.deterministic_time
        used += work
        stats["phases"].append({"phase": "full_model", "status": solver.status_name(status),
                                "work": round(work, 3), "seconds": round(time.monotonic() - started, 3)})
        if status == cp_model.MODEL_INVALID:
            raise RuntimeError(f"invalid CP-SAT model: {full.model.validate()}")
        if status == cp_model.INFEASIBLE:
            explanation = explain_infeasibility(compiled, max(1.0, deadline - time.monotonic()))
            return _result(RosterStatus.INFEASIBLE, compiled, None, None, started, stats, explanation)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            plan = full.read_plan(solver)
            bound = solver.best_objective_bound / compiled.scale
            if status == cp_model.OPTIMAL:
                stats["stopped_by"] = "optimal"
                return _result(RosterStatus.OPTIMAL, compiled, plan, bound, started, stats)
        elif status == cp_model.UNKNOWN and math.isfinite(solver.best_objective_bound):
            bound = solver.best_objective_bound / compiled.scale

    # 2. construction when the full model gave nothing
    if plan is None:
        plan, work, reason = construct(compiled, seed, budget - used, deadline, workers)
        used += work
        stats["phases"].append({"phase": "construction", "work": round(work, 3),
                                "seconds": round(time.monotonic() - started, 3), "outcome": reason})
        if plan is None:
            if reason == "infeasible":
                explanation = explain_infeasibility(compiled, max(1.0, deadline - time.monotonic()))
                return _result(RosterStatus.INFEASIBLE, compiled, None, bound, started, stats, explanation)
            stats["stopped_by"] = "time_limit" if time.monotonic() >= deadline else "work_limit"
            return _result(RosterStatus.NO_SOLUTION_IN_TIME, compiled, None, bound, started, stats)

    # 3. large-neighbourhood search
    search = NeighbourhoodSearch(compiled, plan, seed=seed, workers=workers, work_budget=budget - used,
                                 deadline=deadline, log=log)
    plan = search.run()
    used += search.stats.work
    stats["phases"].append({"phase": "neighbourhood_search", "rounds": search.stats.rounds,
                            "improvements": search.stats.improvements, "work": round(search.stats.work, 3),
                            "seconds": round(time.monotonic() - started, 3),
                            "improved_by": dict(search.stats.improved_by)})
    stats["stopped_by"] = search.stats.stopped_by
    cost = evaluate(problem, plan.to_assignments(problem)).objective
    status = RosterStatus.OPTIMAL if bound is not None and cost <= bound + 1e-9 else RosterStatus.FEASIBLE
    return _result(status, compiled, plan, bound, started, stats)


solve_roster = solve


def _solve_full(model: RosterModel, work_limit: float, deadline: float, workers: int, seed: int,
                log: bool) -> tuple[int, cp_model.CpSolver]:
    solver = cp_model.CpSolver()
    parameters = solver.parameters
    parameters.num_workers = workers
    if workers > 1:
        parameters.interleave_search = True   # deterministic with several workers
    parameters.random_seed = seed
    parameters.linearization_level = 2
    parameters.max_deterministic_time = max(0.01, work_limit)
    parameters.max_time_in_seconds = max(0.01, deadline - time.monotonic())
    parameters.log_search_progress = log
    status = solver.solve(model.model)
    return status, solver


def construct(compiled: Compiled, seed: int, work_budget: float, deadline: float,
              variables_per_batch: int = 300) -> tuple[Plan | None, float, str]:
    """Greedy construction with the same model: roster a few employees at a time over the whole
    horizon, the ones before them fixed and the ones after them not working yet, each batch
    placed where cover is still missing. Returns (plan or None, work used, outcome)."""
    plan = Plan()
    used = 0.0
    per_employee = max(1, compiled.horizon * max(1, max(len(a) for a in compiled.allowed)))
    batch = max(1, min(compiled.n_employees, variables_per_batch // per_employee))
    e = 0
    while e < compiled.n_employees:
        if used >= work_budget or time.monotonic() >= deadline:
            return None, used, "out_of_budget"
        members = range(e, min(compiled.n_employees, e + batch))
        model = RosterModel(compiled, plan, [(m, d) for m in members for d in range(compiled.horizon)],
                            names=False)
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.linearization_level = 2
        solver.parameters.random_seed = seed
        solver.parameters.max_deterministic_time = max(0.02, min(0.2 * len(members), work_budget - used))
        solver.parameters.max_time_in_seconds = max(0.01, deadline - time.monotonic())
        status = solver.solve(model.model)
        used += solver.deterministic_time
        if status == cp_model.INFEASIBLE:
            return None, used, "infeasible"
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            if batch > 1:
                batch = max(1, batch // 2)
                continue
            return None, used, "out_of_budget"
        plan = model.read_plan(solver)
        e += len(members)
    return plan, used, "built"


def explain_infeasibility(compiled: Compiled, time_limit_seconds: float) -> str:
    """Name a small set of hard rules (per employee or cover slot) that cannot hold together."""
    model = RosterModel(compiled, guard=True)
    guards = sorted(model.guards.items())
    if not guards:
        return "the hard rules cannot all hold (no rule-level explanation available)"
    deadline = time.monotonic() + time_limit_seconds

    def infeasible_with(keys: list) -> bool | None:
        model.model.clear_assumptions()
        model.model.add_assumptions([model.guards[k] for k in keys])
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.max_time_in_seconds = max(0.05, min(5.0, deadline - time.monotonic()))
        status = solver.solve(model.model)
        if status == cp_model.INFEASIBLE:
            infeasible_with.last_core = [
                key for key, guard in guards if guard.index in set(solver.sufficient_assumptions_for_infeasibility())]
            return True
        return False if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None

    if not infeasible_with([key for key, _ in guards]):
        return "no roster found: the hard rules appear to conflict (the explanation search ran out of time)"
    core = infeasible_with.last_core or [key for key, _ in guards]
    # shrink the core: drop each rule that is not needed for the conflict
    for key in list(core):
        if time.monotonic() >= deadline or len(core) == 1:
            break
        trial = [k for k in core if k != key]
        if infeasible_with(trial):
            core = trial
    parts = [f"{rule} of {who}" for rule, who in core]
    return "no roster satisfies these hard rules together: " + "; ".join(parts)


def _result(status: RosterStatus, compiled: Compiled, plan: Plan | None, bound: float | None, started: float,
            stats: dict, explanation: str = "") -> RosterResult:
    problem = compiled.problem
    stats["deterministic"] = stats.get("stopped_by") != "time_limit"
    if plan is None:
        return RosterResult(status, None, bound, (), (), time.monotonic() - started, explanation, stats)
    assignments = tuple(plan.to_assignments(problem))
    evaluation = evaluate(problem, assignments)
    objective = evaluation.objective
    if bound is not None:
        bound = min(bound, objective)
    return RosterResult(status, objective, bound, assignments, evaluation.violations,
                        time.monotonic() - started, explanation, stats)
