"""Choropleth maps of real boundaries (Altair): Hà Nội's 30 districts and Viet Nam's 63 provinces,
from the GeoJSON files in data/ (see data/README.md for sources and licences).

The files follow RFC 7946 (exterior rings counter-clockwise); Vega's spherical projections read
such a ring as "the globe minus the unit", so every ring is reversed before drawing (`rewind`).
A province whose districts have no boundary file keeps the centroid scatter, and says so. The
national map shows the whole territory, Hoàng Sa and Trường Sa included and named.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path

import altair as alt
import pandas as pd

DATA = Path(__file__).resolve().parents[2] / "data"
DISTRICT_FILES = (DATA / "hanoi-2022" / "districts.geojson",)
PROVINCE_FILE = DATA / "vietnam" / "provinces_2021.geojson"
ARCHIPELAGOS = (("Quần đảo Hoàng Sa", "Paracel Islands (Hoàng Sa)", 111.6, 16.5),
                ("Quần đảo Trường Sa", "Spratly Islands (Trường Sa)", 113.9, 9.9))
TEXT = {
    "district_attribution": {"vi": "Ranh giới: Chính phủ Việt Nam / OCHA ROAP (HDX COD-AB), qua geoBoundaries "
                                   "(CC BY)",
                             "en": "Boundaries: Government of Viet Nam / OCHA ROAP (HDX COD-AB), via geoBoundaries "
                                   "(CC BY)"},
    "province_attribution": {"vi": "Ranh giới tỉnh: Open Development Vietnam ('Địa phận tỉnh'), CC BY-SA 4.0",
                             "en": "Province boundaries: Open Development Vietnam ('Địa phận tỉnh'), CC BY-SA 4.0"},
    "no_boundaries": {"vi": "Chưa có ranh giới quận/huyện của tỉnh này: bản đồ đặt mỗi quận/huyện tại tâm của nó.",
                      "en": "No district boundaries for this province: districts are drawn at their centroids."},
    "no_positions": {"vi": "Chưa có ranh giới hay toạ độ quận/huyện của tỉnh này: bản đồ toàn quốc chỉ ra tỉnh.",
                     "en": "No district boundaries or positions for this province: the national map shows "
                           "the province."},
}

Translate = Callable[[str], str]


def text(key: str, lang: str) -> str:
    return TEXT[key]["en" if lang == "en" else "vi"]


def attribution(line: str) -> alt.TitleParams:
    """The licence credit, in small grey type under the map."""
    return alt.TitleParams(line, orient="bottom", anchor="start", fontSize=10, fontWeight="normal", color="#666")


def rewind(features: list[dict]) -> list[dict]:
    """RFC 7946 -> d3-geo winding: reverse every ring of every (multi)polygon."""
    out = []
    for feature in features:
        geometry = feature["geometry"]
        if geometry["type"] == "Polygon":
            rings = [ring[::-1] for ring in geometry["coordinates"]]
        elif geometry["type"] == "MultiPolygon":
            rings = [[ring[::-1] for ring in polygon] for polygon in geometry["coordinates"]]
        else:
            raise ValueError(f"unexpected geometry {geometry['type']}")
        out.append({**feature, "geometry": {"type": geometry["type"], "coordinates": rings}})
    return out


@functools.lru_cache(maxsize=4)
def _features(path: Path) -> tuple[dict, ...]:
    with path.open(encoding="utf-8") as handle:
        return tuple(rewind(json.load(handle)["features"]))


def district_features(district_codes: list[str]) -> list[dict] | None:
    """Boundaries of these districts when a file holds all of them, else None."""
    wanted = set(district_codes)
    for path in DISTRICT_FILES:
        features = [f for f in _features(path) if f["properties"]["district_code"] in wanted]
        if wanted and {f["properties"]["district_code"] for f in features} == wanted:
            return features
    return None


def province_features() -> list[dict]:
    return list(_features(PROVINCE_FILE))


def _with_values(features: list[dict], frame: pd.DataFrame, key: str, columns: list[str]) -> list[dict]:
    """Copy the frame's columns into each feature's properties (no lookup transform needed)."""
    rows = frame.set_index(key)[columns].to_dict("index")
    out = []
    for feature in features:
        values = rows.get(feature["properties"][key], {})
        clean = {c: (None if pd.isna(v) else (v.item() if hasattr(v, "item") else v)) for c, v in values.items()}
        out.append({**feature, "properties": {**feature["properties"], **clean}})
    return out


def district_choropleth(frame: pd.DataFrame, features: list[dict], tr: Translate, lang: str) -> alt.Chart:
    """Districts filled by coverage at the deadline (red = lowest), target and results on hover."""
    columns = [c for c in ("district_name", "target", "enrolled", "coverage", "baseline_coverage") if c in frame]
    values = _with_values(features, frame, "district_code", columns)
    low, high = float(frame["coverage"].min()), float(frame["coverage"].max())
    if high - low < 0.01:
        low = high - 0.01
    formats = {"district_name": ("N", "", "district"), "target": ("Q", ",d", "target"),
               "enrolled": ("Q", ",d", "enrolled"), "coverage": ("Q", ".1%", "coverage"),
               "baseline_coverage": ("Q", ".1%", "baseline_coverage")}
    tooltip = [alt.Tooltip(f"properties.{c}:{formats[c][0]}", title=tr(formats[c][2]), format=formats[c][1])
               if formats[c][1] else alt.Tooltip(f"properties.{c}:{formats[c][0]}", title=tr(formats[c][2]))
               for c in columns]
    return (alt.Chart(alt.Data(values=values),
                      title=attribution(text("district_attribution", lang)))
            .mark_geoshape(stroke="white", strokeWidth=0.6)
            .encode(color=alt.Color("properties.coverage:Q", title=tr("coverage"),
                                    scale=alt.Scale(scheme="redyellowgreen", domain=[low, high], clamp=True),
                                    legend=alt.Legend(format=".1%")),
                    tooltip=tooltip)
            .project("mercator")
            .properties(height=420))


def province_choropleth(frame: pd.DataFrame, value: str, title: str, lang: str, *, fmt: str = ",d",
                        highlight: str | None = None, height: int = 520) -> alt.TopLevelMixin:
    """Viet Nam's 63 provinces filled by `value` (frame indexed or keyed by `province_code`), the
    province `highlight` outlined, Hoàng Sa and Trường Sa drawn and named, the licence shown."""
    frame = frame.reset_index() if "province_code" not in frame.columns else frame
    values = _with_values(province_features(), frame, "province_code", [value])
    shapes = (alt.Chart(alt.Data(values=values))
              .mark_geoshape(stroke="white", strokeWidth=0.4)
              .encode(color=alt.Color(f"properties.{value}:Q", title=title, legend=alt.Legend(format=fmt)),
                      tooltip=[alt.Tooltip("properties.province_name:N", title="Tỉnh" if lang != "en" else "Province"),
                               alt.Tooltip(f"properties.{value}:Q", title=title, format=fmt)]))
    layers = [shapes]
    if highlight is not None:
        chosen = [f for f in values if f["properties"]["province_code"] == highlight]
        layers.append(alt.Chart(alt.Data(values=chosen)).mark_geoshape(filled=False, stroke="#d62728", strokeWidth=1.5))
    names = pd.DataFrame([{"name": vi if lang != "en" else en, "lon": lon, "lat": lat}
                          for vi, en, lon, lat in ARCHIPELAGOS])
    layers.append(alt.Chart(names).mark_text(fontSize=10, color="#333", dy=-18)
                  .encode(longitude="lon:Q", latitude="lat:Q", text="name:N"))
    return (alt.layer(*layers, title=attribution(text("province_attribution", lang)))
            .project("mercator").properties(height=height))


def district_map(frame: pd.DataFrame, tr: Translate, lang: str,
                 centroid_chart: Callable[[pd.DataFrame, Translate, str], alt.TopLevelMixin],
                 province_name: str | None = None) -> tuple[alt.TopLevelMixin, str | None]:
    """The app's district map and a note: boundaries when known; else the centroid scatter
    (`centroid_chart`) when districts have positions; else the province on the national map."""
    features = district_features(list(frame["district_code"]))
    if features is not None:
        return district_choropleth(frame, features, tr, lang), None
    if frame[["lat", "lon"]].notna().all(axis=1).any():
        return centroid_chart(frame, tr, lang), text("no_boundaries", lang)
    codes = [f["properties"]["province_code"] for f in province_features()]
    names = {f["properties"]["province_code"]: f["properties"]["province_name"] for f in province_features()}
    chosen = next((c for c in codes if names[c] == province_name), None)
    marker = pd.DataFrame({"province_code": codes, "chosen": [int(c == chosen) for c in codes]})
    return (province_choropleth(marker, "chosen", tr("district"), lang, fmt="d", highlight=chosen),
            text("no_positions", lang))


def show_district_map(frame: pd.DataFrame, tr: Translate, lang: str, centroid_chart,
                      province_name: str | None = None) -> None:
    """Draw `district_map` in the app (chart, then its note as a caption)."""
    import streamlit as st

    chart, note = district_map(frame, tr, lang, centroid_chart, province_name)
    st.altair_chart(chart)  # type: ignore[call-overload]  # any Altair top-level chart
    if note:
        st.caption(note)
