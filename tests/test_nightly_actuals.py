"""Actuals files: each kind of bad input is one clear error; gaps are listed; corrections are recorded.

Every bad file names the file, the row (header = row 1) and the column, like the scenario loader.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from optimizer.errors import ScenarioError
from optimizer.nightly import NightlyOptions, PlanStore, run_nightly
from optimizer.nightly.actuals import merge_actuals, missing_reports, read_actuals
from optimizer.scenario import load_scenario

TINY = Path(__file__).resolve().parents[1] / "scenarios" / "tiny"
AS_OF = dt.date(2022, 7, 26)
HEADER = "ward_code,date,enrolled"


@pytest.fixture(scope="module")
def tiny():
    return load_scenario(TINY)


def write(tmp_path: Path, text: str, name: str = "actuals.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


BAD = [
    # (file text, row, column, problem)
    (f"{HEADER}\n00001,2022-07-25,10\n00099,2022-07-25,10\n", 3, "ward_code", "unknown ward code '00099'"),
    (f"{HEADER}\n00001,2022-07-20,10\n", 2, "date", "date 2022-07-20 is outside the campaign (2022-07-25 to 2022-07-31)"),
    (f"{HEADER}\n00001,2022-07-27,10\n", 2, "date", "date 2022-07-27 is after --as-of 2022-07-26"),
    (f"{HEADER}\n00001,26/07/2022,10\n", 2, "date", "bad date '26/07/2022' (expected YYYY-MM-DD)"),
    (f"{HEADER}\n00001,2022-07-25,-5\n", 2, "enrolled", "-5 is negative"),
    (f"{HEADER}\n00001,2022-07-25,many\n", 2, "enrolled", "'many' is not a number"),
    (f"{HEADER}\n00001,2022-07-25,12.5\n", 2, "enrolled", "'12.5' is not a whole number"),
    (f"{HEADER}\n00001,2022-07-25,\n", 2, "enrolled", "empty value (a count is required)"),
    (f"{HEADER}\n00001,2022-07-25,10\n00004,2022-07-25,3\n00001,2022-07-25,11\n", 4, "ward_code",
     "duplicate ward_code + date '00001 / 2022-07-25'"),
    (f"{HEADER},enrolled_walk_in\n00001,2022-07-25,10,-1\n", 2, "enrolled_walk_in", "-1 is negative"),
    (f"{HEADER},enrolled_walk_in,enrolled_invited,enrolled_homebound,enrolled_institution\n"
     "00001,2022-07-25,10,5,1,1,1\n", 2, "enrolled_walk_in", "cohort columns add up to 8 but enrolled is 10"),
    (f"{HEADER},enrolled_S\n00001,2022-07-25,10,11\n", 2, "enrolled_S", "shift columns add up to 11, more than enrolled 10"),
    (f"{HEADER},kits_open_T\n00001,2022-07-25,10,2\n", 2, "kits_open_T", "2 kits open but ward 00001 holds 1"),
]


@pytest.mark.parametrize("text,row,column,problem", BAD, ids=[b[3][:40] for b in BAD])
def test_bad_actuals_name_file_row_column(tmp_path, tiny, text, row, column, problem):
    """Each kind of bad value is refused with one line naming file, row and column."""
    with pytest.raises(ScenarioError) as caught:
        read_actuals(write(tmp_path, text), tiny, AS_OF)
    error = caught.value
    assert (error.file, error.row, error.column) == ("actuals.csv", row, column)
    assert str(error) == f"actuals.csv: row {row}, column {column}: {problem}"


def test_unknown_and_missing_columns(tmp_path, tiny):
    """A column the format does not know, or a missing `enrolled`, is refused by name."""
    with pytest.raises(ScenarioError, match="column people: unknown column"):
        read_actuals(write(tmp_path, f"{HEADER},people\n00001,2022-07-25,1,2\n"), tiny, AS_OF)
    with pytest.raises(ScenarioError, match="column enrolled: missing column"):
        read_actuals(write(tmp_path, "ward_code,date\n00001,2022-07-25\n"), tiny, AS_OF)


def test_optional_columns_are_read(tmp_path, tiny):
    """Cohort, shift and kit columns may be given, partly blank; ward codes keep their zeros."""
    text = (f"{HEADER},enrolled_walk_in,enrolled_invited,enrolled_S,kits_open\n"
            "00001,2022-07-25,10,6,,4,3\n00004,2022-07-26,0,,,,\n")
    frame = read_actuals(write(tmp_path, text), tiny, AS_OF)
    assert list(frame["ward_code"]) == ["00001", "00004"]
    assert frame.loc[0, "enrolled_walk_in"] == 6 and pd.isna(frame.loc[0, "enrolled_invited"])
    assert frame.loc[0, "enrolled_S"] == 4 and frame.loc[0, "kits_open"] == 3


def test_missing_reports_are_listed(tmp_path, tiny):
    """Ward-days up to as-of without a row are listed as gaps (not errors)."""
    frame = read_actuals(write(tmp_path, f"{HEADER}\n00001,2022-07-25,10\n00001,2022-07-26,9\n"), tiny, AS_OF)
    gaps = missing_reports(tiny, frame, 1)
    assert len(gaps) == 2 * 4
    assert "00001" not in set(gaps["ward_code"])


def test_merge_marks_new_corrected_and_unchanged(tmp_path, tiny):
    """Laid over stored actuals, a file's rows are new, corrections (other numbers) or unchanged."""
    stored = read_actuals(write(tmp_path, f"{HEADER}\n00001,2022-07-25,10\n00004,2022-07-25,5\n", "a.csv"), tiny, AS_OF)
    later = read_actuals(write(tmp_path, f"{HEADER}\n00001,2022-07-25,12\n00004,2022-07-25,5\n"
                                         "00001,2022-07-26,7\n", "b.csv"), tiny, AS_OF)
    merged = merge_actuals(tiny, stored, later)
    assert list(merged.new_rows["date"]) == ["2022-07-26"]
    assert merged.corrections[["ward_code", "date", "enrolled", "previous_enrolled"]].values.tolist() == \
        [["00001", "2022-07-25", 12, 10]]
    assert merged.unchanged == 1
    assert len(merged.effective) == 3
    assert int(merged.effective.query("ward_code == '00001' and date == '2022-07-25'")["enrolled"].iloc[0]) == 12


def test_corrections_are_recorded_in_the_store(tmp_path, tiny):
    """A later file with a different number for a stored ward-day is accepted and kept as a correction with history."""
    options = NightlyOptions(workers=1, with_roster=False)
    first = write(tmp_path, f"{HEADER}\n" + "".join(f"{w},2022-07-25,100\n" for w in tiny.wards.index), "d0.csv")
    run_nightly(TINY, first, "2022-07-25", tmp_path / "plan.db", tmp_path / "out", options)
    second = write(tmp_path, f"{HEADER}\n00001,2022-07-25,140\n"
                   + "".join(f"{w},2022-07-26,90\n" for w in tiny.wards.index), "d1.csv")
    report = run_nightly(TINY, second, "2022-07-26", tmp_path / "plan.db", tmp_path / "out", options)
    assert report.summary["actuals"]["corrections"] == [
        {"ward_code": "00001", "date": "2022-07-25", "before": 100, "after": 140}]
    assert report.summary["actuals"]["new"] == 5
    with PlanStore(tmp_path / "plan.db") as store:
        history = store.db.execute("SELECT id, enrolled, is_correction, replaces_id, superseded_by_id FROM actuals "
                                   "WHERE ward_code = '00001' AND date = '2022-07-25' ORDER BY id").fetchall()
        current = store.current_actuals(tiny)
        corrections = store.db.execute("SELECT corrections FROM submissions ORDER BY id").fetchall()
    (old_id, old, old_flag, _, successor), (new_id, new, new_flag, replaces, none) = [tuple(r) for r in history]
    assert (old, old_flag, successor) == (100, 0, new_id)
    assert (new, new_flag, replaces, none) == (140, 1, old_id, None)
    assert int(current.query("ward_code == '00001' and date == '2022-07-25'")["enrolled"].iloc[0]) == 140
    assert [c[0] for c in corrections] == [0, 1]
    assert np.isclose(report.summary["enrolled_to_date"], 140 + 4 * 100 + 5 * 90)
