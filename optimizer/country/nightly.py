"""The nightly re-plan of a whole country: one national actuals file, every province re-planned.

    python -m optimizer nightly COUNTRY_DIR --actuals FILE --as-of DATE --store STORE_DIR --out OUT
                                [--executor local|ray] [--ray-address ADDR] [--provinces CODES] ...

`nightly` takes this path when its scenario argument is a country folder (sub-folders holding
campaign.toml). Ward codes are unique nationwide, so each row of the national file belongs to
exactly one province: the file is split by province (a ward in no province, or a ward code two
provinces share, is bad input naming the file, row and column), and each province runs the
ordinary nightly job (`run_nightly`) on its rows, with its own plan store
`STORE_DIR/<province folder>.sqlite`, which keeps that province's history, lock and idempotency.
Provinces run as independent tasks through the executor (local processes or Ray).

    OUT/<province folder>/   the nightly outputs of the province (as `nightly` writes them)
    OUT/actuals/<province folder>.csv   the rows of the national file given to the province
    OUT/provinces.csv        one row per province: run, status, to date, projected, changes, error
    OUT/summary.json         national totals, every province's status, the executor, input hashes

Errors in a province's rows are reported against the national file and its row. Each province
publishes in its own store as it finishes; OUT appears at the end, all at once. Re-running the
night with the same inputs re-plans from the same published plans and records nothing new.

Exit codes: 0 every province re-planned; 1 some province failed (the others published);
2 bad input; 3 a province's store is busy with another run (and nothing else failed).
"""

from __future__ import annotations

import hashlib
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ..errors import ScenarioError
from ..exports.outputs import atomic_folder, write_json
from .folders import CAMPAIGN_FILE, ProvinceFolder, parse_codes, province_folders
from .run import check_output_folder

if TYPE_CHECKING:
    from ..nightly.run import NightlyOptions

KIND = "nightly-country"
STATUS_BUSY = "busy"
PROVINCE_COLUMNS = ["province_code", "folder", "run_id", "status", "as_of", "rows", "target", "enrolled_to_date",
                    "coverage_to_date", "enrolled", "coverage", "changed_kit_shifts", "changed_officer_shifts",
                    "roster_status", "wall_seconds", "error"]


def is_country_folder(path: str | Path) -> bool:
    """A country folder holds province folders (with campaign.toml) and no campaign.toml itself."""
    path = Path(path)
    return (path.is_dir() and not (path / CAMPAIGN_FILE).exists()
            and any((p / CAMPAIGN_FILE).is_file() for p in path.iterdir() if p.is_dir()))


@dataclass(frozen=True)
class ProvinceActuals:
    """One province's share of the national actuals file."""

    path: Path                 # the province's actuals file
    national_rows: list[int]   # its data rows' row numbers in the national file (header = row 1)


def split_actuals(actuals_path: Path, provinces: list[ProvinceFolder], folder: Path) -> dict[str, ProvinceActuals]:
    """Split the national actuals file by province into `folder`/<province folder>.csv.

    Rule: every row's ward_code must be the code of a ward of exactly one province planned;
    a ward code in two provinces' wards.csv, or in none, is bad input."""
    owner: dict[str, str] = {}
    for province in provinces:
        file = f"{province.name}/wards.csv"
        try:
            wards = pd.read_csv(province.path / "wards.csv", dtype=str, keep_default_na=False,
                                encoding="utf-8-sig", usecols=["ward_code"])["ward_code"].str.strip()
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            raise ScenarioError(file, f"cannot read the ward codes ({exc})".replace("\n", " ")) from None
        for row, ward in enumerate(wards, start=2):
            if ward in owner:
                raise ScenarioError(file, f"ward code '{ward}' is also a ward of {owner[ward]}; ward codes must "
                                    "be unique nationwide", row=row, column="ward_code")
            owner[ward] = province.name
    if not actuals_path.is_file():
        raise ScenarioError(str(actuals_path), "actuals file does not exist")
    try:
        frame = pd.read_csv(actuals_path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (ValueError, UnicodeDecodeError) as exc:
        raise ScenarioError(actuals_path.name, f"not a readable CSV file ({exc})".replace("\n", " ")) from None
    if "ward_code" not in frame.columns:
        raise ScenarioError(actuals_path.name, "missing column ward_code", row=1)
    frame["ward_code"] = frame["ward_code"].str.strip()
    rows = pd.Series(range(2, len(frame) + 2), index=frame.index)
    where = frame["ward_code"].map(owner)
    unknown = where.isna()
    if unknown.any():
        position = int(unknown.to_numpy().argmax())
        raise ScenarioError(actuals_path.name, f"unknown ward code '{frame['ward_code'].iloc[position]}' (in none of "
                            f"the {len(provinces)} provinces)", row=int(rows.iloc[position]), column="ward_code")
    folder.mkdir(parents=True, exist_ok=True)
    shares = {}
    for province in provinces:
        mine = where == province.name
        path = folder / f"{province.name}.csv"
        frame[mine].to_csv(path, index=False)
        shares[province.code] = ProvinceActuals(path=path, national_rows=[int(r) for r in rows[mine]])
    return shares


@dataclass(frozen=True)
class NightlyProvinceTask:
    """What a worker needs to re-plan one province's night (picklable)."""

    province: ProvinceFolder
    actuals: ProvinceActuals
    national_file: str
    as_of: str
    store_path: Path
    out_dir: Path
    options: NightlyOptions


def _national(exc: ScenarioError, task: NightlyProvinceTask) -> str:
    """A province's actuals error told against the national file and its row."""
    if exc.file == task.actuals.path.name:
        row = exc.row
        if row is not None and 2 <= row < len(task.actuals.national_rows) + 2:
            row = task.actuals.national_rows[row - 2]
        return str(ScenarioError(task.national_file, exc.problem, row=row, column=exc.column, key=exc.key))
    return f"{task.province.name}: {exc}"


def nightly_province(task: NightlyProvinceTask) -> dict:
    """Run one province's nightly job; return its record (never raises)."""
    from ..nightly.roster import staffed_roster
    from ..nightly.run import NightlyFailed, run_nightly
    from ..nightly.store import StoreBusy

    begin = time.perf_counter()
    record: dict = {"province_code": task.province.code, "folder": task.province.name, "as_of": task.as_of,
                    "rows": len(task.actuals.national_rows)}
    try:
        report = run_nightly(task.province.path, task.actuals.path, task.as_of, task.store_path, task.out_dir,
                             task.options, roster_fn=staffed_roster)
        s = report.summary
        record.update({key: s.get(key) for key in PROVINCE_COLUMNS if key in s})
        record.update(run_id=report.run_id, status="rerun" if report.rerun_of else "published", error="")
    except ScenarioError as exc:
        record.update(status="bad input", error=_national(exc, task))
    except StoreBusy as exc:
        record.update(status=STATUS_BUSY, error=str(exc).replace("\n", " "))
    except NightlyFailed as exc:
        record.update(status="failed", error=f"{exc}; the last published plan stands".replace("\n", " "))
    except Exception as exc:  # noqa: BLE001 - one province's failure must not stop the others
        where = traceback.extract_tb(exc.__traceback__)[-1]
        record.update(status="failed", error=f"{type(exc).__name__}: {exc} "
                      f"({Path(where.filename).name}:{where.lineno})".replace("\n", " "))
    record["wall_seconds"] = round(time.perf_counter() - begin, 3)
    return record


def run_country_nightly(country_dir: str | Path, actuals_path: str | Path, as_of: str, store_dir: str | Path,
                        out_dir: str | Path, options, *, executor_kind: str = "local", workers: int | None = 1,
                        ray_address: str | None = None, codes: list[str] | None = None,
                        progress=None) -> tuple[pd.DataFrame, dict]:
    """The night for every province (see the module docstring); returns (provinces, summary)."""
    from .. import planner  # noqa: F401 - imported once here, before local workers fork
    from ..executor import make_executor
    from .run import versions

    begin = time.perf_counter()
    out_dir, store_dir, actuals_path = Path(out_dir), Path(store_dir), Path(actuals_path)
    provinces = province_folders(country_dir, codes)
    check_output_folder(out_dir, kinds=(KIND,))
    if store_dir.exists() and not store_dir.is_dir():
        raise ScenarioError(str(store_dir), "--store of a country is a folder (one plan store per province), "
                            "not a file")
    store_dir.mkdir(parents=True, exist_ok=True)
    executor = None
    try:
        with atomic_folder(out_dir) as staging:
            shares = split_actuals(actuals_path, provinces, staging / "actuals")
            tasks = [NightlyProvinceTask(province=p, actuals=shares[p.code], national_file=actuals_path.name,
                                         as_of=str(as_of), store_path=store_dir / f"{p.name}.sqlite",
                                         out_dir=staging / p.name, options=options) for p in provinces]
            executor = make_executor(workers if executor_kind == "ray" else (workers or 1), executor_kind,
                                     address=ray_address)
            if progress:
                progress(f"night of {as_of}: {len(tasks)} provinces, "
                         f"{sum(len(a.national_rows) for a in shares.values()):,} "
                         f"actuals rows; executor {executor_kind}", 0.0)
            records = executor.map(nightly_province, tasks, on_done=_NightTracker(len(tasks), progress))
            table = pd.DataFrame([{c: r.get(c) for c in PROVINCE_COLUMNS} for r in records], columns=PROVINCE_COLUMNS)
            table.to_csv(staging / "provinces.csv", index=False, encoding="utf-8-sig")
            done = table[table["status"].isin(("published", "rerun"))]
            target = int(done["target"].sum()) if len(done) else 0
            enrolled = int(done["enrolled"].sum()) if len(done) else 0
            to_date = int(done["enrolled_to_date"].sum()) if len(done) else 0
            summary = {
                "kind": KIND, "country_dir": str(country_dir), "as_of": str(as_of),
                "actuals": {"file": str(actuals_path), "rows": int(sum(len(s.national_rows) for s in shares.values())),
                            "sha256": hashlib.sha256(actuals_path.read_bytes()).hexdigest()},
                "store_dir": str(store_dir), "provinces": len(table), "provinces_replanned": len(done),
                "provinces_failed": len(table) - len(done),
                "totals": {"target": target, "enrolled_to_date": to_date,
                           "coverage_to_date": round(to_date / max(1, target), 6),
                           "enrolled": enrolled, "coverage": round(enrolled / max(1, target), 6)},
                "status": dict(zip(table["province_code"], table["status"])),
                "errors": {r.province_code: r.error for r in table.itertuples() if r.error},
                "executor": {"kind": executor_kind, "workers": getattr(executor, "workers", workers),
                             "address": ray_address},
                "versions": versions(), "wall_seconds": round(time.perf_counter() - begin, 3),
            }
            write_json(staging / "summary.json", summary)
    finally:
        if executor is not None and hasattr(executor, "shutdown"):
            executor.shutdown()
    return table, summary


class _NightTracker:
    def __init__(self, total: int, progress):
        self.total, self.progress, self.done, self.begin = total, progress, 0, time.perf_counter()

    def __call__(self, index: int, record: dict) -> None:
        self.done += 1
        if self.progress:
            left = (time.perf_counter() - self.begin) / self.done * (self.total - self.done)
            what = record["error"] or (f"run #{record.get('run_id')}, "
                                       f"projected {100 * (record.get('coverage') or 0):.1f} %")
            self.progress(f"provinces {self.done}/{self.total} done; {record['folder']}: {record['status']}, {what}; "
                          f"about {left:.0f} s left", self.done / self.total)


def add_country_options(sub) -> None:
    """The country options of `nightly` (added to its parser; used when its scenario is a country folder)."""
    from ..executor import EXECUTOR_KINDS

    nightly = sub.choices.get("nightly")
    if nightly is None:
        return
    group = nightly.add_argument_group(
        "country", "when the scenario argument is a country folder: one actuals file for the whole country, "
        "--store is a folder of plan stores (one per province), --workers provinces at once")
    group.add_argument("--executor", choices=EXECUTOR_KINDS, default="local")
    group.add_argument("--ray-address", default=None)
    group.add_argument("--provinces", default=None, help="comma-separated province codes (default: all)")


def cmd_nightly_country(args) -> int:
    """`nightly` on a country folder; exit codes as in the module docstring."""
    import os

    from ..nightly.run import NightlyOptions

    start = time.perf_counter()

    def progress(message: str, fraction: float) -> None:
        print(f"[{time.perf_counter() - start:6.1f}s {100 * fraction:3.0f}%] {message}", file=sys.stderr, flush=True)

    executor_kind = getattr(args, "executor", "local")
    address = getattr(args, "ray_address", None)
    if address and executor_kind != "ray":
        raise ScenarioError("--ray-address", "needs --executor ray")
    options = NightlyOptions(time_limit_seconds=args.time_limit, seed=args.seed, workers=1,
                             with_roster=not args.no_roster, prior_days=args.prior_days)
    workers = args.workers or (None if address else os.cpu_count() or 1)
    table, summary = run_country_nightly(args.scenario, args.actuals, args.as_of, args.store, args.out, options,
                                         executor_kind=executor_kind, workers=workers, ray_address=address,
                                         codes=parse_codes(getattr(args, "provinces", None)), progress=progress)
    failed = table[~table["status"].isin(("published", "rerun"))]
    for row in failed.itertuples():
        print(f"error: province {row.province_code} ({row.folder}): {row.status}: {row.error}", file=sys.stderr)
    t = summary["totals"]
    progress(f"{summary['provinces_replanned']} of {summary['provinces']} provinces re-planned "
             f"as of {summary['as_of']}: "
             f"{t['enrolled_to_date']:,} enrolled so far ({100 * t['coverage_to_date']:.1f} %), projected "
             f"{t['enrolled']:,} of {t['target']:,} ({100 * t['coverage']:.1f} %); wrote {args.out}", 1.0)
    if (failed["status"] == "bad input").any():
        return 2
    if (failed["status"] != STATUS_BUSY).any():
        return 1
    return 3 if len(failed) else 0
