"""The result tab: headline numbers, coverage and backlog charts, districts and the heatmap."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ...scenario import CITY
from .. import charts, maps, views
from ..formatting import date_text, number, percent, seconds, signed
from ..i18n import solver_message_text
from ..jobs import RunRecord
from .cache import band_table, district_results, heat_table, progress_table
from .context import Page, district_name, reach_text


def headline_section(page: Page, record: RunRecord) -> None:
    """The run's headline numbers; once rosters changed the plan, the planner picks which version
    (rostered or as planned) the numbers show, and the page says how they differ."""
    T, lang = page.t, page.lang
    result, scenario = record.result, record.scenario
    if record.plan_result is not None:
        before = views.headline(record.plan_result)
        report = result.roster_report or {}
        st.info(T("roster_plan_changed", closed=number(report.get("kit_shifts_closed_for_lack_of_officers", 0), lang),
                  slots=number(report.get("unstaffed_slots", 0), lang),
                  enrolled_before=number(before["enrolled"], lang),
                  gap_before=percent(before["gap"], lang, 2)))
        version = page.choice(st.radio, T("plan_version"), ["rostered", "plan"], "plan_version", horizontal=True,
                              format_func=lambda k: T(f"plan_version_{k}"))
        if version == "plan":
            result = record.plan_result
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
            delta = T("baseline_reach", date=reach_text(page, day["baseline_day"], scenario))
        column.metric(T("m_day_reach", level=level), reach_text(page, day["plan_day"], scenario), border=True,
                      delta=delta, delta_color="normal" if earlier or day["plan_day"] is not None else "off",
                      delta_arrow="off")
    took = T("from_store") if record.seconds == 0 else seconds(record.seconds, lang)
    st.caption(T("run_caption", status=T(f"status_{h['status']}"), seconds=took,
                 solve=seconds(h["wall_seconds"], lang), officer_shifts=number(h["officer_shifts"], lang)))
    if h["messages"]:
        with st.expander(T("solver_messages")):
            for message in h["messages"]:
                st.text(solver_message_text(message, lang, scenario))


def coverage_section(page: Page, record: RunRecord):
    """Coverage and backlog charts. Returns a function that adds the uncertainty band to the
    coverage chart; the page calls it last, so the band's simulations never hold up the rest."""
    T, lang, ss = page.t, page.lang, page.state
    result, scenario = record.result, record.scenario
    st.subheader(T("coverage_title"))
    codes = scenario.district_codes
    picked = st.multiselect(T("districts_shown"), codes, key="districts_shown", placeholder=T("choose_districts"),
                            format_func=lambda c: district_name(scenario, c), max_selections=6)
    chosen = tuple(c for c in picked if c in codes)
    progress = progress_table(record.key, chosen, result)
    deadline = scenario.dates[-1].isoformat()
    chart_slot = st.empty()
    figure = charts.coverage_chart(progress, T, lang, deadline=deadline)
    # charts return alt.TopLevelMixin; Streamlit's stub lists only the concrete chart classes
    chart_slot.altair_chart(figure)  # type: ignore[call-overload]
    caption_slot = st.empty()
    st.subheader(T("backlog_title"))
    # charts return alt.TopLevelMixin; Streamlit's stub lists only the concrete chart classes
    st.altair_chart(charts.backlog_chart(progress, T, lang))  # type: ignore[call-overload]
    if not ss.get("show_band", True):
        return lambda: None
    runs = int(ss.get("band_runs", page.settings.band_runs))
    caption_slot.caption(T("band_running", runs=runs))

    def add_band() -> None:
        band = band_table(record.key, runs, 0, page.settings.uses_pool(record.scenario), record.scenario,
                          result.decisions)
        banded = charts.coverage_chart(progress, T, lang, band=band, deadline=deadline)
        # charts return alt.TopLevelMixin; Streamlit's stub lists only the concrete chart classes
        chart_slot.altair_chart(banded)  # type: ignore[call-overload]
        city = band[(band["district_code"] == CITY)].iloc[-1]
        caption_slot.caption(T("band_caption", runs=runs, p10=percent(city["p10"], lang),
                               p50=percent(city["p50"], lang), p90=percent(city["p90"], lang),
                               projection=percent(views.headline(result)["coverage"], lang),
                               date=date_text(scenario.dates[-1], lang)))

    return add_band


def district_section(page: Page, record: RunRecord) -> None:
    T, lang = page.t, page.lang
    result, scenario = record.result, record.scenario
    frame = district_results(record.key, result)
    left, right = st.columns([1, 1])
    with left:
        st.subheader(T("map_title"))
        # real boundaries where known; else the centroids; else the province on the national map
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
        st.dataframe(shown, hide_index=True, height=min(420, 35 * (len(shown) + 1) + 3), key="district_results",
                     column_config={T("col_baseline_coverage"): st.column_config.TextColumn(width="medium"),
                                    T("col_district_name"): st.column_config.TextColumn(pinned=True)})
    st.subheader(T("heatmap_title"))
    h1, h2 = st.columns([2, 3])
    codes = scenario.district_codes
    district = h1.selectbox(T("district"), codes, key="heat_district", format_func=lambda c: district_name(scenario, c))
    with h2:
        metric = page.choice(st.radio, T("heat_metric"), ["queue", "utilisation", "served"], "heat_metric",
                        horizontal=True, format_func=lambda m: T(f"metric_{m}"))
    if district not in codes:
        district = codes[0]
    grid = heat_table(record.key, district, metric, result)
    # charts return alt.TopLevelMixin; Streamlit's stub lists only the concrete chart classes
    st.altair_chart(charts.heatmap_chart(grid, metric, T, lang))  # type: ignore[call-overload]
