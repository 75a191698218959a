"""Saving openpyxl workbooks faster, to the same file openpyxl writes.

openpyxl serialises every cell as an XML element through `et_xmlfile` (tens of microseconds a
cell without lxml); a district workbook has tens of thousands of cells. `save_workbook` writes
the cells of plain worksheets (text, numbers and empty styled cells: no formulas, comments,
hyperlinks or rich text) as XML text directly, in the exact form openpyxl gives them, and
leaves everything else (sheet properties, panes, columns, print setup, styles, workbook parts)
to openpyxl. A sheet with any other kind of cell is written by openpyxl itself. The worksheet
parts are built in memory instead of in temporary files.

It relies on openpyxl's worksheet and cell internals (`_cells`, `_style`, the `et_xmlfile`
stream); `tests/test_exports.py` compares its files with openpyxl's own, part by part.
"""

from __future__ import annotations

import datetime
import math
from io import BytesIO
from pathlib import Path
from xml.etree.ElementTree import _escape_attrib, _escape_cdata  # what et_xmlfile escapes with
from zipfile import ZIP_DEFLATED, ZipFile

from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.writer.excel import ExcelWriter

_NUMBERS = (int, float)


class _Unsupported(Exception):
    """A cell the direct writer does not handle: openpyxl writes the sheet."""


def save_workbook(workbook: Workbook, filename: str | Path) -> None:
    """`workbook.save(filename)`, faster for large plain sheets; same parts in the file."""
    if workbook.write_only:
        workbook.save(filename)
        return
    workbook.properties.modified = datetime.datetime.now(
        tz=datetime.UTC).replace(tzinfo=None)       # as openpyxl's save_workbook
    with ZipFile(filename, "w", ZIP_DEFLATED, allowZip64=True) as archive:
        _ExcelWriter(workbook, archive).write_data()


class _ExcelWriter(ExcelWriter):
    def write_worksheet(self, ws):
        ws._drawing = SpreadsheetDrawing()
        ws._drawing.charts = ws._charts
        ws._drawing.images = ws._images
        writer = _WorksheetWriter(ws, out=BytesIO())
        writer.write()
        ws._rels = writer._rels
        self._archive.writestr(ws.path[1:], writer.read())
        self.manifest.append(ws)


class _WorksheetWriter(WorksheetWriter):
    def write_rows(self):
        xf = self.xf.send(True)
        raw = getattr(xf, "_file", None)      # et_xmlfile's text writer (not there with lxml)
        text = None
        if callable(raw):
            try:
                text = _sheet_data(self.ws, self.rows())
            except _Unsupported:
                text = None
        with xf.element("sheetData"):
            if text is None:
                for row_idx, row in self.rows():
                    self.write_row(xf, row, row_idx)
            else:
                raw(text)
        self.xf.send(None)


def _sheet_data(ws, rows) -> str:
    """The contents of <sheetData> as openpyxl's `write_row` / `etree_write_cell` make them."""
    styles = ws.parent._cell_styles
    style_ids: dict[bytes, int] = {}
    tails: dict[tuple, str] = {}        # (style, type, value) -> the cell's XML after its reference
    dims = ws.row_dimensions
    parts: list[str] = []
    add = parts.append
    for row_idx, row in rows:
        attrs = {"r": f"{row_idx}"}
        attrs.update(dims.get(row_idx, {}))
        add("<row" + "".join(f' {k}="{_escape_attrib(v)}"' for k, v in attrs.items()) + ">")
        suffix = f"{row_idx}"
        for cell in row:
            if cell._comment is not None or cell._hyperlink is not None:
                raise _Unsupported
            value = cell._value
            style = cell._style
            styled = style is not None and any(style)
            if value is None and not styled:
                continue
            key = (style.tobytes() if styled else None, cell.data_type, type(value), value)
            tail = tails.get(key)
            if tail is None:
                tail = tails[key] = _cell_tail(styles, style_ids, key[0], style, cell.data_type,
                                               value)
            add(f'<c r="{get_column_letter(cell.column)}{suffix}"{tail}')
        add("</row>")
    return "".join(parts)


def _cell_tail(styles, style_ids: dict, style_key, style, kind: str, value) -> str:
    """A cell's XML after `<c r="A1"`: style, type and value."""
    attrs = ""
    if style_key is not None:
        sid = style_ids.get(style_key)
        if sid is None:
            sid = style_ids[style_key] = styles.add(style)    # = cell.style_id
        attrs = f' s="{sid}"'
    if kind == "s":
        if type(value) is not str:
            raise _Unsupported                   # rich text
        if value == "":
            return attrs + ' t="inlineStr" />'
        stripped = value.strip()
        space = ' xml:space="preserve"' if stripped and stripped != value else ""
        return f'{attrs} t="inlineStr"><is><t{space}>{_escape_cdata(value)}</t></is></c>'
    if kind == "n":
        if value is None:
            return attrs + ' t="n" />'
        if type(value) in _NUMBERS and math.isfinite(value):
            return f'{attrs} t="n"><v>{value:.16g}</v></c>'
    raise _Unsupported                           # formulas, dates, booleans, errors
