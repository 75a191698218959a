"""Plan and roster agree: every open kit-shift staffed, or closed and reported."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from optimizer.crews.assign import greedy_crews
from optimizer.crews.district import roster_district
from optimizer.crews.plan_staffing import crew_ceiling, reassign_to_slots, staffed_decisions
from optimizer.crews.problem import crew_problem
from optimizer.crews.slots import crew_slots
from optimizer.planner import SolveOptions, run_plan
from optimizer.roster.check import check_roster
from optimizer.scenario import load_scenario
from optimizer.simulation import Decisions
from optimizer.staffing import CrewNeeds

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def tiny():
    return load_scenario(ROOT / "scenarios" / "tiny")


@pytest.fixture(scope="module")
def staffed_run(tiny):
    return run_plan(tiny, SolveOptions(workers=1, with_roster=True, time_limit_seconds=4))


def test_crew_slots_count_each_role_of_each_open_activity(tiny):
    """One open kit needs one operator and one verifier; a home-visit team two home-visit officers."""
    decisions = Decisions.zeros(len(tiny.wards), tiny.n_days, 3)
    decisions.kits_open[0, 1, 0] = 1
    decisions.home_visit_teams[0, 1, 2] = 1
    decisions.mobile_kits[1, 2, 0:2] = 1
    slots = crew_slots(tiny, decisions)
    need = {(r.ward_code, r.day, r.shift, r.role): r.needed for r in slots.itertuples()}
    assert need == {("00001", 1, "S", "operator"): 1, ("00001", 1, "S", "verifier"): 1,
                    ("00001", 1, "T", "home_visit"): 2,
                    ("00004", 2, "S", "operator"): 1, ("00004", 2, "S", "verifier"): 1,
                    ("00004", 2, "S", "driver"): 1,
                    ("00004", 2, "C", "operator"): 1, ("00004", 2, "C", "verifier"): 1,
                    ("00004", 2, "C", "driver"): 1}


def test_staffed_decisions_close_a_kit_without_its_full_crew(tiny):
    """A kit-shift whose verifier is missing from the roster is closed; a fully crewed one stays."""
    decisions = Decisions.zeros(len(tiny.wards), tiny.n_days, 3)
    decisions.kits_open[0, 0, 0] = 1
    decisions.kits_open[0, 0, 1] = 1
    roster = pd.DataFrame([("CA001", "00001", 0, "S", "operator"), ("CA002", "00001", 0, "S", "verifier"),
                           ("CA003", "00001", 0, "C", "operator")],
                          columns=["officer_id", "ward_code", "day", "shift", "role"])
    out = staffed_decisions(tiny, decisions, roster)
    assert out.kits_open[0, 0, 0] == 1 and out.kits_open[0, 0, 1] == 0


def test_plan_and_roster_agree_on_tiny(tiny, staffed_run):
    """The published plan's every open kit-shift, mobile session and team has its full crew."""
    assert staffed_run.roster is not None and len(staffed_run.roster) > 0
    assert check_roster(tiny, staffed_run.roster, staffed_run.plan_frame()) == []


def test_roster_report_counts_what_was_rostered(staffed_run):
    """The roster report's officer-shift count equals the roster's rows."""
    assert staffed_run.roster_report["officer_shifts"] == len(staffed_run.roster)
    assert staffed_run.summary()["roster"]["officer_shifts"] == len(staffed_run.roster)


def test_too_few_officers_close_kits_and_list_them(tiny, tmp_path):
    """With half the ward officers gone, the plan is corrected and the closed slots are listed."""
    folder = tmp_path / "tiny"
    shutil.copytree(ROOT / "scenarios" / "tiny", folder)
    officers = pd.read_csv(folder / "officers.csv", dtype=str, keep_default_na=False)
    officers = officers[~officers["officer_id"].isin(["CA002", "CA003", "CA004", "CA008", "CA009"])]
    officers.to_csv(folder / "officers.csv", index=False)
    (folder / "requests.csv").write_text("officer_id,date,shift,kind,weight\nCA001,2022-07-26,T,avoid,2\n")
    scenario = load_scenario(folder)
    result = run_plan(scenario, SolveOptions(workers=1, with_roster=True, time_limit_seconds=4))
    assert check_roster(scenario, result.roster, result.plan_frame()) == []
    report = result.roster_report
    assert report["unstaffed_slots"] == (int(result.unstaffed["missing"].sum()) if len(result.unstaffed) else 0)


def test_greedy_crews_respect_leave(tiny):
    """An officer on leave (CA001 on 2022-07-28) is never rostered that day."""
    decisions = Decisions.zeros(len(tiny.wards), tiny.n_days, 3)
    decisions.kits_open[0, :, :] = 1
    slots = crew_slots(tiny, decisions)
    problem = crew_problem(tiny, "001", slots[slots["district_code"] == "001"])
    assignments = greedy_crews(problem)
    assert not [a for a in assignments if a.employee == "CA001" and a.day == 3]
    assert assignments, "the greedy roster staffs something"


def test_frozen_rows_are_kept_as_published(tiny):
    """Rows of a frozen window come back unchanged from a new roster of the district."""
    decisions = Decisions.zeros(len(tiny.wards), tiny.n_days, 3)
    decisions.kits_open[0, :, 0] = 1
    slots = crew_slots(tiny, decisions)
    slots = slots[slots["district_code"] == "001"].reset_index(drop=True)
    first, _, _ = roster_district(tiny, "001", slots, time_limit_seconds=2, seed=0)
    frozen = first[first["day"] < 2]
    again, _, _ = roster_district(tiny, "001", slots, time_limit_seconds=2, seed=1, frozen=frozen)
    key = ["officer_id", "day", "shift", "ward_code", "role"]
    kept = again[again["day"] < 2][key].sort_values(key).reset_index(drop=True)
    assert kept.equals(frozen[key].sort_values(key).reset_index(drop=True))


def test_roster_is_deterministic(tiny):
    """The same slots and seed give the same roster twice."""
    decisions = Decisions.zeros(len(tiny.wards), tiny.n_days, 3)
    decisions.kits_open[:, :, 2] = 1
    slots = crew_slots(tiny, decisions)
    slots = slots[slots["district_code"] == "002"].reset_index(drop=True)
    a, _, _ = roster_district(tiny, "002", slots, time_limit_seconds=0.5, seed=3)
    b, _, _ = roster_district(tiny, "002", slots, time_limit_seconds=0.5, seed=3)
    assert a.equals(b)


def test_reassign_moves_officers_between_wards_without_changing_their_shifts():
    """The same officers keep their day, shift and role; each stays at its ward if needed there, else goes home,
    else to an open slot."""
    columns = ["officer_id", "display_name", "district_code", "home_ward", "date", "day", "shift", "ward_code", "role"]
    roster = pd.DataFrame([
        ("A", "a", "001", "00001", "2022-07-25", 0, "S", "00001", "operator"),
        ("B", "b", "001", "00002", "2022-07-25", 0, "S", "00001", "operator"),
        ("C", "c", "001", "00003", "2022-07-25", 0, "S", "00001", "operator"),
        ("D", "d", "001", "00001", "2022-07-25", 0, "C", "00001", "operator")], columns=columns)
    slots = pd.DataFrame([("00001", "001", 0, "S", "operator", 1), ("00002", "001", 0, "S", "operator", 1),
                          ("00004", "001", 0, "S", "operator", 1)],
                         columns=["ward_code", "district_code", "day", "shift", "role", "needed"])
    out = reassign_to_slots(roster, slots)
    assert dict(zip(out["officer_id"], out["ward_code"])) == {"A": "00001", "B": "00002", "C": "00004"}
    assert (out[["day", "shift", "role"]].values == roster.iloc[:3][["day", "shift", "role"]].values).all()


def test_crew_ceiling_counts_officers_by_role_day_and_shift(tiny):
    """The ceiling holds, per role, day and shift, how many officers of the district the roster has."""
    roster = pd.DataFrame([("CA001", "001", 0, "S", "operator"), ("CA002", "001", 0, "S", "operator"),
                           ("CA003", "001", 1, "T", "home_visit")],
                          columns=["officer_id", "district_code", "day", "shift", "role"])
    ceiling = crew_ceiling(tiny, roster, ["001"])["001"]
    roles = list(CrewNeeds.of(tiny).roles)
    assert ceiling[roles.index("operator"), 0, 0] == 2
    assert ceiling[roles.index("home_visit"), 1, 2] == 1
    assert ceiling.sum() == 3


def test_greedy_keeps_officers_of_a_scarce_role_for_it(tmp_path):
    """A verifier who can also make home visits is kept for the evening visit; the plain verifier takes the morning
    kit."""
    from tests.test_capacity_rules import build

    scenario = build(tmp_path / "case", shifts="ST", rules={"min_rest_hours": 9},
                     officers=[{"roles": "operator"}, {"roles": "home_visit|verifier"}, {"roles": "verifier"},
                               {"roles": "home_visit"}])
    decisions = Decisions.zeros(1, 1, 2)
    decisions.kits_open[0, 0, 0] = 1
    decisions.home_visit_teams[0, 0, 1] = 1
    slots = crew_slots(scenario, decisions)
    problem = crew_problem(scenario, "001", slots)
    taken = {(a.shift, a.role, a.employee) for a in greedy_crews(problem)}
    assert taken == {("S", "operator", "CA001"), ("S", "verifier", "CA003"),
                     ("T", "home_visit", "CA002"), ("T", "home_visit", "CA004")}


def test_cover_fill_fills_a_slot_the_greedy_left_by_swapping_shifts(tmp_path):
    """The greedy gives the evening to the first officer, who then may not work the next morning (the only one
    free); the fill swaps."""
    from optimizer.roster.cover import fill_cover
    from optimizer.roster.draft import RosterDraft
    from tests.test_capacity_rules import build

    scenario = build(tmp_path / "case", days=2, shifts="SCT", rules={"forbidden_successions": [["T", "S"]]},
                     officers=[{"roles": "operator"}, {"roles": "operator", "leave_dates": "2022-07-26"}])
    slots = pd.DataFrame([("00001", "001", 0, "T", "operator", 1), ("00001", "001", 1, "S", "operator", 1)],
                         columns=["ward_code", "district_code", "day", "shift", "role", "needed"])
    problem = crew_problem(scenario, "001", slots)
    greedy = greedy_crews(problem)
    assert {(a.employee, a.day, a.shift) for a in greedy} == {("CA001", 0, "T")}
    repaired, stats = fill_cover(problem, RosterDraft.from_assignments(problem, greedy))
    assert {(a.employee, a.day, a.shift) for a in repaired.to_assignments(problem)} == \
        {("CA002", 0, "T"), ("CA001", 1, "S")}
    assert stats["filled"] == 1


def test_days_off_per_7_check_matches_every_7_day_run():
    """Working day d is allowed exactly when every 7-day run of the campaign containing d keeps
    `min_off` days off; checked against a count of each run on many worked-day patterns."""
    import random

    from optimizer.crews.assign import _days_off_per_7_kept

    rng = random.Random(7)
    for _ in range(500):
        n_days = rng.randint(1, 16)
        worked = [rng.random() < 0.6 for _ in range(n_days)]
        d = rng.randrange(n_days)
        min_off = rng.randint(1, 2)
        runs = [range(first, first + 7) for first in range(0, n_days - 6) if first <= d < first + 7]
        expected = all(sum(1 for dd in run if worked[dd] or dd == d) <= 7 - min_off for run in runs)
        assert _days_off_per_7_kept(worked, d, n_days, min_off) == expected
    assert not _days_off_per_7_kept([True] * 6 + [False] * 4, 6, 10, 1)
    assert _days_off_per_7_kept([True] * 6 + [False] * 4, 7, 10, 1)


def test_a_published_shift_stays_with_its_officer_while_the_plan_keeps_its_slot(tmp_path):
    """The greedy keeps the officer who can also make home visits off the day-1 kit; once that kit-shift is
    published with him, he keeps it."""
    from optimizer.crews.district import roster_district
    from tests.test_capacity_rules import build

    scenario = build(tmp_path / "case", days=2, shifts="S",
                     officers=[{"roles": "operator"}, {"roles": "operator|home_visit"}])
    slots = pd.DataFrame([("00001", "001", 0, "S", "home_visit", 1), ("00001", "001", 1, "S", "operator", 1)],
                         columns=["ward_code", "district_code", "day", "shift", "role", "needed"])
    alone, _, _ = roster_district(scenario, "001", slots, time_limit_seconds=0)
    assert set(zip(alone["day"], alone["officer_id"])) == {(0, "CA002"), (1, "CA001")}
    published = alone.assign(officer_id="CA002")
    kept, _, report = roster_district(scenario, "001", slots, time_limit_seconds=0, previous=published)
    assert set(zip(kept["day"], kept["officer_id"])) == {(0, "CA002"), (1, "CA002")}
    assert report["published_shifts_kept_first"] == 2
