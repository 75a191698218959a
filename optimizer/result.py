"""A planning run's result and its tables: plan, projection, bottlenecks, summary, shortfalls."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import pandas as pd

from .plan_request import ReplanWindow
from .scenario import Scenario
from .simulation import Decisions, Outcome

PLAN_COLUMNS = ["ward_code", "district_code", "date", "day", "shift", "kits_open", "mobile_kits",
                "home_visit_teams", "letters", "arrivals_walk_in", "returns", "arrivals_invited",
                "served_walk_in", "served_invited", "served_homebound", "served_institution", "served",
                "queue_walk_in_end", "queue_invited_end", "queue_end", "gave_up", "calls"]


class PlanStatus(StrEnum):
    """How the capacity plan came out: proven optimal (within the solver's gap), feasible, proven
    infeasible (e.g. pinned decisions that cannot stand), no plan found in the time given, or a plan
    above its own proven bound (an error in a model row, reported loudly)."""

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    NO_SOLUTION = "no_solution"
    BOUND_VIOLATED = "bound_violated"   # an error: the plan enrolls more than its proven bound

    @property
    def has_plan(self) -> bool:
        return self in (PlanStatus.OPTIMAL, PlanStatus.FEASIBLE)


@dataclass
class PlanResult:
    """Everything a planning run produced; tables are built on demand."""

    scenario: Scenario
    status: PlanStatus
    decisions: Decisions
    outcome: Outcome
    baseline_decisions: Decisions
    baseline_outcome: Outcome
    objective: float
    objective_terms: dict
    objective_bound: float
    max_enrollable: float
    reserve_allocation: dict
    baseline_reserve_allocation: dict
    marginal_by_district: dict
    seed: int
    wall_seconds: float
    solver_version: str
    messages: list = field(default_factory=list)
    stopped_early: bool = False
    roster: pd.DataFrame | None = None
    unstaffed: pd.DataFrame | None = None
    roster_report: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)
    window: ReplanWindow = field(default_factory=ReplanWindow)   # the days planned, from what state
    # the naive proportional rule, a second labelled reference (the baseline is the fair one)
    proportional_decisions: Decisions | None = None
    proportional_outcome: Outcome | None = None
    proportional_reserve_allocation: dict = field(default_factory=dict)

    @property
    def first_day(self) -> int:
        """First day the run planned (days before it had already happened)."""
        return self.window.first_day

    # -- headline numbers -------------------------------------------------------------------
    @property
    def target(self) -> int:
        return int(self.outcome.target.sum())

    @property
    def enrolled(self) -> int:
        return self.outcome.enrolled

    @property
    def baseline_enrolled(self) -> int:
        return self.baseline_outcome.enrolled

    @property
    def gap(self) -> float:
        """(bound - objective) / |bound|, never floored: a negative gap means the plan scores
        above its proven bound, which `bound_violation` reports as an error."""
        if not np.isfinite(self.objective_bound) or self.objective_bound == 0:
            return float("nan")
        return (self.objective_bound - self.objective) / abs(self.objective_bound)

    def bound_violation(self) -> str | None:
        """Why the plan's numbers break their proven bound (people enrolled above max_enrollable,
        or the objective above objective_bound), or None when the bound holds."""
        problems = []
        if np.isfinite(self.max_enrollable) and self.enrolled > self.max_enrollable + 1e-6:
            problems.append(f"the plan enrolls {self.enrolled:,} people, above the proven bound "
                            f"max_enrollable {self.max_enrollable:,.1f}")
        tolerance = 1e-6 * max(1.0, abs(self.objective_bound)) if np.isfinite(self.objective_bound) else 0.0
        if np.isfinite(self.objective_bound) and self.objective > self.objective_bound + tolerance:
            problems.append(f"the plan's objective {self.objective:,.3f} is above its bound "
                            f"{self.objective_bound:,.3f}")
        return "; ".join(problems) or None

    def coverage_by_day(self, outcome: Outcome | None = None) -> np.ndarray:
        """City coverage at the end of each day."""
        outcome = outcome or self.outcome
        target = max(1, int(outcome.target.sum()))
        return outcome.enrolled_cum_by_day().sum(axis=0) / target

    def day_reaching(self, level: float, outcome: Outcome | None = None) -> int | None:
        """First campaign day (0-based) whose end sees city coverage >= level, or None."""
        coverage = self.coverage_by_day(outcome)
        hit = np.flatnonzero(coverage >= level - 1e-12)
        return int(hit[0]) if len(hit) else None

    # -- tables -------------------------------------------------------------------------------
    def plan_frame(self) -> pd.DataFrame:
        """One row per ward, date and shift: decisions and what happens."""
        return plan_table(self.scenario, self.decisions, self.outcome)

    def baseline_plan_frame(self) -> pd.DataFrame:
        """The fair baseline as plan.csv's rows (written as baseline_plan.csv)."""
        return plan_table(self.scenario, self.baseline_decisions, self.baseline_outcome)

    def projection_frame(self, outcome: Outcome | None = None) -> pd.DataFrame:
        """One row per ward and date: cumulative enrolled, coverage and where everyone else is."""
        return projection_table(self.scenario, outcome or self.outcome)

    def district_frame(self) -> pd.DataFrame:
        """Per district: target, enrolled under the plan and under the fair baseline."""
        wards = self.scenario.wards
        frame = pd.DataFrame({"district_code": wards["district_code"].to_numpy(),
                              "target": self.outcome.target,
                              "enrolled": self.outcome.enrolled_by_ward,
                              "baseline_enrolled": self.baseline_outcome.enrolled_by_ward})
        out = frame.groupby("district_code", sort=True).sum()
        out.insert(0, "district_name", self.scenario.districts.loc[out.index, "district_name"])
        out["coverage"] = out["enrolled"] / out["target"].clip(lower=1)
        out["baseline_coverage"] = out["baseline_enrolled"] / out["target"].clip(lower=1)
        out["city_kits_lent"] = [self.reserve_allocation.get(d, 0) for d in out.index]
        return out.reset_index()

    def bottleneck_frame(self) -> pd.DataFrame:
        """Per district: what one more kit-shift, officer-shift or evening kit-shift adds (people)."""
        rows = []
        districts = self.district_frame().set_index("district_code").to_dict("index")
        for code in self.scenario.district_codes:
            district = districts[code]
            m = self.marginal_by_district.get(code, {})
            kit_where = m.get("kit_shift_where") or {}
            officer_where = m.get("officer_shift_where") or {}
            evening_where = m.get("evening_shift_where") or {}
            rows.append({
                "district_code": code,
                "district_name": self.scenario.districts.at[code, "district_name"],
                "coverage": float(district["coverage"]),
                "shortfall": int(district["target"] - district["enrolled"]),
                "per_kit_shift": round(float(m.get("kit_shift", 0.0)), 2),
                "kit_shift_ward": kit_where.get("ward_code", ""),
                "kit_shift_date": kit_where.get("date", ""),
                "kit_shift_shift": kit_where.get("shift", ""),
                "per_officer_shift": round(float(m.get("officer_shift", 0.0)), 2),
                "officer_role": officer_where.get("role", ""),
                "officer_date": officer_where.get("date", ""),
                "officer_shift_code": officer_where.get("shift", ""),
                "per_evening_shift": round(float(m.get("evening_shift", 0.0)), 2),
                "evening_ward": evening_where.get("ward_code", ""),
                "evening_date": evening_where.get("date", ""),
            })
        frame = pd.DataFrame(rows)
        frame["best_gain"] = frame[["per_kit_shift", "per_officer_shift", "per_evening_shift"]].max(axis=1)
        return frame.sort_values(["best_gain", "district_code"], ascending=[False, True]).reset_index(drop=True)

    def shortfall_frame(self) -> pd.DataFrame:
        """Why each ward falls short: where its missing people are at the deadline, and the limit."""
        return shortfall_table(self.scenario, self.decisions, self.outcome)

    def summary(self) -> dict:
        """The run's headline numbers, as written to summary.json."""
        coverage = self.enrolled / max(1, self.target)
        baseline_curve = self.coverage_by_day(self.baseline_outcome)
        days = {}
        for level in (0.8, 0.9, 0.95, 1.0):
            plan_day = self.day_reaching(level)
            base_day = self.day_reaching(level, self.baseline_outcome)
            days[f"{int(level * 100)}"] = {"plan": plan_day, "baseline": base_day,
                                           "days_earlier": (None if plan_day is None or base_day is None
                                                            else base_day - plan_day)}
        return {
            "scenario": self.scenario.name,
            "scenario_path": str(self.scenario.path),
            "status": str(self.status),
            "target": self.target,
            "enrolled": self.enrolled,
            "coverage": round(coverage, 6),
            "max_enrollable": (None if not np.isfinite(self.max_enrollable)
                               else int(np.floor(self.max_enrollable + 1e-6))),
            "objective": round(self.objective, 3),
            "objective_bound": None if not np.isfinite(self.objective_bound) else round(self.objective_bound, 3),
            "gap": None if not np.isfinite(self.gap) else round(self.gap, 6),
            "objective_terms": {k: round(v, 3) for k, v in self.objective_terms.items()},
            "baseline_rule": "fair",
            "baseline_enrolled": self.baseline_enrolled,
            "baseline_coverage": round(self.baseline_enrolled / max(1, self.target), 6),
            "gain_over_baseline": self.enrolled - self.baseline_enrolled,
            "baseline_reserve_allocation": {k: int(v) for k, v in sorted(self.baseline_reserve_allocation.items())
                                            if v},
            "proportional_enrolled": (None if self.proportional_outcome is None
                                      else self.proportional_outcome.enrolled),
            "gain_over_proportional": (None if self.proportional_outcome is None
                                       else self.enrolled - self.proportional_outcome.enrolled),
            "coverage_days": days,
            "final_day_coverage_baseline": round(float(baseline_curve[-1]), 6) if len(baseline_curve) else None,
            "reserve_allocation": {k: int(v) for k, v in sorted(self.reserve_allocation.items()) if v},
            "officer_shifts": int(self.objective_terms.get("officer_shifts_count", 0)),
            "wall_seconds": round(self.wall_seconds, 3),
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
            "seed": self.seed,
            "input_hash": self.scenario.input_hash,
            "solver_version": self.solver_version,
            "stopped_early": self.stopped_early,
            "messages": self.messages,
            "first_day": self.first_day,
            "roster": self.roster_report,
        }


def plan_table(scenario: Scenario, decisions: Decisions, outcome: Outcome) -> pd.DataFrame:
    wards = scenario.wards
    n, D, S = decisions.kits_open.shape
    dates = [d.isoformat() for d in scenario.dates]
    codes = scenario.shift_codes
    frame = pd.DataFrame({
        "ward_code": np.repeat(wards.index.to_numpy(), D * S),
        "district_code": np.repeat(wards["district_code"].to_numpy(), D * S),
        "date": np.tile(np.repeat(dates, S), n),
        "day": np.tile(np.repeat(np.arange(D), S), n),
        "shift": np.tile(codes, n * D),
        "kits_open": decisions.kits_open.ravel(),
        "mobile_kits": decisions.mobile_kits.ravel(),
        "home_visit_teams": decisions.home_visit_teams.ravel(),
        "letters": decisions.letters.ravel(),
        "arrivals_walk_in": outcome.arrivals_walk_in.ravel(),
        "returns": outcome.returns.ravel(),
        "arrivals_invited": outcome.arrivals_invited.ravel(),
        "served_walk_in": outcome.served_walk_in.ravel(),
        "served_invited": outcome.served_invited.ravel(),
        "served_homebound": outcome.served_homebound.ravel(),
        "served_institution": outcome.served_institution.ravel(),
        "served": outcome.served.ravel(),
        "queue_walk_in_end": outcome.queue_walk_in_end.ravel(),
        "queue_invited_end": outcome.queue_invited_end.ravel(),
        "queue_end": outcome.queue_end.ravel(),
        "gave_up": outcome.gave_up.ravel(),
        "calls": (np.zeros_like(outcome.gave_up) if outcome.calls is None else outcome.calls).ravel(),
    })
    return frame[PLAN_COLUMNS]


def projection_table(scenario: Scenario, outcome: Outcome) -> pd.DataFrame:
    wards = scenario.wards
    n, D, S = outcome.served.shape
    cum = outcome.enrolled_cum_by_day()
    target = outcome.target
    last = S - 1
    frame = pd.DataFrame({
        "ward_code": np.repeat(wards.index.to_numpy(), D),
        "district_code": np.repeat(wards["district_code"].to_numpy(), D),
        "date": np.tile([d.isoformat() for d in scenario.dates], n),
        "day": np.tile(np.arange(D), n),
        "enrolled_cum": cum.ravel(),
        "coverage": np.round((cum / np.maximum(target, 1)[:, None]).ravel(), 6),
        "waiting": outcome.queue_end[:, :, last].ravel(),
        "not_yet_arrived": outcome.not_yet_arrived_end[:, :, last].ravel(),
        "given_up": outcome.given_up_end[:, :, last].ravel(),
    })
    zero = np.repeat(target == 0, D)
    frame.loc[zero, "coverage"] = 1.0
    return frame


def shortfall_table(scenario: Scenario, decisions: Decisions, outcome: Outcome) -> pd.DataFrame:
    """Per ward at the deadline: who is missing and which limit binds.

    The binding limit is read off the plan: queues or give-ups with every kit open in the busy
    shifts -> "kits"; queues or give-ups with kits closed -> "officers"; homebound left ->
    "home-visit teams"; institution left -> "mobile kits"; otherwise people did not come
    ("turnout/invitations").
    """
    wards = scenario.wards
    target = outcome.target
    enrolled = outcome.enrolled_by_ward
    lost = outcome.given_up_end[:, -1, -1]
    waiting = outcome.queue_end[:, -1, -1]
    homebound_left = wards["homebound"].to_numpy() - outcome.served_homebound.sum(axis=(1, 2))
    institution_left = wards["institution"].to_numpy() - outcome.served_institution.sum(axis=(1, 2))
    not_arrived = outcome.not_yet_arrived_end[:, -1, -1] - homebound_left - institution_left
    queue_shifts = outcome.queue_end > 0
    kits_full = decisions.kits_open >= wards["fixed_kits"].to_numpy()[:, None, None]
    rows = []
    for i, code in enumerate(wards.index):
        parts = {"waiting or gave up": int(lost[i] + waiting[i]), "home-visit teams": int(homebound_left[i]),
                 "mobile kits": int(institution_left[i]), "turnout/invitations": int(not_arrived[i])}
        main = max(parts, key=lambda k: parts[k]) if target[i] > enrolled[i] else ""
        limit = main
        if main == "waiting or gave up":
            busy = queue_shifts[i]
            limit = "kits" if busy.any() and kits_full[i][busy].mean() > 0.5 else "officers"
        rows.append({"ward_code": code, "ward_name": wards.at[code, "ward_name"],
                     "district_code": wards.at[code, "district_code"], "target": int(target[i]),
                     "enrolled": int(enrolled[i]), "shortfall": int(target[i] - enrolled[i]),
                     "coverage": round(float(enrolled[i] / max(1, target[i])), 6),
                     "waiting_or_gave_up": parts["waiting or gave up"],
                     "homebound_left": parts["home-visit teams"], "institution_left": parts["mobile kits"],
                     "not_arrived": parts["turnout/invitations"], "binding_limit": limit})
    return pd.DataFrame(rows).sort_values(["coverage", "ward_code"]).reset_index(drop=True)
