"""The one door to officer rosters from the nightly re-plan.

`make_roster(result, roster_fn, ...)` asks a roster function for the officers of the re-planned
days and then makes sure that what officers were already told stays: every roster row on a day
before `first_free_day` (days already worked and the freeze window) is the published row.

A roster function has this signature (tests pass a stub; the default calls the lead engineer's
`optimizer.planner.add_roster`, i.e. `optimizer.crews.plan_staffing.staff_plan`):

    roster_fn(result: PlanResult, *, first_free_day: int, frozen_roster: DataFrame | None,
              previous_roster: DataFrame | None, pinned: Decisions | None, fixed: Decisions | None,
              workers: int | None, time_limit_seconds: float | None, seed: int | None,
              progress=None) -> None

and sets `result.roster` (columns officer_id, display_name, district_code, home_ward, date, day,
shift, ward_code, role), optionally `result.unstaffed` and `result.roster_report`.
`frozen_roster` holds the published rows that must stay exactly as they are (days before
`first_free_day`); `previous_roster` holds the published rows of the later days, which the
roster should change as little as the objective allows (each changed officer-shift costs).
`pinned` and `fixed` are the re-plan's pinned and past decisions, for a roster step that
re-plans districts it cannot staff.
It raises `RosterUnavailable` when it cannot roster at all; the nightly then publishes the plan
without rosters and says so. It may cut the plan's decisions (kits nobody can staff) and
re-simulate with `result.window` (the arrivals, start state and first day of the run); the
diff and the summary are taken after it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pandas as pd

from ..result import PlanResult
from .store import roster_frame

RosterFunction = Callable[..., None]


class RosterUnavailable(RuntimeError):
    """No roster can be made (e.g. the rostering integration is not installed)."""


def staffed_roster(result: PlanResult, *, first_free_day: int, frozen_roster: pd.DataFrame | None,
                   previous_roster: pd.DataFrame | None, pinned=None, fixed=None, workers: int | None = None,
                   time_limit_seconds: float | None = None, seed: int | None = None, progress=None) -> None:
    """The default roster function: the planner's own roster step (`optimizer.planner.add_roster`,
    which re-plans districts the officers cannot staff) with the frozen and previous rows."""
    try:
        from ..planner import SolveOptions, add_roster
    except ImportError as exc:
        raise RosterUnavailable(f"rostering is not available ({exc})") from None
    window = dataclasses.replace(result.window, frozen_roster=frozen_roster, previous_roster=previous_roster,
                                 pinned=pinned, fixed=fixed)
    try:
        add_roster(result, SolveOptions(workers=workers, time_limit_seconds=time_limit_seconds, progress=progress),
                   window)
    except ImportError as exc:   # the rostering engine behind it is not installed yet
        raise RosterUnavailable(f"rostering is not available ({exc})") from None


def split_roster(roster: pd.DataFrame | None, first_free_day: int) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """(rows before first_free_day, rows from it on) of a published roster."""
    if roster is None:
        return None, None
    frame = roster_frame(roster)
    return (frame[frame["day"] < first_free_day].reset_index(drop=True),
            frame[frame["day"] >= first_free_day].reset_index(drop=True))


def make_roster(result: PlanResult, roster_fn: RosterFunction, *, first_free_day: int,
                published_roster: pd.DataFrame | None, pinned=None, fixed=None, workers=None,
                time_limit_seconds=None, seed=None, progress=None) -> list[str]:
    """Roster the re-planned days and keep the published rows before `first_free_day`; returns notes."""
    frozen, previous = split_roster(published_roster, first_free_day)
    roster_fn(result, first_free_day=first_free_day, frozen_roster=frozen, previous_roster=previous,
              pinned=pinned, fixed=fixed, workers=workers, time_limit_seconds=time_limit_seconds, seed=seed,
              progress=progress)
    if result.roster is None:
        raise RosterUnavailable("the roster function made no roster")
    made = roster_frame(result.roster)
    notes = []
    if frozen is not None:
        window = (made["day"] >= result.first_day) & (made["day"] < first_free_day)   # days it rostered
        kept = made[window]
        expected = frozen[frozen["day"] >= result.first_day]
        if not _same_rows(kept, expected):
            notes.append("the roster function changed rows of frozen days; the published rows were kept")
        made = pd.concat([frozen, made[made["day"] >= first_free_day]], ignore_index=True)
    result.roster = made.sort_values(["day", "shift", "ward_code", "role", "officer_id"]).reset_index(drop=True)
    return notes


def _same_rows(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    key = ["officer_id", "day", "shift", "ward_code", "role"]
    return (len(a) == len(b) and
            a[key].sort_values(key).reset_index(drop=True).equals(b[key].sort_values(key).reset_index(drop=True)))
