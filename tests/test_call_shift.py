"""Where the working groups send the no-shows they call: the plan names the shift of each day
(`Decisions.call_shift`, plan.csv's `calls` column), else the shift with most kit-hours. The
simulation, the capacity model's ward simulator (improve.py) and the independent checker play
the same rule."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from optimizer.capacity.campaign import district_inputs
from optimizer.capacity.improve import WardPlans, WardSimulator, improve_call_shifts
from optimizer.capacity.model import DistrictModel
from optimizer.checker import OUTCOME_COLUMNS, check_plan, format_report, resimulate
from optimizer.exports.outputs import write_outputs
from optimizer.objective import plan_objective
from optimizer.planner import SolveOptions, run_plan
from optimizer.scenario import load_scenario
from optimizer.simulation import Decisions, simulate
from tests.test_follow_up import _with_groups


@pytest.fixture(scope="module")
def calling(tmp_path_factory):
    return load_scenario(_with_groups(tmp_path_factory.mktemp("call_shift") / "scenario"))


def _decisions(scenario, plans: WardPlans) -> Decisions:
    codes = scenario.shift_codes
    decisions = Decisions(plans.kits.copy(), np.zeros_like(plans.kits), np.zeros_like(plans.kits),
                          plans.letters.copy(), plans.call_shifts().copy())
    for s in scenario.settings.mobile_kit.shifts:
        decisions.mobile_kits[:, :, codes.index(s)] = plans.mobile
    decisions.home_visit_teams[:, :, codes.index(scenario.settings.home_visit.shift)] = plans.teams
    return decisions


def _random_plans(model: DistrictModel, seed: int) -> WardPlans:
    rng = np.random.default_rng(seed)
    n, days, shifts = model.n_wards, model.n_window_days, model.n_shifts
    kits = rng.integers(0, 2, (n, days, shifts))
    letters = rng.integers(0, 60, (n, days, shifts))
    letters[:, 0] = 0
    call_shift = rng.integers(-1, shifts, (n, days))
    return WardPlans(kits, rng.integers(0, 2, (n, days)), rng.integers(0, 2, (n, days)), letters, call_shift)


def test_named_call_shift_moves_the_called_and_nothing_else(calling):
    """A named shift gets the day's calls; days without a name keep the busiest shift."""
    n, days, shifts = len(calling.wards), calling.n_days, len(calling.shift_codes)
    decisions = Decisions.zeros(n, days, shifts)
    decisions.kits_open[:] = 1
    decisions.kits_open[:, :, 0] = 2 * (calling.wards["fixed_kits"].to_numpy()[:, None] > 1)
    decisions.letters[:, 1:, 1] = 40
    busiest = simulate(calling, decisions)
    decisions.call_shift = np.full((n, days), -1)
    decisions.call_shift[:, 5:] = 2
    named = simulate(calling, decisions)
    assert named.calls[:, 5:, 2].sum() == named.calls[:, 5:].sum() > 0
    assert (named.calls[:, :5] == busiest.calls[:, :5]).all()
    assert (named.calls.sum(axis=2) == busiest.calls.sum(axis=2)).all()   # as many as before, each day


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_ward_simulator_plays_the_calls_as_the_simulation(calling, seed):
    """improve.py's ward simulator, with named and default call shifts, gives the simulation's objective."""
    for data in district_inputs(calling):
        model = DistrictModel(data)
        plans = _random_plans(model, seed)
        sim = WardSimulator(model)
        ours = sim.objective(np.arange(model.n_wards), plans).sum()
        sub = replace(calling, wards=calling.wards.iloc[data.ward_index])
        decisions = _decisions(calling, plans)
        outcome = simulate(sub, decisions, arrivals=data.arrivals)
        assert outcome.calls.sum() > 0
        assert ours == pytest.approx(plan_objective(sub, decisions, outcome), abs=1e-6)
        assert (sim.last_calls == outcome.calls.sum(axis=2)).all()


@pytest.mark.parametrize("seed", [0, 1])
def test_checker_sends_the_called_where_the_plan_calls_them(calling, seed):
    """The checker's own re-simulation, reading the shift from the plan's calls, matches the simulation."""
    data = district_inputs(calling)[0]
    plans = _random_plans(DistrictModel(data), seed)
    sub = replace(calling, wards=calling.wards.iloc[data.ward_index])
    decisions = _decisions(calling, plans)
    outcome = simulate(sub, decisions, arrivals=data.arrivals)
    columns = {"kits_open": decisions.kits_open, "mobile_kits": decisions.mobile_kits,
               "home_visit_teams": decisions.home_visit_teams, "letters": decisions.letters,
               "calls": outcome.calls}
    checked = resimulate(sub, columns)
    for column in ("calls", "arrivals_invited", "served_invited", "served_walk_in", "queue_invited_end", "gave_up"):
        assert (checked[column] == getattr(outcome, column)).all(), column
    assert set(OUTCOME_COLUMNS) <= set(checked)


def test_call_shift_search_never_loses(calling):
    """Choosing the call shifts by the simulated objective gains or keeps every ward's objective."""
    data = district_inputs(calling)[0]
    model = DistrictModel(data)
    plans = _random_plans(model, 3)
    sim = WardSimulator(model)
    everyone = np.arange(model.n_wards)
    before = sim.objective(everyone, plans)
    chosen, after = improve_call_shifts(sim, plans, before)
    assert (after >= before - 1e-9).all()
    assert after.sum() > before.sum()
    assert (after == sim.objective(everyone, chosen)).all()


def test_plan_names_its_call_shifts_and_the_checker_holds_it_to_them(calling, tmp_path):
    """The planned calls go where the plan says; check passes, and moving one day's calls in plan.csv is caught."""
    result = run_plan(calling, SolveOptions(workers=1))
    assert result.decisions.call_shift is not None
    named = result.decisions.call_shift
    calls = result.outcome.calls
    days = calls.sum(axis=2) > 0
    assert (np.argmax(calls, axis=2)[days & (named >= 0)] == named[days & (named >= 0)]).all()
    assert result.enrolled <= result.max_enrollable + 1e-6
    out = write_outputs(result, tmp_path / "out")
    report = check_plan(calling, out)
    assert report.ok, format_report(report)
    plan = pd.read_csv(out / "plan.csv", dtype=str, keep_default_na=False)
    row = plan.index[plan["calls"].astype(int) > 0][0]
    other = plan.index[(plan["ward_code"] == plan.loc[row, "ward_code"]) & (plan["day"] == plan.loc[row, "day"])
                       & (plan.index != row)][0]
    plan.loc[other, "calls"], plan.loc[row, "calls"] = plan.loc[row, "calls"], "0"
    plan.to_csv(out / "plan.csv", index=False)
    assert "simulation" in check_plan(calling, out).rules()


def test_model_admits_the_calls_wherever_the_plan_sends_them(calling):
    """With a plan's kits, teams, mobile kits, letters and walk-ins fixed, the capacity model's
    most enrolled is at least what the simulation enrolls, whatever shifts the plan sends the
    called to (the model's calls relax the rule, so the bound holds for every call shift)."""
    from optimizer.capacity.district import _arrivals_for, solve_district
    from optimizer.capacity.lp import solve_lp

    rng = np.random.default_rng(0)
    for data in district_inputs(calling):
        model = DistrictModel(data)
        solved = solve_district(data)    # a plan within the district's rows
        values = np.zeros(model.lp.n_vars)
        values[model.kits_open.ravel()] = solved.kits_open.ravel()
        fix = [(model.kits_open.ravel(), solved.kits_open.ravel().astype(float)),
               (model.mobile_kits.ravel(), solved.mobile_kits.ravel().astype(float)),
               (model.home_visit_teams.ravel(), solved.home_visit_teams.ravel().astype(float)),
               (model.letters.ravel(), solved.letters.ravel().astype(float)),
               (model.arrivals_walk_in.ravel(), _arrivals_for(model, values).ravel())]
        best = solve_lp(model.lp, relax=True, fix=fix, cost=model.enrolled_cost())
        sub = replace(calling, wards=calling.wards.iloc[data.ward_index])
        for _ in range(3):   # call shifts drawn at random
            plans = WardPlans(solved.kits_open, solved.mobile_kits, solved.home_visit_teams, solved.letters,
                              rng.integers(-1, model.n_shifts, (model.n_wards, model.n_window_days)))
            outcome = simulate(sub, _decisions(calling, plans), arrivals=data.arrivals)
            assert outcome.calls.sum() > 0
            assert best.objective >= outcome.enrolled - 1e-6
