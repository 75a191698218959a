"""CSV files for Excel users: UTF-8 with a byte-order mark (so Excel shows Vietnamese), CRLF
line ends, every text cell guarded against formula injection, written atomically."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .atomic import atomic_path
from .safe_text import safe_frame

ENCODING = "utf-8-sig"   # UTF-8 with BOM


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The bytes `write_csv` writes for `frame`, for downloads built in memory."""
    return safe_frame(frame).to_csv(index=False, lineterminator="\r\n").encode(ENCODING)


def write_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write `frame` (without its index) to `path`; return the path."""
    path = Path(path)
    with atomic_path(path) as temp:
        safe_frame(frame).to_csv(temp, index=False, encoding=ENCODING, lineterminator="\r\n")
    return path
