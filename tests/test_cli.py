"""The command line end to end: `python -m optimizer plan` writes the output folder, `check`
re-verifies it; broken plans exit 1 naming the rule, bad input and usage errors exit 2 with one
line on stderr, and a run that fails while writing leaves the previous output untouched.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import optimizer.exports.outputs
from optimizer.cli import main

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "scenarios" / "tiny"
HANOI = ROOT / "scenarios" / "hanoi-2022"
SUMMARY_KEYS = ("scenario", "status", "target", "enrolled", "coverage", "max_enrollable", "objective",
                "objective_bound", "gap", "baseline_enrolled", "wall_seconds", "seed", "input_hash",
                "solver_version")
PLAN_COLUMNS = ("ward_code", "date", "shift", "kits_open", "mobile_kits", "home_visit_teams", "letters",
                "served", "queue_end", "gave_up")


def run_cli(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "optimizer", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def tiny_out(tmp_path_factory) -> Path:
    """One `plan scenarios/tiny --no-roster` run shared by the tests below (read-only)."""
    out = tmp_path_factory.mktemp("cli") / "out"
    done = run_cli("plan", TINY, "--out", out, "--no-roster")
    assert done.returncode == 0, done.stderr
    return out


@pytest.fixture
def plan_copy(tiny_out, tmp_path) -> Path:
    """A copy of the tiny output folder that a test may alter."""
    return Path(shutil.copytree(tiny_out, tmp_path / "out"))


def edit_plan(out: Path, ward: str, day: int, shift: str, **changes) -> None:
    """Change cells of one plan.csv row: column=function(old value)."""
    frame = pd.read_csv(out / "plan.csv", dtype=str, keep_default_na=False)
    row = (frame["ward_code"] == ward) & (frame["day"] == str(day)) & (frame["shift"] == shift)
    assert row.sum() == 1
    for column, change in changes.items():
        frame.loc[row, column] = str(change(frame.loc[row, column].iloc[0]))
    frame.to_csv(out / "plan.csv", index=False)


def check_in_process(out: Path, capsys) -> tuple[int, str]:
    code = main(["check", str(TINY), str(out)])
    return code, capsys.readouterr().out


# --- plan and check ---------------------------------------------------------------------------

def test_plan_writes_every_file(tiny_out):
    """plan exits 0 and writes summary.json, plan.csv, projection.csv and bottlenecks.csv."""
    for name in ("summary.json", "plan.csv", "projection.csv", "bottlenecks.csv"):
        assert (tiny_out / name).is_file(), name
    assert not (tiny_out / "roster.csv").exists()          # --no-roster


def test_summary_has_the_headline_keys(tiny_out):
    """summary.json holds the run's headline numbers, consistent with each other."""
    summary = json.loads((tiny_out / "summary.json").read_text(encoding="utf-8"))
    for key in SUMMARY_KEYS:
        assert key in summary, key
    assert summary["scenario"] == "Tiny demo: 5 wards, 7 days"
    assert summary["target"] == 10230
    assert summary["status"] in ("optimal", "feasible")
    assert summary["coverage"] == pytest.approx(summary["enrolled"] / summary["target"], abs=1e-6)
    assert summary["baseline_enrolled"] <= summary["enrolled"] <= summary["max_enrollable"] <= summary["target"]
    assert summary["objective"] <= summary["objective_bound"]
    assert summary["seed"] == 0 and len(summary["input_hash"]) == 16
    assert summary["solver_version"].startswith("ortools")


def test_plan_csv_one_row_per_ward_day_shift(tiny_out):
    """plan.csv has the decision and outcome columns and 5 wards x 7 days x 3 shifts rows."""
    plan = pd.read_csv(tiny_out / "plan.csv", dtype={"ward_code": str})
    for column in PLAN_COLUMNS:
        assert column in plan.columns, column
    assert len(plan) == 5 * 7 * 3
    assert plan["ward_code"].iloc[0] == "00001"               # codes keep their zeros
    projection = pd.read_csv(tiny_out / "projection.csv", dtype={"ward_code": str})
    assert len(projection) == 5 * 7
    summary = json.loads((tiny_out / "summary.json").read_text(encoding="utf-8"))
    assert plan["served"].sum() == summary["enrolled"]


def test_check_accepts_the_plan(tiny_out):
    """check on the untouched output exits 0 with an OK line."""
    done = run_cli("check", TINY, tiny_out)
    assert done.returncode == 0, done.stdout
    assert done.stdout.strip().splitlines()[-1].startswith("OK: 0 violations")


def test_check_verifies_the_fair_baseline(tiny_out):
    """plan writes baseline_plan.csv with plan.csv's columns; check verifies it and reports "baseline: OK"."""
    baseline = pd.read_csv(tiny_out / "baseline_plan.csv", dtype={"ward_code": str})
    plan = pd.read_csv(tiny_out / "plan.csv", dtype={"ward_code": str})
    assert list(baseline.columns) == list(plan.columns) and len(baseline) == len(plan)
    summary = json.loads((tiny_out / "summary.json").read_text(encoding="utf-8"))
    assert baseline["served"].sum() == summary["baseline_enrolled"]
    assert summary["gain_over_baseline"] == summary["enrolled"] - summary["baseline_enrolled"]
    assert summary["proportional_enrolled"] <= summary["baseline_enrolled"]
    done = run_cli("check", TINY, tiny_out)
    assert done.returncode == 0, done.stdout
    assert any(line.startswith("baseline: OK") for line in done.stdout.splitlines())


def test_check_rejects_an_altered_baseline(plan_copy, capsys):
    """A baseline kit above the ward's fixed kits fails the check: exit 1, "baseline: FAILED"."""
    path = plan_copy / "baseline_plan.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[0, "kits_open"] = "3"
    frame.to_csv(path, index=False)
    code, out = check_in_process(plan_copy, capsys)
    assert code == 1
    assert any(line.startswith("baseline: FAILED") for line in out.splitlines())


@pytest.mark.parametrize("rule,where,changes", [
    ("kits_open", "ward 00001, 2022-07-25 S", {"kits_open": lambda v: 3}),
    ("simulation", "ward 00037, 2022-07-26 C", {"served_walk_in": lambda v: int(v) + 1,
                                                 "served": lambda v: int(v) + 1}),
    ("conservation", "ward 00006, 2022-07-27 T", {"queue_walk_in_end": lambda v: int(v) + 3,
                                                   "queue_end": lambda v: int(v) + 3}),
], ids=["kits_above_fixed", "served_plus_one", "conservation"])
def test_check_rejects_an_altered_plan(plan_copy, capsys, rule, where, changes):
    """One rule broken in plan.csv: check exits 1 and lists that violation where it happens."""
    ward, rest = where.removeprefix("ward ").split(", ")
    date, shift = rest.split()
    day = (pd.Timestamp(date) - pd.Timestamp("2022-07-25")).days
    edit_plan(plan_copy, ward, day, shift, **changes)
    code, out = check_in_process(plan_copy, capsys)
    assert code == 1
    assert f"[{rule}] {where}" in out
    assert out.strip().splitlines()[-1].startswith("FAILED")


def test_check_exit_code_of_the_process(plan_copy):
    """The process itself exits 1 for a broken plan."""
    edit_plan(plan_copy, "00040", 0, "S", kits_open=lambda v: 2)
    done = run_cli("check", TINY, plan_copy)
    assert done.returncode == 1
    assert "[kits_open] ward 00040, 2022-07-25 S" in done.stdout


# --- bad input and usage ----------------------------------------------------------------------

@pytest.fixture
def broken_tiny(tmp_path) -> Path:
    folder = Path(shutil.copytree(TINY, tmp_path / "tiny"))
    path = folder / "wards.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].rsplit(",", 1)[0] + ",two"               # 00004's fixed_kits
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize("command", ["plan", "check"])
def test_bad_input_exits_2_with_one_line(broken_tiny, tmp_path, command):
    """A broken wards.csv: exit 2, one line on stderr naming file, row, column and problem, no traceback."""
    args = ["plan", broken_tiny, "--out", tmp_path / "out", "--no-roster"] if command == "plan" \
        else ["check", broken_tiny, tmp_path / "out"]
    done = run_cli(*args)
    assert done.returncode == 2
    assert done.stderr.splitlines() == ["error: wards.csv: row 3, column fixed_kits: 'two' is not a number"]
    assert "Traceback" not in done.stderr + done.stdout
    assert not (tmp_path / "out").exists()


def test_unknown_option_exits_2(tmp_path):
    """An unknown option is a usage error: exit 2 and one line on stderr."""
    done = run_cli("plan", TINY, "--out", tmp_path / "out", "--no-roster", "--fast")
    assert done.returncode == 2
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and "unrecognized arguments: --fast" in lines[0]


def test_missing_scenario_folder_exits_2(tmp_path, capsys):
    """A scenario folder that does not exist is bad input (exit 2), not a crash."""
    assert main(["plan", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out"), "--no-roster"]) == 2
    assert capsys.readouterr().err.count("\n") == 1


# --- atomic output --------------------------------------------------------------------------------

def test_failed_write_leaves_the_previous_output(plan_copy, monkeypatch):
    """A writer failing inside write_outputs exits 1 and leaves the old folder byte for byte, no temp folder."""
    before = {p.name: p.read_bytes() for p in plan_copy.iterdir()}

    def disk_full(path, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(optimizer.exports.outputs, "write_json", disk_full)
    assert main(["plan", str(TINY), "--out", str(plan_copy), "--no-roster", "--workers", "1"]) == 1
    assert {p.name: p.read_bytes() for p in plan_copy.iterdir()} == before
    assert sorted(p.name for p in plan_copy.parent.iterdir()) == ["out"]


def test_rerun_replaces_the_output(plan_copy):
    """A successful run replaces an existing output folder whole (stale files go) and leaves no temp."""
    (plan_copy / "stale.txt").write_text("from an older run")
    assert main(["plan", str(TINY), "--out", str(plan_copy), "--no-roster", "--workers", "1"]) == 0
    assert not (plan_copy / "stale.txt").exists() and (plan_copy / "summary.json").is_file()
    assert sorted(p.name for p in plan_copy.parent.iterdir()) == ["out"]


# --- Hà Nội ------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_hanoi_end_to_end(tmp_path):
    """Hà Nội: one plan run (60 s limit, no roster) passes check, covers >= 90 % and beats the baseline."""
    out = tmp_path / "hanoi"
    done = run_cli("plan", HANOI, "--out", out, "--no-roster", "--time-limit", "60", timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    checked = run_cli("check", HANOI, out)
    assert checked.returncode == 0, checked.stdout[-2000:]
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["status"] in ("optimal", "feasible")
    assert summary["coverage"] >= 0.90
    assert summary["enrolled"] > summary["baseline_enrolled"]
    assert summary["objective_bound"] >= summary["objective"]
    assert summary["max_enrollable"] >= summary["enrolled"]
