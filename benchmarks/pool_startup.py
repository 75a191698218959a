"""Start-up cost of the app's re-plan worker pool: fork server (the app's) against fork.

    .venv/bin/python benchmarks/pool_startup.py [--repeats 5] [--workers 2]

For each start method and repeat, a new `optimizer.ui.replan.WorkerPool` answers its first
`map` (the workers start), then a second one (workers warm); then tiny's plan is solved through
the pool (two districts on two workers). Prints the medians. The fork server's workers hold none
of the calling process's sockets (tests/test_app_ui.py), which forked workers do.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from optimizer.scenario import load_scenario  # noqa: E402
from optimizer.ui import replan  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def measure(method: str, workers: int, scenario) -> tuple[float, float, float]:
    pool = replan.WorkerPool(workers)
    pool.START_METHOD = method
    try:
        start = time.perf_counter()
        pool.map(abs, range(workers * 4))
        first = time.perf_counter() - start
        start = time.perf_counter()
        pool.map(abs, range(workers * 4))
        warm = time.perf_counter() - start
        start = time.perf_counter()
        replan.plan(scenario, cache=replan.DistrictPlanCache(), pool=pool)
        plan = time.perf_counter() - start
    finally:
        pool.shutdown()
    return first, warm, plan


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    scenario = load_scenario(ROOT / "scenarios" / "tiny")
    print(f"load average before: {os.getloadavg()[0]:.1f}; {os.cpu_count()} cores; {args.workers} workers; "
          f"median of {args.repeats}")
    print("| start method | first map s (workers start) | warm map s | tiny plan on the pool s |")
    print("|---|---|---|---|")
    for method in ("forkserver", "fork"):
        rows = [measure(method, args.workers, scenario) for _ in range(args.repeats)]
        first, warm, plan = (statistics.median(r[i] for r in rows) for i in range(3))
        print(f"| {method} | {first:.2f} | {warm:.3f} | {plan:.2f} |")
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
