"""The bottleneck tab: where one more kit, officer or evening shift helps most, and why a ward falls short."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from .. import charts, views
from ..formatting import date_text, number, percent
from ..i18n import LIMIT_KEYS
from ..jobs import RunRecord
from .cache import bottleneck_table, shortfall_table
from .context import Page, district_name


def bottleneck_section(page: Page, record: RunRecord) -> None:
    T, lang = page.t, page.lang
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

    # the three gains first, beside the district (visible at 1280 px), then where each applies
    shown = pd.DataFrame({
        T("col_district_name"): frame["district_name"],
        T("col_coverage"): [percent(v, lang) for v in frame["coverage"]],
        T("col_shortfall"): [number(v, lang) for v in frame["shortfall"]],
        T("col_per_kit_shift"): [number(v, lang, 1) for v in frame["per_kit_shift"]],
        T("col_per_officer_shift"): [number(v, lang, 1) for v in frame["per_officer_shift"]],
        T("col_per_evening_shift"): [number(v, lang, 1) for v in frame["per_evening_shift"]],
        T("col_kit_where"): [where(w, d, s) for w, d, s in zip(frame["kit_shift_ward"], frame["kit_shift_date"],
                                                              frame["kit_shift_shift"])],
        T("col_officer_where"): [", ".join(p for p in (T(f"role_{r}") if r else "", date_text(d, lang) if d else "",
                                                       s) if p)
                                 for r, d, s in zip(frame["officer_role"], frame["officer_date"],
                                                    frame["officer_shift_code"])],
        T("col_evening_where"): [where(w, d) for w, d in zip(frame["evening_ward"], frame["evening_date"])],
    })
    st.dataframe(shown, hide_index=True, key="bottlenecks", column_config={
        T("col_district_name"): st.column_config.TextColumn(pinned=True)})

    st.subheader(T("why_title"))
    shortfalls = shortfall_table(record.key, result)
    wards = list(shortfalls["ward_code"])
    ward = page.choice(st.selectbox, T("why_ward"), wards, "why_ward", format_func=lambda w: T(
        "ward_option", ward=scenario.wards["ward_name"].loc[w],
        district=district_name(scenario, scenario.wards["district_code"].loc[w]),
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
        # charts return alt.TopLevelMixin; Streamlit's stub lists only the concrete chart classes
        st.altair_chart(charts.shortfall_chart(parts, T, lang))  # type: ignore[call-overload]
    else:
        st.success(T("why_none", ward=row["ward_name"]))
