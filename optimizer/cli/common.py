"""What every command of the command line shares: the exit codes, the parser that turns usage
errors into one line, the progress printer and the argument types."""

from __future__ import annotations

import argparse
import sys
import time

EXIT_OK = 0             # done
EXIT_FAILED = 1         # the plan fails the checker, no plan was found, or a re-plan failed
EXIT_BAD_INPUT = 2      # bad input or a refused path: one line naming file, row, column
EXIT_BUSY = 3           # the plan store is held by another run
EXIT_INTERRUPTED = 130  # Ctrl-C: the previous outputs are untouched
EXIT_VIOLATIONS = EXIT_FAILED   # the name `check` used


class Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are bad input too: one line, exit 2."""

    def error(self, message):
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


def progress_printer(start: float | None = None):
    """`report(message, fraction)`: one line on stderr with the seconds since `start` and the
    share of the work done."""
    start = time.perf_counter() if start is None else start

    def report(message: str, fraction: float) -> None:
        print(f"[{time.perf_counter() - start:6.1f}s {100 * fraction:3.0f}%] {message}",
              file=sys.stderr, flush=True)
    return report


def positive(text: str) -> float:
    """A positive, finite number of seconds or days."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text}") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be positive and finite, not {text}")
    return value


def workers(text: str) -> int:
    """A number of worker processes, at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text}") from None
    if not 1 <= value <= 1024:
        raise argparse.ArgumentTypeError(f"must be 1..1024, not {text}")
    return value


def fraction(text: str) -> float:
    """A share in 0..1 (1 excluded)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text}") from None
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"must be in 0..1, not {text}")
    return value


def count(text: str) -> int:
    """A whole number, 0 or more."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {text}")
    return value


def seed(text: str) -> int:
    """A random seed, 0..2**31 - 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text}") from None
    if not 0 <= value < 2**31:
        raise argparse.ArgumentTypeError(f"must be 0..2147483647, not {text}")
    return value
