"""Altair charts of the page's tables (views.py). Plotting is separate from solving: each
function takes a table and a `tr(key)` translator and returns a chart; numbers and dates on
the axes follow the language's locale (formatting.vega_locale)."""

from __future__ import annotations

from collections.abc import Callable

import altair as alt
import pandas as pd

from ..scenario import CITY
from .formatting import vega_locale

Translate = Callable[[str], str]
DATE_AXIS = alt.Axis(format="%d/%m", labelAngle=0, title=None, tickCount={"interval": "day", "step": 1},
                     labelOverlap="greedy")
PLAN_COLOURS = ["#1f5fa8", "#d1495b", "#2a9d8f", "#e9a03b", "#6a4c93", "#8c564b", "#17becf"]


def _finish(chart: alt.TopLevelMixin, lang: str, height: int = 320) -> alt.TopLevelMixin:
    return chart.properties(height=height).configure(locale=vega_locale(lang))


def _area_label(frame: pd.DataFrame, tr: Translate) -> pd.Series:
    return frame["area_code"].where(frame["area_code"] != CITY, tr("city")).where(
        frame["area_code"] == CITY, frame["area_name"])


VARIANT_DASHES = {"plan": [1, 0], "median": [2, 2], "baseline": [7, 4]}


def coverage_chart(progress: pd.DataFrame, tr: Translate, lang: str, *, band: pd.DataFrame | None = None,
                   deadline: str | None = None, target_share: float = 1.0) -> alt.TopLevelMixin:
    """Coverage by date for the city and the chosen districts: the plan's deterministic
    projection (solid: every person arrives as expected), the simulated median of the plan
    under uncertainty (dotted, with the P10-P90 band) and the fair (spreadsheet) baseline (dashed),
    the target and deadline. The legend draws each line's own dash; with one area the band is
    filled, with several only its edges are drawn (filled bands of several areas blend)."""
    frame = progress.copy()
    frame["area"] = _area_label(frame, tr)
    order = list(dict.fromkeys(frame["area"]))
    names = dict(zip(frame["area_code"], frame["area"]))
    colour = alt.Color("area:N", title=tr("area"), sort=order,
                       scale=alt.Scale(domain=order, range=PLAN_COLOURS[:len(order)] or PLAN_COLOURS),
                       legend=alt.Legend(symbolType="stroke", symbolStrokeWidth=3, orient="bottom",
                                         labelLimit=0, columns=4))
    variants = ["plan", "baseline"]
    lines = frame[["date", "area", "area_code", "variant", "coverage", "enrolled"]]
    layers = []
    if band is not None and not band.empty:
        shown = band[band["district_code"].isin(set(frame["area_code"]))].copy()
        shown["area"] = shown["district_code"].map(names)
        band_x = alt.X("date:T", axis=DATE_AXIS)
        tooltip = [alt.Tooltip("date:T", title=tr("date"), format="%d/%m/%Y"), alt.Tooltip("area:N", title=tr("area")),
                   alt.Tooltip("p10:Q", title="P10", format=".1%"), alt.Tooltip("p50:Q", title="P50", format=".1%"),
                   alt.Tooltip("p90:Q", title="P90", format=".1%")]
        band_colour = alt.Color("area:N", sort=order, legend=None,   # the lines' legend speaks for both
                                scale=alt.Scale(domain=order, range=PLAN_COLOURS[:len(order)] or PLAN_COLOURS))
        if shown["area"].nunique() <= 1:
            layers.append(alt.Chart(shown).mark_area(opacity=0.18).encode(
                x=band_x, y=alt.Y("p10:Q"), y2="p90:Q", color=band_colour, tooltip=tooltip))
        else:
            for edge in ("p10", "p90"):
                layers.append(alt.Chart(shown).mark_line(strokeWidth=0.8, opacity=0.6).encode(
                    x=band_x, y=alt.Y(f"{edge}:Q"), color=band_colour, tooltip=tooltip))
        median = pd.DataFrame({"date": shown["date"], "area": shown["area"], "area_code": shown["district_code"],
                               "variant": "median", "coverage": shown["p50"], "enrolled": float("nan")})
        lines = pd.concat([lines, median], ignore_index=True)
        variants = ["plan", "median", "baseline"]
    lines = lines.assign(variant_label=lines["variant"].map({v: tr(f"variant_{v}") for v in variants}))
    labels = [tr(f"variant_{v}") for v in variants]
    layers.append(alt.Chart(lines).mark_line(strokeWidth=2).encode(
        x=alt.X("date:T", axis=DATE_AXIS),
        y=alt.Y("coverage:Q", title=tr("coverage"), axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1.02])),
        color=colour,
        strokeDash=alt.StrokeDash("variant_label:N", title=tr("variant"), sort=labels,
                                  scale=alt.Scale(domain=labels, range=[VARIANT_DASHES[v] for v in variants]),
                                  legend=alt.Legend(symbolType="stroke", symbolStrokeWidth=2, symbolSize=400,
                                                    symbolStrokeColor="#333", orient="bottom", labelLimit=0)),
        tooltip=[alt.Tooltip("date:T", title=tr("date"), format="%d/%m/%Y"),
                 alt.Tooltip("area:N", title=tr("area")),
                 alt.Tooltip("variant_label:N", title=tr("variant")),
                 alt.Tooltip("coverage:Q", title=tr("coverage"), format=".1%"),
                 alt.Tooltip("enrolled:Q", title=tr("enrolled"), format=",d")]))
    rules = pd.DataFrame({"y": [target_share], "label": [tr("target_line")]})
    layers.append(alt.Chart(rules).mark_rule(color="#444", strokeDash=[2, 2]).encode(y="y:Q"))
    layers.append(alt.Chart(rules).mark_text(align="left", dx=4, dy=-6, color="#444").encode(
        y="y:Q", text="label:N", x=alt.value(0)))
    if deadline:
        end = pd.DataFrame({"date": [deadline], "label": [tr("deadline")]})
        layers.append(alt.Chart(end).mark_rule(color="#b00", strokeDash=[4, 3]).encode(x="date:T"))
        layers.append(alt.Chart(end).mark_text(align="right", dx=-4, dy=8, color="#b00").encode(
            x="date:T", text="label:N", y=alt.value(0)))
    return _finish(alt.layer(*layers), lang)


def arrivals_chart(frame: pd.DataFrame, tr: Translate, lang: str) -> alt.TopLevelMixin:
    """Walk-ins expected each day (the scenario's publicity curve, weekends higher)."""
    frame = frame.copy()
    frame["area"] = _area_label(frame, tr)
    order = list(dict.fromkeys(frame["area"]))
    chart = alt.Chart(frame).mark_line(point=alt.OverlayMarkDef(size=18)).encode(
        x=alt.X("date:T", axis=DATE_AXIS),
        y=alt.Y("people:Q", title=tr("expected_walk_ins"), axis=alt.Axis(format=",d")),
        color=alt.Color("area:N", title=tr("area"), sort=order,
                        scale=alt.Scale(domain=order, range=PLAN_COLOURS[:len(order)])),
        tooltip=[alt.Tooltip("date:T", title=tr("date"), format="%d/%m/%Y"),
                 alt.Tooltip("area:N", title=tr("area")),
                 alt.Tooltip("people:Q", title=tr("expected_walk_ins"), format=",d")])
    return _finish(chart, lang, 260)


def backlog_chart(progress: pd.DataFrame, tr: Translate, lang: str) -> alt.TopLevelMixin:
    """People not yet enrolled at the end of each day, plan (solid) vs baseline (dashed)."""
    frame = progress.copy()
    frame["area"] = _area_label(frame, tr)
    frame["variant_label"] = frame["variant"].map({"plan": tr("variant_plan"), "baseline": tr("variant_baseline")})
    order = list(dict.fromkeys(frame["area"]))
    labels = [tr("variant_plan"), tr("variant_baseline")]
    chart = alt.Chart(frame).mark_line(strokeWidth=2).encode(
        x=alt.X("date:T", axis=DATE_AXIS),
        y=alt.Y("backlog:Q", title=tr("backlog"), axis=alt.Axis(format=",d")),
        color=alt.Color("area:N", title=tr("area"), sort=order,
                        scale=alt.Scale(domain=order, range=PLAN_COLOURS[:len(order)]),
                        legend=alt.Legend(symbolType="stroke", symbolStrokeWidth=3, orient="bottom",
                                          labelLimit=0, columns=4)),
        strokeDash=alt.StrokeDash("variant_label:N", title=tr("variant"), sort=labels,
                                  scale=alt.Scale(domain=labels, range=[VARIANT_DASHES["plan"],
                                                                        VARIANT_DASHES["baseline"]]),
                                  legend=alt.Legend(symbolType="stroke", symbolStrokeWidth=2, symbolSize=400,
                                                    symbolStrokeColor="#333", orient="bottom", labelLimit=0)),
        tooltip=[alt.Tooltip("date:T", title=tr("date"), format="%d/%m/%Y"),
                 alt.Tooltip("area:N", title=tr("area")),
                 alt.Tooltip("variant_label:N", title=tr("variant")),
                 alt.Tooltip("backlog:Q", title=tr("backlog"), format=",d")])
    return _finish(chart, lang, 280)


def heatmap_chart(grid: pd.DataFrame, metric: str, tr: Translate, lang: str) -> alt.TopLevelMixin:
    """Ward x day grid of the chosen metric (queue, utilisation or people served)."""
    frame = grid.copy()
    frame["day_label"] = pd.to_datetime(frame["date"]).dt.strftime("%d/%m")
    days = list(dict.fromkeys(frame["day_label"]))
    names = frame.drop_duplicates("ward_code").set_index("ward_code")["ward_name"].astype(str)
    repeated = set(names[names.duplicated(keep=False)])     # two wards of one name: add the code
    frame["ward_label"] = [f"{n} ({c})" if n in repeated else n for c, n in zip(frame["ward_code"], frame["ward_name"])]
    share = metric == "utilisation"
    colour = alt.Color("value:Q", title=tr(f"metric_{metric}"),
                       scale=alt.Scale(scheme="yelloworangered" if not share else "blues",
                                       domain=[0, 1] if share else alt.Undefined),
                       legend=alt.Legend(format=".0%" if share else ",d", titleLimit=0))
    chart = alt.Chart(frame).mark_rect().encode(
        x=alt.X("day_label:O", sort=days, title=None, axis=alt.Axis(labelAngle=-90)),
        y=alt.Y("ward_label:N", title=None, sort=list(dict.fromkeys(frame["ward_label"])),
                axis=alt.Axis(labelLimit=0, labelOverlap=False, labelFontSize=11)),
        color=colour,
        tooltip=[alt.Tooltip("ward_name:N", title=tr("ward")),
                 alt.Tooltip("date:T", title=tr("date"), format="%d/%m/%Y"),
                 alt.Tooltip("value:Q", title=tr(f"metric_{metric}"), format=".0%" if share else ",d")])
    height = max(160, 24 * frame["ward_code"].nunique())
    return _finish(chart, lang, height)


def district_map_chart(frame: pd.DataFrame, tr: Translate, lang: str, labelled: int = 6) -> alt.TopLevelMixin:
    """Districts at their positions, sized by target and coloured by coverage at the deadline
    (red = lowest); the `labelled` districts with the lowest coverage carry their names, the
    others show them on hover."""
    frame = frame.dropna(subset=["lat", "lon"]).copy()
    if frame.empty:     # no coordinates at all: a note, never a scale over no values
        note = pd.DataFrame({"text": [tr("map_no_coordinates")]})
        return _finish(alt.Chart(note).mark_text(fontSize=13).encode(text="text:N"), lang, 80)
    low, high = float(frame["coverage"].min()), float(frame["coverage"].max())
    if high - low < 0.01:
        low, high = high - 0.01, high
    lowest = set(frame.nsmallest(labelled, "coverage")["district_code"])
    frame["label"] = [n if c in lowest else "" for c, n in zip(frame["district_code"], frame["district_name"])]
    base = alt.Chart(frame).encode(
        x=alt.X("lon:Q", scale=alt.Scale(zero=False), title=tr("longitude"), axis=alt.Axis(format=".2f")),
        y=alt.Y("lat:Q", scale=alt.Scale(zero=False), title=tr("latitude"), axis=alt.Axis(format=".2f")))
    points = base.mark_circle(opacity=0.85, stroke="#333", strokeWidth=0.5).encode(
        size=alt.Size("target:Q", title=tr("target"), scale=alt.Scale(range=[60, 1400]),
                      legend=alt.Legend(format=",d")),
        color=alt.Color("coverage:Q", title=tr("coverage"),
                        scale=alt.Scale(scheme="redyellowgreen", domain=[low, high], clamp=True),
                        legend=alt.Legend(format=".1%")),
        tooltip=[alt.Tooltip("district_name:N", title=tr("district")),
                 alt.Tooltip("target:Q", title=tr("target"), format=",d"),
                 alt.Tooltip("enrolled:Q", title=tr("enrolled"), format=",d"),
                 alt.Tooltip("coverage:Q", title=tr("coverage"), format=".1%"),
                 alt.Tooltip("baseline_coverage:Q", title=tr("baseline_coverage"), format=".1%")])
    labels = base.mark_text(dy=-14, fontSize=11, color="#333").encode(text="label:N")
    return _finish(alt.layer(points, labels), lang, 420)


def compare_chart(curves: pd.DataFrame, tr: Translate, lang: str, deadline: str | None = None) -> alt.TopLevelMixin:
    """City coverage by date of several runs, overlaid."""
    chart = alt.Chart(curves).mark_line(point=alt.OverlayMarkDef(size=18)).encode(
        x=alt.X("date:T", axis=DATE_AXIS),
        y=alt.Y("coverage:Q", title=tr("coverage"), axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1.02])),
        color=alt.Color("run:N", title=tr("run"), sort=list(dict.fromkeys(curves["run"])),
                        scale=alt.Scale(range=PLAN_COLOURS),
                        legend=alt.Legend(orient="bottom", labelLimit=0, symbolType="stroke", columns=1)),
        tooltip=[alt.Tooltip("run:N", title=tr("run")),
                 alt.Tooltip("date:T", title=tr("date"), format="%d/%m/%Y"),
                 alt.Tooltip("coverage:Q", title=tr("coverage"), format=".1%"),
                 alt.Tooltip("enrolled:Q", title=tr("enrolled"), format=",d")])
    layers = [chart]
    if deadline:
        layers.append(alt.Chart(pd.DataFrame({"date": [deadline]})).mark_rule(
            color="#b00", strokeDash=[4, 3]).encode(x="date:T"))
    return _finish(alt.layer(*layers), lang, 300)


def delta_chart(deltas: pd.DataFrame, tr: Translate, lang: str) -> alt.TopLevelMixin:
    """People enrolled by the deadline, run B minus run A, per district."""
    frame = deltas.copy()
    frame["sign"] = (frame["enrolled_delta"] >= 0).map({True: tr("more"), False: tr("fewer")})
    chart = alt.Chart(frame).mark_bar().encode(
        y=alt.Y("district_name:N", title=None, sort="-x", axis=alt.Axis(labelLimit=0)),
        x=alt.X("enrolled_delta:Q", title=tr("enrolled_delta"), axis=alt.Axis(format=",d")),
        color=alt.Color("sign:N", title=None, scale=alt.Scale(
            domain=[tr("more"), tr("fewer")], range=["#2a9d8f", "#d1495b"])),
        tooltip=[alt.Tooltip("district_name:N", title=tr("district")),
                 alt.Tooltip("enrolled_delta:Q", title=tr("enrolled_delta"), format="+,d"),
                 alt.Tooltip("coverage_delta:Q", title=tr("coverage_delta"), format="+.2%")])
    return _finish(chart, lang, max(160, 22 * len(frame)))


def shortfall_chart(parts: dict[str, int], tr: Translate, lang: str) -> alt.TopLevelMixin:
    """Where a ward's missing people are at the deadline."""
    frame = pd.DataFrame({"part": [tr(f"part_{k}") for k in parts], "people": list(parts.values())})
    chart = alt.Chart(frame).mark_bar(color="#d1495b").encode(
        y=alt.Y("part:N", title=None, sort=None, axis=alt.Axis(labelLimit=0)),
        x=alt.X("people:Q", title=tr("people"), axis=alt.Axis(format=",d")),
        tooltip=[alt.Tooltip("part:N", title=tr("reason")), alt.Tooltip("people:Q", title=tr("people"), format=",d")])
    return _finish(chart, lang, 160)


def actual_vs_planned_chart(long: pd.DataFrame, tr: Translate, lang: str, *,
                            cumulative: bool = False) -> alt.TopLevelMixin:
    """People enrolled each day (or in total so far): the plan in force (dashed) and what the
    wards reported (solid), from views.actual_vs_planned_long."""
    frame = long.copy()
    labels = {"planned": tr("nightly_planned"), "actual": tr("nightly_actual")}
    frame["measure_label"] = frame["measure"].map(labels)
    value = "cumulative" if cumulative else "daily"
    title = tr("nightly_people_cum") if cumulative else tr("nightly_people_daily")
    order = [labels["planned"], labels["actual"]]
    chart = alt.Chart(frame).mark_line(point=alt.OverlayMarkDef(size=24)).encode(
        x=alt.X("date:T", axis=DATE_AXIS),
        y=alt.Y(f"{value}:Q", title=title, axis=alt.Axis(format=",d")),
        color=alt.Color("measure_label:N", title=None, sort=order,
                        scale=alt.Scale(domain=order, range=[PLAN_COLOURS[0], PLAN_COLOURS[1]])),
        strokeDash=alt.StrokeDash("measure_label:N", title=None, sort=order,
                                  scale=alt.Scale(domain=order, range=[[5, 3], [1, 0]])),
        tooltip=[alt.Tooltip("date:T", title=tr("date"), format="%d/%m/%Y"),
                 alt.Tooltip("measure_label:N", title=tr("nightly_series")),
                 alt.Tooltip("daily:Q", title=tr("nightly_people_daily"), format=",d"),
                 alt.Tooltip("cumulative:Q", title=tr("nightly_people_cum"), format=",d")])
    return _finish(chart, lang, 280)
