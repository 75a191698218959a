"""Time of the district workbooks and officers' calendars for a roster (default: Hà Nội).

    .venv/bin/python benchmarks/exports.py [--roster /tmp/out-hn/roster.csv]
        [--scenario scenarios/hanoi-2022] [--runs 3] [--workers 1,2] [--language vi]
        [--out FILE.md]

The roster is a `roster.csv` from `python -m optimizer plan` (the Hà Nội one takes several
minutes: `.venv/bin/python -m optimizer plan scenarios/hanoi-2022 --out /tmp/out-hn`). Each run
writes into a fresh temporary folder; the table gives the median wall time of `--runs` runs
and the median CPU time (this process and its worker processes) per export and worker count.
The machine's load average is printed too: wall times on a shared machine follow it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import inspect
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from optimizer.exports import write_district_workbooks, write_officer_calendars  # noqa: E402
from optimizer.roster.check import read_roster_csv  # noqa: E402
from optimizer.scenario import load_scenario  # noqa: E402

STAMP = dt.datetime(2022, 7, 24, 12, 0, tzinfo=dt.UTC)
EXPORTS = {
    "district workbooks (XLSX)": (write_district_workbooks, {}),
    "officer calendars (ICS)": (write_officer_calendars, {"stamp": STAMP}),
}


def _cpu() -> float:
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def _takes_workers(function) -> bool:
    """Whether the export has a `workers` argument (older versions had none)."""
    return "workers" in inspect.signature(function).parameters


def time_export(export, options: dict, scenario, roster, language: str, workers: int,
                runs: int) -> tuple[float, float]:
    if _takes_workers(export):
        options = {**options, "workers": workers}
    walls, cpus = [], []
    for _ in range(runs):
        folder = Path(tempfile.mkdtemp(prefix="exports-bench-"))
        try:
            cpu, wall = _cpu(), time.perf_counter()
            export(scenario, roster, folder, language=language, **options)
            walls.append(time.perf_counter() - wall)
            cpus.append(_cpu() - cpu)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    return statistics.median(walls), statistics.median(cpus)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "hanoi-2022"))
    parser.add_argument("--roster", default="/tmp/out-hn/roster.csv")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", default="1,2", help="worker counts to time, e.g. 1,2")
    parser.add_argument("--language", default="vi", choices=("vi", "en"))
    parser.add_argument("--out", help="also write the table to this markdown file")
    args = parser.parse_args(argv)
    roster_path = Path(args.roster)
    if not roster_path.exists():
        print(f"no roster at {roster_path}; make one with\n  .venv/bin/python -m optimizer plan "
              f"{args.scenario} --out {roster_path.parent}", file=sys.stderr)
        return 2
    scenario = load_scenario(args.scenario)
    roster = read_roster_csv(roster_path)
    worker_counts = [int(w) for w in args.workers.split(",")]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [
        f"# Exports: {scenario.name}",
        "",
        f"{len(roster):,} officer-shifts, {roster['officer_id'].nunique():,} officers, "
        f"{len(scenario.district_codes)} districts, {len(scenario.wards)} wards; "
        f"median of {args.runs} runs; {os.cpu_count()} CPUs, load average {load:.1f} at start; "
        f"{platform.node()}.",
        "",
        "| export | workers | wall (s) | CPU (s) |",
        "|---|---:|---:|---:|",
    ]
    totals: dict[int, float] = {}
    for name, (export, options) in EXPORTS.items():
        for workers in worker_counts:
            if workers != 1 and not _takes_workers(export):
                continue
            wall, cpu = time_export(export, options, scenario, roster, args.language, workers,
                                    args.runs)
            totals[workers] = totals.get(workers, 0.0) + wall
            lines.append(f"| {name} | {workers} | {wall:.2f} | {cpu:.2f} |")
            print(lines[-1], flush=True)
    for workers, wall in totals.items():
        lines.append(f"| **both** | {workers} | **{wall:.2f}** | |")
    table = "\n".join(lines) + "\n"
    print()
    print(table)
    if args.out:
        Path(args.out).write_text(table, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
