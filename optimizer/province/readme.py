"""The generated README of a built scenario: every number traced to a source or an assumption,
every unit not matched one-to-one with its resolution, and the sums."""

from __future__ import annotations

import dataclasses
from fractions import Fraction
from typing import TYPE_CHECKING

from .assumptions import BASIS
from .writer import MARKER

if TYPE_CHECKING:
    from .builder import BuiltScenario, ProvinceOverrides

SOURCES = """\
| source | file (data/vietnam/) | licence |
|---|---|---|
| GSO administrative list of 2021-02-03 (communes, districts, codes, types) | admin_units_2021-02-03.csv | public GSO list, kept in github sunshine-tech/VietnamProvinces |
| 2019 Population and Housing Census, complete counts per 2019 commune, all ages | census2019_wards.csv | GSO census database export, kept in github hgscarlette/vn-demographic |
| 2019 census per district (cross-check) | census2019_districts.csv | same |
| NSO average population 2022, table E02.01 | provinces_2022.csv | NSO/GSO PX-Web, public |
"""


def _people(value: Fraction) -> str:
    return f"{int(value):,}" if value.denominator == 1 else f"{float(value):,.2f}"


def _share(share: Fraction) -> str:
    return "all" if share == 1 else f"{float(share):.4f}"


def readme_text(built: BuiltScenario, population: dict[str, int], overrides: ProvinceOverrides) -> str:
    p, a, m = built.province, built.assumptions, built.matching
    wards = built.wards
    sums = {k: sum(w[k] for w in wards) for k in ("population", "eligible", "already_enrolled", "cannot_enroll",
                                                   "walk_in", "invited", "homebound", "institution", "fixed_kits")}
    target = sum(w["_target"] for w in wards)
    roles: dict[str, int] = {}
    for o in built.officers:
        key = "ward" if o["home_ward"] else o["roles"]
        roles[key] = roles.get(key, 0) + 1
    district_kits = sum(d["mobile_kits"] for d in built.districts if d["district_code"] != "city")
    reserve_kits = next(d["mobile_kits"] for d in built.districts if d["district_code"] == "city")
    islands = [u for u in m.units if u.code.startswith("D")]
    lines = [
        MARKER,
        f"# {p.name}: peak chip-ID enrollment scenario (built from public data)",
        "",
        (f"Built by `python -m optimizer build-scenario --province {p.code} --out DIR` from the national tables "
        "in `data/vietnam/` (see `data/README.md`). Deterministic: building twice gives byte-identical files. "
        "The units, names and populations are real; enrollment state, cohorts, kits and officers are the "
        "assumptions below (Hà Nội's 2022 values unless a TOML file overrode them). Officers are synthetic "
        f"(names start with `(synthetic) `; ids `{built.officers[0]['officer_id'].split('-')[0]}-...`)."),
        "",
        "## Sources",
        "",
        SOURCES,
        "## People per unit",
        "",
        (f"- The 2021 list holds {len(p.communes):,} communes in {len(p.districts)} districts; the scenario plans "
        f"**{len(m.units):,} units** ({len(p.communes):,} communes + {len(islands)} island district(s) as one "
        f"unit each) in {len(built.districts) - 1} districts."),
        (f"- 2019 census people of the province: **{m.census_total:,}**, every one held by a unit "
        "(exact fractions, checked per district group)."),
        f"- 2022 population: **{sums['population']:,}** "
        + (f"({overrides.population_source})" if overrides.population_source else
           f"(NSO average population 2022 of the province, provinces_2022.csv: {p.population_2022:,})")
        + "; each unit's 2019 people scaled to it, largest-remainder rounding, exact. Assumption: every unit "
          "grew at the same rate since 2019" + (" within its district." if overrides.district_populations else "."),
        (f"- Matched one-to-one by name: {m.matched_one_to_one:,} units. Name keys: NFC, case, spaces, the type "
        "prefix (phường/xã/thị trấn; kept in a first stricter pass), numbers without leading zeros, and the "
        "tone mark's placement (Hoà = Hòa, Thuỵ = Thụy)."),
        ("- Rules for the rest (optimizer/province/matching.py): a 2019 census district joins the 2021 district "
        "of the same name, or else the one holding most of its commune names; linked districts form a group "
        "whose census people are conserved. Census units left unmatched in a group (merged, split or renamed "
        "since 2019) are the group's residual: it goes to the group's unmatched communes in proportion to the "
        "median 2019 population of the province's matched communes of the same type; if every commune "
        "matched, to all of them in proportion to their matched people (they absorbed the merged units); if "
        "communes are unmatched but nothing is left, the group's people are shared over all its communes by "
        "the same weights. No person is dropped."),
        "",
    ]
    for district, note in m.left_out:
        lines.append(f"- Left out: {district.code} {district.name}: {note}.")
    for row, target_district in m.island_rows:
        lines.append(f"- The census lists \"{row.name}\" ({row.people:,} people) under {row.district}; it is "
                     f"counted in {target_district}.")
    for unit in islands:
        lines.append(f"- Island district {unit.name}: no communes in the 2021 list; planned as one unit "
                     f"`{unit.code}` with its {_people(m.people_2019[unit.code])} census people (2019), "
                     "at the rates of a xã; its district police HQ enrolls them.")
    multi = [g for g in m.groups if len(g.district_codes) > 1 or len(g.census_districts) > 1]
    names = {d.code: d.name for d in p.districts}
    for g in multi:
        lines.append(f"- District group: {', '.join(names[c] for c in g.district_codes)} (2021) = "
                     f"{', '.join(g.census_districts)} (2019 census), {g.census_people:,} people.")
    lines += ["", "### Units not matched one-to-one", ""]
    if not m.resolutions:
        lines.append("None: every unit matched one 2019 census unit by name.")
    else:
        lines += ["| code | unit | district | resolution | 2019 census units (share) | 2019 people | 2022 population |",
                  "|---|---|---|---|---|---:|---:|"]
        for r in m.resolutions:
            parts = "; ".join(f"{part.unit.name} ({part.unit.district}, {_share(part.share)})" for part in r.parts[:6])
            if len(r.parts) > 6:
                parts += f"; ... {len(r.parts) - 6} more"
            lines.append(f"| {r.code} | {r.name} | {r.district} | {r.rule} | {parts} | {_people(r.people_2019)} "
                         f"| {population[r.code]:,} |")
    lines += ["", "### Sums by district (2019 census people conserved)", "",
              "| district | census rows 2019 | census district table 2019 | held by 2021 units (group) |",
              "|---|---:|---:|---:|"]
    group_of = {cd: g for g in m.groups for cd in g.census_districts}
    for name, rows_total, table_total in m.district_checks:
        g = group_of[name]
        lines.append(f"| {name} | {rows_total:,} | {'n/a' if table_total is None else f'{table_total:,}'} | "
                     f"{g.census_people:,} ({len(g.district_codes)} district(s)) |")
    lines += ["", "## Assumptions", "", "| assumption | value | basis |", "|---|---|---|"]
    for f in dataclasses.fields(a):
        value = getattr(a, f.name)
        if isinstance(value, Fraction):
            value = f"{value} ({float(value):.4f})"
        elif isinstance(value, dict):
            value = ", ".join(f"{k} {float(v):g}" for k, v in value.items())
        lines.append(f"| `{f.name}` | {value} | {BASIS.get(f.name, 'Hà Nội 2022 scenario setting')} |")
    lines += [
        "",
        ("Derived rules (as in the Hà Nội scenario): eligible = population x aged_14_plus x (1 + uplift by type); "
        "already enrolled = eligible x (share by type - slope x (sqrt(population / median) - 1) +- noise, clipped); "
        "cannot enroll = eligible x uniform range; homebound, institution and invited shares of the target, walk-in "
        "the rest; fixed kits 1, or 2 from `two_kits_from_population`; ward officers "
        "clip(round(per_sqrt x sqrt(target))); per district a reserve of round(target / reserve_kit_per_target) "
        "clipped, mobile kits + 1 drivers, home-visit officers for `home_visit_cover` of the homebound. "
        "Campaign settings not listed here (invitations, give-up and return, objective, solver) are Hà Nội's."),
        "",
        "## Totals",
        "",
        "| | |",
        "|---|---:|",
        f"| districts | {len(built.districts) - 1} (+ province reserve row) |",
        f"| units | {len(wards):,} |",
        f"| population (2022) | {sums['population']:,} |",
        f"| eligible (14+) | {sums['eligible']:,} |",
        f"| already enrolled | {sums['already_enrolled']:,} |",
        f"| cannot enroll | {sums['cannot_enroll']:,} |",
        f"| target | {target:,} |",
        (f"| walk-in / invited / homebound / institution | {sums['walk_in']:,} / {sums['invited']:,} / "
        f"{sums['homebound']:,} / {sums['institution']:,} |"),
        f"| fixed kits | {sums['fixed_kits']:,} |",
        f"| mobile kits (districts + reserve) | {district_kits} + {reserve_kits} |",
        f"| officers | {len(built.officers):,} ("
        + ", ".join(f"{k.replace('|', ' + ')} {v:,}" for k, v in sorted(roles.items())) + ") |",
        f"| requests | {len(built.requests)} |",
        "",
    ]
    return "\n".join(lines)
