"""The national overview: a `plan-country` output folder as the steering committee reads it.

`read_country(folder)` returns a `CountryView` (national totals, one row per province, the
national projection) or a `CountryProblem` saying in one line why there is nothing to show.
`ranking` puts the provinces furthest behind first, `province_map_chart` draws the provinces
coloured by projected coverage (Hoàng Sa and Trường Sa included), `read_province` opens one
province's plan folder for the drill-down. `render_country(folder, lang)` draws the page with
streamlit; everything above it is pure and tested without a browser.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import altair as alt
import pandas as pd

from .maps import province_features

ATTRIBUTION = "Province boundaries: Open Development Vietnam ('Địa phận tỉnh'), CC BY-SA 4.0"
PLANNED = ("optimal", "feasible")
COUNTRY_ENV = "PLANNER_COUNTRY"

TEXT = {
    "title": ("Toàn quốc: kế hoạch các tỉnh", "The whole country: the provinces' plans"),
    "folder": ("Thư mục kết quả toàn quốc (plan-country)", "Country output folder (plan-country)"),
    "provinces": ("Tỉnh đã lập kế hoạch", "Provinces planned"),
    "target": ("Cần cấp", "Target"),
    "enrolled": ("Dự kiến cấp", "Projected enrolled"),
    "coverage": ("Tỷ lệ dự kiến", "Projected coverage"),
    "baseline": ("Chia đều (so sánh)", "Proportional baseline"),
    "gain": ("Hơn chia đều", "Gain over baseline"),
    "failed": ("Tỉnh lỗi", "Provinces failed"),
    "map": ("Tỷ lệ dự kiến theo tỉnh", "Projected coverage by province"),
    "behind": ("Các tỉnh chậm nhất trước", "Provinces furthest behind first"),
    "national": ("Toàn quốc theo ngày", "The country by day"),
    "drill": ("Xem kế hoạch một tỉnh", "Open a province's plan"),
    "province": ("Tỉnh", "Province"),
    "shortfall": ("Còn thiếu", "Shortfall"),
    "days_to_90": ("Số ngày tới 90 %", "Days to 90 %"),
    "days_to_95": ("Số ngày tới 95 %", "Days to 95 %"),
    "status": ("Trạng thái", "Status"),
    "error": ("Lỗi", "Error"),
    "check": ("Kiểm tra độc lập", "Independent check"),
    "wall": ("Thời gian (s)", "Wall (s)"),
    "date": ("Ngày", "Date"),
    "series": ("Phương án", "Plan"),
    "plan": ("Kế hoạch", "Plan"),
    "district": ("Quận/huyện", "District"),
    "districts": ("Quận/huyện", "Districts"),
    "wards": ("Phường/xã", "Wards"),
    "not_planned": ("chưa có kế hoạch", "not planned"),
    "shortfall_wards": ("Phường/xã thiếu nhiều nhất", "Wards with the largest shortfall"),
    "no_path": ("Chưa chọn thư mục kết quả toàn quốc.", "No country output folder chosen."),
    "missing": ("Không có thư mục {path}.", "There is no folder {path}."),
    "not_country": ("{path} không phải kết quả của plan-country (thiếu summary.json loại plan-country).",
                    "{path} is not a plan-country output (no summary.json of kind plan-country)."),
    "unreadable": ("Không đọc được {path}: {detail}", "Cannot read {path}: {detail}"),
    "province_missing": ("Không có kết quả của tỉnh này ({detail}).", "This province has no plan ({detail})."),
    "attribution": (("Ranh giới tỉnh: Open Development Vietnam ('Địa phận tỉnh'), CC BY-SA 4.0. "
                     "Bản đồ gồm quần đảo Hoàng Sa và Trường Sa."),
                    ATTRIBUTION + ". The map shows the Hoàng Sa and Trường Sa archipelagos."),
}


def text(key: str, lang: str = "vi", **values) -> str:
    vi, en = TEXT[key]
    return (en if lang == "en" else vi).format(**values)


@dataclass(frozen=True)
class CountryProblem:
    """Why a folder cannot be shown: `code` is no_path | missing | not_country | unreadable."""

    code: str
    path: str
    detail: str = ""

    def message(self, lang: str = "vi") -> str:
        return text(self.code, lang, path=self.path, detail=self.detail)


@dataclass
class CountryView:
    folder: Path
    summary: dict
    provinces: pd.DataFrame
    projection: pd.DataFrame


def read_country(folder: str | Path | None) -> CountryView | CountryProblem:
    """Read a plan-country output folder (summary.json, provinces.csv, projection.csv)."""
    if folder is None or not str(folder).strip():
        return CountryProblem("no_path", "")
    folder = Path(str(folder).strip()).expanduser()
    if not folder.is_dir():
        return CountryProblem("missing", str(folder))
    try:
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return CountryProblem("not_country", str(folder))
    if not isinstance(summary, dict) or summary.get("kind") != "plan-country":
        return CountryProblem("not_country", str(folder))
    try:
        provinces = pd.read_csv(folder / "provinces.csv", dtype={"province_code": str, "folder": str},
                                encoding="utf-8-sig", keep_default_na=True)
        projection = pd.read_csv(folder / "projection.csv")
    except (OSError, ValueError) as exc:
        return CountryProblem("unreadable", str(folder), str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
    provinces["error"] = provinces["error"].astype(object).fillna("").astype(str)
    return CountryView(folder=folder, summary=summary, provinces=provinces, projection=projection)


def ranking(provinces: pd.DataFrame) -> pd.DataFrame:
    """The provinces furthest behind first. Rule: provinces with no plan (failed) first, then by
    projected coverage ascending, then by the people short (more first), then by code."""
    frame = provinces.copy()
    frame["planned"] = frame["status"].isin(PLANNED)
    frame["shortfall"] = (frame["target"] - frame["enrolled"]).where(frame["planned"])
    order = frame.assign(_cov=frame["coverage"].where(frame["planned"], -1.0),
                         _short=-frame["shortfall"].fillna(0))
    order = order.sort_values(["_cov", "_short", "province_code"], kind="stable")
    return order.drop(columns=["_cov", "_short"]).reset_index(drop=True)


def ranked_table(ranked: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    """The ranking as the page shows it (translated headers; the checker's verdict when run)."""
    columns = {"province_code": "#", "province_name": text("province", lang), "target": text("target", lang),
               "enrolled": text("enrolled", lang), "coverage": text("coverage", lang),
               "shortfall": text("shortfall", lang), "days_to_90": text("days_to_90", lang),
               "days_to_95": text("days_to_95", lang), "baseline_coverage": text("baseline", lang),
               "status": text("status", lang), "check": text("check", lang), "error": text("error", lang),
               "wall_seconds": text("wall", lang)}
    if "check" not in ranked or ranked["check"].isna().all():
        columns.pop("check")
    return ranked[list(columns)].rename(columns=columns)


def map_table(provinces: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    """One row per province of the map: its name and, when planned, coverage and numbers."""
    rows = []
    by_code = provinces.set_index("province_code")
    for feature in province_features():
        props = feature["properties"]
        code = props["province_code"]
        row = {"province_code": code, "province_name": props["province_name"], "coverage": None,
               "target": None, "enrolled": None, "status": text("not_planned", lang)}
        if code in by_code.index:
            mine = by_code.loc[code]
            row["status"] = mine["status"]
            if mine["status"] in PLANNED:
                row.update(coverage=float(mine["coverage"]), target=int(mine["target"]), enrolled=int(mine["enrolled"]))
        rows.append(row)
    return pd.DataFrame(rows)


def province_map_chart(provinces: pd.DataFrame, lang: str = "vi") -> alt.LayerChart:
    """Provinces coloured by projected coverage (red = lowest; grey = no plan), the islands included."""
    table = map_table(provinces, lang)
    planned = table.dropna(subset=["coverage"])
    low, high = (float(planned["coverage"].min()), float(planned["coverage"].max())) if len(planned) else (0.0, 1.0)
    if high - low < 0.01:
        low = high - 0.01
    shapes = alt.Data(values=list(province_features()))
    fields = ["province_name", "coverage", "target", "enrolled", "status"]
    base = alt.Chart(shapes).mark_geoshape(stroke="#7f7f7f", strokeWidth=0.4, fill="#d9d9d9").project("mercator")
    coloured = alt.Chart(shapes).mark_geoshape(stroke="#7f7f7f", strokeWidth=0.4).transform_lookup(
        lookup="properties.province_code", from_=alt.LookupData(table, "province_code", fields)
    ).transform_filter("isValid(datum.coverage)").encode(
        color=alt.Color("coverage:Q", title=text("coverage", lang),
                        scale=alt.Scale(scheme="redyellowgreen", domain=[low, high], clamp=True),
                        legend=alt.Legend(format=".1%")),
        tooltip=[alt.Tooltip("province_name:N", title=text("province", lang)),
                 alt.Tooltip("coverage:Q", title=text("coverage", lang), format=".1%"),
                 alt.Tooltip("target:Q", title=text("target", lang), format=",d"),
                 alt.Tooltip("enrolled:Q", title=text("enrolled", lang), format=",d"),
                 alt.Tooltip("status:N", title=text("status", lang))]).project("mercator")
    return cast(alt.LayerChart, alt.layer(base, coloured).properties(width=420, height=620))


def national_series(projection: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    """The national coverage by date, plan and baseline, long form for a line chart."""
    if projection.empty:
        return pd.DataFrame(columns=["date", "series", "coverage"])
    long = projection.rename(columns={"coverage": text("plan", lang), "baseline_coverage": text("baseline", lang)})
    return long.melt(id_vars=["date"], value_vars=[text("plan", lang), text("baseline", lang)],
                     var_name="series", value_name="coverage")


def coverage_line_chart(long: pd.DataFrame, lang: str = "vi") -> alt.Chart:
    return alt.Chart(long).mark_line(point=True).encode(
        x=alt.X("date:T", title=text("date", lang)),
        y=alt.Y("coverage:Q", title=text("coverage", lang), axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("series:N", title=text("series", lang)),
        tooltip=["date:T", alt.Tooltip("coverage:Q", format=".1%"), "series:N"]).properties(height=300)


@dataclass
class ProvinceView:
    summary: dict
    districts: pd.DataFrame
    projection: pd.DataFrame       # by date: enrolled_cum, coverage (the province)
    shortfalls: pd.DataFrame


def read_province(view: CountryView, folder_name: str) -> ProvinceView | CountryProblem:
    """One province's plan folder inside the country output (summary, districts, projection)."""
    folder = view.folder / folder_name
    if "/" in folder_name or folder_name in ("", ".", "..") or not folder.is_dir():
        return CountryProblem("province_missing", str(folder), folder_name)
    try:
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        districts = pd.read_csv(folder / "districts.csv", dtype={"district_code": str}, encoding="utf-8-sig")
        projection = pd.read_csv(folder / "projection.csv", dtype={"ward_code": str, "district_code": str})
        shortfalls = pd.read_csv(folder / "shortfalls.csv", dtype={"ward_code": str, "district_code": str},
                                 encoding="utf-8-sig")
    except (OSError, ValueError) as exc:
        return CountryProblem("unreadable", str(folder), str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
    by_date = projection.groupby("date")["enrolled_cum"].sum().reset_index()
    by_date["coverage"] = by_date["enrolled_cum"] / max(1, int(summary.get("target") or 0))
    return ProvinceView(summary=summary, districts=districts, projection=by_date, shortfalls=shortfalls)


def requested_folder() -> str:
    """The country folder the page was opened with: ?country=PATH, else $PLANNER_COUNTRY, else ''."""
    import os

    import streamlit as st

    return str(st.query_params.get("country", "") or os.environ.get(COUNTRY_ENV, "")).strip()


def render_country(folder: str | Path, lang: str = "vi") -> None:
    """Draw the national overview of a plan-country output folder, with a province drill-down."""
    import streamlit as st

    view = read_country(folder)
    st.header(text("title", lang))
    if isinstance(view, CountryProblem):
        st.warning(view.message(lang))
        return
    totals = view.summary["totals"]
    columns = st.columns(5)
    columns[0].metric(text("provinces", lang), f"{view.summary['provinces_planned']} / {view.summary['provinces']}")
    columns[1].metric(text("target", lang), f"{totals['target']:,}")
    columns[2].metric(text("enrolled", lang), f"{totals['enrolled']:,}")
    columns[3].metric(text("coverage", lang), f"{100 * totals['coverage']:.1f} %",
                      f"{100 * (totals['coverage'] - totals['baseline_coverage']):+.1f} pt")
    columns[4].metric(text("failed", lang), str(view.summary["provinces_failed"]))
    for code, error in view.summary.get("errors", {}).items():
        st.error(f"{code}: {error}")
    ranked = ranking(view.provinces)
    left, right = st.columns([2, 3])
    with left:
        st.subheader(text("map", lang))
        st.altair_chart(province_map_chart(view.provinces, lang), width="content")
        st.caption(text("attribution", lang))
    with right:
        st.subheader(text("behind", lang))
        shown = ranked_table(ranked, lang)
        st.dataframe(shown, hide_index=True, width="stretch",
                     column_config={text("coverage", lang): st.column_config.ProgressColumn(
                         format="percent", min_value=0.0, max_value=1.0),
                         text("baseline", lang): st.column_config.NumberColumn(format="percent")})
        st.subheader(text("national", lang))
        st.altair_chart(coverage_line_chart(national_series(view.projection, lang), lang), width="stretch")
    st.subheader(text("drill", lang))
    names = dict(zip(ranked["folder"], ranked["province_name"].fillna(ranked["folder"])))
    chosen = st.selectbox(text("province", lang), list(names), format_func=lambda f: f"{names[f]} ({f})",
                          key="country_province")
    if chosen:
        render_province(view, chosen, lang)


def render_province(view: CountryView, folder_name: str, lang: str = "vi") -> None:
    """One province's plan: its numbers, its coverage by day, its districts, its worst wards."""
    import streamlit as st

    province = read_province(view, folder_name)
    if isinstance(province, CountryProblem):
        st.info(province.message(lang))
        return
    s = province.summary
    columns = st.columns(4)
    columns[0].metric(text("target", lang), f"{s['target']:,}")
    columns[1].metric(text("enrolled", lang), f"{s['enrolled']:,}")
    columns[2].metric(text("coverage", lang), f"{100 * s['coverage']:.1f} %")
    columns[3].metric(text("gain", lang), f"{s['gain_over_baseline']:,}")
    long = province.projection.assign(series=text("plan", lang))[["date", "series", "coverage"]]
    st.altair_chart(coverage_line_chart(long, lang), width="stretch")
    districts = province.districts.sort_values("coverage")
    st.dataframe(districts, hide_index=True, width="stretch")
    st.caption(text("shortfall_wards", lang))
    st.dataframe(province.shortfalls.head(20), hide_index=True, width="stretch")


def country_picker(lang: str = "vi") -> str:
    """A sidebar field for a plan-country output folder (filled from ?country= or $PLANNER_COUNTRY);
    returns the folder typed, '' for none."""
    import streamlit as st

    with st.sidebar.expander(text("title", lang), expanded=bool(requested_folder())):
        return st.text_input(text("folder", lang), value=requested_folder(), key="country_folder").strip()
