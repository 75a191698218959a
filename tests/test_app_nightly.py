"""The app's view of the nightly plan store (tab "Các lần lập kế hoạch hằng đêm"): its pure helpers
(optimizer/ui/nightly.py, views, charts, downloads) and the page, driven by AppTest.

The store is made once per session by running the nightly job on scenarios/tiny twice
(as of 25/07 and 26/07, the second night's enrollments at 80 % of the plan) with the greedy
stand-in roster function (optimizer.nightly.synthetic; the real roster takes about 40 s a night
on tiny). It then holds runs #1 (day-1 plan), #2 and #3, all published with rosters.
"""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from streamlit.testing.v1 import AppTest
from test_store import night

from optimizer.nightly import NightlyOptions, PlanStore, actual_vs_planned, latest_published_roster, run_history
from optimizer.nightly.synthetic import greedy_roster
from optimizer.planner import SolveOptions, run_plan
from optimizer.scenario import CITY, load_scenario
from optimizer.ui import charts, downloads, nightly, views
from optimizer.ui.formatting import number
from optimizer.ui.i18n import translate

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
TINY = ROOT / "scenarios" / "tiny"


def tr(lang: str):
    return lambda key, **values: translate(key, lang, **values)


@pytest.fixture(scope="session")
def tiny():
    return load_scenario(TINY)


@pytest.fixture(scope="session")
def store(tmp_path_factory, tiny) -> Path:
    """A plan store with three published runs (day-1 plan and two nights), each with a roster."""
    folder = tmp_path_factory.mktemp("nightly-store")
    day1 = run_plan(tiny, SolveOptions(workers=1))
    options = NightlyOptions(workers=1, with_roster=True)
    night(folder, tiny, day1, 0, options=options, roster_fn=greedy_roster)
    night(folder, tiny, day1, 1, scale=0.8, options=options, roster_fn=greedy_roster)
    return folder / "plan.db"


@pytest.fixture(scope="session")
def data(store) -> nightly.NightlyStore:
    read = nightly.read_store(store)
    assert isinstance(read, nightly.NightlyStore), read
    return read


# --- reading the store ----------------------------------------------------------------------------

def test_store_problems_are_named_without_touching_the_file(tmp_path):
    """A missing path, a folder, a CSV, a foreign SQLite file and an empty store each get their reason, and nothing is written."""
    foreign = tmp_path / "other.db"
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE people (name TEXT)")
    db.close()
    text = tmp_path / "actuals.csv"
    text.write_text("ward_code,date,enrolled\n00001,2022-07-25,10\n", encoding="utf-8")
    empty = tmp_path / "empty.db"
    PlanStore(empty).close()
    cases = {"": "no_path", str(tmp_path / "none.db"): "missing", str(tmp_path): "not_file", str(text): "not_store",
             str(foreign): "not_store", str(empty): "no_runs"}
    for path, code in cases.items():
        problem = nightly.read_store(path)
        assert isinstance(problem, nightly.StoreProblem) and problem.code == code, (path, problem)
    with sqlite3.connect(foreign) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    db.close()
    assert tables == ["people"]
    assert not (tmp_path / "none.db").exists()
    missing = nightly.read_store(tmp_path / "none.db")
    assert nightly.problem_text(missing, tr("vi")) == f"Chưa có kho kế hoạch tại {tmp_path / 'none.db'}."
    assert nightly.problem_text(missing, tr("en")) == f"There is no plan store at {tmp_path / 'none.db'}."


def test_store_from_a_newer_planner_is_refused(tmp_path, store):
    """A store whose schema is newer than this planner knows is reported, not opened."""
    newer = tmp_path / "newer.db"
    newer.write_bytes(store.read_bytes())
    with sqlite3.connect(newer) as db:
        db.execute("INSERT INTO schema_version VALUES (99, 'future', '2030-01-01')")
    db.close()
    problem = nightly.read_store(newer)
    assert problem.code == "newer" and "99" in nightly.problem_text(problem, tr("en"))


def test_damaged_store_is_reported_in_one_line(tmp_path, store):
    """A store missing part of its schema is reported as unreadable, naming what failed."""
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(store.read_bytes())
    with sqlite3.connect(damaged) as db:
        db.execute("DROP VIEW actuals_current")
    db.close()
    problem = nightly.read_store(damaged)
    assert problem.code == "unreadable" and "actuals_current" in problem.detail
    assert nightly.problem_text(problem, tr("vi")).startswith(f"Không đọc được kho {damaged}: ")


def test_read_store_holds_what_the_store_views_return(store, data):
    """The page reads the same history, actual-vs-planned and roster as optimizer.nightly.views."""
    pd.testing.assert_frame_equal(data.history, run_history(store))
    pd.testing.assert_frame_equal(data.actual_vs_planned, actual_vs_planned(store))
    roster = latest_published_roster(store)
    pd.testing.assert_frame_equal(data.roster, roster)
    assert data.history["run_id"].tolist() == [3, 2, 1]
    assert data.roster_run_id == roster.attrs["run_id"] == 3
    assert data.scenario_name == "Tiny demo: 5 wards, 7 days" and Path(data.scenario_path).name == "tiny"
    assert sorted(data.wards["ward_code"]) == ["00001", "00004", "00006", "00037", "00040"]
    assert nightly.plan_in_force(data.history)["run_id"] == 3


def test_store_signature_changes_when_the_store_is_written(tmp_path, store):
    """The cache key of a store changes when a run is written to it."""
    copy = tmp_path / "copy.db"
    copy.write_bytes(store.read_bytes())
    before = nightly.store_signature(copy)
    with PlanStore(copy) as db:
        db.db.execute("UPDATE runs SET message = 'edited' WHERE id = 1")
    assert nightly.store_signature(copy) != before


# --- tables, chart and download -------------------------------------------------------------------

def test_history_table_lists_runs_newest_first_in_both_languages(data):
    """The history shows every run newest first, with Vietnamese or English headers and number formats."""
    vi = nightly.history_table(data.history, tr("vi"), "vi")
    en = nightly.history_table(data.history, tr("en"), "en")
    assert vi["Lần chạy"].tolist() == en["Run"].tolist() == ["#3", "#2", "#1"]
    assert vi["Loại"].tolist() == ["Lập lại hằng đêm", "Lập lại hằng đêm", "Kế hoạch ban đầu"]
    assert en["Actuals up to"].tolist() == ["26/07/2022", "25/07/2022", "–"]
    coverage = float(data.history["coverage"].iloc[0])
    assert vi["Dự kiến hoàn thành"].iloc[0] == f"{100 * coverage:.1f}%".replace(".", ",")
    assert en["Projected coverage"].iloc[0] == f"{100 * coverage:.1f}%"
    assert en["Officer-shifts changed"].tolist()[:2] == [f"{int(v):,}" for v in data.history["changed_officer_shifts"][:2]]
    assert en["Officer-shifts changed"].iloc[2] == "–"
    assert list(en.columns) == ["Run", "Kind", "Status", "Published", "Actuals up to", "Started", "Run time",
                                "Projected coverage", "Kit-shifts changed", "Officer-shifts changed", "Warnings", "Note"]


def test_actual_vs_planned_series_adds_the_districts_up_for_the_city(data):
    """A district's series is its rows; the city's is their sum, and the totals stop at the last report."""
    frame = data.actual_vs_planned
    city = views.actual_vs_planned_series(frame, CITY)
    assert city["planned_enrolled"].tolist() == frame.groupby("date")["planned_enrolled"].sum().astype(float).tolist()
    reported = frame.dropna(subset=["actual_enrolled"])
    assert city["actual_enrolled"].dropna().tolist() == reported.groupby("date")["actual_enrolled"].sum().tolist()
    totals = views.actual_vs_planned_totals(city)
    assert totals["date"] == "2022-07-26"
    assert totals["actual"] == reported["actual_enrolled"].sum()
    assert totals["planned"] == frame.loc[frame["date"] <= "2022-07-26", "planned_enrolled"].sum()
    one = views.actual_vs_planned_series(frame, "002")
    assert one["planned_cum"].tolist() == frame.loc[frame["district_code"] == "002", "planned_cum"].tolist()
    assert len(one) == 7 and one["actual_cum"].isna().sum() == 5


def test_actual_vs_planned_chart_draws_the_plan_and_the_reports(data):
    """The chart has a planned line on every day and an actual line on the days reported, per day or in total."""
    long = views.actual_vs_planned_long(views.actual_vs_planned_series(data.actual_vs_planned, "001"))
    assert (long["measure"] == "planned").sum() == 7 and (long["measure"] == "actual").sum() == 2
    for cumulative, field in ((False, "daily"), (True, "cumulative")):
        spec = charts.actual_vs_planned_chart(long, tr("vi"), "vi", cumulative=cumulative).to_dict()
        assert spec["encoding"]["y"]["field"] == field
        values = next(iter(spec["datasets"].values()))
        assert {v["measure_label"] for v in values} == {"Kế hoạch", "Thực tế"}
        assert spec["config"]["locale"]["number"]["decimal"] == ","


def test_actual_vs_planned_table_prints_people_and_reports(data):
    """The table prints people with the page's separators and how many wards reported."""
    series = views.actual_vs_planned_series(data.actual_vs_planned, CITY)
    table = nightly.actual_vs_planned_table(series, tr("en"), "en")
    assert table["Date"].tolist()[:2] == ["25/07/2022", "26/07/2022"]
    assert table["Wards reported"].tolist() == ["5/5", "5/5"] + ["0/5"] * 5
    assert table["Actual"].tolist()[2:] == ["–"] * 5
    assert table["Planned, total so far"].iloc[-1] == f"{int(series['planned_cum'].iloc[-1]):,}"


def test_filter_roster_by_district_and_ward(data, tiny):
    """Filtering keeps the officer-shifts worked in the district's wards, or in one ward, in clock order."""
    roster = data.roster
    every = views.filter_roster(roster, data.wards, shift_order=tiny.shift_codes)
    assert len(every) == len(roster)
    first_day = every[every["day"] == 0]["shift"].drop_duplicates().tolist()
    assert first_day == [s for s in tiny.shift_codes if s in set(first_day)]
    district = views.filter_roster(roster, data.wards, district="002")
    assert len(district) == roster["ward_code"].isin(["00037", "00040"]).sum() > 0
    ward = views.filter_roster(roster, data.wards, district="002", ward="00040")
    assert len(ward) == (roster["ward_code"] == "00040").sum() > 0
    assert views.filter_roster(roster, data.wards, district="001", ward="00040").empty


def test_stored_roster_csv_is_the_batch_file_or_the_stored_rows(data, tiny):
    """The download is UTF-8 with a BOM: with the scenario the batch's roster.csv, without it the stored columns."""
    rows = views.filter_roster(data.roster, data.wards, district="001")
    enriched = downloads.stored_roster_csv(rows, tiny)
    assert enriched == downloads.roster_csv(tiny, rows)
    plain = downloads.stored_roster_csv(rows)
    for blob in (enriched, plain):
        assert blob.startswith("\ufeff".encode("utf-8"))
        assert len(pd.read_csv(io.BytesIO(blob), encoding="utf-8-sig")) == len(rows)
    assert "ward_name" in pd.read_csv(io.BytesIO(enriched), encoding="utf-8-sig").columns
    assert list(pd.read_csv(io.BytesIO(plain), encoding="utf-8-sig").columns) == list(rows.columns)


def test_nightly_command_names_the_store():
    """The how-to shows the nightly command with the store path, quoted when it has spaces."""
    command = nightly.nightly_command("out/my store.db", "scenarios/tiny", "2022-07-25")
    assert command == ("python -m optimizer nightly scenarios/tiny --actuals actuals.csv --as-of 2022-07-25 "
                       "--store 'out/my store.db' --out out/nightly")


# --- the page -------------------------------------------------------------------------------------

def open_page(monkeypatch, store_path) -> AppTest:
    """The tiny page with PLANNER_STORE set, after its base plan has arrived, on the nightly tab."""
    monkeypatch.setenv("PLANNER_SCENARIO", "scenarios/tiny")
    monkeypatch.setenv("PLANNER_BAND_RUNS", "5")
    monkeypatch.setenv("PLANNER_POLL_SECONDS", "0")
    monkeypatch.setenv("PLANNER_STORE", str(store_path))
    monkeypatch.setenv("PLANNER_STORE_DIR", str(Path(store_path).parents[1]))   # the tests' temp root
    st.cache_resource.clear()
    st.cache_data.clear()
    at = AppTest.from_file(APP, default_timeout=60).run()
    for _ in range(10):
        job = at.session_state.get("job")
        if job is None:
            at.session_state["main_tab_vi"] = "Các lần lập kế hoạch hằng đêm"    # the planner's click
            return at.run()
        assert job.wait(60), "the plan did not finish"
        at.run()
    raise AssertionError("the page kept starting jobs")


def frame_with(at: AppTest, column: str) -> pd.DataFrame:
    return [d.value for d in at.dataframe if column in d.value.columns][-1]


def texts(at: AppTest) -> str:
    return "\n".join(str(e.value) for kind in ("markdown", "caption", "info", "warning", "error", "success")
                     for e in getattr(at, kind))


def nightly_charts(at: AppTest) -> list[pd.DataFrame]:
    frames = []
    for chart in at.get("vega_lite_chart"):
        for dataset in chart.proto.datasets:
            frame = convert_arrow_bytes_to_pandas_df(dataset.data.data)
            if "measure" in frame.columns:
                frames.append(frame)
    return frames


def test_nightly_tab_shows_history_actuals_and_roster(monkeypatch, store, data):
    """The tab lists the store's runs, actual vs planned for the chosen district, and the roster for the chosen filter."""
    at = open_page(monkeypatch, store)
    assert not at.exception
    assert [t.label for t in at.tabs][-1] == "Các lần lập kế hoạch hằng đêm"
    assert at.text_input(key="store_path").value == str(store)
    assert frame_with(at, "Lần chạy")["Lần chạy"].tolist() == [f"#{i}" for i in run_history(store)["run_id"]]
    assert "3 lần chạy · kế hoạch đang áp dụng: lần #3 (số liệu đến 26/07/2022)" in texts(at)

    vs = actual_vs_planned(store)
    upto = vs[vs["date"] <= "2022-07-26"]
    actual, planned = int(upto["actual_enrolled"].sum()), int(upto["planned_enrolled"].sum())
    assert f"Đến 26/07/2022: thực tế {number(actual)} người, kế hoạch {number(planned)} người" in texts(at)
    assert len(nightly_charts(at)) == 2
    at = at.selectbox(key="nightly_area_vi").set_value("002").run()
    mine = vs[vs["district_code"] == "002"]
    assert frame_with(at, "Thực tế")["Kế hoạch"].tolist() == [number(v) for v in mine["planned_enrolled"]]
    chart = nightly_charts(at)[0]
    assert chart.loc[chart["measure"] == "actual", "daily"].sum() == mine["actual_enrolled"].sum()

    roster = latest_published_roster(store)
    assert f"Lần chạy #3 (số liệu đến 26/07/2022): {len(roster)} lượt ca của " in texts(at)
    assert len(frame_with(at, "Ca")) == len(roster)
    at = at.selectbox(key="nightly_roster_district_vi").set_value("002").run()
    assert at.selectbox(key="nightly_roster_ward_vi").options == ["Tất cả phường/xã", "Phường Phúc Tân (00037)",
                                                                 "Phường Đồng Xuân (00040)"]
    assert len(frame_with(at, "Ca")) == roster["ward_code"].isin(["00037", "00040"]).sum()
    at = at.selectbox(key="nightly_roster_ward_vi").set_value("00040").run()
    shown = frame_with(at, "Ca")
    assert len(shown) == (roster["ward_code"] == "00040").sum()
    assert set(shown["Phường/xã"]) == {"Phường Đồng Xuân (00040)"}
    assert at.download_button(key="dl_nightly_roster").label == "Tải lịch trực đang xem (CSV)"
    assert not at.exception


def test_nightly_tab_in_english(monkeypatch, store):
    """With the English toggle the tab's headers, names and numbers are English."""
    at = open_page(monkeypatch, store)
    at = at.toggle(key="lang_en").set_value(True).run()
    assert [t.label for t in at.tabs][-1] == "Nightly runs"
    history = frame_with(at, "Run")
    assert history["Kind"].tolist() == ["Nightly re-plan", "Nightly re-plan", "Initial plan"]
    assert "3 runs · plan in force: run #3 (actuals up to 26/07/2022)" in texts(at)
    assert at.selectbox(key="nightly_area_en").options[0] == "Whole city"
    assert "Up to 26/07/2022:" in texts(at)
    assert not at.exception


def test_missing_store_explains_how_to_make_one(monkeypatch, tmp_path):
    """With no store at the path the tab says so and shows the nightly command, in both languages."""
    missing = tmp_path / "nowhere" / "store.sqlite"
    at = open_page(monkeypatch, missing)
    assert f"Chưa có kho kế hoạch tại {missing}." in [e.value for e in at.info]
    assert any(f"--store {missing}" in c.value and c.value.startswith("python -m optimizer nightly scenarios/tiny")
               for c in at.code)
    at = at.toggle(key="lang_en").set_value(True).run()
    assert f"There is no plan store at {missing}." in [e.value for e in at.info]
    assert not missing.exists() and not missing.parent.exists()
    assert not at.exception


def test_bad_store_paths_show_a_message_not_a_traceback(monkeypatch, tmp_path, store):
    """A CSV file, a folder or a blank path typed in give a readable message; the page keeps working."""
    at = open_page(monkeypatch, store)
    bad = tmp_path / "day0.csv"
    bad.write_text("ward_code,date,enrolled\n", encoding="utf-8")
    at = at.text_input(key="store_path").set_value(str(bad)).run()
    assert f"{bad} không phải kho kế hoạch" in at.error[-1].value
    at = at.text_input(key="store_path").set_value(str(tmp_path)).run()
    assert at.error[-1].value == f"{tmp_path} là một thư mục, không phải tệp kho kế hoạch."
    at = at.text_input(key="store_path").set_value("   ").run()
    assert "Hãy nhập đường dẫn tới kho kế hoạch." in [e.value for e in at.info]
    at = at.text_input(key="store_path").set_value(str(store)).run()
    assert frame_with(at, "Lần chạy")["Lần chạy"].tolist() == ["#3", "#2", "#1"]
    assert not at.exception


def test_store_is_shown_while_the_first_plan_runs(monkeypatch, store):
    """Before the first plan arrives the store's history is already on the page, under its own heading."""
    monkeypatch.setenv("PLANNER_SCENARIO", "scenarios/tiny")
    monkeypatch.setenv("PLANNER_POLL_SECONDS", "0")
    monkeypatch.setenv("PLANNER_STORE", str(store))
    st.cache_resource.clear()
    st.cache_data.clear()
    at = AppTest.from_file(APP, default_timeout=60).run()
    try:
        assert "Đang lập kế hoạch lần đầu" in texts(at)
        assert "Các lần lập kế hoạch hằng đêm" in [e.label for e in at.expander]
        assert frame_with(at, "Lần chạy")["Lần chạy"].tolist() == ["#3", "#2", "#1"]
        # the nightly plan in force is named with its run, its actuals' date and its inputs
        assert ("Trong lúc chờ: kế hoạch hằng đêm đang áp dụng là lần #3 (số liệu đến 26/07/2022"
                in texts(at))
        assert "cùng dữ liệu đầu vào với kịch bản đang chọn" in texts(at)
    finally:
        job = at.session_state["job"]
        if job is not None:
            job.wait(60)
