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
from .search import SHIFT_VARIABLES, plan_score
from .window import WindowProgram

__all__ = ["sweep", "wanted"]

# The sweep runs when one day's shift variables are more than the search's largest
# neighbourhood frees (`search.SHIFT_VARIABLES`, the shift-type kind, which does not adapt):
# then no neighbourhood can re-decide a whole day's cover at once, which the window program does.
# A rule on the search's own reach, not a size fitted to the instances: among the Curtois
# instances it holds on Instance13 (1426 a day) only; on the others (7-914 a day) the sweep did
# not beat the search (Instance17 8896 -> 7921 and stuck, Instance21 one pass of 7-day windows 72 s).
SWEEP_DAYS = 4
SWEEP_STEP_DAYS = 2
SWEEP_PASSES = 2
SWEEP_MAX_NODES = 1
# Costs are whole numbers on the benchmark: a window stops once proven within less than one.
SWEEP_ABS_GAP = 0.99


def day_shift_variables(compiled: Compiled) -> float:
    """Shift variables a day on average: the shifts each employee may work, summed over the
    employees and their working days, over the horizon."""
    problem = compiled.problem
    total = sum(len(compiled.allowed[e]) * (compiled.horizon - len(emp.days_off))
                for e, emp in enumerate(problem.employees))
    return total / max(1, compiled.horizon)


def wanted(compiled: Compiled) -> bool:
    """Whether the sweep runs: a day has more shift variables than the search's largest
    neighbourhood frees (see the comment on SHIFT_VARIABLES above)."""
    return day_shift_variables(compiled) > SHIFT_VARIABLES


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

