"""The one entry point the CLI, the app and the nightly job share: plan a scenario.

`run_plan(scenario, options, window)` -> PlanResult: capacity plan (districts in parallel,
proven bound), the fair baseline and the naive proportional rule on the same resources, the
simulated outcome of each, the marginal values, and (with `options.with_roster`) the officer
roster made to agree with the plan. `options` says how to solve, `window` which days (default: the whole campaign); the
result keeps the window, and no caller needs to change the result afterwards.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import ortools

from .baseline import baseline_decisions, proportional_decisions
from .capacity.campaign import plan_capacity
from .objective import objective_terms, officer_shifts
from .plan_request import Progress, ReplanWindow, SolveOptions
from .result import PlanResult, PlanStatus
from .scenario import Scenario
from .simulation import Decisions, Outcome, simulate
from .staffing import district_budgets

__all__ = ["run_plan", "add_roster", "SolveOptions", "ReplanWindow", "PlanResult", "PlanStatus", "Progress"]


def run_plan(scenario: Scenario, options: SolveOptions | None = None,
             window: ReplanWindow | None = None) -> PlanResult:
    """Plan the campaign (or the window's days, from its start state) and evaluate it.

    The days before `window.first_day` keep `window.fixed` while planning and simulating (the
    objective counts them as the officers' budgets do) and show `window.executed` on the result
    when given (what actually happened there)."""
    options = options or SolveOptions()
    window = window or ReplanWindow()
    begin = time.perf_counter()
    seed = scenario.settings.solver.seed if options.seed is None else options.seed
    first_day, fixed = window.first_day, window.fixed
    timings = {}
    budgets = district_budgets(scenario)   # officer budgets, shared by the baseline and the model
    # the two references (fair baseline, proportional rule) and their outcomes do not depend on
    # the plan: they are worked out in a thread while the districts are solved in the workers
    with ThreadPoolExecutor(max_workers=1) as side:
        later = side.submit(_references, scenario, budgets, window)

        def fallback() -> tuple[Decisions, dict[str, int]]:
            return later.result().fair, later.result().fair_allocation

        t = time.perf_counter()
        capacity = plan_capacity(scenario, workers=options.workers, time_limit_seconds=options.time_limit_seconds,
                                 progress=options.progress, should_stop=options.should_stop,
                                 arrivals=window.arrivals, start=window.start, first_day=first_day,
                                 pinned=window.pinned, executor=options.executor, fallback=fallback, fixed=fixed,
                                 previous=window.previous, change_cost=window.change_cost, budgets=budgets)
        capacity_seconds = time.perf_counter() - t
        references = later.result()
    timings["baseline_seconds"] = references.seconds     # its own time, beside the districts'
    timings["capacity_seconds"] = capacity_seconds
    base, base_allocation, base_outcome = references.fair, references.fair_allocation, references.fair_outcome
    proportional, proportional_allocation = references.proportional, references.proportional_allocation
    proportional_outcome = references.proportional_outcome
    decisions = capacity.decisions
    if fixed is not None and first_day > 0:
        decisions.overlay(fixed, before_day=first_day)
    t = time.perf_counter()
    outcome = simulate(scenario, decisions, arrivals=window.arrivals, start=window.start, first_day=first_day)
    timings["simulation_seconds"] = time.perf_counter() - t
    terms = objective_terms(scenario, decisions, outcome)
    objective = float(sum(terms.values()))
    terms["officer_shifts_count"] = float(officer_shifts(scenario, decisions))
    if window.executed is not None:
        decisions.overlay(window.executed, before_day=first_day)
    bound = capacity.objective_bound
    max_enrollable = capacity.max_enrollable
    if window.start is not None:  # the models count only the window; add what is already enrolled
        before = float(window.start.enrolled.sum())
        bound = bound + scenario.settings.objective.enrolled * before
        max_enrollable = max_enrollable + before
    result = PlanResult(
        scenario=scenario, status=PlanStatus(capacity.status.value), decisions=decisions, outcome=outcome,
        baseline_decisions=base, baseline_outcome=base_outcome, objective=objective,
        objective_terms=terms, objective_bound=bound, max_enrollable=max_enrollable,
        reserve_allocation=capacity.reserve_allocation, baseline_reserve_allocation=base_allocation,
        marginal_by_district={code: plan.marginal for code, plan in capacity.districts.items()},
        seed=seed, wall_seconds=0.0, solver_version=f"ortools {ortools.__version__} (HiGHS)",  # type: ignore[attr-defined]
        messages=list(capacity.messages), stopped_early=capacity.stopped_early, timings=timings,
        window=window, proportional_decisions=proportional, proportional_outcome=proportional_outcome,
        proportional_reserve_allocation=proportional_allocation)
    _flag_bound_violation(result)
    if options.with_roster:
        t = time.perf_counter()
        add_roster(result, options, allocation=capacity.reserve_allocation)
        timings["roster_seconds"] = time.perf_counter() - t
        _flag_bound_violation(result)
    result.wall_seconds = time.perf_counter() - begin
    return result


@dataclass
class _References:
    """The plans a planner compares with: the fair baseline and the proportional rule, each with
    its split of the city reserve and its simulated outcome."""

    fair: Decisions
    fair_allocation: dict[str, int]
    fair_outcome: Outcome
    proportional: Decisions
    proportional_allocation: dict[str, int]
    proportional_outcome: Outcome
    seconds: float


def _references(scenario: Scenario, budgets: dict, window: ReplanWindow) -> _References:
    """Both references on the same resources, the days before the window as they were fixed."""
    start = time.perf_counter()
    fair, fair_allocation = baseline_decisions(scenario, budgets)
    proportional, proportional_allocation = proportional_decisions(scenario, budgets)
    if window.fixed is not None and window.first_day > 0:
        fair.overlay(window.fixed, before_day=window.first_day)
        proportional.overlay(window.fixed, before_day=window.first_day)
    outcomes = [simulate(scenario, plan, arrivals=window.arrivals, start=window.start, first_day=window.first_day)
                for plan in (fair, proportional)]
    return _References(fair, fair_allocation, outcomes[0], proportional, proportional_allocation, outcomes[1],
                       time.perf_counter() - start)


BOUND_VIOLATED = PlanStatus.BOUND_VIOLATED


def _flag_bound_violation(result: PlanResult) -> None:
    """A plan above its proven bound means a model row is not a relaxation of the rules: the
    run's status becomes `bound_violated` (an error) and the reason is the first message."""
    problem = result.bound_violation()
    if problem and result.status != BOUND_VIOLATED:
        result.status = BOUND_VIOLATED
        result.messages.insert(0, f"ERROR: {problem}")


def add_roster(result: PlanResult, options: SolveOptions | None = None, window: ReplanWindow | None = None, *,
               allocation: dict | None = None) -> PlanResult:
    """Roster the officers for a plan (the same step `run_plan` takes with `options.with_roster`).

    `window` (default: the result's) gives the published rosters to keep (`frozen_roster`) and to
    change little (`previous_roster`), and the pinned and fixed decisions of a re-plan. Where the
    officers cannot staff the plan, the districts concerned are re-planned with no more officers
    per role and shift than the roster found, and staffed by the same officers."""
    from .capacity.campaign import replan_districts
    from .crews.plan_staffing import staff_plan

    options = options or SolveOptions()
    window = window or result.window
    scenario = result.scenario

    def replan(closed: Decisions, districts: list[str], crew_ceiling: dict) -> Decisions:
        return replan_districts(scenario, closed, districts, None,
                                allocation or result.reserve_allocation, workers=options.workers,
                                time_limit_seconds=options.time_limit_seconds, arrivals=result.window.arrivals,
                                start=result.window.start, first_day=result.first_day, pinned=window.pinned,
                                fixed=window.fixed, executor=options.executor, crew_ceiling=crew_ceiling)

    return staff_plan(result, workers=options.workers, time_limit_seconds=options.time_limit_seconds,
                      progress=options.progress, frozen=window.frozen_roster, previous=window.previous_roster,
                      executor=options.executor, replan=replan)
