"""The national overview: a plan-country folder read, ranked, mapped and drilled into."""

from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path

import pytest

from optimizer.country.run import CountryOptions, plan_country
from optimizer.country.sample import make_sample_country
from optimizer.ui import country as ui

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def country_out(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("country")
    make_sample_country(base / "country", ["01", "02", "04"])
    out = base / "out"
    plan_country(base / "country", out, CountryOptions(workers=1, with_roster=False))
    return out


def _signed_area(ring) -> float:
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in itertools.pairwise(ring))


def test_reads_a_country_folder_and_refuses_other_folders(country_out, tmp_path):
    """A plan-country folder is read; a missing folder or a plain plan folder is a one-line problem."""
    view = ui.read_country(country_out)
    assert isinstance(view, ui.CountryView)
    assert list(view.provinces["province_code"]) == ["01", "02", "04"]
    assert ui.read_country("").code == "no_path"
    assert ui.read_country(tmp_path / "none").code == "missing"
    assert ui.read_country(country_out / "01-ha-noi").code == "not_country"
    assert "plan-country" in ui.read_country(country_out / "01-ha-noi").message("en")


def test_provinces_furthest_behind_come_first_and_failed_ones_before_all(country_out):
    """Ranking: a province with no plan first, then coverage ascending."""
    provinces = ui.read_country(country_out).provinces.copy()
    provinces.loc[provinces["province_code"] == "02", ["status", "error"]] = ["failed", "boom"]
    ranked = ui.ranking(provinces)
    assert ranked["province_code"].iloc[0] == "02"
    planned = ranked[ranked["planned"]]
    assert planned["coverage"].is_monotonic_increasing
    assert (planned["shortfall"] == planned["target"] - planned["enrolled"]).all()


def test_map_has_every_province_with_islands_and_d3_winding(country_out):
    """The map draws the 63 provinces (Đà Nẵng's Hoàng Sa and Khánh Hòa's Trường Sa included),
    rings reversed to clockwise exteriors, coverage looked up by province code."""
    features = ui.province_features()
    assert len(features) == 63
    by_code = {f["properties"]["province_code"]: f for f in features}

    def east(code):
        geometry = by_code[code]["geometry"]
        polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        return max(x for polygon in polygons for ring in polygon for x, _ in ring)

    assert east("48") > 111.0 and east("56") > 113.0       # Hoàng Sa, Trường Sa
    geometry = by_code["01"]["geometry"]
    exterior = geometry["coordinates"][0] if geometry["type"] == "Polygon" else geometry["coordinates"][0][0]
    assert _signed_area(exterior) < 0
    view = ui.read_country(country_out)
    table = ui.map_table(view.provinces, "en")
    assert len(table) == 63 and table["coverage"].notna().sum() == 3
    assert table.set_index("province_code").loc["79", "status"] == "not planned"
    spec = ui.province_map_chart(view.provinces, "en").to_dict()
    assert spec["layer"][1]["transform"][0]["lookup"] == "properties.province_code"


def test_drill_down_reads_the_province_plan(country_out):
    """A province's plan folder gives its summary, districts and coverage by day; a bad name is a problem."""
    view = ui.read_country(country_out)
    province = ui.read_province(view, "02-ha-giang")
    summary = json.loads((country_out / "02-ha-giang" / "summary.json").read_text(encoding="utf-8"))
    assert province.summary["enrolled"] == summary["enrolled"]
    assert province.projection["enrolled_cum"].iloc[-1] == summary["enrolled"]
    assert len(province.districts) == 2
    assert isinstance(ui.read_province(view, "../out"), ui.CountryProblem)
    assert isinstance(ui.read_province(view, "99-nowhere"), ui.CountryProblem)


def test_page_renders_the_overview_and_a_province(country_out):
    """The page draws KPIs, the map, the ranking and the first (furthest behind) province's plan."""
    from streamlit.testing.v1 import AppTest

    def page(folder: str):
        from optimizer.ui.country import render_country
        render_country(folder, "en")

    app = AppTest.from_function(page, args=(str(country_out),), default_timeout=60).run()
    assert not app.exception
    assert [m.label for m in app.metric][:3] == ["Provinces planned", "Target", "Projected enrolled"]
    assert app.metric[0].value == "3 / 3"
    ranked = app.dataframe[0].value
    assert list(ranked["#"]) == list(ui.ranking(ui.read_country(country_out).provinces)["province_code"])
    first = ui.ranking(ui.read_country(country_out).provinces)["folder"].iloc[0]
    assert app.selectbox[0].value == first
    province = json.loads((country_out / first / "summary.json").read_text(encoding="utf-8"))
    assert app.metric[5].value == f"{province['target']:,}"     # the drill-down's first KPI


def test_app_opens_the_country_view_from_the_query(country_out, monkeypatch):
    """app.py shows the national overview when opened with a country folder (and stops there)."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv(ui.COUNTRY_ENV, str(country_out))
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    assert not app.exception
    assert any(h.value.startswith("Toàn quốc") for h in app.header)
    assert app.metric[0].value == "3 / 3"


def test_unreadable_province_table_is_a_message_not_a_crash(country_out, tmp_path):
    """A country folder whose provinces.csv is gone gives a one-line problem."""
    copy = tmp_path / "copy"
    shutil.copytree(country_out, copy)
    (copy / "provinces.csv").unlink()
    problem = ui.read_country(copy)
    assert problem.code == "unreadable" and "\n" not in problem.message("en")
