"""The proven bound holds for every plan the officers can staff under the roster rules.

The case: scenarios/tiny cut to 9 days with 30-hour officers. Its last campaign week has two
days, in which the roster rules (roster_check) allow an officer the full 30 hours; a budget that
gave the short week only its share of the weekly shifts, or counted every shift as the longest,
cut plans the officers can staff and let such a plan score above the reported bound.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from optimizer.capacity.campaign import plan_capacity
from optimizer.checker import check_plan, format_report
from optimizer.exports.outputs import write_outputs
from optimizer.planner import SolveOptions, run_plan
from optimizer.roster.check import check_roster
from optimizer.scenario import load_scenario
from optimizer.simulation import Decisions, simulate

TINY = Path(__file__).resolve().parents[1] / "scenarios" / "tiny"


@pytest.fixture(scope="module")
def nine_days(tmp_path_factory):
    """Tiny cut to 9 days (a 2-day last campaign week), officers at 30 hours a week."""
    folder = tmp_path_factory.mktemp("nine") / "scenario"
    shutil.copytree(TINY, folder)
    toml = folder / "campaign.toml"
    text = toml.read_text(encoding="utf-8").replace("days = 7", "days = 9")
    toml.write_text(text.replace("max_hours_per_week = 56", "max_hours_per_week = 30"), encoding="utf-8")
    return load_scenario(folder)


def _short_week_roster(scenario):
    """Every kit of district 001 open afternoon and evening on the 2 days of the last week, staffed
    by 6 operator/verifiers working C+T (one duty, 20 hours of their 30) both days; nothing else."""
    wards = scenario.wards
    codes = scenario.shift_codes
    decisions = Decisions.zeros(len(wards), scenario.n_days, len(codes))
    mine = list(np.flatnonzero(wards["district_code"].to_numpy() == "001"))
    officers = scenario.officers
    staff = [o for o, row in officers.iterrows() if row["district_code"] == "001"
             and {"operator", "verifier"} <= set(row["roles"].split("|"))][:2 * len(mine)]
    rows = []
    for day in (7, 8):
        date = scenario.dates[day]
        for shift in ("C", "T"):
            for position, ward in enumerate(mine):
                decisions.kits_open[ward, day, codes.index(shift)] = 1
                for role, officer in zip(("operator", "verifier"), staff[2 * position:2 * position + 2]):
                    rows.append({"officer_id": officer, "display_name": officers.at[officer, "display_name"],
                                 "district_code": "001", "home_ward": officers.at[officer, "home_ward"],
                                 "date": date, "day": day, "shift": shift,
                                 "ward_code": str(wards.index[ward]), "role": role})
    return decisions, pd.DataFrame(rows)


def test_plan_staffed_by_a_lawful_roster_fits_the_capacity_model(nine_days):
    """A plan a rule-abiding roster staffs (full hours in the short last week) is feasible in the capacity model, and its bound holds."""
    decisions, roster = _short_week_roster(nine_days)
    plan_rows = pd.DataFrame([{"ward_code": str(nine_days.wards.index[w]), "day": d, "shift": nine_days.shift_codes[s],
                               "kits_open": int(decisions.kits_open[w, d, s]), "mobile_kits": 0, "home_visit_teams": 0}
                              for w, d, s in zip(*np.nonzero(decisions.kits_open))])
    assert check_roster(nine_days, roster, plan_rows) == []
    capacity = plan_capacity(nine_days, workers=1, pinned=decisions)
    assert capacity.status.value in ("optimal", "feasible"), capacity.messages
    assert (capacity.decisions.kits_open == decisions.kits_open).all()
    enrolled = simulate(nine_days, capacity.decisions).enrolled
    assert enrolled <= capacity.max_enrollable + 1e-6


def test_no_rostered_plan_exceeds_the_bound(nine_days, tmp_path):
    """The fully rostered plan of the 9-day case keeps every roster rule and stays within max_enrollable."""
    result = run_plan(nine_days, SolveOptions(workers=1, with_roster=True))
    assert check_roster(nine_days, result.roster, result.plan_frame()) == []
    assert result.status != "bound_violated", result.messages
    assert result.enrolled <= result.max_enrollable + 1e-6
    assert result.gap >= 0
    report = check_plan(nine_days, write_outputs(result, tmp_path / "out"))
    assert report.ok, format_report(report)


def test_plan_above_its_bound_is_an_error(nine_days, tmp_path):
    """A bound below the plan turns the status to bound_violated, a negative gap, and a checker violation."""
    result = run_plan(nine_days, SolveOptions(workers=1))
    result.max_enrollable = result.enrolled - 10.0
    result.objective_bound = result.objective - 10.0
    from optimizer.planner import _flag_bound_violation
    _flag_bound_violation(result)
    assert result.status == "bound_violated"
    assert result.messages[0].startswith("ERROR:")
    assert result.gap < 0
    summary = result.summary()
    assert summary["gap"] < 0
    report = check_plan(nine_days, write_outputs(result, tmp_path / "out"))
    assert "bound" in report.rules()
