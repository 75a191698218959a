"""`plan` (plan a scenario and write its outputs) and `check` (re-verify written outputs)."""

from __future__ import annotations

import sys
from pathlib import Path

from .common import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, positive, progress_printer, seed, workers

NO_PLAN_STATUSES = ("no_solution", "infeasible")


def add_commands(sub) -> None:
    """Register `plan` and `check` on the `sub` parsers."""
    plan = sub.add_parser("plan", help="plan a scenario and write the plan, projection, bottlenecks and rosters")
    plan.add_argument("scenario", type=Path)
    plan.add_argument("--out", type=Path, required=True)
    plan.add_argument("--time-limit", type=positive, default=None, help="seconds (default: the scenario's)")
    plan.add_argument("--seed", type=seed, default=None)
    plan.add_argument("--workers", type=workers, default=None)
    plan.add_argument("--no-roster", action="store_true", help="skip officer rosters and their exports")
    plan.add_argument("--language", choices=["vi", "en"], default="vi", help="language of the XLSX rosters")
    check = sub.add_parser("check", help="re-verify a written plan (and roster) from the scenario alone")
    check.add_argument("scenario", type=Path)
    check.add_argument("out", type=Path)


def cmd_plan(args) -> int:
    from ..exports.outputs import check_output_folder, write_outputs
    from ..kept_plans import keep
    from ..planner import SolveOptions, run_plan
    from ..scenario import load_scenario

    progress = progress_printer()
    check_output_folder(args.out, keep=(args.scenario,))
    scenario = load_scenario(args.scenario)
    progress(f"scenario '{scenario.name}': {len(scenario.districts)} districts, {len(scenario.wards)} wards, "
             f"{scenario.n_days} days, target {scenario.total_target:,}", 0.0)
    for warning in scenario.notes.get("warnings", []):
        progress(f"warning: {warning}", 0.0)
    result = run_plan(scenario, SolveOptions(workers=args.workers, time_limit_seconds=args.time_limit, seed=args.seed,
                                             progress=progress, with_roster=not args.no_roster))
    if result.status in NO_PLAN_STATUSES:
        print(f"error: the solver found no plan ({result.status}); nothing was written, "
              "the previous outputs are untouched", file=sys.stderr)
        return EXIT_FAILED
    write_outputs(result, args.out, language=args.language)
    kept = keep(result, seed=args.seed, time_limit_seconds=args.time_limit, with_roster=not args.no_roster)
    if kept is not None:
        progress(f"kept the plan for the app in {kept.parent}", 1.0)
    summary = result.summary()
    gap = "n/a" if summary["gap"] is None else f"{100 * summary['gap']:.2f} %"
    progress(f"{summary['status']}: enrolled {summary['enrolled']:,} of {summary['target']:,} "
             f"({100 * summary['coverage']:.1f} %), bound {summary['max_enrollable']}, gap {gap}, "
             f"fair baseline {summary['baseline_enrolled']:,} (gain {summary['gain_over_baseline']:+,}), "
             f"proportional rule {summary['proportional_enrolled']:,}; wrote {args.out}", 1.0)
    if summary["status"] == "bound_violated":
        print(summary["messages"][0], file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def cmd_check(args) -> int:
    from ..checker import check_plan, format_report
    from ..errors import ScenarioError, one_line
    from ..scenario import load_scenario

    scenario = load_scenario(args.scenario)
    out = Path(args.out)
    if not out.is_dir():
        raise ScenarioError(str(out), "not a folder of written outputs")
    try:
        report = check_plan(scenario, out)
        lines = [format_report(report)]
        ok = report.ok
        roster_path = out / "roster.csv"
        if roster_path.exists():
            import pandas as pd

            from ..roster.check import check_roster, read_roster_csv
            plan = pd.read_csv(out / "plan.csv", dtype={"ward_code": str, "district_code": str})
            violations = check_roster(scenario, read_roster_csv(roster_path), plan)
            lines.extend(str(v) for v in violations)
            lines.append(f"roster: {'OK' if not violations else 'FAILED'}: {len(violations)} violation(s)")
            ok = ok and not violations
        if (out / "baseline_plan.csv").exists():   # the fair baseline, checked as the plan
            from ..checker import check_baseline
            baseline = check_baseline(scenario, out)
            lines[:0] = [f"baseline {line}" for line in format_report(baseline).splitlines()[:-1]] + [
                f"baseline: {'OK' if baseline.ok else 'FAILED'}: {len(baseline.violations)} violation(s); "
                f"recomputed enrolled {baseline.kpis.get('enrolled')}"]
            ok = ok and baseline.ok
    except (ScenarioError, OSError):
        raise
    except Exception as exc:  # noqa: BLE001 - the written files are input here: one line, exit 2
        print(one_line(f"error: {out}: the written outputs cannot be read ({type(exc).__name__}: {exc})"),
              file=sys.stderr)
        return EXIT_BAD_INPUT
    print("\n".join(lines))
    return EXIT_OK if ok else EXIT_FAILED


HANDLERS: dict = {"plan": cmd_plan, "check": cmd_check}
