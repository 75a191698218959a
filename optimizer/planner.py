"""The one entry point the CLI, the app and the nightly job share: plan a scenario.

`run_plan(scenario)` -> PlanResult: capacity plan (districts in parallel, proven bound),
the fair baseline and the naive proportional rule on the same resources, the simulated
outcome of each, the
marginal values, and (unless asked not to) the officer roster made to agree with the plan.
"""

from __future__ import annotations

import time
from typing import Callable

import numpy as np
import ortools

from .baseline import baseline_decisions, proportional_decisions
from .capacity.campaign import plan_capacity
from .objective import objective_terms, officer_shifts
from .result import PlanResult
from .scenario import Scenario
from .simulation import Decisions, StartState, simulate
from .staffing import district_budgets

Progress = Callable[[str, float], None]


def run_plan(scenario: Scenario, *, workers: int | None = None, time_limit_seconds: float | None = None,
             seed: int | None = None, progress: Progress | None = None,
             should_stop: Callable[[], bool] | None = None, with_roster: bool = False,
             arrivals: np.ndarray | None = None, start: StartState | None = None, first_day: int = 0,
             fixed: Decisions | None = None, pinned: Decisions | None = None,
             executor=None, previous: Decisions | None = None, change_cost: float = 0.0,
             frozen_roster=None, previous_roster=None) -> PlanResult:
    """Plan the campaign (or the days from `first_day`, from the `start` state) and evaluate it.

    `fixed` holds decisions for days before `first_day` (already happened), kept as they are;
    `pinned` holds decisions from `first_day` on that must stay (published rosters), -1 = free;
    `previous` (the published plan) makes each kit moved away from it cost `change_cost` people;
    `frozen_roster` rows (published) are kept as they are, `previous_roster` is what officers were
    told (changes to it cost).
    """
    begin = time.perf_counter()
    solver = scenario.settings.solver
    seed = solver.seed if seed is None else seed
    timings = {}
    t = time.perf_counter()
    budgets = district_budgets(scenario)   # officer budgets, shared by the baseline and the model
    base, base_allocation = baseline_decisions(scenario, budgets)
    proportional, proportional_allocation = proportional_decisions(scenario, budgets)
    if fixed is not None and first_day > 0:
        for name in ("kits_open", "mobile_kits", "home_visit_teams", "letters"):
            getattr(base, name)[:, :first_day] = getattr(fixed, name)[:, :first_day]
            getattr(proportional, name)[:, :first_day] = getattr(fixed, name)[:, :first_day]
    timings["baseline_seconds"] = time.perf_counter() - t
    t = time.perf_counter()
    capacity = plan_capacity(scenario, workers=workers, time_limit_seconds=time_limit_seconds,
                             progress=progress, should_stop=should_stop, arrivals=arrivals, start=start,
                             first_day=first_day, pinned=pinned, executor=executor,
                             fallback=base, fixed=fixed, fallback_allocation=base_allocation,
                             previous=previous, change_cost=change_cost, budgets=budgets)
    timings["capacity_seconds"] = time.perf_counter() - t
    decisions = capacity.decisions
    if fixed is not None and first_day > 0:
        for name in ("kits_open", "mobile_kits", "home_visit_teams", "letters"):
            getattr(decisions, name)[:, :first_day] = getattr(fixed, name)[:, :first_day]
    t = time.perf_counter()
    outcome = simulate(scenario, decisions, arrivals=arrivals, start=start, first_day=first_day)
    base_outcome = simulate(scenario, base, arrivals=arrivals, start=start, first_day=first_day)
    proportional_outcome = simulate(scenario, proportional, arrivals=arrivals, start=start, first_day=first_day)
    timings["simulation_seconds"] = time.perf_counter() - t
    terms = objective_terms(scenario, decisions, outcome)
    objective = float(sum(terms.values()))
    terms["officer_shifts_count"] = float(officer_shifts(scenario, decisions))
    bound = capacity.objective_bound
    max_enrollable = capacity.max_enrollable
    if start is not None:  # the models count only the window; add what is already enrolled
        before = float(start.enrolled.sum())
        bound = bound + scenario.settings.objective.enrolled * before
        max_enrollable = max_enrollable + before
    result = PlanResult(
        scenario=scenario, status=capacity.status.value, decisions=decisions, outcome=outcome,
        baseline_decisions=base, baseline_outcome=base_outcome, objective=objective,
        objective_terms=terms, objective_bound=bound, max_enrollable=max_enrollable,
        reserve_allocation=capacity.reserve_allocation, baseline_reserve_allocation=base_allocation,
        marginal_by_district={code: plan.marginal for code, plan in capacity.districts.items()},
        seed=seed, wall_seconds=0.0, solver_version=f"ortools {ortools.__version__} (HiGHS)",
        messages=list(capacity.messages), stopped_early=capacity.stopped_early, timings=timings,
        first_day=first_day, proportional_decisions=proportional, proportional_outcome=proportional_outcome,
        proportional_reserve_allocation=proportional_allocation)
    result.sim_inputs = {"arrivals": arrivals, "start": start, "first_day": first_day}
    _flag_bound_violation(result)
    if with_roster:
        t = time.perf_counter()
        add_roster(result, workers=workers, time_limit_seconds=time_limit_seconds, progress=progress,
                   frozen_roster=frozen_roster, previous_roster=previous_roster, executor=executor,
                   pinned=pinned, fixed=fixed, allocation=capacity.reserve_allocation)
        timings["roster_seconds"] = time.perf_counter() - t
        _flag_bound_violation(result)
    result.wall_seconds = time.perf_counter() - begin
    return result


BOUND_VIOLATED = "bound_violated"


def _flag_bound_violation(result: PlanResult) -> None:
    """A plan above its proven bound means a model row is not a relaxation of the rules: the
    run's status becomes `bound_violated` (an error) and the reason is the first message."""
    problem = result.bound_violation()
    if problem and result.status != BOUND_VIOLATED:
        result.status = BOUND_VIOLATED
        result.messages.insert(0, f"ERROR: {problem}")


def add_roster(result: PlanResult, *, workers: int | None = None, time_limit_seconds: float | None = None,
               progress: Progress | None = None, frozen_roster=None, previous_roster=None, executor=None,
               pinned: Decisions | None = None, fixed: Decisions | None = None,
               allocation: dict | None = None) -> PlanResult:
    """Roster the officers for a plan (the same step `run_plan(with_roster=True)` takes).

    Where the officers cannot staff the plan, the districts concerned are re-planned with no
    more officers per role and shift than the roster found, and staffed by the same officers."""
    from .capacity.campaign import replan_districts
    from .staffed import staff_plan

    scenario = result.scenario
    inputs = getattr(result, "sim_inputs", {}) or {}

    def replan(closed: Decisions, districts: list[str], crew_ceiling: dict) -> Decisions:
        return replan_districts(scenario, closed, districts, None,
                                allocation or result.reserve_allocation, workers=workers,
                                time_limit_seconds=time_limit_seconds, arrivals=inputs.get("arrivals"),
                                start=inputs.get("start"), first_day=result.first_day, pinned=pinned,
                                fixed=fixed, executor=executor, crew_ceiling=crew_ceiling)

    return staff_plan(result, workers=workers, time_limit_seconds=time_limit_seconds, progress=progress,
                      frozen=frozen_roster, previous=previous_roster, executor=executor, replan=replan)
