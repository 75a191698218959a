"""Re-forecast from actuals: turnout and show-up re-estimated, and where everyone stands tonight.

Given the published plan, the actuals up to the as-of day D and the scenario, `reforecast`
returns the walk-in arrivals to expect on the days left, the scenario to re-plan with (its
invitation show-up rate re-estimated) and the `StartState` at the close of day D.

Filling gaps. A ward-day with no report is taken as the published plan's simulated number
(kits as published, arrivals re-estimated below) and listed in the run's warnings. A report
without cohort columns is split like this: institution, homebound and invited enrollments as
simulated (as far as the reported total allows, in that order), the rest walk-ins; cohort
columns that are given are used as they are. Kits actually open (`kits_open_<shift>`, or a
day's `kits_open` spread over the shifts as the plan had them) replace the plan's kits when the
past is simulated.

Show-up (city-wide, Beta-binomial). On reported ward-days with an invited count,
    show_up = (enrolled_invited + k * L_day * prior) / (letters + k * L_day)
where L_day is the plan's average letters per campaign day and k = `prior_days`: the prior
counts as k days of letters.

Turnout (per district, empirical Bayes with censoring). Walk-ins are seen only through
enrollments, which kits cap. For each district the multiplier m_hat on the scenario's walk-in
curve is the one whose simulation of the past (kits as executed) reproduces the walk-ins
enrolled on its reported ward-days (bisection; simulated enrollments grow with m; when even
the largest m enrolls fewer, the smallest m reaching that plateau). Its
information is the simulated enrollments' response to m, E_eff = dS/dm at m_hat (about the
expected walk-ins when kits are not the limit, near 0 when they are: full kits say little about
demand). Shrunk towards the prior 1.0:
    m = (m_hat * E_eff + k * E_day) / (E_eff + k * E_day)
with E_day the district's prior walk-ins per campaign day: thin data stay near the prior, and
with more days the estimate follows the data. Arrivals per ward-day are then
floor(m * prior + 0.5), their running total capped at the ward's walk-in cohort (and below
the people left to invite for letters already sent).

Reconciliation (the state at the close of day D). The published plan (kits as executed) is
simulated over days 0..D with the re-estimated arrivals; that gives, per ward, the walk-in and
invited queues, the people due to return (with their day and shift), those lost, the
invitation no-shows, the invitable pool left (invited cohort plus walk-ins not expected to come
on their own, less letters sent), homebound and institution residents left, and the walk-ins
still to arrive. Then the actual enrollments (filled as above) replace the simulated ones,
cohort by cohort, moving the difference between pools so that nobody is created or lost:
- homebound and institution: their pools give up (or take back) the difference;
- walk-in + invited ("station") enrolled more than simulated: the extra people are taken from,
  in order, the walk-in queue, the invited queue, the invitable pool not yet promised to a
  letter, people due to return (earliest first), walk-ins still to arrive (latest days first),
  those lost, and invitation no-shows;
- station enrolled fewer than simulated: the missing people did not come and go back to the
  pool reachable only by letter. Kits actually open are already in the simulation, so fewer
  enrollments mean fewer people, not fewer kits; and when day D itself enrolled fewer than
  simulated, the kits were not full that day, so the walk-ins the simulation left waiting at its
  close did not come either (the queue goes to the same pool). Unreported kit breakdowns are
  therefore read as low turnout: report `kits_open` to tell them apart.
Reported totals above what a ward can enroll (homebound, institution or station cohort, or the
target) are capped and a warning says so. Conservation then holds exactly per ward:
enrolled + waiting + not yet arrived + given up = target, where "not yet arrived" is the future
walk-ins plus the invitable pool, no-shows and homebound/institution left, and "given up" is
lost plus due to return; `check_conservation` verifies it and `reforecast` asserts it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..demand import largest_remainder, shift_weights, walk_in_arrivals
from ..scenario import Scenario
from ..simulation import Decisions, StartState, simulate
from .actuals import Observed

WALK, INVITED, HOMEBOUND, INSTITUTION = range(4)   # COHORTS order
SPLIT_ORDER = (INSTITUTION, HOMEBOUND, INVITED, WALK)
MULTIPLIER_RANGE = (0.25, 4.0)
BISECTION_STEPS = 10


@dataclass
class Reforecast:
    """What the nightly re-plan starts from; see the module docstring."""

    scenario: Scenario            # the scenario with the re-estimated show-up rate
    arrivals: np.ndarray          # [wards, days] walk-ins per day (days after as-of: the forecast)
    start: StartState             # at the close of the as-of day
    first_day: int                # as-of day + 1
    executed: Decisions           # the published decisions with kits actually open where reported
    turnout: pd.DataFrame         # per district: the walk-in turnout multiplier, prior and posterior
    show_up: dict                 # the invitation show-up rate, prior and posterior
    enrolled: np.ndarray          # [wards, days] enrollments used per ward-day (actual or assumed)
    gaps: pd.DataFrame            # ward-days with no report and the number assumed
    reconciliation: pd.DataFrame  # per ward: actual vs simulated and where the difference went
    warnings: list[dict] = field(default_factory=list)


# --- helpers --------------------------------------------------------------------------------------

def past_scenario(scenario: Scenario, as_of_day: int) -> Scenario:
    """The scenario cut to days 0..as_of_day (to simulate the past alone)."""
    campaign = scenario.settings.campaign.model_copy(update={"days": as_of_day + 1})
    return scenario.with_settings(campaign=campaign)


def with_show_up(scenario: Scenario, show_up: float) -> Scenario:
    if abs(show_up - scenario.settings.demand.invitation_show_up) < 1e-12:
        return scenario
    demand = scenario.settings.demand.model_copy(update={"invitation_show_up": float(show_up)})
    return scenario.with_settings(demand=demand)


def slice_days(decisions: Decisions, days: slice) -> Decisions:
    return Decisions(decisions.kits_open[:, days].copy(), decisions.mobile_kits[:, days].copy(),
                     decisions.home_visit_teams[:, days].copy(), decisions.letters[:, days].copy())


def scale_arrivals(prior: np.ndarray, multiplier: np.ndarray, cap: np.ndarray) -> np.ndarray:
    """floor(m * prior + 0.5) per ward-day with the running total per ward capped at `cap`."""
    scaled = np.floor(np.round(prior * multiplier[:, None] + 0.5, 9)).astype(np.int64)
    running = np.minimum(np.cumsum(scaled, axis=1), np.maximum(cap, 0)[:, None])
    return np.diff(running, axis=1, prepend=0)


def _spread(total: int, weights: np.ndarray, caps: np.ndarray) -> np.ndarray:
    """`total` over slots by weight (largest remainder), none above its cap."""
    weights = np.where(caps > 0, np.maximum(weights, 0.0), 0.0)
    if weights.sum() <= 0:
        weights = (caps > 0).astype(float)
    out = np.minimum(largest_remainder(int(total), weights), caps)
    for s in np.argsort(-weights, kind="stable"):
        room = int(caps[s] - out[s])
        take = min(room, int(total - out.sum()))
        if take > 0:
            out[s] += take
    return out


def executed_decisions(scenario: Scenario, published: Decisions, observed: Observed, as_of_day: int) -> Decisions:
    """The published decisions with kits actually open (where reported) on days up to as-of."""
    executed = published.copy()
    kits = scenario.wards["fixed_kits"].to_numpy(np.int64)
    preference = shift_weights(scenario)
    n_shifts = len(scenario.shift_codes)
    for w, d in zip(*np.nonzero(observed.reported[:, :as_of_day + 1])):
        by_shift = observed.kits_by_shift[w, d]
        planned = executed.kits_open[w, d].copy()
        if (by_shift >= 0).any():
            executed.kits_open[w, d] = np.where(by_shift >= 0, by_shift, planned)
        elif observed.kits_day[w, d] >= 0:
            weights = planned.astype(float) if planned.sum() > 0 else preference
            executed.kits_open[w, d] = _spread(int(observed.kits_day[w, d]), weights,
                                               np.full(n_shifts, kits[w]))
    return executed


def split_cohorts(observed: Observed, simulated: np.ndarray, as_of_day: int) -> np.ndarray:
    """[wards, days, 4] enrollments per cohort up to as-of: reported, completed or simulated."""
    days = slice(0, as_of_day + 1)
    out = simulated[:, days].copy()
    reported = observed.reported[:, days]
    for w, d in zip(*np.nonzero(reported)):
        given = observed.cohorts[w, d]
        remaining = int(observed.enrolled[w, d]) - int(given[given >= 0].sum())
        missing = [c for c in SPLIT_ORDER if given[c] < 0]
        row = np.where(given >= 0, given, 0)
        for i, c in enumerate(missing):
            take = remaining if i == len(missing) - 1 else min(int(simulated[w, d, c]), remaining)
            row[c] = take
            remaining -= take
        out[w, d] = row
    return out


def cohort_served(outcome) -> np.ndarray:
    """[wards, days, 4] served per cohort and day."""
    return np.stack([outcome.served_walk_in.sum(axis=2), outcome.served_invited.sum(axis=2),
                     outcome.served_homebound.sum(axis=2), outcome.served_institution.sum(axis=2)], axis=2)


# --- estimates ------------------------------------------------------------------------------------

def estimate_show_up(scenario: Scenario, executed: Decisions, observed: Observed, as_of_day: int,
                     prior_days: float) -> dict:
    """The city's invitation show-up rate from reported invited enrollments (Beta-binomial)."""
    prior = scenario.settings.demand.invitation_show_up
    days = slice(0, as_of_day + 1)
    with_invited = observed.reported[:, days] & (observed.cohorts[:, days, INVITED] >= 0)
    letters = executed.letters[:, days].sum(axis=2)
    sent = float(letters[with_invited].sum())
    came = float(observed.cohorts[:, days, INVITED][with_invited].sum())
    per_day = float(executed.letters.sum()) / max(1, scenario.n_days)
    strength = prior_days * max(per_day, 1.0)
    posterior = (came + strength * prior) / (sent + strength)
    return {"prior": prior, "observed": (came / sent) if sent > 0 else None,
            "posterior": float(np.clip(posterior, 0, 1)),
            "letters_observed": int(sent), "invited_enrolled_observed": int(came),
            "data_weight": sent / (sent + strength)}


def estimate_turnout(scenario: Scenario, executed: Decisions, observed: Observed, as_of_day: int,
                     prior_arrivals: np.ndarray, cap: np.ndarray, walk_in_observed: np.ndarray,
                     prior_days: float) -> pd.DataFrame:
    """Per district: the walk-in multiplier that reproduces reported walk-in enrollments, shrunk."""
    days = slice(0, as_of_day + 1)
    past = past_scenario(scenario, as_of_day)
    decisions = slice_days(executed, days)
    start = StartState.initial(past)
    district_of = scenario.wards["district_code"].to_numpy()
    codes = scenario.district_codes
    member = np.array([[district_of[w] == c for w in range(len(district_of))] for c in codes])  # [districts, wards]
    reported = observed.reported[:, days]
    observed_total = member @ np.where(reported, walk_in_observed, 0).sum(axis=1)
    has_data = (member @ reported.sum(axis=1)) > 0

    district_index = np.array([codes.index(c) for c in district_of], dtype=np.int64)

    def served(multiplier_by_district: np.ndarray) -> np.ndarray:
        by_ward = multiplier_by_district[district_index]
        arrivals = scale_arrivals(prior_arrivals, by_ward, cap)[:, days]
        outcome = simulate(past, decisions, arrivals=arrivals, start=start)
        per_ward = np.where(reported, outcome.served_walk_in.sum(axis=2), 0).sum(axis=1)
        return member @ per_ward

    lo = np.full(len(codes), np.log(MULTIPLIER_RANGE[0]))
    hi = np.full(len(codes), np.log(MULTIPLIER_RANGE[1]))
    expected = served(np.ones(len(codes)))
    at_hi = served(np.exp(hi))
    goal = np.minimum(observed_total, at_hi)   # beyond what the model can enroll: where it saturates
    for _ in range(BISECTION_STEPS):
        mid = (lo + hi) / 2
        below = served(np.exp(mid)) < goal
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
    m_hat = np.exp(hi)
    step = 1.1
    slope = (served(m_hat * step) - served(m_hat / step)) / (m_hat * (step - 1 / step))
    information = np.maximum(slope, 0.0)
    per_day = member @ prior_arrivals.sum(axis=1) / max(1, scenario.n_days)
    strength = prior_days * np.maximum(per_day, 1.0)
    posterior = np.where(has_data, (m_hat * information + strength) / (information + strength), 1.0)
    weight = np.where(has_data, information / (information + strength), 0.0)
    notes = []
    for i in range(len(codes)):
        if not has_data[i]:
            notes.append("no reports: prior kept")
        elif at_hi[i] < observed_total[i]:
            notes.append("more walk-ins enrolled than the model can explain (cohort or kits exhausted)")
        elif expected[i] > 0 and information[i] < 0.2 * expected[i]:
            notes.append("kits were the limit: enrollments say little about demand")
        else:
            notes.append("")
    return pd.DataFrame({"district_code": codes, "prior": 1.0,
                         "observed": np.where(has_data, np.round(m_hat, 4), np.nan),
                         "posterior": np.round(posterior, 6), "data_weight": np.round(weight, 4),
                         "walk_in_enrolled_observed": observed_total.astype(np.int64),
                         "walk_in_enrolled_expected": expected.astype(np.int64),
                         "information": np.round(information, 1), "note": notes})


# --- the state at the close of the as-of day ------------------------------------------------------

def _take(amount: int, pools: list[tuple[str, np.ndarray, object]]) -> tuple[int, list[str]]:
    """Take `amount` people from the pools in order; each pool is (name, array, index or slice order)."""
    used = []
    for name, array, order in pools:
        if amount <= 0:
            break
        for index in order:
            have = int(array[index])
            take = min(have, amount)
            if take > 0:
                array[index] -= take
                amount -= take
                if name not in used:
                    used.append(name)
            if amount <= 0:
                break
    return amount, used


def check_conservation(scenario: Scenario, start: StartState, arrivals: np.ndarray, first_day: int) -> int:
    """Largest |enrolled + waiting + not yet arrived + given up - target| over wards (0 = holds)."""
    target = scenario.wards["target"].to_numpy(np.int64)
    total = (start.enrolled + start.queue_walk_in + start.queue_invited
             + arrivals[:, first_day:].sum(axis=1) + start.invitable_left + start.no_shows
             + start.homebound_left + start.institution_left
             + start.returns_due[:, first_day:].sum(axis=(1, 2)) + start.lost)
    return int(np.abs(total - target).max()) if len(target) else 0


def reforecast(scenario: Scenario, published: Decisions, observed: Observed, as_of_day: int, *,
               pinned: Decisions | None = None, prior_days: float = 1.0) -> Reforecast:
    """Estimate turnout and show-up from the actuals and build the state at the close of as-of."""
    D = as_of_day
    first_day = D + 1
    n_days = scenario.n_days
    wards = scenario.wards
    codes = list(wards.index)
    warnings: list[dict] = []
    executed = executed_decisions(scenario, published, observed, D)
    demand = scenario.settings.demand
    walk_in = wards["walk_in"].to_numpy(np.int64)
    invited = wards["invited"].to_numpy(np.int64)
    homebound = wards["homebound"].to_numpy(np.int64)
    institution = wards["institution"].to_numpy(np.int64)
    target = wards["target"].to_numpy(np.int64)
    future_letters = np.zeros(len(codes), np.int64)
    if pinned is not None:
        future_letters = np.where(pinned.letters >= 0, pinned.letters, 0)[:, first_day:].sum(axis=(1, 2))
    letters_past = executed.letters[:, :first_day].sum(axis=(1, 2))
    cap = np.minimum(walk_in, walk_in + invited - letters_past - future_letters)
    prior_arrivals = walk_in_arrivals(scenario)

    # 1. show-up, then the simulated cohorts that do not depend on walk-in turnout
    show_up = estimate_show_up(scenario, executed, observed, D, prior_days)
    planning = with_show_up(scenario, show_up["posterior"])
    past = past_scenario(planning, D)
    days = slice(0, first_day)
    decisions_past = slice_days(executed, days)
    ones = np.ones(len(codes))
    first_guess = simulate(past, decisions_past, arrivals=scale_arrivals(prior_arrivals, ones, cap)[:, days],
                           start=StartState.initial(past))
    cohorts_sim = cohort_served(first_guess)
    walk_in_observed = split_cohorts(observed, cohorts_sim, D)[:, :, WALK]

    # 2. turnout per district
    turnout = estimate_turnout(planning, executed, observed, D, prior_arrivals, cap, walk_in_observed, prior_days)
    multiplier = turnout.set_index("district_code").loc[wards["district_code"], "posterior"].to_numpy(float)
    arrivals = scale_arrivals(prior_arrivals, multiplier, cap)

    # 3. the past under the re-estimated arrivals
    start0 = StartState.initial(past)
    start0.invitable_left = invited + walk_in - arrivals.sum(axis=1)
    outcome = simulate(past, decisions_past, arrivals=arrivals[:, days], start=start0)
    sim = cohort_served(outcome)                                    # [w, D+1, 4]
    actual = split_cohorts(observed, sim, D)                        # [w, D+1, 4]
    reported = observed.reported[:, days]
    gaps = []
    for w, d in zip(*np.nonzero(~reported)):
        gaps.append({"ward_code": codes[w], "date": scenario.dates[d].isoformat(), "day": int(d),
                     "assumed_enrolled": int(sim[w, d].sum())})
    gaps = pd.DataFrame(gaps, columns=["ward_code", "date", "day", "assumed_enrolled"])

    # pools at the close of day D, from the simulation
    last = outcome.queue_walk_in_end.shape[2] - 1
    qw = outcome.queue_walk_in_end[:, D, last].copy()
    qi = outcome.queue_invited_end[:, D, last].copy()
    lag = demand.return_after_days
    gave_up = outcome.gave_up
    returns_due = np.zeros((len(codes), n_days, gave_up.shape[2]), np.int64)
    lost = gave_up.sum(axis=(1, 2)).astype(np.int64)
    for p in range(first_day):
        if p + lag < n_days:
            back = np.floor(np.round(demand.return_share * gave_up[:, p, :], 9)).astype(np.int64)
            lost -= back.sum(axis=1)
            if p + lag > D:
                returns_due[:, p + lag, :] += back
    showing = np.floor(np.round(planning.settings.demand.invitation_show_up * executed.letters[:, days], 9))
    no_shows = (executed.letters[:, days] - showing).sum(axis=(1, 2)).astype(np.int64)
    # the working groups' calls so far (the simulation's rule): the called who came are no longer
    # no-shows; those called are not called again
    calls_made = np.zeros((len(codes), first_day), np.int64) if outcome.calls is None else \
        outcome.calls[:, days].sum(axis=2).astype(np.int64)
    called_came = np.floor(np.round(past.settings.demand.follow_up_show_up * calls_made, 9)).astype(np.int64)
    never_called = no_shows - calls_made.sum(axis=1)
    no_shows = no_shows - called_came.sum(axis=1)
    invitable_left = start0.invitable_left - letters_past
    homebound_left = homebound - sim[:, :, HOMEBOUND].sum(axis=1)
    institution_left = institution - sim[:, :, INSTITUTION].sum(axis=1)
    future = arrivals[:, first_day:].copy()
    sim_total = sim.sum(axis=(1, 2))

    # 4. actual enrollments replace simulated ones (see the module docstring)
    e = actual.sum(axis=1)                                          # [w, 4]
    rows = []
    enrolled = np.zeros(len(codes), np.int64)
    for w, code in enumerate(codes):
        note = []
        excess = 0
        for c, pool_size, name in ((HOMEBOUND, homebound[w], "homebound"),
                                   (INSTITUTION, institution[w], "institution")):
            if e[w, c] > pool_size:
                excess += int(e[w, c] - pool_size)
                note.append(f"{int(e[w, c] - pool_size)} {name} above the cohort counted as walk-ins")
                e[w, c] = pool_size
        station_room = int(walk_in[w] + invited[w] - future_letters[w])
        station = int(e[w, WALK] + e[w, INVITED]) + excess
        if station > station_room:
            warnings.append({"kind": "above_target", "ward_code": code, "date": "",
                             "message": f"ward {code}: reported enrollments exceed what it can enroll "
                                        f"(target {int(target[w])}); {station - station_room} not counted"})
            station = station_room
        for c, left in ((HOMEBOUND, homebound_left), (INSTITUTION, institution_left)):
            left[w] -= int(e[w, c] - sim[w, :, c].sum())
        delta = station - int(sim[w, :, WALK].sum() + sim[w, :, INVITED].sum())
        day_delta = int(actual[w, D, WALK] + actual[w, D, INVITED] - sim[w, D, WALK] - sim[w, D, INVITED])
        if day_delta < 0 and qw[w] > 0:
            note.append(f"the {int(qw[w])} the simulation left waiting did not come (day {D} enrolled fewer "
                        "than the kits could take)")
            invitable_left[w] += qw[w]
            qw[w] = 0
        if delta > 0:
            free_invitable = np.array([max(0, int(invitable_left[w] - future_letters[w]))])
            before_free = int(free_invitable[0])
            rest, used = _take(delta, [
                ("walk-in queue", qw, [w]), ("invited queue", qi, [w]),
                ("not expected to come", free_invitable, [0]),
                ("due to return", returns_due[w].reshape(-1), range(returns_due.shape[1] * returns_due.shape[2])),
                ("walk-ins to come", future[w], range(future.shape[1] - 1, -1, -1)),
                ("lost", lost, [w]), ("no-shows", no_shows, [w])])
            invitable_left[w] -= before_free - int(free_invitable[0])
            assert rest == 0, f"ward {code}: cannot place {rest} people"
            note.append(f"{delta} more enrolled than simulated, taken from: {', '.join(used)}")
        elif delta < 0:
            invitable_left[w] += -delta
            note.append(f"{-delta} fewer enrolled than simulated: did not come")
        enrolled[w] = station + int(e[w, HOMEBOUND] + e[w, INSTITUTION])
        rows.append({"ward_code": code, "district_code": wards.at[code, "district_code"],
                     "reported_days": int(reported[w].sum()), "missing_days": int((~reported[w]).sum()),
                     "enrolled_actual": int(enrolled[w]), "enrolled_simulated": int(sim_total[w]),
                     "difference": int(enrolled[w] - sim_total[w]), "waiting_walk_in": int(qw[w]),
                     "waiting_invited": int(qi[w]), "walk_ins_to_come": int(future[w].sum()),
                     "invitable_left": int(invitable_left[w]), "target": int(target[w]),
                     "remaining": int(target[w] - enrolled[w]), "note": "; ".join(note)})
    arrivals = arrivals.copy()
    arrivals[:, first_day:] = future
    start = StartState(queue_walk_in=qw, queue_invited=qi, homebound_left=homebound_left,
                       institution_left=institution_left, invitable_left=invitable_left, enrolled=enrolled,
                       returns_due=returns_due, lost=lost, no_shows=no_shows,
                       callable_no_shows=np.clip(never_called, 0, no_shows))
    gap = check_conservation(scenario, start, arrivals, first_day)
    assert gap == 0, f"reconciliation broke conservation by {gap}"
    enrolled_days = actual.sum(axis=2)
    return Reforecast(scenario=planning, arrivals=arrivals, start=start, first_day=first_day, executed=executed,
                      turnout=turnout, show_up=show_up, enrolled=enrolled_days, gaps=gaps,
                      reconciliation=pd.DataFrame(rows), warnings=warnings)
