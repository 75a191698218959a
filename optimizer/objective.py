"""The weighted objective of a plan, evaluated on what the simulation says happens."""

from __future__ import annotations

import numpy as np

from .scenario import Scenario
from .simulation import Decisions, Outcome
from .staffing import CrewNeeds


def officer_shifts(scenario: Scenario, decisions: Decisions) -> int:
    """Officer-shifts the plan asks for: kit crews, mobile crews and home-visit crews."""
    crew = CrewNeeds.of(scenario)
    return int(decisions.kits_open.sum() * sum(crew.kit.values())
               + decisions.mobile_kits.sum() * sum(crew.mobile.values())
               + decisions.home_visit_teams.sum() * sum(crew.home_visit.values()))


def mobile_deployments(scenario: Scenario, decisions: Decisions) -> int:
    """Mobile kit-days on site (a deployment lasts the day)."""
    codes = scenario.shift_codes
    first_mobile = codes.index(scenario.settings.mobile_kit.shifts[0])
    return int(decisions.mobile_kits[:, :, first_mobile].sum())


def objective_terms(scenario: Scenario, decisions: Decisions, outcome: Outcome) -> dict[str, float]:
    """Each named term of the objective (positive = good), in people units."""
    weights = scenario.settings.objective
    target = outcome.target.astype(float)
    enrolled = outcome.enrolled_by_ward.astype(float)
    shortfall = target - enrolled
    terms = {"enrolled": weights.enrolled * enrolled.sum()}
    for threshold, weight in weights.shortfall_steps:
        terms[f"shortfall_above_{threshold:g}"] = -weight * np.maximum(0.0, shortfall - threshold * target).sum()
    terms["waiting"] = -weights.wait_per_person_shift * float(outcome.queue_end.sum())
    crew = CrewNeeds.of(scenario)
    mobile_crew = sum(crew.mobile.values()) * len(scenario.settings.mobile_kit.shifts)
    codes = scenario.shift_codes
    first_mobile = codes.index(scenario.settings.mobile_kit.shifts[0])
    home = codes.index(scenario.settings.home_visit.shift)
    terms["officer_shifts"] = -weights.officer_shift * (
        decisions.kits_open.sum() * sum(crew.kit.values())
        + decisions.mobile_kits[:, :, first_mobile].sum() * mobile_crew
        + decisions.home_visit_teams[:, :, home].sum() * sum(crew.home_visit.values()))
    terms["kit_moves"] = -weights.kit_move * mobile_deployments(scenario, decisions)
    return {k: float(v) for k, v in terms.items()}


def plan_objective(scenario: Scenario, decisions: Decisions, outcome: Outcome) -> float:
    return float(sum(objective_terms(scenario, decisions, outcome).values()))
