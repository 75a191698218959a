"""Every assumption a province scenario rests on, in one place, with Hà Nội's values as defaults.

A province overrides any of them with a TOML file of top-level keys named as the fields below
(`aged_14_plus = "0.76"`, `[enrolled_share]` then `"xã" = 0.70` (quoted: TOML bare keys are
ASCII), `province_mobile_kits = 12`). Shares that enter exact arithmetic (aged 14+, short-stay
uplift) are fractions: give them as strings ("775/1000" or "0.775") or numbers. The basis of each
default is in `BASIS` and goes into the generated README.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import tomllib
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path


class AssumptionsError(ValueError):
    """A bad assumptions file: the message is one line naming the file and key."""


@dataclass(frozen=True)
class Assumptions:
    seed: int = 2022
    # campaign
    start_date: dt.date = dt.date(2022, 7, 25)
    days: int = 30
    throughput_per_kit_hour: float = 22.0
    shift_hours: int = 5
    walk_in_turnout: float = 0.92
    turnout_peak_day: int = 3
    weekend_factor: float = 1.3
    shift_preference: dict = field(default_factory=lambda: {"S": 0.30, "C": 0.22, "T": 0.48})
    max_hours_per_week: int = 56
    min_days_off_per_7: int = 1
    max_shifts_per_day: int = 2
    # people
    aged_14_plus: Fraction = Fraction(775, 1000)
    short_stay_uplift: dict = field(default_factory=lambda: {
        "phường": Fraction(4, 100), "thị trấn": Fraction(2, 100), "xã": Fraction(1, 100)})
    enrolled_share: dict = field(default_factory=lambda: {"phường": 0.780, "thị trấn": 0.745, "xã": 0.715})
    enrolled_size_slope: float = 0.035
    enrolled_noise: float = 0.030
    enrolled_range: tuple = (0.60, 0.86)
    cannot_enroll: tuple = (0.006, 0.014)
    homebound: dict = field(default_factory=lambda: {"phường": 0.025, "thị trấn": 0.030, "xã": 0.035})
    homebound_noise: float = 0.005
    institution: tuple = (0.05, 0.10)
    invited: tuple = (0.15, 0.25)
    # resources
    two_kits_from_population: int = 30_000
    district_mobile_kits: tuple = ((200_000, 2), (350_000, 3), (None, 4))   # (population below, kits)
    province_mobile_kits_per_district: Fraction = Fraction(2, 3)
    province_mobile_kits: int | None = None      # overrides the per-district rule when set
    ward_officers: tuple = (3, 8)
    ward_officers_per_sqrt_target: float = 0.05
    ward_campaign_hours: int = 30
    reserve_kit_officers: tuple = (4, 16)
    reserve_kit_per_target: int = 6_000
    home_visit_cover: float = 0.9
    leave_share: float = 0.10
    requests: int = 300
    # follow-up of no-shows by the neighbourhood working groups (Tổ công tác 06)
    working_groups_per_ward: Fraction = Fraction(5247, 579)
    calls_per_group_day: float = 5.0
    officer_prefix: str | None = None            # default: the province code

    def with_overrides(self, values: dict, *, source: str = "assumptions") -> Assumptions:
        """A copy with the given fields replaced, each converted to the default's type."""
        changes = {}
        fields = {f.name: f for f in dataclasses.fields(self)}
        for key, value in values.items():
            if key not in fields:
                raise AssumptionsError(f"{source}: key {key}: unknown assumption "
                                       f"(known: {', '.join(sorted(fields))})")
            try:
                changes[key] = _convert(getattr(self, key), value)
            except (TypeError, ValueError, ZeroDivisionError) as exc:
                raise AssumptionsError(f"{source}: key {key}: {exc}") from None
        return dataclasses.replace(self, **changes)


def _convert(default, value):
    """Convert a TOML value to the type of the default it replaces."""
    if isinstance(default, bool) or isinstance(value, bool):
        raise TypeError(f"{value!r} is not a number")
    if isinstance(default, Fraction):
        result = Fraction(str(value))
        if result < 0:
            raise ValueError(f"{value} is negative")
        return result
    if isinstance(default, dict):
        if not isinstance(value, dict):
            raise TypeError("expected a table")
        unknown = set(value) - set(default)
        if unknown:
            raise ValueError(f"unknown entry {min(unknown)!r} (known: {', '.join(default)})")
        return {k: _convert(default[k], value.get(k, default[k])) for k in default}
    if isinstance(default, tuple):
        if not isinstance(value, list) or len(value) != len(default):
            raise TypeError(f"expected a list of {len(default)}")
        return tuple(_convert(d, v) if d is not None and not isinstance(d, tuple) else
                     (tuple(v) if isinstance(v, list) else v) for d, v in zip(default, value))
    if isinstance(default, dt.date):
        if not isinstance(value, dt.date):
            raise TypeError("expected a TOML date (2022-07-25)")
        return value
    if isinstance(default, int) or default is None:
        if isinstance(value, str) and default is None:
            return value
        if not isinstance(value, int) or value < 0:
            raise ValueError(f"{value!r} is not a whole number >= 0")
        return value
    if isinstance(default, float):
        if not isinstance(value, (int, float)) or value < 0:
            raise ValueError(f"{value!r} is not a number >= 0")
        return float(value)
    if isinstance(default, str):
        if not isinstance(value, str):
            raise TypeError("expected a string")
        return value
    raise TypeError(f"cannot set {type(default).__name__}")


def load_assumptions(path: Path | None, base: Assumptions | None = None) -> Assumptions:
    """Hà Nội's defaults (or `base`), overridden by the TOML file when given."""
    base = base or Assumptions()
    if path is None:
        return base
    try:
        values = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AssumptionsError(f"{Path(path).name}: file not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise AssumptionsError(f"{Path(path).name}: not valid TOML ({exc})") from None
    return base.with_overrides(values, source=Path(path).name)


BASIS = {
    "aged_14_plus": "about a quarter of Viet Nam's 2019 census population was aged 0-14 (24.3 %) "
                    "and one year of age is about 1.5 %, so about 77.5 % are 14 or older",
    "short_stay_uplift": "temporary residents are eligible where they live but the population series "
                         "counts usual residents; they concentrate in urban wards",
    "enrolled_share": "Hà Nội's reading of the 9 Aug 2022 report (>6 million dossiers, day 15 of the "
                      "peak): about 73.6 % of eligible enrolled before the peak; rural communes behind",
    "enrolled_size_slope": "big, fast-growing wards with many renters lag",
    "cannot_enroll": "communes listed people who cannot be enrolled (prison, deceased, moved away)",
    "homebound": "elderly, disabled and bedridden residents visited at home; rural communes are older",
    "institution": "schools, factories, hospitals served by mobile on-site sessions",
    "invited": "people who come only when sent an invitation letter",
    "throughput_per_kit_hour": "one kit handled ~375 a day over 15 h (~25 an hour) at the Hà Nội city site "
                               "in 2021; ward crews and elderly applicants are slower",
    "two_kits_from_population": "every commune HQ enrolled; the biggest wards ran a second counter",
    "district_mobile_kits": "Hà Nội's allotment: 2 per district under 200,000 people, 3 under 350,000, 4 above",
    "province_mobile_kits_per_district": "Hà Nội's province reserve: 20 mobile kits for 30 districts",
    "ward_officers": "commune police strength grows more slowly than the backlog",
    "ward_campaign_hours": "ward officers keep their regular duties",
    "reserve_kit_officers": "district officers detached full time to the campaign",
    "home_visit_cover": "one team of 2 serves 10 people an evening on about 6 evenings a week",
    "leave_share": "officers with 1-3 consecutive leave days during the campaign",
    "requests": "synthetic want/avoid requests, weight 1-3",
    "working_groups_per_ward": "Hà Nội's 5,247 neighbourhood working groups (Tổ công tác 06) over its 579 "
                               "communes (campaign facts, 9 Aug 2022); the province total is "
                               "round(units x this), one per unit and the rest by target (largest remainder)",
    "calls_per_group_day": "assumption, not published: a group of a few volunteers and the area police "
                           "officer reaches about 5 no-shows a day door to door besides its other work",
}
