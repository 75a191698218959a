"""The cover fill (a MIP over windows of days) on tiny hand-solved cases: each officer rule it
states, once where it binds and once where it does not, and how it places people at sites.

Unless said otherwise a case starts from an empty roster, one site, one role, one person
wanted per listed (day, shift); the fill's result is read as the set of (employee, day, shift).
"""

from __future__ import annotations

from optimizer.roster.cover import fill_cover, windows
from optimizer.roster.draft import RosterDraft
from optimizer.roster.problem import Employee
from optimizer.roster.result import Assignment
from tests.test_roster_rules import AFTERNOON, EVENING, MORNING, case

SHIFTS = (MORNING, AFTERNOON, EVENING)


def filled(problem, plan=None, **options) -> set[tuple[str, int, str]]:
    result, _ = fill_cover(problem, plan or RosterDraft(), **options)
    return {(a.employee, a.day, a.shift) for a in result.to_assignments(problem)}


def officer(name="a", **rules) -> Employee:
    rules.setdefault("max_shifts_per_day", 2)
    return Employee(name, **rules)


def test_minutes_a_week_bind():
    """300-minute shifts, 600 minutes a week: two of the three wanted mornings are staffed."""
    problem = case([officer(max_minutes_per_week=600)], [(d, "S") for d in range(3)], shifts=SHIFTS)
    assert len(filled(problem)) == 2


def test_minutes_a_week_do_not_bind():
    """With 900 minutes a week all three mornings are staffed."""
    problem = case([officer(max_minutes_per_week=900)], [(d, "S") for d in range(3)], shifts=SHIFTS)
    assert len(filled(problem)) == 3


def test_days_off_per_7_bind():
    """One day off in every 7: six of seven wanted days are staffed."""
    problem = case([officer(min_days_off_per_7=1)], [(d, "S") for d in range(7)], shifts=SHIFTS)
    assert len(filled(problem)) == 6


def test_consecutive_days_bind_and_leave_room_after_a_day_off():
    """At most 3 days in a row over 5 wanted days: a day off is placed so that four are staffed."""
    problem = case([officer(max_consecutive_days=3)], [(d, "S") for d in range(5)], shifts=SHIFTS)
    assert len(filled(problem)) == 4


def test_leave_day_stays_empty_and_another_officer_takes_it():
    """The officer on leave on day 1 does not work it; a second officer does."""
    alone = case([officer(days_off={1})], [(0, "S"), (1, "S")], shifts=SHIFTS)
    assert filled(alone) == {("a", 0, "S")}
    two = case([officer(days_off={1}), officer("b", max_minutes_per_week=300)], [(0, "S"), (1, "S")], shifts=SHIFTS)
    assert ("b", 1, "S") in filled(two) and len(filled(two)) == 2


def test_rest_keeps_morning_and_evening_apart():
    """Nine hours of rest: one officer works the morning or the evening of a day, not both;
    morning and afternoon touch and form one period."""
    apart = case([officer(min_rest_minutes=540)], [(0, "S"), (0, "T")], shifts=SHIFTS)
    assert len(filled(apart)) == 1
    touching = case([officer(min_rest_minutes=540)], [(0, "S"), (0, "C")], shifts=SHIFTS)
    assert len(filled(touching)) == 2


def test_forbidden_succession_binds_only_across_the_night():
    """T then S the next morning is forbidden; S then T the next evening is not."""
    forbidden = case([officer(forbidden_successions={("T", "S")})], [(0, "T"), (1, "S")], shifts=SHIFTS)
    assert len(filled(forbidden)) == 1
    allowed = case([officer(forbidden_successions={("T", "S")})], [(0, "S"), (1, "T")], shifts=SHIFTS)
    assert len(filled(allowed)) == 2


def test_shifts_a_day_bind():
    """One shift a day: of the morning and the afternoon wanted on one day, one is staffed."""
    problem = case([officer(max_shifts_per_day=1)], [(0, "S"), (0, "C")], shifts=SHIFTS)
    assert len(filled(problem)) == 1


def test_never_more_people_than_the_slot_needs():
    """Three free officers, one wanted: one works."""
    problem = case([officer("a"), officer("b"), officer("c")], [(0, "S")], shifts=SHIFTS)
    assert len(filled(problem)) == 1


def test_days_before_first_day_are_never_touched():
    """A frozen day 0 keeps its roster (the officer works the evening) although moving that shift
    would staff the next morning's empty slot."""
    problem = case([officer(forbidden_successions={("T", "S")})], [(0, "T"), (1, "S")], shifts=SHIFTS)
    start = RosterDraft.from_assignments(problem, [Assignment("a", 0, "T", "ward", "staff")])
    assert filled(problem, start, first_day=1) == {("a", 0, "T")}


def test_an_officer_goes_to_the_home_ward_first():
    """Two wards want one person each on day 0; each officer is sent to their own home ward."""
    problem = case([officer("a", home_site="w2"), officer("b", home_site="w1")], [(0, "S", "w1"), (0, "S", "w2")],
                   shifts=SHIFTS, sites=("w1", "w2"))
    result, _ = fill_cover(problem, RosterDraft())
    assert {(a.employee, a.site) for a in result.to_assignments(problem)} == {("a", "w2"), ("b", "w1")}


def test_rules_over_the_whole_horizon_are_kept():
    """A limit by shift type (one S over the horizon) holds: one of the two wanted mornings is filled."""
    problem = case([officer(max_shifts_by_type={"S": 1})], [(0, "S"), (1, "S")], shifts=SHIFTS)
    assert len(filled(problem)) == 1


def test_windows_pad_each_stretch_of_empty_days_and_merge_close_ones():
    """Empty days 5 and 8 make one window from day 2 to day 11; day 25 its own, cut at the horizon."""
    assert windows([5, 8, 25], horizon=27) == [range(2, 12), range(22, 27)]


def test_whole_campaign_first_and_no_windows_when_it_finds_a_roster():
    """The fill solves the whole campaign at once and, having found a roster there, no window."""
    problem = case([officer(max_consecutive_days=3)], [(d, "S") for d in range(5)], shifts=SHIFTS)
    _, stats = fill_cover(problem, RosterDraft())
    assert stats["windows"] == 1 and stats["filled"] == 4
