"""What a district's officers can staff: crew per activity and officer-shift budgets.

The capacity planner does not pick officers (the roster does); it keeps every plan staffable
by a district's officers with the budgets here (docs/dynamics.md, Staffing): for every shift
and every set of roles, the crew of those roles must not exceed the officers holding one of
them (Hall's condition, so each slot can get a distinct officer); per day and per campaign
week the officer-shifts (per day) and officer-hours (per week) are capped by the officers'
daily and weekly limits; in every run of days as long as the days-off and consecutive-days
rules look at, officer-days are capped by what those rules and each officer's leave allow.

Every budget is a relaxation of the roster rules exactly as `optimizer/roster/check.py` applies
them, so the capacity model's bound holds for every plan the officers can staff: the weekly
limit counts hours (shifts of different lengths), a short last campaign week allows the full
weekly hours, and two shifts of a day are apart only when no chain of back-to-back shifts an
officer may work can join them into one duty.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .scenario import ROLES, Scenario


@dataclass(frozen=True)
class CrewNeeds:
    """Officers by role needed per open fixed kit, per mobile kit on site and per home-visit team."""

    kit: dict[str, int]
    mobile: dict[str, int]
    home_visit: dict[str, int]

    @classmethod
    def of(cls, scenario: Scenario) -> CrewNeeds:
        settings = scenario.settings
        return cls(settings.crew_per_kit.as_dict(), settings.mobile_kit.crew.as_dict(),
                   settings.home_visit.crew.as_dict())

    @property
    def roles(self) -> tuple[str, ...]:
        used = set(self.kit) | set(self.mobile) | set(self.home_visit)
        return tuple(r for r in ROLES if r in used)

    def total(self, needs: dict[str, int], roles: frozenset[str]) -> int:
        return sum(n for r, n in needs.items() if r in roles)


def campaign_weeks(n_days: int) -> list[range]:
    """Campaign weeks: days 0-6, 7-13, ...; the last may be short."""
    return [range(start, min(start + 7, n_days)) for start in range(0, n_days, 7)]


def officer_week_hours(scenario: Scenario, max_hours_per_week: float, hours_a_day: float,
                       present_days: int, week_length: int) -> float:
    """Most hours an officer may work in a campaign week of `week_length` days of which he is
    on leave on none of `present_days`: the weekly hours (in full even in a short last week, as
    the roster rules allow), and no more than his working days times his longest day; a full
    week of 7 days leaves at least `min_days_off_per_7` days off and, when it is longer than
    `max_consecutive_days`, at most that many worked days."""
    rules = scenario.settings.officer_rules
    days = present_days
    if week_length >= 7 and rules.min_days_off_per_7:
        days = min(days, 7 - rules.min_days_off_per_7)
    if rules.max_consecutive_days and week_length > rules.max_consecutive_days:
        days = min(days, rules.max_consecutive_days)
    return float(min(max_hours_per_week, days * hours_a_day))


@dataclass(frozen=True)
class DistrictBudget:
    """Officer budgets of one district for each set of roles.

    `per_shift[k][d]`: officers holding a role of `role_sets[k]` and not on leave on day d;
    `per_day[k][d]`: their shifts a day; `per_week_hours[k][w]`: their hours in campaign week w
    (crews count each shift's hours against it).
    """

    district_code: str
    role_sets: tuple[frozenset, ...]
    per_shift: np.ndarray
    per_day: np.ndarray
    per_week_hours: np.ndarray
    headcount: np.ndarray | None = None   # officers holding a role of each set, leave or not
    # (length, days[k, t]): in the `length` days from day t the officers holding a role of set k
    # work at most days[k, t] officer-days in all (rest days and leave counted per officer)
    work_day_windows: tuple = ()

    @property
    def per_week(self) -> np.ndarray:
        """The weekly budgets (officer-hours); kept under the old name for digests."""
        return self.per_week_hours


def work_day_limits(scenario: Scenario) -> list[tuple[int, int]]:
    """(window length in days, most days an officer works in it), from the rules: at least
    `min_days_off_per_7` days off in every 7 consecutive days, and at most
    `max_consecutive_days` in a row (so at most that many in any window one day longer)."""
    rules = scenario.settings.officer_rules
    limits = {}
    if rules.min_days_off_per_7:
        limits[7] = 7 - rules.min_days_off_per_7
    if rules.max_consecutive_days and rules.max_consecutive_days + 1 <= scenario.n_days:
        length = rules.max_consecutive_days + 1
        limits[length] = min(limits.get(length, length), rules.max_consecutive_days)
    return sorted((length, most) for length, most in limits.items()
                  if length <= scenario.n_days and most < length)


def useful_shifts_a_day(scenario: Scenario, roles: frozenset[str], shifts_a_day: int) -> int:
    """Most shifts a day an officer can work in the given roles: only shifts where one of them
    is needed count (kit roles: every shift; mobile crew: the mobile shifts; home-visit crew:
    the home-visit shift), no two that need rest between them, and at most `shifts_a_day`."""
    return useful_day(scenario, roles, shifts_a_day)[0]


def useful_day(scenario: Scenario, roles: frozenset[str], shifts_a_day: int) -> tuple[int, float]:
    """(most shifts, most hours) an officer can work in a day in the given roles, under the
    rules of `useful_shifts_a_day`."""
    needs = CrewNeeds.of(scenario)
    codes = scenario.shift_codes
    settings = scenario.settings
    useful = set()
    if roles & set(needs.kit):
        useful |= set(range(len(codes)))
    if roles & set(needs.mobile):
        useful |= {codes.index(c) for c in settings.mobile_kit.shifts}
    if roles & set(needs.home_visit):
        useful.add(codes.index(settings.home_visit.shift))
    apart = set(incompatible_shift_pairs(scenario))
    hours = [s.hours for s in scenario.shifts]
    most, most_hours = 0, 0.0
    for size in range(1, min(shifts_a_day, len(useful)) + 1):
        for chosen in itertools.combinations(sorted(useful), size):
            if not any(pair in apart for pair in itertools.combinations(chosen, 2)):
                most = size
                most_hours = max(most_hours, sum(hours[s] for s in chosen))
    return most, most_hours


def district_budgets(scenario: Scenario) -> dict[str, DistrictBudget]:
    """Budgets per district from officers.csv (or the district table's reserve counts). An
    officer counts for a set of roles with the shifts a day and a week he can work in the roles
    of the set he holds (`useful_shifts_a_day`): a home-visit officer works one evening a day."""
    needs = CrewNeeds.of(scenario)
    roles = needs.roles
    role_sets = tuple(frozenset(c) for k in range(1, len(roles) + 1)
                      for c in itertools.combinations(roles, k))
    rules = scenario.settings.officer_rules
    n_days = scenario.n_days
    weeks = campaign_weeks(n_days)
    start = scenario.dates[0]
    officers = []  # (district, roles, leave day set, shifts per day, hours per week)
    if scenario.officers is not None:
        table = scenario.officers
        for district, roles_text, leave_text, shifts_text, hours_text in zip(
                table["district_code"], table["roles"], table["leave_dates"], table["max_shifts_per_day"],
                table["max_hours_per_week"]):
            leave = set()
            for text in filter(None, leave_text.split("|")):
                leave.add((dt.date.fromisoformat(text) - start).days)
            per_day = rules.max_shifts_per_day if pd.isna(shifts_text) else int(shifts_text)
            hours = rules.max_hours_per_week if pd.isna(hours_text) else float(hours_text)
            officers.append((district, frozenset(roles_text.split("|")), leave, per_day, hours))
    else:
        for district, row in scenario.districts.iterrows():
            for role in ROLES:
                for _ in range(int(row[f"reserve_{role}"])):
                    officers.append((district, frozenset([role]), set(), rules.max_shifts_per_day,
                                     rules.max_hours_per_week))
    # a few distinct (roles, shifts a day) among thousands of officers: each is worked out once
    kinds = {(held & role_set, per_day) for _, held, _, per_day, _ in officers for role_set in role_sets
             if held & role_set}
    useful = {kind: useful_day(scenario, *kind) for kind in kinds}
    budgets = {}
    for district in scenario.district_codes:
        mine = [o for o in officers if o[0] == district]
        per_shift = np.zeros((len(role_sets), n_days), dtype=np.int64)
        per_day = np.zeros((len(role_sets), n_days), dtype=np.int64)
        per_week_hours = np.zeros((len(role_sets), len(weeks)), dtype=float)
        # per officer: days not on leave (0/1 a day) and days not on leave in each week
        present = {id(o): np.array([d not in o[2] for d in range(n_days)], dtype=np.int64) for o in mine}
        week_present = {key: tuple(int(days[list(week)].sum()) for week in weeks) for key, days in present.items()}
        week_hours = {}
        for k, role_set in enumerate(role_sets):
            for officer in mine:
                _, held, leave, shifts_a_day, hours = officer
                if not held & role_set:
                    continue
                shifts_a_day, hours_a_day = useful[(held & role_set, shifts_a_day)]
                per_shift[k] += present[id(officer)]
                per_day[k] += shifts_a_day * present[id(officer)]
                key = (hours, hours_a_day, week_present[id(officer)])
                if key not in week_hours:
                    week_hours[key] = [officer_week_hours(scenario, hours, hours_a_day, count, len(days))
                                       for count, days in zip(key[2], weeks)]
                per_week_hours[k] += week_hours[key]
        headcount = np.array([sum(1 for _, held, *_ in mine if held & role_set) for role_set in role_sets],
                             dtype=np.int64)
        windows = []
        for length, most in work_day_limits(scenario):
            days = np.zeros((len(role_sets), n_days - length + 1), dtype=np.int64)
            for _, held, leave, _, _ in mine:
                present = np.ones(n_days, dtype=np.int64)
                present[[d for d in leave if 0 <= d < n_days]] = 0
                mine_most = np.minimum(np.convolve(present, np.ones(length, dtype=np.int64), mode="valid"), most)
                for k, role_set in enumerate(role_sets):
                    if held & role_set:
                        days[k] += mine_most
            windows.append((length, days))
        budgets[district] = DistrictBudget(district, role_sets, per_shift, per_day, per_week_hours, headcount,
                                           tuple(windows))
    return budgets


def most_shifts_a_day_of_anyone(scenario: Scenario) -> int:
    """The largest max_shifts_per_day of any officer (officers.csv may raise the scenario's)."""
    most = scenario.settings.officer_rules.max_shifts_per_day
    if scenario.officers is not None and len(scenario.officers):
        own = scenario.officers["max_shifts_per_day"].dropna()
        if len(own):
            most = max(most, int(own.max()))
    return most


def incompatible_shift_pairs(scenario: Scenario) -> list[tuple[int, int]]:
    """Pairs of shifts of one day that no officer may both work (`roster_check`'s min_rest):
    they overlap, or the gap between them is shorter than the minimum rest and no chain of
    back-to-back shifts joins them into one duty within the most shifts an officer may work a
    day (touching shifts form one duty)."""
    rest = scenario.settings.officer_rules.min_rest_hours * 60
    shifts = scenario.shifts
    most = most_shifts_a_day_of_anyone(scenario)
    pairs = []
    for a in range(len(shifts)):
        for b in range(a + 1, len(shifts)):
            first, second = sorted((shifts[a], shifts[b]), key=lambda x: (x.start_minutes, x.end_minutes))
            gap = second.start_minutes - first.end_minutes
            if gap < 0 or (0 < gap < rest and not _joined(shifts, first, second, most - 2)):
                pairs.append((a, b))
    return pairs


def _joined(shifts, first, second, links: int) -> bool:
    """Whether at most `links` shifts, each starting where the one before ends, lead from the
    end of `first` to the start of `second`."""
    ends = {first.end_minutes}
    for _ in range(max(0, links)):
        ends = {s.end_minutes for s in shifts if s.start_minutes in ends and s.end_minutes <= second.start_minutes}
        if second.start_minutes in ends:
            return True
        if not ends:
            return False
    return False


def shift_groups(scenario: Scenario) -> list[tuple[int, ...]]:
    """Sets of shifts one officer covers at most one of in a day: each shift alone, and each
    incompatible pair."""
    return [(s,) for s in range(len(scenario.shifts))] + incompatible_shift_pairs(scenario)


def crew_by_shift(scenario: Scenario, role_sets: tuple[frozenset, ...], kits: np.ndarray, mobile: np.ndarray,
                  teams: np.ndarray) -> np.ndarray:
    """Officers with a role of each of `role_sets` a district's decisions need, as an array
    [role set, day, shift] (from [wards, days, shifts] arrays of open kits, mobile kits on site
    and home-visit teams; mobile kits count in the mobile shifts, teams in the home-visit one)."""
    crew = CrewNeeds.of(scenario)
    codes = scenario.shift_codes
    mobile_mask = np.zeros(len(codes), dtype=np.int64)
    mobile_mask[[codes.index(c) for c in scenario.settings.mobile_kit.shifts]] = 1
    home_mask = np.zeros(len(codes), dtype=np.int64)
    home_mask[codes.index(scenario.settings.home_visit.shift)] = 1
    parts = (kits.sum(axis=0), mobile.sum(axis=0) * mobile_mask, teams.sum(axis=0) * home_mask)
    usage = np.zeros((len(role_sets),) + parts[0].shape, dtype=np.int64)
    for needs, part in zip((crew.kit, crew.mobile, crew.home_visit), parts):
        usage += _officers_per_set(tuple(needs.items()), tuple(role_sets))[:, None, None] * part[None]
    return usage


@functools.lru_cache(maxsize=256)
def _officers_per_set(needs: tuple[tuple[str, int], ...], role_sets: tuple[frozenset, ...]) -> np.ndarray:
    """Officers of each role set one crew of `needs` takes (read-only; kept: asked thousands of times)."""
    out = np.array([sum(n for r, n in needs if r in role_set) for role_set in role_sets], dtype=np.int64)
    out.flags.writeable = False
    return out


ROW_KINDS = ("shift", "day", "week", "rest", "succession", "window")


def first_broken_row(scenario: Scenario, budget: DistrictBudget, kits: np.ndarray, mobile: np.ndarray,
                     teams: np.ndarray, kinds: tuple[str, ...] = ROW_KINDS
                     ) -> tuple[str, int, list[int], list[int]] | None:
    """The first staffing row of the capacity model (per shift, day and week always; rest pair,
    forbidden succession and run of days when in `kinds`) that a district's decisions break, as
    (kind, role set index, days, shifts it spans), or None when the officers can be enough."""
    n_days, n_shifts = kits.shape[1], kits.shape[2]
    hours = np.array([s.hours for s in scenario.shifts])
    usage = crew_by_shift(scenario, budget.role_sets, kits, mobile, teams)       # [set, day, shift]
    every_shift = list(range(n_shifts))
    over = np.argwhere(usage > budget.per_shift[:, :, None])
    if len(over):
        k, d, s = (int(x) for x in over[0])
        return ("shift", k, [d], [s])
    over = np.argwhere(usage.sum(axis=2) > budget.per_day)
    if len(over):
        return ("day", int(over[0][0]), [int(over[0][1])], every_shift)
    for w, week in enumerate(campaign_weeks(n_days)):
        over = np.flatnonzero((usage[:, list(week)] * hours).sum(axis=(1, 2)) > budget.per_week_hours[:, w] + 1e-6)
        if len(over):
            return ("week", int(over[0]), list(week), every_shift)
    if "rest" in kinds:
        for a, b in incompatible_shift_pairs(scenario):
            over = np.argwhere(usage[:, :, a] + usage[:, :, b] > budget.per_shift)
            if len(over):
                return ("rest", int(over[0][0]), [int(over[0][1])], [a, b])
    if "succession" in kinds and budget.headcount is not None:
        codes = scenario.shift_codes
        for first, second in scenario.settings.officer_rules.forbidden_successions:
            a, b = codes.index(first), codes.index(second)
            over = np.argwhere(usage[:, :-1, a] + usage[:, 1:, b] > budget.headcount[:, None])
            if len(over):
                d = int(over[0][1])
                return ("succession", int(over[0][0]), [d, d + 1], sorted({a, b}))
    if "window" in kinds:
        for length, most in budget.work_day_windows:
            for group in shift_groups(scenario):
                per_day = usage[:, :, list(group)].sum(axis=2)
                totals = np.concatenate([np.zeros((len(per_day), 1), dtype=np.int64), per_day.cumsum(axis=1)], axis=1)
                over = np.argwhere(totals[:, length:] - totals[:, :-length] > most)
                if len(over):
                    first = int(over[0][1])
                    return ("window", int(over[0][0]), list(range(first, first + length)), list(group))
    return None
