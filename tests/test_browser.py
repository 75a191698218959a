"""The page in a real browser (Chromium through pytest-playwright) on scenarios/tiny.

A session fixture starts `streamlit run app.py` on a free port with PLANNER_SCENARIO set to the
tiny scenario and every plan solved on the worker pool (PLANNER_POOL_MIN_WARDS=0), waits for
/_stcore/health, and stops it at the end. The tests: the first tab after the server started
uploads a province, downloads and reloads (the pool's workers must hold none of the server's
sockets); a province without district coordinates; a what-if on an uploaded province; a
district's demand changed in the what-if table, re-planned and downloaded byte for byte.
Screenshots go under test-artifacts/.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"

if not CHROMIUM.exists():
    pytest.skip("/usr/bin/chromium is missing (apt-get install chromium; see scripts/setup.sh)",
                allow_module_level=True)

from playwright.sync_api import Page, expect  # noqa: E402

from optimizer.planner import SolveOptions, run_plan  # noqa: E402
from optimizer.scenario import load_scenario  # noqa: E402
from optimizer.ui import downloads  # noqa: E402
from optimizer.ui.formatting import number  # noqa: E402
from optimizer.ui.whatif import scale_demand  # noqa: E402


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM)}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def app_url():
    port = _free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    with open(ARTIFACTS / "streamlit-server.log", "w") as log:
        env = {**os.environ, "PLANNER_SCENARIO": "scenarios/tiny", "PLANNER_BAND_RUNS": "10",
               "PLANNER_POOL_MIN_WARDS": "0"}
        server = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port",
             str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                        if answer.read().decode().strip() == "ok":
                            break
                except OSError:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the app did not start; see {ARTIFACTS / 'streamlit-server.log'}")
                time.sleep(0.2)
            yield url
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _screenshot(page: Page, name: str) -> Path:
    """The whole page: Streamlit scrolls inside stMain, so grow the viewport to its height first."""
    height = page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollHeight")
    page.set_viewport_size({"width": 1400, "height": min(int(height) + 40, 9000)})
    page.wait_for_timeout(800)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size({"width": 1400, "height": 1000})
    return path


def _headline(page: Page):
    return page.locator("[data-testid=stMetric]").filter(has_text="Thu nhận đến hạn chót") \
        .locator("[data-testid=stMetricValue]")


def province_zip(tmp_path: Path, *, coordinates: bool, province: str, reserve: int) -> Path:
    """scenarios/tiny zipped as a province's upload: its province's name, its own reserve, and
    (optionally) no district coordinates."""
    source = ROOT / "scenarios" / "tiny"
    path = tmp_path / ("province.zip" if coordinates else "province-no-coordinates.zip")
    with zipfile.ZipFile(path, "w") as archive:
        for file in sorted(source.iterdir()):
            text = file.read_text(encoding="utf-8")
            if file.name == "campaign.toml":
                text = text.replace('province = "Thành phố Hà Nội"', f'province = "{province}"')
            if file.name == "districts.csv":
                rows = [line.split(",") for line in text.splitlines()]
                for row in rows[1:]:
                    if not coordinates:
                        row[2] = row[3] = ""
                    if row[0] == "city":
                        row[4] = str(reserve)
                text = "\n".join(",".join(row) for row in rows) + "\n"
            archive.writestr(f"province/{file.name}", text)
    return path


def _upload(page: Page, path: Path) -> None:
    page.get_by_text("Tải lên", exact=True).click()
    page.locator("[data-testid=stFileUploaderDropzoneInput]").first.set_input_files(str(path))


def test_cold_first_tab_uploads_downloads_and_reloads(page: Page, app_url: str, tmp_path: Path):
    """The first tab after the server started (plans on the worker pool) uploads, downloads and reloads."""
    path = province_zip(tmp_path, coordinates=True, province="Tỉnh Thử nghiệm", reserve=1)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(app_url)
    expect(_headline(page).first).to_be_visible(timeout=180_000)
    # planners see the page only: no developer toolbar (.streamlit/config.toml toolbarMode = "viewer")
    expect(page.get_by_role("button", name="Deploy")).to_have_count(0)
    expect(page.locator("[data-testid=stAppDeployButton]")).to_have_count(0)
    _upload(page, path)
    expect(page.get_by_text("Đã đọc kịch bản").first).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Kịch bản tải lên (province.zip); thay đổi: không", exact=True).first).to_be_visible(
        timeout=180_000)   # the upload's base plan on screen, not only running
    page.get_by_role("tab", name="Tải về").click()
    for _ in range(2):
        with page.expect_download(timeout=60_000) as download:
            page.get_by_role("button", name="Tóm tắt (summary.json)").click()
        assert Path(download.value.path()).read_bytes().startswith(b"{")
    for _ in range(3):     # every reload answers (a worker holding the connections hung the sixth)
        page.reload(timeout=60_000)
        expect(_headline(page).first).to_be_visible(timeout=120_000)


def test_province_without_coordinates_and_a_whatif(page: Page, app_url: str, tmp_path: Path):
    """A province without coordinates: a warning, a map drawn from the district boundaries, no script error; a
    demand what-if keeps the province's own reserve and says it changed demand only."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    path = province_zip(tmp_path, coordinates=False, province="Tỉnh Thử nghiệm", reserve=3)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(app_url)
    expect(_headline(page).first).to_be_visible(timeout=180_000)
    # planners see the page only: no developer toolbar (.streamlit/config.toml toolbarMode = "viewer")
    expect(page.get_by_role("button", name="Deploy")).to_have_count(0)
    expect(page.locator("[data-testid=stAppDeployButton]")).to_have_count(0)
    _upload(page, path)
    expect(page.get_by_text("2/2 quận/huyện không có toạ độ").first).to_be_visible(timeout=60_000)
    # the upload's own base plan is on screen (not only running: a what-if would then be refused as busy)
    base_caption = "Kịch bản tải lên (province-no-coordinates.zip); thay đổi: không"
    expect(page.get_by_text(base_caption, exact=True).first).to_be_visible(timeout=180_000)
    expect(page.locator("[data-testid=stVegaLiteChart] svg.marks").first).to_be_visible(timeout=60_000)
    assert not [e for e in errors if "NaN" in e or "domain" in e], errors

    page.get_by_text("Giả định: thay đổi nhu cầu").click()
    reserve = page.get_by_role("spinbutton", name="Máy lưu động dự trữ của tỉnh", exact=True)
    expect(reserve).to_have_value("3")
    page.get_by_role("spinbutton", name="Tỷ lệ đến theo giấy mời (%)", exact=True).fill("50")
    page.get_by_label("Tên phương án").fill("Ít người đến")
    page.get_by_role("button", name="Lập lại kế hoạch").click()
    caption = "Kịch bản tải lên (province-no-coordinates.zip); thay đổi: tỷ lệ đến theo giấy mời"
    expect(page.get_by_text(caption, exact=True).first).to_be_visible(timeout=180_000)
    expect(page.get_by_text("Toàn tỉnh").first).to_be_visible(timeout=60_000)
    assert not errors, errors


def test_replan_a_district_and_download_the_plan(page: Page, app_url: str):
    """Change Hoàn Kiếm's demand to ×1.5, re-plan, see the new headline and chart, download the plan."""
    tiny = load_scenario(ROOT / "scenarios" / "tiny")
    base = run_plan(tiny, SolveOptions(workers=1))
    changed = run_plan(scale_demand(tiny, {"002": 1.5}), SolveOptions(workers=1))
    assert changed.enrolled != base.enrolled

    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(app_url)
    expect(_headline(page).first).to_have_text(number(base.enrolled, "vi"), timeout=180_000)
    expect(page.locator("[data-testid=stVegaLiteChart] svg.marks").first).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Vùng mờ: P10–P90 của 10 lần mô phỏng")).to_be_visible(timeout=60_000)
    _screenshot(page, "app-first-look.png")

    # the what-if form: district table, row 2 (Quận Hoàn Kiếm), column 4 (demand multiplier)
    page.get_by_text("Giả định: thay đổi nhu cầu").click()
    editor = page.locator("[data-testid=stForm] [data-testid=stDataFrame]").first
    expect(editor).to_be_visible()
    box = editor.bounding_box()
    page.mouse.click(box["x"] + 30, box["y"] + 35 + 35 + 17)     # row 2 (header and rows are 35 px)
    expect(editor.locator("#glide-cell-0-1")).to_have_attribute("aria-selected", "true")
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    expect(editor.locator("#glide-cell-3-1")).to_have_attribute("aria-selected", "true")
    page.keyboard.press("1")                                       # a key opens the cell editor
    cell = page.locator("input.gdg-input")
    expect(cell).to_be_focused()
    cell.press("Control+A")
    page.keyboard.type("1.5", delay=40)
    expect(cell).to_have_value("1.5")
    cell.press("Enter")
    expect(editor.locator("#glide-cell-3-1")).to_have_text("1.5")   # the grid's accessible copy
    expect(editor.locator("#glide-cell-3-0")).to_have_text("1")
    page.get_by_label("Tên phương án").fill("Hoàn Kiếm ×1,5")
    page.get_by_role("button", name="Lập lại kế hoạch").click()

    # the app re-plans through its district cache and must land on the CLI's number
    expect(_headline(page).first).to_have_text(number(changed.enrolled, "vi"), timeout=180_000)
    expect(page.get_by_text("thay đổi: nhu cầu").first).to_be_visible()
    expect(page.locator("[data-testid=stVegaLiteChart] svg.marks").first).to_be_visible()
    expect(page.get_by_text("Vùng mờ: P10–P90 của 10 lần mô phỏng")).to_be_visible(timeout=60_000)
    _screenshot(page, "app-after-replan.png")

    page.get_by_role("tab", name="Tải về").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Kế hoạch chi tiết (plan.csv)").click()
    data = Path(download.value.path()).read_bytes()
    assert download.value.suggested_filename == "plan-hoan-kiem-1-5.csv"
    assert data == downloads.plan_csv(changed)

    page.get_by_role("tab", name="So sánh").click()
    expect(page.get_by_text("Chênh lệch theo quận/huyện")).to_be_visible()
    _screenshot(page, "app-compare.png")
