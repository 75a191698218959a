"""Writing a run's output folder atomically: all files appear together or not at all.

Files are written into a hidden sibling folder, which then replaces the output folder by
rename; a run killed half way leaves the previous output untouched.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from .result import PlanResult


@contextlib.contextmanager
def atomic_folder(out_dir: str | Path):
    """Yield a temporary folder; on success it replaces `out_dir`, on failure it is removed."""
    out_dir = Path(out_dir).resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
    try:
        yield staging
        os.chmod(staging, 0o755)
        old = None
        if out_dir.exists():
            old = out_dir.parent / f".{out_dir.name}.old-{os.getpid()}"
            if old.exists():
                shutil.rmtree(old)
            os.replace(out_dir, old)
        os.replace(staging, out_dir)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=_json_default) + "\n",
                    encoding="utf-8")


def _json_default(value):
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def write_plan_files(result: PlanResult, folder: Path, *, language: str = "vi") -> None:
    """summary.json, plan.csv, baseline_plan.csv (the fair baseline), projection.csv, bottlenecks.csv, districts.csv, shortfalls.csv
    and, when the run made a roster, roster.csv, rosters/*.xlsx, ics/*.ics, deployment.csv."""
    plan = result.plan_frame()
    plan.to_csv(folder / "plan.csv", index=False)
    result.baseline_plan_frame().to_csv(folder / "baseline_plan.csv", index=False)
    result.projection_frame().to_csv(folder / "projection.csv", index=False)
    result.bottleneck_frame().to_csv(folder / "bottlenecks.csv", index=False, encoding="utf-8-sig")
    result.district_frame().to_csv(folder / "districts.csv", index=False, encoding="utf-8-sig")
    result.shortfall_frame().to_csv(folder / "shortfalls.csv", index=False, encoding="utf-8-sig")
    from .exports import write_deployment_csv
    write_deployment_csv(result.scenario, plan, folder / "deployment.csv")
    if result.roster is not None:
        from .exports import write_district_workbooks, write_officer_calendars, write_roster_csv
        write_roster_csv(result.scenario, result.roster, folder / "roster.csv")
        write_district_workbooks(result.scenario, result.roster, folder, language=language)
        write_officer_calendars(result.scenario, result.roster, folder, language=language,
                                stamp=pd.Timestamp(result.scenario.dates[0]).to_pydatetime())
        if result.unstaffed is not None:
            result.unstaffed.to_csv(folder / "unstaffed.csv", index=False, encoding="utf-8-sig")
    write_json(folder / "summary.json", result.summary())


def write_outputs(result: PlanResult, out_dir: str | Path, *, language: str = "vi") -> Path:
    """Write every output of a run into `out_dir`, atomically."""
    with atomic_folder(out_dir) as staging:
        write_plan_files(result, staging, language=language)
    return Path(out_dir)
