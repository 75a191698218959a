"""Writing a run's output folder atomically: all files appear together or not at all.

Files are written into a hidden sibling folder, which then replaces the output folder by
rename; a run killed half way leaves the previous output untouched.

The planner never deletes what it did not write. Every folder it writes holds a marker file
(`MARKER_FILE`); an output path that is a file, or a non-empty folder without the marker (a
scenario, the current folder, a user's documents), is refused with one line before anything is
written. Staging folders left by a run killed half way (`.<name>.tmp-*`, `.<name>.old-*`) are
removed by the next run into the same folder, but only those holding the marker of a process
that no longer runs on this host.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import tempfile
from pathlib import Path

import pandas as pd

from ..errors import ScenarioError
from ..result import PlanResult

MARKER_FILE = ".enrollment-planner-output"
MARKER_KIND = "enrollment-planner output folder"


class OutputFolderError(ScenarioError):
    """An output path the planner refuses to write to: one line, exit 2."""

    def __init__(self, path: Path | str, problem: str):
        super().__init__(str(path), problem)


def _marker(path: Path) -> dict | None:
    """The marker's content when `path` (a folder) holds a planner marker, else None."""
    try:
        data = json.loads((path / MARKER_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("kind") == MARKER_KIND else None


def _write_marker(folder: Path) -> None:
    (folder / MARKER_FILE).write_text(json.dumps(
        {"kind": MARKER_KIND, "pid": os.getpid(), "host": socket.gethostname()}) + "\n",
        encoding="utf-8")


def check_output_folder(out_dir: str | Path, keep: tuple[str | Path, ...] = ()) -> Path:
    """Refuse an output path the planner may not replace; return it resolved.

    Allowed: a path that does not exist, an empty folder, or a folder an earlier run of the
    planner wrote (it holds the marker file). Refused: a file (or any other non-folder), a path
    under a file, a non-empty folder without the marker, a folder holding the current working
    folder, and a folder holding one of the `keep` paths (the run's own inputs: scenario,
    actuals, store), which replacing the folder would delete.
    """
    given = Path(out_dir)
    path = given.resolve()
    if given.is_symlink() or (path.exists() and not path.is_dir()):
        raise OutputFolderError(given, "the output path is not a folder the planner wrote; "
                                "refusing to replace it (choose a new or empty folder)")
    ancestor = path.parent
    while not ancestor.exists() and ancestor.parent != ancestor:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise OutputFolderError(given, f"'{ancestor}' is a file, not a folder")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise OutputFolderError(given, f"cannot write in the folder '{ancestor}'")
    for kept in keep:
        inside = Path(kept).resolve()
        if inside == path or path in inside.parents:
            raise OutputFolderError(given, f"the output folder holds '{kept}', an input of this run; "
                                    "refusing to replace it (choose another folder)")
    if path.is_dir():
        cwd = Path.cwd().resolve()
        if path == cwd or path in cwd.parents:
            raise OutputFolderError(given, "the output folder holds the current folder; "
                                    "refusing to replace it (choose a new or empty folder)")
        try:
            empty = next(path.iterdir(), None) is None
        except OSError as exc:
            raise OutputFolderError(given, f"cannot be read ({exc.strerror})") from None
        if not empty and _marker(path) is None:
            raise OutputFolderError(given, "the folder is not empty and was not written by the "
                                    "planner; refusing to replace it (choose a new or empty folder)")
    if path.parent == path:
        raise OutputFolderError(given, "cannot write to the root folder")
    return path


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True
    return True


def remove_stale_staging(out_dir: Path) -> list[Path]:
    """Remove `.<name>.tmp-*` and `.<name>.old-*` folders beside `out_dir` that a killed run of
    the planner left: they hold the marker of a process of this host that no longer runs."""
    removed: list[Path] = []
    host = socket.gethostname()
    try:
        siblings = list(out_dir.parent.glob(f".{out_dir.name}.tmp-*")) + list(
            out_dir.parent.glob(f".{out_dir.name}.old-*"))
    except OSError:
        return removed
    for folder in siblings:
        if folder.is_symlink() or not folder.is_dir():
            continue
        marker = _marker(folder)
        if marker is None or marker.get("host") != host:
            continue
        pid = marker.get("pid")
        if not isinstance(pid, int) or pid == os.getpid() or _pid_alive(pid):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


@contextlib.contextmanager
def atomic_folder(out_dir: str | Path):
    """Yield a temporary folder; on success it replaces `out_dir`, on failure it is removed.

    `out_dir` is checked first (`check_output_folder`); the written folder holds the marker."""
    out_dir = check_output_folder(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_staging(out_dir)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
    try:
        _write_marker(staging)
        yield staging
        _write_marker(staging)           # the caller may not remove it
        os.chmod(staging, 0o755)
        old = None
        if out_dir.exists():
            check_output_folder(out_dir)  # still ours (or empty) after the run
            old = out_dir.parent / f".{out_dir.name}.old-{os.getpid()}"
            if old.exists():
                if _marker(old) is None:
                    raise OutputFolderError(old, "exists and was not written by the planner")
                shutil.rmtree(old)
            os.replace(out_dir, old)
        os.replace(staging, out_dir)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=_json_default) + "\n",
                    encoding="utf-8")


def _json_default(value):
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def write_plan_files(result: PlanResult, folder: Path, *, language: str = "vi") -> None:
    """summary.json, plan.csv, baseline_plan.csv (the fair baseline), projection.csv, bottlenecks.csv,
    districts.csv, shortfalls.csv and, when the run made a roster, roster.csv, rosters/*.xlsx, ics/*.ics,
    deployment.csv."""
    from .csv_file import write_csv
    from .safe_text import safe_frame

    plan = result.plan_frame()
    safe_frame(plan).to_csv(folder / "plan.csv", index=False)       # read back by `check`
    safe_frame(result.baseline_plan_frame()).to_csv(folder / "baseline_plan.csv", index=False)
    safe_frame(result.projection_frame()).to_csv(folder / "projection.csv", index=False)
    write_csv(result.bottleneck_frame(), folder / "bottlenecks.csv")
    write_csv(result.district_frame(), folder / "districts.csv")
    write_csv(result.shortfall_frame(), folder / "shortfalls.csv")
    from .deployment import write_deployment_csv
    write_deployment_csv(result.scenario, plan, folder / "deployment.csv")
    if result.roster is not None:
        from . import write_district_workbooks, write_officer_calendars, write_roster_csv
        write_roster_csv(result.scenario, result.roster, folder / "roster.csv")
        write_district_workbooks(result.scenario, result.roster, folder, language=language)
        write_officer_calendars(result.scenario, result.roster, folder, language=language,
                                stamp=pd.Timestamp(result.scenario.dates[0]).to_pydatetime())
        if result.unstaffed is not None:
            write_csv(result.unstaffed, folder / "unstaffed.csv")
    write_json(folder / "summary.json", result.summary())


def write_outputs(result: PlanResult, out_dir: str | Path, *, language: str = "vi") -> Path:
    """Write every output of a run into `out_dir`, atomically."""
    with atomic_folder(out_dir) as staging:
        write_plan_files(result, staging, language=language)
    return Path(out_dir)
