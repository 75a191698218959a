"""The planner never deletes what it did not write: output folders carry a marker, anything
else is refused with one line, and staging folders of killed runs are cleaned up."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from optimizer.cli import main
from optimizer.exports.outputs import (
    MARKER_FILE,
    OutputFolderError,
    atomic_folder,
    check_output_folder,
    remove_stale_staging,
)

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "scenarios" / "tiny"


def write_run(out: Path, name: str = "a.txt") -> None:
    with atomic_folder(out) as staging:
        (staging / name).write_text("x", encoding="utf-8")


def test_written_folder_holds_the_marker_and_can_be_replaced(tmp_path):
    """A folder the planner wrote carries the marker and a later run replaces it."""
    out = tmp_path / "out"
    write_run(out, "first.txt")
    assert (out / MARKER_FILE).is_file()
    write_run(out, "second.txt")
    assert (out / "second.txt").is_file() and not (out / "first.txt").exists()


def test_non_empty_folder_without_marker_is_refused_and_kept(tmp_path):
    """A user's non-empty folder is refused and left exactly as it was."""
    out = tmp_path / "documents"
    out.mkdir()
    (out / "precious.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(OutputFolderError):
        write_run(out)
    assert (out / "precious.txt").read_text(encoding="utf-8") == "keep me"
    assert [p.name for p in tmp_path.iterdir()] == ["documents"]


def test_file_as_output_path_is_refused(tmp_path):
    """An output path that is a file is refused and the file kept."""
    report = tmp_path / "report.txt"
    report.write_text("notes", encoding="utf-8")
    with pytest.raises(OutputFolderError):
        check_output_folder(report)
    assert report.read_text(encoding="utf-8") == "notes"


def test_empty_folder_is_accepted(tmp_path):
    """An empty folder may be used as the output folder."""
    out = tmp_path / "empty"
    out.mkdir()
    write_run(out)
    assert (out / "a.txt").is_file()


def test_current_folder_is_refused(tmp_path, monkeypatch):
    """`--out .` is refused even when the current folder holds a marker."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / MARKER_FILE).write_text(json.dumps({"kind": "enrollment-planner output folder"}),
                                        encoding="utf-8")
    with pytest.raises(OutputFolderError):
        check_output_folder(".")


@pytest.mark.parametrize("command", ["plan", "replay", "nightly", "store"])
def test_every_folder_writing_command_refuses_a_scenario_folder(command, tmp_path, capsys):
    """plan, replay, nightly and store export exit 2 with one line on a foreign folder."""
    target = tmp_path / "scenario"
    target.mkdir()
    (target / "campaign.toml").write_text("x", encoding="utf-8")
    argv = {"plan": ["plan", str(TINY), "--out", str(target), "--no-roster"],
            "replay": ["replay", str(TINY), "--out", str(target), "--nights", "0"],
            "nightly": ["nightly", str(TINY), "--actuals", str(tmp_path / "a.csv"), "--as-of",
                        "2022-07-25", "--store", str(tmp_path / "s.sqlite"), "--out", str(target)],
            "store": ["store", "export", str(tmp_path / "s.sqlite"), "--out", str(target)]}[command]
    assert main(argv) == 2
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1 and "not empty" in error
    assert [p.name for p in target.iterdir()] == ["campaign.toml"]
    assert not (tmp_path / "s.sqlite").exists()


def test_staging_folder_of_a_killed_run_is_removed_on_the_next_run(tmp_path):
    """A `.out.tmp-*` folder left by a killed planner process is removed by the next run."""
    out = tmp_path / "out"
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)
    dead_pid = int(child.stdout)
    stale = tmp_path / ".out.tmp-abc123"
    stale.mkdir()
    (stale / MARKER_FILE).write_text(json.dumps({"kind": "enrollment-planner output folder",
                                                 "pid": dead_pid, "host": socket.gethostname()}),
                                     encoding="utf-8")
    foreign = tmp_path / ".out.tmp-user"
    foreign.mkdir()
    (foreign / "mine.txt").write_text("x", encoding="utf-8")
    live = tmp_path / ".out.tmp-live"
    live.mkdir()
    (live / MARKER_FILE).write_text(json.dumps({"kind": "enrollment-planner output folder",
                                                "pid": os.getppid(), "host": socket.gethostname()}),
                                    encoding="utf-8")
    write_run(out)
    assert not stale.exists()
    assert (foreign / "mine.txt").is_file() and live.is_dir()
    assert remove_stale_staging(out) == []


def test_plan_without_a_solution_exits_1_and_writes_nothing(tmp_path, capsys, monkeypatch):
    """A solve that finds no plan (status no_solution) never exits 0 nor writes outputs."""
    import types

    import optimizer.planner

    monkeypatch.setattr(optimizer.planner, "run_plan",
                        lambda *args, **kwargs: types.SimpleNamespace(status="no_solution"))
    out = tmp_path / "out"
    code = main(["plan", str(TINY), "--out", str(out), "--no-roster"])
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert code == 1 and "no plan" in error
    assert not out.exists()


def test_output_folder_holding_an_input_of_the_run_is_refused(tmp_path):
    """An output folder written by the planner is still refused when it holds the run's store."""
    out = tmp_path / "nightly"
    write_run(out)
    store = out / "store.sqlite"
    store.write_bytes(b"")
    with pytest.raises(OutputFolderError, match="an input of this run"):
        check_output_folder(out, keep=(store,))
    assert store.exists()


def test_output_path_under_a_file_is_refused(tmp_path):
    """`--out report.txt/sub` is refused with one line instead of failing half way."""
    report = tmp_path / "report.txt"
    report.write_text("notes", encoding="utf-8")
    with pytest.raises(OutputFolderError, match="is a file"):
        check_output_folder(report / "sub")


def test_run_killed_while_writing_leaves_nothing_after_the_next_run(tmp_path):
    """A process killed (SIGKILL) half way through writing leaves a staging folder that the next
    run removes; the previous output stays intact throughout."""
    out = tmp_path / "out"
    write_run(out, "good.txt")
    code = ("import os, signal, sys\n"
            "from optimizer.exports.outputs import atomic_folder\n"
            f"with atomic_folder(r'{out}') as staging:\n"
            "    (staging / 'half.txt').write_text('x')\n"
            "    os.kill(os.getpid(), signal.SIGKILL)\n")
    killed = subprocess.run([sys.executable, "-c", code], cwd=ROOT, timeout=60,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert killed.returncode == -9
    left = list(tmp_path.glob(".out.tmp-*"))
    assert len(left) == 1 and (out / "good.txt").is_file()
    write_run(out, "next.txt")
    assert not list(tmp_path.glob(".out.tmp-*")) and (out / "next.txt").is_file()


def test_export_workers_end_when_the_run_is_killed(tmp_path):
    """Forked export workers do not outlive a run killed with SIGKILL (Linux)."""
    if not sys.platform.startswith("linux"):
        pytest.skip("parent-death signal is Linux only")
    pids = tmp_path / "pids"
    code = ("import os, signal, time\n"
            "from optimizer.exports.parallel import run_tasks\n"
            "def task(shared, item):\n"
            f"    open(r'{pids}', 'a').write(f'{{os.getpid()}}\\n')\n"
            "    if item == 0:\n"
            "        os.kill(os.getppid(), signal.SIGKILL)\n"
            "    time.sleep(60)\n"
            "run_tasks(task, None, [0, 1], workers=2)\n")
    killed = subprocess.run([sys.executable, "-c", code], cwd=ROOT, timeout=60,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert killed.returncode == -9
    import time
    workers = [int(line) for line in pids.read_text().split()]
    assert workers
    for _ in range(100):
        alive = [pid for pid in workers if Path(f"/proc/{pid}").exists()
                 and "Z" not in Path(f"/proc/{pid}/stat").read_text().split()[2]]
        if not alive:
            break
        time.sleep(0.1)
    assert not alive
