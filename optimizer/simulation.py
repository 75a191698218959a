"""Queue dynamics of docs/dynamics.md in whole people, for every ward at once.

Given the plan's decisions (kits, mobile kits, home-visit teams, letters per ward, day and
shift), `simulate` plays the campaign shift by shift and returns what happens: arrivals,
people served by cohort, queues, give-ups and returns. The planner, the baseline and the
projections all use it; the independent checker re-implements it from the text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from .demand import calls_per_ward_day, invitable_pool, shift_weights, split_over_open_shifts, walk_in_arrivals
from .scenario import Scenario


def _floor(x):
    return np.floor(np.round(x, 9)).astype(np.int64)



@dataclass
class Decisions:
    """What the plan decides, each an int array [wards, days, shifts]."""

    kits_open: np.ndarray
    mobile_kits: np.ndarray
    home_visit_teams: np.ndarray
    letters: np.ndarray
    # the shift the working groups send the day's called no-shows to, [wards, days]; -1 (or
    # None for every day): the shift with the most kit-hours (docs/dynamics.md, Follow-up)
    call_shift: np.ndarray | None = None

    FIELDS: ClassVar[tuple[str, ...]] = ("kits_open", "mobile_kits", "home_visit_teams", "letters")

    @classmethod
    def zeros(cls, n_wards: int, n_days: int, n_shifts: int) -> Decisions:
        shape = (n_wards, n_days, n_shifts)
        return cls(*(np.zeros(shape, dtype=np.int64) for _ in range(4)))

    def copy(self) -> Decisions:
        return Decisions(self.kits_open.copy(), self.mobile_kits.copy(),
                         self.home_visit_teams.copy(), self.letters.copy(),
                         None if self.call_shift is None else self.call_shift.copy())

    def call_shifts(self) -> np.ndarray:
        """call_shift as an array [wards, days] (-1 where the plan names no shift)."""
        if self.call_shift is None:
            return np.full(self.kits_open.shape[:2], -1, dtype=np.int64)
        return self.call_shift

    def overlay(self, other: Decisions, *, before_day: int) -> Decisions:
        """Take `other`'s decisions for the days before `before_day` (days already past), in
        place; returns these decisions."""
        for name in self.FIELDS:
            getattr(self, name)[:, :before_day] = getattr(other, name)[:, :before_day]
        if self.call_shift is not None or other.call_shift is not None:
            shifts = self.call_shifts().copy()
            shifts[:, :before_day] = other.call_shifts()[:, :before_day]
            self.call_shift = shifts
        return self


@dataclass
class StartState:
    """Where each ward stands when the simulated window begins (default: campaign start)."""

    queue_walk_in: np.ndarray
    queue_invited: np.ndarray
    homebound_left: np.ndarray
    institution_left: np.ndarray
    invitable_left: np.ndarray
    enrolled: np.ndarray
    returns_due: np.ndarray  # [wards, days, shifts] returns already scheduled
    lost: np.ndarray          # gave up for good so far
    no_shows: np.ndarray      # letters whose addressee did not come
    # no-shows the working groups may still call (None: every no-show; a window's earlier
    # no-shows are callable from its first day)
    callable_no_shows: np.ndarray | None = None

    @classmethod
    def initial(cls, scenario: Scenario) -> StartState:
        wards = scenario.wards
        n = len(wards)
        zero = np.zeros(n, dtype=np.int64)
        return cls(queue_walk_in=zero.copy(), queue_invited=zero.copy(),
                   homebound_left=wards["homebound"].to_numpy(np.int64).copy(),
                   institution_left=wards["institution"].to_numpy(np.int64).copy(),
                   invitable_left=invitable_pool(scenario),
                   enrolled=zero.copy(),
                   returns_due=np.zeros((n, scenario.n_days, len(scenario.shift_codes)), dtype=np.int64),
                   lost=zero.copy(), no_shows=zero.copy())


@dataclass
class Outcome:
    """What happens under a plan; arrays [wards, days, shifts] unless noted."""

    arrivals_walk_in: np.ndarray
    returns: np.ndarray
    arrivals_invited: np.ndarray
    served_walk_in: np.ndarray
    served_invited: np.ndarray
    served_homebound: np.ndarray
    served_institution: np.ndarray
    queue_walk_in_end: np.ndarray
    queue_invited_end: np.ndarray
    gave_up: np.ndarray
    not_yet_arrived_end: np.ndarray
    given_up_end: np.ndarray      # lost for good plus due to return, at each shift end
    target: np.ndarray            # [wards]
    extra: dict = field(default_factory=dict)
    calls: np.ndarray | None = None   # no-shows called door to door, in their appointment's shift

    @property
    def served(self) -> np.ndarray:
        return self.served_walk_in + self.served_invited + self.served_homebound + self.served_institution

    @property
    def queue_end(self) -> np.ndarray:
        return self.queue_walk_in_end + self.queue_invited_end

    @property
    def enrolled_by_ward(self) -> np.ndarray:
        return self.served.sum(axis=(1, 2)) + self.extra.get("enrolled_before", 0)

    @property
    def enrolled(self) -> int:
        return int(self.enrolled_by_ward.sum())

    def enrolled_cum_by_day(self) -> np.ndarray:
        """[wards, days] enrolled by the end of each day (including before the window)."""
        return np.cumsum(self.served.sum(axis=2), axis=1) + np.asarray(
            self.extra.get("enrolled_before", 0)).reshape(-1, 1)


def simulate(scenario: Scenario, decisions: Decisions, *, arrivals: np.ndarray | None = None,
             start: StartState | None = None, first_day: int = 0) -> Outcome:
    """Play the campaign from `first_day` under the decisions; days before it stay zero.

    `arrivals` are walk-ins per ward and day [wards, days] (default: the scenario's curve)."""
    settings = scenario.settings
    demand = settings.demand
    rates = settings.throughput_per_kit_hour
    shifts = scenario.shifts
    codes = scenario.shift_codes
    n_wards, n_days, n_shifts = len(scenario.wards), scenario.n_days, len(codes)
    arrivals = walk_in_arrivals(scenario) if arrivals is None else arrivals
    state = StartState.initial(scenario) if start is None else start
    hours = np.array([s.hours for s in shifts])
    home_shift = codes.index(settings.home_visit.shift)
    mobile_shifts = {codes.index(c) for c in settings.mobile_kit.shifts}
    target = scenario.wards["target"].to_numpy(np.int64)

    shape = (n_wards, n_days, n_shifts)
    out = {name: np.zeros(shape, dtype=np.int64) for name in (
        "arrivals_walk_in", "returns", "arrivals_invited", "served_walk_in", "served_invited",
        "served_homebound", "served_institution", "queue_walk_in_end", "queue_invited_end", "gave_up",
        "not_yet_arrived_end", "given_up_end", "calls")}
    qw = state.queue_walk_in.copy()
    qi = state.queue_invited.copy()
    homebound = state.homebound_left.copy()
    institution = state.institution_left.copy()
    invitable = state.invitable_left.copy()
    returns_due = state.returns_due.copy()
    lost = state.lost.copy()
    no_shows = state.no_shows.copy()
    enrolled = state.enrolled.copy()
    preference = shift_weights(scenario)
    walk_in_to_come = arrivals[:, first_day:].sum(axis=1).astype(np.int64)
    never_walk = invitable  # the invitable pool includes walk-ins who never come on their own
    del never_walk
    letters_pending = decisions.letters[:, first_day:, :].sum(axis=(1, 2)).astype(np.int64)
    invitable_uninvited = invitable - letters_pending
    call_capacity = calls_per_ward_day(scenario)
    calling = bool(call_capacity.any())
    callable_left = (state.no_shows if state.callable_no_shows is None else state.callable_no_shows).copy()
    no_shows_by_day = np.zeros((n_wards, n_days), dtype=np.int64)

    for d in range(first_day, n_days):
        day_arrivals = split_over_open_shifts(arrivals[:, d], decisions.kits_open[:, d, :] > 0, preference)
        called_in = np.full(n_wards, -1)
        arriving_called = np.zeros(n_wards, dtype=np.int64)
        if calling:
            lag = demand.follow_up_after_days
            if d - lag >= first_day:
                callable_left += no_shows_by_day[:, d - lag]
            kit_hours_of_day = decisions.kits_open[:, d, :] * hours[None, :]
            is_open = kit_hours_of_day.sum(axis=1) > 0
            calls = np.where(is_open, np.minimum(call_capacity, callable_left), 0)
            callable_left -= calls
            arriving_called = _floor(demand.follow_up_show_up * calls)
            named = decisions.call_shifts()[:, d]
            called_in = np.where(is_open, np.where(named >= 0, named, np.argmax(kit_hours_of_day, axis=1)), -1)
            for w in np.flatnonzero(calls):
                out["calls"][w, d, called_in[w]] = calls[w]
        for s in range(n_shifts):
            arriving = day_arrivals[:, s]
            back = returns_due[:, d, s]
            walk_in_to_come -= arriving
            letters = decisions.letters[:, d, s]
            showing = _floor(demand.invitation_show_up * letters)
            letters_pending -= letters
            no_shows += letters - showing
            no_shows_by_day[:, d] += letters - showing
            called = np.where(called_in == s, arriving_called, 0)
            no_shows -= called
            showing = showing + called
            qw = qw + arriving + back
            qi = qi + showing
            kit_hours = decisions.kits_open[:, d, s] * hours[s]
            served_i = np.minimum(qi, _floor(kit_hours * rates.invited))
            hours_left = kit_hours - served_i / rates.invited
            served_w = np.minimum(qw, _floor(hours_left * rates.walk_in))
            served_h = np.zeros(n_wards, dtype=np.int64)
            if s == home_shift:
                served_h = np.minimum(homebound, _floor(decisions.home_visit_teams[:, d, s] * hours[s]
                                                        * settings.home_visit.people_per_team_hour))
            served_m = np.zeros(n_wards, dtype=np.int64)
            if s in mobile_shifts:
                served_m = np.minimum(institution, _floor(decisions.mobile_kits[:, d, s] * hours[s]
                                                          * rates.institution))
            homebound -= served_h
            institution -= served_m
            left_w = qw - served_w
            left_i = qi - served_i
            gave_up_w = _floor(demand.give_up_share * left_w)
            gave_up_i = _floor(demand.give_up_share * left_i)
            gave_up = gave_up_w + gave_up_i
            qw = left_w - gave_up_w
            qi = left_i - gave_up_i
            coming_back = _floor(demand.return_share * gave_up)
            if d + demand.return_after_days < n_days:
                returns_due[:, d + demand.return_after_days, s] += coming_back
                lost += gave_up - coming_back
            else:
                lost += gave_up
            enrolled += served_w + served_i + served_h + served_m
            pending_returns = returns_due[:, d:, :].sum(axis=(1, 2)) - returns_due[:, d, :s + 1].sum(axis=1)

            out["arrivals_walk_in"][:, d, s] = arriving
            out["returns"][:, d, s] = back
            out["arrivals_invited"][:, d, s] = showing
            out["served_walk_in"][:, d, s] = served_w
            out["served_invited"][:, d, s] = served_i
            out["served_homebound"][:, d, s] = served_h
            out["served_institution"][:, d, s] = served_m
            out["queue_walk_in_end"][:, d, s] = qw
            out["queue_invited_end"][:, d, s] = qi
            out["gave_up"][:, d, s] = gave_up
            out["given_up_end"][:, d, s] = lost + pending_returns
            out["not_yet_arrived_end"][:, d, s] = (walk_in_to_come + invitable_uninvited + letters_pending
                                                   + no_shows + homebound + institution)
    return Outcome(**out, target=target, extra={"enrolled_before": state.enrolled.copy()})


def conservation_gap(outcome: Outcome) -> int:
    """Largest |enrolled + waiting + not yet arrived + given up - target| over wards and shifts."""
    served_cum = np.cumsum(outcome.served.reshape(outcome.served.shape[0], -1), axis=1)
    served_cum = served_cum + np.asarray(outcome.extra.get("enrolled_before", 0)).reshape(-1, 1)
    total = (served_cum + outcome.queue_end.reshape(served_cum.shape)
             + outcome.not_yet_arrived_end.reshape(served_cum.shape)
             + outcome.given_up_end.reshape(served_cum.shape))
    return int(np.abs(total - outcome.target.reshape(-1, 1)).max()) if total.size else 0
