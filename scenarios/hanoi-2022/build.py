"""Build the Hà Nội 2022 scenario: the generic province builder (optimizer/province/) plus Hà Nội's
overrides: its 2022 district populations and district centroids (source/districts.csv), its ward
order (source/wards.csv), the six wards resolved by hand, and the names used in its files.

Deterministic: fixed seeds, exact arithmetic where rounding matters, no network. Running it twice
writes byte-identical files, and the same files as the scenario shipped before the generic builder
existed. The assumptions are the builder's defaults (optimizer/province/assumptions.py), which are
Hà Nội's values; README.md beside this script explains each one.

    .venv/bin/python scenarios/hanoi-2022/build.py             # reads source/ (the copies kept here)
    .venv/bin/python scenarios/hanoi-2022/build.py --shared    # re-copies source/ from ../shared/data first
    .venv/bin/python scenarios/hanoi-2022/build.py --shared DIR
    .venv/bin/python scenarios/hanoi-2022/build.py --out DIR   # write elsewhere (tests compare the bytes)

A calibration summary goes to stderr.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import math
import sys
from collections import defaultdict
from fractions import Fraction
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from optimizer.province.assumptions import Assumptions
from optimizer.province.builder import ProvinceOverrides, build_province
from optimizer.province.resources import SHIFTS
from optimizer.province.sources import Commune, District, Province, nfc
from optimizer.province.writer import write_files

SOURCE = HERE / "source"
SHARED_DEFAULT = HERE / ".." / ".." / ".." / "shared" / "data"
PROVINCE = "Thành phố Hà Nội"
ASSUMPTIONS = Assumptions()           # Hà Nội's values are the builder's defaults
SHIFT_HOURS = ASSUMPTIONS.shift_hours
PEOPLE_PER_KIT_SHIFT = ASSUMPTIONS.throughput_per_kit_hour * SHIFT_HOURS   # 110
DAYS = ASSUMPTIONS.days
KIT_CREW = 2                          # operator + verifier
# the city's neighbourhood working groups (Tổ công tác 06; campaign facts, report of 9 Aug 2022),
# spread over the wards by the builder's rule (optimizer/province/resources.py: working_groups)
WORKING_GROUPS = 5_247

# 2022 wards that do not match a 2019 census unit by name, or that absorbed 2019 units: the 2019
# units (census names, same district) whose people they hold now, with the share of each.
RESOLVED = {
    # Đông Anh: GSO's 2021 list spells the commune "Tàm Xá", the census "Tầm Xá"; same commune.
    "00517": [("Xã Tầm Xá", Fraction(1))],
    # Phúc Thọ: Xuân Đình was formed in 2020 from Xuân Phú and Cẩm Đình (the only 2019 communes of
    # the district without a 2022 match; the new name joins theirs).
    "09727": [("Xã Xuân Phú", Fraction(1)), ("Xã Cẩm Đình", Fraction(1))],
    # Phúc Thọ: Sen Phương was formed in 2020 from Sen Chiểu and Phương Độ (same reasoning).
    "09733": [("Xã Sen Chiểu", Fraction(1)), ("Xã Phương Độ", Fraction(1))],
    # Phú Xuyên: Nam Tiến was formed in 2020 from Văn Nhân and Thụy Phú (the only 2019 communes of
    # the district without a 2022 match).
    "10282": [("Xã Văn Nhân", Fraction(1)), ("Xã Thụy Phú", Fraction(1))],
    # Hai Bà Trưng: Bùi Thị Xuân and Ngô Thì Nhậm were dissolved in 2020. Per the district council's
    # resolution 07/NQ-HĐND (hanoi.gov.vn, 12 Nov 2019), Nguyễn Du took all of Bùi Thị Xuân and 642
    # of Ngô Thì Nhậm's 6,168 people, Phạm Đình Hổ the other 5,526; we split the census count so.
    "00241": [("Phường Nguyễn Du", Fraction(1)), ("Phường Bùi Thị Xuân", Fraction(1)),
              ("Phường Ngô Thì Nhậm", Fraction(642, 6168))],
    "00247": [("Phường Phạm Đình Hổ", Fraction(1)), ("Phường Ngô Thì Nhậm", Fraction(5526, 6168))],
}

TOML_HEADER = """# Hà Nội 2022 peak chip-ID campaign ("30 ngày đêm", 25 Jul - 25 Aug 2022). Written by build.py;
# edit build.py and rebuild rather than editing this file. Reasoning for every value: README.md."""


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [{k: nfc(v) for k, v in row.items()} for row in csv.DictReader(handle)]


def refresh_source(shared: Path) -> None:
    """Copy what the build needs from shared/data into source/ (census: only Hà Nội rows, as is)."""
    SOURCE.mkdir(exist_ok=True)
    for name in ("districts.csv", "wards.csv"):
        (SOURCE / name).write_bytes((shared / "hanoi-2022" / name).read_bytes())
    raw = (shared / "vietnam" / "census2019_wards.csv").read_bytes()
    lines = raw.splitlines(keepends=True)
    kept = [lines[0]]
    for line in lines[1:]:
        fields = next(csv.reader([line.decode("utf-8")]))
        if fields and nfc(fields[0]) == PROVINCE:
            kept.append(line)
    (SOURCE / "census2019_wards_hanoi.csv").write_bytes(b"".join(kept))


def hanoi_overrides() -> ProvinceOverrides:
    """Hà Nội's units in its own order, its 2022 district populations and centroids, RESOLVED."""
    districts = read_csv(SOURCE / "districts.csv")
    wards = read_csv(SOURCE / "wards.csv")
    province = Province(code="01", name=PROVINCE,
                        population_2022=sum(int(d["population"]) for d in districts),
                        districts=tuple(District(d["district_code"], d["district_name"]) for d in districts),
                        communes=tuple(Commune(w["ward_code"], w["ward_name"], w["ward_type"], w["district_code"])
                                       for w in wards))
    return ProvinceOverrides(
        province=province,
        district_populations={d["district_code"]: int(d["population"]) for d in districts},
        district_centroids={d["district_code"]: (d["lat"], d["lon"]) for d in districts},
        resolved=RESOLVED, campaign_name="Hà Nội 2022: 30 ngày đêm", toml_header=TOML_HEADER,
        reserve_name="Dự trữ thành phố", officer_prefix="HN",
        population_source="2022 average population per district, Hanoi Statistics Office series",
        working_groups_total=WORKING_GROUPS)


# --- calibration summary -------------------------------------------------------------------------

def weekly_shifts(officer: dict) -> int:
    per_day = int(officer["max_shifts_per_day"] or ASSUMPTIONS.max_shifts_per_day)
    hours = float(officer["max_hours_per_week"] or ASSUMPTIONS.max_hours_per_week)
    return min(math.floor(hours / SHIFT_HOURS), (7 - ASSUMPTIONS.min_days_off_per_7) * per_day)


def peak_day_share() -> float:
    """Largest share of a ward's walk-ins arriving on one day (front curve with weekends)."""
    tau = max(1.0, DAYS / 4)
    weights = []
    for d in range(DAYS):
        w = ((d + 1) / (ASSUMPTIONS.turnout_peak_day + 1) if d < ASSUMPTIONS.turnout_peak_day
             else math.exp(-(d - ASSUMPTIONS.turnout_peak_day) / tau))
        if (ASSUMPTIONS.start_date + dt.timedelta(days=d)).weekday() >= 5:
            w *= ASSUMPTIONS.weekend_factor
        weights.append(w)
    return max(weights) / sum(weights)


def summary(ward_table, district_table, officers, city_kits) -> list[str]:
    """The calibration numbers README.md quotes (one per line)."""
    kit_shift_capacity = defaultdict(float)   # ward -> kit-shifts a day its own officers can staff
    reserve = defaultdict(float)              # district -> kit-shifts a day from kit-capable reserve
    for o in officers:
        kit_shifts = weekly_shifts(o) / 7 / KIT_CREW
        if o["home_ward"]:
            kit_shift_capacity[o["home_ward"]] += kit_shifts
        elif "operator" in o["roles"]:
            reserve[o["district_code"]] += kit_shifts
    short, total_capacity, total_target = [], 0, 0
    for w in ward_table:
        per_day = min(w["fixed_kits"] * len(SHIFTS), kit_shift_capacity[w["ward_code"]])
        capacity = per_day * PEOPLE_PER_KIT_SHIFT * DAYS
        total_capacity += capacity
        total_target += w["_target"]
        if w["_target"] > capacity:
            short.append(w["_target"] - capacity)
    pooled_short, pooled_capacity = 0, 0
    for d in district_table:
        mine = [w for w in ward_table if w["district_code"] == d["district_code"]]
        if not mine:
            continue
        kit_days = sum(w["fixed_kits"] * len(SHIFTS) for w in mine)
        officer_days = sum(kit_shift_capacity[w["ward_code"]] for w in mine) + reserve[d["district_code"]]
        capacity = min(kit_days, officer_days) * PEOPLE_PER_KIT_SHIFT * DAYS
        pooled_capacity += capacity
        pooled_short += max(0, sum(w["_target"] for w in mine) - capacity)
    share = peak_day_share()
    evening_over = [w for w in ward_table
                    if ASSUMPTIONS.walk_in_turnout * w["walk_in"] * share * ASSUMPTIONS.shift_preference["T"]
                    > w["fixed_kits"] * PEOPLE_PER_KIT_SHIFT]
    roles = defaultdict(int)
    for o in officers:
        roles["ward" if o["home_ward"] else o["roles"]] += 1
    sums = {k: sum(w[k] for w in ward_table) for k in
            ("population", "eligible", "already_enrolled", "cannot_enroll", "walk_in", "invited",
             "homebound", "institution", "fixed_kits", "working_groups")}
    lines = [
        f"wards {len(ward_table)}, districts {len(district_table) - 1}",
        *(f"{k}: {v:,}" for k, v in sums.items()),
        f"target: {total_target:,} ({total_target / sums['eligible']:.1%} of eligible)",
        (f"mobile kits: districts {sum(d['mobile_kits'] for d in district_table if d['district_code'] != 'city')}, "
        f"city {city_kits}"),
        f"officers: {len(officers):,} (" + ", ".join(f"{k} {v}" for k, v in sorted(roles.items())) + ")",
        f"officers with leave: {sum(1 for o in officers if o['leave_dates'])}",
        (f"naive per-ward capacity (own kits and own officers, 30 days): {total_capacity:,.0f}; "
        f"target / capacity {total_target / total_capacity:.1%}"),
        (f"wards whose target exceeds their naive capacity: {len(short)} "
        f"({len(short) / len(ward_table):.1%}), short by {sum(short):,.0f} people in all"),
        (f"district-pooled capacity (ward officers anywhere in the district + kit-capable reserve): "
        f"{pooled_capacity:,.0f}; target / capacity {total_target / pooled_capacity:.1%}; "
        f"districts' target above it: {pooled_short:,.0f}"),
        (f"busiest day takes {share:.1%} of a ward's walk-ins; wards whose walk-ins that evening exceed "
        f"their evening kit capacity: {len(evening_over)} ({len(evening_over) / len(ward_table):.1%})"),
    ]
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", nargs="?", const=str(SHARED_DEFAULT), default=None, metavar="DIR",
                        help="re-copy source/ from this shared data folder first "
                             "(default folder: ../../../shared/data relative to this script)")
    parser.add_argument("--out", type=Path, default=HERE, help="folder to write (default: this one)")
    args = parser.parse_args(argv)
    if args.shared is not None:
        shared = Path(args.shared).resolve()
        if not (shared / "hanoi-2022" / "wards.csv").exists():
            raise SystemExit(f"{shared}: no hanoi-2022/wards.csv there")
        refresh_source(shared)
    built = build_province("01", ASSUMPTIONS, hanoi_overrides(), with_readme=False)
    write_files(args.out, built.files)   # README.md here is written by hand, not generated
    city_kits = next(d["mobile_kits"] for d in built.districts if d["district_code"] == "city")
    for line in summary(built.wards, built.districts, built.officers, city_kits):
        print(line, file=sys.stderr)


if __name__ == "__main__":
    main()
