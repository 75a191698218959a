"""Re-forecast and reconciliation on scenarios/tiny: shrinkage of the estimates, and people conserved.

Actuals come from simulating the day-1 plan under a known truth (walk-in arrivals scaled by a
multiplier), so the estimates can be checked against it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from optimizer.demand import walk_in_arrivals
from optimizer.nightly.actuals import canonical, observed_arrays
from optimizer.nightly.reforecast import check_conservation, reforecast, scale_arrivals, with_show_up
from optimizer.nightly.run import pinned_decisions
from optimizer.nightly.synthetic import actuals_from_outcome
from optimizer.scenario import load_scenario
from optimizer.simulation import simulate

TINY = Path(__file__).resolve().parents[1] / "scenarios" / "tiny"


@pytest.fixture(scope="module")
def tiny():
    return load_scenario(TINY)


@pytest.fixture
def day1(tiny_plan):
    """Tiny's plan, shared by the session (read-only)."""
    return tiny_plan


def truth_outcome(scenario, decisions, multiplier: float, show_up: float | None = None):
    world = scenario if show_up is None else with_show_up(scenario, show_up)
    arrivals = scale_arrivals(walk_in_arrivals(scenario), np.full(len(scenario.wards), multiplier),
                              scenario.wards["walk_in"].to_numpy())
    return simulate(world, decisions, arrivals=arrivals)


def observed(scenario, outcome, days, **kwargs):
    return observed_arrays(scenario, canonical(scenario, actuals_from_outcome(scenario, outcome, days, **kwargs)))


def test_thin_data_stays_near_the_prior(tiny, day1):
    """One day at 60 % turnout moves the multiplier only part way; a strong prior (50 days) barely moves it."""
    outcome = truth_outcome(tiny, day1.decisions, 0.6)
    weak = reforecast(tiny, day1.decisions, observed(tiny, outcome, [0]), 0, prior_days=1.0).turnout
    strong = reforecast(tiny, day1.decisions, observed(tiny, outcome, [0]), 0, prior_days=50.0).turnout
    assert np.allclose(weak["observed"], 0.6, atol=0.03)         # the data alone say 0.6
    assert (weak["posterior"] > 0.7).all() and (weak["data_weight"] < 0.65).all()
    assert (strong["posterior"] > 0.95).all()


def test_lots_of_data_follow_the_data(tiny, day1):
    """Six days at 60 % turnout bring the multiplier close to 0.6, and each day tightens it."""
    outcome = truth_outcome(tiny, day1.decisions, 0.6)
    weights, posteriors = [], []
    for as_of in range(6):
        turnout = reforecast(tiny, day1.decisions, observed(tiny, outcome, range(as_of + 1)), as_of).turnout
        weights.append(turnout["data_weight"].to_numpy())
        posteriors.append(turnout["posterior"].to_numpy())
    assert np.all(np.diff(np.array(weights), axis=0) > 0)
    assert np.allclose(posteriors[-1], 0.6, atol=0.07) and (weights[-1] > 0.8).all()


def test_show_up_is_re_estimated_from_invited_enrollments(tiny, day1):
    """Invited enrollments at a 50 % show-up pull the city's show-up rate from 0.75 towards 0.5."""
    outcome = truth_outcome(tiny, day1.decisions, 1.0, show_up=0.5)
    forecast = reforecast(tiny, day1.decisions, observed(tiny, outcome, range(4)), 3)
    show = forecast.show_up
    assert abs(show["observed"] - 0.5) < 0.02
    assert 0.5 < show["posterior"] < 0.6
    assert forecast.scenario.settings.demand.invitation_show_up == pytest.approx(show["posterior"])


def test_no_reports_keep_the_prior(tiny, day1):
    """With no ward reporting, every estimate is the prior and every ward-day is a gap filled by simulation."""
    empty = observed_arrays(tiny, canonical(tiny, pd.DataFrame(columns=["ward_code", "date", "enrolled"])))
    forecast = reforecast(tiny, day1.decisions, empty, 1)
    assert (forecast.turnout["posterior"] == 1.0).all()
    assert len(forecast.gaps) == 2 * len(tiny.wards)
    assert forecast.start.enrolled.sum() == forecast.gaps["assumed_enrolled"].sum()


def test_gap_is_filled_with_the_simulated_number(tiny, day1):
    """A ward-day without a report counts as the plan's simulated enrollments (at the re-estimated turnout)."""
    frame = actuals_from_outcome(tiny, day1.outcome, [0, 1], cohorts=False)
    frame = frame[~((frame["ward_code"] == "00004") & (frame["date"] == "2022-07-26"))]
    forecast = reforecast(tiny, day1.decisions, observed_arrays(tiny, canonical(tiny, frame)), 1)
    gap = forecast.gaps
    assert gap[["ward_code", "date"]].values.tolist() == [["00004", "2022-07-26"]]
    assert forecast.enrolled[1, 1] == gap["assumed_enrolled"].iloc[0]
    assert forecast.enrolled[1, 0] == day1.outcome.served[1, 0].sum()


def test_reported_kits_replace_the_plan(tiny, day1):
    """Kits actually open, by shift or as a day's total, replace the plan's kits for the past."""
    frame = actuals_from_outcome(tiny, day1.outcome, [0], cohorts=False)
    frame["kits_open_S"] = [0, None, None, None, None]
    frame["kits_open"] = [None, 1, None, None, None]
    forecast = reforecast(tiny, day1.decisions, observed_arrays(tiny, canonical(tiny, frame)), 0)
    assert forecast.executed.kits_open[0, 0, 0] == 0
    assert list(forecast.executed.kits_open[0, 0, 1:]) == list(day1.decisions.kits_open[0, 0, 1:])
    assert forecast.executed.kits_open[1, 0].sum() == 1


CASES = {
    "as planned": dict(scale=1.0),
    "fewer people": dict(scale=0.5),
    "more people": dict(scale=1.6),
    "noisy, no cohorts": dict(noise=0.4, cohorts=False),
    "gaps and noise": dict(noise=0.3, missing=0.3),
    "far above target": dict(scale=40.0),
}


@pytest.mark.parametrize("case", list(CASES))
def test_start_state_conserves_people(tiny, day1, case):
    """Whatever the actuals, enrolled + waiting + not yet arrived + given up = target per ward, and stays so."""
    spec = CASES[case]
    rng = np.random.default_rng(7)
    as_of = 3
    frame = actuals_from_outcome(tiny, day1.outcome, range(as_of + 1), cohorts=spec.get("cohorts", True))
    factor = spec.get("scale", 1.0) * (1 + spec.get("noise", 0.0) * rng.uniform(-1, 1, len(frame)))
    counts = [c for c in frame.columns if c.startswith("enrolled")]
    for column in counts:
        frame[column] = np.floor(frame[column] * factor).astype(int)
    if "enrolled_walk_in" in frame.columns:   # keep cohorts adding up to the total after rounding
        frame["enrolled"] = frame[[c for c in counts if c != "enrolled"]].sum(axis=1)
    frame = frame[rng.random(len(frame)) >= spec.get("missing", 0.0)]
    pinned = pinned_decisions(tiny, day1.decisions, as_of)
    forecast = reforecast(tiny, day1.decisions, observed_arrays(tiny, canonical(tiny, frame)), as_of, pinned=pinned)
    start, first = forecast.start, forecast.first_day
    assert check_conservation(tiny, start, forecast.arrivals, first) == 0
    for pool in (start.queue_walk_in, start.queue_invited, start.invitable_left, start.no_shows, start.lost,
                 start.homebound_left, start.institution_left, start.returns_due, forecast.arrivals[:, first:]):
        assert (pool >= 0).all()
    letters_pinned = np.where(pinned.letters >= 0, pinned.letters, 0)[:, first:].sum(axis=(1, 2))
    assert (start.invitable_left >= letters_pinned).all()
    if case == "far above target":
        assert {w["kind"] for w in forecast.warnings} == {"above_target"}
        assert (start.enrolled <= tiny.wards["target"].to_numpy()).all()
    outcome = simulate(forecast.scenario, day1.decisions, arrivals=forecast.arrivals, start=start, first_day=first)
    window = (slice(None), slice(first, None))
    served = np.cumsum(outcome.served[window].reshape(len(tiny.wards), -1), axis=1) + start.enrolled[:, None]
    total = (served + outcome.queue_end[window].reshape(served.shape)
             + outcome.not_yet_arrived_end[window].reshape(served.shape)
             + outcome.given_up_end[window].reshape(served.shape))
    assert (total == tiny.wards["target"].to_numpy()[:, None]).all()


def test_start_state_conserves_people_when_working_groups_call(tmp_path):
    """With door-to-door calls, the called who came leave the no-shows and nobody is counted twice."""
    from optimizer.planner import SolveOptions, run_plan
    from tests.test_follow_up import _with_groups
    calling = load_scenario(_with_groups(tmp_path / "scenario", per_group_day=20, after_days=1))
    plan = run_plan(calling, SolveOptions(workers=1))
    assert plan.outcome.calls.sum() > 0
    as_of = 4
    frame = actuals_from_outcome(calling, plan.outcome, range(as_of + 1))
    pinned = pinned_decisions(calling, plan.decisions, as_of)
    forecast = reforecast(calling, plan.decisions, observed_arrays(calling, canonical(calling, frame)), as_of,
                          pinned=pinned)
    start = forecast.start
    assert check_conservation(calling, start, forecast.arrivals, forecast.first_day) == 0
    assert (start.callable_no_shows >= 0).all() and (start.callable_no_shows <= start.no_shows).all()
    assert start.callable_no_shows.sum() < start.no_shows.sum()     # the called are not called again
