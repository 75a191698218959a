"""Each rostering rule on a tiny hand-solved case: once where it binds, once where it does not.

Unless said otherwise a case has one employee, one site, one role, a demand of one person per
listed (day, shift) costing 10 per missing person (UNDER), and nothing else; so the optimum is
10 x (slots the rule keeps uncovered). The optimum is derived in each test's comment.
"""

from __future__ import annotations

import math

import pytest

from optimizer.roster.problem import (
    Costs,
    Demand,
    Employee,
    Request,
    RosterProblem,
    RosterProblemError,
    ShiftType,
    make_days,
)
from optimizer.roster.result import RosterStatus
from optimizer.roster.solve import solve

UNDER = 10.0
DAY = ShiftType("D", 8 * 60, 480)            # 08:00-16:00
EARLY = ShiftType("E", 6 * 60, 480)          # 06:00-14:00
LATE = ShiftType("L", 14 * 60, 480)          # 14:00-22:00
MORNING = ShiftType("S", 7 * 60, 300)        # 07:00-12:00
AFTERNOON = ShiftType("C", 12 * 60, 300)     # 12:00-17:00
EVENING = ShiftType("T", 17 * 60, 300)       # 17:00-22:00


def case(employees, slots, *, days=None, shifts=(DAY,), first_weekday=0, under=UNDER, over=0.0,
         requests=(), sites=("ward",), costs=Costs(), edge_blocks_exempt=True, requirement=1):
    """A small problem: `slots` lists (day, shift code) or (day, shift code, site) wanting
    `requirement` people each."""
    horizon = days if days is not None else max(slot[0] for slot in slots) + 1
    demands = []
    for slot in slots:
        day, shift = slot[0], slot[1]
        site = slot[2] if len(slot) > 2 else sites[0]
        demands.append(Demand(day, shift, site, "staff", requirement, under, over))
    return RosterProblem(days=make_days(horizon, first_weekday=first_weekday), shifts=tuple(shifts),
                         employees=tuple(employees), demands=tuple(demands), requests=tuple(requests),
                         sites=tuple(sites), costs=costs, edge_blocks_exempt=edge_blocks_exempt)


def optimum(problem) -> float:
    result = solve(problem, time_limit_seconds=20, workers=1, seed=0)
    assert result.status == RosterStatus.OPTIMAL, result.stats
    return result.objective


def every_day(days, shift="D"):
    return [(d, shift) for d in range(days)]


# -- shifts per day ------------------------------------------------------------------------

def test_max_shifts_per_day_binds():
    """One shift a day leaves one of the two wanted shifts of the day empty."""
    # S and C both wanted on day 0; one shift a day -> one missing -> 10
    problem = case([Employee("a", max_shifts_per_day=1)], [(0, "S"), (0, "C")], shifts=(MORNING, AFTERNOON))
    assert optimum(problem) == pytest.approx(10)


def test_max_shifts_per_day_slack():
    """Two shifts a day cover both wanted shifts of the day."""
    # S (07-12) and C (12-17) touch, so no rest is needed between them -> 0
    problem = case([Employee("a", max_shifts_per_day=2, min_rest_minutes=9 * 60)], [(0, "S"), (0, "C")],
                   shifts=(MORNING, AFTERNOON))
    assert optimum(problem) == pytest.approx(0)


# -- days off, per-type limits, minutes ----------------------------------------------------

def test_days_off_binds():
    """No work on a day off: that day's shift stays empty."""
    # days 0 and 1 wanted, day 1 off -> 10
    assert optimum(case([Employee("a", days_off={1})], every_day(2))) == pytest.approx(10)


def test_days_off_slack():
    """A day off on a day nobody is wanted costs nothing."""
    # day 0 wanted, day 1 off -> 0
    assert optimum(case([Employee("a", days_off={1})], [(0, "D")], days=2)) == pytest.approx(0)


def test_max_shifts_by_type_binds():
    """At most two D shifts leaves the third wanted D empty."""
    # 3 days wanted, D at most 2 -> 10
    assert optimum(case([Employee("a", max_shifts_by_type={"D": 2})], every_day(3))) == pytest.approx(10)


def test_max_shifts_by_type_slack():
    """A limit of three D shifts covers three wanted days."""
    assert optimum(case([Employee("a", max_shifts_by_type={"D": 3})], every_day(3))) == pytest.approx(0)


def test_max_shifts_by_type_zero_forbids():
    """A limit of 0 forbids the shift type altogether."""
    # only D wanted, D forbidden -> 10
    assert optimum(case([Employee("a", max_shifts_by_type={"D": 0})], [(0, "D")])) == pytest.approx(10)


def test_max_total_minutes_binds():
    """960 minutes allow two 480-minute shifts of the three wanted."""
    assert optimum(case([Employee("a", max_total_minutes=960)], every_day(3))) == pytest.approx(10)


def test_max_total_minutes_slack():
    """1440 minutes allow all three wanted shifts."""
    assert optimum(case([Employee("a", max_total_minutes=1440)], every_day(3))) == pytest.approx(0)


def test_min_total_minutes_binds():
    """960 minutes must be worked though only one day is wanted: one extra person costs 1."""
    # demand day 0 (req 1), days 1-2 want 0 people with 1 per extra person; must work 2 days
    problem = RosterProblem(days=make_days(3), shifts=(DAY,), employees=(Employee("a", min_total_minutes=960),),
                            demands=(Demand(0, "D", "ward", "staff", 1, UNDER, 1.0),
                                     Demand(1, "D", "ward", "staff", 0, UNDER, 1.0),
                                     Demand(2, "D", "ward", "staff", 0, UNDER, 1.0)), sites=("ward",))
    assert optimum(problem) == pytest.approx(1)


def test_min_total_minutes_slack():
    """Without a minimum the employee works only the wanted day."""
    problem = RosterProblem(days=make_days(3), shifts=(DAY,), employees=(Employee("a"),),
                            demands=(Demand(0, "D", "ward", "staff", 1, UNDER, 1.0),
                                     Demand(1, "D", "ward", "staff", 0, UNDER, 1.0)), sites=("ward",))
    assert optimum(problem) == pytest.approx(0)


def test_max_minutes_per_week_binds():
    """480 minutes a calendar week: Saturday-Sunday and Monday-Tuesday each get one shift."""
    # days start on a Saturday: weeks {0, 1} and {2, 3}; one shift per week -> 2 missing -> 20
    problem = case([Employee("a", max_minutes_per_week=480)], every_day(4), first_weekday=5)
    assert optimum(problem) == pytest.approx(20)


def test_max_minutes_per_week_slack():
    """960 minutes a calendar week cover two shifts in each of the two weeks."""
    problem = case([Employee("a", max_minutes_per_week=960)], every_day(4), first_weekday=5)
    assert optimum(problem) == pytest.approx(0)


# -- consecutive days ----------------------------------------------------------------------

def test_max_consecutive_days_binds():
    """At most two days in a row: four wanted days get three shifts."""
    # W W O W -> 10
    assert optimum(case([Employee("a", max_consecutive_days=2)], every_day(4))) == pytest.approx(10)


def test_max_consecutive_days_slack():
    """Four days in a row are allowed: all four wanted days are covered."""
    assert optimum(case([Employee("a", max_consecutive_days=4)], every_day(4))) == pytest.approx(0)


def _middle_day_only(employee, edge_blocks_exempt=True, wanted_day=2):
    """Day `wanted_day` of 5 wants 1 person (10 if missing); other days want 0 (1 per extra)."""
    demands = tuple(Demand(d, "D", "ward", "staff", 1 if d == wanted_day else 0, UNDER, 1.0) for d in range(5))
    return RosterProblem(days=make_days(5), shifts=(DAY,), employees=(employee,), demands=demands,
                         sites=("ward",), edge_blocks_exempt=edge_blocks_exempt)


def test_min_consecutive_days_binds():
    """A one-day block mid-horizon is too short: the employee works one extra day (cost 1)."""
    # work day 2 alone breaks the 2-day minimum; days 1-2 (or 2-3) cost one extra person -> 1
    assert optimum(_middle_day_only(Employee("a", min_consecutive_days=2))) == pytest.approx(1)


def test_min_consecutive_days_slack():
    """With a one-day minimum the employee works only the wanted day."""
    assert optimum(_middle_day_only(Employee("a", min_consecutive_days=1))) == pytest.approx(0)


def test_min_consecutive_days_exempt_at_first_day():
    """A short block touching the first day is allowed when edge blocks are exempt."""
    # day 0 worked alone: block touches the first day -> allowed -> 0
    assert optimum(_middle_day_only(Employee("a", min_consecutive_days=2), wanted_day=0)) == pytest.approx(0)


def test_min_consecutive_days_edges_count_without_exemption():
    """Without the exemption the block touching the first day must be long enough too."""
    # days 0-1 worked -> one extra person -> 1
    problem = _middle_day_only(Employee("a", min_consecutive_days=2), edge_blocks_exempt=False, wanted_day=0)
    assert optimum(problem) == pytest.approx(1)


def _break_on_day_2(employee):
    """Days 0, 1, 3, 4 want one person (10 if missing); working day 2 costs 20 (nobody wanted)."""
    demands = tuple(Demand(d, "D", "ward", "staff", 0 if d == 2 else 1, UNDER, 20.0) for d in range(5))
    return RosterProblem(days=make_days(5), shifts=(DAY,), employees=(employee,), demands=demands, sites=("ward",))


def test_min_consecutive_days_off_binds():
    """A one-day break mid-horizon is too short: one of the wanted days is given up."""
    # off on day 2 alone breaks the 2-day minimum; working day 2 costs 20; off on 2-3 loses day 3 -> 10
    assert optimum(_break_on_day_2(Employee("a", min_consecutive_days_off=2))) == pytest.approx(10)


def test_min_consecutive_days_off_slack():
    """A one-day break is enough when the minimum break is one day."""
    assert optimum(_break_on_day_2(Employee("a", min_consecutive_days_off=1))) == pytest.approx(0)


def test_days_off_per_7_binds():
    """One day off in every 7 days: seven wanted days get six shifts."""
    assert optimum(case([Employee("a", min_days_off_per_7=1)], every_day(7))) == pytest.approx(10)


def test_days_off_per_7_slack():
    """No weekly day off required: all seven wanted days are covered."""
    assert optimum(case([Employee("a", min_days_off_per_7=0)], every_day(7))) == pytest.approx(0)


def test_max_weekends_binds():
    """One weekend with work: of the two wanted Saturdays one stays empty."""
    # days 0-13 from a Monday: Saturdays 5 and 12 wanted -> 10
    problem = case([Employee("a", max_weekends=1)], [(5, "D"), (12, "D")], days=14)
    assert optimum(problem) == pytest.approx(10)


def test_max_weekends_slack():
    """Two weekends allowed: both wanted Saturdays are covered."""
    problem = case([Employee("a", max_weekends=2)], [(5, "D"), (12, "D")], days=14)
    assert optimum(problem) == pytest.approx(0)


def test_max_weekends_counts_saturday_and_sunday_once():
    """Saturday and Sunday of one weekend count as one weekend."""
    problem = case([Employee("a", max_weekends=1)], [(5, "D"), (6, "D")], days=7)
    assert optimum(problem) == pytest.approx(0)


# -- rest and successions ------------------------------------------------------------------

def test_min_rest_binds_across_midnight():
    """Late (14-22) then early (06-14) next day leaves 8 h: too little under an 11 h rest."""
    problem = case([Employee("a", min_rest_minutes=11 * 60)], [(0, "L"), (1, "E")], shifts=(EARLY, LATE))
    assert optimum(problem) == pytest.approx(10)


def test_min_rest_slack_across_midnight():
    """An 8 h rest rule allows late then early."""
    problem = case([Employee("a", min_rest_minutes=8 * 60)], [(0, "L"), (1, "E")], shifts=(EARLY, LATE))
    assert optimum(problem) == pytest.approx(0)


def test_min_rest_binds_within_a_day():
    """Morning (07-12) and evening (17-22) of one day leave 5 h: too little under a 9 h rest."""
    problem = case([Employee("a", max_shifts_per_day=2, min_rest_minutes=9 * 60)], [(0, "S"), (0, "T")],
                   shifts=(MORNING, AFTERNOON, EVENING))
    assert optimum(problem) == pytest.approx(10)


def test_min_rest_bridged_by_a_shift_between():
    """Morning, afternoon and evening in a row form one work period: no rest is needed."""
    problem = case([Employee("a", max_shifts_per_day=3, min_rest_minutes=9 * 60)],
                   [(0, "S"), (0, "C"), (0, "T")], shifts=(MORNING, AFTERNOON, EVENING))
    assert optimum(problem) == pytest.approx(0)


def test_forbidden_succession_binds():
    """L may not be followed by E the next day."""
    problem = case([Employee("a", forbidden_successions={("L", "E")})], [(0, "L"), (1, "E")], shifts=(EARLY, LATE))
    assert optimum(problem) == pytest.approx(10)


def test_forbidden_succession_slack():
    """E followed by L is allowed."""
    problem = case([Employee("a", forbidden_successions={("L", "E")})], [(0, "E"), (1, "L")], shifts=(EARLY, LATE))
    assert optimum(problem) == pytest.approx(0)


# -- cover, requests, sites, fairness -------------------------------------------------------

def _two_wanting(weight_over):
    """Two employees both want day 0 (weight 5 each); one person is required (over: weight_over)."""
    requests = [Request("a", 0, "D", "want", 5), Request("b", 0, "D", "want", 5)]
    return case([Employee("a"), Employee("b")], [(0, "D")], over=weight_over, requests=requests)


def test_cover_over_is_soft():
    """An extra person costing 1 beats an unmet request costing 5: both work."""
    assert optimum(_two_wanting(1.0)) == pytest.approx(1)


def test_cover_over_infinite_is_hard():
    """With an infinite over weight only one works; the other request (5) is not met."""
    assert optimum(_two_wanting(math.inf)) == pytest.approx(5)


def test_cover_under_infinite_is_hard():
    """An infinite under weight forces cover even against an avoid request (cost 3)."""
    problem = case([Employee("a")], [(0, "D")], under=math.inf, requests=[Request("a", 0, "D", "avoid", 3)])
    assert optimum(problem) == pytest.approx(3)


def test_avoid_request_binds():
    """Avoiding the wanted shift costs its weight 3 when it is worked (cheaper than 10 missing)."""
    problem = case([Employee("a")], [(0, "D")], requests=[Request("a", 0, "D", "avoid", 3)])
    assert optimum(problem) == pytest.approx(3)


def test_avoid_request_heavier_than_cover():
    """An avoid request weighing 12 is honoured and the shift left empty (10)."""
    problem = case([Employee("a")], [(0, "D")], requests=[Request("a", 0, "D", "avoid", 12)])
    assert optimum(problem) == pytest.approx(10)


def test_want_request_for_any_shift():
    """A want request without a shift is met by working any shift that day."""
    problem = case([Employee("a")], [(0, "D")], days=2, requests=[Request("a", 1, None, "want", 2)])
    # working day 1 costs nothing extra (no over weight) -> 0
    assert optimum(problem) == pytest.approx(0)


def test_cross_site_cost_binds():
    """Two home-A employees and one person wanted at A and at B: one moves (0.2)."""
    costs = Costs(cross_site_per_shift=0.2)
    problem = case([Employee("a", home_site="A"), Employee("b", home_site="A")], [(0, "D", "A"), (0, "D", "B")],
                   sites=("A", "B"), costs=costs)
    assert optimum(problem) == pytest.approx(0.2)


def test_cross_site_cost_slack():
    """With one employee at home in each site nobody moves."""
    costs = Costs(cross_site_per_shift=0.2)
    problem = case([Employee("a", home_site="A"), Employee("b", home_site="B")], [(0, "D", "A"), (0, "D", "B")],
                   sites=("A", "B"), costs=costs)
    assert optimum(problem) == pytest.approx(0)


def test_reserve_cost():
    """A reserve employee filling the second site costs the reserve weight (0.5), not a move."""
    costs = Costs(cross_site_per_shift=0.2, reserve_per_shift=0.5)
    problem = case([Employee("a", home_site="A"), Employee("r", reserve=True)], [(0, "D", "A"), (0, "D", "B")],
                   sites=("A", "B"), costs=costs)
    result = solve(problem, time_limit_seconds=20, workers=1)
    assert result.objective == pytest.approx(0.5)
    assert {(a.employee, a.site) for a in result.assignments} == {("a", "A"), ("r", "B")}


def test_fairness_binds():
    """Balancing two colleagues (1 per shift of imbalance) beats a 0.3 wish to work both days."""
    # one person a day (5 per extra); a wants days 0 and 1 (0.3 each);
    # shifts (2, 0) cost 2 in fairness, (1, 1) cost 0.3 in the unmet wish
    costs = Costs(fairness_per_shift=1.0)
    requests = [Request("a", 0, "D", "want", 0.3), Request("a", 1, "D", "want", 0.3)]
    problem = case([Employee("a", group="g"), Employee("b", group="g")], every_day(2), requests=requests,
                   costs=costs, over=5.0)
    assert optimum(problem) == pytest.approx(0.3)


def test_fairness_slack():
    """Without a fairness weight the wishes decide: a works both days."""
    requests = [Request("a", 0, "D", "want", 0.3), Request("a", 1, "D", "want", 0.3)]
    problem = case([Employee("a", group="g"), Employee("b", group="g")], every_day(2), requests=requests,
                   over=5.0)
    assert optimum(problem) == pytest.approx(0)


# -- validation ----------------------------------------------------------------------------

def test_problem_names_the_bad_employee():
    """A bad employee field is reported with the employee's index and id."""
    with pytest.raises(RosterProblemError, match=r"employees\[1\] 'b': max_shifts_by_type names unknown shift 'X'"):
        case([Employee("a"), Employee("b", max_shifts_by_type={"X": 1})], [(0, "D")])


def test_problem_names_the_bad_demand():
    """A demand outside the horizon is reported with its index."""
    with pytest.raises(RosterProblemError, match=r"demands\[0\].*outside the horizon"):
        RosterProblem(days=make_days(2), shifts=(DAY,), employees=(Employee("a"),),
                      demands=(Demand(5, "D", "site", "staff", 1, UNDER),), sites=("site",))
