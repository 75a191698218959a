"""The app's pure helpers (optimizer/ui) and optimizer/uncertainty.py, on scenarios/tiny.

Tiny: districts 001 (wards 00001, 00004, 00006) and 002 (00037, 00040), 7 days from Monday
2022-07-25, shifts S 07-12, C 12-17, T 17-22, one kit per ward HQ, mobile kits 1 + 1 and a
city reserve of 1, 25 officers, 3 requests.
"""

from __future__ import annotations

import ast
import datetime as dt
import io
import re
import stat
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from optimizer.errors import ScenarioError
from optimizer.planner import SolveOptions, run_plan
from optimizer.scenario import CITY, COHORTS, load_scenario
from optimizer.ui import downloads, formatting, replan, views
from optimizer.ui import whatif as wi
from optimizer.ui.i18n import LIMIT_KEYS, TEXT, progress_text, translate
from optimizer.ui.jobs import PlanJob
from optimizer.ui.upload import (
    _MESSAGES,
    MAX_UPLOAD_BYTES,
    Upload,
    UploadError,
    load_uploaded,
    safe_extract,
    table_as_csv,
)
from optimizer.uncertainty import coverage_band

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "scenarios" / "tiny"
DECISIONS = ("kits_open", "mobile_kits", "home_visit_teams", "letters")


@pytest.fixture(scope="module")
def tiny():
    return load_scenario(TINY)


@pytest.fixture(scope="module")
def tiny_result(tiny):
    return run_plan(tiny, SolveOptions(workers=1))


def _roster(scenario) -> pd.DataFrame:
    rows = [("CA001", 0, "S", "00001", "operator"), ("CA005", 0, "S", "00001", "verifier"),
            ("CA001", 1, "C", "00001", "verifier"), ("CA001", 1, "T", "00001", "verifier"),
            ("CA011", 3, "T", "00037", "operator")]
    officers = scenario.officers
    return pd.DataFrame([{"officer_id": o, "display_name": officers.at[o, "display_name"],
                          "district_code": officers.at[o, "district_code"], "home_ward": officers.at[o, "home_ward"],
                          "date": scenario.dates[d], "day": d, "shift": s, "ward_code": w, "role": r}
                         for o, d, s, w, r in rows])


# --- formatting ----------------------------------------------------------------------------------

def test_numbers_use_vietnamese_separators():
    """Vietnamese numbers group thousands with '.' and use a decimal comma; English the reverse."""
    assert formatting.number(1699764, "vi") == "1.699.764"
    assert formatting.number(1699764, "en") == "1,699,764"
    assert formatting.number(1234.5, "vi", 1) == "1.234,5"
    assert formatting.percent(0.91525, "vi") == "91,5%"
    assert formatting.percent(0.91525, "en") == "91.5%"
    assert formatting.signed(-1234, "vi") == "-1.234"
    assert formatting.signed(358677, "vi") == "+358.677"
    assert formatting.number(float("nan"), "vi") == formatting.MISSING
    assert formatting.number(-0.0001, "vi", 2) == "0,00"


def test_dates_print_day_month_year():
    """Dates print as dd/mm/yyyy, with Vietnamese weekday names."""
    day = dt.date(2022, 7, 25)
    assert formatting.date_text(day, "vi") == "25/07/2022"
    assert formatting.date_text("2022-08-23", "vi") == "23/08/2022"
    assert formatting.weekday_date(day, "vi") == "Thứ Hai, 25/07/2022"
    assert formatting.day_header(dt.date(2022, 7, 31), "vi") == "CN 31/07"
    assert formatting.file_slug("Đông Anh ×1,5 (nhiều máy)") == "dong-anh-1-5-nhieu-may"
    assert formatting.file_slug("×") == "plan"


# --- translations ---------------------------------------------------------------------------------

def test_every_label_has_both_languages_and_the_same_placeholders():
    """Each key of the table has a Vietnamese and an English text with the same {placeholders}."""
    for key, texts in TEXT.items():
        assert set(texts) == {"vi", "en"}, key
        assert texts["vi"].strip() and texts["en"].strip(), key
        names = [set(re.findall(r"{(\w+)}", texts[lang])) for lang in ("vi", "en")]
        assert names[0] == names[1], key


def _used_keys() -> tuple[set[str], list[str]]:
    """Literal keys passed to T/tr/t/translate in app.py and optimizer/ui (with its sections), and
    f-string prefixes."""
    keys, prefixes = set(), []
    for path in [ROOT / "app.py", *sorted((ROOT / "optimizer" / "ui").rglob("*.py"))]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if name not in ("T", "t", "tr", "translate"):
                continue
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                keys.add(first.value)
            elif isinstance(first, ast.JoinedStr) and isinstance(first.values[0], ast.Constant):
                prefixes.append(first.values[0].value)
    return keys, prefixes


def test_the_app_uses_no_key_missing_from_the_table():
    """Every key the page asks for (literal or built from a known set of values) is in the table."""
    keys, prefixes = _used_keys()
    assert len(keys) > 150
    assert not sorted(keys - set(TEXT))
    expansions = {
        "curve_": wi.CURVES, "metric_": ("queue", "utilisation", "served"),
        "status_": ("optimal", "feasible", "infeasible", "no_solution", "error", "no_solution_in_time"),
        "role_": ("operator", "verifier", "driver", "home_visit"), "by_": ("district", "ward", "officer"),
        "source_": ("bundled", "upload"), "upload_": tuple(_MESSAGES), "note_": ("requests_dropped",),
        "kpi_": views.KPIS, "change_": tuple(f.name for f in wi.dataclasses.fields(wi.WhatIf)),
        "part_": ("waiting_or_gave_up", "homebound_left", "institution_left", "not_arrived"),
        "one_more_": ("kit", "officer", "evening"), "whatif_start_": ("last", "base"),
        "plan_version_": ("rostered", "plan"), "table_": ("up_wards", "up_officers"),
        "variant_": ("plan", "median", "baseline"),
    }
    assert set(prefixes) <= set(expansions), set(prefixes) - set(expansions)
    for prefix in set(prefixes):
        for value in expansions[prefix]:
            assert f"{prefix}{value}" in TEXT, f"{prefix}{value}"
    assert set(LIMIT_KEYS.values()) <= set(TEXT)


def test_progress_messages_are_translated():
    """The solver's English progress lines read in Vietnamese, with district names and a decimal comma."""
    scenario = load_scenario(TINY)
    text = progress_text("district 001: feasible, gap 0.22 %", "vi", scenario)
    assert text == "Đã giải Quận Ba Đình: khả thi, khoảng cách 0,22%"
    assert progress_text("2 districts, 5 wards", "en") == "2 districts, 5 wards"
    assert progress_text("something new", "vi") == "something new"
    assert progress_text("roster 002: optimal", "vi", scenario) == "Đã lập lịch trực Quận Hoàn Kiếm: tối ưu"
    assert progress_text("re-planning 2 district(s) with the staffing the roster found", "en").startswith("Re-planning 2")
    with pytest.raises(KeyError):
        translate("no_such_key", "vi")


def test_solver_messages_are_translated():
    """The plan's English messages read in Vietnamese, with the counts and district names."""
    from optimizer.ui.i18n import solver_message_text
    scenario = load_scenario(TINY)
    closed = "staffing: 37 kit-shift(s) closed for lack of officers (closed the unstaffed kit-shifts)"
    assert solver_message_text(closed, "vi") == ("Lập lịch trực: đóng 37 ca-máy vì thiếu cán bộ "
                                                 "(đóng các ca-máy không đủ người).")
    assert solver_message_text("stopped early: districts 001, 002 keep the fair baseline", "vi", scenario) == \
        "Dừng sớm: quận/huyện Quận Ba Đình, Quận Hoàn Kiếm giữ kế hoạch bảng tính."
    assert solver_message_text("district 002: no integer plan found within the limits", "vi", scenario) == \
        "Quận/huyện Quận Hoàn Kiếm: không tìm được kế hoạch nguyên trong giới hạn"
    assert solver_message_text("something new", "vi") == "something new"


def test_a_province_is_called_a_province():
    """'Toàn tỉnh' for a province and 'Toàn thành phố' for a centrally-run city, by the campaign's province."""
    from optimizer.ui.i18n import progress_text
    from optimizer.ui.sections.context import AppSettings, Page
    tiny = load_scenario(TINY)

    def with_province(name):
        campaign = tiny.settings.campaign.model_copy(update={"province": name})
        return wi.dataclasses.replace(tiny, settings=tiny.settings.model_copy(update={"campaign": campaign}))

    assert views.area_kind(tiny) == "city"                                   # Thành phố Hà Nội
    assert views.area_kind(with_province("Tỉnh Quảng Nam")) == "province"
    assert views.area_kind(with_province("Đà Nẵng")) == "city"
    assert views.area_kind(with_province("Lào Cai")) == "province"
    page = Page(lang="vi", state={}, settings=AppSettings(root=ROOT), scope="province")
    assert page.t("city") == "Toàn tỉnh" and page.t("change_city_reserve") == "dự trữ của tỉnh"
    assert Page(lang="vi", state={}, settings=AppSettings(root=ROOT)).t("city") == "Toàn thành phố"
    assert progress_text("the city reserve is short: lending it kit by kit", "vi",
                         with_province("Tỉnh Quảng Nam")) == "Dự trữ của tỉnh không đủ: phân từng máy"


# --- what-if transforms ---------------------------------------------------------------------------

def test_demand_multiplier_scales_one_district_only(tiny):
    """A multiplier of 1.5 on district 001 scales its wards' cohorts (half up) and nothing else."""
    changed = wi.scale_demand(tiny, {"001": 1.5})
    before, after = tiny.wards, changed.wards
    mine = before["district_code"] == "001"
    for cohort in COHORTS:
        expected = np.floor(before.loc[mine, cohort] * 1.5 + 0.5).astype(int)
        assert (after.loc[mine, cohort] == expected).all()
        assert (after.loc[~mine, cohort] == before.loc[~mine, cohort]).all()
    assert (after["target"] == after[list(COHORTS)].sum(axis=1)).all()
    assert (after["eligible"] == after["already_enrolled"] + after["cannot_enroll"] + after["target"]).all()
    assert after.at["00001", "walk_in"] == 2850          # 1900 * 1.5
    assert changed.input_hash != tiny.input_hash
    assert wi.scale_demand(tiny, {"001": 1.0}) is tiny
    with pytest.raises(wi.WhatIfError, match="unknown district"):
        wi.scale_demand(tiny, {"999": 2.0})
    with pytest.raises(wi.WhatIfError, match=">= 0"):
        wi.scale_demand(tiny, {"001": -1})


def test_turnout_and_show_up_change_the_demand_settings(tiny):
    """The curve, peak day and show-up rate land in the demand settings; bad values are refused."""
    changed = wi.set_show_up(wi.set_turnout(tiny, "back", 5), 0.9)
    demand = changed.settings.demand
    assert (demand.turnout_curve, demand.turnout_peak_day, demand.invitation_show_up) == ("back", 5, 0.9)
    assert wi.set_turnout(tiny, "front", 1) is tiny
    with pytest.raises(wi.WhatIfError):
        wi.set_turnout(tiny, "zigzag")
    with pytest.raises(wi.WhatIfError):
        wi.set_turnout(tiny, peak_day=7)
    with pytest.raises(wi.WhatIfError):
        wi.set_show_up(tiny, 1.2)


def test_kits_change_per_ward_district_and_city(tiny):
    """Ward HQ kits move by the city and district deltas (never below 0); mobile kits and reserve are set."""
    kits = wi.change_ward_kits(tiny, delta=1, per_district={"002": -5})
    assert list(kits.wards["fixed_kits"]) == [2, 2, 2, 0, 0]
    assert list(wi.change_ward_kits(tiny, set_to=3).wards["fixed_kits"]) == [3] * 5
    mobile = wi.set_mobile_kits(tiny, {"001": 4}, city=2)
    assert mobile.districts.at["001", "mobile_kits"] == 4 and mobile.city_mobile_kits == 2
    assert wi.set_mobile_kits(tiny, {"001": 1}, city=1) is tiny


def test_officer_multiplier_drops_and_copies_deterministically(tiny):
    """Halving keeps half of each district's officers spread over wards; doubling adds labelled copies."""
    counts = tiny.officers.groupby("district_code").size()
    half = wi.scale_officers(tiny, {"001": 0.5})
    assert half.officers.groupby("district_code").size()["001"] == int(np.floor(counts["001"] * 0.5 + 0.5))
    assert half.officers.groupby("district_code").size()["002"] == counts["002"]
    kept = half.officers[half.officers["district_code"] == "001"]
    assert set(kept["home_ward"]) == set(tiny.officers.loc[tiny.officers["district_code"] == "001", "home_ward"])
    assert list(wi.scale_officers(tiny, {"001": 0.5}).officers.index) == list(half.officers.index)
    assert set(half.requests["officer_id"]) <= set(half.officers.index)
    double = wi.scale_officers(tiny, {"002": 2.0})
    copies = double.officers[double.officers.index.str.contains("-x")]
    assert len(copies) == counts["002"] and copies.index.is_unique
    assert copies["display_name"].str.startswith("(bản sao 1)").all()
    assert double.input_hash != tiny.input_hash


def test_shift_hours_and_an_extra_night_shift(tiny):
    """Shift times change; a night shift D 22:00-00:00 joins last with 10 % of the preference."""
    longer = wi.set_shift_hours(tiny, {"S": ("06:30", "12:00")})
    assert longer.shifts[0].start == "06:30" and longer.shifts[0].hours == 5.5
    with pytest.raises(wi.WhatIfError, match="clock time"):
        wi.set_shift_hours(tiny, {"S": ("7h", "12:00")})
    night = wi.add_shift(tiny, "d", dt.time(22, 0), "00:00", 0.1)
    assert night.shift_codes == ["S", "C", "T", "D"] and night.shifts[-1].hours == 2.0
    preference = night.settings.demand.shift_preference
    assert preference["D"] == pytest.approx(0.1) and sum(preference.values()) == pytest.approx(1.0)
    assert preference["T"] == pytest.approx(0.9 * 0.48)
    with pytest.raises(wi.WhatIfError, match="already used"):
        wi.add_shift(tiny, "S", "22:00", "00:00", 0.1)
    result = run_plan(night, SolveOptions(workers=1))
    assert result.decisions.kits_open.shape[2] == 4


def test_objective_weights(tiny):
    """The weights per person enrolled and waiting are set; equity multiplies the shortfall steps."""
    changed = wi.set_objective_weights(tiny, enrolled=2.0, equity=2.0, wait=0.05)
    weights = changed.settings.objective
    assert weights.enrolled == 2.0 and weights.wait_per_person_shift == 0.05
    assert [tuple(s) for s in weights.shortfall_steps] == [(0.05, 1.0), (0.10, 2.0)]


def test_form_table_round_trip(tiny):
    """The district table's edit state becomes a WhatIf with only the changed rows, and applies."""
    table = wi.district_table(tiny)
    assert list(table["district_code"]) == ["001", "002"] and list(table["mobile_kits"]) == [1, 1]
    edited = wi.apply_table_edits(table, {"edited_rows": {1: {"demand": 1.2, "officers": 0.5}},
                                          "added_rows": [], "deleted_rows": []})
    parts = wi.whatif_from_table(tiny, edited)
    assert parts["demand"] == (("002", 1.2),) and parts["officers"] == (("002", 0.5),)
    assert parts["mobile_kits"] == () and parts["ward_kits_by_district"] == ()
    whatif = wi.WhatIf(**parts, show_up=0.8)
    assert whatif.changes() == ["demand", "officers", "show_up"]
    changed = wi.apply_whatif(tiny, whatif)
    assert changed.settings.demand.invitation_show_up == 0.8
    assert wi.apply_whatif(tiny, wi.WhatIf()) is tiny


# --- uncertainty ----------------------------------------------------------------------------------

def test_band_is_deterministic_ordered_and_shaped(tiny, tiny_result):
    """Same seed, same band; P10 <= P50 <= P90; rows for the city and each district for every date."""
    band = coverage_band(tiny, tiny_result.decisions, runs=12, seed=3)
    again = coverage_band(tiny, tiny_result.decisions, runs=12, seed=3)
    pd.testing.assert_frame_equal(band, again)
    assert list(band.columns) == ["date", "day", "district_code", "p10", "p50", "p90"]
    assert len(band) == 3 * tiny.n_days and set(band["district_code"]) == {CITY, "001", "002"}
    assert (band["p10"] <= band["p50"] + 1e-12).all() and (band["p50"] <= band["p90"] + 1e-12).all()
    assert band["p90"].max() <= 1.0 and band["p10"].min() >= 0.0
    other = coverage_band(tiny, tiny_result.decisions, runs=12, seed=4)
    assert not np.allclose(other["p50"], band["p50"])


def test_band_without_noise_is_the_plan_and_batches_do_not_matter(tiny, tiny_result):
    """With no randomness the band is the plan's own curve; splitting runs into batches changes nothing."""
    flat = coverage_band(tiny, tiny_result.decisions, runs=2, turnout_sigma=0, show_up_sd=0,
                         breakdown_probability=0)
    city = flat[flat["district_code"] == CITY]
    np.testing.assert_allclose(city["p50"], tiny_result.coverage_by_day(), atol=1e-6)
    np.testing.assert_allclose(city["p10"], city["p90"])
    serial = coverage_band(tiny, tiny_result.decisions, runs=7, seed=1)
    batched = coverage_band(tiny, tiny_result.decisions, runs=7, seed=1,
                            map_fn=lambda fn, items: [fn(i) for i in items], batches=3)
    pd.testing.assert_frame_equal(serial, batched)
    with pytest.raises(ValueError):
        coverage_band(tiny, tiny_result.decisions, runs=0)


def test_band_turnout_and_breakdowns_lower_the_median(tiny, tiny_result):
    """Kits broken 30 % of the time leave the median below the plan's own coverage at the deadline."""
    band = coverage_band(tiny, tiny_result.decisions, runs=10, turnout_sigma=0, show_up_sd=0,
                         breakdown_probability=0.3)
    city = band[band["district_code"] == CITY]
    assert city["p50"].iloc[-1] < tiny_result.coverage_by_day()[-1]


# --- re-planning with cached district plans ---------------------------------------------------------

def test_cached_replan_matches_a_plan_from_scratch(tiny):
    """After a change to district 002, the cached re-plan solves that district only and equals run_plan."""
    cache = replan.DistrictPlanCache()
    first = replan.plan(tiny, cache=cache)
    assert first.timings["district_solves"] == 2 and first.timings["district_reuses"] == 0
    changed = wi.scale_demand(tiny, {"002": 1.4})
    again = replan.plan(changed, cache=cache)
    assert again.timings["district_solves"] == 1 and again.timings["district_reuses"] == 1
    fresh = run_plan(changed, SolveOptions(workers=1))
    for name in DECISIONS:
        np.testing.assert_array_equal(getattr(again.decisions, name), getattr(fresh.decisions, name))
    assert again.summary()["max_enrollable"] == fresh.summary()["max_enrollable"]
    assert replan.plan(tiny, cache=cache).timings["district_solves"] == 0


def test_task_keys_follow_the_district_inputs(tiny):
    """A district's key changes with its own wards and with settings, not with another district's wards."""
    from optimizer.capacity.campaign import _plan_task, district_inputs

    def keys(scenario):
        return {d.district_code: replan.task_key(_plan_task, (d, 0, 0, 60, 0.002, True))
                for d in district_inputs(scenario)}

    base = keys(tiny)
    other = keys(wi.scale_demand(tiny, {"002": 1.4}))
    assert base["001"] == other["001"] and base["002"] != other["002"]
    assert keys(wi.set_show_up(tiny, 0.9))["001"] != base["001"]
    assert keys(wi.scale_officers(tiny, {"001": 0.5}))["001"] != base["001"]
    assert replan.task_key(_plan_task, ("not a district",)) is None


def test_task_keys_follow_every_field_of_the_district_input(tiny):
    """Ceilings from the roster and the no-shows left to call change a district's key too."""
    from dataclasses import replace

    from optimizer.capacity.campaign import _plan_task, district_inputs

    data = district_inputs(tiny)[0]
    key = lambda d: replan.task_key(_plan_task, (d, 0, 0, 60, 0.002, True))  # noqa: E731
    crews = np.zeros((len(data.budget.role_sets), tiny.n_days, len(tiny.shift_codes)), dtype=np.int64)
    variants = [replace(data, crew_ceiling=crews), replace(data, callable_no_shows=np.ones(len(data.ward_index))),
                replace(data, change_cost=0.5)]
    keys = {key(data)} | {key(variant) for variant in variants}
    assert len(keys) == 1 + len(variants)
    assert key(replace(data)) == key(data)


def test_pool_workers_hold_none_of_the_servers_sockets(tiny):
    """Re-plan workers hold no socket the server had open (a browser connection or the listener)."""
    import socket
    if not Path("/proc/self/fd").is_dir():
        pytest.skip("needs /proc (Linux)")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    client = socket.create_connection(listener.getsockname())
    server_side, _ = listener.accept()
    pool = replan.WorkerPool(2)
    try:
        server_sockets = replan.socket_inodes()
        assert len(server_sockets) >= 3          # the listener and both ends of the connection
        held = pool.map(_sockets_of_worker, range(4))
        assert all(not (worker & server_sockets) for worker in held), held
        again = replan.plan(wi.scale_demand(tiny, {"001": 1.2, "002": 1.3}), cache=replan.DistrictPlanCache(),
                            pool=pool)
        assert again.timings["district_solves"] == 2
    finally:
        pool.shutdown()
        for sock in (client, server_side, listener):
            sock.close()


def _sockets_of_worker(_item) -> frozenset[str]:
    return replan.socket_inodes()


def test_lru_store_evicts_the_least_recently_used():
    """The store keeps at most max_entries, dropping the one used longest ago."""
    store = replan.LruStore(2)
    store.put("a", 1), store.put("b", 2)
    assert store.get("a") == 1
    store.put("c", 3)
    assert "b" not in store and store.get("a") == 1 and store.get("c") == 3
    assert store.get("b") is None and store.misses == 1


# --- background jobs ------------------------------------------------------------------------------

def test_job_reports_progress_and_stops_on_request(tiny, tiny_result):
    """A job's runner sees the stop flag; progress and the result come back to the page."""
    def runner(progress, should_stop):
        progress("district 001: optimal", 0.5)
        for _ in range(500):
            if should_stop():
                return tiny_result
            import time
            time.sleep(0.01)
        raise AssertionError("never asked to stop")

    job = PlanJob("t", "plan", tiny, wi.WhatIf(), "tiny", "key", runner).start()
    job.stop()
    assert job.wait(10) and job.result is tiny_result and job.error is None
    snapshot = job.snapshot()
    assert snapshot.done and snapshot.fraction == 0.5 and snapshot.message == "district 001: optimal"
    assert job.record().name == "t"


def test_job_turns_bad_input_into_one_line(tiny):
    """A ScenarioError in the runner becomes the job's one-line error, not an exception."""
    def runner(progress, should_stop):
        raise ScenarioError("wards.csv", "'x' is not a number", row=3, column="walk_in")

    job = PlanJob("t", "plan", tiny, wi.WhatIf(), "tiny", "key", runner).start()
    assert job.wait(10)
    assert job.error == "wards.csv: row 3, column walk_in: 'x' is not a number" and job.error_kind == "input"


# --- uploads --------------------------------------------------------------------------------------

def _zip(members: dict[str, bytes], links: tuple[str, ...] = ()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        for name in links:
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, "/etc/passwd")
    return buffer.getvalue()


def _tiny_files(prefix: str = "") -> dict[str, bytes]:
    return {f"{prefix}{p.name}": p.read_bytes() for p in TINY.iterdir() if p.is_file()}


def test_zip_scenario_loads_from_a_top_level_folder(tmp_path):
    """A zipped scenario folder (inside a top folder, with junk) loads as the same scenario."""
    files = _tiny_files("my-scenario/") | {"__MACOSX/._x": b"junk", "my-scenario/notes.exe": b"MZ"}
    scenario, notes = load_uploaded(scenario_zip=Upload("s.zip", _zip(files)))
    assert scenario.input_hash == load_scenario(TINY).input_hash and notes == []
    assert str(scenario.path) == "upload:s.zip"


@pytest.mark.parametrize("member", ["../evil.csv", "/etc/evil.csv", "a/../../evil.csv", "C:/evil.csv"])
def test_zip_with_unsafe_paths_is_refused(tmp_path, member):
    """Absolute paths and '..' in an archive are refused before anything is written outside."""
    data = _zip(_tiny_files() | {member: b"x"})
    with pytest.raises(UploadError) as error:
        safe_extract(Upload("bad.zip", data), tmp_path / "out")
    assert error.value.code == "unsafe_path"
    assert not (tmp_path / "evil.csv").exists()


def test_zip_with_a_link_or_no_campaign_or_junk_is_refused(tmp_path):
    """Links, archives without campaign.toml and non-zip bytes are refused with their own code."""
    with pytest.raises(UploadError) as error:
        files = {k: v for k, v in _tiny_files().items() if k != "wards.csv"}
        safe_extract(Upload("l.zip", _zip(files, links=("wards.csv",))), tmp_path / "a")
    assert error.value.code == "unsafe_path"
    with pytest.raises(UploadError) as error:
        safe_extract(Upload("n.zip", _zip({"wards.csv": b"x"})), tmp_path / "b")
    assert error.value.code == "no_campaign"
    with pytest.raises(UploadError) as error:
        safe_extract(Upload("x.zip", b"not a zip"), tmp_path / "c")
    assert error.value.code == "not_zip"


def test_uploads_over_the_limit_are_refused():
    """A file over 20 MB is refused politely, naming its size and the limit."""
    with pytest.raises(UploadError) as error:
        load_uploaded(base_folder=TINY, wards=Upload("wards.csv", b"x" * (MAX_UPLOAD_BYTES + 1)))
    assert error.value.code == "too_big" and "20 MB" in str(error.value)
    assert translate("upload_too_big", "vi", **error.value.values).startswith("Tệp wards.csv nặng 20.0 MB")


def test_wards_table_from_xlsx_replaces_the_bundled_one(tiny):
    """An XLSX wards table with text codes loads; its numbers read as whole numbers."""
    wards = pd.read_csv(TINY / "wards.csv", dtype=str)
    wards.loc[0, "fixed_kits"] = "2"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(wards.columns))
    for row in wards.itertuples(index=False):
        sheet.append([value if column.endswith(("code", "name")) else int(value)
                      for column, value in zip(wards.columns, row)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = Upload("phuong.xlsx", buffer.getvalue())
    assert table_as_csv(upload).decode().splitlines()[1].startswith("00001,Phường Phúc Xá,001,21946,")
    scenario, _ = load_uploaded(base_folder=TINY, wards=upload)
    assert scenario.wards.at["00001", "fixed_kits"] == 2
    assert scenario.wards.drop(index="00001").equals(tiny.wards.drop(index="00001"))


def test_bad_wards_csv_gives_the_cli_message():
    """A bad value in an uploaded wards table raises the loader's file/row/column message."""
    text = (TINY / "wards.csv").read_text(encoding="utf-8").replace("1900,580", "lots,580")
    with pytest.raises(ScenarioError) as error:
        load_uploaded(base_folder=TINY, wards=Upload("my.csv", text.encode()))
    assert str(error.value) == "wards.csv: row 2, column walk_in: 'lots' is not a number"


def test_replacing_officers_drops_the_old_requests():
    """New officers drop the bundled requests.csv (its IDs would not match) and say so."""
    officers = (TINY / "officers.csv").read_text(encoding="utf-8").replace("CA001", "NEW01")
    scenario, notes = load_uploaded(base_folder=TINY, officers=Upload("cb.csv", officers.encode()))
    assert notes == ["requests_dropped"] and scenario.requests is None and "NEW01" in scenario.officers.index
    with pytest.raises(UploadError) as error:
        table_as_csv(Upload("cb.pdf", b"%PDF"))
    assert error.value.code == "bad_table_type"
    with pytest.raises(UploadError) as error:
        table_as_csv(Upload("cb.xlsx", b"not a workbook"))
    assert error.value.code == "bad_xlsx"


# --- views and downloads -----------------------------------------------------------------------------

def test_headline_and_daily_progress_agree_with_the_result(tiny_result):
    """Headline numbers are the summary's; the last day of the city curve is the coverage at the deadline."""
    headline = views.headline(tiny_result)
    summary = tiny_result.summary()
    assert headline["enrolled"] == summary["enrolled"] and headline["gain"] == summary["gain_over_baseline"]
    day = summary["coverage_days"]["80"]["plan"]
    assert headline["days"]["80"]["plan_date"] == (None if day is None else tiny_result.scenario.dates[day])
    progress = views.daily_progress(tiny_result, ("002",))
    city = progress[(progress["area_code"] == CITY) & (progress["variant"] == "plan")]
    assert city["enrolled"].iloc[-1] == tiny_result.enrolled
    assert (city["backlog"] == city["target"] - city["enrolled"]).all()
    assert set(progress["area_code"]) == {CITY, "002"} and set(progress["variant"]) == {"plan", "baseline"}


def test_ward_day_grid_metrics(tiny_result):
    """The grid has one row per ward of the district and day; utilisation is a share or blank."""
    for metric in ("queue", "utilisation", "served"):
        grid = views.ward_day_grid(tiny_result, "001", metric)
        assert len(grid) == 3 * 7 and set(grid["ward_code"]) == {"00001", "00004", "00006"}
    share = views.ward_day_grid(tiny_result, "001", "utilisation")["value"].dropna()
    assert ((share >= 0) & (share <= 1 + 1e-9)).all()
    served = views.ward_day_grid(tiny_result, "001", "served")["value"].sum()
    assert served == tiny_result.district_frame().set_index("district_code").at["001", "enrolled"]


def test_comparison_tables(tiny, tiny_result):
    """Compare lists the KPIs of two runs with B - A, and per-district changes."""
    other = run_plan(wi.scale_demand(tiny, {"002": 1.3}), SolveOptions(workers=1))
    kpis = views.compare_kpis(tiny_result, other).set_index("kpi")
    assert kpis.at["enrolled", "delta"] == other.enrolled - tiny_result.enrolled
    assert kpis.at["target", "b"] > kpis.at["target", "a"]
    deltas = views.district_deltas(tiny_result, other).set_index("district_code")
    assert deltas.at["001", "target_a"] == deltas.at["001", "target_b"]
    assert deltas["enrolled_delta"].sum() == other.enrolled - tiny_result.enrolled


def test_roster_grid_matches_the_workbook_layout(tiny):
    """Officers down, days across, shift codes in cells ('C+T'), then shifts and hours."""
    grid = views.roster_grid(tiny, _roster(tiny), ward="00001",
                             day_label=lambda d: formatting.day_header(d, "vi"))
    assert list(grid["officer_id"]) == ["CA001", "CA005"]
    row = grid.set_index("officer_id").loc["CA001"]
    assert row["T2 25/07"] == "S" and row["T3 26/07"] == "C+T" and row["T4 27/07"] == ""
    assert row["shifts"] == 3 and row["hours"] == 15
    assert list(views.roster_grid(tiny, _roster(tiny), district="002")["officer_id"]) == ["CA011"]
    assert len(views.roster_grid(tiny, _roster(tiny), officer="CA005")) == 1


def test_downloads_are_the_batch_files(tiny, tiny_result):
    """Plan CSV, roster CSV (with BOM), district workbooks and calendars come out as the CLI writes them."""
    plan = downloads.plan_csv(tiny_result).decode()
    assert plan.splitlines()[0].startswith("ward_code,district_code,date,day,shift,kits_open")
    assert len(plan.splitlines()) == 1 + 5 * 7 * 3
    assert downloads.deployment_csv(tiny_result).startswith(b"\xef\xbb\xbf")
    roster = downloads.roster_csv(tiny, _roster(tiny))
    assert roster.startswith(b"\xef\xbb\xbfofficer_id,display_name")
    with zipfile.ZipFile(io.BytesIO(downloads.district_workbooks_zip(tiny, _roster(tiny)))) as archive:
        assert sorted(archive.namelist()) == ["rosters/001.xlsx", "rosters/002.xlsx"]
    with zipfile.ZipFile(io.BytesIO(downloads.officer_calendars_zip(tiny, _roster(tiny)))) as archive:
        names = archive.namelist()
        assert len(names) == len(tiny.officers) and "ics/CA001.ics" in names
        assert b"DTSTART;TZID=Asia/Ho_Chi_Minh:20220725T070000" in archive.read("ics/CA001.ics")
    assert b'"enrolled":' in downloads.summary_json(tiny_result)


def test_nightly_command_names_a_real_folder():
    """The nightly command names a folder: the bundled one, or the uploaded zip's folder, never 'upload:'."""
    from optimizer.ui.nightly import command_scenario_path, nightly_command
    assert command_scenario_path("scenarios/tiny", "scenarios/hanoi-2022") == "scenarios/tiny"
    assert command_scenario_path("upload:danang.zip", "scenarios/hanoi-2022") == "danang"
    assert command_scenario_path("", "scenarios/hanoi-2022") == "scenarios/hanoi-2022"
    assert "upload:" not in nightly_command("out/store.sqlite", command_scenario_path("upload:danang.zip", ""),
                                            "2022-07-25")


def test_one_kit_at_one_ward_changes_that_ward_only(tiny):
    """change_kits_at_wards adds to the named ward HQ only, never below 0, and names unknown wards."""
    changed = wi.change_kits_at_wards(tiny, {"00037": 1, "00001": -99})
    delta = (changed.wards["fixed_kits"] - tiny.wards["fixed_kits"]).to_dict()
    assert delta["00037"] == 1 and changed.wards.at["00001", "fixed_kits"] == 0
    assert all(v == 0 for w, v in delta.items() if w not in ("00037", "00001"))
    assert wi.apply_whatif(tiny, wi.WhatIf(ward_kits=(("00040", 2),))).wards.at["00040", "fixed_kits"] == \
        tiny.wards.at["00040", "fixed_kits"] + 2
    with pytest.raises(wi.WhatIfError, match="99999"):
        wi.change_kits_at_wards(tiny, {"99999": 1})


def test_coverage_chart_names_the_projection_and_the_median(tiny, tiny_result):
    """With a band, the chart has three line kinds with distinct dashes; several areas get band edges, not fills."""
    import json

    from optimizer.ui import charts
    progress = views.daily_progress(tiny_result, ("001", "002"))
    band = coverage_band(tiny, tiny_result.decisions, runs=5, seed=0)
    tr = lambda key: translate(key, "en")      # noqa: E731
    spec = json.dumps(charts.coverage_chart(progress, tr, "en", band=band).to_dict())
    assert "deterministic projection" in spec and "simulated median (P50)" in spec
    for dash in charts.VARIANT_DASHES.values():
        assert json.dumps(dash) in spec
    assert '"type": "area"' not in spec
    one = json.dumps(charts.coverage_chart(views.daily_progress(tiny_result, ()), tr, "en", band=band).to_dict())
    assert '"type": "area"' in one


def test_input_errors_read_in_vietnamese():
    """A scenario error's location and known problems read in Vietnamese; English stays as the CLI writes it."""
    from optimizer.ui.i18n import scenario_error_text
    error = ScenarioError("wards.csv", "'x' is not a number", row=3, column="walk_in")
    assert scenario_error_text(error, "vi") == "wards.csv: dòng 3, cột walk_in: 'x' không phải là số"
    assert scenario_error_text(error, "en") == str(error)
    other = ScenarioError("districts.csv", "something new", row=2)
    assert scenario_error_text(other, "vi") == "districts.csv: dòng 2: something new"
