"""Validated scenario data: the campaign settings (TOML) and its tables (CSV).

`load_scenario(folder)` is the only way in. Everything it returns has been checked; any
problem raises `ScenarioError` with one line naming the file, row, column and problem.
See docs/scenario-format.md for the format.

The package's modules, lowest layer first:
- `limits`: the sane ranges of every count and rate;
- `tables`: reading a CSV table and checking its cells (also used by the nightly actuals);
- `settings`: the campaign settings (pydantic models of campaign.toml) and their reading;
- `scenario`: the `Scenario` data and what is derived from it (`officer_counts`);
- `loaders`: the files of a scenario folder and `load_scenario`.
"""

from __future__ import annotations

from ..errors import ScenarioError
from .limits import (
    EARLIEST_START,
    LATEST_START,
    MAX_CITY_MOBILE_KITS,
    MAX_CODE_LENGTH,
    MAX_CREW_PER_ROLE,
    MAX_FIXED_KITS_PER_WARD,
    MAX_LETTERS_PER_WARD_DAY,
    MAX_MOBILE_KITS,
    MAX_NAME_LENGTH,
    MAX_PEOPLE_PER_WARD,
    MAX_RESERVE_OFFICERS,
    MAX_THROUGHPUT_PER_KIT_HOUR,
    MAX_WEIGHT,
    MAX_WORKING_GROUPS_PER_WARD,
    MIN_RATE,
)
from .loaders import (
    CITY,
    DISTRICT_COLUMNS,
    OFFICER_COLUMNS,
    REQUEST_COLUMNS,
    WARD_COLUMNS,
    load_districts,
    load_officers,
    load_requests,
    load_scenario,
    load_wards,
)
from .scenario import Scenario, _rehash, officer_counts
from .settings import (
    CAMPAIGN_FILE,
    COHORTS,
    ROLES,
    CampaignFile,
    CampaignSettings,
    CrewPerKit,
    DemandSettings,
    HomeVisitSettings,
    MobileKitSettings,
    ObjectiveWeights,
    OfficerRules,
    ShiftSettings,
    SolverSettings,
    ThroughputSettings,
    UncertaintySettings,
    check_toml_values,
    load_campaign,
)
from .tables import FORMULA_STARTS, read_table

__all__ = [
    "CAMPAIGN_FILE", "CITY", "COHORTS", "DISTRICT_COLUMNS", "EARLIEST_START", "FORMULA_STARTS",
    "LATEST_START", "MAX_CITY_MOBILE_KITS", "MAX_CODE_LENGTH", "MAX_CREW_PER_ROLE",
    "MAX_FIXED_KITS_PER_WARD", "MAX_LETTERS_PER_WARD_DAY", "MAX_MOBILE_KITS", "MAX_NAME_LENGTH",
    "MAX_PEOPLE_PER_WARD", "MAX_RESERVE_OFFICERS", "MAX_THROUGHPUT_PER_KIT_HOUR", "MAX_WEIGHT",
    "MAX_WORKING_GROUPS_PER_WARD", "MIN_RATE", "OFFICER_COLUMNS", "REQUEST_COLUMNS", "ROLES",
    "WARD_COLUMNS", "CampaignFile", "CampaignSettings", "CrewPerKit", "DemandSettings",
    "HomeVisitSettings", "MobileKitSettings", "ObjectiveWeights", "OfficerRules", "Scenario",
    "ScenarioError", "ShiftSettings", "SolverSettings", "ThroughputSettings", "UncertaintySettings",
    "_rehash", "check_toml_values", "load_campaign", "load_districts", "load_officers",
    "load_requests", "load_scenario", "load_wards", "officer_counts", "read_table",
]
