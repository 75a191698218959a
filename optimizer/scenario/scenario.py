"""The Scenario: a validated campaign's settings and tables, and what is derived from them."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd
from pydantic import BaseModel

from .settings import COHORTS, ROLES, CampaignFile, ShiftSettings


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
