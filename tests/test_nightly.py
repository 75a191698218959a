"""The nightly re-plan end to end on scenarios/tiny: outputs, frozen days, diff.csv, warnings, CLI exit codes.

Actuals are drawn from the day-1 plan's own simulation (so a "plan as expected" night is easy
to build) and then bent: fewer people, a ward that does not report. Roster tests use the
greedy stand-in roster function (optimizer.nightly.synthetic) until optimizer.crews.plan_staffing lands.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from optimizer.cli import main
from optimizer.nightly import NightlyOptions, PlanStore, run_nightly
from optimizer.nightly.roster import RosterUnavailable
from optimizer.nightly.synthetic import actuals_from_outcome, greedy_roster, write_actuals
from optimizer.scenario import load_scenario

TINY = Path(__file__).resolve().parents[1] / "scenarios" / "tiny"
FAST = NightlyOptions(workers=1, with_roster=False)
FIELDS = ("kits_open", "mobile_kits", "home_visit_teams", "letters")


@pytest.fixture(scope="module")
def tiny():
    return load_scenario(TINY)


@pytest.fixture
def day1(tiny_plan):
    """The day-1 plan the store publishes first (same scenario, seed and workers; read-only)."""
    return tiny_plan


def actuals(tmp_path: Path, tiny, day1, days, name: str, *, scale: float = 1.0, skip=()) -> Path:
    """An actuals file for `days` from the day-1 plan's simulation, enrollments times `scale`."""
    frame = actuals_from_outcome(tiny, day1.outcome, days, cohorts=False)
    frame["enrolled"] = np.floor(frame["enrolled"] * scale).astype(int)
    frame = frame[~frame["ward_code"].isin(skip)]
    return write_actuals(frame, tmp_path / name)


def test_nightly_writes_plan_outputs_diff_and_summary(tmp_path, tiny, day1):
    """`nightly` exits 0 and writes the plan's files plus diff.csv and a summary naming as-of and the previous run."""
    file = actuals(tmp_path, tiny, day1, [0], "day0.csv")
    code = main(["nightly", str(TINY), "--actuals", str(file), "--as-of", "2022-07-25", "--store",
                 str(tmp_path / "plan.db"), "--out", str(tmp_path / "out"), "--workers", "1", "--no-roster"])
    assert code == 0
    out = tmp_path / "out"
    for name in ("plan.csv", "projection.csv", "bottlenecks.csv", "districts.csv", "shortfalls.csv",
                 "deployment.csv", "summary.json", "diff.csv", "forecast.csv", "reconciliation.csv"):
        assert (out / name).exists(), name
    summary = json.loads((out / "summary.json").read_text())
    assert summary["as_of"] == "2022-07-25"
    assert summary["previous_run"]["kind"] == "initial"
    assert summary["first_day_replanned"] == "2022-07-26"
    assert summary["frozen_days"] == ["2022-07-26", "2022-07-27"]
    assert "changed_officer_shifts" in summary and summary["changed_officer_shifts"] is None
    assert isinstance(summary["changed_kit_shifts"], int)
    assert summary["actuals_warnings"] == []
    assert summary["roster_status"].startswith("skipped")


def test_frozen_days_stay_as_published(tmp_path, tiny, day1):
    """With half the expected people, later days change but the two frozen days keep the published decisions."""
    file = actuals(tmp_path, tiny, day1, [0], "day0.csv", scale=0.5)
    report = run_nightly(TINY, file, "2022-07-25", tmp_path / "plan.db", tmp_path / "out", FAST)
    with PlanStore(tmp_path / "plan.db") as store:
        before = store.load_decisions(report.summary["previous_run"]["id"], tiny)
        after = store.load_decisions(report.run_id, tiny)
    for field in FIELDS:
        assert np.array_equal(getattr(before, field)[:, 1:3], getattr(after, field)[:, 1:3]), field
    assert report.summary["changed_kit_shifts"] > 0          # the later days did change
    diff = pd.read_csv(tmp_path / "out" / "diff.csv", encoding="utf-8-sig")
    assert not diff["day"].isin([1, 2]).any()


def test_diff_lists_kit_and_officer_changes(tmp_path, tiny, day1):
    """diff.csv has one row per changed ward-shift field and per changed officer shift, matching the stored plans."""
    file = actuals(tmp_path, tiny, day1, [0], "day0.csv", scale=0.5)
    options = NightlyOptions(workers=1, with_roster=True)
    report = run_nightly(TINY, file, "2022-07-25", tmp_path / "plan.db", tmp_path / "out", options,
                         roster_fn=greedy_roster)
    diff = pd.read_csv(tmp_path / "out" / "diff.csv", encoding="utf-8-sig", dtype={"ward_code": str})
    with PlanStore(tmp_path / "plan.db") as store:
        previous = report.summary["previous_run"]["id"]
        before, after = store.load_decisions(previous, tiny), store.load_decisions(report.run_id, tiny)
        roster_before, roster_after = store.load_roster(previous), store.load_roster(report.run_id)
    wards = diff[diff["kind"] == "ward"]
    expected = sum(int((getattr(before, f)[:, 1:] != getattr(after, f)[:, 1:]).sum()) for f in FIELDS)
    assert len(wards) == expected
    row = wards.iloc[0]
    w, d, s = list(tiny.wards.index).index(row["ward_code"]), int(row["day"]), tiny.shift_codes.index(row["shift"])
    assert int(row["before"]) == getattr(before, row["field"])[w, d, s]
    assert int(row["after"]) == getattr(after, row["field"])[w, d, s]
    assert int(row["change"]) == int(row["after"]) - int(row["before"])
    kits = (np.abs(after.kits_open[:, 1:] - before.kits_open[:, 1:]).sum()
            + np.abs(after.mobile_kits[:, 1:] - before.mobile_kits[:, 1:]).sum())
    assert report.summary["changed_kit_shifts"] == kits
    officers = diff[diff["kind"] == "officer"]
    assert len(officers) == report.summary["changed_officer_shifts"] > 0
    assert set(officers["change"]) <= {"added", "removed", "moved"}
    assert not officers["day"].isin([0, 1, 2]).any()         # past and frozen days keep their rows
    frozen = roster_before[roster_before["day"].isin([1, 2])].reset_index(drop=True)
    kept = roster_after[roster_after["day"].isin([1, 2])].reset_index(drop=True)
    pd.testing.assert_frame_equal(frozen, kept)
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["officer_shifts_added"] + summary["officer_shifts_removed"] + summary["officer_shifts_moved"] \
        == summary["changed_officer_shifts"]


def test_missing_report_is_a_warning_with_its_treatment(tmp_path, tiny, day1):
    """A ward that did not report is listed in the summary's warnings with the number assumed, not an error."""
    file = actuals(tmp_path, tiny, day1, [0, 1], "days.csv", skip=("00040",))
    report = run_nightly(TINY, file, "2022-07-26", tmp_path / "plan.db", tmp_path / "out", FAST)
    warnings = report.summary["actuals_warnings"]
    assert [w["ward_code"] for w in warnings] == ["00040"]
    assert warnings[0]["dates"] == ["2022-07-25", "2022-07-26"]
    assert warnings[0]["assumed_enrolled"] == int(day1.outcome.served[4, :2].sum())
    assert "assumed the published plan's simulated enrollments" in warnings[0]["message"]
    assert report.summary["missing_reports"]["ward_days"] == 2
    with PlanStore(tmp_path / "plan.db") as store:
        kinds = [r[0] for r in store.db.execute("SELECT kind FROM run_warnings WHERE run_id = ?", (report.run_id,))]
    assert "missing_report" in kinds


def test_roster_unavailable_publishes_the_plan_without_roster(tmp_path, tiny, day1):
    """When no roster can be made the plan is still published and the summary says why."""
    def no_roster(result, **kwargs):
        raise RosterUnavailable("rostering is not installed")

    file = actuals(tmp_path, tiny, day1, [0], "day0.csv")
    report = run_nightly(TINY, file, "2022-07-25", tmp_path / "plan.db", tmp_path / "out",
                         NightlyOptions(workers=1), roster_fn=no_roster)
    assert report.summary["roster_status"] == "not made: rostering is not installed"
    assert not (tmp_path / "out" / "roster.csv").exists()


def test_cli_bad_actuals_exit_2_with_one_line(tmp_path, capsys):
    """A bad actuals file stops the run with exit 2 and one line naming file, row and column; no store is touched."""
    file = tmp_path / "bad.csv"
    file.write_text("ward_code,date,enrolled\n00001,2022-07-25,12\n00004,2022-07-25,-3\n")
    code = main(["nightly", str(TINY), "--actuals", str(file), "--as-of", "2022-07-25",
                 "--store", str(tmp_path / "plan.db"), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err == "error: bad.csv: row 3, column enrolled: -3 is negative"
    assert not (tmp_path / "plan.db").exists() and not (tmp_path / "out").exists()


def test_cli_bad_as_of_exit_2(tmp_path, capsys):
    """--as-of on the campaign's last day (nothing left to plan) or outside it is bad input."""
    file = tmp_path / "a.csv"
    file.write_text("ward_code,date,enrolled\n00001,2022-07-25,12\n")
    for as_of, problem in (("2022-07-31", "no day is left to re-plan"), ("2022-08-05", "outside the campaign"),
                           ("31/07/2022", "bad date")):
        code = main(["nightly", str(TINY), "--actuals", str(file), "--as-of", as_of,
                     "--store", str(tmp_path / "plan.db"), "--out", str(tmp_path / "out")])
        err = capsys.readouterr().err
        assert code == 2 and problem in err and err.count("\n") == 1


def test_cli_usage_error_exit_2(tmp_path):
    """A missing required option is a usage error: exit 2."""
    result = subprocess.run([sys.executable, "-m", "optimizer", "nightly", str(TINY), "--as-of", "2022-07-25"],
                            capture_output=True, text=True, cwd=TINY.parents[1])
    assert result.returncode == 2
    assert "required" in result.stderr


def test_cli_failed_replan_exit_1_keeps_published_plan(tmp_path, tiny, day1, monkeypatch, capsys):
    """A re-plan that finds no plan exits 1, publishes nothing and leaves the last published plan in force."""
    import optimizer.nightly.run as nightly_run

    first = actuals(tmp_path, tiny, day1, [0], "day0.csv")
    run_nightly(TINY, first, "2022-07-25", tmp_path / "plan.db", tmp_path / "out", FAST)
    real = nightly_run.run_plan

    def broken(*args, **kwargs):
        result = real(*args, **kwargs)
        result.status = "infeasible"
        return result

    monkeypatch.setattr(nightly_run, "run_plan", broken)
    second = actuals(tmp_path, tiny, day1, [1], "day1.csv")
    code = main(["nightly", str(TINY), "--actuals", str(second), "--as-of", "2022-07-26", "--store",
                 str(tmp_path / "plan.db"), "--out", str(tmp_path / "out"), "--workers", "1", "--no-roster"])
    assert code == 1
    assert "nothing was published" in capsys.readouterr().err
    with PlanStore(tmp_path / "plan.db") as store:
        assert store.latest_published()["as_of"] == "2022-07-25"
        statuses = [r[0] for r in store.db.execute("SELECT status FROM runs ORDER BY id")]
    assert statuses == ["published", "published", "failed"]
    assert json.loads((tmp_path / "out" / "summary.json").read_text())["as_of"] == "2022-07-25"


def test_real_roster_keeps_frozen_rows(tmp_path, tiny, day1):
    """With the planner's own roster step, the frozen days keep their published officers and roster.csv is written."""
    options = NightlyOptions(workers=1, time_limit_seconds=2)
    first = run_nightly(TINY, actuals(tmp_path, tiny, day1, [0], "day0.csv", scale=0.6), "2022-07-25",
                        tmp_path / "plan.db", tmp_path / "out", options)
    if first.summary["roster_status"] != "made":
        pytest.skip(f"rostering not available here: {first.summary['roster_status']}")
    second = run_nightly(TINY, actuals(tmp_path, tiny, day1, [1], "day1.csv", scale=0.6), "2022-07-26",
                         tmp_path / "plan.db", tmp_path / "out", options)
    assert second.summary["roster_status"] == "made" and second.summary["notes"] == []
    with PlanStore(tmp_path / "plan.db") as store:
        before, after = store.load_roster(first.run_id), store.load_roster(second.run_id)
    for day in (2, 3):                                  # the freeze window after 2022-07-26
        pd.testing.assert_frame_equal(before[before["day"] == day].reset_index(drop=True),
                                      after[after["day"] == day].reset_index(drop=True))
    assert (tmp_path / "out" / "roster.csv").exists()
    diff = pd.read_csv(tmp_path / "out" / "diff.csv", encoding="utf-8-sig")
    assert (diff["kind"] == "officer").sum() == second.summary["changed_officer_shifts"]
