"""The Streamlit page, driven by AppTest on scenarios/tiny (PLANNER_SCENARIO): what it shows.

Tiny: districts 001 Quận Ba Đình (wards 00001, 00004, 00006) and 002 Quận Hoàn Kiếm (00037,
00040), 7 days from 25/07/2022. Plans run in a background thread; `settle` waits for the job
and reruns the page, as the browser's polling would.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from streamlit.testing.v1 import AppTest

from optimizer.planner import SolveOptions, run_plan
from optimizer.scenario import load_scenario
from optimizer.ui import replan
from optimizer.ui import whatif as wi
from optimizer.ui.formatting import day_header, number, signed

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
TINY = ROOT / "scenarios" / "tiny"


@pytest.fixture(scope="module")
def tiny():
    return load_scenario(TINY)


@pytest.fixture(scope="module")
def tiny_result(tiny):
    return run_plan(tiny, SolveOptions(workers=1))


@pytest.fixture
def fresh(monkeypatch):
    """A page on the tiny scenario with every shared cache emptied, after its first run."""
    monkeypatch.setenv("PLANNER_SCENARIO", "scenarios/tiny")
    monkeypatch.setenv("PLANNER_BAND_RUNS", "8")
    monkeypatch.setenv("PLANNER_POLL_SECONDS", "0")     # the tests wait for jobs themselves (settle)
    st.cache_resource.clear()
    st.cache_data.clear()
    at = AppTest.from_file(APP, default_timeout=60)
    return at.run()


@pytest.fixture
def app(fresh):
    """The tiny page after its base plan has arrived."""
    return settle(fresh)


def settle(at: AppTest, timeout: float = 60) -> AppTest:
    """Wait for the running job (if any) and rerun until the page has no job."""
    for _ in range(10):
        job = at.session_state.get("job")
        if job is None:
            return at
        assert job.wait(timeout), "the plan did not finish"
        at.run()
    raise AssertionError("the page kept starting jobs")


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def texts(at: AppTest) -> str:
    parts = [e.value for kind in ("markdown", "caption", "info", "warning", "error", "success")
             for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


def table(at: AppTest, column: str) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if column in d.value.columns)


def chart_frames(at: AppTest) -> list[pd.DataFrame]:
    frames = []
    for chart in at.get("vega_lite_chart"):
        for dataset in chart.proto.datasets:
            frames.append(convert_arrow_bytes_to_pandas_df(dataset.data.data))
    return frames


def name_box(at: AppTest):
    """The what-if form's run-name box (its key changes after each submission)."""
    return next(t for t in at.text_input if t.label == "Tên phương án")


def open_tab(at: AppTest, label: str) -> AppTest:
    """Open the result tab `label`, as the planner's click does (only the open tab is drawn)."""
    english = "lang_en" in at.session_state and at.session_state["lang_en"]
    at.session_state["main_tab_en" if english else "main_tab_vi"] = label
    return at.run()


def submit(at: AppTest, name: str, **edits) -> AppTest:
    """Fill the what-if form (session values by widget key) and press Re-plan."""
    name_box(at).set_value(name)
    for key, value in edits.items():
        at.session_state[key] = value
    at.button(key="wi_submit").click()
    return at.run()


def test_first_look_shows_the_plan_without_a_click(fresh, tiny_result):
    """Opening the page starts the plan with progress, then shows its headline and charts unprompted."""
    assert "Đang lập kế hoạch lần đầu" in texts(fresh)
    assert [s.label for s in fresh.status] == ["Đang lập kế hoạch: Kế hoạch gốc · tiny"]
    assert metric(fresh, "Cần thu nhận") == "10.230" and metric(fresh, "Phường/xã") == "5"
    assert fresh.download_button(key="dl_wards").label == "Bảng phường/xã của kịch bản (wards.csv)"
    at = settle(fresh)
    assert not at.download_button               # only the open tab (the result) is drawn
    assert not at.exception
    assert at.title[0].value == "Kế hoạch cao điểm cấp Căn cước công dân"
    assert metric(at, "Thu nhận đến hạn chót") == number(tiny_result.enrolled, "vi")
    assert metric(at, "Hơn kế hoạch bảng tính") == signed(tiny_result.enrolled - tiny_result.baseline_enrolled, "vi")
    days = tiny_result.summary()["coverage_days"]
    for level in ("80", "100"):
        day = days[level]["plan"]
        expected = "Không đạt" if day is None else tiny_result.scenario.dates[day].strftime("%d/%m/%Y")
        assert metric(at, f"Ngày đạt {level}%") == expected
    assert [t.label for t in at.tabs] == ["Kết quả", "Điểm nghẽn", "Lịch trực", "So sánh", "Tải về",
                                          "Các lần lập kế hoạch hằng đêm"]
    assert len(at.get("vega_lite_chart")) >= 4      # the result tab's curves, band, districts, ward grid
    assert "Vùng mờ: P10–P90 của 8 lần mô phỏng" in texts(at)
    assert "cần thu nhận 10.230 người" in texts(at)
    assert at.session_state["view_run"] == "Kế hoạch gốc · tiny"


def test_district_multiplier_replans_and_shows_the_new_numbers(app, tiny):
    """A demand multiplier typed into the district table re-plans and shows that plan's numbers."""
    before = metric(app, "Thu nhận đến hạn chót")
    at = settle(submit(app, "Hoàn Kiếm ×1,5", wi_districts={
        "edited_rows": {1: {"demand": 1.5}}, "added_rows": [], "deleted_rows": []}))
    assert not at.exception
    expected = run_plan(wi.scale_demand(tiny, {"002": 1.5}), SolveOptions(workers=1))
    assert at.session_state["view_run"] == "Hoàn Kiếm ×1,5"
    assert metric(at, "Thu nhận đến hạn chót") == number(expected.enrolled, "vi") != before
    assert "thay đổi: nhu cầu" in texts(at)
    record = at.session_state["runs"]["Hoàn Kiếm ×1,5"]
    assert record.whatif.demand == (("002", 1.5),)
    assert record.result.timings["district_solves"] == 1


def test_form_settings_reach_the_scenario(app):
    """Curve, show-up, throughput and an extra night shift from the form end up in the planned scenario."""
    at = settle(submit(app, "Ca đêm", wi_curve_vi="flat", wi_show_up=90.0, wi_rate=25.0, wi_extra=True,
                       wi_extra_pref=15.0))
    record = at.session_state["runs"]["Ca đêm"]
    settings = record.scenario.settings
    assert settings.demand.turnout_curve == "flat" and settings.demand.invitation_show_up == 0.9
    assert settings.throughput_per_kit_hour.walk_in == 25.0 == settings.throughput_per_kit_hour.invited
    assert record.scenario.shift_codes == ["S", "C", "T", "D"]
    assert settings.demand.shift_preference["D"] == pytest.approx(0.15)
    assert record.result.decisions.kits_open.shape[2] == 4
    assert "thay đổi: dạng đường đến, tỷ lệ đến theo giấy mời, năng suất tại trụ sở, ca thêm" in texts(at)


def test_impossible_whatif_is_reported_not_run(app):
    """A shift that ends when it starts gives a one-line message and no new run."""
    at = submit(app, "Sai", wi_end_S=dt.time(7, 0))
    assert at.session_state["job"] is None
    assert [e.value for e in at.error] == ["Giả định không hợp lệ: shift S: start and end are both 07:00"]
    assert list(at.session_state["runs"]) == ["Kế hoạch gốc · tiny"]


def test_progress_is_shown_and_stop_keeps_the_best_plan(app, monkeypatch):
    """While a plan runs the page shows which district was solved; Stop keeps the plan made so far."""
    real_plan = replan.plan

    def slow_plan(scenario, **kwargs):
        kwargs["progress"]("district 001: feasible, gap 0.50 %", 0.4)
        deadline = time.monotonic() + 30
        while not kwargs["should_stop"]() and time.monotonic() < deadline:
            time.sleep(0.02)
        return real_plan(scenario, **kwargs)

    monkeypatch.setattr(replan, "plan", slow_plan)
    at = submit(app, "Dừng sớm", wi_kits_all=1)
    time.sleep(0.2)
    at.run()
    assert [s.label for s in at.status] == ["Đang lập kế hoạch: Dừng sớm"]
    assert at.status[0].state == "running"          # a spinner, not a tick, while the job works
    assert at.progress[0].text == "Đã giải Quận Ba Đình: khả thi, khoảng cách 0,50%"
    assert at.progress[0].value == 40
    at.button(key="stop_job").click().run()
    at = settle(at)
    record = at.session_state["runs"]["Dừng sớm"]
    assert record.stopped_early
    assert "Đã dừng sớm 'Dừng sớm'" in [w.value for w in at.warning][0]
    assert any("Phương án này dừng sớm" in w.value for w in at.warning)
    assert metric(at, "Tối đa có thể đạt") == "–"


def test_compare_shows_two_runs_and_their_differences(app):
    """Two runs side by side: KPI table with B - A, overlaid curves and per-district changes."""
    at = open_tab(settle(submit(app, "Nhiều máy", wi_kits_all=1)), "So sánh")
    runs = at.session_state["runs"]
    base, more = runs["Kế hoạch gốc · tiny"].result, runs["Nhiều máy"].result
    kpis = table(at, "Chênh lệch (B − A)")
    assert list(kpis.columns) == ["Chỉ số", "Kế hoạch gốc · tiny", "Nhiều máy", "Chênh lệch (B − A)"]
    enrolled = kpis.set_index("Chỉ số").loc["Thu nhận đến hạn chót"]
    assert enrolled["Nhiều máy"] == number(more.enrolled, "vi")
    assert enrolled["Chênh lệch (B − A)"] == signed(more.enrolled - base.enrolled, "vi")
    districts = next(d.value for d in at.dataframe if "Chênh lệch tỷ lệ" in d.value.columns)
    assert list(districts["Quận/huyện"]) == ["Quận Ba Đình", "Quận Hoàn Kiếm"]
    curves = [f for f in chart_frames(at) if "run" in f.columns][0]
    assert set(curves["run"]) == {"Kế hoạch gốc · tiny", "Nhiều máy"}


def test_compare_asks_for_a_second_run(app):
    """With one run the Compare tab explains how to get a second."""
    assert "Cần ít nhất hai phương án" in texts(open_tab(app, "So sánh"))


def test_language_switch_relabels_and_reformats(app, tiny_result):
    """The English toggle relabels the page and prints numbers the English way, keeping the choices made."""
    app.radio(key="heat_metric_vi").set_value("served").run()
    at = app.toggle(key="lang_en").set_value(True).run()
    assert at.radio(key="heat_metric_en").value == "served"
    assert at.radio(key="heat_metric_en").options == [
        "Longest queue at a shift's end (people)", "HQ kit utilisation", "Enrolled that day (people)"]
    assert at.title[0].value == "Peak chip-ID (CCCD) enrollment plan"
    assert metric(at, "Enrolled by the deadline") == number(tiny_result.enrolled, "en")
    assert "," in number(tiny_result.enrolled, "en")
    assert [t.label for t in at.tabs] == ["Result", "Bottlenecks", "Rosters", "Compare", "Downloads", "Nightly runs"]
    assert at.expander[0].label.startswith("What-if")
    at = open_tab(at, "Downloads")
    assert at.download_button(key="dl_plan").label.startswith("Detailed plan")
    at = at.toggle(key="lang_en").set_value(False).run()
    assert at.download_button(key="dl_plan").label == "Kế hoạch chi tiết (plan.csv)"    # the open tab stays open
    at = open_tab(at, "Kết quả")
    at = at.toggle(key="lang_en").set_value(False).run()
    assert metric(at, "Thu nhận đến hạn chót") == number(tiny_result.enrolled, "vi")


def test_bottlenecks_and_why_a_ward_falls_short(app, tiny_result):
    """The bottleneck table lists both districts; the chosen ward's shortfall and main limit are explained."""
    app = open_tab(app, "Điểm nghẽn")
    bottlenecks = table(app, "+1 ca cán bộ")
    assert set(bottlenecks["Quận/huyện"]) == {"Quận Ba Đình", "Quận Hoàn Kiếm"}
    top = tiny_result.bottleneck_frame().iloc[0]
    kinds = {"per_kit_shift": "một ca máy thu nhận", "per_officer_shift": "một ca cán bộ",
             "per_evening_shift": "một ca tối"}
    best = max(kinds, key=lambda column: top[column])
    assert f"Nghẽn nhất: {top['district_name']} — {kinds[best]}" in texts(app)
    shortfalls = tiny_result.shortfall_frame().set_index("ward_code")
    at = app.selectbox(key="why_ward_vi").set_value("00037").run()
    row = shortfalls.loc["00037"]
    assert (f"**Phường Phúc Tân** còn thiếu **{number(row['shortfall'], 'vi')}** trên "
            f"{number(row['target'], 'vi')} người") in texts(at)
    assert "Giới hạn chính: **người dân chưa đến (cần giấy mời, vận động)**" in texts(at)


def test_heatmap_follows_the_chosen_district(app):
    """The ward x day grid shows the wards of the district picked."""
    at = app.selectbox(key="heat_district").set_value("002").run()
    grid = [f for f in chart_frames(at) if "ward_name" in f.columns and "value" in f.columns][0]
    assert set(grid["ward_name"]) == {"Phường Phúc Tân", "Phường Đồng Xuân"}
    at = at.radio(key="heat_metric_vi").set_value("utilisation").run()
    grid = [f for f in chart_frames(at) if "ward_name" in f.columns and "value" in f.columns][0]
    assert grid["value"].dropna().between(0, 1.000001).all()


def test_downloads_are_offered_and_rosters_wait_for_a_roster(app):
    """Plan files can be downloaded at once; roster files are disabled until rosters exist."""
    app = open_tab(app, "Tải về")
    labels = {b.key: (b.label, b.disabled) for b in app.download_button}
    assert labels["dl_plan"] == ("Kế hoạch chi tiết (plan.csv)", False)
    assert labels["dl_deployment"][1] is False and labels["dl_summary"][1] is False
    assert labels["dl_roster"][1] and labels["dl_workbooks"][1] and labels["dl_calendars"][1]
    assert "Lịch trực chỉ tải được sau khi lập" in texts(app)


def test_rosters_on_demand_then_in_the_workbook_grid(app, tiny):
    """Rosters are made on request; the roster then shows as officers x days with shift codes."""
    app = open_tab(app, "Lịch trực")
    assert "Lịch trực được lập khi cần" in texts(app)
    at = app.button(key="make_roster").click().run()
    name = at.session_state["view_run"]
    if at.session_state["job"] is not None:
        assert at.status[0].label == f"Đang lập kế hoạch: Lịch trực cho {name}"
        at = settle(at, timeout=300)
    else:                                          # no roster module in this checkout
        assert "Chưa lập được lịch trực" in texts(at)
    record = at.session_state["runs"][name]
    roster = record.result.roster
    if roster is None:                             # then give the run a small hand-made roster
        officers = tiny.officers
        rows = [("CA001", 1, "C", "00001", "operator"), ("CA001", 1, "T", "00001", "verifier"),
                ("CA011", 3, "T", "00037", "operator")]
        roster = pd.DataFrame([{"officer_id": o, "display_name": officers.at[o, "display_name"],
                                "district_code": officers.at[o, "district_code"],
                                "home_ward": officers.at[o, "home_ward"], "date": tiny.dates[d], "day": d,
                                "shift": s, "ward_code": w, "role": r} for o, d, s, w, r in rows])
        at.session_state["runs"][name] = dataclasses.replace(
            record, result=dataclasses.replace(record.result, roster=roster))
        at.run()
    assert not at.exception
    kept = at.session_state["runs"][name]
    if kept.plan_result is not None:             # rosters made here: the plan before and after them
        at = open_tab(at, "Kết quả")
        assert "Lịch trực đã thay đổi kế hoạch" in texts(at)
        assert at.radio(key="plan_version_vi").value == "rostered"
        assert metric(at, "Thu nhận đến hạn chót") == number(kept.result.enrolled, "vi")
        assert not [t for t in at.text if t.value.startswith("staffing:")]     # solver lines in Vietnamese
        at = at.radio(key="plan_version_vi").set_value("plan").run()
        assert metric(at, "Thu nhận đến hạn chót") == number(kept.plan_result.enrolled, "vi")
        at = open_tab(at, "Lịch trực")
    order = {code: i for i, code in enumerate(tiny.shift_codes)}
    worked = roster[roster["ward_code"].map(tiny.wards["district_code"]) == "001"]
    grid = table(at, "Mã cán bộ").set_index("Mã cán bộ")
    assert list(grid.index) == sorted(worked["officer_id"].unique())
    officer = grid.index[0]
    mine = worked[worked["officer_id"] == officer]
    for day, date in enumerate(tiny.dates):
        codes = sorted(mine.loc[mine["day"] == day, "shift"], key=order.get)
        assert grid.at[officer, day_header(date, "vi")] == "+".join(codes)
    assert grid.at[officer, "Số ca"] == len(mine)
    at = at.selectbox(key="roster_district").set_value("002").run()
    assert set(table(at, "Mã cán bộ")["Mã cán bộ"]) == set(
        roster.loc[roster["ward_code"].map(tiny.wards["district_code"]) == "002", "officer_id"])
    at = at.radio(key="roster_by_vi").set_value("officer").run()
    assert at.selectbox(key="roster_officer").options == sorted(roster["officer_id"].unique())
    at = open_tab(at, "Tải về")
    assert not at.download_button(key="dl_roster").disabled
    assert not at.download_button(key="dl_workbooks").disabled


def _upload_page(app: AppTest) -> AppTest:
    return app.radio(key="source_kind_vi").set_value("upload").run()


def test_bad_wards_upload_shows_the_cli_message(app):
    """A wards CSV with a bad number is refused with the CLI's file/row/column line; the page
    keeps the runs made so far (one bad file does not blank it) and starts no plan."""
    at = _upload_page(app)
    assert "Chưa có tệp tải lên" in texts(at)
    bad = (TINY / "wards.csv").read_text(encoding="utf-8").replace("540,150", "540,nhiều")
    at.file_uploader(key="up_wards").set_value(("phuong.csv", bad.encode(), "text/csv"))
    at.run()
    assert not at.exception
    assert at.error[0].value == ("Dữ liệu kịch bản không hợp lệ — sửa tệp rồi tải lại:\n\n"
                                 "`wards.csv: dòng 3, cột invited: 'nhiều' không phải là số`")
    assert "(wards.csv ở đây là tệp phuong.csv bạn tải lên" in texts(at)
    assert list(at.session_state["runs"]) == list(app.session_state["runs"]) and at.session_state["job"] is None
    assert metric(at, "Thu nhận đến hạn chót") == number(at.session_state["runs"][at.session_state["view_run"]]
                                                        .result.enrolled, "vi")
    assert not [b for b in at.button if b.key == "wi_submit"]     # no what-if on a refused scenario


def test_oversized_upload_is_refused_politely(app):
    """A file over 20 MB is refused with its size and the limit, nothing read."""
    at = _upload_page(app)
    at.file_uploader(key="up_officers").set_value(("can-bo.csv", b"x" * (21 * 2**20), "text/csv"))
    at.run()
    assert at.error[0].value == ("Tệp can-bo.csv nặng 21.0 MB, vượt giới hạn 20 MB. "
                                 "Vui lòng tải tệp nhỏ hơn.")


def test_unsafe_zip_is_refused(app):
    """A zip whose member climbs out of its folder is refused before unpacking."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../../campaign.toml", "x")
    at = _upload_page(app)
    at.file_uploader(key="up_zip").set_value(("kich-ban.zip", buffer.getvalue(), "application/zip"))
    at.run()
    assert at.error[0].value.startswith("Tệp kich-ban.zip chứa đường dẫn không an toàn (../../campaign.toml)")


def test_uploaded_zip_is_planned(app):
    """A zipped scenario folder with a changed name and kits is read, planned and shown."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in TINY.iterdir():
            data = path.read_text(encoding="utf-8")
            if path.name == "campaign.toml":
                data = data.replace('name = "Tiny demo: 5 wards, 7 days"', 'name = "Thử nghiệm tải lên"')
            if path.name == "districts.csv":
                data = data.replace("001,Quận Ba Đình,21.0362,105.8267,1", "001,Quận Ba Đình,21.0362,105.8267,2")
            archive.writestr(f"thu-nghiem/{path.name}", data)
    at = _upload_page(app)
    at.file_uploader(key="up_zip").set_value(("thu-nghiem.zip", buffer.getvalue(), "application/zip"))
    at = settle(at.run())
    assert "Đã đọc kịch bản: Thử nghiệm tải lên" in texts(at)
    record = at.session_state["runs"][at.session_state["view_run"]]
    assert record.source == "upload:thu-nghiem.zip" and record.scenario.districts.at["001", "mobile_kits"] == 2
    assert metric(at, "Thu nhận đến hạn chót") == number(record.result.enrolled, "vi")


def test_bundled_scenarios_are_listed(app):
    """The scenario picker lists the folders under scenarios/ that hold a campaign.toml."""
    options = app.selectbox(key="bundled").options
    assert "scenarios/tiny" in options and "scenarios/hanoi-2022" in options
    assert app.selectbox(key="bundled").value == "scenarios/tiny"


def _province_zip(*, province: str = "Tỉnh Thử nghiệm", reserve: int = 3, coordinates: bool = True) -> bytes:
    """scenarios/tiny zipped as a province's upload with its own reserve (and maybe no coordinates)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(TINY.iterdir()):
            data = path.read_text(encoding="utf-8")
            if path.name == "campaign.toml":
                data = data.replace('province = "Thành phố Hà Nội"', f'province = "{province}"')
            if path.name == "districts.csv":
                rows = [line.split(",") for line in data.splitlines()]
                for row in rows[1:]:
                    if not coordinates:
                        row[2] = row[3] = ""
                    if row[0] == "city":
                        row[4] = str(reserve)
                data = "\n".join(",".join(row) for row in rows) + "\n"
            archive.writestr(f"tinh/{path.name}", data)
    return buffer.getvalue()


def _uploaded(app: AppTest, data: bytes, name: str = "tinh.zip") -> AppTest:
    at = _upload_page(app)
    at.file_uploader(key="up_zip").set_value((name, data, "application/zip"))
    return settle(at.run())


def _form_key(at: AppTest, name: str) -> str:
    generation = at.session_state.get("form_generation", 0)
    return f"wi_{name}" if generation == 0 else f"wi_{name}__{generation}"


def test_uploaded_province_whatif_keeps_its_own_reserve(app):
    """An uploaded province's form starts from its own reserve; a show-up what-if changes only show-up."""
    at = _uploaded(app, _province_zip(reserve=3))
    reserve = next(n for n in at.number_input if n.key == _form_key(at, "city"))
    assert reserve.label == "Máy lưu động dự trữ của tỉnh" and reserve.value == 3
    name_box(at).set_value("Ít người đến")
    at.session_state[_form_key(at, "show_up")] = 50.0
    at = settle(at.button(key="wi_submit").click().run())
    record = at.session_state["runs"]["Ít người đến"]
    assert record.whatif.changes() == ["show_up"]
    assert record.scenario.city_mobile_kits == 3 and record.scenario.settings.demand.invitation_show_up == 0.5
    assert "thay đổi: tỷ lệ đến theo giấy mời" in texts(at)


def test_a_province_without_coordinates_is_warned_and_mapped_as_a_note(app):
    """No district coordinates: the upload says so, and the page draws without an error (boundaries by district code)."""
    at = _uploaded(app, _province_zip(coordinates=False))
    assert not at.exception
    assert "2/2 quận/huyện không có toạ độ (lat, lon)" in texts(at)
    assert not [e for e in at.error if "NaN" in str(e.value)]


def test_reupload_shows_the_new_scenarios_run_and_back(app):
    """After an upload the page shows the upload's plan; back on the bundled scenario, its own plan."""
    at = _uploaded(app, _province_zip(reserve=1))
    assert at.session_state["view_run"] == "Kế hoạch gốc · tinh.zip"
    at = settle(at.radio(key="source_kind_vi").set_value("bundled").run())
    assert at.session_state["view_run"] == "Kế hoạch gốc · tiny"
    assert not [w for w in at.warning if "thuộc kịch bản" in w.value]


def test_separate_tables_say_what_they_replace(app):
    """Officers uploaded alone replace the bundled scenario's officers table, and the page says so."""
    at = _upload_page(app)
    assert "thay bảng cùng tên trong kịch bản có sẵn đang chọn (scenarios/tiny)" in texts(at)
    data = (TINY / "officers.csv").read_bytes()
    at.file_uploader(key="up_officers").set_value(("can-bo.csv", data, "text/csv"))
    at = settle(at.run())
    assert "Đã thay bảng cán bộ của kịch bản có sẵn scenarios/tiny; phần còn lại giữ nguyên." in texts(at)


def test_start_from_the_base_plan_clears_the_form(app, tiny):
    """'Start from the base plan' clears the form after a run; the default stacks on the last edits."""
    at = settle(submit(app, "Thêm máy", wi_kits_all=1))
    assert at.session_state["wi_kits_all"] == 1                      # stacked: the form keeps the edit
    at = at.radio(key="whatif_start_vi").set_value("base").run()
    name_box(at).set_value("Một phường")
    at.session_state["wi_one_ward"] = "00037"
    at.session_state["wi_one_ward_kits"] = 1
    at.session_state["wi_kits_all"] = 0
    at = settle(at.button(key="wi_submit").click().run())
    record = at.session_state["runs"]["Một phường"]
    assert record.whatif.changes() == ["ward_kits"]
    kits = record.scenario.wards["fixed_kits"] - tiny.wards["fixed_kits"]
    assert kits.to_dict() == {w: int(w == "00037") for w in tiny.wards.index}
    generation = at.session_state["form_generation"]
    assert generation >= 1 and at.session_state[f"wi_one_ward_kits__{generation}"] == 0


def test_compare_opens_on_two_different_runs_with_the_80_and_90_days(app):
    """The comparison opens on the new run against the base, with the 80 % and 90 % days."""
    at = settle(submit(app, "Nhiều máy", wi_kits_all=1))
    at = open_tab(settle(submit(at, "Nhiều máy nữa", wi_kits_all=2)), "So sánh")
    kpis = table(at, "Chênh lệch (B − A)")
    assert list(kpis.columns)[1:3] == ["Nhiều máy", "Nhiều máy nữa"]
    assert {"Ngày thứ mấy đạt 80%", "Ngày thứ mấy đạt 90%"} <= set(kpis["Chỉ số"])
    assert not [w for w in at.warning if "cùng một kết quả" in w.value]


def test_the_run_name_box_offers_the_next_name_after_a_run(app):
    """After a submission the run-name box is a new box with the next default name, not the last name typed."""
    at = settle(submit(app, "Thêm máy", wi_kits_all=1))
    assert name_box(at).value == "Phương án 3" and name_box(at).key != "wi_name"
