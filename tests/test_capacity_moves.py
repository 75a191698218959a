"""Rounding and improving a district's integer plan: whole letters in whole show-up units
(district.py), and moves between wards (improve.py): the ward simulator agrees with the
simulation, and moves raise a plan's simulated objective within the district's staffing
and fleet rows."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from optimizer.capacity.campaign import district_inputs
from optimizer.capacity.district import _whole_letters, letter_unit
from optimizer.capacity.improve import WardPlans, WardSimulator, improve_by_moves
from optimizer.capacity.model import DistrictModel
from optimizer.objective import plan_objective
from optimizer.scenario import load_scenario
from optimizer.simulation import Decisions, simulate

TINY = Path(__file__).resolve().parents[1] / "scenarios" / "tiny"


@pytest.fixture(scope="module")
def district():
    scenario = load_scenario(TINY)
    data = district_inputs(scenario)[0]
    return scenario, data, DistrictModel(data)


def crowded_plan(model: DistrictModel) -> WardPlans:
    """Every kit-shift in the first ward, none elsewhere: moves have room to help."""
    n, D, S = model.n_wards, model.n_window_days, model.n_shifts
    kits = np.zeros((n, D, S), dtype=np.int64)
    kits[0] = 1
    return WardPlans(kits, np.zeros((n, D), np.int64), np.zeros((n, D), np.int64),
                     np.zeros((n, D, S), np.int64))


def simulated(scenario, data, plans: WardPlans) -> float:
    """The simulation's objective of the district alone under `plans`."""
    sub = replace(scenario, wards=scenario.wards.iloc[data.ward_index])
    codes = scenario.shift_codes
    decisions = Decisions(plans.kits, np.zeros_like(plans.kits), np.zeros_like(plans.kits), plans.letters)
    for s in scenario.settings.mobile_kit.shifts:
        decisions.mobile_kits[:, :, codes.index(s)] = plans.mobile
    decisions.home_visit_teams[:, :, codes.index(scenario.settings.home_visit.shift)] = plans.teams
    return plan_objective(sub, decisions, simulate(sub, decisions, arrivals=data.arrivals))


def test_ward_simulator_matches_the_simulation(district):
    scenario, data, model = district
    plans = crowded_plan(model)
    plans.letters[:, 2:, 0] = 7
    plans.mobile[1, 3] = 1
    plans.teams[-1, 4] = 2
    ours = WardSimulator(model).objective(np.arange(model.n_wards), plans).sum()
    assert ours == pytest.approx(simulated(scenario, data, plans), abs=1e-6)


def rows_hold(model: DistrictModel, plans: WardPlans) -> bool:
    """Every staffing and fleet row of the district holds for `plans` (no city kits lent)."""
    lp = model.lp
    values = np.zeros(lp.n_vars)
    values[model.kits_open.ravel()] = plans.kits.ravel()
    values[model.mobile_kits.ravel()] = plans.mobile.ravel()
    values[model.home_visit_teams.ravel()] = plans.teams.ravel()
    rows = np.r_[np.arange(lp.row_block("staffing").start, lp.row_block("staffing").stop),
                 np.arange(lp.row_block("mobile_fleet").start, lp.row_block("mobile_fleet").stop)]
    return bool(np.all(lp.matrix()[rows] @ values <= np.concatenate(lp.row_upper)[rows] + 1e-9))


def test_moves_gain_within_the_rows_and_bounds(district):
    """From the crowded plan (transfers) and from an empty one (additions where officers are
    free), moves gain, and the plan stays within its staffing and fleet rows and kit bounds."""
    scenario, data, model = district
    crowded = crowded_plan(model)
    assert rows_hold(model, crowded)
    empty = WardPlans(*(np.zeros_like(x) for x in (crowded.kits, crowded.mobile, crowded.teams, crowded.letters)))
    kits_max = model.wards["fixed_kits"].to_numpy()[:, None, None]
    for plans in (crowded, empty):
        moved = improve_by_moves(model, plans)
        assert moved is not plans
        assert simulated(scenario, data, moved) > simulated(scenario, data, plans) + 1
        assert rows_hold(model, moved)
        assert (moved.kits >= 0).all() and (moved.kits <= kits_max).all()
        assert (moved.mobile >= 0).all() and (moved.teams >= 0).all()
    assert improve_by_moves(model, crowded, rounds=0) is crowded


def test_letter_unit():
    assert letter_unit(0.7) == 10
    assert letter_unit(0.5) == 2
    assert letter_unit(1.0) == 1
    assert letter_unit(0.7071067811865476) == 1


def test_whole_letters_lose_no_show_ups_to_rounding(district):
    """Fractional letters spread over many slots: the whole letters keep the ward's total (its
    pool at most), every slot but one per ward is a whole unit, so the show-ups
    are floor(show_up * total) but for that one slot; within the per-day cap."""
    scenario, data, model = district
    demand = scenario.settings.demand
    unit = letter_unit(demand.invitation_show_up)
    rng = np.random.default_rng(3)
    wanted = rng.uniform(0, 40, size=(model.n_wards, model.n_window_days, model.n_shifts))
    wanted[:, : demand.invitation_lead_days, :] = 0
    whole = _whole_letters(model, wanted)
    totals = np.minimum(wanted.sum(axis=(1, 2)), model._default_invitable())
    assert (np.abs(whole.sum(axis=(1, 2)) - np.floor(totals)) < 1).all()
    assert (whole.sum(axis=2) <= demand.max_letters_per_ward_day).all()
    for w in range(model.n_wards):
        assert ((whole[w] % unit) != 0).sum() <= 1
    show_ups = np.floor(np.round(demand.invitation_show_up * whole, 9)).sum(axis=(1, 2))
    assert (show_ups >= np.floor(demand.invitation_show_up * np.floor(totals)) - 1).all()


def test_scoring_some_wards_gives_the_scores_of_scoring_every_ward(district):
    """Moves are rescored only in changed wards: a subset's scores equal the full scoring's."""
    from optimizer.capacity.improve import _score_moves
    _, _, model = district
    plans = crowded_plan(model)
    sim = WardSimulator(model)
    lower, upper = np.concatenate(model.lp.lower), np.concatenate(model.lp.upper)
    shapes = [model.kits_open.reshape(model.n_wards, model.n_window_days, model.n_shifts), model.mobile_kits,
              model.home_visit_teams]
    bounds = [(lower[v], upper[v]) for v in shapes]
    every = _score_moves(sim, plans, bounds, np.zeros(model.n_wards), np.arange(model.n_wards))
    some_wards = np.arange(0, model.n_wards, 2)
    base = np.zeros(model.n_wards)
    some = _score_moves(sim, plans, bounds, base, some_wards)
    rows = WardPlans(plans.kits[some_wards], plans.mobile[some_wards], plans.teams[some_wards],
                     plans.letters[some_wards])
    assert np.array_equal(base[some_wards], sim.objective(some_wards, rows))
    mine = np.isin(every.ward, some_wards)
    full = sorted(zip(every.ward[mine], every.block[mine], every.position[mine], every.step[mine], every.gain[mine]))
    part = sorted(zip(some.ward, some.block, some.position, some.step, some.gain))
    assert len(part) > 0 and full == part


def test_variants_played_from_their_first_changed_day_score_as_played_whole(district):
    """A variant that differs from its ward's plan only from window day j on, played from day j
    (taking the ward's queues, pools, totals and returns due then), scores exactly what playing
    it from the first day scores."""
    _, _, model = district
    rng = np.random.default_rng(7)
    n, D, S = model.n_wards, model.n_window_days, model.n_shifts
    plans = WardPlans(rng.integers(0, 2, (n, D, S)), rng.integers(0, 2, (n, D)), rng.integers(0, 2, (n, D)),
                      rng.integers(0, 40, (n, D, S)))
    sim = WardSimulator(model)
    everyone = np.arange(n)
    ward = rng.integers(0, n, 40)
    first_day = np.sort(rng.integers(0, D, 40))
    variants = plans.rows(ward)
    for r, j in enumerate(first_day):     # anything may change from day j on
        variants.kits[r, j:] = rng.integers(0, 3, (D - j, S))
        variants.mobile[r, j:] = rng.integers(0, 2, D - j)
        variants.teams[r, j:] = rng.integers(0, 3, D - j)
    whole = sim.objective(ward, variants)
    rows = plans.rows(np.r_[everyone, ward])
    for mine, theirs in zip((rows.kits, rows.mobile, rows.teams), (variants.kits, variants.mobile, variants.teams)):
        mine[n:] = theirs
    from_day = sim.objective(np.r_[everyone, ward], rows, from_day=np.r_[np.zeros(n, np.int64), first_day],
                             same_before=np.r_[everyone, ward])
    assert np.array_equal(from_day[n:], whole)
    assert np.array_equal(from_day[:n], sim.objective(everyone, plans))
