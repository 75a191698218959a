"""The greedy construction of long rosters (`greedy.py`): the rules it keeps and how it spends
weekends with work where they are limited."""

from __future__ import annotations

from pathlib import Path

from optimizer.roster import curtois
from optimizer.roster.compiled import Compiled
from optimizer.roster.greedy import greedy_plan
from optimizer.roster.problem import Demand, Employee, RosterProblem, ShiftType, make_days
from optimizer.roster.search import half_weekends

CURTOIS = Path(__file__).resolve().parents[1] / "benchmarks" / "curtois"
DAY = ShiftType("D", 8 * 60, 480)


def two_weeks(employee: Employee, wanted_days: tuple[int, ...]) -> RosterProblem:
    """Two weeks (weekends on days 5-6 and 12-13), one person wanted on each of `wanted_days`."""
    demands = tuple(Demand(d, "D", "ward", "staff", 1, 10.0) for d in wanted_days)
    return RosterProblem(days=make_days(14), shifts=(DAY,), employees=(employee,), demands=demands,
                         sites=("ward",))


def worked_days(problem: RosterProblem) -> list[int]:
    return sorted(d for (_, d), works in greedy_plan(Compiled(problem)).cells.items() if works)


def test_a_scarce_weekend_is_not_begun_on_its_sunday_when_the_saturday_was_free():
    """With one weekend of two to work, an employee free on the first Saturday does not spend
    their weekend on the first Sunday alone but works the whole second weekend."""
    assert worked_days(two_weeks(Employee("a", max_weekends=1), (6, 12, 13))) == [12, 13]


def test_a_lone_sunday_is_worked_by_an_employee_without_a_weekend_limit():
    """Without a limit of weekends with work, the first Sunday is worked as well."""
    assert worked_days(two_weeks(Employee("a"), (6, 12, 13))) == [6, 12, 13]


def test_a_scarce_weekend_is_begun_only_where_all_of_it_can_be_worked():
    """An employee with one weekend of two and at most three days in a row, working Thursday and
    Friday, leaves the first Saturday (its Sunday would be a fourth day) and works the whole
    second weekend."""
    employee = Employee("a", max_weekends=1, max_consecutive_days=3)
    assert worked_days(two_weeks(employee, (3, 4, 5, 6, 12, 13))) == [3, 4, 12, 13]


def test_greedy_roster_of_a_long_instance_keeps_every_rule_but_the_minimum_minutes():
    """On a Curtois instance with limits of weekends with work (Instance7, 28 days), the greedy
    roster breaks no hard rule of the instance other than someone's minimum minutes (which the
    search works away), and fewer weekends are worked on one day only than whole."""
    instance = curtois.read_instance(CURTOIS / "Instance7.txt")
    problem = curtois.to_problem(instance)
    compiled = Compiled(problem)
    plan = greedy_plan(compiled)
    rows = [(a.employee, a.day, a.shift) for a in plan.to_assignments(problem)]
    broken = [line for line in curtois.hard_violations(instance, rows) if "minutes outside" not in line]
    assert broken == []
    weekends_worked = {(e, problem.days[d].weekend) for (e, d), works in plan.cells.items()
                       if works and problem.days[d].weekend is not None}
    assert len(half_weekends(compiled, plan)) < len(weekends_worked) / 2
