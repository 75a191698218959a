"""The Curtois & Qu benchmark adapter: parsing, mapping into the engine, independent scoring."""

from __future__ import annotations

from pathlib import Path

import pytest

from optimizer.roster import curtois
from optimizer.roster.cost import evaluate
from optimizer.roster.result import RosterStatus
from optimizer.roster.solve import solve

CURTOIS = Path(__file__).resolve().parents[1] / "benchmarks" / "curtois"


@pytest.fixture(scope="module")
def instance1():
    return curtois.read_instance(CURTOIS / "Instance1.txt")


def test_parser_reads_every_section(instance1):
    """Instance1 has 14 days, one shift, 8 staff, 8 days off, 21 on and 5 off requests, 14 cover rows."""
    assert instance1.horizon == 14
    assert [s.id for s in instance1.shifts] == ["D"]
    assert len(instance1.staff) == 8
    assert instance1.staff[0] == curtois.CurtoisStaff("A", (("D", 14),), 4320, 3360, 5, 2, 2, 1)
    assert len(instance1.days_off) == 8
    assert len(instance1.on_requests) == 21 and len(instance1.off_requests) == 5
    assert instance1.cover[0] == (0, "D", 5, 100, 1)


def test_empty_roster_costs_7137(instance1):
    """The empty roster of Instance1 costs 7137, by the independent scorer and by the engine."""
    assert curtois.objective(instance1, []) == 7137
    assert evaluate(curtois.to_problem(instance1), []).objective == 7137


def test_mapping_keeps_the_rules(instance1):
    """Each staff member becomes an employee with the instance's limits; weekends are days 5-6, 12-13."""
    problem = curtois.to_problem(instance1)
    employee = problem.employees[0]
    assert employee.max_shifts_of("D") == 14
    assert (employee.min_total_minutes, employee.max_total_minutes) == (3360, 4320)
    assert (employee.max_consecutive_days, employee.min_consecutive_days,
            employee.min_consecutive_days_off) == (5, 2, 2)
    assert employee.max_weekends == 1 and employee.days_off == {0}
    assert [d.index for d in problem.days if d.is_weekend] == [5, 6, 12, 13]
    assert problem.edge_blocks_exempt


def test_cannot_follow_becomes_forbidden_successions():
    """`L,480,E|D` forbids E and D the day after L."""
    problem = curtois.to_problem(curtois.read_instance(CURTOIS / "Instance3.txt"))
    assert {("D", "E"), ("L", "E"), ("L", "D")} == set(problem.employees[0].forbidden_successions)


def test_solves_instance1_to_best_known_607(instance1):
    """The engine solves Instance1 to its proven optimum 607 within a short limit, with no
    hard rule broken by the independent check."""
    result = solve(curtois.to_problem(instance1), time_limit_seconds=30, workers=2, seed=0)
    roster = [(a.employee, a.day, a.shift) for a in result.assignments]
    assert result.status == RosterStatus.OPTIMAL
    assert curtois.objective(instance1, roster) == result.objective == 607
    assert curtois.hard_violations(instance1, roster) == []


def test_hard_violations_finds_broken_rules(instance1):
    """The independent checker reports a too-short work block, a day off worked and missing minutes."""
    problems = curtois.hard_violations(instance1, [("A", 0, "D"), ("B", 3, "D")])
    assert any("works on day off 0" in p for p in problems)
    assert any("B: work block of 1 days from day 3 < 2" in p for p in problems)
    assert any("minutes outside" in p for p in problems)


def test_read_solution_names_the_line_and_column_of_a_row_not_in_the_instance(tmp_path):
    """A solution file's rows come back as (employee, day, shift); a row naming an unknown
    employee or shift, or a day outside the horizon, is refused naming the file, line and column."""
    instance = curtois.read_instance(CURTOIS / "Instance1.txt")
    member, shift = instance.staff[0].id, instance.shifts[0].id
    good = tmp_path / "good.csv"
    good.write_text(f"# a comment\nemployee,day,shift\n{member},0,{shift}\n", encoding="utf-8")
    assert curtois.read_solution(good, instance) == [(member, 0, shift)]
    for row, column in ((f"nobody,0,{shift}", "employee"), (f"{member},{instance.horizon},{shift}", "day"),
                        (f"{member},x,{shift}", "day"), (f"{member},0,nightly", "shift")):
        bad = tmp_path / "bad.csv"
        bad.write_text(f"employee,day,shift\n{member},1,{shift}\n{row}\n", encoding="utf-8")
        with pytest.raises(curtois.CurtoisFormatError, match=rf"bad\.csv: line 3: column {column}:"):
            curtois.read_solution(bad, instance)
