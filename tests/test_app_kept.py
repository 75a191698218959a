"""The page opens on the plan kept on disk for the scenario at hand, without computing, also
after a server restart; with no kept plan it shows demand and capacity while the plan is made.

Driven by AppTest on scenarios/tiny (5 wards, 2 districts, 7 days; 5 fixed kits, 1 + 1 mobile
kits, a city reserve of 1). "Restart" = every Streamlit cache emptied and a new AppTest: what
a new server process starts with.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from optimizer import kept_plans as kp
from optimizer.ui import whatif as wi
from optimizer.ui.formatting import number

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")


@pytest.fixture
def page_env(monkeypatch):
    monkeypatch.setenv("PLANNER_SCENARIO", "scenarios/tiny")
    monkeypatch.setenv("PLANNER_BAND_RUNS", "8")
    monkeypatch.setenv("PLANNER_POLL_SECONDS", "0")


def open_page() -> AppTest:
    """A page in a server that just started (no plan in memory)."""
    st.cache_resource.clear()
    st.cache_data.clear()
    return AppTest.from_file(APP, default_timeout=60).run()


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def captions(at: AppTest) -> str:
    return "\n".join(str(c.value) for c in at.caption)


def test_the_page_opens_on_the_kept_plan_without_computing(page_env, tiny_plan, kept_plans_folder):
    kp.keep(tiny_plan)
    at = open_page()
    assert not at.exception
    assert at.session_state["job"] is None            # nothing computed
    record = at.session_state["runs"]["Kế hoạch gốc · tiny"]
    assert record.kept
    assert metric(at, "Thu nhận đến hạn chót") == number(tiny_plan.enrolled, "vi")
    assert "Kế hoạch đã lưu, lập lúc" in captions(at)


def test_a_plan_kept_for_other_inputs_is_not_shown(page_env, tiny_scenario, tiny_plan, kept_plans_folder):
    other = wi.scale_demand(tiny_scenario, {"002": 1.5})
    import dataclasses
    kp.keep(dataclasses.replace(tiny_plan, scenario=other))    # filed under the other inputs
    at = open_page()
    assert not at.exception
    assert at.session_state["job"] is not None        # the page computes its own plan
    job = at.session_state["job"]
    assert job.wait(60)
    assert not job.result.stopped_early


def test_before_a_plan_exists_demand_and_capacity_show_then_the_plan_is_kept(page_env, tiny_plan,
                                                                           kept_plans_folder, monkeypatch):
    at = open_page()
    assert not at.exception
    job = at.session_state["job"]
    assert job is not None and not at.session_state["runs"]
    # demand and capacity at once
    assert metric(at, "Cần thu nhận") == number(tiny_plan.target, "vi")
    assert metric(at, "Máy cố định") == "5"
    assert metric(at, "Máy dự phòng của thành phố") == "1"
    table = next(d.value for d in at.dataframe if "Người cần thu nhận mỗi máy" in d.value.columns)
    assert list(table["Máy lưu động"]) == ["1", "1"]
    assert len(at.get("vega_lite_chart")) >= 1          # the walk-ins expected each day
    assert job.wait(60)
    at.run()
    record = next(iter(at.session_state["runs"].values()))
    assert not record.kept and "Lập lúc" in captions(at)
    assert sorted(p.name.split("-")[0] for p in kp.kept_files(kept_plans_folder)) == ["band", "plan"]
    # a new server opens on it at once, with its coverage band read back (not simulated again)
    def no_simulations(*args, **kwargs):
        raise AssertionError("the band was simulated again")
    monkeypatch.setattr("optimizer.ui.sections.cache.coverage_band", no_simulations)
    again = open_page()
    assert not again.exception
    assert again.session_state["job"] is None
    kept = next(iter(again.session_state["runs"].values()))
    assert kept.kept and kept.result.enrolled == record.result.enrolled
    assert "Vùng mờ: P10–P90 của 8 lần mô phỏng" in captions(again)


def test_the_page_opens_in_english_with_the_computed_time(page_env, tiny_plan, kept_plans_folder):
    kept = kp.keep(tiny_plan)
    assert kept is not None
    at = open_page()
    at.toggle(key="lang_en").set_value(True).run()
    assert "Kept plan, computed at" in captions(at)


def test_the_server_launcher_reads_the_kept_plan_before_the_first_page(page_env, tiny_plan, kept_plans_folder):
    """`python -m optimizer.ui.serve` imports the page, loads the default scenario and reads its kept
    plan into the shared caches: the first page finds it there without reading the disk."""
    from optimizer.ui import serve
    from optimizer.ui.replan import run_key
    from optimizer.ui.sections.cache import result_store
    kp.keep(tiny_plan)
    st.cache_resource.clear()
    st.cache_data.clear()
    seconds = serve.warm()
    assert set(seconds) == {"import", "scenario", "kept_plan"}
    kept = result_store().get(run_key(tiny_plan.scenario))
    assert kept is not None and kept[0].enrolled == tiny_plan.enrolled
    for path in kp.kept_files(kept_plans_folder):
        path.unlink()       # the page must not need the disk any more
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert at.session_state["job"] is None
    assert next(iter(at.session_state["runs"].values())).kept


def test_a_corrupt_kept_file_is_skipped_and_the_page_plans(page_env, tiny_scenario, kept_plans_folder):
    (kept_plans_folder / kp.MARKER).write_text("{}")
    kp.entry_path(kept_plans_folder, kp.plan_key(tiny_scenario)).write_bytes(b"PK\x03\x04 cut short")
    at = open_page()
    assert not at.exception
    job = at.session_state["job"]
    assert job is not None and job.wait(60)
    at.run()
    assert not at.exception and next(iter(at.session_state["runs"].values())).result.enrolled > 0
    assert kp.find(tiny_scenario) is not None      # the new plan replaced the broken file
