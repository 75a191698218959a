"""Speed, memory and quality of the capacity plan (`python -m optimizer plan --no-roster`).

Runs the CLI as a subprocess several times per scenario, samples the resident memory of the
whole process tree (the planner and its worker processes) every 50 ms, and reports medians.

    .venv/bin/python benchmarks/capacity.py [--runs 3] [--scenarios tiny hanoi-2022] [--workers 2]
    .venv/bin/python benchmarks/capacity.py --with-roster --scenarios hanoi-2022 --runs 2

Prints a markdown table and writes it to benchmarks/results/capacity.md (with `--with-roster`:
the plan made to agree with its officer roster, to benchmarks/results/plan-with-roster.md).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found.extend(int(p) for p in handle.read().split())
    except OSError:
        pass
    return found


def _tree_rss_bytes(pid: int) -> int:
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/status") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
                        break
        except OSError:
            continue
        stack.extend(_children(current))
    return total


def run_once(scenario: Path, workers: int, extra: list[str], roster: bool = False) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        command = [sys.executable, "-m", "optimizer", "plan", str(scenario), "--out", str(out),
                   *([] if roster else ["--no-roster"]), "--workers", str(workers), *extra]
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        peak = 0
        while process.poll() is None:
            peak = max(peak, _tree_rss_bytes(process.pid))
            time.sleep(0.05)
        wall = time.perf_counter() - start
        stderr = process.stderr.read().decode()
        if process.returncode != 0:
            raise SystemExit(f"plan failed on {scenario}:\n{stderr}")
        summary = json.loads((out / "summary.json").read_text())
        check = subprocess.run([sys.executable, "-m", "optimizer", "check", str(scenario), str(out)],
                               cwd=ROOT, capture_output=True, text=True)
    summary["bench_wall_seconds"] = wall
    summary["bench_peak_rss_mb"] = peak / 2**20
    summary["bench_check_ok"] = check.returncode == 0
    return summary


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--scenarios", nargs="+", default=["tiny", "hanoi-2022"])
    parser.add_argument("--with-roster", action="store_true", help="also roster the officers (plan and roster agree)")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    if args.out is None:
        args.out = ROOT / "benchmarks" / "results" / ("plan-with-roster.md" if args.with_roster else "capacity.md")
    rows = []
    for name in args.scenarios:
        runs = [run_once(ROOT / "scenarios" / name, args.workers, [], args.with_roster) for _ in range(args.runs)]
        walls = [r["bench_wall_seconds"] for r in runs]
        last = runs[-1]
        same = len({(r["enrolled"], r["objective"]) for r in runs}) == 1
        days = last["coverage_days"]
        rows.append({
            "scenario": name, "runs": args.runs, "median_s": statistics.median(walls), "min_s": min(walls),
            "max_s": max(walls), "peak_mb": max(r["bench_peak_rss_mb"] for r in runs),
            "target": last["target"], "enrolled": last["enrolled"], "max_enrollable": last["max_enrollable"],
            "gap": last["gap"], "baseline": last["baseline_enrolled"],
            "gain": last["gain_over_baseline"], "days95": days["95"], "days90": days["90"],
            "deterministic": same, "check": all(r["bench_check_ok"] for r in runs),
            "capacity_s": statistics.median(r["timings"].get("capacity_seconds", 0) for r in runs),
            "roster_s": statistics.median(r["timings"].get("roster_seconds", 0) for r in runs),
            "roster": last.get("roster"),
        })
    header = ("| scenario | runs | wall median (min-max) s | peak memory (process tree) | target | enrolled | "
              "max_enrollable (bound) | gap | baseline enrolled | gain | 90 % reached (plan / baseline) | "
              "95 % reached (plan / baseline) | same plan every run | checker |")
    lines = [header, "|" + "---|" * 14]

    def day(entry):
        plan, base = entry["plan"], entry["baseline"]
        fmt = lambda d: "never" if d is None else f"day {d + 1}"
        return f"{fmt(plan)} / {fmt(base)}"

    for r in rows:
        gap = "n/a" if r["gap"] is None else f"{100 * r['gap']:.2f} %"
        lines.append(
            f"| {r['scenario']} | {r['runs']} | {r['median_s']:.1f} ({r['min_s']:.1f}-{r['max_s']:.1f}) | "
            f"{r['peak_mb']:.0f} MB | {r['target']:,} | {r['enrolled']:,} | {r['max_enrollable']:,} | {gap} | "
            f"{r['baseline']:,} | +{r['gain']:,} | {day(r['days90'])} | {day(r['days95'])} | "
            f"{'yes' if r['deterministic'] else 'NO'} | {'pass' if r['check'] else 'FAIL'} |")
    if args.with_roster:
        lines += ["", "| scenario | capacity phase median s | roster phase median s (target 60) | officer-shifts | "
                      "officers working | crew slots the first roster left empty (then closed or re-planned) |",
                  "|---|---|---|---|---|---|"]
        for r in rows:
            roster = r["roster"] or {}
            lines.append(f"| {r['scenario']} | {r['capacity_s']:.1f} | {r['roster_s']:.1f} | "
                         f"{roster.get('officer_shifts', 0):,} | {roster.get('officers_working', 0):,} | "
                         f"{roster.get('unstaffed_slots', 0):,} |")
    table = "\n".join(lines)
    print(table)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    title = "Plan with officer rosters" if args.with_roster else "Capacity plan"
    load = os.getloadavg()[0]
    command = " ".join(["benchmarks/capacity.py", *(argv or sys.argv[1:])])
    args.out.write_text(f"# {title} benchmark\n\nLoad average at the end: {load:.1f}. `{command}`"
                        f" on {os.cpu_count()} cores, workers={args.workers}.\n\n{table}\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
