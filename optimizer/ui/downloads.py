"""The files a planner downloads from the page, built in memory with the batch exporters
(so a download is byte for byte what `python -m optimizer plan` writes)."""

from __future__ import annotations

import datetime as dt
import io
import json
import tempfile
import zipfile
from pathlib import Path

import pandas as pd

from ..exports import write_deployment_csv, write_district_workbooks, write_officer_calendars, write_roster_csv
from ..exports.csv_file import write_csv
from ..exports.outputs import _json_default
from ..exports.safe_text import safe_frame
from ..result import PlanResult
from ..scenario import Scenario


def _via_file(write, name: str) -> bytes:
    with tempfile.TemporaryDirectory(prefix="planner-download-") as folder:
        path = Path(folder) / name
        write(path)
        return path.read_bytes()


def _zip_folder(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            archive.write(path, path.relative_to(folder).as_posix())
    return buffer.getvalue()


def plan_csv(result: PlanResult) -> bytes:
    """plan.csv: one row per ward, date and shift (decisions and what happens)."""
    return safe_frame(result.plan_frame()).to_csv(index=False).encode("utf-8")


def deployment_csv(result: PlanResult) -> bytes:
    """deployment.csv: what each ward runs each day (UTF-8 with BOM, for Excel)."""
    plan = result.plan_frame()
    return _via_file(lambda path: write_deployment_csv(result.scenario, plan, path), "deployment.csv")


def summary_json(result: PlanResult) -> bytes:
    """summary.json: the run's headline numbers."""
    return (json.dumps(result.summary(), ensure_ascii=False, indent=2, default=_json_default) + "\n").encode()


def roster_csv(scenario: Scenario, roster: pd.DataFrame) -> bytes:
    """roster.csv: one row per officer-shift (UTF-8 with BOM)."""
    return _via_file(lambda path: write_roster_csv(scenario, roster, path), "roster.csv")


def stored_roster_csv(rows: pd.DataFrame, scenario: Scenario | None = None) -> bytes:
    """roster.csv of officer-shifts read from the plan store (UTF-8 with BOM). With the store's
    scenario it is the nightly job's roster.csv (shift times, hours, ward names); without it (or
    when the rows do not fit it) the stored columns as they are."""
    if scenario is not None:
        try:
            return roster_csv(scenario, rows)
        except (ValueError, KeyError):
            pass
    return _via_file(lambda path: write_csv(rows, path), "roster.csv")


def district_workbooks_zip(scenario: Scenario, roster: pd.DataFrame, language: str = "vi") -> bytes:
    """rosters/<district>.xlsx for every district, zipped."""
    with tempfile.TemporaryDirectory(prefix="planner-download-") as folder:
        write_district_workbooks(scenario, roster, folder, language=language)
        return _zip_folder(Path(folder))


def officer_calendars_zip(scenario: Scenario, roster: pd.DataFrame, language: str = "vi",
                          stamp: dt.datetime | None = None) -> bytes:
    """ics/<officer>.ics for every officer, zipped (DTSTAMP: the campaign's first day unless
    given, so the same roster gives the same files)."""
    if stamp is None:
        stamp = dt.datetime.combine(scenario.dates[0], dt.time(0), tzinfo=dt.UTC)
    with tempfile.TemporaryDirectory(prefix="planner-download-") as folder:
        write_officer_calendars(scenario, roster, folder, language=language, stamp=stamp)
        return _zip_folder(Path(folder))
