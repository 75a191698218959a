"""How long a what-if re-plan takes in the app: from applying a one-district demand multiplier
to having the result and the page's tables and charts.

    .venv/bin/python benchmarks/app_replan.py [--scenario scenarios/hanoi-2022] \
        [--districts 001 277] [--repeats 3] [--band-runs 40] [--check] [--browser] \
        [--out benchmarks/results/app_replan.md]

Steps, as the app does them: (1) the base plan is solved once through the app's district-plan
cache and persistent worker pool (the app's first look); (2) for each district and repeat, a
new demand multiplier for that district is applied (`optimizer.ui.whatif`) and the plan
re-run through the cache (only that district is solved again), then the page's tables and
Altair charts are built. Reported: the median of the repeats and its parts. The uncertainty
band (drawn after everything else on the page) is timed once on its own. `--check` also
solves the last what-if from scratch with `run_plan` and checks the decisions are the same.
`--browser` also measures it as a planner sees it: the app is started (`streamlit run app.py`)
and driven in Chromium (/usr/bin/chromium): the first look, then for each repeat a demand
multiplier typed into the first district's row of the what-if table, Re-plan pressed, and the
seconds until the new headline number (and the coverage chart) shows, and until the
uncertainty band's caption does.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from optimizer.planner import SolveOptions, run_plan  # noqa: E402
from optimizer.scenario import load_scenario  # noqa: E402
from optimizer.ui import charts, replan, views, whatif  # noqa: E402
from optimizer.ui.i18n import translate  # noqa: E402
from optimizer.uncertainty import coverage_band  # noqa: E402

MULTIPLIERS = (1.1, 1.2, 0.9, 1.3, 0.8)


def page_views(result) -> float:
    """Build what the Result tab shows (tables and chart specs); returns seconds."""
    start = time.perf_counter()
    tr = lambda key: translate(key, "vi")  # noqa: E731
    views.headline(result)
    progress = views.daily_progress(result, ())
    charts.coverage_chart(progress, tr, "vi", deadline=result.scenario.dates[-1].isoformat()).to_dict()
    charts.backlog_chart(progress, tr, "vi").to_dict()
    charts.district_map_chart(views.district_map(result), tr, "vi").to_dict()
    district = result.scenario.district_codes[0]
    charts.heatmap_chart(views.ward_day_grid(result, district, "queue"), "queue", tr, "vi").to_dict()
    result.bottleneck_frame()
    result.shortfall_frame()
    return time.perf_counter() - start


def browser_replans(scenario_path: str, repeats: int) -> dict:
    """Drive the app in Chromium: first look, then `repeats` one-district re-plans (seconds)."""
    import socket
    import subprocess
    import urllib.request

    from playwright.sync_api import expect, sync_playwright

    root = Path(__file__).resolve().parents[1]
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "PLANNER_SCENARIO": scenario_path}
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    out = {"replans": []}
    try:
        for _ in range(300):
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                    if answer.read().strip() == b"ok":
                        break
            except OSError:
                time.sleep(0.2)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            headline = page.locator("[data-testid=stMetric]").filter(has_text="Thu nhận đến hạn chót") \
                .locator("[data-testid=stMetricValue]")
            start = time.perf_counter()
            page.goto(url)
            expect(headline).to_be_visible(timeout=600_000)
            out["first_look"] = time.perf_counter() - start
            page.get_by_text("Vùng mờ: P10").wait_for(timeout=600_000)
            out["first_look_band"] = time.perf_counter() - start
            expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=600_000)   # idle
            for repeat in range(repeats):
                value = f"{MULTIPLIERS[repeat % len(MULTIPLIERS)] + 0.01:g}"   # not yet solved
                page.close()                       # a new session each time, as a new visitor
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                headline = page.locator("[data-testid=stMetric]").filter(has_text="Thu nhận đến hạn chót") \
                    .locator("[data-testid=stMetricValue]")
                page.goto(url)
                expect(headline).to_be_visible(timeout=60_000)
                page.get_by_text("Vùng mờ: P10").wait_for(timeout=600_000)
                page.get_by_text("Giả định: thay đổi nhu cầu").click()
                before = headline.first.inner_text()
                editor = page.locator("[data-testid=stForm] [data-testid=stDataFrame]").first
                box = editor.bounding_box()
                page.mouse.click(box["x"] + 30, box["y"] + 35 + 17)          # row 1 (header is 35 px)
                expect(editor.locator("#glide-cell-0-0")).to_have_attribute("aria-selected", "true")
                for _ in range(3):
                    page.keyboard.press("ArrowRight")
                expect(editor.locator("#glide-cell-3-0")).to_have_attribute("aria-selected", "true")
                page.keyboard.press("1")
                cell = page.locator("input.gdg-input")
                expect(cell).to_be_focused()
                cell.press("Control+A")
                page.keyboard.type(value, delay=40)
                expect(cell).to_have_value(value)
                cell.press("Enter")
                expect(editor.locator("#glide-cell-3-0")).to_have_text(value)
                start = time.perf_counter()
                page.get_by_role("button", name="Lập lại kế hoạch").click()
                while not any(v != before for v in headline.all_inner_texts()):
                    if time.perf_counter() - start > 600:
                        raise TimeoutError("the re-planned headline never showed")
                    time.sleep(0.05)
                shown = time.perf_counter() - start
                # the band's "simulating" caption, then the band
                with contextlib.suppress(AssertionError):
                    expect(page.get_by_text("Đang mô phỏng")).to_be_visible(timeout=10_000)
                expect(page.get_by_text("Đang mô phỏng")).to_have_count(0, timeout=600_000)
                band = time.perf_counter() - start
                out["replans"].append({"multiplier": value, "headline": shown, "band": band})
                print(f"browser: x{value}: headline and charts after {shown:.1f} s, band after {band:.1f} s",
                      flush=True)
            browser.close()
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="scenarios/hanoi-2022")
    parser.add_argument("--districts", nargs="+", default=["001", "277"])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--band-runs", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--browser", action="store_true")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/app_replan.md"))
    args = parser.parse_args(argv)

    load_before = os.getloadavg()
    scenario = load_scenario(args.scenario)
    cache = replan.DistrictPlanCache()
    pool = replan.WorkerPool(args.workers)
    print(f"{scenario.name}: {len(scenario.districts)} districts, {len(scenario.wards)} wards", flush=True)
    start = time.perf_counter()
    base = replan.plan(scenario, cache=cache, pool=pool)
    first_look = time.perf_counter() - start
    print(f"first look (full plan, empty cache): {first_look:.1f} s, enrolled {base.enrolled:,}", flush=True)

    rows = []
    last = None
    for district in args.districts:
        samples = []
        for repeat in range(args.repeats):
            multiplier = MULTIPLIERS[repeat % len(MULTIPLIERS)]
            t0 = time.perf_counter()
            changed = whatif.apply_whatif(scenario, whatif.WhatIf(demand=((district, multiplier),)))
            t1 = time.perf_counter()
            result = replan.plan(changed, cache=cache, pool=pool)
            t2 = time.perf_counter()
            shown = page_views(result)
            total = time.perf_counter() - t0
            timings = result.timings
            samples.append({"total": total, "transform": t1 - t0, "plan": t2 - t1,
                            "baseline": timings["baseline_seconds"], "capacity": timings["capacity_seconds"],
                            "simulation": timings["simulation_seconds"], "views": shown,
                            "solved": timings["district_solves"], "reused": timings["district_reuses"],
                            "enrolled": result.enrolled})
            print(f"district {district} x{multiplier}: {total:.2f} s (plan {t2 - t1:.2f}, "
                  f"capacity {timings['capacity_seconds']:.2f}, baseline {timings['baseline_seconds']:.2f}, "
                  f"simulation {timings['simulation_seconds']:.2f}, views {shown:.2f}; "
                  f"{timings['district_solves']} solved, {timings['district_reuses']} reused)", flush=True)
            last = (changed, result)
        median = {k: statistics.median(s[k] for s in samples) for k in samples[0] if k != "enrolled"}
        name = str(scenario.districts.at[district, "district_name"])
        wards = int((scenario.wards["district_code"] == district).sum())
        rows.append((district, name, wards, [s["total"] for s in samples], median))

    start = time.perf_counter()
    coverage_band(base.scenario, base.decisions, runs=args.band_runs, map_fn=pool.map, batches=pool.workers)
    band_seconds = time.perf_counter() - start
    print(f"uncertainty band ({args.band_runs} runs on {pool.workers} workers): {band_seconds:.1f} s", flush=True)

    check = "not run (use --check)"
    if args.check and last is not None:
        changed, result = last
        fresh = run_plan(changed, SolveOptions(workers=args.workers))
        same = all((getattr(fresh.decisions, n) == getattr(result.decisions, n)).all()
                   for n in ("kits_open", "mobile_kits", "home_visit_teams", "letters"))
        check = (f"{'identical' if same else 'DIFFERENT'} decisions; enrolled {result.enrolled:,} (cached) vs "
                 f"{fresh.enrolled:,} (run_plan from scratch, {fresh.wall_seconds:.1f} s)")
        print("check:", check, flush=True)
    pool.shutdown()
    browser = None
    if args.browser:
        browser = browser_replans(args.scenario, args.repeats)
        print(f"browser: first look {browser['first_look']:.1f} s (band {browser['first_look_band']:.1f} s)",
              flush=True)
    load_after = os.getloadavg()

    lines = [
        "# App what-if re-plan time",
        "",
        f"Written by `benchmarks/app_replan.py` on {dt.datetime.now():%Y-%m-%d %H:%M}; scenario "
        f"`{args.scenario}` ({len(scenario.districts)} districts, {len(scenario.wards)} wards, "
        f"{scenario.n_days} days); {os.cpu_count()} cores, {args.workers} workers; Python "
        f"{platform.python_version()}; load average {load_before[0]:.1f} before, {load_after[0]:.1f} after "
        f"(the machine is shared: other people's jobs slow every number here).",
        "",
        "Re-plan = apply a demand multiplier to one district (`optimizer.ui.whatif`), re-run `run_plan` "
        "through the app's district-plan cache (only the changed district is solved again), then build "
        "the Result tab's tables and chart specs. Median of "
        f"{args.repeats} runs (multipliers {', '.join(str(m) for m in MULTIPLIERS[:args.repeats])}).",
        "",
        "| district | wards | runs (s) | median total (s) | plan | of which capacity | baseline | simulation "
        "| views + charts |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for code, name, wards, totals, m in rows:
        lines.append(f"| {code} {name} | {wards} | {', '.join(f'{t:.1f}' for t in totals)} | **{m['total']:.1f}** | "
                     f"{m['plan']:.1f} | {m['capacity']:.1f} | {m['baseline']:.1f} | {m['simulation']:.1f} | "
                     f"{m['views']:.2f} |")
    lines += [
        "",
        f"- First look (full plan with an empty cache, as on the app's first open): **{first_look:.1f} s**.",
        f"- Uncertainty band ({args.band_runs} perturbed simulations on {pool.workers} workers, drawn last on "
        f"the page, after the other charts): **{band_seconds:.1f} s**.",
        f"- Cached re-plan vs a plan from scratch: {check}.",
        "- `baseline` is the officer budgets of every district (worked out once per plan by `run_plan` and "
        "shared with the capacity model) and the proportional rule for the whole city; `capacity` includes "
        "the walk-in arrivals of every district and the one district solve. Neither is cached by the app: "
        "both live in `run_plan`.",
        "",
    ]
    if browser is not None:
        replans = browser["replans"]
        lines += [
            "## In the browser",
            "",
            f"The app started with `streamlit run app.py` on `{args.scenario}` and driven in Chromium: a demand "
            f"multiplier typed into district {scenario.district_codes[0]}'s row of the what-if table, then "
            "Re-plan; seconds from the click until the new headline number shows (the coverage, backlog, map "
            "and heatmap charts are drawn in the same page run), and until the uncertainty band's caption shows "
            "(drawn last). The page polls the background job every 0.5 s or more.",
            "",
            "| multiplier | headline and charts (s) | uncertainty band (s) |",
            "|---|---:|---:|",
            *[f"| {r['multiplier']} | {r['headline']:.1f} | {r['band']:.1f} |" for r in replans],
            f"| **median** | **{statistics.median(r['headline'] for r in replans):.1f}** | "
            f"**{statistics.median(r['band'] for r in replans):.1f}** |",
            "",
            f"First look in the browser (empty caches): headline after {browser['first_look']:.1f} s, "
            f"uncertainty band after {browser['first_look_band']:.1f} s.",
            "",
        ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
