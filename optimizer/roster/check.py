"""The independent roster checker: re-verifies a written roster against every hard rule.

It shares no code with the rostering engine (`optimizer/roster/`): it reads only the scenario
(`optimizer.scenario`) and the roster's rows, so an engine bug cannot hide behind a shared
helper. `check_roster` returns every violation it finds, each naming its rule, where it happens
(officer, date, shift, ward) and what is wrong; an empty list means the roster keeps every rule.

Rules, in the order they are checked (`RULES` holds the labels):
- bad_row: a row names an unknown shift or ward, a date outside the campaign, or a `day` that
  disagrees with its `date` (rows with an unknown shift or a date outside the campaign are
  left out of the other checks);
- unknown_officer, wrong_district, role_not_held, on_leave: the officer's row in officers.csv;
- max_shifts_per_day (officers.csv may override the scenario's value), double_booked (the same
  shift twice);
- min_rest: hours between the end of one duty and the start of the next. Shifts that follow
  each other without a gap (S 07-12 then C 12-17) form one duty, which is what makes two shifts
  a day possible under a rest rule of several hours; a day's shifts that leave a gap
  (S then T) must leave at least min_rest_hours. Clock times come from the scenario's shifts,
  and a shift whose end is before its start ends the next day;
- forbidden_succession (shift a on day d, shift b on day d+1), max_consecutive_days,
  min_days_off_per_7 (every 7-day window that lies fully inside the campaign);
- max_hours_per_week: campaign weeks are days 0-6, 7-13, ...; a last short week allows the
  full weekly hours, as the officer's real week goes on after the campaign ends (officers.csv
  may override the weekly hours);
  a shift counts once even if it is double-booked;
- outside_district: the ward worked is in another district than the officer's;
- crew_shortfall (only with a plan): every open fixed kit, mobile kit session (in
  mobile_kit.shifts) and home-visit team has its full crew by role at that ward, day and shift.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pandas as pd

from ..scenario import Scenario

ROSTER_COLUMNS = ("officer_id", "display_name", "district_code", "home_ward", "date", "day",
                  "shift", "ward_code", "role")
REQUIRED_COLUMNS = ("officer_id", "shift", "ward_code", "role")
PLAN_COLUMNS = ("ward_code", "shift", "kits_open", "mobile_kits", "home_visit_teams")

RULES: dict[str, str] = {
    "bad_row": "row names an unknown shift or ward, or a date outside the campaign",
    "unknown_officer": "officer is not in officers.csv",
    "wrong_district": "officer is listed under another district than in officers.csv",
    "role_not_held": "officer works a role they do not hold",
    "on_leave": "officer works on a day of leave",
    "max_shifts_per_day": "too many shifts in a day",
    "double_booked": "two assignments in the same shift",
    "min_rest": "too little rest between two duties",
    "forbidden_succession": "forbidden shift succession from one day to the next",
    "max_consecutive_days": "too many working days in a row",
    "min_days_off_per_7": "too few days off in 7 days",
    "max_hours_per_week": "too many hours in a campaign week",
    "outside_district": "works in a ward outside own district",
    "crew_shortfall": "a kit, mobile session or home-visit team of the plan lacks crew",
}


@dataclass(frozen=True)
class Violation:
    """One broken rule: `rule` is a key of RULES, `where` and `detail` are readable text."""

    rule: str
    where: str
    detail: str

    @property
    def label(self) -> str:
        return RULES.get(self.rule, self.rule)

    def __str__(self) -> str:
        return f"[{self.rule}] {self.where}: {self.detail}"


def check_roster(scenario: Scenario, roster: pd.DataFrame,
                 plan: pd.DataFrame | None = None) -> list[Violation]:
    """Every hard-rule violation in `roster`; with `plan`, also every crew shortfall."""
    check = _Check(scenario, roster)
    violations = list(check.bad_rows)
    for rule in (check.unknown_officer, check.wrong_district, check.role_not_held,
                 check.on_leave, check.max_shifts_per_day, check.double_booked, check.min_rest,
                 check.forbidden_succession, check.max_consecutive_days,
                 check.min_days_off_per_7, check.max_hours_per_week, check.outside_district):
        violations.extend(rule())
    if plan is not None:
        violations.extend(check.crew_shortfall(plan))
    return violations


def violations_frame(violations: list[Violation]) -> pd.DataFrame:
    """Violations as a table (rule, label, where, detail) for display."""
    return pd.DataFrame([{"rule": v.rule, "label": v.label, "where": v.where, "detail": v.detail}
                         for v in violations], columns=["rule", "label", "where", "detail"])


def read_roster_csv(path: str | Path) -> pd.DataFrame:
    """Load a written roster.csv (UTF-8, with or without BOM) back into the roster's columns.

    Codes stay text as written ('001'), `date` becomes datetime.date, `day` int; columns the
    export adds (start, end, hours, ward_name) are dropped. The exports' formula guard (an
    apostrophe before text that starts with = + - @, tab or CR) is undone.
    """
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    for column in REQUIRED_COLUMNS:
        if column not in frame.columns:
            raise ValueError(f"{Path(path).name}: missing column '{column}'")
    if "date" not in frame.columns:
        raise ValueError(f"{Path(path).name}: missing column 'date'")
    frame = frame[[c for c in ROSTER_COLUMNS if c in frame.columns]].map(_unguard)
    rows = []
    for number, text in enumerate(frame["date"], start=2):
        try:
            rows.append(dt.date.fromisoformat(text.strip()))
        except ValueError:
            raise ValueError(f"{Path(path).name}: row {number}, column date: bad date '{text}'") from None
    frame["date"] = rows
    if "day" in frame.columns:
        frame["day"] = frame["day"].astype("int64")
    return frame.reset_index(drop=True)


# --- the checks -----------------------------------------------------------------------------

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _unguard(value):
    if isinstance(value, str) and value.startswith("'") and value[1:].lstrip("'").startswith(
            _FORMULA_STARTS):
        return value[1:]
    return value


def _text(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value).strip()


def _date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    try:
        return dt.date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


def _hours(value: float) -> str:
    return f"{round(value, 2):g} h"


@dataclass(frozen=True)
class _Officer:
    district_code: str
    display_name: str
    roles: frozenset[str]
    leave: frozenset[dt.date]
    max_shifts_per_day: int
    max_hours_per_week: float


class _Check:
    """The roster's rows read once, with the scenario's lookups; one method per rule."""

    def __init__(self, scenario: Scenario, roster: pd.DataFrame):
        for column in REQUIRED_COLUMNS:
            if column not in roster.columns:
                raise ValueError(f"roster: missing column '{column}'")
        if "date" not in roster.columns and "day" not in roster.columns:
            raise ValueError("roster: needs a 'date' or a 'day' column")
        self.scenario = scenario
        self.rules = scenario.settings.officer_rules
        self.shifts = {s.code: s for s in scenario.shifts}
        self.start = scenario.settings.campaign.start_date
        self.n_days = scenario.n_days
        self.wards = {str(code): (str(row["ward_name"]), str(row["district_code"]))
                      for code, row in scenario.wards.iterrows()}
        self.officers = self._officers(scenario)
        self.bad_rows: list[Violation] = []
        self.rows: list[dict] = []      # rows with a known shift and a date in the campaign
        self.all_rows: list[dict] = []
        self.roster_names: dict[str, str] = {}   # names of officers not in officers.csv
        for number, record in enumerate(roster.to_dict("records"), start=1):
            self._read_row(number, record)
        # officer -> day -> shift codes worked (each once), for the time rules
        self.worked: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
        for row in self.rows:
            self.worked[row["officer_id"]][row["day"]].add(row["shift"])

    def _officers(self, scenario: Scenario) -> dict[str, _Officer]:
        officers: dict[str, _Officer] = {}
        if scenario.officers is None:
            return officers
        for officer_id, row in scenario.officers.iterrows():
            shifts = row["max_shifts_per_day"]
            hours = row["max_hours_per_week"]
            officers[str(officer_id)] = _Officer(
                district_code=str(row["district_code"]), display_name=str(row["display_name"]),
                roles=frozenset(filter(None, str(row["roles"]).split("|"))),
                leave=frozenset(dt.date.fromisoformat(d)
                                for d in filter(None, str(row["leave_dates"]).split("|"))),
                max_shifts_per_day=(self.rules.max_shifts_per_day if pd.isna(shifts) else int(shifts)),
                max_hours_per_week=(self.rules.max_hours_per_week if pd.isna(hours) else float(hours)))
        return officers

    def _read_row(self, number: int, record: dict) -> None:
        row: dict[str, Any] = {"number": number, "officer_id": _text(record["officer_id"]),
                               "display_name": _text(record.get("display_name")),
                               "district_code": _text(record.get("district_code")),
                               "shift": _text(record["shift"]), "ward_code": _text(record["ward_code"]),
                               "role": _text(record["role"])}
        date = _date(record.get("date"))
        day_text = _text(record.get("day"))
        try:
            day = int(float(day_text)) if day_text else None
        except ValueError:
            day = None
        if date is None and day is not None:
            date = self.start + dt.timedelta(days=day)
        row["date"] = date
        row["day"] = None if date is None else (date - self.start).days
        self.all_rows.append(row)
        if row["display_name"]:
            self.roster_names.setdefault(row["officer_id"], row["display_name"])
        usable = True
        if date is None:
            self._bad(row, f"row {number}: no readable date")
            return
        if not 0 <= row["day"] < self.n_days:
            self._bad(row, f"row {number}: {date} is outside the campaign "
                      f"({self.start} to {self.start + dt.timedelta(days=self.n_days - 1)})")
            usable = False
        elif day is not None and day != row["day"]:
            self._bad(row, f"row {number}: day {day} but date {date} is campaign day {row['day']}")
        if row["shift"] not in self.shifts:
            self._bad(row, f"row {number}: unknown shift '{row['shift']}' "
                      f"(shifts are {', '.join(self.shifts)})")
            usable = False
        if row["ward_code"] not in self.wards:
            self._bad(row, f"row {number}: unknown ward '{row['ward_code']}'")
        if usable:
            self.rows.append(row)

    def _bad(self, row: dict, detail: str) -> None:
        self.bad_rows.append(Violation("bad_row", self._where(row["officer_id"], row["date"],
                                                              row["shift"], row["ward_code"]), detail))

    # -- readable places ----------------------------------------------------------------------
    def _date_text(self, day: int) -> str:
        return (self.start + dt.timedelta(days=day)).isoformat()

    def _where(self, officer_id: str | None = None, date: dt.date | str | None = None,
               shift: str | None = None, ward_code: str | None = None) -> str:
        parts = []
        if officer_id is not None:
            officer = self.officers.get(officer_id)
            name = officer.display_name if officer else self.roster_names.get(officer_id, "")
            parts.append(f"officer {officer_id}" + (f" ({name})" if name else ""))
        if date is not None:
            parts.append(date.isoformat() if isinstance(date, dt.date) else str(date))
        if shift is not None:
            parts.append(f"shift {shift}")
        if ward_code is not None:
            name = self.wards.get(ward_code, ("",))[0]
            parts.append(f"ward {ward_code}" + (f" {name}" if name else ""))
        return ", ".join(parts)

    def _row_where(self, row: dict) -> str:
        return self._where(row["officer_id"], row["date"], row["shift"], row["ward_code"])

    def _limits(self, officer_id: str) -> tuple[int, float]:
        officer = self.officers.get(officer_id)
        if officer is None:
            return self.rules.max_shifts_per_day, self.rules.max_hours_per_week
        return officer.max_shifts_per_day, officer.max_hours_per_week

    # -- the officer's record -------------------------------------------------------------------
    def unknown_officer(self) -> list[Violation]:
        counts = Counter(r["officer_id"] for r in self.all_rows if r["officer_id"] not in self.officers)
        return [Violation("unknown_officer", self._where(officer_id),
                          f"not in officers.csv ({count} assignment{'s' * (count != 1)})")
                for officer_id, count in sorted(counts.items())]

    def wrong_district(self) -> list[Violation]:
        pairs = sorted({(r["officer_id"], r["district_code"]) for r in self.all_rows
                        if r["officer_id"] in self.officers and r["district_code"]
                        and r["district_code"] != self.officers[r["officer_id"]].district_code})
        return [Violation("wrong_district", self._where(officer_id),
                          f"roster lists district '{district}', officers.csv says "
                          f"'{self.officers[officer_id].district_code}'")
                for officer_id, district in pairs]

    def role_not_held(self) -> list[Violation]:
        return [Violation("role_not_held", self._row_where(r),
                          f"role '{r['role']}' is not one of the officer's roles "
                          f"({', '.join(sorted(self.officers[r['officer_id']].roles))})")
                for r in self.all_rows if r["officer_id"] in self.officers
                and r["role"] not in self.officers[r["officer_id"]].roles]

    def on_leave(self) -> list[Violation]:
        return [Violation("on_leave", self._row_where(r), f"on leave on {r['date']}")
                for r in self.all_rows if r["officer_id"] in self.officers
                and r["date"] in self.officers[r["officer_id"]].leave]

    # -- shifts within a day -------------------------------------------------------------------
    def max_shifts_per_day(self) -> list[Violation]:
        violations = []
        for officer_id, days in sorted(self.worked.items()):
            limit, _ = self._limits(officer_id)
            for day, codes in sorted(days.items()):
                if len(codes) > limit:
                    violations.append(Violation(
                        "max_shifts_per_day", self._where(officer_id, self._date_text(day)),
                        f"{len(codes)} shifts ({'+'.join(self._in_clock_order(codes))}); "
                        f"at most {limit}"))
        return violations

    def double_booked(self) -> list[Violation]:
        slots = defaultdict(list)
        for r in self.rows:
            slots[(r["officer_id"], r["day"], r["shift"])].append(r)
        return [Violation("double_booked", self._where(officer_id, self._date_text(day), shift),
                          f"{len(rows)} assignments: " + "; ".join(
                              f"ward {r['ward_code']} as {r['role']}" for r in rows))
                for (officer_id, day, shift), rows in sorted(slots.items()) if len(rows) > 1]

    def _in_clock_order(self, codes) -> list[str]:
        order = list(self.shifts)
        return sorted(codes, key=order.index)

    def _interval(self, day: int, code: str) -> tuple[dt.datetime, dt.datetime]:
        shift = self.shifts[code]
        midnight = dt.datetime.combine(self.start + dt.timedelta(days=day), dt.time())
        return (midnight + dt.timedelta(minutes=shift.start_minutes),
                midnight + dt.timedelta(minutes=shift.end_minutes))

    def min_rest(self) -> list[Violation]:
        violations = []
        need = self.rules.min_rest_hours
        for officer_id, days in sorted(self.worked.items()):
            worked = sorted((*self._interval(day, code), day, code)
                            for day, codes in days.items() for code in codes)
            duty_end = None
            last: Any = None   # (day, shift) of the duty before; set whenever duty_end is
            for start, end, day, code in worked:
                if duty_end is not None and start != duty_end:
                    rest = (start - duty_end).total_seconds() / 3600
                    if rest < need:
                        what = ("overlaps" if rest < 0 else
                                f"{_hours(rest)} rest after shift {last[1]} on "
                                f"{self._date_text(last[0])} (ends {duty_end:%H:%M})")
                        violations.append(Violation(
                            "min_rest", self._where(officer_id, self._date_text(day), code),
                            f"{what}; at least {_hours(need)} between duties"))
                # back-to-back shifts extend the duty; after a gap a new duty starts
                duty_end = end if duty_end is None or start >= duty_end else max(duty_end, end)
                last = (day, code)
        return violations

    # -- days and weeks ------------------------------------------------------------------------
    def forbidden_succession(self) -> list[Violation]:
        violations = []
        for officer_id, days in sorted(self.worked.items()):
            for day, codes in sorted(days.items()):
                following = days.get(day + 1, set())
                for first, second in self.rules.forbidden_successions:
                    if first in codes and second in following:
                        violations.append(Violation(
                            "forbidden_succession",
                            self._where(officer_id, self._date_text(day + 1), second),
                            f"shift {first} on {self._date_text(day)} then shift {second} on "
                            f"{self._date_text(day + 1)} is not allowed"))
        return violations

    def max_consecutive_days(self) -> list[Violation]:
        violations = []
        limit = self.rules.max_consecutive_days
        for officer_id, days in sorted(self.worked.items()):
            worked = sorted(d for d, codes in days.items() if codes)
            run_start = None
            for index, day in enumerate(worked):
                if run_start is None or day != worked[index - 1] + 1:
                    run_start = day
                run_ends = index == len(worked) - 1 or worked[index + 1] != day + 1
                if run_ends and day - run_start + 1 > limit:
                    violations.append(Violation(
                        "max_consecutive_days",
                        self._where(officer_id, f"{self._date_text(run_start)} to {self._date_text(day)}"),
                        f"{day - run_start + 1} working days in a row; at most {limit}"))
        return violations

    def min_days_off_per_7(self) -> list[Violation]:
        violations = []
        need = self.rules.min_days_off_per_7
        for officer_id, days in sorted(self.worked.items()):
            worked = {d for d, codes in days.items() if codes}
            for first in range(0, self.n_days - 6):
                off = 7 - sum(1 for d in range(first, first + 7) if d in worked)
                if off < need:
                    violations.append(Violation(
                        "min_days_off_per_7",
                        self._where(officer_id, f"{self._date_text(first)} to {self._date_text(first + 6)}"),
                        f"{off} day{'s' * (off != 1)} off in these 7 days; at least {need}"))
        return violations

    def max_hours_per_week(self) -> list[Violation]:
        violations = []
        for officer_id, days in sorted(self.worked.items()):
            _, weekly = self._limits(officer_id)
            hours_by_week: defaultdict[int, float] = defaultdict(float)
            for day, codes in days.items():
                hours_by_week[day // 7] += sum(self.shifts[c].hours for c in codes)
            for week, hours in sorted(hours_by_week.items()):
                first, last = 7 * week, min(7 * week + 6, self.n_days - 1)
                length = last - first + 1
                limit = weekly
                if round(hours, 9) > limit:
                    short = f" (a {length}-day week of the campaign)" if length < 7 else ""
                    violations.append(Violation(
                        "max_hours_per_week",
                        self._where(officer_id, f"campaign week {week + 1}, "
                                                f"{self._date_text(first)} to {self._date_text(last)}"),
                        f"{_hours(hours)} worked; at most {_hours(limit)}{short}"))
        return violations

    def outside_district(self) -> list[Violation]:
        violations = []
        for r in self.all_rows:
            if r["ward_code"] not in self.wards:
                continue
            officer = self.officers.get(r["officer_id"])
            own = officer.district_code if officer else r["district_code"]
            ward_district = self.wards[r["ward_code"]][1]
            if own and ward_district != own:
                violations.append(Violation(
                    "outside_district", self._row_where(r),
                    f"ward is in district '{ward_district}', the officer's district is '{own}'"))
        return violations

    # -- the plan's crews --------------------------------------------------------------------
    def crew_shortfall(self, plan: pd.DataFrame) -> list[Violation]:
        for column in PLAN_COLUMNS:
            if column not in plan.columns:
                raise ValueError(f"plan: missing column '{column}'")
        if "day" not in plan.columns and "date" not in plan.columns:
            raise ValueError("plan: needs a 'day' or a 'date' column")
        settings = self.scenario.settings
        kit_crew = settings.crew_per_kit.as_dict()
        mobile_crew = settings.mobile_kit.crew.as_dict()
        mobile_shifts = set(settings.mobile_kit.shifts)
        team_crew = settings.home_visit.crew.as_dict()
        need: dict[tuple[str, int, str], Counter] = defaultdict(Counter)
        for record in plan.to_dict("records"):
            if "day" in record and _text(record["day"]):
                day = int(float(record["day"]))
            else:
                day = (cast(dt.date, _date(record["date"])) - self.start).days
            slot = (_text(record["ward_code"]), day, _text(record["shift"]))
            for count, crew in ((record["kits_open"], kit_crew),
                                (record["mobile_kits"] if slot[2] in mobile_shifts else 0, mobile_crew),
                                (record["home_visit_teams"], team_crew)):
                count = 0 if pd.isna(count) else int(round(float(count)))
                for role, per_unit in crew.items():
                    need[slot][role] += count * per_unit
        have: dict[tuple[str, int, str], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for r in self.rows:
            have[(r["ward_code"], r["day"], r["shift"])][r["role"]].add(r["officer_id"])
        violations = []
        for (ward_code, day, shift), roles in sorted(need.items()):
            for role, needed in roles.items():
                present = len(have[(ward_code, day, shift)][role])
                if present < needed:
                    violations.append(Violation(
                        "crew_shortfall", self._where(None, self._date_text(day), shift, ward_code),
                        f"role {role}: {present} of {needed} needed, {needed - present} missing"))
        return violations
