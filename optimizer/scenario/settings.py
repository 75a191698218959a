"""Validated scenario data: the campaign settings (TOML) and its tables (CSV).

`load_scenario(folder)` is the only way in. Everything it returns has been checked; any
problem raises `ScenarioError` with one line naming the file, row, column and problem.
See docs/scenario-format.md for the format.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import math
import re
import tomllib
import unicodedata
import zoneinfo
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..errors import ScenarioError
from ..file_names import file_stem, stem_collisions

ROLES = ("operator", "verifier", "driver", "home_visit")
COHORTS = ("walk_in", "invited", "homebound", "institution")
CAMPAIGN_FILE = "campaign.toml"


# Sane ranges of every count and rate (docs/scenario-format.md states them). They are wide
# enough for any province's campaign and narrow enough that no computation overflows or
# loops for long: a value outside is an input error, not a plan.
MAX_NAME_LENGTH = 200
MAX_CODE_LENGTH = 64
MAX_WEIGHT = 1e6               # objective weights, request weights
MAX_PEOPLE_PER_WARD = 2_000_000
MAX_FIXED_KITS_PER_WARD = 50
MAX_WORKING_GROUPS_PER_WARD = 1_000   # neighbourhood working groups (Hà Nội: about 9 a ward)
MAX_MOBILE_KITS = 500          # per district
MAX_CITY_MOBILE_KITS = 5_000
MAX_RESERVE_OFFICERS = 2_000   # per district and role (Hà Nội: about 90 officers a district)
MAX_LETTERS_PER_WARD_DAY = 100_000
MAX_THROUGHPUT_PER_KIT_HOUR = 1_000.0
MAX_CREW_PER_ROLE = 20
MIN_RATE = 0.01                # smallest throughput, team rate, weekend factor, enrolled weight
EARLIEST_START = dt.date(2000, 1, 1)
LATEST_START = dt.date(2100, 12, 31)
FORMULA_STARTS = ("=", "+", "-", "@")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")                  # none in codes
_TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # none in names (tab, line breaks allowed)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class CampaignSettings(_Strict):
    name: str = Field(min_length=1, max_length=MAX_NAME_LENGTH)
    province: str = Field(default="", max_length=MAX_NAME_LENGTH)
    start_date: dt.date
    days: int = Field(ge=1, le=366)
    timezone: str = "Asia/Ho_Chi_Minh"
    freeze_days: int = Field(default=2, ge=0, le=30)

    @field_validator("start_date")
    @classmethod
    def _start(cls, value: dt.date) -> dt.date:
        if isinstance(value, dt.datetime) or not EARLIEST_START <= value <= LATEST_START:
            raise ValueError(f"must be a date from {EARLIEST_START} to {LATEST_START}")
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
            raise ValueError(f"unknown time zone '{value}' (an IANA name such as "
                             "Asia/Ho_Chi_Minh)") from None
        return value


class ShiftSettings(_Strict):
    code: str = Field(min_length=1, max_length=3, pattern=r"^\w+$")
    name_vi: str = Field(max_length=MAX_NAME_LENGTH)
    name_en: str = Field(max_length=MAX_NAME_LENGTH)
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
    turnout_peak_day: int = Field(default=3, ge=0, le=365)
    weekend_factor: float = Field(default=1.3, ge=MIN_RATE, le=10)
    shift_preference: dict[str, float]
    invitation_show_up: float = Field(ge=0, le=1)
    invitation_lead_days: int = Field(default=1, ge=0, le=14)
    max_letters_per_ward_day: int = Field(default=300, ge=0, le=MAX_LETTERS_PER_WARD_DAY)
    give_up_share: float = Field(default=0.2, ge=0, le=1)
    return_share: float = Field(default=0.6, ge=0, le=1)
    return_after_days: int = Field(default=2, ge=1, le=30)
    # follow-up of no-shows: the neighbourhood working groups call (door to door) those who missed
    # the slot on their letter, follow_up_after_days later, at most calls_per_group_day each a day
    follow_up_after_days: int = Field(default=3, ge=1, le=30)
    follow_up_show_up: float = Field(default=0.5, ge=0, le=1)
    calls_per_group_day: float = Field(default=0.0, ge=0, le=10_000)


class ThroughputSettings(_Strict):
    walk_in: float = Field(ge=MIN_RATE, le=MAX_THROUGHPUT_PER_KIT_HOUR)
    invited: float = Field(ge=MIN_RATE, le=MAX_THROUGHPUT_PER_KIT_HOUR)
    institution: float = Field(ge=MIN_RATE, le=MAX_THROUGHPUT_PER_KIT_HOUR)


class CrewPerKit(_Strict):
    """Officers by role; roles not written need nobody."""

    operator: int = Field(default=0, ge=0, le=MAX_CREW_PER_ROLE)
    verifier: int = Field(default=0, ge=0, le=MAX_CREW_PER_ROLE)
    driver: int = Field(default=0, ge=0, le=MAX_CREW_PER_ROLE)
    home_visit: int = Field(default=0, ge=0, le=MAX_CREW_PER_ROLE)

    def as_dict(self) -> dict[str, int]:
        return {role: getattr(self, role) for role in ROLES if getattr(self, role) > 0}


class MobileKitSettings(_Strict):
    shifts: list[str] = Field(min_length=1, max_length=24)
    crew: CrewPerKit

    @field_validator("shifts")
    @classmethod
    def _distinct(cls, shifts: list[str]) -> list[str]:
        if len(set(shifts)) != len(shifts):
            raise ValueError(f"a shift is listed twice in {shifts}")
        return shifts


class HomeVisitSettings(_Strict):
    shift: str
    people_per_team_hour: float = Field(ge=MIN_RATE, le=100)
    crew: CrewPerKit


class OfficerRules(_Strict):
    max_shifts_per_day: int = Field(default=2, ge=1, le=3)
    min_rest_hours: float = Field(default=9, ge=0, le=24)   # a longer rest is a days-off rule
    max_consecutive_days: int = Field(default=6, ge=1, le=366)
    min_days_off_per_7: int = Field(default=1, ge=0, le=7)
    max_hours_per_week: float = Field(default=56, gt=0, le=168)
    forbidden_successions: list[tuple[str, str]] = Field(default_factory=list, max_length=576)


class ObjectiveWeights(_Strict):
    enrolled: float = Field(default=1.0, ge=MIN_RATE, le=MAX_WEIGHT)
    shortfall_steps: list[tuple[float, float]] = Field(default_factory=lambda: [(0.05, 0.5), (0.10, 1.0)],
                                                       max_length=10)
    wait_per_person_shift: float = Field(default=0.01, ge=0, le=MAX_WEIGHT)
    officer_shift: float = Field(default=0.002, ge=0, le=MAX_WEIGHT)
    kit_move: float = Field(default=0.05, ge=0, le=MAX_WEIGHT)
    unstaffed_slot: float = Field(default=50.0, ge=0, le=MAX_WEIGHT)
    cross_ward: float = Field(default=0.2, ge=0, le=MAX_WEIGHT)
    reserve_use: float = Field(default=0.5, ge=0, le=MAX_WEIGHT)
    request: float = Field(default=1.0, ge=0, le=MAX_WEIGHT)

    @field_validator("shortfall_steps")
    @classmethod
    def _steps(cls, steps):
        for threshold, weight in steps:
            if not 0 <= threshold < 1 or not 0 <= weight <= MAX_WEIGHT:
                raise ValueError(f"each step is [share of target in 0..1, cost per person in "
                                 f"0..{MAX_WEIGHT:g}]")
        return sorted(steps)


class SolverSettings(_Strict):
    time_limit_seconds: float = Field(default=60, gt=0, le=86_400)
    workers: int = Field(default=2, ge=1, le=64)
    seed: int = Field(default=0, ge=0, le=2**31 - 1)
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
    shifts: list[ShiftSettings] = Field(min_length=1, max_length=24)
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
        if any(not 0 <= v <= MAX_WEIGHT for v in self.demand.shift_preference.values()) or sum(
                self.demand.shift_preference.values()) <= 0:
            raise ValueError(f"demand.shift_preference: shares must be in 0..{MAX_WEIGHT:g} with a "
                             "positive sum")
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

    def with_settings(self, **sections) -> Scenario:
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
                    city_mobile_kits: int | None = None) -> Scenario:
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
        check_toml_values(path.name, data)
    except tomllib.TOMLDecodeError as exc:
        key, line = _toml_error_line(text, str(exc))
        shown = f": {line.strip()!r}" if line else ""
        raise ScenarioError(path.name, f"not valid TOML{shown} ({exc})", key=key) from None
    except RecursionError:
        raise ScenarioError(path.name, "values nested too deeply") from None
    try:
        return CampaignFile.model_validate(data)
    except RecursionError:
        raise ScenarioError(path.name, "values nested too deeply") from None
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
        elif isinstance(error.get("input"), (int, float, str)) and not isinstance(error["input"], bool):
            shown = repr(error["input"])
            message = f"{message} (got {shown if len(shown) <= 60 else shown[:57] + '...'})"
        raise ScenarioError(path.name, message, key=key) from None


def check_toml_values(file: str, data, key: str = "") -> None:
    """The rule for every TOML value: no booleans (TOML's `true` is not the number 1: no setting
    of a campaign is a yes/no), no non-finite numbers (`nan`, `inf`) and no control characters
    in text (tab and line breaks allowed); ranges are the model's."""
    if isinstance(data, dict):
        for name, value in data.items():
            check_toml_values(file, value, f"{key}.{name}" if key else str(name))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            check_toml_values(file, value, f"{key}.{index}")
    elif isinstance(data, bool):
        raise ScenarioError(file, f"{str(data).lower()} is not a number or text (no setting is a "
                            "yes/no value)", key=key or "(top level)")
    elif isinstance(data, float) and not math.isfinite(data):
        raise ScenarioError(file, f"{data} is not a finite number", key=key or "(top level)")
    elif isinstance(data, str) and _TEXT_CONTROL.search(data):
        raise ScenarioError(file, "text holds a control character", key=key or "(top level)")


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
    """Read a CSV as strings, check its header, return it with a `_row` column (the line number
    in the file; the header is row 1).

    Every record must have as many values as the header has columns: a record with more (a
    stray comma, a value past the last column) is refused naming the first extra column, a
    record with fewer gets empty values for the missing columns (reported by the column's own
    check). Empty trailing values (a trailing comma) and blank lines are ignored.
    """
    file = path.name
    text = _read_text(path)
    if "\x00" in text:
        raise ScenarioError(file, "not a text file (holds NUL characters)")
    try:
        records = []
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        for record in reader:
            records.append((reader.line_num, record))
    except csv.Error as exc:
        raise ScenarioError(file, f"not a valid CSV ({exc})", row=reader.line_num) from None
    records = [(line, [value.strip() for value in record]) for line, record in records
               if any(value.strip() for value in record)]
    if not records:
        raise ScenarioError(file, "empty table (no header)")
    header = [_nfc(name) for name in records[0][1]]
    while header and header[-1] == "":
        header.pop()
    required = columns if required is None else required
    for column in required:
        if column not in header:
            raise ScenarioError(file, f"missing column (expected {', '.join(columns)})", column=column)
    for column in header:
        if column not in columns:
            raise ScenarioError(file, "unknown column", column=column or "(empty name)")
    duplicated = [c for i, c in enumerate(header) if c in header[:i]]
    if duplicated:
        raise ScenarioError(file, "duplicate column", column=duplicated[0])
    width = len(header)
    rows = []
    for line, record in records[1:]:
        while len(record) > width and record[-1] == "":
            record.pop()
        if len(record) > width:
            raise ScenarioError(file, f"{len(record)} values but the header has {width} columns "
                                f"(extra value '{record[width]}')", row=line,
                                column=f"{width + 1} (after {header[-1]})")
        rows.append(record + [""] * (width - len(record)))
    if not rows:
        raise ScenarioError(file, "empty table (no rows)")
    frame = pd.DataFrame(rows, columns=header, dtype=object)
    frame["_row"] = [line for line, _ in records[1:]]
    return frame


def _number(text: str, file: str, row: int, column: str) -> float:
    """The rule for every number in a table: plain decimal text ('12', '2.5', '1e3'), finite."""
    try:
        number = float(text)
    except (ValueError, OverflowError):
        raise ScenarioError(file, f"'{text}' is not a number", row=row, column=column) from None
    if not math.isfinite(number):
        raise ScenarioError(file, f"'{text}' is not a finite number", row=row, column=column)
    return number


def _ints(frame: pd.DataFrame, file: str, column: str, *, minimum: int = 0, maximum: int,
          allow_blank: bool = False) -> pd.Series:
    """Whole numbers in `minimum..maximum` (blank allowed only with `allow_blank`)."""
    values = []
    for row, text in zip(frame["_row"], frame[column]):
        if text == "" and allow_blank:
            values.append(pd.NA)
            continue
        number = _number(text, file, int(row), column)
        if number != int(number):
            raise ScenarioError(file, f"'{text}' is not a whole number", row=int(row), column=column)
        if number < minimum:
            raise ScenarioError(file, f"{text} is negative" if number < 0 else f"{text} is below {minimum}",
                                row=int(row), column=column)
        if number > maximum:
            raise ScenarioError(file, f"{text} is above the limit of {maximum:,}", row=int(row),
                                column=column)
        values.append(int(number))
    return pd.Series(values, index=frame.index, dtype="Int64" if allow_blank else "int64")


def _floats(frame: pd.DataFrame, file: str, column: str, *, low: float, high: float,
            low_open: bool = False, allow_blank: bool = False) -> pd.Series:
    """Finite numbers in `low..high` (above `low` when `low_open`; blank is NaN with `allow_blank`)."""
    values = []
    for row, text in zip(frame["_row"], frame[column]):
        if text == "" and allow_blank:
            values.append(float("nan"))
            continue
        number = _number(text, file, int(row), column)
        if not (low <= number <= high) or (low_open and number == low):
            bound = (f"above {_plain(low)} and at most {_plain(high)}" if low_open
                     else f"in {_plain(low)}..{_plain(high)}")
            raise ScenarioError(file, f"{text} must be {bound}", row=int(row), column=column)
        values.append(number)
    return pd.Series(values, index=frame.index, dtype="float64")


def _plain(number: float) -> str:
    """A bound as people read it: 1,000,000 rather than 1e+06."""
    return f"{int(number):,}" if float(number).is_integer() else f"{number:g}"


def _codes(frame: pd.DataFrame, file: str, column: str, *, allow_blank: bool = False) -> None:
    """The rule for codes and IDs: non-empty (unless `allow_blank`), at most MAX_CODE_LENGTH
    characters, no control characters, not starting with a spreadsheet formula character."""
    for row, text in zip(frame["_row"], frame[column]):
        if text == "":
            if allow_blank:
                continue
            raise ScenarioError(file, "empty value", row=int(row), column=column)
        if len(text) > MAX_CODE_LENGTH:
            raise ScenarioError(file, f"longer than {MAX_CODE_LENGTH} characters", row=int(row),
                                column=column)
        if _CONTROL.search(text):
            raise ScenarioError(file, "holds a control character (line break, tab, ...)",
                                row=int(row), column=column)
        if text.startswith(FORMULA_STARTS):
            raise ScenarioError(file, f"'{text}' starts with '{text[0]}' (codes may not start with "
                                f"{' '.join(FORMULA_STARTS)})", row=int(row), column=column)


def _names(frame: pd.DataFrame, file: str, column: str) -> None:
    """The rule for names: non-empty, at most MAX_NAME_LENGTH characters, no control characters
    other than tab and line breaks (which exports escape)."""
    for row, text in zip(frame["_row"], frame[column]):
        if text == "":
            raise ScenarioError(file, "empty value", row=int(row), column=column)
        if _TEXT_CONTROL.search(text):
            raise ScenarioError(file, "holds a control character", row=int(row), column=column)
        if len(text) > MAX_NAME_LENGTH:
            raise ScenarioError(file, f"longer than {MAX_NAME_LENGTH} characters", row=int(row),
                                column=column)


def _distinct_files(frame: pd.DataFrame, file: str, column: str, kind: str, *,
                    lookalike: bool = False) -> None:
    """Codes that name export files must give distinct file names, ignoring case (and, with
    `lookalike`, ignoring characters a file name cannot hold)."""
    clash = stem_collisions(frame[column], lookalike=lookalike)
    if clash is not None:
        first, second = clash
        row = int(frame.loc[frame[column] == second, "_row"].iloc[0])
        how = "in case or in characters a file name cannot hold" if lookalike else "in case"
        raise ScenarioError(file, f"{kind} '{first}' and '{second}' differ only {how} (export file "
                            f"'{file_stem(second)}')", row=row, column=column)


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
        roles = [role.strip() for role in row["roles"].split("|")]
        for role in roles:
            if role not in ROLES:
                raise ScenarioError(file, f"unknown role '{role}' (roles are {', '.join(ROLES)})",
                                    row=r, column="roles")
        if len(set(roles)) != len(roles):
            raise ScenarioError(file, "a role is listed twice", row=r, column="roles")
        days = [day.strip() for day in row["leave_dates"].split("|") if day.strip()]
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
