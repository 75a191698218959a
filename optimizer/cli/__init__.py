"""The batch command line: plan, check, nightly, replay, store and registered commands.

Every command shares one set of exit codes (`common`): 0 done; 1 the plan fails the checker, no
plan was found or a re-plan failed; 2 bad input or a refused path (one line naming the file,
row, column and problem); 3 the plan store is held by another run; 130 interrupted. Progress
goes to stderr through one printer (`common.progress_printer`).

A module adds commands with an `add_commands(sub)` function (argparse sub-parsers) and a
`HANDLERS` dict (command name -> function of the parsed arguments returning an exit code);
listing it in `COMMAND_MODULES` registers it.
"""

from __future__ import annotations

import importlib
import sys

from ..errors import ScenarioError, one_line
from .common import (
    EXIT_BAD_INPUT,
    EXIT_BUSY,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_VIOLATIONS,
    Parser,
    progress_printer,
)
from .common import positive as _positive
from .common import workers as _workers

COMMAND_MODULES = (
    "optimizer.cli.plan",      # plan, check
    "optimizer.cli.nightly",   # nightly, replay, store
    "optimizer.cli.province",  # build-scenario
    "optimizer.cli.country",   # plan-country (after nightly: it adds the country options to `nightly`)
)

__all__ = ["main", "build_parser", "COMMAND_MODULES", "EXIT_OK", "EXIT_FAILED", "EXIT_VIOLATIONS",
           "EXIT_BAD_INPUT", "EXIT_BUSY", "EXIT_INTERRUPTED", "progress_printer", "_positive", "_workers"]


def _modules():
    return [importlib.import_module(name) for name in COMMAND_MODULES]


def build_parser() -> Parser:
    """The parser of every registered command."""
    parser = Parser(prog="python -m optimizer", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    for module in _modules():
        module.add_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns its exit code."""
    from ..nightly.store import StoreBusy

    args = build_parser().parse_args(argv)
    handlers: dict = {}
    for module in _modules():
        handlers.update(module.HANDLERS)
    try:
        return handlers[args.command](args)
    except ScenarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except StoreBusy as exc:
        print(one_line(f"error: {exc}"), file=sys.stderr)
        return EXIT_BUSY
    except OSError as exc:
        print(one_line(f"error: {exc.strerror or exc}: {exc.filename or ''} (the previous outputs are "
                       "untouched)"), file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("interrupted: the previous outputs are untouched", file=sys.stderr)
        return EXIT_INTERRUPTED
