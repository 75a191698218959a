"""Solve a rostering problem: `solve(problem, time_limit_seconds, workers, seed) -> RosterResult`.

Phases, on one CP-SAT model family (`model.py`) and one HiGHS program (`window.py`):
1. construction: CP-SAT rosters a few employees at a time over the whole horizon (the others
   fixed or not yet working; on large models, gaps few later employees could fill weigh more,
   and where the weekend limits cannot meet the weekend demand, half-worked weekends cost);
   for several sites, or when that would take more than CONSTRUCTION_BUDGET_SHARE of the
   budget, a greedy (`greedy.py`); the greedy roster also where the construction ends, or would
   end, further below the minimum minutes than it;
2. the full model, started from that roster, for part of the budget when it is small (it
   proves small problems optimal and gives the lower bound), or when the construction left
   someone short of their minimum minutes and it is not too large;
3. when a day has more shift variables than the search's largest neighbourhood frees, the MIP
   sweep (`sweep.py`): windows of a few days, every employee at once, decided by a HiGHS
   program with every rule (`window.py`);
4. large-neighbourhood search (`search.py`) for the rest of the budget but TAIL_SHARE, from the
   construction when it keeps every rule (else from the full model's roster): first the
   minutes still missing from the employees' minimums (if any), then the cost; CP-SAT's
   violation local search on the whole roster whenever the neighbourhoods stall, for as long as
   it pays off; where the limits of weekends with work cannot meet the weekend demand
   (`weekend_pairs`: each half-worked weekend is then a slot missed), or where the search's
   roster leaves a weekend slot open that only such a limit keeps someone from, also two
   weekends at a time for everyone;
5. the last TAIL_SHARE of the budget: CP-SAT's own large-neighbourhood workers on the whole
   model, started from the search's roster (`polish`), for a third of it; the rest goes to them
   again if they gained at least as much per unit as the search did over its last stretch of
   the same length, else back to the search (all of it to the search when the whole model is
   above FULL_MODEL_MAX_VARIABLES).
The full model's roster is returned instead if the search ends worse than it.
An infeasible problem is explained by the smallest set of (rule, employee or slot) found that
cannot hold together.

Determinism: the same problem, seed, workers and budget give the same roster. Every CP-SAT
call stops on a deterministic-time limit (parallel full solves use `interleave_search`), every
HiGHS window on a node limit (the sweep is charged a fixed share of the budget), and
the loop stops on a work budget in the same units: `work_limit`, by default
`time_limit_seconds * WORK_UNITS_PER_SECOND` (calibrated so a run ends within its wall-clock
limit on an idle 2-core machine; model building is charged by model size, `search.build_work`).
The wall-clock limit is still enforced, and each phase after the construction gets the share of
the time left that it has of the work left, so that a slow or busy machine shortens every phase
rather than skipping the last ones; if the clock stopped a phase, `stats["deterministic"]` is
False.
"""

from __future__ import annotations

import math
import time
from collections import Counter

from ortools.sat.python import cp_model

from .compiled import Compiled
from .cost import evaluate
from .draft import RosterDraft
from .greedy import greedy_plan
from .model import RosterModel
from .problem import RosterProblem
from .result import Assignment, RosterResult, RosterStatus, Violation
from .search import NeighbourhoodSearch, plan_cost, plan_score, solve_whole_roster
from .sweep import sweep
from .sweep import wanted as sweep_wanted

__all__ = ["solve", "solve_roster", "RosterResult", "RosterStatus", "Assignment", "Violation"]

# Deterministic work units (CP-SAT deterministic time, plus model building charged by size) per
# wall-clock second of budget: one rate for every problem. Curtois 5, 7 and 9 spent 30 units in
# 32-46 s of a 60 s limit on the idle 2-core machine; at 36 units Instance9 ended within 3 % of
# the best known on 4 of seeds 0-5 (2 at 30). Larger models used to run slower per unit because
# their model building was not charged; it is now (`search.build_work`), and where the machine
# is slower than that, the wall clock shortens every phase in proportion.
WORK_UNITS_PER_SECOND = 0.6
# Above this many shift variables the full model is not built; construction starts instead.
# Nor is it for the polish of the tail (step 5): on Curtois Instances 21 and 23 (90,692 and
# 332,592) the polish probe spent its whole share building and presolving the model, was cut by
# the clock and gained nothing (0 against the search's 1,752 and 5,211 over the same work).
FULL_MODEL_MAX_VARIABLES = 60_000
# CP-SAT construction solves one small model per batch of employees (about
# CONSTRUCTION_BATCH_VARIABLES shift variables each). It runs when the work it may take (its
# per-batch limits summed over the employees) is at most CONSTRUCTION_BUDGET_SHARE of the
# budget, so that most of the budget is left to improve the roster; otherwise, and with several
# sites, the greedy construction (`greedy.py`) is used. This follows the budget, not the size:
# at 36 units (60 s) the 182- and 364-day Curtois instances (32 and 65 units of construction)
# get the greedy start as before, a longer run gets the CP-SAT one.
CONSTRUCTION_BATCH_VARIABLES = 300
CONSTRUCTION_BUDGET_SHARE = 0.5
# Deterministic-time limit of a construction batch per employee and day of the horizon: 0.05
# units for four weeks. A fixed 0.05 per employee left the 84-day Instance19 142500 minutes
# short of the minimums (none with 0.15); less per employee leaves nurses short on Instances 13-17.
CONSTRUCTION_WORK_PER_EMPLOYEE_DAY = 0.05 / 28
# A construction batch weighs a gap few of the employees still to come could fill more, by up
# to this share of its under-cover weight (0.2: construction cost 8312 -> 6978 on
# Instance13, 12589 -> 10088 on Instance15, 11329 -> 8983 on Instance17; 0.5 was no better).
# It steers between gaps of equal weight; over-cover is never rewarded. The steered construction
# also rosters the employees with the fewest options first (`construction_order`). Only on models larger
# than FULL_MODEL_SMALL: on the small ones the search re-plans cover as a whole, and the steered
# start ended worse at 30 units (Instance9 471 and 469 against 448 and 450; Instance5 1245).
SCARCITY_SHARE = 0.2
# Where the weekend demand is above what the employees' limits of weekends with work allow
# (`weekend_capacity`: some weekend cover is missed whatever the roster, and every employee ends
# at their limit), a weekend worked on one day only while another day of it still has an open
# slot the employee may work wastes one of their weekends: the steered construction charges it
# HALF_WEEKEND_SHARE of the lowest open weekend under-cover weight (`half_weekend_steer`). The
# search seldom mends such weekends on long horizons (mending one moved 135 cells of 36
# employees on Curtois Instance19): construction left 43 there (14 with the steer), and the
# search's roster still had 22. Seeds 0-2 at 36 units: Instance19 4092/4333/4206 (4303/4311/4128
# without), Instance17 6192/6601/6074 (6299/6178/6310), Instance11 3444/3446/3443
# (3443/3448/3448); Instance15 (weekend cover within the limits) keeps its path. Charging every
# half weekend, open day or not, did more for Instance19 (3826/3923/4134) but left Instance11
# seed 0 at 3544 (2.9 % above the best known).
HALF_WEEKEND_SHARE = 0.5
# Share of the work budget the full model gets before the neighbourhood search takes over:
# FULL_MODEL_SHARE when the search starts from its roster (a small model, up to
# FULL_MODEL_SMALL variables, whose construction is short of a minimum); FULL_MODEL_SHARE_LARGE
# otherwise, when it only proves small problems optimal and gives a bound (Instance9: 39
# against 439 after 30 % of the budget).
# Larger models get the full model only when the construction is short of a minimum: its
# roster would not be searched from, and its bound was weak (Instance13: 111 against 1348).
# FULL_MODEL_SMALL is still a size switch. Replacing it by a budget rule (the full model whenever
# building it takes at most half its share; the steer only where it does not run) was measured
# on 7 Dec at 36 units and reverted: Instance17 seed 0 6806 against 6181, Instance11 seed 1 3545
# against 3448 (the larger models lost the steered construction and 10 % of the search); steering
# every problem instead left Instance5 seed 0 at 1245 (1147). See benchmarks/results/curtois.md.
FULL_MODEL_SHARE = 0.3
FULL_MODEL_SHARE_LARGE = 0.1
FULL_MODEL_SMALL = 5_000
# The MIP sweep (`sweep.py`, on problems with many shift variables a day) is charged this share
# of the work budget, about the share of the wall clock it takes (on Instance13 on a quiet
# machine: 13 s of construction, 24 s of sweep, then 10.75 units of search, about 20 s); the wall
# clock stops it at SWEEP_GUARD_SHARE of the time limit on a busy machine.
SWEEP_WORK_SHARE = 0.5
SWEEP_GUARD_SHARE = 0.75
# The last TAIL_SHARE of the budget may go to CP-SAT's own large-neighbourhood workers on the
# whole model (`use_lns_only`, interleaved, from the search's roster). Their neighbourhoods follow
# the model's constraints and the LP, and move nights and requests across the whole horizon
# where ours had settled: Instance9 at 36 units, seeds 0-9, 444-452 against 446-465 without (5
# of 10 within 3 % of the best known, 10 of 10 with it); Instance5 and 7 the same or within a few
# points. Where the search was still gaining it cost more than it found (a whole tail: Instance17
# 6293 against 6195, Instance19 4423 against 4357), so they get a third of the tail
# (PROBE_SHARE) and keep the rest only if they gained at least as much per unit as the search did
# over its last stretch of the same work.
TAIL_SHARE = 0.25
PROBE_SHARE = 1 / 3
# A unit of those workers takes about this many times the wall time of a search unit (Instance7:
# 9 units in 14.1 s against the search's 27 in 33 s), so the tail buys 1 / POLISH_UNIT_COST
# units for each unit of budget and a run ends within its wall-clock limit as before.
POLISH_UNIT_COST = 1.3


def solve(problem: RosterProblem, time_limit_seconds: float = 60.0, workers: int = 2, seed: int = 0, *,
          work_limit: float | None = None, relative_gap: float = 0.0, log: bool = False) -> RosterResult:
    """Roster `problem` within `time_limit_seconds` using `workers` threads; see module doc.

    `work_limit` (deterministic units) overrides the budget derived from the time limit;
    `relative_gap` > 0 stops as soon as the roster is proven within that share of the best."""
    started = time.monotonic()
    # keep a little time to read, score and return the roster
    deadline = started + time_limit_seconds - min(1.0, 0.02 * time_limit_seconds)
    workers = max(1, int(workers))
    compiled = Compiled(problem)
    n_variables = full_model_size(compiled)
    budget = work_limit if work_limit is not None else time_limit_seconds * WORK_UNITS_PER_SECOND
    stats: dict[str, object] = {"work_budget": round(budget, 3), "phases": []}
    used = 0.0
    plan, bound = None, None

    # 1. construction: a few employees at a time (the empty roster when it keeps every rule)
    if len(problem.sites) > 1 or construction_work(compiled) > CONSTRUCTION_BUDGET_SHARE * budget:
        plan, work, reason = greedy_plan(compiled), 0.0, "greedy"
    else:
        steer = n_variables > FULL_MODEL_SMALL
        # the greedy roster (free) is the start instead wherever the construction ends, or would
        # end, further below the minimums than it
        start = greedy_plan(compiled)
        short_of = compiled.shortfall_minutes(start)
        plan, work, reason = construct(compiled, seed, budget, deadline, steer=steer, short_of=short_of)
        if plan is not None and compiled.shortfall_minutes(plan) > short_of:
            stats["construction_behind_greedy"] = reason
            plan, reason = start, "greedy"
    used += work
    stats["phases"].append({"phase": "construction", "work": round(work, 3), "outcome": reason,
                            "seconds": round(time.monotonic() - started, 3)})
    if reason == "infeasible":
        explanation = explain_infeasibility(compiled, max(1.0, deadline - time.monotonic()))
        return _result(RosterStatus.INFEASIBLE, compiled, None, None, started, stats, explanation)

    # 2. the full model, started from the construction (proves small problems, gives a bound);
    # on large problems only when the construction left someone short of their minimum
    constructed = plan if plan is not None and compiled.shortfall_minutes(plan) == 0 else None
    full_plan = None
    wanted = n_variables <= FULL_MODEL_SMALL or (constructed is None and n_variables <= FULL_MODEL_MAX_VARIABLES)
    if wanted and time.monotonic() < deadline and used < budget:
        full = RosterModel(compiled, constructed)
        full.add_hints()
        share = FULL_MODEL_SHARE if n_variables <= FULL_MODEL_SMALL and constructed is None \
            else FULL_MODEL_SHARE_LARGE
        status, solver = _solve_full(full, share * budget, deadline, workers, seed, relative_gap, log)
        work = solver.deterministic_time / workers   # reported summed over the workers
        used += work
        if status not in (cp_model.OPTIMAL, cp_model.INFEASIBLE) and \
                solver.wall_time >= solver.parameters.max_time_in_seconds - 0.05:
            stats["cut_by_clock"] = True
        stats["phases"].append({"phase": "full_model", "status": solver.status_name(status),
                                "work": round(work, 3), "seconds": round(time.monotonic() - started, 3)})
        if status == cp_model.MODEL_INVALID:
            raise RuntimeError(f"invalid CP-SAT model: {full.model.validate()}")
        if status == cp_model.INFEASIBLE:
            explanation = explain_infeasibility(compiled, max(1.0, deadline - time.monotonic()))
            return _result(RosterStatus.INFEASIBLE, compiled, None, None, started, stats, explanation)
        if math.isfinite(solver.best_objective_bound) and status != cp_model.UNKNOWN:
            bound = solver.best_objective_bound / compiled.scale
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            full_plan = full.read_plan(solver)
            if status == cp_model.OPTIMAL:   # proven optimal, or within relative_gap
                stats["stopped_by"] = "optimal" if relative_gap == 0 else "gap"
                return _result(_proven(compiled, full_plan, bound), compiled, full_plan, bound, started, stats)
            if constructed is None:
                plan = full_plan
    if plan is None:
        stats["stopped_by"] = "time_limit" if time.monotonic() >= deadline else "work_limit"
        return _result(RosterStatus.NO_SOLUTION_IN_TIME, compiled, None, bound, started, stats)

    # 3. the MIP sweep on problems with many shift variables a day (`sweep.py`): it is charged
    # SWEEP_WORK_SHARE of the budget, whatever it takes, so the search's budget is deterministic
    if sweep_wanted(compiled) and time.monotonic() < deadline and used < budget:
        guard = min(deadline, started + SWEEP_GUARD_SHARE * time_limit_seconds)
        plan, swept = sweep(compiled, plan, seed=seed, deadline=guard)
        used += SWEEP_WORK_SHARE * budget
        if swept.pop("cut_by_clock"):
            stats["cut_by_clock"] = True
        stats["phases"].append({"phase": "mip_sweep", **swept, "work": round(SWEEP_WORK_SHARE * budget, 3),
                                "seconds": round(time.monotonic() - started, 3)})

    # 4. large-neighbourhood search (from the construction when it keeps every rule), leaving
    # TAIL_SHARE of the budget (and of the time left) to step 5
    tail = TAIL_SHARE * (budget - used)
    search = NeighbourhoodSearch(compiled, plan, seed=seed, workers=workers, work_budget=budget - used - tail,
                                 deadline=_share_of_time_left(deadline, 1 - TAIL_SHARE), log=log,
                                 local_search=True,
                                 weekend_pairs=weekend_cover_short(compiled))
    plan = search.run()
    used += search.stats.work
    stats["phases"].append({"phase": "neighbourhood_search", "rounds": search.stats.rounds,
                            "improvements": search.stats.improvements, "work": round(search.stats.work, 3),
                            "seconds": round(time.monotonic() - started, 3),
                            "improved_by": dict(search.stats.improved_by)})
    stats["stopped_by"] = search.stats.stopped_by

    # 5. the tail: CP-SAT's large-neighbourhood workers on the whole model for a third of it, and
    # for the rest if they paid off at least as well as the search's last stretch, else the search
    if tail > 0 and time.monotonic() < deadline and used < budget:
        plan, used = _tail(compiled, search, plan, budget, used, deadline, workers, seed, started, stats,
                           polish_wanted=n_variables <= FULL_MODEL_MAX_VARIABLES)
    # the full model's roster is returned if it is better than where the search ends
    if full_plan is not None and plan_score(compiled, full_plan) < plan_score(compiled, plan):
        plan = full_plan
        stats["returned"] = "full_model"
    if compiled.shortfall_minutes(plan) > 0:
        stats["shortfall_minutes"] = compiled.shortfall_minutes(plan)
        return _result(RosterStatus.NO_SOLUTION_IN_TIME, compiled, None, bound, started, stats)
    return _result(_proven(compiled, plan, bound), compiled, plan, bound, started, stats)


def _share_of_time_left(deadline: float, share: float) -> float:
    """The moment `share` of the time left until `deadline` has passed."""
    now = time.monotonic()
    return now + share * max(0.0, deadline - now)


def _tail(compiled: Compiled, search: NeighbourhoodSearch, plan: RosterDraft, budget: float, used: float,
          deadline: float,
          workers: int, seed: int, started: float, stats: dict, *, polish_wanted: bool = True
          ) -> tuple[RosterDraft, float]:
    """Step 5 (see the module doc): the polish probes a third of the tail; it keeps the rest
    when its gain per unit is at least the search's over its last stretch of the same work, else
    the search goes on from the better roster. Without `polish_wanted` (a whole model too large
    to build, as in step 2) the search has the whole tail. Returns (roster, work used)."""
    left = budget - used
    if compiled.shortfall_minutes(plan) == 0 and polish_wanted:
        probe = PROBE_SHARE * left
        plan, work, outcome = polish(compiled, plan, probe / POLISH_UNIT_COST,
                                     _share_of_time_left(deadline, PROBE_SHARE), workers, seed)
        spent = work * POLISH_UNIT_COST
        used += spent
        polish_gain = outcome["cost_before"] - outcome["cost_after"]
        search_gain = search.gain_over_last(spent)
        keep = polish_gain > 0 and polish_gain >= search_gain
        stats["phases"].append({"phase": "polish", "work": round(spent, 3), **outcome,
                                "search_gain_same_work": search_gain, "kept_for_the_rest": keep,
                                "seconds": round(time.monotonic() - started, 3)})
        if outcome["stopped_by"] == "time_limit":
            stats["stopped_by"] = "time_limit"
        if time.monotonic() >= deadline or used >= budget:
            return plan, used
        if keep:
            plan, work, outcome = polish(compiled, plan, (budget - used) / POLISH_UNIT_COST, deadline, workers,
                                         seed + 1)
            used += work * POLISH_UNIT_COST
            stats["phases"].append({"phase": "polish", "work": round(work * POLISH_UNIT_COST, 3), **outcome,
                                    "seconds": round(time.monotonic() - started, 3)})
            if outcome["stopped_by"] == "time_limit":
                stats["stopped_by"] = "time_limit"
            return plan, used
    before = search.stats.work
    plan = search.resume(plan, budget - used, deadline)
    used += search.stats.work - before
    stats["phases"].append({"phase": "neighbourhood_search", "rounds": search.stats.rounds,
                            "improvements": search.stats.improvements, "work": round(search.stats.work - before, 3),
                            "seconds": round(time.monotonic() - started, 3),
                            "improved_by": dict(search.stats.improved_by)})
    stats["stopped_by"] = search.stats.stopped_by
    return plan, used


def _proven(compiled: Compiled, plan: RosterDraft, bound: float | None) -> RosterStatus:
    """OPTIMAL when the roster's cost meets the proven bound, FEASIBLE otherwise."""
    cost = plan_cost(compiled, plan)
    return RosterStatus.OPTIMAL if bound is not None and cost <= bound + 1e-6 else RosterStatus.FEASIBLE


solve_roster = solve


def full_model_size(compiled: Compiled) -> int:
    """About how many variables the full model has: shifts (times roles when several) plus the
    per-site counts of every cover slot."""
    problem = compiled.problem
    roles = max(1, len(problem.roles))
    shifts = sum(len(compiled.allowed[e]) * (compiled.horizon - len(emp.days_off))
                 for e, emp in enumerate(problem.employees))
    sites = sum(len(demands) for demands in compiled.slot_demands.values())
    return shifts * (roles if roles > 1 else 1) + (2 * sites if len(problem.sites) > 1 else 0)


def _solve_full(model: RosterModel, work_limit: float, deadline: float, workers: int, seed: int,
                relative_gap: float, log: bool) -> tuple[int, cp_model.CpSolver]:
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
    parameters.relative_gap_limit = relative_gap
    status = solver.solve(model.model)
    return status, solver


def polish(compiled: Compiled, plan: RosterDraft, work_limit: float, deadline: float, workers: int, seed: int
           ) -> tuple[RosterDraft, float, dict]:
    """Run CP-SAT's large-neighbourhood workers alone on the whole model from `plan` for
    `work_limit` units per worker (`search.solve_whole_roster`); returns the better of `plan` and
    their roster, the work used, and what happened."""
    polished, work, cut_by_clock = solve_whole_roster(compiled, plan, workers=workers, seed=seed,
                                                      work_limit=work_limit, deadline=deadline, lns_only=True)
    before = plan_score(compiled, plan)
    after = plan_score(compiled, polished) if polished is not None else before
    if after < before:
        plan = polished
    return plan, work, {"stopped_by": "time_limit" if cut_by_clock else "work_limit",
                        "cost_before": before[1], "cost_after": min(before, after)[1]}


def construction_work(compiled: Compiled) -> float:
    """The most work the CP-SAT construction may take: its batch limits summed over the
    employees."""
    return CONSTRUCTION_WORK_PER_EMPLOYEE_DAY * compiled.horizon * compiled.n_employees


def _employee_variables(compiled: Compiled) -> int:
    """Shift variables of the most flexible employee over the whole horizon."""
    return compiled.horizon * max(1, max((len(a) for a in compiled.allowed), default=1))


def _batch_size(compiled: Compiled) -> int:
    return max(1, min(compiled.n_employees, CONSTRUCTION_BATCH_VARIABLES // _employee_variables(compiled)))


def construct(compiled: Compiled, seed: int, work_budget: float, deadline: float, *, steer: bool = True,
              short_of: int | None = None) -> tuple[RosterDraft | None, float, str]:
    """Greedy construction with the same model: roster a few employees at a time over the whole
    horizon, the ones before them fixed and the ones after them not working yet, so each batch
    goes where cover is still missing; with `steer`, first where few of the employees after
    them could fill it (`scarcity_weights`), and, where the weekend limits cannot meet the
    weekend demand, not on one day of a weekend while another day of it is open
    (`half_weekend_steer`). A minimum-minutes shortfall is penalised rather than
    forbidden (the search works it away later), so a batch always has a roster unless other
    hard rules conflict. With `steer`, also the employees with the fewest options go first
    (`construction_order`). With `short_of` (the minutes the greedy roster is short of the
    minimums), it gives up ("behind_greedy") as soon as the employees it has rostered are
    further below their minimums than that: a batch whose limit ends before it finds a roster
    near the minimum leaves its employees short for good (on a 182-day cut of Curtois Instance21,
    1,155,120 minutes against the greedy's 1,920), and the search would then spend its budget
    on the shortfall. Returns (plan or None, work used, outcome)."""
    plan = RosterDraft()
    used = 0.0
    batch = _batch_size(compiled)
    able_later = able_counts(compiled, range(compiled.n_employees))
    order = construction_order(compiled) if steer else list(range(compiled.n_employees))
    weekends_short = weekend_cover_short(compiled)
    short = 0   # minutes the rostered employees are below their minimums
    e = 0
    while e < compiled.n_employees:
        if time.monotonic() >= deadline or used >= work_budget:
            return plan, used, "out_of_budget"   # the rest of the employees do not work yet
        members = order[e:e + batch]
        able_later.subtract(able_counts(compiled, members))
        model = RosterModel(compiled, plan, [(m, d) for m in members for d in range(compiled.horizon)],
                            names=False, soft_minimums=True,
                            extra_under=scarcity_weights(compiled, plan, able_later) if steer else None,
                            half_weekends=half_weekend_steer(compiled, plan) if steer and weekends_short else None)
        model.add_hints()
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.linearization_level = 2
        solver.parameters.random_seed = seed
        limit = CONSTRUCTION_WORK_PER_EMPLOYEE_DAY * compiled.horizon * len(members)
        solver.parameters.max_deterministic_time = max(0.01, min(limit, work_budget - used))
        solver.parameters.max_time_in_seconds = max(0.01, deadline - time.monotonic())
        status = solver.solve(model.model)
        used += solver.deterministic_time
        if status == cp_model.INFEASIBLE:
            return None, used, "infeasible"
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return plan, used, "out_of_budget"
        plan = model.read_plan(solver)
        e += len(members)
        if short_of is not None:
            short += compiled.shortfall_minutes(plan, members)
            if short > short_of:
                return plan, used, "behind_greedy"
    return plan, used, "built"


def construction_order(compiled: Compiled) -> list[int]:
    """Employees in the order the construction rosters them: fewest shift types allowed first,
    then fewest weekends with work allowed, then most days off (then as listed). Those with few
    options take the gaps only they can fill while the gaps are still there; the flexible ones
    fill what is left. Given order against this, construction cost at 36 units, seed 0:
    Curtois Instance19 13722 -> 10550, Instance15 9861 -> 8143, Instance17 8896 -> 8590 (most
    flexible first: 18225, 15749, 8814). Like the steer, only where the full model does not
    run (larger than FULL_MODEL_SMALL): on Instance5, whose search re-plans cover as a whole, the
    ordered start ended at 1244 (seed 0; 1147 in the given order)."""
    employees = compiled.problem.employees

    def options(e: int) -> tuple:
        weekends = employees[e].max_weekends
        return (len(compiled.allowed[e]), math.inf if weekends is None else weekends, -len(employees[e].days_off), e)
    return sorted(range(compiled.n_employees), key=options)


def weekend_demand(compiled: Compiled) -> int:
    """People asked for on weekend days, summed over the horizon's weekend slots."""
    days = compiled.problem.days
    return sum(demand.requirement for (d, _, _), demands in compiled.slot_demands.items()
               if days[d].weekend is not None for demand in demands)


def weekend_capacity(compiled: Compiled) -> float:
    """The most weekend days the employees may work under their limits of weekends with work:
    each employee's `max_weekends` weekends with the most days they are not off (every weekend
    without a limit). When it is below `weekend_demand`, some weekend cover is missed whatever the
    roster, and every weekend worked on one day only misses one more."""
    total = 0
    for employee in compiled.problem.employees:
        days = sorted((sum(1 for d in weekend_days if d not in employee.days_off)
                       for weekend_days in compiled.weekends.values()), reverse=True)
        total += sum(days if employee.max_weekends is None else days[:employee.max_weekends])
    return total


def weekend_cover_short(compiled: Compiled) -> bool:
    """Whether the limits of weekends with work cannot meet the weekend demand: then every
    weekend worked on one day only misses one more weekend slot (the construction's
    half-weekend steer applies only then; the search's weekend pairs always then, and elsewhere
    while its roster's weekend cover is short because of those limits)."""
    return weekend_demand(compiled) > weekend_capacity(compiled)


def half_weekend_steer(compiled: Compiled, plan: RosterDraft) -> tuple[float, set]:
    """(weight, open weekend slots) for a construction batch (`RosterModel._half_weekends`): the
    (day, shift) slots of weekend days still short in `plan`, and HALF_WEEKEND_SHARE of the
    lowest under-cover weight among them."""
    cover = plan.cover()
    days = compiled.problem.days
    open_slots, weights = set(), []
    for (d, s, role), demands in compiled.slot_demands.items():
        if days[d].weekend is None:
            continue
        for demand in demands:
            if demand.requirement > cover[(d, s, role, demand.site)] and math.isfinite(demand.weight_under):
                open_slots.add((d, s))
                weights.append(demand.weight_under)
    return HALF_WEEKEND_SHARE * min(weights, default=0.0), open_slots


def able_counts(compiled: Compiled, employees) -> Counter:
    """(day, shift) -> how many of `employees` may work that shift that day."""
    able = Counter()
    for e in employees:
        days_off = compiled.problem.employees[e].days_off
        for s in compiled.allowed[e]:
            for d in range(compiled.horizon):
                if d not in days_off:
                    able[(d, s)] += 1
    return able


def scarcity_weights(compiled: Compiled, plan: RosterDraft, able_later: Counter) -> dict:
    """Under-cover weight added to each demand still short in `plan` for a construction batch:
    `SCARCITY_SHARE` of its weight times gap / (gap + employees able to work it later). Without
    it a batch fills any gap, and the last employees find the remaining ones where their rules
    do not reach."""
    cover = plan.cover()
    extra = {}
    for (d, s, role), demands in compiled.slot_demands.items():
        for demand in demands:
            gap = demand.requirement - cover[(d, s, role, demand.site)]
            if gap > 0 and math.isfinite(demand.weight_under):
                share = SCARCITY_SHARE * gap / (gap + able_later[(d, s)])
                extra[(d, s, role, demand.site)] = share * demand.weight_under
    return extra


def explain_infeasibility(compiled: Compiled, time_limit_seconds: float) -> str:
    """Name a small set of hard rules (per employee or cover slot) that cannot hold together."""
    model = RosterModel(compiled, guard=True)
    guards = sorted(model.guards.items())
    if not guards:
        return "the hard rules cannot all hold (no rule-level explanation available)"
    deadline = time.monotonic() + time_limit_seconds

    def core_of(keys: list) -> list | None:
        """The rules of a conflict among `keys` (None: no conflict found in time)."""
        model.model.clear_assumptions()
        model.model.add_assumptions([model.guards[k] for k in keys])
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.max_time_in_seconds = max(0.05, min(5.0, deadline - time.monotonic()))
        if solver.solve(model.model) != cp_model.INFEASIBLE:
            return None
        core = set(solver.sufficient_assumptions_for_infeasibility())
        return [key for key, guard in guards if guard.index in core] or list(keys)

    core = core_of([key for key, _ in guards])
    if core is None:
        return "no roster found: the hard rules appear to conflict (the explanation search ran out of time)"
    # shrink the core: drop each rule the conflict does not need
    for key in list(core):
        if time.monotonic() >= deadline or len(core) == 1:
            break
        smaller = core_of([k for k in core if k != key])
        if smaller is not None:
            core = smaller
    parts = [f"{rule} of {who}" for rule, who in core]
    return "no roster satisfies these hard rules together: " + "; ".join(parts)


def _result(status: RosterStatus, compiled: Compiled, plan: RosterDraft | None, bound: float | None, started: float,
            stats: dict, explanation: str = "") -> RosterResult:
    problem = compiled.problem
    stats["deterministic"] = stats.get("stopped_by") != "time_limit" and not stats.get("cut_by_clock")
    if plan is None:
        return RosterResult(status, None, bound, (), (), time.monotonic() - started, explanation, stats, problem)
    assignments = tuple(plan.to_assignments(problem))
    evaluation = evaluate(problem, assignments)
    objective = evaluation.objective
    if bound is not None:
        bound = min(bound, objective)
    return RosterResult(status, objective, bound, assignments, evaluation.violations,
                        time.monotonic() - started, explanation, stats, problem)
