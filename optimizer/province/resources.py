"""Districts' mobile kits, the province reserve, synthetic officers and their requests."""

from __future__ import annotations

import datetime as dt
import math
import random
from fractions import Fraction

from .assumptions import Assumptions

SHIFTS = (("S", "Ca sáng", "Morning", "07:00", "12:00"),
          ("C", "Ca chiều", "Afternoon", "12:00", "17:00"),
          ("T", "Ca tối", "Evening", "17:00", "22:00"))

SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô", "Dương",
            "Lý", "Phan", "Võ", "Trịnh", "Đinh", "Mai", "Tạ", "Hồ", "Chu", "Lương", "Cao", "Kiều",
            "Quách", "Đào", "Lại", "Nghiêm", "Khuất", "Đoàn", "Hà")
MIDDLE = {"m": ("Văn", "Đức", "Minh", "Quang", "Hữu", "Mạnh", "Xuân", "Tiến", "Công", "Thành"),
          "f": ("Thị", "Thu", "Ngọc", "Thanh", "Phương", "Minh", "Hồng", "Thúy", "Lan", "Diệu")}
GIVEN = {"m": ("An", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hiếu", "Hoàng", "Hùng", "Huy", "Khánh",
               "Long", "Nam", "Phong", "Quân", "Sơn", "Thắng", "Trung", "Tuấn", "Tùng", "Việt", "Vinh"),
         "f": ("Anh", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hoa", "Hương", "Lan", "Linh", "Mai",
               "Ngân", "Nhung", "Oanh", "Phương", "Quyên", "Thảo", "Thu", "Trang", "Uyên", "Vân", "Yến")}


def district_mobile_kits(population: int, a: Assumptions) -> int:
    """Mobile kits a district holds, by its 2022 population (the first band it is below)."""
    for below, kits in a.district_mobile_kits:
        if below is None or population < below:
            return int(kits)
    return int(a.district_mobile_kits[-1][1])


def province_mobile_kits(n_districts: int, a: Assumptions) -> int:
    """The province reserve of mobile kits: set outright, or per district (half up, at least 1)."""
    if a.province_mobile_kits is not None:
        return a.province_mobile_kits
    return max(1, math.floor(n_districts * a.province_mobile_kits_per_district + 0.5))


def district_rows(districts: list[tuple[str, str, str, str]], ward_table: list[dict], a: Assumptions,
                  reserve_name: str, populations: dict[str, int] | None = None) -> list[dict]:
    """One row per district (code, name, lat, lon) plus the province reserve row `city`."""
    rows = []
    for code, name, lat, lon in districts:
        pop = (populations or {}).get(code)
        if pop is None:
            pop = sum(w["population"] for w in ward_table if w["district_code"] == code)
        rows.append({"district_code": code, "district_name": name, "lat": lat, "lon": lon,
                     "mobile_kits": district_mobile_kits(pop, a), "reserve_operator": 0, "reserve_verifier": 0,
                     "reserve_driver": 0, "reserve_home_visit": 0})
    rows.append({"district_code": "city", "district_name": reserve_name, "lat": "", "lon": "",
                 "mobile_kits": province_mobile_kits(len(districts), a), "reserve_operator": 0,
                 "reserve_verifier": 0, "reserve_driver": 0, "reserve_home_visit": 0})
    return rows


def working_groups(ward_table: list[dict], a: Assumptions, total: int | None = None) -> list[int]:
    """Neighbourhood working groups per unit (ward_table order). The province's total is `total`
    when known, else half_up(units x working_groups_per_ward). Rule: every unit gets one group,
    the rest are spread in proportion to the units' targets (largest remainder, exact, ties to the
    earlier unit); when the total is below the number of units, all of it goes by target."""
    from .people import half_up, largest_remainder
    n = len(ward_table)
    if total is None:
        total = half_up(n * a.working_groups_per_ward)
    if n == 0 or total <= 0:
        return [0] * n
    targets = [Fraction(max(0, int(w["_target"]))) for w in ward_table]
    if sum(targets) == 0:
        targets = [Fraction(1)] * n
    floor = 1 if total >= n else 0
    return [floor + extra for extra in largest_remainder(total - floor * n, targets)]


def synthetic_name(rng: random.Random) -> str:
    sex = rng.choice("mf")
    return f"(synthetic) {rng.choice(SURNAMES)} {rng.choice(MIDDLE[sex])} {rng.choice(GIVEN[sex])}"


def ward_officers(target: int, a: Assumptions) -> int:
    """Enrollment officers of a ward: clip(round(per_sqrt x sqrt(target)), min, max)."""
    from .people import half_up
    return min(max(half_up(a.ward_officers_per_sqrt_target * math.sqrt(target)), a.ward_officers[0]),
               a.ward_officers[1])


def officer_rows(district_table: list[dict], ward_table: list[dict], a: Assumptions, prefix: str) -> list[dict]:
    """Ward enrollment officers, then each district's reserve, drivers and home-visit officers.
    Ids: `<prefix>-<ward_code>-NN` and `<prefix>-D<district_code>-RNN`."""
    rng = random.Random(f"{a.seed}/officers")
    rows = []

    def add(officer_id, district, ward, roles, *, hours=""):
        rows.append({"officer_id": officer_id, "display_name": synthetic_name(rng),
                     "district_code": district, "home_ward": ward, "roles": roles, "leave_dates": "",
                     "max_shifts_per_day": "", "max_hours_per_week": hours})

    for ward in ward_table:
        for i in range(ward_officers(ward["_target"], a)):
            add(f"{prefix}-{ward['ward_code']}-{i + 1:02d}", ward["district_code"], ward["ward_code"],
                "operator|verifier", hours=a.ward_campaign_hours)
    for district in district_table:
        code = district["district_code"]
        if code == "city":
            continue
        mine = [w for w in ward_table if w["district_code"] == code]
        target = sum(w["_target"] for w in mine)
        homebound = sum(w["homebound"] for w in mine)
        reserve = min(max(round(target / a.reserve_kit_per_target), a.reserve_kit_officers[0]),
                      a.reserve_kit_officers[1])
        drivers = district["mobile_kits"] + 1
        team_evenings = a.days * (7 - a.min_days_off_per_7) / 7
        per_team_evening = 2 * a.shift_hours   # 2 people an hour over the evening slot
        home_visit = max(2, 2 * math.ceil(a.home_visit_cover * homebound / (per_team_evening * team_evenings)))
        number = 0
        for roles, count in (("operator|verifier|driver", reserve), ("driver", drivers),
                             ("home_visit", home_visit // 2),
                             ("home_visit|verifier", home_visit - home_visit // 2)):
            for _ in range(count):
                number += 1
                add(f"{prefix}-D{code}-R{number:02d}", code, "", roles)
    dates = [a.start_date + dt.timedelta(days=d) for d in range(a.days)]
    leave_rng = random.Random(f"{a.seed}/leave")
    for row in rows:
        if leave_rng.random() < a.leave_share:
            k = leave_rng.randint(1, 3)
            first = leave_rng.randrange(a.days - k + 1)
            row["leave_dates"] = "|".join(dates[first + j].isoformat() for j in range(k))
    return rows


def request_rows(officers: list[dict], a: Assumptions) -> list[dict]:
    """Seeded want/avoid requests, distinct by (officer, date, shift); at most one per officer-shift."""
    rng = random.Random(f"{a.seed}/requests")
    seen: set[tuple[str, str, str]] = set()
    rows: list[dict] = []
    wanted = min(a.requests, len(officers) * a.days * len(SHIFTS) // 2)
    while len(rows) < wanted:
        officer = rng.choice(officers)["officer_id"]
        date = (a.start_date + dt.timedelta(days=rng.randrange(a.days))).isoformat()
        shift = rng.choice([s[0] for s in SHIFTS])
        kind = "avoid" if rng.random() < 0.6 else "want"
        weight = rng.choice((1, 1, 2, 3))
        if (officer, date, shift) in seen:
            continue
        seen.add((officer, date, shift))
        rows.append({"officer_id": officer, "date": date, "shift": shift, "kind": kind, "weight": weight})
    return sorted(rows, key=lambda r: (r["officer_id"], r["date"], r["shift"]))
