"""What the checks need from the scenario, computed once: wards, shifts, rates, crews,
officers and their limits (own reading of the roster rules)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..scenario import ROLES, Scenario
from .arithmetic import _floor, walk_in_arrivals, walk_ins_coming

# --- scenario constants -----------------------------------------------------------------------

@dataclass
class _Officer:
    roles_mask: int
    leave_days: frozenset
    max_shifts_per_day: int
    max_hours_per_week: float


def _role_mask(roles) -> int:
    return sum(1 << ROLES.index(role) for role in roles if role in ROLES)


def _written_crew(crew) -> dict[str, int]:
    """Crew of a nested table, counting only the roles written in campaign.toml."""
    return {role: int(getattr(crew, role)) for role in ROLES
            if role in crew.model_fields_set and getattr(crew, role) > 0}


class _Context:
    """Everything the checks need from the scenario, computed once."""

    _apart: list[tuple[int, int]]     # set by apart_pairs() on its first call

    def __init__(self, scenario: Scenario):
        settings = scenario.settings
        demand = settings.demand
        self.scenario = scenario
        self.ward_codes = [str(code) for code in scenario.wards.index]
        self.ward_index = {code: i for i, code in enumerate(self.ward_codes)}
        self.ward_district = [str(c) for c in scenario.wards["district_code"]]
        self.district_codes = [str(code) for code in scenario.districts.index]
        self.district_index = {code: k for k, code in enumerate(self.district_codes)}
        self.n_wards = len(self.ward_codes)
        self.n_days = scenario.n_days
        self.shift_codes = list(scenario.shift_codes)
        self.shift_index = {code: s for s, code in enumerate(self.shift_codes)}
        self.n_shifts = len(self.shift_codes)
        self.hours = [shift.hours for shift in scenario.shifts]
        self.longest_shift_hours = max(self.hours)
        self.dates = [date.isoformat() for date in scenario.dates]
        wards = scenario.wards
        self.target = [int(v) for v in wards["target"]]
        self.walk_in = [int(v) for v in wards["walk_in"]]
        self.homebound = [int(v) for v in wards["homebound"]]
        self.institution = [int(v) for v in wards["institution"]]
        self.fixed_kits = [int(v) for v in wards["fixed_kits"]]
        self.walk_ins_coming = [walk_ins_coming(w, demand.walk_in_turnout) for w in self.walk_in]
        self.pool = [int(inv) + w - big_w for inv, w, big_w in
                     zip(wards["invited"], self.walk_in, self.walk_ins_coming)]
        self.scenario = scenario
        self.arrivals = np.zeros((self.n_wards, self.n_days), dtype=np.int64)
        cache: dict[int, np.ndarray] = {}
        for i, big_w in enumerate(self.walk_ins_coming):
            if big_w not in cache:
                cache[big_w] = walk_in_arrivals(scenario, big_w)
            self.arrivals[i] = cache[big_w]
        throughput = settings.throughput_per_kit_hour
        self.rate_walk_in = throughput.walk_in
        self.rate_invited = throughput.invited
        self.rate_institution = throughput.institution
        self.show_up = demand.invitation_show_up
        # follow-up calls: floor(working_groups * calls_per_group_day) a ward a day
        groups = wards["working_groups"] if "working_groups" in wards else pd.Series(0, index=wards.index)
        self.calls_a_day = [_floor(int(g) * demand.calls_per_group_day) for g in groups]
        self.follow_up_after_days = demand.follow_up_after_days
        self.follow_up_show_up = demand.follow_up_show_up
        self.give_up_share = demand.give_up_share
        self.return_share = demand.return_share
        self.return_after_days = demand.return_after_days
        self.lead_days = demand.invitation_lead_days
        self.max_letters = demand.max_letters_per_ward_day
        self.people_per_team_hour = settings.home_visit.people_per_team_hour
        self.home_visit_shift = self.shift_index[settings.home_visit.shift]
        self.mobile_shifts = [self.shift_index[code] for code in settings.mobile_kit.shifts]
        self.crew_fixed = settings.crew_per_kit.as_dict()
        self.crew_mobile = _written_crew(settings.mobile_kit.crew)
        self.crew_home_visit = _written_crew(settings.home_visit.crew)
        mobile_kits = scenario.districts["mobile_kits"]
        self.mobile_own = [int(mobile_kits.loc[code]) for code in self.district_codes]
        self.city_mobile_kits = int(scenario.city_mobile_kits)
        self.rules = settings.officer_rules
        self.officers = self._officers()
        self._week_caps: dict[tuple, float] = {}

    def _officers(self) -> list[list[_Officer]]:
        scenario = self.scenario
        rules = self.rules
        by_district: list[list[_Officer]] = [[] for _ in self.district_codes]
        start = scenario.dates[0]
        if scenario.officers is not None:
            for _, row in scenario.officers.iterrows():
                k = self.district_index.get(str(row["district_code"]))
                if k is None:
                    continue
                leave = set()
                for text in filter(None, str(row["leave_dates"]).split("|")):
                    try:
                        leave.add((pd.Timestamp(text).date() - start).days)
                    except ValueError:
                        continue
                shifts = row["max_shifts_per_day"]
                hours = row["max_hours_per_week"]
                by_district[k].append(_Officer(
                    roles_mask=_role_mask(str(row["roles"]).split("|")),
                    leave_days=frozenset(leave),
                    max_shifts_per_day=rules.max_shifts_per_day if pd.isna(shifts) else int(shifts),
                    max_hours_per_week=rules.max_hours_per_week if pd.isna(hours) else float(hours)))
        else:
            for k, code in enumerate(self.district_codes):
                for role in ROLES:
                    for _ in range(int(scenario.districts[f"reserve_{role}"].loc[code])):
                        by_district[k].append(_Officer(_role_mask([role]), frozenset(),
                                                       rules.max_shifts_per_day,
                                                       rules.max_hours_per_week))
        return by_district

    def apart_pairs(self) -> list[tuple[int, int]]:
        """Shifts of one day no officer may both work under the roster's min_rest rule: they
        overlap, or leave a gap shorter than the rest that no run of back-to-back shifts (at most
        the most shifts any officer may work a day) closes into one duty."""
        if hasattr(self, "_apart"):
            return self._apart
        shifts = self.scenario.shifts
        rest = self.rules.min_rest_hours * 60
        most = max([self.rules.max_shifts_per_day] + [o.max_shifts_per_day for group in self.officers for o in group])
        pairs: list[tuple[int, int]] = []
        for a in range(len(shifts)):
            for b in range(a + 1, len(shifts)):
                first, second = sorted((shifts[a], shifts[b]), key=lambda x: (x.start_minutes, x.end_minutes))
                gap = second.start_minutes - first.end_minutes
                if gap < 0:
                    pairs.append((a, b))
                elif 0 < gap < rest:
                    reach, closed = {first.end_minutes}, False
                    for _ in range(most - 2):
                        reach = {x.end_minutes for x in shifts
                                 if x.start_minutes in reach and x.end_minutes <= second.start_minutes}
                        closed = closed or second.start_minutes in reach
                    if not closed:
                        pairs.append((a, b))
        self._apart = pairs
        return pairs

    def day_hours(self, officer: _Officer) -> float:
        """Most hours an officer may work in a day: at most max_shifts_per_day shifts, no two apart."""
        key = ("day", officer.max_shifts_per_day)
        if key not in self._week_caps:
            apart = set(self.apart_pairs())
            best = 0.0
            for size in range(1, min(officer.max_shifts_per_day, self.n_shifts) + 1):
                for chosen in itertools.combinations(range(self.n_shifts), size):
                    if not any(pair in apart for pair in itertools.combinations(chosen, 2)):
                        best = max(best, sum(self.hours[s] for s in chosen))
            self._week_caps[key] = best
        return self._week_caps[key]

    def week_hours(self, officer: _Officer, days: range) -> float:
        """Most hours an officer may work in a campaign week (roster_check's max_hours_per_week:
        the full weekly hours even in a short last week), no more than his days not on leave
        (at most 7 - min_days_off_per_7 and max_consecutive_days in a full week) times his
        longest day."""
        present = sum(1 for d in days if d not in officer.leave_days)
        if len(days) >= 7 and self.rules.min_days_off_per_7:
            present = min(present, 7 - self.rules.min_days_off_per_7)
        if self.rules.max_consecutive_days and len(days) > self.rules.max_consecutive_days:
            present = min(present, self.rules.max_consecutive_days)
        return min(officer.max_hours_per_week, present * self.day_hours(officer))

    def slot(self, d: int, s: int) -> str:
        return f"{self.dates[d]} {self.shift_codes[s]}"

    def ward_slot(self, i: int, d: int, s: int) -> str:
        return f"ward {self.ward_codes[i]}, {self.slot(d, s)}"
