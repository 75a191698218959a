"""The capacity model of one district: a mixed-integer program over wards, days and shifts.

Variables, then one method per rule family (each states its rule), then the objective. The
model is a relaxation of docs/dynamics.md (whole people and rounding are left to the
simulation), so its LP value bounds what any plan can achieve, and its integer solution is a
plan that the simulation then plays out exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..demand import calls_per_ward_day, shift_weights, walk_in_total
from ..scenario import Scenario
from ..staffing import CrewNeeds, DistrictBudget, campaign_weeks, incompatible_shift_pairs, shift_groups
from .lp import INF, LinearProgram


@dataclass
class DistrictInput:
    """Everything one district's model needs; picklable for the process executor."""

    scenario: Scenario
    district_code: str
    ward_index: np.ndarray        # positions of the district's wards in scenario.wards
    arrivals: np.ndarray          # [wards, days] walk-in arrivals per day (window days used)
    budget: DistrictBudget
    first_day: int = 0
    queue_walk_in: np.ndarray | None = None
    queue_invited: np.ndarray | None = None
    homebound_left: np.ndarray | None = None
    institution_left: np.ndarray | None = None
    invitable_left: np.ndarray | None = None
    enrolled_before: np.ndarray | None = None
    returns_due: np.ndarray | None = None
    pinned: object | None = None   # simulation.Decisions of [wards, days, shifts]; -1 where free
    ceiling: object | None = None  # simulation.Decisions of [wards, days, shifts]: most kits, mobile kits, teams
    previous: object | None = None  # simulation.Decisions of the published plan: ties go its way
    change_cost: float = 0.0        # people per kit, mobile kit or team moved away from `previous`
    # officers of each role (CrewNeeds.roles order) the roster staffed per [role, day, shift]:
    # crews may not ask more of a role than that (a re-plan where the officers fell short)
    crew_ceiling: np.ndarray | None = None
    callable_no_shows: np.ndarray | None = None   # no-shows the working groups may call from first_day


class DistrictModel:
    """Builds the MIP for one district; `reserve` is a fixed count or (price, most) to choose."""

    def __init__(self, data: DistrictInput, *, reserve: int | tuple[float, int] = 0,
                 objective: str = "weighted"):
        self.data = data
        self.scenario = data.scenario
        self.settings = self.scenario.settings
        self.objective_mode = objective
        self.reserve = reserve
        wards = self.scenario.wards.iloc[data.ward_index]
        self.wards = wards
        self.n_wards = len(wards)
        self.shift_codes = self.scenario.shift_codes
        self.n_shifts = len(self.shift_codes)
        self.days = list(range(data.first_day, self.scenario.n_days))
        self.n_window_days = len(self.days)
        self.n_slots = self.n_window_days * self.n_shifts
        self.shift_hours = np.array([s.hours for s in self.scenario.shifts])
        self.crew = CrewNeeds.of(self.scenario)
        self.mobile_shift_index = [self.shift_codes.index(code) for code in self.settings.mobile_kit.shifts]
        self.home_shift_index = self.shift_codes.index(self.settings.home_visit.shift)
        self.shift_groups = shift_groups(self.scenario)
        self._crew_terms_kept: dict = {}
        self._crew_patterns_kept: dict = {}
        self.lp = LinearProgram(maximize=True)
        self._variables()
        self._arrivals_follow_opening()
        self._queues()
        self._give_ups()
        self._kit_capacity()
        self._returns()
        self._letters()
        self._home_visits()
        self._mobile_sessions()
        self._mobile_fleet()
        self._staffing()
        self._shortfall()
        self._objective()

    # -- helpers -------------------------------------------------------------------------
    def _state(self, name: str, default) -> np.ndarray:
        value = getattr(self.data, name)
        return np.asarray(default if value is None else value)

    def _shifted(self, var: np.ndarray, lag: int) -> np.ndarray:
        """var[:, t - lag] with -1 (no term) where t - lag falls before the window."""
        out = np.full_like(var, -1)
        if lag < var.shape[1]:
            out[:, lag:] = var[:, : var.shape[1] - lag]
        return out

    # -- variables -----------------------------------------------------------------------
    def _variables(self):
        lp, n_wards, n_slots = self.lp, self.n_wards, self.n_slots
        n_window_days, n_shifts = self.n_window_days, self.n_shifts
        kits_max = np.repeat(self.wards["fixed_kits"].to_numpy(float)[:, None], n_slots, axis=1)
        self.kits_open = lp.add_vars((n_wards, n_slots), upper=kits_max, integer=True)
        self.served_walk_in = lp.add_vars((n_wards, n_slots))
        self.served_invited = lp.add_vars((n_wards, n_slots))
        self.queue_walk_in = lp.add_vars((n_wards, n_slots))
        self.queue_invited = lp.add_vars((n_wards, n_slots))
        self.gave_up_walk_in = lp.add_vars((n_wards, n_slots))
        self.gave_up_invited = lp.add_vars((n_wards, n_slots))
        self.returns = lp.add_vars((n_wards, n_slots))
        self.arrivals_walk_in = lp.add_vars((n_wards, n_slots))          # walk-ins arriving in each shift
        self.closed_all_day = lp.add_vars((n_wards, n_window_days), upper=1.0)  # 1 when a ward is closed all day
        demand = self.settings.demand
        letters_max = np.full((n_wards, n_window_days, n_shifts), float(demand.max_letters_per_ward_day))
        for j, d in enumerate(self.days):
            if d < demand.invitation_lead_days:
                letters_max[:, j, :] = 0.0
        letters_min = np.zeros((n_wards, n_window_days, n_shifts))
        kits_min = np.zeros((n_wards, n_slots))
        mobile_kits_min, mobile_kits_max = np.zeros((n_wards, n_window_days)), np.full((n_wards, n_window_days), INF)
        teams_min, teams_max = np.zeros((n_wards, n_window_days)), np.full((n_wards, n_window_days), INF)
        pinned = self.data.pinned
        if pinned is not None:
            def pin(values, low, high):
                mask = values >= 0
                low[mask] = values[mask]
                high[mask] = values[mask]
            pin(pinned.letters[:, self.days, :], letters_min, letters_max)
            kits_max = kits_max.copy()
            pin(pinned.kits_open[:, self.days, :].reshape(n_wards, n_slots).astype(float), kits_min, kits_max)
            first_mobile = self.shift_codes.index(self.settings.mobile_kit.shifts[0])
            pin(pinned.mobile_kits[:, self.days, first_mobile].astype(float), mobile_kits_min, mobile_kits_max)
            home = self.shift_codes.index(self.settings.home_visit.shift)
            pin(pinned.home_visit_teams[:, self.days, home].astype(float), teams_min, teams_max)
        ceiling = self.data.ceiling
        if ceiling is not None:
            kits_max = np.minimum(kits_max, ceiling.kits_open[:, self.days, :].reshape(n_wards, n_slots).astype(float))
            first_mobile = self.shift_codes.index(self.settings.mobile_kit.shifts[0])
            mobile_kits_max = np.minimum(mobile_kits_max, ceiling.mobile_kits[:, self.days, first_mobile].astype(float))
            home = self.shift_codes.index(self.settings.home_visit.shift)
            teams_max = np.minimum(teams_max, ceiling.home_visit_teams[:, self.days, home].astype(float))
        if pinned is not None or ceiling is not None:
            lp.lower[0] = np.minimum(kits_min.ravel(), kits_max.ravel())
            lp.upper[0] = kits_max.ravel()
        self.letters = lp.add_vars((n_wards, n_slots), lower=letters_min.reshape(n_wards, n_slots),
                                   upper=letters_max.reshape(n_wards, n_slots))
        self.mobile_kits = lp.add_vars((n_wards, n_window_days), lower=mobile_kits_min, upper=mobile_kits_max,
                                       integer=True)
        self.served_institution = lp.add_vars((n_wards, n_window_days))
        self.home_visit_teams = lp.add_vars((n_wards, n_window_days), lower=teams_min, upper=teams_max, integer=True)
        self.served_homebound = lp.add_vars((n_wards, n_window_days))
        if isinstance(self.reserve, tuple):
            price, most = self.reserve
            self.city_kits_taken = lp.add_vars((1,), upper=float(most), cost=-float(price))
        else:
            self.city_kits_taken = lp.add_vars((1,), lower=float(self.reserve), upper=float(self.reserve))

    # -- rules ---------------------------------------------------------------------------
    def _arrivals_follow_opening(self):
        """A day's walk-ins come in the shifts the ward is open; closed all day, they come in the
        first shift and wait: arrivals[s] <= day total * kits[s] (+ day total * closed_all_day in
        the first shift), closed_all_day <= 1 - kits[s] / fixed_kits, and they add up to the day.
        An open shift gets at least its preference share of the day, less one person of
        rounding: arrivals[s] >= day total * preference[s] * kits[s] / fixed_kits - 1."""
        lp, n_wards, n_window_days, n_shifts = self.lp, self.n_wards, self.n_window_days, self.n_shifts
        day_total = self.data.arrivals[:, self.days].astype(float)          # [n_wards, n_window_days]
        per_shift = np.repeat(day_total, n_shifts, axis=1)                          # [n_wards, n_slots]
        closed_in_first_shift = np.full((n_wards, self.n_slots), -1)
        closed_in_first_shift[:, ::n_shifts] = self.closed_all_day
        lp.add_rows("arrivals_when_open", [(self.arrivals_walk_in, 1.0), (self.kits_open, -per_shift),
                                            (closed_in_first_shift, -per_shift)], upper=0.0)
        arrivals = self.arrivals_walk_in.reshape(n_wards, n_window_days, n_shifts)
        groups = [arrivals[w, j] for w in range(n_wards) for j in range(n_window_days)]
        lp.add_sum_rows("arrivals_per_day", groups, lower=day_total.ravel(), upper=day_total.ravel())
        kits = self.wards["fixed_kits"].to_numpy(float)
        inverse = np.where(kits > 0, 1.0 / np.maximum(kits, 1.0), 0.0)
        closed_per_shift = np.repeat(self.closed_all_day, n_shifts, axis=1)
        lp.add_rows("closed_all_day", [(closed_per_shift, 1.0),
                                        (self.kits_open, np.repeat(inverse[:, None], self.n_slots, axis=1))],
                    upper=1.0)
        preference = shift_weights(self.scenario)
        preference = preference / preference.sum()
        share = per_shift * np.tile(preference, n_window_days)[None, :] * inverse[:, None]
        lp.add_rows("arrivals_preference", [(self.arrivals_walk_in, 1.0), (self.kits_open, -share)],
                    lower=-(1.0 - 1e-6))

    def _queues(self):
        """People are conserved in each queue: waiting now = waiting before + arrivals - served - gave up."""
        lp, n_wards = self.lp, self.n_wards
        queue_walk_in_start = self._state("queue_walk_in", np.zeros(n_wards)).astype(float)
        queue_invited_start = self._state("queue_invited", np.zeros(n_wards)).astype(float)
        walk_in_start_per_slot = np.zeros((n_wards, self.n_slots))
        walk_in_start_per_slot[:, 0] += queue_walk_in_start
        invited_start_per_slot = np.zeros((n_wards, self.n_slots))
        invited_start_per_slot[:, 0] += queue_invited_start
        show = self.settings.demand.invitation_show_up
        self.rows_queue_walk_in = lp.add_rows("queue_walk_in", [
            (self.queue_walk_in, 1.0), (self._shifted(self.queue_walk_in, 1), -1.0), (self.served_walk_in, 1.0),
            (self.gave_up_walk_in, 1.0), (self.returns, -1.0), (self.arrivals_walk_in, -1.0)],
            lower=walk_in_start_per_slot, upper=walk_in_start_per_slot)
        invited_arrivals = self._follow_up(show)
        self.rows_queue_invited = lp.add_rows("queue_invited", [
            (self.queue_invited, 1.0), (self._shifted(self.queue_invited, 1), -1.0), (self.served_invited, 1.0),
            (self.gave_up_invited, 1.0),
            *invited_arrivals], lower=invited_start_per_slot, upper=invited_start_per_slot)

    def _follow_up(self, show: float) -> list:
        """Terms of the invited arrivals: show * letters; with door-to-door calls (a ward's
        working groups call no-shows follow_up_after_days after their slot, at most their
        daily calls), also the called who come. Each is as loose as whole-people rounding
        allows: arrivals from letters a in [show * L - (1 - 1e-6), show * L], no-shows L - a
        callable from follow_up_after_days later (the window's earlier no-shows: at most the
        invitable pool), calls c a day at most the ward's calls, arrivals from calls at most
        follow_up_show_up * c. The simulation's rule (call as many as possible on open days,
        for the one shift the plan names, else the one with most kit-hours) is one point of
        this set whatever shifts the plan names, so the bound holds."""
        capacity = calls_per_ward_day(self.scenario)[self.data.ward_index].astype(float)
        if not capacity.any():
            return [(self.letters, -show)]
        lp, n_wards, n_slots = self.lp, self.n_wards, self.n_slots
        n_window_days, n_shifts = self.n_window_days, self.n_shifts
        demand = self.settings.demand
        arrived = lp.add_vars((n_wards, n_slots))
        lp.add_rows("letters_show_up", [(arrived, 1.0), (self.letters, -show)],
                    lower=-(1.0 - 1e-6), upper=0.0)
        self.calls = lp.add_vars((n_wards, n_slots), upper=np.repeat(capacity[:, None], n_slots, axis=1))
        called = lp.add_vars((n_wards, n_slots))
        lp.add_rows("calls_show_up", [(called, 1.0), (self.calls, -demand.follow_up_show_up)], upper=0.0)
        per_day = self.calls.reshape(n_wards, n_window_days, n_shifts)
        lp.add_sum_rows("calls_per_day", [per_day[w, j] for w in range(n_wards) for j in range(n_window_days)],
                        upper=np.repeat(capacity, n_window_days))
        earlier = np.zeros(n_wards)
        if self.data.first_day > 0:
            earlier = self._state("invitable_left", self._default_invitable()).astype(float)
        # who can still be called, as a stock: the no-shows of a day's slots become callable
        # follow_up_after_days later, the calls of a day come off, and the stock never goes
        # below zero (the same as: calls up to each day <= earlier no-shows + no-shows seen by
        # then, with one row a day instead of sums over the whole window so far)
        lag = demand.follow_up_after_days
        callable_left = lp.add_vars((n_wards, n_window_days))
        by_day = lambda var: var.reshape(n_wards, n_window_days, n_shifts)  # noqa: E731
        terms = [(callable_left, 1.0), (self._shifted(callable_left, 1), -1.0)]
        terms += [(by_day(self.calls)[:, :, s], 1.0) for s in range(n_shifts)]
        terms += [(self._shifted(by_day(self.letters)[:, :, s], lag), -1.0) for s in range(n_shifts)]
        terms += [(self._shifted(by_day(arrived)[:, :, s], lag), 1.0) for s in range(n_shifts)]
        start = np.zeros((n_wards, n_window_days))
        start[:, 0] = earlier
        lp.add_rows("calls_callable", terms, lower=start, upper=start)
        return [(arrived, -1.0), (called, -1.0)]

    def _give_ups(self):
        """At a shift's close give_up_share of those still waiting leave, rounded down:
        share * (queue + gave_up) - (1 - 1e-6) <= gave_up <= share * (queue + gave_up), as loose as
        whole-people rounding allows and no looser (nobody leaves a queue for free)."""
        share = self.settings.demand.give_up_share
        slack = 1.0 - 1e-6 if share > 0 else 0.0
        for gave_up, queue, name in ((self.gave_up_walk_in, self.queue_walk_in, "give_up_walk_in"),
                                     (self.gave_up_invited, self.queue_invited, "give_up_invited")):
            self.lp.add_rows(name, [(gave_up, 1.0 - share), (queue, -share)], lower=-slack, upper=0.0)

    def _kit_capacity(self):
        """Kit hours bound service: served_invited / rate + served_walk_in / rate <= kits * hours."""
        rates = self.settings.throughput_per_kit_hour
        hours = np.tile(self.shift_hours, self.n_window_days)[None, :].repeat(self.n_wards, axis=0)
        self.rows_kit_capacity = self.lp.add_rows("kit_capacity", [
            (self.served_invited, 1.0 / rates.invited), (self.served_walk_in, 1.0 / rates.walk_in),
            (self.kits_open, -hours)], upper=0.0)

    def _returns(self):
        """Of those who gave up, return_share (rounded down) come back return_after_days later,
        same shift: return_share * gave_up - (1 - 1e-6) <= returns - due <= return_share * gave_up, where
        due are the returns of give-ups before the window."""
        demand = self.settings.demand
        lag = demand.return_after_days * self.n_shifts
        due = np.zeros((self.n_wards, self.n_slots))
        if self.data.returns_due is not None:
            due = self.data.returns_due[:, self.days, :].reshape(self.n_wards, self.n_slots).astype(float)
        gave_up_before = np.zeros((self.n_wards, self.n_slots), dtype=bool)
        gave_up_before[:, lag:] = demand.return_share > 0
        slack = np.where(gave_up_before, 1.0 - 1e-6, 0.0)
        self.lp.add_rows("returns", [(self.returns, 1.0),
                                     (self._shifted(self.gave_up_walk_in, lag), -demand.return_share),
                                     (self._shifted(self.gave_up_invited, lag), -demand.return_share)],
                         lower=due - slack, upper=due)

    def _letters(self):
        """Letters per ward and day are capped, and no ward gets more letters than its invitable pool."""
        demand = self.settings.demand
        per_day = self.letters.reshape(self.n_wards, self.n_window_days, self.n_shifts)
        groups = [per_day[w, j] for w in range(self.n_wards) for j in range(self.n_window_days)]
        self.lp.add_sum_rows("letters_per_day", groups, upper=float(demand.max_letters_per_ward_day))
        pool = self._state("invitable_left", self._default_invitable()).astype(float)
        self.rows_letters_pool = self.lp.add_sum_rows("letters_pool", [self.letters[w] for w in range(self.n_wards)],
                                                      upper=pool)

    def _default_invitable(self):
        turnout = self.settings.demand.walk_in_turnout
        return np.array([int(r.invited) + int(r.walk_in) - walk_in_total(int(r.walk_in), turnout)
                         for r in self.wards.itertuples()])

    def _home_visits(self):
        """A home-visit team enrolls people_per_team_hour in its evening slot; homebound only."""
        home_visit = self.settings.home_visit
        slot_hours = self.shift_hours[self.shift_codes.index(home_visit.shift)]
        self.rows_home_capacity = self.lp.add_rows(
            "home_visit_capacity", [(self.served_homebound, 1.0),
                                    (self.home_visit_teams, -slot_hours * home_visit.people_per_team_hour)],
            upper=0.0)
        left = self._state("homebound_left", self.wards["homebound"].to_numpy()).astype(float)
        self.lp.add_sum_rows("homebound_pool", [self.served_homebound[w] for w in range(self.n_wards)], upper=left)

    def _mobile_sessions(self):
        """A mobile kit on site enrolls institution residents at its rate over the mobile shifts of a day."""
        settings = self.settings
        hours = sum(self.shift_hours[self.shift_codes.index(code)] for code in settings.mobile_kit.shifts)
        rate = settings.throughput_per_kit_hour.institution
        self.rows_mobile_capacity = self.lp.add_rows(
            "mobile_capacity", [(self.served_institution, 1.0), (self.mobile_kits, -hours * rate)], upper=0.0)
        left = self._state("institution_left", self.wards["institution"].to_numpy()).astype(float)
        self.lp.add_sum_rows("institution_pool", [self.served_institution[w] for w in range(self.n_wards)], upper=left)

    def _mobile_fleet(self):
        """Mobile kits on site each day <= the district's own plus those lent by the city."""
        own = float(self.scenario.districts.at[self.data.district_code, "mobile_kits"])
        groups = [np.append(self.mobile_kits[:, j], self.city_kits_taken[0]) for j in range(self.n_window_days)]
        coefs = [np.append(np.ones(self.n_wards), -1.0) for _ in range(self.n_window_days)]
        self.rows_mobile_fleet = self.lp.add_sum_rows("mobile_fleet", groups, coefs, upper=own)

    def _crew_terms(self, role_set: frozenset, j: int, s: int | None):
        """Variables and coefficients of the crew of roles in role_set on window day j (shift s or
        all). The same terms enter many rows (shift, day, week, rest, succession, window), so they
        are worked out once per (role set, day, shift) and kept (read-only)."""
        key = (role_set, j, s)
        terms = self._crew_terms_kept.get(key)
        if terms is None:
            terms = self._crew_terms_of(role_set, j, s)
            self._crew_terms_kept[key] = terms
        return terms

    def _crew_terms_of(self, role_set: frozenset, j: int, s: int | None):
        blocks, coefs = self._crew_pattern(role_set, s)
        if not blocks:
            variables = np.zeros(0, dtype=np.int64)
        else:
            columns = {"kit": lambda sh: self.kits_open[:, j * self.n_shifts + sh],
                       "mobile": lambda sh: self.mobile_kits[:, j], "home": lambda sh: self.home_visit_teams[:, j]}
            variables = np.concatenate([columns[kind](sh) for kind, sh in blocks])
        variables.flags.writeable = False
        return variables, coefs

    def _crew_pattern(self, role_set: frozenset, s: int | None):
        """Which crews of a day (kits of each shift, mobile kits, teams) the roles in role_set
        staff on shift s (or all shifts), in the order of their terms, and the coefficients
        (officers per crew, one per ward), the same on every day: kept (read-only)."""
        key = (role_set, s)
        kept = self._crew_patterns_kept.get(key)
        if kept is not None:
            return kept
        crew = self.crew
        kit = crew.total(crew.kit, role_set)
        mobile = crew.total(crew.mobile, role_set)
        home = crew.total(crew.home_visit, role_set)
        blocks, coefs = [], []
        for sh in (range(self.n_shifts) if s is None else [s]):
            if kit:
                blocks.append(("kit", sh)), coefs.append(np.full(self.n_wards, float(kit)))
            if mobile and sh in self.mobile_shift_index:
                blocks.append(("mobile", sh)), coefs.append(np.full(self.n_wards, float(mobile)))
            if home and sh == self.home_shift_index:
                blocks.append(("home", sh)), coefs.append(np.full(self.n_wards, float(home)))
        values = np.concatenate(coefs) if coefs else np.zeros(0)
        values.flags.writeable = False
        kept = (blocks, values)
        self._crew_patterns_kept[key] = kept
        return kept

    def _staffing(self):
        """Crew fits the district's officers: per shift for every role set (Hall), per day (shifts)
        and per week (hours); and per role and shift within `crew_ceiling` when given."""
        budget = self.data.budget
        groups, coefs, upper, self.staffing_rows = [], [], [], []
        ceiling = self.data.crew_ceiling
        roles = self.crew.roles
        for set_index, role_set in enumerate(budget.role_sets):
            single = roles.index(next(iter(role_set))) if len(role_set) == 1 and ceiling is not None else None
            for j, d in enumerate(self.days):
                for s in range(self.n_shifts):
                    crew_vars, crew_coefs = self._crew_terms(role_set, j, s)
                    if len(crew_vars):
                        most = budget.per_shift[set_index, d] if single is None else \
                            min(budget.per_shift[set_index, d], ceiling[single, d, s])
                        groups.append(crew_vars), coefs.append(crew_coefs), upper.append(most)
                        self.staffing_rows.append(("shift", role_set, d, s))
                crew_vars, crew_coefs = self._crew_terms(role_set, j, None)
                if len(crew_vars):
                    groups.append(crew_vars), coefs.append(crew_coefs), upper.append(budget.per_day[set_index, d])
                    self.staffing_rows.append(("day", role_set, d, None))
            for w, week in enumerate(campaign_weeks(self.scenario.n_days)):
                window = [j for j, d in enumerate(self.days) if d in week]
                if not window:
                    continue
                # officer-hours: each crew counts its shift's hours (shifts of different lengths)
                parts = [self._crew_terms(role_set, j, s) for j in window for s in range(self.n_shifts)]
                hours = [self.scenario.shifts[s].hours for _ in window for s in range(self.n_shifts)]
                crew_vars = np.concatenate([part[0] for part in parts])
                if len(crew_vars):
                    groups.append(crew_vars)
                    coefs.append(np.concatenate([part[1] * part_hours for part, part_hours in zip(parts, hours)]))
                    upper.append(budget.per_week_hours[set_index, w])
                    self.staffing_rows.append(("week", role_set, w, None))
        self._officer_rules(budget, groups, coefs, upper)
        upper = _whole_crews(coefs, np.array(upper, float))
        self.rows_staffing = self.lp.add_sum_rows("staffing", groups, coefs, upper=np.array(upper, float))

    def _officer_rules(self, budget, groups, coefs, upper):
        """What the roster's own rules imply for crews (each valid for every roster):
        - two shifts of a day that one officer may not both work (rest) need distinct officers;
        - a forbidden succession (a on day d, b on day d+1) needs distinct officers;
        - in every window of 7 consecutive days an officer works at most 7 - min_days_off_per_7
          days (and at most max_consecutive_days in any window one day longer), leave days
          excluded, covering at most one shift of each such group a day."""
        if budget.headcount is None:
            return
        rules = self.settings.officer_rules
        pairs = incompatible_shift_pairs(self.scenario)
        successions = [(self.shift_codes.index(a), self.shift_codes.index(b)) for a, b in rules.forbidden_successions]
        position = {d: j for j, d in enumerate(self.days)}
        crew = self.crew
        relevant = {frozenset(crew.kit), frozenset(crew.mobile), frozenset(crew.home_visit),
                    frozenset(crew.roles)} | {frozenset([r]) for r in crew.roles}
        for set_index, role_set in enumerate(budget.role_sets):
            if role_set not in relevant:   # the sets a crew is made of are where these rules bind
                continue
            headcount = int(budget.headcount[set_index])
            for j, d in enumerate(self.days):
                for a, b in pairs:
                    first_vars, first_coefs = self._crew_terms(role_set, j, a)
                    second_vars, second_coefs = self._crew_terms(role_set, j, b)
                    if len(first_vars) and len(second_vars):
                        groups.append(np.concatenate((first_vars, second_vars)))
                        coefs.append(np.concatenate((first_coefs, second_coefs)))
                        upper.append(budget.per_shift[set_index, d])
                        self.staffing_rows.append(("rest", role_set, d, (a, b)))
                if d + 1 in position:
                    for a, b in successions:
                        first_vars, first_coefs = self._crew_terms(role_set, j, a)
                        second_vars, second_coefs = self._crew_terms(role_set, position[d + 1], b)
                        if len(first_vars) and len(second_vars):
                            groups.append(np.concatenate((first_vars, second_vars)))
                            coefs.append(np.concatenate((first_coefs, second_coefs)))
                            upper.append(headcount)
                            self.staffing_rows.append(("succession", role_set, d, (a, b)))
            for length, days in budget.work_day_windows:
                for first in range(days.shape[1]):
                    if first not in position or first + length - 1 not in position:
                        continue   # windows reaching into days already worked are left out
                    window = [position[d] for d in range(first, first + length)]
                    for group in self.shift_groups:
                        parts = [self._crew_terms(role_set, j, s) for j in window for s in group]
                        crew_vars = np.concatenate([part[0] for part in parts])
                        if len(crew_vars):
                            groups.append(crew_vars), coefs.append(np.concatenate([part[1] for part in parts]))
                            upper.append(int(days[set_index, first]))
                            self.staffing_rows.append(("window", role_set, first, (length, group)))

    def enrolled_cost(self) -> np.ndarray:
        """The objective of `objective="enrolled"` over this model's variables: people enrolled
        in the window, less the price of the city kits taken (the equity rows then never bind)."""
        cost = np.zeros(self.lp.n_vars)
        for block in (self.served_walk_in, self.served_invited, self.served_institution, self.served_homebound):
            cost[block.ravel()] = self.settings.objective.enrolled
        if isinstance(self.reserve, tuple):
            cost[self.city_kits_taken[0]] = -float(self.reserve[0])
        return cost

    def enrolled_terms(self, w: int) -> np.ndarray:
        return np.concatenate([self.served_walk_in[w], self.served_invited[w], self.served_institution[w],
                               self.served_homebound[w]])

    def _shortfall(self):
        """Equity: a ward's shortfall above each step (share of its target) costs extra per person."""
        steps = self.settings.objective.shortfall_steps if self.objective_mode == "weighted" else []
        target = self.wards["target"].to_numpy(float)
        before = self._state("enrolled_before", np.zeros(self.n_wards)).astype(float)
        self.shortfall_per_step = []
        for threshold, weight in steps:
            shortfall = self.lp.add_vars((self.n_wards,), cost=-weight)
            groups = [np.append(self.enrolled_terms(w), shortfall[w]) for w in range(self.n_wards)]
            lower = target - before - threshold * target
            self.lp.add_sum_rows(f"shortfall_{threshold}", groups, lower=lower)
            self.shortfall_per_step.append(shortfall)

    def _keep_previous(self, cost: np.ndarray) -> None:
        """Re-planning: a kit (mobile kit, team) the published plan had open earns change_cost, one it
        had closed costs change_cost, so among (nearly) equal plans the one closest to it wins."""
        previous, change = self.data.previous, self.data.change_cost
        if previous is None or change <= 0:
            return
        kits_max = self.wards["fixed_kits"].to_numpy()[:, None]
        previous_kits = previous.kits_open[:, self.days, :].reshape(self.n_wards, self.n_slots)
        cost[self.kits_open.ravel()] += change * np.where((previous_kits >= kits_max) & (kits_max > 0), 1.0,
                                                  np.where(previous_kits == 0, -1.0, 0.0)).ravel()
        first_mobile = self.shift_codes.index(self.settings.mobile_kit.shifts[0])
        home = self.shift_codes.index(self.settings.home_visit.shift)
        for var, prev in ((self.mobile_kits, previous.mobile_kits[:, self.days, first_mobile]),
                          (self.home_visit_teams, previous.home_visit_teams[:, self.days, home])):
            cost[var.ravel()] += change * np.where(prev > 0, 1.0, -1.0).ravel()

    def _objective(self):
        """Most enrolled first; then equity (above), waits, officer-shifts and mobile deployments."""
        weights = self.settings.objective
        lp = self.lp
        cost = np.concatenate(lp.cost)
        enrolled_weight = weights.enrolled
        for block in (self.served_walk_in, self.served_invited, self.served_institution, self.served_homebound):
            cost[block.ravel()] += enrolled_weight
        if self.objective_mode == "weighted":
            cost[self.queue_walk_in.ravel()] -= weights.wait_per_person_shift
            cost[self.queue_invited.ravel()] -= weights.wait_per_person_shift
            crew = self.crew
            kit_crew = sum(crew.kit.values())
            mobile_crew = sum(crew.mobile.values()) * len(self.settings.mobile_kit.shifts)
            home_crew = sum(crew.home_visit.values())
            cost[self.kits_open.ravel()] -= weights.officer_shift * kit_crew
            cost[self.mobile_kits.ravel()] -= weights.officer_shift * mobile_crew + weights.kit_move
            cost[self.home_visit_teams.ravel()] -= weights.officer_shift * home_crew
            self._keep_previous(cost)
        # rebuild the cost blocks as one array
        lp.cost = [cost]


def _whole_crews(coefs: list[np.ndarray], most: np.ndarray) -> np.ndarray:
    """A crew row counts whole kits, mobile kits and teams: when every crew in a row needs a
    multiple of `divisor` officers, at most divisor * floor(most / divisor) of the officers can
    be used (a valid cut for the integer plan that the relaxation would otherwise not see).
    `coefs` are the rows' coefficients, `most` their upper bounds; returns the bounds."""
    out = np.array(most, float)
    sizes = np.fromiter((len(c) for c in coefs), np.int64, len(coefs))
    rows = np.flatnonzero(sizes > 0)
    if not len(rows):
        return out
    values = np.concatenate([np.asarray(coefs[r], float) for r in rows])
    starts = np.r_[0, np.cumsum(sizes[rows])[:-1]]
    whole = np.rint(values)
    # np.allclose's tolerance, written out
    fractional = np.add.reduceat((np.abs(values - whole) > 1e-8 + 1e-5 * np.abs(whole)).astype(np.int64), starts) > 0
    divisor = np.gcd.reduceat(np.abs(whole).astype(np.int64), starts)
    cut = ~fractional & np.isfinite(out[rows]) & (divisor > 1)
    rows, divisor = rows[cut], divisor[cut]
    out[rows] = divisor * np.floor(out[rows] / divisor + 1e-9)
    return out
