"""Kept plans: every plan computed (command line, app, nightly) kept on disk under its inputs.

A plan is kept under `plan_key`: the scenario's input hash (its loaded, validated tables and
settings), the seed, time limit and roster flag the plan was solved with, the re-plan window
(days already past, start state, pinned decisions) and the code version (package version plus
a digest of the planning code). A plan kept under another key is never returned: another
scenario, another seed or another version of the planner re-plans.

Each plan is one file `plan-<key>.npz` in the kept-plans folder ($PLANNER_PLAN_CACHE, else
`kept-plans/` beside the default plan store: the folder of $PLANNER_STORE, else out/). The
file holds numbers only: numpy arrays, the tables as Parquet bytes and a JSON manifest (read
with `allow_pickle=False`, so a planted file cannot run code). It is written atomically (a
temporary file, then a rename): a failed write leaves the last good plan. The folder keeps the
`MAX_ENTRIES` most recently used plans within `MAX_BYTES`; it deletes only files it wrote
itself (the file name pattern and the manifest's format mark), and writes only into a folder
it made (marked by `MARKER`) or an empty one. A corrupt or foreign file is skipped with a
warning; keeping or reading a plan never stops the run that asked.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import hashlib
import io
import json
import logging
import os
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .exports.atomic import atomic_write_bytes
from .plan_request import ReplanWindow
from .result import PlanResult, PlanStatus
from .scenario import Scenario
from .simulation import Decisions, Outcome, StartState

log = logging.getLogger(__name__)

FORMAT = "cccd-kept-plan/1"
CACHE_ENV = "PLANNER_PLAN_CACHE"
STORE_ENV = "PLANNER_STORE"          # the default plan store; kept plans sit beside it
DEFAULT_STORE = "out/store.sqlite"
FOLDER_NAME = "kept-plans"
MARKER = ".kept-plans"
MAX_ENTRIES = 32
MAX_BYTES = 512 * 1024 * 1024
FILE_PATTERN = re.compile(r"^(plan|band)-[0-9a-f]{64}\.npz$")
MANIFEST = "manifest"
PACKAGE_ROOT = Path(__file__).resolve().parent
# Code that only shows, exports or re-verifies plans: a change there does not change a plan.
PRESENTATION_FOLDERS = ("ui", "exports", "checker", "cli")


@dataclasses.dataclass(frozen=True)
class KeptPlan:
    """A plan read back from the folder, with when it was computed (local time, ISO)."""

    key: str
    result: PlanResult
    computed_at: str
    path: Path
    manifest: dict

    @property
    def computed_time(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.computed_at)


# --- where, and under which key -------------------------------------------------------------------

def cache_folder() -> Path:
    """$PLANNER_PLAN_CACHE, else `kept-plans/` in the default plan store's folder."""
    configured = os.environ.get(CACHE_ENV, "").strip()
    if configured:
        return Path(configured).expanduser()
    store = os.environ.get(STORE_ENV, "").strip() or DEFAULT_STORE
    return Path(store).expanduser().parent / FOLDER_NAME


@functools.cache
def code_version() -> str:
    """The package version and a digest of the planning code (every module under optimizer/
    but the presentation folders), computed once per process."""
    from importlib.metadata import PackageNotFoundError, version
    try:
        package = version("enrollment-planner")
    except PackageNotFoundError:
        package = "0"
    digest = hashlib.sha256()
    for path in sorted(PACKAGE_ROOT.rglob("*.py")):
        relative = path.relative_to(PACKAGE_ROOT)
        if relative.parts[0] in PRESENTATION_FOLDERS:
            continue
        digest.update(str(relative.as_posix()).encode())
        digest.update(path.read_bytes())
    return f"{package}+{digest.hexdigest()[:16]}"


def update_with_array(digest, value) -> None:
    """Feed an array (its dtype, shape and bytes), or None, to a hashlib digest."""
    if value is None:
        digest.update(b"none")
        return
    array = np.ascontiguousarray(np.asarray(value))
    digest.update(f"{array.dtype}{array.shape}".encode())
    digest.update(array.tobytes())


def _update_frame(digest, frame: pd.DataFrame | None) -> None:
    if frame is None:
        digest.update(b"none")
        return
    digest.update(repr(list(frame.columns)).encode())
    digest.update(pd.util.hash_pandas_object(frame.reset_index(drop=True), index=False).to_numpy().tobytes())


def window_digest(window: ReplanWindow | None) -> str:
    """A digest of everything a re-plan window gives the planner ("whole" for the default one)."""
    if window is None or window == ReplanWindow() or _is_default(window):
        return "whole"
    digest = hashlib.sha256()
    digest.update(f"{window.first_day}|{window.change_cost!r}".encode())
    update_with_array(digest, window.arrivals)
    for name in ("start",):
        state = getattr(window, name)
        if state is None:
            digest.update(b"none")
        else:
            for item in dataclasses.fields(StartState):
                update_with_array(digest, getattr(state, item.name))
    for name in ("fixed", "executed", "pinned", "previous"):
        decisions = getattr(window, name)
        digest.update(name.encode())
        if decisions is None:
            digest.update(b"none")
        else:
            for field in Decisions.FIELDS:
                update_with_array(digest, getattr(decisions, field))
            update_with_array(digest, decisions.call_shifts())
    _update_frame(digest, window.frozen_roster)
    _update_frame(digest, window.previous_roster)
    return digest.hexdigest()


def _is_default(window: ReplanWindow) -> bool:
    return all(getattr(window, f.name) is None for f in dataclasses.fields(window)
               if f.name not in ("first_day", "change_cost")) and window.first_day == 0 and window.change_cost == 0.0


def plan_parameters(scenario: Scenario, *, seed: int | None = None, time_limit_seconds: float | None = None,
                    with_roster: bool = False, window: ReplanWindow | None = None) -> dict:
    """What names a plan: the inputs, the solve parameters that change it and the code version
    (worker counts do not change a plan and are left out)."""
    solver = scenario.settings.solver
    return {"format": FORMAT, "code_version": code_version(), "input_hash": scenario.input_hash,
            "seed": int(solver.seed if seed is None else seed),
            "time_limit_seconds": float(solver.time_limit_seconds if time_limit_seconds is None
                                        else time_limit_seconds),
            "with_roster": bool(with_roster), "window": window_digest(window)}


def plan_key(scenario: Scenario, *, seed: int | None = None, time_limit_seconds: float | None = None,
             with_roster: bool = False, window: ReplanWindow | None = None) -> str:
    """The key a plan is kept under (64 hex digits)."""
    parameters = plan_parameters(scenario, seed=seed, time_limit_seconds=time_limit_seconds,
                                 with_roster=with_roster, window=window)
    return hashlib.sha256(json.dumps(parameters, sort_keys=True).encode()).hexdigest()


def entry_path(folder: Path, key: str, kind: str = "plan") -> Path:
    return Path(folder) / f"{kind}-{key}.npz"


def band_key(scenario: Scenario, decisions: Decisions, runs: int, seed: int) -> str:
    """The key of a plan's coverage band: the inputs (the uncertainty settings among them), the
    plan's decisions, the number of simulations, their seed and the code version."""
    digest = hashlib.sha256()
    digest.update(json.dumps({"format": FORMAT, "code_version": code_version(), "input_hash": scenario.input_hash,
                              "runs": int(runs), "seed": int(seed)}, sort_keys=True).encode())
    for name in Decisions.FIELDS:
        update_with_array(digest, getattr(decisions, name))
    update_with_array(digest, decisions.call_shifts())
    return digest.hexdigest()


# --- the file: arrays, Parquet tables and a JSON manifest -------------------------------------------

def _json_default(value):
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise TypeError(f"cannot keep a value of type {type(value).__name__}")


def _bytes_array(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype=np.uint8)


def _frame_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=True)
    return buffer.getvalue()


def _put_decisions(arrays: dict, prefix: str, decisions: Decisions | None) -> None:
    if decisions is not None:
        for name in Decisions.FIELDS:
            arrays[f"{prefix}.{name}"] = np.asarray(getattr(decisions, name))
        if decisions.call_shift is not None:       # the shift each day's called are sent to
            arrays[f"{prefix}.call_shift"] = np.asarray(decisions.call_shift)


def _put_outcome(arrays: dict, prefix: str, outcome: Outcome | None) -> None:
    if outcome is None:
        return
    for item in dataclasses.fields(Outcome):
        value = getattr(outcome, item.name)
        if item.name == "extra":
            for name, extra in value.items():
                arrays[f"{prefix}.extra.{name}"] = np.asarray(extra)
        elif value is not None:
            arrays[f"{prefix}.{item.name}"] = np.asarray(value)


def _put_window(arrays: dict, window: ReplanWindow) -> dict:
    if window.arrivals is not None:
        arrays["window.arrivals"] = np.asarray(window.arrivals)
    if window.start is not None:
        for item in dataclasses.fields(StartState):
            value = getattr(window.start, item.name)
            if value is not None:
                arrays[f"window.start.{item.name}"] = np.asarray(value)
    for name in ("fixed", "executed", "pinned", "previous"):
        _put_decisions(arrays, f"window.{name}", getattr(window, name))
    for name in ("frozen_roster", "previous_roster"):
        frame = getattr(window, name)
        if frame is not None:
            arrays[f"table.window.{name}"] = _bytes_array(_frame_bytes(frame))
    return {"first_day": int(window.first_day), "change_cost": float(window.change_cost),
            "start": window.start is not None}


SCALARS = ("objective", "objective_bound", "max_enrollable", "seed", "wall_seconds", "solver_version",
           "stopped_early")
DICTS = ("objective_terms", "reserve_allocation", "baseline_reserve_allocation", "marginal_by_district",
         "roster_report", "timings", "proportional_reserve_allocation")


def encode(result: PlanResult, key: str, parameters: dict) -> bytes:
    """The kept file's bytes for `result` (raises TypeError on a value it cannot keep)."""
    arrays: dict[str, np.ndarray] = {}
    _put_decisions(arrays, "decisions", result.decisions)
    _put_outcome(arrays, "outcome", result.outcome)
    _put_decisions(arrays, "baseline_decisions", result.baseline_decisions)
    _put_outcome(arrays, "baseline_outcome", result.baseline_outcome)
    _put_decisions(arrays, "proportional_decisions", result.proportional_decisions)
    _put_outcome(arrays, "proportional_outcome", result.proportional_outcome)
    for name in ("roster", "unstaffed"):
        frame = getattr(result, name)
        if frame is not None:
            arrays[f"table.{name}"] = _bytes_array(_frame_bytes(frame))
    for name, array in arrays.items():
        if array.dtype == object:
            raise TypeError(f"cannot keep {name}: an array of Python objects")
    manifest = {
        "format": FORMAT, "key": key, "parameters": parameters,
        "computed_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "scenario": result.scenario.name, "input_hash": result.scenario.input_hash,
        "status": str(result.status), "messages": list(result.messages),
        "scalars": {name: getattr(result, name) for name in SCALARS},
        "dicts": {name: getattr(result, name) for name in DICTS},
        "window": _put_window(arrays, result.window),
    }
    text = json.dumps(manifest, default=_json_default, ensure_ascii=False)
    arrays[MANIFEST] = _bytes_array(text.encode())
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)   # type: ignore[arg-type]
    return buffer.getvalue()


def read_manifest(path: Path) -> dict:
    """The manifest of a kept file (raises on a file that is not one)."""
    with np.load(path, allow_pickle=False) as data:
        manifest = json.loads(bytes(data[MANIFEST]).decode())
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ValueError("not a kept plan of this format")
    return manifest


def _decisions(data, prefix: str) -> Decisions | None:
    if f"{prefix}.kits_open" not in data:
        return None
    call_shift = data.get(f"{prefix}.call_shift")
    kits_open, mobile_kits, home_visit_teams, letters = (data[f"{prefix}.{name}"] for name in Decisions.FIELDS)
    return Decisions(kits_open, mobile_kits, home_visit_teams, letters, call_shift=call_shift)


def _outcome(data, prefix: str) -> Outcome | None:
    if f"{prefix}.target" not in data:
        return None
    values: dict[str, Any] = {}
    for item in dataclasses.fields(Outcome):
        if item.name == "extra":
            start = f"{prefix}.extra."
            values["extra"] = {name[len(start):]: data[name] for name in data if name.startswith(start)}
        elif f"{prefix}.{item.name}" in data:
            values[item.name] = data[f"{prefix}.{item.name}"]
    return Outcome(**values)


def _frame(data, name: str) -> pd.DataFrame | None:
    if name not in data:
        return None
    return pd.read_parquet(io.BytesIO(bytes(data[name])))


def _window(data, manifest: dict) -> ReplanWindow:
    info = manifest["window"]
    start = None
    if info.get("start"):
        fields = {item.name: data[f"window.start.{item.name}"] for item in dataclasses.fields(StartState)
                  if f"window.start.{item.name}" in data}
        start = StartState(**fields)
    return ReplanWindow(first_day=int(info["first_day"]), change_cost=float(info["change_cost"]),
                        arrivals=data.get("window.arrivals", None), start=start,
                        fixed=_decisions(data, "window.fixed"), executed=_decisions(data, "window.executed"),
                        pinned=_decisions(data, "window.pinned"), previous=_decisions(data, "window.previous"),
                        frozen_roster=_frame(data, "table.window.frozen_roster"),
                        previous_roster=_frame(data, "table.window.previous_roster"))


def decode(path: Path, scenario: Scenario) -> tuple[PlanResult, dict]:
    """The plan kept in `path`, rebuilt on `scenario` (the caller checked the key)."""
    with np.load(path, allow_pickle=False) as npz:
        data = {name: npz[name] for name in npz.files}
    manifest = json.loads(bytes(data[MANIFEST]).decode())
    if manifest.get("format") != FORMAT:
        raise ValueError("not a kept plan of this format")
    scalars, dicts = manifest["scalars"], manifest["dicts"]
    decisions, outcome = _decisions(data, "decisions"), _outcome(data, "outcome")
    baseline, baseline_outcome = _decisions(data, "baseline_decisions"), _outcome(data, "baseline_outcome")
    if decisions is None or outcome is None or baseline is None or baseline_outcome is None:
        raise ValueError("the kept plan lacks its decisions or outcome")
    result = PlanResult(
        scenario=scenario, status=PlanStatus(manifest["status"]), decisions=decisions, outcome=outcome,
        baseline_decisions=baseline, baseline_outcome=baseline_outcome,
        objective=float(scalars["objective"]), objective_terms=dicts["objective_terms"],
        objective_bound=float(scalars["objective_bound"]), max_enrollable=float(scalars["max_enrollable"]),
        reserve_allocation=dicts["reserve_allocation"],
        baseline_reserve_allocation=dicts["baseline_reserve_allocation"],
        marginal_by_district=dicts["marginal_by_district"], seed=int(scalars["seed"]),
        wall_seconds=float(scalars["wall_seconds"]), solver_version=str(scalars["solver_version"]),
        messages=list(manifest["messages"]), stopped_early=bool(scalars["stopped_early"]),
        roster=_frame(data, "table.roster"), unstaffed=_frame(data, "table.unstaffed"),
        roster_report=dicts["roster_report"], timings=dicts["timings"], window=_window(data, manifest),
        proportional_decisions=_decisions(data, "proportional_decisions"),
        proportional_outcome=_outcome(data, "proportional_outcome"),
        proportional_reserve_allocation=dicts["proportional_reserve_allocation"])
    return result, manifest


# --- the folder --------------------------------------------------------------------------------------

def _writable_folder(folder: Path) -> bool:
    """Make the folder (with its marker) or accept it when it is ours or empty; refuse otherwise."""
    marker = folder / MARKER
    if marker.is_file():
        return True
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        log.warning("kept plans: %s is not a folder of kept plans (no %s); the plan is not kept",
                    folder, MARKER)
        return False
    folder.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(marker, json.dumps({"format": FORMAT}).encode(), durable=False)
    return True


def keep(result: PlanResult, *, seed: int | None = None, time_limit_seconds: float | None = None,
         with_roster: bool = False, folder: Path | str | None = None) -> Path | None:
    """Keep a finished plan under its key; returns the file, or None when it was not kept (no
    plan, stopped early, or the folder or disk refused: a warning, never an error)."""
    if not result.status.has_plan or result.stopped_early:
        return None
    where = Path(folder) if folder is not None else cache_folder()
    parameters = plan_parameters(result.scenario, seed=seed if seed is not None else result.seed,
                                 time_limit_seconds=time_limit_seconds, with_roster=with_roster,
                                 window=result.window)
    key = hashlib.sha256(json.dumps(parameters, sort_keys=True).encode()).hexdigest()
    try:
        if not _writable_folder(where):
            return None
        data = encode(result, key, parameters)
        path = atomic_write_bytes(entry_path(where, key), data)
        prune(where, max_entries=MAX_ENTRIES, max_bytes=MAX_BYTES)
        return path
    except (OSError, TypeError, ValueError) as exc:
        log.warning("kept plans: the plan was not kept in %s (%s: %s)", where, type(exc).__name__, exc)
        return None


def find(scenario: Scenario, *, seed: int | None = None, time_limit_seconds: float | None = None,
         with_roster: bool = False, window: ReplanWindow | None = None,
         folder: Path | str | None = None) -> KeptPlan | None:
    """The plan kept for exactly these inputs, parameters and code version, or None. A file
    that cannot be read, or whose manifest names other inputs, is skipped with a warning."""
    where = Path(folder) if folder is not None else cache_folder()
    parameters = plan_parameters(scenario, seed=seed, time_limit_seconds=time_limit_seconds,
                                 with_roster=with_roster, window=window)
    key = hashlib.sha256(json.dumps(parameters, sort_keys=True).encode()).hexdigest()
    path = entry_path(where, key)
    if not path.is_file() or path.is_symlink():
        return None
    try:
        result, manifest = decode(path, scenario)
    except Exception as exc:   # noqa: BLE001 - a kept file is input: whatever is wrong, re-plan
        log.warning("kept plans: skipping %s, it cannot be read (%s: %s)", path, type(exc).__name__, exc)
        return None
    if manifest.get("key") != key or manifest.get("parameters") != parameters:
        log.warning("kept plans: skipping %s, it was kept for other inputs", path)
        return None
    if result.decisions.kits_open.shape != (len(scenario.wards), scenario.n_days, len(scenario.shift_codes)):
        log.warning("kept plans: skipping %s, its arrays do not fit the scenario", path)
        return None
    with contextlib.suppress(OSError):
        os.utime(path)       # recently used: pruned last
    return KeptPlan(key=key, result=result, computed_at=str(manifest["computed_at"]), path=path,
                    manifest=manifest)


def keep_table(kind: str, key: str, frame: pd.DataFrame, *, folder: Path | str | None = None) -> Path | None:
    """Keep a table computed from a plan (kind "band": its coverage band) under `key`: columns of
    numbers or text only. Returns the file, or None with a warning when it was not kept."""
    where = Path(folder) if folder is not None else cache_folder()
    try:
        arrays: dict[str, np.ndarray] = {}
        for n, name in enumerate(frame.columns):
            values = frame[name].to_numpy()
            arrays[f"column.{n}"] = values.astype(str) if values.dtype == object else values
        manifest = {"format": FORMAT, "kind": kind, "key": key, "columns": [str(c) for c in frame.columns],
                    "text": [bool(frame[c].dtype == object) for c in frame.columns],
                    "computed_at": dt.datetime.now().astimezone().isoformat(timespec="seconds")}
        arrays[MANIFEST] = _bytes_array(json.dumps(manifest, ensure_ascii=False).encode())
        if not _writable_folder(where):
            return None
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **arrays)   # type: ignore[arg-type]
        path = atomic_write_bytes(entry_path(where, key, kind), buffer.getvalue())
        prune(where, max_entries=MAX_ENTRIES, max_bytes=MAX_BYTES)
        return path
    except (OSError, TypeError, ValueError) as exc:
        log.warning("kept plans: the %s was not kept in %s (%s: %s)", kind, where, type(exc).__name__, exc)
        return None


def find_table(kind: str, key: str, *, folder: Path | str | None = None) -> pd.DataFrame | None:
    """The table kept under `key`, or None (a file that cannot be read is skipped with a warning)."""
    path = entry_path(Path(folder) if folder is not None else cache_folder(), key, kind)
    if not path.is_file() or path.is_symlink():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            manifest = json.loads(bytes(data[MANIFEST]).decode())
            if manifest.get("format") != FORMAT or manifest.get("kind") != kind or manifest.get("key") != key:
                raise ValueError("kept for another table")
            frame = pd.DataFrame({name: (data[f"column.{n}"].astype(object) if text else data[f"column.{n}"])
                                  for n, (name, text) in enumerate(zip(manifest["columns"], manifest["text"]))})
    except Exception as exc:   # noqa: BLE001 - a kept file is input: whatever is wrong, compute again
        log.warning("kept plans: skipping %s, it cannot be read (%s: %s)", path, type(exc).__name__, exc)
        return None
    with contextlib.suppress(OSError):
        os.utime(path)
    return frame


def kept_files(folder: Path | str) -> list[Path]:
    """The plan files this module wrote in `folder` (name pattern and format mark), newest used first."""
    where = Path(folder)
    if not (where / MARKER).is_file():
        return []
    found = []
    for path in where.iterdir():
        if not FILE_PATTERN.match(path.name) or path.is_symlink() or not path.is_file():
            continue
        try:
            read_manifest(path)
        except Exception as exc:   # noqa: BLE001 - a foreign file is left alone, whatever it holds
            log.warning("kept plans: %s is not a kept plan (%s); left alone", path, exc)
            continue
        found.append(path)
    return sorted(found, key=lambda p: p.stat().st_mtime_ns, reverse=True)


def prune(folder: Path | str, *, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES) -> list[Path]:
    """Delete the least recently used kept plans beyond `max_entries` or `max_bytes`; returns
    what was deleted (only files `kept_files` recognises)."""
    removed = []
    total = 0
    for n, path in enumerate(kept_files(folder)):
        size = path.stat().st_size
        if n >= max_entries or (n > 0 and total + size > max_bytes):
            try:
                path.unlink()
                removed.append(path)
            except OSError as exc:
                log.warning("kept plans: could not delete %s (%s)", path, exc)
            continue
        total += size
    return removed
