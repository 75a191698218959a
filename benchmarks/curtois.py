"""Curtois & Qu nurse-rostering benchmark for the officer rostering engine.

    .venv/bin/python benchmarks/curtois.py benchmarks/curtois/Instance{1,3,5}.txt \
        --time-limit 60 --workers 2 --out out/curtois [--seeds 0 1 2] [--work-limit 36]
    .venv/bin/python benchmarks/curtois.py --summarise out/curtois [out/curtois-seed1 ...]
    .venv/bin/python benchmarks/curtois.py benchmarks/curtois/Instance13.txt --plain --out out/plain

Each instance is mapped into the generic rostering problem and solved by the same engine the
Hà Nội rosters use (`optimizer.roster.solve.solve`). The objective is then recomputed
independently from the parsed instance and the (employee, day, shift) list, and the hard rules
are re-checked the same way. `--plain` solves instead the engine's full CP-SAT model as it is
(no construction, no MIP sweep, no neighbourhood search; CP-SAT's default portfolio): the
baseline the engine is measured against. Writes `DIR/results.json` (one record per instance and
seed) and `DIR/<stem>.solution.csv` (`DIR/<stem>.seedK.solution.csv` with several seeds;
employee,day,shift; day index from 0; one row per worked shift), and prints per instance the
median and the range of the objective over the seeds.

A solution file is written only for a roster that breaks no hard rule by the independent check
(`curtois.hard_violations`). When the engine found none in the time (or its roster breaks a hard
rule), the record says so (`solution_file: null`, `status`), no file is written, and the exit
code is 1.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
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
                 plain: bool = False, solution_name: str | None = None) -> dict:
    """Solve one instance with one seed; write its solution file only if its roster keeps every
    hard rule (independent check); return its record."""
    instance = curtois.read_instance(path)
    problem = curtois.to_problem(instance)
    if plain:
        result = plain_model(problem, time_limit, workers, seed, log)
    else:
        result = solve(problem, time_limit_seconds=time_limit, workers=workers, seed=seed, log=log,
                       work_limit=work_limit)
    roster = [(a.employee, a.day, a.shift) for a in result.assignments]
    objective = curtois.objective(instance, roster) if result.has_roster else None
    violations = curtois.hard_violations(instance, roster) if result.has_roster else []
    status = result.status.value
    solution = out / (solution_name or f"{path.stem}.solution.csv")
    if result.has_roster and not violations:
        write_solution(solution, roster)
    elif violations:
        status = "rejected: breaks hard rules"
    known = best_known.get(path.stem)
    valid = result.has_roster and not violations
    gap = None
    if valid and known:
        gap = (objective - known) / known
    record = {
        "instance": path.stem,
        "objective": objective if valid else None,
        "engine_objective": result.objective,
        "bound": result.bound,
        "status": status,
        "seconds": round(result.seconds, 2),
        "best_known": known,
        "gap_to_best_known": None if gap is None else round(gap, 6),
        "hard_violations": len(violations),
        "solution_file": solution.name if valid else None,
        "seed": seed,
        "time_limit": time_limit,
        "work_limit": work_limit,
        "stopped_by": result.stats.get("stopped_by"),
        "workers": workers,
        "deterministic": result.stats.get("deterministic"),
        "solver": "plain CP-SAT model" if plain else "engine",
        "phases": result.stats.get("phases", []),
    }
    if violations:
        record["first_violations"] = violations[:5]
        record["rejected_objective"] = objective
    if objective is not None and result.objective is not None and abs(objective - result.objective) > 1e-6:
        record["objective_mismatch"] = True
    return record


def write_solution(path: Path, roster: list[tuple[str, int, str]]) -> None:
    """Write `employee,day,shift` rows atomically (a temporary file renamed into place)."""
    temporary = path.with_name(path.name + ".tmp")
    with temporary.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["employee", "day", "shift"])
        writer.writerows(sorted(roster, key=lambda r: (r[0], r[1])))
    os.replace(temporary, path)


def _gap_text(value: float, known: float | None) -> str:
    return "-" if not known else f"{100 * (value - known) / known:.2f}"


def spread_table(records: list[dict]) -> str:
    """One row per instance: seeds run, rosters found, median objective and gap, min-max."""
    lines = ["| instance | best known | seeds | rosters | median | median gap % | min-max | min-max gap % |",
             "|---|---:|---:|---:|---:|---:|---|---|"]
    by_instance: dict[str, list[dict]] = {}
    for r in records:
        by_instance.setdefault(r["instance"], []).append(r)
    for name in sorted(by_instance, key=lambda n: (int("".join(ch for ch in n if ch.isdigit()) or 0), n)):
        runs = by_instance[name]
        values = sorted(r["objective"] for r in runs if r["objective"] is not None)
        known = runs[0]["best_known"]
        if values:
            median = statistics.median(values)
            cells = [f"{median:g}", _gap_text(median, known), f"{values[0]:g}-{values[-1]:g}",
                     f"{_gap_text(values[0], known)}-{_gap_text(values[-1], known)}" if known else "-"]
        else:
            cells = ["-", "-", "-", "-"]
        lines.append(f"| {name} | {'-' if known is None else f'{known:g}'} | {len(runs)} | {len(values)} | "
                     + " | ".join(cells) + " |")
    return "\n".join(lines)


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
    parser.add_argument("--seeds", type=int, nargs="+", default=None,
                        help="several seeds (instead of --seed): prints the median and range per instance")
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
        print()
        print(spread_table([r for run in runs for r in run]))
        return 0
    if args.out is None:
        parser.error("--out is required")
    args.out.mkdir(parents=True, exist_ok=True)
    best_known = best_known_values(args.best_known)
    seeds = args.seeds if args.seeds else [args.seed]
    records = []
    for path in args.files:
        for seed in seeds:
            name = f"{path.stem}.solution.csv" if len(seeds) == 1 else f"{path.stem}.seed{seed}.solution.csv"
            record = run_instance(path, args.time_limit, args.workers, seed, args.out, best_known, args.log,
                                  args.work_limit, args.plain, solution_name=name)
            records.append(record)
            gap = record["gap_to_best_known"]
            print(f"{record['instance']:>11} seed {seed}: objective {record['objective']} (best known "
                  f"{record['best_known']}, gap {'-' if gap is None else f'{100 * gap:.2f} %'}), "
                  f"bound {record['bound']}, "
                  f"{record['status']}, {record['seconds']} s, hard violations {record['hard_violations']}, "
                  f"solution file {record['solution_file'] or 'none (no roster keeping every hard rule)'}",
                  flush=True)
            temporary = args.out / "results.json.tmp"
            temporary.write_text(json.dumps(records, indent=2), encoding="utf-8")
            os.replace(temporary, args.out / "results.json")
    print()
    print(spread_table(records))
    missing = sorted({r["instance"] for r in records if r["solution_file"] is None})
    if missing:
        print(f"no roster keeping every hard rule for: {', '.join(missing)} (no solution file written)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
