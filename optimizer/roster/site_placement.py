"""Placing people at sites: in the model, by counts per slot (how many move away from each home
site, how many arrive at each site), exact because every move costs the same; in a draft,
the rule that gives every worked shift its site from those counts."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from .draft import AWAY, FREE, Cell, RosterDraft

if TYPE_CHECKING:
    from .compiled import Compiled
    from .model import RosterModel


def place_by_counts(model: RosterModel, variables, constants, hints, plan_cover, sites, where, info) -> None:
    """Several sites want this role in this slot: `arrive[site]` people come from elsewhere
    and, when moving costs, `moved[site]` people of that home site work elsewhere.
    Everyone works somewhere: arrivals = moved away + people without a usable home site."""
    cross = model.problem.costs.cross_site_per_shift
    people = sum(len(v) for v in variables.values()) + sum(constants.values())
    arrivals, moved_away = [], []
    for site in sites:
        arrive = model.int_var(0, people, f"arrive[{site},{where}]")
        arrivals.append(arrive)
        home_literals = variables.get(site, [])
        home_most = len(home_literals) + constants.get(site, 0)
        if cross > 0 and home_most > 0:
            n_home = cp_model.LinearExpr.sum(home_literals) + constants.get(site, 0)
            moved = model.int_var(0, home_most, f"moved[{site},{where}]")
            model.model.add(moved <= n_home)
            moved_away.append(moved)
            info["moved"][site] = moved
            info["cover"][site] = n_home - moved + arrive
            stay = min(hints[site], plan_cover[site])
            model.hint[moved] = hints[site] - stay
            model.hint[arrive] = plan_cover[site] - stay
            model.penalise("cross_site", f"moved_away(home={site}, {where})", cross, moved)
        elif cross > 0:
            info["cover"][site] = arrive
            model.hint[arrive] = plan_cover[site]
        else:
            info["cover"][site] = arrive   # without moving costs, homes do not matter
            model.hint[arrive] = plan_cover[site]
    if cross > 0:
        pool = [v for key in (AWAY, FREE) for v in variables.get(key, [])]
        pool_size = constants.get(AWAY, 0) + constants.get(FREE, 0)
        model.model.add(sum(arrivals) == sum(moved_away) + cp_model.LinearExpr.sum(pool) + pool_size)
    else:
        every = [v for vs in variables.values() for v in vs]
        model.model.add(sum(arrivals) == cp_model.LinearExpr.sum(every) + sum(constants.values()))


def place_at_sites(compiled: Compiled, plan: RosterDraft, counts: dict | None = None) -> None:
    """Give every worked shift a site, slot by slot (day, shift, role), in place.

    `counts[slot] = (people per site, people moved away per home site, members)` fixes the
    numbers for the slot's members (from a solve; other people in the slot keep their site);
    slots not in `counts` are left alone, and with `counts=None` every slot is placed by the rule:
    people stay at their home site up to its requirement, the rest fill the largest gaps first.
    Who moves is decided by employee order, so the result is deterministic.
    """
    problem = compiled.problem
    people: dict[tuple[int, int, str | None], list[int]] = defaultdict(list)
    counted_days = None if counts is None else {slot[0] for slot in counts}
    for (e, d), works in plan.cells.items():
        if counted_days is not None and d not in counted_days:
            continue   # no slot of that day is placed
        for s, role, _ in works:
            people[(d, s, role)].append(e)
    updates: dict[Cell, dict[int, str]] = defaultdict(dict)
    for slot, members in people.items():
        role = slot[2]
        demands = compiled.slot_demands.get((slot[0], slot[1], role)) if role is not None else None
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
        demands = tuple(dm for dm in demands if dm.site in sites)
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
                home_count = len(by_home.get(site, []))
                stay[site] = home_count - moved[site] if site in moved else min(home_count, cover[site])
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
