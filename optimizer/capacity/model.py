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
    arrivals: np.ndarray          # [n, days] walk-in arrivals per day (window days used)
    budget: DistrictBudget
    first_day: int = 0
    queue_walk_in: np.ndarray | None = None
    queue_invited: np.ndarray | None = None
    homebound_left: np.ndarray | None = None
    institution_left: np.ndarray | None = None
    invitable_left: np.ndarray | None = None
    enrolled_before: np.ndarray | None = None
    returns_due: np.ndarray | None = None
    pinned: object | None = None   # simulation.Decisions of [n, days, shifts]; -1 where free
    ceiling: object | None = None  # simulation.Decisions of [n, days, shifts]: most kits, mobile kits, teams
    previous: object | None = None  # simulation.Decisions of the published plan: ties go its way
    change_cost: float = 0.0        # people per kit, mobile kit or team moved away from `previous`
    # officers of each role (CrewNeeds.roles order) the roster staffed per [role, day, shift]:
    # crews may not ask more of a role than that (a re-plan where the officers fell short)
    crew_ceiling: np.ndarray | None = None


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
        self.n = len(wards)
        self.codes = self.scenario.shift_codes
        self.S = len(self.codes)
        self.days = list(range(data.first_day, self.scenario.n_days))
        self.D = len(self.days)
        self.T = self.D * self.S
        self.hours = np.array([s.hours for s in self.scenario.shifts])
        self.crew = CrewNeeds.of(self.scenario)
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
        lp, n, T, D, S = self.lp, self.n, self.T, self.D, self.S
        kits_max = np.repeat(self.wards["fixed_kits"].to_numpy(float)[:, None], T, axis=1)
        self.k = lp.add_vars((n, T), upper=kits_max, integer=True)
        self.sw = lp.add_vars((n, T))
        self.si = lp.add_vars((n, T))
        self.qw = lp.add_vars((n, T))
        self.qi = lp.add_vars((n, T))
        self.gw = lp.add_vars((n, T))
        self.gi = lp.add_vars((n, T))
        self.rr = lp.add_vars((n, T))
        self.a = lp.add_vars((n, T))          # walk-ins arriving in each shift
        self.z = lp.add_vars((n, D), upper=1.0)  # 1 when a ward is closed all day
        demand = self.settings.demand
        letters_max = np.full((n, D, S), float(demand.max_letters_per_ward_day))
        for j, d in enumerate(self.days):
            if d < demand.invitation_lead_days:
                letters_max[:, j, :] = 0.0
        letters_min = np.zeros((n, D, S))
        kits_min = np.zeros((n, T))
        m_min, m_max = np.zeros((n, D)), np.full((n, D), INF)
        h_min, h_max = np.zeros((n, D)), np.full((n, D), INF)
        pinned = self.data.pinned
        if pinned is not None:
            def pin(values, low, high):
                mask = values >= 0
                low[mask] = values[mask]
                high[mask] = values[mask]
            pin(pinned.letters[:, self.days, :], letters_min, letters_max)
            kits_max = kits_max.copy()
            pin(pinned.kits_open[:, self.days, :].reshape(n, T).astype(float), kits_min, kits_max)
            first_mobile = self.codes.index(self.settings.mobile_kit.shifts[0])
            pin(pinned.mobile_kits[:, self.days, first_mobile].astype(float), m_min, m_max)
            home = self.codes.index(self.settings.home_visit.shift)
            pin(pinned.home_visit_teams[:, self.days, home].astype(float), h_min, h_max)
        ceiling = self.data.ceiling
        if ceiling is not None:
            kits_max = np.minimum(kits_max, ceiling.kits_open[:, self.days, :].reshape(n, T).astype(float))
            first_mobile = self.codes.index(self.settings.mobile_kit.shifts[0])
            m_max = np.minimum(m_max, ceiling.mobile_kits[:, self.days, first_mobile].astype(float))
            home = self.codes.index(self.settings.home_visit.shift)
            h_max = np.minimum(h_max, ceiling.home_visit_teams[:, self.days, home].astype(float))
        if pinned is not None or ceiling is not None:
            lp.lower[0] = np.minimum(kits_min.ravel(), kits_max.ravel())
            lp.upper[0] = kits_max.ravel()
        self.letters = lp.add_vars((n, T), lower=letters_min.reshape(n, T), upper=letters_max.reshape(n, T))
        self.m = lp.add_vars((n, D), lower=m_min, upper=m_max, integer=True)
        self.mi = lp.add_vars((n, D))
        self.h = lp.add_vars((n, D), lower=h_min, upper=h_max, integer=True)
        self.hh = lp.add_vars((n, D))
        if isinstance(self.reserve, tuple):
            price, most = self.reserve
            self.r = lp.add_vars((1,), upper=float(most), cost=-float(price))
        else:
            self.r = lp.add_vars((1,), lower=float(self.reserve), upper=float(self.reserve))

    # -- rules ---------------------------------------------------------------------------
    def _arrivals_follow_opening(self):
        """A day's walk-ins come in the shifts the ward is open; closed all day, they come in the
        first shift and wait: arrivals[s] <= day total * kits[s] (+ day total * closed_all_day in
        the first shift), closed_all_day <= 1 - kits[s] / fixed_kits, and they add up to the day.
        An open shift gets at least its preference share of the day, less one person of
        rounding: arrivals[s] >= day total * preference[s] * kits[s] / fixed_kits - 1."""
        lp, n, D, S = self.lp, self.n, self.D, self.S
        day_total = self.data.arrivals[:, self.days].astype(float)          # [n, D]
        per_shift = np.repeat(day_total, S, axis=1)                          # [n, T]
        zero_or_z = np.full((n, self.T), -1)
        zero_or_z[:, ::S] = self.z
        lp.add_rows("arrivals_when_open", [(self.a, 1.0), (self.k, -per_shift),
                                            (zero_or_z, -per_shift)], upper=0.0)
        a = self.a.reshape(n, D, S)
        groups = [a[w, j] for w in range(n) for j in range(D)]
        lp.add_sum_rows("arrivals_per_day", groups, lower=day_total.ravel(), upper=day_total.ravel())
        kits = self.wards["fixed_kits"].to_numpy(float)
        inverse = np.where(kits > 0, 1.0 / np.maximum(kits, 1.0), 0.0)
        z_per_shift = np.repeat(self.z, S, axis=1)
        lp.add_rows("closed_all_day", [(z_per_shift, 1.0), (self.k, np.repeat(inverse[:, None], self.T, axis=1))],
                    upper=1.0)
        preference = shift_weights(self.scenario)
        preference = preference / preference.sum()
        share = per_shift * np.tile(preference, D)[None, :] * inverse[:, None]
        lp.add_rows("arrivals_preference", [(self.a, 1.0), (self.k, -share)], lower=-(1.0 - 1e-6))

    def _queues(self):
        """People are conserved in each queue: waiting now = waiting before + arrivals - served - gave up."""
        lp, n = self.lp, self.n
        qw0 = self._state("queue_walk_in", np.zeros(n)).astype(float)
        qi0 = self._state("queue_invited", np.zeros(n)).astype(float)
        rhs_w = np.zeros((n, self.T))
        rhs_w[:, 0] += qw0
        rhs_i = np.zeros((n, self.T))
        rhs_i[:, 0] += qi0
        show = self.settings.demand.invitation_show_up
        self.rows_queue_walk_in = lp.add_rows("queue_walk_in", [
            (self.qw, 1.0), (self._shifted(self.qw, 1), -1.0), (self.sw, 1.0), (self.gw, 1.0),
            (self.rr, -1.0), (self.a, -1.0)], lower=rhs_w, upper=rhs_w)
        invited_arrivals = self._follow_up(show)
        self.rows_queue_invited = lp.add_rows("queue_invited", [
            (self.qi, 1.0), (self._shifted(self.qi, 1), -1.0), (self.si, 1.0), (self.gi, 1.0),
            *invited_arrivals], lower=rhs_i, upper=rhs_i)

    def _follow_up(self, show: float) -> list:
        """Terms of the invited arrivals: show * letters; with door-to-door calls (a ward's
        working groups call no-shows follow_up_after_days after their slot, at most their
        daily calls), also the called who come. Each is as loose as whole-people rounding
        allows: arrivals from letters a in [show * L - (1 - 1e-6), show * L], no-shows L - a
        callable from follow_up_after_days later (the window's earlier no-shows: at most the
        invitable pool), calls c a day at most the ward's calls, arrivals from calls at most
        follow_up_show_up * c. The simulation's rule (call as many as possible on open days,
        for the shift with most kit-hours) is one point of this set, so the bound holds."""
        capacity = calls_per_ward_day(self.scenario)[self.data.ward_index].astype(float)
        if not capacity.any():
            return [(self.letters, -show)]
        lp, n, T, D, S = self.lp, self.n, self.T, self.D, self.S
        demand = self.settings.demand
        arrived = lp.add_vars((n, T))
        lp.add_rows("letters_show_up", [(arrived, 1.0), (self.letters, -show)],
                    lower=-(1.0 - 1e-6), upper=0.0)
        self.calls = lp.add_vars((n, T), upper=np.repeat(capacity[:, None], T, axis=1))
        called = lp.add_vars((n, T))
        lp.add_rows("calls_show_up", [(called, 1.0), (self.calls, -demand.follow_up_show_up)], upper=0.0)
        per_day = self.calls.reshape(n, D, S)
        lp.add_sum_rows("calls_per_day", [per_day[w, j] for w in range(n) for j in range(D)],
                        upper=np.repeat(capacity, D))
        earlier = np.zeros(n)
        if self.data.first_day > 0:
            earlier = self._state("invitable_left", self._default_invitable()).astype(float)
        lag = demand.follow_up_after_days
        groups, coefs, upper = [], [], []
        for w in range(n):
            for j in range(D):
                made = self.calls[w, :(j + 1) * S]
                seen = max(0, j + 1 - lag) * S
                groups.append(np.concatenate([made, self.letters[w, :seen], arrived[w, :seen]]))
                coefs.append(np.concatenate([np.ones(len(made)), -np.ones(seen), np.ones(seen)]))
                upper.append(earlier[w])
        lp.add_sum_rows("calls_callable", groups, coefs, upper=np.array(upper))
        return [(arrived, -1.0), (called, -1.0)]

    def _give_ups(self):
        """At a shift's close give_up_share of those still waiting leave, rounded down:
        share * (q + g) - (1 - 1e-6) <= g <= share * (q + g), as loose as whole-people rounding
        allows and no looser (nobody leaves a queue for free)."""
        share = self.settings.demand.give_up_share
        slack = 1.0 - 1e-6 if share > 0 else 0.0
        for g, q, name in ((self.gw, self.qw, "give_up_walk_in"), (self.gi, self.qi, "give_up_invited")):
            self.lp.add_rows(name, [(g, 1.0 - share), (q, -share)], lower=-slack, upper=0.0)

    def _kit_capacity(self):
        """Kit hours bound service: served_invited / rate + served_walk_in / rate <= kits * hours."""
        rates = self.settings.throughput_per_kit_hour
        hours = np.tile(self.hours, self.D)[None, :].repeat(self.n, axis=0)
        self.rows_kit_capacity = self.lp.add_rows("kit_capacity", [
            (self.si, 1.0 / rates.invited), (self.sw, 1.0 / rates.walk_in), (self.k, -hours)], upper=0.0)

    def _returns(self):
        """Of those who gave up, return_share (rounded down) come back return_after_days later,
        same shift: return_share * g - (1 - 1e-6) <= returns - due <= return_share * g, where
        due are the returns of give-ups before the window."""
        demand = self.settings.demand
        lag = demand.return_after_days * self.S
        due = np.zeros((self.n, self.T))
        if self.data.returns_due is not None:
            due = self.data.returns_due[:, self.days, :].reshape(self.n, self.T).astype(float)
        gave_up_before = np.zeros((self.n, self.T), dtype=bool)
        gave_up_before[:, lag:] = demand.return_share > 0
        slack = np.where(gave_up_before, 1.0 - 1e-6, 0.0)
        self.lp.add_rows("returns", [(self.rr, 1.0), (self._shifted(self.gw, lag), -demand.return_share),
                                     (self._shifted(self.gi, lag), -demand.return_share)],
                         lower=due - slack, upper=due)

    def _letters(self):
        """Letters per ward and day are capped, and no ward gets more letters than its invitable pool."""
        demand = self.settings.demand
        per_day = self.letters.reshape(self.n, self.D, self.S)
        groups = [per_day[w, j] for w in range(self.n) for j in range(self.D)]
        self.lp.add_sum_rows("letters_per_day", groups, upper=float(demand.max_letters_per_ward_day))
        pool = self._state("invitable_left", self._default_invitable()).astype(float)
        self.rows_letters_pool = self.lp.add_sum_rows("letters_pool", [self.letters[w] for w in range(self.n)],
                                                      upper=pool)

    def _default_invitable(self):
        turnout = self.settings.demand.walk_in_turnout
        return np.array([int(r.invited) + int(r.walk_in) - walk_in_total(int(r.walk_in), turnout)
                         for r in self.wards.itertuples()])

    def _home_visits(self):
        """A home-visit team enrolls people_per_team_hour in its evening slot; homebound only."""
        hv = self.settings.home_visit
        slot_hours = self.hours[self.codes.index(hv.shift)]
        self.rows_home_capacity = self.lp.add_rows(
            "home_visit_capacity", [(self.hh, 1.0), (self.h, -slot_hours * hv.people_per_team_hour)], upper=0.0)
        left = self._state("homebound_left", self.wards["homebound"].to_numpy()).astype(float)
        self.lp.add_sum_rows("homebound_pool", [self.hh[w] for w in range(self.n)], upper=left)

    def _mobile_sessions(self):
        """A mobile kit on site enrolls institution residents at its rate over the mobile shifts of a day."""
        settings = self.settings
        hours = sum(self.hours[self.codes.index(c)] for c in settings.mobile_kit.shifts)
        rate = settings.throughput_per_kit_hour.institution
        self.rows_mobile_capacity = self.lp.add_rows(
            "mobile_capacity", [(self.mi, 1.0), (self.m, -hours * rate)], upper=0.0)
        left = self._state("institution_left", self.wards["institution"].to_numpy()).astype(float)
        self.lp.add_sum_rows("institution_pool", [self.mi[w] for w in range(self.n)], upper=left)

    def _mobile_fleet(self):
        """Mobile kits on site each day <= the district's own plus those lent by the city."""
        own = float(self.scenario.districts.at[self.data.district_code, "mobile_kits"])
        groups = [np.append(self.m[:, j], self.r[0]) for j in range(self.D)]
        coefs = [np.append(np.ones(self.n), -1.0) for _ in range(self.D)]
        self.rows_mobile_fleet = self.lp.add_sum_rows("mobile_fleet", groups, coefs, upper=own)

    def _crew_terms(self, role_set: frozenset, j: int, s: int | None):
        """Variables and coefficients of the crew of roles in role_set on window day j (shift s or all)."""
        crew, settings = self.crew, self.settings
        kit = crew.total(crew.kit, role_set)
        mobile = crew.total(crew.mobile, role_set)
        home = crew.total(crew.home_visit, role_set)
        mobile_shifts = [self.codes.index(c) for c in settings.mobile_kit.shifts]
        home_shift = self.codes.index(settings.home_visit.shift)
        shifts = range(self.S) if s is None else [s]
        variables, coefs = [], []
        for sh in shifts:
            if kit:
                variables.append(self.k[:, j * self.S + sh])
                coefs.append(np.full(self.n, float(kit)))
            if mobile and sh in mobile_shifts:
                variables.append(self.m[:, j])
                coefs.append(np.full(self.n, float(mobile)))
            if home and sh == home_shift:
                variables.append(self.h[:, j])
                coefs.append(np.full(self.n, float(home)))
        if not variables:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        return np.concatenate(variables), np.concatenate(coefs)

    def _staffing(self):
        """Crew fits the district's officers: per shift for every role set (Hall), per day (shifts)
        and per week (hours); and per role and shift within `crew_ceiling` when given."""
        budget = self.data.budget
        groups, coefs, upper, self.staffing_rows = [], [], [], []
        ceiling = self.data.crew_ceiling
        roles = self.crew.roles
        for k, role_set in enumerate(budget.role_sets):
            single = roles.index(next(iter(role_set))) if len(role_set) == 1 and ceiling is not None else None
            for j, d in enumerate(self.days):
                for s in range(self.S):
                    v, c = self._crew_terms(role_set, j, s)
                    if len(v):
                        most = budget.per_shift[k, d] if single is None else \
                            min(budget.per_shift[k, d], ceiling[single, d, s])
                        groups.append(v), coefs.append(c), upper.append(most)
                        self.staffing_rows.append(("shift", role_set, d, s))
                v, c = self._crew_terms(role_set, j, None)
                if len(v):
                    groups.append(v), coefs.append(c), upper.append(budget.per_day[k, d])
                    self.staffing_rows.append(("day", role_set, d, None))
            for w, week in enumerate(campaign_weeks(self.scenario.n_days)):
                window = [j for j, d in enumerate(self.days) if d in week]
                if not window:
                    continue
                # officer-hours: each crew counts its shift's hours (shifts of different lengths)
                parts = [self._crew_terms(role_set, j, s) for j in window for s in range(self.S)]
                hours = [self.scenario.shifts[s].hours for _ in window for s in range(self.S)]
                v = np.concatenate([p[0] for p in parts])
                if len(v):
                    groups.append(v), coefs.append(np.concatenate([p[1] * h for p, h in zip(parts, hours)]))
                    upper.append(budget.per_week_hours[k, w])
                    self.staffing_rows.append(("week", role_set, w, None))
        self._officer_rules(budget, groups, coefs, upper)
        upper = [_whole_crews(c, most) for c, most in zip(coefs, upper)]
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
        successions = [(self.codes.index(a), self.codes.index(b)) for a, b in rules.forbidden_successions]
        position = {d: j for j, d in enumerate(self.days)}
        crew = self.crew
        relevant = {frozenset(crew.kit), frozenset(crew.mobile), frozenset(crew.home_visit),
                    frozenset(crew.roles)} | {frozenset([r]) for r in crew.roles}
        for k, role_set in enumerate(budget.role_sets):
            if role_set not in relevant:   # the sets a crew is made of are where these rules bind
                continue
            headcount = int(budget.headcount[k])
            for j, d in enumerate(self.days):
                for a, b in pairs:
                    va, ca = self._crew_terms(role_set, j, a)
                    vb, cb = self._crew_terms(role_set, j, b)
                    if len(va) and len(vb):
                        groups.append(np.r_[va, vb]), coefs.append(np.r_[ca, cb]), upper.append(budget.per_shift[k, d])
                        self.staffing_rows.append(("rest", role_set, d, (a, b)))
                if d + 1 in position:
                    for a, b in successions:
                        va, ca = self._crew_terms(role_set, j, a)
                        vb, cb = self._crew_terms(role_set, position[d + 1], b)
                        if len(va) and len(vb):
                            groups.append(np.r_[va, vb]), coefs.append(np.r_[ca, cb]), upper.append(headcount)
                            self.staffing_rows.append(("succession", role_set, d, (a, b)))
            for length, days in budget.work_day_windows:
                for first in range(days.shape[1]):
                    if first not in position or first + length - 1 not in position:
                        continue   # windows reaching into days already worked are left out
                    window = [position[d] for d in range(first, first + length)]
                    for group in shift_groups(self.scenario):
                        parts = [self._crew_terms(role_set, j, s) for j in window for s in group]
                        v = np.concatenate([p[0] for p in parts])
                        if len(v):
                            groups.append(v), coefs.append(np.concatenate([p[1] for p in parts]))
                            upper.append(int(days[k, first]))
                            self.staffing_rows.append(("window", role_set, first, (length, group)))

    def enrolled_cost(self) -> np.ndarray:
        """The objective of `objective="enrolled"` over this model's variables: people enrolled
        in the window, less the price of the city kits taken (the equity rows then never bind)."""
        cost = np.zeros(self.lp.n_vars)
        for block in (self.sw, self.si, self.mi, self.hh):
            cost[block.ravel()] = self.settings.objective.enrolled
        if isinstance(self.reserve, tuple):
            cost[self.r[0]] = -float(self.reserve[0])
        return cost

    def enrolled_terms(self, w: int) -> np.ndarray:
        return np.concatenate([self.sw[w], self.si[w], self.mi[w], self.hh[w]])

    def _shortfall(self):
        """Equity: a ward's shortfall above each step (share of its target) costs extra per person."""
        steps = self.settings.objective.shortfall_steps if self.objective_mode == "weighted" else []
        target = self.wards["target"].to_numpy(float)
        before = self._state("enrolled_before", np.zeros(self.n)).astype(float)
        self.y = []
        for threshold, weight in steps:
            y = self.lp.add_vars((self.n,), cost=-weight)
            groups = [np.append(self.enrolled_terms(w), y[w]) for w in range(self.n)]
            lower = target - before - threshold * target
            self.lp.add_sum_rows(f"shortfall_{threshold}", groups, lower=lower)
            self.y.append(y)

    def _keep_previous(self, cost: np.ndarray) -> None:
        """Re-planning: a kit (mobile kit, team) the published plan had open earns change_cost, one it
        had closed costs change_cost, so among (nearly) equal plans the one closest to it wins."""
        previous, change = self.data.previous, self.data.change_cost
        if previous is None or change <= 0:
            return
        kits_max = self.wards["fixed_kits"].to_numpy()[:, None]
        prev_k = previous.kits_open[:, self.days, :].reshape(self.n, self.T)
        cost[self.k.ravel()] += change * np.where((prev_k >= kits_max) & (kits_max > 0), 1.0,
                                                  np.where(prev_k == 0, -1.0, 0.0)).ravel()
        first_mobile = self.codes.index(self.settings.mobile_kit.shifts[0])
        home = self.codes.index(self.settings.home_visit.shift)
        for var, prev in ((self.m, previous.mobile_kits[:, self.days, first_mobile]),
                          (self.h, previous.home_visit_teams[:, self.days, home])):
            cost[var.ravel()] += change * np.where(prev > 0, 1.0, -1.0).ravel()

    def _objective(self):
        """Most enrolled first; then equity (above), waits, officer-shifts and mobile deployments."""
        weights = self.settings.objective
        lp = self.lp
        cost = np.concatenate(lp.cost)
        enrolled_weight = weights.enrolled
        for block in (self.sw, self.si, self.mi, self.hh):
            cost[block.ravel()] += enrolled_weight
        if self.objective_mode == "weighted":
            cost[self.qw.ravel()] -= weights.wait_per_person_shift
            cost[self.qi.ravel()] -= weights.wait_per_person_shift
            crew = self.crew
            kit_crew = sum(crew.kit.values())
            mobile_crew = sum(crew.mobile.values()) * len(self.settings.mobile_kit.shifts)
            home_crew = sum(crew.home_visit.values())
            cost[self.k.ravel()] -= weights.officer_shift * kit_crew
            cost[self.m.ravel()] -= weights.officer_shift * mobile_crew + weights.kit_move
            cost[self.h.ravel()] -= weights.officer_shift * home_crew
            self._keep_previous(cost)
        # rebuild the cost blocks as one array
        lp.cost = [cost]


def _whole_crews(coefs: np.ndarray, most: float) -> float:
    """A crew row counts whole kits, mobile kits and teams: when every crew in the row needs a
    multiple of g officers, at most g * floor(most / g) of the officers can be used (a valid
    cut for the integer plan that the relaxation would otherwise not see)."""
    whole = np.rint(coefs).astype(np.int64)
    if not len(whole) or not np.allclose(coefs, whole) or not np.isfinite(most):
        return most
    g = int(np.gcd.reduce(np.abs(whole)))
    return float(g * np.floor(most / g + 1e-9)) if g > 1 else most
