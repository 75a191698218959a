"""The arithmetic of docs/dynamics.md, written from the text: rounding, largest remainder,
walk-ins by day and by open shift."""

from __future__ import annotations

import math

import numpy as np

from ..scenario import Scenario

# --- arithmetic of docs/dynamics.md -----------------------------------------------------------

def _floor(x: float) -> int:
    """floor after rounding to 9 decimals."""
    return math.floor(round(x, 9))


def _ceil(x: float) -> int:
    """ceil after rounding to 9 decimals."""
    return math.ceil(round(x, 9))


def largest_remainder(total: int, weights) -> list[int]:
    """Split `total` whole people by `weights`: floors of the quotas (rounded to 9 decimals),
    then one each to the largest fractional parts, ties to the earlier position."""
    weights = [float(w) for w in weights]
    weight_sum = sum(weights)
    if total <= 0 or weight_sum <= 0:
        return [0] * len(weights)
    quotas = [round(total * w / weight_sum, 9) for w in weights]
    counts = [math.floor(q) for q in quotas]
    fractions = [round(q - c, 9) for q, c in zip(quotas, counts)]
    left = total - sum(counts)
    for i in sorted(range(len(weights)), key=lambda i: (-fractions[i], i))[:max(left, 0)]:
        counts[i] += 1
    return counts


def walk_in_day_weights(scenario: Scenario) -> list[float]:
    """The publicity curve's weight of each campaign day, weekend factor included."""
    demand = scenario.settings.demand
    n_days = scenario.n_days
    peak = min(demand.turnout_peak_day, n_days - 1)
    tau = max(1.0, n_days / 4)

    def front(d: int) -> float:
        return (d + 1) / (peak + 1) if d < peak else math.exp(-(d - peak) / tau)

    weights = []
    for d, date in enumerate(scenario.dates):
        if demand.turnout_curve == "flat":
            weight = 1.0
        elif demand.turnout_curve == "front":
            weight = front(d)
        elif demand.turnout_curve == "back":
            weight = front(n_days - 1 - d)
        else:  # wave
            weight = front(d) + 0.6 * math.exp(-(n_days - 1 - d) / max(1.0, n_days / 10))
        if date.weekday() >= 5:
            weight *= demand.weekend_factor
        weights.append(weight)
    return weights


def walk_ins_coming(walk_in: int, turnout: float) -> int:
    """W: walk-ins who come on their own by the deadline."""
    return _floor(walk_in * turnout + 0.5)


def walk_in_arrivals(scenario: Scenario, walk_ins: int) -> np.ndarray:
    """Walk-in arrivals by day (shape days) of a ward with W = walk_ins."""
    return np.array(largest_remainder(walk_ins, walk_in_day_weights(scenario)), dtype=np.int64)


def walk_ins_by_open_shift(scenario: Scenario, day_total: int, kits_of_day) -> list[int]:
    """A day's walk-ins over the shifts with a kit open, by preference; closed all day: first shift."""
    preference = scenario.settings.demand.shift_preference
    open_shifts = [int(k) > 0 for k in kits_of_day]
    if not any(open_shifts):
        return [day_total] + [0] * (len(open_shifts) - 1)
    weights = [preference[code] if is_open else 0.0
               for code, is_open in zip(scenario.shift_codes, open_shifts)]
    if sum(weights) <= 0:
        weights = [1.0 if is_open else 0.0 for is_open in open_shifts]
    return largest_remainder(day_total, weights)
