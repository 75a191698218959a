"""The scenario loader on bad input: one broken thing per test, one readable error naming it.

Each test copies scenarios/tiny to a temporary folder, breaks one file and expects
`ScenarioError` whose message names the file, the row and column (or the TOML key) and the
problem. The last tests load the real Hà Nội scenario.
"""

from __future__ import annotations

import shutil
import unicodedata
from pathlib import Path

import pytest

from optimizer.errors import ScenarioError
from optimizer.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
TINY = SCENARIOS / "tiny"
HANOI = SCENARIOS / "hanoi-2022"


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    folder = tmp_path / "tiny"
    shutil.copytree(TINY, folder)
    return folder


def edit(folder: Path, name: str, old: str, new: str) -> None:
    """Replace the first occurrence of `old` in a scenario file (which must contain it)."""
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def load_error(folder: Path) -> ScenarioError:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(folder)
    message = str(caught.value)
    assert "\n" not in message
    return caught.value


def assert_names(error: ScenarioError, file: str, *, row: int | None = None, column: str | None = None,
                 key: str | None = None, problem: str) -> None:
    message = str(error)
    assert message.startswith(f"{file}: "), message
    if row is not None:
        assert error.row == row and f"row {row}" in message, message
    if column is not None:
        assert error.column == column and f"column {column}" in message, message
    if key is not None:
        assert error.key == key and f"key {key}" in message, message
    assert problem in message, message


# --- tables ---------------------------------------------------------------------------------

def test_unknown_district_code_in_wards(tiny):
    """A ward pointing at a district that districts.csv does not list is named by row and column."""
    edit(tiny, "wards.csv", "00004,Phường Trúc Bạch,001", "00004,Phường Trúc Bạch,099")
    assert_names(load_error(tiny), "wards.csv", row=3, column="district_code",
                 problem="unknown district code '099'")


def test_unknown_home_ward_in_officers(tiny):
    """An officer whose home ward is not in wards.csv is named by row and column."""
    edit(tiny, "officers.csv", "CA005,(synthetic) Hoàng Văn Em,001,00004",
         "CA005,(synthetic) Hoàng Văn Em,001,00005")
    assert_names(load_error(tiny), "officers.csv", row=6, column="home_ward",
                 problem="unknown ward code '00005'")


def test_negative_count(tiny):
    """A negative count is refused with its row and column."""
    edit(tiny, "wards.csv", "7065,5500,4700,40,540", "7065,5500,4700,-40,540")
    assert_names(load_error(tiny), "wards.csv", row=3, column="cannot_enroll", problem="-40 is negative")


def test_non_numeric_count(tiny):
    """A count that is not a number is refused with its row, column and text."""
    edit(tiny, "districts.csv", "002,Quận Hoàn Kiếm,21.02885,105.85381,1,",
         "002,Quận Hoàn Kiếm,21.02885,105.85381,một,")
    assert_names(load_error(tiny), "districts.csv", row=3, column="mobile_kits",
                 problem="'một' is not a number")


def test_fractional_count(tiny):
    """A count with a fraction is refused: people and kits are whole."""
    edit(tiny, "wards.csv", "00040,Phường Đồng Xuân,002,10000", "00040,Phường Đồng Xuân,002,10000.5")
    assert_names(load_error(tiny), "wards.csv", row=6, column="population",
                 problem="'10000.5' is not a whole number")


def test_duplicate_ward_code(tiny):
    """A ward code listed twice is refused at its second row."""
    edit(tiny, "wards.csv", "00006,Phường Vĩnh Phúc", "00004,Phường Vĩnh Phúc")
    assert_names(load_error(tiny), "wards.csv", row=4, column="ward_code",
                 problem="duplicate ward_code '00004'")


def test_missing_column(tiny):
    """A table without a required column names that column."""
    path = tiny / "wards.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(line.rsplit(",", 1)[0] for line in lines) + "\n", encoding="utf-8")
    assert_names(load_error(tiny), "wards.csv", column="fixed_kits", problem="missing column")


def test_unknown_column(tiny):
    """A column the format does not define is refused, not silently ignored."""
    path = tiny / "officers.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = [lines[0] + ",rank"] + [line + ",đại úy" for line in lines[1:]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert_names(load_error(tiny), "officers.csv", column="rank", problem="unknown column")


def test_bad_leave_date(tiny):
    """A leave date that is not an ISO date is named by row, column and text."""
    edit(tiny, "officers.csv", "operator|verifier,2022-07-28,", "operator|verifier,2022-07-28|2022-13-01,")
    assert_names(load_error(tiny), "officers.csv", row=2, column="leave_dates",
                 problem="bad date '2022-13-01'")


def test_cohorts_must_add_up(tiny):
    """Cohorts that do not add up to eligible - enrolled - cannot_enroll are refused with both sums."""
    edit(tiny, "wards.csv", "2200,650,120,180,1", "2200,650,120,181,1")
    assert_names(load_error(tiny), "wards.csv", row=4, column="walk_in",
                 problem="cohorts add up to 3151 but eligible - already_enrolled - cannot_enroll is 3150")


def test_empty_table(tiny):
    """A table with a header and no rows is refused as empty."""
    path = tiny / "wards.csv"
    path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    assert_names(load_error(tiny), "wards.csv", problem="empty table (no rows)")


def test_missing_file(tiny):
    """A required file that is absent is named."""
    (tiny / "districts.csv").unlink()
    assert_names(load_error(tiny), "districts.csv", problem="file is missing")


def test_file_not_utf8(tiny):
    """A table saved in another encoding (latin-1) is refused with the line of the first bad byte."""
    path = tiny / "wards.csv"
    lines = [line.encode("utf-8") for line in path.read_text(encoding="utf-8").splitlines()]
    lines[2] = "00004,Trúc Bach,001,7065,5500,4700,40,540,150,30,40,1".encode("latin-1")
    path.write_bytes(b"\n".join(lines) + b"\n")
    error = load_error(tiny)
    assert_names(error, "wards.csv", problem="not UTF-8")
    assert "line 3" in str(error)


def test_names_come_back_nfc(tiny):
    """Vietnamese names written decomposed (NFD) are read back composed (NFC), so they compare equal."""
    name = "Phường Vĩnh Phúc"
    decomposed = unicodedata.normalize("NFD", name)
    assert decomposed != name
    edit(tiny, "wards.csv", name, decomposed)
    edit(tiny, "officers.csv", "Nguyễn Văn An", unicodedata.normalize("NFD", "Nguyễn Văn An"))
    scenario = load_scenario(tiny)
    assert scenario.wards.at["00006", "ward_name"] == name
    assert scenario.officers.at["CA001", "display_name"] == "(synthetic) Nguyễn Văn An"


def test_codes_keep_leading_zeros(tiny):
    """Ward and district codes are strings kept as written, leading zeros included."""
    scenario = load_scenario(tiny)
    assert list(scenario.districts.index) == ["001", "002"]
    assert list(scenario.wards.index) == ["00001", "00004", "00006", "00037", "00040"]


# --- campaign.toml --------------------------------------------------------------------------

def test_unknown_toml_key(tiny):
    """A key the format does not define is refused with its dotted name, not ignored."""
    edit(tiny, "campaign.toml", "days = 7\n", "days = 7\nweeks = 1\n")
    assert_names(load_error(tiny), "campaign.toml", key="campaign.weeks", problem="unknown key")


def test_bad_date_in_toml(tiny):
    """A start date that is not a date is refused with its key and value."""
    edit(tiny, "campaign.toml", "start_date = 2022-07-25", 'start_date = "25/07/2022"')
    assert_names(load_error(tiny), "campaign.toml", key="campaign.start_date",
                 problem="bad date '25/07/2022'")


def test_impossible_date_literal_in_toml(tiny):
    """An impossible TOML date literal (a syntax error to the TOML parser) still names its key and line."""
    edit(tiny, "campaign.toml", "start_date = 2022-07-25", "start_date = 2022-07-32")
    error = load_error(tiny)
    assert_names(error, "campaign.toml", key="campaign.start_date", problem="not valid TOML")
    assert "line 6" in str(error) and "2022-07-32" in str(error)


def test_missing_toml_section(tiny):
    """A required section that is absent is named."""
    edit(tiny, "campaign.toml", "[home_visit]", "[home_visits]")
    assert_names(load_error(tiny), "campaign.toml", key="home_visit", problem="required key is missing")


# --- the real scenario --------------------------------------------------------------------------

HANOI_TOTALS = {   # as stated in scenarios/hanoi-2022/README.md, "Totals"
    "population": 8_435_652, "eligible": 6_694_555, "already_enrolled": 4_928_281,
    "cannot_enroll": 66_510, "walk_in": 1_181_048, "invited": 337_840, "homebound": 52_010,
    "institution": 128_866, "fixed_kits": 625, "working_groups": 5_247,
}


def test_hanoi_loads_with_readme_totals():
    """The Hà Nội scenario loads with 30 districts, 579 wards and the totals its README states."""
    scenario = load_scenario(HANOI)
    assert len(scenario.districts) == 30
    assert len(scenario.wards) == 579
    assert scenario.total_target == 1_699_764
    for column, total in HANOI_TOTALS.items():
        assert int(scenario.wards[column].sum()) == total, column
    assert int(scenario.districts["mobile_kits"].sum()) == 92
    assert scenario.city_mobile_kits == 20
    assert len(scenario.officers) == 2_619
    assert len(scenario.requests) == 300
    readme = (HANOI / "README.md").read_text(encoding="utf-8")
    for total in [*HANOI_TOTALS.values(), 1_699_764, 2_619]:
        assert f"{total:,}" in readme or str(total) in readme, total


def test_hanoi_working_groups_are_one_a_ward_and_the_rest_by_target():
    """Each ward's working groups: 1, plus its share of the other 4,668 by target, rounded by
    largest remainder (ties to the earlier ward), so they sum to the campaign's 5,247."""
    from fractions import Fraction

    scenario = load_scenario(HANOI)
    wards = scenario.wards
    targets = [int(t) for t in wards["target"]]
    rest = 5_247 - len(wards)
    quotas = [Fraction(rest * t, sum(targets)) for t in targets]
    expected = [q.numerator // q.denominator for q in quotas]
    by_remainder = sorted(range(len(quotas)), key=lambda i: (expected[i] - quotas[i], i))
    for i in by_remainder[:rest - sum(expected)]:
        expected[i] += 1
    assert [int(g) for g in wards["working_groups"]] == [1 + e for e in expected]
    assert int(wards["working_groups"].sum()) == 5_247 and int(wards["working_groups"].min()) >= 1
    assert scenario.settings.demand.calls_per_group_day == 5.0


def test_hanoi_names_match_the_shared_reference():
    """Every Hà Nội ward and district keeps its GSO code and exact NFC name from the source copy."""
    import csv

    scenario = load_scenario(HANOI)
    with (HANOI / "source" / "wards.csv").open(encoding="utf-8", newline="") as handle:
        source = {row["ward_code"]: row for row in csv.DictReader(handle)}
    assert set(source) == set(scenario.wards.index)
    for code, row in source.items():
        assert scenario.wards.at[code, "ward_name"] == unicodedata.normalize("NFC", row["ward_name"])
        assert scenario.wards.at[code, "district_code"] == row["district_code"]
    names = scenario.districts["district_name"]
    assert names["001"] == "Quận Ba Đình" and names["281"] == "Huyện Ứng Hòa"
    assert all(name.startswith("(synthetic) ") for name in scenario.officers["display_name"])
