"""Kept plans (optimizer/kept_plans.py): a plan computed once is read back identically, only
for the same inputs, parameters and code version; bad files are skipped, writes are atomic,
the folder stays bounded and holds only what it wrote."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from optimizer import kept_plans as kp
from optimizer.checker import check_plan
from optimizer.cli import main
from optimizer.exports.outputs import write_outputs
from optimizer.planner import ReplanWindow, SolveOptions, run_plan
from optimizer.simulation import Decisions, StartState
from optimizer.ui import whatif as wi

TINY = Path(__file__).resolve().parents[1] / "scenarios" / "tiny"
FRAMES = ("plan_frame", "baseline_plan_frame", "projection_frame", "district_frame", "bottleneck_frame",
          "shortfall_frame")


def assert_same_plan(a, b) -> None:
    """Every table and number the app, the exports and the checker read agrees."""
    assert a.summary() == b.summary()
    for name in FRAMES:
        pd.testing.assert_frame_equal(getattr(a, name)(), getattr(b, name)())
    for part in ("decisions", "baseline_decisions", "proportional_decisions"):
        for field in Decisions.FIELDS:
            x, y = getattr(getattr(a, part), field), getattr(getattr(b, part), field)
            assert x.dtype == y.dtype and np.array_equal(x, y), (part, field)
        assert np.array_equal(getattr(a, part).call_shifts(), getattr(b, part).call_shifts()), (part, "call_shift")
    assert a.marginal_by_district == b.marginal_by_district
    assert a.reserve_allocation == b.reserve_allocation


def test_the_key_changes_with_inputs_seed_time_limit_roster_window_and_code(tiny_scenario, monkeypatch):
    base = kp.plan_key(tiny_scenario)
    assert kp.plan_key(tiny_scenario) == base
    others = {
        "inputs": kp.plan_key(wi.scale_demand(tiny_scenario, {"002": 1.5})),
        "seed": kp.plan_key(tiny_scenario, seed=tiny_scenario.settings.solver.seed + 1),
        "time limit": kp.plan_key(tiny_scenario, time_limit_seconds=1.0),
        "roster": kp.plan_key(tiny_scenario, with_roster=True),
        "window": kp.plan_key(tiny_scenario, window=ReplanWindow(first_day=2)),
    }
    monkeypatch.setattr(kp, "code_version", lambda: "0.0.0+another")
    others["code version"] = kp.plan_key(tiny_scenario)
    assert len(set(others.values()) | {base}) == len(others) + 1, others
    # the scenario's own seed and time limit, given or not, name the same plan
    monkeypatch.undo()
    solver = tiny_scenario.settings.solver
    assert kp.plan_key(tiny_scenario, seed=solver.seed, time_limit_seconds=solver.time_limit_seconds) == base


def test_a_kept_plan_is_rebuilt_identically_and_passes_the_checker(tiny_scenario, tiny_plan, tmp_path):
    path = kp.keep(tiny_plan, folder=tmp_path / "kept")
    assert path is not None and path.is_file()
    found = kp.find(tiny_scenario, folder=tmp_path / "kept")
    assert found is not None and found.path == path
    assert_same_plan(tiny_plan, found.result)
    assert found.computed_time.tzinfo is not None
    out = tmp_path / "out"
    write_outputs(found.result, out)
    report = check_plan(tiny_scenario, out)
    assert report.ok, report.violations


def test_a_kept_plan_with_rosters_is_rebuilt_and_checked_by_the_command(tiny_scenario, tmp_path, capsys):
    result = run_plan(tiny_scenario, SolveOptions(workers=1, with_roster=True))
    kp.keep(result, with_roster=True, folder=tmp_path)
    assert kp.find(tiny_scenario, folder=tmp_path) is None      # the plan alone was not kept
    found = kp.find(tiny_scenario, with_roster=True, folder=tmp_path)
    assert found is not None
    assert_same_plan(result, found.result)
    pd.testing.assert_frame_equal(result.roster, found.result.roster)
    pd.testing.assert_frame_equal(result.unstaffed, found.result.unstaffed)
    assert result.roster_report == found.result.roster_report
    write_outputs(found.result, tmp_path / "out")
    assert main(["check", str(TINY), str(tmp_path / "out")]) == 0
    assert "roster: OK" in capsys.readouterr().out


def test_a_re_plan_window_is_kept_with_its_plan(tiny_scenario, tiny_plan, tmp_path):
    start = StartState.initial(tiny_scenario)
    window = ReplanWindow(first_day=2, start=start, fixed=tiny_plan.decisions, pinned=None,
                          previous=tiny_plan.decisions, change_cost=0.5)
    result = run_plan(tiny_scenario, SolveOptions(workers=1), window)
    kp.keep(result, folder=tmp_path)
    found = kp.find(tiny_scenario, window=window, folder=tmp_path)
    assert found is not None
    assert_same_plan(result, found.result)
    assert found.result.first_day == 2 and found.result.window.change_cost == 0.5
    assert kp.window_digest(found.result.window) == kp.window_digest(window)
    assert kp.find(tiny_scenario, window=ReplanWindow(first_day=3, start=start), folder=tmp_path) is None
    assert kp.find(tiny_scenario, folder=tmp_path) is None     # the whole campaign was never planned


def test_a_plan_of_other_inputs_or_another_version_is_never_served(tiny_scenario, tiny_plan, tmp_path,
                                                                    monkeypatch, caplog):
    kp.keep(tiny_plan, folder=tmp_path)
    other = wi.scale_demand(tiny_scenario, {"002": 1.5})
    assert kp.find(other, folder=tmp_path) is None
    assert kp.find(tiny_scenario, seed=tiny_plan.seed + 1, folder=tmp_path) is None
    # a kept file renamed to another plan's key is refused by its manifest
    forged = kp.entry_path(tmp_path, kp.plan_key(other))
    forged.write_bytes(kp.entry_path(tmp_path, kp.plan_key(tiny_scenario)).read_bytes())
    with caplog.at_level(logging.WARNING, logger="optimizer.kept_plans"):
        assert kp.find(other, folder=tmp_path) is None
    assert "other inputs" in caplog.text
    monkeypatch.setattr(kp, "code_version", lambda: "9.9.9+newer")
    assert kp.find(tiny_scenario, folder=tmp_path) is None


@pytest.mark.parametrize("content", [b"not a zip", b"PK\x03\x04 truncated", "pickle"])
def test_a_corrupt_or_foreign_entry_is_skipped_with_a_warning(tiny_scenario, tiny_plan, tmp_path, caplog,
                                                              content):
    path = kp.entry_path(tmp_path, kp.plan_key(tiny_scenario))
    (tmp_path / kp.MARKER).write_text("{}")
    if content == "pickle":   # an array of Python objects: loading it would need pickle
        with open(path, "wb") as handle:
            np.savez(handle, manifest=np.array([{"format": kp.FORMAT}], dtype=object))
    else:
        path.write_bytes(content)
    with caplog.at_level(logging.WARNING, logger="optimizer.kept_plans"):
        assert kp.find(tiny_scenario, folder=tmp_path) is None
        assert kp.kept_files(tmp_path) == []
    assert "cannot be read" in caplog.text
    assert path.exists()     # not ours: left alone by the pruning
    assert kp.keep(tiny_plan, folder=tmp_path) == path      # a new plan takes its place
    assert kp.find(tiny_scenario, folder=tmp_path) is not None


def test_a_failed_write_leaves_the_last_good_plan(tiny_scenario, tiny_plan, tmp_path, monkeypatch, caplog):
    path = kp.keep(tiny_plan, folder=tmp_path)
    assert path is not None
    before = path.read_bytes()

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr("optimizer.exports.atomic.os.replace", full_disk)
    with caplog.at_level(logging.WARNING, logger="optimizer.kept_plans"):
        assert kp.keep(tiny_plan, folder=tmp_path) is None
    assert "No space left" in caplog.text
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([kp.MARKER, path.name])   # no temporary left
    assert kp.find(tiny_scenario, folder=tmp_path) is not None


def test_the_folder_keeps_only_the_most_recent_plans_and_never_deletes_others(tiny_plan, tmp_path,
                                                                             monkeypatch):
    monkeypatch.setattr(kp, "MAX_ENTRIES", 2)
    (tmp_path / kp.MARKER).write_text("{}")
    notes = tmp_path / "notes.txt"
    notes.write_text("a planner's notes")
    look_alike = tmp_path / f"plan-{'0' * 64}.npz"
    look_alike.write_bytes(b"someone else's file")
    paths = []
    for n in range(3):
        paths.append(kp.keep(tiny_plan, seed=n, folder=tmp_path))
        # file times one second apart, oldest first (a fast disk may give them the same time)
        import os
        os.utime(paths[-1], (1_000_000 + n, 1_000_000 + n))
    kp.prune(tmp_path, max_entries=2)
    assert [p.exists() for p in paths] == [False, True, True]
    assert notes.exists() and look_alike.exists()


def test_the_byte_budget_bounds_the_folder(tiny_plan, tmp_path):
    paths = [kp.keep(tiny_plan, seed=n, folder=tmp_path) for n in range(3)]
    size = max(p.stat().st_size for p in paths if p is not None)
    removed = kp.prune(tmp_path, max_bytes=2 * size + 1)
    assert len(removed) == 1 and len(kp.kept_files(tmp_path)) == 2


def test_a_folder_the_planner_did_not_make_is_not_written(tiny_plan, tmp_path, caplog):
    (tmp_path / "report.xlsx").write_bytes(b"a district office's file")
    with caplog.at_level(logging.WARNING, logger="optimizer.kept_plans"):
        assert kp.keep(tiny_plan, folder=tmp_path) is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.xlsx"]
    assert "not a folder of kept plans" in caplog.text


def test_a_stopped_or_failed_plan_is_not_kept(tiny_plan, tmp_path):
    import dataclasses
    assert kp.keep(dataclasses.replace(tiny_plan, stopped_early=True), folder=tmp_path) is None
    assert not any(tmp_path.iterdir())


def test_the_plan_command_keeps_its_plan(tiny_scenario, tmp_path, kept_plans_folder):
    assert main(["plan", str(TINY), "--out", str(tmp_path / "out"), "--no-roster", "--workers", "1"]) == 0
    found = kp.find(tiny_scenario, folder=kept_plans_folder)
    assert found is not None
    summary = pd.read_json(tmp_path / "out" / "summary.json", typ="series")
    assert int(summary["enrolled"]) == found.result.enrolled
    pd.testing.assert_frame_equal(
        pd.read_csv(tmp_path / "out" / "plan.csv", dtype={"ward_code": str, "district_code": str}),
        found.result.plan_frame().reset_index(drop=True), check_dtype=False)


def test_the_nightly_keeps_the_day_1_plan_and_the_nights_re_plan(tiny_scenario, tiny_plan, tmp_path,
                                                                 kept_plans_folder):
    from test_store import night
    night(tmp_path, tiny_scenario, tiny_plan, 0)
    manifests = [kp.read_manifest(p) for p in kp.kept_files(kept_plans_folder)]
    assert sorted(m["window"]["first_day"] for m in manifests) == [0, 1]
    day1 = kp.find(tiny_scenario, folder=kept_plans_folder)
    assert day1 is not None     # the same plan, computed again (its timings differ)
    pd.testing.assert_frame_equal(tiny_plan.plan_frame(), day1.result.plan_frame())


def test_a_kept_coverage_band_is_read_back_identically_and_only_for_its_plan(tiny_scenario, tiny_plan, tmp_path):
    from optimizer.uncertainty import coverage_band
    band = coverage_band(tiny_scenario, tiny_plan.decisions, runs=6, seed=0)
    key = kp.band_key(tiny_scenario, tiny_plan.decisions, 6, 0)
    assert kp.keep_table("band", key, band, folder=tmp_path) is not None
    pd.testing.assert_frame_equal(kp.find_table("band", key, folder=tmp_path), band)
    other = tiny_plan.decisions.copy()
    other.kits_open[0, 0, 0] += 1
    keys = {kp.band_key(tiny_scenario, other, 6, 0), kp.band_key(tiny_scenario, tiny_plan.decisions, 7, 0),
            kp.band_key(tiny_scenario, tiny_plan.decisions, 6, 1),
            kp.band_key(wi.scale_demand(tiny_scenario, {"002": 1.5}), tiny_plan.decisions, 6, 0)}
    assert key not in keys and len(keys) == 4
    assert all(kp.find_table("band", k, folder=tmp_path) is None for k in keys)
    # a band file renamed to another key is refused; the band is counted with the plans
    kp.entry_path(tmp_path, kp.band_key(tiny_scenario, other, 6, 0), "band").write_bytes(
        kp.entry_path(tmp_path, key, "band").read_bytes())
    assert kp.find_table("band", kp.band_key(tiny_scenario, other, 6, 0), folder=tmp_path) is None
    assert len(kp.kept_files(tmp_path)) == 2


def test_the_shift_each_days_called_are_sent_to_is_kept(tiny_scenario, tiny_plan, tmp_path):
    """A plan naming call shifts (working groups' follow-up calls) is read back with the same shifts."""
    import copy
    result = copy.deepcopy(tiny_plan)
    shifts = np.full(result.decisions.kits_open.shape[:2], -1, dtype=np.int64)
    shifts[::2, 1::3] = 1
    result.decisions.call_shift = shifts
    kp.keep(result, folder=tmp_path)
    found = kp.find(tiny_scenario, folder=tmp_path)
    assert found is not None and np.array_equal(found.result.decisions.call_shifts(), shifts)
