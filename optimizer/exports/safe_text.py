"""Cell text that a spreadsheet shows as text: the one formula-injection guard every export uses.

Excel, LibreOffice and Google Sheets treat a cell that starts with `=`, `+`, `-` or `@` (and,
in some versions, a leading tab or carriage return) as a formula, even in a CSV file. Names and
codes come from planners' CSV files, so every text cell an export writes goes through
`cell_text`: control characters that XML (and so XLSX) cannot hold are dropped, and text that
would start a formula gets a leading apostrophe, which spreadsheets show as plain text.

Plain numbers written as text ('-5', '+3.5') are left alone: a spreadsheet reads them as
numbers, never as formulas. `restore_text` undoes the apostrophe exactly, so a CSV written here
reads back to the original (text that already starts with apostrophes before a formula character
gets one more).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from pandas.api.types import is_object_dtype, is_string_dtype

from ..file_names import file_stem

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
GUARD = "'"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")   # not allowed in XML 1.0 (tab, LF, CR are)


_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def _starts_formula(text: str) -> bool:
    """Text a spreadsheet would read as a formula: it starts with a formula character and is
    not a plain number (a negative number such as '-5' stays a number)."""
    bare = text.lstrip(GUARD)
    return bare.startswith(FORMULA_STARTS) and _NUMBER.fullmatch(bare) is None


def cell_text(value):
    """The value to write into a CSV or XLSX cell: text is made safe, anything else is unchanged."""
    if not isinstance(value, str):
        return value
    text = _CONTROL.sub("", value)
    return GUARD + text if _starts_formula(text) else text


def restore_text(value):
    """Undo `cell_text`'s apostrophe (for reading an export back)."""
    if isinstance(value, str) and value.startswith(GUARD) and _starts_formula(value[1:]):
        return value[1:]
    return value


def safe_frame(frame):
    """A copy of a DataFrame with every text cell passed through `cell_text`."""
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        text_typed = not is_object_dtype(values) and is_string_dtype(values)
        if not (is_object_dtype(values) or text_typed):
            continue
        # a column repeats few distinct values (codes, dates, shifts): guard each once
        try:
            codes, uniques = pd.factorize(values, use_na_sentinel=True)
        except TypeError:      # unhashable cells: one at a time
            out[column] = values.map(cell_text)
            continue
        guarded = np.array([cell_text(value) for value in uniques] + [None], dtype=object)
        raw = values.to_numpy(dtype=object)
        out[column] = pd.Series(np.where(codes >= 0, guarded[codes], raw), index=out.index,
                                dtype=values.dtype if text_typed else object)
    return out


def safe_filename(text: str) -> str:
    """A collision-free file name stem made of ASCII letters, digits, dot, dash and underscore
    (`optimizer.file_names.file_stem`)."""
    return file_stem(text)
