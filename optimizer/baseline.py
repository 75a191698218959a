"""The rule planners use today, in a spreadsheet: everything in proportion to the target.

Each district's officer-shifts are spread over its wards in proportion to each ward's
remaining target and every shift gets the same (no evening push); mobile kits go to wards in
proportion to their institution cohort, home-visit teams in proportion to the homebound, the
city reserve to districts in proportion to their institution cohort; no invitation letters.
The result runs through the same queue simulation as the optimized plan.
"""

from __future__ import annotations

import numpy as np

from .demand import largest_remainder
from .scenario import Scenario
from .simulation import Decisions
from .staffing import CrewNeeds, DistrictBudget, campaign_weeks, district_budgets


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


def _fits(budget: DistrictBudget, crew: CrewNeeds, kits: np.ndarray, mobile: np.ndarray, teams: np.ndarray,
          mobile_shifts: list[int], home_shift: int, weeks: list[range]) -> tuple | None:
    """First staffing row the district's decisions break, as (kind, role set index, day, shift), or None."""
    n_days, n_shifts = kits.shape[1], kits.shape[2]
    for k, role_set in enumerate(budget.role_sets):
        a, b, c = _usage(crew.kit, role_set), _usage(crew.mobile, role_set), _usage(crew.home_visit, role_set)
        per_shift = a * kits.sum(axis=0)
        for s in mobile_shifts:
            per_shift[:, s] += b * mobile[:, :, s].sum(axis=0)
        per_shift[:, home_shift] += c * teams[:, :, home_shift].sum(axis=0)
        over = np.argwhere(per_shift > budget.per_shift[k][:, None])
        if len(over):
            return ("shift", k, int(over[0][0]), int(over[0][1]))
        per_day = per_shift.sum(axis=1)
        over = np.flatnonzero(per_day > budget.per_day[k])
        if len(over):
            return ("day", k, int(over[0]), None)
        for w, week in enumerate(weeks):
            if per_day[list(week)].sum() > budget.per_week[k, w]:
                return ("week", k, w, None)
    return None


def baseline_decisions(scenario: Scenario, budgets: dict[str, DistrictBudget] | None = None
                       ) -> tuple[Decisions, dict[str, int]]:
    """Decisions of the proportional rule and its split of the city reserve (`budgets`: the
    scenario's officer budgets when the caller has them already)."""
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
            kit_shifts = max(0, int((budget.per_week[kk, w_index] - other) // per_kit))
            slots = len(week) * n_shifts
            caps = mine["fixed_kits"].to_numpy() * slots
            share = largest_remainder(min(kit_shifts, int(caps.sum())), mine["target"].to_numpy(float))
            share = np.minimum(share, caps)
            for w in range(len(idx)):
                per_kit_slot = []
                remaining = int(share[w])
                for _ in range(int(mine["fixed_kits"].iloc[w])):
                    take = min(remaining, slots)
                    per_kit_slot.append(_spread_evenly(take, slots))
                    remaining -= take
                if per_kit_slot:
                    kits[w, list(week), :] = np.sum(per_kit_slot, axis=0).reshape(len(week), n_shifts)
        # repair: drop kits (from the ward with most open) until every staffing row holds
        for _ in range(kits.size + 1):
            broken = _fits(budget, crew, kits, mobile, teams, mobile_shifts, home_shift, weeks)
            if broken is None:
                break
            kind, k, a, b = broken
            if kind == "shift":
                days, shifts = [a], [b]
            elif kind == "day":
                days, shifts = [a], list(range(n_shifts))
            else:
                days, shifts = list(weeks[a]), list(range(n_shifts))
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
