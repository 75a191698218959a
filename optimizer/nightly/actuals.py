"""Actual enrollments reported by the wards: reading, validating and merging them.

An actuals file is a CSV with one row per ward and day:

    ward_code,date,enrolled[,enrolled_walk_in,enrolled_invited,enrolled_homebound,
    enrolled_institution][,enrolled_<shift>...][,kits_open][,kits_open_<shift>...]

`enrolled` is required; the cohort columns, the per-shift columns (`enrolled_S`, `enrolled_C`,
... for the scenario's shift codes) and the kits actually open (`kits_open` kit-shifts in the
day, or `kits_open_<shift>` kits in each shift) are optional and may be blank on some rows.
Validated like every input: the first problem raises `ScenarioError` naming the file, row and
column (unknown ward, bad date, date outside the campaign or after the as-of date, a count that
is negative or not a whole number, a duplicate ward and date, parts that do not add up, more
kits than the ward holds).

Actuals accumulate in the plan store night after night; a nightly file may hold only the new
day or every day so far. `merge_actuals` lays a file over what is stored: a ward and date not
yet stored is new, one stored with other numbers is a correction (the store keeps both), one
stored with the same numbers changes nothing. A ward-day up to the as-of date with no report
at all is not an error: `missing_reports` lists them for the run's warnings.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ScenarioError
from ..scenario import COHORTS, MAX_PEOPLE_PER_WARD, Scenario
from ..scenario.tables import read_table

KEY_COLUMNS = ("ward_code", "date")
COHORT_COLUMNS = tuple(f"enrolled_{c}" for c in COHORTS)


def shift_columns(scenario: Scenario) -> tuple[str, ...]:
    return tuple(f"enrolled_{code}" for code in scenario.shift_codes)


def kit_columns(scenario: Scenario) -> tuple[str, ...]:
    return ("kits_open",) + tuple(f"kits_open_{code}" for code in scenario.shift_codes)


def count_columns(scenario: Scenario) -> tuple[str, ...]:
    """Every count column an actuals table may have, in canonical order."""
    return ("enrolled",) + COHORT_COLUMNS + shift_columns(scenario) + kit_columns(scenario)


def actuals_columns(scenario: Scenario) -> tuple[str, ...]:
    return KEY_COLUMNS + count_columns(scenario)


def empty_actuals(scenario: Scenario) -> pd.DataFrame:
    """An actuals table with no rows and the canonical columns."""
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in KEY_COLUMNS})
    for column in count_columns(scenario):
        frame[column] = pd.Series(dtype="Int64")
    return frame


def campaign_day(scenario: Scenario, date: dt.date) -> int:
    return (date - scenario.settings.campaign.start_date).days


def parse_as_of(scenario: Scenario, text: str | dt.date) -> tuple[dt.date, int]:
    """The as-of date and its 0-based campaign day; it must be a campaign day before the last."""
    if isinstance(text, dt.date):
        date = text
    else:
        try:
            date = dt.date.fromisoformat(str(text).strip())
        except ValueError:
            raise ScenarioError("--as-of", f"bad date '{text}' (expected YYYY-MM-DD)") from None
    dates = scenario.dates
    if not dates[0] <= date <= dates[-1]:
        raise ScenarioError("--as-of", f"date {date} is outside the campaign ({dates[0]} to {dates[-1]})")
    if date == dates[-1]:
        raise ScenarioError("--as-of", f"{date} is the campaign's last day: no day is left to re-plan")
    return date, campaign_day(scenario, date)


def _counts(frame: pd.DataFrame, file: str, column: str, *, required: bool) -> pd.Series:
    """Whole counts in 0..MAX_PEOPLE_PER_WARD (kits are then checked against the ward's kits)."""
    values = []
    for row, text in zip(frame["_row"], frame[column]):
        if text == "":
            if required:
                raise ScenarioError(file, "empty value (a count is required)", row=int(row), column=column)
            values.append(pd.NA)
            continue
        try:
            number = float(text)
        except (ValueError, OverflowError):
            raise ScenarioError(file, f"'{text}' is not a number", row=int(row), column=column) from None
        if not np.isfinite(number):
            raise ScenarioError(file, f"'{text}' is not a finite number", row=int(row), column=column)
        if number < 0:
            raise ScenarioError(file, f"{text} is negative", row=int(row), column=column)
        if number != int(number):
            raise ScenarioError(file, f"'{text}' is not a whole number", row=int(row), column=column)
        if number > MAX_PEOPLE_PER_WARD:
            raise ScenarioError(file, f"{text} is above the limit of {MAX_PEOPLE_PER_WARD:,}",
                                row=int(row), column=column)
        values.append(int(number))
    return pd.Series(values, index=frame.index, dtype="Int64")


def read_actuals(path: str | Path, scenario: Scenario, as_of: dt.date) -> pd.DataFrame:
    """Read and validate an actuals CSV; returns the canonical table (see `empty_actuals`)."""
    path = Path(path)
    file = path.name
    columns = actuals_columns(scenario)
    frame = read_table(path, columns, required=("ward_code", "date", "enrolled"))
    for column in KEY_COLUMNS:
        empty = frame[frame[column] == ""]
        if not empty.empty:
            raise ScenarioError(file, "empty value", row=int(empty.iloc[0]["_row"]), column=column)
    wards = scenario.wards
    start, end = scenario.dates[0], scenario.dates[-1]
    iso_dates = []
    for row, ward, text in zip(frame["_row"], frame["ward_code"], frame["date"]):
        if ward not in wards.index:
            raise ScenarioError(file, f"unknown ward code '{ward}'", row=int(row), column="ward_code")
        try:
            date = dt.date.fromisoformat(text)
        except ValueError:
            raise ScenarioError(file, f"bad date '{text}' (expected YYYY-MM-DD)", row=int(row),
                                column="date") from None
        if not start <= date <= end:
            raise ScenarioError(file, f"date {date} is outside the campaign ({start} to {end})",
                                row=int(row), column="date")
        if date > as_of:
            raise ScenarioError(file, f"date {date} is after --as-of {as_of}", row=int(row), column="date")
        iso_dates.append(date.isoformat())
    frame["date"] = iso_dates
    duplicated = frame.duplicated(subset=list(KEY_COLUMNS), keep="first")
    if duplicated.any():
        first = frame[duplicated].iloc[0]
        raise ScenarioError(file, f"duplicate ward_code + date '{first['ward_code']} / {first['date']}'",
                            row=int(first["_row"]), column="ward_code")
    out = frame[["_row", "ward_code", "date"]].copy()
    for column in count_columns(scenario):
        if column in frame.columns:
            out[column] = _counts(frame, file, column, required=column == "enrolled")
        else:
            out[column] = pd.Series([pd.NA] * len(frame), index=frame.index, dtype="Int64")
    _check_parts(out, file, scenario)
    return out.drop(columns="_row").reset_index(drop=True)


def _check_parts(frame: pd.DataFrame, file: str, scenario: Scenario) -> None:
    """Cohort and shift parts add up to `enrolled`; kits open fit the ward's kits."""
    n_shifts = len(scenario.shift_codes)
    fixed_kits = scenario.wards["fixed_kits"]
    for _, row in frame.iterrows():
        r = int(row["_row"])
        total = int(row["enrolled"])
        for parts, label in ((COHORT_COLUMNS, "cohort"), (shift_columns(scenario), "shift")):
            given = [c for c in parts if not pd.isna(row[c])]
            if not given:
                continue
            added = sum(int(row[c]) for c in given)
            if len(given) == len(parts) and added != total:
                raise ScenarioError(file, f"{label} columns add up to {added} but enrolled is {total}",
                                    row=r, column=given[0])
            if added > total:
                raise ScenarioError(file, f"{label} columns add up to {added}, more than enrolled {total}",
                                    row=r, column=given[0])
        kits = int(fixed_kits.at[row["ward_code"]])
        for code in scenario.shift_codes:
            value = row[f"kits_open_{code}"]
            if not pd.isna(value) and int(value) > kits:
                raise ScenarioError(file, f"{int(value)} kits open but ward {row['ward_code']} holds {kits}",
                                    row=r, column=f"kits_open_{code}")
        value = row["kits_open"]
        if not pd.isna(value) and int(value) > kits * n_shifts:
            raise ScenarioError(file, f"{int(value)} kit-shifts open but ward {row['ward_code']} holds {kits} "
                                f"kit(s) for {n_shifts} shifts", row=r, column="kits_open")


def _same(a, b) -> bool:
    return (pd.isna(a) and pd.isna(b)) or (not pd.isna(a) and not pd.isna(b) and int(a) == int(b))


@dataclass
class MergedActuals:
    """The actuals in force after a file is laid over what the store holds."""

    effective: pd.DataFrame     # canonical table, one row per ward and date
    new_rows: pd.DataFrame      # rows of the file not stored before
    corrections: pd.DataFrame   # rows of the file that change stored numbers (with `previous_enrolled`)
    unchanged: int              # rows of the file equal to what is stored


def merge_actuals(scenario: Scenario, stored: pd.DataFrame, submitted: pd.DataFrame) -> MergedActuals:
    """Lay `submitted` over `stored` (both canonical); a stored ward-date with other numbers is a correction."""
    counts = list(count_columns(scenario))
    stored = stored if len(stored) else empty_actuals(scenario)
    by_key = {(w, d): i for i, (w, d) in enumerate(zip(stored["ward_code"], stored["date"]))}
    new_index, corrected_index, previous, unchanged = [], [], [], 0
    for i, row in submitted.iterrows():
        j = by_key.get((row["ward_code"], row["date"]))
        if j is None:
            new_index.append(i)
            continue
        old = stored.iloc[j]
        if all(_same(row[c], old[c]) for c in counts):
            unchanged += 1
        else:
            corrected_index.append(i)
            previous.append(int(old["enrolled"]))
    corrections = submitted.loc[corrected_index].copy()
    corrections["previous_enrolled"] = pd.Series(previous, index=corrections.index, dtype="Int64")
    replaced = {(w, d) for w, d in zip(corrections["ward_code"], corrections["date"])}
    keep = [(w, d) not in replaced for w, d in zip(stored["ward_code"], stored["date"])]
    parts = [frame for frame in (stored[keep], submitted.loc[new_index], submitted.loc[corrected_index])
             if len(frame)]
    effective = (pd.concat(parts, ignore_index=True) if parts else empty_actuals(scenario))
    effective = canonical(scenario, effective)
    return MergedActuals(effective=effective, new_rows=submitted.loc[new_index].reset_index(drop=True),
                         corrections=corrections.reset_index(drop=True), unchanged=unchanged)


def canonical(scenario: Scenario, frame: pd.DataFrame) -> pd.DataFrame:
    """Canonical column order and types, sorted by ward (scenario order) then date."""
    out = pd.DataFrame({"ward_code": frame["ward_code"].astype(str).to_numpy(),
                        "date": frame["date"].astype(str).to_numpy()})
    for column in count_columns(scenario):
        values = frame[column] if column in frame.columns else pd.Series([pd.NA] * len(frame))
        out[column] = pd.array(list(values), dtype="Int64")
    order = {code: i for i, code in enumerate(scenario.wards.index)}
    out["_order"] = out["ward_code"].map(order)
    return out.sort_values(["_order", "date"]).drop(columns="_order").reset_index(drop=True)


def actuals_hash(scenario: Scenario, frame: pd.DataFrame) -> str:
    """A content hash of an actuals table (order and file layout do not matter)."""
    text = canonical(scenario, frame).to_csv(index=False, na_rep="")
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def up_to(frame: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """The rows dated on or before `as_of`."""
    return frame[frame["date"] <= as_of.isoformat()].reset_index(drop=True)


def missing_reports(scenario: Scenario, effective: pd.DataFrame, as_of_day: int) -> pd.DataFrame:
    """Ward-days up to the as-of day with no report: columns ward_code, date, day."""
    reported = set(zip(effective["ward_code"], effective["date"]))
    rows = [{"ward_code": ward, "date": date.isoformat(), "day": d}
            for ward in scenario.wards.index for d, date in enumerate(scenario.dates[:as_of_day + 1])
            if (ward, date.isoformat()) not in reported]
    return pd.DataFrame(rows, columns=["ward_code", "date", "day"])


@dataclass
class Observed:
    """Actuals as arrays over the campaign; -1 marks "not reported" (days after as-of included)."""

    reported: np.ndarray       # bool [wards, days]
    enrolled: np.ndarray       # [wards, days]
    cohorts: np.ndarray        # [wards, days, 4] in COHORTS order
    by_shift: np.ndarray       # [wards, days, shifts]
    kits_by_shift: np.ndarray  # [wards, days, shifts]
    kits_day: np.ndarray       # [wards, days]


def observed_arrays(scenario: Scenario, effective: pd.DataFrame) -> Observed:
    wards = {code: i for i, code in enumerate(scenario.wards.index)}
    n, D, S = len(wards), scenario.n_days, len(scenario.shift_codes)
    start = scenario.settings.campaign.start_date
    out = Observed(np.zeros((n, D), bool), np.full((n, D), -1, np.int64), np.full((n, D, 4), -1, np.int64),
                   np.full((n, D, S), -1, np.int64), np.full((n, D, S), -1, np.int64),
                   np.full((n, D), -1, np.int64))
    if not len(effective):
        return out

    def value(x):
        return -1 if pd.isna(x) else int(x)

    for row in effective.to_dict("records"):
        w = wards[row["ward_code"]]
        d = (dt.date.fromisoformat(row["date"]) - start).days
        out.reported[w, d] = True
        out.enrolled[w, d] = int(row["enrolled"])
        for c, column in enumerate(COHORT_COLUMNS):
            out.cohorts[w, d, c] = value(row[column])
        for s, code in enumerate(scenario.shift_codes):
            out.by_shift[w, d, s] = value(row[f"enrolled_{code}"])
            out.kits_by_shift[w, d, s] = value(row[f"kits_open_{code}"])
        out.kits_day[w, d] = value(row["kits_open"])
    return out
