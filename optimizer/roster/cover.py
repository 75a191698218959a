"""Fill the crew slots a quick roster left empty: a mixed-integer program over windows of days.

A greedy roster fills slots one at a time, so it spends officers' weekly hours and working
days early and leaves slots empty later in the week, although a roster that fills them exists.
Here, around each stretch of days with empty slots, every employee's shifts over a window of
days are decided again together by the window program (`window.py`: every rule, the rest of the
roster fixed; fewest people missing first, then requests, shifts worked and the roster as it
was).

The windows are solved in day order, each from the roster the previous one left; where slots
are still empty after them, the whole campaign (from `first_day`) at once: started that close to
its optimum, that program is usually solved at the root, and it moves hours and days off across
the windows' edges (on the Hà Nội plan it reaches the proven fewest empty slots in the
districts tried, where the windows alone left up to five more). HiGHS runs on
one thread from the roster as it was (a feasible start) and stops on a node limit, so the same
roster and seed give the same result; a wall-clock limit only guards an overloaded machine.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict

from .compiled import Compiled
from .draft import RosterDraft
from .problem import RosterProblem
from .window import WindowProgram

__all__ = ["fill_cover", "fewest_missing", "windows", "empty_days"]

# A window spans the days with empty slots plus WINDOW_PAD_DAYS on each side (room to move a
# shift or a day off to), merged with the next stretch while it stays within WINDOW_MAX_DAYS:
# 9-12 days of a district's officers solve in about a second, whole months in ten.
WINDOW_PAD_DAYS = 3
WINDOW_MAX_DAYS = 12


def empty_days(compiled: Compiled, plan: RosterDraft, first_day: int = 0) -> dict[int, int]:
    """People missing per day (summed over the day's slots), from `first_day` on."""
    have: dict[tuple, int] = defaultdict(int)
    for (e, d), works in plan.cells.items():
        for s, role, _ in works:
            have[(d, s, role)] += 1
    missing: dict[int, int] = defaultdict(int)
    for (d, s, role), demands in compiled.slot_demands.items():
        if d >= first_day:
            gap = sum(dm.requirement for dm in demands) - have[(d, s, role)]
            if gap > 0:
                missing[d] += gap
    return dict(missing)


def windows(days_with_gaps: list[int], horizon: int, first_day: int = 0) -> list[range]:
    """Windows of days around the days with empty slots (see WINDOW_PAD_DAYS), in day order."""
    spans: list[list[int]] = []
    for d in sorted(days_with_gaps):
        low, high = max(first_day, d - WINDOW_PAD_DAYS), min(horizon - 1, d + WINDOW_PAD_DAYS)
        if spans and low <= spans[-1][1] + 1 and high - spans[-1][0] < WINDOW_MAX_DAYS:
            spans[-1][1] = high
        else:
            spans.append([low, high])
    return [range(low, high + 1) for low, high in spans]


def fill_cover(problem: RosterProblem, plan: RosterDraft, *, first_day: int = 0, seed: int = 0,
               deadline: float | None = None) -> tuple[RosterDraft, dict]:
    """Fill empty slots of `plan` window by window, then over the whole campaign if any is left
    (see the module docstring); days before `first_day` (a frozen window) are never touched.
    Returns the new plan and {windows, nodes, filled}."""
    compiled = Compiled(problem)
    stats = {"windows": 0, "nodes": 0}
    missing = empty_days(compiled, plan, first_day)
    before = sum(missing.values())
    for days in windows(list(missing), compiled.horizon, first_day) + [range(first_day, compiled.horizon)]:
        if deadline is not None and time.monotonic() >= deadline:
            break
        if not any(d in days for d in missing):
            continue   # an earlier window filled these days already
        program = WindowProgram(compiled, plan, days)
        seconds = None if deadline is None else max(0.1, deadline - time.monotonic())
        chosen, nodes, _ = program.solve(seed, seconds)
        stats["windows"] += 1
        stats["nodes"] += nodes
        if chosen is not None:
            candidate = program.apply(chosen)
            missing_after = empty_days(compiled, candidate, first_day)
            if sum(missing_after.values()) <= sum(missing.values()):
                plan, missing = candidate, missing_after
    stats["filled"] = before - sum(missing.values())
    return plan, stats


def fewest_missing(problem: RosterProblem, plan: RosterDraft, *, seed: int = 0,
                   time_limit_seconds: float | None = None) -> int:
    """A proof: no roster leaves fewer people missing than this over the whole horizon (the
    program of every day at once, people missing alone in the objective, its dual bound)."""
    compiled = Compiled(problem)
    program = WindowProgram(compiled, plan, range(compiled.horizon), cover_only=True)
    _, _, bound = program.solve(seed, time_limit_seconds)
    return max(0, math.ceil(bound - 1e-6))


