"""Stand-ins for tests, demos and benchmarks: actuals drawn from a simulated outcome, and a
greedy roster function to use until `optimizer.crews.plan_staffing` lands.

`greedy_roster` is NOT a rostering engine: it fills each crew slot of the plan (kits, mobile
kits, home-visit teams) with an officer of the ward's district who holds the role, preferring
the officer who had that slot in the previous roster, then officers of the ward, in officer
order, at most `max_shifts_per_day` shifts a day and never on leave; it ignores rest, weekly
hours and successions. It follows the roster-function contract of `optimizer.nightly.roster`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

import pandas as pd

from ..result import PlanResult
from ..scenario import Scenario
from ..simulation import Outcome
from ..staffing import CrewNeeds
from .store import roster_frame


def actuals_from_outcome(scenario: Scenario, outcome: Outcome, days: range | list[int], *,
                         cohorts: bool = True, wards: list[str] | None = None) -> pd.DataFrame:
    """An actuals table (ward_code, date, enrolled[, enrolled_<cohort>...]) from simulated enrollments."""
    rows = []
    for w, code in enumerate(scenario.wards.index):
        if wards is not None and code not in wards:
            continue
        for d in days:
            row = {"ward_code": code, "date": scenario.dates[d].isoformat(),
                   "enrolled": int(outcome.served[w, d].sum())}
            if cohorts:
                row.update({"enrolled_walk_in": int(outcome.served_walk_in[w, d].sum()),
                            "enrolled_invited": int(outcome.served_invited[w, d].sum()),
                            "enrolled_homebound": int(outcome.served_homebound[w, d].sum()),
                            "enrolled_institution": int(outcome.served_institution[w, d].sum())})
            rows.append(row)
    return pd.DataFrame(rows)


def write_actuals(frame: pd.DataFrame, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False)
    return path


def greedy_roster(result: PlanResult, *, first_free_day: int, frozen_roster: pd.DataFrame | None,
                  previous_roster: pd.DataFrame | None, **ignored) -> None:
    """Fill the plan's crew slots from `first_free_day` on (see the module docstring)."""
    scenario = result.scenario
    officers = scenario.officers
    if officers is None:
        result.roster = None
        return
    rules = scenario.settings.officer_rules
    crew = CrewNeeds.of(scenario)
    codes = scenario.shift_codes
    mobile_shifts = {codes.index(c) for c in scenario.settings.mobile_kit.shifts}
    home_shift = codes.index(scenario.settings.home_visit.shift)
    decisions = result.decisions
    wards = scenario.wards
    leave = {o: {dt.date.fromisoformat(t) for t in filter(None, str(r["leave_dates"]).split("|"))}
             for o, r in officers.iterrows()}
    max_a_day = {o: (rules.max_shifts_per_day if pd.isna(r["max_shifts_per_day"]) else int(r["max_shifts_per_day"]))
                 for o, r in officers.iterrows()}
    previous = defaultdict(list)
    if previous_roster is not None:
        for r in roster_frame(previous_roster).to_dict("records"):
            previous[(int(r["day"]), r["shift"], r["ward_code"], r["role"])].append(r["officer_id"])
    holders_by = defaultdict(list)     # (district, role) -> officers in file order
    home_of = {}
    for o, r in officers.iterrows():
        home_of[o] = r["home_ward"]
        for role in r["roles"].split("|"):
            holders_by[(r["district_code"], role)].append(o)
    rows = [] if frozen_roster is None else roster_frame(frozen_roster).to_dict("records")
    busy = defaultdict(set)            # (officer, day) -> shifts
    for r in rows:
        busy[(r["officer_id"], int(r["day"]))].add(r["shift"])
    for d in range(first_free_day, scenario.n_days):
        date = scenario.dates[d]
        for s, shift in enumerate(codes):
            for w, ward in enumerate(wards.index):
                needs: dict[str, int] = defaultdict(int)
                for role, n in crew.kit.items():
                    needs[role] += n * int(decisions.kits_open[w, d, s])
                if s in mobile_shifts:
                    for role, n in crew.mobile.items():
                        needs[role] += n * int(decisions.mobile_kits[w, d, s])
                if s == home_shift:
                    for role, n in crew.home_visit.items():
                        needs[role] += n * int(decisions.home_visit_teams[w, d, s])
                district = wards.at[ward, "district_code"]
                for role in sorted(needs):
                    holders = holders_by[(district, role)]
                    home = [o for o in holders if home_of[o] == ward]
                    order = list(dict.fromkeys([o for o in previous[(d, shift, ward, role)] if o in holders]
                                               + home + holders))
                    for _ in range(needs[role]):
                        for o in order:
                            day_shifts = busy[(o, d)]
                            if shift not in day_shifts and len(day_shifts) < max_a_day[o] and date not in leave[o]:
                                day_shifts.add(shift)
                                rows.append({"officer_id": o, "display_name": officers.at[o, "display_name"],
                                             "district_code": district, "home_ward": officers.at[o, "home_ward"],
                                             "date": date.isoformat(), "day": d, "shift": shift,
                                             "ward_code": ward, "role": role})
                                break
    result.roster = pd.DataFrame(rows, columns=["officer_id", "display_name", "district_code", "home_ward", "date",
                                                "day", "shift", "ward_code", "role"])
    result.roster_report = {"engine": "greedy stand-in", "rows": len(rows)}
