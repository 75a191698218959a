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

from optimizer.roster.result import Assignment, RosterResult, RosterStatus  # noqa: E402

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


def _engine_returning(status: RosterStatus, assignments: tuple):
    """A stand-in for the engine's `solve` that returns this roster, whatever the problem."""
    def solve(problem, **kwargs):
        return RosterResult(status, 100.0 if assignments else None, None, assignments, (), 0.0,
                            stats={"stopped_by": "work_limit"}, problem=problem)
    return solve


def test_no_solution_file_when_the_engine_finds_no_roster(tmp_path, monkeypatch):
    """No roster in the time: no solution file, a record that says so, and exit code 1."""
    monkeypatch.setattr(benchmark, "solve", _engine_returning(RosterStatus.NO_SOLUTION_IN_TIME, ()))
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


def test_no_solution_file_for_a_roster_that_breaks_a_hard_rule(tmp_path, monkeypatch):
    """A roster the independent check finds breaking a hard rule (here one shift where the nurse
    must work 960 minutes) is rejected: no solution file, the violations in the record, exit 1."""
    one_shift = (Assignment("A", 0, "D"),)
    monkeypatch.setattr(benchmark, "solve", _engine_returning(RosterStatus.FEASIBLE, one_shift))
    instance = tmp_path / "Tiny.txt"
    instance.write_text(TWO_DAYS, encoding="utf-8")
    out = tmp_path / "out"
    code = benchmark.main([str(instance), "--seeds", "0", "1", "--time-limit", "10", "--workers", "1",
                           "--out", str(out)])
    assert code == 1
    assert not list(out.glob("*.solution.csv"))
    for record in json.loads((out / "results.json").read_text(encoding="utf-8")):
        assert record["status"] == "rejected: breaks hard rules" and record["solution_file"] is None
        assert record["objective"] is None and record["hard_violations"] >= 1 and record["first_violations"]


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


def test_weekend_use_counts_half_weekends_and_gaps_nobody_may_take(tmp_path):
    """Instance1 (8 nurses, one weekend each): a roster where each nurse works one day of the
    first weekend (Saturday, or Sunday when off on Saturday) has 8 half weekends and every nurse
    at their limit, so the second weekend's cover, worked by nobody, is horizon-blocked; a row
    naming no employee of the instance is refused with exit 2."""
    spec = importlib.util.spec_from_file_location("curtois_weekends", ROOT / "benchmarks" / "curtois_weekends.py")
    weekends = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(weekends)
    from optimizer.roster import curtois
    from optimizer.roster.compiled import Compiled
    instance = ROOT / "benchmarks" / "curtois" / "Instance1.txt"
    compiled = Compiled(curtois.to_problem(curtois.read_instance(instance)))
    employees = compiled.problem.employees
    roster = {(e, 6 if 5 in employee.days_off else 5): 0 for e, employee in enumerate(employees)}
    use = weekends.weekend_use(compiled, roster)
    assert use["half_weekends"] == use["at_weekend_limit"] == len(employees) == 8
    second_weekend = sum(d.requirement for (day, _, _), ds in compiled.slot_demands.items() if day in (12, 13)
                         for d in ds)
    assert use["uncovered"]["weekend horizon-blocked"] == second_weekend > 0
    bad = tmp_path / "bad.csv"
    bad.write_text("employee,day,shift\nA,5,D\nZZ,6,D\n", encoding="utf-8")
    assert weekends.main([str(instance), str(bad)]) == 2
