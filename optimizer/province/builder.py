"""Build a scenario for any province: sources -> matching -> people -> resources -> files.

    build_province("48")                      # in memory: BuiltScenario (files as text)
    write_scenario(build_province("Đà Nẵng"), Path("out/48-da-nang"))
    build_all(Path("out/provinces"))          # one folder per province, <code>-<slug>/

Deterministic: the same data and assumptions give byte-identical files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from .assumptions import Assumptions
from .matching import Matching, match_province
from .people import scale_population, ward_rows
from .readme import readme_text
from .resources import district_rows, officer_rows, request_rows, working_groups
from .sources import DATA_DIR, Province, find_province, national
from .writer import (
    DISTRICT_COLUMNS,
    OFFICER_COLUMNS,
    REQUEST_COLUMNS,
    WARD_COLUMNS,
    campaign_toml,
    check_output_folder,
    csv_text,
    write_files,
)


@dataclass(frozen=True)
class ProvinceOverrides:
    """What a province knows better than the national tables (Hà Nội: its 2022 district
    populations, district centroids, hand-resolved wards, names used in its files)."""
    province: Province | None = None                      # replaces the 2021 list's units (same codes)
    district_populations: dict[str, int] = field(default_factory=dict)   # 2022, scales per district
    district_centroids: dict[str, tuple[str, str]] = field(default_factory=dict)   # code -> (lat, lon)
    resolved: dict[str, list[tuple[str, Fraction]]] = field(default_factory=dict)
    campaign_name: str | None = None
    toml_header: str | None = None
    reserve_name: str | None = None
    officer_prefix: str | None = None
    population_source: str | None = None
    working_groups_total: int | None = None   # the province's neighbourhood working groups, when known


@dataclass
class BuiltScenario:
    province: Province
    assumptions: Assumptions
    matching: Matching
    wards: list[dict]
    districts: list[dict]
    officers: list[dict]
    requests: list[dict]
    files: dict[str, str]

    @property
    def folder_name(self) -> str:
        return self.province.folder_name


def build_province(code_or_name: str, assumptions: Assumptions | None = None,
                   overrides: ProvinceOverrides | None = None, *, data_dir: Path = DATA_DIR,
                   with_readme: bool = True) -> BuiltScenario:
    """Build one province's scenario in memory."""
    a = assumptions or Assumptions()
    o = overrides or ProvinceOverrides()
    listed = find_province(code_or_name, data_dir)
    province = o.province or listed
    _, census = national(data_dir)
    matching = match_province(province, census[listed.code], o.resolved)
    units = matching.units
    if o.district_populations:
        totals = [([u.code for u in units if u.district_code == code], population)
                  for code, population in o.district_populations.items()]
    else:
        totals = [([u.code for u in units], province.population_2022)]
    population = scale_population(units, matching.people_2019, totals)
    wards = ward_rows(units, population, a)
    for ward, groups in zip(wards, working_groups(wards, a, o.working_groups_total)):
        ward["working_groups"] = groups
    planned = {u.district_code for u in units}
    district_list = [(d.code, d.name, *o.district_centroids.get(d.code, ("", "")))
                     for d in province.districts if d.code in planned]
    reserve_name = o.reserve_name or ("Dự trữ thành phố" if province.name.startswith("Thành phố")
                                      else "Dự trữ tỉnh")
    districts = district_rows(district_list, wards, a, reserve_name, o.district_populations or None)
    prefix = o.officer_prefix or a.officer_prefix or province.code
    officers = officer_rows(districts, wards, a, prefix)
    requests = request_rows(officers, a)
    name = o.campaign_name or f"{province.short_name} 2022: 30 ngày đêm"
    header = o.toml_header or (f"# {province.name}: peak chip-ID campaign scenario built from public data by\n"
                               "# `python -m optimizer build-scenario`; rebuild rather than edit. Sources and "
                               "assumptions: README.md.")
    files = {
        "campaign.toml": campaign_toml(a, name=name, province=province.name, header=header),
        "districts.csv": csv_text(DISTRICT_COLUMNS, districts),
        "wards.csv": csv_text(WARD_COLUMNS, wards),
        "officers.csv": csv_text(OFFICER_COLUMNS, officers),
        "requests.csv": csv_text(REQUEST_COLUMNS, requests),
    }
    built = BuiltScenario(province, a, matching, wards, districts, officers, requests, files)
    if with_readme:
        files["README.md"] = readme_text(built, population, o)
    return built


def write_scenario(built: BuiltScenario, folder: Path) -> Path:
    """Write the scenario into folder (created; refused if it holds files the builder did not write)."""
    check_output_folder(folder)
    write_files(folder, built.files)
    return folder


def build_all(out: Path, assumptions: Assumptions | None = None, *, data_dir: Path = DATA_DIR) -> list[Path]:
    """Every province into out/<code>-<slug>/ (in code order)."""
    provinces, _ = national(data_dir)
    written = []
    for code in sorted(provinces):
        built = build_province(code, assumptions, data_dir=data_dir)
        written.append(write_scenario(built, out / built.folder_name))
    return written
