"""The generic rostering problem: immutable, validated data the engine solves.

One problem serves both the Curtois & Qu nurse-rostering benchmark (one site, one role, one
shift a day) and the Hà Nội officer rosters (wards as sites, roles, up to two shifts a day).
Everything here is plain data; `RosterProblemError` names the offending item on bad input.

Conventions: day indexes start at 0; minutes are integers; a weight of `math.inf` turns a soft
rule into a hard one (only where documented); `None` for a limit means "no limit".
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

MINUTES_PER_DAY = 24 * 60


class RosterProblemError(ValueError):
    """Bad rostering input; the message names the offending item, e.g. `employees[3] 'C': ...`."""


def _fail(where: str, problem: str) -> None:
    raise RosterProblemError(f"{where}: {problem}")


@dataclass(frozen=True)
class Day:
    """One day of the horizon.

    `weekend` numbers the weekend the day belongs to (a Saturday and the Sunday after it share
    a number), None on weekdays. `week` numbers the calendar week (Monday to Sunday) for the
    weekly-minutes rule.
    """

    index: int
    date: dt.date | None = None
    weekend: int | None = None
    week: int = 0

    @property
    def is_weekend(self) -> bool:
        return self.weekend is not None


def make_days(count: int, start_date: dt.date | None = None, first_weekday: int = 0) -> tuple[Day, ...]:
    """`count` consecutive days from `start_date` (or from a day whose weekday is `first_weekday`,
    0 = Monday, when there is no date), with weekend and calendar-week numbers filled in."""
    if start_date is not None:
        first_weekday = start_date.weekday()
    days = []
    for index in range(count):
        weekday = (first_weekday + index) % 7
        weeks_since = (first_weekday + index) // 7   # calendar weeks since the first Monday
        weekend = weeks_since if weekday >= 5 else None  # Saturday and Sunday share a number
        date = None if start_date is None else start_date + dt.timedelta(days=index)
        days.append(Day(index=index, date=date, weekend=weekend, week=weeks_since))
    return tuple(days)


@dataclass(frozen=True)
class ShiftType:
    """A shift on the clock: starts `start_minute` after midnight and lasts `length_minutes`
    (it may run past midnight)."""

    code: str
    start_minute: int
    length_minutes: int

    @property
    def end_minute(self) -> int:
        return self.start_minute + self.length_minutes


@dataclass(frozen=True)
class Employee:
    """A person to roster with their own rules; `None` means no limit.

    - skills: roles the employee may fill (a working employee fills exactly one per shift).
    - home_site: the site they belong to (working elsewhere costs `Costs.cross_site_per_shift`);
      None = no home site (never a cross-site cost).
    - reserve: a reserve employee; every shift they work costs `Costs.reserve_per_shift`.
    - group: employees of the same group are balanced against each other (fairness).
    - max_shifts_by_type: shift code -> most shifts of that type over the horizon (0 forbids).
    - min/max_total_minutes: worked minutes over the horizon.
    - max_minutes_per_week: worked minutes per calendar week (`Day.week`).
    - max_consecutive_days: days worked in a row (days outside the horizon count as off).
    - min_consecutive_days / min_consecutive_days_off: shortest work / off block, except blocks
      touching the first or last day when `RosterProblem.edge_blocks_exempt`.
    - max_weekends: weekends with any work (Saturday or Sunday).
    - days_off: day indexes the employee may not work (leave, hard days off).
    - min_rest_minutes: rest between two work periods; shifts that touch (one ends when the
      next starts) form one work period and need no rest between them. Overlapping shifts are
      never both worked.
    - forbidden_successions: (a, b) = shift b may not be worked the day after shift a.
    - min_days_off_per_7: days off in every 7 consecutive days of the horizon.
    """

    id: str
    name: str = ""
    skills: frozenset[str] = frozenset({"staff"})
    home_site: str | None = None
    reserve: bool = False
    group: str = ""
    max_shifts_per_day: int = 1
    max_shifts_by_type: tuple[tuple[str, int], ...] = ()
    min_total_minutes: int = 0
    max_total_minutes: int | None = None
    max_minutes_per_week: int | None = None
    max_consecutive_days: int | None = None
    min_consecutive_days: int = 1
    min_consecutive_days_off: int = 1
    max_weekends: int | None = None
    days_off: frozenset[int] = frozenset()
    min_rest_minutes: int = 0
    forbidden_successions: frozenset[tuple[str, str]] = frozenset()
    min_days_off_per_7: int = 0

    def __post_init__(self):
        # accept convenient input types and store immutable ones
        object.__setattr__(self, "skills", frozenset(self.skills))
        object.__setattr__(self, "days_off", frozenset(int(d) for d in self.days_off))
        object.__setattr__(self, "forbidden_successions",
                           frozenset(tuple(pair) for pair in self.forbidden_successions))
        limits = self.max_shifts_by_type
        if isinstance(limits, Mapping):
            limits = limits.items()
        object.__setattr__(self, "max_shifts_by_type", tuple(sorted((str(k), int(v)) for k, v in limits)))

    def max_shifts_of(self, code: str) -> int | None:
        """Most shifts of type `code` over the horizon, or None for no limit."""
        for shift, limit in self.max_shifts_by_type:
            if shift == code:
                return limit
        return None


@dataclass(frozen=True)
class Demand:
    """Cover wanted at (day, shift, site, role): `requirement` people.

    Each missing person costs `weight_under`, each extra person `weight_over`; an infinite
    weight makes that side hard (at least / at most `requirement`)."""

    day: int
    shift: str
    site: str
    role: str
    requirement: int
    weight_under: float
    weight_over: float = 0.0


@dataclass(frozen=True)
class Request:
    """An employee's wish to work (`want`) or not work (`avoid`) a shift (or, with shift None,
    any shift) on a day; not honouring it costs `weight`."""

    employee: str
    day: int
    shift: str | None
    kind: Literal["want", "avoid"]
    weight: float


@dataclass(frozen=True)
class Costs:
    """Soft costs beyond cover and requests, per employee-shift unless said otherwise.

    - cross_site_per_shift: an employee with a home site working at another site.
    - reserve_per_shift: a reserve employee working.
    - shift_worked: any employee-shift (fewer officer-shifts is better).
    - fairness_per_shift: per shift of distance between an employee's shift count and the
      median count of their group (sum over employees of |shifts - group median|).
    """

    cross_site_per_shift: float = 0.0
    reserve_per_shift: float = 0.0
    shift_worked: float = 0.0
    fairness_per_shift: float = 0.0


@dataclass(frozen=True)
class RosterProblem:
    """A rostering problem: who works which shift on which day, at which site, in which role."""

    days: tuple[Day, ...]
    shifts: tuple[ShiftType, ...]
    employees: tuple[Employee, ...]
    demands: tuple[Demand, ...]
    requests: tuple[Request, ...] = ()
    sites: tuple[str, ...] = ("site",)
    costs: Costs = field(default_factory=Costs)
    edge_blocks_exempt: bool = True
    name: str = ""

    def __post_init__(self):
        for name in ("days", "shifts", "employees", "demands", "requests", "sites"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        self._validate()

    # -- lookups ----------------------------------------------------------------------------
    @property
    def horizon(self) -> int:
        return len(self.days)

    @property
    def shift_codes(self) -> tuple[str, ...]:
        return tuple(s.code for s in self.shifts)

    def shift_index(self, code: str) -> int:
        return self.shift_codes.index(code)

    def employee_index(self, employee_id: str) -> int:
        for index, employee in enumerate(self.employees):
            if employee.id == employee_id:
                return index
        raise KeyError(employee_id)

    @property
    def roles(self) -> tuple[str, ...]:
        return tuple(sorted({d.role for d in self.demands}))

    # -- validation -------------------------------------------------------------------------
    def _validate(self) -> None:
        horizon = len(self.days)
        if horizon == 0:
            _fail("days", "the horizon has no days")
        for index, day in enumerate(self.days):
            if day.index != index:
                _fail(f"days[{index}]", f"index is {day.index}, expected {index}")
        if not self.shifts:
            _fail("shifts", "no shift types")
        codes = [s.code for s in self.shifts]
        for index, shift in enumerate(self.shifts):
            where = f"shifts[{index}] '{shift.code}'"
            if not shift.code:
                _fail(where, "empty code")
            if codes.count(shift.code) > 1:
                _fail(where, "duplicate shift code")
            if shift.length_minutes <= 0:
                _fail(where, f"length_minutes must be positive, got {shift.length_minutes}")
            if not 0 <= shift.start_minute < MINUTES_PER_DAY:
                _fail(where, f"start_minute must be in 0..1439, got {shift.start_minute}")
        if not self.sites or len(set(self.sites)) != len(self.sites):
            _fail("sites", f"need at least one site and unique codes, got {list(self.sites)}")
        sites = set(self.sites)
        ids = [e.id for e in self.employees]
        for index, employee in enumerate(self.employees):
            self._validate_employee(index, employee, ids, codes, sites, horizon)
        seen = set()
        for index, demand in enumerate(self.demands):
            where = f"demands[{index}] (day {demand.day}, shift {demand.shift}, site {demand.site}, role {demand.role})"
            if not 0 <= demand.day < horizon:
                _fail(where, f"day outside the horizon 0..{horizon - 1}")
            if demand.shift not in codes:
                _fail(where, f"unknown shift '{demand.shift}'")
            if demand.site not in sites:
                _fail(where, f"unknown site '{demand.site}'")
            if demand.requirement < 0:
                _fail(where, f"negative requirement {demand.requirement}")
            for name in ("weight_under", "weight_over"):
                value = getattr(demand, name)
                if not (value >= 0) or (isinstance(value, float) and math.isnan(value)):
                    _fail(where, f"{name} must be >= 0 (math.inf = hard), got {value}")
            key = (demand.day, demand.shift, demand.site, demand.role)
            if key in seen:
                _fail(where, "duplicate demand for this day, shift, site and role")
            seen.add(key)
        known = set(ids)
        for index, request in enumerate(self.requests):
            where = f"requests[{index}] ({request.employee}, day {request.day}, shift {request.shift})"
            if request.employee not in known:
                _fail(where, f"unknown employee '{request.employee}'")
            if not 0 <= request.day < horizon:
                _fail(where, f"day outside the horizon 0..{horizon - 1}")
            if request.shift is not None and request.shift not in codes:
                _fail(where, f"unknown shift '{request.shift}'")
            if request.kind not in ("want", "avoid"):
                _fail(where, f"kind must be 'want' or 'avoid', got '{request.kind}'")
            if not (0 <= request.weight < math.inf):
                _fail(where, f"weight must be finite and >= 0, got {request.weight}")
        for name in ("cross_site_per_shift", "reserve_per_shift", "shift_worked", "fairness_per_shift"):
            value = getattr(self.costs, name)
            if not (0 <= value < math.inf):
                _fail(f"costs.{name}", f"must be finite and >= 0, got {value}")

    @staticmethod
    def _validate_employee(index, employee, ids, codes, sites, horizon) -> None:
        where = f"employees[{index}] '{employee.id}'"
        if not employee.id:
            _fail(where, "empty id")
        if ids.count(employee.id) > 1:
            _fail(where, "duplicate employee id")
        if not employee.skills:
            _fail(where, "no skills (roles)")
        if employee.home_site is not None and employee.home_site not in sites:
            _fail(where, f"home_site '{employee.home_site}' is not a site")
        if employee.max_shifts_per_day < 1:
            _fail(where, f"max_shifts_per_day must be >= 1, got {employee.max_shifts_per_day}")
        for code, limit in employee.max_shifts_by_type:
            if code not in codes:
                _fail(where, f"max_shifts_by_type names unknown shift '{code}'")
            if limit < 0:
                _fail(where, f"max_shifts_by_type[{code}] is negative")
        for name in ("min_total_minutes", "min_rest_minutes", "min_days_off_per_7"):
            if getattr(employee, name) < 0:
                _fail(where, f"{name} must be >= 0")
        for name in ("max_total_minutes", "max_minutes_per_week", "max_consecutive_days", "max_weekends"):
            value = getattr(employee, name)
            if value is not None and value < 0:
                _fail(where, f"{name} must be >= 0 or None")
        if employee.max_total_minutes is not None and employee.min_total_minutes > employee.max_total_minutes:
            _fail(where, f"min_total_minutes {employee.min_total_minutes} exceeds max_total_minutes "
                  f"{employee.max_total_minutes}")
        for name in ("min_consecutive_days", "min_consecutive_days_off"):
            if getattr(employee, name) < 1:
                _fail(where, f"{name} must be >= 1")
        if employee.min_days_off_per_7 > 7:
            _fail(where, "min_days_off_per_7 must be <= 7")
        for day in employee.days_off:
            if not 0 <= day < horizon:
                _fail(where, f"day off {day} outside the horizon 0..{horizon - 1}")
        for first, second in employee.forbidden_successions:
            for code in (first, second):
                if code not in codes:
                    _fail(where, f"forbidden succession names unknown shift '{code}'")


def demand_index(demands: Iterable[Demand]) -> dict[tuple[int, str], list[Demand]]:
    """Demands grouped by (day, shift code)."""
    grouped: dict[tuple[int, str], list[Demand]] = {}
    for demand in demands:
        grouped.setdefault((demand.day, demand.shift), []).append(demand)
    return grouped
