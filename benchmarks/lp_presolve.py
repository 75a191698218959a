"""HiGHS presolve on or off for the district relaxations (why `LPSession` turns it off).

    .venv/bin/python benchmarks/lp_presolve.py [--scenario scenarios/hanoi-2022] [--runs 3]

Solves every district's LP relaxation from scratch, as `solve_district` does first, with each
setting; prints the CPU seconds (median of `--runs`) and checks both give the same optimum.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from optimizer.capacity import campaign  # noqa: E402
from optimizer.capacity.lp import LPSession  # noqa: E402
from optimizer.capacity.model import DistrictModel  # noqa: E402
from optimizer.scenario import load_scenario  # noqa: E402


def relaxations(models: list, presolve: str) -> tuple[float, float]:
    """(CPU seconds, sum of optima) of solving every model's relaxation afresh."""
    seconds, total = 0.0, 0.0
    for model in models:
        session = LPSession(model.lp)
        session.highs.setOptionValue("presolve", presolve)
        start = time.process_time()
        solution = session.solve()
        seconds += time.process_time() - start
        total += solution.objective
    return seconds, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "hanoi-2022"))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    scenario = load_scenario(args.scenario)
    models = [DistrictModel(data, reserve=(campaign.RESERVE_PRICE_FLOOR, scenario.city_mobile_kits))
              for data in campaign.district_inputs(scenario)]
    print(f"{len(models)} district relaxations; load average {os.getloadavg()[0]:.1f}")
    print("| presolve | CPU s (median) | runs | sum of optima |")
    print("|---|---:|---|---:|")
    optima = {}
    for presolve in ("on", "off"):
        runs = [relaxations(models, presolve) for _ in range(args.runs)]
        optima[presolve] = runs[0][1]
        print(f"| {presolve} | {statistics.median(r[0] for r in runs):.2f} | "
              f"{', '.join(f'{r[0]:.2f}' for r in runs)} | {runs[0][1]:,.3f} |")
    same = abs(optima["on"] - optima["off"]) <= 1e-6 * max(1.0, abs(optima["on"]))
    print(f"same optimum: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
