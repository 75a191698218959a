"""Fill the crew slots a quick roster left empty: a mixed-integer program over the whole campaign.

A greedy roster fills slots one at a time, so it spends officers' weekly hours and working
days early and leaves slots empty later in the week, although a roster that fills them exists.
Here the shifts of every employee from `first_day` to the end of the campaign are decided again
together by the window program (`window.py`: every rule, the days before `first_day` fixed;
fewest people missing first, then requests, shifts worked and the roster as it was). Started
from the greedy roster, that program is usually settled at its root: on the Hà Nội plan it left
as few people missing as windows of days solved one after the other followed by the whole
campaign (districts 017, 021, 268: 5, 28 and 25 missing either way) in about half the time
(3.4-5.9 s against 8.3-9.1 s, one run each on a loaded machine).

Only when the whole program does not settle (no roster proven within its gap: the wall-clock guard
stopped it on an overloaded machine) are the slots filled window by window: around each stretch of days
with empty slots, in day order, each window from the roster the previous one left, and the
whole campaign once more after them. HiGHS runs on one thread from the roster as it was (a
feasible start) and stops on a node limit, so the same roster and seed give the same result; a
wall-clock limit only guards an overloaded machine.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict

import numpy as np

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
# HiGHS's default relative gap: a program proven within it has settled too.
RELATIVE_GAP = 1e-4
# HiGHS's pool of cuts is kept this small (its default: 10,000). The program's LP bound is all
# but tight already (Hà Nội district 268: cuts moved it from 1449.079 to 1449.085, the roster
# found), so at the root cuts mostly cost time: separation took about 8 of 14 s there. With the
# small pool the programs of districts 268, 008, 016 and 017 left the same people missing
# (29, 28, 3, 6) in 16.0 s of CPU together against 21.9 s (one run each, loaded machine).
CUT_POOL = 10


def empty_days(compiled: Compiled, plan: RosterDraft, first_day: int = 0) -> dict[int, int]:
    """People missing per day (summed over the day's slots), from `first_day` on."""
    have: dict[tuple, int] = defaultdict(int)
    for (_employee, d), works in plan.cells.items():
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
    """Fill empty slots of `plan`: the whole campaign at once, and window by window (then the
    whole campaign again) only if that found no roster (see the module docstring); days before
    `first_day` (a frozen window) are never touched. Returns the new plan and {windows, nodes,
    filled}."""
    compiled = Compiled(problem)
    stats = {"windows": 0, "nodes": 0}
    missing = empty_days(compiled, plan, first_day)
    before = sum(missing.values())
    whole = range(first_day, compiled.horizon)
    plan, missing, settled = _fill_window(compiled, plan, missing, whole, first_day, seed, deadline, stats)
    if not settled and missing:
        for days in windows(list(missing), compiled.horizon, first_day) + [whole]:
            if deadline is not None and time.monotonic() >= deadline:
                break
            if not any(d in days for d in missing):
                continue   # an earlier window filled these days already
            plan, missing, _ = _fill_window(compiled, plan, missing, days, first_day, seed, deadline, stats)
    stats["filled"] = before - sum(missing.values())
    return plan, stats


def _fill_window(compiled: Compiled, plan: RosterDraft, missing: dict[int, int], days: range, first_day: int, seed: int,
                 deadline: float | None, stats: dict) -> tuple[RosterDraft, dict[int, int], bool]:
    """Solve the window program of `days` once; keep its roster when it leaves no more people
    missing. Returns (plan, people missing per day, whether the program settled: a roster proven
    within the program's gap of the best)."""
    if deadline is not None and time.monotonic() >= deadline:
        return plan, missing, False
    program = WindowProgram(compiled, plan, days)
    seconds = None if deadline is None else max(0.1, deadline - time.monotonic())
    chosen, nodes, bound = program.solve(seed, seconds, cut_pool=CUT_POOL)
    stats["windows"] += 1
    stats["nodes"] += nodes
    if chosen is None:
        return plan, missing, False
    objective = float(np.dot(program.cost, chosen))
    settled = objective - bound <= max(program.abs_gap, RELATIVE_GAP * abs(objective)) + 1e-6
    candidate = program.apply(chosen)
    missing_after = empty_days(compiled, candidate, first_day)
    if sum(missing_after.values()) <= sum(missing.values()):
        return candidate, missing_after, settled
    return plan, missing, settled


def fewest_missing(problem: RosterProblem, plan: RosterDraft, *, seed: int = 0,
                   time_limit_seconds: float | None = None) -> int:
    """A proof: no roster leaves fewer people missing than this over the whole horizon (the
    program of every day at once, people missing alone in the objective, its dual bound)."""
    compiled = Compiled(problem)
    program = WindowProgram(compiled, plan, range(compiled.horizon), cover_only=True)
    _, _, bound = program.solve(seed, time_limit_seconds)
    return max(0, math.ceil(bound - 1e-6))


