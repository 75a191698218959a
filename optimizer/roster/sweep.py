"""The MIP sweep: windows of a few days, every employee at once, each decided by the window
program (`window.py`, HiGHS).

On problems with many shift variables a day (many employees and shift types), a CP-SAT
neighbourhood of a few hundred variables sees only a small part of a day's cover, and the
search improves slowly from the construction. The window program re-decides every employee
over a few days at once, with every rule, and its LP relaxation is tight on cover: on Instance13
(120 nurses, 18 shift types, 1426 shift variables a day) two passes of 4-day windows take the
construction from 6978 to 3099 in about 26 s, where the search alone ends near 3300.

A pass solves windows of `SWEEP_DAYS` days starting every `SWEEP_STEP_DAYS` days, in day order,
each from the roster the previous one left; a window's roster is kept when it is no worse
(minutes short of the minimums, then cost). Each window stops after `SWEEP_MAX_NODES` nodes
(its root: presolve, cuts and HiGHS's sub-MIP heuristics), so the sweep is deterministic; the
deadline only guards an overloaded machine (`stats["cut_by_clock"]`).
"""

from __future__ import annotations

import time

from .compiled import Compiled
from .draft import RosterDraft
from .search import plan_score
from .window import WindowProgram

__all__ = ["sweep", "wanted"]

# The sweep runs when the problem has at least this many shift variables a day on average
# (Instance13: 1426; the other Curtois instances 7-914, where it did not beat the search:
# Instance17 8896 -> 7921 and stuck, Instance21 one pass of 7-day windows 72 s).
SWEEP_MIN_VARIABLES_PER_DAY = 1000
SWEEP_DAYS = 4
SWEEP_STEP_DAYS = 2
SWEEP_PASSES = 2
SWEEP_MAX_NODES = 1
# Costs are whole numbers on the benchmark: a window stops once proven within less than one.
SWEEP_ABS_GAP = 0.99


def wanted(compiled: Compiled, shift_variables: int) -> bool:
    """Whether the sweep runs: many shift variables a day (see SWEEP_MIN_VARIABLES_PER_DAY)."""
    return shift_variables >= SWEEP_MIN_VARIABLES_PER_DAY * compiled.horizon


def sweep_windows(horizon: int) -> list[range]:
    """The windows of one pass, in day order; the last one ends on the last day."""
    starts = list(range(0, max(1, horizon - SWEEP_DAYS + 1), SWEEP_STEP_DAYS))
    if starts[-1] + SWEEP_DAYS < horizon:
        starts.append(horizon - SWEEP_DAYS)
    return [range(max(0, s), min(horizon, s + SWEEP_DAYS)) for s in starts]


def sweep(compiled: Compiled, plan: RosterDraft, *, seed: int, deadline: float) -> tuple[RosterDraft, dict]:
    """`SWEEP_PASSES` passes of windows over `plan` (see the module doc); returns the roster and
    {windows, improved, nodes, cut_by_clock}."""
    stats = {"windows": 0, "improved": 0, "nodes": 0, "cut_by_clock": False}
    score = plan_score(compiled, plan)
    for _ in range(SWEEP_PASSES):
        for days in sweep_windows(compiled.horizon):
            if time.monotonic() >= deadline:
                stats["cut_by_clock"] = True
                return plan, stats
            program = WindowProgram(compiled, plan, days)
            values, nodes, _ = program.solve(seed, max(0.1, deadline - time.monotonic()),
                                             max_nodes=SWEEP_MAX_NODES, abs_gap=SWEEP_ABS_GAP)
            stats["windows"] += 1
            stats["nodes"] += nodes
            if time.monotonic() >= deadline:
                stats["cut_by_clock"] = True   # HiGHS may have stopped on the clock
            if values is None:
                continue
            candidate = program.apply(values)
            candidate_score = plan_score(compiled, candidate)
            if candidate_score <= score:
                stats["improved"] += candidate_score < score
                plan, score = candidate, candidate_score
    return plan, stats

