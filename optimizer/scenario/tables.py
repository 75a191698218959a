"""Reading and checking CSV tables and their cells.

`read_table` reads a CSV file as text and checks its header; the cell rules (`_ints`, `_floats`,
`_codes`, `_names`, `_unique`, ...) check one column each. Every problem raises `ScenarioError`
with one line naming the file, row, column and problem. The scenario's loaders and the nightly
actuals use them.
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from pathlib import Path

import pandas as pd

from ..errors import ScenarioError
from ..file_names import file_stem, stem_collisions
from .limits import MAX_CODE_LENGTH, MAX_NAME_LENGTH

FORMULA_STARTS = ("=", "+", "-", "@")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")                  # none in codes
_TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # none in names (tab, line breaks allowed)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ScenarioError(path.name, "file is missing") from None
    except OSError as exc:
        raise ScenarioError(path.name, f"cannot be read ({exc.strerror})") from None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return _nfc(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ScenarioError(path.name, f"not UTF-8 (byte {exc.start} on line {line})") from None


def read_table(path: Path, columns: tuple[str, ...], *, required: tuple[str, ...] | None = None,
               text_columns: tuple[str, ...] = ()) -> pd.DataFrame:
    """Read a CSV as strings, check its header, return it with a `_row` column (the line number
    in the file; the header is row 1).

    Every record must have as many values as the header has columns: a record with more (a
    stray comma, a value past the last column) is refused naming the first extra column, a
    record with fewer gets empty values for the missing columns (reported by the column's own
    check). Empty trailing values (a trailing comma) and blank lines are ignored.
    """
    file = path.name
    text = _read_text(path)
    if "\x00" in text:
        raise ScenarioError(file, "not a text file (holds NUL characters)")
    try:
        records = []
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        for record in reader:
            records.append((reader.line_num, record))
    except csv.Error as exc:
        raise ScenarioError(file, f"not a valid CSV ({exc})", row=reader.line_num) from None
    records = [(line, [value.strip() for value in record]) for line, record in records
               if any(value.strip() for value in record)]
    if not records:
        raise ScenarioError(file, "empty table (no header)")
    header = [_nfc(name) for name in records[0][1]]
    while header and header[-1] == "":
        header.pop()
    required = columns if required is None else required
    for column in required:
        if column not in header:
            raise ScenarioError(file, f"missing column (expected {', '.join(columns)})", column=column)
    for column in header:
        if column not in columns:
            raise ScenarioError(file, "unknown column", column=column or "(empty name)")
    duplicated = [c for i, c in enumerate(header) if c in header[:i]]
    if duplicated:
        raise ScenarioError(file, "duplicate column", column=duplicated[0])
    width = len(header)
    rows = []
    for line, record in records[1:]:
        while len(record) > width and record[-1] == "":
            record.pop()
        if len(record) > width:
            raise ScenarioError(file, f"{len(record)} values but the header has {width} columns "
                                f"(extra value '{record[width]}')", row=line,
                                column=f"{width + 1} (after {header[-1]})")
        rows.append(record + [""] * (width - len(record)))
    if not rows:
        raise ScenarioError(file, "empty table (no rows)")
    frame = pd.DataFrame(rows, columns=header, dtype=object)
    frame["_row"] = [line for line, _ in records[1:]]
    return frame


def _number(text: str, file: str, row: int, column: str) -> float:
    """The rule for every number in a table: plain decimal text ('12', '2.5', '1e3'), finite."""
    try:
        number = float(text)
    except (ValueError, OverflowError):
        raise ScenarioError(file, f"'{text}' is not a number", row=row, column=column) from None
    if not math.isfinite(number):
        raise ScenarioError(file, f"'{text}' is not a finite number", row=row, column=column)
    return number


def _ints(frame: pd.DataFrame, file: str, column: str, *, minimum: int = 0, maximum: int,
          allow_blank: bool = False) -> pd.Series:
    """Whole numbers in `minimum..maximum` (blank allowed only with `allow_blank`)."""
    values = []
    for row, text in zip(frame["_row"], frame[column]):
        if text == "" and allow_blank:
            values.append(pd.NA)
            continue
        number = _number(text, file, int(row), column)
        if number != int(number):
            raise ScenarioError(file, f"'{text}' is not a whole number", row=int(row), column=column)
        if number < minimum:
            raise ScenarioError(file, f"{text} is negative" if number < 0 else f"{text} is below {minimum}",
                                row=int(row), column=column)
        if number > maximum:
            raise ScenarioError(file, f"{text} is above the limit of {maximum:,}", row=int(row),
                                column=column)
        values.append(int(number))
    return pd.Series(values, index=frame.index, dtype="Int64" if allow_blank else "int64")


def _floats(frame: pd.DataFrame, file: str, column: str, *, low: float, high: float,
            low_open: bool = False, allow_blank: bool = False) -> pd.Series:
    """Finite numbers in `low..high` (above `low` when `low_open`; blank is NaN with `allow_blank`)."""
    values = []
    for row, text in zip(frame["_row"], frame[column]):
        if text == "" and allow_blank:
            values.append(float("nan"))
            continue
        number = _number(text, file, int(row), column)
        if not (low <= number <= high) or (low_open and number == low):
            bound = (f"above {_plain(low)} and at most {_plain(high)}" if low_open
                     else f"in {_plain(low)}..{_plain(high)}")
            raise ScenarioError(file, f"{text} must be {bound}", row=int(row), column=column)
        values.append(number)
    return pd.Series(values, index=frame.index, dtype="float64")


def _plain(number: float) -> str:
    """A bound as people read it: 1,000,000 rather than 1e+06."""
    return f"{int(number):,}" if float(number).is_integer() else f"{number:g}"


def _codes(frame: pd.DataFrame, file: str, column: str, *, allow_blank: bool = False) -> None:
    """The rule for codes and IDs: non-empty (unless `allow_blank`), at most MAX_CODE_LENGTH
    characters, no control characters, not starting with a spreadsheet formula character."""
    for row, text in zip(frame["_row"], frame[column]):
        if text == "":
            if allow_blank:
                continue
            raise ScenarioError(file, "empty value", row=int(row), column=column)
        if len(text) > MAX_CODE_LENGTH:
            raise ScenarioError(file, f"longer than {MAX_CODE_LENGTH} characters", row=int(row),
                                column=column)
        if _CONTROL.search(text):
            raise ScenarioError(file, "holds a control character (line break, tab, ...)",
                                row=int(row), column=column)
        if text.startswith(FORMULA_STARTS):
            raise ScenarioError(file, f"'{text}' starts with '{text[0]}' (codes may not start with "
                                f"{' '.join(FORMULA_STARTS)})", row=int(row), column=column)


def _names(frame: pd.DataFrame, file: str, column: str) -> None:
    """The rule for names: non-empty, at most MAX_NAME_LENGTH characters, no control characters
    other than tab and line breaks (which exports escape)."""
    for row, text in zip(frame["_row"], frame[column]):
        if text == "":
            raise ScenarioError(file, "empty value", row=int(row), column=column)
        if _TEXT_CONTROL.search(text):
            raise ScenarioError(file, "holds a control character", row=int(row), column=column)
        if len(text) > MAX_NAME_LENGTH:
            raise ScenarioError(file, f"longer than {MAX_NAME_LENGTH} characters", row=int(row),
                                column=column)


def _distinct_files(frame: pd.DataFrame, file: str, column: str, kind: str, *,
                    lookalike: bool = False) -> None:
    """Codes that name export files must give distinct file names, ignoring case (and, with
    `lookalike`, ignoring characters a file name cannot hold)."""
    clash = stem_collisions(frame[column], lookalike=lookalike)
    if clash is not None:
        first, second = clash
        row = int(frame.loc[frame[column] == second, "_row"].iloc[0])
        how = "in case or in characters a file name cannot hold" if lookalike else "in case"
        raise ScenarioError(file, f"{kind} '{first}' and '{second}' differ only {how} (export file "
                            f"'{file_stem(second)}')", row=row, column=column)


def _unique(frame: pd.DataFrame, file: str, columns: list[str]) -> None:
    duplicated = frame.duplicated(subset=columns, keep="first")
    if duplicated.any():
        first = frame[duplicated].iloc[0]
        raise ScenarioError(file, f"duplicate {' + '.join(columns)} '{' / '.join(first[c] for c in columns)}'",
                            row=int(first["_row"]), column=columns[0])


def _non_empty(frame: pd.DataFrame, file: str, column: str) -> None:
    empty = frame[frame[column] == ""]
    if not empty.empty:
        raise ScenarioError(file, "empty value", row=int(empty.iloc[0]["_row"]), column=column)
