"""Pure read functions over the plan store for the app (and anyone else): history, actual vs
planned, the roster in force. Each takes the store's path and returns a DataFrame."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from .store import PlanStore

HISTORY_COLUMNS = ["run_id", "kind", "status", "published", "as_of", "first_day", "started_at", "finished_at",
                   "wall_seconds", "user_name", "host", "coverage", "enrolled_to_date", "coverage_to_date",
                   "changed_kit_shifts", "changed_officer_shifts", "gap", "warnings", "previous_run_id",
                   "reruns", "solver_version", "scenario", "input_hash", "actuals_hash", "message",
                   "command_line"]


def run_history(db_path: str | Path) -> pd.DataFrame:
    """Every run, newest first: status, as-of, who and when, projected coverage, changes, warnings."""
    with PlanStore(db_path, read_only=True) as store:
        runs = pd.read_sql_query(
            "SELECT r.*, s.name AS scenario, s.input_hash AS input_hash, "
            "(SELECT COUNT(*) FROM run_warnings w WHERE w.run_id = r.id AND w.kind != 'note') AS warnings "
            "FROM runs r LEFT JOIN scenarios s ON s.id = r.scenario_id ORDER BY r.id DESC", store.db)
    if runs.empty:
        return pd.DataFrame(columns=HISTORY_COLUMNS)
    kpis = [json.loads(k) if isinstance(k, str) else {} for k in runs["kpis"]]
    for key in ("enrolled_to_date", "changed_kit_shifts", "changed_officer_shifts"):
        runs[key] = pd.array([k.get(key) for k in kpis], dtype="Int64")
    runs["coverage_to_date"] = pd.array([k.get("coverage_to_date") for k in kpis], dtype="Float64")
    runs = runs.rename(columns={"id": "run_id"})
    runs["published"] = runs["published"].astype(bool)
    return runs[HISTORY_COLUMNS].reset_index(drop=True)


def actual_vs_planned(db_path: str | Path, run_id: int | None = None) -> pd.DataFrame:
    """Per district and date: enrollments reported and planned.

    Planned is, for each date, the plan in force the night before (the latest published run whose
    window starts on or before that date); with `run_id`, that run's plan for the dates it covers.
    Columns: district_code, date, day, actual_enrolled (NaN where no ward reported), reported_wards,
    wards, planned_enrolled, plan_run_id, difference, actual_cum, planned_cum."""
    with PlanStore(db_path, read_only=True) as store:
        sql = ("SELECT p.run_id, r.first_day, p.ward_code, p.district_code, p.day, p.date, p.planned_enrolled "
               "FROM plan_projection p JOIN runs r ON r.id = p.run_id WHERE r.published = 1")
        args: tuple = ()
        if run_id is not None:
            sql += " AND p.run_id = ?"
            args = (int(run_id),)
        projection = pd.read_sql_query(sql, store.db, params=args)
        wards = pd.read_sql_query("SELECT DISTINCT ward_code, district_code FROM plan_projection", store.db)
        actuals = pd.read_sql_query("SELECT ward_code, date, enrolled FROM actuals_current", store.db)
    columns = ["district_code", "date", "day", "actual_enrolled", "reported_wards", "wards", "planned_enrolled",
               "plan_run_id", "difference", "actual_cum", "planned_cum"]
    if projection.empty and actuals.empty:
        return pd.DataFrame(columns=columns)
    projection = projection.sort_values(["ward_code", "day", "first_day", "run_id"])
    in_force = projection.groupby(["ward_code", "day"], sort=False).tail(1)
    planned = in_force.groupby(["district_code", "date", "day"], as_index=False).agg(
        planned_enrolled=("planned_enrolled", "sum"), plan_run_id=("run_id", "max"))
    ward_district = dict(zip(wards["ward_code"], wards["district_code"]))
    per_district = wards.groupby("district_code").size().rename("wards")
    actuals["district_code"] = actuals["ward_code"].map(ward_district)
    actual = actuals.dropna(subset=["district_code"]).groupby(["district_code", "date"], as_index=False).agg(
        actual_enrolled=("enrolled", "sum"), reported_wards=("ward_code", "nunique"))
    frame = planned.merge(actual, on=["district_code", "date"], how="outer")
    frame["wards"] = frame["district_code"].map(per_district).astype("Int64")
    if frame["day"].isna().any():
        first_dates = projection.groupby("date")["day"].first()
        frame["day"] = frame["day"].fillna(frame["date"].map(first_dates))
    frame["reported_wards"] = frame["reported_wards"].fillna(0).astype(int)
    frame["difference"] = frame["actual_enrolled"] - frame["planned_enrolled"]
    frame = frame.sort_values(["district_code", "date"]).reset_index(drop=True)
    frame["actual_cum"] = frame.groupby("district_code")["actual_enrolled"].cumsum()
    frame["planned_cum"] = frame.groupby("district_code")["planned_enrolled"].cumsum()
    frame.loc[frame["actual_enrolled"].isna(), "actual_cum"] = np.nan
    return frame[columns]


def latest_published_roster(db_path: str | Path) -> pd.DataFrame | None:
    """The roster of the latest published run that has one (its id in `.attrs['run_id']`), or None."""
    with PlanStore(db_path, read_only=True) as store:
        row = store.db.execute(
            "SELECT r.id FROM runs r WHERE r.published = 1 AND EXISTS (SELECT 1 FROM roster_rows x WHERE "
            "x.run_id = r.id) ORDER BY r.first_day DESC, r.id DESC LIMIT 1").fetchone()
        if row is None:
            return None
        roster = store.load_roster(int(row[0]))
    if roster is not None:
        roster.attrs["run_id"] = int(row[0])
    return roster


def published_plan(db_path: str | Path, run_id: int | None = None) -> pd.DataFrame:
    """A published run's non-zero decisions (ward_code, day, shift, kits_open, mobile_kits,
    home_visit_teams, letters); default the latest published run."""
    with PlanStore(db_path, read_only=True) as store:
        run = store.run(run_id) if run_id is not None else store.latest_published()
        if run is None:
            return pd.DataFrame(columns=["run_id", "ward_code", "day", "shift", "kits_open", "mobile_kits",
                                         "home_visit_teams", "letters"])
        return pd.read_sql_query("SELECT * FROM plan_decisions WHERE run_id = ? ORDER BY ward_code, day, shift",
                                 store.db, params=(run["id"],))
