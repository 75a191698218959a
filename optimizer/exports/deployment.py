"""deployment.csv: what each ward runs each day, for district offices and ward police HQs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from ..scenario import Scenario
from .csv_file import write_csv
from .roster_table import as_date

DECISIONS = ("kits_open", "mobile_kits", "home_visit_teams", "letters")


def deployment_table(scenario: Scenario, plan: pd.DataFrame) -> pd.DataFrame:
    """One row per ward and day of the plan.

    Columns: district_code, district_name, ward_code, ward_name, date (ISO), day,
    kits_<shift> for every shift in clock order (fixed kits open), mobile_kits (mobile kits on
    site that day), mobile_sessions (kit-shifts on site), home_visit_teams, letters and, when the
    plan has it, served (people the plan expects to enroll that day).
    """
    for column in ("ward_code", "shift", *DECISIONS):
        if column not in plan.columns:
            raise ValueError(f"plan: missing column '{column}'")
    if "day" not in plan.columns and "date" not in plan.columns:
        raise ValueError("plan: needs a 'day' or a 'date' column")
    start = scenario.settings.campaign.start_date
    codes = scenario.shift_codes
    frame = plan.copy()
    frame["ward_code"] = frame["ward_code"].astype(str)
    unknown = sorted(set(frame["ward_code"]) - set(scenario.wards.index))
    if unknown:
        raise ValueError(f"plan: unknown ward '{unknown[0]}'")
    bad_shifts = sorted(set(frame["shift"].astype(str)) - set(codes))
    if bad_shifts:
        raise ValueError(f"plan: unknown shift '{bad_shifts[0]}' (shifts are {', '.join(codes)})")
    if "day" in frame.columns:
        frame["day"] = frame["day"].astype(int)
    else:
        frame["day"] = [(as_date(d) - start).days for d in frame["date"]]
    mobile_shifts = set(scenario.settings.mobile_kit.shifts)
    frame["mobile_on_site"] = frame["mobile_kits"].where(frame["shift"].isin(mobile_shifts), 0)
    keys = ["ward_code", "day"]
    kits = frame.pivot_table(index=keys, columns="shift", values="kits_open", aggfunc="sum",
                             fill_value=0).reindex(columns=codes, fill_value=0)
    kits.columns = [f"kits_{code}" for code in codes]
    grouped = frame.groupby(keys)
    daily = pd.DataFrame({
        "mobile_kits": grouped["mobile_on_site"].max(),
        "mobile_sessions": grouped["mobile_on_site"].sum(),
        "home_visit_teams": grouped["home_visit_teams"].sum(),
        "letters": grouped["letters"].sum(),
    })
    if "served" in frame.columns:
        daily["served"] = grouped["served"].sum()
    table = kits.join(daily).reset_index()
    wards = scenario.wards
    table["ward_name"] = table["ward_code"].map(wards["ward_name"])
    table["district_code"] = table["ward_code"].map(wards["district_code"])
    table["district_name"] = table["district_code"].map(scenario.districts["district_name"])
    table["date"] = [(start + dt.timedelta(days=int(d))).isoformat() for d in table["day"]]
    numbers = [c for c in table.columns if c.startswith("kits_")] + list(daily.columns)
    table[numbers] = table[numbers].round().astype("int64")
    columns = ["district_code", "district_name", "ward_code", "ward_name", "date", "day", *numbers]
    return table[columns].sort_values(["district_code", "ward_code", "day"]).reset_index(drop=True)


def write_deployment_csv(scenario: Scenario, plan: pd.DataFrame, path: str | Path) -> Path:
    """Write deployment.csv (UTF-8 with BOM), one row per ward and day; see `deployment_table`."""
    return write_csv(deployment_table(scenario, plan), path)
