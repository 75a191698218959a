"""Errors a planner can read: one line naming the file, row, column and problem."""

from __future__ import annotations

import re


class ScenarioError(ValueError):
    """Bad input. The message is one line: `<file>: row <n>, column <col>: <problem>`."""

    def __init__(self, file: str, problem: str, *, row: int | None = None, column: str | None = None,
                 key: str | None = None):
        self.file = file
        self.row = row
        self.column = column
        self.key = key
        self.problem = problem
        where = []
        if key is not None:
            where.append(f"key {key}")
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column}")
        location = f"{file}: " + (", ".join(where) + ": " if where else "")
        super().__init__(one_line(location + problem))


_LINE_BREAKING = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")


def one_line(text: str) -> str:
    """`text` on one line: line breaks and other control characters (which may come from the
    input being reported) are shown escaped, as `\\n`, `\\r`, `\\x00`."""
    return _LINE_BREAKING.sub(lambda found: repr(found.group())[1:-1], text)
