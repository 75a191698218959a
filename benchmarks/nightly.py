"""Wall time of one nightly re-plan (plan and, when rostering is available, rosters) on a scenario.

    .venv/bin/python benchmarks/nightly.py [--scenario scenarios/hanoi-2022] [--as-of-day 5] [--runs 3]
        [--time-limit S] [--workers N] [--seed 1] [--no-roster] [--out benchmarks/results/nightly.md]

Set-up (not timed): the day-1 plan is made and published in a fresh store; the actuals of days
0..as-of are drawn from a seeded truth (optimizer.nightly.replay.draw_truth) played on it.
Then each timed run copies that store and runs `python -m optimizer nightly ...` as a separate
process, as the batch job would (imports, loading, re-forecast, re-plan, rosters, outputs, store
all included). Prints a table and writes it as markdown; the target is at most 2 minutes. The
CPU seconds of the run (all its processes) and the machine's load average before it are shown:
on a shared machine, wall time above CPU time / workers means the run waited for a core.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from optimizer.nightly.replay import draw_truth, play_truth  # noqa: E402
from optimizer.nightly.run import NightlyOptions, plan_initial, planned_projection, who_started  # noqa: E402
from optimizer.nightly.store import PlanStore  # noqa: E402
from optimizer.nightly.synthetic import actuals_from_outcome, write_actuals  # noqa: E402
from optimizer.scenario import load_scenario  # noqa: E402

TARGET_SECONDS = 60.0


def set_up(scenario_dir: Path, work: Path, as_of_day: int, seed: int,
           options: NightlyOptions) -> tuple[Path, Path, dict]:
    """A store holding the published day-1 plan, and the actuals file of days 0..as_of_day."""
    scenario = load_scenario(scenario_dir)
    began = time.perf_counter()
    initial, status = plan_initial(scenario, options)
    seconds = time.perf_counter() - began
    store_path = work / "setup.db"
    with PlanStore(store_path) as store:
        store.acquire_lock(user_name="benchmark", command="benchmarks/nightly.py")
        run_id = store.start_run(kind="initial", scenario=scenario, as_of=None, first_day=0, idempotency_key=None,
                                 actuals_hash=None, parameters=options.parameters(scenario), previous_run_id=None,
                                 out_dir=None, **who_started())
        summary = initial.summary()
        summary["roster_status"] = status
        store.publish_run(run_id, scenario=scenario, decisions=initial.decisions,
                          projection=planned_projection(initial, 0), roster=initial.roster, actuals_submission=None,
                          warnings=[], estimates=[], summary=summary)
        store.release_lock()
    outcome = play_truth(scenario, draw_truth(scenario, seed), initial.decisions)
    actuals = write_actuals(actuals_from_outcome(scenario, outcome, range(as_of_day + 1)), work / "actuals.csv")
    return store_path, actuals, {"initial_plan_seconds": round(seconds, 1), "roster": status,
                                 "as_of": scenario.dates[as_of_day].isoformat(), "scenario": scenario.name,
                                 "wards": len(scenario.wards), "days": scenario.n_days}


def timed_run(scenario_dir: Path, work: Path, store: Path, actuals: Path, as_of: str, index: int,
              args) -> dict:
    db = work / f"run{index}.db"
    shutil.copy(store, db)
    out = work / f"out{index}"
    command = [sys.executable, "-m", "optimizer", "nightly", str(scenario_dir), "--actuals", str(actuals),
               "--as-of", as_of, "--store", str(db), "--out", str(out)]
    if args.time_limit:
        command += ["--time-limit", str(args.time_limit)]
    if args.workers:
        command += ["--workers", str(args.workers)]
    if args.no_roster:
        command += ["--no-roster"]
    load = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if result.returncode != 0:
        raise SystemExit(f"nightly failed ({result.returncode}):\n{result.stderr[-3000:]}")
    summary = json.loads((out / "summary.json").read_text())
    return {"wall_seconds": round(wall, 1), "cpu_seconds": round(cpu, 1), "load": round(load, 2),
            "timings": summary["timings"], "coverage": summary["coverage"],
            "changed_kit_shifts": summary["changed_kit_shifts"],
            "changed_officer_shifts": summary["changed_officer_shifts"],
            "roster_status": summary["roster_status"], "status": summary["status"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", type=Path, default=ROOT / "scenarios" / "hanoi-2022")
    parser.add_argument("--as-of-day", type=int, default=5)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--time-limit", type=float, default=None)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--seed", type=int, default=1, help="seed of the truth the actuals are drawn from")
    parser.add_argument("--no-roster", action="store_true", help="time the plan alone")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "nightly.md")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="nightly-bench-"))
    try:
        print(f"set-up: day-1 plan of {args.scenario} ...", file=sys.stderr, flush=True)
        store, actuals, setup = set_up(args.scenario, work, args.as_of_day, args.seed,
                                       NightlyOptions(time_limit_seconds=args.time_limit, workers=args.workers,
                                                      with_roster=not args.no_roster))
        runs = []
        for i in range(args.runs):
            runs.append(timed_run(args.scenario, work, store, actuals, setup["as_of"], i, args))
            print(f"run {i + 1}/{args.runs}: {runs[-1]['wall_seconds']} s", file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    walls = [r["wall_seconds"] for r in runs]
    median = statistics.median(walls)
    phase = {k: statistics.median(r["timings"].get(k, 0.0) for r in runs)
             for k in ("reforecast_seconds", "capacity_seconds", "roster_seconds", "simulation_seconds")}
    lines = [
        f"# Nightly re-plan wall time: {setup['scenario']}",
        "",
        f"{setup['wards']} wards, {setup['days']} days; as of {setup['as_of']} (day {args.as_of_day}); "
        f"actuals drawn from truth seed {args.seed}; {args.runs} runs, each a fresh copy of the store "
        f"(day-1 plan published; it took {setup['initial_plan_seconds']} s to make, not timed).",
        f"Machine: {platform.node()} ({platform.processor() or platform.machine()}), "
        f"time limit {args.time_limit or 'scenario default'}, workers {args.workers or 'scenario default'}.",
        f"Rosters: {runs[0]['roster_status']}.",
        "",
        "| run | wall s | CPU s (all processes) | load before | re-forecast s | capacity s | roster s | status | "
        "projected coverage | kit-shifts changed | officer shifts changed |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for i, r in enumerate(runs):
        t = r["timings"]
        lines.append(f"| {i + 1} | {r['wall_seconds']} | {r['cpu_seconds']} | {r['load']} | "
                     f"{t.get('reforecast_seconds', 0):.1f} | "
                     f"{t.get('capacity_seconds', 0):.1f} | {t.get('roster_seconds', 0):.1f} | {r['status']} | "
                     f"{100 * r['coverage']:.2f} % | {r['changed_kit_shifts']} | {r['changed_officer_shifts']} |")
    verdict = "met" if median <= TARGET_SECONDS else "NOT met"
    lines += ["", f"**Median wall time: {median:.1f} s** (target {TARGET_SECONDS:.0f} s: {verdict}); median phases: "
              + ", ".join(f"{k.replace('_seconds', '')} {v:.1f} s" for k, v in phase.items()) + ".",
              "", "Rerun: `.venv/bin/python benchmarks/nightly.py " + " ".join(sys.argv[1:]) + "`", ""]
    text = "\n".join(lines)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
