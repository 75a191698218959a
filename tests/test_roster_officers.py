"""Hà Nội officer rosters: problem built from the tiny scenario and crew slots, tables out."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from optimizer.roster.officers import (ROSTER_COLUMNS, UNSTAFFED_COLUMNS, every_ward_slots, problem_from_slots,
                                       roster_to_frame)
from optimizer.roster.solve import solve_roster
from optimizer.scenario import load_scenario

TINY = Path(__file__).resolve().parents[1] / "scenarios" / "tiny"


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(TINY)


@pytest.fixture(scope="module")
def problem(scenario):
    return problem_from_slots(scenario, every_ward_slots(scenario), "001")


def test_officers_of_the_district_become_employees(problem):
    """District 001 has 10 ward officers and 4 reserves; reserves have no home ward."""
    ids = [e.id for e in problem.employees]
    assert len(ids) == 14 and "CA011" not in ids
    reserve = {e.id for e in problem.employees if e.reserve}
    assert reserve == {"CA018", "CA019", "CA020", "CA021"}
    assert all(e.home_site is None for e in problem.employees if e.reserve)
    assert problem.sites == ("00001", "00004", "00006")
    assert problem.name == "001"


def test_scenario_rules_become_employee_rules(problem):
    """Officer rules from campaign.toml: 2 shifts a day, 9 h rest, 56 h a week, T then S forbidden."""
    officer = next(e for e in problem.employees if e.id == "CA002")
    assert officer.max_shifts_per_day == 2
    assert officer.min_rest_minutes == 9 * 60
    assert officer.max_minutes_per_week == 56 * 60
    assert officer.max_consecutive_days == 6 and officer.min_days_off_per_7 == 1
    assert officer.forbidden_successions == {("T", "S")}
    assert officer.skills == {"operator", "verifier"} and officer.home_site == "00001"


def test_leave_dates_become_days_off(problem):
    """CA001's leave on 2022-07-28 is day 3 of a campaign starting 2022-07-25."""
    officer = next(e for e in problem.employees if e.id == "CA001")
    assert officer.days_off == {3}
    assert problem.days[3].date.isoformat() == "2022-07-28"


def test_requests_are_weighted_by_the_objective(problem):
    """CA001 avoids T on 2022-07-26 (weight 2) and CA002 wants S on 2022-07-27; CA005 is in 001 too."""
    requests = {(r.employee, r.day, r.shift, r.kind): r.weight for r in problem.requests}
    assert requests == {("CA001", 1, "T", "avoid"): 2.0, ("CA002", 2, "S", "want"): 1.0,
                        ("CA005", 5, "T", "avoid"): 3.0}


def test_slots_become_demands_with_unstaffed_cost(problem, scenario):
    """Every ward opens one kit per shift: one operator and one verifier, 50 per empty slot."""
    assert len(problem.demands) == 3 * 7 * 3 * 2
    demand = problem.demands[0]
    assert (demand.requirement, demand.weight_under) == (1, scenario.settings.objective.unstaffed_slot)
    assert problem.costs.cross_site_per_shift == scenario.settings.objective.cross_ward
    assert problem.costs.reserve_per_shift == scenario.settings.objective.reserve_use


def test_roster_tables(problem):
    """A solved district gives a roster table and an unstaffed table with the agreed columns, and
    slots it staffs plus slots it leaves empty add up to all slots."""
    result = solve_roster(problem, time_limit_seconds=20, workers=1, seed=0, work_limit=1.0)
    assert result.has_roster
    roster, unstaffed = roster_to_frame(result)
    assert tuple(roster.columns) == ROSTER_COLUMNS
    assert tuple(unstaffed.columns) == UNSTAFFED_COLUMNS
    staffed = roster.dropna(subset=["role"]).groupby(["ward_code", "day", "shift", "role"]).size()
    assert int(staffed.clip(upper=1).sum()) + int(unstaffed["missing"].sum()) == len(problem.demands)
    assert set(roster["district_code"]) == {"001"}
    assert (roster.loc[roster["officer_id"] == "CA001", "day"] != 3).all()   # leave respected
    assert roster["date"].iloc[0] == pd.Timestamp("2022-07-25").date()


def test_slots_need_the_agreed_columns(scenario):
    """A slots frame without `needed` is refused with the expected columns named."""
    slots = every_ward_slots(scenario).drop(columns="needed")
    with pytest.raises(ValueError, match="needed"):
        problem_from_slots(scenario, slots, "001")
