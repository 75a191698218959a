"""Sane ranges of every count and rate in a scenario (docs/scenario-format.md states them).

They are wide enough for any province's campaign and narrow enough that no computation
overflows or loops for long: a value outside is an input error, not a plan.
"""

from __future__ import annotations

import datetime as dt

MAX_NAME_LENGTH = 200
MAX_CODE_LENGTH = 64
MAX_WEIGHT = 1e6               # objective weights, request weights
MAX_PEOPLE_PER_WARD = 2_000_000
MAX_FIXED_KITS_PER_WARD = 50
MAX_WORKING_GROUPS_PER_WARD = 1_000   # neighbourhood working groups (Hà Nội: about 9 a ward)
MAX_MOBILE_KITS = 500          # per district
MAX_CITY_MOBILE_KITS = 5_000
MAX_RESERVE_OFFICERS = 2_000   # per district and role (Hà Nội: about 90 officers a district)
MAX_LETTERS_PER_WARD_DAY = 100_000
MAX_THROUGHPUT_PER_KIT_HOUR = 1_000.0
MAX_CREW_PER_ROLE = 20
MIN_RATE = 0.01                # smallest throughput, team rate, weekend factor, enrolled weight
EARLIEST_START = dt.date(2000, 1, 1)
LATEST_START = dt.date(2100, 12, 31)
