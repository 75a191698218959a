"""Curtois & Qu nurse-rostering benchmark for the officer rostering engine.

    .venv/bin/python benchmarks/curtois.py ../shared/benchmarks/curtois/Instance{1,3,5}.txt \
        --time-limit 60 --workers 2 --out out/curtois [--seed 0]

Each instance is mapped into the generic rostering problem and solved by the same engine the
Hà Nội rosters use (`optimizer.roster.solve.solve`). The objective is then recomputed
independently from the parsed instance and the (employee, day, shift) list, and the hard rules
are re-checked the same way. Writes `DIR/results.json` (one record per instance) and
`DIR/<stem>.solution.csv` (employee,day,shift; day index from 0; one row per worked shift).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from optimizer.roster import curtois  # noqa: E402
from optimizer.roster.solve import solve  # noqa: E402

DEFAULT_BEST_KNOWN = Path(__file__).resolve().parent / "curtois" / "best_known.csv"


def best_known_values(path: Path) -> dict[str, float]:
    """Best known objective per instance file stem (e.g. 'Instance1' -> 607)."""
    if not path.exists():
        return {}
    with path.open(newline="", encoding="utf-8") as handle:
        return {Path(row["file"]).stem: float(row["best_known"]) for row in csv.DictReader(handle)}


def run_instance(path: Path, time_limit: float, workers: int, seed: int, out: Path,
                 best_known: dict[str, float], log: bool = False) -> dict:
    instance = curtois.read_instance(path)
    problem = curtois.to_problem(instance)
    result = solve(problem, time_limit_seconds=time_limit, workers=workers, seed=seed, log=log)
    roster = [(a.employee, a.day, a.shift) for a in result.assignments]
    with (out / f"{path.stem}.solution.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["employee", "day", "shift"])
        writer.writerows(sorted(roster, key=lambda r: (r[0], r[1])))
    objective = curtois.objective(instance, roster) if result.has_roster else None
    violations = curtois.hard_violations(instance, roster) if result.has_roster else []
    known = best_known.get(path.stem)
    gap = None
    if objective is not None and known:
        gap = (objective - known) / known
    record = {
        "instance": path.stem,
        "objective": objective,
        "engine_objective": result.objective,
        "bound": result.bound,
        "status": result.status.value,
        "seconds": round(result.seconds, 2),
        "best_known": known,
        "gap_to_best_known": None if gap is None else round(gap, 6),
        "hard_violations": len(violations),
        "seed": seed,
        "time_limit": time_limit,
        "workers": workers,
        "deterministic": result.stats.get("deterministic"),
    }
    if violations:
        record["first_violations"] = violations[:5]
    if objective is not None and result.objective is not None and abs(objective - result.objective) > 1e-6:
        record["objective_mismatch"] = True
    return record


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path, help="InstanceN.txt files")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per instance")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--best-known", type=Path, default=DEFAULT_BEST_KNOWN)
    parser.add_argument("--log", action="store_true", help="print search progress")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    best_known = best_known_values(args.best_known)
    records = []
    for path in args.files:
        record = run_instance(path, args.time_limit, args.workers, args.seed, args.out, best_known, args.log)
        records.append(record)
        gap = record["gap_to_best_known"]
        print(f"{record['instance']:>11}: objective {record['objective']} (best known {record['best_known']}, "
              f"gap {'-' if gap is None else f'{100 * gap:.2f} %'}), bound {record['bound']}, "
              f"{record['status']}, {record['seconds']} s, hard violations {record['hard_violations']}",
              flush=True)
        (args.out / "results.json").write_text(json.dumps(records, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
