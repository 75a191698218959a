"""Independent checker: re-verifies a plan's output folder from scratch.

`check_plan(scenario, out_dir)` reads `plan.csv`, `projection.csv` and `summary.json`, re-simulates
every ward from the scenario and the plan's decision columns alone (kits_open, mobile_kits,
home_visit_teams, letters), following docs/dynamics.md, and reports every rule the plan breaks
and every number of the files that differs from its own. It shares no code with the planner,
its models or its simulation: it imports only `optimizer.scenario` (the loaded data), numpy,
pandas and the standard library, so that a bug in one is not silently repeated in the other.

Reading of docs/dynamics.md where the text leaves room (the planner's simulation must match):
- Decisions are simulated as written even when they break a rule (kits above `fixed_kits` add
  hours, letters before the lead day or beyond the pool bring people), and the broken rule is
  reported on its own; except that home visits happen only in the home-visit shift and mobile
  sessions only in the mobile-kit shifts ("3. Home visits (in the home-visit shift)"): teams or
  mobile kits written elsewhere serve nobody. A ward whose rows are missing or whose decision
  values are not whole numbers >= 0 is not re-simulated (that is reported too).
- "never-coming walk-ins" are part of the invitable pool, so they are counted once:
  not yet arrived = (W - walk-ins arrived) + (pool - invited who showed up)
  + homebound not enrolled + institution not enrolled.
- given up = all who gave up - those who already came back (returns dropped past the deadline
  stay given up). `gave_up` in plan.csv is the total of both queues in that shift.
- `mobile_kit.crew` and `home_visit.crew` count only the roles written in campaign.toml (the
  loader's CrewPerKit fills an unwritten operator/verifier with 1; crew = { home_visit = 2 }
  means two home-visit officers, nobody else). `crew_per_kit` uses the loaded values.
- Staffing uses each officer's own max_shifts_per_day / max_hours_per_week from officers.csv when
  given (scenario default otherwise). Every staffing condition is one the roster rules imply
  as `roster_check` applies them: per shift (Hall), per day (shifts), per campaign week
  (officer-hours: full weekly hours in a short last week; no more than the days not on leave
  times an officer's longest day), rest pairs, forbidden successions and runs of 7 days.
  Without officers.csv the district's reserve_* counts are single-role officers.
"""

from __future__ import annotations

import itertools
import json
import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .scenario import ROLES, Scenario

PLAN_FILE = "plan.csv"
BASELINE_PLAN_FILE = "baseline_plan.csv"
PROJECTION_FILE = "projection.csv"
SUMMARY_FILE = "summary.json"

KEY_COLUMNS = ("ward_code", "district_code", "date", "day", "shift")
DECISION_COLUMNS = ("kits_open", "mobile_kits", "home_visit_teams", "letters")
OUTCOME_COLUMNS = ("arrivals_walk_in", "returns", "arrivals_invited", "served_walk_in",
                   "served_invited", "served_homebound", "served_institution", "served",
                   "queue_walk_in_end", "queue_invited_end", "queue_end", "gave_up", "calls")
PLAN_COLUMNS = KEY_COLUMNS + DECISION_COLUMNS + OUTCOME_COLUMNS
PROJECTION_COUNT_COLUMNS = ("enrolled_cum", "waiting", "not_yet_arrived", "given_up")
PROJECTION_COLUMNS = ("ward_code", "district_code", "date", "day", "enrolled_cum", "coverage",
                      "waiting", "not_yet_arrived", "given_up")
SUMMARY_KEYS = ("target", "enrolled", "coverage", "baseline_enrolled", "reserve_allocation",
                "seed", "input_hash")
COVERAGE_TOLERANCE = 1e-6
SERVED_PARTS = ("served_walk_in", "served_invited", "served_homebound", "served_institution")


# --- report -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Violation:
    """One broken rule: which rule, where (ward/district, date, shift or file), what exactly."""

    rule: str
    where: str
    detail: str

    def __str__(self) -> str:
        return f"[{self.rule}] {self.where}: {self.detail}"


@dataclass
class CheckReport:
    """Every violation found, and the KPIs recomputed from the plan's decisions."""

    violations: list[Violation] = field(default_factory=list)
    kpis: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.violations

    def rules(self) -> Counter:
        """Violations counted by rule."""
        return Counter(v.rule for v in self.violations)

    def add(self, rule: str, where: str, detail: str) -> None:
        self.violations.append(Violation(rule, where, detail))


def format_report(report: CheckReport, max_per_rule: int | None = None) -> str:
    """One line per violation (at most `max_per_rule` per rule if given), then a line of counts."""
    lines = []
    shown: Counter = Counter()
    for violation in report.violations:
        shown[violation.rule] += 1
        if max_per_rule is None or shown[violation.rule] <= max_per_rule:
            lines.append(str(violation))
    counts = report.rules()
    if max_per_rule is not None:
        for rule, count in counts.items():
            if count > max_per_rule:
                lines.append(f"[{rule}] ... and {count - max_per_rule} more")
    kpis = report.kpis
    if kpis.get("enrolled") is not None:
        tail = (f"recomputed enrolled {kpis['enrolled']} of target {kpis['target']} "
                f"(coverage {kpis['coverage']:.2%})")
    else:
        tail = f"target {kpis.get('target', '?')}, enrolled not recomputed"
    if report.ok:
        lines.append(f"OK: 0 violations; {tail}")
    else:
        by_rule = ", ".join(f"{rule} {count}" for rule, count in sorted(counts.items()))
        lines.append(f"FAILED: {len(report.violations)} violation(s) ({by_rule}); {tail}")
    return "\n".join(lines)


# --- arithmetic of docs/dynamics.md -----------------------------------------------------------

def _floor(x: float) -> int:
    """floor after rounding to 9 decimals."""
    return math.floor(round(x, 9))


def _ceil(x: float) -> int:
    """ceil after rounding to 9 decimals."""
    return math.ceil(round(x, 9))


def largest_remainder(total: int, weights) -> list[int]:
    """Split `total` whole people by `weights`: floors of the quotas (rounded to 9 decimals),
    then one each to the largest fractional parts, ties to the earlier position."""
    weights = [float(w) for w in weights]
    weight_sum = sum(weights)
    if total <= 0 or weight_sum <= 0:
        return [0] * len(weights)
    quotas = [round(total * w / weight_sum, 9) for w in weights]
    counts = [math.floor(q) for q in quotas]
    fractions = [round(q - c, 9) for q, c in zip(quotas, counts)]
    left = total - sum(counts)
    for i in sorted(range(len(weights)), key=lambda i: (-fractions[i], i))[:max(left, 0)]:
        counts[i] += 1
    return counts


def walk_in_day_weights(scenario: Scenario) -> list[float]:
    """The publicity curve's weight of each campaign day, weekend factor included."""
    demand = scenario.settings.demand
    n_days = scenario.n_days
    peak = min(demand.turnout_peak_day, n_days - 1)
    tau = max(1.0, n_days / 4)

    def front(d: int) -> float:
        return (d + 1) / (peak + 1) if d < peak else math.exp(-(d - peak) / tau)

    weights = []
    for d, date in enumerate(scenario.dates):
        if demand.turnout_curve == "flat":
            weight = 1.0
        elif demand.turnout_curve == "front":
            weight = front(d)
        elif demand.turnout_curve == "back":
            weight = front(n_days - 1 - d)
        else:  # wave
            weight = front(d) + 0.6 * math.exp(-(n_days - 1 - d) / max(1.0, n_days / 10))
        if date.weekday() >= 5:
            weight *= demand.weekend_factor
        weights.append(weight)
    return weights


def walk_ins_coming(walk_in: int, turnout: float) -> int:
    """W: walk-ins who come on their own by the deadline."""
    return _floor(walk_in * turnout + 0.5)


def walk_in_arrivals(scenario: Scenario, walk_ins: int) -> np.ndarray:
    """Walk-in arrivals by day (shape days) of a ward with W = walk_ins."""
    return np.array(largest_remainder(walk_ins, walk_in_day_weights(scenario)), dtype=np.int64)


def walk_ins_by_open_shift(scenario: Scenario, day_total: int, kits_of_day) -> list[int]:
    """A day's walk-ins over the shifts with a kit open, by preference; closed all day: first shift."""
    preference = scenario.settings.demand.shift_preference
    open_shifts = [int(k) > 0 for k in kits_of_day]
    if not any(open_shifts):
        return [day_total] + [0] * (len(open_shifts) - 1)
    weights = [preference[code] if is_open else 0.0
               for code, is_open in zip(scenario.shift_codes, open_shifts)]
    if sum(weights) <= 0:
        weights = [1.0 if is_open else 0.0 for is_open in open_shifts]
    return largest_remainder(day_total, weights)


# --- scenario constants -----------------------------------------------------------------------

@dataclass
class _Officer:
    roles_mask: int
    leave_days: frozenset
    max_shifts_per_day: int
    max_hours_per_week: float


def _role_mask(roles) -> int:
    return sum(1 << ROLES.index(role) for role in roles if role in ROLES)


def _written_crew(crew) -> dict[str, int]:
    """Crew of a nested table, counting only the roles written in campaign.toml."""
    return {role: int(getattr(crew, role)) for role in ROLES
            if role in crew.model_fields_set and getattr(crew, role) > 0}


class _Context:
    """Everything the checks need from the scenario, computed once."""

    def __init__(self, scenario: Scenario):
        settings = scenario.settings
        demand = settings.demand
        self.scenario = scenario
        self.ward_codes = [str(code) for code in scenario.wards.index]
        self.ward_index = {code: i for i, code in enumerate(self.ward_codes)}
        self.ward_district = [str(c) for c in scenario.wards["district_code"]]
        self.district_codes = [str(code) for code in scenario.districts.index]
        self.district_index = {code: k for k, code in enumerate(self.district_codes)}
        self.n_wards = len(self.ward_codes)
        self.n_days = scenario.n_days
        self.shift_codes = list(scenario.shift_codes)
        self.shift_index = {code: s for s, code in enumerate(self.shift_codes)}
        self.n_shifts = len(self.shift_codes)
        self.hours = [shift.hours for shift in scenario.shifts]
        self.longest_shift_hours = max(self.hours)
        self.dates = [date.isoformat() for date in scenario.dates]
        wards = scenario.wards
        self.target = [int(v) for v in wards["target"]]
        self.walk_in = [int(v) for v in wards["walk_in"]]
        self.homebound = [int(v) for v in wards["homebound"]]
        self.institution = [int(v) for v in wards["institution"]]
        self.fixed_kits = [int(v) for v in wards["fixed_kits"]]
        self.walk_ins_coming = [walk_ins_coming(w, demand.walk_in_turnout) for w in self.walk_in]
        self.pool = [int(inv) + w - big_w for inv, w, big_w in
                     zip(wards["invited"], self.walk_in, self.walk_ins_coming)]
        self.scenario = scenario
        self.arrivals = np.zeros((self.n_wards, self.n_days), dtype=np.int64)
        cache: dict[int, np.ndarray] = {}
        for i, big_w in enumerate(self.walk_ins_coming):
            if big_w not in cache:
                cache[big_w] = walk_in_arrivals(scenario, big_w)
            self.arrivals[i] = cache[big_w]
        throughput = settings.throughput_per_kit_hour
        self.rate_walk_in = throughput.walk_in
        self.rate_invited = throughput.invited
        self.rate_institution = throughput.institution
        self.show_up = demand.invitation_show_up
        # follow-up calls: floor(working_groups * calls_per_group_day) a ward a day
        groups = wards["working_groups"] if "working_groups" in wards else pd.Series(0, index=wards.index)
        self.calls_a_day = [_floor(int(g) * demand.calls_per_group_day) for g in groups]
        self.follow_up_after_days = demand.follow_up_after_days
        self.follow_up_show_up = demand.follow_up_show_up
        self.give_up_share = demand.give_up_share
        self.return_share = demand.return_share
        self.return_after_days = demand.return_after_days
        self.lead_days = demand.invitation_lead_days
        self.max_letters = demand.max_letters_per_ward_day
        self.people_per_team_hour = settings.home_visit.people_per_team_hour
        self.home_visit_shift = self.shift_index[settings.home_visit.shift]
        self.mobile_shifts = [self.shift_index[code] for code in settings.mobile_kit.shifts]
        self.crew_fixed = settings.crew_per_kit.as_dict()
        self.crew_mobile = _written_crew(settings.mobile_kit.crew)
        self.crew_home_visit = _written_crew(settings.home_visit.crew)
        self.mobile_own = [int(scenario.districts.at[code, "mobile_kits"]) for code in self.district_codes]
        self.city_mobile_kits = int(scenario.city_mobile_kits)
        self.rules = settings.officer_rules
        self.officers = self._officers()
        self._week_caps: dict[tuple, int] = {}

    def _officers(self) -> list[list[_Officer]]:
        scenario = self.scenario
        rules = self.rules
        by_district: list[list[_Officer]] = [[] for _ in self.district_codes]
        start = scenario.dates[0]
        if scenario.officers is not None:
            for _, row in scenario.officers.iterrows():
                k = self.district_index.get(str(row["district_code"]))
                if k is None:
                    continue
                leave = set()
                for text in filter(None, str(row["leave_dates"]).split("|")):
                    try:
                        leave.add((pd.Timestamp(text).date() - start).days)
                    except ValueError:
                        continue
                shifts = row["max_shifts_per_day"]
                hours = row["max_hours_per_week"]
                by_district[k].append(_Officer(
                    roles_mask=_role_mask(str(row["roles"]).split("|")),
                    leave_days=frozenset(leave),
                    max_shifts_per_day=rules.max_shifts_per_day if pd.isna(shifts) else int(shifts),
                    max_hours_per_week=rules.max_hours_per_week if pd.isna(hours) else float(hours)))
        else:
            for k, code in enumerate(self.district_codes):
                for role in ROLES:
                    for _ in range(int(scenario.districts.at[code, f"reserve_{role}"])):
                        by_district[k].append(_Officer(_role_mask([role]), frozenset(),
                                                       rules.max_shifts_per_day,
                                                       rules.max_hours_per_week))
        return by_district

    def apart_pairs(self) -> list[tuple[int, int]]:
        """Shifts of one day no officer may both work under the roster's min_rest rule: they
        overlap, or leave a gap shorter than the rest that no run of back-to-back shifts (at most
        the most shifts any officer may work a day) closes into one duty."""
        if hasattr(self, "_apart"):
            return self._apart
        shifts = self.scenario.shifts
        rest = self.rules.min_rest_hours * 60
        most = max([self.rules.max_shifts_per_day] + [o.max_shifts_per_day for group in self.officers for o in group])
        pairs = []
        for a in range(len(shifts)):
            for b in range(a + 1, len(shifts)):
                first, second = sorted((shifts[a], shifts[b]), key=lambda x: (x.start_minutes, x.end_minutes))
                gap = second.start_minutes - first.end_minutes
                if gap < 0:
                    pairs.append((a, b))
                elif 0 < gap < rest:
                    reach, closed = {first.end_minutes}, False
                    for _ in range(most - 2):
                        reach = {x.end_minutes for x in shifts
                                 if x.start_minutes in reach and x.end_minutes <= second.start_minutes}
                        closed = closed or second.start_minutes in reach
                    if not closed:
                        pairs.append((a, b))
        self._apart = pairs
        return pairs

    def day_hours(self, officer: _Officer) -> float:
        """Most hours an officer may work in a day: at most max_shifts_per_day shifts, no two apart."""
        key = ("day", officer.max_shifts_per_day)
        if key not in self._week_caps:
            apart = set(self.apart_pairs())
            best = 0.0
            for size in range(1, min(officer.max_shifts_per_day, self.n_shifts) + 1):
                for chosen in itertools.combinations(range(self.n_shifts), size):
                    if not any(pair in apart for pair in itertools.combinations(chosen, 2)):
                        best = max(best, sum(self.hours[s] for s in chosen))
            self._week_caps[key] = best
        return self._week_caps[key]

    def week_hours(self, officer: _Officer, days: range) -> float:
        """Most hours an officer may work in a campaign week (roster_check's max_hours_per_week:
        the full weekly hours even in a short last week), no more than his days not on leave
        (at most 7 - min_days_off_per_7 and max_consecutive_days in a full week) times his
        longest day."""
        present = sum(1 for d in days if d not in officer.leave_days)
        if len(days) >= 7 and self.rules.min_days_off_per_7:
            present = min(present, 7 - self.rules.min_days_off_per_7)
        if self.rules.max_consecutive_days and len(days) > self.rules.max_consecutive_days:
            present = min(present, self.rules.max_consecutive_days)
        return min(officer.max_hours_per_week, present * self.day_hours(officer))

    def slot(self, d: int, s: int) -> str:
        return f"{self.dates[d]} {self.shift_codes[s]}"

    def ward_slot(self, i: int, d: int, s: int) -> str:
        return f"ward {self.ward_codes[i]}, {self.slot(d, s)}"


# --- the checker's own simulation ---------------------------------------------------------

def _simulate_ward(ctx: _Context, i: int, kits, mobile, teams, letters) -> dict[str, np.ndarray]:
    """docs/dynamics.md "One shift, in order", for ward i over the whole campaign."""
    n_days, n_shifts = ctx.n_days, ctx.n_shifts
    out = {column: np.zeros((n_days, n_shifts), dtype=np.int64) for column in OUTCOME_COLUMNS}
    returns = [[0] * n_shifts for _ in range(n_days)]
    queue_walk_in = queue_invited = 0
    homebound_left = ctx.homebound[i]
    institution_left = ctx.institution[i]
    no_shows_of_day = [0] * n_days
    callable_no_shows = 0
    for d in range(n_days):
        walk_ins_today = walk_ins_by_open_shift(ctx.scenario, int(ctx.arrivals[i, d]), kits[d])
        # 0. follow-up: no-shows of day d - follow_up_after_days become callable; on a day the
        # counter is open the working groups call as many as they can, for the shift with the
        # most kit-hours (the first of equals)
        calls, call_shift = 0, None
        if ctx.calls_a_day[i] > 0:
            if d - ctx.follow_up_after_days >= 0:
                callable_no_shows += no_shows_of_day[d - ctx.follow_up_after_days]
            day_hours = [int(kits[d, s]) * ctx.hours[s] for s in range(n_shifts)]
            if max(day_hours) > 0:
                calls = min(ctx.calls_a_day[i], callable_no_shows)
                callable_no_shows -= calls
                call_shift = day_hours.index(max(day_hours))
        for s in range(n_shifts):
            hours = ctx.hours[s]
            # 1. arrivals join the queues (walk-ins come in the shifts the ward is open)
            arrived_walk_in = int(walk_ins_today[s])
            came_back = returns[d][s]
            arrived_invited = _floor(ctx.show_up * int(letters[d, s]))
            no_shows_of_day[d] += int(letters[d, s]) - arrived_invited
            called = calls if s == call_shift else 0
            arrived_invited += _floor(ctx.follow_up_show_up * called)
            queue_walk_in += arrived_walk_in + came_back
            queue_invited += arrived_invited
            # 2. fixed kits: invited first, then walk-ins with the hours left
            kit_hours = int(kits[d, s]) * hours
            served_invited = min(queue_invited, _floor(kit_hours * ctx.rate_invited))
            hours_left = kit_hours - served_invited / ctx.rate_invited
            served_walk_in = min(queue_walk_in, _floor(hours_left * ctx.rate_walk_in))
            # 3. home visits (home-visit shift only) and mobile sessions (mobile-kit shifts only)
            served_homebound = served_institution = 0
            if s == ctx.home_visit_shift:
                served_homebound = min(homebound_left,
                                       _floor(int(teams[d, s]) * hours * ctx.people_per_team_hour))
            if s in ctx.mobile_shifts:
                served_institution = min(institution_left,
                                         _floor(int(mobile[d, s]) * hours * ctx.rate_institution))
            homebound_left -= served_homebound
            institution_left -= served_institution
            # 4. give-ups and returns
            left_walk_in = queue_walk_in - served_walk_in
            left_invited = queue_invited - served_invited
            gave_up_walk_in = _floor(ctx.give_up_share * left_walk_in)
            gave_up_invited = _floor(ctx.give_up_share * left_invited)
            queue_walk_in = left_walk_in - gave_up_walk_in
            queue_invited = left_invited - gave_up_invited
            gave_up = gave_up_walk_in + gave_up_invited
            if d + ctx.return_after_days < n_days:
                returns[d + ctx.return_after_days][s] += _floor(ctx.return_share * gave_up)
            values = {
                "arrivals_walk_in": arrived_walk_in, "returns": came_back,
                "arrivals_invited": arrived_invited, "served_walk_in": served_walk_in,
                "served_invited": served_invited, "served_homebound": served_homebound,
                "served_institution": served_institution,
                "served": served_walk_in + served_invited + served_homebound + served_institution,
                "queue_walk_in_end": queue_walk_in, "queue_invited_end": queue_invited,
                "queue_end": queue_walk_in + queue_invited, "gave_up": gave_up, "calls": called}
            for column, value in values.items():
                out[column][d, s] = value
    return out


def resimulate(scenario: Scenario, decisions: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The checker's own simulation of every ward.

    `decisions` maps each of DECISION_COLUMNS to an int array (wards in scenario order, days,
    shifts); returns each of OUTCOME_COLUMNS as an array of the same shape.
    """
    return _resimulate(_Context(scenario), decisions, range(len(scenario.wards)))


def _resimulate(ctx: _Context, decisions: dict[str, np.ndarray], wards) -> dict[str, np.ndarray]:
    shape = (ctx.n_wards, ctx.n_days, ctx.n_shifts)
    result = {column: np.zeros(shape, dtype=np.int64) for column in OUTCOME_COLUMNS}
    for i in wards:
        ward = _simulate_ward(ctx, i, *(np.asarray(decisions[c])[i] for c in DECISION_COLUMNS))
        for column in OUTCOME_COLUMNS:
            result[column][i] = ward[column]
    return result


# --- reading the files ------------------------------------------------------------------------

def _read_csv(path: Path, required: tuple[str, ...], report: CheckReport) -> pd.DataFrame | None:
    if not path.is_file():
        report.add("file", path.name, "missing")
        return None
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, OSError) as exc:
        report.add("file", path.name, f"cannot be read as CSV ({str(exc).strip()})")
        return None
    frame.columns = [str(c).strip() for c in frame.columns]
    for column in frame.columns:
        frame[column] = frame[column].astype(str).str.strip()
    for column in required:
        if column not in frame.columns:
            report.add("columns", path.name, f"missing column '{column}'")
    return frame


def _parse_counts(texts: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Whole numbers >= 0 ('3' or '3.0'); returns values (0 where invalid) and a validity mask."""
    numbers = pd.to_numeric(texts, errors="coerce").to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        valid = np.isfinite(numbers) & (numbers >= 0) & (numbers == np.round(numbers)) & (numbers < 1e15)
    return np.where(valid, numbers, 0).astype(np.int64), valid


@dataclass
class _Table:
    """A per-ward table (plan or projection) laid out as arrays [ward, day(, shift)]."""

    present: np.ndarray
    values: dict[str, np.ndarray]
    valid: dict[str, np.ndarray]


def _index_rows(ctx: _Context, frame: pd.DataFrame, file: str, with_shift: bool,
                report: CheckReport) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Row positions: ward, day, shift indices and a mask of rows with a valid, unique key."""
    n = len(frame)
    text = {c: frame[c].tolist() if c in frame.columns else None
            for c in ("ward_code", "day", "shift", "date", "district_code")}
    ward = np.array([ctx.ward_index.get(code, -1) for code in text["ward_code"]], dtype=np.int64)
    day, day_ok = _parse_counts(frame["day"])
    day_ok &= day < ctx.n_days
    if with_shift:
        shift = np.array([ctx.shift_index.get(code, -1) for code in text["shift"]], dtype=np.int64)
    else:
        shift = np.zeros(n, dtype=np.int64)
    usable = (ward >= 0) & day_ok & (shift >= 0)
    for r in np.flatnonzero(~usable):
        line = f"{file} row {r + 2}"
        if ward[r] < 0:
            report.add("rows", line, f"unknown ward_code '{text['ward_code'][r]}'")
        if not day_ok[r]:
            report.add("rows", line, f"day '{text['day'][r]}' is not a campaign day 0..{ctx.n_days - 1}")
        if shift[r] < 0:
            report.add("rows", line, f"unknown shift '{text['shift'][r]}'")
    seen: set = set()
    dates, districts = text["date"], text["district_code"]
    for r in np.flatnonzero(usable):
        i, d = int(ward[r]), int(day[r])
        key = (i, d, int(shift[r]))
        if key in seen:
            label = ctx.ward_slot(*key) if with_shift else f"ward {ctx.ward_codes[i]}, {ctx.dates[d]}"
            report.add("rows", f"{file} row {r + 2}", f"duplicate row for {label}")
            usable[r] = False
            continue
        seen.add(key)
        if dates is not None and dates[r] != ctx.dates[d]:
            label = ctx.ward_slot(*key) if with_shift else f"ward {ctx.ward_codes[i]}, {ctx.dates[d]}"
            report.add("rows", label, f"date '{dates[r]}' does not match day {d} (expected {ctx.dates[d]})")
        if districts is not None and districts[r] != ctx.ward_district[i]:
            label = ctx.ward_slot(*key) if with_shift else f"ward {ctx.ward_codes[i]}, {ctx.dates[d]}"
            report.add("rows", label, f"district_code '{districts[r]}' (ward is in district "
                                      f"{ctx.ward_district[i]})")
    _check_order(ctx, file, ward[usable], day[usable], shift[usable], np.flatnonzero(usable), report)
    return ward, day, shift, usable


def _check_order(ctx: _Context, file: str, ward, day, shift, rows, report: CheckReport) -> None:
    """Rows grouped by ward (scenario order or sorted codes), then day, then shift."""
    if len(rows) < 2:
        return
    by_code = {i: rank for rank, i in enumerate(sorted(range(ctx.n_wards), key=lambda i: ctx.ward_codes[i]))}
    for ranks in (ward, np.array([by_code[i] for i in ward])):
        keys = (ranks * ctx.n_days + day) * ctx.n_shifts + shift
        if np.all(np.diff(keys) > 0):
            return
    keys = (ward * ctx.n_days + day) * ctx.n_shifts + shift
    first = int(np.flatnonzero(np.diff(keys) <= 0)[0]) + 1
    report.add("rows", f"{file} row {rows[first] + 2}",
               "rows are not in ward/day/shift order (wards in scenario or code order, days "
               "ascending, shifts in campaign order)")


def _missing_rows(ctx: _Context, file: str, present: np.ndarray, report: CheckReport) -> None:
    for i in range(ctx.n_wards):
        missing = ~present[i]
        if missing.any():
            first = np.argwhere(missing)[0]
            where = (ctx.slot(*first) if present.ndim == 3 else ctx.dates[first[0]])
            report.add("rows", f"{file}, ward {ctx.ward_codes[i]}",
                       f"{int(missing.sum())} of {missing.size} rows missing (first: {where})")


def _layout(ctx: _Context, frame: pd.DataFrame, file: str, numeric: tuple[str, ...],
            with_shift: bool, report: CheckReport) -> _Table:
    shape = (ctx.n_wards, ctx.n_days, ctx.n_shifts) if with_shift else (ctx.n_wards, ctx.n_days)
    ward, day, shift, usable = _index_rows(ctx, frame, file, with_shift, report)
    rows = np.flatnonzero(usable)
    index = (ward[rows], day[rows], shift[rows]) if with_shift else (ward[rows], day[rows])
    present = np.zeros(shape, dtype=bool)
    present[index] = True
    _missing_rows(ctx, file, present, report)
    table = _Table(present, {}, {})
    for column in numeric:
        if column not in frame.columns:
            continue
        values, valid = _parse_counts(frame[column])
        for r in rows[~valid[rows]]:
            label = (ctx.ward_slot(ward[r], day[r], shift[r]) if with_shift
                     else f"ward {ctx.ward_codes[ward[r]]}, {ctx.dates[day[r]]}")
            report.add("value", label, f"{column} = '{frame[column].iloc[r]}' is not a whole number >= 0")
        table.values[column] = np.zeros(shape, dtype=np.int64)
        table.valid[column] = np.zeros(shape, dtype=bool)
        table.values[column][index] = values[rows]
        table.valid[column][index] = valid[rows]
    return table


def _read_plan(ctx: _Context, out: Path, report: CheckReport, file: str = PLAN_FILE) -> _Table | None:
    frame = _read_csv(out / file, PLAN_COLUMNS, report)
    if frame is None:
        return None
    needed = ("ward_code", "day", "shift") + DECISION_COLUMNS
    if any(column not in frame.columns for column in needed):
        report.add("file", file, "cannot be checked without its ward_code, day, shift and "
                                 "decision columns")
        return None
    return _layout(ctx, frame, file, DECISION_COLUMNS + OUTCOME_COLUMNS, True, report)


def _read_summary(out: Path, report: CheckReport) -> dict | None:
    path = out / SUMMARY_FILE
    if not path.is_file():
        report.add("file", SUMMARY_FILE, "missing")
        return None
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        report.add("file", SUMMARY_FILE, f"not valid JSON ({exc})")
        return None
    if not isinstance(summary, dict):
        report.add("file", SUMMARY_FILE, "is not a JSON object")
        return None
    for key in SUMMARY_KEYS:
        if key not in summary:
            report.add("summary", SUMMARY_FILE, f"missing key '{key}'")
    return summary


def _whole(value) -> int | None:
    """A JSON value as a whole number >= 0, or None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if not math.isfinite(value) or value < 0 or value != int(value):
        return None
    return int(value)


# --- rules on the decisions -------------------------------------------------------------------

def _reserve_allocation(ctx: _Context, summary: dict | None, report: CheckReport) -> dict[str, int]:
    """Mobile kits the city lent each district (summary.json), checked against the city reserve."""
    raw = (summary or {}).get("reserve_allocation", {})
    if not isinstance(raw, dict):
        report.add("reserve_allocation", SUMMARY_FILE, "reserve_allocation is not an object "
                                                       "{district_code: kits}")
        return {}
    allocation: dict[str, int] = {}
    for district, value in raw.items():
        kits = _whole(value)
        if str(district) not in ctx.district_index:
            report.add("reserve_allocation", SUMMARY_FILE, f"unknown district '{district}'")
        elif kits is None:
            report.add("reserve_allocation", f"district {district}",
                       f"{value!r} mobile kits is not a whole number >= 0")
        else:
            allocation[str(district)] = kits
    total = sum(allocation.values())
    if total > ctx.city_mobile_kits:
        report.add("reserve_allocation", SUMMARY_FILE,
                   f"{total} mobile kits lent to districts but the city reserve holds {ctx.city_mobile_kits}")
    return allocation


def _check_decisions(ctx: _Context, plan: _Table, reserve: dict[str, int], report: CheckReport) -> None:
    values = {c: np.where(plan.valid[c], plan.values[c], 0) for c in DECISION_COLUMNS}
    kits, mobile, teams, letters = (values[c] for c in DECISION_COLUMNS)
    mobile_shift = np.zeros(ctx.n_shifts, dtype=bool)
    mobile_shift[ctx.mobile_shifts] = True
    for i in range(ctx.n_wards):
        code = ctx.ward_codes[i]
        for d, s in zip(*np.nonzero(kits[i] > ctx.fixed_kits[i])):
            report.add("kits_open", ctx.ward_slot(i, d, s),
                       f"kits_open {kits[i, d, s]} exceeds the ward's fixed_kits {ctx.fixed_kits[i]}")
        for d, s in zip(*np.nonzero((mobile[i] > 0) & ~mobile_shift[None, :])):
            report.add("mobile_kits_shift", ctx.ward_slot(i, d, s),
                       f"{mobile[i, d, s]} mobile kit(s) outside the mobile-kit shifts "
                       f"{', '.join(ctx.shift_codes[m] for m in ctx.mobile_shifts)}")
        for d in range(ctx.n_days):
            counts = [int(mobile[i, d, m]) for m in ctx.mobile_shifts]
            if len(set(counts)) > 1:
                listing = ", ".join(f"{ctx.shift_codes[m]} {c}" for m, c in zip(ctx.mobile_shifts, counts))
                report.add("mobile_kits_day", f"ward {code}, {ctx.dates[d]}",
                           f"mobile kits differ between the shifts of one day's deployment ({listing})")
        for d, s in zip(*np.nonzero(teams[i] > 0)):
            if s != ctx.home_visit_shift:
                report.add("home_visit_shift", ctx.ward_slot(i, d, s),
                           f"{teams[i, d, s]} home-visit team(s) outside the home-visit shift "
                           f"{ctx.shift_codes[ctx.home_visit_shift]}")
        for d, s in zip(*np.nonzero(letters[i] > 0)):
            if d < ctx.lead_days:
                report.add("letters_lead", ctx.ward_slot(i, d, s),
                           f"{letters[i, d, s]} letters for day {d}, before invitation_lead_days "
                           f"{ctx.lead_days} (letters cannot be delivered in time)")
        per_day = letters[i].sum(axis=1)
        for d in np.flatnonzero(per_day > ctx.max_letters):
            report.add("letters_per_day", f"ward {code}, {ctx.dates[d]}",
                       f"{per_day[d]} letters exceed max_letters_per_ward_day {ctx.max_letters}")
        total = int(letters[i].sum())
        if total > ctx.pool[i]:
            report.add("letters_pool", f"ward {code}",
                       f"{total} letters in all exceed the invitable pool {ctx.pool[i]} "
                       f"(invited + walk-ins who would not come on their own)")
    district_of_ward = np.array([ctx.district_index[c] for c in ctx.ward_district])
    for k, district in enumerate(ctx.district_codes):
        in_district = mobile[district_of_ward == k].sum(axis=0)
        allowed = ctx.mobile_own[k] + reserve.get(district, 0)
        for d, s in zip(*np.nonzero(in_district > allowed)):
            report.add("mobile_kits_district", f"district {district}, {ctx.slot(d, s)}",
                       f"{in_district[d, s]} mobile kits on site but the district holds "
                       f"{ctx.mobile_own[k]} and the city lent it {reserve.get(district, 0)}")


# --- staffing ---------------------------------------------------------------------------------

_ROLE_SETS = list(range(1, 1 << len(ROLES)))   # every non-empty set of roles, as a bitmask


def _role_names(mask: int) -> str:
    return "{" + ", ".join(role for j, role in enumerate(ROLES) if mask >> j & 1) + "}"


def _crew_demand(ctx: _Context, plan: _Table) -> np.ndarray:
    """Officers needed by role: array [district, day, shift, role]."""
    values = {c: np.where(plan.valid[c], plan.values[c], 0) for c in DECISION_COLUMNS}
    demand = np.zeros((len(ctx.district_codes), ctx.n_days, ctx.n_shifts, len(ROLES)), dtype=np.int64)
    for i in range(ctx.n_wards):
        k = ctx.district_index[ctx.ward_district[i]]
        for column, crew in (("kits_open", ctx.crew_fixed), ("mobile_kits", ctx.crew_mobile),
                             ("home_visit_teams", ctx.crew_home_visit)):
            for role, count in crew.items():
                demand[k, :, :, ROLES.index(role)] += values[column][i] * count
    return demand


def _worst_set(needed: np.ndarray, available: np.ndarray) -> int | None:
    """The role set (bitmask) with the largest shortfall, fewer roles first; None if all covered."""
    worst, worst_gap = None, 0
    for mask in _ROLE_SETS:
        gap = needed[mask] - available[mask]
        if gap > worst_gap or (gap == worst_gap and gap > 0 and bin(mask).count("1") < bin(worst).count("1")):
            worst, worst_gap = mask, gap
    return worst


def _check_staffing(ctx: _Context, plan: _Table, report: CheckReport) -> None:
    demand = _crew_demand(ctx, plan)
    members = np.array([[mask >> j & 1 for j in range(len(ROLES))] for mask in [0] + _ROLE_SETS])
    needed = demand @ members.T            # [district, day, shift, role set]
    weeks = [range(start, min(start + 7, ctx.n_days)) for start in range(0, ctx.n_days, 7)]
    for k, district in enumerate(ctx.district_codes):
        officers = ctx.officers[k]
        holds = {mask: [o for o in officers if o.roles_mask & mask] for mask in _ROLE_SETS}
        for d in range(ctx.n_days):
            on_duty = np.zeros(len(_ROLE_SETS) + 1, dtype=np.int64)
            shifts_budget = np.zeros(len(_ROLE_SETS) + 1, dtype=np.int64)
            for mask, group in holds.items():
                here = [o for o in group if d not in o.leave_days]
                on_duty[mask] = len(here)
                shifts_budget[mask] = sum(o.max_shifts_per_day for o in here)
            for s in range(ctx.n_shifts):
                mask = _worst_set(needed[k, d, s], on_duty)
                if mask is not None:
                    report.add("crew_shift", f"district {district}, {ctx.slot(d, s)}",
                               f"crews need {needed[k, d, s, mask]} officers with a role in "
                               f"{_role_names(mask)} but the district has {on_duty[mask]} such "
                               f"officers not on leave")
            day_needed = needed[k, d].sum(axis=0)
            mask = _worst_set(day_needed, shifts_budget)
            if mask is not None:
                report.add("crew_day", f"district {district}, {ctx.dates[d]}",
                           f"crews need {day_needed[mask]} officer-shifts with a role in "
                           f"{_role_names(mask)} but its officers not on leave may work at most "
                           f"{shifts_budget[mask]} (max_shifts_per_day)")
        hours = np.array(ctx.hours)
        for w, days in enumerate(weeks):
            budget = np.zeros(len(_ROLE_SETS) + 1)
            for mask, group in holds.items():
                budget[mask] = sum(ctx.week_hours(o, days) for o in group)
            week_needed = (needed[k, days.start:days.stop] * hours[None, :, None]).sum(axis=(0, 1))
            mask = _worst_set(week_needed, budget + 1e-6)
            if mask is not None:
                report.add("crew_week", f"district {district}, week {w + 1} "
                                        f"({ctx.dates[days.start]}..{ctx.dates[days.stop - 1]})",
                           f"crews need {week_needed[mask]:g} officer-hours with a role in "
                           f"{_role_names(mask)} but its officers may work at most {budget[mask]:g} "
                           f"that week (max_hours_per_week, min_days_off_per_7)")
        _check_officer_rules(ctx, k, district, holds, needed[k], report)


def _check_officer_rules(ctx: _Context, k: int, district: str, holds: dict, needed: np.ndarray,
                         report: CheckReport) -> None:
    """What the roster rules imply for a district's crews ([day, shift, role set] officers needed),
    for the role sets crews are made of (each crew's roles, all crews' roles, each single role;
    docs/dynamics.md): two shifts of a day that are apart (min_rest) need distinct officers not
    on leave; a forbidden succession (a on day d, b on day d+1) needs distinct officers; in every
    run of 7 days (max_consecutive_days + 1 days) an officer works at most 7 - min_days_off_per_7
    (max_consecutive_days) of his days not on leave, covering one shift of each such pair a day."""
    rules = ctx.rules
    pairs = ctx.apart_pairs()
    successions = [(ctx.shift_index[a], ctx.shift_index[b]) for a, b in rules.forbidden_successions
                   if a in ctx.shift_index and b in ctx.shift_index]
    runs = {}
    if rules.min_days_off_per_7 and 7 <= ctx.n_days:
        runs[7] = 7 - rules.min_days_off_per_7
    if rules.max_consecutive_days and rules.max_consecutive_days + 1 <= ctx.n_days:
        length = rules.max_consecutive_days + 1
        runs[length] = min(runs.get(length, length), rules.max_consecutive_days)
    groups = [(s,) for s in range(ctx.n_shifts)] + pairs
    crews = [_role_mask(crew) for crew in (ctx.crew_fixed, ctx.crew_mobile, ctx.crew_home_visit)]
    used = 0
    for mask in crews:
        used |= mask
    crew_sets = set(crews) | {used} | {1 << j for j in range(len(ROLES)) if used >> j & 1}
    for mask, group in holds.items():
        if mask not in crew_sets or not needed[:, :, mask].any():
            continue
        present = np.array([[d not in o.leave_days for d in range(ctx.n_days)] for o in group], dtype=np.int64)
        on_duty = present.sum(axis=0) if len(group) else np.zeros(ctx.n_days, dtype=np.int64)
        for a, b in pairs:
            for d in np.flatnonzero(needed[:, a, mask] + needed[:, b, mask] > on_duty):
                report.add("crew_rest", f"district {district}, {ctx.dates[d]}",
                           f"shifts {ctx.shift_codes[a]} and {ctx.shift_codes[b]} need "
                           f"{needed[d, a, mask] + needed[d, b, mask]} officers with a role in "
                           f"{_role_names(mask)}, no one may work both (min_rest_hours), and "
                           f"{on_duty[d]} are not on leave")
        for a, b in successions:
            for d in np.flatnonzero(needed[:-1, a, mask] + needed[1:, b, mask] > len(group)):
                report.add("crew_succession", f"district {district}, {ctx.dates[d]}",
                           f"shift {ctx.shift_codes[a]} then {ctx.shift_codes[b]} the next day need "
                           f"{needed[d, a, mask] + needed[d + 1, b, mask]} officers with a role in "
                           f"{_role_names(mask)}, no one may work both (forbidden succession), "
                           f"and the district has {len(group)}")
        for length, most in sorted(runs.items()):
            if not len(group):
                continue
            days_a_run = np.minimum(np.stack([np.convolve(p, np.ones(length, dtype=np.int64), mode="valid")
                                              for p in present]), most).sum(axis=0)
            for shifts in groups:
                per_day = needed[:, list(shifts), mask].sum(axis=1)
                worked = np.convolve(per_day, np.ones(length, dtype=np.int64), mode="valid")
                for first in np.flatnonzero(worked > days_a_run):
                    report.add("crew_days_run", f"district {district}, {ctx.dates[first]}.."
                                                f"{ctx.dates[first + length - 1]}",
                               f"shift(s) {'+'.join(ctx.shift_codes[s] for s in shifts)} need "
                               f"{worked[first]} officer-days with a role in {_role_names(mask)} but "
                               f"its officers may work at most {days_a_run[first]} of these "
                               f"{length} days (min_days_off_per_7, max_consecutive_days, leave)")


# --- outcomes: re-simulation and the file's own balances ----------------------------------

def _first_of(ctx: _Context, report: CheckReport, rule: str, i: int, bad: np.ndarray, detail) -> None:
    """Report the first bad shift of ward i (detail(d, s) -> text) and how many more there are."""
    flat = np.flatnonzero(bad.reshape(-1))
    if len(flat) == 0:
        return
    d, s = divmod(int(flat[0]), ctx.n_shifts)
    more = len(flat) - 1
    suffix = f" (and {more} later shift(s) of this ward)" if more else ""
    report.add(rule, ctx.ward_slot(i, d, s), detail(d, s) + suffix)


def _complete_wards(ctx: _Context, plan: _Table, columns) -> list[int]:
    """Wards with every row present and every value of `columns` valid."""
    return [i for i in range(ctx.n_wards)
            if plan.present[i].all() and all(c in plan.valid and plan.valid[c][i].all() for c in columns)]


def _compare_simulation(ctx: _Context, plan: _Table, sim: dict[str, np.ndarray], wards,
                        report: CheckReport) -> None:
    for i in wards:
        for column in OUTCOME_COLUMNS:
            if column not in plan.values:
                continue
            found, expected = plan.values[column][i], sim[column][i]
            bad = plan.valid[column][i] & (found != expected)
            _first_of(ctx, report, "simulation", i, bad,
                      lambda d, s: f"{column}: expected {expected[d, s]}, found {found[d, s]}")


def _check_balances(ctx: _Context, plan: _Table, report: CheckReport) -> list[int]:
    """Totals, capacity, served within the queue, conservation: from the file's numbers alone.

    Returns the wards whose outcome numbers are complete (used for the projection check)."""
    wards = _complete_wards(ctx, plan, DECISION_COLUMNS + OUTCOME_COLUMNS)
    v = plan.values
    hours = np.array(ctx.hours)[None, :]
    for i in wards:
        x = {c: v[c][i] for c in DECISION_COLUMNS + OUTCOME_COLUMNS}
        parts = sum(x[c] for c in SERVED_PARTS)
        _first_of(ctx, report, "served_total", i, x["served"] != parts,
                  lambda d, s: f"served {x['served'][d, s]} is not the sum of the four served "
                               f"columns {parts[d, s]}")
        queues = x["queue_walk_in_end"] + x["queue_invited_end"]
        _first_of(ctx, report, "queue_total", i, x["queue_end"] != queues,
                  lambda d, s: f"queue_end {x['queue_end'][d, s]} is not queue_walk_in_end + "
                               f"queue_invited_end {queues[d, s]}")
        # served within arrivals plus the queue carried from the previous shift
        before_w = _previous_shift(x["queue_walk_in_end"])
        before_i = _previous_shift(x["queue_invited_end"])
        could_w = before_w + x["arrivals_walk_in"] + x["returns"]
        could_i = before_i + x["arrivals_invited"]
        _first_of(ctx, report, "served_within_queue", i,
                  (x["served_walk_in"] > could_w) | (x["queue_walk_in_end"] > could_w - x["served_walk_in"]),
                  lambda d, s: f"walk-in queue {could_w[d, s]} (carried + arrivals + returns) but "
                               f"served_walk_in {x['served_walk_in'][d, s]} and queue_walk_in_end "
                               f"{x['queue_walk_in_end'][d, s]}")
        _first_of(ctx, report, "served_within_queue", i,
                  (x["served_invited"] > could_i) | (x["queue_invited_end"] > could_i - x["served_invited"]),
                  lambda d, s: f"invited queue {could_i[d, s]} (carried + arrivals) but served_invited "
                               f"{x['served_invited'][d, s]} and queue_invited_end "
                               f"{x['queue_invited_end'][d, s]}")
        # capacity of the kits and teams the plan opened
        kit_hours = x["kits_open"] * hours
        cap_i = np.vectorize(_floor)(kit_hours * ctx.rate_invited)
        cap_w = np.vectorize(_floor)((kit_hours - x["served_invited"] / ctx.rate_invited) * ctx.rate_walk_in)
        cap_h = np.vectorize(_floor)(x["home_visit_teams"] * hours * ctx.people_per_team_hour)
        cap_h[:, np.arange(ctx.n_shifts) != ctx.home_visit_shift] = 0
        cap_m = np.vectorize(_floor)(x["mobile_kits"] * hours * ctx.rate_institution)
        cap_m[:, ~np.isin(np.arange(ctx.n_shifts), ctx.mobile_shifts)] = 0
        for column, cap, what in (("served_invited", cap_i, "kit hours"),
                                  ("served_walk_in", cap_w, "kit hours left after the invited"),
                                  ("served_homebound", cap_h, "home-visit team hours"),
                                  ("served_institution", cap_m, "mobile kit hours")):
            _first_of(ctx, report, "capacity", i, x[column] > cap,
                      lambda d, s: f"{column} {x[column][d, s]} exceeds what the {what} allow ({cap[d, s]})")
        # conservation at every shift end
        series = _people_by_state(ctx, i, x)
        total = series["enrolled"] + series["waiting"] + series["not_yet_arrived"] + series["given_up"]
        negative = {name: arr for name, arr in series.items()
                    if name != "not_yet_arrived" and (arr < 0).any()}
        _first_of(ctx, report, "conservation", i, total != ctx.target[i],
                  lambda d, s: f"enrolled {series['enrolled'][d, s]} + waiting {series['waiting'][d, s]} "
                               f"+ not yet arrived {series['not_yet_arrived'][d, s]} + given up "
                               f"{series['given_up'][d, s]} = {total[d, s]}, target {ctx.target[i]}")
        for name, arr in negative.items():
            _first_of(ctx, report, "conservation", i, arr < 0,
                      lambda d, s: f"{name.replace('_', ' ')} is {arr[d, s]} (< 0)")
    return wards


def _previous_shift(queue: np.ndarray) -> np.ndarray:
    """The queue carried into each shift (0 into the first), from queues at shift ends."""
    return np.concatenate([[0], queue.reshape(-1)[:-1]]).reshape(queue.shape)


def _people_by_state(ctx: _Context, i: int, x: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Enrolled, waiting, not yet arrived, given up at each shift end of ward i (arrays [day, shift]).

    The components of "not yet arrived" are kept apart so that a negative one is visible."""
    shape = x["served"].shape

    def cum(a):
        return np.cumsum(a.reshape(-1)).reshape(shape)

    walk_ins_to_come = ctx.walk_ins_coming[i] - cum(x["arrivals_walk_in"])
    pool_not_arrived = ctx.pool[i] - cum(x["arrivals_invited"])
    homebound_left = ctx.homebound[i] - cum(x["served_homebound"])
    institution_left = ctx.institution[i] - cum(x["served_institution"])
    return {
        "enrolled": cum(sum(x[c] for c in SERVED_PARTS)),
        "waiting": x["queue_walk_in_end"] + x["queue_invited_end"],
        "not_yet_arrived": walk_ins_to_come + pool_not_arrived + homebound_left + institution_left,
        "given_up": cum(x["gave_up"]) - cum(x["returns"]),
        "walk_ins_still_to_arrive": walk_ins_to_come,
        "invitable_pool_not_arrived": pool_not_arrived,
        "homebound_not_enrolled": homebound_left,
        "institution_not_enrolled": institution_left,
    }


# --- projection and summary ---------------------------------------------------------------

def _coverage(enrolled: int, target: int) -> float:
    return 1.0 if target == 0 else enrolled / target


def _check_projection(ctx: _Context, out: Path, references: dict[int, tuple[str, dict]],
                      report: CheckReport) -> None:
    """projection.csv against end-of-day numbers: for each ward (source, people by state) from
    plan.csv's numbers, or from the re-simulation where plan.csv's outcome columns are unusable."""
    frame = _read_csv(out / PROJECTION_FILE, PROJECTION_COLUMNS, report)
    if frame is None or any(c not in frame.columns for c in ("ward_code", "day")):
        return
    table = _layout(ctx, frame, PROJECTION_FILE, PROJECTION_COUNT_COLUMNS, False, report)
    coverage = None
    if "coverage" in frame.columns:
        coverage = np.full((ctx.n_wards, ctx.n_days), np.nan)
        ward = np.array([ctx.ward_index.get(code, -1) for code in frame["ward_code"]])
        day, day_ok = _parse_counts(frame["day"])
        numbers = pd.to_numeric(frame["coverage"], errors="coerce").to_numpy(dtype=float)
        keep = (ward >= 0) & day_ok & (day < ctx.n_days)
        coverage[ward[keep][::-1], day[keep][::-1]] = numbers[keep][::-1]   # first row wins
    for i, (source, series) in references.items():
        last = ctx.n_shifts - 1
        expected = {name: series[name][:, last] for name in PROJECTION_COUNT_COLUMNS[1:]}
        expected["enrolled_cum"] = series["enrolled"][:, last]
        for column in PROJECTION_COUNT_COLUMNS:
            if column not in table.values:
                continue
            found, want = table.values[column][i], expected[column]
            bad = table.present[i] & table.valid[column][i] & (found != want)
            days = np.flatnonzero(bad)
            if len(days):
                d = days[0]
                more = f" (and {len(days) - 1} later day(s) of this ward)" if len(days) > 1 else ""
                report.add("projection", f"ward {ctx.ward_codes[i]}, {ctx.dates[d]}",
                           f"{column}: expected {want[d]} (from {source}), found {found[d]}{more}")
        if coverage is not None:
            want = np.array([_coverage(int(e), ctx.target[i]) for e in expected["enrolled_cum"]])
            bad = table.present[i] & ~(np.abs(coverage[i] - want) <= COVERAGE_TOLERANCE)
            days = np.flatnonzero(bad)
            if len(days):
                d = days[0]
                more = f" (and {len(days) - 1} later day(s) of this ward)" if len(days) > 1 else ""
                report.add("projection", f"ward {ctx.ward_codes[i]}, {ctx.dates[d]}",
                           f"coverage: expected {want[d]:.6f}, found {_number(coverage[i, d])}{more}")


def _number(value: float) -> str:
    return "(not a number)" if np.isnan(value) else f"{value:.6f}"


def _check_summary(ctx: _Context, summary: dict | None, kpis: dict, scenario: Scenario,
                   report: CheckReport) -> None:
    if summary is None:
        return
    if "target" in summary and summary["target"] != kpis["target"]:
        report.add("summary", SUMMARY_FILE, f"target: expected {kpis['target']}, found {summary['target']!r}")
    if "enrolled" in summary and kpis.get("enrolled") is not None and summary["enrolled"] != kpis["enrolled"]:
        report.add("summary", SUMMARY_FILE,
                   f"enrolled: expected {kpis['enrolled']} (re-simulated), found {summary['enrolled']!r}")
    if "coverage" in summary and kpis.get("coverage") is not None:
        found = summary["coverage"]
        if (isinstance(found, bool) or not isinstance(found, (int, float))
                or not abs(found - kpis["coverage"]) <= COVERAGE_TOLERANCE):
            report.add("summary", SUMMARY_FILE,
                       f"coverage: expected {kpis['coverage']:.6f} (re-simulated), found {found!r}")
    if "baseline_enrolled" in summary:
        baseline = _whole(summary["baseline_enrolled"])
        if baseline is None or baseline > kpis["target"]:
            report.add("summary", SUMMARY_FILE, f"baseline_enrolled {summary['baseline_enrolled']!r} "
                                                f"is not a whole number in 0..target {kpis['target']}")
    _check_bound(summary, kpis, report)
    if "input_hash" in summary and summary["input_hash"] != scenario.input_hash:
        report.add("summary", SUMMARY_FILE,
                   f"input_hash {summary['input_hash']!r} is not this scenario's "
                   f"({scenario.input_hash}): plan made for other inputs?")


def _check_bound(summary: dict, kpis: dict, report: CheckReport) -> None:
    """A plan never enrolls more than its proven bound, and the gap is not floored: a plan above
    its bound is a violation (the bound is not a relaxation of the officers' rules)."""
    bound = summary.get("max_enrollable")
    enrolled = kpis.get("enrolled")
    if isinstance(bound, (int, float)) and not isinstance(bound, bool) and enrolled is not None \
            and enrolled > bound:
        report.add("bound", SUMMARY_FILE, f"the plan enrolls {enrolled} (re-simulated), above its "
                                          f"proven bound max_enrollable {bound}")
    objective, objective_bound, gap = (summary.get(k) for k in ("objective", "objective_bound", "gap"))
    numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (objective, objective_bound, gap))
    if numbers and objective_bound:
        expected = (objective_bound - objective) / abs(objective_bound)
        if abs(gap - expected) > 1e-5 + 1e-3 / abs(objective_bound):   # the summary rounds to 3 decimals
            report.add("bound", SUMMARY_FILE, f"gap {gap} is not (objective_bound - objective) / "
                                              f"|objective_bound| = {expected:.6f}")
    if summary.get("status") == "bound_violated":
        report.add("bound", SUMMARY_FILE, "status bound_violated: the plan is above its proven bound")


def _kpis(ctx: _Context, sim: dict[str, np.ndarray] | None, simulated: list[int]) -> dict:
    target = int(sum(ctx.target))
    district_target = {code: 0 for code in ctx.district_codes}
    for i, code in enumerate(ctx.ward_district):
        district_target[code] += ctx.target[i]
    kpis = {"target": target, "enrolled": None, "coverage": None, "district_target": district_target,
            "district_enrolled": None, "district_coverage": None,
            "wards_resimulated": len(simulated), "wards": ctx.n_wards}
    if sim is None or len(simulated) != ctx.n_wards:
        return kpis
    per_ward = sim["served"].sum(axis=(1, 2))
    district_enrolled = {code: 0 for code in ctx.district_codes}
    for i, code in enumerate(ctx.ward_district):
        district_enrolled[code] += int(per_ward[i])
    enrolled = int(per_ward.sum())
    kpis.update(enrolled=enrolled, coverage=_coverage(enrolled, target),
                district_enrolled=district_enrolled,
                district_coverage={code: _coverage(district_enrolled[code], district_target[code])
                                   for code in ctx.district_codes})
    return kpis


# --- entry point --------------------------------------------------------------------------

def check_plan(scenario: Scenario, out_dir: str | Path) -> CheckReport:
    """Re-verify a planner output folder (plan.csv, projection.csv, summary.json) from scratch."""
    out = Path(out_dir)
    ctx = _Context(scenario)
    report = CheckReport()
    summary = _read_summary(out, report)
    reserve = _reserve_allocation(ctx, summary, report)
    sim, simulated, references = _check_plan_file(ctx, out, PLAN_FILE, reserve, report)
    _check_projection(ctx, out, references, report)
    report.kpis = _kpis(ctx, sim, simulated)
    _check_summary(ctx, summary, report.kpis, scenario, report)
    return report


def check_baseline(scenario: Scenario, out_dir: str | Path) -> CheckReport:
    """Re-verify the fair baseline (baseline_plan.csv) exactly as the plan: its decisions, its
    staffing under the same officer rules (with summary.json's baseline_reserve_allocation), its
    numbers against a re-simulation, and summary.json's baseline_enrolled."""
    out = Path(out_dir)
    ctx = _Context(scenario)
    report = CheckReport()
    summary = _read_summary(out, report)
    reserve = _reserve_allocation(ctx, {"reserve_allocation": (summary or {}).get("baseline_reserve_allocation", {})},
                                  report)
    sim, simulated, _ = _check_plan_file(ctx, out, BASELINE_PLAN_FILE, reserve, report)
    report.kpis = _kpis(ctx, sim, simulated)
    if summary is not None and report.kpis.get("enrolled") is not None \
            and summary.get("baseline_enrolled") != report.kpis["enrolled"]:
        report.add("summary", SUMMARY_FILE, f"baseline_enrolled: expected {report.kpis['enrolled']} "
                                            f"(re-simulated), found {summary.get('baseline_enrolled')!r}")
    return report


def _check_plan_file(ctx: _Context, out: Path, file: str, reserve: dict[str, int], report: CheckReport):
    """Decisions, staffing, re-simulation and balances of one plan file; returns the
    re-simulation, the wards re-simulated and each ward's people by state (for projections)."""
    plan = _read_plan(ctx, out, report, file)
    sim, simulated, references = None, [], {}
    if plan is None:
        return sim, simulated, references
    _check_decisions(ctx, plan, reserve, report)
    _check_staffing(ctx, plan, report)
    simulated = _complete_wards(ctx, plan, DECISION_COLUMNS)
    for i in sorted(set(range(ctx.n_wards)) - set(simulated)):
        if plan.present[i].any():
            report.add("simulation", f"ward {ctx.ward_codes[i]}",
                       "not re-simulated: rows missing or decision values not whole numbers >= 0")
    decisions = {c: plan.values[c] for c in DECISION_COLUMNS}
    sim = _resimulate(ctx, decisions, simulated)
    _compare_simulation(ctx, plan, sim, simulated, report)
    for i in _check_balances(ctx, plan, report):
        from_file = {c: plan.values[c][i] for c in OUTCOME_COLUMNS}
        references[i] = (file, _people_by_state(ctx, i, from_file))
    for i in simulated:
        if i not in references:
            from_sim = {c: sim[c][i] for c in OUTCOME_COLUMNS}
            references[i] = ("re-simulation", _people_by_state(ctx, i, from_sim))
    return sim, simulated, references
