"""Command-line wiring of the nightly re-plan, the closed-loop replay and the plan store.

    python -m optimizer nightly SCENARIO_DIR --actuals FILE --as-of DATE --store DB --out OUT_DIR
                                [--time-limit S] [--seed N] [--workers N] [--no-roster] [--prior-days K]
    python -m optimizer replay SCENARIO_DIR --seed N --out OUT_DIR [--nights N] [--time-limit S]
                               [--workers N] [--missing-share P]
    python -m optimizer store export DB --out DIR
    python -m optimizer store history DB

Exit codes: 0 done; 1 the re-plan failed (nothing published, the last published plan stands);
2 bad input (one line naming file, row, column); 3 the store is busy with another run.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_BUSY = 0, 1, 2, 3


def _fraction(text: str) -> float:
    value = float(text)
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"must be in 0..1, not {text}")
    return value


def _nights(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {text}")
    return value


def add_commands(sub) -> None:
    from .cli import _positive, _workers

    nightly = sub.add_parser("nightly", help="re-plan the days after --as-of from the day's actual enrollments")
    nightly.add_argument("scenario", type=Path)
    nightly.add_argument("--actuals", type=Path, required=True, help="CSV: ward_code,date,enrolled[,...]")
    nightly.add_argument("--as-of", required=True, help="last day the actuals cover (YYYY-MM-DD)")
    nightly.add_argument("--store", type=Path, required=True, help="plan store (SQLite file, created if missing)")
    nightly.add_argument("--out", type=Path, required=True)
    nightly.add_argument("--time-limit", type=_positive, default=None, help="seconds (default: the scenario's)")
    nightly.add_argument("--seed", type=int, default=None)
    nightly.add_argument("--workers", type=_workers, default=None)
    nightly.add_argument("--no-roster", action="store_true", help="skip officer rosters")
    nightly.add_argument("--prior-days", type=_positive, default=1.0,
                         help="weight of the scenario's turnout and show-up, in days of data (default 1)")

    replay = sub.add_parser("replay", help="play the campaign night by night against a drawn demand")
    replay.add_argument("scenario", type=Path)
    replay.add_argument("--seed", type=int, default=0, help="seed of the drawn demand (the truth)")
    replay.add_argument("--out", type=Path, required=True)
    replay.add_argument("--nights", type=_nights, default=None, help="nights to re-plan (default: all)")
    replay.add_argument("--time-limit", type=_positive, default=None)
    replay.add_argument("--workers", type=_workers, default=None)
    replay.add_argument("--missing-share", type=_fraction, default=0.0,
                        help="share of ward-days that do not report (default 0)")

    store = sub.add_parser("store", help="the plan store: export to CSV, list runs")
    store_sub = store.add_subparsers(dest="store_command", required=True, parser_class=type(store))
    export = store_sub.add_parser("export", help="write every table of the store as CSV")
    export.add_argument("db", type=Path)
    export.add_argument("--out", type=Path, required=True)
    history = store_sub.add_parser("history", help="list the runs in the store")
    history.add_argument("db", type=Path)


def _progress(start: float):
    def report(message: str, fraction: float) -> None:
        print(f"[{time.perf_counter() - start:6.1f}s {100 * fraction:3.0f}%] {message}", file=sys.stderr, flush=True)
    return report


def cmd_nightly(args) -> int:
    from .nightly.roster import staffed_roster
    from .nightly.run import NightlyFailed, NightlyOptions, run_nightly
    from .nightly.store import StoreBusy

    from .country.nightly import cmd_nightly_country, is_country_folder
    if is_country_folder(args.scenario): return cmd_nightly_country(args)  # noqa: E701
    start = time.perf_counter()
    progress = _progress(start)
    options = NightlyOptions(time_limit_seconds=args.time_limit, seed=args.seed, workers=args.workers,
                             with_roster=not args.no_roster, prior_days=args.prior_days)
    try:
        report = run_nightly(args.scenario, args.actuals, args.as_of, args.store, args.out, options,
                             roster_fn=staffed_roster, progress=progress)
    except StoreBusy as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BUSY
    except NightlyFailed as exc:
        print(f"error: {exc}; nothing was published, the last published plan stands", file=sys.stderr)
        return EXIT_FAILED
    s = report.summary
    for message in report.messages:
        progress(message, 1.0)
    for warning in s["actuals_warnings"][:20]:
        progress(f"warning: {warning['message']}", 1.0)
    if len(s["actuals_warnings"]) > 20:
        progress(f"... {len(s['actuals_warnings']) - 20} more warnings in summary.json", 1.0)
    officers = "n/a" if s["changed_officer_shifts"] is None else f"{s['changed_officer_shifts']:,}"
    progress(f"run #{report.run_id} as of {s['as_of']}: {s['enrolled_to_date']:,} enrolled so far "
             f"({100 * s['coverage_to_date']:.1f} %), projected {s['enrolled']:,} of {s['target']:,} "
             f"({100 * s['coverage']:.1f} %); changed {s['changed_kit_shifts']:,} kit-shifts and {officers} "
             f"officer shifts against run #{s['previous_run']['id']}; roster {s['roster_status']}; "
             f"wrote {args.out}", 1.0)
    return EXIT_OK


def cmd_replay(args) -> int:
    from .nightly.replay import run_replay, write_replay
    from .nightly.run import NightlyOptions
    from .scenario import load_scenario

    start = time.perf_counter()
    progress = _progress(start)
    scenario = load_scenario(args.scenario)
    options = NightlyOptions(time_limit_seconds=args.time_limit, workers=args.workers, with_roster=False)
    report, table = run_replay(scenario, args.seed, nights=args.nights, options=options,
                               missing_share=args.missing_share, progress=progress)
    write_replay(report, table, args.out)
    print(format_replay(report))
    progress(f"wrote {args.out}", 1.0)
    return EXIT_OK


def format_replay(report: dict) -> str:
    lines = [f"replay of {report['scenario']} (seed {report['seed']}, {report['nights']} nights re-planned)",
             f"{'policy':<12} {'final coverage':>15} {'day to 90 %':>12} {'day to 95 %':>12}"]
    for name, p in report["policies"].items():
        lines.append(f"{name:<12} {100 * p['final_coverage']:>14.2f}% {str(p['days_to_90']):>12} "
                     f"{str(p['days_to_95']):>12}")
    lines.append(f"kit-shift changes per night (nightly): {report['policies']['nightly']['kit_shift_changes_per_night']}")
    return "\n".join(lines)


def cmd_store(args) -> int:
    from .nightly.store import PlanStore
    from .nightly.views import run_history

    if args.store_command == "export":
        with PlanStore(args.db, create=False) as store:
            files = store.export_csv(args.out)
        print(f"wrote {len(files)} files to {args.out}")
        return EXIT_OK
    history = run_history(args.db)
    if history.empty:
        print("no runs")
        return EXIT_OK
    shown = history[["run_id", "kind", "status", "as_of", "started_at", "user_name", "coverage",
                     "changed_kit_shifts", "changed_officer_shifts", "warnings"]]
    print(shown.to_string(index=False))
    return EXIT_OK


HANDLERS: dict = {"nightly": cmd_nightly, "replay": cmd_replay, "store": cmd_store}
