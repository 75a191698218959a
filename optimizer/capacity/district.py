"""Solving one district: LP relaxation (bound and prices), integer plan, marginal values.

Runs in a worker process; everything in and out is picklable. Deterministic: HiGHS on one
thread, a node limit rather than a clock limit for the integer search, a fixed rounding rule
when the search does not beat it, and a fixed number of passes of moves between wards.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from ..demand import shift_weights, split_over_open_shifts
from .improve import WardPlans, improve_by_moves
from .lp import LPSession, SolveStatus, solve_lp
from .model import DistrictInput, DistrictModel


@dataclass
class DistrictPlan:
    """One district's integer decisions and what its models say about them."""

    district_code: str
    ward_index: np.ndarray
    first_day: int
    status: SolveStatus
    kits_open: np.ndarray        # [wards, window days, shifts]
    mobile_kits: np.ndarray      # [wards, window days]
    home_visit_teams: np.ndarray  # [wards, window days]
    letters: np.ndarray          # [wards, window days, shifts]
    relaxed_objective: float     # LP bound with this district's reserve share
    # the model's value of the rounded kits, mobile kits and teams, the continuous decisions
    # (letters too) re-optimised: whole letters and the moves between wards come after it and
    # are judged by the simulation's rules, not the model's
    integer_objective: float
    marginal: dict = field(default_factory=dict)
    seconds: float = 0.0
    method: str = ""
    message: str = ""
    reserve_taken: int = 0
    enrolled_bound: float = float("nan")
    call_shift: np.ndarray | None = None   # [wards, window days]: where the called are sent (-1: busiest)


def _round_within(model: DistrictModel, values: np.ndarray) -> np.ndarray:
    """Round integer variables down, then up one at a time (largest fraction first) where the
    staffing and fleet rows still hold."""
    lp = model.lp
    integer = np.concatenate(lp.integer)
    rounded = values.copy()
    frac_index = np.flatnonzero(integer)
    rounded[frac_index] = np.floor(values[frac_index] + 1e-6)
    matrix = lp.matrix()
    rows = np.r_[model.lp.row_block("staffing"), model.lp.row_block("mobile_fleet")]
    sub = matrix[rows].tocsc()
    upper = np.concatenate(lp.row_upper)[rows]
    used = sub @ np.where(integer, rounded, 0.0) + sub @ np.where(integer, 0.0, values)
    slack = upper - used
    var_upper = np.concatenate(lp.upper)
    fractions = np.round(values - rounded, 6)
    candidates = frac_index[fractions[frac_index] > 1e-6]
    order = candidates[np.lexsort((candidates, -fractions[candidates]))]   # largest fraction first
    for index in order.tolist():
        if rounded[index] + 1 > var_upper[index] + 1e-9:
            continue
        column = slice(sub.indptr[index], sub.indptr[index + 1])
        need = sub.data[column]
        where = sub.indices[column]
        if np.all(slack[where] >= need - 1e-9):
            slack[where] -= need
            rounded[index] += 1
    return rounded


LETTER_UNIT_MAX = 100  # larger units would move letters too far from the slot the model chose


def letter_unit(show_up: float) -> int:
    """The fewest letters whose show-ups are whole people: 10 when 70 % show up (7 people);
    1 when the share has no small denominator."""
    share = Fraction(show_up).limit_denominator(LETTER_UNIT_MAX)
    return share.denominator if abs(float(share) - show_up) < 1e-12 else 1


def _whole_letters(model: DistrictModel, letters: np.ndarray) -> np.ndarray:
    """Whole letters near the relaxation's, in whole units (`letter_unit`): each slot gets what
    brings the running total of a ward's letters to the nearest unit, so almost every slot's
    show-ups are whole people and floor(show_up * letters) loses nobody; what is left of the
    relaxation's letters (less than a unit) goes to the last slot with room. Within the per-day
    cap and each ward's pool; pinned letters stay."""
    demand = model.settings.demand
    n_wards, n_window_days, n_shifts = model.n_wards, model.n_window_days, model.n_shifts
    letters = letters.reshape(n_wards, n_window_days, n_shifts)
    unit = letter_unit(demand.invitation_show_up) if demand.invitation_show_up > 0 else 1
    letters_per_day_max = demand.max_letters_per_ward_day
    pool = np.asarray(model.data.invitable_left if model.data.invitable_left is not None
                      else model._default_invitable())
    pinned = model.data.pinned
    fixed = (np.zeros((n_wards, n_window_days, n_shifts), bool) if pinned is None
             else pinned.letters[:, model.days, :] >= 0)
    whole = np.zeros((n_wards, n_window_days, n_shifts), dtype=np.int64)
    if pinned is not None:
        whole[fixed] = pinned.letters[:, model.days, :][fixed]
    for w in range(n_wards):
        room = int(pool[w]) - int(whole[w].sum())
        wanted = min(room, int(np.floor(letters[w][~fixed[w]].sum() + 1e-6)))
        running, given = 0.0, 0
        for j in range(n_window_days):
            for s in range(n_shifts):
                if fixed[w, j, s]:
                    continue
                running += letters[w, j, s]
                goal = min(wanted, unit * int(np.floor(running / unit + 0.5)))
                day_room = letters_per_day_max - int(whole[w, j].sum())
                take = min(max(0, goal - given), unit * (max(0, day_room) // unit))
                whole[w, j, s] = take
                given += take
        left = wanted - given
        for j in range(n_window_days - 1, -1, -1):
            for s in range(n_shifts - 1, -1, -1):
                if left <= 0:
                    break
                if fixed[w, j, s] or whole[w, j, s] == 0:
                    continue
                take = min(left, letters_per_day_max - int(whole[w, j].sum()))
                whole[w, j, s] += max(0, take)
                left -= max(0, take)
    return whole


def _call_shifts(model: DistrictModel, values: np.ndarray) -> np.ndarray | None:
    """Where the plan sends each day's called no-shows: the shift the model gave most of the
    day's calls (the first of equals); -1 (the shift with most kit-hours) on days the model
    calls nobody; None when the district's working groups make no calls."""
    calls = getattr(model, "calls", None)
    if calls is None:
        return None
    per_shift = values[calls].reshape(model.n_wards, model.n_window_days, model.n_shifts)
    return np.where(per_shift.sum(axis=2) > 1e-6, np.argmax(per_shift, axis=2), -1).astype(np.int64)


def _arrivals_for(model: DistrictModel, values: np.ndarray) -> np.ndarray:
    """Walk-ins per shift when the kits in `values` are open (the simulation's rule)."""
    kits = values[model.kits_open].reshape(model.n_wards, model.n_window_days, model.n_shifts)
    day_total = model.data.arrivals[:, model.days]
    weights = shift_weights(model.scenario)
    out = np.zeros((model.n_wards, model.n_window_days, model.n_shifts))
    for j in range(model.n_window_days):
        out[:, j, :] = split_over_open_shifts(day_total[:, j], kits[:, j, :] > 0.5, weights)
    return out.reshape(model.n_wards, model.n_slots)


OPEN_SHIFT_THRESHOLDS = (1e-6, 0.5, 1.0 - 1e-6)
# A district model this small (a few wards over a short campaign) also gets a node-limited
# MIP search (deterministic: HiGHS on one thread, a node limit, not a clock).
SMALL_MODEL_VARS = 4000
SMALL_MODEL_NODES = 10


def _open_pattern_plan(model: DistrictModel, session: LPSession, relaxed: np.ndarray, reserve_taken: int):
    """A second rounding that settles first which shifts open, then how many kits.

    In the relaxation a fraction of a kit draws the same fraction of a day's walk-ins; a real
    open shift draws its preference share of them (the simulation's rule). So every shift the
    relaxation gives any kit opens with at least one kit, the walk-ins are fixed to what the
    simulation sends to those shifts, the relaxation is solved again for how many kits each
    open shift gets, that is rounded within the staffing rows, and the continuous decisions
    are re-optimised. When the officers cannot staff all those shifts, only shifts with at
    least half a kit, then a whole kit, open (OPEN_SHIFT_THRESHOLDS). Returns the evaluated
    plan, or None when no threshold can be staffed."""
    for threshold in OPEN_SHIFT_THRESHOLDS:
        plan = _plan_with_open_shifts(model, session, relaxed[model.kits_open.ravel()] > threshold, reserve_taken)
        if plan is not None:
            return plan
    return None


def _plan_with_open_shifts(model: DistrictModel, session: LPSession, open_shift: np.ndarray, reserve_taken: int):
    """The plan with exactly the shifts in `open_shift` ([wards x window shifts], flat) open."""
    lp = model.lp
    kits = model.kits_open.ravel()
    lower, upper = np.concatenate(lp.lower), np.concatenate(lp.upper)
    kit_upper = np.where(open_shift, upper[kits], 0.0)
    kit_lower = np.minimum(np.maximum(lower[kits], np.where(open_shift, 1.0, 0.0)), kit_upper)
    opened = np.zeros(lp.n_vars)
    opened[kits] = open_shift
    pinned = [(model.arrivals_walk_in.ravel(), _arrivals_for(model, opened).ravel()),
              (model.city_kits_taken, np.array([float(reserve_taken)]))]
    second = session.solve(bounds=[(kits, kit_lower, kit_upper)], fix=pinned)
    if second.status not in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
        return None
    values = second.values.copy()
    values[model.city_kits_taken[0]] = reserve_taken
    integer = np.flatnonzero(np.concatenate(lp.integer))
    whole = _round_within(model, values)
    plan = session.solve(fix=[(integer, whole[integer]), *pinned])
    return plan if plan.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE) else None


def _officer_prices(model: DistrictModel, staffing: np.ndarray) -> dict:
    """Price of one officer of each role on each (day, shift): the staffing rows' duals mapped
    to the shifts each row binds. Labels (docs/dynamics.md, Staffing): "shift" (d, s); "day"
    every shift of d; "week" every shift of the week, per officer-hour (times the shift's hours);
    "rest" (d, a) and (d, b); "succession" (d, a) and (d + 1, b); "window" the group's shifts
    on each day of the run."""
    n_shifts, n_days = model.n_shifts, model.scenario.n_days
    hours = model.shift_hours
    price: dict = {}

    def add(role, day, shift, value):
        price[(role, day, shift)] = price.get((role, day, shift), 0.0) + value

    for value, (kind, role_set, d, s) in zip(staffing, model.staffing_rows):
        if not value:
            continue
        for role in role_set:
            if kind == "shift":
                add(role, d, s, value)
            elif kind == "day":
                for sh in range(n_shifts):
                    add(role, d, sh, value)
            elif kind == "rest":
                for sh in s:
                    add(role, d, sh, value)
            elif kind == "succession":
                add(role, d, s[0], value)
                if d + 1 < n_days:
                    add(role, d + 1, s[1], value)
            elif kind == "window":   # d: first day; s: (length, shifts of the group)
                length, group = s
                for day in range(d, d + length):
                    for sh in group:
                        add(role, day, sh, value)
            else:                    # "week": d is the week, the row counts officer-hours
                for day in range(d * 7, min(d * 7 + 7, n_days)):
                    for sh in range(n_shifts):
                        add(role, day, sh, value * float(hours[sh]))
    return price


def _marginal_values(model: DistrictModel, solution) -> dict:
    """What one more kit-shift, officer-shift or evening kit-shift is worth (LP prices, people).

    A kit-shift is worth its capacity's price less its crew at the officers' prices; the
    evening is the scenario's home-visit shift (`home_visit.shift`), its kit-shift valued the
    same way, crew counted."""
    out = {"kit_shift": 0.0, "kit_shift_where": None, "officer_shift": 0.0, "officer_shift_where": None,
           "evening_shift": 0.0, "evening_shift_where": None}
    if solution.duals is None or not len(solution.duals):
        return out
    duals = np.abs(solution.duals)
    lp = model.lp
    n_shifts = model.n_shifts
    hours = np.tile(model.shift_hours, model.n_window_days)
    capacity_price = duals[lp.row_block("kit_capacity")].reshape(model.n_wards, model.n_slots)
    kit_value = capacity_price * hours[None, :]
    # a kit needs its crew: subtract what the crew is worth at the officers' prices
    role_price = _officer_prices(model, duals[lp.row_block("staffing")])
    kit_crew = model.crew.kit
    crew_cost = np.zeros(model.n_slots)
    for j, d in enumerate(model.days):
        for s in range(n_shifts):
            crew_cost[j * n_shifts + s] = sum(officers * role_price.get((role, d, s), 0.0)
                                              for role, officers in kit_crew.items())
    kits_full = model.kits_open
    values = solution.values
    at_max = np.isclose(values[kits_full], np.concatenate(lp.upper)[kits_full])
    extra_kit = np.where(at_max, kit_value - crew_cost[None, :], 0.0)
    codes = model.shift_codes
    wards = list(model.wards.index)
    dates = model.scenario.dates

    def where(w, t):
        return {"ward_code": wards[w], "date": dates[model.days[t // n_shifts]].isoformat(),
                "shift": codes[t % n_shifts]}

    if extra_kit.size and extra_kit.max() > 1e-9:
        w, t = np.unravel_index(np.argmax(extra_kit), extra_kit.shape)
        out["kit_shift"], out["kit_shift_where"] = float(extra_kit[w, t]), where(w, t)
    if role_price:
        key = max(sorted(role_price), key=lambda k: role_price[k])
        if role_price[key] > 1e-9:
            out["officer_shift"] = float(role_price[key])
            role, d, s = key
            out["officer_shift_where"] = {"role": role, "date": dates[d].isoformat(), "shift": codes[s]}
    evening = codes.index(model.settings.home_visit.shift)
    if kit_value.size:
        evening_value = kit_value[:, evening::n_shifts] - crew_cost[None, evening::n_shifts]
        w, j = np.unravel_index(np.argmax(evening_value), evening_value.shape)
        if evening_value[w, j] > 1e-9:
            out["evening_shift"] = float(evening_value[w, j])
            out["evening_shift_where"] = where(w, j * n_shifts + evening)
    return out


def solve_district(data: DistrictInput, reserve: int | tuple[float, int] = 0, *, max_nodes: int = 0,
                   time_limit_seconds: float = 60.0, relative_gap: float = 0.002,
                   with_enrolled_bound: bool = False) -> DistrictPlan:
    """Plan one district: LP relaxation (bound, prices); two roundings (plain, and with the
    open shifts settled first: `_open_pattern_plan`), each with the continuous decisions
    re-optimised with the integer ones fixed, the better kept; a node-limited MIP search on
    top for small models (SMALL_MODEL_VARS) or when `max_nodes` asks for one. Then whole
    letters (`_whole_letters`) and moves between wards judged by the simulation's rules
    (improve.py), unless a published plan's changes cost (`previous`, `change_cost`), which
    the moves do not weigh.

    `reserve` is the number of city kits lent, or (price, most) to let the district take up to
    `most` at `price` each (the kits it takes, rounded up, are then lent)."""
    start = time.perf_counter()
    model = DistrictModel(data, reserve=reserve)
    n_wards, n_window_days, n_shifts = model.n_wards, model.n_window_days, model.n_shifts
    empty = DistrictPlan(data.district_code, data.ward_index, data.first_day, SolveStatus.NO_SOLUTION,
                         np.zeros((n_wards, n_window_days, n_shifts), np.int64),
                         np.zeros((n_wards, n_window_days), np.int64), np.zeros((n_wards, n_window_days), np.int64),
                         np.zeros((n_wards, n_window_days, n_shifts), np.int64), float("nan"), float("nan"))
    session = LPSession(model.lp, time_limit_seconds=time_limit_seconds)
    relaxed = session.solve()
    if relaxed.status == SolveStatus.INFEASIBLE:
        empty.status = SolveStatus.INFEASIBLE
        empty.message = explain_infeasible(model)
        empty.seconds = time.perf_counter() - start
        return empty
    if relaxed.status not in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
        empty.status = relaxed.status
        empty.message = "the LP relaxation found no solution within the time limit"
        empty.seconds = time.perf_counter() - start
        return empty
    integer = np.concatenate(model.lp.integer)
    reserve_taken = int(np.ceil(relaxed.values[model.city_kits_taken[0]] - 1e-6))
    # the city kits are lent whole (rounded up): round the mobile kits with all of them in the fleet
    values = relaxed.values.copy()
    values[model.city_kits_taken[0]] = reserve_taken
    rounded = _round_within(model, values)
    fix = [(np.flatnonzero(integer), rounded[integer]),
           (model.arrivals_walk_in.ravel(), _arrivals_for(model, rounded).ravel()),
           (model.city_kits_taken, np.array([float(reserve_taken)]))]
    # the open shifts first, then the plain rounding: its re-solve starts from the settled
    # plan's basis, a few thousand simplex iterations from its optimum (from the relaxation's
    # basis it takes about seven times as many)
    settled = _open_pattern_plan(model, session, relaxed.values, reserve_taken)
    best, method = session.solve(fix=fix), "LP rounding"
    if settled is not None and (best.status not in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
                                or settled.objective > best.objective + 1e-6):
        best, method = settled, "LP rounding, open shifts first"
    nodes = max_nodes if max_nodes > 0 else (SMALL_MODEL_NODES if model.lp.n_vars <= SMALL_MODEL_VARS else 0)
    if nodes > 0:
        remaining = max(1.0, time_limit_seconds - (time.perf_counter() - start))
        mip = solve_lp(model.lp, max_nodes=nodes, relative_gap=relative_gap, time_limit_seconds=remaining)
        if mip.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
            # the MIP's walk-ins need only follow the relaxed rule: re-solve with the simulation's
            whole = mip.values.copy()
            whole[integer] = np.rint(whole[integer])
            searched = session.solve(fix=[(np.flatnonzero(integer), whole[integer]),
                                          (model.arrivals_walk_in.ravel(), _arrivals_for(model, whole).ravel()),
                                          (model.city_kits_taken,
                                           np.array([float(np.ceil(whole[model.city_kits_taken[0]] - 1e-6))]))])
            if searched.status == SolveStatus.OPTIMAL and (
                    best.status not in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
                    or searched.objective > best.objective + 1e-6):
                best, method = searched, "MIP"
    if best.status not in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
        empty.status = SolveStatus.NO_SOLUTION
        empty.relaxed_objective = relaxed.objective
        empty.message = "no integer plan found within the limits"
        empty.seconds = time.perf_counter() - start
        return empty
    best_values = best.values
    whole = WardPlans(np.rint(best_values[model.kits_open]).astype(np.int64).reshape(n_wards, n_window_days, n_shifts),
                      np.rint(best_values[model.mobile_kits]).astype(np.int64),
                      np.rint(best_values[model.home_visit_teams]).astype(np.int64),
                      _whole_letters(model, best_values[model.letters]), _call_shifts(model, best_values))
    reserve_taken = int(np.rint(best_values[model.city_kits_taken[0]]))
    if data.previous is None or data.change_cost <= 0:
        moved = improve_by_moves(model, whole, reserve_taken)
        if moved is not whole:   # judged by the simulation's rules: not valued by the model again
            method, whole = method + ", then moves between wards", moved
    plan = DistrictPlan(
        district_code=data.district_code, ward_index=data.ward_index, first_day=data.first_day,
        status=SolveStatus.OPTIMAL if best.objective >= relaxed.objective - 1e-6 else SolveStatus.FEASIBLE,
        kits_open=whole.kits, mobile_kits=whole.mobile, home_visit_teams=whole.teams, letters=whole.letters,
        relaxed_objective=relaxed.objective, integer_objective=best.objective,
        marginal=_marginal_values(model, relaxed), method=method, call_shift=whole.call_shift)
    plan.reserve_taken = reserve_taken
    if with_enrolled_bound:
        solution = session.solve(cost=model.enrolled_cost())
        plan.enrolled_bound = solution.objective if solution.status in (
            SolveStatus.OPTIMAL, SolveStatus.FEASIBLE) else float("inf")
    plan.seconds = time.perf_counter() - start
    return plan


def relaxed_bound(data: DistrictInput, price: float, most: int, objective: str) -> float:
    """LP value when the district may take up to `most` city kits at `price` each (Lagrangian term)."""
    model = DistrictModel(data, reserve=(price, most), objective=objective)
    solution = solve_lp(model.lp, relax=True)
    if solution.status not in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
        return float("inf")
    return solution.objective


def reserve_value(data: DistrictInput, reserve: int) -> float:
    """LP value of the district holding `reserve` city kits (for allocating the reserve)."""
    model = DistrictModel(data, reserve=reserve)
    solution = solve_lp(model.lp, relax=True)
    return solution.objective if solution.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE) else float("-inf")


def explain_infeasible(model: DistrictModel) -> str:
    """Name the inputs that conflict: pinned letters above the caps or the invitable pool."""
    data = model.data
    problems = []
    if data.pinned is not None:
        fixed = np.where(data.pinned.letters >= 0, data.pinned.letters, 0)[:, model.days, :]
        letters_per_day_max = model.settings.demand.max_letters_per_ward_day
        over = np.argwhere(fixed.sum(axis=2) > letters_per_day_max)
        for w, j in over[:3]:
            problems.append(f"ward {model.wards.index[w]} has {int(fixed[w, j].sum())} letters already sent "
                            f"for {model.scenario.dates[model.days[j]]} "
                            f"but max_letters_per_ward_day is {letters_per_day_max}")
        pool = np.asarray(data.invitable_left) if data.invitable_left is not None else model._default_invitable()
        for w in np.flatnonzero(fixed.sum(axis=(1, 2)) > pool)[:3]:
            problems.append(f"ward {model.wards.index[w]} has more letters pinned than people left to invite")
    if not problems:
        problems.append("the district's constraints admit no plan (check pinned decisions and officer budgets)")
    return "; ".join(problems)
