"""The nightly re-plan: actuals in, re-forecast, re-plan the days after as-of, publish, record.

`replan_night` is the pure core (no files, no store): from the published plan, its roster and
the actuals it re-forecasts (`reforecast`), pins the freeze window, re-plans the days after
the as-of day with `run_plan`, rosters them through one roster function and diffs the result
against the published plan. The closed-loop replay calls it night after night.

`run_nightly` is the batch job around it (`python -m optimizer nightly`): validate the actuals
file, take the store's lock, lay the file over the stored actuals (corrections recorded),
find the plan in force (planning and publishing the day-1 plan first when the store has none),
re-plan, then write the output folder and publish the run in the store together: files are
staged, the store transaction commits, then the folder is renamed into place. Any failure before
the commit leaves the previous outputs and the last published plan untouched (the run is
recorded as failed). Re-running a night with the same inputs (idempotency key: scenario hash +
actuals hash + as-of + parameters) re-plans from the same published plan, gets the same plan
and adds no records.

Freeze window: the decisions of the `freeze_days` days after as-of (campaign.freeze_days, 2 by
default), and the letters already sent (those of the `invitation_lead_days` after as-of), stay
exactly as published (`pinned`); so do the roster rows of those days.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
import os
import shlex
import socket
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ScenarioError
from ..exports.outputs import atomic_folder, write_json, write_plan_files
from ..kept_plans import keep
from ..planner import ReplanWindow, SolveOptions, run_plan
from ..result import PlanResult
from ..scenario import Scenario, load_scenario
from ..simulation import Decisions, simulate
from .actuals import Observed, actuals_hash, merge_actuals, observed_arrays, parse_as_of, read_actuals
from .diff import plan_diff
from .reforecast import Reforecast, reforecast
from .roster import RosterFunction, RosterUnavailable, make_roster, staffed_roster
from .store import PlanStore

Progress = Callable[[str, float], None]
FIELDS = Decisions.FIELDS


class NightlyFailed(RuntimeError):
    """The re-plan produced no usable plan; nothing was published."""


@dataclass(frozen=True)
class NightlyOptions:
    """The run's parameters (part of the idempotency key); None = the scenario's setting."""

    time_limit_seconds: float | None = None
    seed: int | None = None
    workers: int | None = None
    with_roster: bool = True
    prior_days: float = 1.0
    change_cost: float = 0.01     # people per kit-shift (mobile kit-day, team-day) moved off the published plan

    def parameters(self, scenario: Scenario) -> dict:
        solver = scenario.settings.solver
        return {"time_limit_seconds": float(self.time_limit_seconds or solver.time_limit_seconds),
                "seed": int(solver.seed if self.seed is None else self.seed),
                "workers": int(self.workers or solver.workers), "with_roster": bool(self.with_roster),
                "prior_days": float(self.prior_days), "change_cost": float(self.change_cost),
                "freeze_days": scenario.settings.campaign.freeze_days}


@dataclass
class NightlyPlan:
    """Everything one night's re-plan produced (before anything is written)."""

    result: PlanResult
    forecast: Reforecast
    as_of_day: int
    pinned: Decisions
    published: Decisions
    diff: pd.DataFrame
    changes: dict
    roster_status: str
    notes: list[str] = field(default_factory=list)

    @property
    def first_day(self) -> int:
        return self.as_of_day + 1


def pinned_decisions(scenario: Scenario, published: Decisions, as_of_day: int) -> Decisions:
    """-1 everywhere except the freeze window (all decisions) and letters already sent."""
    first = as_of_day + 1
    freeze = scenario.settings.campaign.freeze_days
    lead = scenario.settings.demand.invitation_lead_days
    pinned = Decisions(*(np.full_like(getattr(published, f), -1) for f in FIELDS))
    for f in FIELDS:
        until = first + (max(freeze, lead) if f == "letters" else freeze)
        getattr(pinned, f)[:, first:until] = getattr(published, f)[:, first:until]
    return pinned


def frozen_until(scenario: Scenario, as_of_day: int) -> int:
    """First day after the freeze window."""
    return min(scenario.n_days, as_of_day + 1 + scenario.settings.campaign.freeze_days)


def replan_night(scenario: Scenario, published: Decisions, observed: Observed, as_of_day: int,
                 options: NightlyOptions = NightlyOptions(), *, published_roster: pd.DataFrame | None = None,
                 roster_fn: RosterFunction = staffed_roster, progress: Progress | None = None,
                 executor=None) -> NightlyPlan:
    """Re-forecast from the actuals and re-plan the days after `as_of_day` (pure: writes nothing)."""
    first = as_of_day + 1
    clock = time.perf_counter()
    pinned = pinned_decisions(scenario, published, as_of_day)
    forecast = reforecast(scenario, published, observed, as_of_day, pinned=pinned, prior_days=options.prior_days)
    if progress:
        progress(f"re-forecast: {int(forecast.start.enrolled.sum()):,} enrolled by the close of "
                 f"{scenario.dates[as_of_day]}, {len(forecast.gaps)} ward-day(s) not reported", 0.1)
    reforecast_seconds = time.perf_counter() - clock
    # kits opened beyond the plan count as overtime: they do not shrink the week's officer budget
    budget_past = forecast.executed.copy()
    budget_past.kits_open[:, :first] = np.minimum(forecast.executed.kits_open[:, :first],
                                                  published.kits_open[:, :first])
    result = run_plan(forecast.scenario,
                      SolveOptions(workers=options.workers, time_limit_seconds=options.time_limit_seconds,
                                   seed=options.seed, progress=progress, executor=executor),
                      ReplanWindow(first_day=first, arrivals=forecast.arrivals, start=forecast.start,
                                   fixed=budget_past, executed=forecast.executed, pinned=pinned,
                                   previous=published, change_cost=options.change_cost))
    result.timings["reforecast_seconds"] = reforecast_seconds
    notes = []
    until = frozen_until(scenario, as_of_day)
    roster_status = "skipped (--no-roster)"
    if options.with_roster:
        if scenario.officers is None:
            roster_status = "skipped: the scenario has no officers.csv"
        else:
            free_from = until if published_roster is not None else first
            clock = time.perf_counter()
            try:
                notes += make_roster(result, roster_fn, first_free_day=free_from, published_roster=published_roster,
                                     pinned=pinned, fixed=budget_past, workers=options.workers,
                                     time_limit_seconds=options.time_limit_seconds, seed=options.seed,
                                     progress=progress)
                if published_roster is None:
                    result.roster = result.roster[result.roster["day"] >= first].reset_index(drop=True)
                roster_status = "made"
            except RosterUnavailable as exc:
                roster_status = f"not made: {exc}"
                result.roster = None
            result.timings["roster_seconds"] = time.perf_counter() - clock
    for f in FIELDS:
        if not np.array_equal(getattr(result.decisions, f)[:, first:until], getattr(published, f)[:, first:until]):
            notes.append(f"decisions of the frozen days changed ({f}): the published ones should stand; "
                         "please report this")
    diff, changes = plan_diff(scenario, published, result.decisions, first, roster_before=published_roster,
                              roster_after=result.roster)
    return NightlyPlan(result=result, forecast=forecast, as_of_day=as_of_day, pinned=pinned, published=published,
                       diff=diff, changes=changes, roster_status=roster_status, notes=notes)


def plan_initial(scenario: Scenario, options: NightlyOptions = NightlyOptions(), *,
                 roster_fn: RosterFunction = staffed_roster, progress: Progress | None = None,
                 executor=None) -> tuple[PlanResult, str]:
    """The day-1 plan of the whole campaign (and its roster), as the first published plan."""
    result = run_plan(scenario, SolveOptions(workers=options.workers, time_limit_seconds=options.time_limit_seconds,
                                             seed=options.seed, progress=progress, executor=executor))
    status = "skipped (--no-roster)"
    if options.with_roster and scenario.officers is not None:
        try:
            make_roster(result, roster_fn, first_free_day=0, published_roster=None, workers=options.workers,
                        time_limit_seconds=options.time_limit_seconds, seed=options.seed, progress=progress)
            status = "made"
        except RosterUnavailable as exc:
            status = f"not made: {exc}"
            result.roster = None
    return result, status


def adopt_published(scenario: Scenario, plan: NightlyPlan, decisions: Decisions, roster: pd.DataFrame | None,
                    published_roster: pd.DataFrame | None) -> str:
    """Make a re-run show the run already published for the same inputs (its decisions and roster),
    should a clock-limited solve have come out otherwise; returns what differed ("" if nothing)."""
    from ..objective import objective_terms, officer_shifts
    from .store import roster_frame

    result = plan.result
    differs = []
    if not all(np.array_equal(getattr(decisions, f), getattr(result.decisions, f)) for f in FIELDS):
        differs.append("plan")
    def rows(frame):
        frame = roster_frame(frame)
        return frame.sort_values(list(frame.columns)).reset_index(drop=True)

    if (result.roster is None) != (roster is None) or (
            roster is not None and not rows(result.roster).equals(rows(roster))):
        differs.append("roster")
    if not differs:
        return ""
    result.decisions = decisions
    result.roster = roster
    inputs = plan.forecast
    result.outcome = simulate(result.scenario, decisions, arrivals=inputs.arrivals, start=inputs.start,
                              first_day=plan.first_day)
    terms = objective_terms(result.scenario, decisions, result.outcome)
    result.objective = float(sum(terms.values()))
    terms["officer_shifts_count"] = float(officer_shifts(result.scenario, decisions))
    result.objective_terms = terms
    plan.diff, plan.changes = plan_diff(scenario, plan.published, decisions, plan.first_day,
                                        roster_before=published_roster, roster_after=roster)
    return " and ".join(differs)


def planned_projection(result: PlanResult, first_day: int) -> pd.DataFrame:
    """Planned enrollments per ward and day of the run's window, and the running total."""
    scenario = result.scenario
    served = result.outcome.served.sum(axis=2)
    cum = result.outcome.enrolled_cum_by_day()
    n = served.shape[0]
    days = np.arange(first_day, scenario.n_days)
    return pd.DataFrame({
        "ward_code": np.repeat(scenario.wards.index.to_numpy(), len(days)),
        "district_code": np.repeat(scenario.wards["district_code"].to_numpy(), len(days)),
        "day": np.tile(days, n),
        "date": np.tile([scenario.dates[d].isoformat() for d in days], n),
        "planned_enrolled": served[:, first_day:].ravel(),
        "planned_enrolled_cum": cum[:, first_day:].ravel()})


def idempotency_key(scenario: Scenario, actuals: str, as_of: dt.date, parameters: dict) -> str:
    text = json.dumps({"scenario": scenario.input_hash, "actuals": actuals, "as_of": as_of.isoformat(),
                       "parameters": parameters}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def who_started() -> dict:
    try:
        user = getpass.getuser()
    except Exception:   # no user database entry (containers)
        user = os.environ.get("USER") or os.environ.get("LOGNAME") or f"uid {os.getuid()}"
    return {"user_name": user, "host": socket.gethostname(), "command_line": shlex.join(sys.argv)}


# --- warnings and summary -------------------------------------------------------------------------

def actuals_warnings(scenario: Scenario, plan: NightlyPlan) -> list[dict]:
    """One warning per ward with days not reported (and how they were treated), then the others."""
    out = []
    gaps = plan.forecast.gaps
    for ward, group in gaps.groupby("ward_code", sort=False):
        dates = ", ".join(group["date"])
        assumed = int(group["assumed_enrolled"].sum())
        out.append({"kind": "missing_report", "ward_code": ward, "date": group["date"].iloc[-1],
                    "dates": list(group["date"]), "assumed_enrolled": assumed,
                    "message": f"ward {ward} has not reported {dates}: assumed the published plan's simulated "
                               f"enrollments ({assumed:,} people; kits as published, walk-ins at the "
                               "re-estimated turnout)"})
    out.extend(plan.forecast.warnings)
    return out


def nightly_summary(scenario: Scenario, plan: NightlyPlan, *, as_of: dt.date, previous_run: dict | None,
                    run_id: int | None, submission: dict | None, warnings: list[dict], extra: dict) -> dict:
    result = plan.result
    summary = result.summary()
    start = plan.forecast.start
    target = max(1, scenario.total_target)
    until = frozen_until(scenario, plan.as_of_day)
    summary.update({
        "kind": "nightly",
        "run_id": run_id,
        "as_of": as_of.isoformat(),
        "first_day_replanned": scenario.dates[plan.first_day].isoformat(),
        "frozen_days": [scenario.dates[d].isoformat() for d in range(plan.first_day, until)],
        "previous_run": previous_run,
        "input_hash": scenario.input_hash,
        "planning_input_hash": result.scenario.input_hash,
        "enrolled_to_date": int(start.enrolled.sum()),
        "coverage_to_date": round(float(start.enrolled.sum()) / target, 6),
        "changed_kit_shifts": plan.changes["changed_kit_shifts"],
        "changed_officer_shifts": plan.changes["changed_officer_shifts"],
        "officer_shifts_added": plan.changes["officer_shifts_added"],
        "officer_shifts_removed": plan.changes["officer_shifts_removed"],
        "officer_shifts_moved": plan.changes["officer_shifts_moved"],
        "changes": plan.changes["changes"],
        "roster_status": plan.roster_status,
        "actuals": submission,
        "actuals_warnings": warnings,
        "missing_reports": {"ward_days": int(len(plan.forecast.gaps)),
                            "treatment": "a ward-day not reported counts as the published plan's simulated "
                                         "enrollments (kits as published, walk-ins at the re-estimated turnout)"},
        "reforecast": {"turnout_by_district": plan.forecast.turnout.to_dict("records"),
                       "show_up": plan.forecast.show_up},
        "notes": plan.notes,
    })
    summary.update(extra)
    return json_ready(summary)


def json_ready(value):
    """Plain JSON values: NaN becomes null, numpy scalars become Python numbers."""
    if isinstance(value, dict):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_ready(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def estimates_rows(plan: NightlyPlan) -> list[dict]:
    rows = [{"parameter": "walk_in_turnout_multiplier", "scope": "district", "code": r["district_code"],
             "prior": r["prior"], "observed": r["observed"], "posterior": r["posterior"],
             "data_weight": r["data_weight"], "note": r["note"]} for r in plan.forecast.turnout.to_dict("records")]
    show = plan.forecast.show_up
    rows.append({"parameter": "invitation_show_up", "scope": "city", "code": "city", "prior": show["prior"],
                 "observed": show["observed"], "posterior": show["posterior"], "data_weight": show["data_weight"],
                 "note": f"{show['letters_observed']} letters observed"})
    return rows


def write_night_files(plan: NightlyPlan, folder: Path, summary: dict) -> None:
    from ..exports.csv_file import write_csv
    write_plan_files(plan.result, folder)
    write_csv(plan.diff, folder / "diff.csv")
    write_csv(plan.forecast.turnout, folder / "forecast.csv")
    write_csv(plan.forecast.reconciliation, folder / "reconciliation.csv")
    write_json(folder / "summary.json", summary)


# --- the batch job --------------------------------------------------------------------------------

@dataclass
class NightlyReport:
    run_id: int
    summary: dict
    out_dir: Path
    rerun_of: int | None = None
    messages: list[str] = field(default_factory=list)
    timings: dict = field(default_factory=dict)


def _published_ref(run: dict | None) -> dict | None:
    if run is None:
        return None
    return {"id": run["id"], "kind": run["kind"], "as_of": run["as_of"], "published_at": run["published_at"]}


def run_nightly(scenario_dir: str | Path, actuals_path: str | Path, as_of: str | dt.date, store_path: str | Path,
                out_dir: str | Path, options: NightlyOptions = NightlyOptions(), *,
                roster_fn: RosterFunction = staffed_roster, progress: Progress | None = None,
                executor=None, started_by: dict | None = None) -> NightlyReport:
    """The nightly batch job (see the module docstring); raises ScenarioError on bad input,
    StoreBusy when another run holds the store and NightlyFailed when no plan could be made."""
    clock = time.perf_counter()
    timings = {}
    scenario = load_scenario(scenario_dir)
    as_of_date, as_of_day = parse_as_of(scenario, as_of)
    actuals_path = Path(actuals_path)
    submitted = read_actuals(actuals_path, scenario, as_of_date)
    file_sha = hashlib.sha256(actuals_path.read_bytes()).hexdigest()
    timings["input_seconds"] = time.perf_counter() - clock
    who = started_by or who_started()
    parameters = options.parameters(scenario)
    messages: list[str] = []
    with PlanStore(store_path) as store:
        messages += store.acquire_lock(user_name=who["user_name"], command=who["command_line"])
        for m in messages:
            if progress:
                progress(m, 0.0)
        run_id = None
        published_now = False
        try:
            stored = store.current_actuals(scenario, as_of_date)
            merged = merge_actuals(scenario, stored, submitted)
            a_hash = actuals_hash(scenario, merged.effective)
            key = idempotency_key(scenario, a_hash, as_of_date, parameters)
            existing = store.find_published(key)
            if existing is not None:
                base = store.run(existing["previous_run_id"])
                messages.append(f"the same inputs were published as run #{existing['id']}: re-planning from the "
                                "same plan, nothing new is recorded")
            else:
                later = store.latest_published()
                if later is not None and later["first_day"] > as_of_day + 1:
                    raise ScenarioError("--as-of", f"the store already holds a plan published as of {later['as_of']} "
                                                   f"(run #{later['id']}), after {as_of_date}; re-planning an earlier "
                                                   "night with new inputs is not supported")
                base = store.latest_published(first_day_at_most=as_of_day + 1)
            if base is None:
                if progress:
                    progress("no published plan in the store: planning the campaign from day 1 first", 0.02)
                initial_id = store.start_run(kind="initial", scenario=scenario, as_of=None, first_day=0,
                                             idempotency_key=None, actuals_hash=None, parameters=parameters,
                                             previous_run_id=None, out_dir=None, **who)
                run_id = initial_id
                t = time.perf_counter()
                initial, status = plan_initial(scenario, options, roster_fn=roster_fn, progress=progress,
                                               executor=executor)
                if initial.status in ("infeasible", "no_solution"):
                    raise NightlyFailed(f"the day-1 plan failed ({initial.status}): {'; '.join(initial.messages)}")
                summary0 = initial.summary()
                summary0.update({"kind": "initial", "roster_status": status})
                store.publish_run(initial_id, scenario=scenario, decisions=initial.decisions,
                                  projection=planned_projection(initial, 0), roster=initial.roster,
                                  actuals_submission=None, warnings=[], estimates=[], summary=summary0)
                keep(initial, seed=options.seed, time_limit_seconds=options.time_limit_seconds,
                     with_roster=options.with_roster)
                timings["initial_plan_seconds"] = time.perf_counter() - t
                messages.append(f"published the day-1 plan as run #{initial_id} (the store had none)")
                run_id = None
                base = store.run(initial_id)
            published = store.load_decisions(base["id"], scenario)
            published_roster = store.load_roster(base["id"])
            if existing is None:
                run_id = store.start_run(kind="nightly", scenario=scenario, as_of=as_of_date.isoformat(),
                                         first_day=as_of_day + 1, idempotency_key=key, actuals_hash=a_hash,
                                         parameters=parameters, previous_run_id=base["id"],
                                         out_dir=str(Path(out_dir).resolve()), **who)
            t = time.perf_counter()
            observed = observed_arrays(scenario, merged.effective)
            plan = replan_night(scenario, published, observed, as_of_day, options, published_roster=published_roster,
                                roster_fn=roster_fn, progress=progress, executor=executor)
            timings["replan_seconds"] = time.perf_counter() - t
            result = plan.result
            if result.status in ("infeasible", "no_solution"):
                raise NightlyFailed(f"the re-plan failed ({result.status}): {'; '.join(result.messages)}")
            if existing is not None:
                differs = adopt_published(scenario, plan, store.load_decisions(existing["id"], scenario),
                                          store.load_roster(existing["id"]), published_roster)
                if differs:
                    messages.append(f"the re-run's {differs} differed from run #{existing['id']} (a solve stopped by "
                                    "the clock); the outputs show the published run")
            warnings = actuals_warnings(scenario, plan)
            submission = {"file_name": actuals_path.name, "file_sha256": file_sha, "as_of": as_of_date.isoformat(),
                          "rows": int(len(submitted)), "new_rows": merged.new_rows,
                          "corrections": merged.corrections, "unchanged": merged.unchanged}
            corrections = [{"ward_code": r["ward_code"], "date": r["date"], "before": int(r["previous_enrolled"]),
                            "after": int(r["enrolled"])} for r in merged.corrections.to_dict("records")]
            submission_summary = {"file": str(actuals_path), "rows": int(len(submitted)),
                                  "new": int(len(merged.new_rows)), "corrections": corrections,
                                  "unchanged": merged.unchanged, "actuals_hash": a_hash,
                                  "reported_ward_days": int(observed.reported[:, :as_of_day + 1].sum()),
                                  "expected_ward_days": int(len(scenario.wards) * (as_of_day + 1))}
            timings["total_seconds"] = time.perf_counter() - clock
            result.timings.update({k: v for k, v in timings.items()})
            summary = nightly_summary(scenario, plan, as_of=as_of_date, previous_run=_published_ref(base),
                                      run_id=existing["id"] if existing else run_id, submission=submission_summary,
                                      warnings=warnings,
                                      extra={"store": str(Path(store_path)), "idempotency_key": key,
                                             "rerun_of": existing["id"] if existing else None,
                                             "started_by": who, "messages": result.messages + messages})
            t = time.perf_counter()
            with atomic_folder(out_dir) as staging:
                write_night_files(plan, staging, summary)
                if existing is None:
                    store.publish_run(run_id, scenario=scenario, decisions=result.decisions,
                                      projection=planned_projection(result, as_of_day + 1), roster=result.roster,
                                      actuals_submission=submission, warnings=warnings + [
                                          {"kind": "note", "message": n} for n in plan.notes],
                                      estimates=estimates_rows(plan), summary=summary)
                    published_now = True
                else:
                    store.note_rerun(existing["id"])
            keep(result, seed=options.seed, time_limit_seconds=options.time_limit_seconds,
                 with_roster=options.with_roster)
            timings["outputs_and_store_seconds"] = time.perf_counter() - t
            timings["total_seconds"] = time.perf_counter() - clock
            return NightlyReport(run_id=existing["id"] if existing else run_id, summary=summary,
                                 out_dir=Path(out_dir), rerun_of=existing["id"] if existing else None,
                                 messages=messages, timings={k: round(v, 3) for k, v in timings.items()})
        except BaseException as exc:
            if run_id is not None and not published_now:
                store.fail_run(run_id, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
            raise
        finally:
            store.release_lock()
