"""The province scenario folders of a country folder (as `build-scenario --all` writes them).

A country folder holds one scenario folder per province, named `<province code>-<slug>`
(`01-ha-noi`), each with its own campaign.toml. Anything else in the folder is ignored.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import ScenarioError

CAMPAIGN_FILE = "campaign.toml"
FOLDER_NAME = re.compile(r"^(?P<code>[0-9A-Za-z]+)-(?P<slug>.+)$")


@dataclass(frozen=True)
class ProvinceFolder:
    """One province's scenario folder: its code (the folder name's prefix) and path."""

    code: str
    name: str      # the folder name, also the name of its output folder
    path: Path


def province_folders(country_dir: str | Path, codes: list[str] | None = None) -> list[ProvinceFolder]:
    """The province folders of `country_dir`, sorted by code; only `codes` when given.

    Rule: a province folder is a sub-folder holding campaign.toml; its code is the part of the
    name before the first '-' (the whole name when there is none). Codes must be unique; every
    code asked for must exist."""
    country_dir = Path(country_dir)
    if not country_dir.is_dir():
        raise ScenarioError(str(country_dir), "country folder does not exist")
    found: dict[str, ProvinceFolder] = {}
    for path in sorted(p for p in country_dir.iterdir() if p.is_dir() and (p / CAMPAIGN_FILE).is_file()):
        match = FOLDER_NAME.match(path.name)
        code = match.group("code") if match else path.name
        if code in found:
            raise ScenarioError(str(country_dir), f"province code {code} is used by two folders: "
                                f"{found[code].name} and {path.name}")
        found[code] = ProvinceFolder(code=code, name=path.name, path=path)
    if not found:
        raise ScenarioError(str(country_dir), f"no province folders (sub-folders with {CAMPAIGN_FILE})")
    if codes:
        missing = [c for c in codes if c not in found]
        if missing:
            raise ScenarioError(str(country_dir), f"no province folder for code(s) {', '.join(missing)} "
                                f"(have {', '.join(sorted(found))})")
        return [found[c] for c in sorted(set(codes), key=lambda c: list(found).index(c))]
    return list(found.values())


def parse_codes(text: str | None) -> list[str] | None:
    """`--provinces 01,79` -> ['01', '79'] (None when not given)."""
    if text is None:
        return None
    codes = [c.strip() for c in text.split(",") if c.strip()]
    if not codes:
        raise ScenarioError("--provinces", "no province codes given")
    return codes


def country_hash(provinces: list[ProvinceFolder]) -> str:
    """A digest of every file of the province folders planned (names and bytes), 16 hex digits."""
    digest = hashlib.sha256()
    for province in provinces:
        for path in sorted(p for p in province.path.rglob("*") if p.is_file()):
            digest.update(str(path.relative_to(province.path.parent)).encode())
            digest.update(b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
