"""People per enrollment unit: 2019 census people scaled to 2022, then eligible, enrolled,
cannot-enroll and the four cohorts (the assumptions in assumptions.py)."""

from __future__ import annotations

import math
import random
from fractions import Fraction

from .assumptions import Assumptions
from .sources import Commune


def largest_remainder(total: int, weights: list[Fraction]) -> list[int]:
    """Whole numbers summing to total in proportion to weights; leftovers to the largest fractions
    (ties to the earlier item). Exact: weights are Fractions."""
    whole = sum(weights)
    quotas = [Fraction(total) * w / whole for w in weights]
    base = [math.floor(q) for q in quotas]
    order = sorted(range(len(quotas)), key=lambda i: (-(quotas[i] - base[i]), i))
    for i in order[: total - sum(base)]:
        base[i] += 1
    return base


def half_up(x: float | Fraction) -> int:
    return math.floor(x + Fraction(1, 2)) if isinstance(x, Fraction) else math.floor(round(x, 9) + 0.5)


def scale_population(units: list[Commune], people_2019: dict[str, Fraction],
                     totals: list[tuple[list[str], int]]) -> dict[str, int]:
    """2022 people per unit: each list of unit codes gets its 2022 total in proportion to the
    units' 2019 census people (largest remainder, exact). A unit keeps at least one person."""
    population: dict[str, int] = {}
    for codes, total in totals:
        weights = [people_2019[c] for c in codes]
        if sum(weights) == 0:
            weights = [Fraction(1)] * len(codes)
        population.update(zip(codes, largest_remainder(total, weights)))
    for unit in units:
        if population.get(unit.code, 0) <= 0:
            raise ValueError(f"unit {unit.code} {unit.name}: no people after scaling")
    return population


def ward_rows(units: list[Commune], population: dict[str, int], a: Assumptions) -> list[dict]:
    """Eligible, enrolled, cannot-enroll, cohorts and kits per unit (seeded per unit code)."""
    pops = sorted(population[u.code] for u in units)
    median = pops[len(pops) // 2]
    rows = []
    for unit in units:
        code, kind = unit.code, unit.kind
        rng = random.Random(f"{a.seed}/ward/{code}")
        pop = population[code]
        eligible = half_up(pop * a.aged_14_plus * (1 + a.short_stay_uplift[kind]))
        expected = a.enrolled_share[kind] - a.enrolled_size_slope * (math.sqrt(pop / median) - 1)
        share = expected + rng.uniform(-a.enrolled_noise, a.enrolled_noise)
        share = min(max(share, a.enrolled_range[0]), a.enrolled_range[1])
        enrolled = half_up(eligible * share)
        cannot = half_up(eligible * rng.uniform(*a.cannot_enroll))
        target = eligible - enrolled - cannot
        homebound = half_up(target * (a.homebound[kind] + rng.uniform(-a.homebound_noise, a.homebound_noise)))
        institution = half_up(target * rng.uniform(*a.institution))
        invited = half_up(target * rng.uniform(*a.invited))
        walk_in = target - homebound - institution - invited
        if eligible > pop:
            raise ValueError(f"unit {code} {unit.name}: eligible {eligible} exceeds population {pop} "
                             "(check the assumptions aged_14_plus and short_stay_uplift)")
        if min(target, walk_in) < 0:
            raise ValueError(f"unit {code} {unit.name}: the cohorts exceed the target {target} "
                             "(check the assumptions enrolled_share, cannot_enroll, homebound, institution, invited)")
        rows.append({"ward_code": code, "ward_name": unit.name, "district_code": unit.district_code,
                     "population": pop, "eligible": eligible, "already_enrolled": enrolled,
                     "cannot_enroll": cannot, "walk_in": walk_in, "invited": invited, "homebound": homebound,
                     "institution": institution, "fixed_kits": 2 if pop >= a.two_kits_from_population else 1,
                     "_type": kind, "_target": target})
    return rows
