"""How sure is a projection? Re-simulate a plan under random turnout, no-shows and breakdowns.

`coverage_band(scenario, decisions, runs, seed)` plays the same decisions `runs` times through
`optimizer.simulation.simulate`, each time with:
Settings come from campaign.toml's [uncertainty] table (defaults: today's values below):
- turnout: each district's walk-ins times a lognormal multiplier (median 1, `turnout_sigma`),
  capped per ward at its walk-in cohort, spread over the days as the scenario's curve does;
- no-shows: the invitation show-up rate drawn around the scenario's (normal, `show_up_sd`,
  clipped to 0..1), the same for the whole city in one run;
- breakdowns: each open kit in each shift (fixed kits, and mobile kits each day) is out of
  service with probability `breakdown_probability`.
The result gives, per date, the 10th, 50th and 90th percentile of coverage over the runs for
the city (district_code 'city') and for every district. Deterministic for a seed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .demand import largest_remainder, walk_in_arrivals
from .scenario import CITY, Scenario, UncertaintySettings
from .simulation import Decisions, simulate

# today's values, the defaults of campaign.toml's [uncertainty] table
TURNOUT_SIGMA = UncertaintySettings().turnout_sigma
SHOW_UP_SD = UncertaintySettings().show_up_sd
BREAKDOWN_PROBABILITY = UncertaintySettings().breakdown_probability


def _settings(scenario: Scenario, turnout_sigma: float | None, show_up_sd: float | None,
              breakdown_probability: float | None) -> dict:
    """The band's settings: those given, else the scenario's [uncertainty] table."""
    own = scenario.settings.uncertainty
    return {"turnout_sigma": own.turnout_sigma if turnout_sigma is None else turnout_sigma,
            "show_up_sd": own.show_up_sd if show_up_sd is None else show_up_sd,
            "breakdown_probability": (own.breakdown_probability if breakdown_probability is None
                                      else breakdown_probability)}


def perturbed_arrivals(scenario: Scenario, arrivals: np.ndarray, district_factor: dict[str, float]) -> np.ndarray:
    """Walk-ins per ward and day with each district's total times its factor (whole people,
    at most the ward's walk-in cohort), keeping each ward's day-by-day shape."""
    wards = scenario.wards
    factor = wards["district_code"].map(district_factor).to_numpy(float)
    cohort = wards["walk_in"].to_numpy(np.int64)
    out = np.zeros_like(arrivals)
    for i, row in enumerate(arrivals):
        total = row.sum()
        if total <= 0:
            continue
        wanted = int(min(cohort[i], np.floor(total * factor[i] + 0.5)))
        out[i] = largest_remainder(wanted, row.astype(float))
    return out


def broken_kits(decisions: Decisions, probability: float, rng: np.random.Generator,
                mobile_shifts: list[int]) -> Decisions:
    """A copy of the decisions with each open kit-shift (and mobile kit-day) lost with
    `probability`."""
    out = decisions.copy()
    if probability <= 0:
        return out
    out.kits_open = out.kits_open - rng.binomial(out.kits_open, probability)
    if mobile_shifts:
        per_day = out.mobile_kits[:, :, mobile_shifts[0]]
        left = per_day - rng.binomial(per_day, probability)
        for s in mobile_shifts:
            out.mobile_kits[:, :, s] = left
    return out


def _groups(scenario: Scenario) -> list[tuple[str, np.ndarray]]:
    ward_district = scenario.wards["district_code"].to_numpy()
    return [(CITY, np.ones(len(ward_district), dtype=bool))] + [
        (d, ward_district == d) for d in scenario.district_codes]


def coverage_runs(scenario: Scenario, decisions: Decisions, run_ids, seed: int = 0, *,
                  turnout_sigma: float | None = None, show_up_sd: float | None = None,
                  breakdown_probability: float | None = None,
                  arrivals: np.ndarray | None = None) -> np.ndarray:
    """Coverage curves [runs, city + districts, days] of the perturbed runs `run_ids`.

    Settings left None come from the scenario's [uncertainty] table. Run r draws from its own
    generator seeded (seed, r), so a run is the same whichever batch computes it."""
    chosen = _settings(scenario, turnout_sigma, show_up_sd, breakdown_probability)
    turnout_sigma, show_up_sd = chosen["turnout_sigma"], chosen["show_up_sd"]
    breakdown_probability = chosen["breakdown_probability"]
    base_arrivals = walk_in_arrivals(scenario) if arrivals is None else arrivals
    codes = scenario.shift_codes
    mobile_shifts = [codes.index(c) for c in scenario.settings.mobile_kit.shifts]
    demand = scenario.settings.demand
    districts = scenario.district_codes
    target = scenario.wards["target"].to_numpy(np.int64)
    groups = _groups(scenario)
    group_target = np.array([max(1, int(target[mask].sum())) for _, mask in groups], dtype=float)
    run_ids = list(run_ids)
    curves = np.zeros((len(run_ids), len(groups), scenario.n_days))
    for k, r in enumerate(run_ids):
        rng = np.random.default_rng([int(seed), int(r)])
        factors = dict(zip(districts, rng.lognormal(0.0, turnout_sigma, size=len(districts))))
        show_up = float(np.clip(rng.normal(demand.invitation_show_up, show_up_sd), 0.0, 1.0))
        run_decisions = broken_kits(decisions, breakdown_probability, rng, mobile_shifts)
        run_arrivals = perturbed_arrivals(scenario, base_arrivals, factors)
        run_scenario = scenario.with_settings(demand=demand.model_copy(
            update={"invitation_show_up": round(show_up, 6)}))
        outcome = simulate(run_scenario, run_decisions, arrivals=run_arrivals)
        cum = np.minimum(outcome.enrolled_cum_by_day(), target[:, None])
        for g, (_, mask) in enumerate(groups):
            curves[k, g] = cum[mask].sum(axis=0) / group_target[g]
    return curves


def _runs_task(args):
    scenario, decisions, run_ids, seed, options = args
    return coverage_runs(scenario, decisions, run_ids, seed, **options)


def coverage_band(scenario: Scenario, decisions: Decisions, runs: int = 40, seed: int = 0, *,
                  turnout_sigma: float | None = None, show_up_sd: float | None = None,
                  breakdown_probability: float | None = None,
                  arrivals: np.ndarray | None = None, map_fn=None, batches: int = 1) -> pd.DataFrame:
    """Coverage percentiles per date over `runs` perturbed simulations of `decisions`.

    Returns columns date (ISO text), day, district_code ('city' for the whole city), p10, p50,
    p90 (shares of the target, 0..1), sorted by district_code then day. Settings left None
    come from the scenario's [uncertainty] table (campaign.toml). `map_fn(fn, items)`
    (e.g. a process pool's map) with `batches` > 1 spreads the runs; the result does not
    depend on it.
    """
    if runs < 1:
        raise ValueError(f"runs must be at least 1, not {runs}")
    options = dict(_settings(scenario, turnout_sigma, show_up_sd, breakdown_probability), arrivals=arrivals)
    if map_fn is None or batches <= 1 or runs == 1:
        curves = coverage_runs(scenario, decisions, range(runs), seed, **options)
    else:
        chunks = [list(c) for c in np.array_split(np.arange(runs), min(batches, runs))]
        parts = map_fn(_runs_task, [(scenario, decisions, chunk, seed, options) for chunk in chunks])
        curves = np.concatenate(list(parts), axis=0)
    p10, p50, p90 = np.percentile(curves, [10, 50, 90], axis=0)
    dates = [d.isoformat() for d in scenario.dates]
    rows = []
    for g, (code, _) in enumerate(_groups(scenario)):
        rows.append(pd.DataFrame({"date": dates, "day": np.arange(scenario.n_days), "district_code": code,
                                  "p10": p10[g], "p50": p50[g], "p90": p90[g]}))
    frame = pd.concat(rows, ignore_index=True)
    frame[["p10", "p50", "p90"]] = frame[["p10", "p50", "p90"]].round(6)
    return frame.sort_values(["district_code", "day"], kind="stable").reset_index(drop=True)
