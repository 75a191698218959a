"""How long a planner waits for the app after a server restart: from loading the page to the
kept plan on screen, and (with no kept plan) to the scenario's demand and capacity.

    PYTHONPATH=$PWD .venv/bin/python benchmarks/app_open.py --scenario scenarios/hanoi-2022 \\
        --kept /tmp/kept-plans --runs 5 --out benchmarks/results/app_open.md

Fill the kept-plans folder first with the command line (the plan the app opens on: the
scenario's seed and time limit, no rosters):

    PLANNER_PLAN_CACHE=/tmp/kept-plans PYTHONPATH=$PWD .venv/bin/python -m optimizer plan \\
        scenarios/hanoi-2022 --out /tmp/out --no-roster

Each run starts a new server (a restart: nothing in memory), by `python -m optimizer.ui.serve`
(imports the page and reads the kept plan before it listens) or plain `streamlit run app.py`
(--launcher), waits for
/_stcore/health, opens the page in headless Chromium (/usr/bin/chromium, through Playwright)
and times from `page.goto` to the plan's headline metric and the "kept plan, computed at"
caption being visible (the plan's coverage band was kept by one visit before, not timed).
A second series opens the page with an empty kept-plans folder and times
the demand and capacity preview. Every run also checks that the page shows no "Deploy" button.
Medians over the runs; the table goes to --out with the machine's load average.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
PLAN_SHOWN = "Thu nhận đến hạn chót"              # the headline metric of a plan
KEPT_CAPTION = "Kế hoạch đã lưu, lập lúc"
PREVIEW = "Năng lực hiện có (trước khi lập kế hoạch)"
VIEWPORT = {"width": 1400, "height": 1000}
BAND_SHOWN = "Vùng mờ: P10–P90 của"                # the coverage band's caption


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


LAUNCHERS = {"streamlit": [sys.executable, "-m", "streamlit", "run", "app.py"],
             "serve": [sys.executable, "-m", "optimizer.ui.serve"]}


def start_server(scenario: str, kept: Path, log_path: Path, launcher: str) -> tuple[subprocess.Popen, str, float]:
    """A new app server; returns it, its address and the seconds until it answered healthy."""
    port = free_port()
    env = {**os.environ, "PLANNER_SCENARIO": scenario, "PLANNER_PLAN_CACHE": str(kept),
           "PYTHONPATH": str(ROOT)}
    begin = time.perf_counter()
    with open(log_path, "a") as log:     # the server keeps its own copy of the handle
        server = subprocess.Popen(
            [*LAUNCHERS[launcher], "--server.headless", "true", "--server.port",
             str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.read().decode().strip() == "ok":
                    return server, url, time.perf_counter() - begin
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            raise RuntimeError(f"the app did not start; see {log_path}")
        time.sleep(0.1)


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def open_once(context, url: str, wait_for: list[str], timeout_seconds: float) -> tuple[float, bool]:
    """Seconds from `goto` until every text in `wait_for` is visible; whether a Deploy button showed."""
    from playwright.sync_api import expect
    page = context.new_page()
    try:
        begin = time.perf_counter()
        page.goto(url)
        for text in wait_for:
            expect(page.get_by_text(text, exact=False).first).to_be_visible(timeout=timeout_seconds * 1000)
        seconds = time.perf_counter() - begin
        deploy = (page.get_by_role("button", name="Deploy").count() > 0
                  or page.locator("[data-testid=stAppDeployButton]").count() > 0)
        return seconds, deploy
    finally:
        page.close()


def series(browser, scenario: str, kept: Path, runs: int, wait_for: list[str], log_path: Path,
           timeout_seconds: float, launcher: str, returning: bool, empty: bool = False) -> list[dict]:
    """`runs` server restarts, each opened once: in a new browser profile (nothing cached), or
    (`returning`) in one profile that visited the page before, as a planner's browser did (its
    cache holds the page's scripts, which a server restart does not change). With `empty`, every
    server gets a kept-plans folder of its own, empty: a server stopped while it plans in the
    background may finish and keep that plan, which the next server would then open on."""
    rows = []
    folder = (lambda n: kept / f"server-{n}") if empty else (lambda n: kept)   # noqa: E731
    shared = browser.new_context(viewport=VIEWPORT) if returning else None
    if shared is not None:          # the visit before (not timed)
        server, url, _ = start_server(scenario, folder("before"), log_path, launcher)
        try:
            open_once(shared, url, wait_for, timeout_seconds)
        finally:
            stop_server(server)
    for n in range(runs):
        server, url, healthy = start_server(scenario, folder(n), log_path, launcher)
        context = shared or browser.new_context(viewport=VIEWPORT)
        try:
            seconds, deploy = open_once(context, url, wait_for, timeout_seconds)
        finally:
            stop_server(server)
            if shared is None:
                context.close()
        rows.append({"run": n + 1, "healthy_seconds": healthy, "page_seconds": seconds, "deploy": deploy})
        print(f"  run {n + 1}: server healthy {healthy:.2f} s, page {seconds:.2f} s, deploy button: {deploy}",
              flush=True)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="scenarios/hanoi-2022")
    parser.add_argument("--kept", type=Path, required=True, help="kept-plans folder holding the scenario's plan")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for the page")
    parser.add_argument("--launcher", choices=sorted(LAUNCHERS), nargs="+", default=["serve", "streamlit"],
                        help="how the server starts: `python -m optimizer.ui.serve` (imports and reads the "
                             "kept plan before it listens) and/or plain `streamlit run app.py`")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    log_path = Path(tempfile.gettempdir()) / "app_open-server.log"
    load_before = os.getloadavg()
    results = []     # (launcher, browser, opening, shown, rows)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        # the visit that keeps the plan's coverage band (a planner's first look after the plan was made)
        server, url, _ = start_server(args.scenario, args.kept, log_path, "serve")
        try:
            context = browser.new_context(viewport=VIEWPORT)
            open_once(context, url, [PLAN_SHOWN, BAND_SHOWN], 300.0)
            context.close()
        finally:
            stop_server(server)
        for launcher in args.launcher:
            for returning in (False, True):
                browser_text = "returning browser" if returning else "new browser profile"
                print(f"{launcher}, {browser_text}: kept plan, {args.runs} server restarts:", flush=True)
                rows = series(browser, args.scenario, args.kept, args.runs, [PLAN_SHOWN, KEPT_CAPTION], log_path,
                              args.timeout, launcher, returning)
                results.append((launcher, browser_text, "kept plan",
                                "the plan's headline and \"kept plan, computed at\"", rows))
            with tempfile.TemporaryDirectory() as empty:
                print(f"{launcher}, returning browser: no kept plan, {args.runs} server restarts:", flush=True)
                rows = series(browser, args.scenario, Path(empty) / "kept", args.runs, [PREVIEW], log_path,
                              args.timeout, launcher, True, empty=True)
            results.append((launcher, "returning browser", "no kept plan",
                            "demand and capacity (the plan computes behind)", rows))
        browser.close()
    load_after = os.getloadavg()

    def median(rows, key):
        return statistics.median(r[key] for r in rows)

    commands = {"serve": "`python -m optimizer.ui.serve`", "streamlit": "`streamlit run app.py`"}
    lines = [
        "# Opening the app after a server restart",
        "",
        f"Scenario {args.scenario}; {args.runs} runs each, a new server per run; headless Chromium; load "
        f"average {load_before[0]:.2f} before, {load_after[0]:.2f} after (2 cores, shared with other work).",
        "",
        "Command: `PYTHONPATH=$PWD .venv/bin/python benchmarks/app_open.py "
        f"--scenario {args.scenario} --kept KEPT --runs {args.runs} --out {args.out}` (KEPT filled by "
        "`PLANNER_PLAN_CACHE=KEPT python -m optimizer plan SCENARIO --out OUT --no-roster`).",
        "",
        "| server started by | browser | opening | shown | server start to healthy (median s) "
        "| page load to shown (median s) | min-max (s) | Deploy button |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for launcher, browser_text, label, shown, rows in results:
        pages = [r["page_seconds"] for r in rows]
        deploy = "shown" if any(r["deploy"] for r in rows) else "none"
        lines.append(f"| {commands[launcher]} | {browser_text} | {label} | {shown} "
                     f"| {median(rows, 'healthy_seconds'):.2f} "
                     f"| {median(rows, 'page_seconds'):.2f} | {min(pages):.2f}-{max(pages):.2f} | {deploy} |")
    lines.append("")
    for launcher, browser_text, label, _, rows in results:
        lines.append(f"- {commands[launcher]}, {browser_text}, {label}: page load to shown "
                     + ", ".join(f"{r['page_seconds']:.2f}" for r in rows) + " s")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
