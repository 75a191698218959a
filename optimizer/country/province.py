"""Planning one province: the task a worker runs (in a local process or as a Ray task).

The task loads the province's scenario, plans it (`run_plan`, the one call of this package),
writes the same output folder as `plan` straight to disk and returns only a small record (the
headline numbers and the coverage by day): the driver never holds a province's plan. Any failure
becomes a record with status `failed` and a one-line error, so the other provinces go on.
"""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from ..errors import ScenarioError
from .folders import ProvinceFolder

STATUS_FAILED = "failed"
STATUS_BAD_INPUT = "bad input"


@dataclass(frozen=True)
class ProvinceTask:
    """What a worker needs to plan one province (picklable)."""

    province: ProvinceFolder
    out_dir: Path                   # the province's output folder (written atomically)
    with_roster: bool = True
    time_limit_seconds: float | None = None
    seed: int | None = None
    language: str = "vi"
    districts_on_ray: bool = False  # run this province's districts as Ray tasks of their own
    check: bool = False             # re-verify the written plan (and roster) with the independent checker


def plan_scenario(scenario, task: ProvinceTask, executor=None):
    """Plan a province's scenario. The only place the country planner calls `run_plan`:
    one worker per province, districts through `executor` (serial when None)."""
    from ..executor import SerialExecutor
    from ..planner import SolveOptions, run_plan

    return run_plan(scenario, SolveOptions(workers=1, time_limit_seconds=task.time_limit_seconds, seed=task.seed,
                                           with_roster=task.with_roster, executor=executor or SerialExecutor()))


def plan_province(task: ProvinceTask) -> dict:
    """Plan one province and write its outputs; return its record (never raises)."""
    from ..exports.outputs import write_outputs
    from ..scenario import load_scenario

    begin, begin_cpu = time.perf_counter(), time.process_time()
    record: dict = {"province_code": task.province.code, "folder": task.province.name,
                    "districts_on_ray": task.districts_on_ray}
    try:
        scenario = load_scenario(task.province.path)
        record.update(scenario=scenario.name, province_name=scenario.settings.campaign.province,
                      districts=len(scenario.districts), wards=len(scenario.wards))
        executor = None
        if task.districts_on_ray:
            from ..executor import RayExecutor
            executor = RayExecutor()
        result = plan_scenario(scenario, task, executor)
        write_outputs(result, task.out_dir, language=task.language)
        record.update(province_record(result))
        if task.check:
            record["check"] = check_outputs(scenario, task.out_dir)
        record["status"] = result.status
        record["error"] = ("" if result.status in ("optimal", "feasible") else
                           f"no plan found ({result.status}): {'; '.join(result.messages[-1:])}".replace("\n", " "))
    except ScenarioError as exc:
        record.update(status=STATUS_BAD_INPUT, error=f"{task.province.name}/{exc}")
    except Exception as exc:  # noqa: BLE001 - one province's failure must not stop the others
        where = traceback.extract_tb(exc.__traceback__)[-1]
        record.update(status=STATUS_FAILED, error=f"{type(exc).__name__}: {exc} "
                      f"({Path(where.filename).name}:{where.lineno})".replace("\n", " "))
    record["wall_seconds"] = round(time.perf_counter() - begin, 3)
    record["cpu_seconds"] = round(time.process_time() - begin_cpu, 3)   # this process only (all its threads)
    return record


def check_outputs(scenario, out_dir: Path) -> str:
    """The independent checker's verdict on a written province plan (and roster): `pass`, or
    `fail: N violation(s) (rules)`."""
    import pandas as pd

    from ..checker import check_plan

    report = check_plan(scenario, out_dir)
    rules = dict(report.rules())
    roster_path = out_dir / "roster.csv"
    if roster_path.exists():
        from ..roster.check import check_roster, read_roster_csv

        plan = pd.read_csv(out_dir / "plan.csv", dtype={"ward_code": str, "district_code": str})
        for violation in check_roster(scenario, read_roster_csv(roster_path), plan):
            rules[f"roster {violation.rule}"] = rules.get(f"roster {violation.rule}", 0) + 1
    if not rules:
        return "pass"
    return f"fail: {sum(rules.values())} violation(s) ({', '.join(f'{k} {v}' for k, v in sorted(rules.items()))})"


def province_record(result) -> dict:
    """A province's headline numbers and its coverage by day (plan and baseline)."""
    summary = result.summary()
    days = summary["coverage_days"]
    enrolled_by_day = result.outcome.enrolled_cum_by_day().sum(axis=0)
    baseline_by_day = result.baseline_outcome.enrolled_cum_by_day().sum(axis=0)
    return {
        "target": summary["target"], "enrolled": summary["enrolled"], "coverage": summary["coverage"],
        "max_enrollable": summary["max_enrollable"], "gap": summary["gap"],
        "baseline_enrolled": summary["baseline_enrolled"], "baseline_coverage": summary["baseline_coverage"],
        "day_to_90": days["90"]["plan"], "day_to_95": days["95"]["plan"],
        "baseline_day_to_90": days["90"]["baseline"], "baseline_day_to_95": days["95"]["baseline"],
        "plan_seconds": summary["wall_seconds"], "input_hash": summary["input_hash"],
        "solver_version": summary["solver_version"],
        "by_day": {"date": [d.isoformat() for d in result.scenario.dates],
                   "enrolled_cum": [round(float(v)) for v in enrolled_by_day],
                   "baseline_enrolled_cum": [round(float(v)) for v in baseline_by_day]},
    }
