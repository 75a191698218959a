"""District roster workbooks: `rosters/<district_code>.xlsx`, one grid sheet per ward plus a
summary, ready to print and pin on a ward police HQ's wall.

A ward sheet lists the officers who work at that ward (whatever their home ward) down the side
and the campaign days across; a cell holds the shift codes worked that day ('S', 'C+T'), and the
totals give shifts and hours per officer (at this ward) and officer-shifts per day.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..scenario import ROLES, Scenario
from .atomic import atomic_path
from .labels import check_language, day_header, label, role_name, shift_name
from .roster_table import enrich_roster
from .safe_text import cell_text, safe_filename

TITLE_ROWS = 3            # title, shift key, column headings
FIRST_DATA_ROW = TITLE_ROWS + 1
OFFICER_COLUMNS = 4       # officer ID, name, home unit, roles
SUMMARY_COLUMNS = 5       # ward code, ward name, officers, officer-shifts, hours
SHEET_NAME_MAX = 31
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_RESERVED_SHEET_NAMES = {"history"}   # Excel reserves this name

_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_HEADING_FILL = PatternFill("solid", fgColor="D9E1F2")
_WEEKEND_FILL = PatternFill("solid", fgColor="FCE4D6")
_TOTAL_FILL = PatternFill("solid", fgColor="EDEDED")
_THIN = Side(style="thin", color="808080")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=False)


def write_district_workbooks(scenario: Scenario, roster: pd.DataFrame, folder: str | Path,
                             language: str = "vi") -> list[Path]:
    """Write `<folder>/rosters/<district_code>.xlsx` for every district; return the paths.

    Headings are Vietnamese by default, English with `language='en'`. Rows are placed by the
    ward worked (an officer lent to another ward appears on that ward's sheet).
    """
    check_language(language)
    rows = enrich_roster(scenario, roster)
    by_district = dict(tuple(rows.groupby("ward_district_code", sort=False)))
    out = Path(folder) / "rosters"
    paths = []
    for district_code in scenario.district_codes:
        workbook = district_workbook(scenario, by_district.get(district_code, rows.iloc[0:0]),
                                     district_code, language)
        path = out / f"{safe_filename(district_code)}.xlsx"
        with atomic_path(path) as temp:
            workbook.save(temp)
        paths.append(path)
    return paths


def district_workbook(scenario: Scenario, rows: pd.DataFrame, district_code: str,
                      language: str = "vi") -> Workbook:
    """The workbook of one district from enriched roster rows (`enrich_roster`) of its wards."""
    district_name = str(scenario.districts.at[district_code, "district_name"])
    wards = scenario.wards_of(district_code).sort_index()
    workbook = Workbook()
    summary = workbook.active
    summary.title = sheet_names([label("summary_sheet", language)])[0]
    names = sheet_names(list(wards["ward_name"]), taken=[summary.title])
    by_ward = dict(tuple(rows.groupby("ward_code", sort=False)))
    for (ward_code, ward), name in zip(wards.iterrows(), names):
        sheet = workbook.create_sheet(name)
        _ward_sheet(sheet, scenario, by_ward.get(ward_code, rows.iloc[0:0]),
                    str(ward["ward_name"]), district_name, language)
    _summary_sheet(summary, scenario, rows, wards, district_name, language)
    return workbook


def sheet_names(names: list[str], taken: list[str] = ()) -> list[str]:
    """Excel-safe sheet names: forbidden characters removed, at most 31 characters, unique
    (Excel compares names case-insensitively), in the order given."""
    used = {name.casefold() for name in taken} | _RESERVED_SHEET_NAMES
    result = []
    for raw in names:
        base = _SHEET_FORBIDDEN.sub("", str(raw)).strip().strip("'").strip() or "Sheet"
        name, number = base[:SHEET_NAME_MAX].rstrip("'"), 1
        while name.casefold() in used:
            number += 1
            suffix = f" ({number})"
            name = base[:SHEET_NAME_MAX - len(suffix)].rstrip().rstrip("'") + suffix
        used.add(name.casefold())
        result.append(name)
    return result


# --- sheets ---------------------------------------------------------------------------------

def _ward_sheet(sheet: Worksheet, scenario: Scenario, rows: pd.DataFrame, ward_name: str,
                district_name: str, language: str) -> None:
    dates = scenario.dates
    first_day_column = OFFICER_COLUMNS + 1
    shifts_column = first_day_column + len(dates)
    hours_column = shifts_column + 1
    title = label("roster_title", language, ward=ward_name, district=district_name)
    _put(sheet, 1, 1, title, font=_TITLE)
    _put(sheet, 2, 1, _shift_key(scenario, language))
    headings = [label(key, language) for key in ("officer_id", "display_name", "home_unit", "roles")]
    headings += [day_header(date, language) for date in dates]
    headings += [label("shifts", language), label("hours", language)]
    for column, heading in enumerate(headings, start=1):
        _put(sheet, TITLE_ROWS, column, heading, font=_BOLD, fill=_HEADING_FILL, align=_CENTRE)
    ward_names = scenario.wards["ward_name"].astype(str).to_dict()
    # officer -> day -> shift codes in clock order; officer -> (name, home ward, roles, hours)
    cells: dict[str, dict[int, list[str]]] = {}
    officers: dict[str, list] = {}
    for row in rows.sort_values(["officer_id", "day", "shift_index"]).itertuples(index=False):
        cells.setdefault(row.officer_id, {}).setdefault(row.day, []).append(row.shift)
        officer = officers.setdefault(row.officer_id, [row.display_name, row.home_ward, set(), 0.0, 0])
        officer[2].add(row.role)
        officer[3] += row.hours
        officer[4] += 1
    weekend = [date.weekday() >= 5 for date in dates]
    row_number = FIRST_DATA_ROW
    for officer_id, (display_name, home, roles, hours, shifts) in officers.items():
        home_unit = (ward_names[home] if home in ward_names
                     else home or label("district_reserve", language))
        ordered = [role for role in ROLES if role in roles] + sorted(roles - set(ROLES))
        values = [officer_id, display_name, home_unit,
                  ", ".join(role_name(role, language) for role in ordered)]
        for column, value in enumerate(values, start=1):
            _put(sheet, row_number, column, value, align=_LEFT)
        for day in range(len(dates)):
            codes = cells[officer_id].get(day)
            _put(sheet, row_number, first_day_column + day, "+".join(codes) if codes else None,
                 align=_CENTRE, fill=_WEEKEND_FILL if weekend[day] else None)
        _put(sheet, row_number, shifts_column, shifts, align=_CENTRE)
        _put(sheet, row_number, hours_column, _number(hours), align=_CENTRE)
        row_number += 1
    _put(sheet, row_number, 1, label("day_total", language), font=_BOLD, fill=_TOTAL_FILL)
    for column in range(2, first_day_column):
        _put(sheet, row_number, column, None, fill=_TOTAL_FILL)
    per_day = rows["day"].value_counts().to_dict()
    for day in range(len(dates)):
        _put(sheet, row_number, first_day_column + day, int(per_day.get(day, 0)),
             font=_BOLD, fill=_TOTAL_FILL, align=_CENTRE)
    _put(sheet, row_number, shifts_column, len(rows), font=_BOLD, fill=_TOTAL_FILL, align=_CENTRE)
    _put(sheet, row_number, hours_column, _number(rows["hours"].sum()), font=_BOLD,
         fill=_TOTAL_FILL, align=_CENTRE)
    widths = [12, 30, 20, 24] + [7] * len(dates) + [8, 8]
    _layout(sheet, widths, OFFICER_COLUMNS, title, language)


def _summary_sheet(sheet: Worksheet, scenario: Scenario, rows: pd.DataFrame, wards: pd.DataFrame,
                   district_name: str, language: str) -> None:
    dates = scenario.dates
    title = label("summary_title", language, district=district_name)
    _put(sheet, 1, 1, title, font=_TITLE)
    _put(sheet, 2, 1, scenario.name)
    headings = [label(key, language) for key in
                ("ward_code", "ward_name", "officers", "officer_shifts", "hours")]
    headings += [day_header(date, language) for date in dates]
    for column, heading in enumerate(headings, start=1):
        _put(sheet, TITLE_ROWS, column, heading, font=_BOLD, fill=_HEADING_FILL, align=_CENTRE)
    row_number = FIRST_DATA_ROW
    by_ward = dict(tuple(rows.groupby("ward_code", sort=False)))
    for ward_code, ward in wards.iterrows():
        worked = by_ward.get(ward_code, rows.iloc[0:0])
        per_day = worked["day"].value_counts().to_dict()
        values = [ward_code, str(ward["ward_name"]), worked["officer_id"].nunique(), len(worked),
                  _number(worked["hours"].sum())]
        values += [int(per_day.get(day, 0)) for day in range(len(dates))]
        for column, value in enumerate(values, start=1):
            _put(sheet, row_number, column, value, align=_LEFT if column <= 2 else _CENTRE)
        row_number += 1
    totals = [label("total", language), None, rows["officer_id"].nunique(), len(rows),
              _number(rows["hours"].sum())]
    per_day = rows["day"].value_counts().to_dict()
    totals += [int(per_day.get(day, 0)) for day in range(len(dates))]
    for column, value in enumerate(totals, start=1):
        _put(sheet, row_number, column, value, font=_BOLD, fill=_TOTAL_FILL,
             align=_LEFT if column <= 2 else _CENTRE)
    widths = [12, 30, 10, 12, 10] + [7] * len(dates)
    _layout(sheet, widths, 2, title, language)


# --- cells and layout -----------------------------------------------------------------------

def _put(sheet: Worksheet, row: int, column: int, value, *, font=None, fill=None, align=None):
    """Write one cell; every text passes the formula-injection guard."""
    cell = sheet.cell(row=row, column=column, value=cell_text(value))
    if row >= TITLE_ROWS:
        cell.border = _BOX
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    if align is not None:
        cell.alignment = align
    return cell


def _number(value: float) -> int | float:
    value = round(float(value), 2)
    return int(value) if value.is_integer() else value


def _shift_key(scenario: Scenario, language: str) -> str:
    parts = [f"{s.code} = {shift_name(s, language)} {s.start}–{s.end}" for s in scenario.shifts]
    return f"{label('key', language)}: " + "; ".join(parts)


def _layout(sheet: Worksheet, widths: list[float], frozen_columns: int, title: str,
            language: str) -> None:
    """Column widths, frozen headings, and A4 landscape printing fitted to the page width with
    the heading rows and name columns repeated on every page."""
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.row_dimensions[TITLE_ROWS].height = 30
    sheet.freeze_panes = sheet.cell(row=FIRST_DATA_ROW, column=frozen_columns + 1).coordinate
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"1:{TITLE_ROWS}"
    sheet.print_title_cols = f"A:{get_column_letter(frozen_columns)}"
    sheet.print_options.gridLines = False
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.oddHeader.center.text = title.replace("&", "&&")
    sheet.oddFooter.center.text = label("page", language)
