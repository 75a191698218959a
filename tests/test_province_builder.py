"""The province scenario builder: every 2021 commune gets people, sums are exact, 2019 census people
are conserved per district, island districts are planned and Hoàng Sa left out, builds are
byte-identical, Hà Nội's rebuild matches the shipped scenario, and bad input exits 2 with one line."""

from __future__ import annotations

import subprocess
import sys
import unicodedata
from fractions import Fraction
from pathlib import Path

import pytest

from optimizer.province import (
    Assumptions,
    AssumptionsError,
    ProvinceNotFound,
    build_province,
    find_province,
    load_assumptions,
    national,
)
from optimizer.province.matching import name_key
from optimizer.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
HANOI = ROOT / "scenarios" / "hanoi-2022"
SCENARIO_TABLES = ("campaign.toml", "districts.csv", "wards.csv", "officers.csv", "requests.csv")


def run_cli(*args, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "optimizer", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout, check=False)


@pytest.fixture(scope="module")
def all_built():
    """Every province built once in memory (about 4 s)."""
    provinces, _ = national()
    return {code: build_province(code) for code in sorted(provinces)}


def test_name_key_ignores_tone_mark_placement_case_and_prefix():
    """'Khánh Hoà' and 'Tỉnh Khánh Hòa', 'Thuỵ' and 'Thụy', 'Phường 01' and 'phường 1' match."""
    assert name_key("Khánh Hoà", level="province") == name_key("Tỉnh Khánh Hòa", level="province")
    assert name_key("Xã Thuỵ Phú", level="commune") == name_key("xã  Thụy Phú", level="commune")
    assert name_key("Phường 01", level="commune") == name_key("phường 1", level="commune")
    assert name_key("Xã Tàm Xá", level="commune") != name_key("Xã Tầm Xá", level="commune")


def test_province_found_by_code_name_accents_or_common_short_form():
    """'48', 'Đà Nẵng', 'da nang', 'Thành phố Đà Nẵng', 'Tỉnh Khánh Hoà', 'HCMC' and 'TP.HCM' all resolve."""
    for text, code in (("48", "48"), ("1", "01"), ("Đà Nẵng", "48"), ("da nang", "48"), ("Thành phố Đà Nẵng", "48"),
                       ("Tỉnh Khánh Hoà", "56"), ("Khánh Hòa", "56"), ("HCMC", "79"), ("TP.HCM", "79")):
        assert find_province(text).code == code, text
    with pytest.raises(ProvinceNotFound):
        find_province("97")


def test_every_province_plans_every_commune_with_exact_sums(all_built):
    """All 63: every 2021 commune is a unit with people, the province adds up to its 2022 population,
    the census is conserved per district group, and officer ids carry the province code."""
    provinces, census = national()
    assert len(all_built) == 63
    for code, built in all_built.items():
        province = provinces[code]
        codes = [w["ward_code"] for w in built.wards]
        assert {c.code for c in province.communes} <= set(codes), code
        assert len(codes) == len(set(codes))
        assert sum(w["population"] for w in built.wards) == province.population_2022, code
        assert all(w["population"] > 0 and w["_target"] > 0 for w in built.wards), code
        matching = built.matching
        assert sum(matching.people_2019.values(), Fraction(0)) == sum(u.people for u in census[code].communes)
        for group in matching.groups:
            held = sum((matching.people_2019[u.code] for u in matching.units
                        if u.district_code in group.district_codes), Fraction(0))
            assert held == group.census_people, (code, group.district_codes)
        for name, rows, table in matching.district_checks:
            assert table is None or rows == table, (code, name)
        assert all(o["officer_id"].startswith(f"{code}-") for o in built.officers), code
        assert all(w["ward_name"] == unicodedata.normalize("NFC", w["ward_name"].strip()) for w in built.wards)
        planned = {w["district_code"] for w in built.wards}
        assert {d["district_code"] for d in built.districts} - {"city"} == planned


def test_island_districts_are_one_unit_with_census_people(all_built):
    """Bạch Long Vĩ, Cồn Cỏ, Lý Sơn (its three 2019 communes) and Côn Đảo are planned as one unit each."""
    expected = {("31", "318"): 624, ("45", "471"): 346, ("51", "536"): 10792 + 7471 + 287, ("77", "755"): 8827}
    for (province, district), people in expected.items():
        built = all_built[province]
        assert built.matching.people_2019[f"D{district}"] == people
        rows = [w for w in built.wards if w["district_code"] == district]
        assert len(rows) == 1 and rows[0]["ward_code"] == f"D{district}" and rows[0]["population"] > people


def test_hoang_sa_is_left_out_with_a_note(all_built):
    """Huyện Hoàng Sa (no communes, no census people) is not planned and the README says why."""
    built = all_built["48"]
    assert "498" not in {d["district_code"] for d in built.districts}
    assert [d.name for d, _ in built.matching.left_out] == ["Huyện Hoàng Sa"]
    assert "Huyện Hoàng Sa" in built.files["README.md"] and "left out" in built.files["README.md"]


def test_thu_duc_matches_across_its_three_2019_districts(all_built):
    """Thành phố Thủ Đức shares the people of Quận 2, Quận 9 and Quận Thủ Đức; Quận 3 loses nobody."""
    matching = all_built["79"].matching
    group = next(g for g in matching.groups if "769" in g.district_codes)
    assert set(group.census_districts) == {"Quận 2", "Quận 9", "Quận Thủ Đức"}
    quan3 = next(g for g in matching.groups if g.census_districts == ["Quận 3"])
    held = sum((matching.people_2019[u.code] for u in matching.units if u.district_code in quan3.district_codes),
               Fraction(0))
    assert held == quan3.census_people


def test_readme_lists_every_unit_not_matched_one_to_one(all_built):
    """Each resolution appears in the README table with its unit code."""
    for code in ("79", "17", "08"):
        built = all_built[code]
        assert built.matching.resolutions
        for resolution in built.matching.resolutions:
            assert f"| {resolution.code} | {resolution.name} |" in built.files["README.md"]


def test_small_province_builds_byte_identical_and_loads(tmp_path):
    """Two CLI builds of Bạc Liêu give identical bytes, and the loader accepts the folder."""
    first, second = tmp_path / "a", tmp_path / "b"
    for out in (first, second):
        done = run_cli("build-scenario", "--province", "Bạc Liêu", "--out", out)
        assert done.returncode == 0, done.stderr
    for name in (*SCENARIO_TABLES, "README.md"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    scenario = load_scenario(first)
    assert len(scenario.wards) == 64 and scenario.settings.campaign.province == "Tỉnh Bạc Liêu"


def test_build_all_writes_one_folder_per_province(tmp_path):
    """`--all` writes 63 folders named <code>-<slug>."""
    done = run_cli("build-scenario", "--all", "--out", tmp_path)
    assert done.returncode == 0, done.stderr
    folders = sorted(p.name for p in tmp_path.iterdir())
    assert len(folders) == 63 and "48-da-nang" in folders and "79-ho-chi-minh" in folders
    for folder in ("31-hai-phong", "45-quang-tri", "48-da-nang", "51-quang-ngai", "77-ba-ria-vung-tau",
                   "79-ho-chi-minh"):
        load_scenario(tmp_path / folder)


def test_hanoi_rebuild_is_byte_identical_to_the_shipped_scenario(tmp_path):
    """scenarios/hanoi-2022/build.py (generic builder + overrides) reproduces the shipped files."""
    done = subprocess.run([sys.executable, str(HANOI / "build.py"), "--out", str(tmp_path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    for name in SCENARIO_TABLES:
        assert (tmp_path / name).read_bytes() == (HANOI / name).read_bytes(), name


def test_working_groups_are_one_a_unit_and_the_rest_by_target(all_built):
    """Every province's units share round(units x 5,247 / 579) working groups (Hà Nội's ratio),
    at least one each and never fewer for a larger target; 5 calls per group a day."""
    for code, built in all_built.items():
        groups = [w["working_groups"] for w in built.wards]
        n = len(groups)
        assert sum(groups) == int(Fraction(n * 5247, 579) + Fraction(1, 2)), code
        assert min(groups) >= 1, code
        by_target = sorted(zip((w["_target"] for w in built.wards), groups))
        assert all(a[1] <= b[1] for a, b in zip(by_target, by_target[1:]) if a[0] < b[0]), code
        assert "\ncalls_per_group_day = 5.0\n" in built.files["campaign.toml"], code


def test_working_groups_and_calls_follow_the_assumptions_file(tmp_path):
    """working_groups_per_ward and calls_per_group_day in an assumptions file reach the scenario."""
    path = tmp_path / "a.toml"
    path.write_text('working_groups_per_ward = "3"\ncalls_per_group_day = 2.5\n', encoding="utf-8")
    built = build_province("95", load_assumptions(path))
    assert sum(w["working_groups"] for w in built.wards) == 3 * len(built.wards)
    out = tmp_path / "scenario"
    from optimizer.province import write_scenario
    write_scenario(built, out)
    scenario = load_scenario(out)
    assert scenario.settings.demand.calls_per_group_day == 2.5
    assert int(scenario.wards["working_groups"].sum()) == 3 * len(built.wards)


def test_assumptions_toml_overrides_and_rejects_unknown_keys(tmp_path):
    """A TOML file changes the named assumptions; an unknown key is one line naming file and key."""
    good = tmp_path / "a.toml"
    good.write_text('aged_14_plus = "0.76"\nprovince_mobile_kits = 3\n[enrolled_share]\n\"xã\" = 0.70\n',
                    encoding="utf-8")
    loaded = load_assumptions(good)
    assert loaded.aged_14_plus == Fraction(76, 100) and loaded.province_mobile_kits == 3
    assert loaded.enrolled_share["xã"] == 0.70 and loaded.enrolled_share["phường"] == 0.780
    built = build_province("95", loaded)
    assert next(d for d in built.districts if d["district_code"] == "city")["mobile_kits"] == 3
    assert built.wards != build_province("95", Assumptions()).wards
    bad = tmp_path / "bad.toml"
    bad.write_text("kits_per_ward = 2\n", encoding="utf-8")
    with pytest.raises(AssumptionsError, match="bad.toml: key kits_per_ward"):
        load_assumptions(bad)
    done = run_cli("build-scenario", "--province", "95", "--out", tmp_path / "x", "--assumptions", bad)
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1
    impossible = tmp_path / "impossible.toml"
    impossible.write_text('aged_14_plus = "2"\n', encoding="utf-8")   # more eligible than residents
    done = run_cli("build-scenario", "--province", "95", "--out", tmp_path / "y", "--assumptions", impossible)
    assert done.returncode == 2 and "exceed" in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "y").exists()


def test_unknown_province_and_foreign_folder_exit_2(tmp_path):
    """An unknown province, or an --out folder holding someone else's files, exits 2 with one line."""
    done = run_cli("build-scenario", "--province", "Atlantis", "--out", tmp_path / "x")
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me", encoding="utf-8")
    done = run_cli("build-scenario", "--province", "48", "--out", tmp_path / "mine")
    assert done.returncode == 2 and "not written by build-scenario" in done.stderr
    assert (tmp_path / "mine" / "notes.txt").read_text(encoding="utf-8") == "keep me"


def test_loader_rejects_a_district_without_wards(tmp_path):
    """A district with no wards (as Huyện Hoàng Sa would be) is one line naming districts.csv, exit 2."""
    for path in (ROOT / "scenarios" / "tiny").iterdir():
        (tmp_path / path.name).write_bytes(path.read_bytes())
    with (tmp_path / "districts.csv").open("a", encoding="utf-8") as handle:
        handle.write("498,Huyện Hoàng Sa,,,0,0,0,0,0\n")
    done = run_cli("check", tmp_path, tmp_path / "out")
    assert done.returncode == 2
    assert done.stderr.strip() == ("error: districts.csv: row 5, column district_code: district '498' has no "
                                   "wards in wards.csv")


def test_plan_on_a_built_province_passes_check(tmp_path):
    """Đà Nẵng built from public data plans without rosters and the independent checker passes it."""
    scenario = tmp_path / "danang"
    assert run_cli("build-scenario", "--province", "48", "--out", scenario).returncode == 0
    out = tmp_path / "out"
    done = run_cli("plan", scenario, "--out", out, "--no-roster", "--time-limit", "20")
    assert done.returncode == 0, done.stderr
    done = run_cli("check", scenario, out)
    assert done.returncode == 0, done.stdout + done.stderr
