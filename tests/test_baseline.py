"""The fair baseline: a competent spreadsheet planner's decisions on the plan's resources and rules."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from optimizer.baseline import baseline_decisions, proportional_decisions
from optimizer.demand import invitable_pool
from optimizer.scenario import load_scenario
from optimizer.simulation import simulate
from optimizer.staffing import district_budgets, first_broken_row

TINY = Path(__file__).resolve().parents[1] / "scenarios" / "tiny"


@pytest.fixture(scope="module")
def tiny():
    return load_scenario(TINY)


@pytest.fixture(scope="module")
def fair(tiny):
    return baseline_decisions(tiny)


def test_fair_baseline_keeps_every_staffing_row(tiny, fair):
    """No staffing row of the capacity model (shift, day, week, rest, succession, runs of days) is broken in any district."""
    decisions, _ = fair
    budgets = district_budgets(tiny)
    codes = tiny.wards["district_code"].to_numpy()
    for district in tiny.district_codes:
        mine = codes == district
        assert first_broken_row(tiny, budgets[district], decisions.kits_open[mine], decisions.mobile_kits[mine],
                                decisions.home_visit_teams[mine]) is None, district


def test_mobile_kits_only_while_the_institution_lists_last(tiny, fair):
    """Each ward gets no more mobile kit-days than its institution list needs."""
    decisions, _ = fair
    rate = tiny.settings.throughput_per_kit_hour.institution
    mobile = [tiny.shift_codes.index(c) for c in tiny.settings.mobile_kit.shifts]
    per_day = sum(int(np.floor(rate * tiny.shifts[s].hours)) for s in mobile)
    needed = -(-tiny.wards["institution"].to_numpy() // per_day)
    kit_days = decisions.mobile_kits[:, :, mobile[0]].sum(axis=1)
    assert (kit_days <= needed).all()
    assert kit_days.sum() > 0


def test_letters_spread_within_each_wards_cap_and_pool(tiny, fair):
    """Letters go out from the lead day on, at most the daily cap a ward, at most its invitable pool, over several days."""
    decisions, _ = fair
    demand = tiny.settings.demand
    letters = decisions.letters
    assert letters[:, :demand.invitation_lead_days].sum() == 0
    assert (letters.sum(axis=2) <= demand.max_letters_per_ward_day).all()
    assert (letters.sum(axis=(1, 2)) <= invitable_pool(tiny)).all()
    assert ((letters.sum(axis=2) > 0).sum(axis=1) >= 2).all()
    # letters only where the counter is open
    assert (letters[decisions.kits_open == 0] == 0).all()


def test_fair_baseline_beats_the_proportional_rule(tiny, fair):
    """On tiny, the fair baseline enrolls more than the naive proportional rule on the same officers."""
    decisions, _ = fair
    proportional, _ = proportional_decisions(tiny)
    assert simulate(tiny, decisions).enrolled > simulate(tiny, proportional).enrolled


def test_fair_baseline_is_deterministic(tiny, fair):
    """The same scenario gives the same baseline."""
    again, _ = baseline_decisions(tiny)
    for name in ("kits_open", "mobile_kits", "home_visit_teams", "letters"):
        assert (getattr(again, name) == getattr(fair[0], name)).all()
