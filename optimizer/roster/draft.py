"""A roster while it is built and improved: which shifts each employee works each day, in
which role and at which site; and the rule that places people at sites."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Iterable

from .problem import RosterProblem
from .result import Assignment

if TYPE_CHECKING:
    from .compiled import Compiled

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

    def copy(self) -> "RosterDraft":
        return RosterDraft(self.cells)

    def to_assignments(self, problem: RosterProblem, sort: bool = True) -> list[Assignment]:
        """The draft as assignments, sorted by employee order, day and shift order."""
        codes = problem.shift_codes
        employees = problem.employees
        cells = sorted(self.cells.items()) if sort else self.cells.items()
        return [Assignment(employees[e].id, d, codes[s], site, role)
                for (e, d), works in cells for s, role, site in works]

    @classmethod
    def from_assignments(cls, problem: RosterProblem, assignments: Iterable[Assignment]) -> "RosterDraft":
        index = {e.id: i for i, e in enumerate(problem.employees)}
        cells: dict[Cell, list[Work]] = defaultdict(list)
        for a in assignments:
            cells[(index[a.employee], a.day)].append((problem.shift_index(a.shift), a.role, a.site))
        return cls({cell: tuple(sorted(works, key=lambda w: w[0])) for cell, works in cells.items()})


def place_at_sites(compiled: Compiled, plan: RosterDraft, counts: dict | None = None) -> None:
    """Give every worked shift a site, slot by slot (day, shift, role), in place.

    `counts[slot] = (people per site, people moved away per home site, members)` fixes the
    numbers for the slot's members (from a solve; other people in the slot keep their site);
    slots not in `counts` are left alone, and with `counts=None` every slot is placed by the rule:
    people stay at their home site up to its requirement, the rest fill the largest gaps first.
    Who moves is decided by employee order, so the result is deterministic.
    """
    problem = compiled.problem
    people = defaultdict(list)
    for (e, d), works in plan.cells.items():
        for s, role, _ in works:
            people[(d, s, role)].append(e)
    updates: dict[Cell, dict[int, str]] = defaultdict(dict)
    for slot, members in people.items():
        demands = compiled.slot_demands.get(slot) if slot[2] is not None else None
        if counts is not None and slot not in counts:
            continue
        if counts is not None:
            chosen = set(counts[slot][2])
            members = [e for e in members if e in chosen]
        members.sort()
        if not demands:
            for e in members:
                home = problem.employees[e].home_site
                updates[(e, slot[0])][slot[1]] = home if home is not None else problem.sites[0]
            continue
        sites = tuple(counts[slot][0]) if counts is not None else tuple(dm.site for dm in demands)
        demands = [dm for dm in demands if dm.site in sites]
        if len(sites) == 1:
            for e in members:
                updates[(e, slot[0])][slot[1]] = sites[0]
            continue
        by_home = defaultdict(list)
        for e in members:
            by_home[compiled.home_key(e, sites)].append(e)
        if counts is not None:
            cover, moved, _ = counts[slot]
            stay = {}
            for site in sites:
                home_people = len(by_home.get(site, []))
                stay[site] = home_people - moved[site] if site in moved else min(home_people, cover[site])
        else:
            need = {dm.site: dm.requirement for dm in demands}
            stay = {site: min(len(by_home.get(site, [])), need[site]) for site in sites}
            cover = dict(stay)
            # the others fill the largest shortfalls first (ties: site order)
            for _ in range(len(members) - sum(stay.values())):
                site = max(sites, key=lambda st: (need[st] - cover[st], -sites.index(st)))
                cover[site] += 1
        pool = []
        for site in sites:
            home_people = by_home.get(site, [])
            for e in home_people[:stay[site]]:
                updates[(e, slot[0])][slot[1]] = site
            pool.extend(home_people[stay[site]:])
        pool.extend(by_home.get(AWAY, []))
        pool.extend(by_home.get(FREE, []))
        pool.sort()
        position = 0
        for site in sites:
            for _ in range(max(0, cover[site] - stay[site])):
                if position < len(pool):
                    updates[(pool[position], slot[0])][slot[1]] = site
                    position += 1
        for e in pool[position:]:   # should not happen: counts balance
            updates[(e, slot[0])][slot[1]] = sites[0]
    for cell, by_shift in updates.items():
        plan.cells[cell] = tuple((s, role, by_shift.get(s, site)) for s, role, site in plan.cells[cell])
