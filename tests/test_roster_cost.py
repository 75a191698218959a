"""The engine's cost function read from a draft (`cost.draft_cost`, what the search scores with)
is the one read from assignments (`cost.evaluate`), to the last bit."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from optimizer.roster import curtois
from optimizer.roster.compiled import Compiled
from optimizer.roster.cost import draft_cost, evaluate
from optimizer.roster.draft import RosterDraft
from optimizer.roster.greedy import greedy_plan
from optimizer.roster.problem import Costs, Demand, Employee, Request, RosterProblem, ShiftType, make_days

CURTOIS = Path(__file__).resolve().parents[1] / "benchmarks" / "curtois"
SHIFTS = (ShiftType("S", 7 * 60, 300), ShiftType("C", 12 * 60, 300), ShiftType("T", 17 * 60, 300))
SITES = ("A", "B")
EMPLOYEES = (Employee("a", home_site="A", group="g"), Employee("b", home_site="B", group="g"),
             Employee("c", home_site="A", group="g"), Employee("r", reserve=True, group="h"),
             Employee("s", reserve=True, group="h"))


def problem_with(requests: tuple[Request, ...]) -> RosterProblem:
    """Three days, three shifts, two sites, two reserves; fractional weights everywhere."""
    demands = tuple(Demand(d, shift.code, site, "staff", 1 + (d + i) % 2, 10.3 + i, 0.7 + 0.1 * d)
                    for d in range(3) for i, shift in enumerate(SHIFTS) for site in SITES)
    costs = Costs(cross_site_per_shift=0.23, reserve_per_shift=0.57, shift_worked=0.011, fairness_per_shift=0.37)
    return RosterProblem(days=make_days(3), shifts=SHIFTS, employees=EMPLOYEES, demands=demands,
                         requests=requests, sites=SITES, costs=costs)


cells = st.dictionaries(
    st.tuples(st.integers(0, len(EMPLOYEES) - 1), st.integers(0, 2)),
    st.lists(st.tuples(st.integers(0, len(SHIFTS) - 1), st.sampled_from(SITES)), min_size=0, max_size=2),
    max_size=15)
requests = st.lists(st.builds(Request, st.sampled_from([e.id for e in EMPLOYEES]), st.integers(0, 2),
                              st.sampled_from([None, "S", "C", "T"]), st.sampled_from(["want", "avoid"]),
                              st.floats(0.1, 3.0)), max_size=6)


@settings(max_examples=150, deadline=None)
@given(cells, requests)
def test_draft_cost_is_the_assignments_cost_to_the_last_bit(cells, requests):
    """Any draft of a multi-site problem with reserves, fairness, requests and fractional
    weights costs exactly what `evaluate` says of its assignments."""
    problem = problem_with(tuple(requests))
    plan = RosterDraft({cell: tuple((s, "staff", site) for s, site in works) for cell, works in cells.items()})
    expected = evaluate(problem, plan.to_assignments(problem, sort=False), details=False).objective
    assert draft_cost(problem, plan) == expected


def test_draft_cost_of_a_long_curtois_roster_is_its_benchmark_objective():
    """The greedy roster of Instance7 costs by `draft_cost` what the benchmark's own objective
    says, and what `evaluate` says."""
    instance = curtois.read_instance(CURTOIS / "Instance7.txt")
    problem = curtois.to_problem(instance)
    plan = greedy_plan(Compiled(problem))
    rows = [(a.employee, a.day, a.shift) for a in plan.to_assignments(problem)]
    cost = draft_cost(problem, plan)
    assert cost == evaluate(problem, plan.to_assignments(problem, sort=False), details=False).objective
    assert cost == curtois.objective(instance, rows) > 0
