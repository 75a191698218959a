"""The nightly plan store as the page shows it: read the store (without ever writing to a file
that is not one), then build the page's tables with translated headers and formatted numbers.

`read_store(path)` returns a `NightlyStore` (run history, actual vs planned, the latest
published roster, which ward is in which district) or a `StoreProblem` saying, in one line,
why there is nothing to show: no path, no file, a folder, not a plan store, a newer store,
no runs yet, or a store that cannot be read. Nothing here imports streamlit.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import shlex
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..nightly.store import PlanStore, StoreError
from ..nightly.views import actual_vs_planned, latest_published_roster, run_history
from .formatting import MISSING, date_text, number, percent, seconds

Translate = Callable[..., str]
STORE_ENV = "PLANNER_STORE"
STORE_DIR_ENV = "PLANNER_STORE_DIR"
DEFAULT_STORE = "out/store.sqlite"
RUN_KINDS = {"initial": "nightly_kind_initial", "nightly": "nightly_kind_nightly"}
RUN_STATUSES = {"published": "nightly_status_published", "running": "nightly_status_running",
                "failed": "nightly_status_failed"}
PROBLEMS = {"no_path": "store_no_path", "missing": "store_missing", "not_file": "store_not_file",
            "not_store": "store_not_store", "newer": "store_newer", "no_runs": "store_no_runs",
            "unreadable": "store_unreadable", "outside": "store_outside"}


def default_store_path() -> str:
    """The store the page opens first: $PLANNER_STORE, else out/store.sqlite."""
    return os.environ.get(STORE_ENV, "").strip() or DEFAULT_STORE


def store_folder() -> Path:
    """The only folder the page opens stores in: $PLANNER_STORE_DIR, else the folder of the
    default store ($PLANNER_STORE, else out/)."""
    configured = os.environ.get(STORE_DIR_ENV, "").strip()
    folder = Path(configured) if configured else Path(default_store_path()).expanduser().parent
    return folder.resolve()


@dataclass(frozen=True)
class StoreProblem:
    """Why a store cannot be shown. `code` picks the page's message (key `store_<code>`)."""

    code: str          # no_path | missing | not_file | not_store | newer | no_runs | unreadable
    path: str
    detail: str = ""


@dataclass
class NightlyStore:
    """What the page shows of a plan store (read once per change of the file)."""

    path: str
    history: pd.DataFrame
    actual_vs_planned: pd.DataFrame
    roster: pd.DataFrame | None
    roster_run_id: int | None
    wards: pd.DataFrame                   # ward_code, district_code of every ward the store planned
    scenario_name: str = ""
    scenario_path: str = ""
    scenario_hash: str = ""


def store_signature(path: str | Path) -> tuple:
    """Changes whenever the store's file (or its write-ahead log) changes: a cache key."""
    parts: list = [str(path)]
    for suffix in ("", "-wal"):
        try:
            info = os.stat(f"{path}{suffix}")
            parts += [info.st_mtime_ns, info.st_size]
        except OSError:
            parts += [None, None]
    return tuple(parts)


def check_store(path: str | Path | None, root: Path | None = None) -> StoreProblem | None:
    """A problem that stops the store from being read, or None (read-only: nothing is written).

    With `root`, a path outside that folder (after following links) is refused before anything
    about it is looked at, so a typed path cannot tell whether some other file exists."""
    text = str(path or "").strip()
    if not text:
        return StoreProblem("no_path", "")
    where = Path(text).expanduser()
    if root is not None:
        try:
            resolved = where.resolve()
        except (OSError, RuntimeError):
            return StoreProblem("outside", text, str(root))
        if resolved != root and root not in resolved.parents:
            return StoreProblem("outside", text, str(root))
    if not where.exists():
        return StoreProblem("missing", text)
    if not where.is_file():
        return StoreProblem("not_file", text)
    try:
        PlanStore(where, read_only=True).close()
    except StoreError as exc:
        code = exc.reason if exc.reason in ("missing", "not_file", "newer", "unreadable") else (
            "unreadable" if exc.reason == "older" else "not_store")
        return StoreProblem(code, text, exc.problem)
    return None


def read_store(path: str | Path | None, root: Path | None = None) -> NightlyStore | StoreProblem:
    """Everything the page shows of the store at `path` (inside `root` when given), or the
    reason it shows nothing."""
    problem = check_store(path, root)
    if problem is not None:
        return problem
    text = str(path).strip()
    where = Path(text).expanduser()
    try:
        history = run_history(where)
        if history.empty:
            return StoreProblem("no_runs", text)
        vs = actual_vs_planned(where)
        roster = latest_published_roster(where)
        wards, scenario = _store_wards_and_scenario(where, history)
    except Exception as exc:     # the store is input: whatever is wrong in it, the page says so in one line
        return StoreProblem("unreadable", text, str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
    return NightlyStore(path=text, history=history, actual_vs_planned=vs, roster=roster,
                        roster_run_id=None if roster is None else roster.attrs.get("run_id"),
                        wards=wards, scenario_name=scenario.get("name") or "", scenario_path=scenario.get("path") or "",
                        scenario_hash=scenario.get("input_hash") or "")


def _store_wards_and_scenario(path: Path, history: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """The store's ward -> district table, and the scenario (name, path, input_hash) of its newest
    published run (of its newest run when none is published)."""
    with PlanStore(path, read_only=True) as store:
        db = store.db
        wards = pd.read_sql_query("SELECT DISTINCT ward_code, district_code FROM plan_projection "
                                  "ORDER BY district_code, ward_code", db)
        db.row_factory = sqlite3.Row
        published = history[history["published"]]
        run_id = int((published if not published.empty else history)["run_id"].iloc[0])
        row = db.execute("SELECT s.name, s.path, s.input_hash FROM runs r JOIN scenarios s ON s.id = r.scenario_id "
                         "WHERE r.id = ?", (run_id,)).fetchone()
    return wards, dict(row) if row else {}


def problem_text(problem: StoreProblem, tr: Translate) -> str:
    """The page's one line for a store it cannot show."""
    return tr(PROBLEMS[problem.code], path=problem.path, detail=problem.detail)


def command_scenario_path(source: str, default: str) -> str:
    """The scenario folder to name in the nightly command: the bundled folder on the page, or
    for an uploaded zip (which has no folder on the server) the folder it was made from, as
    the zip's name without `.zip` (the planner unpacks it there)."""
    if source.startswith("upload:"):
        stem = Path(source.removeprefix("upload:").split("+")[0].strip()).stem
        return stem or "scenario-folder"
    return source or default


def nightly_command(store: str, scenario_folder: str, as_of: dt.date | str) -> str:
    """The command that records a night in the store (and creates the store)."""
    return (f"python -m optimizer nightly {shlex.quote(scenario_folder)} --actuals actuals.csv "
            f"--as-of {as_of} --store {shlex.quote(store or DEFAULT_STORE)} --out out/nightly")


def plan_in_force(history: pd.DataFrame) -> dict | None:
    """The run whose plan is in force: the latest published run, by the first day it re-planned."""
    published = history[history["published"]]
    if published.empty:
        return None
    return published.sort_values(["first_day", "run_id"], ascending=False).iloc[0].to_dict()


def run_row(history: pd.DataFrame, run_id) -> dict:
    """One run of the history as a dict (empty when the store has no such run)."""
    rows = history[history["run_id"] == run_id]
    return {} if rows.empty else rows.iloc[0].to_dict()


# --- the page's tables --------------------------------------------------------------------------

def _missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def as_of_text(value, lang: str = "vi") -> str:
    """A run's as-of date ('–' for the day-1 plan, which has none)."""
    return MISSING if _missing(value) or not str(value).strip() else date_text(str(value), lang)


def time_text(value, lang: str = "vi") -> str:
    """An ISO timestamp as the page prints it: '27/11/2026 09:02' (the time as recorded)."""
    if _missing(value) or not str(value).strip():
        return MISSING
    try:
        stamp = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return f"{date_text(stamp.date(), lang)} {stamp:%H:%M}"


def run_seconds(row) -> float | None:
    """How long a run took, start to finish (None while it runs or when a time is missing)."""
    try:
        start = dt.datetime.fromisoformat(str(row["started_at"]))
        end = dt.datetime.fromisoformat(str(row["finished_at"]))
    except (TypeError, ValueError):
        return None
    return max(0.0, (end - start).total_seconds())


def history_table(history: pd.DataFrame, tr: Translate, lang: str) -> pd.DataFrame:
    """The run history, newest first, with the page's headers and number formats."""
    def count(value):
        return MISSING if _missing(value) else number(int(value), lang)

    def took(row):
        value = run_seconds(row)
        if value is None:
            value = None if _missing(row["wall_seconds"]) else float(row["wall_seconds"])
        return MISSING if value is None else seconds(value, lang)

    rows = list(history.to_dict("records"))
    return pd.DataFrame({
        tr("nightly_col_run"): [f"#{int(r['run_id'])}" for r in rows],
        tr("nightly_col_kind"): [tr(RUN_KINDS[r["kind"]]) if r["kind"] in RUN_KINDS else str(r["kind"]) for r in rows],
        tr("nightly_col_status"): [tr(RUN_STATUSES[r["status"]]) if r["status"] in RUN_STATUSES else str(r["status"])
                                   for r in rows],
        tr("nightly_col_published"): [tr("yes") if r["published"] else tr("no") for r in rows],
        tr("nightly_col_as_of"): [as_of_text(r["as_of"], lang) for r in rows],
        tr("nightly_col_started"): [time_text(r["started_at"], lang) for r in rows],
        tr("nightly_col_seconds"): [took(r) for r in rows],
        tr("nightly_col_coverage"): [MISSING if _missing(r["coverage"]) else percent(float(r["coverage"]), lang)
                                     for r in rows],
        tr("nightly_col_kit_changes"): [count(r["changed_kit_shifts"]) for r in rows],
        tr("nightly_col_officer_changes"): [count(r["changed_officer_shifts"]) for r in rows],
        tr("nightly_col_warnings"): [count(r["warnings"]) for r in rows],
        tr("nightly_col_message"): ["" if _missing(r["message"]) else str(r["message"]) for r in rows],
    })


def actual_vs_planned_table(series: pd.DataFrame, tr: Translate, lang: str) -> pd.DataFrame:
    """One area's days (views.actual_vs_planned_series, wide): planned, reported, difference, totals."""
    def people(value):
        return MISSING if _missing(value) else number(value, lang)

    def signed_people(value):
        if _missing(value):
            return MISSING
        return ("+" if value > 0 else "") + number(value, lang)

    return pd.DataFrame({
        tr("date"): [date_text(d, lang) for d in series["date"]],
        tr("nightly_planned"): [people(v) for v in series["planned_enrolled"]],
        tr("nightly_actual"): [people(v) for v in series["actual_enrolled"]],
        tr("nightly_col_difference"): [signed_people(v) for v in series["difference"]],
        tr("nightly_col_reported"): [f"{int(r)}/{int(w)}" for r, w in zip(series["reported_wards"], series["wards"])],
        tr("nightly_planned_cum"): [people(v) for v in series["planned_cum"]],
        tr("nightly_actual_cum"): [people(v) for v in series["actual_cum"]],
        tr("nightly_col_plan_run"): ["" if _missing(v) else f"#{int(v)}" for v in series["plan_run_id"]],
    })


def roster_table(rows: pd.DataFrame, tr: Translate, lang: str, *, ward_name=None,
                 role_label=None) -> pd.DataFrame:
    """One row per officer-shift of the published roster, in the page's language."""
    ward_name = ward_name or (lambda code: code)
    role_label = role_label or (lambda role: role)
    return pd.DataFrame({
        tr("date"): [date_text(d, lang) for d in rows["date"]],
        tr("nightly_col_shift"): rows["shift"].astype(str).tolist(),
        tr("ward"): [ward_name(w) for w in rows["ward_code"]],
        tr("col_roles"): [role_label(r) for r in rows["role"]],
        tr("col_officer_id"): rows["officer_id"].astype(str).tolist(),
        tr("col_display_name"): rows["display_name"].fillna("").astype(str).tolist(),
    })
