"""The closed-loop replay on scenarios/tiny: it runs, writes its report, and its truth keeps people conserved."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from optimizer.cli import main
from optimizer.nightly.replay import draw_truth, play_truth, run_replay
from optimizer.nightly.run import NightlyOptions
from optimizer.scenario import load_scenario
from optimizer.simulation import conservation_gap

TINY = Path(__file__).resolve().parents[1] / "scenarios" / "tiny"


@pytest.fixture(scope="module")
def tiny():
    return load_scenario(TINY)


def test_replay_runs_and_writes_its_report(tmp_path, capsys):
    """`replay` exits 0 and writes replay.json (three policies, per night changes) and replay.csv (per day)."""
    code = main(["replay", str(TINY), "--seed", "3", "--out", str(tmp_path / "replay"), "--nights", "3",
                 "--workers", "1"])
    assert code == 0
    assert "nightly" in capsys.readouterr().out
    report = json.loads((tmp_path / "replay" / "replay.json").read_text())
    assert report["seed"] == 3 and report["nights"] == 3
    assert set(report["policies"]) == {"nightly", "day1_plan", "baseline"}
    for policy in report["policies"].values():
        assert 0 < policy["final_coverage"] <= 1 and "days_to_95" in policy
    assert [n["as_of"] for n in report["per_night"]] == ["2022-07-25", "2022-07-26", "2022-07-27"]
    assert all(isinstance(n["changed_kit_shifts"], int) for n in report["per_night"])
    table = pd.read_csv(tmp_path / "replay" / "replay.csv")
    assert len(table) == 7 and table["changed_kit_shifts"].notna().sum() == 3
    assert table["coverage_nightly"].is_monotonic_increasing


def test_replay_is_reproducible_for_a_seed(tiny):
    """The same seed draws the same truth and gives the same report numbers."""
    options = NightlyOptions(workers=1, with_roster=False)
    first, _ = run_replay(tiny, 5, nights=2, options=options)
    second, _ = run_replay(tiny, 5, nights=2, options=options)
    assert first["truth"] == second["truth"] and first["policies"] == second["policies"]
    assert run_replay(tiny, 6, nights=0, options=options)[0]["truth"] != first["truth"]


def test_zero_nights_is_the_day1_plan(tiny):
    """Without re-planning, the nightly policy is the day-1 plan."""
    report, _ = run_replay(tiny, 2, nights=0, options=NightlyOptions(workers=1, with_roster=False))
    assert report["policies"]["nightly"]["final_coverage"] == report["policies"]["day1_plan"]["final_coverage"]


def test_truth_conserves_people(tiny, tiny_plan):
    """The drawn truth played through the queue simulation conserves people, letters beyond its pool unsent."""
    truth = draw_truth(tiny, 11, district_sigma=0.5)
    walk_in = tiny.wards["walk_in"].to_numpy()
    assert (truth.arrivals.sum(axis=1) <= walk_in).all() and (truth.invitable >= 0).all()
    decisions = tiny_plan.decisions.copy()
    decisions.letters[:] = 120                      # far more letters than anyone can receive
    assert conservation_gap(play_truth(tiny, truth, decisions)) == 0
