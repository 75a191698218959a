"""Empty crew slots of the first rosters against the fewest any roster could leave.

For the capacity plan of a scenario, per district: the crew slots the plan opens, the people
the greedy roster leaves missing, those the cover fill (`optimizer.roster.cover.fill_cover`)
still leaves missing and its CPU seconds, and the proven minimum: the dual bound of the
program of the whole campaign at once (`fewest_missing`), valid for every roster of the
district's officers. Where the fill equals the bound, no slot stays empty that the officer
list could have covered.

    .venv/bin/python benchmarks/roster_cover.py [--scenario hanoi-2022] [--workers 2]

Prints a markdown table and writes it to benchmarks/results/roster-cover.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from optimizer.crews.assign import greedy_crews  # noqa: E402
from optimizer.crews.problem import crew_problem  # noqa: E402
from optimizer.crews.slots import crew_slots  # noqa: E402
from optimizer.planner import SolveOptions, run_plan  # noqa: E402
from optimizer.roster.compiled import Compiled  # noqa: E402
from optimizer.roster.cover import empty_days, fewest_missing, fill_cover  # noqa: E402
from optimizer.roster.draft import RosterDraft  # noqa: E402
from optimizer.scenario import load_scenario  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="hanoi-2022")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "roster-cover.md")
    args = parser.parse_args(argv)
    scenario = load_scenario(ROOT / "scenarios" / args.scenario)
    result = run_plan(scenario, SolveOptions(workers=args.workers))
    slots = crew_slots(scenario, result.decisions, first_day=result.first_day)
    lines = ["| district | crew slots | missing after the greedy | missing after the fill | fill CPU s | "
             "proven minimum | bound CPU s |", "|---|---:|---:|---:|---:|---:|---:|"]
    totals = [0, 0, 0, 0.0, 0, 0.0]
    for code in scenario.district_codes:
        mine = slots[slots["district_code"] == code].reset_index(drop=True)
        problem = crew_problem(scenario, code, mine)
        compiled = Compiled(problem)
        greedy = RosterDraft.from_assignments(problem, greedy_crews(problem))
        started = time.process_time()
        filled, _ = fill_cover(problem, greedy)
        fill_seconds = time.process_time() - started
        started = time.process_time()
        least = fewest_missing(problem, filled)
        bound_seconds = time.process_time() - started
        row = [int(mine["needed"].sum()), sum(empty_days(compiled, greedy).values()),
               sum(empty_days(compiled, filled).values()), fill_seconds, least, bound_seconds]
        totals = [t + v for t, v in zip(totals, row)]
        lines.append(f"| {code} | {row[0]:,} | {row[1]:,} | {row[2]:,} | {row[3]:.1f} | {row[4]:,} | {row[5]:.1f} |")
        print(lines[-1], flush=True)
    lines.append(f"| all | {totals[0]:,} | {totals[1]:,} | {totals[2]:,} | {totals[3]:.1f} | {totals[4]:,} | "
                 f"{totals[5]:.1f} |")
    table = "\n".join(lines)
    print(table)
    load = os.getloadavg()[0]
    args.out.write_text(f"# Empty crew slots: cover fill against the proven minimum\n\n"
                        f"`benchmarks/roster_cover.py {' '.join(argv or sys.argv[1:])}` on scenario "
                        f"`{args.scenario}`; load average at the end {load:.1f} (CPU seconds of one process).\n\n"
                        f"{table}\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
