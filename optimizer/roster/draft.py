"""A roster while it is built and improved: which shifts each employee works each day, in
which role and at which site (`site_placement.place_at_sites` gives shifts their sites)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from .problem import RosterProblem
from .result import Assignment

Work = tuple[int, "str | None", "str | None"]   # (shift index, role, site) of one worked shift
Cell = tuple[int, int]                            # (employee index, day)

FREE = "_free"   # home key of an employee without home site (no cross-site cost)
AWAY = "_away"   # home key of an employee whose home site has no demand in the slot


class RosterDraft:
    """A roster being built or improved: (employee index, day) -> the shifts worked that day."""

    def __init__(self, cells: dict[Cell, tuple[Work, ...]] | None = None):
        self.cells: dict[Cell, tuple[Work, ...]] = dict(cells or {})

    def works(self, e: int, d: int) -> tuple[Work, ...]:
        return self.cells.get((e, d), ())

    def copy(self) -> RosterDraft:
        return RosterDraft(self.cells)

    def cover(self) -> Counter:
        """(day, shift index, role, site) -> people working it."""
        counts: Counter = Counter()
        for (_, d), works in self.cells.items():
            for s, role, site in works:
                counts[(d, s, role, site)] += 1
        return counts

    def to_assignments(self, problem: RosterProblem, sort: bool = True) -> list[Assignment]:
        """The draft as assignments, sorted by employee order, day and shift order."""
        codes = problem.shift_codes
        employees = problem.employees
        cells = sorted(self.cells.items()) if sort else self.cells.items()
        return [Assignment(employees[e].id, d, codes[s], site, role)
                for (e, d), works in cells for s, role, site in works]

    @classmethod
    def from_assignments(cls, problem: RosterProblem, assignments: Iterable[Assignment]) -> RosterDraft:
        index = {e.id: i for i, e in enumerate(problem.employees)}
        cells: dict[Cell, list[Work]] = defaultdict(list)
        for a in assignments:
            cells[(index[a.employee], a.day)].append((problem.shift_index(a.shift), a.role, a.site))
        return cls({cell: tuple(sorted(works, key=lambda w: w[0])) for cell, works in cells.items()})
