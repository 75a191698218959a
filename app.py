"""The planner in the browser: load a scenario, change it, re-plan, see and compare, download.

Run: `.venv/bin/python -m streamlit run app.py`. The default scenario is scenarios/hanoi-2022,
or the folder in the environment variable PLANNER_SCENARIO. The page reads top to bottom:
sidebar (language, scenario), the running plan's progress, the what-if form, then tabs for
the result, bottlenecks, rosters, comparison, downloads and the nightly runs (the plan store
in PLANNER_STORE, default out/store.sqlite; shown in an expander while the first plan runs). Work happens in optimizer/ui
(pure helpers) and optimizer (the solver); this script only lays the page out.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import importlib.util
import os
import time
from pathlib import Path

import pandas as pd
import streamlit as st

from optimizer.errors import ScenarioError
from optimizer.exports.csv_file import csv_bytes
from optimizer.scenario import CITY, ROLES, Scenario, load_scenario
from optimizer.uncertainty import coverage_band
from optimizer.ui import charts, downloads, maps, nightly, province_picker, replan, views
from optimizer.ui import country as country_ui
from optimizer.ui import whatif as wi
from optimizer.ui.formatting import (date_text, day_header, file_slug, number, percent, points, seconds,
                                     signed)
from optimizer.ui.i18n import LIMIT_KEYS, progress_text, translate
from optimizer.ui.jobs import PlanJob, RunRecord
from optimizer.ui.upload import MAX_UPLOAD_BYTES, Upload, UploadError, load_uploaded

ROOT = Path(__file__).resolve().parent
SCENARIOS = ROOT / "scenarios"
DEFAULT_SCENARIO = str(Path(os.environ.get("PLANNER_SCENARIO", "scenarios/hanoi-2022")))
IN_PROCESS_BELOW_WARDS = 60          # smaller scenarios are solved without the worker pool
BAND_RUNS = int(os.environ.get("PLANNER_BAND_RUNS", "40"))
POLL_SECONDS = float(os.environ.get("PLANNER_POLL_SECONDS", "0.5"))
NIGHTLY_ROSTER_ALL_ROWS = 5000      # a larger stored roster opens on its first district, not the whole city
UPLOAD_WIDGET_MB = 50                # the browser accepts this; the app refuses above 20 MB itself

RUN_STARTED = time.perf_counter()
st.set_page_config(page_title="CCCD – Kế hoạch cấp căn cước", page_icon="🪪", layout="wide")
st.set_option("client.showErrorDetails", "type")   # an unexpected error shows no traceback (it goes to the log)
ss = st.session_state


# --- state shared by every session (cached resources) -----------------------------------------

@st.cache_resource(show_spinner=False)
def district_cache() -> replan.DistrictPlanCache:
    return replan.DistrictPlanCache()


@st.cache_resource(show_spinner=False)
def result_store() -> replan.LruStore:
    return replan.LruStore(max_entries=24)


@st.cache_resource(show_spinner=False)
def worker_pool(workers: int) -> replan.WorkerPool:
    return replan.WorkerPool(workers)


@st.cache_resource(show_spinner=False)
def bundled_scenario(folder: str) -> Scenario:
    return load_scenario(folder)


# --- cached views of a run (keyed by the run's key; the result itself is not hashed) ----------

@st.cache_data(show_spinner=False, max_entries=64)
def progress_table(key: str, districts: tuple[str, ...], _result) -> pd.DataFrame:
    return views.daily_progress(_result, districts)


@st.cache_data(show_spinner=False, max_entries=64)
def district_results(key: str, _result) -> pd.DataFrame:
    return views.district_map(_result)


@st.cache_data(show_spinner=False, max_entries=64)
def bottleneck_table(key: str, _result) -> pd.DataFrame:
    return _result.bottleneck_frame()


@st.cache_data(show_spinner=False, max_entries=64)
def shortfall_table(key: str, _result) -> pd.DataFrame:
    return _result.shortfall_frame()


@st.cache_data(show_spinner=False, max_entries=64)
def heat_table(key: str, district: str, metric: str, _result) -> pd.DataFrame:
    return views.ward_day_grid(_result, district, metric)


@st.cache_data(show_spinner=False, max_entries=32)
def band_table(key: str, runs: int, seed: int, _scenario, _decisions) -> pd.DataFrame:
    pool = (worker_pool(_scenario.settings.solver.workers)
            if len(_scenario.wards) >= IN_PROCESS_BELOW_WARDS else None)
    return coverage_band(_scenario, _decisions, runs=runs, seed=seed,
                         map_fn=pool.map if pool else None, batches=pool.workers if pool else 1)


@st.cache_data(show_spinner=False, max_entries=8)
def nightly_store(path: str, signature: tuple):
    """The plan store at `path` as the page shows it (read again whenever the file changes)."""
    return nightly.read_store(path, root=nightly.store_folder())


# --- session ----------------------------------------------------------------------------------

def init_state() -> None:
    ss.setdefault("runs", {})          # name -> RunRecord, in the order they were made
    ss.setdefault("job", None)         # the PlanJob running, if any
    ss.setdefault("base_key", None)    # input hash of the scenario the what-if form is for
    ss.setdefault("notice", None)      # (kind, text) to show once after a rerun
    ss.setdefault("uploads", {})       # digest of uploaded files -> (scenario, notes) or error
    ss.setdefault("base_started", set())   # input hashes whose base plan was started


init_state()
lang = "en" if ss.get("lang_en") else "vi"


def T(key: str, **values) -> str:
    return translate(key, lang, **values)


def choice(widget, label: str, options, key: str, format_func, **kwargs):
    """A radio or selectbox whose option labels change with the language. The browser keeps a
    widget's choice by its label, so the widget's key carries the language and the choice itself
    lives in `ss[key]` (the next language's widget starts from it)."""
    options = list(options)
    current = ss.get(key)
    index = options.index(current) if current in options else kwargs.pop("index", 0)
    kwargs.pop("index", None)
    value = widget(label, options, index=index, key=f"{key}_{lang}", format_func=format_func, **kwargs)
    ss[key] = value
    return value


def keep(record: RunRecord) -> None:
    """Keep a finished run under a unique name and show it."""
    name, n = record.name, 2
    while name in ss.runs:
        name, n = f"{record.name} ({n})", n + 1
    ss.runs[name] = dataclasses.replace(record, name=name)
    ss["view_run"] = name


def finish_job() -> None:
    job: PlanJob | None = ss.job
    if job is None or not job.done:
        return
    ss.job = None
    if job.result is None:
        key = {"input": "job_input_error", "missing": "roster_unavailable"}.get(job.error_kind, "job_failed")
        ss.notice = ("error", T(key, error=job.error))
        return
    if job.kind == "roster":
        name = job.extra["run"]
        if name in ss.runs:   # the roster may have closed kit-shifts it could not staff: new key
            ss.runs[name] = dataclasses.replace(ss.runs[name], result=job.result, key=f"{job.key}-roster")
        return
    keep(job.record())
    if job.result.stopped_early:
        ss.notice = ("warning", T("stopped_notice", name=job.name))


def start_plan(name: str, scenario: Scenario, whatif: wi.WhatIf, source: str,
               time_limit: float | None = None) -> None:
    """Show a stored plan at once, or solve it in the background."""
    key = replan.run_key(scenario, time_limit_seconds=time_limit)
    stored = result_store().get(key)
    if stored is not None:
        keep(RunRecord(name=name, scenario=scenario, result=stored, whatif=whatif, source=source,
                       key=key, seconds=0.0))
        return
    cache, store = district_cache(), result_store()
    pool = (worker_pool(scenario.settings.solver.workers)
            if len(scenario.wards) >= IN_PROCESS_BELOW_WARDS else None)

    def runner(progress, should_stop):
        result = replan.plan(scenario, cache=cache, pool=pool, time_limit_seconds=time_limit,
                             progress=progress, should_stop=should_stop)
        if not result.stopped_early:
            store.put(key, result)
        return result

    ss.job = PlanJob(name, "plan", scenario, whatif, source, key, runner).start()


def start_roster(run_name: str) -> None:
    record: RunRecord = ss.runs[run_name]
    if importlib.util.find_spec("optimizer.crews.plan_staffing") is None:
        ss.notice = ("info", T("roster_unavailable", error="optimizer.crews.plan_staffing"))
        return
    cache = district_cache()
    pool = (worker_pool(record.scenario.settings.solver.workers)
            if len(record.scenario.wards) >= IN_PROCESS_BELOW_WARDS else None)

    def runner(progress, should_stop):
        return replan.plan(record.scenario, cache=cache, pool=pool, progress=progress,
                           should_stop=should_stop, with_roster=True)

    ss.job = PlanJob(T("roster_job", name=run_name), "roster", record.scenario, record.whatif,
                     record.source, record.key, runner, extra={"run": run_name}).start()


# --- scenario in -------------------------------------------------------------------------------

def bundled_folders() -> list[str]:
    folders = [str(p.relative_to(ROOT)) for p in sorted(SCENARIOS.iterdir())
               if (p / "campaign.toml").exists()]
    if DEFAULT_SCENARIO not in folders:
        folders.insert(0, DEFAULT_SCENARIO)
    return folders


def input_error(exc: Exception) -> str:
    """The page's text for a refused upload or an invalid scenario (the CLI's one line)."""
    if isinstance(exc, UploadError):
        return T(f"upload_{exc.code}", **exc.values)
    return f"{T('invalid_input')}\n\n`{exc}`"


def uploaded(widget_key: str) -> Upload | None:
    file = ss.get(widget_key)
    return None if file is None else Upload(file.name, file.getvalue())


def choose_scenario(messages: list) -> tuple[Scenario | None, str]:
    """The sidebar's scenario pickers; returns the scenario (None after an error) and its label.
    What the main page should say about it is appended to `messages` as (kind, text)."""
    folders = bundled_folders()
    source_kind = choice(st.radio, T("scenario_source"), ["bundled", "upload"], "source_kind", horizontal=True,
                         format_func=lambda k: T(f"source_{k}"))
    folder = st.selectbox(T("bundled_scenario"), folders, key="bundled",
                          index=folders.index(DEFAULT_SCENARIO), help=T("bundled_help"))
    picked = province_picker.pick_province(lang)   # any of the 63 provinces, built on first use
    folder = str(picked) if picked is not None else folder
    if source_kind == "upload":
        st.file_uploader(T("upload_zip"), type=["zip"], key="up_zip", max_upload_size=UPLOAD_WIDGET_MB)
        st.file_uploader(T("upload_wards"), type=["csv", "xlsx"], key="up_wards",
                         max_upload_size=UPLOAD_WIDGET_MB)
        st.file_uploader(T("upload_officers"), type=["csv", "xlsx"], key="up_officers",
                         max_upload_size=UPLOAD_WIDGET_MB)
        st.caption(T("upload_limit", mb=MAX_UPLOAD_BYTES // 2**20))
        files = {k: uploaded(k) for k in ("up_zip", "up_wards", "up_officers")}
        if any(files.values()):
            digest = hashlib.sha256(folder.encode())
            for key, file in files.items():
                digest.update(f"|{key}|{file.name if file else ''}|".encode())
                digest.update(file.data if file else b"")
            digest = digest.hexdigest()
            if digest not in ss.uploads:
                try:
                    ss.uploads[digest] = load_uploaded(
                        base_folder=None if files["up_zip"] else ROOT / folder,
                        scenario_zip=files["up_zip"], wards=files["up_wards"], officers=files["up_officers"])
                except (UploadError, ScenarioError) as exc:
                    ss.uploads[digest] = exc
            loaded = ss.uploads[digest]
            if isinstance(loaded, Exception):
                messages.append(("error", input_error(loaded)))
                for key, table in (("up_wards", "wards.csv"), ("up_officers", "officers.csv")):
                    if files[key] is not None and isinstance(loaded, ScenarioError) and loaded.file == table:
                        messages.append(("caption", T("upload_mapping", file=files[key].name, table=table)))
                return None, ""
            scenario, notes = loaded
            messages.extend(("info", T(f"note_{note}")) for note in notes)
            messages.append(("success", T("upload_ok", name=scenario.name)))
            return scenario, str(scenario.path)
        messages.append(("info", T("upload_hint")))
    try:
        return bundled_scenario(str(ROOT / folder)), folder
    except ScenarioError as exc:
        messages.append(("error", input_error(exc)))
        return None, ""


# --- what-if form ------------------------------------------------------------------------------

def reset_form() -> None:
    for key in [k for k in ss.keys() if str(k).startswith("wi_")]:
        del ss[key]


def clock(value: dt.time) -> str:
    return f"{value:%H:%M}"


def read_whatif(base: Scenario) -> tuple[wi.WhatIf, float | None]:
    """The form's values (from the session) as a WhatIf; unchanged fields stay at 'no change'."""
    table = wi.apply_table_edits(wi.district_table(base), ss.get("wi_districts"))
    parts = wi.whatif_from_table(base, table)
    demand = base.settings.demand
    rates = base.settings.throughput_per_kit_hour
    weights = base.settings.objective
    hours = []
    for shift in base.shifts:
        start, end = ss.get(f"wi_start_{shift.code}"), ss.get(f"wi_end_{shift.code}")
        if start is not None and end is not None and (clock(start), clock(end)) != (shift.start, shift.end):
            hours.append((shift.code, clock(start), clock(end)))
    extra = None
    if ss.get("wi_extra"):
        extra = wi.ExtraShift(code=ss.get("wi_extra_code", "D"), start=clock(ss["wi_extra_start"]),
                              end=clock(ss["wi_extra_end"]), preference=ss["wi_extra_pref"] / 100,
                              name_vi=T("extra_shift_name_vi"), name_en=T("extra_shift_name_en"))

    def changed(key, current, scale=1.0):
        value = ss.get(key)
        if value is None:
            return None
        value = value / scale
        return None if abs(value - current) < 1e-9 else value

    curve = ss.get(f"wi_curve_{lang}", ss.get("wi_curve", demand.turnout_curve))   # see choice()
    limit = ss.get("wi_time_limit")
    limit = None if limit is None or abs(limit - base.settings.solver.time_limit_seconds) < 1e-9 else float(limit)
    city = ss.get("wi_city")
    whatif = wi.WhatIf(
        **parts,
        city_reserve=None if city is None or int(city) == base.city_mobile_kits else int(city),
        ward_kits_delta=int(ss.get("wi_kits_all") or 0),
        turnout_curve=None if curve == demand.turnout_curve else curve,
        turnout_peak_day=(None if ss.get("wi_peak") is None or int(ss["wi_peak"]) == demand.turnout_peak_day
                          else int(ss["wi_peak"])),
        show_up=changed("wi_show_up", demand.invitation_show_up, 100.0),
        throughput_walk_in=changed("wi_rate", rates.walk_in),
        throughput_institution=changed("wi_rate_institution", rates.institution),
        shift_hours=tuple(hours), extra_shift=extra,
        weight_enrolled=changed("wi_w_enrolled", weights.enrolled),
        equity=changed("wi_w_equity", 1.0),
        weight_wait=changed("wi_w_wait", weights.wait_per_person_shift))
    return whatif, limit


def submit_whatif(base: Scenario, source: str) -> None:
    """Form callback: apply the what-ifs and start the plan."""
    if ss.job is not None:
        ss.notice = ("warning", T("busy"))
        return
    try:
        whatif, limit = read_whatif(base)
        scenario = wi.apply_whatif(base, whatif)
    except wi.WhatIfError as exc:
        ss.notice = ("error", T("whatif_error", error=str(exc)))
        return
    name = (ss.get("wi_name") or "").strip() or T("run_default_name", n=len(ss.runs) + 1)
    start_plan(name, scenario, whatif, source, time_limit=limit)
    ss.pop("wi_name", None)


def whatif_form(base: Scenario, source: str) -> None:
    demand = base.settings.demand
    rates = base.settings.throughput_per_kit_hour
    weights = base.settings.objective
    with st.expander(T("whatif_title"), expanded=False):
        with st.form("whatif", border=False):
            pending = 1 if ss.job is not None and ss.job.kind == "plan" else 0
            st.text_input(T("run_name"), value=T("run_default_name", n=len(ss.runs) + pending + 1), key="wi_name")
            st.markdown(f"**{T('district_changes')}**")
            editable = wi.district_table(base)
            editable["target"] = [number(v, lang) for v in editable["target"]]   # read-only, as text
            st.data_editor(
                editable, key="wi_districts", hide_index=True, num_rows="fixed",
                disabled=["district_code", "district_name", "target", "officers_now"],
                column_config={
                    "district_code": st.column_config.TextColumn(T("col_district_code")),
                    "district_name": st.column_config.TextColumn(T("col_district_name")),
                    "target": st.column_config.TextColumn(T("col_target")),
                    "demand": st.column_config.NumberColumn(T("col_demand"), min_value=0.0, max_value=5.0,
                                                            step=0.05, format="%.2f", help=T("col_demand_help")),
                    "mobile_kits": st.column_config.NumberColumn(T("col_mobile_kits"), min_value=0,
                                                                 max_value=100, step=1),
                    "officers_now": st.column_config.NumberColumn(T("col_officers_now")),
                    "officers": st.column_config.NumberColumn(T("col_officers"), min_value=0.0, max_value=5.0,
                                                              step=0.05, format="%.2f",
                                                              help=T("col_officers_help")),
                    "ward_kits": st.column_config.NumberColumn(T("col_ward_kits"), min_value=-5, max_value=10,
                                                               step=1, help=T("col_ward_kits_help")),
                })
            demand_col, kits_col, weight_col = st.columns(3)
            with demand_col:
                st.markdown(f"**{T('demand')}**")
                choice(st.selectbox, T("turnout_curve"), wi.CURVES, "wi_curve",
                       index=list(wi.CURVES).index(demand.turnout_curve), format_func=lambda c: T(f"curve_{c}"))
                st.number_input(T("peak_day"), min_value=0, max_value=base.n_days - 1,
                                value=min(demand.turnout_peak_day, base.n_days - 1), step=1, key="wi_peak",
                                help=T("peak_day_help", start=date_text(base.dates[0], lang)))
                st.number_input(T("show_up"), min_value=0.0, max_value=100.0,
                                value=round(100 * demand.invitation_show_up, 1), step=1.0, key="wi_show_up")
            with kits_col:
                st.markdown(f"**{T('resources')}**")
                st.number_input(T("kits_all"), min_value=-5, max_value=10, value=0, step=1, key="wi_kits_all",
                                help=T("kits_all_help"))
                st.number_input(T("city_reserve"), min_value=0, max_value=500, value=int(base.city_mobile_kits),
                                step=1, key="wi_city")
                st.number_input(T("rate_walk_in"), min_value=1.0, max_value=200.0, value=float(rates.walk_in),
                                step=1.0, key="wi_rate")
                st.number_input(T("rate_institution"), min_value=1.0, max_value=200.0,
                                value=float(rates.institution), step=1.0, key="wi_rate_institution")
            with weight_col:
                st.markdown(f"**{T('objective')}**")
                st.number_input(T("w_enrolled"), min_value=0.01, max_value=100.0, value=float(weights.enrolled),
                                step=0.1, key="wi_w_enrolled")
                st.number_input(T("w_equity"), min_value=0.0, max_value=20.0, value=1.0, step=0.25,
                                key="wi_w_equity", help=T("w_equity_help"))
                st.number_input(T("w_wait"), min_value=0.0, max_value=10.0,
                                value=float(weights.wait_per_person_shift), step=0.01, format="%.3f",
                                key="wi_w_wait", help=T("w_wait_help"))
                st.number_input(T("time_limit"), min_value=1.0, max_value=3600.0,
                                value=float(base.settings.solver.time_limit_seconds), step=5.0,
                                key="wi_time_limit", help=T("time_limit_help"))
            st.markdown(f"**{T('shifts')}**")
            columns = st.columns(len(base.shifts) + 1)
            for column, shift in zip(columns, base.shifts):
                with column:
                    name = shift.name_vi if lang == "vi" else shift.name_en
                    st.time_input(T("shift_start", code=shift.code, name=name),
                                  value=dt.datetime.strptime(shift.start, "%H:%M").time(),
                                  step=dt.timedelta(minutes=30), key=f"wi_start_{shift.code}")
                    st.time_input(T("shift_end", code=shift.code, name=name),
                                  value=dt.datetime.strptime(shift.end, "%H:%M").time(),
                                  step=dt.timedelta(minutes=30), key=f"wi_end_{shift.code}")
            with columns[-1]:
                st.checkbox(T("extra_shift"), value=False, key="wi_extra", help=T("extra_shift_help"))
                st.text_input(T("extra_code"), value="D", max_chars=3, key="wi_extra_code")
                st.time_input(T("extra_start"), value=dt.time(22, 0), step=dt.timedelta(minutes=30),
                              key="wi_extra_start")
                st.time_input(T("extra_end"), value=dt.time(0, 0), step=dt.timedelta(minutes=30),
                              key="wi_extra_end")
                st.number_input(T("extra_pref"), min_value=0.0, max_value=90.0, value=10.0, step=1.0,
                                key="wi_extra_pref")
            st.form_submit_button(T("run_button"), type="primary", key="wi_submit",
                                  on_click=submit_whatif, args=(base, source))


# --- progress ----------------------------------------------------------------------------------

def job_panel() -> None:
    """The running job: its name, progress (which district was solved, its gap) and Stop."""
    job: PlanJob = ss.job
    snap = job.snapshot()
    with st.status(T("running", name=job.name), expanded=True, state="running"):
        st.progress(min(1.0, snap.fraction), text=progress_text(snap.message, lang, job.scenario) or T("starting"))
        st.caption(T("elapsed", seconds=seconds(snap.seconds, lang)))
        st.button(T("stopping") if snap.stopping else T("stop"), key="stop_job", on_click=job.stop,
                  disabled=snap.stopping, help=T("stop_help"))


def keep_polling() -> None:
    """While a job runs, run the page again shortly (the panel's progress, then the result).

    A whole-page rerun rather than a polling fragment: a fragment's request for a full rerun
    did not always reach the browser on this Streamlit. Every view is cached, so a rerun
    costs little; POLL_SECONDS = 0 (tests) leaves the polling to the caller."""
    if ss.job is not None and POLL_SECONDS > 0:
        # never spend more than about half the time drawing the page: the job needs the CPU
        time.sleep(max(POLL_SECONDS, time.perf_counter() - RUN_STARTED))
        st.rerun()



def waiting_preview(scenario: Scenario) -> None:
    """What the scenario asks for, shown while its first plan is being made. It also puts every
    kind of element the result uses on the page from the first run: in this Streamlit the
    browser sometimes never finished loading an element kind first seen in a later run (it
    stayed a grey placeholder), so the result page then shows only kinds already loaded."""
    overview = views.scenario_overview(scenario)
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(T("col_target"), number(overview["target"], lang), border=True)
    c2.metric(T("district"), number(overview["districts"], lang), border=True)
    c3.metric(T("ward"), number(overview["wards"], lang), border=True)
    c4.metric(T("officer"), number(overview["officers"], lang), border=True)
    codes = scenario.district_codes
    chosen = st.multiselect(T("districts_shown"), codes, key="preview_districts", placeholder=T("choose_districts"),
                            format_func=lambda c: district_name(scenario, c), max_selections=6)
    st.altair_chart(charts.arrivals_chart(views.expected_arrivals(scenario, tuple(chosen)), T, lang))
    st.download_button(T("dl_wards"), data=lambda: csv_bytes(scenario.wards.reset_index()),
                       file_name="wards.csv", mime="text/csv", key="dl_wards", on_click="ignore")


# --- result views ------------------------------------------------------------------------------

def district_name(scenario: Scenario, code: str) -> str:
    return str(scenario.districts.at[code, "district_name"]) if code in scenario.districts.index else code


def reach_text(day: int | None, scenario: Scenario) -> str:
    return T("not_reached") if day is None else date_text(scenario.dates[day], lang)


def headline_section(record: RunRecord) -> None:
    result, scenario = record.result, record.scenario
    h = views.headline(result)
    if h["stopped_early"]:
        st.warning(T("stopped_early_note"))
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(T("m_enrolled"), number(h["enrolled"], lang), border=True,
              delta=T("of_target", target=number(h["target"], lang)), delta_color="off", delta_arrow="off",
              help=T("m_enrolled_help", deadline=date_text(h["deadline"], lang)))
    c2.metric(T("m_coverage"), percent(h["coverage"], lang), border=True,
              delta=T("baseline_is", value=percent(h["baseline_coverage"], lang)), delta_color="off",
              delta_arrow="off")
    c3.metric(T("m_bound"), number(h["max_enrollable"], lang), border=True,
              delta=T("gap_is", gap=percent(h["gap"], lang, 2)), delta_color="off", delta_arrow="off",
              help=T("m_bound_help"))
    c4.metric(T("m_gain"), signed(h["gain"], lang), border=True,
              delta=T("baseline_people", value=number(h["baseline_enrolled"], lang)), delta_color="off",
              delta_arrow="off", help=T("m_gain_help"))
    columns = st.columns(4)
    for column, level in zip(columns, ("80", "90", "95", "100")):
        day = h["days"][level]
        earlier = day["days_earlier"]
        if earlier is not None:
            delta = T("days_earlier", n=earlier) if earlier > 0 else T("same_day")
        elif day["baseline_day"] is None:
            delta = T("baseline_never")
        else:
            delta = T("baseline_reach", date=reach_text(day["baseline_day"], scenario))
        column.metric(T("m_day_reach", level=level), reach_text(day["plan_day"], scenario), border=True,
                      delta=delta, delta_color="normal" if earlier or day["plan_day"] is not None else "off",
                      delta_arrow="off")
    took = T("from_store") if record.seconds == 0 else seconds(record.seconds, lang)
    st.caption(T("run_caption", status=T(f"status_{h['status']}"), seconds=took,
                 solve=seconds(h["wall_seconds"], lang), officer_shifts=number(h["officer_shifts"], lang)))
    if h["messages"]:
        with st.expander(T("solver_messages")):
            for message in h["messages"]:
                st.text(message)


def coverage_section(record: RunRecord):
    """Coverage and backlog charts. Returns a function that adds the uncertainty band to the
    coverage chart; the page calls it last, so the band's simulations never hold up the rest."""
    result, scenario = record.result, record.scenario
    st.subheader(T("coverage_title"))
    codes = scenario.district_codes
    chosen = st.multiselect(T("districts_shown"), codes, key="districts_shown", placeholder=T("choose_districts"),
                            format_func=lambda c: district_name(scenario, c), max_selections=6)
    chosen = tuple(c for c in chosen if c in codes)
    progress = progress_table(record.key, chosen, result)
    deadline = scenario.dates[-1].isoformat()
    chart_slot = st.empty()
    chart_slot.altair_chart(charts.coverage_chart(progress, T, lang, deadline=deadline))
    caption_slot = st.empty()
    st.subheader(T("backlog_title"))
    st.altair_chart(charts.backlog_chart(progress, T, lang))
    if not ss.get("show_band", True):
        return lambda: None
    runs = int(ss.get("band_runs", BAND_RUNS))
    caption_slot.caption(T("band_running", runs=runs))

    def add_band() -> None:
        band = band_table(record.key, runs, 0, record.scenario, result.decisions)
        chart_slot.altair_chart(charts.coverage_chart(progress, T, lang, band=band, deadline=deadline))
        city = band[(band["district_code"] == CITY)].iloc[-1]
        caption_slot.caption(T("band_caption", runs=runs, p10=percent(city["p10"], lang),
                               p50=percent(city["p50"], lang), p90=percent(city["p90"], lang),
                               date=date_text(scenario.dates[-1], lang)))

    return add_band


def district_section(record: RunRecord) -> None:
    result, scenario = record.result, record.scenario
    frame = district_results(record.key, result)
    left, right = st.columns([1, 1])
    with left:
        st.subheader(T("map_title"))
        maps.show_district_map(frame, T, lang, charts.district_map_chart, scenario.settings.campaign.province)
    with right:
        st.subheader(T("districts_title"))
        shown = pd.DataFrame({
            T("col_district_name"): frame["district_name"],
            T("col_target"): [number(v, lang) for v in frame["target"]],
            T("col_enrolled"): [number(v, lang) for v in frame["enrolled"]],
            T("col_coverage"): [percent(v, lang) for v in frame["coverage"]],
            T("col_baseline_coverage"): [percent(v, lang) for v in frame["baseline_coverage"]],
        })
        st.dataframe(shown, hide_index=True, height=min(420, 35 * (len(shown) + 1) + 3), key="district_results")
    st.subheader(T("heatmap_title"))
    h1, h2 = st.columns([2, 3])
    codes = scenario.district_codes
    district = h1.selectbox(T("district"), codes, key="heat_district", format_func=lambda c: district_name(scenario, c))
    with h2:
        metric = choice(st.radio, T("heat_metric"), ["queue", "utilisation", "served"], "heat_metric",
                        horizontal=True, format_func=lambda m: T(f"metric_{m}"))
    if district not in codes:
        district = codes[0]
    grid = heat_table(record.key, district, metric, result)
    st.altair_chart(charts.heatmap_chart(grid, metric, T, lang))


def bottleneck_section(record: RunRecord) -> None:
    result, scenario = record.result, record.scenario
    frame = bottleneck_table(record.key, result)
    st.subheader(T("bottleneck_title"))
    st.caption(T("bottleneck_help"))
    top = frame.iloc[0]
    kinds = {"per_kit_shift": "kit", "per_officer_shift": "officer", "per_evening_shift": "evening"}
    best = max(kinds, key=lambda c: top[c])
    if top[best] > 0:
        st.info(T("bottleneck_top", district=top["district_name"], what=T(f"one_more_{kinds[best]}"),
                  gain=number(top[best], lang, 1)))

    def where(ward, date, shift=""):
        if not ward and not date:
            return ""
        name = scenario.wards.at[ward, "ward_name"] if ward in scenario.wards.index else ward
        parts = [p for p in (name, date_text(date, lang) if date else "", shift) if p]
        return ", ".join(parts)

    shown = pd.DataFrame({
        T("col_district_name"): frame["district_name"],
        T("col_coverage"): [percent(v, lang) for v in frame["coverage"]],
        T("col_shortfall"): [number(v, lang) for v in frame["shortfall"]],
        T("col_per_kit_shift"): [number(v, lang, 1) for v in frame["per_kit_shift"]],
        T("col_kit_where"): [where(w, d, s) for w, d, s in zip(frame["kit_shift_ward"], frame["kit_shift_date"],
                                                              frame["kit_shift_shift"])],
        T("col_per_officer_shift"): [number(v, lang, 1) for v in frame["per_officer_shift"]],
        T("col_officer_where"): [", ".join(p for p in (T(f"role_{r}") if r else "", date_text(d, lang) if d else "",
                                                       s) if p)
                                 for r, d, s in zip(frame["officer_role"], frame["officer_date"],
                                                    frame["officer_shift_code"])],
        T("col_per_evening_shift"): [number(v, lang, 1) for v in frame["per_evening_shift"]],
        T("col_evening_where"): [where(w, d) for w, d in zip(frame["evening_ward"], frame["evening_date"])],
    })
    st.dataframe(shown, hide_index=True, key="bottlenecks")

    st.subheader(T("why_title"))
    shortfalls = shortfall_table(record.key, result)
    wards = list(shortfalls["ward_code"])
    ward = choice(st.selectbox, T("why_ward"), wards, "why_ward", format_func=lambda w: T(
        "ward_option", ward=scenario.wards.at[w, "ward_name"],
        district=district_name(scenario, scenario.wards.at[w, "district_code"]),
        coverage=percent(float(shortfalls.loc[shortfalls["ward_code"] == w, "coverage"].iloc[0]), lang)))
    if ward not in wards:
        ward = wards[0]
    row = views.shortfall_row(result, ward)
    limit = T(LIMIT_KEYS.get(row["binding_limit"], "limit_none"))
    if row["shortfall"] > 0:
        st.markdown(T("why_text", ward=row["ward_name"], shortfall=number(row["shortfall"], lang),
                      target=number(row["target"], lang), coverage=percent(row["coverage"], lang), limit=limit))
        parts = {"waiting_or_gave_up": row["waiting_or_gave_up"], "homebound_left": row["homebound_left"],
                 "institution_left": row["institution_left"], "not_arrived": row["not_arrived"]}
        st.altair_chart(charts.shortfall_chart(parts, T, lang))
    else:
        st.success(T("why_none", ward=row["ward_name"]))


def roster_section(record: RunRecord) -> None:
    result, scenario = record.result, record.scenario
    st.subheader(T("roster_title"))
    if result.roster is None:
        st.info(T("roster_on_demand"))
        st.button(T("make_roster"), key="make_roster", on_click=start_roster, args=(record.name,),
                  disabled=ss.job is not None)
        return
    roster = result.roster
    by = choice(st.radio, T("roster_by"), ["district", "ward", "officer"], "roster_by", horizontal=True,
                format_func=lambda k: T(f"by_{k}"))
    labels = dict(day_label=lambda d: day_header(d, lang), role_label=lambda r: T(f"role_{r}"))
    if by == "district":
        codes = scenario.district_codes
        code = st.selectbox(T("district"), codes, key="roster_district", format_func=lambda c: district_name(scenario, c))
        grid = views.roster_grid(scenario, roster, district=code, **labels)
    elif by == "ward":
        wards = list(scenario.wards.index)
        code = st.selectbox(T("ward"), wards, key="roster_ward",
                            format_func=lambda w: f"{scenario.wards.at[w, 'ward_name']} ({w})")
        grid = views.roster_grid(scenario, roster, ward=code, **labels)
    else:
        officers = sorted(roster["officer_id"].astype(str).unique())
        code = st.selectbox(T("officer"), officers, key="roster_officer")
        grid = views.roster_grid(scenario, roster, officer=code, **labels)
    grid["home_unit"] = grid["home_unit"].replace("", T("district_reserve"))
    grid = grid.rename(columns={"officer_id": T("col_officer_id"), "display_name": T("col_display_name"),
                                "home_unit": T("col_home_unit"), "roles": T("col_roles"),
                                "shifts": T("col_shifts"), "hours": T("col_hours")})
    st.caption(T("shift_key", codes="; ".join(f"{s.code} = {s.name_vi if lang == 'vi' else s.name_en} "
                                            f"{s.start}–{s.end}" for s in scenario.shifts)))
    st.dataframe(grid, hide_index=True, key="roster_grid")
    if result.unstaffed is not None and len(result.unstaffed):
        st.warning(T("unstaffed", n=number(len(result.unstaffed), lang)))


def compare_section() -> None:
    st.subheader(T("compare_title"))
    names = list(ss.runs)
    if len(names) < 2:
        st.info(T("compare_need_two"))
        return
    left, right = st.columns(2)
    a = left.selectbox(T("run_a"), names, index=len(names) - 2, key="cmp_a")
    b = right.selectbox(T("run_b"), names, index=len(names) - 1, key="cmp_b")
    if a not in ss.runs or b not in ss.runs:
        a, b = names[-2], names[-1]
    ra, rb = ss.runs[a], ss.runs[b]
    left.caption(describe_run(ra))
    right.caption(describe_run(rb))
    kpis = views.compare_kpis(ra.result, rb.result)

    def show(kpi, value, delta=False):
        if value is None or (isinstance(value, float) and value != value):
            return T("not_reached") if kpi.startswith("day_") and not delta else "–"
        if kpi in ("coverage", "gap"):
            return points(value, lang) if delta else percent(value, lang, 2 if kpi == "gap" else 1)
        return signed(value, lang) if delta else number(value, lang)

    st.dataframe(pd.DataFrame({
        T("col_kpi"): [T(f"kpi_{k}") for k in kpis["kpi"]],
        a: [show(k, v) for k, v in zip(kpis["kpi"], kpis["a"])],
        b: [show(k, v) for k, v in zip(kpis["kpi"], kpis["b"])],
        T("col_difference"): [show(k, v, True) for k, v in zip(kpis["kpi"], kpis["delta"])],
    }), hide_index=True, key="compare_kpis")
    st.altair_chart(charts.compare_chart(views.compare_curves({a: ra.result, b: rb.result}), T, lang,
                                         deadline=rb.scenario.dates[-1].isoformat()))
    deltas = views.district_deltas(ra.result, rb.result)
    st.markdown(f"**{T('district_deltas')}**")
    st.altair_chart(charts.delta_chart(deltas, T, lang))
    st.dataframe(pd.DataFrame({
        T("col_district_name"): deltas["district_name"],
        f"{T('col_enrolled')} · {a}": [number(v, lang) for v in deltas["enrolled_a"]],
        f"{T('col_enrolled')} · {b}": [number(v, lang) for v in deltas["enrolled_b"]],
        T("col_difference"): [signed(v, lang) for v in deltas["enrolled_delta"]],
        T("coverage_delta"): [points(v, lang) for v in deltas["coverage_delta"]],
    }), hide_index=True, key="compare_districts")


def describe_run(record: RunRecord) -> str:
    changes = record.whatif.changes()
    what = ", ".join(T(f"change_{c}") for c in changes) if changes else T("no_changes")
    return T("run_description", source=record.source, changes=what)


def download_section(record: RunRecord) -> None:
    result, scenario = record.result, record.scenario
    st.subheader(T("downloads_title"))
    slug = file_slug(record.name)
    st.download_button(T("dl_plan"), data=lambda: downloads.plan_csv(result), file_name=f"plan-{slug}.csv",
                       mime="text/csv", key="dl_plan", on_click="ignore")
    st.download_button(T("dl_deployment"), data=lambda: downloads.deployment_csv(result),
                       file_name=f"deployment-{slug}.csv", mime="text/csv", key="dl_deployment", on_click="ignore")
    st.download_button(T("dl_summary"), data=lambda: downloads.summary_json(result),
                       file_name=f"summary-{slug}.json", mime="application/json", key="dl_summary",
                       on_click="ignore")
    roster = result.roster
    has_roster = roster is not None
    st.download_button(T("dl_roster"), data=(lambda: downloads.roster_csv(scenario, roster)) if has_roster else b"",
                       file_name=f"roster-{slug}.csv", mime="text/csv", key="dl_roster", on_click="ignore",
                       disabled=not has_roster)
    st.download_button(T("dl_workbooks"),
                       data=(lambda: downloads.district_workbooks_zip(scenario, roster, lang)) if has_roster else b"",
                       file_name=f"rosters-{slug}.zip", mime="application/zip", key="dl_workbooks",
                       on_click="ignore", disabled=not has_roster)
    st.download_button(T("dl_calendars"),
                       data=(lambda: downloads.officer_calendars_zip(scenario, roster, lang)) if has_roster else b"",
                       file_name=f"calendars-{slug}.zip", mime="application/zip", key="dl_calendars",
                       on_click="ignore", disabled=not has_roster)
    if not has_roster:
        st.caption(T("dl_roster_note"))


def store_scenario(data: nightly.NightlyStore) -> Scenario | None:
    """The scenario the store's runs were made for (names, shift order): the one on the page
    when it is the same, else its folder as recorded in the store, if it is still there."""
    if base is not None and base.input_hash == data.scenario_hash:
        return base
    for folder in (Path(data.scenario_path), ROOT / data.scenario_path):
        if data.scenario_path and (folder / "campaign.toml").is_file():
            try:
                return bundled_scenario(str(folder.resolve()))
            except ScenarioError:
                return None
    return None


def nightly_section() -> None:
    """The nightly plan store: run history, actual versus planned, the latest published roster."""
    path = st.text_input(T("store_path"), value=nightly.default_store_path(), key="store_path",
                         help=T("store_path_help")).strip()
    data = nightly_store(path, nightly.store_signature(path))
    if isinstance(data, nightly.StoreProblem):
        if data.code in ("no_path", "missing", "no_runs"):
            st.info(nightly.problem_text(data, T))
            st.markdown(T("store_how_to"))
            st.code(nightly.nightly_command(path, source or DEFAULT_SCENARIO,
                                            base.dates[0] if base is not None else "YYYY-MM-DD"), language="bash")
        else:
            st.error(nightly.problem_text(data, T))
        return
    scenario = store_scenario(data)
    in_force = nightly.plan_in_force(data.history)
    name = data.scenario_name or (scenario.name if scenario is not None else "")
    runs = number(len(data.history), lang)
    st.caption(T("nightly_caption_none", scenario=name, runs=runs) if in_force is None else
               T("nightly_caption", scenario=name, runs=runs, run=in_force["run_id"],
                 as_of=nightly.as_of_text(in_force["as_of"], lang)))

    def district_label(code: str) -> str:
        return T("city") if code == CITY else (district_name(scenario, code) if scenario is not None else code)

    def ward_label(code: str) -> str:
        if scenario is not None and code in scenario.wards.index:
            return f"{scenario.wards.at[code, 'ward_name']} ({code})"
        return code

    st.subheader(T("nightly_history_title"))
    st.dataframe(nightly.history_table(data.history, T, lang), hide_index=True, key="nightly_history")

    st.subheader(T("nightly_avp_title"))
    frame = data.actual_vs_planned
    codes = sorted(frame["district_code"].dropna().astype(str).unique())
    area = choice(st.selectbox, T("nightly_area"), [CITY, *codes], "nightly_area", format_func=district_label)
    series = views.actual_vs_planned_series(frame, area)
    totals = views.actual_vs_planned_totals(series)
    if totals is None:
        st.info(T("nightly_avp_none"))
    else:
        st.caption(T("nightly_avp_caption", date=date_text(totals["date"], lang), actual=number(totals["actual"], lang),
                     planned=number(totals["planned"], lang), difference=signed(totals["difference"], lang)))
    if not series.empty:
        long = views.actual_vs_planned_long(series)
        left, right = st.columns(2)
        left.altair_chart(charts.actual_vs_planned_chart(long, T, lang))
        right.altair_chart(charts.actual_vs_planned_chart(long, T, lang, cumulative=True))
        st.dataframe(nightly.actual_vs_planned_table(series, T, lang), hide_index=True, key="nightly_avp")

    st.subheader(T("nightly_roster_title"))
    roster = data.roster
    if roster is None:
        st.info(T("nightly_roster_none"))
        return
    st.caption(T("nightly_roster_caption", run=data.roster_run_id,
                 as_of=nightly.as_of_text(nightly.run_row(data.history, data.roster_run_id).get("as_of"), lang),
                 shifts=number(len(roster), lang), officers=number(roster["officer_id"].nunique(), lang)))
    left, right = st.columns(2)
    districts = sorted(data.wards["district_code"].astype(str).unique())
    with left:
        district = choice(st.selectbox, T("district"), ["", *districts], "nightly_roster_district",
                          format_func=lambda c: district_label(c) if c else T("all_districts"),
                          index=int(len(roster) > NIGHTLY_ROSTER_ALL_ROWS and bool(districts)))   # a city's roster: one district
    wards = data.wards.loc[data.wards["district_code"] == district, "ward_code"] if district else data.wards["ward_code"]
    with right:
        ward = choice(st.selectbox, T("ward"), ["", *sorted(wards.astype(str))], "nightly_roster_ward",
                      format_func=lambda w: ward_label(w) if w else T("all_wards"))
    rows = views.filter_roster(roster, data.wards, district=district or None, ward=ward or None,
                               shift_order=scenario.shift_codes if scenario is not None else ())
    st.caption(T("nightly_roster_shown", shifts=number(len(rows), lang),
                 officers=number(rows["officer_id"].nunique(), lang)))
    st.dataframe(nightly.roster_table(rows, T, lang, ward_name=ward_label,
                                      role_label=lambda r: T(f"role_{r}") if r in ROLES else r),
                 hide_index=True, key="nightly_roster")
    st.download_button(T("dl_nightly_roster"), data=lambda: downloads.stored_roster_csv(rows, scenario),
                       file_name=f"roster-run{data.roster_run_id}-{file_slug(ward or district or 'all')}.csv",
                       mime="text/csv", key="dl_nightly_roster", on_click="ignore")


# --- the page ----------------------------------------------------------------------------------

finish_job()
with st.sidebar:
    st.toggle(T("english"), key="lang_en")
    st.header(T("scenario"))
    scenario_messages: list[tuple[str, str]] = []
    base, source = choose_scenario(scenario_messages)
    st.header(T("display"))
    st.toggle(T("show_band"), value=True, key="show_band")
    st.number_input(T("band_runs_label"), min_value=5, max_value=200, value=BAND_RUNS, step=5, key="band_runs")
if country_folder := country_ui.country_picker(lang):   # the national overview instead of one scenario
    country_ui.render_country(country_folder, lang); st.stop()  # noqa: E702

st.title(T("app_title"))
if base is not None:
    overview = views.scenario_overview(base)
    st.caption(T("scenario_caption", name=overview["name"], districts=number(overview["districts"], lang),
                 wards=number(overview["wards"], lang), days=overview["days"],
                 start=date_text(overview["start"], lang), end=date_text(overview["end"], lang),
                 target=number(overview["target"], lang), officers=number(overview["officers"], lang)))
# Messages and the running job come and go inside one container, so everything below keeps its
# place on the page (otherwise the old result stays on screen, greyed, until the run ends).
top = st.container()
with top:
    for kind, text in scenario_messages:
        getattr(st, kind)(text)
if base is None:
    st.stop()

if ss.base_key != base.input_hash:
    ss.base_key = base.input_hash
    reset_form()
if (ss.job is None and base.input_hash not in ss.base_started
        and not any(r.scenario.input_hash == base.input_hash for r in ss.runs.values())):
    ss.base_started.add(base.input_hash)      # once: a failed first plan is not retried in a loop
    start_plan(T("base_run", source=Path(source).name if source else ""), base, wi.WhatIf(), source)

with top:
    if ss.notice:
        kind, text = ss.notice
        getattr(st, kind)(text)
        ss.notice = None
    if ss.job is not None:
        job_panel()
whatif_form(base, source)

if not ss.runs:
    st.info(T("first_solve"))
    waiting_preview(base)
    with st.expander(T("tab_nightly")):
        nightly_section()
    keep_polling()
    st.stop()

names = list(ss.runs)
if ss.get("view_run") not in names:
    ss["view_run"] = names[-1]
chosen = st.selectbox(T("run_shown"), names, key="view_run")
record: RunRecord = ss.runs[chosen]
st.caption(describe_run(record))

results_tab, bottleneck_tab, roster_tab, compare_tab, download_tab, nightly_tab = st.tabs(
    [T("tab_results"), T("tab_bottlenecks"), T("tab_rosters"), T("tab_compare"), T("tab_downloads"),
     T("tab_nightly")])
with results_tab:
    headline_section(record)
    add_band = coverage_section(record)
    district_section(record)
with bottleneck_tab:
    bottleneck_section(record)
with roster_tab:
    roster_section(record)
with compare_tab:
    compare_section()
with download_tab:
    download_section(record)
with nightly_tab:
    nightly_section()
add_band()
keep_polling()
