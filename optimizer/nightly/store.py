"""The plan store: one SQLite file holding scenarios, runs, actuals, published plans and rosters.

Opened with `PlanStore(path)` (stdlib sqlite3, WAL journal so readers such as the app see the
last committed state while a run writes). The schema is built by ordered migrations: the
`schema_version` table records each one applied, a new store runs them all, an older store
runs the missing ones, and a store written by a newer version is refused.

Guarantees (each has a test in tests/test_store.py):
- A run is written in one transaction that ends by marking it published; a run that fails or
  is killed before that commit leaves no trace but its `runs` row (status `running` or
  `failed`), and the last published plan stays as it was and readable.
- The same night re-run with the same inputs (idempotency key = scenario hash + actuals hash +
  as-of + parameters) adds no records: `find_published(key)` finds the earlier run.
- One run at a time: `acquire_lock` takes the `store_lock` row in a BEGIN IMMEDIATE
  transaction; a lock held by a live process is refused (`StoreBusy`), one left by a process
  that no longer runs on this host is broken (and its run marked failed).
- Everything can be exported back to CSV (`export_csv`), actuals in the input format.

Tables: schema_version, scenarios, runs, submissions, actuals (every version of a ward-day's
numbers; a correction points at the row it replaces, which points at its successor),
plan_decisions (non-zero decisions per run, ward, day and shift), plan_projection (planned
enrollments per run, ward and day of its window), roster_rows, run_warnings,
forecast_estimates and store_lock.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import socket
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ScenarioError
from ..scenario import Scenario
from ..simulation import Decisions
from .actuals import COHORT_COLUMNS, canonical, empty_actuals

DECISION_FIELDS = ("kits_open", "mobile_kits", "home_visit_teams", "letters")
ROSTER_FIELDS = ("officer_id", "display_name", "district_code", "home_ward", "date", "day", "shift",
                 "ward_code", "role")


APPLICATION_ID = 0x43434344    # SQLite `PRAGMA application_id` of a plan store ("CCCD")
_LEGACY_TABLES = {"schema_version", "scenarios", "runs"}   # stores made before the mark


class StoreError(ScenarioError):
    """The store file cannot be used (not a store, newer schema, ...): one line, exit 2.

    `reason` is one of missing, not_file, not_store, newer, older, unreadable."""

    def __init__(self, path: Path | str, problem: str, reason: str = "not_store"):
        self.reason = reason
        super().__init__(Path(path).name, problem)


def store_kind(db: sqlite3.Connection, path: Path | str = "store") -> str:
    """What the open database is: 'store' (marked with APPLICATION_ID), 'legacy' (a plan store
    made before stores were marked: unmarked, with the store's own tables) or 'empty' (no
    tables, unmarked). Anything else is refused: the planner never writes into a database it
    did not make."""
    application_id = int(db.execute("PRAGMA application_id").fetchone()[0])
    if application_id == APPLICATION_ID:
        return "store"
    names = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    if application_id == 0 and not names:
        return "empty"
    if application_id == 0 and names >= _LEGACY_TABLES:
        return "legacy"
    raise StoreError(path, "not a plan store (an SQLite database of another application); "
                     "refusing to use it")


class StoreBusy(RuntimeError):
    """Another run holds the store."""


def now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


# --- migrations -----------------------------------------------------------------------------------

def _run_script(db: sqlite3.Connection, script: str) -> None:
    """Run `;`-separated DDL inside the caller's transaction (executescript would commit it)."""
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


def _m1_initial(db: sqlite3.Connection) -> None:
    _run_script(db, """
    CREATE TABLE scenarios (
        id INTEGER PRIMARY KEY, input_hash TEXT NOT NULL UNIQUE, name TEXT NOT NULL, path TEXT NOT NULL,
        wards INTEGER NOT NULL, days INTEGER NOT NULL, start_date TEXT NOT NULL, first_seen TEXT NOT NULL);
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY, kind TEXT NOT NULL, scenario_id INTEGER REFERENCES scenarios(id),
        idempotency_key TEXT, as_of TEXT, first_day INTEGER NOT NULL DEFAULT 0, actuals_hash TEXT,
        parameters TEXT, solver_version TEXT, status TEXT NOT NULL, published INTEGER NOT NULL DEFAULT 0,
        published_at TEXT, previous_run_id INTEGER REFERENCES runs(id), gap REAL, coverage REAL,
        kpis TEXT, timings TEXT, started_at TEXT NOT NULL, finished_at TEXT, wall_seconds REAL,
        user_name TEXT, host TEXT, pid INTEGER, command_line TEXT, message TEXT, out_dir TEXT,
        reruns INTEGER NOT NULL DEFAULT 0);
    CREATE TABLE submissions (
        id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs(id), file_name TEXT, file_sha256 TEXT,
        as_of TEXT, received_at TEXT NOT NULL, rows INTEGER, new_rows INTEGER, corrections INTEGER,
        unchanged INTEGER);
    CREATE TABLE actuals (
        id INTEGER PRIMARY KEY, submission_id INTEGER NOT NULL REFERENCES submissions(id),
        ward_code TEXT NOT NULL, date TEXT NOT NULL, enrolled INTEGER NOT NULL,
        enrolled_walk_in INTEGER, enrolled_invited INTEGER, enrolled_homebound INTEGER,
        enrolled_institution INTEGER, enrolled_by_shift TEXT, kits_open INTEGER, kits_open_by_shift TEXT,
        is_correction INTEGER NOT NULL DEFAULT 0, replaces_id INTEGER REFERENCES actuals(id),
        superseded_by_id INTEGER REFERENCES actuals(id));
    CREATE TABLE plan_decisions (
        run_id INTEGER NOT NULL REFERENCES runs(id), ward_code TEXT NOT NULL, day INTEGER NOT NULL,
        shift TEXT NOT NULL, kits_open INTEGER NOT NULL, mobile_kits INTEGER NOT NULL,
        home_visit_teams INTEGER NOT NULL, letters INTEGER NOT NULL,
        PRIMARY KEY (run_id, ward_code, day, shift));
    CREATE TABLE plan_projection (
        run_id INTEGER NOT NULL REFERENCES runs(id), ward_code TEXT NOT NULL, district_code TEXT NOT NULL,
        day INTEGER NOT NULL, date TEXT NOT NULL, planned_enrolled INTEGER NOT NULL,
        planned_enrolled_cum INTEGER NOT NULL,
        PRIMARY KEY (run_id, ward_code, day));
    CREATE TABLE roster_rows (
        run_id INTEGER NOT NULL REFERENCES runs(id), officer_id TEXT NOT NULL, display_name TEXT,
        district_code TEXT, home_ward TEXT, date TEXT NOT NULL, day INTEGER NOT NULL, shift TEXT NOT NULL,
        ward_code TEXT NOT NULL, role TEXT NOT NULL);
    CREATE TABLE run_warnings (
        run_id INTEGER NOT NULL REFERENCES runs(id), kind TEXT NOT NULL, ward_code TEXT, date TEXT,
        message TEXT NOT NULL);
    CREATE TABLE forecast_estimates (
        run_id INTEGER NOT NULL REFERENCES runs(id), parameter TEXT NOT NULL, scope TEXT NOT NULL,
        code TEXT NOT NULL, prior REAL, observed REAL, posterior REAL, data_weight REAL, note TEXT);
    CREATE TABLE store_lock (
        id INTEGER PRIMARY KEY CHECK (id = 1), pid INTEGER NOT NULL, host TEXT NOT NULL, user_name TEXT,
        started_at TEXT NOT NULL, run_id INTEGER, command TEXT);
    """)


def _m2_indexes_and_views(db: sqlite3.Connection) -> None:
    _run_script(db, """
    CREATE UNIQUE INDEX runs_published_key ON runs(idempotency_key) WHERE published = 1;
    CREATE INDEX runs_published ON runs(published, first_day, id);
    CREATE INDEX actuals_ward_date ON actuals(ward_code, date);
    CREATE INDEX roster_run ON roster_rows(run_id, day);
    CREATE VIEW actuals_current AS SELECT * FROM actuals WHERE superseded_by_id IS NULL;
    """)


def _m3_call_shifts(db: sqlite3.Connection) -> None:
    _run_script(db, """
    CREATE TABLE plan_call_shifts (
        run_id INTEGER NOT NULL REFERENCES runs(id), ward_code TEXT NOT NULL, day INTEGER NOT NULL,
        shift TEXT NOT NULL, PRIMARY KEY (run_id, ward_code, day));
    """)


MIGRATIONS: list[tuple[int, str, Callable[[sqlite3.Connection], None]]] = [
    (1, "initial tables", _m1_initial),
    (2, "indexes, one published run per idempotency key, current actuals view", _m2_indexes_and_views),
    (3, "the shift each ward-day's door-to-door calls send people to", _m3_call_shifts),
]


def schema_version(db: sqlite3.Connection) -> int:
    exists = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").fetchone()
    if not exists:
        return 0
    row = db.execute("SELECT MAX(version) FROM schema_version").fetchone()
    return int(row[0] or 0)


def migrate(db: sqlite3.Connection, path: Path | str = "store", upto: int | None = None) -> int:
    """Apply the migrations the store lacks, each in its own transaction; returns the version."""
    latest = MIGRATIONS[-1][0]
    upto = latest if upto is None else upto
    current = schema_version(db)
    if current > latest:
        raise StoreError(path, f"written by a newer version of the planner (schema {current}, this "
                               f"version knows up to {latest})", reason="newer")
    for version, description, apply in MIGRATIONS:
        if version <= current or version > upto:
            continue
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
                       "description TEXT NOT NULL, applied_at TEXT NOT NULL)")
            if schema_version(db) >= version:    # another process migrated meanwhile
                db.execute("ROLLBACK")
                continue
            apply(db)
            db.execute("INSERT INTO schema_version VALUES (?, ?, ?)", (version, description, now()))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
    return schema_version(db)


# --- the store ------------------------------------------------------------------------------------

@dataclass
class LockInfo:
    pid: int
    host: str
    user_name: str | None
    started_at: str
    run_id: int | None
    command: str | None


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class PlanStore:
    """The plan store at `path` (created and migrated on first use).

    `read_only=True` opens an existing store for viewing: nothing is written (no migration, no
    journal mode change), and a store on a read-only file or folder can still be read. A
    database that is not a plan store is refused before anything is written to it."""

    def __init__(self, path: str | Path, *, create: bool = True, read_only: bool = False):
        self.path = Path(path)
        self._lock_held = False
        if self.path.exists() and not self.path.is_file():
            raise StoreError(self.path, "is not a file", reason="not_file")
        if (read_only or not create) and not self.path.exists():
            raise StoreError(self.path, "store file does not exist", reason="missing")
        if read_only:
            self.db = self._open_read_only()
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = None
        try:
            db = sqlite3.connect(self.path, isolation_level=None, timeout=30.0)
            kind = store_kind(db, self.path)
            if kind == "empty" and not create:
                raise StoreError(self.path, "not a plan store (an empty database)")
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA foreign_keys = ON")
            db.execute("PRAGMA busy_timeout = 30000")
            if kind != "store":
                db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            db.execute("PRAGMA journal_mode = WAL")
            self.version = migrate(db, self.path)
        except sqlite3.DatabaseError as exc:
            if db is not None:
                db.close()
            raise StoreError(self.path, f"not a plan store (SQLite: {exc})") from None
        except BaseException:
            if db is not None:
                db.close()
            raise
        self.db = db

    def _open_read_only(self) -> sqlite3.Connection:
        """A read-only connection; a store whose folder cannot be written (so SQLite cannot make
        its shared-memory file) is opened as immutable."""
        base = self.path.resolve().as_uri()
        for query in ("mode=ro", "mode=ro&immutable=1"):
            db = None
            try:
                db = sqlite3.connect(f"{base}?{query}", uri=True, isolation_level=None, timeout=30.0)
                store_kind(db, self.path)
                self.version = schema_version(db)
            except sqlite3.OperationalError as exc:
                if db is not None:
                    db.close()
                if query.endswith("immutable=1"):
                    raise StoreError(self.path, f"cannot be read (SQLite: {exc})",
                                     reason="unreadable") from None
                continue
            except sqlite3.DatabaseError as exc:
                if db is not None:
                    db.close()
                raise StoreError(self.path, f"not a plan store (SQLite: {exc})") from None
            except BaseException:
                if db is not None:
                    db.close()
                raise
            break
        latest = MIGRATIONS[-1][0]
        if self.version > latest:
            db.close()
            raise StoreError(self.path, f"written by a newer version of the planner (schema "
                             f"{self.version}, this version knows up to {latest})", reason="newer")
        if self.version < latest:
            db.close()
            raise StoreError(self.path, f"written by an older version of the planner (schema "
                             f"{self.version}); the next nightly run upgrades it", reason="older")
        db.row_factory = sqlite3.Row
        return db

    def close(self) -> None:
        with contextlib.suppress(Exception):
            if self._lock_held:
                self.release_lock()
        self.db.close()

    def __enter__(self) -> PlanStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextlib.contextmanager
    def transaction(self):
        """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any exception (including KeyboardInterrupt)."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # -- lock --------------------------------------------------------------------------------------
    def lock_info(self) -> LockInfo | None:
        row = self.db.execute("SELECT * FROM store_lock WHERE id = 1").fetchone()
        if row is None:
            return None
        return LockInfo(row["pid"], row["host"], row["user_name"], row["started_at"], row["run_id"], row["command"])

    def acquire_lock(self, *, user_name: str = "", command: str = "") -> list[str]:
        """Take the store for this process; returns messages about stale locks broken.

        Raises StoreBusy naming the holder when a live process (or one on another host) holds it."""
        host = socket.gethostname()
        messages = []
        with self.transaction() as db:
            row = db.execute("SELECT * FROM store_lock WHERE id = 1").fetchone()
            if row is not None:
                same_host = row["host"] == host
                if row["pid"] == os.getpid() and same_host:
                    raise StoreBusy("this process already holds the store")
                if not same_host or pid_alive(row["pid"]):
                    where = f"pid {row['pid']} on {row['host']}"
                    run = f", run #{row['run_id']}" if row["run_id"] else ""
                    raise StoreBusy(f"{self.path.name}: another run holds the store ({where}, user "
                                    f"{row['user_name'] or '?'}, started {row['started_at']}{run}); "
                                    "refusing to start. Wait for it to finish"
                                    + ("" if same_host else ", or remove its lock if that host is down"))
                messages.append(f"broke a stale lock of pid {row['pid']} (started {row['started_at']}), "
                                "which no longer runs")
                if row["run_id"]:
                    db.execute("UPDATE runs SET status = 'failed', finished_at = ?, message = ? "
                               "WHERE id = ? AND status = 'running'",
                               (now(), f"abandoned: process {row['pid']} stopped before publishing", row["run_id"]))
                db.execute("DELETE FROM store_lock WHERE id = 1")
            db.execute("INSERT INTO store_lock (id, pid, host, user_name, started_at, command) "
                       "VALUES (1, ?, ?, ?, ?, ?)", (os.getpid(), host, user_name, now(), command))
        self._lock_held = True
        return messages

    def release_lock(self) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM store_lock WHERE id = 1 AND pid = ? AND host = ?",
                       (os.getpid(), socket.gethostname()))
        self._lock_held = False

    # -- scenarios and runs ------------------------------------------------------------------------
    def scenario_id(self, scenario: Scenario, db=None) -> int:
        db = db or self.db
        row = db.execute("SELECT id FROM scenarios WHERE input_hash = ?", (scenario.input_hash,)).fetchone()
        if row:
            return int(row[0])
        cursor = db.execute("INSERT INTO scenarios (input_hash, name, path, wards, days, start_date, first_seen) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?)",
                            (scenario.input_hash, scenario.name, str(scenario.path), len(scenario.wards),
                             scenario.n_days, scenario.dates[0].isoformat(), now()))
        return int(cursor.lastrowid)

    def start_run(self, *, kind: str, scenario: Scenario, as_of: str | None, first_day: int,
                  idempotency_key: str | None, actuals_hash: str | None, parameters: dict,
                  previous_run_id: int | None, user_name: str, host: str, command_line: str,
                  out_dir: str | None) -> int:
        """Record a run as started (status `running`, committed at once) and note it on the lock."""
        with self.transaction() as db:
            scenario_id = self.scenario_id(scenario, db)
            cursor = db.execute(
                "INSERT INTO runs (kind, scenario_id, idempotency_key, as_of, first_day, actuals_hash, parameters, "
                "status, previous_run_id, started_at, user_name, host, pid, command_line, out_dir) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, ?)",
                (kind, scenario_id, idempotency_key, as_of, first_day, actuals_hash,
                 json.dumps(parameters, sort_keys=True), previous_run_id, now(), user_name, host, os.getpid(),
                 command_line, out_dir))
            run_id = int(cursor.lastrowid)
            db.execute("UPDATE store_lock SET run_id = ? WHERE id = 1 AND pid = ?", (run_id, os.getpid()))
        return run_id

    def fail_run(self, run_id: int, message: str) -> None:
        with self.transaction() as db:
            db.execute("UPDATE runs SET status = 'failed', finished_at = ?, message = ? WHERE id = ?",
                       (now(), message[:2000], run_id))

    def note_rerun(self, run_id: int) -> None:
        with self.transaction() as db:
            db.execute("UPDATE runs SET reruns = reruns + 1 WHERE id = ?", (run_id,))

    def run(self, run_id: int) -> dict | None:
        row = self.db.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
        return dict(row) if row else None

    def find_published(self, idempotency_key: str) -> dict | None:
        row = self.db.execute("SELECT * FROM runs WHERE published = 1 AND idempotency_key = ?",
                              (idempotency_key,)).fetchone()
        return dict(row) if row else None

    def latest_published(self, *, first_day_at_most: int | None = None) -> dict | None:
        """The published run with the latest window start (then the latest id), optionally bounded."""
        sql = "SELECT * FROM runs WHERE published = 1"
        args: tuple = ()
        if first_day_at_most is not None:
            sql += " AND first_day <= ?"
            args = (first_day_at_most,)
        row = self.db.execute(sql + " ORDER BY first_day DESC, id DESC LIMIT 1", args).fetchone()
        return dict(row) if row else None

    # -- publishing ---------------------------------------------------------------------------------
    def publish_run(self, run_id: int, *, scenario: Scenario, decisions: Decisions,
                    projection: pd.DataFrame, roster: pd.DataFrame | None,
                    actuals_submission: dict | None, warnings: Iterable[dict], estimates: Iterable[dict],
                    summary: dict) -> None:
        """Write everything of a run and mark it published, in one transaction."""
        with self.transaction() as db:
            if actuals_submission is not None:
                self._insert_actuals(db, run_id, scenario, actuals_submission)
            self._insert_decisions(db, run_id, scenario, decisions)
            self._insert_projection(db, run_id, projection)
            if roster is not None:
                self._insert_roster(db, run_id, roster)
            db.executemany("INSERT INTO run_warnings VALUES (?, ?, ?, ?, ?)",
                           [(run_id, w.get("kind", ""), w.get("ward_code") or None, w.get("date") or None,
                             w["message"]) for w in warnings])
            db.executemany("INSERT INTO forecast_estimates VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           [(run_id, e["parameter"], e["scope"], e["code"], _num(e.get("prior")),
                             _num(e.get("observed")), _num(e.get("posterior")), _num(e.get("data_weight")),
                             e.get("note", "")) for e in estimates])
            kpis = {k: summary.get(k) for k in ("target", "enrolled", "coverage", "enrolled_to_date",
                                                "coverage_to_date", "baseline_enrolled", "max_enrollable",
                                                "objective", "objective_bound", "officer_shifts",
                                                "changed_kit_shifts", "changed_officer_shifts",
                                                "coverage_days", "status", "stopped_early")}
            db.execute("UPDATE runs SET status = 'published', published = 1, published_at = ?, finished_at = ?, "
                       "solver_version = ?, gap = ?, coverage = ?, kpis = ?, timings = ?, wall_seconds = ?, "
                       "message = ? WHERE id = ?",
                       (now(), now(), summary.get("solver_version"), _num(summary.get("gap")),
                        _num(summary.get("coverage")), json.dumps(kpis, default=str),
                        json.dumps(summary.get("timings", {}), default=str), _num(summary.get("wall_seconds")),
                        "; ".join(summary.get("messages", []))[:2000] or None, run_id))

    def _insert_actuals(self, db, run_id: int, scenario: Scenario, submission: dict) -> None:
        cursor = db.execute(
            "INSERT INTO submissions (run_id, file_name, file_sha256, as_of, received_at, rows, new_rows, "
            "corrections, unchanged) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (run_id, submission["file_name"], submission["file_sha256"], submission["as_of"], now(),
             submission["rows"], len(submission["new_rows"]), len(submission["corrections"]),
             submission["unchanged"]))
        submission_id = int(cursor.lastrowid)
        codes = scenario.shift_codes
        for frame, correction in ((submission["new_rows"], False), (submission["corrections"], True)):
            for row in frame.to_dict("records"):
                replaces = None
                if correction:
                    old = db.execute("SELECT id FROM actuals WHERE ward_code = ? AND date = ? AND "
                                     "superseded_by_id IS NULL", (row["ward_code"], row["date"])).fetchone()
                    replaces = int(old[0]) if old else None
                by_shift = {c: int(row[f"enrolled_{c}"]) for c in codes if not pd.isna(row[f"enrolled_{c}"])}
                kits_by_shift = {c: int(row[f"kits_open_{c}"]) for c in codes if not pd.isna(row[f"kits_open_{c}"])}
                cursor = db.execute(
                    "INSERT INTO actuals (submission_id, ward_code, date, enrolled, enrolled_walk_in, "
                    "enrolled_invited, enrolled_homebound, enrolled_institution, enrolled_by_shift, kits_open, "
                    "kits_open_by_shift, is_correction, replaces_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (submission_id, row["ward_code"], row["date"], int(row["enrolled"]),
                     *(_int(row[c]) for c in COHORT_COLUMNS), json.dumps(by_shift) if by_shift else None,
                     _int(row["kits_open"]), json.dumps(kits_by_shift) if kits_by_shift else None,
                     int(correction), replaces))
                if replaces is not None:
                    db.execute("UPDATE actuals SET superseded_by_id = ? WHERE id = ?",
                               (int(cursor.lastrowid), replaces))

    def _insert_decisions(self, db, run_id: int, scenario: Scenario, decisions: Decisions) -> None:
        stack = np.stack([getattr(decisions, f) for f in DECISION_FIELDS], axis=-1)   # [w, d, s, 4]
        wards, codes = list(scenario.wards.index), scenario.shift_codes
        w, d, s = np.nonzero(stack.any(axis=-1))
        values = stack[w, d, s]
        db.executemany("INSERT INTO plan_decisions VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       [(run_id, wards[a], int(b), codes[c], *map(int, v))
                        for a, b, c, v in zip(w, d, s, values)])
        named = decisions.call_shifts()        # -1 where the plan names no call shift
        db.executemany("INSERT INTO plan_call_shifts VALUES (?, ?, ?, ?)",
                       [(run_id, wards[a], int(b), codes[named[a, b]]) for a, b in zip(*np.nonzero(named >= 0))])

    def _insert_projection(self, db, run_id: int, projection: pd.DataFrame) -> None:
        db.executemany("INSERT INTO plan_projection VALUES (?, ?, ?, ?, ?, ?, ?)",
                       [(run_id, r.ward_code, r.district_code, int(r.day), r.date, int(r.planned_enrolled),
                         int(r.planned_enrolled_cum))
                        for r in projection.itertuples(index=False)])

    def _insert_roster(self, db, run_id: int, roster: pd.DataFrame) -> None:
        frame = roster_frame(roster)
        db.executemany(f"INSERT INTO roster_rows (run_id, {', '.join(ROSTER_FIELDS)}) "
                       f"VALUES (?{', ?' * len(ROSTER_FIELDS)})",
                       [(run_id, *row) for row in frame.itertuples(index=False)])

    # -- reading -------------------------------------------------------------------------------------
    def load_decisions(self, run_id: int, scenario: Scenario) -> Decisions:
        """A run's decisions as arrays in the scenario's ward and shift order (absent rows are zero)."""
        decisions = Decisions.zeros(len(scenario.wards), scenario.n_days, len(scenario.shift_codes))
        wards = {c: i for i, c in enumerate(scenario.wards.index)}
        shifts = {c: i for i, c in enumerate(scenario.shift_codes)}
        unknown = set()
        for row in self.db.execute("SELECT * FROM plan_decisions WHERE run_id = ?", (run_id,)):
            w, s = wards.get(row["ward_code"]), shifts.get(row["shift"])
            if w is None or s is None or row["day"] >= scenario.n_days:
                unknown.add(row["ward_code"])
                continue
            for f in DECISION_FIELDS:
                getattr(decisions, f)[w, row["day"], s] = row[f]
        if self.version >= 3:      # a store from before the call shifts names none (the default rule)
            named = np.full((len(scenario.wards), scenario.n_days), -1, dtype=np.int64)
            for row in self.db.execute("SELECT * FROM plan_call_shifts WHERE run_id = ?", (run_id,)):
                w, s = wards.get(row["ward_code"]), shifts.get(row["shift"])
                if w is None or s is None or row["day"] >= scenario.n_days:
                    unknown.add(row["ward_code"])
                    continue
                named[w, row["day"]] = s
            if (named >= 0).any():
                decisions.call_shift = named
        if unknown:
            raise StoreError(self.path, f"published run #{run_id} plans wards, shifts or days this scenario does "
                                        f"not have (e.g. {sorted(unknown)[0]}); use a store made for this scenario")
        return decisions

    def load_roster(self, run_id: int) -> pd.DataFrame | None:
        frame = pd.read_sql_query(f"SELECT {', '.join(ROSTER_FIELDS)} FROM roster_rows WHERE run_id = ? "
                                  "ORDER BY day, shift, ward_code, role, officer_id", self.db, params=(run_id,))
        if frame.empty:
            return None
        return frame

    def current_actuals(self, scenario: Scenario, as_of: dt.date | None = None) -> pd.DataFrame:
        """The actuals in force (latest version of each ward-day), canonical, up to `as_of`."""
        sql = "SELECT * FROM actuals_current"
        args: tuple = ()
        if as_of is not None:
            sql += " WHERE date <= ?"
            args = (as_of.isoformat(),)
        rows = [dict(r) for r in self.db.execute(sql, args)]
        if not rows:
            return empty_actuals(scenario)
        return canonical(scenario, actuals_rows_to_frame(rows, scenario.shift_codes))

    # -- export --------------------------------------------------------------------------------------
    def export_csv(self, out_dir: str | Path) -> list[Path]:
        """Every table as CSV in `out_dir` (written atomically), plus actuals_current.csv in the
        actuals input format and published_rosters.csv; returns the files written."""
        from ..exports.csv_file import write_csv
        from ..exports.outputs import atomic_folder

        written = []
        with atomic_folder(out_dir) as staging:
            tables = [r[0] for r in self.db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
            for table in tables:
                frame = pd.read_sql_query(f"SELECT * FROM {table}", self.db)
                if table == "actuals":
                    frame = _expand_shifts(frame)
                write_csv(frame, staging / f"{table}.csv")
                written.append(Path(out_dir) / f"{table}.csv")
            current = [dict(r) for r in self.db.execute("SELECT * FROM actuals_current ORDER BY ward_code, date")]
            shift_codes = _shift_codes_in(current)
            frame = actuals_rows_to_frame(current, shift_codes) if current else pd.DataFrame(
                columns=["ward_code", "date", "enrolled"])
            frame = frame.dropna(axis=1, how="all") if len(frame) else frame
            write_csv(frame, staging / "actuals_current.csv")
            written.append(Path(out_dir) / "actuals_current.csv")
        return written


def _expand_shifts(frame: pd.DataFrame) -> pd.DataFrame:
    for column, prefix in (("enrolled_by_shift", "enrolled_"), ("kits_open_by_shift", "kits_open_")):
        parsed = [json.loads(v) if isinstance(v, str) and v else {} for v in frame[column]]
        codes = sorted({k for p in parsed for k in p})
        for code in codes:
            frame[f"{prefix}{code}"] = pd.array([p.get(code) for p in parsed], dtype="Int64")
        frame = frame.drop(columns=column)
    return frame


def _shift_codes_in(rows: list[dict]) -> list[str]:
    codes = []
    for row in rows:
        for column in ("enrolled_by_shift", "kits_open_by_shift"):
            if row.get(column):
                for code in json.loads(row[column]):
                    if code not in codes:
                        codes.append(code)
    return codes


def actuals_rows_to_frame(rows: list[dict], shift_codes: list[str]) -> pd.DataFrame:
    """Stored actuals rows in the input file's layout (ward_code, date, enrolled, ...)."""
    out = []
    for row in rows:
        by_shift = json.loads(row["enrolled_by_shift"]) if row.get("enrolled_by_shift") else {}
        kits = json.loads(row["kits_open_by_shift"]) if row.get("kits_open_by_shift") else {}
        record = {"ward_code": row["ward_code"], "date": row["date"], "enrolled": row["enrolled"]}
        for column in COHORT_COLUMNS:
            record[column] = row[column]
        for code in shift_codes:
            record[f"enrolled_{code}"] = by_shift.get(code)
        record["kits_open"] = row["kits_open"]
        for code in shift_codes:
            record[f"kits_open_{code}"] = kits.get(code)
        out.append(record)
    frame = pd.DataFrame(out)
    for column in frame.columns[2:]:
        frame[column] = pd.array(list(frame[column]), dtype="Int64")
    return frame


def roster_frame(roster: pd.DataFrame) -> pd.DataFrame:
    """A roster in the store's columns (dates as ISO text)."""
    frame = pd.DataFrame({c: (roster[c] if c in roster.columns else "") for c in ROSTER_FIELDS})
    frame["date"] = [str(getattr(d, "isoformat", lambda: d)())[:10] for d in frame["date"]]
    frame["day"] = frame["day"].astype(int)
    for column in ("officer_id", "display_name", "district_code", "home_ward", "shift", "ward_code", "role"):
        frame[column] = frame[column].map(lambda v: "" if v is None or (not isinstance(v, str) and pd.isna(v))
                                          else str(v))
    return frame.reset_index(drop=True)


def _int(value):
    return None if value is None or pd.isna(value) else int(value)


def _num(value):
    if value is None:
        return None
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return value if np.isfinite(value) else None
