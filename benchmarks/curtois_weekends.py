"""Where a Curtois & Qu roster misses cover, and how it uses the employees' weekends.

    .venv/bin/python benchmarks/curtois_weekends.py benchmarks/curtois/Instance19.txt out/Instance19.solution.csv

For a roster written by `benchmarks/curtois.py` (`employee,day,shift`, days from 0), prints one
line: the uncovered slots by weekend or weekday day and whether some employee could still take
each of them within the horizon limits (not working that day, allowed the shift, not at their
limit of weekends with work unless they work that weekend already, under their limit of that
shift type and of total minutes; sequence rules are not looked at: "fillable") or not
("horizon-blocked"); the weekends worked on some but not all of their days ("half weekends");
and how many employees are at their weekend limit. Also the weekend demand against the weekend
capacity (`solve.weekend_demand`, `solve.weekend_capacity`).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from optimizer.roster import curtois  # noqa: E402
from optimizer.roster.compiled import Compiled  # noqa: E402
from optimizer.roster.solve import weekend_capacity, weekend_demand  # noqa: E402


def read_roster(path: Path, compiled: Compiled, instance: curtois.CurtoisInstance) -> dict[tuple[int, int], int]:
    """(employee index, day) -> shift index of a solution file (`curtois.read_solution`)."""
    plan = curtois.to_draft(compiled.problem, curtois.read_solution(path, instance))
    return {cell: works[0][0] for cell, works in plan.cells.items() if works}


def weekend_use(compiled: Compiled, roster: dict[tuple[int, int], int]) -> dict:
    """The counts described in the module docstring."""
    problem = compiled.problem
    weekend_of = {day.index: day.weekend for day in problem.days}
    cover = Counter((d, s) for (_, d), s in roster.items())
    weekends = Counter()
    half = 0
    for e in range(compiled.n_employees):
        worked = Counter(weekend_of[d] for (ee, d) in roster if ee == e and weekend_of[d] is not None)
        weekends[e] = len(worked)
        half += sum(1 for w, n in worked.items() if n < len(compiled.weekends[w]))
    per_type = Counter((e, s) for (e, _), s in roster.items())
    minutes = Counter()
    for (e, _), s in roster.items():
        minutes[e] += compiled.lengths[s]

    def can_take(e: int, d: int, s: int) -> bool:
        employee = problem.employees[e]
        if s not in compiled.allowed[e] or d in employee.days_off or (e, d) in roster:
            return False
        weekend = weekend_of[d]
        if weekend is not None and employee.max_weekends is not None and weekends[e] >= employee.max_weekends \
                and not any((e, other) in roster for other in compiled.weekends[weekend]):
            return False
        limit = compiled.type_limits[e].get(s)
        if limit is not None and per_type[(e, s)] >= limit:
            return False
        return employee.max_total_minutes is None or minutes[e] + compiled.lengths[s] <= employee.max_total_minutes

    uncovered = Counter()
    for (d, s, _), demands in compiled.slot_demands.items():
        for demand in demands:
            missing = demand.requirement - cover[(d, s)]
            if missing > 0:
                where = "weekend" if weekend_of[d] is not None else "weekday"
                fillable = any(can_take(e, d, s) for e in range(compiled.n_employees))
                uncovered[f"{where} {'fillable' if fillable else 'horizon-blocked'}"] += missing
    at_limit = sum(1 for e, employee in enumerate(problem.employees)
                   if employee.max_weekends is not None and weekends[e] >= employee.max_weekends)
    return {"uncovered": dict(sorted(uncovered.items())), "half_weekends": half,
            "at_weekend_limit": at_limit, "employees": compiled.n_employees,
            "weekend_demand": weekend_demand(compiled), "weekend_capacity": weekend_capacity(compiled)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("instance", type=Path, help="InstanceN.txt")
    parser.add_argument("solutions", type=Path, nargs="+", help="solution CSV files of that instance")
    args = parser.parse_args(argv)
    try:
        instance = curtois.read_instance(args.instance)
        compiled = Compiled(curtois.to_problem(instance))
        for path in args.solutions:
            print(path.name, weekend_use(compiled, read_roster(path, compiled, instance)))
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
