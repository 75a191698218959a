"""District roster workbooks: `rosters/<district_code>.xlsx`, one grid sheet per ward plus a
summary, ready to print and pin on a ward police HQ's wall.

A ward sheet lists the officers who work at that ward (whatever their home ward) down the side
and the campaign days across; a cell holds the shift codes worked that day ('S', 'C+T'), and the
totals give shifts and hours per officer (at this ward) and officer-shifts per day.
"""

from __future__ import annotations

import contextlib
import gc
import re
from collections import Counter
from operator import itemgetter
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..scenario import ROLES, Scenario
from .atomic import atomic_path
from .labels import check_language, day_header, label, role_name, shift_name
from .parallel import run_tasks
from .roster_table import enrich_roster
from .safe_text import cell_text, safe_filename
from .xlsx_writer import save_workbook

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

# One roster row as the sheets use it (a tuple; fields by position).
_FIELDS = ("officer_id", "display_name", "home_ward", "day", "shift", "shift_index", "hours",
           "role", "ward_code")
_OFFICER, _NAME, _HOME, _DAY, _SHIFT, _SHIFT_INDEX, _HOURS, _ROLE, _WARD = range(len(_FIELDS))
_SORT_KEY = itemgetter(_OFFICER, _DAY, _SHIFT_INDEX)


def write_district_workbooks(scenario: Scenario, roster: pd.DataFrame, folder: str | Path,
                             language: str = "vi", workers: int | None = 1) -> list[Path]:
    """Write `<folder>/rosters/<district_code>.xlsx` for every district; return the paths.

    Headings are Vietnamese by default, English with `language='en'`. Rows are placed by the
    ward worked (an officer lent to another ward appears on that ward's sheet). `workers` > 1
    writes the workbooks in that many forked processes (0: one per CPU); the files are the
    same whatever the number.
    """
    check_language(language)
    rows = enrich_roster(scenario, roster)
    by_district: dict[str, list[tuple]] = {}
    for record, district in zip(_records(rows), rows["ward_district_code"].tolist()):
        by_district.setdefault(district, []).append(record)
    out = Path(folder) / "rosters"
    codes = list(scenario.district_codes)
    shared = (scenario, by_district, out, language, _SheetContext(scenario, language))
    # biggest districts first, so the processes finish together; results come back by code
    order = sorted(codes, key=lambda code: -len(by_district.get(code, ())))
    written = dict(zip(order, run_tasks(_write_district, shared, order, workers)))
    return [written[code] for code in codes]


def _write_district(shared, district_code: str) -> Path:
    scenario, by_district, out, language, context = shared
    path = out / f"{safe_filename(district_code)}.xlsx"
    with _gc_paused():
        workbook = _district_workbook(scenario, by_district.get(district_code, []),
                                      district_code, language, context)
        with atomic_path(path) as temp:
            save_workbook(workbook, temp)
        for sheet in workbook.worksheets:   # cells and sheet refer to each other: free them now
            sheet._cells.clear()
    return path


@contextlib.contextmanager
def _gc_paused():
    """No cyclic garbage collection while a workbook is built and saved: its tens of thousands
    of cells would be scanned again and again (a third of the time) though none is garbage."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def district_workbook(scenario: Scenario, rows: pd.DataFrame, district_code: str,
                      language: str = "vi") -> Workbook:
    """The workbook of one district from enriched roster rows (`enrich_roster`) of its wards."""
    check_language(language)
    return _district_workbook(scenario, _records(rows), district_code, language,
                              _SheetContext(scenario, language))


def _records(rows: pd.DataFrame) -> list[tuple]:
    """Enriched roster rows as plain tuples (`_FIELDS`), in the frame's order."""
    return list(zip(*(rows[name].tolist() for name in _FIELDS)))


class _SheetContext:
    """What every sheet of every district prints the same: dates, headings, names."""

    def __init__(self, scenario: Scenario, language: str):
        self.dates = scenario.dates
        self.day_headers = [day_header(date, language) for date in self.dates]
        self.weekend = [date.weekday() >= 5 for date in self.dates]
        self.shift_key = _shift_key(scenario, language)
        self.ward_names = scenario.wards["ward_name"].astype(str).to_dict()
        self.reserve = label("district_reserve", language)
        self.role_names: dict[str, str] = {}


class _Cells:
    """Writes a workbook's cells; every text passes the formula-injection guard.

    A cell's look (border, font, fill, alignment: the module's style constants) is registered
    with the workbook the first time it is used, exactly as assigning it to a cell does, and
    copied into the later cells that look the same: openpyxl would otherwise hash the style
    objects for every cell. A cell with the value and look of an earlier one (the shift codes
    of the day grid) is a copy of that cell at its own place.
    """

    def __init__(self):
        self._looks: dict[tuple, object] = {}
        self._cells: dict[tuple, Cell] = {}

    def put(self, sheet: Worksheet, row: int, column: int, value, font=None, fill=None,
            align=None) -> Cell:
        value = cell_text(value)
        key = (type(value), value, row >= TITLE_ROWS, id(font), id(fill), id(align))
        same = self._cells.get(key)
        if same is not None and _CLONE:
            cell = _clone(same, sheet, row, column)
        else:
            look_key = key[2:]
            look = self._looks.get(look_key, self)
            if look is self:
                cell = self._first(sheet, row, column, value, font, fill, align)
                self._looks[look_key] = None if cell._style is None else StyleArray(cell._style)
            else:
                cell = Cell(sheet, row=row, column=column, value=value, style_array=look)
            self._cells[key] = cell
        sheet._add_cell(cell)
        return cell

    @staticmethod
    def _first(sheet: Worksheet, row: int, column: int, value, font, fill, align) -> Cell:
        cell = Cell(sheet, row=row, column=column, value=value)
        if row >= TITLE_ROWS:
            cell.border = _BOX
        if font is not None:
            cell.font = font
        if fill is not None:
            cell.fill = fill
        if align is not None:
            cell.alignment = align
        return cell


# A copy of a cell is made slot by slot (a Cell has no __dict__), if the slots are those known.
_CLONE = {name for cls in Cell.__mro__ for name in getattr(cls, "__slots__", ())} == {
    "row", "column", "_value", "data_type", "parent", "_hyperlink", "_comment", "_style"}
_new_cell = Cell.__new__


def _clone(cell: Cell, sheet: Worksheet, row: int, column: int) -> Cell:
    """`cell`'s value, type and style in a new cell at (row, column) of `sheet`."""
    clone = _new_cell(Cell)
    clone.parent = sheet
    clone.row = row
    clone.column = column
    clone._value = cell._value
    clone.data_type = cell.data_type
    clone._hyperlink = None
    clone._comment = None
    clone._style = None if cell._style is None else StyleArray(cell._style)
    return clone


def _district_workbook(scenario: Scenario, rows: list[tuple], district_code: str,
                       language: str, context: _SheetContext) -> Workbook:
    district_name = str(scenario.districts.at[district_code, "district_name"])
    wards = scenario.wards_of(district_code).sort_index()
    ward_codes = list(wards.index)
    ward_names = [str(name) for name in wards["ward_name"]]
    workbook = Workbook()
    cells = _Cells()
    summary = workbook.active
    summary.title = sheet_names([label("summary_sheet", language)])[0]
    names = sheet_names(list(wards["ward_name"]), taken=[summary.title])
    by_ward: dict[str, list[tuple]] = {}
    for record in rows:
        by_ward.setdefault(record[_WARD], []).append(record)
    for ward_code, ward_name, name in zip(ward_codes, ward_names, names):
        sheet = workbook.create_sheet(name)
        _ward_sheet(sheet, cells, context, by_ward.get(ward_code, []), ward_name, district_name,
                    language)
    _summary_sheet(summary, cells, context, scenario, rows, by_ward, ward_codes, ward_names,
                   district_name, language)
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

def _ward_sheet(sheet: Worksheet, cells: _Cells, context: _SheetContext, rows: list[tuple],
                ward_name: str, district_name: str, language: str) -> None:
    put = cells.put
    n_days = len(context.dates)
    first_day_column = OFFICER_COLUMNS + 1
    shifts_column = first_day_column + n_days
    hours_column = shifts_column + 1
    title = label("roster_title", language, ward=ward_name, district=district_name)
    put(sheet, 1, 1, title, font=_TITLE)
    put(sheet, 2, 1, context.shift_key)
    headings = [label(key, language) for key in ("officer_id", "display_name", "home_unit", "roles")]
    headings += context.day_headers
    headings += [label("shifts", language), label("hours", language)]
    for column, heading in enumerate(headings, start=1):
        put(sheet, TITLE_ROWS, column, heading, font=_BOLD, fill=_HEADING_FILL, align=_CENTRE)
    ward_names = context.ward_names
    # officer -> day -> shift codes in clock order; officer -> (name, home ward, roles, hours)
    days_worked: dict[str, dict[int, list[str]]] = {}
    officers: dict[str, list] = {}
    for row in sorted(rows, key=_SORT_KEY):
        officer_id = row[_OFFICER]
        days_worked.setdefault(officer_id, {}).setdefault(row[_DAY], []).append(row[_SHIFT])
        officer = officers.get(officer_id)
        if officer is None:
            officer = officers[officer_id] = [row[_NAME], row[_HOME], set(), 0.0, 0]
        officer[2].add(row[_ROLE])
        officer[3] += row[_HOURS]
        officer[4] += 1
    day_fills = [_WEEKEND_FILL if weekend else None for weekend in context.weekend]
    row_number = FIRST_DATA_ROW
    for officer_id, (display_name, home, roles, hours, shifts) in officers.items():
        home_unit = ward_names.get(home, home or context.reserve)
        ordered = [role for role in ROLES if role in roles] + sorted(roles - set(ROLES))
        values = [officer_id, display_name, home_unit,
                  ", ".join(_role_name(context, role, language) for role in ordered)]
        for column, value in enumerate(values, start=1):
            put(sheet, row_number, column, value, align=_LEFT)
        worked = days_worked[officer_id]
        for day in range(n_days):
            codes = worked.get(day)
            put(sheet, row_number, first_day_column + day, "+".join(codes) if codes else None,
                align=_CENTRE, fill=day_fills[day])
        put(sheet, row_number, shifts_column, shifts, align=_CENTRE)
        put(sheet, row_number, hours_column, _number(hours), align=_CENTRE)
        row_number += 1
    put(sheet, row_number, 1, label("day_total", language), font=_BOLD, fill=_TOTAL_FILL)
    for column in range(2, first_day_column):
        put(sheet, row_number, column, None, fill=_TOTAL_FILL)
    per_day = Counter(row[_DAY] for row in rows)
    for day in range(n_days):
        put(sheet, row_number, first_day_column + day, int(per_day.get(day, 0)),
            font=_BOLD, fill=_TOTAL_FILL, align=_CENTRE)
    put(sheet, row_number, shifts_column, len(rows), font=_BOLD, fill=_TOTAL_FILL, align=_CENTRE)
    put(sheet, row_number, hours_column, _number(_sum_hours(rows)), font=_BOLD,
        fill=_TOTAL_FILL, align=_CENTRE)
    widths = [12, 30, 20, 24] + [7] * n_days + [8, 8]
    _layout(sheet, widths, OFFICER_COLUMNS, title, language)


def _summary_sheet(sheet: Worksheet, cells: _Cells, context: _SheetContext, scenario: Scenario,
                   rows: list[tuple], by_ward: dict[str, list[tuple]], ward_codes: list,
                   ward_names: list[str], district_name: str, language: str) -> None:
    put = cells.put
    n_days = len(context.dates)
    title = label("summary_title", language, district=district_name)
    put(sheet, 1, 1, title, font=_TITLE)
    put(sheet, 2, 1, scenario.name)
    headings = [label(key, language) for key in
                ("ward_code", "ward_name", "officers", "officer_shifts", "hours")]
    headings += context.day_headers
    for column, heading in enumerate(headings, start=1):
        put(sheet, TITLE_ROWS, column, heading, font=_BOLD, fill=_HEADING_FILL, align=_CENTRE)
    row_number = FIRST_DATA_ROW
    for ward_code, ward_name in zip(ward_codes, ward_names):
        worked = by_ward.get(ward_code, [])
        values = _summary_values(worked, n_days)
        for column, value in enumerate([ward_code, ward_name, *values], start=1):
            put(sheet, row_number, column, value, align=_LEFT if column <= 2 else _CENTRE)
        row_number += 1
    totals = [label("total", language), None, *_summary_values(rows, n_days)]
    for column, value in enumerate(totals, start=1):
        put(sheet, row_number, column, value, font=_BOLD, fill=_TOTAL_FILL,
            align=_LEFT if column <= 2 else _CENTRE)
    widths = [12, 30, 10, 12, 10] + [7] * n_days
    _layout(sheet, widths, 2, title, language)


def _summary_values(rows: list[tuple], n_days: int) -> list:
    """Officers, officer-shifts, hours and officer-shifts per day of some roster rows."""
    per_day = Counter(row[_DAY] for row in rows)
    return ([len({row[_OFFICER] for row in rows}), len(rows), _number(_sum_hours(rows))]
            + [int(per_day.get(day, 0)) for day in range(n_days)])


def _sum_hours(rows: list[tuple]) -> float:
    """Hours of some roster rows, summed as pandas sums a column (numpy, in row order)."""
    return float(np.array([row[_HOURS] for row in rows], dtype="float64").sum())


def _role_name(context: _SheetContext, role: str, language: str) -> str:
    name = context.role_names.get(role)
    if name is None:
        name = context.role_names[role] = role_name(role, language)
    return name


# --- cells and layout -----------------------------------------------------------------------

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
