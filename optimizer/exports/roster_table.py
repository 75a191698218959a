"""The roster as the exports print it: each officer-shift row joined with the scenario's shift
times and ward and district names. Unknown shift or ward codes are errors, never dropped rows."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ..scenario import Scenario

ROSTER_COLUMNS = ("officer_id", "display_name", "district_code", "home_ward", "date", "day",
                  "shift", "ward_code", "role")
REQUIRED = ("officer_id", "shift", "ward_code", "role")
ENRICHED_COLUMNS = ("officer_id", "display_name", "district_code", "home_ward", "date", "day",
                    "shift", "start", "end", "hours", "shift_index", "start_at", "end_at",
                    "ward_code", "ward_name", "ward_district_code", "district_name", "role")


def as_date(value) -> dt.date:
    """A date from a date, datetime, pandas Timestamp or ISO text."""
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value).strip()[:10])


def _blank(value) -> bool:
    return value is None or (not isinstance(value, str) and pd.isna(value)) or value == ""


def _text_column(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series([""] * len(frame), index=frame.index, dtype=object)
    values = frame[column]
    if isinstance(values.dtype, pd.StringDtype):     # text or missing only: no per-cell work
        return pd.Series(values.to_numpy(dtype=object, na_value=""), index=frame.index,
                         dtype=object)
    return values.map(lambda v: "" if _blank(v) else str(v)).astype(object)


def enrich_roster(scenario: Scenario, roster: pd.DataFrame) -> pd.DataFrame:
    """The roster with shift times, hours, ward and district names; sorted for printing.

    Added columns: start, end (HH:MM), hours, shift_index (clock order), start_at and end_at
    (naive local datetimes; end_at is on the next day for a shift that crosses midnight),
    ward_name, ward_district_code, district_name (of the ward worked). Missing display_name,
    district_code and home_ward are taken from officers.csv.
    """
    for column in REQUIRED:
        if column not in roster.columns:
            raise ValueError(f"roster: missing column '{column}'")
    if "date" not in roster.columns and "day" not in roster.columns:
        raise ValueError("roster: needs a 'date' or a 'day' column")
    frame = roster.reset_index(drop=True)
    out = pd.DataFrame({column: _text_column(frame, column) for column in
                        ("officer_id", "display_name", "district_code", "home_ward", "shift",
                         "ward_code", "role")})
    shifts = {s.code: (i, s) for i, s in enumerate(scenario.shifts)}
    unknown = ~out["shift"].isin(list(shifts))
    if unknown.any():
        row = int(unknown.idxmax())
        raise ValueError(f"roster: row {row + 1}: unknown shift '{out.at[row, 'shift']}' "
                         f"(shifts are {', '.join(shifts)})")
    wards = scenario.wards
    unknown = ~out["ward_code"].isin(wards.index)
    if unknown.any():
        row = int(unknown.idxmax())
        raise ValueError(f"roster: row {row + 1}: unknown ward '{out.at[row, 'ward_code']}'")

    start_date = scenario.settings.campaign.start_date
    dates = frame["date"] if "date" in frame.columns else pd.Series([None] * len(frame))
    days = frame["day"] if "day" in frame.columns else pd.Series([None] * len(frame))
    out["date"] = [start_date + dt.timedelta(days=int(day)) if _blank(date) else as_date(date)
                   for date, day in zip(dates, days)]
    out["day"] = [(date - start_date).days for date in out["date"]]

    officers = scenario.officers
    if officers is not None:
        for column in ("display_name", "district_code", "home_ward"):
            known = officers[column].astype(str).to_dict()
            fill = out["officer_id"].map(known)
            if column == "home_ward":    # blank is meaningful (district reserve): fill only if absent
                if "home_ward" not in frame.columns:
                    out[column] = fill.fillna("")
            else:
                missing = (out[column] == "") & fill.notna()
                out.loc[missing, column] = fill[missing]
    ward_district = out["ward_code"].map(wards["district_code"].astype(str).to_dict())
    out.loc[out["district_code"] == "", "district_code"] = ward_district

    out["start"] = out["shift"].map({c: s.start for c, (_, s) in shifts.items()})
    out["end"] = out["shift"].map({c: s.end for c, (_, s) in shifts.items()})
    out["hours"] = out["shift"].map({c: s.hours for c, (_, s) in shifts.items()}).astype("float64")
    out["shift_index"] = out["shift"].map({c: i for c, (i, _) in shifts.items()}).astype("int64")
    midnight = pd.to_datetime(pd.Series([d.isoformat() for d in out["date"]], index=out.index,
                                        dtype=object))
    out["start_at"] = midnight + pd.to_timedelta(
        out["shift"].map({c: s.start_minutes for c, (_, s) in shifts.items()}), unit="m")
    out["end_at"] = midnight + pd.to_timedelta(
        out["shift"].map({c: s.end_minutes for c, (_, s) in shifts.items()}), unit="m")
    out["ward_name"] = out["ward_code"].map(wards["ward_name"].astype(str).to_dict())
    out["ward_district_code"] = ward_district
    names = scenario.districts["district_name"].astype(str).to_dict()
    out["district_name"] = [names.get(code, code) for code in ward_district]
    out = out[list(ENRICHED_COLUMNS)]
    out = out.sort_values(["date", "shift_index", "ward_district_code", "ward_code", "role",
                           "officer_id"], kind="stable").reset_index(drop=True)
    return out.astype({"day": "int64"})
