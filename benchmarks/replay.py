"""Closed-loop replay over several seeds: the nightly loop against the unchanged day-1 plan and
the proportional baseline, under the same noisy demand (optimizer.nightly.replay).

    .venv/bin/python benchmarks/replay.py [--scenario scenarios/tiny] [--seeds 0-9] [--nights N]
        [--time-limit S] [--workers N] [--out benchmarks/results/replay.md]

    # Hà Nội, a few nights and a short time limit:
    .venv/bin/python benchmarks/replay.py --scenario scenarios/hanoi-2022 --seeds 1-2 --nights 3 \
        --time-limit 20 --out benchmarks/results/replay-hanoi.md

The day-1 plan is made once (it does not depend on the seed). Prints a table per seed (final
coverage of each policy, day reaching 95 %, kit-shift changes per night, turnout error of the
prior and of the nightly estimates against what the remaining days really brought, averaged over
the nights) and the mean, and writes it as markdown.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from optimizer.nightly.replay import run_replay  # noqa: E402
from optimizer.nightly.run import NightlyOptions  # noqa: E402
from optimizer.planner import SolveOptions, run_plan  # noqa: E402
from optimizer.scenario import load_scenario  # noqa: E402


def seeds(text: str) -> list[int]:
    out = []
    for part in text.split(","):
        if "-" in part:
            a, b = part.split("-")
            out.extend(range(int(a), int(b) + 1))
        else:
            out.append(int(part))
    return out


def pct(x) -> str:
    return "n/a" if x is None else f"{100 * x:.2f} %"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", type=Path, default=ROOT / "scenarios" / "tiny")
    parser.add_argument("--seeds", type=seeds, default=list(range(10)))
    parser.add_argument("--nights", type=int, default=None)
    parser.add_argument("--time-limit", type=float, default=None)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "replay.md")
    args = parser.parse_args()
    scenario = load_scenario(args.scenario)
    options = NightlyOptions(time_limit_seconds=args.time_limit, workers=args.workers, with_roster=False)
    began = time.perf_counter()
    initial = run_plan(scenario, SolveOptions(workers=args.workers, time_limit_seconds=args.time_limit))
    print(f"day-1 plan: {time.perf_counter() - began:.1f} s", file=sys.stderr, flush=True)
    reports = []
    for seed in args.seeds:
        t = time.perf_counter()
        report, _ = run_replay(scenario, seed, nights=args.nights, options=options, initial=initial,
                               progress=lambda m, f: print(f"  seed {seed}: {m}", file=sys.stderr, flush=True))
        reports.append(report)
        print(f"seed {seed}: nightly {pct(report['policies']['nightly']['final_coverage'])}, day-1 plan "
              f"{pct(report['policies']['day1_plan']['final_coverage'])} ({time.perf_counter() - t:.0f} s)",
              file=sys.stderr, flush=True)
    nights = reports[0]["nights"]
    lines = [f"# Closed-loop replay: {scenario.name}", "",
             f"{len(scenario.wards)} wards, {scenario.n_days} days; {nights} nights re-planned per seed; truth: "
             f"turnout multiplier per district lognormal (sigma {reports[0]['truth']['district_sigma']}), daily "
             f"noise per ward-day (sigma {reports[0]['truth']['daily_sigma']}), show-up x lognormal(0.1). "
             f"Rosters skipped (kit-shift changes counted). Time limit {args.time_limit or 'scenario default'}; "
             f"machine {platform.node()}.", "",
             "| seed | nightly | day-1 plan | baseline | nightly - day-1 (points) "
             "| day to 95 % (nightly / day-1 / baseline) | kit-shift changes per night "
             "| turnout error, mean over nights (prior -> estimate) |",
             "|---|---|---|---|---|---|---|---|"]
    for r in reports:
        p = r["policies"]
        nights_run = r["per_night"]
        error = ("n/a" if not nights_run else
                 f"{statistics.mean(n['turnout_error_prior'] for n in nights_run):.3f} -> "
                 f"{statistics.mean(n['turnout_error_estimate'] for n in nights_run):.3f}")
        lines.append(f"| {r['seed']} | {pct(p['nightly']['final_coverage'])} | "
                     f"{pct(p['day1_plan']['final_coverage'])} | {pct(p['baseline']['final_coverage'])} | "
                     f"{100 * r['nightly_ahead_of_day1_plan']:+.2f} | "
                     f"{p['nightly']['days_to_95']} / {p['day1_plan']['days_to_95']} / {p['baseline']['days_to_95']} | "
                     f"{p['nightly']['kit_shift_changes_per_night']} | "
                     f"{error} |")
    mean = {k: statistics.mean(r["policies"][k]["final_coverage"] for r in reports)
            for k in ("nightly", "day1_plan", "baseline")}
    ahead = sum(r["nightly_ahead_of_day1_plan"] > 0 for r in reports)
    lines.append(f"| **mean** | **{pct(mean['nightly'])}** | **{pct(mean['day1_plan'])}** | "
                 f"**{pct(mean['baseline'])}** | **{100 * (mean['nightly'] - mean['day1_plan']):+.2f}** | | "
                 f"{statistics.mean(r['policies']['nightly']['kit_shift_changes_per_night'] for r in reports):.1f} | |")
    lines += ["", f"The nightly loop is ahead of the unchanged day-1 plan on {ahead} of {len(reports)} seeds.",
              f"Wall time {time.perf_counter() - began:.0f} s.", "",
              "Rerun: `.venv/bin/python benchmarks/replay.py " + " ".join(sys.argv[1:]) + "`", ""]
    text = "\n".join(lines)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
