"""The baselines a plan is measured against: what planners do with a spreadsheet.

The fair baseline (`baseline_decisions`) is what a competent planner does on the same
resources and under the same rules as the optimized plan: mobile kits go to the institutions
on their lists, and only while the lists last; home-visit teams go to the wards with the most
homebound still to visit; the officers left staff fixed kits, each kit-shift going to the
ward whose counter backlog (walk-ins who come, and those invitation letters bring) has the
least kit capacity so far, spread over the days; invitation letters are spread evenly over the
campaign days a ward's counter is open, up to each ward's daily cap. Every unit is placed only
where the district's officers can staff it under every staffing row of the capacity model
(per shift, day, week, rest, succession, runs of days), so the plan it writes
(`baseline_plan.csv`) passes the same checker as the optimized plan.

The naive proportional rule (`proportional_decisions`) stays as a second, labelled reference:
officer-shifts in proportion to each ward's target, every shift alike, mobile kits out every
day, no invitation letters.
"""

from __future__ import annotations

import heapq

import numpy as np

from .demand import invitable_pool, largest_remainder, largest_remainder_rows, shift_weights, walk_in_total
from .scenario import Scenario
from .simulation import Decisions
from .staffing import (
    ROW_KINDS,
    CrewNeeds,
    DistrictBudget,
    campaign_weeks,
    district_budgets,
    first_broken_row,
    incompatible_shift_pairs,
    shift_groups,
)


def _spread_evenly(count: int, slots: int) -> np.ndarray:
    """`count` openings over `slots` positions as evenly as possible (0/1 each)."""
    out = np.zeros(slots, dtype=np.int64)
    if count <= 0:
        return out
    count = min(count, slots)      # bounded by the data's size, whatever the count asked
    positions = np.floor((np.arange(count) + 0.5) * slots / count).astype(int)
    out[np.clip(positions, 0, slots - 1)] = 1
    return out


def _usage(crew_by_role: dict[str, int], role_set: frozenset) -> int:
    return sum(n for r, n in crew_by_role.items() if r in role_set)


def proportional_decisions(scenario: Scenario, budgets: dict[str, DistrictBudget] | None = None
                           ) -> tuple[Decisions, dict[str, int]]:
    """Decisions of the naive proportional rule and its split of the city reserve (`budgets`:
    the scenario's officer budgets when the caller has them already). It keeps the per-shift,
    per-day and per-week officer budgets only (a labelled reference, not checked as a plan)."""
    wards = scenario.wards
    n_days, codes = scenario.n_days, scenario.shift_codes
    n_shifts = len(codes)
    decisions = Decisions.zeros(len(wards), n_days, n_shifts)
    crew = CrewNeeds.of(scenario)
    budgets = district_budgets(scenario) if budgets is None else budgets
    weeks = campaign_weeks(n_days)
    mobile_shifts = [codes.index(c) for c in scenario.settings.mobile_kit.shifts]
    home_shift = codes.index(scenario.settings.home_visit.shift)
    district_codes = scenario.district_codes
    institution_by_district = np.array([wards.loc[wards["district_code"] == d, "institution"].sum()
                                        for d in district_codes], dtype=float)
    reserve_split = largest_remainder(scenario.city_mobile_kits, institution_by_district)
    allocation = {d: int(r) for d, r in zip(district_codes, reserve_split)}
    ward_district = wards["district_code"].to_numpy()

    for district in district_codes:
        idx = np.flatnonzero(ward_district == district)
        mine = wards.iloc[idx]
        budget = budgets[district]
        fixed_kits = mine["fixed_kits"].to_numpy()
        kits = np.zeros((len(idx), n_days, n_shifts), dtype=np.int64)
        mobile = np.zeros_like(kits)
        teams = np.zeros_like(kits)
        # mobile kits: kit-days in proportion to the institution cohort, in rotation
        fleet = int(scenario.districts.at[district, "mobile_kits"]) + allocation[district]
        kit_days = largest_remainder(fleet * n_days, mine["institution"].to_numpy(float))
        for d in range(n_days):
            order = np.argsort(-kit_days, kind="stable")[:fleet]
            for w in order:
                if kit_days[w] > 0:
                    mobile[w, d, mobile_shifts] = 1
                    kit_days[w] -= 1
        # home-visit teams: team-days in proportion to the homebound
        hv_roles = frozenset(crew.home_visit)
        hv_k = budget.role_sets.index(hv_roles) if hv_roles in budget.role_sets else None
        per_team = max(1, sum(crew.home_visit.values()))
        teams_a_day = int(budget.per_shift[hv_k].min() // per_team) if hv_k is not None else 0
        team_days = largest_remainder(teams_a_day * n_days, mine["homebound"].to_numpy(float))
        for d in range(n_days):
            order = np.argsort(-team_days, kind="stable")[:teams_a_day]
            for w in order:
                if team_days[w] > 0:
                    teams[w, d, home_shift] = 1
                    team_days[w] -= 1
        # fixed kits: the weekly kit crews left, in proportion to the target, every shift alike
        kit_roles = frozenset(crew.kit)
        kk = budget.role_sets.index(kit_roles) if kit_roles in budget.role_sets else None
        per_kit = max(1, sum(crew.kit.values()))
        for w_index, week in enumerate(weeks):
            if kk is None:
                break
            other = 0
            for d in week:
                other += _usage(crew.mobile, kit_roles) * mobile[:, d, mobile_shifts].sum()
                other += _usage(crew.home_visit, kit_roles) * teams[:, d, home_shift].sum()
            longest = max(shift.hours for shift in scenario.shifts)
            kit_shifts = max(0, int((budget.per_week_hours[kk, w_index] - other * longest) // (per_kit * longest)))
            slots = len(week) * n_shifts
            caps = mine["fixed_kits"].to_numpy() * slots
            share = largest_remainder(min(kit_shifts, int(caps.sum())), mine["target"].to_numpy(float))
            share = np.minimum(share, caps)
            for w in range(len(idx)):
                per_kit_slot = []
                remaining = int(share[w])
                for _ in range(int(fixed_kits[w])):
                    take = min(remaining, slots)
                    per_kit_slot.append(_spread_evenly(take, slots))
                    remaining -= take
                if per_kit_slot:
                    kits[w, list(week), :] = np.sum(per_kit_slot, axis=0).reshape(len(week), n_shifts)
        # repair: drop kits (from the ward with most open) until every staffing row holds
        for _ in range(kits.size + 1):
            broken = first_broken_row(scenario, budget, kits, mobile, teams, ROW_KINDS[:3])
            if broken is None:
                break
            _kind, k, days, shifts = broken
            role_set = budget.role_sets[k]
            window = kits[:, days][:, :, shifts]
            if _usage(crew.kit, role_set) and window.sum():
                w, d, s = np.unravel_index(np.argmax(window), window.shape)
                kits[w, days[d], shifts[s]] -= 1
            elif _usage(crew.mobile, role_set) and mobile[:, days].sum():
                # the mobile kit whose ward has most mobile days left in the window stays longest
                w, d = np.argwhere(mobile[:, days].sum(axis=2) > 0)[0]
                mobile[w, days[d], :] = 0
            elif _usage(crew.home_visit, role_set) and teams[:, days].sum():
                w, d = np.argwhere(teams[:, days].sum(axis=2) > 0)[0]
                teams[w, days[d], :] = 0
            else:
                break   # cannot happen: the row is broken by something in the window
        decisions.kits_open[idx] = kits
        decisions.mobile_kits[idx] = mobile
        decisions.home_visit_teams[idx] = teams
    return decisions, allocation



# --- the fair baseline ------------------------------------------------------------------------

class _OfficerLedger:
    """What is left of one district's staffing rows (docs/dynamics.md, Staffing) as crews are
    placed: the slack of every row per role set (per shift, day, week in hours, rest pair,
    forbidden succession, run of days per shift group), and whether one more unit fits them
    all. Slack only shrinks as units are placed, so a (kind, day) that did not fit stays full."""

    def __init__(self, scenario: Scenario, budget: DistrictBudget, rows: dict | None = None):
        """`rows`: the units' rows found so far, shared by districts whose rows are laid out alike."""
        self.n_days, self.n_shifts = scenario.n_days, len(scenario.shift_codes)
        self.hours = np.array([s.hours for s in scenario.shifts])
        codes = scenario.shift_codes
        self.pairs = incompatible_shift_pairs(scenario)
        self.successions = [(codes.index(a), codes.index(b))
                            for a, b in scenario.settings.officer_rules.forbidden_successions]
        self.groups = [list(g) for g in shift_groups(scenario)]
        crew = CrewNeeds.of(scenario)
        self.need = {kind: np.array([crew.total(needs, rs) for rs in budget.role_sets], dtype=float)
                     for kind, needs in (("kit", crew.kit), ("mobile", crew.mobile), ("team", crew.home_visit))}
        n_sets = len(budget.role_sets)
        self.shift = np.repeat(budget.per_shift[:, :, None], self.n_shifts, axis=2).astype(float)
        self.day = budget.per_day.astype(float)
        self.week = budget.per_week_hours.astype(float) + 1e-6
        self.rest = np.repeat(budget.per_shift[:, :, None], len(self.pairs), axis=2).astype(float)
        headcount = budget.headcount if budget.headcount is not None else np.full(n_sets, np.inf)
        self.succession = np.repeat(np.asarray(headcount, float)[:, None, None], max(0, self.n_days - 1),
                                    axis=1).repeat(len(self.successions), axis=2) \
            if budget.headcount is not None else np.zeros((n_sets, 0, 0))
        self.windows = [(length, np.repeat(most[:, :, None].astype(float), len(self.groups), axis=2))
                        for length, most in budget.work_day_windows]
        # every row's slack in one vector; a unit's rows are index arrays into it
        parts = [self.shift, self.day, self.week, self.rest, self.succession] + [w for _, w in self.windows]
        self.offsets = {id(part): offset for part, offset in
                        zip(parts, np.cumsum([0] + [part.size for part in parts[:-1]]))}
        self.slack = np.concatenate([part.ravel() for part in parts])
        self.full: set = set()
        self.rows = {} if rows is None else rows
        self.layout = (self.slack.size, tuple(budget.role_sets))

    def place(self, kind: str, day: int, shifts: list[int]) -> bool:
        """Place one unit of `kind` on `day` in `shifts` if every row keeps its slack; True if placed."""
        key = (kind, day, shifts[0] if len(shifts) == 1 else tuple(shifts))
        if key in self.full:
            return False
        rows = self.rows.get((key, self.layout))
        if rows is None:
            rows = self.rows[(key, self.layout)] = self._rows(self.need[kind], day, shifts)
        index, amount = rows
        if (self.slack[index] < amount - 1e-9).any():
            self.full.add(key)
            return False
        self.slack[index] -= amount
        return True

    def _cells(self, part: np.ndarray, *index) -> np.ndarray:
        """Positions in the slack vector of part[:, *index] (every role set)."""
        sets = np.arange(part.shape[0])
        grids = np.meshgrid(sets, *[np.atleast_1d(i) for i in index], indexing="ij")
        return self.offsets[id(part)] + np.ravel_multi_index(tuple(grids), part.shape)

    def _rows(self, need: np.ndarray, d: int, shifts: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """(positions in the slack vector, amounts taken) of every row one unit on day d in
        `shifts` uses: its shifts, its day, its week (hours), the rest pairs and successions it
        touches, and the runs of days holding d for each shift group it covers."""
        rows = [(self._cells(self.shift, d, shifts), 1),
                (self._cells(self.day, d), len(shifts)),
                (self._cells(self.week, d // 7), float(self.hours[shifts].sum()))]
        for p, (a, b) in enumerate(self.pairs):
            uses = (a in shifts) + (b in shifts)
            if uses:
                rows.append((self._cells(self.rest, d, p), uses))
        for q, (a, b) in enumerate(self.successions):
            if a in shifts and d + 1 < self.n_days:
                rows.append((self._cells(self.succession, d, q), 1))
            if b in shifts and d > 0:
                rows.append((self._cells(self.succession, d - 1, q), 1))
        for length, slack in self.windows:
            first, last = max(0, d - length + 1), min(d, self.n_days - length)
            for g, group in enumerate(self.groups):
                uses = sum(1 for s in shifts if s in group)
                if uses and last >= first:
                    rows.append((self._cells(slack, np.arange(first, last + 1), g), uses))
        index = np.concatenate([np.ravel(cells) for cells, _ in rows])
        amount = np.concatenate([np.ravel(np.broadcast_to(need.reshape((-1,) + (1,) * (cells.ndim - 1)) * uses,
                                                          cells.shape)) for cells, uses in rows])
        keep = amount > 0
        return index[keep], amount[keep]


def _reserve_by_need(scenario: Scenario, kit_days_needed: dict[str, int]) -> dict[str, int]:
    """The city's mobile kits lent to districts in proportion to the kit-days their own fleet
    cannot cover (none lent where the own fleet covers the lists)."""
    codes = scenario.district_codes
    short = np.array([max(0, kit_days_needed[d] - int(scenario.districts.at[d, "mobile_kits"]) * scenario.n_days)
                      for d in codes], dtype=float)
    if scenario.city_mobile_kits <= 0 or short.sum() <= 0:
        return {d: 0 for d in codes}
    split = largest_remainder(int(scenario.city_mobile_kits), short)
    return {d: int(k) for d, k in zip(codes, split)}


def baseline_decisions(scenario: Scenario, budgets: dict[str, DistrictBudget] | None = None
                       ) -> tuple[Decisions, dict[str, int]]:
    """The fair baseline's decisions and its split of the city reserve (see the module text;
    `budgets`: the scenario's officer budgets when the caller has them already)."""
    settings = scenario.settings
    demand = settings.demand
    wards = scenario.wards
    n_days, codes = scenario.n_days, scenario.shift_codes
    n_shifts = len(codes)
    hours = np.array([s.hours for s in scenario.shifts])
    decisions = Decisions.zeros(len(wards), n_days, n_shifts)
    budgets = district_budgets(scenario) if budgets is None else budgets
    mobile_shifts = [codes.index(c) for c in settings.mobile_kit.shifts]
    home_shift = codes.index(settings.home_visit.shift)
    rate = settings.throughput_per_kit_hour
    per_mobile_day = sum(int(np.floor(round(rate.institution * hours[s], 9))) for s in mobile_shifts)
    per_team = int(np.floor(round(settings.home_visit.people_per_team_hour * hours[home_shift], 9)))
    institution = wards["institution"].to_numpy(np.int64)
    homebound = wards["homebound"].to_numpy(np.int64)
    mobile_days_needed = -(-institution // max(1, per_mobile_day)) if per_mobile_day > 0 else np.zeros_like(institution)
    ward_district = wards["district_code"].to_numpy()
    allocation = _reserve_by_need(scenario, {d: int(mobile_days_needed[ward_district == d].sum())
                                             for d in scenario.district_codes})
    pool = invitable_pool(scenario)
    coming = np.array([walk_in_total(int(w), demand.walk_in_turnout) for w in wards["walk_in"]], dtype=np.int64)
    backlog = coming + demand.invitation_show_up * np.minimum(
        pool, demand.max_letters_per_ward_day * max(0, n_days - demand.invitation_lead_days))
    preference = shift_weights(scenario)
    shift_order = sorted(range(n_shifts), key=lambda s: (-preference[s], s))
    fixed_kits = wards["fixed_kits"].to_numpy(np.int64)
    rows: dict = {}
    for district in scenario.district_codes:
        idx = np.flatnonzero(ward_district == district)
        ledger = _OfficerLedger(scenario, budgets[district], rows)
        # mobile kits: each day, to the wards with the longest institution lists left
        fleet = int(scenario.districts.at[district, "mobile_kits"]) + allocation[district]
        left = mobile_days_needed[idx].copy()
        for d in range(n_days):
            for _ in range(fleet):
                w = int(np.argmax(left))
                if left[w] <= 0 or not ledger.place("mobile", d, mobile_shifts):
                    break
                decisions.mobile_kits[idx[w], d, mobile_shifts] += 1
                left[w] -= 1
        # home-visit teams: each day, to the wards with the most homebound left to visit
        left = homebound[idx].copy()
        for d in range(n_days):
            while True:
                w = int(np.argmax(left))
                if left[w] <= 0 or per_team <= 0 or not ledger.place("team", d, [home_shift]):
                    break
                decisions.home_visit_teams[idx[w], d, home_shift] += 1
                left[w] -= per_team
        # fixed kits: one kit-shift at a time to the ward with the least capacity for its backlog
        kits = np.zeros((len(idx), n_days, n_shifts), dtype=np.int64)
        capacity = np.zeros(len(idx))
        need = np.maximum(backlog[idx], 1.0)
        open_wards = [i for i in range(len(idx)) if fixed_kits[idx[i]] > 0 and backlog[idx[i]] > 0]
        heap = [(0.0, i) for i in open_wards]
        heapq.heapify(heap)
        while heap:
            _, i = heapq.heappop(heap)
            placed = None
            open_now, most = kits[i].tolist(), int(fixed_kits[idx[i]])
            for d in np.argsort(kits[i].sum(axis=1), kind="stable").tolist():
                for s in shift_order:
                    if open_now[d][s] < most and ledger.place("kit", d, [s]):
                        placed = (d, s)
                        break
                if placed:
                    break
            if placed is None:
                continue          # the ward's kits are all open or its officers all used
            kits[i, placed[0], placed[1]] += 1
            capacity[i] += rate.walk_in * hours[placed[1]]
            heapq.heappush(heap, (capacity[i] / need[i], i))
        decisions.kits_open[idx] = kits
    decisions.letters[:] = _letters_spread(scenario, decisions.kits_open, pool)
    return decisions, allocation


def _letters_spread(scenario: Scenario, kits_open: np.ndarray, pool: np.ndarray) -> np.ndarray:
    """Each ward's invitable pool spread evenly over the days from the lead day on with its
    counter open, at most max_letters_per_ward_day a day, and within a day over its open
    shifts in proportion to their kit-hours."""
    demand = scenario.settings.demand
    hours = np.array([s.hours for s in scenario.shifts])
    letters = np.zeros_like(kits_open)
    kit_hours = kits_open * hours[None, None, :]
    for w in range(kits_open.shape[0]):
        days = [d for d in range(demand.invitation_lead_days, kits_open.shape[1]) if kit_hours[w, d].sum() > 0]
        if not days or pool[w] <= 0:
            continue
        total = min(int(pool[w]), demand.max_letters_per_ward_day * len(days))
        per_day = np.minimum(largest_remainder(total, np.ones(len(days))), demand.max_letters_per_ward_day)
        letters[w, days] = largest_remainder_rows(per_day, kit_hours[w, days].astype(float))   # each day alike
    return letters
