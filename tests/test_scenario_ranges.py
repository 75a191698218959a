"""Hostile values in a scenario: every count and rate has a sane range, non-finite numbers,
booleans, look-alike codes and malformed rows are refused at load with one line naming the
file, row and column (or TOML key)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from optimizer.errors import ScenarioError
from optimizer.file_names import file_stem
from optimizer.scenario import load_scenario

TINY = Path(__file__).resolve().parents[1] / "scenarios" / "tiny"
WARD_ROW = "00004,Phường Trúc Bạch,001,7065,5500,4700,40,540,150,30,40,1"
OFFICER_ROW = "CA002,(synthetic) Trần Thị Bình,001,00001,operator|verifier,,,"


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    return Path(shutil.copytree(TINY, tmp_path / "tiny"))


def edit(folder: Path, name: str, old: str, new: str) -> None:
    """Replace the first occurrence of `old` in a scenario file (which must contain it)."""
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def load_error(folder: Path) -> ScenarioError:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(folder)
    assert "\n" not in str(caught.value) and "\r" not in str(caught.value)
    return caught.value


TOML_CASES = [
    ("days = 7", "days = true", "campaign.days"),
    ("weekend_factor = 1.35", "weekend_factor = nan", "demand.weekend_factor"),
    ("weekend_factor = 1.35", "weekend_factor = inf", "demand.weekend_factor"),
    ("walk_in = 22.0", "walk_in = 1e308", "throughput_per_kit_hour.walk_in"),
    ("S = 0.30", "S = nan", "demand.shift_preference.S"),
    ("S = 0.30", "S = 1e308", None),
    ("people_per_team_hour = 2.0", "people_per_team_hour = inf", "home_visit.people_per_team_hour"),
    ("min_rest_hours = 9", "min_rest_hours = inf", "officer_rules.min_rest_hours"),
    ("max_hours_per_week = 56", "max_hours_per_week = 1e308", "officer_rules.max_hours_per_week"),
    ("kit_move = 0.05", "kit_move = 0.05\nunstaffed_slot = 1e308", "objective.unstaffed_slot"),
    ("[[0.05, 0.5]", "[[0.05, inf]", "objective.shortfall_steps.0.1"),
    ('timezone = "Asia/Ho_Chi_Minh"', 'timezone = "Mars/Olympus"', "campaign.timezone"),
    ('timezone = "Asia/Ho_Chi_Minh"', 'timezone = "../../etc/passwd"', "campaign.timezone"),
    ("start_date = 2022-07-25", "start_date = 9999-12-31", "campaign.start_date"),
    ("max_letters_per_ward_day = 120", "max_letters_per_ward_day = 1000000000", None),
    ("operator = 1\nverifier = 1", "operator = 1000000\nverifier = 1", "crew_per_kit.operator"),
    ("walk_in = 22.0", "walk_in = 1e-300", "throughput_per_kit_hour.walk_in"),
    ("min_rest_hours = 9", "min_rest_hours = 48", "officer_rules.min_rest_hours"),
    ("time_limit_seconds = 20", "time_limit_seconds = 1e300", "solver.time_limit_seconds"),
    ("seed = 0", "seed = 9223372036854775807", "solver.seed"),
    ('name_en = "Morning"', 'name_en = "Mor\\u0000ning"', "shifts.0.name_en"),
]


@pytest.mark.parametrize("old, new, key", TOML_CASES)
def test_out_of_range_or_non_finite_toml_value_is_refused(tiny, old, new, key):
    """A boolean, non-finite or out-of-range TOML value is refused naming campaign.toml and its key."""
    edit(tiny, "campaign.toml", old, new)
    error = load_error(tiny)
    assert error.file == "campaign.toml"
    if key is not None:
        assert error.key == key, str(error)


CSV_CASES = [
    ("wards.csv", WARD_ROW, WARD_ROW[:-1] + "1000000000", 3, "fixed_kits"),
    ("wards.csv", WARD_ROW, WARD_ROW.replace(",7065,", ",nan,"), 3, "population"),
    ("wards.csv", WARD_ROW, WARD_ROW.replace(",7065,", ",inf,"), 3, "population"),
    ("wards.csv", WARD_ROW, WARD_ROW.replace(",7065,", ",1e30,"), 3, "population"),
    ("wards.csv", WARD_ROW, WARD_ROW + ",5", 3, "13 (after fixed_kits)"),
    ("wards.csv", WARD_ROW, WARD_ROW.replace("Phường Trúc Bạch,", "Phường Trúc Bạch,,"), 3,
     "13 (after fixed_kits)"),
    ("wards.csv", WARD_ROW, WARD_ROW.replace("00004", "=00004"), 3, "ward_code"),
    ("districts.csv", ",1,0,0,0,0\n002", ",100000,0,0,0,0\n002", 2, "mobile_kits"),
    ("districts.csv", "21.0362", "inf", 2, "lat"),
    ("officers.csv", OFFICER_ROW, OFFICER_ROW + "inf", 3, "max_hours_per_week"),
    ("officers.csv", OFFICER_ROW, OFFICER_ROW + "1e308", 3, "max_hours_per_week"),
    ("officers.csv", OFFICER_ROW, OFFICER_ROW[:-1] + "9,", 3, "max_shifts_per_day"),
    ("officers.csv", OFFICER_ROW, OFFICER_ROW.replace(",,,", ",2022-07-26|2022-07-26,,"), 3,
     "leave_dates"),
    ("officers.csv", OFFICER_ROW, OFFICER_ROW.replace("CA002", "ca001"), 3, "officer_id"),
    ("officers.csv", OFFICER_ROW, OFFICER_ROW.replace("CA002", "CA\x07002"), 3, "officer_id"),
    ("officers.csv", OFFICER_ROW, OFFICER_ROW.replace("Trần", "Tr\x01ần"), 3, "display_name"),
    ("requests.csv", "avoid,2", "avoid,nan", 2, "weight"),
]


@pytest.mark.parametrize("name, old, new, row, column", CSV_CASES)
def test_hostile_table_value_is_refused_naming_row_and_column(tiny, name, old, new, row, column):
    """A non-finite, out-of-range or malformed CSV value is refused naming its file, row and column."""
    edit(tiny, name, old, new)
    error = load_error(tiny)
    assert (error.file, error.row, error.column) == (name, row, column), str(error)


def test_officer_ids_differing_in_slash_and_underscore_are_refused(tiny):
    """Officer IDs `A/1` and `A_1` would share an export file, so the load refuses them."""
    edit(tiny, "officers.csv", "CA001,", "A/1,")
    edit(tiny, "officers.csv", "CA002,", "A_1,")
    edit(tiny, "requests.csv", "CA001,", "A/1,")
    edit(tiny, "requests.csv", "CA002,", "A_1,")
    error = load_error(tiny)
    assert (error.file, error.column) == ("officers.csv", "officer_id")


def test_trailing_comma_is_ignored(tiny):
    """An empty value after the last column (a trailing comma) changes nothing."""
    edit(tiny, "wards.csv", WARD_ROW, WARD_ROW + ",")
    edit(tiny, "wards.csv", "fixed_kits\n", "fixed_kits,\n")
    assert load_scenario(tiny).input_hash == load_scenario(TINY).input_hash


def test_district_codes_with_different_vietnamese_letters_get_different_file_names():
    """`BĐ` and `BĂ` map to distinct file stems; plain codes keep their own name."""
    assert file_stem("BĐ") != file_stem("BĂ")
    assert file_stem("001") == "001" and file_stem("A/1") != file_stem("A_1")


def test_district_codes_differing_only_in_case_are_refused(tiny):
    """District codes `ab` and `AB` would share a file on Windows, so the load refuses them."""
    edit(tiny, "districts.csv", "\n002,", "\nAB,")
    edit(tiny, "districts.csv", "\n001,", "\nab,")
    error = load_error(tiny)
    assert (error.file, error.column) == ("districts.csv", "district_code")


def test_district_without_officers_loads_with_a_warning(tiny):
    """A district whose wards have targets but no officers loads, with a warning naming it."""
    path = tiny / "officers.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(line for line in lines if ",002," not in line), encoding="utf-8")
    scenario = load_scenario(tiny)
    assert any("'002'" in warning for warning in scenario.notes["warnings"])


def test_mobile_kit_without_shifts_is_refused(tiny):
    """`mobile_kit.shifts = []` is refused at load (the model needs a shift to place mobile kits)."""
    edit(tiny, "campaign.toml", 'shifts = ["S", "C"]', "shifts = []")
    assert load_error(tiny).key == "mobile_kit.shifts"


def test_district_without_wards_is_refused(tiny):
    """A district listed in districts.csv with no ward is refused naming its row of districts.csv."""
    edit(tiny, "districts.csv", "\n002,", "\n003,Quận X,,,1,0,0,0,0\n002,")
    error = load_error(tiny)
    assert (error.file, error.column) == ("districts.csv", "district_code") and "'003'" in str(error)
    assert error.row == 3
