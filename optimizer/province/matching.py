"""Match the 2019 census communes to the 2021 communes of a province, never dropping people.

The rules, in the order they apply (each has its own function below):
1. Names are compared by `name_key`: NFC, lower case, single spaces, the type prefix removed
   (kept in a first, stricter pass), numbers without leading zeros, and the tone mark moved to
   the end of its syllable, so "Khánh Hoà" = "Khánh Hòa" and "Thuỵ" = "Thụy".
2. Island rows: the census lists some island districts as commune-level rows of a mainland
   district ("Huyện Cồn Cỏ" under Huyện Hải Lăng); such a row belongs to the 2021 district of
   that name (`place_island_rows`).
3. District groups: a 2019 census district joins the 2021 district of the same name; one without
   a namesake (merged or renamed since 2019: Quận 2, Quận 9, Quận Thủ Đức -> Thành phố Thủ Đức;
   Huyện Hoành Bồ -> Thành phố Hạ Long) joins the 2021 district holding most of its commune
   names. 2021 and 2019 districts so linked form a group (`district_groups`); each group's 2019
   census people are conserved exactly across its 2021 units.
4. One-to-one matches by name, within a group: first the commune's own district(s), then the
   whole group; full name first, then without the type prefix; a name must be unique among the
   census units still unused (`match_by_name`).
5. The group's residual (census people of units left unmatched) goes to its unmatched 2021
   communes in proportion to a weight: the median 2019 population of the province's
   name-matched communes of the same type (`share_residual`). With no unmatched commune the
   residual goes to the group's communes in proportion to their matched people (they absorbed
   the merged units); with unmatched communes but no residual (a commune split off a matched
   one), the group's people are shared over all its communes by the same weights.
6. A 2021 district without communes (island districts) is one enrollment unit holding its
   census people; without census people (Huyện Hoàng Sa) it is left out with a note.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field, replace
from fractions import Fraction

from .names import DISTRICT_PREFIX, name_key
from .sources import Census, CensusUnit, Commune, District, Province


@dataclass(frozen=True)
class Part:
    """A share of one 2019 census unit held by a 2021 unit."""
    unit: CensusUnit
    share: Fraction

    @property
    def people(self) -> Fraction:
        return self.unit.people * self.share


@dataclass(frozen=True)
class Resolution:
    """How a 2021 unit not matched one-to-one by name got its 2019 people."""
    code: str
    name: str
    district: str
    rule: str
    parts: tuple[Part, ...]
    people_2019: Fraction


@dataclass
class Group:
    """2021 districts and the 2019 census districts whose people they share (rule 3)."""
    district_codes: list[str]
    census_districts: list[str]
    census_people: int = 0


@dataclass
class Matching:
    units: list[Commune]                      # enrollment units: communes, then island districts
    people_2019: dict[str, Fraction]          # unit code -> 2019 census people held
    resolutions: list[Resolution]
    groups: list[Group]
    left_out: list[tuple[District, str]]
    island_rows: list[tuple[CensusUnit, str]]  # census rows moved to their own district (rule 2)
    census_total: int
    parts: dict[str, tuple[Part, ...]] = field(default_factory=dict)   # unit code -> census shares
    district_checks: list[tuple[str, int, int | None]] = field(default_factory=list)  # name, rows, table
    matched_one_to_one: int = 0


def island_unit(district: District) -> Commune:
    """The one enrollment unit of a district listed without communes (rule 6)."""
    return Commune(code=f"D{district.code}", name=district.name, kind="xã", district_code=district.code)


def place_island_rows(province: Province, census: Census) -> tuple[list[CensusUnit], list[tuple[CensusUnit, str]]]:
    """Rule 2: a census row named like a 2021 district of the province belongs to that district."""
    districts = {name_key(d.name, level="district"): d for d in province.districts}
    rows, moved = [], []
    for unit in census.communes:
        key = name_key(unit.name, level="district")
        if DISTRICT_PREFIX.match(unit.name) and key in districts:
            target = districts[key].name
            moved.append((unit, target))
            unit = replace(unit, district=target)
        rows.append(unit)
    return rows, moved


def district_groups(province: Province, rows: list[CensusUnit]) -> list[Group]:
    """Rule 3: link 2019 census districts to 2021 districts and return the connected groups."""
    codes = [d.code for d in province.districts]
    by_key = {name_key(d.name, level="district"): d.code for d in province.districts}
    census_districts = list(dict.fromkeys(r.district for r in rows))
    commune_keys: dict[str, set[str]] = {code: set() for code in codes}
    for commune in province.communes:
        commune_keys[commune.district_code].add(name_key(commune.name, level="commune"))
    row_keys = {cd: [name_key(r.name, level="commune") for r in rows if r.district == cd] for cd in census_districts}
    parent: dict[str, str] = {}

    def find(node: str) -> str:
        while parent.setdefault(node, node) != node:
            node = parent[node]
        return node

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    linked_census, linked_codes = set(), set()
    for cd in census_districts:
        code = by_key.get(name_key(cd, level="district"))
        if code is not None:
            union("d:" + code, "c:" + cd)
            linked_census.add(cd)
            linked_codes.add(code)
    for cd in census_districts:
        if cd in linked_census:
            continue
        overlap = [(sum(k in commune_keys[code] for k in row_keys[cd]), -i, code) for i, code in enumerate(codes)]
        best = max(overlap)
        if best[0] > 0:
            union("d:" + best[2], "c:" + cd)
            linked_census.add(cd)
            linked_codes.add(best[2])
    with_communes = {c.district_code for c in province.communes}
    for _i, code in enumerate(codes):
        if code in linked_codes or code not in with_communes:
            continue
        overlap = [(sum(k in commune_keys[code] for k in row_keys[cd]), -j, cd)
                   for j, cd in enumerate(census_districts)]
        best = max(overlap, default=(0, 0, ""))
        if best[0] > 0:
            union("d:" + code, "c:" + best[2])
            linked_codes.add(code)
    # whatever is still unlinked on either side shares one province-wide remainder group
    loose = [("c:" + cd) for cd in census_districts if cd not in linked_census]
    loose += [("d:" + code) for code in codes if code in with_communes and code not in linked_codes]
    for node in loose[1:]:
        union(loose[0], node)
    groups: dict[str, Group] = {}
    for code in codes:
        if code in with_communes or code in linked_codes:
            groups.setdefault(find("d:" + code), Group([], [])).district_codes.append(code)
    for cd in census_districts:
        groups.setdefault(find("c:" + cd), Group([], [])).census_districts.append(cd)
    result = list(groups.values())
    lacking = [g for g in result if not g.census_districts or not any(c in with_communes or c in linked_codes
                                                                      for c in g.district_codes)]
    if lacking:   # a remainder with people but no commune (or the reverse): pool the whole province
        merged = Group([c for g in result for c in g.district_codes], [cd for g in result for cd in g.census_districts])
        result = [merged]
    for g in result:
        g.district_codes.sort(key=codes.index)
        g.census_districts.sort(key=census_districts.index)
        g.census_people = sum(r.people for r in rows if r.district in g.census_districts)
    return result


def match_by_name(communes: list[Commune], rows: list[CensusUnit], own: dict[str, set[str]],
                  used: dict[int, Fraction]) -> dict[str, int]:
    """Rule 4: one-to-one name matches (commune code -> row index) among rows still unused."""
    matches: dict[str, int] = {}
    taken = {j for j, share in used.items() if share > 0}
    passes = [(True, False), (True, True), (False, False), (False, True)]   # (own district only, strip)
    for own_only, strip in passes:
        keys: dict[str, list[int]] = {}
        for j, r in enumerate(rows):
            keys.setdefault(name_key(r.name, level="commune", strip_prefix=strip), []).append(j)
        for commune in communes:
            if commune.code in matches:
                continue
            key = name_key(commune.name, level="commune", strip_prefix=strip)
            hits = [j for j in keys.get(key, []) if j not in taken
                    and (not own_only or rows[j].district in own[commune.district_code])]
            if len(hits) == 1:
                matches[commune.code] = hits[0]
                taken.add(hits[0])
    return matches


def share_residual(units: list[Commune], held: dict[str, list[Part]], residual: list[Part],
                   weight: dict[str, Fraction]) -> dict[str, tuple[str, list[Part]]]:
    """Rule 5: give the group's residual to its units; returns unit code -> (rule, parts added)."""
    unmatched = [u for u in units if not held[u.code]]
    added: dict[str, tuple[str, list[Part]]] = {}
    if not residual:
        if not unmatched:
            return added
        # split since 2019: every unit of the group gives up a share to the new ones
        weights = {u.code: (sum((p.people for p in held[u.code]), Fraction(0)) if held[u.code]
                            else weight[u.kind]) for u in units}
        total_weight = sum(weights.values())
        pooled = [p for u in units for p in held[u.code]]
        for u in units:
            ratio = weights[u.code] / total_weight
            parts = [Part(p.unit, p.share * ratio) for p in pooled]
            old = held[u.code]
            held[u.code] = parts
            if old:
                added[u.code] = ("keeps its share of the group after a split", [])
            else:
                added[u.code] = ("split off since 2019: a share of the group's people by type weight", [])
        return added
    if unmatched:
        total_weight = sum(weight[u.kind] for u in unmatched)
        for u in unmatched:
            ratio = weight[u.kind] / total_weight
            parts = [Part(p.unit, p.share * ratio) for p in residual]
            held[u.code] = parts
            added[u.code] = ("merged or renamed since 2019: the group's residual, by type weight", parts)
        return added
    base = {u.code: sum((p.people for p in held[u.code]), Fraction(0)) for u in units}
    total = sum(base.values())
    for u in units:
        ratio = base[u.code] / total if total else Fraction(1, len(units))
        parts = [Part(p.unit, p.share * ratio) for p in residual]
        held[u.code] = held[u.code] + parts
        added[u.code] = ("absorbed 2019 units without a 2021 name: the residual, by matched people", parts)
    return added


def match_province(province: Province, census: Census,
                   resolved: dict[str, list[tuple[str, Fraction]]] | None = None) -> Matching:
    """Give every 2021 unit of the province its 2019 census people (rules 1-6)."""
    resolved = resolved or {}
    rows, moved = place_island_rows(province, census)
    groups = district_groups(province, rows)
    districts = {d.code: d for d in province.districts}
    communes_of: dict[str, list[Commune]] = {}
    for commune in province.communes:
        communes_of.setdefault(commune.district_code, []).append(commune)
    held: dict[str, list[Part]] = {}
    how: dict[str, str] = {}
    units: list[Commune] = []
    left_out: list[tuple[District, str]] = []
    pending: list[tuple[Group, list[Commune], list[int], dict[int, Fraction]]] = []
    one_to_one = 0
    for group in groups:
        index = [i for i, r in enumerate(rows) if r.district in group.census_districts]
        group_rows = [rows[i] for i in index]
        used: dict[int, Fraction] = {}
        own: dict[str, set[str]] = {
            code: {cd for cd in group.census_districts
                   if name_key(cd, level="district") == name_key(districts[code].name, level="district")}
            or set(group.census_districts) for code in group.district_codes}
        group_units: list[Commune] = []
        for code in group.district_codes:
            if code in communes_of:
                group_units.extend(communes_of[code])
                continue
            unit = island_unit(districts[code])
            mine = [j for j, r in enumerate(group_rows) if r.district in own[code]]
            if not mine:
                continue
            group_units.append(unit)
            held[unit.code] = [Part(group_rows[j], Fraction(1)) for j in mine]
            for j in mine:
                used[j] = Fraction(1)
            how[unit.code] = "district without communes in the 2021 list: one unit with its census people"
        for unit in group_units:
            if unit.code not in resolved:
                continue
            parts = []
            for census_name, share in resolved[unit.code]:
                hits = [j for j, r in enumerate(group_rows)
                        if name_key(r.name, level="commune", strip_prefix=False)
                        == name_key(census_name, level="commune", strip_prefix=False)]
                if len(hits) != 1:
                    raise ValueError(f"resolved unit {unit.code}: census unit {census_name!r} found {len(hits)} times")
                parts.append(Part(group_rows[hits[0]], share))
                used[hits[0]] = used.get(hits[0], Fraction(0)) + share
            held[unit.code] = parts
            how[unit.code] = "resolved by hand"
        free = [u for u in group_units if u.code not in held]
        matches = match_by_name(free, group_rows, own, used)
        for code, j in matches.items():
            held[code] = [Part(group_rows[j], Fraction(1))]
            used[j] = Fraction(1)
        one_to_one += len(matches)
        for u in group_units:
            held.setdefault(u.code, [])
        units.extend(group_units)
        pending.append((group, group_units, index, used))
    weight = type_weights(province, held, how)
    for _group, group_units, index, used in pending:
        residual = [Part(rows[i], 1 - used.get(j, Fraction(0))) for j, i in enumerate(index)
                    if used.get(j, Fraction(0)) < 1]
        plannable = [u for u in group_units if not u.code.startswith("D")]
        for code, (rule, _parts) in share_residual(plannable, held, residual, weight).items():
            how[code] = rule if code not in how else f"{how[code]}; then {rule}"
    for district in province.districts:
        if district.code not in communes_of and island_unit(district).code not in held:
            left_out.append((district, ("listed without communes and without people in the 2019 census "
                                       "(no resident population): left out")))
    order = {c.code: i for i, c in enumerate(province.communes)}
    units.sort(key=lambda u: (order.get(u.code, len(order)), u.code))
    people = {u.code: sum((p.people for p in held[u.code]), Fraction(0)) for u in units}
    resolutions = [Resolution(u.code, u.name, districts[u.district_code].name, how[u.code], tuple(held[u.code]),
                              people[u.code]) for u in units if u.code in how]
    matching = Matching(units=units, people_2019=people, resolutions=resolutions, groups=groups,
                        left_out=left_out, island_rows=moved, census_total=sum(r.people for r in rows),
                        matched_one_to_one=one_to_one,
                        parts={u.code: tuple(held[u.code]) for u in units})
    for cd in dict.fromkeys(r.district for r in rows):
        matching.district_checks.append((cd, sum(r.people for r in rows if r.district == cd),
                                         census.district_totals.get(cd)))
    check_conservation(matching, rows)
    return matching


def type_weights(province: Province, held: dict[str, list[Part]], how: dict[str, str]) -> dict[str, Fraction]:
    """The weight of an unmatched commune (rule 5): median 2019 people of the province's
    one-to-one matched communes of its type; all types' median when a type has none."""
    matched: dict[str, list[int]] = {}
    for c in province.communes:
        parts = held.get(c.code, [])
        if c.code not in how and len(parts) == 1:
            matched.setdefault(c.kind, []).append(parts[0].unit.people)
    everything = [p for values in matched.values() for p in values] or [1]
    overall = Fraction(statistics.median_low(everything))
    weights = {kind: Fraction(statistics.median_low(values)) if values else overall for kind, values in matched.items()}
    for kind in ("phường", "xã", "thị trấn"):
        weights.setdefault(kind, overall)
    return {kind: max(w, Fraction(1)) for kind, w in weights.items()}


def check_conservation(matching: Matching, rows: list[CensusUnit]) -> None:
    """Every census row is held exactly once in all (exact fractions), and each group holds
    exactly its census districts' people."""
    used: dict[int, Fraction] = {}
    for unit in matching.units:
        for part in matching.parts[unit.code]:
            used[id(part.unit)] = used.get(id(part.unit), Fraction(0)) + part.share
    for row in rows:
        if used.get(id(row), Fraction(0)) != 1:
            raise AssertionError(f"census unit {row.district} / {row.name} held {used.get(id(row), 0)} times")
    by_code = {u.code: u for u in matching.units}
    for group in matching.groups:
        held = sum((people for code, people in matching.people_2019.items()
                    if by_code[code].district_code in group.district_codes), Fraction(0))
        if held != group.census_people:
            raise AssertionError(f"group {group.district_codes}: {held} held, {group.census_people} counted")
