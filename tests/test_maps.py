"""Boundary maps and the province picker: rings wound as Vega needs, Hà Nội's 30 districts and the
63 provinces drawn with their licence, the centroid fallback said aloud, Hoàng Sa and Trường Sa on
the national map, and a picked province built once into the cache and loadable."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from optimizer.scenario import load_scenario
from optimizer.ui import charts, maps, province_picker

ROOT = Path(__file__).resolve().parents[1]
HANOI = ROOT / "scenarios" / "hanoi-2022"


def planar_area(ring: list[list[float]]) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in itertools.pairwise(ring)) / 2


def district_frame(codes: list[str], names: list[str], with_positions: bool = True) -> pd.DataFrame:
    n = len(codes)
    return pd.DataFrame({"district_code": codes, "district_name": names, "target": range(100, 100 + n),
                         "enrolled": range(90, 90 + n), "coverage": [0.8 + 0.01 * i for i in range(n)],
                         "baseline_coverage": [0.7] * n, "lat": [16.0 + 0.01 * i if with_positions else None
                                                                  for i in range(n)],
                         "lon": [108.2] * n})


def test_rewound_exterior_rings_are_clockwise():
    """After `rewind`, every exterior ring has negative planar area (d3-geo's winding), holes positive."""
    for feature in maps.province_features() + list(maps._features(maps.DISTRICT_FILES[0])):
        geometry = feature["geometry"]
        polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        for polygon in polygons:
            assert planar_area(polygon[0]) < 0
            assert all(planar_area(hole) > 0 for hole in polygon[1:])


def test_hanoi_districts_drawn_as_boundaries_with_attribution():
    """The Hà Nội scenario's 30 districts get a geoshape choropleth and the geoBoundaries credit."""
    scenario = load_scenario(HANOI)
    frame = district_frame(list(scenario.districts.index), list(scenario.districts["district_name"]))
    chart, note = maps.district_map(frame, lambda k: k, "en", charts.district_map_chart)
    spec = chart.to_dict()
    assert note is None and spec["mark"]["type"] == "geoshape"
    assert len(spec["data"]["values"]) == 30
    assert {f["properties"]["coverage"] for f in spec["data"]["values"]} == set(frame["coverage"])
    assert "geoBoundaries" in json.dumps(spec, ensure_ascii=False)


def test_province_without_boundaries_keeps_centroids_and_says_so():
    """Districts without a boundary file but with positions: the centroid scatter and a note."""
    frame = district_frame(["490", "491"], ["Quận Liên Chiểu", "Quận Thanh Khê"])
    chart, note = maps.district_map(frame, lambda k: k, "vi", charts.district_map_chart)
    assert "geoshape" not in json.dumps(chart.to_dict()) and "tâm" in note
    chart, note = maps.district_map(district_frame(["490"], ["Quận Liên Chiểu"], with_positions=False),
                                    lambda k: k, "en", charts.district_map_chart, "Thành phố Đà Nẵng")
    spec = json.dumps(chart.to_dict(), ensure_ascii=False)
    assert "national map" in note and "geoshape" in spec and "Đà Nẵng" in spec


def test_national_map_has_63_provinces_both_archipelagos_and_licence():
    """Provinces filled by a value, Hoàng Sa and Trường Sa named, the CC BY-SA credit shown."""
    frame = pd.DataFrame({"province_code": [f["properties"]["province_code"] for f in maps.province_features()]})
    frame["people"] = range(len(frame))
    spec = json.dumps(maps.province_choropleth(frame, "people", "People", "vi", highlight="56").to_dict(),
                      ensure_ascii=False)
    assert len(frame) == 63
    assert "Quần đảo Hoàng Sa" in spec and "Quần đảo Trường Sa" in spec and "CC BY-SA 4.0" in spec
    # Khánh Hòa's feature reaches the Trường Sa archipelago (east of 111.5 E)
    khanh_hoa = next(f for f in maps.province_features() if f["properties"]["province_code"] == "56")
    assert max(x for polygon in khanh_hoa["geometry"]["coordinates"] for x, _ in polygon[0]) > 111.5


def test_picked_province_is_built_once_into_the_cache(tmp_path):
    """The first pick writes the scenario; a second pick leaves the files untouched; it loads."""
    folder = province_picker.province_folder("95", tmp_path)
    stamps = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    assert province_picker.province_folder("95", tmp_path) == folder
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == stamps
    assert len(load_scenario(folder).wards) == 64
    assert len(province_picker.province_choices()) == 63


@pytest.mark.parametrize("code", ["95"])
def test_app_plans_a_picked_province(monkeypatch, tmp_path, code):
    """Picking Bạc Liêu in the sidebar loads its built scenario, plans it and maps it."""
    monkeypatch.setenv("PLANNER_SCENARIO", "scenarios/tiny")
    monkeypatch.setenv("PLANNER_BAND_RUNS", "5")
    monkeypatch.setenv("PLANNER_POLL_SECONDS", "0")
    monkeypatch.setenv(province_picker.CACHE_ENV, str(tmp_path))
    st.cache_resource.clear()
    st.cache_data.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.selectbox(key="province_pick").select(code).run()
    for _ in range(10):
        job = at.session_state.get("job", None)
        if job is None:
            break
        assert job.wait(300)
        at.run()
    assert not at.exception
    page = "\n".join(str(e.value) for kind in ("markdown", "caption", "info", "success", "subheader")
                     for e in getattr(at, kind))
    assert "Bạc Liêu" in page
    assert maps.text("no_positions", "vi") in page   # the district section drew the national map
