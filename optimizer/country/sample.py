"""Small sample countries for tests and benchmarks: copies of a scenario as distinct provinces.

Each province is the base scenario (scenarios/tiny by default) with its own province code and
name, district codes `<province><district>`, ward codes unique nationwide, officer ids prefixed
with the province code, and a demand that grows with the province's rank (so that provinces
differ). The folders follow docs/scenario-format.md and are named `<code>-<slug>` like
`build-scenario --all` names them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

BASE = Path(__file__).resolve().parents[2] / "scenarios" / "tiny"
SAMPLE_PROVINCES = {"01": "Thành phố Hà Nội", "02": "Tỉnh Hà Giang", "04": "Tỉnh Cao Bằng", "06": "Tỉnh Bắc Kạn",
                    "08": "Tỉnh Tuyên Quang", "10": "Tỉnh Lào Cai", "11": "Tỉnh Điện Biên", "12": "Tỉnh Lai Châu"}


def _slug(name: str) -> str:
    import unicodedata

    ascii_name = unicodedata.normalize("NFKD", name.replace("Đ", "D").replace("đ", "d"))
    ascii_name = ascii_name.encode("ascii", "ignore").decode().lower()
    ascii_name = re.sub(r"^(thanh pho|tinh) ", "", ascii_name)
    return re.sub(r"[^a-z0-9]+", "-", ascii_name).strip("-")


def make_sample_country(out_dir: str | Path, codes: list[str] | None = None, base: str | Path = BASE,
                        extra_walk_in_per_ward: int = 60) -> list[Path]:
    """Write one province folder per code into `out_dir` (created); return the folders."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    base = Path(base)
    codes = codes or list(SAMPLE_PROVINCES)[:3]
    folders = []
    for rank, code in enumerate(codes):
        name = SAMPLE_PROVINCES.get(code, f"Tỉnh {code}")
        short = re.sub(r"^(Thành phố|Tỉnh) ", "", name)
        folder = out_dir / f"{code}-{_slug(name)}"
        folder.mkdir(exist_ok=True)
        text = (base / "campaign.toml").read_text(encoding="utf-8")
        text = re.sub(r'(?m)^name = ".*"$', f'name = "{short}: sample province"', text, count=1)
        text = re.sub(r'(?m)^province = ".*"$', f'province = "{name}"', text, count=1)
        (folder / "campaign.toml").write_text(text, encoding="utf-8")
        number = int(code)

        def district(value: str, number: int = number) -> str:
            return value if value == "city" else f"{number:02d}{value}"

        districts = pd.read_csv(base / "districts.csv", dtype=str, keep_default_na=False)
        districts["district_code"] = districts["district_code"].map(district)
        districts["district_name"] = [n if c == "city" else f"{n} ({short})"
                                      for n, c in zip(districts["district_name"], districts["district_code"])]
        districts.to_csv(folder / "districts.csv", index=False)
        wards = pd.read_csv(base / "wards.csv", dtype=str, keep_default_na=False)
        ward_map = {w: f"{number:02d}{w}" for w in wards["ward_code"]}
        wards["ward_code"] = wards["ward_code"].map(ward_map)
        wards["district_code"] = wards["district_code"].map(district)
        extra = rank * extra_walk_in_per_ward      # more people still to enroll, all walk-ins
        wards["already_enrolled"] = (wards["already_enrolled"].astype(int) - extra).astype(str)
        wards["walk_in"] = (wards["walk_in"].astype(int) + extra).astype(str)
        wards.to_csv(folder / "wards.csv", index=False)
        if (base / "officers.csv").exists():
            officers = pd.read_csv(base / "officers.csv", dtype=str, keep_default_na=False)
            officers["officer_id"] = f"P{code}-" + officers["officer_id"]
            officers["district_code"] = officers["district_code"].map(district)
            officers["home_ward"] = officers["home_ward"].map(lambda w, codes=ward_map: codes.get(w, w))
            officers.to_csv(folder / "officers.csv", index=False)
        if (base / "requests.csv").exists():
            requests = pd.read_csv(base / "requests.csv", dtype=str, keep_default_na=False)
            requests["officer_id"] = f"P{code}-" + requests["officer_id"]
            requests.to_csv(folder / "requests.csv", index=False)
        folders.append(folder)
    return folders
