"""The plan store never writes into a database it did not make, views never write, and the
page opens stores only inside its configured folder."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
from pathlib import Path

import pytest

from optimizer.nightly.store import APPLICATION_ID, MIGRATIONS, PlanStore, StoreError, migrate
from optimizer.nightly.views import run_history
from optimizer.ui import nightly


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def foreign_database(path: Path) -> Path:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE people (name TEXT)")
        db.execute("INSERT INTO people VALUES ('An')")
    db.close()
    return path


def test_new_store_is_marked_with_the_application_id(tmp_path):
    """A store the planner creates carries its SQLite application_id."""
    PlanStore(tmp_path / "plan.db").close()
    with sqlite3.connect(tmp_path / "plan.db") as db:
        assert db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    db.close()


def test_unrelated_database_is_refused_and_left_unchanged(tmp_path):
    """Another application's SQLite file is refused with one line; no table, no WAL is added."""
    path = foreign_database(tmp_path / "other.db")
    before = digest(path)
    with pytest.raises(StoreError, match="not a plan store") as caught:
        PlanStore(path)
    assert len(str(caught.value).splitlines()) == 1
    assert digest(path) == before and not Path(f"{path}-wal").exists()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    db.close()


def test_database_with_another_application_id_is_refused(tmp_path):
    """A database marked by another application is refused even if it has store-like tables."""
    path = tmp_path / "marked.db"
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA application_id = 1234")
        for table in ("schema_version", "scenarios", "runs"):
            db.execute(f"CREATE TABLE {table} (id INTEGER)")
    db.close()
    with pytest.raises(StoreError, match="not a plan store"):
        PlanStore(path)


def test_viewing_an_older_store_never_migrates_it(tmp_path):
    """A view of a store at an older schema reports it and leaves the file as it was."""
    path = tmp_path / "old.db"
    db = sqlite3.connect(path, isolation_level=None)
    migrate(db, upto=1)
    db.close()
    before = digest(path)
    with pytest.raises(StoreError, match="older version"):
        run_history(path)
    assert digest(path) == before
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] == 1
    db.close()
    assert MIGRATIONS[-1][0] > 1


def test_read_only_store_can_be_viewed(tmp_path):
    """A store on a read-only file in a read-only folder can be viewed, and is not changed."""
    folder = tmp_path / "shared"
    folder.mkdir()
    path = folder / "plan.db"
    PlanStore(path).close()
    before = digest(path)
    os.chmod(path, stat.S_IRUSR | stat.S_IRGRP)
    os.chmod(folder, stat.S_IRUSR | stat.S_IXUSR)
    try:
        assert run_history(path).empty
        assert nightly.read_store(path).code == "no_runs"
    finally:
        os.chmod(folder, stat.S_IRWXU)
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
    assert digest(path) == before


def test_page_does_not_say_whether_a_file_outside_its_folder_exists(tmp_path):
    """Outside the store folder, an existing and a missing file get the same answer."""
    root = (tmp_path / "stores").resolve()
    root.mkdir()
    secret = foreign_database(tmp_path / "secret.db")
    answers = {nightly.check_store(path, root).code for path in
               (secret, tmp_path / "missing.db", root / ".." / "secret.db", "/etc/passwd")}
    assert answers == {"outside"}
    link = root / "link.db"
    link.symlink_to(secret)
    assert nightly.check_store(link, root).code == "outside"
    assert nightly.check_store(root / "none.db", root).code == "missing"


def test_page_store_folder_is_configurable(monkeypatch, tmp_path):
    """$PLANNER_STORE_DIR sets the page's store folder; by default it is the default store's folder."""
    monkeypatch.setenv("PLANNER_STORE_DIR", str(tmp_path))
    assert nightly.store_folder() == tmp_path.resolve()
    monkeypatch.delenv("PLANNER_STORE_DIR")
    monkeypatch.setenv("PLANNER_STORE", str(tmp_path / "x" / "store.sqlite"))
    assert nightly.store_folder() == (tmp_path / "x").resolve()
