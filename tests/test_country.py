"""The country run: every province planned through local processes or Ray, national outputs,
failures isolated, atomic output, exit codes. Sample provinces are copies of scenarios/tiny."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest

from optimizer.checker import check_plan
from optimizer.cli import main
from optimizer.country import province as province_module
from optimizer.country.folders import province_folders
from optimizer.country.run import CountryOptions, plan_country
from optimizer.country.sample import make_sample_country
from optimizer.scenario import load_scenario

CODES = ["01", "02"]
PLAN_FILES = ["plan.csv", "projection.csv", "districts.csv", "bottlenecks.csv", "shortfalls.csv", "deployment.csv"]


@pytest.fixture(scope="module")
def country(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("country") / "country"
    make_sample_country(folder, CODES)
    return folder


@pytest.fixture(scope="module")
def local_out(country, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("local") / "out"
    report = plan_country(country, out, CountryOptions(executor="local", workers=2, with_roster=False, seed=3))
    assert len(report.failed) == 0
    return out


@pytest.fixture(scope="module")
def local_ray():
    ray = pytest.importorskip("ray")
    started = not ray.is_initialized()
    if started:
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield ray
    if started:
        ray.shutdown()


def _broken_province(country: Path, target: Path) -> Path:
    """A copy of the sample country plus province 04 whose wards.csv has a bad row."""
    shutil.copytree(country, target)
    bad = make_sample_country(target.parent / "extra", ["04"])[0]
    wards = pd.read_csv(bad / "wards.csv", dtype=str)
    wards.loc[1, "eligible"] = "lots"
    wards.to_csv(bad / "wards.csv", index=False)
    shutil.move(str(bad), target / bad.name)
    return target


def test_local_run_writes_each_province_like_plan_and_the_national_files(country, local_out):
    """Each province gets the plan command's files (re-verified by the checker); provinces.csv,
    projection.csv and summary.json add up the provinces."""
    provinces = pd.read_csv(local_out / "provinces.csv", dtype={"province_code": str})
    assert list(provinces["province_code"]) == CODES
    assert provinces["check"].isna().all()           # not asked for
    for folder in province_folders(country):
        out = local_out / folder.name
        for name in PLAN_FILES + ["summary.json"]:
            assert (out / name).is_file(), name
        report = check_plan(load_scenario(folder.path), out)
        assert report.ok, report
        summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
        row = provinces[provinces["province_code"] == folder.code].iloc[0]
        assert row["enrolled"] == summary["enrolled"] and row["target"] == summary["target"]
    summary = json.loads((local_out / "summary.json").read_text(encoding="utf-8"))
    assert summary["kind"] == "plan-country" and summary["executor"]["kind"] == "local"
    assert summary["totals"]["enrolled"] == provinces["enrolled"].sum()
    assert summary["totals"]["target"] == provinces["target"].sum()
    assert summary["status"] == {code: provinces.set_index("province_code").loc[code, "status"] for code in CODES}
    projection = pd.read_csv(local_out / "projection.csv")
    assert projection["enrolled_cum"].iloc[-1] == summary["totals"]["enrolled"]
    assert projection["enrolled_cum"].is_monotonic_increasing
    assert not list(local_out.parent.glob(".out.tmp-*"))


def test_ray_and_local_executors_give_identical_plans(country, local_out, local_ray, tmp_path):
    """The same inputs and seed give byte-identical plan files on Ray and on local processes."""
    out = tmp_path / "ray"
    report = plan_country(country, out, CountryOptions(executor="ray", workers=2, with_roster=False, seed=3))
    assert len(report.failed) == 0
    assert report.summary["executor"]["kind"] == "ray" and report.summary["districts_as_ray_tasks"] == []
    for folder in province_folders(country):
        for name in PLAN_FILES:
            assert (out / folder.name / name).read_bytes() == (local_out / folder.name / name).read_bytes(), name
    assert (out / "projection.csv").read_bytes() == (local_out / "projection.csv").read_bytes()


def test_cli_on_ray_exits_zero_and_leaves_the_running_ray_up(country, local_ray, tmp_path):
    """`plan-country --executor ray` joins the Ray already running, plans, exits 0 and does not stop it."""
    out = tmp_path / "out"
    assert main(["plan-country", str(country), "--out", str(out), "--no-roster", "--executor", "ray",
                 "--workers", "2", "--provinces", "02"]) == 0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["executor"]["kind"] == "ray" and summary["status"]["02"] in ("optimal", "feasible")
    assert local_ray.is_initialized()


def test_cli_joins_a_running_ray_cluster_at_its_address(country, local_ray, tmp_path):
    """`--ray-address` joins an existing cluster (here the test's own local Ray) from another process."""
    import subprocess

    address = local_ray.get_runtime_context().gcs_address
    out = tmp_path / "out"
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, "-m", "optimizer", "plan-country", str(country), "--out", str(out),
                           "--no-roster", "--executor", "ray", "--ray-address", address, "--provinces", "01"],
                          check=False, cwd=root, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(root)})
    assert done.returncode == 0, done.stderr[-2000:]
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["executor"] == {"kind": "ray", "workers": 2, "address": address}
    assert local_ray.is_initialized()


def test_large_province_districts_run_as_nested_ray_tasks_with_the_same_plan(country, local_out, local_ray,
                                                                          tmp_path):
    """A province bigger than a worker's share has its districts run as Ray tasks; same plan."""
    out = tmp_path / "ray-nested"
    report = plan_country(country, out, CountryOptions(executor="ray", workers=2, with_roster=False, seed=3,
                                                       codes=["01"]))
    assert len(report.failed) == 0 and report.summary["districts_as_ray_tasks"] == ["01"]
    for name in PLAN_FILES:
        assert (out / "01-ha-noi" / name).read_bytes() == (local_out / "01-ha-noi" / name).read_bytes(), name


def _die_once(item):
    """Kill this worker process the first time an item is seen (a marker file remembers it)."""
    marker, value = item
    if not os.path.exists(marker):
        Path(marker).write_text("died", encoding="utf-8")
        os._exit(1)
    return value * 10


def test_ray_task_whose_worker_dies_is_retried(local_ray, tmp_path):
    """A task whose worker process dies is run again and its result still arrives, in order."""
    from ray import cloudpickle

    from optimizer.executor import RayExecutor

    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    executor = RayExecutor(2, max_retries=2)
    items = [(str(tmp_path / "first"), 1), (str(tmp_path / "second"), 2), (str(tmp_path / "third"), 3)]
    (tmp_path / "third").write_text("already seen", encoding="utf-8")
    assert executor.map(_die_once, items) == [10, 20, 30]
    assert (tmp_path / "first").exists() and (tmp_path / "second").exists()


def _plan_dying_once(item):
    """Plan a province, but kill the worker process the first time (a marker file remembers it)."""
    marker, task = item
    if not os.path.exists(marker):
        Path(marker).write_text("died", encoding="utf-8")
        os._exit(1)
    return province_module.plan_province(task)


def test_province_whose_worker_dies_is_replanned_to_the_same_plan(country, local_out, local_ray, tmp_path):
    """A province task whose Ray worker dies is run again and writes the same plan as the local run."""
    from ray import cloudpickle

    from optimizer.country.province import ProvinceTask
    from optimizer.executor import RayExecutor

    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    folder = province_folders(country, ["02"])[0]
    task = ProvinceTask(province=folder, out_dir=tmp_path / folder.name, with_roster=False, seed=3)
    [record] = RayExecutor(2, max_retries=2).map(_plan_dying_once, [(str(tmp_path / "died"), task)])
    assert (tmp_path / "died").exists() and record["status"] in ("optimal", "feasible")
    for name in PLAN_FILES:
        assert (tmp_path / folder.name / name).read_bytes() == (local_out / folder.name / name).read_bytes(), name


def test_bad_province_is_reported_while_the_others_are_planned(country, tmp_path, capsys):
    """A province with a bad row fails with one line naming file, row and column; the others are
    written; the CLI exits with 2 (bad input)."""
    broken = _broken_province(country, tmp_path / "country")
    out = tmp_path / "out"
    code = main(["plan-country", str(broken), "--out", str(out), "--no-roster", "--workers", "1"])
    assert code == 2
    provinces = pd.read_csv(out / "provinces.csv", dtype={"province_code": str}).set_index("province_code")
    assert provinces.loc["04", "status"] == "bad input"
    assert "04-cao-bang/wards.csv: row 3, column eligible" in provinces.loc["04", "error"]
    assert set(provinces.loc[CODES, "status"]) <= {"optimal", "feasible"}
    assert (out / "01-ha-noi" / "plan.csv").is_file() and not (out / "04-cao-bang").exists()
    err = capsys.readouterr().err
    assert "province 04 (04-cao-bang)" in err and "\n" not in provinces.loc["04", "error"]


def test_province_that_crashes_gives_exit_code_one(country, tmp_path, monkeypatch, capsys):
    """A province whose planning raises is reported as failed; the others finish; exit code 1."""
    real = province_module.plan_scenario

    def crash_in_02(scenario, task, executor=None):
        if task.province.code == "02":
            raise RuntimeError("solver crashed")
        return real(scenario, task, executor)

    monkeypatch.setattr(province_module, "plan_scenario", crash_in_02)
    out = tmp_path / "out"
    code = main(["plan-country", str(country), "--out", str(out), "--no-roster", "--workers", "1"])
    assert code == 1
    provinces = pd.read_csv(out / "provinces.csv", dtype={"province_code": str}).set_index("province_code")
    assert provinces.loc["02", "status"] == "failed" and "solver crashed" in provinces.loc["02", "error"]
    assert provinces.loc["01", "status"] in ("optimal", "feasible")
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["provinces_failed"] == 1 and summary["totals"]["target"] == provinces.loc["01", "target"]
    err = capsys.readouterr().err
    assert "solver crashed" in err
    assert re.search(r"provinces 1/2 done; 0[12]-[a-z-]+: \w+.*; about \d+ s left", err)
    assert "provinces 2/2 done" in err


def test_interrupted_run_leaves_the_previous_output_intact(country, local_out, tmp_path, monkeypatch):
    """A run that fails while writing leaves the previous output exactly as it was, and no staging."""
    out = tmp_path / "out"
    shutil.copytree(local_out, out)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    from optimizer.country import run as run_module

    def fail(*args, **kwargs):
        raise OSError(28, "No space left on device", "provinces.csv")

    monkeypatch.setattr(run_module, "write_country_files", fail)
    with pytest.raises(OSError):
        plan_country(country, out, CountryOptions(workers=1, with_roster=False, codes=["02"]))
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_output_folder_the_program_did_not_write_is_refused(country, tmp_path):
    """--out holding other files is left untouched and the CLI exits with 2."""
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    assert main(["plan-country", str(country), "--out", str(out), "--no-roster"]) == 2
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


def test_check_option_re_verifies_every_province_plan_and_roster(country, tmp_path):
    """--check runs the independent checker on each province's plan and roster; all pass; exit 0."""
    out = tmp_path / "out"
    assert main(["plan-country", str(country), "--out", str(out), "--provinces", "01", "--workers", "1",
                 "--time-limit", "5", "--check"]) == 0
    provinces = pd.read_csv(out / "provinces.csv", dtype={"province_code": str})
    assert list(provinces["check"]) == ["pass"]
    assert (out / "01-ha-noi" / "roster.csv").is_file()


def test_checker_verdict_names_the_rules_a_tampered_plan_breaks(country, local_out, tmp_path):
    """A province plan edited after writing (more kits than the ward holds) fails the checker."""
    folder = province_folders(country, ["01"])[0]
    copy = tmp_path / folder.name
    shutil.copytree(local_out / folder.name, copy)
    assert province_module.check_outputs(load_scenario(folder.path), copy) == "pass"
    plan = pd.read_csv(copy / "plan.csv", dtype={"ward_code": str, "district_code": str})
    plan.loc[0, "kits_open"] = 50
    plan.to_csv(copy / "plan.csv", index=False)
    verdict = province_module.check_outputs(load_scenario(folder.path), copy)
    assert verdict.startswith("fail: ") and "violation" in verdict


def test_bad_country_folder_and_codes_exit_with_two(country, tmp_path, capsys):
    """A missing country folder, unknown province codes and --ray-address without Ray exit 2."""
    assert main(["plan-country", str(tmp_path / "nowhere"), "--out", str(tmp_path / "o")]) == 2
    assert main(["plan-country", str(country), "--out", str(tmp_path / "o"), "--provinces", "01,99"]) == 2
    assert main(["plan-country", str(country), "--out", str(tmp_path / "o"), "--ray-address", "x:1"]) == 2
    err = capsys.readouterr().err
    assert "no province folder for code(s) 99" in err and "needs --executor ray" in err
    assert not (tmp_path / "o").exists()


def test_province_folders_are_found_by_campaign_file_and_codes_must_be_unique(country, tmp_path):
    """Only sub-folders with campaign.toml are provinces, sorted by code; two folders with one code are bad input."""
    from optimizer.errors import ScenarioError

    copy = tmp_path / "country"
    shutil.copytree(country, copy)
    (copy / "notes").mkdir()
    (copy / "README.md").write_text("not a province", encoding="utf-8")
    assert [p.code for p in province_folders(copy)] == CODES
    assert [p.name for p in province_folders(copy, ["02"])] == ["02-ha-giang"]
    shutil.copytree(copy / "01-ha-noi", copy / "01-ha-noi-copy")
    with pytest.raises(ScenarioError, match="province code 01 is used by two folders"):
        province_folders(copy)
