"""Curtois & Qu nurse-rostering benchmark for the officer rostering engine.

    .venv/bin/python benchmarks/curtois.py benchmarks/curtois/Instance{1,3,5}.txt \
        --time-limit 60 --workers 2 --out out/curtois [--seed 0] [--work-limit 36]
    .venv/bin/python benchmarks/curtois.py --summarise out/curtois [out/curtois-seed1 ...]
    .venv/bin/python benchmarks/curtois.py benchmarks/curtois/Instance13.txt --plain --out out/plain

Each instance is mapped into the generic rostering problem and solved by the same engine the
Hà Nội rosters use (`optimizer.roster.solve.solve`). The objective is then recomputed
independently from the parsed instance and the (employee, day, shift) list, and the hard rules
are re-checked the same way. `--plain` solves instead the engine's full CP-SAT model as it is
(no construction, no MIP sweep, no neighbourhood search; CP-SAT's default portfolio): the
baseline the engine is measured against. Writes `DIR/results.json` (one record per instance) and
`DIR/<stem>.solution.csv` (employee,day,shift; day index from 0; one row per worked shift).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import time  # noqa: E402
from types import SimpleNamespace  # noqa: E402

from ortools.sat.python import cp_model  # noqa: E402

from optimizer.roster import curtois  # noqa: E402
from optimizer.roster.compiled import Compiled  # noqa: E402
from optimizer.roster.cost import evaluate  # noqa: E402
from optimizer.roster.model import RosterModel  # noqa: E402
from optimizer.roster.solve import solve  # noqa: E402

DEFAULT_BEST_KNOWN = Path(__file__).resolve().parent / "curtois" / "best_known.csv"


def best_known_values(path: Path) -> dict[str, float]:
    """Best known objective per instance file stem (e.g. 'Instance1' -> 607)."""
    if not path.exists():
        return {}
    with path.open(newline="", encoding="utf-8") as handle:
        return {Path(row["file"]).stem: float(row["best_known"]) for row in csv.DictReader(handle)}


def plain_model(problem, time_limit: float, workers: int, seed: int, log: bool = False) -> SimpleNamespace:
    """The engine's full CP-SAT model solved as it is, from nothing, for `time_limit` seconds."""
    started = time.monotonic()
    compiled = Compiled(problem)
    model = RosterModel(compiled)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    solver.parameters.max_time_in_seconds = max(0.01, time_limit - (time.monotonic() - started))
    solver.parameters.log_search_progress = log
    status = solver.solve(model.model)
    found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    assignments = model.read_plan(solver).to_assignments(problem) if found else []
    return SimpleNamespace(
        assignments=assignments, has_roster=found,
        objective=evaluate(problem, assignments, details=False).objective if found else None,
        bound=solver.best_objective_bound / compiled.scale if found else None,
        status=SimpleNamespace(value=solver.status_name(status).lower()),
        seconds=time.monotonic() - started, stats={"stopped_by": "plain", "deterministic": False})


def run_instance(path: Path, time_limit: float, workers: int, seed: int, out: Path,
                 best_known: dict[str, float], log: bool = False, work_limit: float | None = None,
                 plain: bool = False) -> dict:
    instance = curtois.read_instance(path)
    problem = curtois.to_problem(instance)
    if plain:
        result = plain_model(problem, time_limit, workers, seed, log)
    else:
        result = solve(problem, time_limit_seconds=time_limit, workers=workers, seed=seed, log=log,
                       work_limit=work_limit)
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
        "work_limit": work_limit,
        "stopped_by": result.stats.get("stopped_by"),
        "workers": workers,
        "deterministic": result.stats.get("deterministic"),
        "solver": "plain CP-SAT model" if plain else "engine",
    }
    if violations:
        record["first_violations"] = violations[:5]
    if objective is not None and result.objective is not None and abs(objective - result.objective) > 1e-6:
        record["objective_mismatch"] = True
    return record


def markdown_table(runs: list[list[dict]]) -> str:
    """One row per instance and run (e.g. per seed): best known, objective, gap, bound, seconds."""
    lines = ["| instance | best known | seed | objective | gap % | bound | status | seconds |",
             "|---|---:|---:|---:|---:|---:|---|---:|"]
    rows = sorted((r for run in runs for r in run),
                  key=lambda r: (int("".join(ch for ch in r["instance"] if ch.isdigit()) or 0), r.get("seed", 0)))
    for r in rows:
        gap = "-" if r["gap_to_best_known"] is None else f"{100 * r['gap_to_best_known']:.2f}"
        bound = "-" if r["bound"] is None else f"{r['bound']:g}"
        objective = "-" if r["objective"] is None else f"{r['objective']:g}"
        known = "-" if r["best_known"] is None else f"{r['best_known']:g}"
        lines.append(f"| {r['instance']} | {known} | {r.get('seed', 0)} | {objective} | {gap} | {bound} | "
                     f"{r['status']} | {r['seconds']:.1f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path,
                        help="InstanceN.txt files (with --summarise: result folders)")
    parser.add_argument("--summarise", action="store_true",
                        help="print a markdown table of the results.json in the given folders")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per instance")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--work-limit", type=float, default=None,
                        help="deterministic work budget instead of the one derived from --time-limit "
                             "(reproducible on a busy machine; keep --time-limit generous)")
    parser.add_argument("--out", type=Path, help="output folder")
    parser.add_argument("--best-known", type=Path, default=DEFAULT_BEST_KNOWN)
    parser.add_argument("--log", action="store_true", help="print search progress")
    parser.add_argument("--plain", action="store_true",
                        help="solve the engine's full CP-SAT model as it is (the baseline), not the engine")
    args = parser.parse_args(argv)
    if args.summarise:
        runs = [json.loads((folder / "results.json").read_text(encoding="utf-8")) for folder in args.files]
        print(markdown_table(runs))
        return 0
    if args.out is None:
        parser.error("--out is required")
    args.out.mkdir(parents=True, exist_ok=True)
    best_known = best_known_values(args.best_known)
    records = []
    for path in args.files:
        record = run_instance(path, args.time_limit, args.workers, args.seed, args.out, best_known, args.log,
                              args.work_limit, args.plain)
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
