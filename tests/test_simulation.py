"""The planner's queue simulation (optimizer/simulation.py) on random decisions for scenarios/tiny.

People are conserved at every shift end whatever the plan; the simulation agrees with the
independent checker's own re-simulation cell by cell; walk-ins come only in open shifts; and a
simulation resumed mid-campaign from the state it reached continues exactly as the full run.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from optimizer.checker import OUTCOME_COLUMNS, resimulate
from optimizer.demand import invitable_pool, walk_in_arrivals
from optimizer.scenario import load_scenario
from optimizer.simulation import Decisions, StartState, conservation_gap, simulate

TINY = Path(__file__).resolve().parents[1] / "scenarios" / "tiny"


@pytest.fixture(scope="module")
def tiny():
    return load_scenario(TINY)


def variant(tiny, give_up_share: float, return_after_days: int):
    demand = tiny.settings.demand.model_copy(update={"give_up_share": give_up_share,
                                                     "return_after_days": return_after_days})
    return tiny.with_settings(demand=demand)


def random_decisions(scenario, seed: int) -> Decisions:
    """Kits 0..fixed_kits (+1 now and then), mobile kits for whole days in the mobile shifts, teams in
    the home-visit shift, letters after the lead days within each ward's pool."""
    rng = np.random.default_rng(seed)
    n, D, S = len(scenario.wards), scenario.n_days, len(scenario.shift_codes)
    codes = scenario.shift_codes
    settings = scenario.settings
    decisions = Decisions.zeros(n, D, S)
    fixed = scenario.wards["fixed_kits"].to_numpy()[:, None, None]
    decisions.kits_open[:] = rng.integers(0, fixed + 2, (n, D, S)) * (rng.random((n, D, S)) < 0.7)
    per_day = rng.integers(0, 3, (n, D))
    for code in settings.mobile_kit.shifts:
        decisions.mobile_kits[:, :, codes.index(code)] = per_day
    decisions.home_visit_teams[:, :, codes.index(settings.home_visit.shift)] = rng.integers(0, 3, (n, D))
    letters = rng.integers(0, 60, (n, D, S))
    letters[:, :settings.demand.invitation_lead_days] = 0
    pool = invitable_pool(scenario)
    for w in range(n):
        flat = letters[w].reshape(-1)
        while flat.sum() > pool[w]:
            flat[np.argmax(flat)] -= 1
    decisions.letters[:] = letters
    return decisions


CASES = [(seed, share, lag) for seed, (share, lag) in enumerate([(0.2, 2), (0.0, 1), (0.35, 1), (0.2, 3), (1.0, 2)])]


@pytest.mark.parametrize("seed,share,lag", CASES)
def test_people_conserved_at_every_shift_end(tiny, seed, share, lag):
    """enrolled + waiting + not yet arrived + given up = target for every ward at every shift end."""
    scenario = variant(tiny, share, lag)
    outcome = simulate(scenario, random_decisions(scenario, seed))
    assert conservation_gap(outcome) == 0
    assert outcome.enrolled > 0
    for part in (outcome.queue_end, outcome.not_yet_arrived_end, outcome.given_up_end, outcome.served):
        assert part.min() >= 0


@pytest.mark.parametrize("seed,share,lag", CASES)
def test_simulation_agrees_with_the_checker(tiny, seed, share, lag):
    """The planner's simulation and the checker's separate re-simulation give the same numbers."""
    scenario = variant(tiny, share, lag)
    decisions = random_decisions(scenario, seed)
    outcome = simulate(scenario, decisions)
    theirs = resimulate(scenario, {name: getattr(decisions, name)
                                   for name in ("kits_open", "mobile_kits", "home_visit_teams", "letters")})
    ours = {column: (outcome.served if column == "served" else outcome.queue_end if column == "queue_end"
                     else getattr(outcome, column)) for column in OUTCOME_COLUMNS}
    for column in OUTCOME_COLUMNS:
        assert np.array_equal(ours[column], theirs[column]), column


def test_walk_ins_arrive_only_in_open_shifts(tiny):
    """Each day's walk-ins all arrive, only in shifts with a kit open (the first shift when closed all day)."""
    decisions = random_decisions(tiny, 7)
    decisions.kits_open[0, 2, :] = 0                      # Phúc Xá closed all day on day 2
    outcome = simulate(tiny, decisions)
    assert np.array_equal(outcome.arrivals_walk_in.sum(axis=2), walk_in_arrivals(tiny))
    is_open = decisions.kits_open > 0
    closed_all_day = ~is_open.any(axis=2)
    allowed = is_open.copy()
    allowed[:, :, 0] |= closed_all_day
    assert (outcome.arrivals_walk_in[~allowed] == 0).all()
    assert outcome.arrivals_walk_in[0, 2].tolist() == [walk_in_arrivals(tiny)[0, 2], 0, 0]


def test_invited_served_before_walk_ins(tiny):
    """Where a kit is short, no invited person waits while a walk-in is served."""
    outcome = simulate(tiny, random_decisions(tiny, 3))
    short = (outcome.queue_invited_end > 0)
    assert short.any()
    assert (outcome.served_walk_in[short] == 0).all()


def state_after(scenario, decisions: Decisions, outcome, day: int) -> StartState:
    """Where each ward stands at the end of `day` in a full run (what a nightly re-plan starts from)."""
    lag = scenario.settings.demand.return_after_days
    share = scenario.settings.demand.return_share
    wards = scenario.wards
    n, D, S = outcome.served.shape
    returns_due = np.zeros((n, D, S), dtype=np.int64)
    for d in range(day + 1):
        if day < d + lag < D:
            returns_due[:, d + lag] += np.floor(np.round(share * outcome.gave_up[:, d], 9)).astype(np.int64)
    upto = slice(0, day + 1)
    return StartState(
        queue_walk_in=outcome.queue_walk_in_end[:, day, -1].copy(),
        queue_invited=outcome.queue_invited_end[:, day, -1].copy(),
        homebound_left=wards["homebound"].to_numpy() - outcome.served_homebound[:, upto].sum(axis=(1, 2)),
        institution_left=wards["institution"].to_numpy() - outcome.served_institution[:, upto].sum(axis=(1, 2)),
        invitable_left=invitable_pool(scenario) - decisions.letters[:, upto].sum(axis=(1, 2)),
        enrolled=outcome.served[:, upto].sum(axis=(1, 2)),
        returns_due=returns_due,
        lost=outcome.given_up_end[:, day, -1] - returns_due.sum(axis=(1, 2)),
        no_shows=(decisions.letters - outcome.arrivals_invited)[:, upto].sum(axis=(1, 2)))


def test_resumed_simulation_continues_the_full_run(tiny):
    """Simulating days 3-6 from the state at the end of day 2 reproduces the full run's days 3-6."""
    decisions = random_decisions(tiny, 11)
    full = simulate(tiny, decisions)
    resumed = simulate(tiny, decisions, start=state_after(tiny, decisions, full, 2), first_day=3)
    for column in ("arrivals_walk_in", "returns", "served_walk_in", "served_invited", "served_homebound",
                   "served_institution", "queue_walk_in_end", "queue_invited_end", "gave_up",
                   "not_yet_arrived_end", "given_up_end"):
        assert np.array_equal(getattr(resumed, column)[:, 3:], getattr(full, column)[:, 3:]), column
    assert np.array_equal(resumed.enrolled_by_ward, full.enrolled_by_ward)
