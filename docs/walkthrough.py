"""Screenshots for docs/walkthrough.md, taken with Playwright (Chromium) against the real app.

Run from the repository root: `.venv/bin/python docs/walkthrough.py` (Chromium at
/usr/bin/chromium). It starts `streamlit run app.py` on a free port, uploads scenarios/tiny as a
zip (the way a province uploads its own folder), plans, runs a what-if, makes the rosters and
saves one PNG per step under docs/img/ at 1280 px wide (reduced to 256 colours to stay small).
"""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile
from pathlib import Path

from PIL import Image
from playwright.sync_api import Page, expect, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "docs" / "img"
WIDTH = 1280
LONG = 240_000      # ms: the machine may be busy


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def scenario_zip(folder: Path) -> Path:
    """scenarios/tiny as a small province's zipped folder: the campaign named for a province and
    the province's own reserve of 2 mobile kits (the data is otherwise tiny's)."""
    path = folder / "tinh-mau.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for file in sorted((ROOT / "scenarios" / "tiny").iterdir()):
            text = file.read_text(encoding="utf-8")
            if file.name == "campaign.toml":
                text = text.replace('name = "Tiny demo: 5 wards, 7 days"', 'name = "Tỉnh mẫu: 5 phường/xã, 7 ngày"')
                text = text.replace('province = "Thành phố Hà Nội"', 'province = "Tỉnh mẫu"')
            if file.name == "districts.csv":
                text = text.replace("city,Dự trữ thành phố,,,1,", "city,Dự trữ của tỉnh,,,2,")
            archive.writestr(f"tinh-mau/{file.name}", text)
    return path


def settled(page: Page) -> None:
    """Wait until no job runs and the page's last run has ended (old elements are gone)."""
    expect(page.locator("[data-testid=stExpander]").filter(has_text="Đang lập")).to_have_count(0, timeout=LONG)
    expect(page.locator("[data-testid=stStatusWidget]")).to_have_count(0, timeout=LONG)


def save(page: Page, name: str, locator=None, height: int = 800) -> None:
    """A PNG of the viewport (or of one element), 256 colours, once the page has settled."""
    settled(page)
    page.wait_for_timeout(1500)
    shot = locator.screenshot() if locator is not None else page.screenshot()
    image = Image.open(io.BytesIO(shot)).convert("RGB")
    image = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    image.save(IMAGES / name, optimize=True)
    print(f"{name}: {image.size[0]}x{image.size[1]}, {(IMAGES / name).stat().st_size // 1024} KB")


def main() -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = {**os.environ, "PLANNER_SCENARIO": "scenarios/tiny", "PLANNER_BAND_RUNS": "20"}
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
             "--server.port", str(port), "--server.address", "127.0.0.1",
             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                        if answer.read().decode().strip() == "ok":
                            break
                except OSError:
                    time.sleep(0.3)
                if time.monotonic() > deadline:
                    raise RuntimeError("the app did not start")
            with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
                page = browser.new_page(viewport={"width": WIDTH, "height": 800})
                walk(page, url, scenario_zip(Path(folder)))
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=20)


def walk(page: Page, url: str, upload: Path) -> None:
    page.goto(url)
    headline = page.locator("[data-testid=stMetric]").filter(has_text="Thu nhận đến hạn chót")
    expect(headline.first).to_be_visible(timeout=LONG)
    # 1. upload the province's folder as a zip
    page.get_by_text("Tải lên", exact=True).click()
    page.locator("[data-testid=stFileUploaderDropzoneInput]").first.set_input_files(str(upload))
    expect(page.get_by_text("Kịch bản tải lên (tinh-mau.zip); thay đổi: không", exact=True).first).to_be_visible(
        timeout=LONG)
    expect(page.get_by_text("Vùng mờ: P10–P90").first).to_be_visible(timeout=LONG)
    save(page, "01-upload-and-first-plan.png")
    # 2. the coverage chart: projection, simulated median, band
    chart = page.locator("[data-testid=stVegaLiteChart]").first
    chart.scroll_into_view_if_needed()
    save(page, "02-coverage.png")
    # 3. what-if: the form, its start, one more kit at one ward
    page.get_by_text("Giả định: thay đổi nhu cầu").click()
    page.get_by_text("Phương án tiếp theo bắt đầu từ").scroll_into_view_if_needed()
    page.get_by_role("spinbutton", name="Tỷ lệ đến theo giấy mời (%)", exact=True).fill("60")
    page.get_by_label("Tên phương án").fill("Ít người đến theo giấy mời")
    page.get_by_text("Phương án tiếp theo bắt đầu từ").scroll_into_view_if_needed()
    save(page, "03-whatif-form.png")
    page.get_by_role("button", name="Lập lại kế hoạch").click()
    expect(page.get_by_text("thay đổi: tỷ lệ đến theo giấy mời").first).to_be_visible(timeout=LONG)
    page.get_by_text("Giả định: thay đổi nhu cầu").click()      # fold the form away again
    # 4. compare the two runs
    page.get_by_role("tab", name="So sánh").click()
    expect(page.get_by_text("Chênh lệch theo quận/huyện")).to_be_visible(timeout=LONG)
    page.get_by_role("tab", name="So sánh").scroll_into_view_if_needed()
    save(page, "04-compare.png")
    # 5. bottlenecks
    page.get_by_role("tab", name="Điểm nghẽn").click()
    expect(page.get_by_text("Vì sao một phường/xã chưa đạt")).to_be_visible(timeout=LONG)
    save(page, "05-bottlenecks.png")
    # 6. rosters on request
    page.get_by_role("tab", name="Lịch trực").click()
    page.get_by_role("button", name="Lập lịch trực").click()
    expect(page.locator("[data-testid=stDataFrame]").filter(has_text="Mã cán bộ").first).to_be_visible(timeout=LONG)
    page.get_by_role("tab", name="Lịch trực").click()
    save(page, "06-rosters.png")
    # 7. downloads
    page.get_by_role("tab", name="Tải về").click()
    save(page, "07-downloads.png")


if __name__ == "__main__":
    main()
