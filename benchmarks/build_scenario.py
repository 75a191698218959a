"""How long the province scenario builder takes, and whether the scenarios it builds plan well.

    .venv/bin/python benchmarks/build_scenario.py [--repeats 3] [--plan] [--out benchmarks/results/build_scenario.md]

Rows (targets from the issue):
- one province: `python -m optimizer build-scenario --province CODE --out DIR` as a subprocess
  (interpreter start, loading the national tables, building, writing), median of --repeats, for
  Hà Nội (the largest communes count, 579), Thanh Hóa (559), HCMC and Bạc Liêu; target <= 5 s;
- all 63: `build-scenario --all`, median of --repeats; target <= 120 s;
- with --plan: HCMC built by the builder planned without rosters (`plan --no-roster`, the
  scenario's solver settings: 60 s limit unless --plan-time-limit, 2 workers, seed 0), target
  <= 30 s and gap <= 1 %; Đà Nẵng with rosters, target <= 30 s; `check` re-verifies both (plan
  and roster). Times are the wall clock of the `plan` subprocess.
The machine's load average is printed with the table: the machine is shared.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ONE = (("01", "Hà Nội"), ("38", "Thanh Hóa"), ("79", "Hồ Chí Minh"), ("95", "Bạc Liêu"))


def cli(*args, timeout: float = 900) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "optimizer", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout, check=False, env={**os.environ, "PYTHONPATH": str(ROOT)})
    seconds = time.perf_counter() - start
    if done.returncode not in (0,):
        raise SystemExit(f"{' '.join(map(str, args))}: exit {done.returncode}: {done.stderr.strip()[-400:]}")
    return seconds, done


def timed_builds(args_for, repeats: int, work: Path) -> list[float]:
    times = []
    for i in range(repeats):
        seconds, _ = cli(*args_for(work / f"run{i}"))
        times.append(seconds)
    return times


def plan_row(name: str, code: str, work: Path, *, roster: bool, time_limit: float | None) -> dict:
    scenario = work / f"scenario-{code}"
    cli("build-scenario", "--province", code, "--out", scenario)
    out = work / f"plan-{code}"
    limit = [] if time_limit is None else ["--time-limit", str(time_limit)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    seconds, _ = cli("plan", scenario, "--out", out, *([] if roster else ["--no-roster"]), *limit)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    check = subprocess.run([sys.executable, "-m", "optimizer", "check", scenario, out], cwd=ROOT,
                           capture_output=True, text=True, check=False, timeout=900)
    return {"name": name, "seconds": seconds, "cpu": cpu, "gap": summary.get("gap"),
            "coverage": summary.get("coverage"),
            "wards": sum(1 for _ in (scenario / "wards.csv").open(encoding="utf-8")) - 1,
            "check": "pass" if check.returncode == 0 else f"FAIL: {check.stdout.strip()[-200:]}"}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--plan", action="store_true", help="also plan HCMC (no rosters) and Đà Nẵng (rosters)")
    parser.add_argument("--plan-time-limit", type=float, default=None,
                        help="solver seconds passed to plan --time-limit (default: the scenario's, 60)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "build_scenario.md")
    args = parser.parse_args(argv)
    load_start = os.getloadavg()[0]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for code, name in ONE:
            times = timed_builds(lambda folder, code=code: ("build-scenario", "--province", code, "--out", folder),
                                 args.repeats, work / f"one-{code}")
            rows.append((f"build one province ({name}, {code})", "<= 5 s", times, 5.0))
        times = timed_builds(lambda folder: ("build-scenario", "--all", "--out", folder), args.repeats, work / "all")
        rows.append(("build all 63 provinces (--all)", "<= 120 s", times, 120.0))
        plans = []
        if args.plan:
            plans.append(plan_row("HCMC built, plan --no-roster", "79", work, roster=False,
                                  time_limit=args.plan_time_limit))
            plans.append(plan_row("Đà Nẵng built, plan with rosters", "48", work, roster=True,
                                  time_limit=args.plan_time_limit))
    load = os.getloadavg()[0]
    lines = ["# Province scenario builder benchmark", "",
             (f"Load average at the start {load_start:.1f}, at the end {load:.1f}. `benchmarks/build_scenario.py "
              f"--repeats {args.repeats}{' --plan' if args.plan else ''}"
              f"{'' if args.plan_time_limit is None else f' --plan-time-limit {args.plan_time_limit:g}'}` "
              f"on {os.cpu_count()} cores."), "",
             "| what | target | runs | wall median (min-max) s | met |", "|---|---|---|---|---|"]
    for what, target, times, limit in rows:
        median = statistics.median(times)
        lines.append(f"| {what} | {target} | {len(times)} | {median:.2f} ({min(times):.2f}-{max(times):.2f}) | "
                     f"{'yes' if median <= limit else 'no'} |")
    if plans:
        lines += ["", "| plan | units | target | wall s | CPU s (user + sys) | gap | coverage | check | met |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for p in plans:
            roster = "rosters" in p["name"]
            gap = p["gap"]
            met = p["seconds"] <= 30 and p["check"] == "pass" and (roster or (gap is not None and gap <= 0.01))
            lines.append(f"| {p['name']} | {p['wards']} | <= 30 s{'' if roster else ', gap <= 1 %'} | "
                         f"{p['seconds']:.1f} | {p['cpu']:.1f} | {'n/a' if gap is None else f'{100 * gap:.2f} %'} | "
                         f"{100 * p['coverage']:.1f} % | {p['check']} | {'yes' if met else 'no'} |")
    table = "\n".join(lines) + "\n"
    print(table)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(table, encoding="utf-8")


if __name__ == "__main__":
    main()
