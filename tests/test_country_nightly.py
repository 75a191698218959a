"""The nightly re-plan of a country: one national actuals file split by province, each province
re-planned with its own store history; errors told against the national file's rows."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from optimizer.cli import main
from optimizer.country.folders import province_folders
from optimizer.country.sample import make_sample_country
from optimizer.nightly.views import run_history

CODES = ["01", "02"]


@pytest.fixture(scope="module")
def country(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("country") / "country"
    make_sample_country(folder, CODES)
    return folder


def national_actuals(country: Path, path: Path, days: list[str], per_ward_day: int = 150) -> Path:
    """One national actuals file: every ward of every province, `per_ward_day` people a day."""
    rows = []
    for province in province_folders(country):
        wards = pd.read_csv(province.path / "wards.csv", dtype=str)["ward_code"]
        rows += [{"ward_code": w, "date": d, "enrolled": per_ward_day} for d in days for w in wards]
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def nightly(country: Path, actuals: Path, as_of: str, store: Path, out: Path) -> int:
    return main(["nightly", str(country), "--actuals", str(actuals), "--as-of", as_of, "--store", str(store),
                 "--out", str(out), "--no-roster", "--workers", "1"])


def test_country_night_replans_every_province_with_its_own_history(country, tmp_path):
    """Each province publishes in its own store; a re-run adds nothing; the next night adds a run."""
    store, out = tmp_path / "store", tmp_path / "out"
    first = national_actuals(country, tmp_path / "actuals-1.csv", ["2022-07-25"])
    assert nightly(country, first, "2022-07-25", store, out) == 0
    provinces = pd.read_csv(out / "provinces.csv", dtype={"province_code": str})
    assert list(provinces["status"]) == ["published", "published"]
    assert list(provinces["rows"]) == [5, 5]
    for folder in province_folders(country):
        assert (out / folder.name / "summary.json").is_file()
        history = run_history(store / f"{folder.name}.sqlite")
        assert sorted(history["kind"]) == ["initial", "nightly"]
        summary = json.loads((out / folder.name / "summary.json").read_text(encoding="utf-8"))
        assert summary["enrolled_to_date"] == 5 * 150
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["totals"]["enrolled_to_date"] == 10 * 150 and summary["provinces_replanned"] == 2

    assert nightly(country, first, "2022-07-25", store, out) == 0      # same night again
    provinces = pd.read_csv(out / "provinces.csv", dtype={"province_code": str})
    assert list(provinces["status"]) == ["rerun", "rerun"]
    assert len(run_history(store / "01-ha-noi.sqlite")) == 2

    second = national_actuals(country, tmp_path / "actuals-2.csv", ["2022-07-25", "2022-07-26"])
    assert nightly(country, second, "2022-07-26", store, out) == 0
    for folder in province_folders(country):
        assert sorted(run_history(store / f"{folder.name}.sqlite")["kind"]) == ["initial", "nightly", "nightly"]


def test_unknown_ward_in_national_file_exits_2_naming_its_row(country, tmp_path, capsys):
    """A ward of no province is bad input naming the national file, row and column; nothing runs."""
    actuals = national_actuals(country, tmp_path / "actuals.csv", ["2022-07-25"])
    frame = pd.read_csv(actuals, dtype=str)
    frame.loc[6, "ward_code"] = "9900001"
    frame.to_csv(actuals, index=False)
    store, out = tmp_path / "store", tmp_path / "out"
    assert nightly(country, actuals, "2022-07-25", store, out) == 2
    assert "actuals.csv: row 8, column ward_code: unknown ward code '9900001'" in capsys.readouterr().err
    assert not out.exists() and not list(store.glob("*.sqlite"))


def test_bad_row_of_one_province_is_told_against_the_national_file(country, tmp_path, capsys):
    """A bad count in a province's rows names the national file's row; the other province publishes; exit 2."""
    actuals = national_actuals(country, tmp_path / "actuals.csv", ["2022-07-25"])
    frame = pd.read_csv(actuals, dtype=str)
    frame.loc[7, "enrolled"] = "-4"           # national row 9, a ward of province 02
    frame.to_csv(actuals, index=False)
    store, out = tmp_path / "store", tmp_path / "out"
    assert nightly(country, actuals, "2022-07-25", store, out) == 2
    provinces = pd.read_csv(out / "provinces.csv", dtype={"province_code": str}).set_index("province_code")
    assert provinces.loc["01", "status"] == "published" and provinces.loc["02", "status"] == "bad input"
    assert provinces.loc["02", "error"].startswith("actuals.csv: row 9, column enrolled")
    assert "province 02" in capsys.readouterr().err
