"""The plan's crew slots (officers needed per ward, day, shift and role) and how a roster
meets them: the table columns, the rows beyond what the slots need, the slots left empty."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd

from ..scenario import Scenario
from ..simulation import Decisions
from ..staffing import CrewNeeds


def table_rows(frame: pd.DataFrame) -> Iterator[Any]:
    """The frame's rows as named tuples (attributes by column name; their types vary by table)."""
    return frame.itertuples()


SLOT_COLUMNS = ["ward_code", "district_code", "day", "shift", "role", "needed", "activity"]
ROSTER_COLUMNS = ["officer_id", "display_name", "district_code", "home_ward", "date", "day", "shift",
                  "ward_code", "role"]
UNSTAFFED_COLUMNS = ["ward_code", "date", "day", "shift", "role", "missing"]


def crew_slots(scenario: Scenario, decisions: Decisions, *, first_day: int = 0) -> pd.DataFrame:
    """Officers needed per ward, day, shift and role (summed over kits, mobile kits, teams)."""
    crew = CrewNeeds.of(scenario)
    codes = scenario.shift_codes
    mobile = {codes.index(c) for c in scenario.settings.mobile_kit.shifts}
    home = codes.index(scenario.settings.home_visit.shift)
    wards = scenario.wards
    ward_codes = wards.index.to_numpy()
    districts = wards["district_code"].to_numpy()
    rows = []
    for activity, counts, needs, allowed in (
            ("kit", decisions.kits_open, crew.kit, None),
            ("mobile", decisions.mobile_kits, crew.mobile, mobile),
            ("home_visit", decisions.home_visit_teams, crew.home_visit, {home})):
        for w, d, s in np.argwhere(counts[:, first_day:, :] > 0):
            d += first_day
            if allowed is not None and s not in allowed:
                continue
            for role, per_unit in needs.items():
                rows.append((ward_codes[w], districts[w], int(d), codes[s], role,
                             int(counts[w, d, s] * per_unit), activity))
    frame = pd.DataFrame(rows, columns=SLOT_COLUMNS)
    if frame.empty:
        return frame.drop(columns="activity")
    needed: Any = (frame.groupby(["ward_code", "district_code", "day", "shift", "role"], sort=True,
                                 as_index=False)["needed"].sum())
    return needed


def trim_to_slots(roster: pd.DataFrame, slots: pd.DataFrame) -> pd.DataFrame:
    """Drop officer-shifts beyond what the plan's slots need (activities closed by a correction)."""
    if not len(roster):
        return roster
    need = {(r.ward_code, int(r.day), r.shift, r.role): int(r.needed) for r in table_rows(slots)}
    keep: list[int] = []
    used: dict[tuple, int] = {}
    for i, r in enumerate(table_rows(roster)):
        key = (r.ward_code, int(r.day), r.shift, r.role)
        if used.get(key, 0) < need.get(key, 0):
            used[key] = used.get(key, 0) + 1
            keep.append(i)
    return roster.iloc[keep].reset_index(drop=True)


def empty_slots(scenario: Scenario, slots: pd.DataFrame, roster: pd.DataFrame) -> pd.DataFrame:
    """Slots of the plan the roster leaves empty, by ward, day, shift and role (column `missing`)."""
    have = roster.groupby(["ward_code", "day", "shift", "role"]).size() if len(roster) else pd.Series(dtype=int)
    rows = []
    for r in table_rows(slots):
        got = int(have.get((r.ward_code, int(r.day), r.shift, r.role), 0))
        if got < int(r.needed):
            rows.append((r.ward_code, scenario.dates[int(r.day)], int(r.day), r.shift, r.role, int(r.needed) - got))
    return pd.DataFrame(rows, columns=UNSTAFFED_COLUMNS)
