"""The batch command line: plan, check, nightly, replay.

Bad input prints one line naming the file, row, column and problem and exits with code 2;
a plan that fails the checker exits with 1; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .errors import ScenarioError

EXIT_OK, EXIT_VIOLATIONS, EXIT_BAD_INPUT = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # usage errors are bad input too: one line, exit 2
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


def _progress(start: float):
    def report(message: str, fraction: float) -> None:
        print(f"[{time.perf_counter() - start:6.1f}s {100 * fraction:3.0f}%] {message}", file=sys.stderr, flush=True)
    return report


def _positive(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive, not {text}")
    return value


def _workers(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m optimizer", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    plan = sub.add_parser("plan", help="plan a scenario and write the plan, projection, bottlenecks and rosters")
    plan.add_argument("scenario", type=Path)
    plan.add_argument("--out", type=Path, required=True)
    plan.add_argument("--time-limit", type=_positive, default=None, help="seconds (default: the scenario's)")
    plan.add_argument("--seed", type=int, default=None)
    plan.add_argument("--workers", type=_workers, default=None)
    plan.add_argument("--no-roster", action="store_true", help="skip officer rosters and their exports")
    plan.add_argument("--language", choices=["vi", "en"], default="vi", help="language of the XLSX rosters")
    check = sub.add_parser("check", help="re-verify a written plan (and roster) from the scenario alone")
    check.add_argument("scenario", type=Path)
    check.add_argument("out", type=Path)
    from .nightly_cli import add_commands
    add_commands(sub)
    from .country import cli as country_cli; country_cli.add_commands(sub)  # noqa: E702
    return parser


def cmd_plan(args) -> int:
    from .outputs import write_outputs
    from .planner import run_plan
    from .scenario import load_scenario

    start = time.perf_counter()
    scenario = load_scenario(args.scenario)
    progress = _progress(start)
    progress(f"scenario '{scenario.name}': {len(scenario.districts)} districts, {len(scenario.wards)} wards, "
             f"{scenario.n_days} days, target {scenario.total_target:,}", 0.0)
    result = run_plan(scenario, workers=args.workers, time_limit_seconds=args.time_limit, seed=args.seed,
                      progress=progress, with_roster=not args.no_roster)
    write_outputs(result, args.out, language=args.language)
    summary = result.summary()
    gap = "n/a" if summary["gap"] is None else f"{100 * summary['gap']:.2f} %"
    progress(f"{summary['status']}: enrolled {summary['enrolled']:,} of {summary['target']:,} "
             f"({100 * summary['coverage']:.1f} %), bound {summary['max_enrollable']}, gap {gap}, "
             f"baseline {summary['baseline_enrolled']:,}; wrote {args.out}", 1.0)
    return EXIT_OK


def cmd_check(args) -> int:
    from .checker import check_plan, format_report
    from .scenario import load_scenario

    scenario = load_scenario(args.scenario)
    report = check_plan(scenario, args.out)
    lines = [format_report(report)]
    ok = report.ok
    roster_path = Path(args.out) / "roster.csv"
    if roster_path.exists():
        import pandas as pd

        from .roster_check import check_roster, read_roster_csv
        plan = pd.read_csv(Path(args.out) / "plan.csv", dtype={"ward_code": str, "district_code": str})
        violations = check_roster(scenario, read_roster_csv(roster_path), plan)
        lines.extend(str(v) for v in violations)
        lines.append(f"roster: {'OK' if not violations else 'FAILED'}: {len(violations)} violation(s)")
        ok = ok and not violations
    print("\n".join(lines))
    return EXIT_OK if ok else EXIT_VIOLATIONS


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handlers = {"plan": cmd_plan, "check": cmd_check}
    from .nightly_cli import HANDLERS
    handlers.update(HANDLERS)
    from .country.cli import HANDLERS as COUNTRY_HANDLERS; handlers.update(COUNTRY_HANDLERS)  # noqa: E702
    try:
        return handlers[args.command](args)
    except ScenarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:
        print(f"error: {exc.strerror or exc}: {exc.filename or ''} (the previous outputs are untouched)",
              file=sys.stderr)
        return EXIT_VIOLATIONS
    except KeyboardInterrupt:
        print("interrupted: the previous outputs are untouched", file=sys.stderr)
        return 130
