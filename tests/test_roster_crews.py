"""Hà Nội officer rosters: the rostering problem of one district of the tiny scenario, and its tables."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from optimizer.crews.district import roster_district
from optimizer.crews.problem import crew_problem
from optimizer.crews.slots import ROSTER_COLUMNS, UNSTAFFED_COLUMNS
from optimizer.scenario import load_scenario

TINY = Path(__file__).resolve().parents[1] / "scenarios" / "tiny"


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(TINY)


@pytest.fixture(scope="module")
def slots(scenario):
    """Every ward of district 001 opens one kit in every shift of every day, with its crew."""
    crew = scenario.settings.crew_per_kit.as_dict()
    rows = [(ward, "001", day, shift, role, count) for ward in scenario.wards_of("001").index
            for day in range(scenario.n_days) for shift in scenario.shift_codes for role, count in crew.items()]
    return pd.DataFrame(rows, columns=["ward_code", "district_code", "day", "shift", "role", "needed"])


@pytest.fixture(scope="module")
def problem(scenario, slots):
    return crew_problem(scenario, "001", slots)


def test_officers_of_the_district_become_employees(problem):
    """District 001 has 10 ward officers and 4 reserves; reserves have no home ward."""
    ids = [e.id for e in problem.employees]
    assert len(ids) == 14 and "CA011" not in ids
    reserve = {e.id for e in problem.employees if e.reserve}
    assert reserve == {"CA018", "CA019", "CA020", "CA021"}
    assert all(e.home_site is None for e in problem.employees if e.reserve)
    assert problem.sites == ("00001", "00004", "00006")


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


def test_requests_are_weighted_by_the_objective(problem, scenario):
    """CA001 avoids T on 2022-07-26 (weight 2) and CA002 wants S on 2022-07-27; CA005 is in 001 too."""
    weight = scenario.settings.objective.request
    requests = {(r.employee, r.day, r.shift, r.kind): r.weight for r in problem.requests}
    assert requests == {("CA001", 1, "T", "avoid"): 2.0 * weight, ("CA002", 2, "S", "want"): 1.0 * weight,
                        ("CA005", 5, "T", "avoid"): 3.0 * weight}


def test_slots_become_demands_with_unstaffed_cost(problem, scenario):
    """Every ward opens one kit per shift: one operator and one verifier, each empty slot costing unstaffed_slot."""
    assert len(problem.demands) == 3 * 7 * 3 * 2
    demand = problem.demands[0]
    assert (demand.requirement, demand.weight_under) == (1, scenario.settings.objective.unstaffed_slot)
    assert problem.costs.cross_site_per_shift == scenario.settings.objective.cross_ward
    assert problem.costs.reserve_per_shift == scenario.settings.objective.reserve_use


def test_published_frozen_shifts_outweigh_everything_else(scenario, slots):
    """A published shift of the frozen window becomes a wish no other cost can outweigh."""
    from optimizer.crews.problem import FROZEN_WEIGHT

    frozen = pd.DataFrame([{"officer_id": "CA003", "day": 0, "shift": "S", "district_code": "001"}])
    problem = crew_problem(scenario, "001", slots, frozen=frozen)
    wishes = {(r.employee, r.day, r.shift, r.kind): r.weight for r in problem.requests}
    assert wishes[("CA003", 0, "S", "want")] == FROZEN_WEIGHT


def test_roster_tables(scenario, slots):
    """A rostered district gives a roster and an unstaffed table with the agreed columns; slots it
    staffs plus slots it leaves empty add up to all slots, and leave is respected."""
    roster, unstaffed, report = roster_district(scenario, "001", slots, time_limit_seconds=0.6, seed=0)
    assert tuple(roster.columns) == tuple(ROSTER_COLUMNS)
    assert tuple(unstaffed.columns) == tuple(UNSTAFFED_COLUMNS)
    staffed = roster.groupby(["ward_code", "day", "shift", "role"]).size()
    assert int(staffed.sum()) + int(unstaffed["missing"].sum()) == int(slots["needed"].sum())
    assert set(roster["district_code"]) == {"001"}
    assert (roster.loc[roster["officer_id"] == "CA001", "day"] != 3).all()
    assert roster["date"].iloc[0] == pd.Timestamp("2022-07-25").date()
    assert report["unstaffed"] == int(unstaffed["missing"].sum())
