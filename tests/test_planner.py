"""run_plan / plan_capacity end to end on scenarios/tiny: every solver status, stopping early,
determinism, bound validity and the comparison with the fair baseline.

Every status has a path: optimal on a hand-solved case (test_capacity_rules.py,
test_kit_capacity_binds); feasible on tiny; infeasible when pinned
decisions break a rule; no solution when the solver runs out of time; stopped early when asked.
A district without a plan of its own keeps the fair baseline and the messages say so.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from optimizer.capacity import district as district_module
from optimizer.capacity.campaign import district_inputs, plan_capacity
from optimizer.capacity.lp import LPSession, LPSolution, SolveStatus, solve_lp
from optimizer.capacity.model import DistrictModel
from optimizer.checker import check_plan, format_report
from optimizer.exports.outputs import write_outputs
from optimizer.planner import PlanStatus, ReplanWindow, SolveOptions, run_plan
from optimizer.scenario import load_scenario
from optimizer.simulation import Decisions, conservation_gap

TINY = Path(__file__).resolve().parents[1] / "scenarios" / "tiny"

DISTRICT_001 = slice(0, 3)     # wards 00001, 00004, 00006
DISTRICT_002 = slice(3, 5)     # wards 00037, 00040


@pytest.fixture(scope="module")
def tiny():
    return load_scenario(TINY)


@pytest.fixture
def tiny_result(tiny_plan):
    """Tiny's plan, shared by the session (read-only)."""
    return tiny_plan


def free_pins(scenario) -> Decisions:
    """Pinned decisions with nothing pinned (-1 everywhere)."""
    shape = (len(scenario.wards), scenario.n_days, len(scenario.shift_codes))
    return Decisions(*(np.full(shape, -1, dtype=np.int64) for _ in range(4)))


def assert_checker_accepts(result, folder) -> None:
    report = check_plan(result.scenario, write_outputs(result, folder))
    assert report.ok, format_report(report, max_per_rule=3)


def same_decisions(a: Decisions, b: Decisions, wards=slice(None)) -> bool:
    return all(np.array_equal(getattr(a, name)[wards], getattr(b, name)[wards])
               for name in ("kits_open", "mobile_kits", "home_visit_teams", "letters"))


# --- statuses -----------------------------------------------------------------------------------

def test_status_feasible_on_tiny(tiny_result):
    """Tiny plans every district (feasible), with a finite bound above the objective and a gap below 1."""
    assert tiny_result.status in ("optimal", "feasible")
    assert not tiny_result.messages and not tiny_result.stopped_early
    summary = tiny_result.summary()
    assert summary["objective_bound"] >= summary["objective"]
    assert 0 <= summary["gap"] < 1
    assert summary["max_enrollable"] >= summary["enrolled"]


def test_mip_search_improves_on_rounding(tiny):
    """A node-limited MIP search keeps the better of its plan and the rounded one, below the LP value."""
    rounded = plan_capacity(tiny, workers=1)
    searched = plan_capacity(tiny, workers=1, max_nodes=10)
    for code, plan in searched.districts.items():
        assert plan.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
        assert plan.integer_objective >= rounded.districts[code].integer_objective - 1e-6
        assert plan.integer_objective <= plan.relaxed_objective + 1e-6


def test_status_infeasible_names_the_conflicting_input(tiny, tmp_path):
    """Pinned letters above max_letters_per_ward_day: infeasible, with a message naming ward, date and cap."""
    # 150 letters pinned for Trúc Bạch on 27 July against a cap of 120; district 001 then keeps the
    # fair baseline (with the pinned letters) and district 002 is planned as usual.
    pinned = free_pins(tiny)
    pinned.letters[1, 2, 1] = 150
    result = run_plan(tiny, SolveOptions(workers=1), ReplanWindow(pinned=pinned))
    assert result.status == "infeasible"
    explanation = [m for m in result.messages if m.startswith("district 001:")]
    assert explanation == ["district 001: ward 00004 has 150 letters already sent for 2022-07-27 "
                           "but max_letters_per_ward_day is 120"]
    assert "no plan for districts 001: they keep the fair baseline" in result.messages
    expected = result.baseline_decisions.copy()
    expected.letters[1, 2, 1] = 150
    assert same_decisions(result.decisions, expected, DISTRICT_001)
    assert result.decisions.kits_open[DISTRICT_002].sum() > 0          # district 002 is still planned
    assert result.summary()["objective_bound"] is None


def test_pinned_decisions_are_kept(tiny):
    """Pinned values within the rules (Phúc Xá closed on day 3, 30 letters on day 4 C) stay in the plan."""
    pinned = free_pins(tiny)
    pinned.kits_open[0, 3, :] = 0
    pinned.letters[0, 4, 1] = 30
    result = run_plan(tiny, SolveOptions(workers=1), ReplanWindow(pinned=pinned))
    assert result.status in ("optimal", "feasible")
    assert result.decisions.kits_open[0, 3].tolist() == [0, 0, 0]
    assert result.decisions.letters[0, 4, 1] == 30


def test_solve_lp_time_limit_without_a_solution(tiny):
    """A time limit too short to find anything gives SolveStatus.NO_SOLUTION (not an error)."""
    model = DistrictModel(district_inputs(tiny)[0])
    solution = solve_lp(model.lp, relax=True, time_limit_seconds=1e-9)
    assert solution.status == SolveStatus.NO_SOLUTION
    assert len(solution.values) == 0 and math.isnan(solution.objective)


def test_tiny_plan_within_three_percent_of_its_bound(tiny_result):
    """On the tiny scenario (small districts: the MIP search runs) the plan is within 3 % of the proven bound."""
    assert tiny_result.gap <= 0.03


def test_lp_session_time_limit_without_a_solution(tiny):
    """The warm-started session too: a time limit too short to find anything gives NO_SOLUTION."""
    model = DistrictModel(district_inputs(tiny)[0])
    solution = LPSession(model.lp, time_limit_seconds=1e-9).solve()
    assert solution.status == SolveStatus.NO_SOLUTION
    assert len(solution.values) == 0 and math.isnan(solution.objective)


def test_lp_session_solves_again_as_a_fresh_solve_would(tiny):
    """Re-solving a session with other bounds or another objective gives what a fresh solve of that LP gives."""
    model = DistrictModel(district_inputs(tiny)[0])
    session = LPSession(model.lp)
    first = session.solve()
    kits = model.kits_open.ravel()
    fixed = [(kits, np.floor(first.values[kits] + 1e-6))]
    again = session.solve(fix=fixed)
    assert again.objective == pytest.approx(solve_lp(model.lp, relax=True, fix=fixed).objective, rel=1e-7)
    enrolled = session.solve(cost=model.enrolled_cost())
    fresh = DistrictModel(district_inputs(tiny)[0], objective="enrolled")
    assert enrolled.objective == pytest.approx(solve_lp(fresh.lp, relax=True).objective, rel=1e-7)
    assert session.solve().objective == pytest.approx(first.objective, rel=1e-9)


def test_status_no_solution_keeps_the_fair_baseline(tiny, tmp_path, monkeypatch):
    """A district whose solver finds nothing in time keeps the fair baseline and the run says so."""
    class OutOfTime(district_module.LPSession):
        def solve(self, **kwargs):
            if self.n_vars == size_002:
                return LPSolution(SolveStatus.NO_SOLUTION, float("nan"), float("nan"), np.zeros(0), None, 0.0,
                                  "highs")
            return super().solve(**kwargs)

    size_002 = DistrictModel(district_inputs(tiny)[1]).lp.n_vars
    assert size_002 != DistrictModel(district_inputs(tiny)[0]).lp.n_vars
    monkeypatch.setattr(district_module, "LPSession", OutOfTime)
    result = run_plan(tiny, SolveOptions(workers=1))
    assert result.status == "no_solution"
    assert "district 002: the LP relaxation found no solution within the time limit" in result.messages
    assert "no plan for districts 002: they keep the fair baseline" in result.messages
    assert same_decisions(result.decisions, result.baseline_decisions, DISTRICT_002)
    assert result.decisions.kits_open[DISTRICT_001].sum() > 0
    assert result.summary()["objective_bound"] is None
    assert_checker_accepts(result, tmp_path / "out")


def test_tiny_time_limit_everywhere(tiny, tmp_path):
    """With a time limit of a nanosecond no district is solved: no_solution, the fair baseline."""
    result = run_plan(tiny, SolveOptions(workers=1, time_limit_seconds=1e-9))
    assert result.status == "no_solution"
    assert same_decisions(result.decisions, result.baseline_decisions)
    assert result.enrolled == result.baseline_enrolled
    assert_checker_accepts(result, tmp_path / "out")


def test_stop_at_once_keeps_the_fair_baseline(tiny, tmp_path):
    """should_stop true at once: every district keeps the fair baseline, and the messages say so."""
    result = run_plan(tiny, SolveOptions(workers=1, should_stop=lambda: True))
    assert result.stopped_early
    assert result.messages == ["stopped early: districts 001, 002 keep the fair baseline"]
    assert same_decisions(result.decisions, result.baseline_decisions)
    assert result.reserve_allocation == result.baseline_reserve_allocation
    summary = result.summary()
    assert summary["objective_bound"] is None and summary["max_enrollable"] is None
    assert summary["enrolled"] == summary["baseline_enrolled"]
    assert_checker_accepts(result, tmp_path / "out")


def test_stop_after_the_first_district(tiny, tmp_path):
    """Stopping after one batch keeps district 001's plan and 002 on the fair baseline."""
    asked = []

    def stop():
        asked.append(True)
        return len(asked) > 1

    result = run_plan(tiny, SolveOptions(workers=1, should_stop=stop))
    assert result.messages == ["stopped early: districts 002 keep the fair baseline"]
    assert same_decisions(result.decisions, result.baseline_decisions, DISTRICT_002)
    assert not same_decisions(result.decisions, result.baseline_decisions, DISTRICT_001)
    assert_checker_accepts(result, tmp_path / "out")


# --- determinism ------------------------------------------------------------------------------------

def test_same_inputs_same_plan_bytes(tiny, tiny_result, tmp_path):
    """Same scenario and seed: plan.csv and projection.csv are byte for byte the same, on 1 or 2 workers."""
    folders = [write_outputs(tiny_result, tmp_path / "first")]
    for name, workers in (("again", 1), ("two_workers", 2)):
        folders.append(write_outputs(run_plan(tiny, SolveOptions(workers=workers, seed=0)), tmp_path / name))
    for file in ("plan.csv", "projection.csv"):
        contents = [(folder / file).read_bytes() for folder in folders]
        assert contents[0] == contents[1] == contents[2], file


# --- bounds and the baseline ------------------------------------------------------------------------

def test_bounds_hold_on_tiny(tiny_result):
    """On tiny the objective bound covers the plan's objective and max_enrollable its enrolled."""
    assert tiny_result.objective_bound >= tiny_result.objective
    assert tiny_result.max_enrollable >= tiny_result.enrolled
    assert tiny_result.enrolled <= tiny_result.target


def test_plan_beats_the_baseline_on_tiny(tiny_result):
    """The optimized plan enrolls at least as many as the fair baseline on the same resources."""
    assert tiny_result.enrolled >= tiny_result.baseline_enrolled


def random_variant(tiny, seed: int):
    """Tiny with cohorts scaled by 0.3-2, 1-2 kits per ward, 3-7 days, 0-3 city kits, one curve."""
    rng = np.random.default_rng(seed)
    wards = tiny.wards.copy()
    for cohort in ("walk_in", "invited", "homebound", "institution"):
        wards[cohort] = np.floor(wards[cohort] * rng.uniform(0.3, 2.0, len(wards))).astype(np.int64)
    wards["fixed_kits"] = rng.integers(1, 3, len(wards))
    scenario = tiny.with_tables(wards=wards, city_mobile_kits=int(rng.integers(0, 4)))
    campaign = tiny.settings.campaign.model_copy(update={"days": int(rng.integers(3, 8))})
    demand = tiny.settings.demand.model_copy(update={
        "turnout_curve": str(rng.choice(["flat", "front", "back", "wave"])),
        "give_up_share": float(rng.choice([0.0, 0.2, 0.35]))})
    return scenario.with_settings(campaign=campaign, demand=demand)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_bounds_hold_on_random_variants(tiny, seed, tmp_path):
    """On random small variants the bounds cover the plan, people are conserved and the checker agrees."""
    scenario = random_variant(tiny, seed)
    result = run_plan(scenario, SolveOptions(workers=1))
    assert result.status in ("optimal", "feasible")
    assert result.objective_bound >= result.objective - 1e-6
    assert result.max_enrollable >= result.enrolled - 1e-6
    assert conservation_gap(result.outcome) == 0
    assert_checker_accepts(result, tmp_path / "out")


def test_result_keeps_the_window_it_planned(tiny):
    """run_plan returns the window it was given on the result, with a typed status."""
    window = ReplanWindow(pinned=free_pins(tiny))
    result = run_plan(tiny, SolveOptions(workers=1), window)
    assert result.window is window and result.first_day == 0
    assert isinstance(result.status, PlanStatus) and result.status.has_plan


def test_overlay_takes_only_the_days_before(tiny):
    """Decisions.overlay copies every decision field of the days before the given day, and no other day."""
    shape = (len(tiny.wards), tiny.n_days, len(tiny.shifts))
    mine, past = Decisions.zeros(*shape), Decisions.zeros(*shape)
    for name in Decisions.FIELDS:
        getattr(past, name)[:] = 7
    mine.overlay(past, before_day=2)
    for name in Decisions.FIELDS:
        assert (getattr(mine, name)[:, :2] == 7).all() and (getattr(mine, name)[:, 2:] == 0).all()
