"""Plan every province of a country folder and write the national outputs, atomically.

    OUT/<province folder>/   the same files as `plan` writes, per province
    OUT/provinces.csv        one row per province: target, enrolled, coverage, max_enrollable, gap,
                             baseline, days to 90 % and 95 %, wall seconds, status, error
    OUT/projection.csv       the national projection: people enrolled and coverage by date, plan
                             and baseline, over the provinces planned
    OUT/summary.json         national totals, the executor, every province's status, input hash,
                             versions

`days_to_90` counts campaign days: 1 when coverage reaches 90 % by the end of the first day;
empty when it never does. National totals count the provinces that were planned; a province
that failed is listed with its one-line error and left out of the totals.

Provinces are independent tasks (each holds its own reserve), sent largest first so that no
worker is left with a big one at the end; each worker writes its province's folder itself, the
driver keeps only the small records. Everything is written into a hidden folder beside OUT that
then replaces OUT: a failed or interrupted run leaves the previous output as it was. OUT is only
replaced when it is empty or an earlier output of this command.
"""

from __future__ import annotations

import json
import platform
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import ScenarioError
from ..exports.outputs import atomic_folder, write_json
from .folders import ProvinceFolder, country_hash, province_folders
from .province import STATUS_BAD_INPUT, STATUS_FAILED, ProvinceTask, plan_province

KIND = "plan-country"
PLANNED = ("optimal", "feasible")
PROVINCE_COLUMNS = ["province_code", "folder", "province_name", "scenario", "districts", "wards", "target",
                    "enrolled", "coverage", "max_enrollable", "gap", "baseline_enrolled", "baseline_coverage",
                    "days_to_90", "days_to_95", "baseline_days_to_90", "baseline_days_to_95", "wall_seconds",
                    "cpu_seconds", "check", "status", "error"]
Progress = Callable[[str, float], None]


@dataclass
class CountryOptions:
    """How to plan the country: which back end, how many workers, what each province runs."""

    executor: str = "local"             # local | ray
    ray_address: str | None = None      # join this Ray cluster instead of starting one
    workers: int | None = 1             # None with a Ray cluster: all its CPUs
    with_roster: bool = True
    time_limit_seconds: float | None = None
    seed: int | None = None
    language: str = "vi"
    codes: list[str] | None = None      # plan only these provinces
    check: bool = False                 # re-verify every province's outputs with the independent checker
    split_large: bool = True            # on Ray: a province bigger than a worker's fair share
                                        # runs its districts as Ray tasks of their own


@dataclass
class CountryReport:
    out_dir: Path
    provinces: pd.DataFrame
    summary: dict = field(default_factory=dict)

    @property
    def failed(self) -> pd.DataFrame:
        return self.provinces[~self.provinces["status"].isin(PLANNED)]

    @property
    def bad_input(self) -> bool:
        return bool((self.provinces["status"] == STATUS_BAD_INPUT).any())


def check_output_folder(out_dir: Path, kinds: tuple[str, ...] = (KIND,)) -> None:
    """Refuse to replace a folder this command did not write (rule: OUT must be missing, empty,
    or hold a summary.json of one of `kinds` beside the planner's marker file)."""
    from ..exports.outputs import check_output_folder as check_planner_folder

    check_planner_folder(out_dir)   # a file, a foreign folder, the current folder: refused
    if not out_dir.exists() or not any(out_dir.iterdir()):
        return
    try:
        kind = json.loads((out_dir / "summary.json").read_text(encoding="utf-8")).get("kind")
    except (OSError, ValueError, AttributeError):
        kind = None
    if kind not in kinds:
        raise ScenarioError(str(out_dir), "--out holds files this command did not write; choose another "
                            "folder (it is left untouched)")


def province_size(province: ProvinceFolder) -> int:
    """A province's size for scheduling: its wards (rows of wards.csv; 0 when unreadable)."""
    try:
        with open(province.path / "wards.csv", "rb") as handle:
            return max(0, sum(1 for _ in handle) - 1)
    except OSError:
        return 0


def plan_country(country_dir: str | Path, out_dir: str | Path, options: CountryOptions | None = None,
                 progress: Progress | None = None) -> CountryReport:
    """Plan every province of `country_dir` into `out_dir` (see the module docstring)."""
    from .. import planner  # noqa: F401 - imported once here, before local workers fork
    from ..executor import make_executor

    begin = time.perf_counter()
    options = options or CountryOptions()
    out_dir = Path(out_dir)
    provinces = province_folders(country_dir, options.codes)
    check_output_folder(out_dir)
    input_hash = country_hash(provinces)
    sizes = {p.code: province_size(p) for p in provinces}
    order = sorted(provinces, key=lambda p: (-sizes[p.code], p.code))
    total_size = sum(sizes.values())
    workers_asked = options.workers if options.executor == "ray" else (options.workers or 1)
    executor = make_executor(workers_asked, options.executor, address=options.ray_address)
    workers = int(getattr(executor, "workers", None) or options.workers or 1)
    fair_share = total_size / max(1, workers)
    if progress:
        progress(f"{len(provinces)} provinces, {total_size:,} wards; executor {options.executor}, "
                 f"{workers} workers", 0.0)
    records: list[dict] = []
    try:
        with atomic_folder(out_dir) as staging:
            tasks = [ProvinceTask(province=p, out_dir=staging / p.name, with_roster=options.with_roster,
                                  time_limit_seconds=options.time_limit_seconds, seed=options.seed,
                                  language=options.language, check=options.check,
                                  districts_on_ray=(options.executor == "ray" and options.split_large
                                                    and workers > 1 and sizes[p.code] > fair_share))
                     for p in order]
            tracker = _ProgressTracker([sizes[p.code] for p in order], progress)
            records = executor.map(plan_province, tasks, on_done=tracker)
            for leftover in staging.glob(".*.tmp-*"):   # from a province task whose worker died and was re-run
                shutil.rmtree(leftover, ignore_errors=True)
            report = write_country_files(staging, records, options=options, workers=workers,
                                         input_hash=input_hash, country_dir=Path(country_dir),
                                         wall_seconds=time.perf_counter() - begin)
    finally:
        if hasattr(executor, "shutdown"):
            executor.shutdown()
    report.out_dir = out_dir
    return report


class _ProgressTracker:
    """Provinces done of total, with the time left estimated from the pace so far: seconds per
    ward planned (all workers together) times the wards still to plan."""

    def __init__(self, sizes: list[int], progress: Progress | None):
        self.sizes = [max(1, s) for s in sizes]
        self.total, self.progress, self.done, self.done_size = len(sizes), progress, 0, 0
        self.begin = time.perf_counter()

    def __call__(self, index: int, record: dict) -> None:
        self.done += 1
        self.done_size += self.sizes[index]
        if not self.progress:
            return
        elapsed = time.perf_counter() - self.begin
        left = elapsed / self.done_size * (sum(self.sizes) - self.done_size)
        what = (f"coverage {100 * record['coverage']:.1f} %" if record["status"] in PLANNED
                else record["error"])
        self.progress(f"provinces {self.done}/{self.total} done; {record['folder']}: {record['status']}, "
                      f"{what}, {record['wall_seconds']:.1f} s; about {left:.0f} s left",
                      self.done / self.total)


def _days(day: int | None) -> int | None:
    return None if day is None else day + 1


def province_table(records: list[dict]) -> pd.DataFrame:
    rows = []
    for r in records:
        row = {c: r.get(c) for c in PROVINCE_COLUMNS}
        for key in ("90", "95"):
            row[f"days_to_{key}"] = _days(r.get(f"day_to_{key}"))
            row[f"baseline_days_to_{key}"] = _days(r.get(f"baseline_day_to_{key}"))
        rows.append(row)
    frame = pd.DataFrame(rows, columns=PROVINCE_COLUMNS).sort_values("province_code", kind="stable")
    for column in ("districts", "wards", "target", "enrolled", "max_enrollable", "baseline_enrolled",
                   "days_to_90", "days_to_95", "baseline_days_to_90", "baseline_days_to_95"):
        frame[column] = frame[column].astype("Int64")
    return frame.reset_index(drop=True)


def national_projection(records: list[dict]) -> pd.DataFrame:
    """People enrolled and coverage by date over the planned provinces: a province counts 0
    before its campaign starts and its final number after it ends."""
    planned = [r for r in records if r["status"] in PLANNED]
    columns = ["date", "enrolled_cum", "baseline_enrolled_cum", "target", "coverage", "baseline_coverage",
               "provinces"]
    if not planned:
        return pd.DataFrame(columns=columns)
    dates = sorted({d for r in planned for d in r["by_day"]["date"]})
    enrolled = pd.Series(0, index=dates, dtype="int64")
    baseline = pd.Series(0, index=dates, dtype="int64")
    for r in planned:
        by_day = r["by_day"]
        for name, total in (("enrolled_cum", enrolled), ("baseline_enrolled_cum", baseline)):
            series = pd.Series(by_day[name], index=by_day["date"]).reindex(dates).ffill().fillna(0)
            total += series.astype("int64")
    target = int(sum(r["target"] for r in planned))
    return pd.DataFrame({"date": dates, "enrolled_cum": enrolled.to_numpy(),
                         "baseline_enrolled_cum": baseline.to_numpy(), "target": target,
                         "coverage": (enrolled / max(1, target)).round(6).to_numpy(),
                         "baseline_coverage": (baseline / max(1, target)).round(6).to_numpy(),
                         "provinces": len(planned)})[columns]


def _first_date(projection: pd.DataFrame, column: str, level: float) -> str | None:
    hit = projection[projection[column] >= level - 1e-12]
    return None if hit.empty else str(hit["date"].iloc[0])


def versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    import highspy  # noqa: F401
    import ortools

    found = {"python": platform.python_version(), "ortools": getattr(ortools, "__version__", None)}
    for package in ("highspy", "pandas", "numpy", "ray"):
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            found[package] = None
    return found


def write_country_files(folder: Path, records: list[dict], *, options: CountryOptions, workers: int,
                        input_hash: str, country_dir: Path, wall_seconds: float) -> CountryReport:
    """provinces.csv, projection.csv and summary.json of the national run into `folder`."""
    table = province_table(records)
    table.to_csv(folder / "provinces.csv", index=False, encoding="utf-8-sig")
    projection = national_projection(records)
    projection.to_csv(folder / "projection.csv", index=False)
    planned = table[table["status"].isin(PLANNED)]
    target = int(planned["target"].sum())
    enrolled = int(planned["enrolled"].sum())
    baseline = int(planned["baseline_enrolled"].sum())
    bound = None if planned["max_enrollable"].isna().any() else int(planned["max_enrollable"].sum())
    failed = table[~table["status"].isin(PLANNED)]
    summary = {
        "kind": KIND,
        "country_dir": str(country_dir),
        "provinces": len(table),
        "provinces_planned": len(planned),
        "provinces_failed": len(failed),
        "totals": {"target": target, "enrolled": enrolled, "coverage": round(enrolled / max(1, target), 6),
                   "max_enrollable": bound, "baseline_enrolled": baseline,
                   "baseline_coverage": round(baseline / max(1, target), 6),
                   "gain_over_baseline": enrolled - baseline,
                   "date_to_90": _first_date(projection, "coverage", 0.9),
                   "date_to_95": _first_date(projection, "coverage", 0.95),
                   "districts": int(planned["districts"].sum()), "wards": int(planned["wards"].sum())},
        "status": {r.province_code: r.status for r in table.itertuples()},
        "errors": {r.province_code: r.error for r in failed.itertuples()},
        "executor": {"kind": options.executor, "workers": workers, "address": options.ray_address},
        "options": {k: v for k, v in asdict(options).items() if k not in ("executor", "ray_address", "workers")},
        "input_hash": input_hash,
        "province_input_hashes": {r["province_code"]: r.get("input_hash") for r in records},
        "versions": versions(),
        "wall_seconds": round(wall_seconds, 3),
        "districts_as_ray_tasks": [r["province_code"] for r in records if r.get("districts_on_ray")],
        "province_wall_seconds": {r.province_code: r.wall_seconds for r in table.itertuples()},
        "command": " ".join(sys.argv) if sys.argv and sys.argv[0].endswith("__main__.py") else None,
    }
    write_json(folder / "summary.json", summary)
    return CountryReport(out_dir=folder, provinces=table, summary=summary)


__all__ = ["STATUS_BAD_INPUT", "STATUS_FAILED", "CountryOptions", "CountryReport", "plan_country"]
