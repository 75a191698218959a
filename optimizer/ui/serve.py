"""Start the app server ready for its first page.

    python -m optimizer.ui.serve [options of `streamlit run`]

The same server as `streamlit run app.py [options]` (run from the repository root; the options
pass through), but before it listens it imports the page's modules, loads the default scenario
($PLANNER_SCENARIO) and reads its kept plan (optimizer/kept_plans.py) into the server's shared
caches. The first page after a restart then opens on the plan at once, instead of spending
its first seconds importing and loading. Anything that fails here is left for the page to
report (the server starts all the same).
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
log = logging.getLogger(__name__)


def warm(root: Path = ROOT) -> dict:
    """Import the page and fill the shared caches the first page reads; returns seconds per step."""
    seconds = {}
    begin = time.perf_counter()
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    import app  # noqa: F401 - the page's modules (app.py lays out no page when imported)

    from .replan import run_key
    from .sections.cache import bundled_scenario, result_store
    from .sections.context import AppSettings
    from .sections.session import kept_plan
    seconds["import"] = time.perf_counter() - begin
    settings = AppSettings.from_environment(root)
    try:
        t = time.perf_counter()
        scenario = bundled_scenario(str(root / settings.default_scenario))   # as scenario_source asks
        seconds["scenario"] = time.perf_counter() - t
        t = time.perf_counter()
        key = run_key(scenario)
        if result_store().get(key) is None:
            found = kept_plan(scenario, None)
            if found is not None:
                result_store().put(key, found)
        seconds["kept_plan"] = time.perf_counter() - t
    except Exception as exc:  # noqa: BLE001 - the page reports a bad scenario in its own words
        log.warning("the default scenario was not loaded ahead (%s: %s)", type(exc).__name__, exc)
    return seconds


def main(argv: list[str] | None = None) -> int:
    # the caches are filled before Streamlit's runtime exists: it would say so once per cached
    # function (its logger gets its level when the module is imported, so import it first)
    import streamlit.runtime.caching.cache_data_api  # noqa: F401
    logging.getLogger("streamlit.runtime.caching.cache_data_api").setLevel(logging.ERROR)
    seconds = warm()
    print("ready: " + ", ".join(f"{k} {v:.2f} s" for k, v in seconds.items()), file=sys.stderr, flush=True)
    from streamlit.web import cli
    sys.argv = ["streamlit", "run", str(ROOT / "app.py"), *(sys.argv[1:] if argv is None else argv)]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main())
