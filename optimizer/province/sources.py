"""The national source tables (data/vietnam/): the 2021 administrative list, the 2019 census by
commune and district, and the 2022 province populations, read into plain immutable records.

Names are NFC; codes are zero-padded strings as GSO writes them.
"""

from __future__ import annotations

import csv
import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .names import name_key, nfc

DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "vietnam"
ADMIN_FILE = "admin_units_2021-02-03.csv"
CENSUS_WARDS_FILE = "census2019_wards.csv"
CENSUS_DISTRICTS_FILE = "census2019_districts.csv"
PROVINCES_FILE = "provinces_2022.csv"


ALIASES = {"hcmc": "79", "tphcm": "79", "tp-hcm": "79", "hcm": "79", "sai-gon": "79", "saigon": "79",
           "hue": "46", "tt-hue": "46", "brvt": "77", "vung-tau": "77"}


class ProvinceNotFound(ValueError):
    """A province code or name that is not one of the 63."""


@dataclass(frozen=True)
class Commune:
    code: str
    name: str
    kind: str            # "phường", "xã" or "thị trấn"
    district_code: str


@dataclass(frozen=True)
class District:
    code: str
    name: str


@dataclass(frozen=True)
class CensusUnit:
    """One commune-level row of the 2019 census (2019 names and structure)."""
    district: str
    name: str
    people: int


@dataclass(frozen=True)
class Province:
    code: str
    name: str                          # "Thành phố Hà Nội"
    population_2022: int
    districts: tuple[District, ...]    # in the list's order
    communes: tuple[Commune, ...]      # in the list's order

    @property
    def short_name(self) -> str:
        return re.sub(r"^(Thành phố|Tỉnh) ", "", self.name)

    @property
    def slug(self) -> str:
        return slugify(self.short_name)

    @property
    def folder_name(self) -> str:
        return f"{self.code}-{self.slug}"


@dataclass(frozen=True)
class Census:
    """The 2019 census rows of one province, as published."""
    communes: tuple[CensusUnit, ...]
    district_totals: dict[str, int]    # census district name -> people (the district table)


def slugify(text: str) -> str:
    """ASCII, lower case, hyphens: 'Bà Rịa - Vũng Tàu' -> 'ba-ria-vung-tau'."""
    plain = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [{k: nfc(v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]


@functools.lru_cache(maxsize=4)
def national(folder: Path = DATA_DIR) -> tuple[dict[str, Province], dict[str, Census]]:
    """All 63 provinces (by code) and their census (by province code), read once per folder."""

    admin = read_rows(folder / ADMIN_FILE)
    populations = {row["province_code"]: row for row in read_rows(folder / PROVINCES_FILE)}
    districts: dict[str, dict[str, District]] = {}
    communes: dict[str, list[Commune]] = {}
    names: dict[str, str] = {}
    for row in admin:
        code = row["Mã TP"]
        names.setdefault(code, row["Tỉnh Thành Phố"])
        districts.setdefault(code, {}).setdefault(row["Mã QH"], District(row["Mã QH"], row["Quận Huyện"]))
        communes.setdefault(code, [])
        if row["Mã PX"]:   # island districts are listed without communes
            communes[code].append(Commune(row["Mã PX"], row["Phường Xã"], row["Cấp"].lower(), row["Mã QH"]))
    provinces = {
        code: Province(code=code, name=names[code], population_2022=int(populations[code]["population_2022"]),
                       districts=tuple(districts[code].values()), communes=tuple(communes[code]))
        for code in names
    }
    by_key = {name_key(p.name, level="province"): code for code, p in provinces.items()}
    census_rows: dict[str, list[CensusUnit]] = {code: [] for code in provinces}
    for row in read_rows(folder / CENSUS_WARDS_FILE):
        code = by_key[name_key(row["province"], level="province")]
        census_rows[code].append(CensusUnit(row["district"], row["ward"], int(row["pop_2019_census"])))
    totals: dict[str, dict[str, int]] = {code: {} for code in provinces}
    for row in read_rows(folder / CENSUS_DISTRICTS_FILE):
        code = by_key[name_key(row["province"], level="province")]
        totals[code][row["district"]] = int(row["pop_2019_census"])
    census = {code: Census(tuple(census_rows[code]), totals[code]) for code in provinces}
    return provinces, census


def find_province(text: str, folder: Path = DATA_DIR) -> Province:
    """A province by its code ('48', '1' for '01') or its name, with or without 'Tỉnh'/'Thành phố',
    accents optional ('Da Nang', 'Đà Nẵng', 'Thành phố Đà Nẵng', 'da-nang')."""

    provinces, _ = national(folder)
    wanted = text.strip()
    if wanted.isdigit() and wanted.zfill(2) in provinces:
        return provinces[wanted.zfill(2)]
    for province in provinces.values():
        if name_key(province.name, level="province") == name_key(wanted, level="province"):
            return province
    slug = slugify(re.sub(r"^(thành phố|tỉnh|tp\.?) ", "", wanted.lower()))
    for province in provinces.values():
        if province.slug == slug:
            return province
    if slug in ALIASES or slugify(wanted) in ALIASES:
        return provinces[ALIASES.get(slug) or ALIASES[slugify(wanted)]]
    raise ProvinceNotFound(f"no province '{text}' (give a code 01-96 or a name such as 'Đà Nẵng')")
