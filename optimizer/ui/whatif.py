"""What-if transforms: each takes a scenario and returns a changed copy (never mutates it).

A transform with nothing to change returns the scenario itself (same input hash, so cached
plans are reused). Bad values raise `WhatIfError`, whose message is one line for the page.
`WhatIf` bundles every control of the app's what-if form; `apply_whatif` applies it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
from pydantic import ValidationError

from ..scenario import COHORTS, MAX_WORKING_GROUPS_PER_WARD, ROLES, Scenario, ShiftSettings, _rehash

CURVES = ("flat", "front", "back", "wave")


class WhatIfError(ValueError):
    """A what-if value the scenario cannot take; the message is one line."""


def _check_districts(scenario: Scenario, codes) -> None:
    unknown = sorted(set(codes) - set(scenario.district_codes))
    if unknown:
        raise WhatIfError(f"unknown district code '{unknown[0]}'")


def _settings(scenario: Scenario, **sections) -> Scenario:
    try:
        return scenario.with_settings(**sections)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"]) or "campaign"
        raise WhatIfError(f"{where}: {error['msg']}") from None


def _half_up(values: np.ndarray) -> np.ndarray:
    return np.floor(np.round(values, 9) + 0.5).astype(np.int64)


# --- demand -----------------------------------------------------------------------------------

def scale_demand(scenario: Scenario, multipliers: Mapping[str, float]) -> Scenario:
    """Multiply the people still to enroll in each district (every cohort of its wards).

    Cohorts are rounded half up; `eligible` becomes already_enrolled + cannot_enroll + cohorts
    (population raised if needed), so each ward stays consistent with docs/scenario-format.md.
    """
    _check_districts(scenario, multipliers)
    changed = {d: float(m) for d, m in multipliers.items() if not math.isclose(float(m), 1.0)}
    for district, m in changed.items():
        if not (math.isfinite(m) and m >= 0):
            raise WhatIfError(f"district {district}: demand multiplier must be >= 0, not {m:g}")
    if not changed:
        return scenario
    wards = scenario.wards.copy()
    factor = wards["district_code"].map(changed).fillna(1.0).to_numpy()
    for cohort in COHORTS:
        wards[cohort] = _half_up(wards[cohort].to_numpy(float) * factor)
    wards["eligible"] = wards["already_enrolled"] + wards["cannot_enroll"] + wards[list(COHORTS)].sum(axis=1)
    wards["population"] = np.maximum(wards["population"], wards["eligible"])
    return scenario.with_tables(wards=wards)


def set_turnout(scenario: Scenario, curve: str | None = None, peak_day: int | None = None) -> Scenario:
    """The publicity curve's shape (flat/front/back/wave) and its peak day (0-based)."""
    demand = scenario.settings.demand
    update = {}
    if curve is not None and curve != demand.turnout_curve:
        if curve not in CURVES:
            raise WhatIfError(f"turnout curve must be one of {', '.join(CURVES)}, not '{curve}'")
        update["turnout_curve"] = curve
    if peak_day is not None and int(peak_day) != demand.turnout_peak_day:
        if not 0 <= int(peak_day) < scenario.n_days:
            raise WhatIfError(f"peak day must be between 0 and {scenario.n_days - 1}, not {peak_day}")
        update["turnout_peak_day"] = int(peak_day)
    return _settings(scenario, demand=demand.model_copy(update=update)) if update else scenario


def set_show_up(scenario: Scenario, rate: float) -> Scenario:
    """The share of invitation letters whose addressee comes (0..1)."""
    if math.isclose(rate, scenario.settings.demand.invitation_show_up):
        return scenario
    if not 0 <= rate <= 1:
        raise WhatIfError(f"invitation show-up must be between 0 and 1, not {rate:g}")
    return _settings(scenario, demand=scenario.settings.demand.model_copy(
        update={"invitation_show_up": float(rate)}))


# --- follow-up of no-shows -------------------------------------------------------------------

def set_follow_up(scenario: Scenario, after_days: int | None = None, show_up: float | None = None,
                  calls_per_group_day: float | None = None) -> Scenario:
    """The follow-up of letter no-shows: days until a no-show can be called again, the share of
    those called who come (0..1), and the door-to-door calls one working group makes a day."""
    demand = scenario.settings.demand
    update: dict[str, float | int] = {}
    if after_days is not None and int(after_days) != demand.follow_up_after_days:
        if not 1 <= int(after_days) <= 30:
            raise WhatIfError(f"days until a no-show is called must be between 1 and 30, not {after_days}")
        update["follow_up_after_days"] = int(after_days)
    if show_up is not None and not math.isclose(float(show_up), demand.follow_up_show_up):
        if not (math.isfinite(float(show_up)) and 0 <= float(show_up) <= 1):
            raise WhatIfError(f"follow-up show-up must be between 0 and 1, not {float(show_up):g}")
        update["follow_up_show_up"] = float(show_up)
    if calls_per_group_day is not None and not math.isclose(float(calls_per_group_day), demand.calls_per_group_day):
        if not (math.isfinite(float(calls_per_group_day)) and float(calls_per_group_day) >= 0):
            raise WhatIfError(f"calls per working group a day must be >= 0, not {float(calls_per_group_day):g}")
        update["calls_per_group_day"] = float(calls_per_group_day)
    return _settings(scenario, demand=demand.model_copy(update=update)) if update else scenario


def working_groups(scenario: Scenario) -> pd.Series:
    """Each ward's neighbourhood working groups (0 where the scenario gives none)."""
    if "working_groups" in scenario.wards:
        return scenario.wards["working_groups"].astype(np.int64)
    return pd.Series(0, index=scenario.wards.index, dtype=np.int64)


def change_working_groups(scenario: Scenario, multiplier: float | None = None,
                          per_ward_by_district: Mapping[str, int] | None = None) -> Scenario:
    """Neighbourhood working groups per ward: every ward of a district in `per_ward_by_district`
    gets that many groups; every other ward's groups are times `multiplier` (rounded half up)."""
    per_district = {str(d): int(v) for d, v in (per_ward_by_district or {}).items()}
    _check_districts(scenario, per_district)
    for district, groups in per_district.items():
        if not 0 <= groups <= MAX_WORKING_GROUPS_PER_WARD:
            raise WhatIfError(f"district {district}: working groups per ward must be between 0 and "
                              f"{MAX_WORKING_GROUPS_PER_WARD}, not {groups}")
    factor = 1.0 if multiplier is None else float(multiplier)
    if not (math.isfinite(factor) and factor >= 0):
        raise WhatIfError(f"working groups multiplier must be >= 0, not {factor:g}")
    groups_now = working_groups(scenario)
    groups = groups_now.to_numpy(np.int64)
    if not math.isclose(factor, 1.0):
        groups = _half_up(groups * factor)
    districts = scenario.wards["district_code"]
    for district, per_ward in per_district.items():
        groups = np.where(districts == district, per_ward, groups)
    if (groups > MAX_WORKING_GROUPS_PER_WARD).any():
        raise WhatIfError(f"working groups per ward must be at most {MAX_WORKING_GROUPS_PER_WARD}, "
                          f"not {int(groups.max())}")
    if "working_groups" in scenario.wards and (groups == groups_now.to_numpy()).all():
        return scenario
    if "working_groups" not in scenario.wards and not groups.any():
        return scenario
    wards = scenario.wards.copy()
    wards["working_groups"] = groups.astype(np.int64)
    return scenario.with_tables(wards=wards)


# --- kits -------------------------------------------------------------------------------------

def change_ward_kits(scenario: Scenario, delta: int = 0, per_district: Mapping[str, int] | None = None,
                     set_to: int | None = None) -> Scenario:
    """Kits at every ward police HQ: `set_to` (if given), then + `delta` + the district's delta;
    never below 0."""
    per_district = {d: int(v) for d, v in (per_district or {}).items() if int(v) != 0}
    _check_districts(scenario, per_district)
    if set_to is None and delta == 0 and not per_district:
        return scenario
    if set_to is not None and set_to < 0:
        raise WhatIfError(f"kits per ward HQ must be >= 0, not {set_to}")
    wards = scenario.wards.copy()
    kits = wards["fixed_kits"].to_numpy(np.int64) if set_to is None else np.full(len(wards), int(set_to))
    kits = kits + int(delta) + wards["district_code"].map(per_district).fillna(0).to_numpy(np.int64)
    wards["fixed_kits"] = np.maximum(kits, 0)
    if (wards["fixed_kits"] == scenario.wards["fixed_kits"]).all():
        return scenario
    return scenario.with_tables(wards=wards)


def change_kits_at_wards(scenario: Scenario, per_ward: Mapping[str, int]) -> Scenario:
    """Kits at named ward police HQs: + the ward's delta; never below 0."""
    per_ward = {str(w): int(v) for w, v in (per_ward or {}).items() if int(v) != 0}
    unknown = sorted(set(per_ward) - set(scenario.wards.index))
    if unknown:
        raise WhatIfError(f"unknown ward code(s): {', '.join(unknown)}")
    if not per_ward:
        return scenario
    wards = scenario.wards.copy()
    kits = wards["fixed_kits"].to_numpy(np.int64) + wards.index.map(per_ward).fillna(0).to_numpy(np.int64)
    wards["fixed_kits"] = np.maximum(kits, 0)
    if (wards["fixed_kits"] == scenario.wards["fixed_kits"]).all():
        return scenario
    return scenario.with_tables(wards=wards)


def set_mobile_kits(scenario: Scenario, per_district: Mapping[str, int] | None = None,
                    city: int | None = None) -> Scenario:
    """Mobile kits each district holds, and the city reserve lent to districts."""
    per_district = dict(per_district or {})
    _check_districts(scenario, per_district)
    districts = scenario.districts.copy()
    for code, kits in per_district.items():
        if int(kits) < 0:
            raise WhatIfError(f"district {code}: mobile kits must be >= 0, not {kits}")
        districts.at[code, "mobile_kits"] = int(kits)
    if city is not None and int(city) < 0:
        raise WhatIfError(f"city reserve must be >= 0, not {city}")
    same_districts = (districts["mobile_kits"] == scenario.districts["mobile_kits"]).all()
    same_city = city is None or int(city) == scenario.city_mobile_kits
    if same_districts and same_city:
        return scenario
    return scenario.with_tables(districts=None if same_districts else districts,
                                city_mobile_kits=None if same_city else int(city))


# --- officers ---------------------------------------------------------------------------------

def _round_robin(officers: pd.DataFrame) -> list[str]:
    """The district's officers in an order that spreads over home wards and role sets: the first
    of every (home ward, roles) group, then the second of each, ... (ties by officer ID)."""
    frame = officers.reset_index()[["officer_id", "home_ward", "roles"]].sort_values("officer_id")
    group = frame.groupby(["home_ward", "roles"], sort=False)
    frame["position"] = (group.cumcount() + 0.5) / group["officer_id"].transform("size")
    return list(frame.sort_values(["position", "officer_id"])["officer_id"])


def scale_officers(scenario: Scenario, multipliers: Mapping[str, float]) -> Scenario:
    """Officers per district times a multiplier, deterministically.

    Below 1, officers are dropped from the end of a round-robin order over home wards and role
    sets (so every ward keeps its share); above 1, officers are copied in that order, each copy
    `<id>-x<k>` with the same ward, roles, leave and limits, named '(bản sao k) <name>'. Requests
    of dropped officers are dropped. Without officers.csv the district's reserve counts scale.
    """
    _check_districts(scenario, multipliers)
    changed = {d: float(m) for d, m in multipliers.items() if not math.isclose(float(m), 1.0)}
    for district, m in changed.items():
        if not (math.isfinite(m) and m >= 0):
            raise WhatIfError(f"district {district}: officer multiplier must be >= 0, not {m:g}")
    if not changed:
        return scenario
    if scenario.officers is None:
        districts = scenario.districts.copy()
        for district, m in changed.items():
            for role in ROLES:
                column = f"reserve_{role}"
                districts.at[district, column] = int(_half_up(np.array([districts.at[district, column] * m]))[0])
        return scenario.with_tables(districts=districts)
    officers = scenario.officers
    keep: list[pd.DataFrame] = []
    for district in scenario.district_codes:
        mine = officers[officers["district_code"] == district]
        m = changed.get(district)
        if m is None or mine.empty:
            keep.append(mine)
            continue
        order = _round_robin(mine)
        wanted = int(_half_up(np.array([len(mine) * m]))[0])
        if wanted <= len(mine):
            keep.append(mine.loc[sorted(order[:wanted])])
            continue
        copies = []
        for k in range(wanted - len(mine)):
            source = order[k % len(order)]
            copy_number = k // len(order) + 1
            row = mine.loc[[source]].copy()
            row.index = pd.Index([f"{source}-x{copy_number}"], name=officers.index.name)
            row["display_name"] = f"(bản sao {copy_number}) {row['display_name'].iloc[0]}"
            copies.append(row)
        keep.append(pd.concat([mine, *copies]))
    new_officers = pd.concat(keep)
    if new_officers.index.duplicated().any():
        clash = new_officers.index[new_officers.index.duplicated()][0]
        raise WhatIfError(f"officer ID '{clash}' would be used twice")
    requests = scenario.requests
    if requests is not None:
        requests = requests[requests["officer_id"].isin(new_officers.index)].reset_index(drop=True)
    return _rehash(dataclasses.replace(scenario, officers=new_officers, requests=requests))


# --- throughput and shifts --------------------------------------------------------------------

def set_throughput(scenario: Scenario, walk_in: float | None = None, invited: float | None = None,
                   institution: float | None = None) -> Scenario:
    """Applicants one open kit enrolls per hour, by cohort."""
    current = scenario.settings.throughput_per_kit_hour
    update = {name: float(value) for name, value in
              (("walk_in", walk_in), ("invited", invited), ("institution", institution))
              if value is not None and not math.isclose(float(value), getattr(current, name))}
    for name, value in update.items():
        if not value > 0:
            raise WhatIfError(f"throughput per kit-hour ({name}) must be > 0, not {value:g}")
    return _settings(scenario, throughput_per_kit_hour=current.model_copy(update=update)) if update else scenario


def _clock(value) -> str:
    if isinstance(value, dt.time):
        return f"{value:%H:%M}"
    text = str(value).strip()
    try:
        return f"{dt.datetime.strptime(text, '%H:%M'):%H:%M}"
    except ValueError:
        raise WhatIfError(f"'{text}' is not a clock time HH:MM") from None


def set_shift_hours(scenario: Scenario, hours: Mapping[str, tuple]) -> Scenario:
    """New start and end times for shifts, by code: {'S': ('06:30', '12:00')}.

    An end at or before the start runs past midnight (22:00-00:00 is two hours)."""
    codes = scenario.shift_codes
    unknown = sorted(set(hours) - set(codes))
    if unknown:
        raise WhatIfError(f"unknown shift code '{unknown[0]}' (shifts are {', '.join(codes)})")
    shifts = []
    changed = False
    for shift in scenario.shifts:
        if shift.code in hours:
            start, end = (_clock(v) for v in hours[shift.code])
            if start == end:
                raise WhatIfError(f"shift {shift.code}: start and end are both {start}")
            if (start, end) != (shift.start, shift.end):
                changed = True
                shift = shift.model_copy(update={"start": start, "end": end})
        shifts.append(shift)
    return _settings(scenario, shifts=shifts) if changed else scenario


def add_shift(scenario: Scenario, code: str, start, end, preference: float,
              name_vi: str = "Ca đêm", name_en: str = "Night") -> Scenario:
    """Add a shift (e.g. 'D' 22:00-00:00) that `preference` of a day's walk-ins prefer.

    The other shifts keep their relative preferences, scaled by (1 - preference); shifts stay
    in order of start time. Mobile kits and home visits keep their shifts."""
    code = str(code).strip().upper()
    if not 1 <= len(code) <= 3 or not code.isalnum():
        raise WhatIfError(f"shift code must be 1-3 letters or digits, not '{code}'")
    if code in scenario.shift_codes:
        raise WhatIfError(f"shift code '{code}' is already used")
    if not 0 <= preference < 1:
        raise WhatIfError(f"shift preference must be in 0..1 (below 1), not {preference:g}")
    start, end = _clock(start), _clock(end)
    if start == end:
        raise WhatIfError(f"shift {code}: start and end are both {start}")
    new = ShiftSettings(code=code, name_vi=name_vi, name_en=name_en, start=start, end=end)
    shifts = sorted([*scenario.shifts, new], key=lambda s: s.start_minutes)
    demand = scenario.settings.demand
    total = sum(demand.shift_preference.values())
    shares = {c: (1 - preference) * v / total for c, v in demand.shift_preference.items()}
    shares[code] = float(preference)
    preference_in_order = {s.code: round(shares[s.code], 9) for s in shifts}
    return _settings(scenario, shifts=shifts, demand=demand.model_copy(
        update={"shift_preference": preference_in_order}))


# --- objective --------------------------------------------------------------------------------

def set_objective_weights(scenario: Scenario, enrolled: float | None = None, equity: float | None = None,
                          wait: float | None = None) -> Scenario:
    """The objective's weights: per person enrolled, equity (a multiplier on the shortfall steps'
    cost per person) and per person waiting at a shift's end."""
    weights = scenario.settings.objective
    update = {}
    if enrolled is not None and not math.isclose(enrolled, weights.enrolled):
        if not enrolled > 0:
            raise WhatIfError(f"weight per person enrolled must be > 0, not {enrolled:g}")
        update["enrolled"] = float(enrolled)
    if equity is not None and not math.isclose(equity, 1.0):
        if not equity >= 0:
            raise WhatIfError(f"equity multiplier must be >= 0, not {equity:g}")
        update["shortfall_steps"] = [(t, w * float(equity)) for t, w in weights.shortfall_steps]
    if wait is not None and not math.isclose(wait, weights.wait_per_person_shift):
        if not wait >= 0:
            raise WhatIfError(f"weight per person waiting must be >= 0, not {wait:g}")
        update["wait_per_person_shift"] = float(wait)
    return _settings(scenario, objective=weights.model_copy(update=update)) if update else scenario


# --- the form as one value --------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class ExtraShift:
    code: str = "D"
    start: str = "22:00"
    end: str = "00:00"
    preference: float = 0.1
    name_vi: str = "Ca đêm"
    name_en: str = "Night"


@dataclasses.dataclass(frozen=True)
class WhatIf:
    """Every what-if control; the defaults change nothing. Mappings are tuples of pairs so the
    value is hashable (a cache key)."""

    demand: tuple[tuple[str, float], ...] = ()
    mobile_kits: tuple[tuple[str, int], ...] = ()
    city_reserve: int | None = None
    officers: tuple[tuple[str, float], ...] = ()
    ward_kits_delta: int = 0
    ward_kits_by_district: tuple[tuple[str, int], ...] = ()
    ward_kits: tuple[tuple[str, int], ...] = ()     # kits added (or taken) at single ward HQs
    turnout_curve: str | None = None
    turnout_peak_day: int | None = None
    show_up: float | None = None
    throughput_walk_in: float | None = None      # walk-ins and invited alike
    throughput_institution: float | None = None
    shift_hours: tuple[tuple[str, str, str], ...] = ()
    extra_shift: ExtraShift | None = None
    weight_enrolled: float | None = None
    equity: float | None = None
    weight_wait: float | None = None
    follow_up_after_days: int | None = None
    follow_up_show_up: float | None = None
    calls_per_group_day: float | None = None
    working_groups: float | None = None          # a multiplier of every ward's working groups
    working_groups_by_district: tuple[tuple[str, int], ...] = ()    # groups per ward, by district

    def changes(self) -> list[str]:
        """Names of the fields that change something (for the run's description)."""
        return [f.name for f in dataclasses.fields(self) if getattr(self, f.name) != f.default]


def apply_whatif(scenario: Scenario, whatif: WhatIf) -> Scenario:
    """The scenario with every what-if of the form applied (settings first, then tables)."""
    s = scenario
    s = set_turnout(s, whatif.turnout_curve, whatif.turnout_peak_day)
    if whatif.show_up is not None:
        s = set_show_up(s, whatif.show_up)
    s = set_throughput(s, walk_in=whatif.throughput_walk_in, invited=whatif.throughput_walk_in,
                       institution=whatif.throughput_institution)
    if whatif.shift_hours:
        s = set_shift_hours(s, {code: (start, end) for code, start, end in whatif.shift_hours})
    if whatif.extra_shift is not None:
        e = whatif.extra_shift
        s = add_shift(s, e.code, e.start, e.end, e.preference, e.name_vi, e.name_en)
    s = set_objective_weights(s, whatif.weight_enrolled, whatif.equity, whatif.weight_wait)
    s = set_follow_up(s, whatif.follow_up_after_days, whatif.follow_up_show_up, whatif.calls_per_group_day)
    s = scale_demand(s, dict(whatif.demand))
    s = change_ward_kits(s, whatif.ward_kits_delta, dict(whatif.ward_kits_by_district))
    s = change_kits_at_wards(s, dict(whatif.ward_kits))
    s = set_mobile_kits(s, dict(whatif.mobile_kits), whatif.city_reserve)
    s = scale_officers(s, dict(whatif.officers))
    s = change_working_groups(s, whatif.working_groups, dict(whatif.working_groups_by_district))
    return s


def district_table(scenario: Scenario) -> pd.DataFrame:
    """The per-district rows of the what-if form, at 'no change'."""
    districts = scenario.districts
    if scenario.officers is not None:
        officers = scenario.officers.groupby("district_code").size()
    else:
        officers = districts[[f"reserve_{r}" for r in ROLES]].sum(axis=1)
    target = scenario.wards.groupby("district_code")["target"].sum()
    return pd.DataFrame({
        "district_code": districts.index.astype(str),
        "district_name": districts["district_name"].astype(str).to_numpy(),
        "target": target.reindex(districts.index).fillna(0).astype(int).to_numpy(),
        "demand": 1.0,
        "mobile_kits": districts["mobile_kits"].astype(int).to_numpy(),
        "officers_now": officers.reindex(districts.index).fillna(0).astype(int).to_numpy(),
        "officers": 1.0,
        "ward_kits": 0,
        "groups_now": working_groups(scenario).groupby(scenario.wards["district_code"]).sum()
                      .reindex(districts.index).fillna(0).astype(int).to_numpy(),
        "working_groups": np.nan,      # groups per ward; blank keeps each ward's own
    })


def whatif_from_table(scenario: Scenario, table: pd.DataFrame) -> dict:
    """The per-district parts of a `WhatIf` from an edited `district_table` (changed rows only)."""
    base = district_table(scenario).set_index("district_code")
    edited = table.set_index("district_code")
    out: dict[str, list] = {"demand": [], "mobile_kits": [], "officers": [], "ward_kits_by_district": [],
                            "working_groups_by_district": []}
    groups_now, wards_district = working_groups(scenario), scenario.wards["district_code"]
    for code in base.index:
        row = edited.loc[code]
        for column, field, cast in (("demand", "demand", float), ("mobile_kits", "mobile_kits", int),
                                    ("officers", "officers", float), ("ward_kits", "ward_kits_by_district", int)):
            value = row[column]
            if value is None or (isinstance(value, float) and math.isnan(value)):
                continue
            if cast(value) != cast(base.at[code, column]):
                out[field].append((code, cast(value)))
        per_ward = row["working_groups"] if "working_groups" in edited.columns else None
        if per_ward is None or (isinstance(per_ward, float) and math.isnan(per_ward)):
            continue
        if not (groups_now[wards_district == code] == int(per_ward)).all():
            out["working_groups_by_district"].append((code, int(per_ward)))
    return {k: tuple(v) for k, v in out.items()}


def apply_table_edits(table: pd.DataFrame, state) -> pd.DataFrame:
    """A table with a data editor's edit state applied (`{'edited_rows': {row: {column: value}}}`;
    rows are positions). Added and deleted rows are ignored: the district table is fixed."""
    out = table.copy()
    if not state:
        return out
    edited = state.get("edited_rows", {}) if isinstance(state, dict) else {}
    for row, changes in edited.items():
        position = int(row)
        if not 0 <= position < len(out):
            continue
        for column, value in changes.items():
            if column in out.columns and value is not None:
                out.iloc[position, out.columns.get_loc(column)] = value
    return out
