"""Where the seconds of a capacity plan go (`python -m optimizer plan --no-roster`).

    .venv/bin/python benchmarks/plan_profile.py [--scenario scenarios/hanoi-2022] [--runs 3]
        [--out benchmarks/results/plan_profile.md]

Three views, each the median of `--runs` runs:
1. Every district solved one after another in this process (as a worker does), CPU seconds by
   step: model build, loading the LP into HiGHS, the LP solves by kind (the relaxation; the
   re-solves with other bounds; with the integer decisions fixed; the enrolled bound, another
   objective), the roundings, the moves between wards, whole letters, marginal values.
2. The rest of a plan in the main process: start-up (interpreter and imports, as `python -c
   "import optimizer.cli"`), loading the scenario, officer budgets, the two references (fair
   baseline and proportional rule, with their simulations; in a thread beside the districts),
   the plan's simulation, writing the output files.
3. Process start-up and pickling: starting a pool of 2 forked workers, and pickling one
   district's input and result (bytes, seconds), the price of running districts in workers.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import multiprocessing  # noqa: E402

from optimizer.baseline import baseline_decisions, proportional_decisions  # noqa: E402
from optimizer.capacity import campaign, district, lp  # noqa: E402
from optimizer.capacity import model as capacity_model  # noqa: E402
from optimizer.exports.outputs import write_outputs  # noqa: E402
from optimizer.planner import SolveOptions, run_plan  # noqa: E402
from optimizer.scenario import load_scenario  # noqa: E402
from optimizer.simulation import simulate  # noqa: E402
from optimizer.staffing import district_budgets  # noqa: E402

STEP_ORDER = ("model build", "LP load into HiGHS", "LP relaxation", "LP other bounds (open shifts)",
              "LP integer decisions fixed", "LP enrolled bound (other objective)", "rounding within rows",
              "moves between wards", "whole letters", "marginal values", "node-limited MIP search (small models)",
              "other")


class StepClock:
    """CPU seconds of each step of `solve_district`, by wrapping the functions it calls."""

    def __init__(self):
        self.seconds: collections.Counter = collections.Counter()
        self.undo: list = []

    def _wrap(self, owner, name: str, label) -> None:
        original = getattr(owner, name)
        seconds = self.seconds

        def timed(*args, **kwargs):
            start = time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                seconds[label(args, kwargs) if callable(label) else label] += time.process_time() - start

        setattr(owner, name, timed)
        self.undo.append((owner, name, original))

    def __enter__(self) -> StepClock:
        def solve_kind(args, kwargs) -> str:
            if kwargs.get("cost") is not None:
                return "LP enrolled bound (other objective)"
            if kwargs.get("bounds"):
                return "LP other bounds (open shifts)"
            return "LP integer decisions fixed" if kwargs.get("fix") else "LP relaxation"

        self._wrap(lp.LPSession, "solve", solve_kind)
        self._wrap(lp.LPSession, "__init__", "LP load into HiGHS")
        self._wrap(capacity_model.DistrictModel, "__init__", "model build")
        self._wrap(district, "improve_by_moves", "moves between wards")
        self._wrap(district, "_round_within", "rounding within rows")
        self._wrap(district, "_whole_letters", "whole letters")
        self._wrap(district, "_marginal_values", "marginal values")
        self._wrap(district, "solve_lp", "node-limited MIP search (small models)")
        return self

    def __exit__(self, *exc) -> None:
        for owner, name, original in reversed(self.undo):
            setattr(owner, name, original)


def district_steps(scenario) -> dict[str, float]:
    """CPU seconds by step of solving every district in this process, as `plan_capacity` asks."""
    inputs = campaign.district_inputs(scenario)
    with StepClock() as clock:
        start = time.process_time()
        for data in inputs:
            district.solve_district(data, (campaign.RESERVE_PRICE_FLOOR, scenario.city_mobile_kits),
                                    with_enrolled_bound=True)
        total = time.process_time() - start
    steps = dict(clock.seconds)
    steps["other"] = total - sum(steps.values())
    steps["total"] = total
    return steps


def _nothing(_):
    return None


def main_process_parts(scenario_path: Path) -> dict[str, float]:
    """Wall seconds of the parts of a plan outside the district solves."""
    parts = {}
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import optimizer.cli"], cwd=ROOT, check=True)
    parts["start-up (interpreter, imports)"] = time.perf_counter() - start
    start = time.perf_counter()
    scenario = load_scenario(scenario_path)
    parts["load the scenario"] = time.perf_counter() - start
    start = time.perf_counter()
    budgets = district_budgets(scenario)
    parts["officer budgets"] = time.perf_counter() - start
    start = time.perf_counter()
    fair, _ = baseline_decisions(scenario, budgets)
    proportional, _ = proportional_decisions(scenario, budgets)
    simulate(scenario, fair)
    simulate(scenario, proportional)
    parts["references (fair baseline, proportional rule; beside the districts)"] = time.perf_counter() - start
    result = run_plan(scenario, SolveOptions(workers=2))
    parts["districts on 2 workers (capacity phase, wall)"] = result.timings["capacity_seconds"]
    parts["the plan's simulation"] = result.timings["simulation_seconds"]
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        write_outputs(result, Path(folder) / "out")
        parts["write the output files"] = time.perf_counter() - start
    start = time.perf_counter()
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        list(pool.map(_nothing, range(2)))
    parts["start and stop a pool of 2 forked workers"] = time.perf_counter() - start
    data = campaign.district_inputs(scenario)[0]
    start = time.perf_counter()
    sent = pickle.dumps(data)
    plan = district.solve_district(data)
    back = pickle.dumps(plan)
    pickle.loads(sent), pickle.loads(back)
    pickled = time.perf_counter() - start
    parts["pickle one district's input and result (s, without its solve)"] = pickled - plan.seconds
    parts["bytes sent / returned per district (KB)"] = len(sent) / 1024 + len(back) / 1024
    return parts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "hanoi-2022"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "plan_profile.md"))
    args = parser.parse_args()
    scenario = load_scenario(args.scenario)
    load_before = os.getloadavg()[0]
    steps = [district_steps(scenario) for _ in range(args.runs)]
    parts = [main_process_parts(Path(args.scenario)) for _ in range(args.runs)]
    load_after = os.getloadavg()[0]
    median = lambda rows, key: statistics.median(row[key] for row in rows)  # noqa: E731
    total = median(steps, "total")
    lines = [f"# Where the seconds of a capacity plan go: {scenario.name}", "",
             f"Written by `benchmarks/plan_profile.py` on {dt.datetime.now():%Y-%m-%d %H:%M}; "
             f"{len(scenario.district_codes)} districts, {len(scenario.wards)} wards, {scenario.n_days} days; "
             f"median of {args.runs} runs; load average {load_before:.1f} before, {load_after:.1f} after "
             "(2 cores, shared: other jobs slow every number).", "",
             "## 1. The districts, solved one after another (CPU seconds; a worker's view)", "",
             "| step | CPU s | share |", "|---|---:|---:|"]
    for step in STEP_ORDER:
        value = median(steps, step) if all(step in row for row in steps) else 0.0
        lines.append(f"| {step} | {value:.2f} | {100 * value / total:.0f} % |")
    lines += [f"| **all districts** | **{total:.2f}** | 100 % |", "",
              "## 2. The rest of a plan, and running districts in workers (wall seconds)", "",
              "| part | s |", "|---|---:|"]
    for part in parts[0]:
        lines.append(f"| {part} | {median(parts, part):.2f} |")
    lines += ["", f"Rerun: `.venv/bin/python benchmarks/plan_profile.py --scenario {args.scenario} "
              f"--runs {args.runs}`", ""]
    text = "\n".join(lines)
    print(text)
    Path(args.out).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
