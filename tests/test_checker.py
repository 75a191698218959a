"""The independent checker (optimizer/checker/): hand-solved dynamics, then one rule at a time.

A valid output folder for scenarios/tiny is written from the checker's own re-simulation with
chosen decisions; each test then breaks one rule in the files and expects that rule reported.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from optimizer.checker import (
    DECISION_COLUMNS,
    PLAN_COLUMNS,
    PROJECTION_COLUMNS,
    CheckReport,
    check_plan,
    format_report,
    largest_remainder,
    resimulate,
    walk_in_arrivals,
    walk_ins_by_open_shift,
)
from optimizer.scenario import load_scenario

TINY = Path(__file__).resolve().parents[1] / "scenarios" / "tiny"


# --- a valid output folder ----------------------------------------------------------------

def tiny_decisions(scenario) -> dict[str, np.ndarray]:
    """Kits, mobile kits, home visits and letters that respect every rule of the tiny scenario."""
    wards = list(scenario.wards.index)
    shifts = scenario.shift_codes
    shape = (len(wards), scenario.n_days, len(shifts))
    w, s = wards.index, shifts.index
    kits = np.ones(shape, dtype=np.int64)
    # An officer may not work S and T of one day (9 hours' rest), nor T then S the next day, and
    # has a day off in every 7: district 001's 11 and district 002's 8 operator/verifiers cannot
    # open every kit mornings and evenings all week, so 00004, 00006 and 00040 skip the mornings.
    for ward in ("00004", "00006", "00040"):
        kits[w(ward), :, s("S")] = 0
    mobile = np.zeros(shape, dtype=np.int64)
    mobile[w("00001"), 1:3, s("S")] = 1
    mobile[w("00001"), 1:3, s("C")] = 1
    teams = np.zeros(shape, dtype=np.int64)
    teams[w("00001"), [0, 2, 4], s("T")] = 1
    teams[w("00037"), [1, 3], s("T")] = 1
    letters = np.zeros(shape, dtype=np.int64)
    letters[:, 1:, s("C")] = 20
    return {"kits_open": kits, "mobile_kits": mobile, "home_visit_teams": teams, "letters": letters}


def write_outputs(scenario, decisions, out: Path, reserve_allocation=None) -> Path:
    """plan.csv, projection.csv and summary.json as the planner would write them."""
    out.mkdir(parents=True, exist_ok=True)
    outcomes = resimulate(scenario, decisions)
    wards = scenario.wards
    plan_rows, projection_rows = [], []
    for i, (code, ward) in enumerate(wards.iterrows()):
        enrolled = given_up = 0
        for d, date in enumerate(scenario.dates):
            for s, shift in enumerate(scenario.shift_codes):
                row = {"ward_code": code, "district_code": ward["district_code"],
                       "date": date.isoformat(), "day": d, "shift": shift}
                row.update({c: int(decisions[c][i, d, s]) for c in DECISION_COLUMNS})
                row.update({c: int(a[i, d, s]) for c, a in outcomes.items()})
                plan_rows.append(row)
                enrolled += row["served"]
                given_up += row["gave_up"] - row["returns"]
            waiting = row["queue_end"]
            target = int(ward["target"])
            projection_rows.append({
                "ward_code": code, "district_code": ward["district_code"], "date": date.isoformat(),
                "day": d, "enrolled_cum": enrolled, "coverage": enrolled / target if target else 1.0,
                "waiting": waiting, "not_yet_arrived": target - enrolled - waiting - given_up,
                "given_up": given_up})
    pd.DataFrame(plan_rows, columns=list(PLAN_COLUMNS)).to_csv(out / "plan.csv", index=False)
    projection = pd.DataFrame(projection_rows, columns=list(PROJECTION_COLUMNS))
    projection.to_csv(out / "projection.csv", index=False)
    enrolled = int(outcomes["served"].sum())
    target = scenario.total_target
    summary = {"target": target, "enrolled": enrolled, "coverage": enrolled / target,
               "baseline_enrolled": 0, "reserve_allocation": reserve_allocation or {"001": 1},
               "seed": 0, "input_hash": scenario.input_hash}
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    return out


@pytest.fixture(scope="module")
def tiny():
    return load_scenario(TINY)


@pytest.fixture
def valid_out(tiny, tmp_path) -> Path:
    return write_outputs(tiny, tiny_decisions(tiny), tmp_path / "out")


def edit_csv(path: Path, ward: str, day: int, shift: str | None, column: str, change) -> None:
    """Apply change(old text) -> new value to one cell of plan.csv or projection.csv."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    rows = (frame["ward_code"] == ward) & (frame["day"] == str(day))
    if shift is not None:
        rows &= frame["shift"] == shift
    assert rows.sum() == 1
    frame.loc[rows, column] = str(change(frame.loc[rows, column].iloc[0]))
    frame.to_csv(path, index=False)


def edit_summary(out: Path, **changes) -> None:
    summary = json.loads((out / "summary.json").read_text())
    summary.update(changes)
    (out / "summary.json").write_text(json.dumps(summary))


def rules(report: CheckReport) -> set[str]:
    return {v.rule for v in report.violations}


def flat_scenario(tiny, days: int = 2):
    """Tiny with `days` flat days, no weekend effect and returns the next day (hand-solvable)."""
    campaign = tiny.settings.campaign.model_copy(update={"days": days})
    demand = tiny.settings.demand.model_copy(update={
        "turnout_curve": "flat", "weekend_factor": 1.0, "return_after_days": 1})
    return tiny.with_settings(campaign=campaign, demand=demand)


# --- the arithmetic of docs/dynamics.md, by hand ------------------------------------------

def test_largest_remainder_gives_leftovers_to_largest_fractions_ties_earlier():
    """Leftover people go to the largest fractional quotas; equal fractions favour the earlier slot."""
    assert largest_remainder(243, [0.30, 0.22, 0.48]) == [73, 53, 117]   # 72.9, 53.46, 116.64
    assert largest_remainder(2, [1, 1, 1]) == [1, 1, 0]
    assert largest_remainder(1, [1, 1]) == [1, 0]
    assert largest_remainder(0, [1, 2]) == [0, 0]


def test_walk_in_arrivals_split_by_day(tiny):
    """W = 486 of Trúc Bạch's 540 walk-ins over 2 flat days is 243 a day."""
    scenario = flat_scenario(tiny)
    assert walk_in_arrivals(scenario, 486).tolist() == [243, 243]


def test_walk_ins_come_only_in_open_shifts(tiny):
    """A day's walk-ins are split by preference over the open shifts; closed all day, all come first."""
    assert walk_ins_by_open_shift(tiny, 243, [1, 1, 1]) == [73, 53, 117]
    # S and T open: 243 x 0.30 / 0.78 = 93.46 and 243 x 0.48 / 0.78 = 149.54 -> 93 and 150.
    assert walk_ins_by_open_shift(tiny, 243, [1, 0, 1]) == [93, 0, 150]
    assert walk_ins_by_open_shift(tiny, 243, [2, 0, 1]) == [93, 0, 150]   # how many kits does not matter
    assert walk_ins_by_open_shift(tiny, 243, [0, 1, 0]) == [0, 243, 0]
    assert walk_ins_by_open_shift(tiny, 243, [0, 0, 0]) == [243, 0, 0]


def test_one_ward_by_hand(tiny):
    """Trúc Bạch over 3 flat days follows the shift steps worked out by hand below."""
    scenario = flat_scenario(tiny, days=3)
    shape = (5, 3, 3)
    i = list(scenario.wards.index).index("00004")
    decisions = {c: np.zeros(shape, dtype=np.int64) for c in DECISION_COLUMNS}
    decisions["kits_open"][i] = [[1, 0, 1], [0, 0, 0], [1, 0, 0]]
    decisions["home_visit_teams"][i, 0, 2] = 1
    decisions["mobile_kits"][i, 2, 0] = 1
    decisions["letters"][i, 2, 0] = 40
    out = {c: a[i] for c, a in resimulate(scenario, decisions).items()}
    # W = floor(540 x 0.9 + 0.5) = 486 walk-ins, 162 a day.
    # Day 0, kits open in S and T: 162 x 0.30 / 0.78 = 62.3 and 162 x 0.48 / 0.78 = 99.7 -> 62, 100.
    assert out["arrivals_walk_in"][0].tolist() == [62, 0, 100]
    # S: 62 walk in, 1 kit x 5 h x 22 = 110 places: all served. C: closed, nobody comes or waits.
    assert out["served_walk_in"][0, 0] == 62 and out["queue_end"][0, 0] == 0
    assert out["queue_end"][0, 1] == 0 and out["gave_up"][0, 1] == 0
    # T: 100 served; 1 home-visit team x 5 h x 2 = 10 homebound served.
    assert out["served_walk_in"][0, 2] == 100 and out["served_homebound"][0, 2] == 10
    assert out["queue_end"][0, 2] == 0
    # Day 1, closed all day: all 162 come in S and wait. floor(0.2 x 162 = 32.4) = 32 give up,
    # 130 stay; C: floor(26) = 26, 104 stay; T: floor(20.8) = 20, 84 wait overnight.
    assert out["arrivals_walk_in"][1].tolist() == [162, 0, 0]
    assert out["served"][1].tolist() == [0, 0, 0]
    assert out["gave_up"][1].tolist() == [32, 26, 20]
    assert out["queue_walk_in_end"][1].tolist() == [130, 104, 84]
    # They come back the next day in the same shift: floor(0.6 x 32) = 19, floor(15.6) = 15,
    # floor(12) = 12.
    assert out["returns"][2].tolist() == [19, 15, 12]
    # Day 2 S: floor(0.75 x 40) = 30 invited served first; 5 - 30/22 h left x 22 = 80 walk-ins
    # (79.99999999999999 before rounding to 9 decimals) of 84 + 162 + 19 = 265; 185 left,
    # 37 give up, 148 stay. The mobile kit: min(40 institution, 5 h x 25) = 40.
    assert out["arrivals_invited"][2, 0] == 30 and out["served_invited"][2, 0] == 30
    assert out["served_walk_in"][2, 0] == 80 and out["arrivals_walk_in"][2].tolist() == [162, 0, 0]
    assert out["gave_up"][2, 0] == 37 and out["queue_walk_in_end"][2, 0] == 148
    assert out["served_institution"][2, 0] == 40
    # C: 148 + 15 back = 163, floor(32.6) = 32 give up, 131; T: 131 + 12 = 143, floor(28.6) = 28.
    assert out["gave_up"][2, 1:].tolist() == [32, 28]
    assert out["queue_walk_in_end"][2, 1:].tolist() == [131, 115]


# --- the valid folder passes --------------------------------------------------------------

def test_valid_output_passes(tiny, valid_out):
    """A folder written from the rules with feasible decisions has no violation."""
    report = check_plan(tiny, valid_out)
    assert report.ok, format_report(report)
    summary = json.loads((valid_out / "summary.json").read_text())
    assert report.kpis["enrolled"] == summary["enrolled"] > 0
    assert report.kpis["target"] == tiny.total_target
    assert sum(report.kpis["district_enrolled"].values()) == summary["enrolled"]


def test_format_report_lists_each_violation_then_counts(tiny, valid_out):
    """format_report writes one line per violation and a last line with the counts."""
    edit_csv(valid_out / "plan.csv", "00001", 0, "S", "kits_open", lambda v: 5)
    report = check_plan(tiny, valid_out)
    lines = format_report(report).splitlines()
    assert len(lines) == len(report.violations) + 1
    assert lines[-1].startswith(f"FAILED: {len(report.violations)} violation(s)")
    assert "kits_open 1" in lines[-1]
    fine = write_outputs(tiny, tiny_decisions(tiny), valid_out.parent / "fine")
    assert format_report(check_plan(tiny, fine)).startswith("OK: 0 violations")


# --- files ---------------------------------------------------------------------------------

def test_missing_file_and_column_are_violations(tiny, valid_out):
    """A missing projection.csv and a missing plan column are reported, not raised."""
    (valid_out / "projection.csv").unlink()
    frame = pd.read_csv(valid_out / "plan.csv", dtype=str)
    frame.drop(columns="gave_up").to_csv(valid_out / "plan.csv", index=False)
    report = check_plan(tiny, valid_out)
    assert any(v.rule == "file" and v.where == "projection.csv" for v in report.violations)
    assert any(v.rule == "columns" and "gave_up" in v.detail for v in report.violations)


def test_missing_row_is_reported(tiny, valid_out):
    """Dropping one ward-day-shift row from plan.csv is a rows violation naming the ward."""
    frame = pd.read_csv(valid_out / "plan.csv", dtype=str)
    frame.drop(index=4).to_csv(valid_out / "plan.csv", index=False)
    report = check_plan(tiny, valid_out)
    assert any(v.rule == "rows" and "00001" in v.where for v in report.violations)


def test_unreadable_summary_is_a_violation(tiny, valid_out):
    """summary.json that is not JSON is reported as a file problem."""
    (valid_out / "summary.json").write_text("{not json")
    assert "file" in rules(check_plan(tiny, valid_out))


# --- decision rules ------------------------------------------------------------------------

def test_kits_above_fixed_kits(tiny, valid_out):
    """kits_open above the ward's fixed_kits is a kits_open violation."""
    edit_csv(valid_out / "plan.csv", "00001", 0, "S", "kits_open", lambda v: 2)
    report = check_plan(tiny, valid_out)
    assert any(v.rule == "kits_open" and v.where == "ward 00001, 2022-07-25 S" for v in report.violations)


def test_non_integer_decision(tiny, valid_out):
    """A fractional kits_open is a value violation and the ward is not re-simulated."""
    edit_csv(valid_out / "plan.csv", "00004", 2, "C", "kits_open", lambda v: 0.5)
    report = check_plan(tiny, valid_out)
    assert {"value", "simulation"} <= rules(report)
    assert report.kpis["enrolled"] is None


def test_letters_before_lead_day(tiny, valid_out):
    """Letters for day 0 with invitation_lead_days = 1 are a letters_lead violation."""
    edit_csv(valid_out / "plan.csv", "00037", 0, "C", "letters", lambda v: 10)
    assert "letters_lead" in rules(check_plan(tiny, valid_out))


def test_letters_per_day_and_pool(tiny, tmp_path):
    """121 letters a day exceed the daily maximum; 6 such days exceed Trúc Bạch's pool of 204."""
    decisions = tiny_decisions(tiny)
    decisions["letters"][1, 1:, 1] = 121
    found = rules(check_plan(tiny, write_outputs(tiny, decisions, tmp_path / "out")))
    assert {"letters_per_day", "letters_pool"} <= found


def test_too_many_mobile_kits(tiny, valid_out):
    """Three mobile kits in district 001 (1 own + 1 lent) is a mobile_kits_district violation."""
    for shift in ("S", "C"):
        edit_csv(valid_out / "plan.csv", "00001", 1, shift, "mobile_kits", lambda v: 3)
    report = check_plan(tiny, valid_out)
    assert any(v.rule == "mobile_kits_district" and v.where == "district 001, 2022-07-26 S"
               for v in report.violations)


def test_mobile_kits_not_lent_without_allocation(tiny, tmp_path):
    """Two mobile kits at once in district 001 (which holds one) are allowed only if the city lends one."""
    decisions = tiny_decisions(tiny)
    decisions["mobile_kits"][2, 1:3, 0:2] = 1      # 00006 as well as 00001 on days 1-2
    lent = write_outputs(tiny, decisions, tmp_path / "lent", reserve_allocation={"001": 1})
    assert "mobile_kits_district" not in rules(check_plan(tiny, lent))
    out = write_outputs(tiny, decisions, tmp_path / "not_lent", reserve_allocation={"002": 1})
    assert "mobile_kits_district" in rules(check_plan(tiny, out))


def test_mobile_kit_rules_of_the_day(tiny, valid_out):
    """A mobile kit in the evening, or only in the morning of a day, breaks the mobile-kit rules."""
    edit_csv(valid_out / "plan.csv", "00040", 5, "T", "mobile_kits", lambda v: 1)
    edit_csv(valid_out / "plan.csv", "00040", 4, "S", "mobile_kits", lambda v: 1)
    assert {"mobile_kits_shift", "mobile_kits_day"} <= rules(check_plan(tiny, valid_out))


def test_home_visit_team_outside_its_shift(tiny, valid_out):
    """A home-visit team in the morning is a home_visit_shift violation."""
    edit_csv(valid_out / "plan.csv", "00037", 2, "S", "home_visit_teams", lambda v: 1)
    assert "home_visit_shift" in rules(check_plan(tiny, valid_out))


def test_reserve_allocation_above_city_reserve(tiny, tmp_path):
    """Lending two kits when the city holds one is a reserve_allocation violation."""
    out = write_outputs(tiny, tiny_decisions(tiny), tmp_path / "out", reserve_allocation={"001": 2})
    assert rules(check_plan(tiny, out)) == {"reserve_allocation"}


# --- staffing ------------------------------------------------------------------------------

def cut_officers(tmp_path, keep) -> object:
    """A copy of tiny with only the officers `keep` (and no requests)."""
    folder = tmp_path / "scenario"
    shutil.copytree(TINY, folder)
    officers = pd.read_csv(folder / "officers.csv", dtype=str, keep_default_na=False)
    officers[officers["officer_id"].isin(keep)].to_csv(folder / "officers.csv", index=False)
    (folder / "requests.csv").unlink()
    return load_scenario(folder)


def test_home_visit_team_needs_only_its_written_crew(tmp_path):
    """crew = { home_visit = 2 } asks two home-visit officers, not also an operator and a verifier."""
    # District 002 keeps two operator/verifiers and two home-visit officers; on day 1, ward 00037
    # opens its kit in the evening and sends a team: 2 + 2 officers, exactly enough.
    district_001 = [f"CA{n:03d}" for n in (*range(1, 11), 18, 19, 20, 21)]
    scenario = cut_officers(tmp_path, district_001 + ["CA011", "CA012", "CA022", "CA023"])
    decisions = tiny_decisions(scenario)
    for ward in (3, 4):                                   # 00037, 00040
        for column in decisions:
            decisions[column][ward] = 0
    decisions["kits_open"][3, 1, 2] = 1
    decisions["home_visit_teams"][3, 1, 2] = 1
    report = check_plan(scenario, write_outputs(scenario, decisions, tmp_path / "out"))
    assert report.ok, format_report(report)


def test_crew_over_officer_budget(tiny, tmp_path):
    """With three officers left in district 001, open kits need more officers than exist."""
    district_002 = list(tiny.officers.index[tiny.officers["district_code"] == "002"])
    scenario = cut_officers(tmp_path, ["CA001", "CA002", "CA018"] + district_002)
    report = check_plan(scenario, write_outputs(scenario, tiny_decisions(scenario), tmp_path / "out"))
    assert {"crew_shift", "crew_day", "crew_week"} <= rules(report)
    assert all(v.where.startswith("district 001") for v in report.violations if v.rule.startswith("crew"))


def test_crew_over_weekly_budget(tiny, tmp_path):
    """With 15 hours a week, district 001's three afternoon kits all week need 210 officer-hours of 165."""
    folder = tmp_path / "scenario"
    shutil.copytree(TINY, folder)
    toml = folder / "campaign.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("max_hours_per_week = 56", "max_hours_per_week = 15"),
                    encoding="utf-8")
    scenario = load_scenario(folder)
    decisions = tiny_decisions(scenario)
    decisions["kits_open"][:] = 0
    decisions["kits_open"][:, :, scenario.shift_codes.index("C")] = 1
    decisions["mobile_kits"][:] = 0
    decisions["home_visit_teams"][:] = 0
    report = check_plan(scenario, write_outputs(scenario, decisions, tmp_path / "out"))
    assert rules(report) == {"crew_week"}
    first = report.violations[0]
    assert first.where.startswith("district 001") and "210" in first.detail and "165" in first.detail


def test_crew_rest_succession_and_days_off_rows(tiny, tmp_path):
    """Every kit open mornings and evenings all week needs officers across the rest gap, from T to S and without a day off."""
    decisions = tiny_decisions(tiny)
    decisions["kits_open"][:] = 1
    decisions["mobile_kits"][:] = 0
    report = check_plan(tiny, write_outputs(tiny, decisions, tmp_path / "out"))
    assert {"crew_rest", "crew_succession", "crew_days_run"} <= rules(report)


# --- outcomes --------------------------------------------------------------------------------

def test_served_increased_by_one(tiny, valid_out):
    """One more walk-in served than the rules allow is a simulation mismatch naming the cell."""
    path = valid_out / "plan.csv"
    for column in ("served_walk_in", "served"):
        edit_csv(path, "00006", 3, "C", column, lambda v: int(v) + 1)
    report = check_plan(tiny, valid_out)
    mismatch = [v for v in report.violations if v.rule == "simulation"
                and v.where == "ward 00006, 2022-07-28 C" and v.detail.startswith("served_walk_in")]
    assert mismatch, format_report(report)
    assert "conservation" in rules(report)


def test_walk_ins_in_a_closed_shift(tiny, valid_out):
    """Walk-ins written into a shift whose kit is closed (00004 skips mornings) are a mismatch."""
    path = valid_out / "plan.csv"
    edit_csv(path, "00004", 3, "S", "arrivals_walk_in", lambda v: int(v) + 5)
    edit_csv(path, "00004", 3, "T", "arrivals_walk_in", lambda v: int(v) - 5)
    report = check_plan(tiny, valid_out)
    assert any(v.rule == "simulation" and v.where == "ward 00004, 2022-07-28 S"
               and v.detail.startswith("arrivals_walk_in: expected 0, found 5") for v in report.violations)


def test_give_ups_rounded_up_are_a_mismatch(tiny, valid_out):
    """Phúc Xá's 38 left waiting on day 0 T lose floor(7.6) = 7, so 8 give-ups (ceil) are reported."""
    path = valid_out / "plan.csv"
    frame = pd.read_csv(path, dtype=str)
    row = frame[(frame["ward_code"] == "00001") & (frame["day"] == "0") & (frame["shift"] == "T")]
    assert row[["gave_up", "queue_walk_in_end"]].astype(int).values.tolist() == [[7, 31]]
    edit_csv(path, "00001", 0, "T", "gave_up", lambda v: 8)
    for column in ("queue_walk_in_end", "queue_end"):
        edit_csv(path, "00001", 0, "T", column, lambda v: 30)
    report = check_plan(tiny, valid_out)
    assert any(v.rule == "simulation" and v.where == "ward 00001, 2022-07-25 T"
               and v.detail.startswith("queue_walk_in_end: expected 31, found 30") for v in report.violations)
    assert any(v.detail.startswith("gave_up: expected 7, found 8") for v in report.violations)


def test_queue_end_changed(tiny, valid_out):
    """queue_end that is not the two queues' sum is reported, as is the mismatch."""
    edit_csv(valid_out / "plan.csv", "00040", 2, "T", "queue_end", lambda v: int(v) + 5)
    assert {"queue_total", "simulation"} <= rules(check_plan(tiny, valid_out))


def test_conservation_broken(tiny, valid_out):
    """People appearing in a queue from nowhere break conservation at that shift end."""
    path = valid_out / "plan.csv"
    for column in ("queue_walk_in_end", "queue_end"):
        edit_csv(path, "00001", 6, "T", column, lambda v: int(v) + 3)
    report = check_plan(tiny, valid_out)
    assert any(v.rule == "conservation" and v.where == "ward 00001, 2022-07-31 T"
               for v in report.violations)


# --- projection and summary ----------------------------------------------------------------

def test_summary_enrolled_changed(tiny, valid_out):
    """summary.json enrolled different from the re-simulated total is a summary violation."""
    summary = json.loads((valid_out / "summary.json").read_text())
    edit_summary(valid_out, enrolled=summary["enrolled"] + 1)
    assert rules(check_plan(tiny, valid_out)) == {"summary"}


def test_projection_changed(tiny, valid_out):
    """projection.csv enrolled_cum that disagrees with plan.csv is a projection violation."""
    edit_csv(valid_out / "projection.csv", "00037", 4, None, "enrolled_cum", lambda v: int(v) - 1)
    report = check_plan(tiny, valid_out)
    assert rules(report) == {"projection"}
    assert report.violations[0].where == "ward 00037, 2022-07-29"


def test_checker_package_imports_no_model_code():
    """Every module of optimizer/checker/ imports only the scenario loader, its own modules and libraries."""
    import ast

    folder = Path(__file__).resolve().parents[1] / "optimizer" / "checker"
    for path in sorted(folder.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level:
                assert node.level == 1 or node.module == "scenario", (path.name, node.module)
            if isinstance(node, ast.ImportFrom) and not node.level:
                assert not (node.module or "").startswith("optimizer"), (path.name, node.module)
            if isinstance(node, ast.Import):
                assert not any(alias.name.startswith("optimizer") for alias in node.names), path.name
