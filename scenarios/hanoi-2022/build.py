"""Build the Hà Nội 2022 scenario (campaign.toml and the four tables) from its source data.

Deterministic: fixed seeds, exact arithmetic where rounding matters, no network. Running it twice
writes byte-identical files. Every assumption is a named constant below and is explained, with
its basis, in README.md beside this script.

    .venv/bin/python scenarios/hanoi-2022/build.py             # reads source/ (the copies kept here)
    .venv/bin/python scenarios/hanoi-2022/build.py --shared    # re-copies source/ from ../shared/data first
    .venv/bin/python scenarios/hanoi-2022/build.py --shared DIR

A calibration summary goes to stderr.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import math
import random
import re
import sys
import unicodedata
from collections import defaultdict
from fractions import Fraction
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "source"
SHARED_DEFAULT = HERE / ".." / ".." / ".." / "shared" / "data"
PROVINCE = "Thành phố Hà Nội"
SEED = 2022

# --- campaign --------------------------------------------------------------------------------
START = dt.date(2022, 7, 25)
DAYS = 30
SHIFTS = (("S", "Ca sáng", "Morning", "07:00", "12:00"),
          ("C", "Ca chiều", "Afternoon", "12:00", "17:00"),
          ("T", "Ca tối", "Evening", "17:00", "22:00"))
SHIFT_HOURS = 5
THROUGHPUT_PER_KIT_HOUR = 22          # walk-in and invited, fixed site
PEOPLE_PER_KIT_SHIFT = THROUGHPUT_PER_KIT_HOUR * SHIFT_HOURS   # 110
KIT_CREW = 2                          # operator + verifier
MAX_HOURS_PER_WEEK = 56
MIN_DAYS_OFF_PER_7 = 1
MAX_SHIFTS_PER_DAY = 2
SHIFT_PREFERENCE = {"S": 0.30, "C": 0.22, "T": 0.48}
WEEKEND_FACTOR = 1.3
TURNOUT_PEAK_DAY = 3
WALK_IN_TURNOUT = 0.92

# --- people ----------------------------------------------------------------------------------
AGED_14_PLUS = Fraction(775, 1000)    # share of residents aged 14+ (2019 census age structure)
SHORT_STAY_UPLIFT = {"phường": Fraction(4, 100), "thị trấn": Fraction(2, 100), "xã": Fraction(1, 100)}
ENROLLED_SHARE = {"phường": 0.780, "thị trấn": 0.745, "xã": 0.715}   # of eligible, on 25 Jul 2022
ENROLLED_SIZE_SLOPE = 0.035           # big wards lag: minus this per unit of sqrt(pop / median) - 1
ENROLLED_NOISE = 0.030                # uniform +- around the ward's expected share
ENROLLED_RANGE = (0.60, 0.86)
CANNOT_ENROLL = (0.006, 0.014)        # of eligible, uniform
HOMEBOUND = {"phường": 0.025, "thị trấn": 0.030, "xã": 0.035}   # of target, +- HOMEBOUND_NOISE
HOMEBOUND_NOISE = 0.005
INSTITUTION = (0.05, 0.10)            # of target, uniform
INVITED = (0.15, 0.25)                # of target, uniform

# --- resources -------------------------------------------------------------------------------
TWO_KITS_FROM_POPULATION = 30_000     # a ward HQ gets a second fixed kit from this population
CITY_MOBILE_KITS = 20
WARD_OFFICERS = (3, 8)                # enrollment officers (operator|verifier) per ward, min and max
WARD_OFFICERS_PER_SQRT_TARGET = 0.05  # n = clip(round(0.05 * sqrt(target)), 3, 8)
WARD_CAMPAIGN_HOURS = 30              # ward officers keep their regular duties: campaign hours a week
RESERVE_KIT_OFFICERS = (4, 16)        # district reserve operator|verifier|driver, min and max
RESERVE_KIT_PER_TARGET = 6_000        # one per this many people of the district's target
HOME_VISIT_COVER = 0.9                # home-visit officers for this share of the homebound
LEAVE_SHARE = 0.10                    # officers with 1-3 leave days in the campaign
N_REQUESTS = 300

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

SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô", "Dương",
            "Lý", "Phan", "Võ", "Trịnh", "Đinh", "Mai", "Tạ", "Hồ", "Chu", "Lương", "Cao", "Kiều",
            "Quách", "Đào", "Lại", "Nghiêm", "Khuất", "Đoàn", "Hà")
MIDDLE = {"m": ("Văn", "Đức", "Minh", "Quang", "Hữu", "Mạnh", "Xuân", "Tiến", "Công", "Thành"),
          "f": ("Thị", "Thu", "Ngọc", "Thanh", "Phương", "Minh", "Hồng", "Thúy", "Lan", "Diệu")}
GIVEN = {"m": ("An", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hiếu", "Hoàng", "Hùng", "Huy", "Khánh",
               "Long", "Nam", "Phong", "Quân", "Sơn", "Thắng", "Trung", "Tuấn", "Tùng", "Việt", "Vinh"),
         "f": ("Anh", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hoa", "Hương", "Lan", "Linh", "Mai",
               "Ngân", "Nhung", "Oanh", "Phương", "Quyên", "Thảo", "Thu", "Trang", "Uyên", "Vân", "Yến")}


# --- source data -----------------------------------------------------------------------------

def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def name_key(name: str, *, strip_prefix: bool) -> str:
    """Normalise a unit name for matching: NFC, lower case, single spaces, optional type prefix."""
    key = re.sub(r"\s+", " ", nfc(name).strip().lower())
    if strip_prefix:
        key = re.sub(r"^(phường|xã|thị trấn|quận|huyện|thị xã|thành phố) ", "", key)
    return key


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


def ward_population(districts, wards, census) -> dict[str, int]:
    """2019 census count per 2022 ward, scaled so each district sums to its 2022 population."""
    by_district = defaultdict(list)
    for row in census:
        by_district[name_key(row["district"], strip_prefix=True)].append(row)
    count_2019: dict[str, Fraction] = {}
    used = defaultdict(Fraction)   # (district key, census ward key) -> share used
    for ward in wards:
        district = districts[ward["district_code"]]
        dkey = name_key(district["district_name"], strip_prefix=True)
        rows = by_district[dkey]
        if ward["ward_code"] in RESOLVED:
            parts = RESOLVED[ward["ward_code"]]
        else:
            full = [r for r in rows if name_key(r["ward"], strip_prefix=False)
                    == name_key(ward["ward_name"], strip_prefix=False)]
            bare = [r for r in rows if name_key(r["ward"], strip_prefix=True)
                    == name_key(ward["ward_name"], strip_prefix=True)]
            match = full if len(full) == 1 else bare
            if len(match) != 1:
                raise SystemExit(f"ward {ward['ward_code']} {ward['ward_name']}: {len(match)} census "
                                 "matches; resolve it in RESOLVED")
            parts = [(match[0]["ward"], Fraction(1))]
        total = Fraction(0)
        for census_name, share in parts:
            hits = [r for r in rows if name_key(r["ward"], strip_prefix=False)
                    == name_key(census_name, strip_prefix=False)]
            if len(hits) != 1:
                raise SystemExit(f"RESOLVED {ward['ward_code']}: census unit {census_name!r} not found")
            total += share * int(hits[0]["pop_2019_census"])
            used[(dkey, name_key(census_name, strip_prefix=False))] += share
        count_2019[ward["ward_code"]] = total
    for row in census:   # every 2019 unit of the city is accounted for exactly once
        key = (name_key(row["district"], strip_prefix=True), name_key(row["ward"], strip_prefix=False))
        if used[key] != 1:
            raise SystemExit(f"census unit {row['district']} / {row['ward']} used {used[key]} times")
    population = {}
    for code, district in districts.items():
        mine = [w["ward_code"] for w in wards if w["ward_code"] in count_2019
                and w["district_code"] == code]
        base = sum(count_2019[c] for c in mine)
        split = largest_remainder(int(district["population"]), [count_2019[c] / base for c in mine])
        population.update(zip(mine, split))
    return population


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


# --- the scenario ------------------------------------------------------------------------------

def ward_rows(districts, wards, population) -> list[dict]:
    """Eligible, enrolled, cannot-enroll, cohorts and kits per ward."""
    pops = sorted(population.values())
    median = pops[len(pops) // 2]
    rows = []
    for ward in wards:
        code, kind = ward["ward_code"], ward["ward_type"]
        rng = random.Random(f"{SEED}/ward/{code}")
        pop = population[code]
        eligible = half_up(pop * AGED_14_PLUS * (1 + SHORT_STAY_UPLIFT[kind]))
        expected = ENROLLED_SHARE[kind] - ENROLLED_SIZE_SLOPE * (math.sqrt(pop / median) - 1)
        share = expected + rng.uniform(-ENROLLED_NOISE, ENROLLED_NOISE)
        share = min(max(share, ENROLLED_RANGE[0]), ENROLLED_RANGE[1])
        enrolled = half_up(eligible * share)
        cannot = half_up(eligible * rng.uniform(*CANNOT_ENROLL))
        target = eligible - enrolled - cannot
        homebound = half_up(target * (HOMEBOUND[kind] + rng.uniform(-HOMEBOUND_NOISE, HOMEBOUND_NOISE)))
        institution = half_up(target * rng.uniform(*INSTITUTION))
        invited = half_up(target * rng.uniform(*INVITED))
        walk_in = target - homebound - institution - invited
        rows.append({"ward_code": code, "ward_name": ward["ward_name"],
                     "district_code": ward["district_code"], "population": pop, "eligible": eligible,
                     "already_enrolled": enrolled, "cannot_enroll": cannot, "walk_in": walk_in,
                     "invited": invited, "homebound": homebound, "institution": institution,
                     "fixed_kits": 2 if pop >= TWO_KITS_FROM_POPULATION else 1, "_type": kind,
                     "_target": target})
    return rows


def district_rows(districts) -> list[dict]:
    rows = []
    for code, d in districts.items():
        pop = int(d["population"])
        kits = 2 if pop < 200_000 else 3 if pop < 350_000 else 4
        rows.append({"district_code": code, "district_name": d["district_name"], "lat": d["lat"],
                     "lon": d["lon"], "mobile_kits": kits, "reserve_operator": 0, "reserve_verifier": 0,
                     "reserve_driver": 0, "reserve_home_visit": 0})
    rows.append({"district_code": "city", "district_name": "Dự trữ thành phố", "lat": "", "lon": "",
                 "mobile_kits": CITY_MOBILE_KITS, "reserve_operator": 0, "reserve_verifier": 0,
                 "reserve_driver": 0, "reserve_home_visit": 0})
    return rows


def synthetic_name(rng: random.Random) -> str:
    sex = rng.choice("mf")
    return f"(synthetic) {rng.choice(SURNAMES)} {rng.choice(MIDDLE[sex])} {rng.choice(GIVEN[sex])}"


def officer_rows(district_table, ward_table) -> list[dict]:
    """Ward enrollment officers, then each district's reserve, drivers and home-visit officers."""
    rng = random.Random(f"{SEED}/officers")
    rows = []

    def add(officer_id, district, ward, roles, *, hours=""):
        rows.append({"officer_id": officer_id, "display_name": synthetic_name(rng),
                     "district_code": district, "home_ward": ward, "roles": roles, "leave_dates": "",
                     "max_shifts_per_day": "", "max_hours_per_week": hours})

    for ward in ward_table:
        for i in range(ward_officers(ward["_target"])):
            add(f"HN-{ward['ward_code']}-{i + 1:02d}", ward["district_code"], ward["ward_code"],
                "operator|verifier", hours=WARD_CAMPAIGN_HOURS)
    for district in district_table:
        code = district["district_code"]
        if code == "city":
            continue
        mine = [w for w in ward_table if w["district_code"] == code]
        target = sum(w["_target"] for w in mine)
        homebound = sum(w["homebound"] for w in mine)
        reserve = min(max(round(target / RESERVE_KIT_PER_TARGET), RESERVE_KIT_OFFICERS[0]),
                      RESERVE_KIT_OFFICERS[1])
        drivers = district["mobile_kits"] + 1
        # one team (2 officers) serves 2 people/hour x 5 h = 10 an evening, on about 6 evenings a week
        team_evenings = DAYS * (7 - MIN_DAYS_OFF_PER_7) / 7
        home_visit = max(2, 2 * math.ceil(HOME_VISIT_COVER * homebound / (10 * team_evenings)))
        number = 0
        for roles, count in (("operator|verifier|driver", reserve), ("driver", drivers),
                             ("home_visit", home_visit // 2), ("home_visit|verifier", home_visit - home_visit // 2)):
            for _ in range(count):
                number += 1
                add(f"HN-D{code}-R{number:02d}", code, "", roles)
    dates = [START + dt.timedelta(days=d) for d in range(DAYS)]
    leave_rng = random.Random(f"{SEED}/leave")
    for row in rows:
        if leave_rng.random() < LEAVE_SHARE:
            k = leave_rng.randint(1, 3)
            first = leave_rng.randrange(DAYS - k + 1)
            row["leave_dates"] = "|".join(dates[first + j].isoformat() for j in range(k))
    return rows


def ward_officers(target: int) -> int:
    return min(max(half_up(WARD_OFFICERS_PER_SQRT_TARGET * math.sqrt(target)), WARD_OFFICERS[0]),
               WARD_OFFICERS[1])


def request_rows(officers) -> list[dict]:
    rng = random.Random(f"{SEED}/requests")
    seen, rows = set(), []
    while len(rows) < N_REQUESTS:
        officer = rng.choice(officers)["officer_id"]
        date = (START + dt.timedelta(days=rng.randrange(DAYS))).isoformat()
        shift = rng.choice([s[0] for s in SHIFTS])
        kind = "avoid" if rng.random() < 0.6 else "want"
        weight = rng.choice((1, 1, 2, 3))
        if (officer, date, shift) in seen:
            continue
        seen.add((officer, date, shift))
        rows.append({"officer_id": officer, "date": date, "shift": shift, "kind": kind, "weight": weight})
    return sorted(rows, key=lambda r: (r["officer_id"], r["date"], r["shift"]))


CAMPAIGN_TOML = """\
# Hà Nội 2022 peak chip-ID campaign ("30 ngày đêm", 25 Jul - 25 Aug 2022). Written by build.py;
# edit build.py and rebuild rather than editing this file. Reasoning for every value: README.md.
[campaign]
name = "Hà Nội 2022: 30 ngày đêm"
province = "Thành phố Hà Nội"
start_date = {start}
days = {days}
timezone = "Asia/Ho_Chi_Minh"
freeze_days = 2
{shifts}
[demand]
walk_in_turnout = {turnout}
turnout_curve = "front"
turnout_peak_day = {peak}
weekend_factor = {weekend}
shift_preference = {{ {preference} }}
invitation_show_up = 0.7
invitation_lead_days = 1
max_letters_per_ward_day = 300
give_up_share = 0.2
return_share = 0.6
return_after_days = 2

[throughput_per_kit_hour]
walk_in = {rate:.1f}
invited = {rate:.1f}
institution = 25.0

[crew_per_kit]
operator = 1
verifier = 1

[mobile_kit]
shifts = ["S", "C"]
crew = {{ operator = 1, verifier = 1, driver = 1 }}

[home_visit]
shift = "T"
people_per_team_hour = 2.0
crew = {{ home_visit = 2 }}

[officer_rules]
max_shifts_per_day = {max_shifts}
min_rest_hours = 9
max_consecutive_days = 6
min_days_off_per_7 = {days_off}
max_hours_per_week = {max_hours}
forbidden_successions = [["T", "S"]]

[objective]
enrolled = 1.0
shortfall_steps = [[0.05, 0.5], [0.10, 1.0]]
wait_per_person_shift = 0.01
officer_shift = 0.002
kit_move = 0.05
unstaffed_slot = 50.0
cross_ward = 0.2
reserve_use = 0.5
request = 1.0

[solver]
time_limit_seconds = 60
workers = 2
seed = 0
relative_gap = 0.002
"""


def campaign_toml() -> str:
    shifts = "".join(f'\n[[shifts]]\ncode = "{c}"\nname_vi = "{vi}"\nname_en = "{en}"\nstart = "{a}"\n'
                     f'end = "{b}"\n' for c, vi, en, a, b in SHIFTS)
    preference = ", ".join(f"{k} = {v:.2f}" for k, v in SHIFT_PREFERENCE.items())
    return CAMPAIGN_TOML.format(start=START.isoformat(), days=DAYS, shifts=shifts, turnout=WALK_IN_TURNOUT,
                                peak=TURNOUT_PEAK_DAY, weekend=WEEKEND_FACTOR, preference=preference,
                                rate=THROUGHPUT_PER_KIT_HOUR, max_shifts=MAX_SHIFTS_PER_DAY,
                                days_off=MIN_DAYS_OFF_PER_7, max_hours=MAX_HOURS_PER_WEEK)


def write_csv(path: Path, columns: list[str], rows: list[dict]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row[c] for c in columns])
    path.write_bytes(nfc(buffer.getvalue()).encode("utf-8"))


# --- calibration summary -------------------------------------------------------------------------

def weekly_shifts(officer: dict) -> int:
    per_day = int(officer["max_shifts_per_day"] or MAX_SHIFTS_PER_DAY)
    hours = float(officer["max_hours_per_week"] or MAX_HOURS_PER_WEEK)
    return min(math.floor(hours / SHIFT_HOURS), (7 - MIN_DAYS_OFF_PER_7) * per_day)


def peak_day_share() -> float:
    """Largest share of a ward's walk-ins arriving on one day (front curve with weekends)."""
    tau = max(1.0, DAYS / 4)
    weights = []
    for d in range(DAYS):
        w = (d + 1) / (TURNOUT_PEAK_DAY + 1) if d < TURNOUT_PEAK_DAY else math.exp(-(d - TURNOUT_PEAK_DAY) / tau)
        if (START + dt.timedelta(days=d)).weekday() >= 5:
            w *= WEEKEND_FACTOR
        weights.append(w)
    return max(weights) / sum(weights)


def summary(ward_table, district_table, officers) -> list[str]:
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
                    if WALK_IN_TURNOUT * w["walk_in"] * share * SHIFT_PREFERENCE["T"]
                    > w["fixed_kits"] * PEOPLE_PER_KIT_SHIFT]
    roles = defaultdict(int)
    for o in officers:
        roles["ward" if o["home_ward"] else o["roles"]] += 1
    sums = {k: sum(w[k] for w in ward_table) for k in
            ("population", "eligible", "already_enrolled", "cannot_enroll", "walk_in", "invited",
             "homebound", "institution", "fixed_kits")}
    lines = [
        f"wards {len(ward_table)}, districts {len(district_table) - 1}",
        *(f"{k}: {v:,}" for k, v in sums.items()),
        f"target: {total_target:,} ({total_target / sums['eligible']:.1%} of eligible)",
        f"mobile kits: districts {sum(d['mobile_kits'] for d in district_table if d['district_code'] != 'city')}, "
        f"city {CITY_MOBILE_KITS}",
        f"officers: {len(officers):,} (" + ", ".join(f"{k} {v}" for k, v in sorted(roles.items())) + ")",
        f"officers with leave: {sum(1 for o in officers if o['leave_dates'])}",
        f"naive per-ward capacity (own kits and own officers, 30 days): {total_capacity:,.0f}; "
        f"target / capacity {total_target / total_capacity:.1%}",
        f"wards whose target exceeds their naive capacity: {len(short)} "
        f"({len(short) / len(ward_table):.1%}), short by {sum(short):,.0f} people in all",
        f"district-pooled capacity (ward officers anywhere in the district + kit-capable reserve): "
        f"{pooled_capacity:,.0f}; target / capacity {total_target / pooled_capacity:.1%}; "
        f"districts' target above it: {pooled_short:,.0f}",
        f"busiest day takes {share:.1%} of a ward's walk-ins; wards whose walk-ins that evening exceed "
        f"their evening kit capacity: {len(evening_over)} ({len(evening_over) / len(ward_table):.1%})",
    ]
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", nargs="?", const=str(SHARED_DEFAULT), default=None, metavar="DIR",
                        help="re-copy source/ from this shared data folder first "
                             "(default folder: ../../../shared/data relative to this script)")
    args = parser.parse_args(argv)
    if args.shared is not None:
        shared = Path(args.shared).resolve()
        if not (shared / "hanoi-2022" / "wards.csv").exists():
            raise SystemExit(f"{shared}: no hanoi-2022/wards.csv there")
        refresh_source(shared)
    elif not (SOURCE / "census2019_wards_hanoi.csv").exists() and (SHARED_DEFAULT / "hanoi-2022").is_dir():
        refresh_source(SHARED_DEFAULT.resolve())
    districts = {d["district_code"]: d for d in read_csv(SOURCE / "districts.csv")}
    wards = read_csv(SOURCE / "wards.csv")
    census = [r for r in read_csv(SOURCE / "census2019_wards_hanoi.csv") if r["province"] == PROVINCE]
    population = ward_population(districts, wards, census)
    ward_table = ward_rows(districts, wards, population)
    district_table = district_rows(districts)
    officers = officer_rows(district_table, ward_table)
    requests = request_rows(officers)

    (HERE / "campaign.toml").write_bytes(campaign_toml().encode("utf-8"))
    write_csv(HERE / "districts.csv", ["district_code", "district_name", "lat", "lon", "mobile_kits",
                                       "reserve_operator", "reserve_verifier", "reserve_driver",
                                       "reserve_home_visit"], district_table)
    write_csv(HERE / "wards.csv", ["ward_code", "ward_name", "district_code", "population", "eligible",
                                   "already_enrolled", "cannot_enroll", "walk_in", "invited", "homebound",
                                   "institution", "fixed_kits"], ward_table)
    write_csv(HERE / "officers.csv", ["officer_id", "display_name", "district_code", "home_ward", "roles",
                                      "leave_dates", "max_shifts_per_day", "max_hours_per_week"], officers)
    write_csv(HERE / "requests.csv", ["officer_id", "date", "shift", "kind", "weight"], requests)
    for line in summary(ward_table, district_table, officers):
        print(line, file=sys.stderr)


if __name__ == "__main__":
    main()
