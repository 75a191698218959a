"""The campaign settings: the pydantic models of campaign.toml, their ranges, and its reading.

`load_campaign(path)` parses and validates the file; any problem raises `ScenarioError` with
one line naming the file, the key and the problem. See docs/scenario-format.md for the format.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import tomllib
import zoneinfo
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..errors import ScenarioError
from .limits import (
    EARLIEST_START,
    LATEST_START,
    MAX_CREW_PER_ROLE,
    MAX_LETTERS_PER_WARD_DAY,
    MAX_NAME_LENGTH,
    MAX_THROUGHPUT_PER_KIT_HOUR,
    MAX_WEIGHT,
    MIN_RATE,
)
from .tables import _TEXT_CONTROL, _read_text

ROLES = ("operator", "verifier", "driver", "home_visit")
COHORTS = ("walk_in", "invited", "homebound", "institution")
CAMPAIGN_FILE = "campaign.toml"


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
