"""The checker's own simulation of docs/dynamics.md ("One shift, in order"), ward by ward."""

from __future__ import annotations

import numpy as np

from ..scenario import Scenario
from .arithmetic import _floor, walk_ins_by_open_shift
from .context import _Context
from .layout import DECISION_COLUMNS, OUTCOME_COLUMNS

# --- the checker's own simulation ---------------------------------------------------------

def named_call_shifts(calls: np.ndarray) -> np.ndarray:
    """The shift a plan sends each day's called no-shows to, from its `calls` column [days,
    shifts]: the shift holding the day's calls (the most, the first of equals), -1 on a day
    without calls (the rule's default then applies)."""
    calls = np.asarray(calls)
    return np.where(calls.sum(axis=1) > 0, np.argmax(calls, axis=1), -1)


def _simulate_ward(ctx: _Context, i: int, kits, mobile, teams, letters, named=None) -> dict[str, np.ndarray]:
    """docs/dynamics.md "One shift, in order", for ward i over the whole campaign; `named` is
    the shift the plan sends each day's called to ([days], -1: none named)."""
    n_days, n_shifts = ctx.n_days, ctx.n_shifts
    out = {column: np.zeros((n_days, n_shifts), dtype=np.int64) for column in OUTCOME_COLUMNS}
    returns = [[0] * n_shifts for _ in range(n_days)]
    queue_walk_in = queue_invited = 0
    homebound_left = ctx.homebound[i]
    institution_left = ctx.institution[i]
    no_shows_of_day = [0] * n_days
    callable_no_shows = 0
    for d in range(n_days):
        walk_ins_today = walk_ins_by_open_shift(ctx.scenario, int(ctx.arrivals[i, d]), kits[d])
        # 0. follow-up: no-shows of day d - follow_up_after_days become callable; on a day the
        # counter is open the working groups call as many as they can, for the shift the plan
        # names, else the shift with the most kit-hours (the first of equals)
        calls, call_shift = 0, None
        if ctx.calls_a_day[i] > 0:
            if d - ctx.follow_up_after_days >= 0:
                callable_no_shows += no_shows_of_day[d - ctx.follow_up_after_days]
            day_hours = [int(kits[d, s]) * ctx.hours[s] for s in range(n_shifts)]
            if max(day_hours) > 0:
                calls = min(ctx.calls_a_day[i], callable_no_shows)
                callable_no_shows -= calls
                call_shift = day_hours.index(max(day_hours))
                if named is not None and int(named[d]) >= 0:
                    call_shift = int(named[d])
        for s in range(n_shifts):
            hours = ctx.hours[s]
            # 1. arrivals join the queues (walk-ins come in the shifts the ward is open)
            arrived_walk_in = int(walk_ins_today[s])
            came_back = returns[d][s]
            arrived_invited = _floor(ctx.show_up * int(letters[d, s]))
            no_shows_of_day[d] += int(letters[d, s]) - arrived_invited
            called = calls if s == call_shift else 0
            arrived_invited += _floor(ctx.follow_up_show_up * called)
            queue_walk_in += arrived_walk_in + came_back
            queue_invited += arrived_invited
            # 2. fixed kits: invited first, then walk-ins with the hours left
            kit_hours = int(kits[d, s]) * hours
            served_invited = min(queue_invited, _floor(kit_hours * ctx.rate_invited))
            hours_left = kit_hours - served_invited / ctx.rate_invited
            served_walk_in = min(queue_walk_in, _floor(hours_left * ctx.rate_walk_in))
            # 3. home visits (home-visit shift only) and mobile sessions (mobile-kit shifts only)
            served_homebound = served_institution = 0
            if s == ctx.home_visit_shift:
                served_homebound = min(homebound_left,
                                       _floor(int(teams[d, s]) * hours * ctx.people_per_team_hour))
            if s in ctx.mobile_shifts:
                served_institution = min(institution_left,
                                         _floor(int(mobile[d, s]) * hours * ctx.rate_institution))
            homebound_left -= served_homebound
            institution_left -= served_institution
            # 4. give-ups and returns
            left_walk_in = queue_walk_in - served_walk_in
            left_invited = queue_invited - served_invited
            gave_up_walk_in = _floor(ctx.give_up_share * left_walk_in)
            gave_up_invited = _floor(ctx.give_up_share * left_invited)
            queue_walk_in = left_walk_in - gave_up_walk_in
            queue_invited = left_invited - gave_up_invited
            gave_up = gave_up_walk_in + gave_up_invited
            if d + ctx.return_after_days < n_days:
                returns[d + ctx.return_after_days][s] += _floor(ctx.return_share * gave_up)
            values = {
                "arrivals_walk_in": arrived_walk_in, "returns": came_back,
                "arrivals_invited": arrived_invited, "served_walk_in": served_walk_in,
                "served_invited": served_invited, "served_homebound": served_homebound,
                "served_institution": served_institution,
                "served": served_walk_in + served_invited + served_homebound + served_institution,
                "queue_walk_in_end": queue_walk_in, "queue_invited_end": queue_invited,
                "queue_end": queue_walk_in + queue_invited, "gave_up": gave_up, "calls": called}
            for column, value in values.items():
                out[column][d, s] = value
    return out


def resimulate(scenario: Scenario, decisions: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The checker's own simulation of every ward.

    `decisions` maps each of DECISION_COLUMNS to an int array (wards in scenario order, days,
    shifts), and optionally "calls" to the plan's calls (where it sends the called); returns
    each of OUTCOME_COLUMNS as an array of the same shape.
    """
    return _resimulate(_Context(scenario), decisions, range(len(scenario.wards)))


def _resimulate(ctx: _Context, decisions: dict[str, np.ndarray], wards) -> dict[str, np.ndarray]:
    shape = (ctx.n_wards, ctx.n_days, ctx.n_shifts)
    result = {column: np.zeros(shape, dtype=np.int64) for column in OUTCOME_COLUMNS}
    for i in wards:
        named = named_call_shifts(np.asarray(decisions["calls"])[i]) if "calls" in decisions else None
        kits, mobile, teams, letters = (np.asarray(decisions[c])[i] for c in DECISION_COLUMNS)
        ward = _simulate_ward(ctx, i, kits, mobile, teams, letters, named)
        for column in OUTCOME_COLUMNS:
            result[column][i] = ward[column]
    return result
