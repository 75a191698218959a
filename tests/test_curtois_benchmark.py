"""The Curtois benchmark runner: solution files only for rosters that keep every hard rule, and
the spread over seeds."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = importlib.util.spec_from_file_location("curtois_benchmark", ROOT / "benchmarks" / "curtois.py")
benchmark = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(benchmark)

# two days, one nurse who must work 960 minutes: only both days keep her minimum
TWO_DAYS = """SECTION_HORIZON
2

SECTION_SHIFTS
D,480,

SECTION_STAFF
A,D=2,960,960,2,1,1,1

SECTION_DAYS_OFF

SECTION_SHIFT_ON_REQUESTS

SECTION_SHIFT_OFF_REQUESTS

SECTION_COVER
0,D,1,100,1
1,D,1,100,1
"""


def test_no_solution_file_when_no_roster_keeps_the_hard_rules(tmp_path):
    """Without work budget no roster keeps the minimum minutes: no solution file, a record that
    says so, and exit code 1."""
    instance = tmp_path / "Tiny.txt"
    instance.write_text(TWO_DAYS, encoding="utf-8")
    out = tmp_path / "out"
    code = benchmark.main([str(instance), "--work-limit", "0", "--time-limit", "10", "--workers", "1",
                           "--out", str(out)])
    assert code == 1
    assert not (out / "Tiny.solution.csv").exists()
    record = json.loads((out / "results.json").read_text(encoding="utf-8"))[0]
    assert record["solution_file"] is None and record["objective"] is None
    assert record["status"] == "no_solution_in_time"


def test_solution_files_per_seed_and_spread(tmp_path, capsys):
    """With several seeds each roster that keeps the hard rules gets its own file, and the spread
    table gives the median and range per instance."""
    instance = tmp_path / "Tiny.txt"
    instance.write_text(TWO_DAYS, encoding="utf-8")
    out = tmp_path / "out"
    code = benchmark.main([str(instance), "--seeds", "0", "1", "--work-limit", "2", "--time-limit", "30",
                           "--workers", "1", "--out", str(out)])
    assert code == 0
    for seed in (0, 1):
        rows = (out / f"Tiny.seed{seed}.solution.csv").read_text(encoding="utf-8").splitlines()
        assert rows == ["employee,day,shift", "A,0,D", "A,1,D"]
    assert "| Tiny | - | 2 | 2 | 0 | - | 0-0 | - |" in capsys.readouterr().out
