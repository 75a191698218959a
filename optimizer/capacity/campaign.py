"""The city-wide capacity plan: share the city reserve, solve districts in parallel, bound it.

Districts are independent except for the city's reserve of mobile kits. That coupling is
handled explicitly: (1) the reserve is lent one kit at a time to the district whose LP value
rises most (re-solving that district each time); (2) every district is then planned with its
share, in parallel; (3) the proven bound is Lagrangian: for the price p of the last kit lent,
bound = p * reserve + sum over districts of max(LP value - p * kits taken), which no plan
can beat whatever the split.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from ..demand import walk_in_arrivals
from ..executor import make_executor
from ..processes import return_free_memory
from ..scenario import Scenario
from ..simulation import Decisions, StartState
from ..staffing import DistrictBudget, district_budgets
from .district import DistrictPlan, relaxed_bound, reserve_value, solve_district
from .lp import SolveStatus
from .model import DistrictInput

Progress = Callable[[str, float], None]


@dataclass
class CapacityPlan:
    """The integer plan for the whole city and what the models proved about it."""

    decisions: Decisions
    districts: dict[str, DistrictPlan]
    reserve_allocation: dict[str, int]
    reserve_price: float
    objective_bound: float       # bound on the weighted objective (window part)
    max_enrollable: float        # bound on people enrolled in the window
    status: SolveStatus
    messages: list[str] = field(default_factory=list)
    stopped_early: bool = False
    seconds: float = 0.0


def _week_budget_left(scenario: Scenario, budget, fixed: Decisions, ward_index: np.ndarray, first_day: int):
    """The budget with the officer-hours the fixed days before `first_day` used taken off their weeks."""
    from dataclasses import replace

    from ..staffing import CrewNeeds, campaign_weeks
    crew = CrewNeeds.of(scenario)
    codes = scenario.shift_codes
    hours = np.array([s.hours for s in scenario.shifts])
    mobile = np.zeros(len(codes), dtype=bool)
    mobile[[codes.index(c) for c in scenario.settings.mobile_kit.shifts]] = True
    home = np.zeros(len(codes), dtype=bool)
    home[codes.index(scenario.settings.home_visit.shift)] = True
    kits = fixed.kits_open[ward_index, :first_day].sum(axis=0)                # [day, shift]
    mobile_kits = fixed.mobile_kits[ward_index, :first_day].sum(axis=0) * mobile
    teams = fixed.home_visit_teams[ward_index, :first_day].sum(axis=0) * home
    per_week_hours = budget.per_week_hours.copy()
    for k, role_set in enumerate(budget.role_sets):
        used = ((crew.total(crew.kit, role_set) * kits + crew.total(crew.mobile, role_set) * mobile_kits
                 + crew.total(crew.home_visit, role_set) * teams) * hours).sum(axis=1)
        for w, week in enumerate(campaign_weeks(scenario.n_days)):
            per_week_hours[k, w] = max(0.0, per_week_hours[k, w] - float(sum(used[d] for d in week if d < first_day)))
    return replace(budget, per_week_hours=per_week_hours)


def district_inputs(scenario: Scenario, *, arrivals: np.ndarray | None = None,
                    start: StartState | None = None, first_day: int = 0,
                    pinned: Decisions | None = None, fixed: Decisions | None = None,
                    previous: Decisions | None = None, change_cost: float = 0.0,
                    budgets: dict[str, DistrictBudget] | None = None) -> list[DistrictInput]:
    """One picklable input per district (ward order as in scenario.wards).

    With `fixed` decisions for the days before `first_day`, the officer-shifts they used come off
    the weekly budgets of the weeks they fall in (a re-plan from mid-week keeps the week's limit).
    `budgets` are the scenario's officer budgets when the caller has them already."""
    arrivals = walk_in_arrivals(scenario) if arrivals is None else arrivals
    budgets = district_budgets(scenario) if budgets is None else budgets
    codes = scenario.wards["district_code"].to_numpy()
    inputs = []
    for district in scenario.district_codes:
        ward_index = np.flatnonzero(codes == district)
        extra = {}
        if start is not None:
            extra = dict(queue_walk_in=start.queue_walk_in[ward_index], queue_invited=start.queue_invited[ward_index],
                         homebound_left=start.homebound_left[ward_index],
                         institution_left=start.institution_left[ward_index],
                         invitable_left=start.invitable_left[ward_index], enrolled_before=start.enrolled[ward_index],
                         returns_due=start.returns_due[ward_index],
                         callable_no_shows=(start.no_shows if start.callable_no_shows is None
                                            else start.callable_no_shows)[ward_index])
        if pinned is not None:
            extra["pinned"] = Decisions(pinned.kits_open[ward_index], pinned.mobile_kits[ward_index],
                                        pinned.home_visit_teams[ward_index], pinned.letters[ward_index])
        if previous is not None:
            extra["previous"] = Decisions(previous.kits_open[ward_index], previous.mobile_kits[ward_index],
                                          previous.home_visit_teams[ward_index], previous.letters[ward_index])
            extra["change_cost"] = change_cost
        budget = budgets[district]
        if fixed is not None and first_day > 0:
            budget = _week_budget_left(scenario, budget, fixed, ward_index, first_day)
        inputs.append(DistrictInput(scenario, district, ward_index, arrivals[ward_index], budget,
                                    first_day=first_day, **extra))
    return inputs


def _value_task(args):
    data, reserve = args
    return reserve_value(data, reserve)


def _bound_task(args):
    data, price, most, objective = args
    return relaxed_bound(data, price, most, objective)


def _plan_task(args):
    data, reserve, max_nodes, limit, gap, enrolled = args
    plan = solve_district(data, reserve, max_nodes=max_nodes, time_limit_seconds=limit, relative_gap=gap,
                          with_enrolled_bound=enrolled)
    return_free_memory()   # a worker plans many districts: keep only what the next one needs
    return plan


def allocate_reserve(inputs: list[DistrictInput], reserve: int, executor, progress: Progress | None = None
                     ) -> tuple[dict[str, int], float]:
    """Lend the city's kits one at a time to the district gaining most; returns (split, last price)."""
    allocation = {d.district_code: 0 for d in inputs}
    if reserve <= 0 or not inputs:
        return allocation, 0.0
    base = executor.map(_value_task, [(d, 0) for d in inputs])
    one = executor.map(_value_task, [(d, 1) for d in inputs])
    value = {d.district_code: [b, o] for d, b, o in zip(inputs, base, one)}
    by_code = {d.district_code: d for d in inputs}
    heap = [(-(value[c][1] - value[c][0]), c) for c in sorted(value)]
    heapq.heapify(heap)
    price = 0.0
    for unit in range(reserve):
        gain, code = heapq.heappop(heap)
        gain = -gain
        if gain <= 1e-6:
            price = 0.0
            break
        allocation[code] += 1
        price = gain
        if progress:
            progress(f"city reserve: kit {unit + 1}/{reserve} to district {code} (+{gain:,.0f})",
                     0.05 + 0.1 * unit / reserve)
        lent = allocation[code]
        value[code].append(reserve_value(by_code[code], lent + 1))
        heapq.heappush(heap, (-(value[code][lent + 1] - value[code][lent]), code))
    return allocation, price


def replan_districts(scenario: Scenario, decisions: Decisions, districts: list[str], ceiling: Decisions | None,
                     allocation: dict[str, int], *, workers: int | None = None,
                     time_limit_seconds: float | None = None, arrivals: np.ndarray | None = None,
                     start: StartState | None = None, first_day: int = 0, pinned: Decisions | None = None,
                     fixed: Decisions | None = None, executor=None,
                     crew_ceiling: dict[str, np.ndarray] | None = None) -> Decisions:
    """Re-plan some districts with upper limits, keeping their share of the city reserve; other
    districts keep `decisions`. Limits: `ceiling` (most kits, mobile kits and teams per ward),
    `crew_ceiling` (per district, most officers of each role per day and shift, e.g. what the
    roster could staff). A district whose re-plan fails keeps `decisions`."""
    solver = scenario.settings.solver
    workers = solver.workers if workers is None else workers
    limit = solver.time_limit_seconds if time_limit_seconds is None else time_limit_seconds
    executor = executor or make_executor(workers)
    inputs = []
    for d in district_inputs(scenario, arrivals=arrivals, start=start, first_day=first_day, pinned=pinned,
                             fixed=fixed):
        if d.district_code not in districts:
            continue
        if ceiling is not None:
            d = replace(d, ceiling=Decisions(ceiling.kits_open[d.ward_index], ceiling.mobile_kits[d.ward_index],
                                             ceiling.home_visit_teams[d.ward_index], ceiling.letters[d.ward_index]))
        if crew_ceiling is not None and d.district_code in crew_ceiling:
            d = replace(d, crew_ceiling=crew_ceiling[d.district_code])
        inputs.append(d)
    plans = executor.map(_plan_task, [(d, allocation.get(d.district_code, 0), 0, limit, solver.relative_gap, False)
                                      for d in inputs])
    out = decisions.copy()
    for plan in plans:
        if plan.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):   # else keep the decisions given
            _write_district(scenario, out, plan)
    return out


def _write_district(scenario: Scenario, decisions: Decisions, plan: DistrictPlan) -> None:
    """Put a district's plan into the city's decisions for its window days: a mobile kit stays
    on site through every mobile shift of its day; home-visit teams go out in their shift."""
    codes = scenario.shift_codes
    mobile_shifts = [codes.index(c) for c in scenario.settings.mobile_kit.shifts]
    home_shift = codes.index(scenario.settings.home_visit.shift)
    ward_index, window = plan.ward_index, slice(plan.first_day, scenario.n_days)
    decisions.kits_open[ward_index, window, :] = plan.kits_open
    decisions.letters[ward_index, window, :] = plan.letters
    decisions.mobile_kits[ward_index, window, :] = 0
    decisions.home_visit_teams[ward_index, window, :] = 0
    for s in mobile_shifts:
        decisions.mobile_kits[ward_index, window, s] = plan.mobile_kits
    decisions.home_visit_teams[ward_index, window, home_shift] = plan.home_visit_teams
    if plan.call_shift is not None:
        shifts = decisions.call_shifts().copy()
        shifts[ward_index, window] = plan.call_shift
        decisions.call_shift = shifts


RESERVE_PRICE_FLOOR = 1e-4  # people per city kit: breaks ties towards lending fewer kits


def plan_capacity(scenario: Scenario, *, workers: int | None = None, time_limit_seconds: float | None = None,
                  max_nodes: int = 0, progress: Progress | None = None,
                  should_stop: Callable[[], bool] | None = None, arrivals: np.ndarray | None = None,
                  start: StartState | None = None, first_day: int = 0,
                  pinned: Decisions | None = None, executor=None,
                  fallback: Decisions | Callable[[], tuple[Decisions, dict[str, int]]] | None = None,
                  fixed: Decisions | None = None,
                  fallback_allocation: dict[str, int] | None = None,
                  previous: Decisions | None = None, change_cost: float = 0.0,
                  budgets: dict[str, DistrictBudget] | None = None) -> CapacityPlan:
    """Plan kits, mobile kits, home-visit teams and letters for every ward, day and shift.

    First every district may take city kits at a token price; if together they take no more
    than the city holds, the coupling does not bind and that split stands (bound: Lagrangian at
    the token price). Otherwise the kits are lent greedily and districts re-planned. When
    `should_stop` turns true, districts not yet planned keep the `fallback` decisions; so do
    districts whose model is infeasible or found no plan in time. They keep the city kits the
    fallback lends them (`fallback_allocation`) as far as the reserve still holds them.
    `fallback` may also be a function giving (decisions, allocation), called once the districts
    are solved (the fallback is then worked out meanwhile). `budgets` (the scenario's officer
    budgets) saves working them out again.
    """
    begin = time.perf_counter()
    solver = scenario.settings.solver
    workers = solver.workers if workers is None else workers
    limit = solver.time_limit_seconds if time_limit_seconds is None else time_limit_seconds
    executor = executor or make_executor(workers)
    inputs = district_inputs(scenario, arrivals=arrivals, start=start, first_day=first_day,
                             pinned=pinned, fixed=fixed, previous=previous, change_cost=change_cost,
                             budgets=budgets)
    reserve = scenario.city_mobile_kits
    if progress:
        progress(f"{len(inputs)} districts, {len(scenario.wards)} wards", 0.02)

    def run(tasks, share: float, offset: float) -> dict[str, DistrictPlan]:
        nonlocal stopped
        done: dict[str, DistrictPlan] = {}
        # largest districts first, each worker taking the next as soon as it is free: the small
        # ones fill in at the end and the workers seldom wait for each other
        tasks = sorted(tasks, key=lambda task: (-len(task[0].ward_index), task[0].district_code))

        def finished(_: int, plan: DistrictPlan) -> None:
            done[plan.district_code] = plan
            if progress:
                gap = ""
                if np.isfinite(plan.relaxed_objective) and plan.relaxed_objective:
                    share_lost = (plan.relaxed_objective - plan.integer_objective) / abs(plan.relaxed_objective)
                    gap = f", gap {100 * share_lost:.2f} %"
                progress(f"district {plan.district_code}: {plan.status.value}{gap}",
                         offset + share * len(done) / len(tasks))

        def stop() -> bool:
            nonlocal stopped
            stopped = stopped or bool(should_stop and should_stop())
            return stopped

        executor.map(_plan_task, tasks, on_done=finished, should_stop=stop if should_stop else None)
        return done

    stopped = False
    price = RESERVE_PRICE_FLOOR
    tasks = [(d, (price, reserve), max_nodes, limit, solver.relative_gap, True) for d in inputs]
    plans = run(tasks, 0.8, 0.05)
    allocation = {d.district_code: plans[d.district_code].reserve_taken if d.district_code in plans else 0
                  for d in inputs}
    objective_bound = price * reserve + sum(p.relaxed_objective for p in plans.values())
    max_enrollable = price * reserve + sum(p.enrolled_bound for p in plans.values())
    if sum(allocation.values()) > reserve and not stopped:
        if progress:
            progress("the city reserve is short: lending it kit by kit", 0.5)
        allocation, price = allocate_reserve(inputs, reserve, executor, progress)
        plans = run([(d, allocation[d.district_code], max_nodes, limit, solver.relative_gap, False)
                     for d in inputs], 0.3, 0.6)
        bounds = executor.map(_bound_task, [(d, price, reserve, "weighted") for d in inputs])
        enrolled_bounds = executor.map(_bound_task, [(d, price, reserve, "enrolled") for d in inputs])
        objective_bound = price * reserve + float(np.sum(bounds))
        max_enrollable = price * reserve + float(np.sum(enrolled_bounds))

    n_days, n_shifts = scenario.n_days, len(scenario.shift_codes)
    if callable(fallback):
        fallback, fallback_allocation = fallback()
    decisions = fallback.copy() if fallback is not None else Decisions.zeros(len(scenario.wards), n_days, n_shifts)
    codes = scenario.shift_codes
    mobile_shifts = [codes.index(c) for c in scenario.settings.mobile_kit.shifts]
    messages = []
    unsolved = (SolveStatus.INFEASIBLE, SolveStatus.NO_SOLUTION, SolveStatus.ERROR)
    for plan in plans.values():
        if plan.message:
            messages.append(f"district {plan.district_code}: {plan.message}")
        if plan.status not in unsolved:
            _write_district(scenario, decisions, plan)
    missing = [d.district_code for d in inputs if d.district_code not in plans]
    if missing:
        messages.append(f"stopped early: districts {', '.join(missing)} keep the fair baseline")
        objective_bound = float("nan")
        max_enrollable = float("nan")
    failed = [d.district_code for d in inputs if d.district_code in plans
              and plans[d.district_code].status in unsolved]
    if failed:
        messages.append(f"no plan for districts {', '.join(failed)}: they keep the fair baseline")
    kept = set(missing) | set(failed)
    left = reserve - sum(n for code, n in allocation.items() if code not in kept)
    for data in inputs:
        if data.district_code not in kept:
            continue
        lend = min((fallback_allocation or {}).get(data.district_code, 0), max(0, left))
        allocation[data.district_code] = lend
        left -= lend
        allowed = int(scenario.districts.at[data.district_code, "mobile_kits"]) + lend
        for d in range(first_day, n_days):   # the fallback's kits beyond the fleet stay home
            for w in data.ward_index[::-1]:
                over = int(decisions.mobile_kits[data.ward_index, d, mobile_shifts[0]].sum()) - allowed
                if over <= 0:
                    break
                take = min(over, int(decisions.mobile_kits[w, d, mobile_shifts[0]]))
                decisions.mobile_kits[w, d, mobile_shifts] -= take
    if pinned is not None:
        for name in Decisions.FIELDS:
            values = getattr(pinned, name)
            mask = values >= 0
            getattr(decisions, name)[mask] = values[mask]
    statuses = {p.status for p in plans.values()}
    if SolveStatus.INFEASIBLE in statuses:
        status = SolveStatus.INFEASIBLE
    elif SolveStatus.NO_SOLUTION in statuses or SolveStatus.ERROR in statuses:
        status = SolveStatus.NO_SOLUTION
    elif statuses == {SolveStatus.OPTIMAL} and not missing:
        status = SolveStatus.OPTIMAL
    else:
        status = SolveStatus.FEASIBLE
    return CapacityPlan(decisions=decisions, districts=plans, reserve_allocation=allocation,
                        reserve_price=price, objective_bound=objective_bound, max_enrollable=max_enrollable,
                        status=status, messages=messages, stopped_early=stopped,
                        seconds=time.perf_counter() - begin)
