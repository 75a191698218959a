"""Command-line wiring of the province scenario builder.

    python -m optimizer build-scenario --province CODE_OR_NAME --out DIR [--assumptions FILE.toml]
    python -m optimizer build-scenario --all --out DIR [--assumptions FILE.toml]

`--all` writes one folder per province, DIR/<code>-<slug>/. Exit codes: 0 written; 2 bad input
(unknown province, bad assumptions file, an output folder the builder did not write).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from .common import EXIT_BAD_INPUT, EXIT_OK


def add_commands(sub) -> None:
    build = sub.add_parser("build-scenario", help="write a scenario folder for a province from public data")
    which = build.add_mutually_exclusive_group(required=True)
    which.add_argument("--province", help="province code (48) or name (Đà Nẵng)")
    which.add_argument("--all", action="store_true", help="all 63 provinces, one folder each in --out")
    build.add_argument("--out", type=Path, required=True)
    build.add_argument("--assumptions", type=Path, default=None, help="TOML file overriding the assumptions")


def cmd_build_scenario(args) -> int:
    from ..province import (
        build_all,
        build_province,
        load_assumptions,
    )

    start = time.perf_counter()
    try:
        assumptions = load_assumptions(args.assumptions)
        if args.all:
            folders = build_all(args.out, assumptions)
            print(f"wrote {len(folders)} provinces into {args.out} in {time.perf_counter() - start:.1f} s",
                  file=sys.stderr)
            return EXIT_OK
        from ..province import write_scenario
        built = build_province(args.province, assumptions)
        write_scenario(built, args.out)
    except ValueError as exc:   # unknown province, bad assumptions (file or values), a folder not ours
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    target = sum(w["_target"] for w in built.wards)
    print(f"{built.province.name}: {len(built.wards)} units, {len(built.districts) - 1} districts, population "
          f"{sum(w['population'] for w in built.wards):,}, target {target:,}, {len(built.officers):,} officers; "
          f"wrote {args.out} in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    return EXIT_OK


HANDLERS = {"build-scenario": cmd_build_scenario}
