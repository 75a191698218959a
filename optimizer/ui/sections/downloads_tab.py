"""The download tab: the plan, its summary, and the rosters as CSV, workbooks and calendars."""

from __future__ import annotations

import streamlit as st

from .. import downloads
from ..formatting import file_slug
from ..jobs import RunRecord
from .context import Page


def download_section(page: Page, record: RunRecord) -> None:
    T, lang = page.t, page.lang
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
    st.download_button(T("dl_roster"),
                       data=(lambda: downloads.roster_csv(scenario, roster)) if roster is not None else b"",
                       file_name=f"roster-{slug}.csv", mime="text/csv", key="dl_roster", on_click="ignore",
                       disabled=not has_roster)
    st.download_button(T("dl_workbooks"),
                       data=((lambda: downloads.district_workbooks_zip(scenario, roster, lang))
                             if roster is not None else b""),
                       file_name=f"rosters-{slug}.zip", mime="application/zip", key="dl_workbooks",
                       on_click="ignore", disabled=not has_roster)
    st.download_button(T("dl_calendars"),
                       data=((lambda: downloads.officer_calendars_zip(scenario, roster, lang))
                             if roster is not None else b""),
                       file_name=f"calendars-{slug}.zip", mime="application/zip", key="dl_calendars",
                       on_click="ignore", disabled=not has_roster)
    if not has_roster:
        st.caption(T("dl_roster_note"))
