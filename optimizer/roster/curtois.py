"""The Curtois & Qu employee shift scheduling benchmark: parser, mapping into the generic
rostering problem, and an independent objective (and hard-rule) recomputation.

Format and rules: /work/shared/benchmarks/curtois/README.md (schedulingbenchmarks.org/nrp).
`objective` and `hard_violations` work from the parsed instance and a list of
(employee, day, shift) only; they share no code with the engine. `read_solution` reads such a
list from a solution file (`employee,day,shift`, as `benchmarks/curtois.py` writes them), and
`to_draft` makes it a roster the engine can start from.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .draft import RosterDraft
from .problem import Demand, Employee, Request, RosterProblem, ShiftType, make_days
from .result import Assignment

SITE = "ward"
ROLE = "nurse"


@dataclass(frozen=True)
class CurtoisShift:
    id: str
    length_minutes: int
    cannot_follow: tuple[str, ...]   # shifts that may not be worked the day after this one


@dataclass(frozen=True)
class CurtoisStaff:
    id: str
    max_shifts: tuple[tuple[str, int], ...]
    max_total_minutes: int
    min_total_minutes: int
    max_consecutive_shifts: int
    min_consecutive_shifts: int
    min_consecutive_days_off: int
    max_weekends: int


@dataclass(frozen=True)
class CurtoisInstance:
    name: str
    horizon: int
    shifts: tuple[CurtoisShift, ...]
    staff: tuple[CurtoisStaff, ...]
    days_off: tuple[tuple[str, tuple[int, ...]], ...]
    on_requests: tuple[tuple[str, int, str, int], ...]    # (staff, day, shift, weight)
    off_requests: tuple[tuple[str, int, str, int], ...]
    cover: tuple[tuple[int, str, int, int, int], ...]     # (day, shift, requirement, under, over)


class CurtoisFormatError(ValueError):
    """A line of an instance file that does not parse; names the file, line and section."""


def read_instance(path: str | Path) -> CurtoisInstance:
    """Parse one `InstanceN.txt` file."""
    path = Path(path)
    sections: dict[str, list[tuple[int, list[str]]]] = {}
    current = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("SECTION_"):
            current = line
            sections.setdefault(current, [])
            continue
        if current is None:
            raise CurtoisFormatError(f"{path.name}: line {number}: data before any SECTION_ header")
        sections[current].append((number, [field.strip() for field in line.split(",")]))

    def rows(name: str) -> list[tuple[int, list[str]]]:
        return sections.get(name, [])

    def integer(text: str, number: int, name: str) -> int:
        try:
            return int(text)
        except ValueError:
            raise CurtoisFormatError(f"{path.name}: line {number} ({name}): '{text}' is not an integer") from None

    horizon_rows = rows("SECTION_HORIZON")
    if len(horizon_rows) != 1:
        raise CurtoisFormatError(f"{path.name}: SECTION_HORIZON must hold one number")
    horizon = integer(horizon_rows[0][1][0], horizon_rows[0][0], "SECTION_HORIZON")
    shifts = []
    for number, fields in rows("SECTION_SHIFTS"):
        follow = tuple(f for f in (fields[2].split("|") if len(fields) > 2 else []) if f)
        shifts.append(CurtoisShift(fields[0], integer(fields[1], number, "SECTION_SHIFTS"), follow))
    staff = []
    for number, fields in rows("SECTION_STAFF"):
        if len(fields) != 8:
            raise CurtoisFormatError(f"{path.name}: line {number} (SECTION_STAFF): expected 8 fields")
        limits = []
        for item in filter(None, fields[1].split("|")):
            code, limit = item.split("=")
            limits.append((code, integer(limit, number, "SECTION_STAFF")))
        values = [integer(v, number, "SECTION_STAFF") for v in fields[2:]]
        staff.append(CurtoisStaff(fields[0], tuple(limits), *values))
    days_off = tuple((fields[0], tuple(integer(v, n, "SECTION_DAYS_OFF") for v in fields[1:] if v))
                     for n, fields in rows("SECTION_DAYS_OFF"))

    def requests(name: str):
        return tuple((f[0], integer(f[1], n, name), f[2], integer(f[3], n, name)) for n, f in rows(name))

    cover = tuple((integer(f[0], n, "SECTION_COVER"), f[1], *(integer(v, n, "SECTION_COVER") for v in f[2:5]))
                  for n, f in rows("SECTION_COVER"))
    return CurtoisInstance(path.stem, horizon, tuple(shifts), tuple(staff), days_off,
                           requests("SECTION_SHIFT_ON_REQUESTS"), requests("SECTION_SHIFT_OFF_REQUESTS"), cover)


def to_problem(instance: CurtoisInstance) -> RosterProblem:
    """The instance as a generic rostering problem: one site, one role, one shift a day, blocks
    touching the horizon's edges exempt from the minimum-length rules. Shift clock times are
    not given (only lengths and forbidden successions), so every shift starts at 00:00 and no
    minimum rest applies."""
    successions = frozenset((shift.id, follower) for shift in instance.shifts for follower in shift.cannot_follow)
    off = {staff: set(days) for staff, days in instance.days_off}
    employees = []
    for member in instance.staff:
        employees.append(Employee(
            id=member.id,
            skills=frozenset({ROLE}),
            max_shifts_per_day=1,
            max_shifts_by_type=member.max_shifts,
            min_total_minutes=member.min_total_minutes,
            max_total_minutes=member.max_total_minutes,
            max_consecutive_days=member.max_consecutive_shifts,
            min_consecutive_days=member.min_consecutive_shifts,
            min_consecutive_days_off=member.min_consecutive_days_off,
            max_weekends=member.max_weekends,
            days_off=frozenset(off.get(member.id, ())),
            forbidden_successions=successions,
        ))
    demands = tuple(Demand(day, shift, SITE, ROLE, requirement, under, over)
                    for day, shift, requirement, under, over in instance.cover)
    requests = tuple(Request(staff, day, shift, "want", weight) for staff, day, shift, weight in instance.on_requests)
    requests += tuple(Request(staff, day, shift, "avoid", weight)
                      for staff, day, shift, weight in instance.off_requests)
    return RosterProblem(
        days=make_days(instance.horizon, first_weekday=0),
        shifts=tuple(ShiftType(s.id, 0, s.length_minutes) for s in instance.shifts),
        employees=tuple(employees),
        demands=demands,
        requests=requests,
        sites=(SITE,),
        edge_blocks_exempt=True,
        name=instance.name,
    )


def read_solution(path: str | Path, instance: CurtoisInstance) -> list[tuple[str, int, str]]:
    """The (employee, day, shift) rows of a solution file of `instance` (`employee,day,shift`,
    days from 0; lines starting with `#` are comments). Raises CurtoisFormatError naming the
    file, row and column of the first row that is not one of the instance's."""
    path = Path(path)
    staff = {member.id for member in instance.staff}
    shifts = {shift.id for shift in instance.shifts}
    rows = []
    with path.open(newline="", encoding="utf-8") as handle:
        lines = [(number, line) for number, line in enumerate(handle, start=1) if not line.startswith("#")]
    reader = csv.DictReader(line for _, line in lines)
    for (number, _), row in zip(lines[1:], reader):
        employee, day, shift = row.get("employee"), row.get("day"), row.get("shift")
        if employee not in staff:
            raise CurtoisFormatError(f"{path}: line {number}: column employee: {employee!r} is not in the instance")
        if day is None or not day.strip().isdigit() or not 0 <= int(day) < instance.horizon:
            raise CurtoisFormatError(f"{path}: line {number}: column day: {day!r} is not a day "
                                     f"0-{instance.horizon - 1}")
        if shift not in shifts:
            raise CurtoisFormatError(f"{path}: line {number}: column shift: {shift!r} is not a shift of the instance")
        rows.append((employee, int(day), shift))
    return rows


def to_draft(problem: RosterProblem, rows: Iterable[tuple[str, int, str]]) -> RosterDraft:
    """The (employee, day, shift) rows as a roster of `to_problem(instance)` (one site, one role)."""
    return RosterDraft.from_assignments(problem, [Assignment(e, d, s, SITE, ROLE) for e, d, s in rows])


def objective(instance: CurtoisInstance, roster: Iterable[tuple[str, int, str]]) -> int:
    """The benchmark objective of a roster given as (employee, day, shift) triples: unmet
    on-requests + met off-requests + cover under/over penalties."""
    worked = set(roster)
    total = 0
    for staff, day, shift, weight in instance.on_requests:
        if (staff, day, shift) not in worked:
            total += weight
    for staff, day, shift, weight in instance.off_requests:
        if (staff, day, shift) in worked:
            total += weight
    count: dict[tuple[int, str], int] = {}
    for _, day, shift in worked:
        count[(day, shift)] = count.get((day, shift), 0) + 1
    for day, shift, requirement, under, over in instance.cover:
        have = count.get((day, shift), 0)
        total += under * max(0, requirement - have) + over * max(0, have - requirement)
    return total


def hard_violations(instance: CurtoisInstance, roster: Iterable[tuple[str, int, str]]) -> list[str]:
    """Every hard rule of the benchmark the roster breaks, one readable line each."""
    horizon = instance.horizon
    shifts = {s.id: s for s in instance.shifts}
    by_staff: dict[str, dict[int, list[str]]] = {m.id: {} for m in instance.staff}
    problems = []
    for staff, day, shift in roster:
        if staff not in by_staff or shift not in shifts or not 0 <= day < horizon:
            problems.append(f"unknown assignment ({staff}, {day}, {shift})")
            continue
        by_staff[staff].setdefault(day, []).append(shift)
    days_off = dict(instance.days_off)
    for member in instance.staff:
        days = by_staff[member.id]
        for day, worked in sorted(days.items()):
            if len(worked) > 1:
                problems.append(f"{member.id}: {len(worked)} shifts on day {day}")
            if day in days_off.get(member.id, ()):
                problems.append(f"{member.id}: works on day off {day}")
            if day + 1 in days:
                for follower in days[day + 1]:
                    for shift in worked:
                        if follower in shifts[shift].cannot_follow:
                            problems.append(f"{member.id}: {follower} on day {day + 1} after {shift}")
        limits = dict(member.max_shifts)
        for code in shifts:
            count = sum(worked.count(code) for worked in days.values())
            if count > limits.get(code, horizon):
                problems.append(f"{member.id}: {count} shifts {code} > {limits.get(code)}")
        minutes = sum(shifts[s].length_minutes for worked in days.values() for s in worked)
        if not member.min_total_minutes <= minutes <= member.max_total_minutes:
            problems.append(f"{member.id}: {minutes} minutes outside [{member.min_total_minutes}, "
                            f"{member.max_total_minutes}]")
        on = [day in days for day in range(horizon)]
        for value, limit_min, limit_max, what in ((True, member.min_consecutive_shifts, member.max_consecutive_shifts,
                                                   "work"),
                                                  (False, member.min_consecutive_days_off, None, "off")):
            day = 0
            while day < horizon:
                if on[day] != value:
                    day += 1
                    continue
                end = day
                while end + 1 < horizon and on[end + 1] == value:
                    end += 1
                length = end - day + 1
                if limit_max is not None and length > limit_max:
                    problems.append(f"{member.id}: {what} block of {length} days from day {day} > {limit_max}")
                if length < limit_min and day > 0 and end < horizon - 1:
                    problems.append(f"{member.id}: {what} block of {length} days from day {day} < {limit_min}")
                day = end + 1
        weekends = {day // 7 for day in days if day % 7 in (5, 6)}
        if len(weekends) > member.max_weekends:
            problems.append(f"{member.id}: {len(weekends)} weekends worked > {member.max_weekends}")
    return problems
