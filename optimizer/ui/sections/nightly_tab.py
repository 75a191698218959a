"""The nightly tab: the plan store's run history, actual versus planned, the latest published roster."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ...errors import ScenarioError
from ...scenario import CITY, ROLES, Scenario
from .. import charts, downloads, nightly, views
from ..formatting import date_text, file_slug, number, signed
from .cache import bundled_scenario, nightly_store
from .context import Page, district_name


def store_scenario(page: Page, data: nightly.NightlyStore, base: Scenario | None) -> Scenario | None:
    """The scenario the store's runs were made for (names, shift order): the one on the page
    when it is the same, else its folder as recorded in the store, if it is still there."""
    if base is not None and base.input_hash == data.scenario_hash:
        return base
    for folder in (Path(data.scenario_path), page.settings.root / data.scenario_path):
        if data.scenario_path and (folder / "campaign.toml").is_file():
            try:
                return bundled_scenario(str(folder.resolve()))
            except ScenarioError:
                return None
    return None


def last_nightly_note(page: Page, base: Scenario | None) -> str | None:
    """While the scenario's own plan is computed: the plan in force in the default plan store, if
    any, labelled with its run, the actuals' date, when it was made and whether it was made for
    these inputs (None when the store holds no published plan)."""
    path = nightly.default_store_path()
    data = nightly_store(path, nightly.store_signature(path))
    if isinstance(data, nightly.StoreProblem):
        return None
    in_force = nightly.plan_in_force(data.history)
    if in_force is None:
        return None
    same = base is not None and str(in_force.get("input_hash") or "") == base.input_hash
    return page.t("last_nightly_note", run=in_force["run_id"], as_of=nightly.as_of_text(in_force["as_of"], page.lang),
                  time=nightly.time_text(in_force.get("finished_at"), page.lang),
                  scenario=in_force.get("scenario") or data.scenario_name,
                  inputs=page.t("last_nightly_same" if same else "last_nightly_other"))


def nightly_section(page: Page, base: Scenario | None, source: str) -> None:
    """The nightly plan store: run history, actual versus planned, the latest published roster."""
    T, lang = page.t, page.lang
    path = st.text_input(T("store_path"), value=nightly.default_store_path(), key="store_path",
                         help=T("store_path_help")).strip()
    data = nightly_store(path, nightly.store_signature(path))
    if isinstance(data, nightly.StoreProblem):
        if data.code in ("no_path", "missing", "no_runs"):
            st.info(nightly.problem_text(data, T))
            st.markdown(T("store_how_to"))
            st.code(nightly.nightly_command(path, nightly.command_scenario_path(source, page.settings.default_scenario),
                                            base.dates[0] if base is not None else "YYYY-MM-DD"), language="bash")
            if source.startswith("upload:"):
                st.caption(T("store_how_to_upload", folder=nightly.command_scenario_path(
                    source, page.settings.default_scenario)))
        else:
            st.error(nightly.problem_text(data, T))
        return
    scenario = store_scenario(page, data, base)
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
            return f"{scenario.wards['ward_name'].loc[code]} ({code})"
        return code

    st.subheader(T("nightly_history_title"))
    st.dataframe(nightly.history_table(data.history, T, lang), hide_index=True, key="nightly_history")

    st.subheader(T("nightly_avp_title"))
    frame = data.actual_vs_planned
    codes = sorted(frame["district_code"].dropna().astype(str).unique())
    area = page.choice(st.selectbox, T("nightly_area"), [CITY, *codes], "nightly_area", format_func=district_label)
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
        daily = charts.actual_vs_planned_chart(long, T, lang)
        # charts return alt.TopLevelMixin; Streamlit's stub lists only the concrete chart classes
        left.altair_chart(daily)  # type: ignore[call-overload]
        cumulative = charts.actual_vs_planned_chart(long, T, lang, cumulative=True)
        # charts return alt.TopLevelMixin; Streamlit's stub lists only the concrete chart classes
        right.altair_chart(cumulative)  # type: ignore[call-overload]
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
        district = page.choice(st.selectbox, T("district"), ["", *districts], "nightly_roster_district",
                          format_func=lambda c: district_label(c) if c else T("all_districts"),
                          # a city's roster opens on one district
                          index=int(len(roster) > page.settings.nightly_roster_all_rows and bool(districts)))
    wards = (data.wards.loc[data.wards["district_code"] == district, "ward_code"] if district
             else data.wards["ward_code"])
    with right:
        ward = page.choice(st.selectbox, T("ward"), ["", *sorted(wards.astype(str))], "nightly_roster_ward",
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
