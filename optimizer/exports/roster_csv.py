"""roster.csv: one row per officer-shift, for Excel users and for reading back
(`optimizer.roster.check.read_roster_csv`)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..scenario import Scenario
from .csv_file import write_csv
from .roster_table import enrich_roster

ROSTER_CSV_COLUMNS = ("officer_id", "display_name", "district_code", "home_ward", "date", "day",
                      "shift", "start", "end", "hours", "ward_code", "ward_name", "role")


def write_roster_csv(scenario: Scenario, roster: pd.DataFrame, path: str | Path) -> Path:
    """Write roster.csv (UTF-8 with BOM; dates ISO; sorted by date, shift, ward, role, officer)."""
    frame = enrich_roster(scenario, roster)
    frame["date"] = [d.isoformat() for d in frame["date"]]
    return write_csv(frame[list(ROSTER_CSV_COLUMNS)], path)
