"""What every session shares (cached resources) and the cached views of a run.

Views are keyed by the run's key; the result itself (an argument starting with `_`) is not
hashed."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ... import kept_plans
from ...scenario import Scenario, load_scenario
from ...uncertainty import coverage_band
from .. import nightly, replan, views


@st.cache_resource(show_spinner=False)
def district_cache() -> replan.DistrictPlanCache:
    return replan.DistrictPlanCache()


@st.cache_resource(show_spinner=False)
def result_store() -> replan.LruStore:
    return replan.LruStore(max_entries=24)


@st.cache_resource(show_spinner=False)
def worker_pool(workers: int) -> replan.WorkerPool:
    return replan.WorkerPool(workers)


@st.cache_resource(show_spinner=False)
def bundled_scenario(folder: str) -> Scenario:
    return load_scenario(folder)


@st.cache_data(show_spinner=False, max_entries=64)
def progress_table(key: str, districts: tuple[str, ...], _result) -> pd.DataFrame:
    return views.daily_progress(_result, districts)


@st.cache_data(show_spinner=False, max_entries=64)
def district_results(key: str, _result) -> pd.DataFrame:
    return views.district_map(_result)


@st.cache_data(show_spinner=False, max_entries=64)
def bottleneck_table(key: str, _result) -> pd.DataFrame:
    return _result.bottleneck_frame()


@st.cache_data(show_spinner=False, max_entries=64)
def shortfall_table(key: str, _result) -> pd.DataFrame:
    return _result.shortfall_frame()


@st.cache_data(show_spinner=False, max_entries=64)
def heat_table(key: str, district: str, metric: str, _result) -> pd.DataFrame:
    return views.ward_day_grid(_result, district, metric)


@st.cache_data(show_spinner=False, max_entries=32)
def band_table(key: str, runs: int, seed: int, on_pool: bool, _scenario, _decisions) -> pd.DataFrame:
    """The coverage band of a plan (`runs` simulations): kept on disk with the plans, else
    computed (on the worker pool when `on_pool`) and kept."""
    key_on_disk = kept_plans.band_key(_scenario, _decisions, runs, seed)
    kept = kept_plans.find_table("band", key_on_disk)
    if kept is not None:
        return kept
    pool = worker_pool(_scenario.settings.solver.workers) if on_pool else None
    band = coverage_band(_scenario, _decisions, runs=runs, seed=seed,
                         map_fn=pool.map if pool else None, batches=pool.workers if pool else 1)
    kept_plans.keep_table("band", key_on_disk, band)
    return band


@st.cache_data(show_spinner=False, max_entries=8)
def nightly_store(path: str, signature: tuple):
    """The plan store at `path` as the page shows it (read again whenever the file changes)."""
    return nightly.read_store(path, root=nightly.store_folder())
