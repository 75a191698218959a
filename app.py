"""The planner in the browser: load a scenario, change it, re-plan, see and compare, download.

Run: `.venv/bin/python -m optimizer.ui.serve` (or `-m streamlit run app.py`; settings in
.streamlit/config.toml; the first opens the first page at once on the kept plan). The
default scenario is scenarios/hanoi-2022, or the folder in the environment variable
PLANNER_SCENARIO. The page reads top to bottom: sidebar (language, scenario), the running plan's
progress, the what-if form (drawn after the result, in its place above it), then tabs for the
result, bottlenecks, rosters, comparison, downloads and the nightly runs (the plan store in
PLANNER_STORE, default out/store.sqlite; shown in an expander while the first plan runs); only
the open tab is drawn. Each section is a function in optimizer/ui/sections
taking its inputs as arguments; this script only lays the page out.

The re-plan workers import this file under the name `__mp_main__` (multiprocessing's fork
server): the page is drawn only when Streamlit runs it as `__main__`.
"""

from __future__ import annotations

from collections.abc import MutableMapping, Sequence
from pathlib import Path
from typing import Any, cast

import streamlit as st

from optimizer.ui import country as country_ui
from optimizer.ui import views
from optimizer.ui import whatif as wi
from optimizer.ui.formatting import date_text, number
from optimizer.ui.jobs import RunRecord
from optimizer.ui.sections import (
    bottlenecks,
    compare,
    downloads_tab,
    nightly_tab,
    progress,
    results,
    rosters,
    scenario_source,
    session,
    style,
    whatif_form,
)
from optimizer.ui.sections.context import AppSettings, Page

ROOT = Path(__file__).resolve().parent


def sidebar(page: Page) -> tuple:
    """Language, scenario and display settings; returns (scenario or None, its source, messages)."""
    T = page.t
    style.page_style(page)
    with st.sidebar:
        st.toggle(T("english"), key="lang_en")
        st.header(T("scenario"))
        messages: list[tuple[str, str]] = []
        base, source = scenario_source.choose_scenario(page, messages)
        st.header(T("display"))
        st.toggle(T("show_band"), value=True, key="show_band")
        st.number_input(T("band_runs_label"), min_value=5, max_value=200, value=page.settings.band_runs, step=5,
                        key="band_runs")
    return base, source, messages


def scenario_caption(page: Page, base) -> None:
    overview = views.scenario_overview(base)
    lang = page.lang
    st.caption(page.t("scenario_caption", name=overview["name"], districts=number(overview["districts"], lang),
                      wards=number(overview["wards"], lang), days=overview["days"],
                      start=date_text(overview["start"], lang), end=date_text(overview["end"], lang),
                      target=number(overview["target"], lang), officers=number(overview["officers"], lang)))


def start_base_plan(page: Page, base, source: str) -> None:
    """A new scenario on screen: its own form, and its base plan once (a failed first plan is not
    retried in a loop)."""
    ss = page.state
    if ss["base_key"] != base.input_hash:
        if ss["base_key"] is not None:
            whatif_form.reset_form(page)
        ss["base_key"] = base.input_hash
    if (ss["job"] is None and base.input_hash not in ss["base_started"]
            and not any(r.scenario.input_hash == base.input_hash for r in ss["runs"].values())):
        ss["base_started"].add(base.input_hash)
        label = Path(source.removeprefix("upload:")).name if source else ""
        session.start_plan(page, page.t("base_run", source=label), base, wi.WhatIf(),
                           source)


def chosen_run(page: Page, base) -> RunRecord:
    """The run shown: the planner's choice, else the newest run of the scenario on screen."""
    ss, names = page.state, list(page.state["runs"])
    if ss.get("view_run") not in names:
        ss["view_run"] = names[-1]
    if base is not None and ss.get("view_scenario") != base.input_hash:
        ss["view_scenario"] = base.input_hash      # a scenario newly on screen: show its own newest run
        own = [n for n in names if ss["runs"][n].scenario.input_hash == base.input_hash]
        if own:
            ss["view_run"] = own[-1]
    name = st.selectbox(page.t("run_shown"), names, key="view_run")
    record: RunRecord = ss["runs"][name]
    if base is not None and record.scenario.name != base.name:
        st.warning(page.t("run_other_scenario", run=record.scenario.name, scenario=base.name))
    st.caption(compare.describe_run(page, record))
    st.caption(compare.computed_text(page, record))
    return record


def draw_form(page: Page, slot, base, source: str) -> None:
    """The what-if form of the scenario on screen, in its place above the result."""
    if base is not None:
        with slot:
            whatif_form.whatif_form(page, base, source)


def open_tabs(page: Page, labels: list[str]) -> Sequence[Any]:
    """The result tabs, of which only the open one is drawn (switching tabs reruns the page); the
    open tab stays open when the planner switches language (its place is remembered, and the tabs
    of the other language open on it)."""
    ss, key = page.state, f"main_tab_{page.lang}"
    if ss.get(key) in labels:
        ss["main_tab_index"] = labels.index(ss[key])
    index = ss.get("main_tab_index", 0)
    default = labels[index if 0 <= index < len(labels) else 0]
    return st.tabs(labels, key=key, default=default, on_change="rerun")


def main() -> None:
    st.set_page_config(page_title="CCCD – Kế hoạch cấp căn cước", page_icon="🪪", layout="wide")
    st.set_option("client.showErrorDetails", "type")   # an unexpected error shows no traceback (it goes to the log)
    settings = AppSettings.from_environment(ROOT)
    session.init_state(st.session_state)
    # Streamlit types the session state's keys as str | int; the page only ever uses str keys
    state = cast(MutableMapping[str, Any], st.session_state)
    page = Page(lang="en" if state.get("lang_en") else "vi", state=state, settings=settings)
    ss = page.state

    session.finish_job(page)
    base, source, messages = sidebar(page)
    if country_folder := country_ui.country_picker(page.lang):   # the national overview of a plan-country run
        country_ui.render_country(country_folder, page.lang)
        st.stop()
    if base is not None:
        page.scope = views.area_kind(base)
    st.title(page.t("app_title"))
    if base is not None:
        scenario_caption(page, base)
    # Messages and the running job come and go inside one container, so everything below keeps
    # its place on the page (otherwise the old result stays on screen, greyed, until the run ends).
    top = st.container()
    with top:
        for kind, text in messages:
            getattr(st, kind)(text)
    if base is None and not ss["runs"]:
        st.stop()
    if base is not None:
        start_base_plan(page, base, source)
    with top:
        if ss["notice"]:
            kind, text = ss["notice"]
            getattr(st, kind)(text)
            ss["notice"] = None
        if ss["job"] is not None:
            progress.job_panel(page)
    # The what-if form keeps its place above the result but is drawn after it: its table is the
    # page's heaviest widget, and the planner sees the plan before it arrives.
    form_slot = st.container()

    if not ss["runs"]:
        st.info(page.t("first_solve"))
        progress.waiting_preview(page, base)
        last_nightly = nightly_tab.last_nightly_note(page, base)
        if last_nightly is not None:
            st.info(last_nightly)
        with st.expander(page.t("tab_nightly"), expanded=last_nightly is not None):
            nightly_tab.nightly_section(page, base, source)
        draw_form(page, form_slot, base, source)
        progress.keep_polling(page)
        st.stop()

    record = chosen_run(page, base)
    # Only the open tab is drawn (switching tabs reruns the script): the page opens on the result
    # at once, and every change redraws one tab instead of six.
    # (a national overview adds its tab label here and its section below)
    results_tab, bottleneck_tab, roster_tab, compare_tab, download_tab, nightly_tab_ = open_tabs(
        page, [page.t("tab_results"), page.t("tab_bottlenecks"), page.t("tab_rosters"), page.t("tab_compare"),
         page.t("tab_downloads"), page.t("tab_nightly")])
    add_band = None
    if results_tab.open:
        with results_tab:
            results.headline_section(page, record)
            add_band = results.coverage_section(page, record)
            results.district_section(page, record)
    if bottleneck_tab.open:
        with bottleneck_tab:
            bottlenecks.bottleneck_section(page, record)
    if roster_tab.open:
        with roster_tab:
            rosters.roster_section(page, record)
    if compare_tab.open:
        with compare_tab:
            compare.compare_section(page)
    if download_tab.open:
        with download_tab:
            downloads_tab.download_section(page, record)
    if nightly_tab_.open:
        with nightly_tab_:
            nightly_tab.nightly_section(page, base, source)
    if add_band is not None:
        add_band()
    draw_form(page, form_slot, base, source)
    progress.keep_polling(page)


if __name__ == "__main__":
    main()
