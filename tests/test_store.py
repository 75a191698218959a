"""The plan store's guarantees, one test each: migrations, atomic publishing (failed and killed runs),
idempotent re-runs, one run at a time (stale locks broken), export to CSV, and the app's views."""

from __future__ import annotations

import json
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from optimizer.cli import main
from optimizer.nightly import (
    NightlyOptions,
    PlanStore,
    StoreBusy,
    StoreError,
    actual_vs_planned,
    latest_published_roster,
    run_history,
    run_nightly,
)
from optimizer.nightly.actuals import read_actuals
from optimizer.nightly.store import MIGRATIONS, migrate
from optimizer.nightly.synthetic import actuals_from_outcome, greedy_roster, write_actuals
from optimizer.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "scenarios" / "tiny"
FAST = NightlyOptions(workers=1, with_roster=False)
TABLES = ("scenarios", "runs", "submissions", "actuals", "plan_decisions", "plan_call_shifts", "plan_projection",
          "roster_rows", "run_warnings", "forecast_estimates")


@pytest.fixture(scope="module")
def tiny():
    return load_scenario(TINY)


@pytest.fixture
def day1(tiny_plan):
    """Tiny's plan, shared by the session (read-only)."""
    return tiny_plan


def night(tmp_path: Path, tiny, day1, day: int, *, scale: float = 1.0, options=FAST, **kwargs):
    """Run the nightly for `day` with actuals from the day-1 plan's simulation (times `scale`)."""
    frame = actuals_from_outcome(tiny, day1.outcome, [day], cohorts=False)
    frame["enrolled"] = np.floor(frame["enrolled"] * scale).astype(int)
    file = write_actuals(frame, tmp_path / f"day{day}.csv")
    return run_nightly(TINY, file, tiny.dates[day], tmp_path / "plan.db", tmp_path / "out", options, **kwargs)


def counts(db_path: Path) -> dict[str, int]:
    with PlanStore(db_path) as store:
        return {t: store.db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}


# --- schema -----------------------------------------------------------------------------------------

def test_new_store_has_every_migration(tmp_path):
    """A new store records each migration, in order, in schema_version."""
    with PlanStore(tmp_path / "plan.db") as store:
        versions = [r[0] for r in store.db.execute("SELECT version FROM schema_version ORDER BY version")]
    assert versions == [m[0] for m in MIGRATIONS] == sorted(versions)


def test_a_plans_call_shifts_are_stored_and_read_back(tmp_path, tiny):
    """The shift each ward-day's door-to-door calls send people to is kept with the plan's decisions."""
    from optimizer.simulation import Decisions
    decisions = Decisions.zeros(len(tiny.wards), tiny.n_days, len(tiny.shift_codes))
    decisions.kits_open[0, 0, 0] = 1
    decisions.call_shift = np.full((len(tiny.wards), tiny.n_days), -1, dtype=np.int64)
    decisions.call_shift[1, 2], decisions.call_shift[3, 0] = 2, 0
    with PlanStore(tmp_path / "plan.db") as store:
        store.db.execute("BEGIN")
        store.db.execute("INSERT INTO runs (id, kind, status, started_at) VALUES (1, 'plan', 'feasible', 'now')")
        store._insert_decisions(store.db, 1, tiny, decisions)
        store.db.execute("COMMIT")
        back = store.load_decisions(1, tiny)
    assert np.array_equal(back.call_shifts(), decisions.call_shift)
    assert np.array_equal(back.kits_open, decisions.kits_open)


def test_old_store_is_migrated(tmp_path):
    """A store left at schema 1 gets the later migrations when opened."""
    db = sqlite3.connect(tmp_path / "plan.db", isolation_level=None)
    assert migrate(db, upto=1) == 1
    db.close()
    with PlanStore(tmp_path / "plan.db") as store:
        assert store.version == MIGRATIONS[-1][0]
        assert store.db.execute("SELECT name FROM sqlite_master WHERE name = 'actuals_current'").fetchone()


def test_newer_or_foreign_store_is_refused(tmp_path):
    """A store from a newer version, or a file that is no store, is bad input with one line."""
    with PlanStore(tmp_path / "plan.db") as store:
        store.db.execute("INSERT INTO schema_version VALUES (99, 'future', 'now')")
    with pytest.raises(StoreError, match="newer version of the planner"):
        PlanStore(tmp_path / "plan.db")
    (tmp_path / "junk.db").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="not a plan store"):
        PlanStore(tmp_path / "junk.db")


# --- atomic publishing ------------------------------------------------------------------------------

def test_failed_run_leaves_the_published_plan(tmp_path, tiny, day1, monkeypatch):
    """A failure half way through writing a run rolls all of it back; the last published plan stays readable."""
    first = night(tmp_path, tiny, day1, 0)
    before = counts(tmp_path / "plan.db")
    plan_before = (tmp_path / "out" / "plan.csv").read_bytes()

    def broken(self, db, run_id, projection):
        raise RuntimeError("disk full")

    monkeypatch.setattr(PlanStore, "_insert_projection", broken)   # decisions are written, then this fails
    with pytest.raises(RuntimeError, match="disk full"):
        night(tmp_path, tiny, day1, 1, scale=0.5)
    after = counts(tmp_path / "plan.db")
    assert {t: after[t] for t in TABLES if t != "runs"} == {t: before[t] for t in TABLES if t != "runs"}
    with PlanStore(tmp_path / "plan.db") as store:
        assert store.latest_published()["id"] == first.run_id
        failed = store.run(first.run_id + 1)
        assert failed["status"] == "failed" and "disk full" in failed["message"]
        assert store.lock_info() is None
        assert store.load_decisions(first.run_id, tiny).kits_open.sum() > 0
    assert (tmp_path / "out" / "plan.csv").read_bytes() == plan_before


KILLER = """
import os, signal, sys
from optimizer.nightly import NightlyOptions, run_nightly
from optimizer.nightly.store import PlanStore

write = PlanStore._insert_projection
def die(self, db, run_id, projection):          # killed in the middle of the publishing transaction
    write(self, db, run_id, projection)
    os.kill(os.getpid(), signal.SIGKILL)
PlanStore._insert_projection = die
run_nightly(*sys.argv[1:6], NightlyOptions(workers=1, with_roster=False))
"""


def test_killed_run_leaves_the_published_plan(tmp_path, tiny, day1):
    """A run killed (SIGKILL) while publishing leaves the last published plan; the next run breaks its lock."""
    first = night(tmp_path, tiny, day1, 0)
    before = counts(tmp_path / "plan.db")
    frame = actuals_from_outcome(tiny, day1.outcome, [1], cohorts=False)
    file = write_actuals(frame, tmp_path / "day1.csv")
    script = tmp_path / "killer.py"
    script.write_text(KILLER)
    result = subprocess.run([sys.executable, str(script), str(TINY), str(file), "2022-07-26",
                             str(tmp_path / "plan.db"), str(tmp_path / "out")], cwd=ROOT, capture_output=True)
    assert result.returncode == -9, result.stderr.decode()
    after = counts(tmp_path / "plan.db")
    assert {t: after[t] for t in TABLES if t != "runs"} == {t: before[t] for t in TABLES if t != "runs"}
    with PlanStore(tmp_path / "plan.db") as store:
        assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert store.latest_published()["id"] == first.run_id
        killed = store.run(first.run_id + 1)
        assert killed["status"] == "running" and store.lock_info().run_id == killed["id"]
    assert json.loads((tmp_path / "out" / "summary.json").read_text())["as_of"] == "2022-07-25"
    again = run_nightly(TINY, file, "2022-07-26", tmp_path / "plan.db", tmp_path / "out", FAST)
    assert any("broke a stale lock" in m for m in again.messages)
    with PlanStore(tmp_path / "plan.db") as store:
        assert store.run(killed["id"])["status"] == "failed"
        assert store.latest_published()["id"] == again.run_id


# --- idempotency and the lock ---------------------------------------------------------------------------

def test_same_night_same_inputs_same_plan_no_duplicates(tmp_path, tiny, day1):
    """Re-running a night with the same inputs gives the same plan and adds no records."""
    night(tmp_path, tiny, day1, 0)
    first = night(tmp_path, tiny, day1, 1, scale=0.7)
    plan = (tmp_path / "out" / "plan.csv").read_bytes()
    diff = (tmp_path / "out" / "diff.csv").read_bytes()
    before = counts(tmp_path / "plan.db")
    again = night(tmp_path, tiny, day1, 1, scale=0.7)
    assert again.rerun_of == first.run_id == again.run_id
    assert counts(tmp_path / "plan.db") == before
    assert (tmp_path / "out" / "plan.csv").read_bytes() == plan
    assert (tmp_path / "out" / "diff.csv").read_bytes() == diff
    assert again.summary["previous_run"] == first.summary["previous_run"]
    with PlanStore(tmp_path / "plan.db") as store:
        assert store.run(first.run_id)["reruns"] == 1
    other = night(tmp_path, tiny, day1, 1, scale=0.6)            # other numbers: a new run, corrections
    assert other.run_id != first.run_id and len(other.summary["actuals"]["corrections"]) == len(tiny.wards)


def test_rerun_shows_the_published_run_when_a_solve_comes_out_otherwise(tmp_path, tiny, day1):
    """A re-run whose (clock-limited) roster differs still shows, and keeps, the run published for those inputs."""
    calls = []

    def unsteady(result, **kwargs):
        greedy_roster(result, **kwargs)
        calls.append(1)
        if len(calls) == 3:                             # the re-run's roster loses an officer shift
            result.roster = result.roster.iloc[:-1]

    options = NightlyOptions(workers=1, with_roster=True)
    night(tmp_path, tiny, day1, 0, options=options, roster_fn=unsteady)
    first = night(tmp_path, tiny, day1, 1, options=options, roster_fn=unsteady)
    again = night(tmp_path, tiny, day1, 1, options=options, roster_fn=unsteady)
    assert again.rerun_of == first.run_id
    assert any("roster differed from run" in m for m in again.messages)
    with PlanStore(tmp_path / "plan.db") as store:
        published = store.load_roster(first.run_id)
    written = pd.read_csv(tmp_path / "out" / "roster.csv", encoding="utf-8-sig", dtype=str)
    assert len(written) == len(published)
    assert again.summary["changed_officer_shifts"] == first.summary["changed_officer_shifts"]


def test_second_run_is_refused_while_one_runs(tmp_path, tiny, day1, capsys):
    """While a live process holds the store, another run is refused with exit 3 and a message naming it."""
    night(tmp_path, tiny, day1, 0)
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        with PlanStore(tmp_path / "plan.db") as store:
            store.db.execute("INSERT INTO store_lock (id, pid, host, user_name, started_at, command) VALUES "
                             "(1, ?, ?, 'planner', '2022-07-26T23:00:00', 'nightly')",
                             (holder.pid, socket.gethostname()))
        with pytest.raises(StoreBusy, match=f"another run holds the store \\(pid {holder.pid}"):
            night(tmp_path, tiny, day1, 1)
        file = tmp_path / "day1.csv"
        code = main(["nightly", str(TINY), "--actuals", str(file), "--as-of", "2022-07-26", "--store",
                     str(tmp_path / "plan.db"), "--out", str(tmp_path / "out"), "--no-roster"])
        assert code == 3
        assert "refusing to start" in capsys.readouterr().err
        with PlanStore(tmp_path / "plan.db") as store:
            assert store.lock_info().pid == holder.pid          # the holder's lock is untouched
    finally:
        holder.kill()
        holder.wait()


def test_stale_lock_of_a_dead_process_is_broken(tmp_path, tiny, day1):
    """A lock left by a process that no longer runs is broken and the run goes ahead."""
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    with PlanStore(tmp_path / "plan.db") as store:
        store.db.execute("INSERT INTO store_lock (id, pid, host, started_at) VALUES (1, ?, ?, 'yesterday')",
                         (int(gone.stdout), socket.gethostname()))
    report = night(tmp_path, tiny, day1, 0)
    assert any(f"broke a stale lock of pid {int(gone.stdout)}" in m for m in report.messages)
    with PlanStore(tmp_path / "plan.db") as store:
        assert store.lock_info() is None


# --- export and views -------------------------------------------------------------------------------

def test_export_to_csv(tmp_path, tiny, day1):
    """`store export` writes every table, the actuals' history and the actuals in force (input format) as CSV."""
    night(tmp_path, tiny, day1, 0)
    night(tmp_path, tiny, day1, 0, scale=0.9)      # the same day re-submitted: corrections
    assert main(["store", "export", str(tmp_path / "plan.db"), "--out", str(tmp_path / "export")]) == 0
    export = tmp_path / "export"
    for table in TABLES + ("schema_version", "store_lock", "actuals_current"):
        assert (export / f"{table}.csv").exists(), table
    history = pd.read_csv(export / "actuals.csv", encoding="utf-8-sig", dtype={"ward_code": str})
    assert len(history) == 2 * len(tiny.wards) and history["is_correction"].sum() == len(tiny.wards)
    current = read_actuals(export / "actuals_current.csv", tiny, tiny.dates[0])
    with PlanStore(tmp_path / "plan.db") as store:
        stored = store.current_actuals(tiny)
    assert current["enrolled"].tolist() == stored["enrolled"].tolist()
    runs = pd.read_csv(export / "runs.csv", encoding="utf-8-sig")
    assert runs["status"].tolist() == ["published"] * 3
    assert main(["store", "export", str(tmp_path / "missing.db"), "--out", str(tmp_path / "x")]) == 2
    assert main(["store", "history", str(tmp_path / "plan.db")]) == 0


def test_views_for_the_app(tmp_path, tiny, day1):
    """run_history, actual_vs_planned and latest_published_roster read the store as the app needs."""
    options = NightlyOptions(workers=1, with_roster=True)
    night(tmp_path, tiny, day1, 0, options=options, roster_fn=greedy_roster)
    second = night(tmp_path, tiny, day1, 1, scale=0.8, options=options, roster_fn=greedy_roster)
    history = run_history(tmp_path / "plan.db")
    assert history["kind"].tolist() == ["nightly", "nightly", "initial"]
    assert history["as_of"].tolist()[:2] == ["2022-07-26", "2022-07-25"]
    assert history["user_name"].notna().all() and history["host"].notna().all()
    vs = actual_vs_planned(tmp_path / "plan.db")
    day2 = vs[vs["date"] == "2022-07-26"].set_index("district_code")
    assert day2["plan_run_id"].tolist() == [second.summary["previous_run"]["id"]] * 2
    actual = actuals_from_outcome(tiny, day1.outcome, [1], cohorts=False)
    assert day2["actual_enrolled"].sum() == np.floor(actual["enrolled"] * 0.8).sum()
    assert vs[vs["date"] == "2022-07-31"]["actual_enrolled"].isna().all()
    roster = latest_published_roster(tmp_path / "plan.db")
    assert roster.attrs["run_id"] == second.run_id
    assert list(roster.columns) == ["officer_id", "display_name", "district_code", "home_ward", "date", "day",
                                    "shift", "ward_code", "role"]
    assert sorted(set(roster["day"])) == list(range(7))        # days worked, frozen and planned
