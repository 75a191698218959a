"""Neighbourhoods of the large-neighbourhood search (`optimizer.roster.search`)."""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

from optimizer.roster import curtois
from optimizer.roster.compiled import Compiled
from optimizer.roster.draft import RosterDraft
from optimizer.roster.search import (
    LS_STALL_ROUNDS,
    SHIFT_WINDOW_DAYS,
    STALL_ROUNDS,
    NeighbourhoodSearch,
    weekend_limit_blocks_cover,
)
from optimizer.roster.solve import polish

CURTOIS = Path(__file__).resolve().parents[1] / "benchmarks" / "curtois"
# the roster the neighbourhoods of seed 2 settled on for Instance5 (cost 1249, best known 1143)
STUCK_INSTANCE5 = Path(__file__).resolve().parent / "data" / "instance5-stuck-1249.csv"
# the roster the neighbourhood search of seed 2 ended on for Instance9 at 36 units (cost 457)
SEARCHED_INSTANCE9 = Path(__file__).resolve().parent / "data" / "instance9-search-457.csv"
# the roster the engine returned for seed 0 of Instance19 at 36 units (cost 4092, best known 3149)
ENGINE_INSTANCE19 = Path(__file__).resolve().parent / "data" / "instance19-engine-4092.csv"


def _instance_with_roster(name: str, roster: Path) -> tuple[curtois.CurtoisInstance, Compiled, RosterDraft]:
    """The Curtois instance `name` and the roster stored in `roster` (employee,day,shift)."""
    instance = curtois.read_instance(CURTOIS / f"{name}.txt")
    problem = curtois.to_problem(instance)
    return instance, Compiled(problem), curtois.to_draft(problem, curtois.read_solution(roster, instance))


def _stuck_instance5() -> tuple[curtois.CurtoisInstance, Compiled, RosterDraft]:
    return _instance_with_roster("Instance5", STUCK_INSTANCE5)


def test_shift_type_neighbourhood_frees_everyone_able_around_the_gap():
    """On the empty roster of Instance9 every night is uncovered; the shift-type neighbourhood
    frees every employee allowed the badly covered shift, over a window of at least
    SHIFT_WINDOW_DAYS consecutive days around its day, and nobody else."""
    compiled = Compiled(curtois.to_problem(curtois.read_instance(CURTOIS / "Instance9.txt")))
    search = NeighbourhoodSearch(compiled, RosterDraft(), seed=0, workers=1, work_budget=0.0, deadline=math.inf)
    hood = search._shift_type_window("shift", list(range(compiled.n_employees)))
    employees = {e for e, _ in hood.cells}
    days = sorted({d for _, d in hood.cells})
    assert days == list(range(days[0], days[0] + len(days))) and len(days) >= SHIFT_WINDOW_DAYS
    assert len(hood.cells) == len(employees) * len(days)
    gaps = {(d, s) for _, d, s in search._cover_gaps()}
    assert any(d in days and employees == {e for e in range(compiled.n_employees) if s in compiled.allowed[e]}
               for d, s in gaps)


def test_shift_type_neighbourhood_only_after_a_stall():
    """Before STALL_ROUNDS rounds without a gain of STALL_GAIN no neighbourhood is of the shift
    type; after them about half are."""
    compiled = Compiled(curtois.to_problem(curtois.read_instance(CURTOIS / "Instance9.txt")))
    search = NeighbourhoodSearch(compiled, RosterDraft(), seed=0, workers=1, work_budget=0.0, deadline=math.inf)
    search.shortfall = 0
    assert all(search._pick(set()).kind != "shift" for _ in range(40))
    search.stats.rounds = STALL_ROUNDS
    kinds = [search._pick(set()).kind for _ in range(40)]
    assert 10 <= kinds.count("shift") <= 30


def _uncovered(instance: curtois.CurtoisInstance, rows: list[tuple[str, int, str]]) -> int:
    """Required shifts nobody works, over every (day, shift) of the instance's cover."""
    worked = Counter((day, shift) for _, day, shift in rows)
    return sum(max(0, requirement - worked[(day, shift)]) for day, shift, requirement, _, _ in instance.cover)


def test_local_search_waits_for_the_neighbourhoods_to_stall():
    """The full-model local search runs only when it is switched on, the roster keeps every
    minimum, and LS_STALL_ROUNDS rounds have passed without improvement since the last
    improvement and since the last local search."""
    _, compiled, plan = _stuck_instance5()
    search = NeighbourhoodSearch(compiled, plan, seed=0, workers=1, work_budget=10.0, deadline=math.inf,
                                 local_search=True)
    assert not search._stuck()
    search.stats.rounds = LS_STALL_ROUNDS
    assert search._stuck()
    search.found_round = 1
    assert not search._stuck()
    search.stats.rounds = LS_STALL_ROUNDS + 1
    assert search._stuck()
    search.searched_round = 2
    assert not search._stuck()
    search.stats.rounds = LS_STALL_ROUNDS + 2
    assert search._stuck()
    search.shortfall = 60
    assert not search._stuck()
    off = NeighbourhoodSearch(compiled, plan, seed=0, workers=1, work_budget=10.0, deadline=math.inf)
    off.stats.rounds = 100
    assert not off._stuck()


def test_local_search_escapes_a_roster_every_neighbourhood_had_settled_on():
    """From the Instance5 roster where the neighbourhoods of seed 2 stayed at 1249, two local
    searches in a row (as two stalls would run them; one escapes on about half the seeds) cover
    at least one more required shift, cost less, keep every hard rule of the instance, and give
    the same roster twice with two workers."""
    instance, compiled, plan = _stuck_instance5()
    assert compiled.shortfall_minutes(plan) == 0
    start = [(a.employee, a.day, a.shift) for a in plan.to_assignments(compiled.problem)]
    rosters = []
    for _ in range(2):
        search = NeighbourhoodSearch(compiled, plan, seed=0, workers=2, work_budget=10.0, deadline=math.inf,
                                     local_search=True)
        assert search.cost == 1249
        search._local_search()
        search._local_search()
        assert search.stats.kinds["local_search"] == 2 and search.stats.work > 0
        rows = [(a.employee, a.day, a.shift) for a in search.plan.to_assignments(compiled.problem)]
        assert curtois.hard_violations(instance, rows) == []
        assert curtois.objective(instance, rows) == search.cost < 1249
        assert _uncovered(instance, rows) < _uncovered(instance, start)
        rosters.append(rows)
    assert rosters[0] == rosters[1]



def test_polish_improves_a_roster_the_neighbourhood_search_ended_on():
    """From the Instance9 roster the search of seed 2 ended on at 36 units (457), CP-SAT's own
    large-neighbourhood workers (`solve.polish`, 2 units per worker) return a cheaper roster
    that keeps every hard rule of the instance, and the same roster twice with two workers."""
    instance, compiled, plan = _instance_with_roster("Instance9", SEARCHED_INSTANCE9)
    rosters = []
    for _ in range(2):
        polished, work, outcome = polish(compiled, plan, 2.0, math.inf, 2, seed=0)
        rows = [(a.employee, a.day, a.shift) for a in polished.to_assignments(compiled.problem)]
        assert curtois.hard_violations(instance, rows) == []
        assert curtois.objective(instance, rows) == outcome["cost_after"] < outcome["cost_before"] == 457
        assert work > 0 and outcome["stopped_by"] == "work_limit"
        rosters.append(rows)
    assert rosters[0] == rosters[1]


def test_fruitless_local_search_doubles_the_wait_for_the_next():
    """Each local search that finds nothing doubles the rounds the neighbourhoods get before the
    next one; one that improves the roster resets the wait."""
    _, compiled, plan = _stuck_instance5()
    search = NeighbourhoodSearch(compiled, plan, seed=0, workers=1, work_budget=10.0, deadline=math.inf,
                                 local_search=True)
    search.searched_round = 0
    search.fruitless_searches = 1
    search.stats.rounds = LS_STALL_ROUNDS
    assert not search._stuck()
    search.stats.rounds = 2 * LS_STALL_ROUNDS
    assert search._stuck()
    search.fruitless_searches = 0
    search.stats.rounds = LS_STALL_ROUNDS
    assert search._stuck()


def test_gain_over_the_last_stretch_of_work():
    """The search reports how much its cost fell over its last stretch of work, from the roster
    it held at the start of that stretch."""
    _, compiled, plan = _stuck_instance5()
    search = NeighbourhoodSearch(compiled, plan, seed=0, workers=1, work_budget=10.0, deadline=math.inf)
    search.history = [(0.0, 1300.0), (2.0, 1280.0), (5.0, 1260.0)]
    search.cost, search.stats.work = 1249.0, 8.0
    assert search.gain_over_last(4.0) == 1280.0 - 1249.0
    assert search.gain_over_last(100.0) == 1300.0 - 1249.0
    assert search.gain_over_last(1.0) == 1260.0 - 1249.0


def test_build_work_follows_the_model_size():
    """Building a model is charged by its number of constraints, the same for the same model."""
    from optimizer.roster.model import RosterModel
    from optimizer.roster.search import BUILD_WORK_PER_CONSTRAINT, build_work

    _, compiled, plan = _stuck_instance5()
    small = RosterModel(compiled, plan, [(0, d) for d in range(7)], names=False)
    whole = RosterModel(compiled, plan, names=False)
    assert build_work(small) == len(small.model.proto.constraints) * BUILD_WORK_PER_CONSTRAINT
    assert 0 < build_work(small) < build_work(whole)


def _engine_instance19() -> tuple[curtois.CurtoisInstance, Compiled, RosterDraft]:
    return _instance_with_roster("Instance19", ENGINE_INSTANCE19)


def _half_weekends(compiled: Compiled, plan: RosterDraft) -> int:
    """Weekends some employee works on some but not all of their days."""
    return sum(1 for e in range(compiled.n_employees) for days in compiled.weekends.values()
               if 0 < sum(1 for d in days if plan.works(e, d)) < len(days))


def test_weekend_pair_frees_everyone_over_a_half_worked_weekend_and_another():
    """The weekend-pair neighbourhood frees every employee left free over two weekends and the
    days around each, and one of them is a weekend that somebody works on one day only."""
    _, compiled, plan = _engine_instance19()
    search = NeighbourhoodSearch(compiled, plan, seed=0, workers=2, work_budget=0.0, deadline=math.inf,
                                 weekend_pairs=True)
    assert "weekends" in search.kinds
    for _ in range(5):
        hood = search._weekend_pair("weekends", list(range(compiled.n_employees)))
        assert {e for e, _ in hood.cells} == set(range(compiled.n_employees))
        days = {d for _, d in hood.cells}
        weekends = {w for w, members in compiled.weekends.items() if set(members) <= days}
        assert len(weekends) == 2
        margin = search.weekend_margin
        around = {n for w in weekends for d in compiled.weekends[w] for n in range(d - margin, d + margin + 1)}
        assert days == {d for d in around if 0 <= d < compiled.horizon}
        assert any(0 < sum(1 for d in compiled.weekends[w] if plan.works(e, d)) < len(compiled.weekends[w])
                   for w in weekends for e in range(compiled.n_employees))
    free = list(range(10, compiled.n_employees))
    assert {e for e, _ in search._weekend_pair("weekends", free).cells} == set(free)


def test_weekend_pairs_close_half_weekends_the_search_ended_with():
    """From a roster the engine returned on Instance19 (every employee at their weekend limit,
    19 half-worked weekends), re-solving weekend pairs lowers the cost and the half weekends."""
    from ortools.sat.python import cp_model

    from optimizer.roster.model import RosterModel
    from optimizer.roster.search import plan_cost, sub_solve

    instance, compiled, plan = _engine_instance19()
    search = NeighbourhoodSearch(compiled, plan, seed=0, workers=1, work_budget=0.0, deadline=math.inf)
    start_cost, start_halves = plan_cost(compiled, plan), _half_weekends(compiled, plan)
    for attempt in range(12):
        hood = search._weekend_pair("weekends", list(range(compiled.n_employees)))
        model = RosterModel(compiled, search.plan, hood.cells, names=False)
        status, _, solver = sub_solve(model, attempt, 0.6, 60.0)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            continue
        found = model.read_plan(solver)
        if compiled.shortfall_minutes(found) == 0 and plan_cost(compiled, found) < search.cost:
            search.plan, search.cost = found, plan_cost(compiled, found)
    rows = [(a.employee, a.day, a.shift) for a in search.plan.to_assignments(compiled.problem)]
    assert curtois.hard_violations(instance, rows) == []
    assert curtois.objective(instance, rows) == search.cost <= start_cost - 100
    assert _half_weekends(compiled, search.plan) < start_halves


def test_no_weekend_pairs_where_weekends_with_work_are_not_limited_or_not_asked_for():
    """Without any limit of weekends with work, or on a roster where nobody is at their limit
    unless the caller asks for them, the search draws no weekend-pair neighbourhood."""
    import dataclasses

    problem = curtois.to_problem(curtois.read_instance(CURTOIS / "Instance9.txt"))
    unlimited = dataclasses.replace(problem, employees=tuple(dataclasses.replace(e, max_weekends=None)
                                                             for e in problem.employees))
    for compiled, asked in ((Compiled(unlimited), True), (Compiled(problem), False)):
        search = NeighbourhoodSearch(compiled, RosterDraft(), seed=0, workers=1, work_budget=0.0,
                                     deadline=math.inf, weekend_pairs=asked)
        search.shortfall = 0
        assert "weekends" not in search.kinds
        assert all(search._pick(set()).kind != "weekends" for _ in range(60))


def test_no_weekend_pairs_where_everyone_over_the_horizon_fits_in_one():
    """On Instance5 (16 nurses, 28 days, 2 shift types) one weekend-pair neighbourhood could
    hold the whole roster, so none is drawn; on Instance9 (36 nurses, 4 types) they are."""
    from optimizer.roster.search import WEEKEND_PAIR_VARIABLES

    for name, drawn in (("Instance5", False), ("Instance9", True)):
        compiled = Compiled(curtois.to_problem(curtois.read_instance(CURTOIS / f"{name}.txt")))
        search = NeighbourhoodSearch(compiled, RosterDraft(), seed=0, workers=1, work_budget=0.0,
                                     deadline=math.inf, weekend_pairs=True)
        whole = compiled.n_employees * compiled.horizon * search.vars_per_cell
        assert (whole > WEEKEND_PAIR_VARIABLES) == drawn
        assert ("weekends" in search.kinds) == drawn


def test_weekend_limit_blocks_cover_only_where_that_limit_keeps_someone_off_a_short_slot():
    """On Instance9, a nurse who has worked two whole weekends of early shifts (her limit) and
    may still work early, day and late shifts is kept off the uncovered weekend slots only by that
    limit, and the search then draws weekend pairs without being asked; once she has worked her
    most shifts of every type she may work, she is not kept off by the limit."""
    import dataclasses

    problem = curtois.to_problem(curtois.read_instance(CURTOIS / "Instance9.txt"))
    compiled = Compiled(problem)
    nurse = problem.employees[0]
    assert nurse.max_weekends == 2
    days = [d for w in sorted(compiled.weekends)[:2] for d in compiled.weekends[w]]
    plan = curtois.to_draft(problem, [(nurse.id, d, "E") for d in days])
    assert weekend_limit_blocks_cover(compiled, plan)
    search = NeighbourhoodSearch(compiled, plan, seed=0, workers=1, work_budget=0.0, deadline=math.inf)
    assert "weekends" in search.kinds
    spent = dataclasses.replace(nurse, max_shifts_by_type=tuple((code, len(days) if code == "E" else 0)
                                                                for code in problem.shift_codes))
    capped = Compiled(dataclasses.replace(problem, employees=(spent,) + problem.employees[1:]))
    assert not weekend_limit_blocks_cover(capped, plan)
    assert not weekend_limit_blocks_cover(compiled, RosterDraft())
