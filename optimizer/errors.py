"""Errors a planner can read: one line naming the file, row, column and problem."""

from __future__ import annotations


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
        super().__init__((location + problem).replace("\n", " "))
