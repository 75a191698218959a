"""CPU seconds and plan digest of every district of a capacity plan, solved one after another.

    PYTHONPATH=$PWD .venv/bin/python benchmarks/district_cpu.py [--scenario scenarios/hanoi-2022]
        [--districts 277,003]

Each district is solved in this process as a worker solves it in `plan --no-roster` (token
reserve price, enrolled bound). Prints, per district: wards, CPU seconds, LP bound, the integer
plan's model value, the enrolled bound, a digest of its decisions and the method; then the
total CPU, the gap of the sums, one digest over all districts (same code, inputs and seed must
give the same digest), and the busiest of 2 workers' CPU seconds when the districts are handed
out largest first in pairs (the old batches) or one at a time to whichever worker is free.
CPU time (time.process_time) rather than wall: the machine is shared.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from optimizer.capacity import campaign, district  # noqa: E402
from optimizer.scenario import load_scenario  # noqa: E402


def busiest_worker(seconds: list[float], workers: int, batched: bool) -> float:
    """CPU seconds of the busiest worker: in batches of `workers` (each batch waits for its
    slowest) or each district to the first free worker (list scheduling)."""
    if batched:
        return sum(max(seconds[i:i + workers]) for i in range(0, len(seconds), workers))
    load = [0.0] * workers
    for value in seconds:
        load[load.index(min(load))] += value
    return max(load)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "hanoi-2022"))
    parser.add_argument("--districts", default="", help="comma-separated district codes (default: all)")
    args = parser.parse_args()
    scenario = load_scenario(args.scenario)
    only = set(filter(None, args.districts.split(",")))
    everything = hashlib.sha256()
    rows = []
    moves_seconds = [0.0]
    improve_by_moves = district.improve_by_moves

    def timed_moves(*args, **kwargs):
        begin = time.process_time()
        try:
            return improve_by_moves(*args, **kwargs)
        finally:
            moves_seconds[0] += time.process_time() - begin

    district.improve_by_moves = timed_moves
    start = time.process_time()
    for data in campaign.district_inputs(scenario):
        if only and data.district_code not in only:
            continue
        begin = time.process_time()
        plan = district.solve_district(data, (campaign.RESERVE_PRICE_FLOOR, scenario.city_mobile_kits),
                                       with_enrolled_bound=True)
        seconds = time.process_time() - begin
        digest = hashlib.sha256()
        for array in (plan.kits_open, plan.mobile_kits, plan.home_visit_teams, plan.letters, plan.call_shift):
            if array is not None:
                digest.update(np.ascontiguousarray(array).tobytes())
        everything.update(digest.digest())
        rows.append((data.district_code, len(data.ward_index), seconds, plan.relaxed_objective,
                     plan.integer_objective, plan.enrolled_bound, digest.hexdigest()[:10], plan.method))
        print(f"{data.district_code}\t{len(data.ward_index)}\t{seconds:.2f}\t{plan.relaxed_objective:.1f}\t"
              f"{plan.integer_objective:.1f}\t{plan.enrolled_bound:.1f}\t{digest.hexdigest()[:10]}\t{plan.method}",
              flush=True)
    total = time.process_time() - start
    relaxed, integer = sum(r[3] for r in rows), sum(r[4] for r in rows)
    largest_first = [r[2] for r in sorted(rows, key=lambda r: (-r[1], r[0]))]
    print(f"total CPU {total:.2f} s (moves between wards {moves_seconds[0]:.2f} s); "
          f"LP bound {relaxed:.1f}, plans {integer:.1f}, gap "
          f"{100 * (relaxed - integer) / relaxed:.3f} %; digest {everything.hexdigest()[:12]}")
    print(f"busiest of 2 workers: batches of 2 {busiest_worker(largest_first, 2, True):.2f} s, "
          f"one pool {busiest_worker(largest_first, 2, False):.2f} s")


if __name__ == "__main__":
    main()
