"""Shared fixtures: the tiny scenario and its plan, each made once per test session.

`tiny_plan` is shared by every test that asks for it, so it is read-only: its decision and
outcome arrays refuse writes (a test that needs to change a plan copies it first).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from optimizer.planner import PlanResult, SolveOptions, run_plan
from optimizer.scenario import Scenario, load_scenario

TINY = Path(__file__).resolve().parents[1] / "scenarios" / "tiny"


def _freeze(value) -> None:
    """Make every numpy array field of a dataclass read-only."""
    for item in dataclasses.fields(value):
        array = getattr(value, item.name)
        if isinstance(array, np.ndarray):
            array.setflags(write=False)


@pytest.fixture(scope="session", autouse=True)
def session_kept_plans_folder(tmp_path_factory):
    """Plans kept while session fixtures are made (before any test's own folder) go here."""
    import os
    before = os.environ.get("PLANNER_PLAN_CACHE")
    os.environ["PLANNER_PLAN_CACHE"] = str(tmp_path_factory.mktemp("session-kept-plans"))
    yield
    if before is None:
        os.environ.pop("PLANNER_PLAN_CACHE", None)
    else:
        os.environ["PLANNER_PLAN_CACHE"] = before


@pytest.fixture(autouse=True)
def kept_plans_folder(tmp_path_factory, monkeypatch):
    """Each test keeps its plans in a folder of its own (also for the commands it starts): a
    page starts on a machine that never planned, and nothing goes to the repository's out/."""
    folder = tmp_path_factory.mktemp("kept-plans")
    monkeypatch.setenv("PLANNER_PLAN_CACHE", str(folder))
    return folder


@pytest.fixture(scope="session")
def tiny_scenario() -> Scenario:
    """The tiny scenario (5 wards, 2 districts, 7 days), loaded once."""
    return load_scenario(TINY)


@pytest.fixture(scope="session")
def tiny_plan(tiny_scenario) -> PlanResult:
    """Tiny's plan on one worker with the scenario's seed, no roster; read-only."""
    result = run_plan(tiny_scenario, SolveOptions(workers=1))
    for part in (result.decisions, result.baseline_decisions, result.outcome, result.baseline_outcome):
        _freeze(part)
    return result
