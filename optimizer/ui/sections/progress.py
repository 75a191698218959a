"""The running job's panel, the page's polling while it runs, and the preview before the first plan."""

from __future__ import annotations

import time

import pandas as pd
import streamlit as st

from ...exports.csv_file import csv_bytes
from ...scenario import Scenario
from .. import charts, views
from ..formatting import number, seconds
from ..i18n import progress_text
from ..jobs import PlanJob
from .context import Page, district_name


def job_panel(page: Page) -> None:
    """The running job: its name, progress (which district was solved, its gap) and Stop."""
    T, lang, ss = page.t, page.lang, page.state
    job: PlanJob = ss["job"]
    snap = job.snapshot()
    # not `with st.status(...)`: leaving the block marks the status complete (a tick) while the job
    # still runs; filled directly, it keeps its spinner until the job's result replaces it
    panel = st.status(T("running", name=job.name), expanded=True, state="running")
    panel.progress(min(1.0, snap.fraction), text=progress_text(snap.message, lang, job.scenario) or T("starting"))
    panel.caption(T("elapsed", seconds=seconds(snap.seconds, lang)))
    panel.button(T("stopping") if snap.stopping else T("stop"), key="stop_job", on_click=job.stop,
                 disabled=snap.stopping, help=T("stop_help"))


def keep_polling(page: Page) -> None:
    """While a job runs, run the page again shortly (the panel's progress, then the result).

    A whole-page rerun rather than a polling fragment: a fragment's request for a full rerun
    did not always reach the browser on this Streamlit. Every view is cached, so a rerun
    costs little; POLL_SECONDS = 0 (tests) leaves the polling to the caller."""
    ss = page.state
    poll = page.settings.poll_seconds
    if ss["job"] is not None and poll > 0:
        # never spend more than about half the time drawing the page: the job needs the CPU
        time.sleep(max(poll, time.perf_counter() - page.settings.run_started))
        st.rerun()


def waiting_preview(page: Page, scenario: Scenario) -> None:
    """What the scenario asks for, shown while its first plan is being made. It also puts every
    kind of element the result uses on the page from the first run: in this Streamlit the
    browser sometimes never finished loading an element kind first seen in a later run (it
    stayed a grey placeholder), so the result page then shows only kinds already loaded."""
    T, lang = page.t, page.lang
    overview = views.scenario_overview(scenario)
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(T("col_target"), number(overview["target"], lang), border=True)
    c2.metric(T("district"), number(overview["districts"], lang), border=True)
    c3.metric(T("ward"), number(overview["wards"], lang), border=True)
    c4.metric(T("officer"), number(overview["officers"], lang), border=True)
    capacity_preview(page, scenario)
    codes = scenario.district_codes
    chosen = st.multiselect(T("districts_shown"), codes, key="preview_districts", placeholder=T("choose_districts"),
                            format_func=lambda c: district_name(scenario, c), max_selections=6)
    figure = charts.arrivals_chart(views.expected_arrivals(scenario, tuple(chosen)), T, lang)
    # charts return alt.TopLevelMixin; Streamlit's stub lists only the concrete chart classes
    st.altair_chart(figure)  # type: ignore[call-overload]
    st.download_button(T("dl_wards"), data=lambda: csv_bytes(scenario.wards.reset_index()),
                       file_name="wards.csv", mime="text/csv", key="dl_wards", on_click="ignore")


def capacity_preview(page: Page, scenario: Scenario) -> None:
    """The scenario's capacity before any plan: kits (fixed, mobile, the city's reserve) and,
    per district, people to enroll against kits and officers."""
    T, lang = page.t, page.lang
    capacity = views.district_capacity(scenario)
    st.markdown(f"**{T('capacity_title')}**")
    c1, c2, c3 = st.columns(3)
    c1.metric(T("fixed_kits_total"), number(int(capacity["fixed_kits"].sum()), lang), border=True)
    c2.metric(T("col_mobile_kits"), number(int(capacity["mobile_kits"].sum()), lang), border=True)
    c3.metric(T("city_mobile_kits"), number(int(scenario.city_mobile_kits), lang), border=True)
    per_kit = capacity["target"] / (capacity["fixed_kits"] + capacity["mobile_kits"]).clip(lower=1)
    st.dataframe(pd.DataFrame({
        T("col_district_name"): capacity["district_name"],
        T("col_target"): [number(v, lang) for v in capacity["target"]],
        T("fixed_kits_total"): [number(v, lang) for v in capacity["fixed_kits"]],
        T("col_mobile_kits"): [number(v, lang) for v in capacity["mobile_kits"]],
        T("officer"): [number(v, lang) for v in capacity["officers"]],
        T("people_per_kit"): [number(v, lang) for v in per_kit],
    }), hide_index=True, key="preview_capacity")
