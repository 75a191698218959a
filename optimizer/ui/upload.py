"""A scenario from uploaded files: a zipped scenario folder, and/or wards and officers tables
(CSV or XLSX) replacing those of a bundled scenario. Everything is checked before use:

- size: each upload at most `MAX_UPLOAD_BYTES` (20 MB);
- zip: no absolute paths, no '..', no links, at most `MAX_ZIP_MEMBERS` files and
  `MAX_UNZIPPED_BYTES` unpacked (a zip bomb stops at the limit, whatever its headers claim);
  only .toml and .csv members are unpacked, into a fresh temporary folder;
- xlsx: at most `MAX_XLSX_UNPACKED_BYTES` unpacked (by the sizes the archive declares, which
  bound what the reader decompresses), the first sheet read up to `MAX_TABLE_COLUMNS` columns
  and at most `MAX_TABLE_CELLS` cells (a sheet declaring a million rows stops at the limit);
- content: `load_scenario`, whose `ScenarioError` names the file, row and column.

`UploadError` carries a `code` (and values) the page translates; its str is English.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import posixpath
import shutil
import stat
import tempfile
import zipfile
from pathlib import Path

from ..errors import one_line
from ..scenario import CAMPAIGN_FILE, Scenario, load_scenario

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_ZIP_MEMBERS = 200
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_XLSX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_TABLE_COLUMNS = 64
MAX_TABLE_CELLS = 1_000_000      # a national wards table is ~10,600 rows x 12 columns
UNPACKED_SUFFIXES = (".toml", ".csv")
TABLE_SUFFIXES = (".csv", ".xlsx", ".xlsm")

_MESSAGES = {
    "too_big": "{file}: {size_mb} MB is over the {limit_mb} MB limit",
    "not_zip": "{file}: not a zip archive",
    "unsafe_path": "{file}: unsafe path '{member}' in the archive (absolute, '..' or a link)",
    "too_many_files": "{file}: more than {limit} files in the archive",
    "too_large_unzipped": "{file}: unpacks to more than {limit_mb} MB",
    "no_campaign": "{file}: no campaign.toml in the archive",
    "bad_table_type": "{file}: expected a .csv or .xlsx file",
    "bad_xlsx": "{file}: not a readable XLSX workbook",
    "too_many_cells": "{file}: more than {limit} cells in the first sheet",
    "no_base": "upload a zipped scenario or choose a bundled scenario to replace tables in",
}


class UploadError(ValueError):
    """An upload refused before reading its content; `code` and `values` for translation."""

    def __init__(self, code: str, **values):
        self.code = code
        self.values = values
        super().__init__(one_line(_MESSAGES[code].format(**values)))


@dataclasses.dataclass(frozen=True)
class Upload:
    """One uploaded file: its name and bytes."""

    name: str
    data: bytes


def check_size(upload: Upload, limit: int = MAX_UPLOAD_BYTES) -> None:
    """Refuse a file over `limit` bytes."""
    if len(upload.data) > limit:
        raise UploadError("too_big", file=upload.name, size_mb=f"{len(upload.data) / 2**20:.1f}",
                          limit_mb=f"{limit / 2**20:g}")


def _member_path(name: str) -> tuple[str, ...] | None:
    """The safe relative parts of a member name, or None if it is absolute or climbs out."""
    name = name.replace("\\", "/")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return None
    parts = tuple(p for p in posixpath.normpath(name).split("/") if p not in ("", "."))
    if not parts or ".." in parts:
        return None
    return parts


def safe_extract(upload: Upload, folder: Path) -> Path:
    """Unpack the archive's .toml and .csv files into `folder`; return the scenario folder
    (the shallowest one holding campaign.toml)."""
    check_size(upload)
    try:
        archive = zipfile.ZipFile(io.BytesIO(upload.data))
    except zipfile.BadZipFile:
        raise UploadError("not_zip", file=upload.name) from None
    root = folder.resolve()
    with archive:
        members = archive.infolist()
        if len(members) > MAX_ZIP_MEMBERS:
            raise UploadError("too_many_files", file=upload.name, limit=MAX_ZIP_MEMBERS)
        written = 0
        for info in members:
            parts = _member_path(info.filename)
            mode = info.external_attr >> 16
            if parts is None or stat.S_ISLNK(mode):
                raise UploadError("unsafe_path", file=upload.name, member=info.filename)
            if info.is_dir() or parts[0] == "__MACOSX" or parts[-1].startswith("."):
                continue
            if not parts[-1].lower().endswith(UNPACKED_SUFFIXES):
                continue
            target = root.joinpath(*parts).resolve()
            if root not in target.parents:
                raise UploadError("unsafe_path", file=upload.name, member=info.filename)
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(info) as source, open(target, "wb") as sink:
                while True:
                    chunk = source.read(1 << 16)
                    if not chunk:
                        break
                    written += len(chunk)
                    if written > MAX_UNZIPPED_BYTES:
                        raise UploadError("too_large_unzipped", file=upload.name,
                                          limit_mb=f"{MAX_UNZIPPED_BYTES / 2**20:g}")
                    sink.write(chunk)
    found = sorted(root.rglob(CAMPAIGN_FILE), key=lambda p: (len(p.parts), str(p)))
    if not found:
        raise UploadError("no_campaign", file=upload.name)
    return found[0].parent


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def table_as_csv(upload: Upload) -> bytes:
    """A wards or officers table as CSV bytes: CSV as uploaded, XLSX's first sheet converted
    (whole numbers without '.0', dates ISO; codes stored as numbers lose leading zeros, which
    the loader then reports)."""
    check_size(upload)
    suffix = Path(upload.name).suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise UploadError("bad_table_type", file=upload.name)
    if suffix == ".csv":
        return upload.data
    check_xlsx_size(upload)
    import openpyxl
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(upload.data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any unreadable workbook is the same problem for the user
        raise UploadError("bad_xlsx", file=upload.name) from None
    try:
        sheet = workbook.worksheets[0]
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        cells_read = 0
        for row in sheet.iter_rows(values_only=True, max_col=MAX_TABLE_COLUMNS):
            cells_read += max(len(row), 1)
            if cells_read > MAX_TABLE_CELLS:
                raise UploadError("too_many_cells", file=upload.name, limit=f"{MAX_TABLE_CELLS:,}")
            cells = [_cell_text(v) for v in row]
            while cells and cells[-1] == "":
                cells.pop()
            if cells:
                writer.writerow(cells)
    except UploadError:
        raise
    except Exception:  # noqa: BLE001 - a sheet openpyxl cannot read is an unreadable workbook
        raise UploadError("bad_xlsx", file=upload.name) from None
    finally:
        workbook.close()
    return text.getvalue().encode("utf-8")


def check_xlsx_size(upload: Upload) -> None:
    """Refuse a workbook whose parts unpack to more than `MAX_XLSX_UNPACKED_BYTES` (or that has
    more than `MAX_ZIP_MEMBERS` parts); the zip reader never decompresses more than a part
    declares, so the declared sizes bound the work."""
    try:
        with zipfile.ZipFile(io.BytesIO(upload.data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise UploadError("bad_xlsx", file=upload.name) from None
    if len(members) > MAX_ZIP_MEMBERS:
        raise UploadError("too_many_files", file=upload.name, limit=MAX_ZIP_MEMBERS)
    if sum(info.file_size for info in members) > MAX_XLSX_UNPACKED_BYTES:
        raise UploadError("too_large_unzipped", file=upload.name,
                          limit_mb=f"{MAX_XLSX_UNPACKED_BYTES / 2**20:g}")


def load_uploaded(*, base_folder: Path | None = None, scenario_zip: Upload | None = None,
                  wards: Upload | None = None, officers: Upload | None = None) -> tuple[Scenario, list[str]]:
    """The scenario from a zip (or a copy of `base_folder`) with uploaded tables replacing its
    wards.csv / officers.csv. Returns it and notes for the page (codes: 'requests_dropped').

    When officers are replaced, the base's requests.csv is left out (its officer IDs would not
    match). Raises UploadError or ScenarioError."""
    with tempfile.TemporaryDirectory(prefix="planner-upload-") as temp:
        temp_path = Path(temp)
        if scenario_zip is not None:
            folder = safe_extract(scenario_zip, temp_path / "zip")
            label = scenario_zip.name
        elif base_folder is not None:
            folder = temp_path / "scenario"
            folder.mkdir()
            for path in Path(base_folder).iterdir():
                if path.is_file() and path.suffix.lower() in UNPACKED_SUFFIXES:
                    shutil.copyfile(path, folder / path.name)
            label = Path(base_folder).name
        else:
            raise UploadError("no_base")
        notes = []
        if wards is not None:
            (folder / "wards.csv").write_bytes(table_as_csv(wards))
            label += f" + {wards.name}"
        if officers is not None:
            (folder / "officers.csv").write_bytes(table_as_csv(officers))
            label += f" + {officers.name}"
            if (folder / "requests.csv").exists():
                (folder / "requests.csv").unlink()
                notes.append("requests_dropped")
        scenario = load_scenario(folder)
    return dataclasses.replace(scenario, path=Path(f"upload:{label}")), notes
