"""Neighbourhoods of the large-neighbourhood search (`optimizer.roster.search`)."""

from __future__ import annotations

import math
from pathlib import Path

from optimizer.roster import curtois
from optimizer.roster.compiled import Compiled
from optimizer.roster.plan import Plan
from optimizer.roster.search import SHIFT_WINDOW_DAYS, STALL_ROUNDS, NeighbourhoodSearch

CURTOIS = Path(__file__).resolve().parents[1] / "benchmarks" / "curtois"


def test_shift_type_neighbourhood_frees_everyone_able_around_the_gap():
    """On the empty roster of Instance9 every night is uncovered; the shift-type neighbourhood
    frees every employee allowed the badly covered shift, over a window of at least
    SHIFT_WINDOW_DAYS consecutive days around its day, and nobody else."""
    compiled = Compiled(curtois.to_problem(curtois.read_instance(CURTOIS / "Instance9.txt")))
    search = NeighbourhoodSearch(compiled, Plan(), seed=0, workers=1, work_budget=0.0, deadline=math.inf)
    hood = search._shift_type_window("shift", list(range(compiled.n_employees)))
    employees = {e for e, _ in hood.cells}
    days = sorted({d for _, d in hood.cells})
    assert days == list(range(days[0], days[0] + len(days))) and len(days) >= SHIFT_WINDOW_DAYS
    assert len(hood.cells) == len(employees) * len(days)
    gaps = {(d, s) for _, d, s in search._cover_gaps()}
    assert any(d in days and employees == {e for e in range(compiled.n_employees) if s in compiled.allowed[e]}
               for d, s in gaps)


def test_shift_type_neighbourhood_only_after_a_stall():
    """Before STALL_ROUNDS rounds without a gain of STALL_GAIN no neighbourhood is of the shift
    type; after them about half are."""
    compiled = Compiled(curtois.to_problem(curtois.read_instance(CURTOIS / "Instance9.txt")))
    search = NeighbourhoodSearch(compiled, Plan(), seed=0, workers=1, work_budget=0.0, deadline=math.inf)
    search.shortfall = 0
    assert all(search._pick(set()).kind != "shift" for _ in range(40))
    search.stats.rounds = STALL_ROUNDS
    kinds = [search._pick(set()).kind for _ in range(40)]
    assert 10 <= kinds.count("shift") <= 30
