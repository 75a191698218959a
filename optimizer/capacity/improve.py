"""Local improvement of one district's integer plan, judged by the simulation's own rules.

Every staffing and fleet row of a district sums over its wards for one day (and shift), so
moving a kit, a mobile kit or a home-visit team from one ward to another in the same day and
shift keeps the plan staffable; adding one needs room in its rows, or a removal elsewhere
that frees it. Wards do not interact in the simulation, so what a change in one ward is
worth is the change in that ward's simulated objective. `improve_by_moves` scores one unit
more and one unit less of every decision of every ward (all at once, each ward variant
simulated as its own row), applies the best gaining transfers, additions and removals of
distinct wards, and repeats.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..demand import calls_per_ward_day, shift_weights, split_over_open_shifts
from ..simulation import _floor
from ..staffing import CrewNeeds
from .model import DistrictModel

IMPROVE_ROUNDS = 20
MIN_PASS_GAIN = 1e-6
# the move search stops after a pass that raised the district's simulated objective by no more
# than this share of it (one part in a million: on Hà Nội the passes after that point took 16 %
# of the moves' CPU and brought 7 of the districts' 1.63 million objective units)
# passes of the move search: each scores every one-unit change of every ward at once (about
# 10-60 ms a pass on a Hà Nội district); on Hà Nội no move gains after about 20 passes


@dataclass
class WardPlans:
    """Integer decisions of a district's window, one row per ward: kits [wards, days, shifts],
    mobile kits and teams [wards, days] (a mobile kit stays the day), letters [wards, days, shifts]."""

    kits: np.ndarray
    mobile: np.ndarray
    teams: np.ndarray
    letters: np.ndarray
    call_shift: np.ndarray | None = None   # [wards, days]: where the called are sent (-1: busiest shift)

    def copy(self) -> WardPlans:
        return WardPlans(self.kits.copy(), self.mobile.copy(), self.teams.copy(), self.letters.copy(),
                         None if self.call_shift is None else self.call_shift.copy())

    def call_shifts(self) -> np.ndarray:
        if self.call_shift is None:
            return np.full(self.kits.shape[:2], -1, dtype=np.int64)
        return self.call_shift

    def rows(self, ward: np.ndarray) -> WardPlans:
        """The plans of the given wards, one row each (copies)."""
        return WardPlans(self.kits[ward], self.mobile[ward], self.teams[ward], self.letters[ward],
                         self.call_shifts()[ward])


class WardSimulator:
    """docs/dynamics.md for rows that are each one ward of the district under its own decisions
    (the same rules as optimizer/simulation.py, vectorised over ward variants); returns each
    row's share of the weighted objective (optimizer/objective.py is separable by ward)."""

    def __init__(self, model: DistrictModel):
        data, settings = model.data, model.settings
        self.model = model
        self.n_wards, self.n_window_days, self.n_shifts = model.n_wards, model.n_window_days, model.n_shifts
        self.days = model.days
        self.arrivals = np.asarray(data.arrivals)[:, self.days].astype(np.int64)
        self.preference = shift_weights(model.scenario)
        self._splits: dict[int, np.ndarray] = {}
        self._no_split = np.zeros((self.n_shifts, model.n_wards, self.n_window_days), np.int64)
        self._table: np.ndarray | None = None
        n_wards = self.n_wards
        self.queue_walk_in_start = model._state("queue_walk_in", np.zeros(n_wards)).astype(np.int64)
        self.queue_invited_start = model._state("queue_invited", np.zeros(n_wards)).astype(np.int64)
        self.homebound_start = model._state("homebound_left", model.wards["homebound"].to_numpy()).astype(np.int64)
        self.institution_start = model._state("institution_left",
                                              model.wards["institution"].to_numpy()).astype(np.int64)
        self.enrolled_before = model._state("enrolled_before", np.zeros(n_wards)).astype(np.int64)
        due = np.zeros((n_wards, model.scenario.n_days, self.n_shifts), dtype=np.int64)
        if data.returns_due is not None:
            due = np.asarray(data.returns_due).astype(np.int64).copy()
        self.returns_due_start = due
        self.target = model.wards["target"].to_numpy(np.int64)
        codes = model.shift_codes
        self.home_shift = codes.index(settings.home_visit.shift)
        self.mobile_shifts = [codes.index(c) for c in settings.mobile_kit.shifts]
        crew = CrewNeeds.of(model.scenario)
        weights = settings.objective
        self.kit_cost = weights.officer_shift * sum(crew.kit.values())
        self.mobile_cost = (weights.officer_shift * sum(crew.mobile.values()) * len(self.mobile_shifts)
                            + weights.kit_move)
        self.team_cost = weights.officer_shift * sum(crew.home_visit.values())
        self.calls_a_day = calls_per_ward_day(model.scenario)[np.asarray(data.ward_index)]
        self.callable_start = model._state("callable_no_shows", np.zeros(n_wards)).astype(np.int64)
        self.last_calls: np.ndarray | None = None   # [rows, days]: calls made in the last objective()

    def _split(self, pattern: int) -> np.ndarray:
        """Walk-ins [shifts, wards, days] of every ward and day when the shifts in bit pattern
        `pattern` open (each ward's day split on its own, all at once)."""
        if pattern not in self._splits:
            mask = np.array([(pattern >> s) & 1 for s in range(self.n_shifts)], dtype=bool)
            rows = self.n_wards * self.n_window_days
            out = split_over_open_shifts(self.arrivals.ravel(), np.tile(mask, (rows, 1)), self.preference)
            self._splits[pattern] = np.ascontiguousarray(
                out.reshape(self.n_wards, self.n_window_days, self.n_shifts).transpose(2, 0, 1))
        return self._splits[pattern]

    def arrivals_by_shift(self, ward: np.ndarray, kits: np.ndarray) -> np.ndarray:
        """Walk-ins [days, shifts, rows] of each row's ward when its kits [rows, days, shifts] are open."""
        n_wards, n_days, n_shifts = self.n_wards, self.n_window_days, self.n_shifts
        pattern = (kits[:, :, 0] > 0).astype(np.int64)
        for s in range(1, n_shifts):
            pattern += (kits[:, :, s] > 0).astype(np.int64) << s
        used = np.flatnonzero(np.bincount(pattern.ravel(), minlength=1 << n_shifts))
        missing = [p for p in used.tolist() if p not in self._splits]
        if missing or self._table is None:
            for p in missing:
                self._split(p)
            # every pattern's walk-ins stacked once (zeros for patterns no plan has used yet),
            # shift by shift: [shifts, patterns * wards * days]
            self._table = np.stack([self._splits.get(p, self._no_split) for p in range(1 << n_shifts)],
                                   axis=1).reshape(n_shifts, -1)
        at = (pattern.T * n_wards + ward[None, :]) * n_days + np.arange(n_days)[:, None]   # [days, rows]
        out = np.empty((n_days, n_shifts, len(ward)), dtype=np.int64)
        for s in range(n_shifts):
            out[:, s, :] = self._table[s][at]
        return out

    def invited_arrivals(self, ward: np.ndarray, plans: WardPlans) -> np.ndarray:
        """Invited arrivals [rows, days, shifts]: the letters' show-ups and, with calls
        (optimizer/simulation.py's rule), the called who come: on an open day the groups call
        as many as callable, for the shift the plan names (else the one with most kit-hours).
        Neither depends on the queues, so both are played before them; sets `last_calls`."""
        demand = self.model.settings.demand
        showing = _floor(demand.invitation_show_up * plans.letters)
        capacity = self.calls_a_day[ward]
        self.last_calls = np.zeros((len(ward), self.n_window_days), dtype=np.int64)
        if not capacity.any():
            return showing
        shifts = range(self.n_shifts)     # (sums over the few shifts one by one: faster than axis=2)
        no_shows = sum(plans.letters[:, :, s] - showing[:, :, s] for s in shifts)
        is_open = sum(plans.kits[:, :, s] for s in shifts) > 0      # every shift has hours
        named = plans.call_shifts()
        if (named < 0).any():
            # the shift with the most kit-hours, the first of equals (argmax, shift by shift)
            kit_hours = [plans.kits[:, :, s] * self.model.shift_hours[s] for s in shifts]
            busiest, most = np.zeros(kit_hours[0].shape, np.int64), kit_hours[0]
            for s in shifts[1:]:
                busiest = np.where(kit_hours[s] > most, s, busiest)
                most = np.maximum(most, kit_hours[s])
            named = np.where(named >= 0, named, busiest)
        called_in = np.where(is_open, named, -1)
        callable_left = self.callable_start[ward].copy()
        lag = demand.follow_up_after_days
        for j in range(self.n_window_days):
            if j - lag >= 0:
                callable_left += no_shows[:, j - lag]
            calls = np.where(is_open[:, j], np.minimum(capacity, callable_left), 0)
            callable_left -= calls
            self.last_calls[:, j] = calls
        called = _floor(demand.follow_up_show_up * self.last_calls)
        for s in shifts:
            showing[:, :, s] += np.where(called_in == s, called, 0)
        return showing

    def objective(self, ward: np.ndarray, plans: WardPlans, from_day: np.ndarray | None = None,
                  same_before: np.ndarray | None = None) -> np.ndarray:
        """Each row's objective: row r is ward `ward[r]` under plans row r.

        With `from_day` (ascending) and `same_before`: row r's plan is that of row
        `same_before[r]` (a row with from_day 0) on the window days before `from_day[r]`, so its
        shifts before then are that row's and are not played again: on day from_day[r] it takes
        that row's queues, pools, running totals and returns due, then plays on. The same
        arithmetic as playing it from the first day (the days before are the same)."""
        model, settings = self.model, self.model.settings
        demand, rates = settings.demand, settings.throughput_per_kit_hour
        hours = model.shift_hours
        rows = len(ward)
        n_days = model.scenario.n_days
        # [window day, shift, row] arrays: each shift's values are contiguous; what does not
        # depend on the queues (kit-hours and the capacities they give) is worked out for all
        # shifts at once, with the same arithmetic as shift by shift
        by_shift = lambda values: np.ascontiguousarray(np.moveaxis(values, 0, -1))  # noqa: E731
        # the two queues (walk-in, invited) side by side: [day, shift, queue, row]
        inflow = np.empty((self.n_window_days, self.n_shifts, 2, rows), dtype=np.int64)
        inflow[:, :, 0, :] = self.arrivals_by_shift(ward, plans.kits)
        inflow[:, :, 1, :] = np.moveaxis(self.invited_arrivals(ward, plans), 0, -1)
        kit_hours_all = by_shift(plans.kits * hours[None, None, :])
        invited_capacity = _floor(kit_hours_all * rates.invited)
        home_capacity = _floor(plans.teams.T * hours[self.home_shift] * settings.home_visit.people_per_team_hour)
        mobile_capacity = {s: _floor(plans.mobile.T * hours[s] * rates.institution) for s in self.mobile_shifts}
        due = by_shift(self.returns_due_start[ward])
        queues = np.stack([self.queue_walk_in_start[ward], self.queue_invited_start[ward]])
        homebound_left, institution_left = self.homebound_start[ward].copy(), self.institution_start[ward].copy()
        served_total = np.zeros(rows, dtype=np.int64)
        waiting = np.zeros(rows, dtype=np.int64)
        # rows playing on day j: the first `playing[j]` (from_day ascending)
        playing = (np.full(self.n_window_days, rows, dtype=np.int64) if from_day is None
                   else np.searchsorted(from_day, np.arange(self.n_window_days), side="right"))
        state = [homebound_left, institution_left, served_total, waiting]
        for j, d in enumerate(self.days):
            n = int(playing[j])
            joining = slice(int(playing[j - 1]) if j else n, n)
            if same_before is not None and joining.start < joining.stop:
                source = same_before[joining]
                for values in state:
                    values[joining] = values[source]
                queues[:, joining] = queues[:, source]
                due[d:, :, joining] = due[d:, :, source]
            for s in range(self.n_shifts):
                queue = queues[:, :n] + inflow[j, s, :, :n]     # [walk-in, invited] rows
                queue[0] += due[d, s, :n]
                kit_hours = kit_hours_all[j, s, :n]
                served_invited = np.minimum(queue[1], invited_capacity[j, s, :n])
                served_walk_in = np.minimum(queue[0],
                                            _floor((kit_hours - served_invited / rates.invited) * rates.walk_in))
                served = served_invited + served_walk_in
                if s == self.home_shift:
                    served_homebound = np.minimum(state[0][:n], home_capacity[j, :n])
                    state[0][:n] -= served_homebound
                    served = served + served_homebound
                if s in mobile_capacity:
                    served_institution = np.minimum(state[1][:n], mobile_capacity[s][j, :n])
                    state[1][:n] -= served_institution
                    served = served + served_institution
                queue[0] -= served_walk_in
                queue[1] -= served_invited
                gave_up = _floor(demand.give_up_share * queue)
                queue -= gave_up
                queues[:, :n] = queue
                if d + demand.return_after_days < n_days:
                    due[d + demand.return_after_days, s, :n] += _floor(demand.return_share * (gave_up[0] + gave_up[1]))
                served_total[:n] += served
                waiting[:n] += queue[0] + queue[1]
        weights = settings.objective
        enrolled = (served_total + self.enrolled_before[ward]).astype(float)
        target = self.target[ward].astype(float)
        value = weights.enrolled * enrolled - weights.wait_per_person_shift * waiting
        for threshold, weight in weights.shortfall_steps:
            value -= weight * np.maximum(0.0, target - enrolled - threshold * target)
        value -= (self.kit_cost * plans.kits.sum(axis=(1, 2)) + self.mobile_cost * plans.mobile.sum(axis=1)
                  + self.team_cost * plans.teams.sum(axis=1))
        return value


@dataclass
class _Moves:
    """One-unit changes scored in a pass: for each, the ward, the block (0 kits, 1 mobile kits,
    2 teams), the flat position in the ward's block, the step (+1 / -1) and the change in the
    ward's objective."""

    ward: np.ndarray
    block: np.ndarray
    position: np.ndarray
    step: np.ndarray
    gain: np.ndarray


def _blocks(plans: WardPlans) -> list[np.ndarray]:
    """The decisions moves change, in block order: kits, mobile kits, teams."""
    return [plans.kits, plans.mobile, plans.teams]


def _score_moves(sim: WardSimulator, plans: WardPlans, bounds: list, base: np.ndarray, wards: np.ndarray) -> _Moves:
    """Every one-unit change of the kits, mobile kits and teams of the wards in `wards` within
    their bounds, each simulated as its own row and scored against the ward's current
    objective. The wards' current plans are simulated in the same call: `base[wards]` is
    updated to them first."""
    chosen = np.zeros(sim.n_wards, dtype=bool)
    chosen[wards] = True
    ward_list, blocks, positions, steps = [], [], [], []
    for b, (values, (low, high)) in enumerate(zip(_blocks(plans), bounds)):
        flat, lo, hi = values.reshape(sim.n_wards, -1), low.reshape(sim.n_wards, -1), high.reshape(sim.n_wards, -1)
        for step, allowed in ((1, flat + 1 <= hi), (-1, flat - 1 >= lo)):
            w, p = np.nonzero(allowed & chosen[:, None])
            ward_list.append(w), positions.append(p)
            blocks.append(np.full(len(w), b)), steps.append(np.full(len(w), step))
    ward, block, position, step = (np.concatenate(x) for x in (ward_list, blocks, positions, steps))
    current = np.flatnonzero(chosen)
    everyone = np.r_[current, ward]
    if not len(everyone):
        return _Moves(ward, block, position, step, np.zeros(0))
    # a change on window day j leaves the ward's days before j as they were: each variant is
    # played from its day on, from its ward's current plan played up to then (same rows)
    first_day = np.where(block == 0, position // sim.n_shifts, position)
    order = np.argsort(first_day, kind="stable")
    everyone = np.r_[current, ward[order]]
    rows = plans.rows(everyone)
    for b, values in enumerate(_blocks(rows)):
        mine = np.flatnonzero(block[order] == b)
        values.reshape(len(everyone), -1)[len(current) + mine, position[order][mine]] += step[order][mine]
    value = sim.objective(everyone, rows, from_day=np.r_[np.zeros(len(current), np.int64), first_day[order]],
                          same_before=np.r_[np.arange(len(current)), np.searchsorted(current, ward[order])])
    base[current] = value[:len(current)]
    gain = np.empty(len(ward))
    gain[order] = value[len(current):]
    gain -= base[ward]
    return _Moves(ward, block, position, step, gain)


def _kept_moves(moves: _Moves, changed: np.ndarray) -> _Moves:
    """The moves of the wards not in `changed` (their scores still hold: wards do not interact
    in the simulation, and their bounds and plans are as they were)."""
    keep = ~np.isin(moves.ward, changed)
    return _Moves(moves.ward[keep], moves.block[keep], moves.position[keep], moves.step[keep], moves.gain[keep])


def _joined_moves(first: _Moves, second: _Moves) -> _Moves:
    return _Moves(*(np.r_[getattr(first, name), getattr(second, name)]
                    for name in ("ward", "block", "position", "step", "gain")))


def _transfers(moves: _Moves) -> list[tuple[float, int, int, int, int]]:
    """For each block and position, the best pair: one unit less in ward a, one more in ward
    b != a (the district's staffing and fleet rows are unchanged). (gain, block, position, a, b).
    The pair is found among the two best additions and the two best removals of the position
    (ties to the lower ward), the best addition first."""
    n_moves = len(moves.ward)
    if not n_moves:
        return []
    key = moves.block.astype(np.int64) * 10**7 + moves.position
    order = np.lexsort((moves.ward, -moves.gain, moves.step, key))
    sorted_key, sorted_step = key[order], moves.step[order]
    first = np.r_[True, (sorted_key[1:] != sorted_key[:-1]) | (sorted_step[1:] != sorted_step[:-1])]
    starts = np.flatnonzero(first)
    rank = np.arange(n_moves) - np.repeat(starts, np.diff(np.r_[starts, n_moves]))
    keys = np.unique(key)
    slot = np.searchsorted(keys, sorted_key)
    best_two = {1: np.full((len(keys), 2), -1), -1: np.full((len(keys), 2), -1)}
    for step, table in best_two.items():
        mine = (rank < 2) & (sorted_step == step)
        table[slot[mine], rank[mine]] = order[mine]
    best_gain, best_up, best_down = np.full(len(keys), -np.inf), np.full(len(keys), -1), np.full(len(keys), -1)
    for a in (0, 1):
        for b in (0, 1):
            up, down = best_two[1][:, a], best_two[-1][:, b]
            valid = (up >= 0) & (down >= 0)
            valid &= moves.ward[up] != moves.ward[down]
            gain = np.where(valid, moves.gain[up] + moves.gain[down], -np.inf)
            better = valid & ((best_up < 0) | (gain > best_gain))
            best_gain[better], best_up[better], best_down[better] = gain[better], up[better], down[better]
    found = np.flatnonzero(best_up >= 0)
    return [(float(best_gain[k]), int(moves.block[best_up[k]]), int(moves.position[best_up[k]]),
             int(moves.ward[best_down[k]]), int(moves.ward[best_up[k]])) for k in found]


MIN_GAIN = 1e-6  # objective units: a move must gain more than rounding noise to be taken
PAIRED_CANDIDATES = 400
# the most promising one-unit additions a pass tries to pair with a removal elsewhere that
# frees the officers (or fleet) they need; enough for the largest Hà Nội district (about
# 3,000 kit-shifts) at a few ms each


class _Rows:
    """The district's staffing and fleet rows over its integer decisions, and the slack the
    current plan leaves in each (rows sum over wards: a one-unit change's column says which)."""

    def __init__(self, model: DistrictModel, plans: WardPlans, reserve_taken: int):
        lp = model.lp
        block = lambda name: np.arange(lp.row_block(name).start, lp.row_block(name).stop)
        rows = np.r_[block("staffing"), block("mobile_fleet")]
        self.by_row = lp.matrix()[rows]
        self.matrix = self.by_row.tocsc()
        self.variables = [model.kits_open.reshape(model.n_wards, -1), model.mobile_kits, model.home_visit_teams]
        values = np.zeros(lp.n_vars)
        for variables, decided in zip(self.variables, _blocks(plans)):
            values[variables.ravel()] = decided.ravel()
        values[model.city_kits_taken[0]] = reserve_taken
        self.slack = np.concatenate(lp.row_upper)[rows] - self.matrix @ values

    def column(self, block: int, ward: int, position: int):
        """(rows, coefficients) of one unit of a decision."""
        variable = int(self.variables[block][ward, position])
        where = slice(self.matrix.indptr[variable], self.matrix.indptr[variable + 1])
        return self.matrix.indices[where], self.matrix.data[where]


class _DenseRows:
    """Rows of the staffing and fleet matrix over a list of decision columns, as dense arrays
    with the columns where each is positive, each worked out once when first asked for (a pass
    asks for the same few rows many times)."""

    def __init__(self, matrix, columns: np.ndarray):
        self.matrix = matrix          # CSR, rows x variables
        self.columns = columns
        self.kept: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def __call__(self, row: int) -> tuple[np.ndarray, np.ndarray]:
        """(the row over the columns, the columns where it is positive, ascending)."""
        kept = self.kept.get(row)
        if kept is None:
            scattered = np.zeros(self.matrix.shape[1])
            where = slice(self.matrix.indptr[row], self.matrix.indptr[row + 1])
            scattered[self.matrix.indices[where]] = self.matrix.data[where]
            dense = scattered[self.columns]
            kept = self.kept[row] = (dense, np.flatnonzero(dense > 0))
        return kept


def _prefix_where(gains: np.ndarray, gain: float) -> int:
    """How many of `gains` (best first) gain more than MIN_GAIN with `gain` added: a prefix,
    since a sum of floats rises with either term; found by bisection, then checked with the
    same arithmetic at its edge."""
    count = int(np.searchsorted(-gains, gain - MIN_GAIN, side="left"))
    while count > 0 and not gains[count - 1] + gain > MIN_GAIN:
        count -= 1
    while count < len(gains) and gains[count] + gain > MIN_GAIN:
        count += 1
    return count


def _paired_moves(moves: _Moves, rows: _Rows, busy: set) -> list[tuple[int, int, int, int]]:
    """One-unit additions, best first, each taken alone where the rows have slack for it, else
    with the least costly removal in another ward that frees what it lacks, when the pair
    gains; then removals that gain on their own. Wards in `busy` are left alone; the rows'
    slack is updated. Returns (block, ward, position, step) changes.

    Removals are ranked by gain, best first, so the removals that pay for an addition are the
    first few of them: only those are looked at."""
    order = np.lexsort((moves.position, moves.ward, moves.block, -moves.gain))
    up = order[(moves.step[order] > 0) & (moves.gain[order] > MIN_GAIN)][:PAIRED_CANDIDATES]
    down = order[moves.step[order] < 0]
    down_gain = moves.gain[down]          # best first
    cheapest = down_gain[0] if len(down) else -np.inf
    down_rows = None
    down_ward = moves.ward[down]
    down_busy = np.isin(down_ward, np.fromiter(busy, np.int64, len(busy)))   # kept up to date below
    if len(down):
        columns = np.empty(len(down), dtype=np.int64)
        down_block = moves.block[down]
        for b, variables in enumerate(rows.variables):
            mine = down_block == b
            columns[mine] = variables[down_ward[mine], moves.position[down][mine]]
        down_rows = _DenseRows(rows.by_row, columns)

    def make_busy(*wards: int) -> None:
        for ward in wards:
            if ward not in busy:
                busy.add(ward)
                down_busy[down_ward == ward] = True

    out = []
    for i in up.tolist():
        ward = int(moves.ward[i])
        if ward in busy:
            continue
        where, need = rows.column(int(moves.block[i]), ward, int(moves.position[i]))
        short = need - rows.slack[where] > 1e-9
        if not short.any():
            rows.slack[where] -= need
            make_busy(ward)
            out.append((int(moves.block[i]), ward, int(moves.position[i]), 1))
            continue
        gain = moves.gain[i]
        if down_rows is None or gain + cheapest <= MIN_GAIN:
            continue
        # the removals with which the pair gains (a prefix: the sum rises with the removal's gain)
        paying = _prefix_where(down_gain, gain)
        lacking, deficit = where[short], (need - rows.slack[where])[short]
        # a removal frees a lacking row only where its column is positive there: the first
        # lacking row's positive columns among the paying removals of other free wards
        candidates = down_rows(int(lacking[0]))[1]
        candidates = candidates[:np.searchsorted(candidates, paying)]
        candidates = candidates[(down_ward[candidates] != ward) & ~down_busy[candidates]]
        for row, lack in zip(lacking.tolist(), deficit.tolist()):
            if not len(candidates):
                break
            candidates = candidates[down_rows(row)[0][candidates] >= lack - 1e-9]
        if not len(candidates):
            continue
        j = down[candidates[0]]
        other = int(moves.ward[j])
        rows.slack[where] -= need
        freed_rows, freed = rows.column(int(moves.block[j]), other, int(moves.position[j]))
        rows.slack[freed_rows] += freed
        make_busy(ward, other)
        out += [(int(moves.block[i]), ward, int(moves.position[i]), 1),
                (int(moves.block[j]), other, int(moves.position[j]), -1)]
    for j in down[:int(np.count_nonzero(down_gain > MIN_GAIN))].tolist():   # removals that gain alone
        ward = int(moves.ward[j])
        if ward not in busy:
            freed_rows, freed = rows.column(int(moves.block[j]), ward, int(moves.position[j]))
            rows.slack[freed_rows] += freed
            busy.add(ward)
            out.append((int(moves.block[j]), ward, int(moves.position[j]), -1))
    return out


CALL_SHIFT_ROUNDS = 3   # passes of the call-shift search (each scores every day's other shifts at once)


def improve_call_shifts(sim: WardSimulator, plans: WardPlans, base: np.ndarray,
                        rounds: int = CALL_SHIFT_ROUNDS) -> tuple[WardPlans, np.ndarray]:
    """Choose the shift each ward's called no-shows are sent to, day by day, by the simulated
    objective: each pass scores every other shift of every day with calls (all at once, each
    as its own row), takes in each ward the best gaining shift of every day together, or only
    the single best change when the changes together gain less; deterministic. Returns the
    plans (the same object when nothing gains) and each ward's objective. `base`: each ward's
    objective under `plans`."""
    everyone = np.arange(sim.n_wards)
    n_wards = sim.n_wards
    current = plans
    sim.invited_arrivals(everyone, current)
    made = sim.last_calls   # the calls made: they follow the kits and letters, not the shift named
    settled = True          # `base` is the objective of `current`
    for _ in range(rounds):
        named = current.call_shifts()
        ward, day, shift = [], [], []
        for s in range(sim.n_shifts):
            w, j = np.nonzero((made > 0) & (named != s))
            ward.append(w), day.append(j), shift.append(np.full(len(w), s))
        ward, day, shift = (np.concatenate(x) for x in (ward, day, shift))
        if not len(ward):
            break
        # each ward's current plan and its variants, a variant played from its day on (the
        # days before are its ward's): `objective`'s from_day rule
        order = np.argsort(day, kind="stable")
        rows = current.rows(np.r_[everyone, ward[order]])
        rows.call_shift[n_wards + np.arange(len(ward)), day[order]] = shift[order]
        value = sim.objective(np.r_[everyone, ward[order]], rows,
                              from_day=np.r_[np.zeros(n_wards, np.int64), day[order]],
                              same_before=np.r_[everyone, ward[order]])
        base, settled = value[:n_wards], True
        gain = np.empty(len(ward))
        gain[order] = value[n_wards:]
        gain -= base[ward]
        good = gain > MIN_GAIN
        if not good.any():
            break
        order = np.lexsort((shift[good], day[good], ward[good], -gain[good]))
        best: dict[tuple[int, int], int] = {}
        single: dict[int, tuple[float, int, int]] = {}
        for k in np.flatnonzero(good)[order]:
            key = (int(ward[k]), int(day[k]))
            if key not in best:
                best[key] = int(shift[k])
            single.setdefault(int(ward[k]), (float(gain[k]), int(day[k]), int(shift[k])))
        together = current.copy()
        together.call_shift = together.call_shifts().copy()
        for (w, j), s in best.items():
            together.call_shift[w, j] = s
        value = sim.objective(everyone, together)
        changed = np.array(sorted(single))
        worse = changed[value[changed] - base[changed] < np.array([single[w][0] for w in changed]) - MIN_GAIN]
        for w in worse:   # the changes together gain less than the best alone: take that one
            together.call_shift[w] = current.call_shifts()[w]
            together.call_shift[w, single[w][1]] = single[w][2]
        current, settled = together, False
    return current, (base if settled else sim.objective(everyone, current))


def improve_by_moves(model: DistrictModel, plans: WardPlans, reserve_taken: int = 0,
                     rounds: int = IMPROVE_ROUNDS) -> WardPlans:
    """Change kits, mobile kits and teams one unit at a time while the simulated objective
    rises: each pass takes the best transfers between wards in the same day (and shift), which
    leave every staffing and fleet row as it was, then additions the rows have room for or
    paired with a removal that frees what they need, then removals that gain; at most one
    change per ward a pass (each was scored alone), largest gain first; deterministic. Stops
    after `rounds` passes, or after a pass that raised the district's objective by no more than
    MIN_PASS_GAIN of it. Bounds are the model's (fixed kits, pinned decisions, ceilings).
    Returns `plans` itself when no change gains."""
    sim = WardSimulator(model)
    lp = model.lp
    lower, upper = np.concatenate(lp.lower), np.concatenate(lp.upper)
    shapes = [model.kits_open.reshape(model.n_wards, model.n_window_days, model.n_shifts), model.mobile_kits,
              model.home_visit_teams]
    bounds = [(lower[v], upper[v]) for v in shapes]
    rows = _Rows(model, plans, reserve_taken)
    everyone = np.arange(model.n_wards)
    current = plans
    if sim.calls_a_day.any():
        current, _ = improve_call_shifts(sim, current, sim.objective(everyone, current))
    base = np.zeros(model.n_wards)
    moves = _score_moves(sim, current, bounds, base, everyone)
    total = float(base.sum())
    for _ in range(rounds):
        chosen, busy = [], set()
        for gain, block, position, a, b in sorted(_transfers(moves), key=lambda m: (-m[0], m[1], m[2])):
            if gain <= MIN_GAIN:
                break
            if a in busy or b in busy:
                continue
            busy.update((a, b))
            chosen += [(block, a, position, -1), (block, b, position, 1)]
        chosen += _paired_moves(moves, rows, busy)
        if not chosen:
            break
        current = current.copy() if current is plans else current
        for block, ward, position, step in chosen:
            _blocks(current)[block].reshape(model.n_wards, -1)[ward, position] += step
        # only the changed wards' moves are scored again
        changed = np.array(sorted(busy), dtype=np.int64)
        moves = _joined_moves(_kept_moves(moves, changed), _score_moves(sim, current, bounds, base, changed))
        before, total = total, float(base.sum())
        if total - before <= MIN_PASS_GAIN * abs(total):
            break
    if sim.calls_a_day.any():
        current, base = improve_call_shifts(sim, current, base)
    return current
