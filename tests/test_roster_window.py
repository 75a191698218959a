"""The window program (a HiGHS MIP with every rule) on tiny hand-solved cases: the rule families
the officer cover fill does not need (shifts by type, total minutes, weekends, minimum blocks,
extra people), each where it binds and where it does not; employees left out of the window;
and Curtois Instance1 solved to its optimum, re-checked by the benchmark's own checker.

A case is solved over its whole horizon from an empty roster unless said otherwise; one person
is wanted per listed (day, shift), a missing person costs 10 (`UNDER`).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from optimizer.roster import curtois
from optimizer.roster.compiled import Compiled
from optimizer.roster.cost import evaluate
from optimizer.roster.draft import RosterDraft
from optimizer.roster.problem import Employee
from optimizer.roster.result import Assignment
from optimizer.roster.sweep import sweep, sweep_windows
from optimizer.roster.window import WindowProgram
from tests.test_roster_rules import case, every_day

INSTANCES = Path(__file__).resolve().parents[1] / "benchmarks" / "curtois"


def solved(problem, plan=None, days=None, employees=None) -> tuple[float, set[tuple[str, int, str]], int]:
    """(cost, worked (employee, day, shift), minutes short of the minimums) of the program's optimum."""
    compiled = Compiled(problem)
    program = WindowProgram(compiled, plan or RosterDraft(), days or range(compiled.horizon), employees=employees)
    values, _, _ = program.solve(0, None, max_nodes=10_000, abs_gap=1e-6)   # no clock: deterministic
    assert values is not None
    result = program.apply(values)
    assignments = result.to_assignments(problem)
    cost = evaluate(problem, assignments, details=False).objective
    return cost, {(a.employee, a.day, a.shift) for a in assignments}, compiled.shortfall_minutes(result)


def test_shift_type_limit_binds():
    """At most two D shifts over three wanted days leaves one empty."""
    cost, worked, _ = solved(case([Employee("a", max_shifts_by_type={"D": 2})], every_day(3)))
    assert (cost, len(worked)) == (10, 2)


def test_shift_type_limit_does_not_bind():
    """A limit of three D shifts covers all three days."""
    cost, worked, _ = solved(case([Employee("a", max_shifts_by_type={"D": 3})], every_day(3)))
    assert (cost, len(worked)) == (0, 3)


def test_max_total_minutes_binds():
    """960 minutes over the horizon: two of three 480-minute days."""
    cost, worked, _ = solved(case([Employee("a", max_total_minutes=960)], every_day(3)))
    assert (cost, len(worked)) == (10, 2)


def test_min_total_minutes_binds_over_extra_people():
    """960 minutes at least, nobody wanted on three days (an extra person costs 1): two shifts are
    worked anyway, as extra people."""
    problem = case([Employee("a", min_total_minutes=960)], every_day(3), over=1.0, requirement=0)
    cost, worked, short = solved(problem)
    assert (cost, len(worked), short) == (2, 2, 0)


def test_min_total_minutes_does_not_bind():
    """Without a minimum nobody works where nobody is wanted."""
    cost, worked, short = solved(case([Employee("a")], every_day(3), over=1.0, requirement=0))
    assert (cost, worked, short) == (0, set(), 0)


def test_extra_people_cost_their_weight():
    """Two employees who must each work a shift, one wanted: the extra person costs 1."""
    problem = case([Employee("a", min_total_minutes=480), Employee("b", min_total_minutes=480)],
                   [(0, "D")], over=1.0)
    cost, worked, short = solved(problem)
    assert (cost, len(worked), short) == (1, 2, 0)


def test_weekend_limit_binds():
    """One weekend at most: of two wanted Saturdays one stays empty."""
    problem = case([Employee("a", max_weekends=1)], [(5, "D"), (12, "D")], days=14)
    cost, worked, _ = solved(problem)
    assert (cost, len(worked)) == (10, 1)


def test_weekend_limit_does_not_bind():
    """Two weekends allowed: both Saturdays are worked."""
    problem = case([Employee("a", max_weekends=2)], [(5, "D"), (12, "D")], days=14)
    assert solved(problem)[:2] == (0, {("a", 5, "D"), ("a", 12, "D")})


def wanted_on(employee: Employee, days: int, wanted: set[int]):
    """One employee, a D shift each day: one person wanted on `wanted` days, nobody on the others
    (an extra person costs 1)."""
    problem = case([employee], every_day(days), over=1.0)
    demands = tuple(replace(dm, requirement=int(dm.day in wanted)) for dm in problem.demands)
    return replace(problem, demands=demands)


def test_min_work_block_binds():
    """Work blocks of two days at least, day 2 wanted: a neighbour day is worked too (extra, 1)."""
    cost, worked, _ = solved(wanted_on(Employee("a", min_consecutive_days=2), 5, {2}))
    assert cost == 1 and len(worked) == 2 and ("a", 2, "D") in worked


def test_min_work_block_is_made_of_real_shifts_with_two_shifts_a_day():
    """With up to two shifts a day the block still needs a shift on the neighbour day, not just a
    day marked worked (extra, 1)."""
    cost, worked, _ = solved(wanted_on(Employee("a", min_consecutive_days=2, max_shifts_per_day=2), 5, {2}))
    assert cost == 1 and len({d for _, d, _ in worked}) == 2


def test_min_work_block_does_not_bind():
    """Without the rule only day 2 is worked."""
    assert solved(wanted_on(Employee("a"), 5, {2}))[:2] == (0, {("a", 2, "D")})


def test_min_work_block_exempt_at_the_last_day():
    """A one-day block on the last day is allowed (it touches the edge of the horizon)."""
    assert solved(wanted_on(Employee("a", min_consecutive_days=2), 5, {4}))[:2] == (0, {("a", 4, "D")})


def test_min_off_block_binds():
    """Off blocks of two days at least, days 1 and 3 wanted: day 2 is worked too (extra, 1)."""
    cost, worked, _ = solved(wanted_on(Employee("a", min_consecutive_days_off=2), 5, {1, 3}))
    assert cost == 1 and {d for _, d, _ in worked} == {1, 2, 3}


def test_min_off_block_does_not_bind():
    """Without the rule the day between the two wanted days stays off."""
    assert solved(wanted_on(Employee("a"), 5, {1, 3}))[:2] == (0, {("a", 1, "D"), ("a", 3, "D")})


def test_rules_over_the_horizon_count_the_days_outside_the_window():
    """Two D shifts at most, one already worked on day 0 outside the window: one more in days 1-2."""
    problem = case([Employee("a", max_shifts_by_type={"D": 2})], every_day(3))
    plan = RosterDraft.from_assignments(problem, [Assignment("a", 0, "D", "ward", "staff")])
    cost, worked, _ = solved(problem, plan, days=range(1, 3))
    assert cost == 10 and ("a", 0, "D") in worked and len(worked) == 2


def test_employees_left_out_keep_their_shifts_and_count_for_cover():
    """Only b is decided: a already covers day 0, so b works only the empty day 1."""
    problem = case([Employee("a"), Employee("b")], every_day(2), over=1.0)
    plan = RosterDraft.from_assignments(problem, [Assignment("a", 0, "D", "ward", "staff")])
    assert solved(problem, plan, employees=[1]) == (0, {("a", 0, "D"), ("b", 1, "D")}, 0)


def test_sweep_windows_cover_the_horizon_in_day_order():
    """Windows of 4 days every 2 days; the last one ends on the last day."""
    assert [(w.start, w.stop) for w in sweep_windows(9)] == [(0, 4), (2, 6), (4, 8), (5, 9)]
    assert [(w.start, w.stop) for w in sweep_windows(3)] == [(0, 3)]


@pytest.fixture(scope="module")
def instance1():
    return curtois.read_instance(INSTANCES / "Instance1.txt")


def test_instance1_solved_to_its_optimum_and_rechecked(instance1):
    """The program over Instance1's 14 days reaches 607 and breaks no rule of the benchmark's checker."""
    problem = curtois.to_problem(instance1)
    cost, worked, short = solved(problem)
    roster = sorted(worked)
    assert (cost, short) == (607, 0)
    assert curtois.objective(instance1, roster) == 607
    assert curtois.hard_violations(instance1, roster) == []


def test_sweep_never_makes_a_roster_worse_and_keeps_the_rules(instance1):
    """From the empty roster (short of every minimum) the sweep ends, the same way each time, with
    a roster the benchmark's checker accepts, cheaper than where it started."""
    problem = curtois.to_problem(instance1)
    compiled = Compiled(problem)
    plan, stats = sweep(compiled, RosterDraft(), seed=0, deadline=float("inf"))
    assert sweep(compiled, RosterDraft(), seed=0, deadline=float("inf"))[0].cells == plan.cells
    roster = [(a.employee, a.day, a.shift) for a in plan.to_assignments(problem)]
    assert stats["windows"] == 2 * len(sweep_windows(compiled.horizon)) and stats["improved"] >= 1
    assert curtois.objective(instance1, roster) < 7137
    assert compiled.shortfall_minutes(plan) == 0 and curtois.hard_violations(instance1, roster) == []


def test_the_sweep_runs_only_where_a_day_outgrows_the_largest_neighbourhood():
    """The sweep is wanted when a day has more shift variables than the search's shift-type
    neighbourhood frees: Curtois Instance13 (120 nurses, 18 shift types), not Instance11."""
    from optimizer.roster.search import SHIFT_VARIABLES
    from optimizer.roster.sweep import day_shift_variables, wanted

    folder = Path(__file__).resolve().parents[1] / "benchmarks" / "curtois"
    large = Compiled(curtois.to_problem(curtois.read_instance(folder / "Instance13.txt")))
    small = Compiled(curtois.to_problem(curtois.read_instance(folder / "Instance11.txt")))
    assert day_shift_variables(large) > SHIFT_VARIABLES >= day_shift_variables(small)
    assert wanted(large) and not wanted(small)
