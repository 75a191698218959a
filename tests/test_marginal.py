"""Marginal values: officer prices land on the shifts their rows bind; the evening is the home-visit shift."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from optimizer.capacity.district import _officer_prices
from optimizer.planner import SolveOptions, run_plan
from optimizer.scenario import load_scenario

TINY = Path(__file__).resolve().parents[1] / "scenarios" / "tiny"


def _model(rows):
    return SimpleNamespace(n_shifts=3, scenario=SimpleNamespace(n_days=2), shift_hours=np.array([5.0, 5.0, 4.0]),
                           staffing_rows=rows)


def test_rest_row_prices_both_shifts_of_its_pair():
    """A rest row between S (0) and T (2) on day 0 prices an officer on both S and T that day, not C."""
    prices = _officer_prices(_model([("rest", frozenset({"operator"}), 0, (0, 2))]), np.array([0.7]))
    assert prices == {("operator", 0, 0): 0.7, ("operator", 0, 2): 0.7}


def test_succession_row_prices_the_first_shift_and_the_next_days_second():
    """A T-then-S row from day 0 prices T on day 0 and S on day 1."""
    prices = _officer_prices(_model([("succession", frozenset({"verifier"}), 0, (2, 0))]), np.array([0.5]))
    assert prices == {("verifier", 0, 2): 0.5, ("verifier", 1, 0): 0.5}


def test_week_row_prices_each_shift_by_its_hours():
    """A week row counts officer-hours: a 4-hour shift costs 4 times its price, a 5-hour one 5 times."""
    prices = _officer_prices(_model([("week", frozenset({"driver"}), 0, None)]), np.array([0.1]))
    assert prices[("driver", 0, 0)] == pytest.approx(0.5)
    assert prices[("driver", 1, 2)] == pytest.approx(0.4)
    assert len(prices) == 6


def test_evening_figure_is_the_home_visit_shift(tmp_path):
    """With home visits in the afternoon, the evening figure names the afternoon shift, not the last one."""
    folder = tmp_path / "scenario"
    shutil.copytree(TINY, folder)
    toml = folder / "campaign.toml"
    text = toml.read_text(encoding="utf-8").replace('[home_visit]\nshift = "T"', '[home_visit]\nshift = "C"')
    toml.write_text(text, encoding="utf-8")
    result = run_plan(load_scenario(folder), SolveOptions(workers=1))
    frame = result.bottleneck_frame()
    named = [m.get("evening_shift_where") for m in result.marginal_by_district.values()]
    assert all(where is None or where["shift"] == "C" for where in named)
    assert any(where is not None for where in named), frame


def test_uncertainty_settings_come_from_the_scenario(tmp_path):
    """campaign.toml's [uncertainty] table sets the band; without it today's values apply."""
    from optimizer.simulation import Decisions
    from optimizer.uncertainty import BREAKDOWN_PROBABILITY, SHOW_UP_SD, TURNOUT_SIGMA, coverage_band

    tiny = load_scenario(TINY)
    assert (tiny.settings.uncertainty.turnout_sigma, tiny.settings.uncertainty.show_up_sd,
            tiny.settings.uncertainty.breakdown_probability) == (TURNOUT_SIGMA, SHOW_UP_SD, BREAKDOWN_PROBABILITY)
    folder = tmp_path / "scenario"
    shutil.copytree(TINY, folder)
    toml = folder / "campaign.toml"
    toml.write_text(toml.read_text(encoding="utf-8")
                    + "\n[uncertainty]\nturnout_sigma = 0\nshow_up_sd = 0\nbreakdown_probability = 0\n", encoding="utf-8")
    calm = load_scenario(folder)
    decisions = Decisions.zeros(len(calm.wards), calm.n_days, len(calm.shift_codes))
    decisions.kits_open[:] = 1
    band = coverage_band(calm, decisions, runs=5, seed=2)
    assert (band["p10"] == band["p90"]).all()        # nothing random left
    noisy = coverage_band(tiny, decisions, runs=5, seed=2)
    assert (noisy["p10"] < noisy["p90"]).any()
