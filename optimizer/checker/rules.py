"""The rules a plan file is checked against: its decisions, its staffing (the officer rules
as roster_check applies them), its numbers against the re-simulation and their own balances,
the projection and the summary (bound included)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..scenario import ROLES, Scenario
from .arithmetic import _floor
from .context import _Context, _role_mask
from .layout import (
    COVERAGE_TOLERANCE,
    DECISION_COLUMNS,
    OUTCOME_COLUMNS,
    PROJECTION_COLUMNS,
    PROJECTION_COUNT_COLUMNS,
    PROJECTION_FILE,
    SERVED_PARTS,
    SUMMARY_FILE,
    _layout,
    _parse_counts,
    _read_csv,
    _Table,
    _whole,
)
from .report import CheckReport

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
        if gap > worst_gap or (gap == worst_gap and gap > 0 and worst is not None
                               and bin(mask).count("1") < bin(worst).count("1")):
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
                short_set = _worst_set(needed[k, d, s], on_duty)
                if short_set is not None:
                    report.add("crew_shift", f"district {district}, {ctx.slot(d, s)}",
                               f"crews need {needed[k, d, s, short_set]} officers with a role in "
                               f"{_role_names(short_set)} but the district has {on_duty[short_set]} such "
                               f"officers not on leave")
            day_needed = needed[k, d].sum(axis=0)
            short_set = _worst_set(day_needed, shifts_budget)
            if short_set is not None:
                report.add("crew_day", f"district {district}, {ctx.dates[d]}",
                           f"crews need {day_needed[short_set]} officer-shifts with a role in "
                           f"{_role_names(short_set)} but its officers not on leave may work at most "
                           f"{shifts_budget[short_set]} (max_shifts_per_day)")
        hours = np.array(ctx.hours)
        for w, days in enumerate(weeks):
            budget = np.zeros(len(_ROLE_SETS) + 1)
            for mask, group in holds.items():
                budget[mask] = sum(ctx.week_hours(o, days) for o in group)
            week_needed = (needed[k, days.start:days.stop] * hours[None, :, None]).sum(axis=(0, 1))
            short_set = _worst_set(week_needed, budget + 1e-6)
            if short_set is not None:
                report.add("crew_week", f"district {district}, week {w + 1} "
                                        f"({ctx.dates[days.start]}..{ctx.dates[days.stop - 1]})",
                           f"crews need {week_needed[short_set]:g} officer-hours with a role in "
                           f"{_role_names(short_set)} but its officers may work at most {budget[short_set]:g} "
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
    if rules.min_days_off_per_7 and ctx.n_days >= 7:
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
    kpis: dict[str, Any] = {"target": target, "enrolled": None, "coverage": None, "district_target": district_target,
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
