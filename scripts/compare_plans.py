"""Show that two versions of the code give the same plan and roster, bit for bit.

Runs `python -m optimizer plan` on a scenario for two versions of the code (a git revision,
checked out into a temporary worktree, or a folder such as the working tree `.`) and compares
every output file: CSV and ICS files byte for byte, the XLSX workbooks cell by cell (the zip
container carries a timestamp), summary.json with its timing fields left out; the output
folder's marker file (it names the process that wrote it) is not compared.

    python scripts/compare_plans.py BASE [HEAD]      # HEAD defaults to the working tree "."
    python scripts/compare_plans.py BASE --scenario scenarios/hanoi-2022 --no-roster

A revision's outputs are kept under --cache (by commit, scenario and options) and reused.
Exit code 0 when everything matches, 1 when something differs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARKER_FILE = ".enrollment-planner-output"   # the output folder's marker: the writing process, not the plan
TIMING_KEYS = {"wall_seconds", "timings", "seconds", "elapsed_seconds"}


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, check=True, capture_output=True, text=True).stdout.strip()


def _drop_timings(value):
    if isinstance(value, dict):
        return {k: _drop_timings(v) for k, v in value.items()
                if k not in TIMING_KEYS and not k.endswith("_seconds")}
    if isinstance(value, list):
        return [_drop_timings(v) for v in value]
    return value


def run_plan(code: Path, scenario: Path, out: Path, extra: list[str]) -> None:
    """Plan `scenario` with the code in folder `code`, writing into `out`."""
    env = dict(os.environ, PYTHONPATH=str(code))
    command = [sys.executable, "-m", "optimizer", "plan", str(scenario), "--out", str(out), *extra]
    print("$", " ".join(command), f"(code: {code})", file=sys.stderr, flush=True)
    subprocess.run(command, cwd=code, env=env, check=True)


def outputs_for(version: str, scenario: Path, extra: list[str], cache: Path) -> Path:
    """The output folder of `version` (a folder, or a git revision) on `scenario`."""
    if Path(version).is_dir() and not _is_revision(version):
        out = Path(tempfile.mkdtemp(prefix="compare-plans-"))  # a working tree: never cached
        run_plan(Path(version).resolve(), scenario, out / "out", extra)
        return out / "out"
    commit = _git("rev-parse", version)
    key = hashlib.sha256(json.dumps([commit, str(scenario), extra]).encode()).hexdigest()[:16]
    out = cache / f"{commit[:10]}-{scenario.name}-{key}"
    if (out / "summary.json").exists():
        print(f"reusing {out}", file=sys.stderr)
        return out
    tree = Path(tempfile.mkdtemp(prefix="compare-plans-tree-"))
    _git("worktree", "add", "--detach", str(tree / "code"), commit)
    try:
        run_plan(tree / "code", scenario, out, extra)
    finally:
        _git("worktree", "remove", "--force", str(tree / "code"))
        shutil.rmtree(tree, ignore_errors=True)
    return out


def _is_revision(version: str) -> bool:
    return subprocess.run(["git", "rev-parse", "--verify", "--quiet", version], cwd=ROOT,
                          capture_output=True).returncode == 0 and version != "."


def _xlsx_cells(path: Path) -> list:
    import openpyxl

    book = openpyxl.load_workbook(path)
    return [(sheet.title, [[cell.value for cell in row] for row in sheet.iter_rows()]) for sheet in book]


def differences(first: Path, second: Path) -> list[str]:
    """Every file that differs between two output folders (timings aside)."""
    names_first = {p.relative_to(first) for p in first.rglob("*") if p.is_file() and p.name != MARKER_FILE}
    names_second = {p.relative_to(second) for p in second.rglob("*") if p.is_file() and p.name != MARKER_FILE}
    found = [f"only in {first}: {n}" for n in sorted(names_first - names_second)]
    found += [f"only in {second}: {n}" for n in sorted(names_second - names_first)]
    for name in sorted(names_first & names_second):
        a, b = first / name, second / name
        if name.suffix == ".json":
            same = _drop_timings(json.loads(a.read_text("utf-8"))) == _drop_timings(json.loads(b.read_text("utf-8")))
        elif name.suffix == ".xlsx":
            same = _xlsx_cells(a) == _xlsx_cells(b)
        else:
            same = a.read_bytes() == b.read_bytes()
        if not same:
            found.append(f"differs: {name}")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", help="git revision or folder")
    parser.add_argument("head", nargs="?", default=".", help="git revision or folder (default: the working tree)")
    parser.add_argument("--scenario", type=Path, default=ROOT / "scenarios" / "tiny")
    parser.add_argument("--no-roster", action="store_true")
    parser.add_argument("--seed", default=None)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "compare-plans")
    args = parser.parse_args(argv)
    extra = (["--no-roster"] if args.no_roster else []) + (["--seed", args.seed] if args.seed else [])
    scenario = args.scenario.resolve()
    args.cache.mkdir(parents=True, exist_ok=True)
    base = outputs_for(args.base, scenario, extra, args.cache)
    head = outputs_for(args.head, scenario, extra, args.cache)
    found = differences(base, head)
    files = sum(1 for p in base.rglob("*") if p.is_file())
    for line in found:
        print(line)
    print(f"{scenario.name} {' '.join(extra)}: {args.base} vs {args.head}: "
          f"{'SAME' if not found else 'DIFFERENT'} ({files} files compared)")
    return 0 if not found else 1


if __name__ == "__main__":
    sys.exit(main())
