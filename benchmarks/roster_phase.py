"""Time the roster phase alone on one capacity plan, so that two versions of the roster code can
be compared back to back on the same plan.

    .venv/bin/python benchmarks/roster_phase.py plan scenarios/hanoi-2022 /tmp/hn-plan.pkl
    .venv/bin/python benchmarks/roster_phase.py roster /tmp/hn-plan.pkl [--workers 2]

`plan` runs the capacity plan without rosters and keeps it (a pickle: read it back only with the
same code version); `roster` rosters that plan (`planner.add_roster`, the step `optimizer plan`
takes) and prints its wall time, officer-shifts, officers working, the crew slots the first roster
left empty and the kit-shifts closed.
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    plan = sub.add_parser("plan")
    plan.add_argument("scenario")
    plan.add_argument("out", type=Path)
    plan.add_argument("--workers", type=int, default=2)
    roster = sub.add_parser("roster")
    roster.add_argument("plan", type=Path)
    roster.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)

    from optimizer.plan_request import SolveOptions
    from optimizer.planner import add_roster, run_plan
    from optimizer.scenario import load_scenario

    if args.command == "plan":
        result = run_plan(load_scenario(args.scenario), SolveOptions(workers=args.workers, seed=0, with_roster=False))
        temporary = args.out.with_name(args.out.name + ".tmp")
        temporary.write_bytes(pickle.dumps(result))
        temporary.replace(args.out)
        return 0
    result = pickle.loads(args.plan.read_bytes())
    started = time.perf_counter()
    add_roster(result, SolveOptions(workers=args.workers, seed=0))
    report = result.roster_report
    print(f"roster phase {time.perf_counter() - started:.2f} s wall; officer-shifts {report['officer_shifts']}, "
          f"officers working {report['officers_working']}, first roster left {report['unstaffed_slots']} slot(s) "
          f"empty, {report['kit_shifts_closed_for_lack_of_officers']} kit-shift(s) closed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
