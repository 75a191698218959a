"""Who arrives when: the walk-in publicity curve and the cohort pools (docs/dynamics.md)."""

from __future__ import annotations

import math

import numpy as np

from .scenario import Scenario


def turnout_weights(scenario: Scenario, curve: str | None = None) -> np.ndarray:
    """Day weights of the publicity curve times the weekend factor, one per campaign day."""
    demand = scenario.settings.demand
    curve = curve or demand.turnout_curve
    n_days = scenario.n_days
    peak = min(demand.turnout_peak_day, n_days - 1)
    tau = max(1.0, n_days / 4)

    def front(d: int) -> float:
        return (d + 1) / (peak + 1) if d < peak else math.exp(-(d - peak) / tau)

    weights = []
    for d in range(n_days):
        if curve == "flat":
            w = 1.0
        elif curve == "front":
            w = front(d)
        elif curve == "back":
            w = front(n_days - 1 - d)
        else:  # wave
            w = front(d) + 0.6 * math.exp(-(n_days - 1 - d) / max(1.0, n_days / 10))
        weights.append(w)
    weights = np.array(weights)
    weekend = np.array([date.weekday() >= 5 for date in scenario.dates])
    return np.where(weekend, weights * demand.weekend_factor, weights)


def largest_remainder(total: int, weights: np.ndarray) -> np.ndarray:
    """Split a whole number over weights: floors first, leftovers to the largest fractions."""
    weights = np.asarray(weights, dtype=float)
    if total <= 0 or weights.sum() <= 0:
        return np.zeros(len(weights), dtype=np.int64)
    quota = np.round(total * weights / weights.sum(), 9)
    base = np.floor(quota).astype(np.int64)
    left = int(total - base.sum())
    if left > 0:
        fractions = np.round(quota - base, 9)
        order = sorted(range(len(weights)), key=lambda i: (-fractions[i], i))
        for i in order[:left]:
            base[i] += 1
    return base


def walk_in_total(walk_in: int, turnout: float) -> int:
    """Walk-ins who come on their own: floor(walk_in * turnout + 0.5)."""
    return int(math.floor(round(walk_in * turnout + 0.5, 9)))


def walk_in_arrivals(scenario: Scenario) -> np.ndarray:
    """Walk-ins arriving per ward and day, as an int array [wards, days]."""
    demand = scenario.settings.demand
    day_weights = turnout_weights(scenario)
    wards = scenario.wards
    out = np.zeros((len(wards), scenario.n_days), dtype=np.int64)
    for i, walk_in in enumerate(wards["walk_in"].to_numpy()):
        out[i] = largest_remainder(walk_in_total(int(walk_in), demand.walk_in_turnout), day_weights)
    return out


def shift_weights(scenario: Scenario) -> np.ndarray:
    """Walk-ins' preference for each shift (evenings busiest), in shift order."""
    demand = scenario.settings.demand
    return np.array([demand.shift_preference[c] for c in scenario.shift_codes], dtype=float)


def largest_remainder_rows(totals: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """`largest_remainder` of each row at once: row i splits totals[i] over weights[i] (floors
    first, leftovers to the largest fractions, ties to the lower index). A row whose total or
    weights are not positive gets nothing."""
    totals = np.asarray(totals, dtype=np.int64)
    weights = np.asarray(weights, dtype=float)
    out = np.zeros(weights.shape, dtype=np.int64)
    weight_sums = weights.sum(axis=1)
    rows = np.flatnonzero((totals > 0) & (weight_sums > 0))
    if not len(rows):
        return out
    quota = np.round(totals[rows, None] * weights[rows] / weight_sums[rows, None], 9)
    base = np.floor(quota).astype(np.int64)
    left = totals[rows] - base.sum(axis=1)
    fractions = np.round(quota - base, 9)
    rank = np.empty_like(base)
    order = np.argsort(-fractions, axis=1, kind="stable")
    np.put_along_axis(rank, order, np.arange(weights.shape[1])[None, :].repeat(len(rows), axis=0), axis=1)
    out[rows] = base + (rank < left[:, None])
    return out


def split_over_open_shifts(day_totals: np.ndarray, open_mask: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """A day's walk-ins come in the shifts their ward is open, by preference among those.

    `day_totals` [wards], `open_mask` [wards, shifts] (bool). A ward closed all day gets its
    walk-ins in the first shift, where they wait for the next open shift. A ward whose open
    shifts all have no preference splits evenly over them.
    """
    day_totals = np.asarray(day_totals)
    open_mask = np.asarray(open_mask, dtype=bool)
    preferred = np.where(open_mask, np.asarray(weights, dtype=float)[None, :], 0.0)
    no_preference = preferred.sum(axis=1) <= 0
    preferred[no_preference] = open_mask[no_preference]
    out = largest_remainder_rows(day_totals, preferred)
    closed = ~open_mask.any(axis=1) & (day_totals > 0)
    out[closed] = 0
    out[closed, 0] = day_totals[closed]
    return out


def invitable_pool(scenario: Scenario) -> np.ndarray:
    """People per ward reachable only by letter: invited cohort plus walk-ins who won't come."""
    turnout = scenario.settings.demand.walk_in_turnout
    wards = scenario.wards
    return np.array([int(inv) + int(walk) - walk_in_total(int(walk), turnout)
                     for inv, walk in zip(wards["invited"], wards["walk_in"])], dtype=np.int64)


def calls_per_ward_day(scenario: Scenario) -> np.ndarray:
    """Door-to-door calls each ward's neighbourhood working groups make a day (whole people):
    floor(working_groups * calls_per_group_day); 0 when the scenario sets no calls."""
    per_group = scenario.settings.demand.calls_per_group_day
    groups = scenario.wards["working_groups"].to_numpy(float) if "working_groups" in scenario.wards else \
        np.zeros(len(scenario.wards))
    return np.floor(np.round(groups * per_group, 9)).astype(np.int64)
