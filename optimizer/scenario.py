"""Validated scenario data: the campaign settings (TOML) and its tables (CSV).

`load_scenario(folder)` is the only way in. Everything it returns has been checked; any
problem raises `ScenarioError` with one line naming the file, row, column and problem.
See docs/scenario-format.md for the format.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import math
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .errors import ScenarioError

ROLES = ("operator", "verifier", "driver", "home_visit")
COHORTS = ("walk_in", "invited", "homebound", "institution")
CAMPAIGN_FILE = "campaign.toml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CampaignSettings(_Strict):
    name: str
    province: str = ""
    start_date: dt.date
    days: int = Field(ge=1, le=366)
    timezone: str = "Asia/Ho_Chi_Minh"
    freeze_days: int = Field(default=2, ge=0, le=30)


class ShiftSettings(_Strict):
    code: str = Field(min_length=1, max_length=3)
    name_vi: str
    name_en: str
    start: str
    end: str

    @field_validator("start", "end")
    @classmethod
    def _clock(cls, value: str) -> str:
        try:
            dt.datetime.strptime(value, "%H:%M")
        except ValueError:
            raise ValueError(f"'{value}' is not a clock time HH:MM") from None
        return value

    @property
    def start_minutes(self) -> int:
        hours, minutes = self.start.split(":")
        return int(hours) * 60 + int(minutes)

    @property
    def end_minutes(self) -> int:
        hours, minutes = self.end.split(":")
        end = int(hours) * 60 + int(minutes)
        return end if end > self.start_minutes else end + 24 * 60

    @property
    def hours(self) -> float:
        return (self.end_minutes - self.start_minutes) / 60.0


class DemandSettings(_Strict):
    walk_in_turnout: float = Field(ge=0, le=1)
    turnout_curve: Literal["flat", "front", "back", "wave"] = "front"
    turnout_peak_day: int = Field(default=3, ge=0)
    weekend_factor: float = Field(default=1.3, gt=0)
    shift_preference: dict[str, float]
    invitation_show_up: float = Field(ge=0, le=1)
    invitation_lead_days: int = Field(default=1, ge=0, le=14)
    max_letters_per_ward_day: int = Field(default=300, ge=0)
    give_up_share: float = Field(default=0.2, ge=0, le=1)
    return_share: float = Field(default=0.6, ge=0, le=1)
    return_after_days: int = Field(default=2, ge=1, le=30)
    # follow-up of no-shows: the neighbourhood working groups call (door to door) those who missed
    # the slot on their letter, follow_up_after_days later, at most calls_per_group_day each a day
    follow_up_after_days: int = Field(default=3, ge=1, le=30)
    follow_up_show_up: float = Field(default=0.5, ge=0, le=1)
    calls_per_group_day: float = Field(default=0.0, ge=0)


class ThroughputSettings(_Strict):
    walk_in: float = Field(gt=0)
    invited: float = Field(gt=0)
    institution: float = Field(gt=0)


class CrewPerKit(_Strict):
    """Officers by role; roles not written need nobody."""

    operator: int = Field(default=0, ge=0)
    verifier: int = Field(default=0, ge=0)
    driver: int = Field(default=0, ge=0)
    home_visit: int = Field(default=0, ge=0)

    def as_dict(self) -> dict[str, int]:
        return {role: getattr(self, role) for role in ROLES if getattr(self, role) > 0}


class MobileKitSettings(_Strict):
    shifts: list[str]
    crew: CrewPerKit


class HomeVisitSettings(_Strict):
    shift: str
    people_per_team_hour: float = Field(gt=0)
    crew: CrewPerKit


class OfficerRules(_Strict):
    max_shifts_per_day: int = Field(default=2, ge=1, le=3)
    min_rest_hours: float = Field(default=9, ge=0)
    max_consecutive_days: int = Field(default=6, ge=1)
    min_days_off_per_7: int = Field(default=1, ge=0, le=7)
    max_hours_per_week: float = Field(default=56, gt=0)
    forbidden_successions: list[tuple[str, str]] = Field(default_factory=list)


class ObjectiveWeights(_Strict):
    enrolled: float = Field(default=1.0, gt=0)
    shortfall_steps: list[tuple[float, float]] = Field(default_factory=lambda: [(0.05, 0.5), (0.10, 1.0)])
    wait_per_person_shift: float = Field(default=0.01, ge=0)
    officer_shift: float = Field(default=0.002, ge=0)
    kit_move: float = Field(default=0.05, ge=0)
    unstaffed_slot: float = Field(default=50.0, ge=0)
    cross_ward: float = Field(default=0.2, ge=0)
    reserve_use: float = Field(default=0.5, ge=0)
    request: float = Field(default=1.0, ge=0)

    @field_validator("shortfall_steps")
    @classmethod
    def _steps(cls, steps):
        for threshold, weight in steps:
            if not 0 <= threshold < 1 or weight < 0:
                raise ValueError("each step is [share of target in 0..1, cost per person >= 0]")
        return sorted(steps)


class SolverSettings(_Strict):
    time_limit_seconds: float = Field(default=60, gt=0)
    workers: int = Field(default=2, ge=1, le=64)
    seed: int = Field(default=0, ge=0)
    relative_gap: float = Field(default=0.002, ge=0, le=1)


class UncertaintySettings(_Strict):
    """How unsure the projection band is (optimizer/uncertainty.py): district turnout times a
    lognormal multiplier (median 1, `turnout_sigma`), invitation show-up drawn around the
    scenario's (normal, `show_up_sd`), each open kit-shift out of service with
    `breakdown_probability`."""

    turnout_sigma: float = Field(default=0.15, ge=0, le=2)
    show_up_sd: float = Field(default=0.05, ge=0, le=1)
    breakdown_probability: float = Field(default=0.03, ge=0, le=1)


class CampaignFile(_Strict):
    campaign: CampaignSettings
    shifts: list[ShiftSettings] = Field(min_length=1)
    demand: DemandSettings
    throughput_per_kit_hour: ThroughputSettings
    crew_per_kit: CrewPerKit
    mobile_kit: MobileKitSettings
    home_visit: HomeVisitSettings
    officer_rules: OfficerRules = OfficerRules()
    objective: ObjectiveWeights = ObjectiveWeights()
    solver: SolverSettings = SolverSettings()
    uncertainty: UncertaintySettings = UncertaintySettings()

    @model_validator(mode="after")
    def _shift_codes(self):
        codes = [s.code for s in self.shifts]
        if len(set(codes)) != len(codes):
            raise ValueError(f"shift codes must be unique, got {codes}")
        for name, used in (("demand.shift_preference", list(self.demand.shift_preference)),
                           ("mobile_kit.shifts", self.mobile_kit.shifts),
                           ("home_visit.shift", [self.home_visit.shift]),
                           ("officer_rules.forbidden_successions",
                            [c for pair in self.officer_rules.forbidden_successions for c in pair])):
            for code in used:
                if code not in codes:
                    raise ValueError(f"{name}: unknown shift code '{code}' (shifts are {codes})")
        for code in codes:
            if code not in self.demand.shift_preference:
                raise ValueError(f"demand.shift_preference: missing shift '{code}'")
        if any(v < 0 for v in self.demand.shift_preference.values()) or sum(
                self.demand.shift_preference.values()) <= 0:
            raise ValueError("demand.shift_preference: shares must be >= 0 with a positive sum")
        return self


# --- tables -------------------------------------------------------------------------------

WARD_COLUMNS = ("ward_code", "ward_name", "district_code", "population", "eligible",
                "already_enrolled", "cannot_enroll", "walk_in", "invited", "homebound",
                "institution", "fixed_kits")
DISTRICT_COLUMNS = ("district_code", "district_name", "lat", "lon", "mobile_kits",
                    "reserve_operator", "reserve_verifier", "reserve_driver", "reserve_home_visit")
OFFICER_COLUMNS = ("officer_id", "display_name", "district_code", "home_ward", "roles",
                   "leave_dates", "max_shifts_per_day", "max_hours_per_week")
REQUEST_COLUMNS = ("officer_id", "date", "shift", "kind", "weight")
CITY = "city"


@dataclass(frozen=True)
class Scenario:
    """A validated scenario. Tables are pandas frames; treat them as read-only."""

    path: Path
    settings: CampaignFile
    districts: pd.DataFrame   # index district_code (str), no city row
    wards: pd.DataFrame       # index ward_code (str); column target added
    officers: pd.DataFrame | None
    requests: pd.DataFrame | None
    city_mobile_kits: int
    input_hash: str
    notes: dict = field(default_factory=dict)

    # -- convenience --------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self.settings.campaign.name

    @property
    def shifts(self) -> list[ShiftSettings]:
        return list(self.settings.shifts)

    @property
    def shift_codes(self) -> list[str]:
        return [s.code for s in self.settings.shifts]

    @property
    def n_days(self) -> int:
        return self.settings.campaign.days

    @property
    def dates(self) -> list[dt.date]:
        start = self.settings.campaign.start_date
        return [start + dt.timedelta(days=d) for d in range(self.n_days)]

    @property
    def district_codes(self) -> list[str]:
        return list(self.districts.index)

    def wards_of(self, district_code: str) -> pd.DataFrame:
        return self.wards[self.wards["district_code"] == district_code]

    @property
    def total_target(self) -> int:
        return int(self.wards["target"].sum())

    def with_settings(self, **sections) -> "Scenario":
        """A copy with some TOML sections replaced (used by what-if controls)."""
        data = self.settings.model_dump()
        for key, value in sections.items():
            if isinstance(value, BaseModel):
                value = value.model_dump()
            data[key] = value
        settings = CampaignFile.model_validate(data)
        return _rehash(replace(self, settings=settings))

    def with_tables(self, wards: pd.DataFrame | None = None,
                    districts: pd.DataFrame | None = None,
                    city_mobile_kits: int | None = None) -> "Scenario":
        """A copy with tables replaced (values are re-validated)."""
        new_wards = self.wards if wards is None else wards.copy()
        if wards is not None:
            new_wards["target"] = (new_wards["eligible"] - new_wards["already_enrolled"]
                                   - new_wards["cannot_enroll"])
            sums = new_wards[list(COHORTS)].sum(axis=1)
            new_wards["target"] = sums  # cohorts define the target after a what-if edit
        return _rehash(replace(self, wards=new_wards,
                               districts=self.districts if districts is None else districts.copy(),
                               city_mobile_kits=self.city_mobile_kits if city_mobile_kits is None
                               else int(city_mobile_kits)))


def _rehash(scenario: Scenario) -> Scenario:
    digest = hashlib.sha256()
    digest.update(scenario.settings.model_dump_json().encode())
    for frame in (scenario.districts, scenario.wards, scenario.officers, scenario.requests):
        if frame is not None:
            digest.update(pd.util.hash_pandas_object(frame.reset_index(), index=False).values.tobytes())
    digest.update(str(scenario.city_mobile_kits).encode())
    return replace(scenario, input_hash=digest.hexdigest()[:16])


# --- loading --------------------------------------------------------------------------------

def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ScenarioError(path.name, "file is missing") from None
    except OSError as exc:
        raise ScenarioError(path.name, f"cannot be read ({exc.strerror})") from None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return _nfc(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ScenarioError(path.name, f"not UTF-8 (byte {exc.start} on line {line})") from None


def load_campaign(path: Path) -> CampaignFile:
    """Parse and validate campaign.toml."""
    text = _read_text(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        key, line = _toml_error_line(text, str(exc))
        shown = f": {line.strip()!r}" if line else ""
        raise ScenarioError(path.name, f"not valid TOML{shown} ({exc})", key=key) from None
    try:
        return CampaignFile.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        key = ".".join(str(p) for p in error["loc"]) or "(top level)"
        message = error["msg"]
        if error["type"] == "extra_forbidden":
            message = "unknown key"
        elif error["type"] == "missing":
            message = "required key is missing"
        elif error["type"].startswith("date"):
            message = f"bad date {error.get('input')!r}: {message}"
        raise ScenarioError(path.name, message, key=key) from None


def _toml_error_line(text: str, message: str) -> tuple[str | None, str | None]:
    """The dotted key assigned on the line a TOML syntax error points at, and that line."""
    found = re.search(r"at line (\d+)", message)
    lines = text.splitlines()
    if not found or not 1 <= int(found.group(1)) <= len(lines):
        return None, None
    number = int(found.group(1))
    table = ""
    for line in lines[:number - 1]:
        header = re.match(r"\s*\[\[?\s*([A-Za-z0-9_.\-]+)\s*\]\]?\s*(#.*)?$", line)
        if header:
            table = header.group(1) + "."
    assignment = re.match(r"\s*([A-Za-z0-9_.\-]+)\s*=", lines[number - 1])
    return (table + assignment.group(1) if assignment else None), lines[number - 1]


def read_table(path: Path, columns: tuple[str, ...], *, required: tuple[str, ...] | None = None,
               text_columns: tuple[str, ...] = ()) -> pd.DataFrame:
    """Read a CSV as strings, check its header, return it with a `_row` column (1 = header)."""
    text = _read_text(path)
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=True)
    except pd.errors.EmptyDataError:
        raise ScenarioError(path.name, "empty table (no header)") from None
    except pd.errors.ParserError as exc:
        raise ScenarioError(path.name, f"not a valid CSV ({str(exc).strip()})") from None
    frame.columns = [_nfc(str(c)).strip() for c in frame.columns]
    required = columns if required is None else required
    for column in required:
        if column not in frame.columns:
            raise ScenarioError(path.name, f"missing column (expected {', '.join(columns)})",
                                column=column)
    for column in frame.columns:
        if column not in columns:
            raise ScenarioError(path.name, "unknown column", column=column)
    if frame.columns.duplicated().any():
        raise ScenarioError(path.name, "duplicate column", column=frame.columns[frame.columns.duplicated()][0])
    if frame.empty:
        raise ScenarioError(path.name, "empty table (no rows)")
    frame = frame.apply(lambda col: col.str.strip())
    frame["_row"] = np.arange(2, len(frame) + 2)
    return frame


def _ints(frame: pd.DataFrame, file: str, column: str, *, minimum: int = 0,
          allow_blank: bool = False) -> pd.Series:
    values = []
    for row, text in zip(frame["_row"], frame[column]):
        if text == "" and allow_blank:
            values.append(pd.NA)
            continue
        try:
            number = float(text)
        except ValueError:
            raise ScenarioError(file, f"'{text}' is not a number", row=int(row), column=column) from None
        if not math.isfinite(number) or number != int(number):
            raise ScenarioError(file, f"'{text}' is not a whole number", row=int(row), column=column)
        if number < minimum:
            raise ScenarioError(file, f"{text} is negative" if number < 0 else f"{text} is below {minimum}",
                                row=int(row), column=column)
        values.append(int(number))
    return pd.Series(values, index=frame.index, dtype="Int64" if allow_blank else "int64")


def _floats(frame: pd.DataFrame, file: str, column: str, *, low: float, high: float) -> pd.Series:
    values = []
    for row, text in zip(frame["_row"], frame[column]):
        try:
            number = float(text)
        except ValueError:
            raise ScenarioError(file, f"'{text}' is not a number", row=int(row), column=column) from None
        if not (low <= number <= high):
            raise ScenarioError(file, f"{text} is outside {low}..{high}", row=int(row), column=column)
        values.append(number)
    return pd.Series(values, index=frame.index, dtype="float64")


def _unique(frame: pd.DataFrame, file: str, columns: list[str]) -> None:
    duplicated = frame.duplicated(subset=columns, keep="first")
    if duplicated.any():
        first = frame[duplicated].iloc[0]
        raise ScenarioError(file, f"duplicate {' + '.join(columns)} '{' / '.join(first[c] for c in columns)}'",
                            row=int(first["_row"]), column=columns[0])


def _non_empty(frame: pd.DataFrame, file: str, column: str) -> None:
    empty = frame[frame[column] == ""]
    if not empty.empty:
        raise ScenarioError(file, "empty value", row=int(empty.iloc[0]["_row"]), column=column)


def load_districts(path: Path) -> tuple[pd.DataFrame, int]:
    """districts.csv: one row per district plus an optional `city` row for the city reserve."""
    file = path.name
    frame = read_table(path, DISTRICT_COLUMNS,
                       required=("district_code", "district_name", "mobile_kits"))
    for column in DISTRICT_COLUMNS:
        if column not in frame.columns:
            frame[column] = "0" if column.startswith("reserve_") or column == "mobile_kits" else "nan"
    _non_empty(frame, file, "district_code")
    _unique(frame, file, ["district_code"])
    frame["mobile_kits"] = _ints(frame, file, "mobile_kits")
    for role in ROLES:
        column = f"reserve_{role}"
        frame[column] = frame[column].replace("", "0")
        frame[column] = _ints(frame, file, column)
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
    for column in ("ward_code", "ward_name", "district_code"):
        _non_empty(frame, file, column)
    _unique(frame, file, ["ward_code"])
    unknown = frame[~frame["district_code"].isin(districts.index)]
    if not unknown.empty:
        row = unknown.iloc[0]
        raise ScenarioError(file, f"unknown district code '{row['district_code']}'",
                            row=int(row["_row"]), column="district_code")
    for column in WARD_COLUMNS[3:] + ("working_groups",):
        frame[column] = _ints(frame, file, column)
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


def load_officers(path: Path, districts: pd.DataFrame, wards: pd.DataFrame) -> pd.DataFrame:
    """officers.csv: one row per officer with roles, home ward (empty = district reserve), leave."""
    file = path.name
    frame = read_table(path, OFFICER_COLUMNS,
                       required=("officer_id", "display_name", "district_code", "home_ward", "roles"))
    for column in ("leave_dates", "max_shifts_per_day", "max_hours_per_week"):
        if column not in frame.columns:
            frame[column] = ""
    for column in ("officer_id", "display_name", "district_code", "roles"):
        _non_empty(frame, file, column)
    _unique(frame, file, ["officer_id"])
    for _, row in frame.iterrows():
        r = int(row["_row"])
        if row["district_code"] not in districts.index:
            raise ScenarioError(file, f"unknown district code '{row['district_code']}'", row=r,
                                column="district_code")
        if row["home_ward"]:
            if row["home_ward"] not in wards.index:
                raise ScenarioError(file, f"unknown ward code '{row['home_ward']}'", row=r, column="home_ward")
            if wards.at[row["home_ward"], "district_code"] != row["district_code"]:
                raise ScenarioError(file, f"ward '{row['home_ward']}' is not in district "
                                    f"'{row['district_code']}'", row=r, column="home_ward")
        for role in row["roles"].split("|"):
            if role not in ROLES:
                raise ScenarioError(file, f"unknown role '{role}' (roles are {', '.join(ROLES)})",
                                    row=r, column="roles")
        for day in filter(None, row["leave_dates"].split("|")):
            try:
                dt.date.fromisoformat(day)
            except ValueError:
                raise ScenarioError(file, f"bad date '{day}' (expected YYYY-MM-DD)", row=r,
                                    column="leave_dates") from None
    frame["max_shifts_per_day"] = _ints(frame, file, "max_shifts_per_day", minimum=1, allow_blank=True)
    hours = []
    for row, text in zip(frame["_row"], frame["max_hours_per_week"]):
        if text == "":
            hours.append(float("nan"))
            continue
        try:
            value = float(text)
        except ValueError:
            raise ScenarioError(file, f"'{text}' is not a number", row=int(row),
                                column="max_hours_per_week") from None
        if not value > 0:
            raise ScenarioError(file, f"{text} must be positive", row=int(row), column="max_hours_per_week")
        hours.append(value)
    frame["max_hours_per_week"] = hours
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
    officers = None
    if (folder / "officers.csv").exists():
        officers = load_officers(folder / "officers.csv", districts, wards)
    requests = None
    if (folder / "requests.csv").exists():
        if officers is None:
            raise ScenarioError("requests.csv", "requests need officers.csv")
        requests = load_requests(folder / "requests.csv", officers, settings)
    def without_rows(frame):
        return frame.drop(columns="_row") if frame is not None and "_row" in frame.columns else frame

    scenario = Scenario(path=folder, settings=settings, districts=without_rows(districts),
                        wards=without_rows(wards), officers=without_rows(officers),
                        requests=without_rows(requests), city_mobile_kits=city_kits, input_hash="")
    return _rehash(scenario)


def officer_counts(scenario: Scenario) -> pd.DataFrame:
    """Officers per district by role set, as the capacity planner sees them.

    Returns a frame with one row per (district_code, roles) where roles is a frozenset, with
    columns `officers` and `leave_by_day` (list of officers on leave each campaign day).
    Without officers.csv, the district table's reserve counts give single-role officers.
    """
    rows = []
    dates = scenario.dates
    if scenario.officers is not None:
        officers = scenario.officers
        for (district, roles), group in officers.groupby(["district_code", "roles"], sort=True):
            leave = [0] * len(dates)
            for text in group["leave_dates"]:
                for day in filter(None, text.split("|")):
                    d = (dt.date.fromisoformat(day) - dates[0]).days
                    if 0 <= d < len(dates):
                        leave[d] += 1
            rows.append({"district_code": district, "roles": frozenset(roles.split("|")),
                         "officers": len(group), "leave_by_day": leave})
    else:
        for district, row in scenario.districts.iterrows():
            for role in ROLES:
                count = int(row[f"reserve_{role}"])
                if count:
                    rows.append({"district_code": district, "roles": frozenset([role]),
                                 "officers": count, "leave_by_day": [0] * len(dates)})
    return pd.DataFrame(rows, columns=["district_code", "roles", "officers", "leave_by_day"])
