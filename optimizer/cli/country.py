"""Command-line wiring of the country run.

    python -m optimizer plan-country DIR --out OUT [--executor local|ray] [--ray-address ADDR]
                                     [--provinces CODES] [--no-roster] [--time-limit S]
                                     [--workers N] [--seed S] [--check] [--language vi|en]

Exit codes: 0 every province planned (and, with --check, passed the checker); 1 some province
failed or failed the checker (the others are written, each failure is one line on stderr and in
provinces.csv); 2 bad input (the country folder, the
options, or a province's scenario: one line naming the file, row, column).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from .common import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK


def add_commands(sub) -> None:
    from ..executor import EXECUTOR_KINDS
    from .common import positive as _positive
    from .common import workers as _workers

    country = sub.add_parser("plan-country", help="plan every province of a country folder (local processes or Ray)")
    country.add_argument("country", type=Path, help="folder of province scenario folders (<code>-<slug>/)")
    country.add_argument("--out", type=Path, required=True)
    country.add_argument("--executor", choices=EXECUTOR_KINDS, default="local",
                         help="local processes (default) or Ray")
    country.add_argument("--ray-address", default=None, help="join this Ray cluster (with --executor ray)")
    country.add_argument("--provinces", default=None, help="comma-separated province codes (default: all)")
    country.add_argument("--no-roster", action="store_true", help="capacity plans only, no officer rosters")
    country.add_argument("--time-limit", type=_positive, default=None,
                         help="seconds per province (default: each scenario's)")
    country.add_argument("--workers", type=_workers, default=None,
                         help="provinces planned at once (default: the CPUs of this machine, or of the cluster)")
    country.add_argument("--seed", type=int, default=None)
    country.add_argument("--check", action="store_true",
                         help="re-verify every province's plan (and roster) with the independent checker")
    country.add_argument("--language", choices=["vi", "en"], default="vi", help="language of the XLSX rosters")
    from ..country.nightly import add_country_options
    add_country_options(sub)


def cmd_plan_country(args) -> int:
    import os

    from ..country.folders import parse_codes
    from ..country.run import CountryOptions, plan_country
    from ..errors import ScenarioError

    start = time.perf_counter()

    def progress(message: str, fraction: float) -> None:
        print(f"[{time.perf_counter() - start:6.1f}s {100 * fraction:3.0f}%] {message}", file=sys.stderr, flush=True)

    if args.ray_address and args.executor != "ray":
        raise ScenarioError("--ray-address", "needs --executor ray")
    workers = args.workers or (None if args.ray_address else os.cpu_count() or 1)
    options = CountryOptions(executor=args.executor, ray_address=args.ray_address, workers=workers,
                             with_roster=not args.no_roster, time_limit_seconds=args.time_limit, seed=args.seed,
                             language=args.language, codes=parse_codes(args.provinces), check=args.check)
    report = plan_country(args.country, args.out, options, progress=progress)
    for row in report.failed.itertuples():
        print(f"error: province {row.province_code} ({row.folder}): {row.status}: {row.error}", file=sys.stderr)
    totals = report.summary["totals"]
    progress(f"{report.summary['provinces_planned']} of {report.summary['provinces']} provinces planned: "
             f"enrolled {totals['enrolled']:,} of {totals['target']:,} ({100 * totals['coverage']:.1f} %), "
             f"baseline {totals['baseline_enrolled']:,}; wrote {args.out}", 1.0)
    checked = report.provinces["check"].dropna()
    for row in report.provinces[report.provinces["check"].fillna("pass") != "pass"].itertuples():
        print(f"error: province {row.province_code} ({row.folder}): checker: {row.check}", file=sys.stderr)
    if report.bad_input:
        return EXIT_BAD_INPUT
    return EXIT_FAILED if len(report.failed) or (checked != "pass").any() else EXIT_OK


HANDLERS: dict = {"plan-country": cmd_plan_country}
