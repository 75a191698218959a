"""The roster tab: make the rosters of a run, then see them by district, ward or officer."""

from __future__ import annotations

import streamlit as st

from .. import views
from ..formatting import day_header, number
from ..jobs import RunRecord
from .context import Page, district_name
from .session import start_roster


def roster_section(page: Page, record: RunRecord) -> None:
    T, lang, ss = page.t, page.lang, page.state
    result, scenario = record.result, record.scenario
    st.subheader(T("roster_title"))
    if result.roster is None:
        st.info(T("roster_on_demand"))
        st.button(T("make_roster"), key="make_roster", on_click=start_roster, args=(page, record.name),
                  disabled=ss["job"] is not None)
        return
    roster = result.roster
    by = page.choice(st.radio, T("roster_by"), ["district", "ward", "officer"], "roster_by", horizontal=True,
                format_func=lambda k: T(f"by_{k}"))
    day_label = lambda d: day_header(d, lang)
    role_label = lambda r: T(f"role_{r}")
    code: str | None
    if by == "district":
        codes = scenario.district_codes
        code = st.selectbox(T("district"), codes, key="roster_district",
                            format_func=lambda c: district_name(scenario, c))
        grid = views.roster_grid(scenario, roster, district=code, day_label=day_label, role_label=role_label)
    elif by == "ward":
        wards = list(scenario.wards.index)
        code = st.selectbox(T("ward"), wards, key="roster_ward",
                            format_func=lambda w: f"{scenario.wards['ward_name'].loc[w]} ({w})")
        grid = views.roster_grid(scenario, roster, ward=code, day_label=day_label, role_label=role_label)
    else:
        officers = sorted(roster["officer_id"].astype(str).unique())
        code = st.selectbox(T("officer"), officers, key="roster_officer")
        grid = views.roster_grid(scenario, roster, officer=code, day_label=day_label, role_label=role_label)
    grid["home_unit"] = grid["home_unit"].replace("", T("district_reserve"))
    grid = grid.rename(columns={"officer_id": T("col_officer_id"), "display_name": T("col_display_name"),
                                "home_unit": T("col_home_unit"), "roles": T("col_roles"),
                                "shifts": T("col_shifts"), "hours": T("col_hours")})
    st.caption(T("shift_key", codes="; ".join(f"{s.code} = {s.name_vi if lang == 'vi' else s.name_en} "
                                            f"{s.start}–{s.end}" for s in scenario.shifts)))
    st.dataframe(grid, hide_index=True, key="roster_grid")
    report = result.roster_report or {}
    if report.get("unstaffed_slots") or report.get("kit_shifts_closed_for_lack_of_officers"):
        st.warning(T("unstaffed", n=number(report.get("unstaffed_slots", 0), lang),
                     closed=number(report.get("kit_shifts_closed_for_lack_of_officers", 0), lang)))
