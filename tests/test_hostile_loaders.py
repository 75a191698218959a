"""Property-based tests of every loader (scenario TOML and CSV, actuals, uploads): whatever the
input, the result is a `ScenarioError` (or `UploadError`) whose message is one line, or a
scenario whose every number is finite and within the documented ranges."""

from __future__ import annotations

import io
import json
import math
import os
import re
import shutil
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimizer import scenario as scenario_module
from optimizer.cli import main
from optimizer.errors import ScenarioError
from optimizer.nightly.actuals import read_actuals
from optimizer.scenario import load_scenario
from optimizer.ui import upload as upload_module
from optimizer.ui.upload import Upload, UploadError, load_uploaded, table_as_csv

TINY = Path(__file__).resolve().parents[1] / "scenarios" / "tiny"
EXAMPLES = int(os.environ.get("HOSTILE_EXAMPLES", "40"))     # more for a longer hunt
FAST = settings(max_examples=EXAMPLES, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

HOSTILE_NUMBERS = ["nan", "NaN", "inf", "-inf", "Infinity", "1e308", "1e309", "-1e308", "1e30",
                   "9223372036854775808", "-1", "-0", "0", "1", "1.5", "0.0001", "true", "false",
                   "", " ", "0x10", "1_000", "1e3", "+5", "=1+1", "@SUM(A1)", "١٢", "1,5", "None",
                   "\x00", "\u00a0", "1000000000"]
cell_values = st.one_of(st.sampled_from(HOSTILE_NUMBERS),
                        st.text(alphabet=st.characters(codec="utf-8"), max_size=12))
toml_values = st.one_of(
    st.sampled_from(["nan", "inf", "-inf", "+inf", "1e308", "-1e308", "true", "false", "0",
                     "-1", "1000000000", "9223372036854775807", "-9223372036854775808", "0.5",
                     '""', '"x"', "[]", "{}", "1979-05-27", '"Mars/Olympus"', '"../../etc/passwd"']),
    st.integers(min_value=-2**63, max_value=2**63 - 1).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(
        lambda x: "nan" if math.isnan(x) else ("inf" if x == math.inf else
                                                ("-inf" if x == -math.inf else repr(x)))),
    st.text(max_size=8).map(json.dumps))

TOML_LINES = [i for i, line in enumerate((TINY / "campaign.toml").read_text(encoding="utf-8").splitlines())
              if re.match(r"\s*[A-Za-z_]+\s*=", line)]


def one_line_error(error: Exception) -> None:
    message = str(error)
    assert message and len(message.splitlines()) == 1 and "\r" not in message, repr(message)


def assert_sane(scenario) -> None:
    """Every number the scenario holds is finite and inside the documented ranges."""
    def walk(value, key=""):
        if isinstance(value, dict):
            for name, inner in value.items():
                walk(inner, f"{key}.{name}")
        elif isinstance(value, (list, tuple)):
            for inner in value:
                walk(inner, key)
        elif isinstance(value, bool):
            raise AssertionError(f"boolean at {key}")
        elif isinstance(value, (int, float)):
            assert math.isfinite(value) and abs(value) <= 2**31, (key, value)
    walk(scenario.settings.model_dump())
    wards = scenario.wards
    for column in scenario_module.WARD_COLUMNS[3:]:
        assert wards[column].between(0, scenario_module.MAX_PEOPLE_PER_WARD).all(), column
    assert wards["fixed_kits"].le(scenario_module.MAX_FIXED_KITS_PER_WARD).all()
    assert scenario.districts["mobile_kits"].between(0, scenario_module.MAX_MOBILE_KITS).all()
    if scenario.officers is not None:
        hours = scenario.officers["max_hours_per_week"].dropna()
        assert hours.between(0, 168).all()
    scenario_module.officer_counts(scenario)
    assert len(scenario.dates) == scenario.n_days


def load_or_error(folder: Path) -> None:
    try:
        scenario = load_scenario(folder)
    except ScenarioError as error:
        one_line_error(error)
    else:
        assert_sane(scenario)


@pytest.fixture(scope="module")
def workspace():
    with tempfile.TemporaryDirectory(prefix="hostile-") as folder:
        yield Path(folder)


def fresh_copy(workspace: Path) -> Path:
    folder = workspace / "tiny"
    shutil.rmtree(folder, ignore_errors=True)
    return Path(shutil.copytree(TINY, folder))


@FAST
@given(line=st.sampled_from(TOML_LINES), value=toml_values)
def test_any_toml_value_gives_one_line_error_or_sane_scenario(workspace, line, value):
    """Replacing any campaign.toml value with any TOML value loads sanely or fails with one line."""
    folder = fresh_copy(workspace)
    path = folder / "campaign.toml"
    lines = path.read_text(encoding="utf-8").splitlines()
    key = lines[line].split("=", 1)[0]
    lines[line] = f"{key}= {value}"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    load_or_error(folder)


@FAST
@given(name=st.sampled_from(["wards.csv", "districts.csv", "officers.csv", "requests.csv"]),
       row=st.integers(min_value=1, max_value=4), column=st.integers(min_value=0, max_value=12),
       value=cell_values)
def test_any_csv_cell_gives_one_line_error_or_sane_scenario(workspace, name, row, column, value):
    """Replacing any cell of any table with hostile text loads sanely or fails with one line."""
    folder = fresh_copy(workspace)
    path = folder / name
    lines = path.read_text(encoding="utf-8").splitlines()
    row = min(row, len(lines) - 1)
    cells = lines[row].split(",")
    column = min(column, len(cells) - 1)
    cells[column] = '"' + value.replace('"', '""') + '"' if any(c in value for c in ',"\n\r') else value
    lines[row] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    load_or_error(folder)


@FAST
@given(name=st.sampled_from(["wards.csv", "districts.csv", "officers.csv", "requests.csv"]),
       row=st.integers(min_value=0, max_value=4),
       edit=st.sampled_from(["trailing comma", "extra value", "drop last", "drop first", "quote",
                             "blank line", "duplicate row", "bom", "crlf", "nul"]))
def test_any_row_shape_gives_one_line_error_or_sane_scenario(workspace, name, row, edit):
    """Stray commas, missing values, quotes and blank lines load sanely or fail with one line."""
    folder = fresh_copy(workspace)
    path = folder / name
    lines = path.read_text(encoding="utf-8").splitlines()
    row = min(row, len(lines) - 1)
    changed = {"trailing comma": lambda t: t + ",", "extra value": lambda t: t + ",7",
               "drop last": lambda t: t.rsplit(",", 1)[0], "drop first": lambda t: t.split(",", 1)[-1],
               "quote": lambda t: '"' + t, "blank line": lambda t: t + "\n\n",
               "duplicate row": lambda t: t + "\n" + t, "bom": lambda t: "\ufeff" + t,
               "crlf": lambda t: t + "\r", "nul": lambda t: t + "\x00"}[edit]
    lines[row] = changed(lines[row])
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    load_or_error(folder)


ACTUALS_HEADER = "ward_code,date,enrolled,enrolled_walk_in,kits_open_S"


@FAST
@given(column=st.integers(min_value=0, max_value=4), value=cell_values,
       shape=st.sampled_from(["", ",", ",9", "\r"]))
def test_any_actuals_value_gives_one_line_error_or_sane_counts(workspace, column, value, shape):
    """Any hostile actuals cell is refused with one line or read as whole counts in range."""
    scenario = load_scenario(TINY)
    cells = ["00001", "2022-07-25", "10", "4", "1"]
    cells[column] = '"' + value.replace('"', '""') + '"' if any(c in value for c in ',"\n\r') else value
    path = workspace / "actuals.csv"
    path.write_text(f"{ACTUALS_HEADER}\n{','.join(cells)}{shape}\n", encoding="utf-8")
    import datetime as dt
    try:
        frame = read_actuals(path, scenario, dt.date(2022, 7, 26))
    except ScenarioError as error:
        one_line_error(error)
    else:
        for name in ("enrolled", "enrolled_walk_in", "kits_open_S"):
            values = frame[name].dropna()
            assert values.between(0, scenario_module.MAX_PEOPLE_PER_WARD).all()


@FAST
@given(data=st.binary(max_size=300), name=st.sampled_from(["w.xlsx", "w.csv", "w.xlsm", "w.txt"]))
def test_any_uploaded_table_gives_one_line_error_or_sane_scenario(data, name):
    """Any bytes uploaded as a wards table give an UploadError, a one-line ScenarioError or a sane scenario."""
    try:
        scenario, _ = load_uploaded(base_folder=TINY, wards=Upload(name, data))
    except (UploadError, ScenarioError) as error:
        one_line_error(error)
    else:
        assert_sane(scenario)


@FAST
@given(members=st.dictionaries(st.sampled_from(["campaign.toml", "wards.csv", "x/campaign.toml",
                                                "../evil.csv", "districts.csv"]),
                               st.binary(max_size=200), max_size=4))
def test_any_uploaded_zip_gives_one_line_error_or_sane_scenario(members):
    """Any zip of scenario-like members gives a one-line error or a sane scenario."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for member, data in members.items():
            archive.writestr(member, data)
    try:
        scenario, _ = load_uploaded(scenario_zip=Upload("s.zip", buffer.getvalue()))
    except (UploadError, ScenarioError) as error:
        one_line_error(error)
    else:
        assert_sane(scenario)


def xlsx_bytes(rows: list[list], extra: dict[str, bytes] | None = None) -> bytes:
    import openpyxl
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    if not extra:
        return buffer.getvalue()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, source.read(info))
        for member, data in extra.items():
            target.writestr(member, data)
    return out.getvalue()


def test_xlsx_that_unpacks_too_large_is_refused():
    """A small workbook whose parts unpack past the limit is refused before it is read."""
    data = xlsx_bytes([["ward_code"]], {"xl/media/padding.bin": bytes(60 * 2**20)})
    assert len(data) < 2**20
    with pytest.raises(UploadError) as caught:
        table_as_csv(Upload("w.xlsx", data))
    assert caught.value.code == "too_large_unzipped"


def test_xlsx_with_too_many_cells_is_refused(monkeypatch):
    """A sheet past the cell limit (here a far-away cell padding thousands of rows) is refused."""
    monkeypatch.setattr(upload_module, "MAX_TABLE_CELLS", 1_000)
    rows = [["ward_code"]] + [[None]] * 5_000 + [["x"]]
    with pytest.raises(UploadError) as caught:
        table_as_csv(Upload("w.xlsx", xlsx_bytes(rows)))
    assert caught.value.code == "too_many_cells"


def test_cli_exits_2_with_one_line_on_hostile_scenario(tmp_path, capsys):
    """`plan` on a scenario with `fixed_kits = 1000000000` exits 2 with one line, writing nothing."""
    folder = Path(shutil.copytree(TINY, tmp_path / "tiny"))
    path = folder / "wards.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].rsplit(",", 1)[0] + ",1000000000"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["plan", str(folder), "--out", str(tmp_path / "out"), "--no-roster"]) == 2
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1 and "fixed_kits" in error
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("option, value", [("--time-limit", "nan"), ("--time-limit", "inf"),
                                           ("--time-limit", "-1"), ("--workers", "0"),
                                           ("--workers", "many"), ("--seed", "-1"),
                                           ("--seed", "99999999999999999999")])
def test_cli_refuses_hostile_option_values_with_one_line(tmp_path, capsys, option, value):
    """Non-finite, negative or non-numeric option values exit 2 with one line, before any work."""
    with pytest.raises(SystemExit) as caught:
        main(["plan", str(TINY), "--out", str(tmp_path / "out"), option, value])
    assert caught.value.code == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()
