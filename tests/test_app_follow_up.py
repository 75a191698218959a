"""The what-if controls for the follow-up of letter no-shows and the working groups' door-to-door calls.

The scenario is tiny with a working_groups column (tmp copy) and follow-up settings in its campaign.toml,
so the form's defaults come from that scenario, not from the code's defaults.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from optimizer.checker import check_plan, format_report
from optimizer.demand import calls_per_ward_day
from optimizer.exports.outputs import write_outputs
from optimizer.scenario import load_scenario
from optimizer.ui import whatif as wi

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
TINY = ROOT / "scenarios" / "tiny"
GROUPS = {"00001": 9, "00004": 4, "00006": 10, "00037": 8, "00040": 6}


def _with_groups(folder: Path) -> Path:
    """tiny with working groups and follow-up settings: called after 2 days, a third come (33.3 % on screen), 1 call a group a day."""
    shutil.copytree(TINY, folder)
    wards = pd.read_csv(folder / "wards.csv", dtype=str, keep_default_na=False)
    wards["working_groups"] = [str(GROUPS[c]) for c in wards["ward_code"]]
    wards.to_csv(folder / "wards.csv", index=False)
    toml = folder / "campaign.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace(
        "return_after_days = 2\n", "return_after_days = 2\nfollow_up_after_days = 2\n"
        "follow_up_show_up = 0.3333\ncalls_per_group_day = 1\n"), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return _with_groups(tmp_path_factory.mktemp("follow_up") / "calling")


@pytest.fixture(scope="module")
def calling(folder):
    return load_scenario(folder)


def _form_key(at: AppTest, name: str) -> str:
    generation = at.session_state.get("form_generation", 0)
    return f"wi_{name}" if generation == 0 else f"wi_{name}__{generation}"


def settle(at: AppTest, timeout: float = 120) -> AppTest:
    """Wait for the running job (if any) and rerun until the page has no job."""
    for _ in range(10):
        job = at.session_state.get("job")
        if job is None:
            return at
        assert job.wait(timeout), "the plan did not finish"
        at.run()
    raise AssertionError("the page kept starting jobs")


@pytest.fixture
def app(folder, monkeypatch):
    """The page on tiny with working groups, after its base plan has arrived."""
    monkeypatch.setenv("PLANNER_SCENARIO", str(folder))
    monkeypatch.setenv("PLANNER_BAND_RUNS", "8")
    monkeypatch.setenv("PLANNER_POLL_SECONDS", "0")
    st.cache_resource.clear()
    st.cache_data.clear()
    return settle(AppTest.from_file(APP, default_timeout=60).run())


def texts(at: AppTest) -> str:
    return "\n".join(str(e.value) for kind in ("markdown", "caption", "info", "warning", "error", "success")
                     for e in getattr(at, kind))


def _submit(at: AppTest, name: str, **edits) -> AppTest:
    next(t for t in at.text_input if t.label == "Tên phương án").set_value(name)
    for key, value in edits.items():
        at.session_state[_form_key(at, key)] = value
    return settle(at.button(key="wi_submit").click().run())


def test_follow_up_form_starts_from_the_scenario_on_screen(app):
    """The follow-up fields show the scenario's own days, show-up and calls per group, and the groups it holds."""
    assert not app.exception
    values = {n.key: n.value for n in app.number_input}
    assert values[_form_key(app, "follow_up_days")] == 2
    assert values[_form_key(app, "follow_up_show_up")] == 33.3
    assert values[_form_key(app, "calls_per_group")] == 1.0
    assert values[_form_key(app, "groups_all")] == 1.0


def _verified(record, folder: Path) -> None:
    """The run's plan passes the independent checker on the run's own scenario."""
    report = check_plan(record.scenario, write_outputs(record.result, folder))
    assert report.ok, format_report(report)


def test_raising_calls_per_group_replans_with_the_calls(app, calling, tmp_path):
    """A what-if raising calls per group a day re-plans a scenario with those calls, and its outcome has calls."""
    at = _submit(app, "Vận động nhiều", calls_per_group=6.0, follow_up_days=3)
    assert not at.exception
    record = at.session_state["runs"]["Vận động nhiều"]
    assert record.whatif.changes() == ["follow_up_after_days", "calls_per_group_day"]
    demand = record.scenario.settings.demand
    assert (demand.calls_per_group_day, demand.follow_up_after_days, demand.follow_up_show_up) == (6.0, 3, 0.3333)
    assert list(calls_per_ward_day(record.scenario)) == [6 * GROUPS[w] for w in calling.wards.index]
    calls = record.result.outcome.calls
    assert calls.sum() > 0
    assert (calls.sum(axis=2) <= calls_per_ward_day(record.scenario)[:, None]).all()
    base = at.session_state["runs"][next(iter(at.session_state["runs"]))]
    assert calls.sum() > base.result.outcome.calls.sum()
    _verified(record, tmp_path / "out")
    assert "thay đổi: số ngày trước khi mời lại, lượt vận động mỗi tổ một ngày" in texts(at)


def test_working_groups_of_a_district_reach_the_replan(app, calling, tmp_path):
    """Groups per ward typed for one district and a multiplier for the rest land in the re-planned wards."""
    at = _submit(app, "Thêm tổ", groups_all=2.0, districts={
        "edited_rows": {1: {"working_groups": 12}}, "added_rows": [], "deleted_rows": []})
    assert not at.exception
    record = at.session_state["runs"]["Thêm tổ"]
    assert record.whatif.working_groups == 2.0
    assert record.whatif.working_groups_by_district == (("002", 12),)
    assert record.scenario.wards["working_groups"].to_dict() == {
        "00001": 18, "00004": 8, "00006": 20, "00037": 12, "00040": 12}
    assert record.result.outcome.calls.sum() > 0
    _verified(record, tmp_path / "out")


def test_untouched_form_changes_nothing(app, calling):
    """Submitting the form as it opens plans the scenario on screen unchanged and says there are no changes."""
    at = _submit(app, "Không đổi")
    record = at.session_state["runs"]["Không đổi"]
    assert record.whatif == wi.WhatIf()
    assert record.scenario.input_hash == calling.input_hash
    assert record.whatif.changes() == []
    assert "Đang lập phương án Không đổi; thay đổi: không." in texts(at)
    assert record.scenario.settings.demand.calls_per_group_day == 1.0
    assert record.scenario.wards["working_groups"].to_dict() == GROUPS


def test_applying_follow_up_whatif_changes_settings_and_groups(calling):
    """The WhatIf's follow-up settings reach the demand settings, groups change by district and multiplier, bad values are refused."""
    whatif = wi.WhatIf(follow_up_after_days=4, follow_up_show_up=0.3, calls_per_group_day=2.5,
                       working_groups=0.5, working_groups_by_district=(("001", 3),))
    changed = wi.apply_whatif(calling, whatif)
    demand = changed.settings.demand
    assert (demand.follow_up_after_days, demand.follow_up_show_up, demand.calls_per_group_day) == (4, 0.3, 2.5)
    assert changed.wards["working_groups"].to_dict() == {"00001": 3, "00004": 3, "00006": 3, "00037": 4, "00040": 3}
    assert list(calls_per_ward_day(changed)) == [7, 7, 7, 10, 7]
    assert calling.wards["working_groups"].to_dict() == GROUPS          # the scenario itself is untouched
    assert wi.apply_whatif(calling, wi.WhatIf(follow_up_after_days=2, calls_per_group_day=1.0,
                                              working_groups=1.0)) is calling
    table = wi.district_table(calling)
    assert list(table["groups_now"]) == [23, 14] and table["working_groups"].isna().all()
    edited = wi.apply_table_edits(table, {"edited_rows": {0: {"working_groups": 5}, 1: {"working_groups": 7}}})
    parts = wi.whatif_from_table(calling, edited)
    assert parts["working_groups_by_district"] == (("001", 5), ("002", 7))
    sevens = wi.change_working_groups(calling, per_ward_by_district={"002": 7})
    assert wi.whatif_from_table(sevens, edited)["working_groups_by_district"] == (("001", 5),)   # 002 has 7 already
    for bad in (wi.WhatIf(follow_up_after_days=0), wi.WhatIf(follow_up_show_up=1.5),
                wi.WhatIf(calls_per_group_day=-1.0), wi.WhatIf(working_groups=-1.0),
                wi.WhatIf(working_groups_by_district=(("999", 2),))):
        with pytest.raises(wi.WhatIfError):
            wi.apply_whatif(calling, bad)
