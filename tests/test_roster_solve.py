"""The roster solve loop: every status path, determinism, and what a result reports."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from optimizer.roster import curtois
from optimizer.roster.cost import evaluate
from optimizer.roster.problem import Demand, Employee, Request, RosterProblem, ShiftType, make_days
from optimizer.roster.result import RosterStatus
from optimizer.roster.search import SUB_SOLVE_WORK
from optimizer.roster.solve import solve, solve_roster

CURTOIS = Path(__file__).resolve().parents[1] / "benchmarks" / "curtois"
DAY = ShiftType("D", 8 * 60, 480)


def two_day_problem(employee: Employee, under: float = 10.0) -> RosterProblem:
    """Two days, one 480-minute shift, one person wanted each day."""
    return RosterProblem(days=make_days(2), shifts=(DAY,), employees=(employee,),
                         demands=(Demand(0, "D", "ward", "staff", 1, under), Demand(1, "D", "ward", "staff", 1, under)),
                         sites=("ward",))


def test_optimal_status_with_proof():
    """A problem solved to optimality reports OPTIMAL with bound equal to objective."""
    # one employee covers both days -> 0
    result = solve(two_day_problem(Employee("a")), time_limit_seconds=10, workers=1)
    assert result.status == RosterStatus.OPTIMAL
    assert result.objective == result.bound == 0
    assert result.gap == 0
    assert [(a.employee, a.day, a.shift) for a in result.assignments] == [("a", 0, "D"), ("a", 1, "D")]


def test_infeasible_status_names_the_conflicting_rules():
    """960 minutes to work on a two-day horizon with both days off is infeasible, and the
    explanation names the two rules of that employee."""
    employee = Employee("a", min_total_minutes=960, days_off={0, 1})
    result = solve(two_day_problem(employee), time_limit_seconds=10, workers=1)
    assert result.status == RosterStatus.INFEASIBLE
    assert result.objective is None and result.assignments == ()
    assert "total_minutes of a" in result.explanation
    assert "days_off of a" in result.explanation


def test_infeasible_hard_cover_names_the_slot():
    """A hard minimum cover nobody can work is infeasible, and the explanation names the slot."""
    employee = Employee("a", days_off={1})
    result = solve(two_day_problem(employee, under=math.inf), time_limit_seconds=10, workers=1)
    assert result.status == RosterStatus.INFEASIBLE
    assert "cover_min of site=ward, day=1, shift=D, role=staff" in result.explanation


def test_no_solution_in_time_with_no_work_budget(monkeypatch):
    """Without any work budget (the construction is then the free greedy one), a start that
    breaks a minimum cannot be repaired: no roster is returned."""
    from optimizer.roster import solve as solve_module
    from optimizer.roster.draft import RosterDraft

    monkeypatch.setattr(solve_module, "greedy_plan", lambda compiled: RosterDraft())
    result = solve(two_day_problem(Employee("a", min_total_minutes=480)), time_limit_seconds=10, workers=1,
                   work_limit=0.0)
    assert result.status == RosterStatus.NO_SOLUTION_IN_TIME
    assert result.objective is None and result.assignments == ()


def test_with_no_work_budget_the_greedy_start_is_returned_when_it_keeps_every_rule():
    """A zero budget leaves the free greedy construction: it keeps the minimum here, so it is the
    roster, with every hard rule kept."""
    result = solve(two_day_problem(Employee("a", min_total_minutes=480)), time_limit_seconds=10, workers=1,
                   work_limit=0.0)
    assert result.has_roster and result.stats["phases"][0]["outcome"] == "greedy"
    assert sum(480 for _ in result.assignments) >= 480


def test_same_seed_gives_the_same_roster():
    """Two solves with the same seed and work budget give identical assignments, through the
    construction, the full model and the two-thread neighbourhood search."""
    problem = curtois.to_problem(curtois.read_instance(CURTOIS / "Instance3.txt"))
    first = solve(problem, time_limit_seconds=60, workers=2, seed=3, work_limit=1.0)
    second = solve(problem, time_limit_seconds=60, workers=2, seed=3, work_limit=1.0)
    assert first.stats["deterministic"] and second.stats["deterministic"]
    assert any(phase["phase"] == "neighbourhood_search" and phase["rounds"] > 0 for phase in first.stats["phases"])
    assert first.assignments == second.assignments
    assert first.objective == second.objective


def test_violations_add_up_to_the_objective():
    """The named soft violations of a result add up to its objective."""
    problem = RosterProblem(days=make_days(2), shifts=(DAY,), employees=(Employee("a", days_off={1}),),
                            demands=(Demand(0, "D", "ward", "staff", 1, 10.0),
                                     Demand(1, "D", "ward", "staff", 2, 10.0)),
                            requests=(Request("a", 0, "D", "avoid", 3.0),), sites=("ward",))
    # day 0 worked (avoid 3 < missing 10), day 1 off: 2 missing -> 3 + 20 = 23
    result = solve_roster(problem, time_limit_seconds=10, workers=1)
    assert result.objective == pytest.approx(23)
    assert sum(v.cost for v in result.violations) == pytest.approx(result.objective)
    assert result.cost_by_rule() == pytest.approx({"understaffed": 20.0, "request_not_honoured": 3.0})
    labels = {v.label for v in result.violations}
    assert "understaffed(site=ward, day=1, shift=D, role=staff)" in labels


def test_evaluate_matches_the_solver_objective():
    """The engine's cost function and the solver agree on a solved roster."""
    problem = curtois.to_problem(curtois.read_instance(CURTOIS / "Instance1.txt"))
    result = solve(problem, time_limit_seconds=30, workers=1, work_limit=1.0)
    assert evaluate(problem, result.assignments).objective == pytest.approx(result.objective)


def test_work_limit_is_respected():
    """A solve on a large instance stops on its work budget, not the clock: its phases use the
    budget and at most one search round beyond it, and the run counts as deterministic."""
    problem = curtois.to_problem(curtois.read_instance(CURTOIS / "Instance7.txt"))
    result = solve(problem, time_limit_seconds=600, workers=2, work_limit=2.5)
    used = sum(phase["work"] for phase in result.stats["phases"])
    assert result.has_roster and result.stats["stopped_by"] == "work_limit" and result.stats["deterministic"]
    assert 2.5 <= used <= 2.5 + SUB_SOLVE_WORK   # one sub-solve (a search round) may end past it


def test_a_run_cut_by_the_clock_says_it_is_not_deterministic():
    """A work budget far beyond a short time limit leaves the wall clock to stop the run, and the
    result says so (`deterministic` False) instead of passing for a reproducible one."""
    problem = curtois.to_problem(curtois.read_instance(CURTOIS / "Instance11.txt"))
    result = solve(problem, time_limit_seconds=3, workers=2, work_limit=10_000.0)
    assert result.stats["deterministic"] is False


def _spy_on_search_start(monkeypatch) -> list:
    """Record the roster every neighbourhood search of `solve` starts from."""
    from optimizer.roster import solve as solve_module

    starts = []

    class Spy(solve_module.NeighbourhoodSearch):
        def __init__(self, compiled, plan, **kwargs):
            starts.append(dict(plan.cells))
            super().__init__(compiled, plan, **kwargs)

    monkeypatch.setattr(solve_module, "NeighbourhoodSearch", Spy)
    return starts


def test_search_starts_from_the_construction_not_the_full_model(monkeypatch):
    """After an unproven full-model phase the search starts from the construction's roster."""
    from optimizer.roster import solve as solve_module

    problem = curtois.to_problem(curtois.read_instance(CURTOIS / "Instance5.txt"))
    built = []
    construct = solve_module.construct

    def recording_construct(*args, **kwargs):
        plan, work, outcome = construct(*args, **kwargs)
        built.append(dict(plan.cells))
        return plan, work, outcome

    monkeypatch.setattr(solve_module, "construct", recording_construct)
    starts = _spy_on_search_start(monkeypatch)
    result = solve(problem, time_limit_seconds=60, workers=1, seed=0, work_limit=4.0)
    phases = {phase["phase"]: phase for phase in result.stats["phases"]}
    assert phases["full_model"]["status"] == "FEASIBLE"
    assert starts == built


def test_large_model_skips_the_full_model_after_a_complete_construction(monkeypatch):
    """A model above FULL_MODEL_SMALL variables goes from a rule-keeping construction to the search."""
    from optimizer.roster import solve as solve_module

    monkeypatch.setattr(solve_module, "FULL_MODEL_SMALL", 0)
    problem = curtois.to_problem(curtois.read_instance(CURTOIS / "Instance1.txt"))
    result = solve(problem, time_limit_seconds=60, workers=1, seed=0, work_limit=1.0)
    phases = [phase["phase"] for phase in result.stats["phases"]]
    assert phases[:2] == ["construction", "neighbourhood_search"] and "full_model" not in phases
    assert result.has_roster


def test_full_model_roster_is_kept_when_the_search_ends_worse(monkeypatch):
    """When the search from the construction (with no polish after it) ends worse than the full model's
    roster, that roster is returned."""
    from optimizer.roster import solve as solve_module

    class Idle(solve_module.NeighbourhoodSearch):
        def run(self):
            return self.plan   # no improvement at all: the construction's roster

    monkeypatch.setattr(solve_module, "NeighbourhoodSearch", Idle)
    monkeypatch.setattr(solve_module, "TAIL_SHARE", 0.0)
    problem = curtois.to_problem(curtois.read_instance(CURTOIS / "Instance5.txt"))
    compiled = solve_module.Compiled(problem)
    constructed, _, _ = solve_module.construct(compiled, 0, 12.0, math.inf)
    result = solve(problem, time_limit_seconds=60, workers=1, seed=0, work_limit=12.0)
    assert result.objective < evaluate(problem, constructed.to_assignments(problem)).objective
    assert result.stats["returned"] == "full_model"


def test_search_takes_back_the_tail_when_the_polish_gains_nothing(monkeypatch):
    """When CP-SAT's workers gain nothing in their probe of the tail, the rest of the tail goes
    back to the neighbourhood search, and the run still ends on its work budget."""
    from optimizer.roster import solve as solve_module

    def no_gain(compiled, plan, work_limit, deadline, workers, seed):
        cost = solve_module.plan_cost(compiled, plan)
        return plan, work_limit, {"stopped_by": "work_limit", "cost_before": cost, "cost_after": cost}

    monkeypatch.setattr(solve_module, "polish", no_gain)
    problem = curtois.to_problem(curtois.read_instance(CURTOIS / "Instance3.txt"))
    result = solve(problem, time_limit_seconds=120, workers=1, seed=0, work_limit=2.0)
    phases = [phase["phase"] for phase in result.stats["phases"]]
    assert phases[-3:] == ["neighbourhood_search", "polish", "neighbourhood_search"]
    polish = next(phase for phase in result.stats["phases"] if phase["phase"] == "polish")
    assert polish["kept_for_the_rest"] is False
    assert result.stats["deterministic"] and result.stats["stopped_by"] == "work_limit"


def test_construction_is_greedy_when_its_work_would_take_most_of_the_budget():
    """The CP-SAT construction runs only when its batch limits fit within
    CONSTRUCTION_BUDGET_SHARE of the budget; a smaller budget starts from the greedy."""
    from optimizer.roster.compiled import Compiled
    from optimizer.roster.solve import CONSTRUCTION_BUDGET_SHARE, construction_work

    problem = curtois.to_problem(curtois.read_instance(CURTOIS / "Instance1.txt"))
    needed = construction_work(Compiled(problem))
    small = solve(problem, time_limit_seconds=60, workers=1, seed=0,
                  work_limit=0.9 * needed / CONSTRUCTION_BUDGET_SHARE)
    large = solve(problem, time_limit_seconds=60, workers=1, seed=0,
                  work_limit=1.1 * needed / CONSTRUCTION_BUDGET_SHARE)
    assert small.stats["phases"][0]["outcome"] == "greedy"
    assert large.stats["phases"][0]["outcome"] != "greedy"


def test_the_greedy_start_replaces_a_construction_further_below_the_minimums(monkeypatch):
    """Where the construction's batches get almost no work (so that they end far below the
    minimum minutes), the run starts from the greedy roster instead, which is short by less, and
    returns a roster that keeps every hard rule of the instance."""
    import optimizer.roster.solve as solve_module
    monkeypatch.setattr(solve_module, "CONSTRUCTION_WORK_PER_EMPLOYEE_DAY", 1e-9)
    instance = curtois.read_instance(CURTOIS / "Instance7.txt")
    result = solve(curtois.to_problem(instance), time_limit_seconds=60, workers=1, seed=0, work_limit=3.0)
    assert result.stats["phases"][0]["outcome"] == "greedy"
    assert result.stats["construction_behind_greedy"] == "behind_greedy"
    rows = [(a.employee, a.day, a.shift) for a in result.assignments]
    assert result.has_roster and rows and curtois.hard_violations(instance, rows) == []


def test_construction_gives_up_once_its_employees_are_further_below_the_minimums_than_allowed():
    """Told that the greedy roster is 0 minutes short, a construction whose first batch leaves
    its employees short stops after that batch ("behind_greedy"); told nothing, it goes on to the
    end ("built")."""
    import math

    from optimizer.roster.compiled import Compiled
    from optimizer.roster.problem import Demand, Employee, RosterProblem, make_days
    from optimizer.roster.solve import construct
    # three days, one 480-minute shift: each employee must work 1920 minutes, which no roster can
    staff = tuple(Employee(name, min_total_minutes=1920) for name in "abcdef")
    problem = RosterProblem(days=make_days(3), shifts=(DAY,), employees=staff,
                            demands=tuple(Demand(d, "D", "ward", "staff", 1, 10.0) for d in range(3)),
                            sites=("ward",))
    compiled = Compiled(problem)
    assert construct(compiled, 0, 10.0, math.inf, short_of=0)[2] == "behind_greedy"
    assert construct(compiled, 0, 10.0, math.inf)[2] == "built"



    """Fewest shift types allowed first, then fewest weekends with work allowed, then most days
    off, then as listed."""
    from optimizer.roster.compiled import Compiled
    from optimizer.roster.solve import construction_order
    night = ShiftType("N", 20 * 60, 480)
    employees = (Employee("both"), Employee("nights", max_shifts_by_type=(("D", 0),)),
                 Employee("both-1-weekend", max_weekends=1), Employee("both-2-weekends", max_weekends=2),
                 Employee("both-2-weekends-off", max_weekends=2, days_off={3}), Employee("both-again"))
    problem = RosterProblem(days=make_days(14), shifts=(DAY, night), employees=employees,
                            demands=(Demand(0, "D", "ward", "staff", 1, 10.0),), sites=("ward",))
    assert [employees[e].id for e in construction_order(Compiled(problem))] == [
        "nights", "both-1-weekend", "both-2-weekends-off", "both-2-weekends", "both", "both-again"]


def weekend_problem(requirement: int, employees: tuple[Employee, ...]) -> RosterProblem:
    """Two weeks (weekends on days 5-6 and 12-13), `requirement` people wanted on each weekend
    day (under-cover weight 10, over-cover 1)."""
    demands = tuple(Demand(d, "D", "ward", "staff", requirement, 10.0, 1.0) for d in (5, 6, 12, 13))
    return RosterProblem(days=make_days(14), shifts=(DAY,), employees=employees, demands=demands, sites=("ward",))


def test_weekend_capacity_against_weekend_demand():
    """Two employees with one weekend each may work 4 weekend days: asking 1 person a weekend day
    (4) is within it, asking 2 (8) is not; an employee off on one day of each weekend counts one
    day a weekend."""
    from optimizer.roster.compiled import Compiled
    from optimizer.roster.solve import weekend_capacity, weekend_demand
    staff = (Employee("a", max_weekends=1), Employee("b", max_weekends=1))
    enough = Compiled(weekend_problem(1, staff))
    assert (weekend_demand(enough), weekend_capacity(enough)) == (4, 4)
    short = Compiled(weekend_problem(2, staff))
    assert (weekend_demand(short), weekend_capacity(short)) == (8, 4)
    off = Compiled(weekend_problem(1, (Employee("a", max_weekends=2, days_off={5, 12}), Employee("b", max_weekends=1))))
    assert weekend_capacity(off) == 2 + 2


def test_half_weekend_steer_names_the_open_weekend_slots_and_half_the_lowest_weight():
    """The steer of a construction batch: the weekend (day, shift) slots still short in the
    roster so far, and half the lowest under-cover weight among them."""
    from optimizer.roster.compiled import Compiled
    from optimizer.roster.draft import RosterDraft
    from optimizer.roster.solve import half_weekend_steer
    compiled = Compiled(weekend_problem(1, (Employee("a", max_weekends=1), Employee("b", max_weekends=1))))
    assert half_weekend_steer(compiled, RosterDraft()) == (5.0, {(5, 0), (6, 0), (12, 0), (13, 0)})
    plan = RosterDraft()
    plan.cells[(0, 5)] = ((0, "staff", "ward"),)
    assert half_weekend_steer(compiled, plan)[1] == {(6, 0), (12, 0), (13, 0)}


def test_half_weekend_steer_makes_a_batch_work_the_open_day_of_its_weekend():
    """One employee with one of two weekends, wanted on the first Saturday (weight 10) and
    Sunday (weight 0.5), asking not to work that Sunday (weight 1): without the steer they work
    Saturday only; with it (weight 5 while Sunday is open) the whole weekend, and the steer is
    a term of its own (`half_weekend`)."""
    from ortools.sat.python import cp_model

    from optimizer.roster.compiled import Compiled
    from optimizer.roster.model import RosterModel
    problem = RosterProblem(days=make_days(14), shifts=(DAY,), employees=(Employee("a", max_weekends=1),),
                            demands=(Demand(5, "D", "ward", "staff", 1, 10.0), Demand(6, "D", "ward", "staff", 1, 0.5)),
                            requests=(Request("a", 6, None, "avoid", 1.0),), sites=("ward",))
    compiled = Compiled(problem)

    def worked_days(steer) -> list[int]:
        model = RosterModel(compiled, half_weekends=steer)
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        assert solver.solve(model.model) == cp_model.OPTIMAL
        return sorted(d for (_, d), works in model.read_plan(solver).cells.items() if works)

    assert worked_days(None) == [5]
    assert worked_days((5.0, {(6, 0)})) == [5, 6]
    assert worked_days((5.0, set())) == [5]   # Sunday not open: no steer
    assert any(rule == "half_weekend" for rule, *_ in RosterModel(compiled, half_weekends=(5.0, {(6, 0)})).terms)


def test_tail_leaves_the_polish_out_where_the_whole_model_is_not_built():
    """Without `polish_wanted` (a whole model above FULL_MODEL_MAX_VARIABLES) the tail of the
    budget is the search's alone; with it, the polish probes first."""
    import time

    from optimizer.roster.compiled import Compiled
    from optimizer.roster.search import NeighbourhoodSearch
    from optimizer.roster.solve import _tail

    instance = curtois.read_instance(CURTOIS / "Instance5.txt")
    problem = curtois.to_problem(instance)
    compiled = Compiled(problem)
    stuck = Path(__file__).resolve().parent / "data" / "instance5-stuck-1249.csv"
    start = curtois.to_draft(problem, curtois.read_solution(stuck, instance))
    assert compiled.shortfall_minutes(start) == 0
    for wanted, first in ((False, "neighbourhood_search"), (True, "polish")):
        search = NeighbourhoodSearch(compiled, start, seed=0, workers=1, work_budget=0.3, deadline=math.inf)
        plan = search.run()
        stats: dict = {"phases": []}
        _, used = _tail(compiled, search, plan, 1.0, search.stats.work, time.monotonic() + 120, 1, 0,
                        time.monotonic(), stats, polish_wanted=wanted)
        phases = [phase["phase"] for phase in stats["phases"]]
        assert phases[0] == first and (wanted or "polish" not in phases)
        assert used >= 1.0 or stats.get("stopped_by") == "time_limit"
