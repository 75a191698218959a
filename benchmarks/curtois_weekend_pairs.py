"""Re-solve pairs of weekends for everyone from a finished Curtois & Qu roster, to see what the
search's weekend-pair neighbourhood can still gain there.

    .venv/bin/python benchmarks/curtois_weekend_pairs.py benchmarks/curtois/Instance19.txt \
        tests/data/instance19-engine-4092.csv --pairs 20 --margin 2

For a roster written by `benchmarks/curtois.py` (`employee,day,shift`, days from 0; lines
starting with `#` skipped): the weekend pairs in a seeded random order, each with `--margin` days
before and after both weekends, every employee (or the first `--employees`, those working part
of either weekend first), re-solved by one CP-SAT worker for `--work` deterministic units from
the roster so far (`search.sub_solve`); a result is kept when it keeps every rule and costs
less. Prints each gain and the cost and work at the end; the final roster is checked with the
Curtois checker (`curtois.hard_violations`, `curtois.objective`).
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ortools.sat.python import cp_model  # noqa: E402

from optimizer.roster import curtois  # noqa: E402
from optimizer.roster.compiled import Compiled  # noqa: E402
from optimizer.roster.model import RosterModel  # noqa: E402
from optimizer.roster.search import build_work, half_weekends, plan_cost, sub_solve  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("instance", type=Path)
    parser.add_argument("roster", type=Path)
    parser.add_argument("--pairs", type=int, default=20, help="weekend pairs to re-solve")
    parser.add_argument("--margin", type=int, default=2, help="days before and after each weekend")
    parser.add_argument("--work", type=float, default=0.6, help="deterministic units per re-solve")
    parser.add_argument("--employees", type=int, default=None, help="at most this many employees")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    try:
        instance = curtois.read_instance(args.instance)
        problem = curtois.to_problem(instance)
        plan = curtois.to_draft(problem, curtois.read_solution(args.roster, instance))
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    compiled = Compiled(problem)
    cost = plan_cost(compiled, plan)
    print(f"start {cost:.0f}, minutes short of minimums {compiled.shortfall_minutes(plan)}")
    rng = random.Random(args.seed)
    weekends = sorted(compiled.weekends)
    pairs = [(a, b) for i, a in enumerate(weekends) for b in weekends[i + 1:]]
    rng.shuffle(pairs)
    work = 0.0
    for first, second in pairs[:args.pairs]:
        days = sorted({n for w in (first, second) for d in compiled.weekends[w]
                       for n in range(d - args.margin, d + args.margin + 1) if 0 <= n < compiled.horizon})
        members = list(range(compiled.n_employees))
        if args.employees is not None and args.employees < len(members):
            part = sorted({e for e, w in half_weekends(compiled, plan) if w in (first, second)})
            rest = [e for e in members if e not in set(part)]
            rng.shuffle(part)
            rng.shuffle(rest)
            members = (part + rest)[:args.employees]
        model = RosterModel(compiled, plan, [(e, d) for e in members for d in days], names=False)
        status, used, solver = sub_solve(model, args.seed + 1, args.work, 600.0)
        work += used + build_work(model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE) or not isinstance(solver, cp_model.CpSolver):
            continue
        found = model.read_plan(solver)
        found_cost = plan_cost(compiled, found)
        if compiled.shortfall_minutes(found) == 0 and found_cost < cost:
            print(f"weekends {first},{second}: {cost:.0f} -> {found_cost:.0f} ({solver.status_name(status)}, "
                  f"{len(model.x)} variables, work {used:.2f})")
            plan, cost = found, found_cost
    rows = [(a.employee, a.day, a.shift) for a in plan.to_assignments(problem)]
    violations = curtois.hard_violations(instance, rows)
    print(f"end {cost:.0f} (Curtois objective {curtois.objective(instance, rows)}, hard violations "
          f"{len(violations)}), work {work:.2f}")
    return 0 if not violations else 1


if __name__ == "__main__":
    sys.exit(main())
