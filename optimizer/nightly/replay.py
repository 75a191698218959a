"""Closed-loop replay: play a whole campaign night by night against a demand the planner does not know.

The truth is drawn once from a seed: a walk-in turnout multiplier per district (lognormal, mean
1, `district_sigma`), daily noise per ward and day (lognormal, mean 1, `daily_sigma`) and the
invitation show-up rate (the scenario's times lognormal noise, `show_up_sigma`). Walk-in arrivals
are floor(prior * multiplier * noise + 0.5) per ward-day, their running total capped at the
ward's walk-in cohort; the walk-ins who do not come stay reachable by letter. The truth is
played by the same queue simulation (`simulate`), with letters beyond the true pool left unsent.

Three policies meet the same truth:
- nightly: the day-1 plan, then every night (up to `nights`) the day's actuals drawn from the
  truth (enrollments by cohort) go through the same `replan_night` as the batch job;
- day-1 plan: the first plan followed unchanged;
- baseline: the fair (spreadsheet) baseline, unchanged.
The report gives each policy's final coverage and the day it reaches 80/90/95 %, and per night
the kit-shifts (and officer shifts, with rosters) the re-plan changed, the re-plan's projection,
and the turnout error: the mean over districts of |multiplier - what the days left really bring
relative to the scenario's curve|, for the prior (1.0) and for the night's estimate.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..demand import walk_in_arrivals
from ..exports.outputs import atomic_folder, write_json
from ..planner import SolveOptions, run_plan
from ..result import PlanResult
from ..scenario import Scenario
from ..simulation import Decisions, Outcome, StartState, simulate
from .actuals import Observed
from .reforecast import with_show_up
from .roster import RosterFunction, staffed_roster
from .run import NightlyOptions, replan_night

Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class Truth:
    """The demand the campaign really meets (unknown to the planner)."""

    multiplier_by_district: dict
    show_up: float
    arrivals: np.ndarray        # [wards, days]
    invitable: np.ndarray       # [wards] people reachable only by letter
    seed: int
    district_sigma: float
    daily_sigma: float


def draw_truth(scenario: Scenario, seed: int, *, district_sigma: float = 0.25, daily_sigma: float = 0.15,
               show_up_sigma: float = 0.10) -> Truth:
    rng = np.random.default_rng(seed)
    codes = scenario.district_codes
    multipliers = np.exp(rng.normal(-district_sigma ** 2 / 2, district_sigma, len(codes)))
    by_district = dict(zip(codes, multipliers))
    wards = scenario.wards
    by_ward = np.array([by_district[c] for c in wards["district_code"]])
    noise = np.exp(rng.normal(-daily_sigma ** 2 / 2, daily_sigma, (len(wards), scenario.n_days)))
    prior = walk_in_arrivals(scenario)
    raw = np.floor(prior * by_ward[:, None] * noise + 0.5).astype(np.int64)
    walk_in = wards["walk_in"].to_numpy(np.int64)
    arrivals = np.diff(np.minimum(np.cumsum(raw, axis=1), walk_in[:, None]), axis=1, prepend=0)
    show_up = float(np.clip(scenario.settings.demand.invitation_show_up * np.exp(rng.normal(0, show_up_sigma)), 0, 1))
    invitable = wards["invited"].to_numpy(np.int64) + walk_in - arrivals.sum(axis=1)
    return Truth({c: round(float(m), 4) for c, m in by_district.items()}, round(show_up, 4), arrivals, invitable,
                 seed, district_sigma, daily_sigma)


def cap_letters(decisions: Decisions, pool: np.ndarray) -> Decisions:
    """Letters beyond the people really left to invite are not sent (running total per ward)."""
    out = decisions.copy()
    n = pool.shape[0]
    flat = out.letters.reshape(n, -1)
    capped = np.minimum(np.cumsum(flat, axis=1), np.maximum(pool, 0)[:, None])
    out.letters = np.diff(capped, axis=1, prepend=0).reshape(decisions.letters.shape)
    return out


def play_truth(scenario: Scenario, truth: Truth, decisions: Decisions) -> Outcome:
    """What really happens under `decisions` (days up to any as-of are final once played)."""
    world = with_show_up(scenario, truth.show_up)
    start = StartState.initial(world)
    start.invitable_left = truth.invitable.copy()
    return simulate(world, cap_letters(decisions, truth.invitable), arrivals=truth.arrivals, start=start)


def observed_from(outcome: Outcome, as_of_day: int, *, missing_share: float = 0.0,
                  rng: np.random.Generator | None = None) -> Observed:
    """The actuals the wards report for days 0..as_of_day (enrollments by cohort)."""
    n, D, S = outcome.served.shape
    cohorts = np.stack([outcome.served_walk_in.sum(axis=2), outcome.served_invited.sum(axis=2),
                        outcome.served_homebound.sum(axis=2), outcome.served_institution.sum(axis=2)], axis=2)
    reported = np.zeros((n, D), bool)
    reported[:, :as_of_day + 1] = True
    if missing_share > 0 and rng is not None:
        reported[:, :as_of_day + 1] &= rng.random((n, as_of_day + 1)) >= missing_share
    enrolled = np.where(reported, cohorts.sum(axis=2), -1)
    return Observed(reported=reported, enrolled=enrolled, cohorts=np.where(reported[:, :, None], cohorts, -1),
                    by_shift=np.where(reported[:, :, None], outcome.served.astype(np.int64), -1),
                    kits_by_shift=np.full((n, D, S), -1, np.int64), kits_day=np.full((n, D), -1, np.int64))


def _coverage(outcome: Outcome) -> np.ndarray:
    return outcome.enrolled_cum_by_day().sum(axis=0) / max(1, int(outcome.target.sum()))


def _first_day(curve: np.ndarray, level: float) -> int | None:
    hit = np.flatnonzero(curve >= level - 1e-12)
    return int(hit[0]) if len(hit) else None


def _policy(outcome: Outcome) -> dict:
    curve = _coverage(outcome)
    return {"final_coverage": round(float(curve[-1]), 6), "enrolled": int(outcome.enrolled),
            "days_to_80": _first_day(curve, 0.8), "days_to_90": _first_day(curve, 0.9),
            "days_to_95": _first_day(curve, 0.95)}


def run_replay(scenario: Scenario, seed: int, *, nights: int | None = None,
               options: NightlyOptions = NightlyOptions(with_roster=False), missing_share: float = 0.0,
               district_sigma: float = 0.25, daily_sigma: float = 0.15,
               roster_fn: RosterFunction = staffed_roster, progress: Progress | None = None,
               executor=None, initial: PlanResult | None = None) -> tuple[dict, pd.DataFrame]:
    """Replay the campaign under one drawn truth; returns (report, per-day table).

    `initial` is the day-1 plan if already made (it does not depend on the seed)."""
    begin = time.perf_counter()
    truth = draw_truth(scenario, seed, district_sigma=district_sigma, daily_sigma=daily_sigma)
    rng = np.random.default_rng(seed + 1)
    if initial is None:
        initial = run_plan(scenario, SolveOptions(workers=options.workers, seed=options.seed, executor=executor,
                                                  time_limit_seconds=options.time_limit_seconds))
    day1 = initial.decisions.copy()
    baseline = initial.baseline_decisions.copy()
    last_night = scenario.n_days - 2
    nights = last_night + 1 if nights is None else max(0, min(int(nights), last_night + 1))
    current, roster = day1.copy(), None
    night_rows = []
    codes = scenario.district_codes
    member = np.array([scenario.wards["district_code"].to_numpy() == c for c in codes], dtype=float)
    prior_arrivals = walk_in_arrivals(scenario)
    for night in range(nights):
        t = time.perf_counter()
        so_far = play_truth(scenario, truth, current)
        observed = observed_from(so_far, night, missing_share=missing_share, rng=rng)
        plan = replan_night(scenario, current, observed, night, options, published_roster=roster,
                            roster_fn=roster_fn, executor=executor)
        estimate = plan.forecast.turnout.set_index("district_code").loc[codes, "posterior"].to_numpy(float)
        # what the days left really bring, relative to the scenario's curve (the cap on the cohort included)
        left = slice(night + 1, None)
        realized = (member @ truth.arrivals[:, left].sum(axis=1)) / np.maximum(
            member @ prior_arrivals[:, left].sum(axis=1), 1)
        night_rows.append({
            "night": night + 1, "as_of": scenario.dates[night].isoformat(),
            "coverage_to_date": round(float(_coverage(so_far)[night]), 6),
            "projected_final_coverage": round(plan.result.enrolled / max(1, plan.result.target), 6),
            "changed_kit_shifts": plan.changes["changed_kit_shifts"],
            "changed_officer_shifts": plan.changes["changed_officer_shifts"],
            "turnout_error_prior": round(float(np.abs(1.0 - realized).mean()), 4),
            "turnout_error_estimate": round(float(np.abs(estimate - realized).mean()), 4),
            "show_up_estimate": round(plan.forecast.show_up["posterior"], 4),
            "status": plan.result.status, "seconds": round(time.perf_counter() - t, 2)})
        current = plan.result.decisions
        roster = plan.result.roster
        if progress:
            progress(f"night {night + 1}/{nights} (as of {scenario.dates[night]}): "
                     f"{night_rows[-1]['changed_kit_shifts']} kit-shifts changed, projected "
                     f"{100 * night_rows[-1]['projected_final_coverage']:.1f} %", (night + 1) / max(1, nights))
    outcomes = {"nightly": play_truth(scenario, truth, current), "day1_plan": play_truth(scenario, truth, day1),
                "baseline": play_truth(scenario, truth, baseline)}
    policies = {name: _policy(o) for name, o in outcomes.items()}
    nightly_changes = [r["changed_kit_shifts"] for r in night_rows]
    policies["nightly"].update({
        "nights_replanned": nights, "kit_shift_changes_total": int(sum(nightly_changes)),
        "kit_shift_changes_per_night": round(float(np.mean(nightly_changes)), 2) if nightly_changes else 0.0,
        "officer_shift_changes_per_night": (
            None if not night_rows or night_rows[0]["changed_officer_shifts"] is None
            else round(float(np.mean([r["changed_officer_shifts"] for r in night_rows])), 2))})
    curves = {name: _coverage(o) for name, o in outcomes.items()}
    by_night = {r["as_of"]: r for r in night_rows}
    days = []
    for d, date in enumerate(scenario.dates):
        row = {"day": d, "date": date.isoformat(),
               "coverage_nightly": round(float(curves["nightly"][d]), 6),
               "coverage_day1_plan": round(float(curves["day1_plan"][d]), 6),
               "coverage_baseline": round(float(curves["baseline"][d]), 6)}
        night = by_night.get(date.isoformat(), {})
        for key in ("projected_final_coverage", "changed_kit_shifts", "changed_officer_shifts",
                    "turnout_error_prior", "turnout_error_estimate", "show_up_estimate", "seconds"):
            row[key] = night.get(key)
        days.append(row)
    report = {
        "scenario": scenario.name, "scenario_path": str(scenario.path), "input_hash": scenario.input_hash,
        "seed": seed, "nights": nights, "target": scenario.total_target,
        "truth": {"turnout_multiplier_by_district": truth.multiplier_by_district, "show_up": truth.show_up,
                  "prior_show_up": scenario.settings.demand.invitation_show_up,
                  "district_sigma": district_sigma, "daily_sigma": daily_sigma,
                  "walk_in_arrivals": int(truth.arrivals.sum()),
                  "prior_walk_in_arrivals": int(walk_in_arrivals(scenario).sum())},
        "policies": policies,
        "nightly_ahead_of_day1_plan": round(policies["nightly"]["final_coverage"]
                                            - policies["day1_plan"]["final_coverage"], 6),
        "nightly_ahead_of_baseline": round(policies["nightly"]["final_coverage"]
                                           - policies["baseline"]["final_coverage"], 6),
        "parameters": {"time_limit_seconds": options.time_limit_seconds, "workers": options.workers,
                       "with_roster": options.with_roster, "prior_days": options.prior_days,
                       "missing_share": missing_share},
        "per_night": night_rows,
        "wall_seconds": round(time.perf_counter() - begin, 2),
    }
    return report, pd.DataFrame(days)


def write_replay(report: dict, table: pd.DataFrame, out_dir: str | Path) -> Path:
    """replay.json and replay.csv, written together (atomically)."""
    with atomic_folder(out_dir) as staging:
        write_json(staging / "replay.json", report)
        from ..exports.safe_text import safe_frame
        safe_frame(table).to_csv(staging / "replay.csv", index=False)
    return Path(out_dir)
