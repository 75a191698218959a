"""Follow-up of no-shows: the neighbourhood working groups call those who missed their letter's slot."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from optimizer.checker import check_plan, format_report
from optimizer.demand import calls_per_ward_day
from optimizer.exports.outputs import write_outputs
from optimizer.planner import SolveOptions, run_plan
from optimizer.scenario import ScenarioError, load_scenario
from optimizer.simulation import Decisions, conservation_gap, simulate

TINY = Path(__file__).resolve().parents[1] / "scenarios" / "tiny"
GROUPS = {"00001": 9, "00004": 4, "00006": 10, "00037": 8, "00040": 6}


def _with_groups(folder: Path, groups=GROUPS, per_group_day: float = 5, after_days: int = 2) -> Path:
    shutil.copytree(TINY, folder)
    wards = pd.read_csv(folder / "wards.csv", dtype=str, keep_default_na=False)
    wards["working_groups"] = [str(groups[c]) for c in wards["ward_code"]]
    wards.to_csv(folder / "wards.csv", index=False)
    toml = folder / "campaign.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace(
        "return_after_days = 2\n", f"return_after_days = 2\nfollow_up_after_days = {after_days}\n"
        f"follow_up_show_up = 0.5\ncalls_per_group_day = {per_group_day}\n"), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def calling(tmp_path_factory):
    return load_scenario(_with_groups(tmp_path_factory.mktemp("calls") / "scenario"))


def _letters_every_day(scenario) -> Decisions:
    decisions = Decisions.zeros(len(scenario.wards), scenario.n_days, len(scenario.shift_codes))
    decisions.kits_open[:] = 1
    decisions.letters[:, 1:, 1] = 60
    return decisions


def test_without_working_groups_nobody_is_called():
    """Scenarios without a working_groups column keep today's dynamics: no calls."""
    tiny = load_scenario(TINY)
    assert (calls_per_ward_day(tiny) == 0).all()
    outcome = simulate(tiny, _letters_every_day(tiny))
    assert outcome.calls.sum() == 0


def test_calls_follow_the_no_shows_after_the_delay_within_the_daily_calls(calling):
    """No-shows are called from follow_up_after_days after their slot, at most the ward's calls a day, and half of those called come."""
    decisions = _letters_every_day(calling)
    outcome = simulate(calling, decisions)
    capacity = calls_per_ward_day(calling)
    assert (capacity == np.array([45, 20, 50, 40, 30])).all()
    calls_by_day = outcome.calls.sum(axis=2)
    assert calls_by_day[:, :3].sum() == 0          # letters from day 1, called from day 3
    assert (calls_by_day <= capacity[:, None]).all()
    no_shows = (decisions.letters - np.floor(0.75 * decisions.letters)).sum(axis=(1, 2))
    assert (outcome.calls.sum(axis=(1, 2)) <= no_shows).all()
    letters_only = np.floor(0.75 * decisions.letters).astype(int)
    extra = outcome.arrivals_invited - letters_only
    assert (extra == np.floor(0.5 * outcome.calls)).all()


def test_people_are_conserved_with_calls(calling):
    """Enrolled + waiting + not yet arrived + given up equals the target at every shift end, with calls."""
    rng = np.random.default_rng(7)
    for _ in range(5):
        decisions = _letters_every_day(calling)
        decisions.kits_open[:] = rng.integers(0, 2, decisions.kits_open.shape)
        decisions.letters[:] = rng.integers(0, 40, decisions.letters.shape)
        decisions.letters[:, 0] = 0
        outcome = simulate(calling, decisions)
        assert outcome.calls.sum() > 0
        assert conservation_gap(outcome) == 0


def test_plan_with_calls_stays_within_its_bound_and_passes_the_checker(calling, tmp_path):
    """The plan with door-to-door calls enrolls more than without, keeps under max_enrollable and passes check, baseline too."""
    result = run_plan(calling, SolveOptions(workers=1))
    assert result.outcome.calls.sum() > 0
    assert result.enrolled <= result.max_enrollable + 1e-6
    assert result.status in ("optimal", "feasible")
    out = write_outputs(result, tmp_path / "out")
    report = check_plan(calling, out)
    assert report.ok, format_report(report)
    from optimizer.checker import check_baseline
    baseline = check_baseline(calling, out)
    assert baseline.ok, format_report(baseline)
    without = run_plan(load_scenario(TINY), SolveOptions(workers=1))
    assert result.enrolled > without.enrolled


def test_checker_recomputes_the_calls(calling, tmp_path):
    """A plan.csv claiming one more call than the rule makes is a simulation mismatch."""
    result = run_plan(calling, SolveOptions(workers=1))
    out = write_outputs(result, tmp_path / "out")
    plan = pd.read_csv(out / "plan.csv", dtype=str, keep_default_na=False)
    row = plan.index[plan["calls"].astype(int) > 0][0]
    plan.loc[row, "calls"] = str(int(plan.loc[row, "calls"]) + 1)
    plan.to_csv(out / "plan.csv", index=False)
    report = check_plan(calling, out)
    assert "simulation" in report.rules()


def test_negative_working_groups_is_one_clear_error(tmp_path):
    """A negative working_groups value names the file, row and column."""
    folder = _with_groups(tmp_path / "scenario", groups={**GROUPS, "00004": -2})
    with pytest.raises(ScenarioError) as error:
        load_scenario(folder)
    text = str(error.value)
    assert "wards.csv" in text and "working_groups" in text and "3" in text
