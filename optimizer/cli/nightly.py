"""`nightly` (re-plan from the day's actuals), `replay` (play a campaign night by night) and
`store` (export or list the plan store).

    python -m optimizer nightly SCENARIO_DIR --actuals FILE --as-of DATE --store DB --out OUT_DIR
                                [--time-limit S] [--seed N] [--workers N] [--no-roster] [--prior-days K]
    python -m optimizer replay SCENARIO_DIR --seed N --out OUT_DIR [--nights N] [--time-limit S]
                               [--workers N] [--missing-share P]
    python -m optimizer store export DB --out DIR
    python -m optimizer store history DB

A failed re-plan exits 1 (nothing published, the last published plan stands); a store held by
another run exits 3 (see `optimizer.cli.common` for every exit code).
"""

from __future__ import annotations

import sys
from pathlib import Path

from .common import EXIT_FAILED, EXIT_OK, count, fraction, positive, progress_printer, seed, workers


def add_commands(sub) -> None:
    """Register `nightly`, `replay` and `store` on the `sub` parsers."""
    nightly = sub.add_parser("nightly", help="re-plan the days after --as-of from the day's actual enrollments")
    nightly.add_argument("scenario", type=Path)
    nightly.add_argument("--actuals", type=Path, required=True, help="CSV: ward_code,date,enrolled[,...]")
    nightly.add_argument("--as-of", required=True, help="last day the actuals cover (YYYY-MM-DD)")
    nightly.add_argument("--store", type=Path, required=True, help="plan store (SQLite file, created if missing)")
    nightly.add_argument("--out", type=Path, required=True)
    nightly.add_argument("--time-limit", type=positive, default=None, help="seconds (default: the scenario's)")
    nightly.add_argument("--seed", type=seed, default=None)
    nightly.add_argument("--workers", type=workers, default=None)
    nightly.add_argument("--no-roster", action="store_true", help="skip officer rosters")
    nightly.add_argument("--prior-days", type=positive, default=1.0,
                         help="weight of the scenario's turnout and show-up, in days of data (default 1)")

    replay = sub.add_parser("replay", help="play the campaign night by night against a drawn demand")
    replay.add_argument("scenario", type=Path)
    replay.add_argument("--seed", type=seed, default=0, help="seed of the drawn demand (the truth)")
    replay.add_argument("--out", type=Path, required=True)
    replay.add_argument("--nights", type=count, default=None, help="nights to re-plan (default: all)")
    replay.add_argument("--time-limit", type=positive, default=None)
    replay.add_argument("--workers", type=workers, default=None)
    replay.add_argument("--missing-share", type=fraction, default=0.0,
                        help="share of ward-days that do not report (default 0)")

    store = sub.add_parser("store", help="the plan store: export to CSV, list runs")
    store_sub = store.add_subparsers(dest="store_command", required=True, parser_class=type(store))
    export = store_sub.add_parser("export", help="write every table of the store as CSV")
    export.add_argument("db", type=Path)
    export.add_argument("--out", type=Path, required=True)
    history = store_sub.add_parser("history", help="list the runs in the store")
    history.add_argument("db", type=Path)


def cmd_nightly(args) -> int:
    from ..country.nightly import cmd_nightly_country, is_country_folder
    from ..exports.outputs import check_output_folder
    from ..nightly.roster import staffed_roster
    from ..nightly.run import NightlyFailed, NightlyOptions, run_nightly

    if is_country_folder(args.scenario):   # one national actuals file, every province re-planned
        return cmd_nightly_country(args)
    check_output_folder(args.out, keep=(args.scenario, args.actuals, args.store))
    progress = progress_printer()
    options = NightlyOptions(time_limit_seconds=args.time_limit, seed=args.seed, workers=args.workers,
                             with_roster=not args.no_roster, prior_days=args.prior_days)
    try:
        report = run_nightly(args.scenario, args.actuals, args.as_of, args.store, args.out, options,
                             roster_fn=staffed_roster, progress=progress)
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
    from ..exports.outputs import check_output_folder
    from ..nightly.replay import run_replay, write_replay
    from ..nightly.run import NightlyOptions
    from ..scenario import load_scenario

    check_output_folder(args.out, keep=(args.scenario,))
    progress = progress_printer()
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
    lines.append("kit-shift changes per night (nightly): "
                 f"{report['policies']['nightly']['kit_shift_changes_per_night']}")
    return "\n".join(lines)


def cmd_store(args) -> int:
    from ..nightly.store import PlanStore
    from ..nightly.views import run_history

    if args.store_command == "export":
        from ..exports.outputs import check_output_folder

        check_output_folder(args.out, keep=(args.db,))
        with PlanStore(args.db, read_only=True) as store:
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
