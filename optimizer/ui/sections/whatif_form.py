"""The what-if form: every default comes from the scenario on screen; a submission changes only
the fields the planner changed, says which, and starts the plan.

Widget keys carry a generation (`field`): a new scenario, or "start from the base plan", moves
the form to fresh widgets, so the browser cannot send back values typed for another scenario
(a keyed widget keeps the browser's value even when its default changes)."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from ...scenario import MAX_WORKING_GROUPS_PER_WARD, Scenario
from .. import whatif as wi
from ..formatting import date_text, number
from .context import Page, district_name
from .session import start_plan

START_FROM = ("last", "base")    # the form keeps the last what-if's edits, or goes back to the base plan


def field(page: Page, name: str) -> str:
    """The session key of the form's widget `name` in the form's current generation."""
    generation = int(page.state.get("form_generation", 0))
    return f"wi_{name}" if generation == 0 else f"wi_{name}__{generation}"


def name_field(page: Page) -> str:
    """The session key of the run-name box: a new box after each submission, so it shows the next
    default name rather than the name the browser still holds."""
    generation = int(page.state.get("name_generation", 0))
    return "wi_name" if generation == 0 else f"wi_name__{generation}"


def reset_form(page: Page) -> None:
    """Put the form back to the scenario's own values (a new generation of widgets)."""
    ss = page.state
    for key in [k for k in ss if str(k).startswith("wi_") and not str(k).startswith(("wi_name", "wi_submit"))]:
        del ss[key]
    ss["form_generation"] = int(ss.get("form_generation", 0)) + 1


def clock(value: dt.time) -> str:
    return f"{value:%H:%M}"


def read_whatif(page: Page, base: Scenario) -> tuple[wi.WhatIf, float | None]:
    """The form's values (from the session) as a WhatIf; unchanged fields stay at 'no change'."""
    ss, T = page.state, page.t
    table = wi.apply_table_edits(wi.district_table(base), ss.get(field(page, "districts")))
    parts = wi.whatif_from_table(base, table)
    demand = base.settings.demand
    rates = base.settings.throughput_per_kit_hour
    weights = base.settings.objective
    hours = []
    for shift in base.shifts:
        start, end = ss.get(field(page, f"start_{shift.code}")), ss.get(field(page, f"end_{shift.code}"))
        if start is not None and end is not None and (clock(start), clock(end)) != (shift.start, shift.end):
            hours.append((shift.code, clock(start), clock(end)))
    extra = None
    if ss.get(field(page, "extra")):
        extra = wi.ExtraShift(code=ss.get(field(page, "extra_code"), "D"), start=clock(ss[field(page, "extra_start")]),
                              end=clock(ss[field(page, "extra_end")]), preference=ss[field(page, "extra_pref")] / 100,
                              name_vi=T("extra_shift_name_vi"), name_en=T("extra_shift_name_en"))

    def changed(name, current, scale=1.0):
        value = ss.get(field(page, name))
        if value is None:
            return None
        value = value / scale
        return None if abs(value - current) < 1e-9 else value

    curve_key = field(page, "curve")
    curve = ss.get(f"{curve_key}_{page.lang}", ss.get(curve_key, demand.turnout_curve))   # see Page.choice
    limit = ss.get(field(page, "time_limit"))
    limit = None if limit is None or abs(limit - base.settings.solver.time_limit_seconds) < 1e-9 else float(limit)
    city = ss.get(field(page, "city"))
    peak = ss.get(field(page, "peak"))
    after_days = ss.get(field(page, "follow_up_days"))
    follow_up_show_up = ss.get(field(page, "follow_up_show_up"))    # the box shows the rate rounded to 0.1 %
    one_ward, one_ward_kits = ss.get(field(page, "one_ward")), int(ss.get(field(page, "one_ward_kits")) or 0)
    whatif = wi.WhatIf(
        **parts,
        city_reserve=None if city is None or int(city) == base.city_mobile_kits else int(city),
        ward_kits_delta=int(ss.get(field(page, "kits_all")) or 0),
        ward_kits=((str(one_ward), one_ward_kits),) if one_ward and one_ward_kits else (),
        turnout_curve=None if curve == demand.turnout_curve else curve,
        turnout_peak_day=None if peak is None or int(peak) == demand.turnout_peak_day else int(peak),
        show_up=changed("show_up", demand.invitation_show_up, 100.0),
        throughput_walk_in=changed("rate", rates.walk_in),
        throughput_institution=changed("rate_institution", rates.institution),
        shift_hours=tuple(hours), extra_shift=extra,
        weight_enrolled=changed("w_enrolled", weights.enrolled),
        equity=changed("w_equity", 1.0),
        weight_wait=changed("w_wait", weights.wait_per_person_shift),
        follow_up_after_days=None if after_days is None or int(after_days) == demand.follow_up_after_days
        else int(after_days),
        follow_up_show_up=None if follow_up_show_up is None
        or abs(follow_up_show_up - round(100 * demand.follow_up_show_up, 1)) < 1e-9 else follow_up_show_up / 100,
        calls_per_group_day=changed("calls_per_group", demand.calls_per_group_day),
        working_groups=changed("groups_all", 1.0))
    return whatif, limit


def change_list(page: Page, whatif: wi.WhatIf) -> str:
    """The what-if's changes in words ('no changes' when there are none)."""
    changes = whatif.changes()
    return ", ".join(page.t(f"change_{c}") for c in changes) if changes else page.t("no_changes")


def submit_whatif(page: Page, base: Scenario, source: str) -> None:
    """Form callback: apply the what-ifs and start the plan; say what changed."""
    ss, T = page.state, page.t
    if ss["job"] is not None:
        ss["notice"] = ("warning", T("busy"))
        return
    try:
        whatif, limit = read_whatif(page, base)
        scenario = wi.apply_whatif(base, whatif)
    except wi.WhatIfError as exc:
        ss["notice"] = ("error", T("whatif_error", error=str(exc)))
        return
    name = (ss.get(name_field(page)) or "").strip() or T("run_default_name", n=len(ss["runs"]) + 1)
    start_plan(page, name, scenario, whatif, source, time_limit=limit)
    if ss["notice"] is None:
        ss["notice"] = ("info", T("whatif_started", name=name, changes=change_list(page, whatif)))
    ss.pop(name_field(page), None)
    ss["name_generation"] = int(ss.get("name_generation", 0)) + 1
    if ss.get("whatif_start") == "base":
        reset_form(page)


def follow_up_fields(page: Page, base: Scenario) -> None:
    """The follow-up of letter no-shows and the working groups' door-to-door calls, from `base`."""
    T, lang = page.t, page.lang
    demand = base.settings.demand
    groups = int(wi.working_groups(base).sum())
    st.markdown(f"**{T('follow_up')}**")
    days_col, show_col, calls_col, groups_col = st.columns(4)
    days_col.number_input(T("follow_up_days"), min_value=1, max_value=30, value=int(demand.follow_up_after_days),
                          step=1, key=field(page, "follow_up_days"), help=T("follow_up_days_help"))
    show_col.number_input(T("follow_up_show_up"), min_value=0.0, max_value=100.0,
                          value=round(100 * demand.follow_up_show_up, 1), step=1.0,
                          key=field(page, "follow_up_show_up"))
    calls_col.number_input(T("calls_per_group"), min_value=0.0, max_value=10_000.0,
                           value=float(demand.calls_per_group_day), step=1.0, key=field(page, "calls_per_group"),
                           help=T("calls_per_group_help"))
    groups_col.number_input(T("groups_all"), min_value=0.0, max_value=10.0, value=1.0, step=0.1,
                            format="%.2f", key=field(page, "groups_all"),
                            help=T("groups_all_help", groups=number(groups, lang)))


def whatif_form(page: Page, base: Scenario, source: str) -> None:
    """The form, its defaults taken from `base` (the scenario on screen)."""
    T, lang, ss = page.t, page.lang, page.state
    demand = base.settings.demand
    rates = base.settings.throughput_per_kit_hour
    weights = base.settings.objective
    with st.expander(T("whatif_title"), expanded=False):
        start_col, reset_col = st.columns([3, 1])
        with start_col:
            page.choice(st.radio, T("whatif_start"), START_FROM, "whatif_start", horizontal=True,
                        format_func=lambda k: T(f"whatif_start_{k}"), help=T("whatif_start_help"))
        reset_col.button(T("whatif_reset"), key="whatif_reset", on_click=reset_form, args=(page,))
        with st.form("whatif", border=False):
            pending = 1 if ss["job"] is not None and ss["job"].kind == "plan" else 0
            st.text_input(T("run_name"), value=T("run_default_name", n=len(ss["runs"]) + pending + 1),
                          key=name_field(page))
            st.markdown(f"**{T('district_changes')}**")
            editable = wi.district_table(base)
            editable["target"] = [number(v, lang) for v in editable["target"]]   # read-only, as text
            st.data_editor(
                editable, key=field(page, "districts"), hide_index=True, num_rows="fixed",
                disabled=["district_code", "district_name", "target", "officers_now", "groups_now"],
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
                    "groups_now": st.column_config.NumberColumn(T("col_groups_now")),
                    "working_groups": st.column_config.NumberColumn(
                        T("col_working_groups"), min_value=0, max_value=MAX_WORKING_GROUPS_PER_WARD, step=1,
                        format="%d", help=T("col_working_groups_help")),
                })
            demand_col, kits_col, weight_col = st.columns(3)
            with demand_col:
                st.markdown(f"**{T('demand')}**")
                page.choice(st.selectbox, T("turnout_curve"), wi.CURVES, field(page, "curve"),
                            index=list(wi.CURVES).index(demand.turnout_curve), format_func=lambda c: T(f"curve_{c}"))
                st.number_input(T("peak_day"), min_value=0, max_value=base.n_days - 1,
                                value=min(demand.turnout_peak_day, base.n_days - 1), step=1, key=field(page, "peak"),
                                help=T("peak_day_help", start=date_text(base.dates[0], lang)))
                st.number_input(T("show_up"), min_value=0.0, max_value=100.0,
                                value=round(100 * demand.invitation_show_up, 1), step=1.0, key=field(page, "show_up"))
            with kits_col:
                st.markdown(f"**{T('resources')}**")
                st.number_input(T("kits_all"), min_value=-5, max_value=10, value=0,
                                step=1, key=field(page, "kits_all"), help=T("kits_all_help"))
                wards = list(base.wards.index)
                st.selectbox(T("one_ward"), wards, index=None, key=field(page, "one_ward"),
                             placeholder=T("one_ward_placeholder"),
                             format_func=lambda w: f"{base.wards['ward_name'].loc[w]} · "
                                                   f"{district_name(base, base.wards['district_code'].loc[w])} "
                                                   f"({int(base.wards['fixed_kits'].loc[w])})")
                st.number_input(T("one_ward_kits"), min_value=-5, max_value=10, value=0, step=1,
                                key=field(page, "one_ward_kits"), help=T("one_ward_kits_help"))
                st.number_input(T("city_reserve"), min_value=0, max_value=500,
                                value=int(base.city_mobile_kits), step=1, key=field(page, "city"),
                                help=T("city_reserve_help", kits=number(base.city_mobile_kits, lang)))
                st.number_input(T("rate_walk_in"), min_value=1.0, max_value=200.0, value=float(rates.walk_in),
                                step=1.0, key=field(page, "rate"))
                st.number_input(T("rate_institution"), min_value=1.0, max_value=200.0,
                                value=float(rates.institution), step=1.0, key=field(page, "rate_institution"))
            with weight_col:
                st.markdown(f"**{T('objective')}**")
                st.number_input(T("w_enrolled"), min_value=0.01, max_value=100.0, value=float(weights.enrolled),
                                step=0.1, key=field(page, "w_enrolled"))
                st.number_input(T("w_equity"), min_value=0.0, max_value=20.0, value=1.0, step=0.25,
                                key=field(page, "w_equity"), help=T("w_equity_help"))
                st.number_input(T("w_wait"), min_value=0.0, max_value=10.0,
                                value=float(weights.wait_per_person_shift), step=0.01, format="%.3f",
                                key=field(page, "w_wait"), help=T("w_wait_help"))
                st.number_input(T("time_limit"), min_value=1.0, max_value=3600.0,
                                value=float(base.settings.solver.time_limit_seconds), step=5.0,
                                key=field(page, "time_limit"), help=T("time_limit_help"))
            follow_up_fields(page, base)
            st.markdown(f"**{T('shifts')}**")
            columns = st.columns(len(base.shifts) + 1)
            for column, shift in zip(columns, base.shifts):
                with column:
                    name = shift.name_vi if lang == "vi" else shift.name_en
                    st.time_input(T("shift_start", code=shift.code, name=name),
                                  value=dt.datetime.strptime(shift.start, "%H:%M").time(),
                                  step=dt.timedelta(minutes=30), key=field(page, f"start_{shift.code}"))
                    st.time_input(T("shift_end", code=shift.code, name=name),
                                  value=dt.datetime.strptime(shift.end, "%H:%M").time(),
                                  step=dt.timedelta(minutes=30), key=field(page, f"end_{shift.code}"))
            with columns[-1]:
                st.checkbox(T("extra_shift"), value=False, key=field(page, "extra"), help=T("extra_shift_help"))
                st.text_input(T("extra_code"), value="D", max_chars=3, key=field(page, "extra_code"))
                st.time_input(T("extra_start"), value=dt.time(22, 0), step=dt.timedelta(minutes=30),
                              key=field(page, "extra_start"))
                st.time_input(T("extra_end"), value=dt.time(0, 0), step=dt.timedelta(minutes=30),
                              key=field(page, "extra_end"))
                st.number_input(T("extra_pref"), min_value=0.0, max_value=90.0, value=10.0, step=1.0,
                                key=field(page, "extra_pref"))
            st.form_submit_button(T("run_button"), type="primary", key="wi_submit",
                                  on_click=submit_whatif, args=(page, base, source))
