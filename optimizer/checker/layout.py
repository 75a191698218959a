"""The output folder's files: their names and columns, and reading them into per-ward arrays
(every layout problem is a violation, never a crash)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .context import _Context
from .report import CheckReport

PLAN_FILE = "plan.csv"
BASELINE_PLAN_FILE = "baseline_plan.csv"
PROJECTION_FILE = "projection.csv"
SUMMARY_FILE = "summary.json"

KEY_COLUMNS = ("ward_code", "district_code", "date", "day", "shift")
DECISION_COLUMNS = ("kits_open", "mobile_kits", "home_visit_teams", "letters")
OUTCOME_COLUMNS = ("arrivals_walk_in", "returns", "arrivals_invited", "served_walk_in",
                   "served_invited", "served_homebound", "served_institution", "served",
                   "queue_walk_in_end", "queue_invited_end", "queue_end", "gave_up", "calls")
PLAN_COLUMNS = KEY_COLUMNS + DECISION_COLUMNS + OUTCOME_COLUMNS
PROJECTION_COUNT_COLUMNS = ("enrolled_cum", "waiting", "not_yet_arrived", "given_up")
PROJECTION_COLUMNS = ("ward_code", "district_code", "date", "day", "enrolled_cum", "coverage",
                      "waiting", "not_yet_arrived", "given_up")
SUMMARY_KEYS = ("target", "enrolled", "coverage", "baseline_enrolled", "reserve_allocation",
                "seed", "input_hash")
COVERAGE_TOLERANCE = 1e-6
SERVED_PARTS = ("served_walk_in", "served_invited", "served_homebound", "served_institution")


# --- reading the files ------------------------------------------------------------------------

def _read_csv(path: Path, required: tuple[str, ...], report: CheckReport) -> pd.DataFrame | None:
    if not path.is_file():
        report.add("file", path.name, "missing")
        return None
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, OSError) as exc:
        report.add("file", path.name, f"cannot be read as CSV ({str(exc).strip()})")
        return None
    frame.columns = [str(c).strip() for c in frame.columns]
    for column in frame.columns:
        frame[column] = frame[column].astype(str).str.strip()
    for column in required:
        if column not in frame.columns:
            report.add("columns", path.name, f"missing column '{column}'")
    return frame


def _parse_counts(texts: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Whole numbers >= 0 ('3' or '3.0'); returns values (0 where invalid) and a validity mask."""
    numbers = pd.to_numeric(texts, errors="coerce").to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        valid = np.isfinite(numbers) & (numbers >= 0) & (numbers == np.round(numbers)) & (numbers < 1e15)
    return np.where(valid, numbers, 0).astype(np.int64), valid


@dataclass
class _Table:
    """A per-ward table (plan or projection) laid out as arrays [ward, day(, shift)]."""

    present: np.ndarray
    values: dict[str, np.ndarray]
    valid: dict[str, np.ndarray]


def _index_rows(ctx: _Context, frame: pd.DataFrame, file: str, with_shift: bool,
                report: CheckReport) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Row positions: ward, day, shift indices and a mask of rows with a valid, unique key."""
    n = len(frame)
    # the callers require ward_code and day (and shift for a per-shift table); date and
    # district_code are optional
    ward_codes, day_texts = frame["ward_code"].tolist(), frame["day"].tolist()
    shift_codes = frame["shift"].tolist() if with_shift else []
    ward = np.array([ctx.ward_index.get(code, -1) for code in ward_codes], dtype=np.int64)
    day, day_ok = _parse_counts(frame["day"])
    day_ok &= day < ctx.n_days
    if with_shift:
        shift = np.array([ctx.shift_index.get(code, -1) for code in shift_codes], dtype=np.int64)
    else:
        shift = np.zeros(n, dtype=np.int64)
    usable = (ward >= 0) & day_ok & (shift >= 0)
    for r in np.flatnonzero(~usable):
        line = f"{file} row {r + 2}"
        if ward[r] < 0:
            report.add("rows", line, f"unknown ward_code '{ward_codes[r]}'")
        if not day_ok[r]:
            report.add("rows", line, f"day '{day_texts[r]}' is not a campaign day 0..{ctx.n_days - 1}")
        if shift[r] < 0:
            report.add("rows", line, f"unknown shift '{shift_codes[r]}'")
    seen: set = set()
    dates = frame["date"].tolist() if "date" in frame.columns else None
    districts = frame["district_code"].tolist() if "district_code" in frame.columns else None
    for r in np.flatnonzero(usable):
        i, d = int(ward[r]), int(day[r])
        key = (i, d, int(shift[r]))
        if key in seen:
            label = ctx.ward_slot(*key) if with_shift else f"ward {ctx.ward_codes[i]}, {ctx.dates[d]}"
            report.add("rows", f"{file} row {r + 2}", f"duplicate row for {label}")
            usable[r] = False
            continue
        seen.add(key)
        if dates is not None and dates[r] != ctx.dates[d]:
            label = ctx.ward_slot(*key) if with_shift else f"ward {ctx.ward_codes[i]}, {ctx.dates[d]}"
            report.add("rows", label, f"date '{dates[r]}' does not match day {d} (expected {ctx.dates[d]})")
        if districts is not None and districts[r] != ctx.ward_district[i]:
            label = ctx.ward_slot(*key) if with_shift else f"ward {ctx.ward_codes[i]}, {ctx.dates[d]}"
            report.add("rows", label, f"district_code '{districts[r]}' (ward is in district "
                                      f"{ctx.ward_district[i]})")
    _check_order(ctx, file, ward[usable], day[usable], shift[usable], np.flatnonzero(usable), report)
    return ward, day, shift, usable


def _check_order(ctx: _Context, file: str, ward, day, shift, rows, report: CheckReport) -> None:
    """Rows grouped by ward (scenario order or sorted codes), then day, then shift."""
    if len(rows) < 2:
        return
    by_code = {i: rank for rank, i in enumerate(sorted(range(ctx.n_wards), key=lambda i: ctx.ward_codes[i]))}
    for ranks in (ward, np.array([by_code[i] for i in ward])):
        keys = (ranks * ctx.n_days + day) * ctx.n_shifts + shift
        if np.all(np.diff(keys) > 0):
            return
    keys = (ward * ctx.n_days + day) * ctx.n_shifts + shift
    first = int(np.flatnonzero(np.diff(keys) <= 0)[0]) + 1
    report.add("rows", f"{file} row {rows[first] + 2}",
               "rows are not in ward/day/shift order (wards in scenario or code order, days "
               "ascending, shifts in campaign order)")


def _missing_rows(ctx: _Context, file: str, present: np.ndarray, report: CheckReport) -> None:
    for i in range(ctx.n_wards):
        missing = ~present[i]
        if missing.any():
            first = np.argwhere(missing)[0]
            where = (ctx.slot(*first) if present.ndim == 3 else ctx.dates[first[0]])
            report.add("rows", f"{file}, ward {ctx.ward_codes[i]}",
                       f"{int(missing.sum())} of {missing.size} rows missing (first: {where})")


def _layout(ctx: _Context, frame: pd.DataFrame, file: str, numeric: tuple[str, ...],
            with_shift: bool, report: CheckReport) -> _Table:
    shape = (ctx.n_wards, ctx.n_days, ctx.n_shifts) if with_shift else (ctx.n_wards, ctx.n_days)
    ward, day, shift, usable = _index_rows(ctx, frame, file, with_shift, report)
    rows = np.flatnonzero(usable)
    index = (ward[rows], day[rows], shift[rows]) if with_shift else (ward[rows], day[rows])
    present = np.zeros(shape, dtype=bool)
    present[index] = True
    _missing_rows(ctx, file, present, report)
    table = _Table(present, {}, {})
    for column in numeric:
        if column not in frame.columns:
            continue
        values, valid = _parse_counts(frame[column])
        for r in rows[~valid[rows]]:
            label = (ctx.ward_slot(ward[r], day[r], shift[r]) if with_shift
                     else f"ward {ctx.ward_codes[ward[r]]}, {ctx.dates[day[r]]}")
            report.add("value", label, f"{column} = '{frame[column].iloc[r]}' is not a whole number >= 0")
        table.values[column] = np.zeros(shape, dtype=np.int64)
        table.valid[column] = np.zeros(shape, dtype=bool)
        table.values[column][index] = values[rows]
        table.valid[column][index] = valid[rows]
    return table


def _read_plan(ctx: _Context, out: Path, report: CheckReport, file: str = PLAN_FILE) -> _Table | None:
    frame = _read_csv(out / file, PLAN_COLUMNS, report)
    if frame is None:
        return None
    needed = ("ward_code", "day", "shift") + DECISION_COLUMNS
    if any(column not in frame.columns for column in needed):
        report.add("file", file, "cannot be checked without its ward_code, day, shift and "
                                 "decision columns")
        return None
    return _layout(ctx, frame, file, DECISION_COLUMNS + OUTCOME_COLUMNS, True, report)


def _read_summary(out: Path, report: CheckReport) -> dict | None:
    path = out / SUMMARY_FILE
    if not path.is_file():
        report.add("file", SUMMARY_FILE, "missing")
        return None
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        report.add("file", SUMMARY_FILE, f"not valid JSON ({exc})")
        return None
    if not isinstance(summary, dict):
        report.add("file", SUMMARY_FILE, "is not a JSON object")
        return None
    for key in SUMMARY_KEYS:
        if key not in summary:
            report.add("summary", SUMMARY_FILE, f"missing key '{key}'")
    return summary


def _whole(value) -> int | None:
    """A JSON value as a whole number >= 0, or None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if not math.isfinite(value) or value < 0 or value != int(value):
        return None
    return int(value)
