"""The runs kept in the browser session and the one background job (a plan or a roster)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib.util

from ... import kept_plans
from ...result import PlanResult
from ...scenario import Scenario
from .. import replan
from .. import whatif as wi
from ..i18n import scenario_error_text
from ..jobs import PlanJob, RunRecord
from .cache import district_cache, result_store, worker_pool
from .context import Page


def init_state(state) -> None:
    """The session's keys, set once per browser session."""
    state.setdefault("runs", {})          # name -> RunRecord, in the order they were made
    state.setdefault("job", None)         # the PlanJob running, if any
    state.setdefault("base_key", None)    # input hash of the scenario the what-if form is for
    state.setdefault("notice", None)      # (kind, text) to show once after a rerun
    state.setdefault("uploads", {})       # digest of uploaded files -> (scenario, notes) or error
    state.setdefault("base_started", set())   # input hashes whose base plan was started


def keep(page: Page, record: RunRecord) -> None:
    """Keep a finished run under a unique name and show it."""
    ss = page.state
    name, n = record.name, 2
    while name in ss["runs"]:
        name, n = f"{record.name} ({n})", n + 1
    ss["runs"][name] = dataclasses.replace(record, name=name)
    ss["view_run"] = name


def finish_job(page: Page) -> None:
    """Take a finished job's result into the session (a new run, or a run's roster)."""
    ss, T = page.state, page.t
    job: PlanJob | None = ss["job"]
    if job is None or not job.done:
        return
    ss["job"] = None
    if job.result is None:
        keys = {"input": "job_input_error", "missing": "roster_unavailable"}
        key = keys.get(job.error_kind, "job_failed") if job.error_kind is not None else "job_failed"
        error = scenario_error_text(job.input_error, page.lang) if job.input_error is not None else job.error
        ss["notice"] = ("error", T(key, error=error))
        return
    if job.kind == "roster":
        name = job.extra["run"]
        if name in ss["runs"]:   # the roster may have closed kit-shifts it could not staff: new key
            ss["runs"][name] = dataclasses.replace(ss["runs"][name], result=job.result, key=f"{job.key}-roster",
                                                   plan_result=ss["runs"][name].result)
        return
    keep(page, job.record())
    if job.result.stopped_early:
        ss["notice"] = ("warning", T("stopped_notice", name=job.name))


def kept_plan(scenario: Scenario, time_limit: float | None) -> tuple[PlanResult, dt.datetime] | None:
    """The plan kept on disk for exactly this scenario and time limit (the plan alone, else the
    plan with rosters the command line makes by default), with when it was computed."""
    for with_roster in (False, True):
        found = kept_plans.find(scenario, time_limit_seconds=time_limit, with_roster=with_roster)
        if found is not None:
            return found.result, found.computed_time
    return None


def start_plan(page: Page, name: str, scenario: Scenario, whatif: wi.WhatIf, source: str,
               time_limit: float | None = None) -> None:
    """Show a plan made before at once (in this server, else kept on disk), or solve it in the
    background and keep it."""
    key = replan.run_key(scenario, time_limit_seconds=time_limit)
    stored = result_store().get(key)
    if stored is None:
        stored = kept_plan(scenario, time_limit)
        if stored is not None:
            result_store().put(key, stored)
    if stored is not None:
        result, computed = stored
        keep(page, RunRecord(name=name, scenario=scenario, result=result, whatif=whatif, source=source,
                             key=key, seconds=0.0, created=computed, kept=True))
        return
    cache, store = district_cache(), result_store()
    pool = worker_pool(scenario.settings.solver.workers) if page.settings.uses_pool(scenario) else None

    def runner(progress, should_stop):
        result = replan.plan(scenario, cache=cache, pool=pool, time_limit_seconds=time_limit,
                             progress=progress, should_stop=should_stop)
        if not result.stopped_early:
            store.put(key, (result, dt.datetime.now().astimezone()))
            kept_plans.keep(result, time_limit_seconds=time_limit)
        return result

    page.state["job"] = PlanJob(name, "plan", scenario, whatif, source, key, runner).start()


def start_roster(page: Page, run_name: str) -> None:
    """Make the rosters of a kept run in the background (button callback)."""
    record: RunRecord = page.state["runs"][run_name]
    if importlib.util.find_spec("optimizer.staffed") is None:
        page.state["notice"] = ("info", page.t("roster_unavailable", error="optimizer.staffed"))
        return
    cache = district_cache()
    pool = (worker_pool(record.scenario.settings.solver.workers)
            if page.settings.uses_pool(record.scenario) else None)

    def runner(progress, should_stop):
        result = replan.plan(record.scenario, cache=cache, pool=pool, progress=progress,
                             should_stop=should_stop, with_roster=True)
        kept_plans.keep(result, with_roster=True)
        return result

    page.state["job"] = PlanJob(page.t("roster_job", name=run_name), "roster", record.scenario, record.whatif,
                                record.source, record.key, runner, extra={"run": run_name}).start()
