"""What a re-plan changed against the last published plan: kits per ward and shift, officer shifts.

`plan_diff` compares two plans (decisions and, when both have them, rosters) from a given day
on and returns diff.csv's rows and the counts the summary reports. Each row is one change:
- kind `ward`: a ward, date and shift whose `field` (kits_open, mobile_kits, home_visit_teams,
  letters) went from `before` to `after` (`change` = after - before);
- kind `officer`: an officer's shift that was `added`, `removed` or `moved` (other ward or role);
  before/after read `<ward_code> <role>`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..scenario import Scenario
from ..simulation import Decisions
from .store import roster_frame

DIFF_COLUMNS = ["kind", "district_code", "ward_code", "date", "day", "shift", "officer_id", "display_name",
                "field", "before", "after", "change"]
FIELDS = Decisions.FIELDS


def decision_changes(scenario: Scenario, before: Decisions, after: Decisions, from_day: int) -> pd.DataFrame:
    wards = scenario.wards
    codes, dates = scenario.shift_codes, scenario.dates
    rows = []
    for field in FIELDS:
        old, new = getattr(before, field), getattr(after, field)
        for w, d, s in np.argwhere(old[:, from_day:] != new[:, from_day:]):
            d = d + from_day
            rows.append({"kind": "ward", "district_code": wards["district_code"].iat[w], "ward_code": wards.index[w],
                         "date": dates[d].isoformat(), "day": int(d), "shift": codes[s], "officer_id": "",
                         "display_name": "", "field": field, "before": int(old[w, d, s]),
                         "after": int(new[w, d, s]), "change": int(new[w, d, s] - old[w, d, s])})
    return pd.DataFrame(rows, columns=DIFF_COLUMNS)


def roster_changes(before: pd.DataFrame, after: pd.DataFrame, from_day: int) -> pd.DataFrame:
    old = roster_frame(before)
    new = roster_frame(after)
    old = old[old["day"] >= from_day]
    new = new[new["day"] >= from_day]
    key = ["officer_id", "day", "shift"]

    def by_slot(frame):
        out = {}
        for row in frame.to_dict("records"):
            out.setdefault(tuple(row[k] for k in key), []).append(row)
        return out

    a, b = by_slot(old), by_slot(new)
    rows = []
    for slot in sorted(set(a) | set(b), key=lambda k: (k[1], k[2], k[0])):
        was = sorted(f"{r['ward_code']} {r['role']}" for r in a.get(slot, []))
        now = sorted(f"{r['ward_code']} {r['role']}" for r in b.get(slot, []))
        if was == now:
            continue
        ref = (b.get(slot) or a.get(slot))[0]
        change = "added" if not was else "removed" if not now else "moved"
        rows.append({"kind": "officer", "district_code": ref["district_code"], "ward_code": ref["ward_code"],
                     "date": ref["date"], "day": int(ref["day"]), "shift": ref["shift"],
                     "officer_id": ref["officer_id"], "display_name": ref["display_name"], "field": "assignment",
                     "before": "; ".join(was), "after": "; ".join(now), "change": change})
    return pd.DataFrame(rows, columns=DIFF_COLUMNS)


def plan_diff(scenario: Scenario, before: Decisions, after: Decisions, from_day: int, *,
              roster_before: pd.DataFrame | None = None,
              roster_after: pd.DataFrame | None = None) -> tuple[pd.DataFrame, dict]:
    """diff.csv's rows and the counts: changed kit-shifts (fixed + mobile), team-days, letters, officer shifts."""
    wards = decision_changes(scenario, before, after, from_day)
    counts = {}
    for field in FIELDS:
        delta = getattr(after, field)[:, from_day:] - getattr(before, field)[:, from_day:]
        counts[field] = int(np.abs(delta).sum())
    codes = scenario.shift_codes
    home = codes.index(scenario.settings.home_visit.shift)
    counts["home_visit_teams"] = int(np.abs(after.home_visit_teams[:, from_day:, home]
                                            - before.home_visit_teams[:, from_day:, home]).sum())
    summary = {"changed_kit_shifts": counts["kits_open"] + counts["mobile_kits"],
               "changes": {"fixed_kit_shifts": counts["kits_open"], "mobile_kit_shifts": counts["mobile_kits"],
                           "home_visit_team_days": counts["home_visit_teams"], "letters": counts["letters"],
                           "ward_shifts_changed": int(wards[["ward_code", "day", "shift"]].drop_duplicates().shape[0])},
               "changed_officer_shifts": None, "officer_shifts_added": None, "officer_shifts_removed": None,
               "officer_shifts_moved": None}
    frames = [wards]
    if roster_before is not None and roster_after is not None:
        officers = roster_changes(roster_before, roster_after, from_day)
        frames.append(officers)
        summary.update({"changed_officer_shifts": int(len(officers)),
                        "officer_shifts_added": int((officers["change"] == "added").sum()),
                        "officer_shifts_removed": int((officers["change"] == "removed").sum()),
                        "officer_shifts_moved": int((officers["change"] == "moved").sum())})
    frames = [f for f in frames if len(f)]
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=DIFF_COLUMNS)
    return table[DIFF_COLUMNS], summary
