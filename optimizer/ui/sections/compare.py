"""The comparison tab: two runs side by side (numbers, coverage curves, districts)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from .. import charts, views
from ..formatting import number, percent, points, signed
from ..jobs import RunRecord
from ..nightly import time_text
from .context import Page


def default_pair(runs: dict[str, RunRecord]) -> tuple[str, str]:
    """The comparison's opening pair: the newest run (B) against the newest other run of its own
    scenario that gives a different result, else the newest other run (A)."""
    names = list(runs)
    b = names[-1]
    others = [n for n in names[:-1] if runs[n].key != runs[b].key] or names[:-1]
    same_scenario = [n for n in others if runs[n].scenario.name == runs[b].scenario.name]
    return (same_scenario or others)[-1], b


def compare_section(page: Page) -> None:
    T, lang, ss = page.t, page.lang, page.state
    st.subheader(T("compare_title"))
    names = list(ss["runs"])
    if len(names) < 2:
        st.info(T("compare_need_two"))
        return
    left, right = st.columns(2)
    default_a, default_b = default_pair(ss["runs"])
    # the widgets' keys follow the runs kept, so a new run opens the comparison on its defaults
    a = left.selectbox(T("run_a"), names, index=names.index(default_a), key=f"cmp_a_{len(names)}")
    b = right.selectbox(T("run_b"), names, index=names.index(default_b), key=f"cmp_b_{len(names)}")
    if a not in ss["runs"] or b not in ss["runs"]:
        a, b = default_a, default_b
    ra, rb = ss["runs"][a], ss["runs"][b]
    if a == b or ra.key == rb.key:
        st.warning(T("compare_same"))
    left.caption(describe_run(page, ra))
    right.caption(describe_run(page, rb))
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
    figure = charts.compare_chart(views.compare_curves({a: ra.result, b: rb.result}), T, lang,
                                  deadline=rb.scenario.dates[-1].isoformat())
    # charts return alt.TopLevelMixin; Streamlit's stub lists only the concrete chart classes
    st.altair_chart(figure)  # type: ignore[call-overload]
    deltas = views.district_deltas(ra.result, rb.result)
    st.markdown(f"**{T('district_deltas')}**")
    # charts return alt.TopLevelMixin; Streamlit's stub lists only the concrete chart classes
    st.altair_chart(charts.delta_chart(deltas, T, lang))  # type: ignore[call-overload]
    st.dataframe(pd.DataFrame({
        T("col_district_name"): deltas["district_name"],
        f"{T('col_enrolled')} · {a}": [number(v, lang) for v in deltas["enrolled_a"]],
        f"{T('col_enrolled')} · {b}": [number(v, lang) for v in deltas["enrolled_b"]],
        T("col_difference"): [signed(v, lang) for v in deltas["enrolled_delta"]],
        T("coverage_delta"): [points(v, lang) for v in deltas["coverage_delta"]],
    }), hide_index=True, key="compare_districts")


def describe_run(page: Page, record: RunRecord) -> str:
    T = page.t
    changes = record.whatif.changes()
    what = ", ".join(T(f"change_{c}") for c in changes) if changes else T("no_changes")
    source = record.source
    if source.startswith("upload:"):
        source = T("uploaded_source", files=source.removeprefix("upload:"))
    return T("run_description", source=source, changes=what)


def computed_text(page: Page, record: RunRecord) -> str:
    """When the run's plan was computed, and whether it was read back from the kept plans."""
    return page.t("kept_at" if record.kept else "computed_at",
                  time=time_text(record.created.isoformat(timespec="seconds"), page.lang))
