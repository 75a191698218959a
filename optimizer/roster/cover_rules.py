"""Cover rules of the roster model: per slot (day, shift, role), people at each site against
the demands' requirements. Each missing person costs `weight_under`, each extra person
`weight_over` (infinite = hard); people are placed at sites by counts (`site_placement`)."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ortools.sat.python import cp_model

from .draft import AWAY
from .problem import Demand
from .site_placement import place_by_counts

if TYPE_CHECKING:
    from .model import RosterModel


def add_cover(model: RosterModel) -> None:
    """Cover per (day, shift, site, role): each missing person costs weight_under, each
    extra person weight_over (infinite = hard). People are placed at sites by counts;
    an employee working away from their home site costs `cross_site_per_shift`."""
    problem, compiled = model.problem, model.compiled
    free_by_slot = defaultdict(list)
    for (e, d, s, role), y in model.y.items():
        if role is not None:
            free_by_slot[(d, s, role)].append((e, y))
    if model.full:
        uncoverable_slots(model, free_by_slot)
    if not free_by_slot:
        return
    fixed_by_slot: dict[tuple, list[int]] = defaultdict(list)
    touched_days = {d for d, _, _ in free_by_slot}
    site_filter = model.site_filter
    for (e, d), works in model.plan.cells.items():
        if d in touched_days and not model.is_free(e, d):
            for s, role, site in works:
                if (d, s, role) in free_by_slot and (site_filter is None or site in site_filter):
                    fixed_by_slot[(d, s, role)].append(e)
    cross = problem.costs.cross_site_per_shift
    codes = problem.shift_codes
    for slot in sorted(free_by_slot, key=lambda k: (k[0], k[1], k[2])):
        d, s, role = slot
        demands = tuple(steered(model, dm, s) for dm in compiled.slot_demands[slot]
                        if site_filter is None or dm.site in site_filter)
        sites = tuple(dm.site for dm in demands)
        where = f"day={d}, shift={codes[s]}, role={role}"
        variables: dict[str, list] = defaultdict(list)    # home key -> literals
        constants: Counter[str] = Counter()               # home key -> fixed people
        hints: Counter[str] = Counter()
        for e, y in free_by_slot[slot]:
            key = compiled.home_key(e, sites)
            variables[key].append(y)
            hints[key] += model.hint.get(y, 0)
            if key == AWAY:
                model.penalise("cross_site", f"cross_site(employee={problem.employees[e].id}, {where})",
                               cross, y)
        for e in fixed_by_slot.get(slot, ()):
            constants[compiled.home_key(e, sites)] += 1
        for key, count in constants.items():
            hints[key] += count
        plan_cover = cover_in_draft(model, slot, sites, fixed_by_slot.get(slot, ()), free_by_slot[slot])
        members = list(fixed_by_slot.get(slot, ())) + [e for e, _ in free_by_slot[slot]]
        info: dict[str, Any] = {"sites": sites, "cover": {}, "moved": {}, "members": members}
        if len(sites) == 1:
            every = [v for vs in variables.values() for v in vs]
            info["cover"][sites[0]] = cp_model.LinearExpr.sum(every) + sum(constants.values())
            if len(every) == 1 and cover_by_one(model, demands[0], every[0], sum(constants.values()), where):
                model.slots[slot] = info
                continue
        else:
            place_by_counts(model, variables, constants, hints, plan_cover, sites, where, info)
        model.slots[slot] = info
        for demand in demands:
            cover_penalties(model, demand, info["cover"][demand.site], plan_cover[demand.site], where)


def steered(model: RosterModel, demand: Demand, s: int) -> Demand:
    """The demand with its under-cover weight raised by `extra_under` (a construction's
    steer towards gaps that are hard to fill later)."""
    extra = model.extra_under.get((demand.day, s, demand.role, demand.site), 0.0)
    return replace(demand, weight_under=demand.weight_under + extra) if extra else demand


def uncoverable_slots(model: RosterModel, free_by_slot) -> None:
    """In the full model, demands nobody can work keep their whole under-cover cost."""
    for slot, demands in model.compiled.slot_demands.items():
        if slot in free_by_slot:
            continue
        for demand in demands:
            if demand.requirement == 0:
                continue
            if math.isinf(demand.weight_under):
                model.enforced(model.model.add_bool_or([]), model.guard("cover_min", f"site={demand.site}, "
                               f"day={slot[0]}, shift={model.problem.shifts[slot[1]].code}, role={slot[2]}"))
            else:
                model.constant += int(round(demand.weight_under * demand.requirement * model.compiled.scale))


def cover_in_draft(model: RosterModel, slot, sites, fixed_employees, free_pairs) -> Counter:
    """People per site in this slot in the plan (hint values)."""
    d, s, role = slot
    cover: Counter[str] = Counter()
    for e in list(fixed_employees) + [e for e, _ in free_pairs]:
        for shift, worked_role, site in model.plan.works(e, d):
            if shift == s and worked_role == role and site is not None and site in sites:
                cover[site] += 1
    return cover


def cover_by_one(model: RosterModel, demand: Demand, literal, others: int, where: str) -> bool:
    """A slot only one free employee can change: its cover cost is linear in that literal
    (cost with them minus cost without), so no under/over variables are needed."""
    if math.isinf(demand.weight_under) or math.isinf(demand.weight_over):
        return False
    def cost(people: int) -> float:
        return (demand.weight_under * max(0, demand.requirement - people)
                + demand.weight_over * max(0, people - demand.requirement))
    label = f"site={demand.site}, {where}"
    model.constant += int(round(cost(others) * model.compiled.scale))
    model.penalise("cover", f"cover({label})", cost(others + 1) - cost(others), literal)
    return True


def cover_penalties(model: RosterModel, demand: Demand, expr, plan_cover: int, where: str) -> None:
    label = f"site={demand.site}, {where}"
    need = demand.requirement
    if demand.weight_under == math.inf:
        model.enforced(model.model.add(expr >= need), model.guard("cover_min", label))
    elif demand.weight_under > 0 and need > 0:
        under = model.int_var(0, need, f"under[{label}]")
        model.model.add(under + expr >= need)
        model.hint[under] = max(0, need - plan_cover)
        model.penalise("understaffed", f"understaffed({label})", demand.weight_under, under)
    if demand.weight_over == math.inf:
        model.enforced(model.model.add(expr <= need), model.guard("cover_max", label))
    elif demand.weight_over > 0:
        over = model.int_var(0, len(model.problem.employees), f"over[{label}]")
        model.model.add(expr - over <= need)
        model.hint[over] = max(0, plan_cover - need)
        model.penalise("overstaffed", f"overstaffed({label})", demand.weight_over, over)
