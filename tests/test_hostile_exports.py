"""Exports of hostile names and codes: every CSV cell that would start a formula is
neutralised, calendar properties are escaped by icalendar, derived file names never collide."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import icalendar
import pandas as pd
import pytest

from optimizer.exports import write_district_workbooks, write_officer_calendars
from optimizer.exports.csv_file import csv_bytes
from optimizer.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "scenarios" / "tiny"
START = dt.date(2022, 7, 25)
STAMP = dt.datetime(2022, 7, 24, 12, 0, tzinfo=dt.UTC)
FORMULAS = ['=HYPERLINK("http://x","y")', "@SUM(1+1)", "+1+1", "-2+3", "\tx", "\rx"]


def one_shift_roster(scenario, officer_id: str, name: str) -> pd.DataFrame:
    officers = scenario.officers
    return pd.DataFrame([{
        "officer_id": officer_id, "display_name": name,
        "district_code": officers.at[officer_id, "district_code"],
        "home_ward": officers.at[officer_id, "home_ward"], "date": START, "day": 0, "shift": "S",
        "ward_code": "00001", "role": "operator"}])


@pytest.mark.parametrize("name", ["Nguyễn\nVăn An", "Trần\rThị", "A;B,C\\N", "x" * 150 + "\r\n"])
def test_calendar_of_a_name_with_line_breaks_is_escaped(tmp_path, name):
    """A display name with a newline or a bare CR gives a valid calendar that reads back."""
    scenario = load_scenario(TINY)
    officers = scenario.officers.copy()
    officers.loc["CA001", "display_name"] = name
    scenario = dataclasses.replace(scenario, officers=officers)
    paths = write_officer_calendars(scenario, one_shift_roster(scenario, "CA001", name), tmp_path,
                                    stamp=STAMP)
    data = next(p for p in paths if p.stem == "CA001").read_bytes()
    assert b"\r" not in data.replace(b"\r\n", b"")
    assert all(line[:1] == b" " or b":" in line for line in data.split(b"\r\n") if line)
    calendar = icalendar.Calendar.from_ical(data)
    unfolded = data.replace(b"\r\n ", b"")
    assert b"X-WR-CALNAME:" in unfolded and icalendar.vText(name).to_ical() in unfolded
    assert len(calendar.walk("VEVENT")) == 1


def test_calendars_are_escaped_under_python_optimise(tmp_path):
    """Under `python -O` (no assertions) a name with a newline still gives escaped lines."""
    code = ("import sys, dataclasses; sys.argv = ['x']\n"
            "from tests.test_hostile_exports import *\n"
            f"scenario = load_scenario(TINY)\n"
            "officers = scenario.officers.copy(); officers.loc['CA001', 'display_name'] = 'A\\nEND:VCALENDAR'\n"
            "scenario = dataclasses.replace(scenario, officers=officers)\n"
            f"write_officer_calendars(scenario, one_shift_roster(scenario, 'CA001', 'A\\nEND:VCALENDAR'), "
            f"r'{tmp_path}', stamp=STAMP)\n")
    subprocess.run([sys.executable, "-O", "-c", code], check=True, cwd=ROOT, timeout=120)
    data = (tmp_path / "ics" / "CA001.ics").read_bytes()
    assert data.split(b"\r\n").count(b"END:VCALENDAR") == 1


def test_district_codes_differing_in_vietnamese_letters_write_two_workbooks(tmp_path):
    """District codes `BĐ` and `BĂ` get one workbook each (no roster lost to a shared name)."""
    folder = Path(shutil.copytree(TINY, tmp_path / "tiny"))
    for name in ("districts.csv", "wards.csv", "officers.csv"):
        path = folder / name
        text = path.read_text(encoding="utf-8").replace(",001,", ",BĐ,").replace(",002,", ",BĂ,")
        text = text.replace("\n001,", "\nBĐ,").replace("\n002,", "\nBĂ,")
        path.write_text(text, encoding="utf-8")
    scenario = load_scenario(folder)
    assert sorted(scenario.district_codes) == ["BĂ", "BĐ"]
    roster = one_shift_roster(scenario, "CA001", "An")
    paths = write_district_workbooks(scenario, roster, tmp_path / "out")
    assert len(set(paths)) == 2 and all(path.is_file() for path in paths)


@pytest.mark.parametrize("text", FORMULAS)
def test_csv_download_neutralises_formulas_and_keeps_numbers(text):
    """Every text cell starting a formula gets an apostrophe; numbers, negative ones too, stay numbers."""
    frame = pd.DataFrame({"name": [text, "-5"], "count": [-3, 4]})
    written = pd.read_csv(pd.io.common.BytesIO(csv_bytes(frame)), dtype={"name": str},
                          keep_default_na=False, encoding="utf-8-sig")
    assert written["name"].iloc[0] == "'" + text
    assert written["name"].iloc[1] == "-5"
    assert written["count"].tolist() == [-3, 4]
