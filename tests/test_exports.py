"""Exports written for a small hand-made roster on scenarios/tiny, read back and checked.

The roster (tiny: 7 days from Monday 2022-07-25; shifts S 07-12, C 12-17, T 17-22):
- CA001 (home ward 00001): day 0 S operator; day 1 C and T verifier (a 'C+T' cell);
- CA005 (home ward 00004) lent to ward 00001: day 0 S verifier;
- CA002 (home ward 00001): day 1 C operator;
- CA020 (district 001 reserve): day 2 S driver at ward 00006;
- CA011 (district 002, ward 00037): day 3 T operator.
So ward 00001 (Phường Phúc Xá) has 3 officers and 5 officer-shifts (25 h): 2 on day 0 and
3 on day 1; CA001 there works 3 shifts, 15 h.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import icalendar
import openpyxl
import pandas as pd
import pytest

from optimizer.exports import write_deployment_csv, write_district_workbooks, write_officer_calendars, write_roster_csv
from optimizer.exports.atomic import TEMP_SUFFIX, atomic_path
from optimizer.exports.calendar_ics import officer_calendar
from optimizer.exports.roster_table import enrich_roster
from optimizer.exports.roster_xlsx import district_workbook, sheet_names
from optimizer.exports.safe_text import cell_text, restore_text, safe_filename
from optimizer.exports.xlsx_writer import save_workbook
from optimizer.roster.check import read_roster_csv
from optimizer.scenario import load_scenario

TINY = Path(__file__).resolve().parents[1] / "scenarios" / "tiny"
START = dt.date(2022, 7, 25)
STAMP = dt.datetime(2022, 7, 24, 12, 0, tzinfo=dt.UTC)
BOM = b"\xef\xbb\xbf"
EVIL = '=HYPERLINK("http://evil.example","bấm vào đây")'
ROWS = [
    ("CA001", 0, "S", "00001", "operator"),
    ("CA005", 0, "S", "00001", "verifier"),
    ("CA001", 1, "C", "00001", "verifier"),
    ("CA001", 1, "T", "00001", "verifier"),
    ("CA002", 1, "C", "00001", "operator"),
    ("CA020", 2, "S", "00006", "driver"),
    ("CA011", 3, "T", "00037", "operator"),
]


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(TINY)


@pytest.fixture()
def roster(scenario):
    officers = scenario.officers
    return pd.DataFrame([{
        "officer_id": officer_id, "display_name": officers.at[officer_id, "display_name"],
        "district_code": officers.at[officer_id, "district_code"],
        "home_ward": officers.at[officer_id, "home_ward"],
        "date": START + dt.timedelta(days=day), "day": day, "shift": shift,
        "ward_code": ward_code, "role": role,
    } for officer_id, day, shift, ward_code, role in ROWS])


def _plan(scenario) -> pd.DataFrame:
    rows = []
    for ward_code, ward in scenario.wards.iterrows():
        for day in range(scenario.n_days):
            for shift in scenario.shift_codes:
                rows.append({"ward_code": ward_code, "district_code": ward["district_code"],
                             "day": day, "date": START + dt.timedelta(days=day), "shift": shift,
                             "kits_open": 0, "mobile_kits": 0, "home_visit_teams": 0,
                             "letters": 0, "served": 0})
    plan = pd.DataFrame(rows)
    at = lambda ward, day, shift: ((plan["ward_code"] == ward) & (plan["day"] == day)
                                   & (plan["shift"] == shift))
    plan.loc[at("00001", 0, "S"), ["kits_open", "served"]] = [1, 90]
    plan.loc[at("00001", 0, "T"), ["kits_open", "served"]] = [1, 100]
    plan.loc[at("00001", 1, "S"), "letters"] = 40
    for shift in ("S", "C", "T"):   # a mobile kit deployed for day 2 (on site in S and C only)
        plan.loc[at("00006", 2, shift), "mobile_kits"] = 1
    plan.loc[at("00004", 0, "T"), "home_visit_teams"] = 2
    return plan


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(["officer_id", "date", "shift"]).reset_index(drop=True)


def _grid(sheet) -> dict[str, list]:
    """Officer ID -> that officer's row of values on a ward sheet (data starts in row 4)."""
    return {row[0]: list(row) for row in sheet.iter_rows(min_row=4, values_only=True)}


def _parts(path: Path) -> dict[str, bytes]:
    """An XLSX file's parts, without docProps/core.xml (it holds the time of saving)."""
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()
                if name != "docProps/core.xml"}


# --- roster.csv -----------------------------------------------------------------------------

def test_roster_csv_has_bom_and_round_trips(scenario, roster, tmp_path):
    """roster.csv starts with the UTF-8 BOM and reads back equal to the roster."""
    path = write_roster_csv(scenario, roster, tmp_path / "roster.csv")
    assert path.read_bytes().startswith(BOM)
    again = read_roster_csv(path)
    pd.testing.assert_frame_equal(_sorted(again), _sorted(roster), check_dtype=False)
    assert again["district_code"].tolist()[0] == "001"       # codes keep their zeros


def test_roster_csv_columns(scenario, roster, tmp_path):
    """Each row carries ISO date, shift times and ward name, and Excel's encoding shows Vietnamese."""
    path = write_roster_csv(scenario, roster, tmp_path / "roster.csv")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    for column in ("officer_id", "display_name", "date", "shift", "start", "end", "ward_code",
                   "ward_name", "district_code", "role"):
        assert column in frame.columns
    row = frame[(frame["officer_id"] == "CA011")].iloc[0]
    assert (row["date"], row["shift"], row["start"], row["end"]) == ("2022-07-28", "T", "17:00", "22:00")
    assert row["ward_name"] == "Phường Phúc Tân"
    assert len(frame) == len(ROWS)


# --- district workbooks ---------------------------------------------------------------------

def test_one_workbook_per_district_one_sheet_per_ward(scenario, roster, tmp_path):
    """Each district gets rosters/<code>.xlsx with a summary and one sheet per ward."""
    paths = write_district_workbooks(scenario, roster, tmp_path)
    assert sorted(p.name for p in paths) == ["001.xlsx", "002.xlsx"]
    assert all(p.parent == tmp_path / "rosters" for p in paths)
    book = openpyxl.load_workbook(tmp_path / "rosters" / "001.xlsx")
    assert book.sheetnames == ["Tổng hợp", "Phường Phúc Xá", "Phường Trúc Bạch", "Phường Vĩnh Phúc"]
    assert openpyxl.load_workbook(tmp_path / "rosters" / "002.xlsx").sheetnames == [
        "Tổng hợp", "Phường Phúc Tân", "Phường Đồng Xuân"]


def test_ward_sheet_cells_and_totals(scenario, roster, tmp_path):
    """Cells hold the shifts of the day ('C+T'), officers' totals and the per-day totals add up."""
    write_district_workbooks(scenario, roster, tmp_path)
    sheet = openpyxl.load_workbook(tmp_path / "rosters" / "001.xlsx")["Phường Phúc Xá"]
    grid = _grid(sheet)
    first_day, shifts, hours = 4, 4 + 7, 4 + 8          # 0-based positions in a row
    assert grid["CA001"][first_day:first_day + 3] == ["S", "C+T", None]
    assert (grid["CA001"][shifts], grid["CA001"][hours]) == (3, 15)
    assert grid["CA002"][first_day + 1] == "C"
    total = grid["Tổng lượt ca"]
    assert total[first_day:first_day + 7] == [2, 3, 0, 0, 0, 0, 0]
    assert (total[shifts], total[hours]) == (5, 25)


def test_lent_officer_appears_where_they_work(scenario, roster, tmp_path):
    """CA005 (home ward Trúc Bạch) works at Phúc Xá and is listed there, with home unit shown."""
    write_district_workbooks(scenario, roster, tmp_path)
    book = openpyxl.load_workbook(tmp_path / "rosters" / "001.xlsx")
    assert _grid(book["Phường Phúc Xá"])["CA005"][2] == "Phường Trúc Bạch"
    assert "CA005" not in _grid(book["Phường Trúc Bạch"])
    assert _grid(book["Phường Vĩnh Phúc"])["CA020"][2] == "Dự bị quận/huyện"


def test_summary_sheet(scenario, roster, tmp_path):
    """The summary lists per ward its officers, officer-shifts, hours and officer-shifts by day."""
    write_district_workbooks(scenario, roster, tmp_path)
    sheet = openpyxl.load_workbook(tmp_path / "rosters" / "001.xlsx")["Tổng hợp"]
    rows = {row[0]: row for row in sheet.iter_rows(min_row=4, values_only=True)}
    assert rows["00001"][:8] == ("00001", "Phường Phúc Xá", 3, 5, 25, 2, 3, 0)
    assert rows["00004"][2:4] == (0, 0)
    assert rows["Tổng cộng"][2:5] == (4, 6, 30)


def test_frozen_panes_and_print_setup(scenario, roster, tmp_path):
    """Heading rows and name columns are frozen and repeated on landscape pages fitted to width."""
    write_district_workbooks(scenario, roster, tmp_path)
    book = openpyxl.load_workbook(tmp_path / "rosters" / "001.xlsx")
    ward, summary = book["Phường Phúc Xá"], book["Tổng hợp"]
    assert ward.freeze_panes == "E4" and summary.freeze_panes == "C4"
    for sheet in (ward, summary):
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert int(sheet.page_setup.fitToWidth) == 1 and int(sheet.page_setup.fitToHeight) == 0
        assert sheet.print_title_rows.replace("$", "") == "1:3"
    assert ward.print_title_cols.replace("$", "") == "A:D"
    assert "Phường Phúc Xá" in ward.oddHeader.center.text


def test_vietnamese_headers_by_default_english_on_request(scenario, roster, tmp_path):
    """Headings are Vietnamese by default and English with language='en'."""
    write_district_workbooks(scenario, roster, tmp_path / "vi")
    write_district_workbooks(scenario, roster, tmp_path / "en", language="en")
    vi = openpyxl.load_workbook(tmp_path / "vi" / "rosters" / "001.xlsx")
    en = openpyxl.load_workbook(tmp_path / "en" / "rosters" / "001.xlsx")
    assert [c.value for c in vi["Phường Phúc Xá"][3]][:5] == [
        "Mã cán bộ", "Họ và tên", "Đơn vị", "Nhiệm vụ", "T2\n25/07"]
    assert [c.value for c in en["Phường Phúc Xá"][3]][:5] == [
        "Officer ID", "Name", "Home unit", "Roles", "Mon\n25/07"]
    assert en.sheetnames[0] == "Summary"
    assert "Morning" in en["Phường Phúc Xá"]["A2"].value
    with pytest.raises(ValueError, match="language"):
        write_district_workbooks(scenario, roster, tmp_path, language="fr")


def test_cell_styles(scenario, roster, tmp_path):
    """Title, headings, weekend days and totals keep their fonts, fills, borders and alignment."""
    write_district_workbooks(scenario, roster, tmp_path)
    sheet = openpyxl.load_workbook(tmp_path / "rosters" / "001.xlsx")["Phường Phúc Xá"]
    assert sheet["A1"].font.bold and sheet["A1"].font.sz == 14 and not sheet["A1"].border.left.style
    assert not sheet["A2"].has_style
    heading = sheet["E3"]
    assert heading.font.bold and heading.fill.fgColor.rgb.endswith("D9E1F2")
    assert heading.alignment.horizontal == "center" and heading.alignment.wrap_text
    assert heading.border.left.style == "thin" and heading.border.bottom.color.rgb.endswith("808080")
    saturday, monday = sheet["J4"], sheet["L4"]          # 2022-07-30 and 2022-08-01
    assert saturday.fill.fgColor.rgb.endswith("FCE4D6") and saturday.fill.fill_type == "solid"
    assert monday.fill.fill_type is None and monday.alignment.horizontal == "center"
    assert sheet["B4"].alignment.horizontal == "left" and not sheet["B4"].font.bold
    total = next(row for row in sheet.iter_rows(min_row=4) if row[0].value == "Tổng lượt ca")
    assert total[0].font.bold and total[1].fill.fgColor.rgb.endswith("EDEDED")
    assert total[4].font.bold and total[4].alignment.horizontal == "center"


def test_fast_workbook_save_matches_openpyxl(scenario, roster, tmp_path):
    """The workbook writer stores the very parts openpyxl's own save stores, tricky text included."""
    roster.loc[roster["officer_id"] == "CA001", "display_name"] = EVIL
    roster.loc[roster["officer_id"] == "CA002", "display_name"] = "  Lê <Văn> & \"Bình\" "
    rows = enrich_roster(scenario, roster)
    for code in scenario.district_codes:
        district_rows = rows[rows["ward_district_code"] == code]
        for language in ("vi", "en"):
            ours, theirs = tmp_path / f"{code}-{language}-fast.xlsx", tmp_path / f"{code}.xlsx"
            save_workbook(district_workbook(scenario, district_rows, code, language), ours)
            district_workbook(scenario, district_rows, code, language).save(theirs)
            assert _parts(ours) == _parts(theirs)


def test_fast_workbook_save_leaves_other_cells_to_openpyxl(tmp_path):
    """Sheets with cells the direct writer does not handle (formulas, dates, booleans, rich
    styling of empty rows) come out as openpyxl writes them."""
    book = openpyxl.Workbook()
    plain, other = book.active, book.create_sheet("other")
    plain["A1"], plain["B1"], plain["C1"], plain["D1"] = " x", "", 1e20, 2.5
    plain["A3"].font = openpyxl.styles.Font(italic=True)
    plain.row_dimensions[5].height = 20
    other["A1"], other["B1"], other["C1"] = "=SUM(1,2)", dt.date(2022, 7, 25), True
    save_workbook(book, tmp_path / "fast.xlsx")
    book.save(tmp_path / "openpyxl.xlsx")
    assert _parts(tmp_path / "fast.xlsx") == _parts(tmp_path / "openpyxl.xlsx")


def test_workers_write_the_same_files(scenario, roster, tmp_path):
    """Workbooks and calendars written by two processes equal those written by one."""
    for workers in (1, 2):
        folder = tmp_path / str(workers)
        write_district_workbooks(scenario, roster, folder, workers=workers)
        write_officer_calendars(scenario, roster, folder, stamp=STAMP, workers=workers)
    for name in ("001.xlsx", "002.xlsx"):
        assert _parts(tmp_path / "1" / "rosters" / name) == _parts(tmp_path / "2" / "rosters" / name)
    ics = sorted((tmp_path / "1" / "ics").iterdir())
    assert [p.name for p in ics] == sorted(p.name for p in (tmp_path / "2" / "ics").iterdir())
    assert all(p.read_bytes() == (tmp_path / "2" / "ics" / p.name).read_bytes() for p in ics)


def test_sheet_names_are_excel_safe():
    """Sheet names lose forbidden characters, fit in 31 characters and stay unique."""
    long = "Thị trấn Trạm Trôi huyện Hoài Đức thành phố Hà Nội"
    names = sheet_names(["Xã A/B: [mới]*?", long, long, "History", "tổng hợp"], taken=["Tổng hợp"])
    assert names[0] == "Xã AB mới"
    assert all(len(name) <= 31 for name in names)
    assert names[1] == long[:31] and names[2].endswith(" (2)")
    assert len({name.casefold() for name in names + ["Tổng hợp"]}) == 6
    assert names[3] != "History" and names[4].casefold() != "tổng hợp"


# --- calendars ------------------------------------------------------------------------------

def _events(path: Path) -> list:
    return icalendar.Calendar.from_ical(path.read_bytes()).walk("VEVENT")


def test_one_calendar_per_officer_one_event_per_shift(scenario, roster, tmp_path):
    """Every officer gets ics/<id>.ics with as many events as roster rows (none when off duty)."""
    paths = write_officer_calendars(scenario, roster, tmp_path, stamp=STAMP)
    assert len(paths) == len(scenario.officers)
    counts = roster["officer_id"].value_counts()
    for path in paths:
        assert path.parent == tmp_path / "ics"
        assert len(_events(path)) == counts.get(path.stem, 0)


def test_calendar_times_are_local_and_right_in_utc(scenario, roster, tmp_path):
    """07:00 in Hà Nội is 00:00 UTC; events carry TZID Asia/Ho_Chi_Minh with its VTIMEZONE."""
    write_officer_calendars(scenario, roster, tmp_path, stamp=STAMP)
    calendar = icalendar.Calendar.from_ical((tmp_path / "ics" / "CA001.ics").read_bytes())
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Ho_Chi_Minh"]
    utc = dt.UTC
    times = sorted((e.decoded("dtstart").astimezone(utc), e.decoded("dtend").astimezone(utc))
                   for e in calendar.walk("VEVENT"))
    assert times == [
        (dt.datetime(2022, 7, 25, 0, 0, tzinfo=utc), dt.datetime(2022, 7, 25, 5, 0, tzinfo=utc)),
        (dt.datetime(2022, 7, 26, 5, 0, tzinfo=utc), dt.datetime(2022, 7, 26, 10, 0, tzinfo=utc)),
        (dt.datetime(2022, 7, 26, 10, 0, tzinfo=utc), dt.datetime(2022, 7, 26, 15, 0, tzinfo=utc)),
    ]
    assert all(e["DTSTART"].params["TZID"] == "Asia/Ho_Chi_Minh" for e in calendar.walk("VEVENT"))


def test_calendar_summary_location_and_stable_uids(scenario, roster, tmp_path):
    """Events name shift and role, sit at ward and district, and keep the same UIDs when rewritten."""
    write_officer_calendars(scenario, roster, tmp_path / "a", stamp=STAMP)
    write_officer_calendars(scenario, roster.iloc[::-1], tmp_path / "b", stamp=STAMP)
    first = _events(tmp_path / "a" / "ics" / "CA011.ics")[0]
    assert str(first["SUMMARY"]) == "Ca tối – Vận hành máy"
    assert str(first["LOCATION"]) == "Phường Phúc Tân, Quận Hoàn Kiếm"
    uids = [str(e["UID"]) for e in _events(tmp_path / "a" / "ics" / "CA001.ics")]
    assert len(set(uids)) == 3
    for name in ("CA001.ics", "CA011.ics", "CA003.ics"):
        assert (tmp_path / "a" / "ics" / name).read_bytes() == (tmp_path / "b" / "ics" / name).read_bytes()


@pytest.mark.parametrize("language", ["vi", "en"])
def test_calendar_files_are_what_icalendar_writes(scenario, roster, tmp_path, language):
    """Each file is byte for byte `officer_calendar(...).to_ical()`, also for an officer ID that
    needs escaping and folding, a name with commas and a shift listed twice (UID '-2')."""
    odd = "CA,9;" + "x" * 60
    twice = roster.iloc[[0, 0]].assign(officer_id=odd, display_name="Trần; Thị, Ánh \\N")
    roster = pd.concat([roster, twice], ignore_index=True)
    write_officer_calendars(scenario, roster, tmp_path, language=language, stamp=STAMP)
    rows = enrich_roster(scenario, roster)
    names = dict(zip(rows["officer_id"], rows["display_name"]))
    for officer_id, name in scenario.officers["display_name"].items():
        names.setdefault(officer_id, name)
    for officer_id, name in names.items():
        expected = officer_calendar(scenario, rows[rows["officer_id"] == officer_id], officer_id,
                                    name, language, STAMP).to_ical()
        path = tmp_path / "ics" / f"{safe_filename(officer_id)}.ics"
        assert path.read_bytes() == expected, officer_id
    uids = [str(e["UID"]) for e in _events(tmp_path / "ics" / f"{safe_filename(odd)}.ics")]
    assert len(uids) == 2 and uids[1] == uids[0].replace("@", "-2@")


# --- deployment.csv -------------------------------------------------------------------------

def test_deployment_csv(scenario, tmp_path):
    """deployment.csv has one row per ward and day with kits by shift, mobile, teams and letters."""
    path = write_deployment_csv(scenario, _plan(scenario), tmp_path / "deployment.csv")
    assert path.read_bytes().startswith(BOM)
    frame = pd.read_csv(path, dtype={"ward_code": str, "district_code": str}, encoding="utf-8-sig")
    assert len(frame) == len(scenario.wards) * scenario.n_days
    for column in ("kits_S", "kits_C", "kits_T", "mobile_kits", "mobile_sessions",
                   "home_visit_teams", "letters"):
        assert column in frame.columns
    row = lambda ward, day: frame[(frame["ward_code"] == ward) & (frame["day"] == day)].iloc[0]
    assert row("00001", 0)[["kits_S", "kits_C", "kits_T", "served"]].tolist() == [1, 0, 1, 190]
    assert (row("00001", 0)["date"], row("00001", 0)["ward_name"]) == ("2022-07-25", "Phường Phúc Xá")
    assert row("00001", 1)["letters"] == 40
    assert row("00006", 2)[["mobile_kits", "mobile_sessions"]].tolist() == [1, 2]
    assert row("00004", 0)["home_visit_teams"] == 2


# --- formula injection and atomic writes ----------------------------------------------------

@pytest.mark.parametrize("text, safe", [
    ("=1+1", "'=1+1"), ("+84 912", "'+84 912"), ("-2", "-2"), ("-2+3", "'-2+3"), ("+1+1", "'+1+1"),
    ("-1.5e3", "-1.5e3"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("'=x", "''=x"), ("Nguyễn Văn An", "Nguyễn Văn An"),
    ("a=b", "a=b"), ("'quoted", "'quoted"), ("x\x01y", "xy"),
])
def test_cell_text_guard(text, safe):
    """Text that would start a formula (not a plain number) gets one apostrophe, which
    restore_text removes again."""
    assert cell_text(text) == safe
    if "\x01" not in text:
        assert restore_text(safe) == text
    assert cell_text(5) == 5


def test_formula_injection_neutralised(scenario, roster, tmp_path):
    """A display name '=HYPERLINK(...)' is text in CSV and XLSX, and reads back unchanged."""
    roster.loc[roster["officer_id"] == "CA001", "display_name"] = EVIL
    path = write_roster_csv(scenario, roster, tmp_path / "roster.csv")
    assert "'" + EVIL.replace('"', '""') in path.read_text(encoding="utf-8-sig")
    assert set(read_roster_csv(path).query("officer_id == 'CA001'")["display_name"]) == {EVIL}
    write_district_workbooks(scenario, roster, tmp_path)
    sheet = openpyxl.load_workbook(tmp_path / "rosters" / "001.xlsx")["Phường Phúc Xá"]
    cell = next(c for c in sheet["B"] if c.value and "HYPERLINK" in str(c.value))
    assert cell.value == "'" + EVIL and cell.data_type == "s"
    wards = scenario.wards.copy()
    wards.loc["00040", "ward_name"] = "@cmd|' /C calc'!A0"
    deployment = write_deployment_csv(scenario.with_tables(wards=wards), _plan(scenario),
                                      tmp_path / "deployment.csv")
    assert "'@cmd|" in deployment.read_text(encoding="utf-8-sig")


def test_exports_leave_no_temp_files(scenario, roster, tmp_path):
    """Writing every export twice leaves only the final files, none of the temporary ones."""
    for _ in range(2):
        write_roster_csv(scenario, roster, tmp_path / "roster.csv")
        write_district_workbooks(scenario, roster, tmp_path)
        write_officer_calendars(scenario, roster, tmp_path, stamp=STAMP)
        write_deployment_csv(scenario, _plan(scenario), tmp_path / "deployment.csv")
    names = [p.name for p in tmp_path.rglob("*") if p.is_file()]
    assert not [n for n in names if n.endswith(TEMP_SUFFIX) or n.startswith(".")]
    assert len(names) == 2 + 2 + len(scenario.officers)


def test_failed_write_keeps_old_file(tmp_path):
    """A write that fails half-way leaves the previous file intact and no temporary file."""
    path = tmp_path / "roster.csv"
    path.write_text("old")
    with pytest.raises(RuntimeError), atomic_path(path) as temp:
        temp.write_text("half")
        raise RuntimeError("disk full")
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["roster.csv"]


def test_unknown_codes_are_errors(scenario, roster, tmp_path):
    """A roster row with an unknown shift or ward stops the export instead of vanishing."""
    bad = roster.copy()
    bad.loc[0, "shift"] = "N"
    with pytest.raises(ValueError, match="unknown shift 'N'"):
        write_roster_csv(scenario, bad, tmp_path / "roster.csv")
    bad = roster.copy()
    bad.loc[0, "ward_code"] = "99999"
    with pytest.raises(ValueError, match="unknown ward '99999'"):
        write_district_workbooks(scenario, bad, tmp_path)
    assert not (tmp_path / "roster.csv").exists()
