"""Score analysis: what a roster costs, soft rule by soft rule, computed from the assignments.

This is the engine's own cost function (the search accepts a roster only on its word); it does
not check hard rules; `optimizer.roster.check` is the independent checker.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from .draft import RosterDraft
from .problem import RosterProblem
from .result import Assignment, Violation


@dataclass(frozen=True)
class Evaluation:
    objective: float
    violations: tuple[Violation, ...]


def evaluate(problem: RosterProblem, assignments: Iterable[Assignment], details: bool = True) -> Evaluation:
    """The soft cost of a roster and (with `details`) every named violation behind it."""
    assignments = list(assignments)
    employees = {e.id: e for e in problem.employees}
    violations: list[Violation] = []
    total = [0.0]

    def add(rule: str, label, amount: float, weight: float) -> None:
        if amount > 0 and weight > 0:
            if details:
                violations.append(Violation(rule, label() if callable(label) else label, amount, amount * weight))
            else:
                total[0] += amount * weight

    # cover: people per (day, shift, site, role)
    cover = Counter((a.day, a.shift, a.site, a.role) for a in assignments)
    for demand in problem.demands:
        have = cover.get((demand.day, demand.shift, demand.site, demand.role), 0)
        where = f"site={demand.site}, day={demand.day}, shift={demand.shift}, role={demand.role}"
        if have < demand.requirement:
            add("understaffed", lambda: f"understaffed({where})", demand.requirement - have, demand.weight_under)
        elif have > demand.requirement:
            add("overstaffed", lambda: f"overstaffed({where})", have - demand.requirement, demand.weight_over)

    # requests
    worked_shift = {(a.employee, a.day, a.shift) for a in assignments}
    worked_day = {(a.employee, a.day) for a in assignments}
    for request in problem.requests:
        if request.shift is None:
            working = (request.employee, request.day) in worked_day
        else:
            working = (request.employee, request.day, request.shift) in worked_shift
        if working != (request.kind == "want"):
            add("request_not_honoured", lambda: f"request_not_honoured(employee={request.employee}, "
                f"day={request.day}, shift={request.shift or 'any'}, kind={request.kind})", 1, request.weight)

    # per employee-shift costs
    costs = problem.costs
    shifts_of: Counter = Counter()
    for a in assignments:
        employee = employees[a.employee]
        shifts_of[a.employee] += 1
        if employee.home_site is not None and a.site != employee.home_site:
            add("cross_site", lambda: f"cross_site(employee={a.employee}, day={a.day}, shift={a.shift}, "
                f"site={a.site})", 1, costs.cross_site_per_shift)
        if employee.reserve:
            add("reserve_used", lambda: f"reserve_used(employee={a.employee}, day={a.day}, shift={a.shift})",
                1, costs.reserve_per_shift)
    for employee_id, count in sorted(shifts_of.items()):
        add("shifts_worked", f"shifts_worked(employee={employee_id})", count, costs.shift_worked)

    if costs.fairness_per_shift > 0:
        for member, group, amount in load_imbalance(problem, shifts_of):
            add("unbalanced_load", f"unbalanced_load(employee={member}, group={group or '-'})",
                amount, costs.fairness_per_shift)

    objective = sum(v.cost for v in violations) if details else total[0]
    return Evaluation(objective=objective, violations=tuple(violations))


def draft_cost(problem: RosterProblem, plan: RosterDraft) -> float:
    """`evaluate(problem, plan.to_assignments(problem, sort=False), details=False).objective`,
    read from the draft's cells without building assignments: the same terms added in the same
    order, so the same number to the last bit (the search scores every sub-solution with it)."""
    codes = problem.shift_codes
    employees = problem.employees
    costs = problem.costs
    total = 0.0
    cover: Counter = Counter()
    worked_shift: set[tuple[int, int, str]] = set()
    worked_day: set[tuple[int, int]] = set()
    for (e, d), works in plan.cells.items():
        if works:
            worked_day.add((e, d))
        for s, role, site in works:
            cover[(d, codes[s], site, role)] += 1
            worked_shift.add((e, d, codes[s]))
    for demand in problem.demands:
        have = cover.get((demand.day, demand.shift, demand.site, demand.role), 0)
        if have < demand.requirement:
            if demand.weight_under > 0:
                total += (demand.requirement - have) * demand.weight_under
        elif have > demand.requirement and demand.weight_over > 0:
            total += (have - demand.requirement) * demand.weight_over
    index = {employee.id: e for e, employee in enumerate(employees)}
    for request in problem.requests:
        who = index.get(request.employee, -1)
        if request.shift is None:
            working = (who, request.day) in worked_day
        else:
            working = (who, request.day, request.shift) in worked_shift
        if working != (request.kind == "want") and request.weight > 0:
            total += request.weight
    shifts_of: Counter = Counter()
    for (e, _d), works in plan.cells.items():
        employee = employees[e]
        for _s, _role, site in works:
            shifts_of[employee.id] += 1
            if employee.home_site is not None and site != employee.home_site and costs.cross_site_per_shift > 0:
                total += costs.cross_site_per_shift
            if employee.reserve and costs.reserve_per_shift > 0:
                total += costs.reserve_per_shift
    if costs.shift_worked > 0:
        for _employee_id, count in sorted(shifts_of.items()):
            if count > 0:
                total += count * costs.shift_worked
    if costs.fairness_per_shift > 0:
        for _member, _group, amount in load_imbalance(problem, shifts_of):
            if amount > 0:
                total += amount * costs.fairness_per_shift
    return total


def load_imbalance(problem: RosterProblem, shifts_of: Counter) -> list[tuple[str, str, int]]:
    """(employee id, group, shifts away from the median of their group) for every employee of a
    group of two or more, groups in name order (the fairness term counts each shift away)."""
    groups = defaultdict(list)
    for employee in problem.employees:
        groups[employee.group].append(employee.id)
    rows: list[tuple[str, str, int]] = []
    for group, members in sorted(groups.items()):
        if len(members) < 2:
            continue
        counts = sorted(shifts_of.get(m, 0) for m in members)
        median = counts[(len(counts) - 1) // 2]
        rows.extend((member, group, abs(shifts_of.get(member, 0) - median)) for member in members)
    return rows
