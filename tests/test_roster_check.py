"""The independent roster checker, rule by rule, on a hand-made roster for scenarios/tiny.

The tiny campaign runs 7 days from Monday 2022-07-25 (days 0-6) with shifts S 07-12, C 12-17,
T 17-22, at most 2 shifts a day, 9 h rest, at most 6 days in a row, 1 day off in 7, 56 h a week
and T followed by S forbidden. CA001 is on leave on 2022-07-28 (day 3).

The valid roster below staffs this plan exactly:
- ward 00001 (district 001): one fixed kit (operator + verifier) in S on days 0, 1, 2 and 4,
  and in C on days 2 and 4 (day 2 C by CA005 from ward 00004 and CA003);
- ward 00004: one home-visit team (2 home_visit) in T on day 0 (reserve officers CA018, CA019);
- ward 00006: one mobile kit (operator, verifier, driver) in S and C on day 1;
- ward 00037 (district 002): one fixed kit in T on day 5.
Each test breaks one rule by changing a row or adding one, and expects only that rule.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from optimizer.exports import write_roster_csv
from optimizer.roster.check import RULES, Violation, check_roster, read_roster_csv
from optimizer.scenario import load_scenario

TINY = Path(__file__).resolve().parents[1] / "scenarios" / "tiny"
START = dt.date(2022, 7, 25)


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(TINY)


def _row(scenario, officer_id, day, shift, ward_code, role):
    officer = scenario.officers.loc[officer_id] if officer_id in scenario.officers.index else None
    return {"officer_id": officer_id,
            "display_name": officer["display_name"] if officer is not None else "(synthetic) Ai Đó",
            "district_code": officer["district_code"] if officer is not None else "001",
            "home_ward": officer["home_ward"] if officer is not None else "",
            "date": START + dt.timedelta(days=day), "day": day, "shift": shift,
            "ward_code": ward_code, "role": role}


VALID = [
    # officer, day, shift, ward, role
    ("CA001", 0, "S", "00001", "operator"), ("CA002", 0, "S", "00001", "verifier"),
    ("CA001", 1, "S", "00001", "operator"), ("CA002", 1, "S", "00001", "verifier"),
    ("CA001", 2, "S", "00001", "operator"), ("CA002", 2, "S", "00001", "verifier"),
    ("CA005", 2, "C", "00001", "operator"), ("CA003", 2, "C", "00001", "verifier"),
    ("CA001", 4, "S", "00001", "operator"), ("CA002", 4, "S", "00001", "verifier"),
    ("CA001", 4, "C", "00001", "operator"), ("CA002", 4, "C", "00001", "verifier"),
    ("CA018", 0, "T", "00004", "home_visit"), ("CA019", 0, "T", "00004", "home_visit"),
    ("CA007", 1, "S", "00006", "operator"), ("CA008", 1, "S", "00006", "verifier"),
    ("CA020", 1, "S", "00006", "driver"),
    ("CA007", 1, "C", "00006", "operator"), ("CA008", 1, "C", "00006", "verifier"),
    ("CA020", 1, "C", "00006", "driver"),
    ("CA011", 5, "T", "00037", "operator"), ("CA012", 5, "T", "00037", "verifier"),
]


def roster_of(scenario, rows) -> pd.DataFrame:
    return pd.DataFrame([_row(scenario, *row) for row in rows])


@pytest.fixture()
def roster(scenario):
    return roster_of(scenario, VALID)


@pytest.fixture(scope="module")
def plan(scenario):
    """Every ward x day x shift, zero except the kits, mobile kit and team described above."""
    rows = []
    for ward_code, ward in scenario.wards.iterrows():
        for day in range(scenario.n_days):
            for shift in scenario.shift_codes:
                rows.append({"ward_code": ward_code, "district_code": ward["district_code"],
                             "day": day, "date": START + dt.timedelta(days=day), "shift": shift,
                             "kits_open": 0, "mobile_kits": 0, "home_visit_teams": 0,
                             "letters": 0, "served": 0})
    frame = pd.DataFrame(rows).set_index(["ward_code", "day", "shift"])
    for day, shift in ((0, "S"), (1, "S"), (2, "S"), (2, "C"), (4, "S"), (4, "C")):
        frame.loc[("00001", day, shift), "kits_open"] = 1
    frame.loc[("00004", 0, "T"), "home_visit_teams"] = 1
    for shift in ("S", "C"):
        frame.loc[("00006", 1, shift), "mobile_kits"] = 1
    frame.loc[("00037", 5, "T"), "kits_open"] = 1
    return frame.reset_index()


def with_rules(scenario, **rules):
    return scenario.with_settings(
        officer_rules=scenario.settings.officer_rules.model_copy(update=rules))


def with_officer(scenario, officer_id, **values):
    officers = scenario.officers.copy()
    for column, value in values.items():
        officers[column] = officers[column].astype(object)
        officers.at[officer_id, column] = value
    return dataclasses.replace(scenario, officers=officers)


def rules_of(violations: list[Violation]) -> list[str]:
    return sorted({v.rule for v in violations})


def add(scenario, roster, *rows):
    return pd.concat([roster, roster_of(scenario, rows)], ignore_index=True)


# --- the valid roster -----------------------------------------------------------------------

def test_valid_roster_passes(scenario, roster, plan):
    """The hand-made roster keeps every rule and fully crews the plan."""
    assert check_roster(scenario, roster, plan) == []


def test_roster_read_back_from_csv_passes(scenario, roster, plan, tmp_path):
    """A roster written to roster.csv and read back is the same roster and still passes."""
    path = write_roster_csv(scenario, roster, tmp_path / "roster.csv")
    again = read_roster_csv(path)
    assert check_roster(scenario, again, plan) == []
    assert len(again) == len(roster)


def test_every_rule_has_a_label():
    """Every rule a violation can name has a readable label."""
    assert all(RULES[rule] for rule in RULES)
    assert Violation("on_leave", "x", "y").label == RULES["on_leave"]


# --- one rule at a time ---------------------------------------------------------------------

def test_unknown_officer(scenario, roster, plan):
    """An officer who is not in officers.csv is reported."""
    violations = check_roster(scenario, add(scenario, roster, ("CA999", 3, "S", "00001", "operator")), plan)
    assert rules_of(violations) == ["unknown_officer"]
    assert "CA999" in violations[0].where


def test_wrong_district(scenario, roster, plan):
    """A roster that lists an officer under another district than officers.csv is reported."""
    roster.loc[roster["officer_id"] == "CA001", "district_code"] = "002"
    violations = check_roster(scenario, roster, plan)
    assert rules_of(violations) == ["wrong_district"]
    assert len(violations) == 1 and "CA001" in violations[0].where


def test_role_not_held(scenario, roster, plan):
    """A home-visit officer working as a kit operator is reported."""
    violations = check_roster(scenario, add(scenario, roster, ("CA018", 2, "S", "00004", "operator")), plan)
    assert rules_of(violations) == ["role_not_held"]
    assert "2022-07-27" in violations[0].where and "operator" in violations[0].detail


def test_on_leave(scenario, roster, plan):
    """An officer working on a leave date is reported."""
    violations = check_roster(scenario, add(scenario, roster, ("CA001", 3, "S", "00001", "operator")), plan)
    assert rules_of(violations) == ["on_leave"]
    assert "CA001" in violations[0].where and "2022-07-28" in violations[0].where


def test_max_shifts_per_day(scenario, roster, plan):
    """A third shift on one day (S+C+T, so no rest gap) breaks the limit of two."""
    violations = check_roster(scenario, add(scenario, roster, ("CA001", 4, "T", "00001", "operator")), plan)
    assert rules_of(violations) == ["max_shifts_per_day"]
    assert "S+C+T" in violations[0].detail


def test_max_shifts_per_day_officer_override(scenario, roster, plan):
    """An officer's own limit of one shift a day makes S+C on day 4 a violation."""
    strict = with_officer(scenario, "CA002", max_shifts_per_day=1)
    violations = check_roster(strict, roster, plan)
    assert rules_of(violations) == ["max_shifts_per_day"]
    assert "CA002" in violations[0].where and "2022-07-29" in violations[0].where


def test_double_booked(scenario, roster, plan):
    """An officer assigned twice in the same shift (at two wards) is reported."""
    violations = check_roster(scenario, add(scenario, roster, ("CA011", 5, "T", "00040", "operator")), plan)
    assert rules_of(violations) == ["double_booked"]
    assert "shift T" in violations[0].where and "00040" in violations[0].detail


def test_min_rest(scenario, roster, plan):
    """S then T on one day leaves 5 h of rest between duties, less than 9 h."""
    violations = check_roster(scenario, add(scenario, roster, ("CA011", 5, "S", "00037", "operator")), plan)
    assert rules_of(violations) == ["min_rest"]
    assert "5 h" in violations[0].detail and "shift T" in violations[0].where


def test_min_rest_across_midnight(scenario, roster, plan):
    """With 10 h rest required, T (ends 22:00) then C is fine but T then S (07:00) is not."""
    rested = with_rules(scenario, min_rest_hours=10, forbidden_successions=[])
    violations = check_roster(rested, add(scenario, roster, ("CA011", 6, "S", "00037", "operator")), plan)
    assert rules_of(violations) == ["min_rest"]
    assert "9 h" in violations[0].detail and "2022-07-31" in violations[0].where
    assert check_roster(rested, add(scenario, roster, ("CA011", 6, "C", "00037", "operator")), plan) == []


def test_forbidden_succession(scenario, roster, plan):
    """Shift T on day 5 then S on day 6 is forbidden (though it leaves exactly 9 h of rest)."""
    violations = check_roster(scenario, add(scenario, roster, ("CA011", 6, "S", "00037", "operator")), plan)
    assert rules_of(violations) == ["forbidden_succession"]
    assert "2022-07-31" in violations[0].where and "shift T on 2022-07-30" in violations[0].detail


def test_max_consecutive_days(scenario, roster, plan):
    """Working days 1 to 5 is five days in a row, over a limit of four."""
    strict = with_rules(scenario, max_consecutive_days=4)
    extra = [("CA020", day, "S", "00006", "driver") for day in (2, 3, 4, 5)]
    violations = check_roster(strict, add(scenario, roster, *extra), plan)
    assert rules_of(violations) == ["max_consecutive_days"]
    assert "2022-07-26 to 2022-07-30" in violations[0].where


def test_min_days_off_per_7(scenario, roster, plan):
    """Six working days in the 7-day window leave one day off where two are required."""
    strict = with_rules(scenario, min_days_off_per_7=2)
    extra = [("CA020", day, "S", "00006", "driver") for day in (2, 3, 4, 5, 6)]
    violations = check_roster(strict, add(scenario, roster, *extra), plan)
    assert rules_of(violations) == ["min_days_off_per_7"]
    assert "1 day off" in violations[0].detail


def test_max_hours_per_week(scenario, roster, plan):
    """Twelve 5-hour shifts (S+C on six days) make 60 h, over 56 h a week."""
    extra = [("CA020", day, shift, "00006", "driver") for day in (0, 2, 3, 4, 5) for shift in "SC"]
    violations = check_roster(scenario, add(scenario, roster, *extra), plan)
    assert rules_of(violations) == ["max_hours_per_week"]
    assert "60 h" in violations[0].detail and "56 h" in violations[0].detail


def test_max_hours_per_week_officer_override(scenario, roster, plan):
    """An officer's own limit of 5 h a week makes a second shift a violation."""
    strict = with_officer(scenario, "CA011", max_hours_per_week=5.0)
    violations = check_roster(strict, add(scenario, roster, ("CA011", 6, "C", "00037", "operator")), plan)
    assert rules_of(violations) == ["max_hours_per_week"]
    assert "10 h" in violations[0].detail


def test_max_hours_short_last_week(scenario, roster):
    """In a 10-day campaign the short last week (days 7-9) still allows the full 56 h, not less."""
    longer = scenario.with_settings(
        campaign=scenario.settings.campaign.model_copy(update={"days": 10}))
    five = [("CA020", 7, "S", "00006", "driver"), ("CA020", 7, "C", "00006", "driver"),
            ("CA020", 8, "S", "00006", "driver"), ("CA020", 8, "C", "00006", "driver"),
            ("CA020", 9, "S", "00006", "driver")]
    assert check_roster(longer, add(scenario, roster, *five)) == []
    strict = with_officer(longer, "CA020", max_hours_per_week=20.0)
    violations = check_roster(strict, add(scenario, roster, *five))
    assert rules_of(violations) == ["max_hours_per_week"]
    assert "25 h" in violations[0].detail and "20 h" in violations[0].detail


def test_outside_district(scenario, roster, plan):
    """An officer of district 002 working at a ward of district 001 is reported."""
    violations = check_roster(scenario, add(scenario, roster, ("CA011", 0, "C", "00001", "operator")), plan)
    assert rules_of(violations) == ["outside_district"]
    assert "00001" in violations[0].where


def test_crew_shortfall(scenario, roster, plan):
    """Removing one of the two home-visit officers leaves that team one officer short."""
    short = roster[~((roster["officer_id"] == "CA019") & (roster["day"] == 0))]
    violations = check_roster(scenario, short, plan)
    assert rules_of(violations) == ["crew_shortfall"]
    assert len(violations) == 1
    assert "00004" in violations[0].where and "shift T" in violations[0].where
    assert "home_visit" in violations[0].detail and "1 missing" in violations[0].detail


def test_crew_shortfall_ignores_mobile_kits_outside_their_shifts(scenario, roster, plan):
    """A mobile kit listed in shift T (not a mobile shift) asks for no crew there."""
    evening = plan.copy()
    evening.loc[(evening["ward_code"] == "00006") & (evening["day"] == 1)
                & (evening["shift"] == "T"), "mobile_kits"] = 1
    assert check_roster(scenario, roster, evening) == []


def test_bad_row(scenario, roster, plan):
    """A row with an unknown shift code is reported and left out of the other checks."""
    violations = check_roster(scenario, add(scenario, roster, ("CA013", 2, "N", "00037", "operator")), plan)
    assert rules_of(violations) == ["bad_row"]
    assert "unknown shift 'N'" in violations[0].detail
