"""The tables the page shows, built from a `PlanResult` (numbers only; the page formats them)."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from ..exports.roster_table import enrich_roster
from ..result import PlanResult
from ..scenario import CITY, ROLES, Scenario

LEVELS = (0.8, 0.9, 0.95, 1.0)


def scenario_overview(scenario: Scenario) -> dict:
    """Size of a scenario, for its caption."""
    dates = scenario.dates
    return {"name": scenario.name, "districts": len(scenario.districts), "wards": len(scenario.wards),
            "days": scenario.n_days, "start": dates[0], "end": dates[-1], "target": scenario.total_target,
            "officers": 0 if scenario.officers is None else len(scenario.officers),
            "shifts": [f"{s.code} {s.start}–{s.end}" for s in scenario.shifts]}


def _date_of(scenario: Scenario, day: int | None) -> dt.date | None:
    return None if day is None else scenario.dates[day]


def headline(result: PlanResult) -> dict:
    """The run's headline numbers: enrolled, coverage, bound and gap, gain over the baseline,
    and the dates 80/90/95/100 % coverage are reached (plan and baseline)."""
    summary = result.summary()
    scenario = result.scenario
    baseline = summary["baseline_enrolled"]
    days = {}
    for level in LEVELS:
        key = f"{int(level * 100)}"
        entry = summary["coverage_days"][key]
        days[key] = {"plan_day": entry["plan"], "baseline_day": entry["baseline"],
                     "plan_date": _date_of(scenario, entry["plan"]),
                     "baseline_date": _date_of(scenario, entry["baseline"]),
                     "days_earlier": entry["days_earlier"]}
    bound = summary["max_enrollable"]
    return {
        "target": summary["target"], "enrolled": summary["enrolled"], "coverage": summary["coverage"],
        "max_enrollable": bound,
        "bound_coverage": None if bound is None else bound / max(1, summary["target"]),
        "gap": summary["gap"],
        "enrolled_gap": None if bound is None else max(0, bound - summary["enrolled"]),
        "baseline_enrolled": baseline, "baseline_coverage": summary["baseline_coverage"],
        "gain": summary["gain_over_baseline"],
        "gain_share": summary["gain_over_baseline"] / baseline if baseline else None,
        "days": days, "deadline": scenario.dates[-1], "status": summary["status"],
        "stopped_early": summary["stopped_early"], "messages": summary["messages"],
        "wall_seconds": summary["wall_seconds"], "officer_shifts": summary["officer_shifts"],
        "reserve_allocation": summary["reserve_allocation"],
    }


def _areas(result: PlanResult, districts) -> list[tuple[str, str, np.ndarray]]:
    scenario = result.scenario
    ward_district = scenario.wards["district_code"].to_numpy()
    areas = [(CITY, "", np.ones(len(ward_district), dtype=bool))]
    for code in districts:
        if code in scenario.districts.index:
            areas.append((code, str(scenario.districts.at[code, "district_name"]), ward_district == code))
    return areas


def daily_progress(result: PlanResult, districts=()) -> pd.DataFrame:
    """Per area (the city, then each district asked for), variant (plan, baseline) and date:
    enrolled by the end of the day, coverage and backlog (people not yet enrolled)."""
    scenario = result.scenario
    dates = [d.isoformat() for d in scenario.dates]
    rows = []
    for variant, outcome in (("plan", result.outcome), ("baseline", result.baseline_outcome)):
        cum = outcome.enrolled_cum_by_day()
        target = outcome.target
        for code, name, mask in _areas(result, districts):
            area_target = int(target[mask].sum())
            enrolled = cum[mask].sum(axis=0)
            rows.append(pd.DataFrame({
                "area_code": code, "area_name": name, "variant": variant, "date": dates,
                "day": np.arange(len(dates)), "enrolled": enrolled.astype(np.int64),
                "target": area_target, "coverage": enrolled / max(1, area_target),
                "backlog": (area_target - enrolled).astype(np.int64)}))
    return pd.concat(rows, ignore_index=True)


def district_capacity(scenario: Scenario) -> pd.DataFrame:
    """What each district has to enroll and what it has to enroll them with, before any plan:
    district_code, district_name, wards, target (people), fixed_kits (at the ward HQs),
    mobile_kits and officers (every officer of the district, any role)."""
    wards = scenario.wards
    by_district = wards.groupby("district_code", sort=True).agg(
        wards=("target", "size"), target=("target", "sum"), fixed_kits=("fixed_kits", "sum"))
    frame = scenario.districts[["district_name", "mobile_kits"]].join(by_district, how="left")
    frame[["wards", "target", "fixed_kits"]] = frame[["wards", "target", "fixed_kits"]].fillna(0).astype(np.int64)
    if scenario.officers is not None:
        counts = scenario.officers.groupby("district_code").size()
        frame["officers"] = counts.reindex(frame.index).fillna(0).astype(np.int64)
    else:
        reserve = [c for c in scenario.districts.columns if c.startswith("reserve_")]
        frame["officers"] = scenario.districts[reserve].sum(axis=1).astype(np.int64)
    frame = frame.rename_axis("district_code").reset_index()
    return frame[["district_code", "district_name", "wards", "target", "fixed_kits", "mobile_kits", "officers"]]


def expected_arrivals(scenario: Scenario, districts=()) -> pd.DataFrame:
    """Walk-ins expected to come each day (the publicity curve), for the city and the districts
    asked for: area_code, area_name, date, people."""
    from ..demand import walk_in_arrivals

    arrivals = walk_in_arrivals(scenario)
    ward_district = scenario.wards["district_code"].to_numpy()
    dates = [d.isoformat() for d in scenario.dates]
    areas = [(CITY, "", np.ones(len(ward_district), dtype=bool))]
    areas += [(code, str(scenario.districts.at[code, "district_name"]), ward_district == code)
              for code in districts if code in scenario.districts.index]
    return pd.concat([pd.DataFrame({"area_code": code, "area_name": name, "date": dates,
                                    "people": arrivals[mask].sum(axis=0).astype(np.int64)})
                      for code, name, mask in areas], ignore_index=True)


def ward_day_grid(result: PlanResult, district: str, metric: str = "queue") -> pd.DataFrame:
    """One row per ward of `district` and day.

    metric 'queue': the longest queue left at a shift's end that day (people);
    'utilisation': people served at open fixed kits / what those kits could serve (0..1, NaN
    when closed all day); 'served': people enrolled that day (all cohorts)."""
    scenario = result.scenario
    wards = scenario.wards
    index = np.flatnonzero(wards["district_code"].to_numpy() == district)
    outcome, decisions = result.outcome, result.decisions
    if metric == "queue":
        values = outcome.queue_end[index].max(axis=2).astype(float)
    elif metric == "served":
        values = outcome.served[index].sum(axis=2).astype(float)
    elif metric == "utilisation":
        hours = np.array([s.hours for s in scenario.shifts])
        rate = scenario.settings.throughput_per_kit_hour.walk_in
        capacity = (decisions.kits_open[index] * hours[None, None, :] * rate).sum(axis=2)
        served = (outcome.served_walk_in[index] + outcome.served_invited[index]).sum(axis=2)
        with np.errstate(invalid="ignore", divide="ignore"):
            values = np.where(capacity > 0, served / np.maximum(capacity, 1e-9), np.nan)
    else:
        raise ValueError(f"unknown metric '{metric}'")
    dates = [d.isoformat() for d in scenario.dates]
    codes = wards.index.to_numpy()[index]
    names = wards["ward_name"].to_numpy()[index]
    return pd.DataFrame({"ward_code": np.repeat(codes, len(dates)), "ward_name": np.repeat(names, len(dates)),
                         "date": np.tile(dates, len(index)), "day": np.tile(np.arange(len(dates)), len(index)),
                         "value": values.ravel()})


CENTRAL_CITIES = ("Hà Nội", "Hồ Chí Minh", "Hải Phòng", "Đà Nẵng", "Cần Thơ", "Huế")


def area_kind(scenario: Scenario) -> str:
    """'city' for a centrally-run city (its campaign's province is named "Thành phố ..." or is
    one of the cities run by the centre), 'province' for a province ("Tỉnh ..." or any other
    name), from the campaign's `province` (else its name)."""
    import unicodedata
    campaign = scenario.settings.campaign
    name = unicodedata.normalize("NFC", (campaign.province or campaign.name or "").strip())
    lowered = name.casefold()
    if lowered.startswith(("thành phố", "tp.", "tp ", "city")):
        return "city"
    if lowered.startswith(("tỉnh", "province")):
        return "province"
    return "city" if any(city.casefold() in lowered for city in CENTRAL_CITIES) else "province"


def districts_without_coordinates(scenario: Scenario) -> list[str]:
    """The codes of the districts whose latitude or longitude is missing (the map leaves them out)."""
    districts = scenario.districts
    if not {"lat", "lon"} <= set(districts.columns):
        return list(districts.index)
    missing = districts["lat"].isna() | districts["lon"].isna()
    return [str(code) for code in districts.index[missing.to_numpy()]]


def district_map(result: PlanResult) -> pd.DataFrame:
    """Per district: position, target, enrolled and coverage (plan and baseline)."""
    frame = result.district_frame()
    districts = result.scenario.districts
    frame["lat"] = frame["district_code"].map(districts["lat"]).astype(float)
    frame["lon"] = frame["district_code"].map(districts["lon"]).astype(float)
    frame["shortfall"] = frame["target"] - frame["enrolled"]
    return frame


def shortfall_row(result: PlanResult, ward_code: str) -> dict:
    """Why one ward falls short: its row of `shortfall_frame` as a dict."""
    frame = result.shortfall_frame().set_index("ward_code")
    if ward_code not in frame.index:
        raise KeyError(f"unknown ward '{ward_code}'")
    row = frame.loc[ward_code].to_dict()
    row["ward_code"] = ward_code
    return row


# --- comparing two runs -----------------------------------------------------------------------

KPIS = ("target", "enrolled", "coverage", "max_enrollable", "gap", "baseline_enrolled", "gain",
        "day_80", "day_90", "day_95", "day_100", "officer_shifts")


def compare_kpis(a: PlanResult, b: PlanResult) -> pd.DataFrame:
    """Headline numbers of two runs side by side: kpi, a, b, delta (b - a); days are 1-based
    campaign days (None = not reached)."""
    rows = []
    ha, hb = headline(a), headline(b)
    for kpi in KPIS:
        if kpi.startswith("day_"):
            level = kpi.split("_")[1]
            va, vb = ha["days"][level]["plan_day"], hb["days"][level]["plan_day"]
            va = None if va is None else va + 1
            vb = None if vb is None else vb + 1
        else:
            va, vb = ha[kpi], hb[kpi]
        delta = None if va is None or vb is None else vb - va
        rows.append({"kpi": kpi, "a": va, "b": vb, "delta": delta})
    return pd.DataFrame(rows)


def district_deltas(a: PlanResult, b: PlanResult) -> pd.DataFrame:
    """Per district: enrolled and coverage under run a and run b, and the change (b - a)."""
    fa = a.district_frame().set_index("district_code")
    fb = b.district_frame().set_index("district_code")
    codes = sorted(set(fa.index) | set(fb.index))
    out = pd.DataFrame(index=pd.Index(codes, name="district_code"))
    out["district_name"] = fb["district_name"].combine_first(fa["district_name"])
    out["target_a"], out["target_b"] = fa["target"], fb["target"]
    out["enrolled_a"], out["enrolled_b"] = fa["enrolled"], fb["enrolled"]
    out["coverage_a"], out["coverage_b"] = fa["coverage"], fb["coverage"]
    out["enrolled_delta"] = out["enrolled_b"] - out["enrolled_a"]
    out["coverage_delta"] = out["coverage_b"] - out["coverage_a"]
    return out.reset_index()


def compare_curves(runs: dict[str, PlanResult]) -> pd.DataFrame:
    """City coverage by date for each named run (plan only)."""
    frames = []
    for name, result in runs.items():
        progress = daily_progress(result)
        progress = progress[progress["variant"] == "plan"].copy()
        progress["run"] = name
        frames.append(progress)
    return pd.concat(frames, ignore_index=True)


# --- rosters ----------------------------------------------------------------------------------

def roster_grid(scenario: Scenario, roster: pd.DataFrame, *, district: str | None = None,
                ward: str | None = None, officer: str | None = None, language: str = "vi",
                day_label=None, role_label=None) -> pd.DataFrame:
    """The roster as the XLSX export prints it: officers down, campaign days across, the shift
    codes worked that day in each cell ('S', 'C+T'), then shifts and hours.

    Rows are chosen by the ward worked (`ward`), the district of the ward worked (`district`)
    or the officer (`officer`); `day_label(date)` and `role_label(role)` name the columns
    and roles (defaults: ISO dates, role codes)."""
    rows = enrich_roster(scenario, roster)
    if ward is not None:
        rows = rows[rows["ward_code"] == ward]
    if district is not None:
        rows = rows[rows["ward_district_code"] == district]
    if officer is not None:
        rows = rows[rows["officer_id"] == officer]
    day_label = day_label or (lambda date: date.isoformat())
    role_label = role_label or (lambda role: role)
    dates = scenario.dates
    ward_names = scenario.wards["ward_name"].astype(str).to_dict()
    records = []
    for officer_id, mine in rows.sort_values(["officer_id", "day", "shift_index"]).groupby("officer_id", sort=True):
        first = mine.iloc[0]
        home = first["home_ward"]
        roles = set(mine["role"])
        ordered = [r for r in ROLES if r in roles] + sorted(roles - set(ROLES))
        record = {"officer_id": officer_id, "display_name": first["display_name"],
                  "home_unit": ward_names.get(home, home) if home else "",
                  "roles": ", ".join(role_label(r) for r in ordered)}
        by_day = mine.groupby("day")["shift"].apply(lambda s: "+".join(s)).to_dict()
        for day, date in enumerate(dates):
            record[day_label(date)] = by_day.get(day, "")
        record["shifts"] = int(len(mine))
        hours = float(mine["hours"].sum())
        record["hours"] = int(hours) if hours.is_integer() else round(hours, 2)
        records.append(record)
    columns = ["officer_id", "display_name", "home_unit", "roles", *[day_label(d) for d in dates],
               "shifts", "hours"]
    return pd.DataFrame(records, columns=columns)


def is_number(value) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


# --- the nightly plan store -------------------------------------------------------------------

def actual_vs_planned_series(frame: pd.DataFrame, district: str = CITY) -> pd.DataFrame:
    """One area's days from `optimizer.nightly.views.actual_vs_planned`: the district's rows, or
    for CITY every district added up (a date's actual is missing only when no ward reported).

    Columns: date, day, planned_enrolled, actual_enrolled, difference, reported_wards, wards,
    planned_cum, actual_cum, plan_run_id."""
    columns = ["date", "day", "planned_enrolled", "actual_enrolled", "difference", "reported_wards", "wards",
               "planned_cum", "actual_cum", "plan_run_id"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    if district != CITY:
        rows = frame[frame["district_code"] == district].sort_values("date")
        out = rows[columns].reset_index(drop=True)
        return out.astype({"planned_enrolled": float, "actual_enrolled": float, "difference": float,
                           "planned_cum": float, "actual_cum": float})
    grouped = frame.groupby("date", sort=True)
    out = pd.DataFrame({
        "day": grouped["day"].min(),
        "planned_enrolled": grouped["planned_enrolled"].sum(min_count=1).astype(float),
        "actual_enrolled": grouped["actual_enrolled"].sum(min_count=1).astype(float),
        "reported_wards": grouped["reported_wards"].sum(),
        "wards": grouped["wards"].sum(),
        "plan_run_id": grouped["plan_run_id"].max(),
    }).reset_index()
    out["difference"] = out["actual_enrolled"] - out["planned_enrolled"]
    out["planned_cum"] = out["planned_enrolled"].cumsum()
    out["actual_cum"] = out["actual_enrolled"].cumsum().where(out["actual_enrolled"].notna())
    return out[columns]


def actual_vs_planned_totals(series: pd.DataFrame) -> dict | None:
    """Totals up to the last date anyone reported (None before the first report): date, actual,
    planned (the plans in force on those dates), difference."""
    reported = series[series["actual_enrolled"].notna()]
    if reported.empty:
        return None
    last = reported["date"].max()
    upto = series[series["date"] <= last]
    actual = float(upto["actual_enrolled"].sum())
    planned = float(upto["planned_enrolled"].sum())
    return {"date": last, "actual": actual, "planned": planned, "difference": actual - planned}


def actual_vs_planned_long(series: pd.DataFrame) -> pd.DataFrame:
    """`actual_vs_planned_series` in long form for a chart: date, measure (planned | actual),
    daily, cumulative; days nobody reported have no actual row."""
    parts = []
    for measure in ("planned", "actual"):
        part = pd.DataFrame({"date": series["date"], "measure": measure,
                             "daily": series[f"{measure}_enrolled"], "cumulative": series[f"{measure}_cum"]})
        parts.append(part.dropna(subset=["daily"]))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["date", "measure", "daily", "cumulative"])


def filter_roster(roster: pd.DataFrame, wards: pd.DataFrame, *, district: str | None = None,
                  ward: str | None = None, shift_order=()) -> pd.DataFrame:
    """Officer-shifts of a stored roster, by the district of the ward worked (`wards` maps
    ward_code to district_code) and/or the ward worked; sorted by day, shift (in `shift_order`,
    the scenario's clock order, when given), ward, role and officer."""
    rows = roster
    if district is not None:
        in_district = set(wards.loc[wards["district_code"] == district, "ward_code"])
        rows = rows[rows["ward_code"].isin(in_district)]
    if ward is not None:
        rows = rows[rows["ward_code"] == ward]
    rank = {code: i for i, code in enumerate(shift_order)}
    order = rows["shift"].map(lambda s: rank.get(s, len(rank)))
    rows = rows.assign(_shift=order).sort_values(["day", "_shift", "shift", "ward_code", "role", "officer_id"],
                                                 kind="stable")
    return rows.drop(columns="_shift").reset_index(drop=True)
