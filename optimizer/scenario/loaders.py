"""The files of a scenario folder: districts.csv, wards.csv, officers.csv, requests.csv.

`load_scenario(folder)` is the only way in. Everything it returns has been checked; any
problem raises `ScenarioError` with one line naming the file, row, column and problem.
See docs/scenario-format.md for the format.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from ..errors import ScenarioError
from .limits import (
    MAX_CITY_MOBILE_KITS,
    MAX_FIXED_KITS_PER_WARD,
    MAX_MOBILE_KITS,
    MAX_PEOPLE_PER_WARD,
    MAX_RESERVE_OFFICERS,
    MAX_WORKING_GROUPS_PER_WARD,
)
from .scenario import Scenario, _rehash
from .settings import CAMPAIGN_FILE, COHORTS, ROLES, CampaignFile, load_campaign
from .tables import _codes, _distinct_files, _floats, _ints, _names, _non_empty, _unique, read_table

WARD_COLUMNS = ("ward_code", "ward_name", "district_code", "population", "eligible",
                "already_enrolled", "cannot_enroll", "walk_in", "invited", "homebound",
                "institution", "fixed_kits")
DISTRICT_COLUMNS = ("district_code", "district_name", "lat", "lon", "mobile_kits",
                    "reserve_operator", "reserve_verifier", "reserve_driver", "reserve_home_visit")
OFFICER_COLUMNS = ("officer_id", "display_name", "district_code", "home_ward", "roles",
                   "leave_dates", "max_shifts_per_day", "max_hours_per_week")
REQUEST_COLUMNS = ("officer_id", "date", "shift", "kind", "weight")
CITY = "city"


def load_districts(path: Path) -> tuple[pd.DataFrame, int]:
    """districts.csv: one row per district plus an optional `city` row for the city reserve."""
    file = path.name
    frame = read_table(path, DISTRICT_COLUMNS,
                       required=("district_code", "district_name", "mobile_kits"))
    for column in DISTRICT_COLUMNS:
        if column not in frame.columns:
            frame[column] = "0" if column.startswith("reserve_") or column == "mobile_kits" else "nan"
    _codes(frame, file, "district_code")
    _names(frame, file, "district_name")
    _unique(frame, file, ["district_code"])
    _distinct_files(frame, file, "district_code", "district codes")
    city_row = frame["district_code"] == CITY
    frame["mobile_kits"] = pd.concat([
        _ints(frame[~city_row], file, "mobile_kits", maximum=MAX_MOBILE_KITS),
        _ints(frame[city_row], file, "mobile_kits", maximum=MAX_CITY_MOBILE_KITS)]).reindex(frame.index)
    for role in ROLES:
        column = f"reserve_{role}"
        frame[column] = frame[column].replace("", "0")
        frame[column] = _ints(frame, file, column, maximum=MAX_RESERVE_OFFICERS)
    for column, low, high in (("lat", -90, 90), ("lon", -180, 180)):
        blank = frame[column].isin(["", "nan"])
        frame[column] = frame[column].where(~blank, "nan")
        values = _floats(frame[~blank], file, column, low=low, high=high)
        frame[column] = values.reindex(frame.index)
    city = frame[frame["district_code"] == CITY]
    city_kits = int(city["mobile_kits"].iloc[0]) if len(city) else 0
    frame = frame[frame["district_code"] != CITY]
    if frame.empty:
        raise ScenarioError(file, "empty table (no districts)")
    return frame.set_index("district_code"), city_kits


def load_wards(path: Path, districts: pd.DataFrame) -> pd.DataFrame:
    """wards.csv: one row per ward; cohorts must add up to the remaining target."""
    file = path.name
    frame = read_table(path, WARD_COLUMNS + ("working_groups",), required=WARD_COLUMNS)
    if "working_groups" not in frame.columns:      # neighbourhood working groups (optional)
        frame["working_groups"] = "0"
    frame["working_groups"] = frame["working_groups"].replace("", "0")
    _codes(frame, file, "ward_code")
    _names(frame, file, "ward_name")
    _codes(frame, file, "district_code")
    _unique(frame, file, ["ward_code"])
    unknown = frame[~frame["district_code"].isin(districts.index)]
    if not unknown.empty:
        row = unknown.iloc[0]
        raise ScenarioError(file, f"unknown district code '{row['district_code']}'",
                            row=int(row["_row"]), column="district_code")
    for column in WARD_COLUMNS[3:] + ("working_groups",):
        limit = {"fixed_kits": MAX_FIXED_KITS_PER_WARD,
                 "working_groups": MAX_WORKING_GROUPS_PER_WARD}.get(column, MAX_PEOPLE_PER_WARD)
        frame[column] = _ints(frame, file, column, maximum=limit)
    frame["target"] = frame["eligible"] - frame["already_enrolled"] - frame["cannot_enroll"]
    for _, row in frame.iterrows():
        if row["eligible"] > row["population"]:
            raise ScenarioError(file, f"eligible {row['eligible']} exceeds population {row['population']}",
                                row=int(row["_row"]), column="eligible")
        if row["target"] < 0:
            raise ScenarioError(file, "already_enrolled + cannot_enroll exceed eligible",
                                row=int(row["_row"]), column="already_enrolled")
        cohorts = sum(int(row[c]) for c in COHORTS)
        if cohorts != row["target"]:
            raise ScenarioError(file, f"cohorts add up to {cohorts} but eligible - already_enrolled - "
                                f"cannot_enroll is {row['target']}", row=int(row["_row"]), column="walk_in")
    return frame.set_index("ward_code")


def _every_district_has_wards(districts: pd.DataFrame, wards: pd.DataFrame) -> None:
    """A district must hold at least one ward (a district without wards cannot be planned)."""
    empty = districts.index.difference(wards["district_code"].unique(), sort=False)
    if len(empty):
        code = empty[0]
        raise ScenarioError("districts.csv", f"district '{code}' has no wards in wards.csv",
                            row=int(districts.at[code, "_row"]), column="district_code")


def load_officers(path: Path, districts: pd.DataFrame, wards: pd.DataFrame) -> pd.DataFrame:
    """officers.csv: one row per officer with roles, home ward (empty = district reserve), leave."""
    file = path.name
    frame = read_table(path, OFFICER_COLUMNS,
                       required=("officer_id", "display_name", "district_code", "home_ward", "roles"))
    for column in ("leave_dates", "max_shifts_per_day", "max_hours_per_week"):
        if column not in frame.columns:
            frame[column] = ""
    _codes(frame, file, "officer_id")
    _names(frame, file, "display_name")
    _codes(frame, file, "district_code")
    _codes(frame, file, "home_ward", allow_blank=True)
    _non_empty(frame, file, "roles")
    _unique(frame, file, ["officer_id"])
    _distinct_files(frame, file, "officer_id", "officer IDs", lookalike=True)
    district_codes = set(districts.index)
    ward_district = wards["district_code"].to_dict()
    for row_number, district, home_ward, roles_text, leave_text in zip(
            frame["_row"], frame["district_code"], frame["home_ward"], frame["roles"], frame["leave_dates"]):
        r = int(row_number)
        if district not in district_codes:
            raise ScenarioError(file, f"unknown district code '{district}'", row=r, column="district_code")
        if home_ward:
            if home_ward not in ward_district:
                raise ScenarioError(file, f"unknown ward code '{home_ward}'", row=r, column="home_ward")
            if ward_district[home_ward] != district:
                raise ScenarioError(file, f"ward '{home_ward}' is not in district '{district}'", row=r,
                                    column="home_ward")
        roles = [role.strip() for role in roles_text.split("|")]
        for role in roles:
            if role not in ROLES:
                raise ScenarioError(file, f"unknown role '{role}' (roles are {', '.join(ROLES)})",
                                    row=r, column="roles")
        if len(set(roles)) != len(roles):
            raise ScenarioError(file, "a role is listed twice", row=r, column="roles")
        days = [day.strip() for day in leave_text.split("|") if day.strip()]
        for day in days:
            try:
                dt.date.fromisoformat(day)
            except ValueError:
                raise ScenarioError(file, f"bad date '{day}' (expected YYYY-MM-DD)", row=r,
                                    column="leave_dates") from None
        if len(set(days)) != len(days):
            twice = next(day for day in days if days.count(day) > 1)
            raise ScenarioError(file, f"leave date {twice} is listed twice", row=r, column="leave_dates")
    frame["leave_dates"] = ["|".join(day.strip() for day in text.split("|") if day.strip())
                            for text in frame["leave_dates"]]
    frame["roles"] = ["|".join(role.strip() for role in text.split("|")) for text in frame["roles"]]
    frame["max_shifts_per_day"] = _ints(frame, file, "max_shifts_per_day", minimum=1, maximum=3,
                                        allow_blank=True)
    frame["max_hours_per_week"] = _floats(frame, file, "max_hours_per_week", low=0, high=168,
                                          low_open=True, allow_blank=True).tolist()
    return frame.set_index("officer_id")


def load_requests(path: Path, officers: pd.DataFrame, settings: CampaignFile) -> pd.DataFrame:
    """requests.csv: officers' wishes to work (want) or not work (avoid) a shift on a date."""
    file = path.name
    frame = read_table(path, REQUEST_COLUMNS)
    codes = [s.code for s in settings.shifts]
    start = settings.campaign.start_date
    end = start + dt.timedelta(days=settings.campaign.days - 1)
    for _, row in frame.iterrows():
        r = int(row["_row"])
        if row["officer_id"] not in officers.index:
            raise ScenarioError(file, f"unknown officer '{row['officer_id']}'", row=r, column="officer_id")
        try:
            day = dt.date.fromisoformat(row["date"])
        except ValueError:
            raise ScenarioError(file, f"bad date '{row['date']}' (expected YYYY-MM-DD)", row=r,
                                column="date") from None
        if not start <= day <= end:
            raise ScenarioError(file, f"date {day} is outside the campaign ({start} to {end})", row=r,
                                column="date")
        if row["shift"] not in codes:
            raise ScenarioError(file, f"unknown shift '{row['shift']}'", row=r, column="shift")
        if row["kind"] not in ("want", "avoid"):
            raise ScenarioError(file, f"kind must be 'want' or 'avoid', not '{row['kind']}'", row=r,
                                column="kind")
    frame["weight"] = _floats(frame, file, "weight", low=0, high=1e6)
    _unique(frame, file, ["officer_id", "date", "shift"])
    return frame


def load_scenario(folder: str | Path) -> Scenario:
    """Read and validate a scenario folder; raise ScenarioError on the first problem."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ScenarioError(str(folder), "scenario folder does not exist")
    settings = load_campaign(folder / CAMPAIGN_FILE)
    districts, city_kits = load_districts(folder / "districts.csv")
    wards = load_wards(folder / "wards.csv", districts)
    _every_district_has_wards(districts, wards)
    officers = None
    if (folder / "officers.csv").exists():
        officers = load_officers(folder / "officers.csv", districts, wards)
    requests = None
    if (folder / "requests.csv").exists():
        if officers is None:
            raise ScenarioError("requests.csv", "requests need officers.csv")
        requests = load_requests(folder / "requests.csv", officers, settings)
    warnings = []
    if officers is not None:
        staffed = set(officers["district_code"])
        for code in districts.index:
            if code not in staffed and int(wards.loc[wards["district_code"] == code, "target"].sum()) > 0:
                warnings.append(f"officers.csv: district '{code}' has no officers; it plans with "
                                "no staff (nothing enrolled there)")
    def without_rows(frame):
        return frame.drop(columns="_row") if frame is not None and "_row" in frame.columns else frame

    scenario = Scenario(path=folder, settings=settings, districts=without_rows(districts),
                        wards=without_rows(wards), officers=without_rows(officers),
                        requests=without_rows(requests), city_mobile_kits=city_kits, input_hash="",
                        notes={"warnings": warnings})
    return _rehash(scenario)
