"""The capacity planner, one rule at a time, on hand-solved one- or two-ward cases.

Each case copies scenarios/tiny to a temporary folder and rewrites its files into a campaign
small enough to solve by hand. Unless a test says otherwise a case has: one ward (00001, district
001, one fixed kit), one 5-hour shift S, every walk-in comes (turnout 1.0, flat curve, weekdays
only), every letter's addressee comes (show-up 1.0, no lead days), nobody gives up, throughput 22
walk-ins or invited and 25 institution residents per kit-hour, so one kit serves 5 x 22 = 110 a
shift and one mobile kit 5 x 25 = 125 a day; no equity steps; two operator/verifier officers;
no mobile kits. Every plan is also checked for the invariants that hold for any scenario:
conservation at every shift end, objective_bound >= objective, max_enrollable >= enrolled, and
the independent checker accepts the written output folder.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tomllib
from pathlib import Path

import pytest

from optimizer.capacity.campaign import plan_capacity
from optimizer.checker import check_plan, format_report
from optimizer.exports.outputs import write_outputs
from optimizer.planner import SolveOptions, run_plan
from optimizer.scenario import load_scenario
from optimizer.simulation import conservation_gap

TINY = Path(__file__).resolve().parents[1] / "scenarios" / "tiny"
SHIFT_TIMES = {"S": ("07:00", "12:00"), "C": ("12:00", "17:00"), "T": ("17:00", "22:00")}
OV = {"roles": "operator|verifier"}
OVD = {"roles": "operator|verifier|driver"}
HV = {"roles": "home_visit"}
STEPS = [[0.05, 0.5], [0.10, 1.0]]


# --- building a scenario --------------------------------------------------------------------

def _toml(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {value!r} as TOML")


def dump_toml(data: dict) -> str:
    """campaign.toml text: each top-level key a table, or an array of tables when a list."""
    lines = []
    for section, body in data.items():
        for table in body if isinstance(body, list) else [body]:
            lines.append(f"[[{section}]]" if isinstance(body, list) else f"[{section}]")
            lines += [f"{key} = {_toml(value)}" for key, value in table.items()]
            lines.append("")
    return "\n".join(lines)


def build(folder: Path, *, days: int = 1, shifts: str = "S", demand: dict | None = None,
          rates: dict | None = None, mobile: dict | None = None, rules: dict | None = None,
          objective: dict | None = None, wards: list[dict] | None = None,
          officers: list[dict] | None = None, districts: list[dict] | None = None,
          city_kits: int = 0):
    """A copy of scenarios/tiny rewritten into a small hand-solvable case (see module docstring)."""
    folder = Path(folder)
    shutil.copytree(TINY, folder)
    (folder / "requests.csv").unlink()
    data = tomllib.loads((TINY / "campaign.toml").read_text(encoding="utf-8"))
    data["campaign"]["days"] = days
    data["shifts"] = [{"code": c, "name_vi": c, "name_en": c, "start": SHIFT_TIMES[c][0],
                       "end": SHIFT_TIMES[c][1]} for c in shifts]
    data["demand"].update(walk_in_turnout=1.0, turnout_curve="flat", weekend_factor=1.0,
                          shift_preference={c: 1.0 for c in shifts}, invitation_show_up=1.0,
                          invitation_lead_days=0, max_letters_per_ward_day=300, give_up_share=0.0,
                          return_share=0.0, return_after_days=1)
    data["demand"].update(demand or {})
    data["throughput_per_kit_hour"].update(rates or {})
    data["mobile_kit"]["shifts"] = [shifts[0]]
    data["mobile_kit"].update(mobile or {})
    data["home_visit"]["shift"] = shifts[-1]
    data["officer_rules"]["forbidden_successions"] = []
    data["officer_rules"].update(rules or {})
    data["objective"]["shortfall_steps"] = []
    data["objective"].update(objective or {})
    (folder / "campaign.toml").write_text(dump_toml(data), encoding="utf-8")

    lines = ["district_code,district_name,lat,lon,mobile_kits,reserve_operator,reserve_verifier,"
             "reserve_driver,reserve_home_visit"]
    for d in districts or [{"district_code": "001"}]:
        lines.append(f"{d['district_code']},Quận {d['district_code']},21.03,105.85,{d.get('mobile_kits', 0)},0,0,0,0")
    lines.append(f"city,Dự trữ thành phố,,,{city_kits},0,0,0,0")
    (folder / "districts.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")

    lines = ["ward_code,ward_name,district_code,population,eligible,already_enrolled,cannot_enroll,"
             "walk_in,invited,homebound,institution,fixed_kits"]
    for n, ward in enumerate(wards or [{}], start=1):
        w = {"ward_code": f"{n:05d}", "district_code": "001", "walk_in": 0, "invited": 0,
             "homebound": 0, "institution": 0, "fixed_kits": 1, **ward}
        target = w["walk_in"] + w["invited"] + w["homebound"] + w["institution"]
        lines.append(f"{w['ward_code']},Phường {w['ward_code']},{w['district_code']},{target},{target},0,0,"
                     f"{w['walk_in']},{w['invited']},{w['homebound']},{w['institution']},{w['fixed_kits']}")
    (folder / "wards.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")

    lines = ["officer_id,display_name,district_code,home_ward,roles,leave_dates,max_shifts_per_day,"
             "max_hours_per_week"]
    for n, officer in enumerate([OV, OV] if officers is None else officers, start=1):
        o = {"district_code": "001", "leave_dates": "", **officer}
        lines.append(f"CA{n:03d},Cán bộ {n},{o['district_code']},,{o['roles']},{o['leave_dates']},,")
    (folder / "officers.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return load_scenario(folder)


@pytest.fixture
def make(tmp_path):
    """build(...) into a fresh folder of this test's tmp_path."""
    count = iter(range(100))
    return lambda **kw: build(tmp_path / f"case{next(count)}", **kw)


def plan(scenario):
    """run_plan on one worker, plus the invariants every plan must keep."""
    result = run_plan(scenario, SolveOptions(workers=1))
    assert conservation_gap(result.outcome) == 0
    assert result.objective_bound >= result.objective - 1e-6, (result.objective_bound, result.objective)
    assert result.max_enrollable >= result.enrolled - 1e-6, (result.max_enrollable, result.enrolled)
    out = write_outputs(result, scenario.path.parent / f"{scenario.path.name}-out")
    report = check_plan(scenario, out)
    assert report.ok, format_report(report)
    return result


def served(result, cohort: str) -> list:
    """Served people of one cohort, ward by ward, as nested lists [ward][day][shift]."""
    return getattr(result.outcome, f"served_{cohort}").tolist()


# --- kit capacity: served <= kits x hours x rate --------------------------------------------

def test_kit_capacity_binds(make):
    """200 walk-ins and one kit: 1 x 5 h x 22 = 110 served, 90 still waiting, and no plan can do more."""
    result = plan(make(wards=[{"walk_in": 200}]))
    assert result.status == "optimal"          # the rounded plan reaches the LP bound
    assert result.decisions.kits_open.tolist() == [[[1]]]
    assert result.enrolled == 110
    assert result.outcome.queue_end.tolist() == [[[90]]]
    assert result.max_enrollable == pytest.approx(110)


def test_kit_capacity_slack(make):
    """80 walk-ins fit one kit's 110 places; 200 fit two kits' 220 places: everyone is served."""
    assert plan(make(wards=[{"walk_in": 80}])).enrolled == 80
    result = plan(make(wards=[{"walk_in": 200, "fixed_kits": 2}], officers=[OV] * 4))
    assert result.decisions.kits_open.tolist() == [[[2]]]
    assert result.enrolled == 200 and result.outcome.queue_end.sum() == 0


# --- arrivals follow opening ----------------------------------------------------------------

def test_walk_ins_come_to_the_only_open_shift(make):
    """Officers for one kit-shift a day (max_shifts_per_day 1): all 100 walk-ins come then, all served."""
    # Two officers x 1 shift = one kit-shift (crew 2). Under fixed per-shift arrivals half of the
    # 100 would have come in the closed shift and been lost; now all come to the open one (110 places).
    result = plan(make(shifts="SC", wards=[{"walk_in": 100}], rules={"max_shifts_per_day": 1}))
    kits = result.decisions.kits_open[0, 0]
    assert kits.sum() == 1
    assert result.outcome.arrivals_walk_in[0, 0].tolist() == (100 * kits).tolist()
    assert result.enrolled == 100


def test_walk_ins_split_over_open_shifts(make):
    """Two shifts open, equal preference: 200 walk-ins come 100 and 100, and both kits serve them all."""
    result = plan(make(shifts="SC", wards=[{"walk_in": 200}], rules={"max_shifts_per_day": 2}))
    assert result.decisions.kits_open.tolist() == [[[1, 1]]]
    assert result.outcome.arrivals_walk_in.tolist() == [[[100, 100]]]
    assert result.enrolled == 200


def test_fewest_kit_shifts_when_arrivals_follow_opening(make):
    """100 walk-ins a day fit one shift; opening only it saves officers and all come then."""
    result = plan(make(days=2, shifts="SC", wards=[{"walk_in": 200}]))
    assert result.decisions.kits_open.sum(axis=2).tolist() == [[1, 1]]
    assert result.enrolled == 200 and result.outcome.queue_end.sum() == 0


# --- queues, give-ups (floor) and returns ---------------------------------------------------

def test_queue_carries_over_with_give_ups_rounded_down_and_returns(make):
    """Closed on day 0 (officers on leave), the queue waits overnight, floor(20 %) gives up, 60 % return."""
    # 206 walk-ins, 103 a day, give_up_share 0.2, return_share 0.6 after 1 day:
    # day 0, closed all day: all 103 come in S. S: floor(20.6) = 20 give up, 83 stay;
    # C: floor(16.6) = 16 give up, 67 stay overnight; floor(0.6 x 20) = 12 and floor(9.6) = 9 return.
    # day 1, both open: 103 split 52/51 (tie to the earlier shift). S: 67 + 52 + 12 = 131, 110 served,
    # 21 left, floor(4.2) = 4 give up, 17 stay; C: 17 + 51 + 9 = 77, all served. Enrolled 187.
    # (Rounded up instead: 21 and ceil(16.4) = 17 give up on day 0, 12 and 10 return; day 1 S
    # 65 + 52 + 12 = 129, ceil(3.8) = 4 give up; C 15 + 51 + 10 = 76: 186.)
    scenario = make(days=2, shifts="SC", wards=[{"walk_in": 206}],
                    demand={"give_up_share": 0.2, "return_share": 0.6, "return_after_days": 1},
                    officers=[{**OV, "leave_dates": "2022-07-25"}] * 2)
    result = plan(scenario)
    out = result.outcome
    assert result.decisions.kits_open.tolist() == [[[0, 0], [1, 1]]]
    assert out.arrivals_walk_in.tolist() == [[[103, 0], [52, 51]]]
    assert out.gave_up.tolist() == [[[20, 16], [4, 0]]]
    assert out.returns.tolist() == [[[0, 0], [12, 9]]]
    assert out.queue_end.tolist() == [[[83, 67], [17, 0]]]
    assert served(result, "walk_in") == [[[0, 0], [110, 77]]]
    assert result.enrolled == 187


def test_no_queue_when_capacity_suffices(make):
    """With give-ups on but room for everyone, nobody waits, gives up or returns."""
    result = plan(make(days=2, shifts="SC", wards=[{"walk_in": 200}],
                       demand={"give_up_share": 0.2, "return_share": 0.6}))
    assert result.enrolled == 200
    assert result.outcome.queue_end.sum() == result.outcome.gave_up.sum() == result.outcome.returns.sum() == 0


# --- invited first -----------------------------------------------------------------------------

def test_invited_are_served_before_walk_ins(make):
    """With one kit short of room, every invited person who comes is served and walk-ins get the rest."""
    # 100 walk-ins, 40 invitable, one kit (110 places): at least 10 letters fill the kit; each
    # invited (show-up 1) is served first, walk-ins get 110 - letters and the others wait.
    result = plan(make(wards=[{"walk_in": 100, "invited": 40}]))
    out = result.outcome
    letters = int(result.decisions.letters.sum())
    assert 10 <= letters <= 40
    assert out.served_invited.tolist() == out.arrivals_invited.tolist() == [[[letters]]]
    assert out.served_walk_in.tolist() == [[[110 - letters]]]
    assert result.enrolled == 110 and result.max_enrollable == pytest.approx(110)


def test_invited_and_walk_ins_all_served_with_room(make):
    """With two kits (220 places) all 40 invited and all 100 walk-ins are served."""
    result = plan(make(wards=[{"walk_in": 100, "invited": 40, "fixed_kits": 2}], officers=[OV] * 4))
    assert served(result, "invited") == [[[40]]] and served(result, "walk_in") == [[[100]]]
    assert result.enrolled == 140


# --- letters: lead days, per-day cap, pool --------------------------------------------------------

LETTER_CASE = dict(days=2, officers=[OV] * 4)


def test_letters_wait_for_the_lead_days(make):
    """Lead 1 day: no letters for day 0; day 1 takes the cap of 120 letters, 120 come and are served."""
    result = plan(make(**LETTER_CASE, wards=[{"invited": 300, "fixed_kits": 2}],
                       demand={"invitation_lead_days": 1, "max_letters_per_ward_day": 120}))
    assert result.decisions.letters.tolist() == [[[0], [120]]]
    assert result.enrolled == 120 and result.max_enrollable == pytest.approx(120)


def test_letters_capped_per_ward_and_day(make):
    """No lead days: 120 letters a day (the cap) on both days, 240 of the pool of 300 enrolled."""
    result = plan(make(**LETTER_CASE, wards=[{"invited": 300, "fixed_kits": 2}],
                       demand={"max_letters_per_ward_day": 120}))
    assert result.decisions.letters.tolist() == [[[120], [120]]]
    assert result.enrolled == 240 and result.max_enrollable == pytest.approx(240)


def test_letters_limited_by_the_pool(make):
    """A pool of 150 takes 150 letters in all although the cap would allow 240."""
    result = plan(make(**LETTER_CASE, wards=[{"invited": 150, "fixed_kits": 2}],
                       demand={"max_letters_per_ward_day": 120}))
    assert result.decisions.letters.sum() == 150
    assert result.enrolled == 150 and result.max_enrollable == pytest.approx(150)


def test_letters_no_shows(make):
    """Show-up 0.75: 120 letters a day bring floor(90) each day, 180 in all."""
    result = plan(make(**LETTER_CASE, wards=[{"invited": 300, "fixed_kits": 2}],
                       demand={"max_letters_per_ward_day": 120, "invitation_show_up": 0.75}))
    assert result.decisions.letters.tolist() == [[[120], [120]]]
    assert result.outcome.arrivals_invited.tolist() == [[[90], [90]]]
    assert result.enrolled == 180


# --- home-visit teams ------------------------------------------------------------------------------

def test_home_visit_teams_limited_by_officers(make):
    """Two home-visit officers make one team (crew 2): 5 h x 2 = 10 homebound a day, 20 of 25."""
    result = plan(make(days=2, wards=[{"homebound": 25}], officers=[HV] * 2))
    assert result.decisions.home_visit_teams.tolist() == [[[1], [1]]]
    assert served(result, "homebound") == [[[10], [10]]]
    assert result.enrolled == 20 and result.max_enrollable == pytest.approx(20)


def test_home_visits_limited_by_the_homebound(make):
    """Six home-visit officers could send three teams (30 places); only the 25 homebound are served."""
    result = plan(make(wards=[{"homebound": 25}], officers=[HV] * 6))
    assert result.decisions.home_visit_teams.tolist() == [[[3]]]
    assert result.enrolled == 25


# --- mobile sessions and the district fleet ----------------------------------------------------------

def test_mobile_sessions_limited_by_the_fleet(make):
    """The district holds one mobile kit: 5 h x 25 = 125 of 200 institution residents."""
    result = plan(make(districts=[{"district_code": "001", "mobile_kits": 1}],
                       wards=[{"institution": 200}], officers=[OVD] * 6))
    assert result.decisions.mobile_kits.tolist() == [[[1]]]
    assert result.enrolled == 125 and result.max_enrollable == pytest.approx(125)


def test_mobile_sessions_limited_by_the_residents(make):
    """With two kits (250 places) all 200 residents are served."""
    result = plan(make(districts=[{"district_code": "001", "mobile_kits": 2}],
                       wards=[{"institution": 200}], officers=[OVD] * 6))
    assert result.decisions.mobile_kits.tolist() == [[[2]]]
    assert result.enrolled == 200


def test_mobile_kit_deployed_for_the_whole_day(make):
    """A kit deployed runs every mobile shift of the day (S and C): 2 x 125 = 250 of 300."""
    result = plan(make(shifts="SC", mobile={"shifts": ["S", "C"]},
                       districts=[{"district_code": "001", "mobile_kits": 1}],
                       wards=[{"institution": 300}], officers=[OVD] * 6))
    assert result.decisions.mobile_kits.tolist() == [[[1, 1]]]
    assert served(result, "institution") == [[[125, 125]]]


def test_mobile_kit_needs_its_driver(make):
    """Without an officer holding the driver role no mobile kit can go out."""
    result = plan(make(districts=[{"district_code": "001", "mobile_kits": 2}],
                       wards=[{"institution": 200}], officers=[OV] * 6))
    assert result.decisions.mobile_kits.sum() == 0 and result.enrolled == 0


# --- the city reserve ------------------------------------------------------------------------------------

TWO_DISTRICTS = dict(districts=[{"district_code": "001"}, {"district_code": "002"}],
                     wards=[{"institution": 200, "district_code": "001"},
                            {"institution": 100, "district_code": "002"}],
                     officers=[{**OVD, "district_code": "001"}] * 3 + [{**OVD, "district_code": "002"}] * 3)


def test_city_reserve_binding_goes_to_the_larger_gain(make):
    """One city kit wanted by both districts goes to 001 (125 residents) rather than 002 (100)."""
    # Each kit-day costs 0.05 (move) + 3 x 0.002 (crew), so 001's gain, the price, is 124.944; the
    # Lagrangian bound is 124.944 x 1 + max(0, 124.944 - price) + max(0, 100 - 0.8 x 0.056 - price)
    # = 124.944: equal to the plan's objective.
    scenario = make(**TWO_DISTRICTS, city_kits=1)
    assert plan_capacity(scenario, workers=1).reserve_price == pytest.approx(124.944)
    result = plan(scenario)
    assert result.summary()["reserve_allocation"] == {"001": 1}
    assert result.decisions.mobile_kits.tolist() == [[[1]], [[0]]]
    assert result.enrolled == 125
    assert result.objective == pytest.approx(124.944)
    assert result.objective_bound == pytest.approx(124.944)
    assert result.objective_bound >= result.objective - 1e-9


def test_city_reserve_not_binding_lends_each_its_kit(make):
    """Two city kits: each district takes one and uses it, 125 + 100 = 225 enrolled."""
    result = plan(make(**TWO_DISTRICTS, city_kits=2))
    assert result.summary()["reserve_allocation"] == {"001": 1, "002": 1}
    assert result.decisions.mobile_kits.tolist() == [[[1]], [[1]]]
    assert result.enrolled == 225 >= result.baseline_enrolled


# --- staffing -----------------------------------------------------------------------------------------------

def test_staffing_hall_condition_per_shift(make):
    """Three operators and one verifier are four officers but staff only one kit (one verifier)."""
    result = plan(make(wards=[{"walk_in": 300, "fixed_kits": 2}],
                       officers=[{"roles": "operator"}] * 3 + [{"roles": "verifier"}]))
    assert result.decisions.kits_open.tolist() == [[[1]]]
    assert result.enrolled == 110


def test_staffing_per_shift_not_binding(make):
    """Two operators and two verifiers staff both kits: 220 of 300 served."""
    result = plan(make(wards=[{"walk_in": 300, "fixed_kits": 2}],
                       officers=[{"roles": "operator"}] * 2 + [{"roles": "verifier"}] * 2))
    assert result.decisions.kits_open.tolist() == [[[2]]]
    assert result.enrolled == 220


def test_staffing_per_day(make):
    """One shift a day per officer: one kit-shift of two; all 200 come to it and 110 are served."""
    result = plan(make(shifts="SC", wards=[{"walk_in": 200}], rules={"max_shifts_per_day": 1}))
    assert result.decisions.kits_open.sum() == 1
    assert result.enrolled == 110
    assert plan(make(shifts="SC", wards=[{"walk_in": 200}], rules={"max_shifts_per_day": 2})).enrolled == 200


def test_staffing_counts_whole_crews(make):
    """Three operator/verifier officers staff one two-officer kit, not one and a half: bound 110, not 165."""
    result = plan(make(wards=[{"walk_in": 300, "fixed_kits": 2}], officers=[OV] * 3))
    assert result.decisions.kits_open.tolist() == [[[1]]]
    assert result.enrolled == 110
    assert result.max_enrollable == pytest.approx(110)


def test_staffing_per_week_short_week_full_hours(make):
    """A short campaign week allows the full weekly hours, as the roster rules do: two 5-hour kit-shifts in 10 hours."""
    # max_hours_per_week 10 and a 2-day campaign: each officer may work both days (10 hours), so
    # the kit opens on both days (the old pro-rata budget allowed only one): 220 enrolled.
    result = plan(make(days=2, wards=[{"walk_in": 400}], rules={"max_hours_per_week": 10}))
    assert result.decisions.kits_open.tolist() == [[[1], [1]]]
    assert result.enrolled == 220


def test_staffing_per_week_counts_hours(make):
    """Five hours a week allow one 5-hour shift per officer: one kit-shift, opened on day 0 (less waiting)."""
    # Objective: 110 - 0.01 x (90 waiting after day 0 + 290 after day 1) - 2 x 0.002 = 106.196.
    result = plan(make(days=2, wards=[{"walk_in": 400}], rules={"max_hours_per_week": 5}))
    assert result.decisions.kits_open.tolist() == [[[1], [0]]]
    assert result.enrolled == 110
    assert result.objective == pytest.approx(106.196)


def test_staffing_per_week_not_binding(make):
    """With 56 hours a week both days open: 220 enrolled."""
    result = plan(make(days=2, wards=[{"walk_in": 400}], rules={"max_hours_per_week": 56}))
    assert result.decisions.kits_open.tolist() == [[[1], [1]]]
    assert result.enrolled == 220


def test_staffing_full_week(make):
    """Two officers work min(floor(56 / 5), 6 x 2) = 11 shifts each in a full week: 11 kit-shifts, 1210."""
    # 3000 walk-ins over 7 days and 3 shifts never run out; nobody gives up.
    result = plan(make(days=7, shifts="SCT", wards=[{"walk_in": 3000}]))
    assert result.decisions.kits_open.sum() == 11
    assert result.decisions.kits_open.sum(axis=2).max() <= 2       # 2 officers x 2 shifts a day
    assert result.enrolled == 1210 and result.max_enrollable == pytest.approx(1210)


# --- equity ----------------------------------------------------------------------------------------------------

EQUITY = dict(
    # 00001: 110 walk-ins and 2090 institution residents (one mobile kit, driver only, 2500 a day):
    # it is at most 110 = 5 % of its 2200 short whatever happens to its kit.
    # 00002: 55 invitable only, served at 11 an hour: its kit serves 55.
    # The two operator/verifier officers staff one of the two kits.
    wards=[{"walk_in": 110, "institution": 2090}, {"invited": 55}],
    districts=[{"district_code": "001", "mobile_kits": 1}],
    rates={"invited": 11.0, "institution": 500.0},
    mobile={"crew": {"driver": 1}},
    officers=[OV, OV, {"roles": "driver"}],
)


def test_equity_steps_move_capacity_to_the_ward_further_behind(make):
    """With shortfall steps the one staffable kit goes to 00002, the ward further behind."""
    # 00001 stays within 5 % of its 2200 whatever its kit does: its 110 walk-ins are worth 1 each.
    # 00002 without its kit is 100 % short: its 55 are worth 1 + 0.5 + 1 each (the last 5.5 less),
    # 52.25 x 0.5 + 49.5 x 1 + 55 = 130.6 > 110. Enrolled 2090 + 55 = 2145 instead of 2200.
    result = plan(make(**EQUITY, objective={"shortfall_steps": STEPS}))
    assert result.decisions.kits_open[:, 0, 0].tolist() == [0, 1]
    assert result.outcome.enrolled_by_ward.tolist() == [2090, 55]


def test_without_equity_steps_the_kit_serves_most(make):
    """Without steps the kit serves 00001's 110 walk-ins rather than 00002's 55: 2200 enrolled."""
    # Every person is worth 1: 110 > 55.
    result = plan(make(**EQUITY))
    assert result.decisions.kits_open[:, 0, 0].tolist() == [1, 0]
    assert result.outcome.enrolled_by_ward.tolist() == [2200, 0]


# --- the objective's order ---------------------------------------------------------------------------------

def test_objective_enrolling_one_person_beats_opening_costs(make):
    """One walk-in is worth a kit-shift (1 > 2 x 0.002): the kit opens and serves them."""
    result = plan(make(wards=[{"walk_in": 1}]))
    assert result.decisions.kits_open.tolist() == [[[1]]] and result.enrolled == 1
    assert result.objective == pytest.approx(1 - 0.004)


def test_objective_officer_shifts_break_ties(make):
    """100 walk-ins fit one kit: the second kit stays closed (it would only cost officer-shifts)."""
    result = plan(make(wards=[{"walk_in": 100, "fixed_kits": 2}], officers=[OV] * 4))
    assert result.decisions.kits_open.tolist() == [[[1]]]
    assert result.enrolled == 100
    assert result.objective_terms["officer_shifts_count"] == 2


def test_objective_mobile_deployments_break_ties(make):
    """100 residents fit one mobile kit: the district's second kit stays in the depot."""
    result = plan(make(districts=[{"district_code": "001", "mobile_kits": 2}],
                       wards=[{"institution": 100}], officers=[OVD] * 6))
    assert result.decisions.mobile_kits.tolist() == [[[1]]]
    assert result.enrolled == 100
    assert result.objective == pytest.approx(100 - 0.05 - 3 * 0.002)


def test_objective_terms_add_up(make):
    """The objective is the sum of its named terms, enrolled first."""
    result = plan(make(days=2, wards=[{"walk_in": 400}], rules={"max_hours_per_week": 5}))
    terms = {k: v for k, v in result.objective_terms.items() if k != "officer_shifts_count"}
    assert terms["enrolled"] == 110
    assert terms["waiting"] == pytest.approx(-3.8)
    assert terms["officer_shifts"] == pytest.approx(-0.004)
    assert sum(terms.values()) == pytest.approx(result.objective)


def test_staffing_days_off_in_every_seven_day_run_count_leave(make):
    """Two officers, one on leave days 0-1, staff at most 7 kit-days in 10: one day off in each run of 7 days."""
    # Kit-days need both officers. CA001 is present on days 2-9 and must rest one day in days 2-8
    # and one in days 3-9 (one day off in 3-8 does both): 7 kit-days. Counting campaign weeks
    # alone (6 officer-days each in days 0-6, leave ignored, then 3 more) would allow 8.
    start = dt.date.fromisoformat(tomllib.loads((TINY / "campaign.toml").read_text(encoding="utf-8"))
                                  ["campaign"]["start_date"].isoformat())
    leave = "|".join((start + dt.timedelta(days=d)).isoformat() for d in (0, 1))
    result = plan(make(days=10, wards=[{"walk_in": 5000}],
                       officers=[{"roles": "operator|verifier", "leave_dates": leave}, OV]))
    assert result.decisions.kits_open.sum() == 7
    assert result.decisions.kits_open[0, :2].sum() == 0


def test_crew_ceiling_limits_each_role_per_shift(make):
    """A re-plan with no operator on day 0 (what the roster found) opens the kit on day 1 only."""
    import numpy as np

    from optimizer.capacity.campaign import replan_districts
    from optimizer.staffing import CrewNeeds

    scenario = make(days=2, wards=[{"walk_in": 400}])
    first = plan(scenario)
    assert first.decisions.kits_open.tolist() == [[[1], [1]]]
    roles = CrewNeeds.of(scenario).roles
    ceiling = np.ones((len(roles), 2, 1), dtype=np.int64)
    ceiling[roles.index("operator"), 0, 0] = 0
    again = replan_districts(scenario, first.decisions, ["001"], None, {}, workers=1,
                             crew_ceiling={"001": ceiling})
    assert again.kits_open.tolist() == [[[0], [1]]]


# --- rounding: open shifts first -------------------------------------------------------------------


def _relaxed_district(scenario):
    """The district model of the first district, its LP session and relaxation."""
    from optimizer.capacity.campaign import district_inputs
    from optimizer.capacity.lp import LPSession
    from optimizer.capacity.model import DistrictModel

    model = DistrictModel(district_inputs(scenario)[0])
    session = LPSession(model.lp)
    return model, session, session.solve()


def test_open_shifts_first_opens_exactly_the_given_shifts_with_the_simulations_walk_ins():
    """The second rounding opens the given shifts with whole kits, closes the rest, and sends walk-ins as
    the simulation does."""
    import numpy as np

    from optimizer.capacity import district
    from optimizer.capacity.campaign import plan_capacity

    scenario = load_scenario(TINY)
    model, session, relaxed = _relaxed_district(scenario)
    # the shifts a whole plan of the district opens: a set its officers can staff
    first_district = scenario.wards["district_code"].to_numpy() == scenario.district_codes[0]
    whole = plan_capacity(scenario, workers=1).decisions.kits_open[first_district]
    wanted = whole.reshape(whole.shape[0], -1).ravel() > 0
    plan_values = district._plan_with_open_shifts(model, session, wanted, 0)
    assert plan_values is not None
    kits = plan_values.values[model.kits_open.ravel()]
    assert np.allclose(kits, np.rint(kits))
    assert ((kits >= 1) == wanted).all()
    opened = np.zeros(model.lp.n_vars)
    opened[model.kits_open.ravel()] = wanted
    assert np.allclose(plan_values.values[model.arrivals_walk_in.ravel()],
                       district._arrivals_for(model, opened).ravel())


def test_open_shifts_first_gives_up_when_the_officers_cannot_staff_them(make):
    """Two officers, one shift a day each, cannot staff both shifts of a day: no such plan."""
    import numpy as np

    from optimizer.capacity import district

    model, session, _ = _relaxed_district(make(shifts="SC", wards=[{"walk_in": 200}],
                                               rules={"max_shifts_per_day": 1}))
    both = np.ones(model.kits_open.size, dtype=bool)
    assert district._plan_with_open_shifts(model, session, both, 0) is None
    assert district._plan_with_open_shifts(model, session, np.array([True, False]), 0) is not None
