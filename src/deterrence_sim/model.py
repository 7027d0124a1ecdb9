"""ChannelModel: the daily order of events.

One tick is one calendar day. Each day, in this order (the numbers are the mechanisms of the
ODD protocol, docs/ODD.md, and the modules of ``rules/``):

 1. inflow       newcomers reach the northern French coast
 2. weather      the day is sea-viable or not (drawn in advance, common to all scenarios)
10. returns      returnees housed in France go back to the coast, or give up
11. legal route  awareness spreads; people with UK family ties apply; decisions; admissions
 4. belief       perceived removal risk moves toward what each group has seen and heard
 3. decision     waiting people leave the route, or (on a viable day, if they can pay) try
 5. smugglers    seats are sold and boats filled
 6. France       police stop some launches
 7. crossing     boats at sea arrive, are rescued back to France, or people die
 8. UK           arrivals are screened and detained up to capacity; others enter asylum
 9. courts       the newly detained may challenge; due decisions are made
 6. France       referrals due are answered, within the weekly cap
 8. UK           flights take those cleared; the removal window expires for others
 5. smugglers    restock, adapt people per boat and price
    records      the day's figures are collected

How it runs. Each person is a Mesa agent (``agents.Migrant``) and a row of the population table
(``population.Population``). The order of events above is :func:`simulate_day`, compiled with
numba: it runs the rules of ``rules/`` (themselves compiled) over the table's columns, in place,
and lists the rows of people who left. ``ChannelModel.step`` calls it once a day, then does the
Mesa bookkeeping in batches: it registers the day's newcomers as agents, deregisters those who
left, and collects the day's figures with Mesa's DataCollector.

Every random draw comes from the model's seeded generators: ``self.rng`` (Mesa's) for
behaviour, and two streams derived from the same seed for weather and inflow, so that
replicate i of any two scenarios shares its weather and its newcomers (common random numbers).
The newcomers of the whole run (how many each day, and who they are) are drawn from the inflow
stream when the model is built.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections import namedtuple

import mesa
import numpy as np
from numba import njit

from . import params as parameters
from .agents import (ACCEPTED_THIS_WEEK, ADMITTED_TOTAL, AWARENESS, FILED_TOTAL, FLIGHT_CREDIT, FLIGHTS_TOTAL,
                     FRANCE_WEEK, N_COUNTERS, REMOVED_TOTAL, WON_TOTAL, Court, FrenchAuthority, Migrant, Smuggler,
                     UKAuthority, add_batch, remove_batch)
from .errors import ConfigError
from .population import (ADMITTED, ANSWER_ACCEPTED, ANSWER_PENDING, APPLIED, CHALLENGE_LOST, CHALLENGE_PENDING,
                         DEAD, DETAINED, FIRST_EXIT, IN_UK_ASYLUM, LEFT_ROUTE, N_GROUPS, RETURNABLE, RETURNED, WAITING,
                         Population)
from .rules import belief, courts, crossing, decision, france, inflow, legal_route, returns, smugglers, uk, weather
from .schedule import parse_date

#: The daily figures a run records (one row per day), in output order.
DAILY_COLUMNS = (
    "arrivals", "boats", "attempts", "prevented", "deaths", "waiting_in_france", "detained",
    "referred_to_france", "removed", "admitted_legal_route", "recrossings", "legal_challenges_filed",
    "legal_challenges_won", "flights", "perceived_removal_risk", "price_gbp", "people_per_boat",
    "newcomers", "left_route", "rescued", "entered_asylum", "returned_in_france", "legal_applications",
    "applied_legal_route", "sea_viable", "detentions",
)
# Their positions in the compiled day's output (same order as DAILY_COLUMNS).
(ARRIVALS, BOATS, ATTEMPTS, PREVENTED, DEATHS, WAITING_IN_FRANCE, DETAINED_NOW, REFERRED, REMOVED, ADMITTED_TODAY,
 RECROSSINGS, CHALLENGES_FILED, CHALLENGES_WON, FLIGHTS, RISK, PRICE, PEOPLE_PER_BOAT, NEWCOMERS, LEFT_TODAY,
 RESCUED, ENTERED_ASYLUM, RETURNED_IN_FRANCE, APPLICATIONS, APPLIED_NOW, SEA_VIABLE, DETENTIONS) = range(26)
#: Daily figures that are counts of events (summed into yearly totals); the others are levels.
EVENT_COLUMNS = tuple(c for c in DAILY_COLUMNS if c not in (
    "waiting_in_france", "detained", "perceived_removal_risk", "price_gbp", "people_per_boat",
    "returned_in_france", "applied_legal_route", "sea_viable"))
_FLOAT_COLUMNS = (RISK, PRICE, PEOPLE_PER_BOAT)
_INT_COLUMNS = tuple(i for i in range(len(DAILY_COLUMNS)) if i not in _FLOAT_COLUMNS)


#: The smuggling networks' state, one entry per network (boats held, people per boat, price), and
#: the day's trade (customers, seats offered, boats launched, boats lost to the police).
Networks = namedtuple("Networks", ["boats", "load", "price", "customers", "seats", "launched", "lost"])
#: Who the newcomers of the run are (one entry per person, in order of arrival) and where each
#: day's newcomers start (``first[t]`` .. ``first[t + 1]``).
Newcomers = namedtuple("Newcomers", ["group", "ties", "eligible", "budget", "network", "first"])

STREAM_WEATHER, STREAM_INFLOW, STREAM_INFLOW_MONTHS = 1, 2, 3  # streams derived from the seed (docs/ODD.md 4)


class ChannelModel(mesa.Model):
    """Agent-based model of Channel small-boat crossings and the UK-France one-in-one-out pilot.

    Keyword arguments: ``start``, ``end`` (ISO dates; default the year 2025), ``rng`` (seed),
    and any parameter listed in :data:`deterrence_sim.params.PARAMS` (a constant, or a
    ``{date: value}`` schedule for schedulable ones). Unknown names or out-of-range values raise
    :class:`~deterrence_sim.errors.ConfigError`.
    """

    def __init__(self, *, start="2025-01-01", end="2025-12-31", rng=None, **params):
        super().__init__(rng=rng)
        self.start_date = parse_date(start, "start")
        self.end_date = parse_date(end, "end")
        if self.end_date < self.start_date:
            raise ConfigError(f"end: {self.end_date} is before start {self.start_date}")
        self.n_days = (self.end_date - self.start_date).days + 1
        self.dates = [self.start_date + dt.timedelta(days=i) for i in range(self.n_days)]
        self.values = parameters.validate(params)
        self.c, self.daily = parameters.build(self.values, self.start_date, self.n_days)
        self._c, self._d = parameters.compiled_form(self.c, self.daily)
        self.day = 0  # index of the day being simulated

        stream_seed = rng if isinstance(rng, (int, np.integer)) else int(self.rng.integers(2**62))
        self.stream_seed = int(stream_seed)
        self.inflow_rng = np.random.default_rng([self.stream_seed, STREAM_INFLOW])
        self.sea_viable = self._draw_weather(np.random.default_rng([self.stream_seed, STREAM_WEATHER]))
        self.inflow_month_factor = inflow.month_multipliers(  # own stream: sd = 0 leaves every other draw alone
            np.random.default_rng([self.stream_seed, STREAM_INFLOW_MONTHS]), self.dates, self.c.inflow_month_sd)
        self.expected_newcomers = inflow.expected_newcomers_per_day(
            self.dates, self.daily.inflow_per_year, self.c.inflow_seasonality) * self.inflow_month_factor
        self._weekday0 = self.start_date.weekday()

        c = self.c
        self.population = Population()
        n_net = c.n_networks
        self.net = Networks(boats=np.full(n_net, c.boats_initial, dtype=np.int64),
                            load=np.full(n_net, c.people_per_boat_initial, dtype=np.float64),
                            price=np.full(n_net, c.price_initial_gbp, dtype=np.float64),
                            customers=np.zeros(n_net, dtype=np.int64), seats=np.zeros(n_net, dtype=np.int64),
                            launched=np.zeros(n_net, dtype=np.int64), lost=np.zeros(n_net, dtype=np.int64))
        self.networks = {"boats": self.net.boats, "load": self.net.load, "price": self.net.price}  # same arrays
        self.counters = np.zeros(N_COUNTERS)
        self.counters[FRANCE_WEEK] = -1
        self.smugglers = [Smuggler(self, k) for k in range(n_net)]
        self.uk = UKAuthority(self)
        self.france = FrenchAuthority(self)
        self.court = Court(self)

        # the community's fading records of removals and arrivals, by nationality group (rule 4)
        self.removed_record = np.zeros(N_GROUPS)
        self.arrived_record = np.zeros(N_GROUPS)
        self.totals = dict.fromkeys(("newcomers", "removed", "admitted", "in_uk_asylum", "left_route", "dead"), 0)
        self.totals["initial"] = c.initial_waiting
        self._today = np.zeros(len(DAILY_COLUMNS))
        self.today = dict.fromkeys(DAILY_COLUMNS, 0)

        self._add_initial_people(c.initial_waiting)
        self.newcomers = self._draw_newcomers()
        self.datacollector = DailyCollector(DAILY_COLUMNS)

    # ------------------------------------------------------------------ set-up helpers
    def _draw_weather(self, rng) -> np.ndarray:
        months = np.array([d.month for d in self.dates])
        path = weather.markov_weather(rng, months, self.c.calm_after_calm, self.c.calm_after_rough)
        if self.c.weather_mode == "observed":
            from .data import observed_crossing_days

            path = weather.observed_weather(self.dates, observed_crossing_days(), path)
        return path

    def _add_initial_people(self, n: int) -> None:
        """Rule 1 (inflow): the people already on the coast on the start date, who have waited up
        to 30 days and believe what their group hears on that day."""
        if n == 0:
            return
        rng = self.inflow_rng
        who = inflow.draw_newcomers(rng, n, self.c)
        since = -rng.integers(0, 31, size=n)
        signal = belief.risk_signal(self.removed_record, self.arrived_record, self.c.social_weight,
                                    self.c.removal_salience,
                                    self.c.announcement_weight * self.daily.announced_intent[0])
        agents = add_batch(self, Migrant, n)
        self.population.add(agents, state=WAITING, since=since, belief=signal[who["group"]], **who)

    def _draw_newcomers(self) -> Newcomers:
        """Rule 1 (inflow): how many people reach the coast each day of the run (Poisson around
        the expected number) and who they are, drawn now from the inflow stream."""
        rng = self.inflow_rng
        per_day = rng.poisson(self.expected_newcomers)
        first = np.zeros(self.n_days + 1, dtype=np.int64)
        np.cumsum(per_day, out=first[1:])
        who = inflow.draw_newcomers(rng, int(first[-1]), self.c)
        return Newcomers(group=who["group"].astype(np.int64), ties=who["ties"], eligible=who["eligible"],
                         budget=who["budget"], network=who["network"].astype(np.int64), first=first)

    # ------------------------------------------------------------------ the daily tick
    def step(self) -> None:
        """Simulate one day: the compiled order of events, then Mesa's bookkeeping."""
        if self.day >= self.n_days:
            self.running = False
            return
        t, pop = self.day, self.population
        n_new = int(self.newcomers.first[t + 1] - self.newcomers.first[t])
        pop.reserve(n_new)
        n_before = pop.n
        today = self._today
        pop.n, n_exited = simulate_day(
            t, pop.table, n_before, self.newcomers, self._c, self._d, self.sea_viable, self._weekday0,
            self.net, self.removed_record, self.arrived_record, self.counters, today, pop.exited, self.rng)
        # Mesa's bookkeeping: newcomers become agents (before anyone leaves: some leave on day one)
        pop.attach(add_batch(self, Migrant, n_new), slice(n_before, pop.n))
        if n_exited:
            remove_batch(self, pop.agent[pop.exited[:n_exited]])
            pop.n_exited += n_exited
        self._record(today)
        pop.maybe_compact()
        self.day += 1
        if self.day >= self.n_days:
            self.running = False

    def _record(self, today: np.ndarray) -> None:
        values = today.tolist()
        for i in _INT_COLUMNS:
            values[i] = int(values[i])
        self.today = dict(zip(DAILY_COLUMNS, values))
        totals = self.totals
        totals["newcomers"] += values[NEWCOMERS]
        totals["removed"] += values[REMOVED]
        totals["admitted"] += values[ADMITTED_TODAY]
        totals["in_uk_asylum"] += values[ENTERED_ASYLUM]
        totals["left_route"] += values[LEFT_TODAY]
        totals["dead"] += values[DEATHS]
        self.datacollector.collect(self)

    # ------------------------------------------------------------------ conveniences
    @property
    def awareness(self) -> float:
        """Share of eligible people who know of the legal route (rule 11)."""
        return float(self.counters[AWARENESS])

    @property
    def date(self) -> dt.date:
        """The date of the next day to simulate (the last simulated one plus one)."""
        return self.start_date + dt.timedelta(days=self.day)

    def in_simulation(self) -> dict[str, int]:
        """People currently in each non-exit state."""
        pop = self.population
        return {"waiting": pop.count(WAITING), "applied": pop.count(APPLIED), "detained": pop.count(DETAINED),
                "returned": pop.count(RETURNED)}

    def run(self) -> ChannelModel:
        """Simulate every remaining day up to ``end``.

        Python's cyclic garbage collector is paused meanwhile: the run creates tens of thousands
        of agents that live for weeks, and the collector would otherwise re-scan them again and
        again (about a tenth of the run time) to find no cycles. Memory is unaffected: agents
        that leave are freed as soon as they are dropped. The collector's previous state is
        restored at the end, even on error.
        """
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            while self.running:
                self.step()
        finally:
            if was_enabled:
                gc.enable()
        return self


# ====================================================================== the compiled day
# Each function below is one step of the order of events, over the population table ``p``
# (a population.Table of columns; rows 0..n-1 are in use). ``c`` holds the constants and ``d``
# the day-by-day values of the parameters (params.Constants, params.Daily), ``today`` the day's
# figures (indexed as DAILY_COLUMNS), ``k`` the institutions' counters. People who leave the
# simulation are listed in ``exited`` (the caller deregisters their agents); each step returns
# the new length of that list.

@njit(cache=True)
def simulate_day(t, p, n, new, c, d, sea_viable, weekday0, net, removed_record, arrived_record, k, today, exited,
                 rng):
    """Simulate day ``t`` in the order of events of the module docstring, in place.

    Returns the number of rows in use (after the day's newcomers are appended) and the number
    of people who left, whose rows are ``exited[:n_exited]``.
    """
    today[:] = 0.0
    today[SEA_VIABLE] = 1.0 if sea_viable[t] else 0.0
    # the records behind the risk signal change only later in the day, so one signal serves
    # both the newcomers' first belief and everyone's belief update
    signal = belief.risk_signal(removed_record, arrived_record, c.social_weight, c.removal_salience,
                                c.announcement_weight * d.announced_intent[t])
    keep = belief.fade_factor(c.memory_half_life_days)  # share of memory kept from one day to the next
    n = add_newcomers(t, p, n, new, signal, today)
    n_exited = returnees_move(t, p, n, c, today, exited, 0, rng)
    n_exited = legal_route_day(t, p, n, c, d, k, today, exited, n_exited, rng)
    belief.update_beliefs(p.belief[:n], signal[p.group[:n]], keep)
    tryers, n_exited = decide(t, p, n, c, d, sea_viable[t], net, today, exited, n_exited, rng)
    arrived, n_exited = cross(t, p, c, d, sea_viable[t], tryers, net, arrived_record, today, exited, n_exited, rng)
    n_exited = uk_screen(t, p, n, c, d, arrived, k, today, exited, n_exited, rng)
    held = np.flatnonzero(p.state[:n] == DETAINED)  # each step below hands on who is still held
    held, n_exited = courts_decide(t, p, d, held, k, today, exited, n_exited, rng)
    held, n_exited = france_answers(t, p, d, held, weekday0, k, today, exited, n_exited, rng)
    held = fly(t, p, d, held, removed_record, k, today)
    n_exited = window_expires(t, p, c, held, today, exited, n_exited)
    smugglers_restock(t, c, d, sea_viable[t], net, rng)
    # the community's memory of arrivals and removals fades
    removed_record *= keep
    arrived_record *= keep
    record(p, n, net, today)
    return n, n_exited


@njit(cache=True)
def leave(p, rows, state, exited, n_exited):
    """Move ``rows`` to the exit ``state`` and list them among today's leavers."""
    m = len(rows)
    p.state[rows] = state
    exited[n_exited:n_exited + m] = rows
    return n_exited + m


@njit(cache=True)
def still_held(p, rows):
    return rows[p.state[rows] == DETAINED]


# 1. inflow ------------------------------------------------------------------------------------
@njit(cache=True)
def add_newcomers(t, p, n, new, signal, today):
    """Append day ``t``'s newcomers (drawn when the model was built) as waiting rows; they start
    out believing what their group currently hears."""
    lo, hi = new.first[t], new.first[t + 1]
    m = hi - lo
    p.state[n:n + m] = WAITING
    p.since[n:n + m] = t
    p.group[n:n + m] = new.group[lo:hi]
    p.ties[n:n + m] = new.ties[lo:hi]
    p.eligible[n:n + m] = new.eligible[lo:hi]
    p.budget[n:n + m] = new.budget[lo:hi]
    p.network[n:n + m] = new.network[lo:hi]
    p.belief[n:n + m] = signal[new.group[lo:hi]]
    today[NEWCOMERS] = m
    return n + m


# 10. returns and re-crossing ---------------------------------------------------------------------
@njit(cache=True)
def returnees_move(t, p, n, c, today, exited, n_exited, rng):
    rows = np.flatnonzero(p.state[:n] == RETURNED)
    if len(rows) == 0:
        return n_exited
    back, gives_up = returns.returnee_moves(rng, len(rows), c.returnee_recross_daily, c.returnee_settle_daily)
    p.state[rows[back]] = WAITING
    p.since[rows[back]] = t
    today[LEFT_TODAY] += gives_up.sum()
    return leave(p, rows[gives_up], LEFT_ROUTE, exited, n_exited)


# 11. legal route -----------------------------------------------------------------------------------
@njit(cache=True)
def legal_route_day(t, p, n, c, d, k, today, exited, n_exited, rng):
    state, answer, application_day = p.state[:n], p.answer, p.application_day
    if d.legal_route_open[t] > 0:
        if k[AWARENESS] == 0.0:
            k[AWARENESS] = c.awareness_initial
        else:
            k[AWARENESS] = legal_route.grow_awareness(k[AWARENESS], c.awareness_growth, c.awareness_max)
        eligible = np.flatnonzero((state == WAITING) & p.ties[:n] & ~p.barred[:n])
        applying = eligible[legal_route.applies_today(rng, len(eligible), k[AWARENESS], c.application_rate)]
        p.state[applying] = APPLIED
        answer[applying] = ANSWER_PENDING
        application_day[applying] = legal_route.decision_day(rng, t, len(applying), c.legal_processing_days)
        today[APPLICATIONS] = len(applying)
    applied = np.flatnonzero(state == APPLIED)
    due = applied[(answer[applied] == ANSWER_PENDING) & (application_day[applied] <= t)]
    ok = legal_route.approved(rng, len(due), c.legal_approval_prob)
    answer[due[ok]] = ANSWER_ACCEPTED
    p.state[due[~ok]] = WAITING
    ready = applied[answer[applied] == ANSWER_ACCEPTED]  # approved, waiting for parity room
    if len(ready) == 0:
        return n_exited
    room = legal_route.parity_room(c.parity, c.parity_ratio, k[REMOVED_TOTAL], k[ADMITTED_TOTAL])
    ready = ready[np.argsort(application_day[ready], kind="mergesort")]
    admitted = ready[: int(min(room, len(ready)))]
    k[ADMITTED_TOTAL] += len(admitted)
    today[ADMITTED_TODAY] = len(admitted)
    return leave(p, admitted, ADMITTED, exited, n_exited)


# 3. the migrant's decision -------------------------------------------------------------------------
@njit(cache=True)
def decide(t, p, n, c, d, viable, net, today, exited, n_exited, rng):
    """Who leaves the route today, and (on a sea-viable day) who tries to cross."""
    rows = np.flatnonzero(p.state[:n] == WAITING)
    factor = decision.deterrence_factor(p.belief[rows], d.deterrence_strength[t])
    leaving = rng.random(len(rows)) < decision.leave_probability(d.leave_route_daily[t], factor)
    today[LEFT_TODAY] += leaving.sum()
    n_exited = leave(p, rows[leaving], LEFT_ROUTE, exited, n_exited)
    if not viable:
        return rows[:0], n_exited
    stay = ~leaving
    rows, factor = rows[stay], factor[stay]
    waited = t - p.since[rows]
    pays = decision.can_pay(p.budget[rows], waited, c.savings_per_day_gbp, net.price[p.network[rows]])
    prob = decision.try_probability(d.try_prob[t], c.impatience_per_month, waited, factor)
    return rows[pays & (rng.random(len(rows)) < prob)], n_exited


# 5-7. seats, boats, police, the sea ------------------------------------------------------------------
@njit(cache=True)
def cross(t, p, c, d, viable, tryers, net, arrived_record, today, exited, n_exited, rng):
    """Smugglers seat the would-be passengers and launch; France stops some boats; the others
    arrive, are rescued back to France, or people die. Returns the rows that reached the UK."""
    net.lost[:] = 0
    if not viable:  # nobody tries, no boat leaves
        net.customers[:] = 0
        net.launched[:] = 0
        return tryers, n_exited
    network = p.network
    net.customers[:] = np.bincount(network[tryers], minlength=c.n_networks)
    launches = smugglers.boats_to_launch(net.customers, net.boats, c.max_launches_per_day, net.load, c.min_boat_fill)
    whole_load = np.floor(net.load).astype(np.int64)
    net.seats[:] = np.minimum(net.boats, c.max_launches_per_day) * whole_load
    net.launched[:] = launches
    if launches.sum() == 0:
        return tryers[:0], n_exited
    seated = tryers[smugglers.allocate_seats(rng, network[tryers], launches * whole_load)]
    boat_of, boat_net = smugglers.fill_boats(network[seated], launches)
    n_boats = len(boat_net)
    is_taxi = rng.random(n_boats) < d.taxi_boat_share[t]
    p_beach, p_taxi = france.prevention_probabilities(
        d.beach_prevention_prob[t], d.taxi_prevention_prob[t], d.force_restraint[t], c.force_restraint_effect,
        d.at_sea_interception[t], c.at_sea_interception_gain)
    stopped = france.boats_stopped(rng, is_taxi, p_beach, p_taxi)
    rescued = ~stopped & crossing.boats_rescued(rng, n_boats, c.rescue_to_france_prob)
    net.lost[:] = np.bincount(boat_net[stopped], minlength=c.n_networks)
    net.boats[:] = net.boats - launches

    at_sea = np.flatnonzero(~stopped[boat_of] & ~rescued[boat_of])  # positions in `seated`
    load = np.bincount(boat_of, minlength=n_boats)
    dies = np.zeros(len(seated), dtype=np.bool_)
    dies[at_sea] = crossing.deaths_at_sea(rng, load[boat_of[at_sea]].astype(np.float64), c.death_prob,
                                          c.death_crowding_exponent)
    arrived = np.zeros(len(seated), dtype=np.bool_)
    arrived[at_sea] = True
    arrived &= ~dies
    n_exited = leave(p, seated[dies], DEAD, exited, n_exited)
    arrived_rows = seated[arrived]
    today[ATTEMPTS] = len(seated)
    today[PREVENTED] = stopped[boat_of].sum()
    today[RESCUED] = rescued[boat_of].sum()
    today[DEATHS] = dies.sum()
    today[ARRIVALS] = len(arrived_rows)
    today[BOATS] = (~stopped & ~rescued).sum()
    today[RECROSSINGS] = (p.times_returned[arrived_rows] > 0).sum()
    arrived_record[:] = belief.update_record(
        arrived_record, np.bincount(p.group[arrived_rows], minlength=N_GROUPS).astype(np.float64), 1.0)
    return arrived_rows, n_exited


# 8. UK screening and detention -----------------------------------------------------------------------
@njit(cache=True)
def uk_screen(t, p, n, c, d, arrived, k, today, exited, n_exited, rng):
    """Arrivals eligible for the scheme are detained while places last (recognised re-crossers
    first when the fast track is on); everyone else enters the asylum system."""
    m = len(arrived)
    if m == 0:
        return n_exited
    recrosser = p.times_returned[arrived] > 0
    fast = np.zeros(m, dtype=np.bool_)
    n_recrossers = recrosser.sum()
    if d.biometric_fast_track[t] > 0 and n_recrossers > 0:
        fast[np.flatnonzero(recrosser)] = returns.recognised(rng, n_recrossers, c.biometric_match_prob)
    candidates = np.flatnonzero(p.eligible[arrived] | fast)  # positions in `arrived`
    free = int(max(0.0, np.floor(d.detention_capacity[t]) - np.count_nonzero(p.state[:n] == DETAINED)))
    chosen = candidates[uk.detention_order(rng, fast[candidates])[:free]]
    held = arrived[chosen]
    is_released = np.ones(m, dtype=np.bool_)
    is_released[chosen] = False
    released = arrived[is_released]
    today[ENTERED_ASYLUM] += len(released)
    n_exited = leave(p, released, IN_UK_ASYLUM, exited, n_exited)
    h = len(held)
    if h == 0:
        return n_exited
    today[DETENTIONS] = h
    p.state[held] = DETAINED
    p.fast_track[held] = fast[chosen]
    p.arrived_day[held] = t
    referral = t + rng.integers(1, c.referral_days + 1, size=h)
    p.referral_day[held] = referral
    p.answer_day[held] = referral + rng.integers(1, c.france_answer_days + 1, size=h)
    p.answer[held] = ANSWER_PENDING
    challenging = courts.files_challenge(rng, h, d.challenge_prob[t])
    p.challenge[held] = np.where(challenging, CHALLENGE_PENDING, 0)
    n_challenging = challenging.sum()
    p.challenge_day[held[challenging]] = courts.decision_day(rng, t, n_challenging, c.challenge_days)
    today[CHALLENGES_FILED] = n_challenging
    k[FILED_TOTAL] += n_challenging
    return n_exited


# 9. courts ------------------------------------------------------------------------------------------
@njit(cache=True)
def courts_decide(t, p, d, held, k, today, exited, n_exited, rng):
    due = held[(p.challenge[held] == CHALLENGE_PENDING) & (p.challenge_day[held] <= t)]
    won = courts.challenge_succeeds(rng, len(due), d.challenge_success_prob[t])
    p.challenge[due[~won]] = CHALLENGE_LOST
    n_won = won.sum()
    today[CHALLENGES_WON] = n_won
    today[ENTERED_ASYLUM] += n_won
    k[WON_TOTAL] += n_won
    n_exited = leave(p, due[won], IN_UK_ASYLUM, exited, n_exited)
    return still_held(p, held), n_exited


# 6. France answers referrals ---------------------------------------------------------------------------
@njit(cache=True)
def france_answers(t, p, d, held, weekday0, k, today, exited, n_exited, rng):
    week = (t + weekday0) // 7
    if week != k[FRANCE_WEEK]:  # a new Monday-to-Sunday week: the count of acceptances restarts
        k[FRANCE_WEEK] = week
        k[ACCEPTED_THIS_WEEK] = 0
    today[REFERRED] = (p.referral_day[held] == t).sum()
    due = held[(p.answer[held] == ANSWER_PENDING) & (p.answer_day[held] <= t)]
    if len(due) == 0:
        return held, n_exited
    # oldest due first; rows are in order of arrival in France, which breaks ties
    due = due[np.argsort(p.answer_day[due], kind="mergesort")]
    prob = france.acceptance_probability(p.group[due], RETURNABLE, d.france_accept_returnable[t],
                                         d.france_accept_other[t])
    accepts = rng.random(len(due)) < prob
    refused = due[~accepts]
    today[ENTERED_ASYLUM] += len(refused)
    n_exited = leave(p, refused, IN_UK_ASYLUM, exited, n_exited)
    accepting = due[accepts]
    fits = france.within_weekly_cap(len(accepting), k[ACCEPTED_THIS_WEEK], d.france_weekly_cap[t])
    p.answer[accepting[:fits]] = ANSWER_ACCEPTED
    k[ACCEPTED_THIS_WEEK] += fits
    p.answer_day[accepting[fits:]] = (week + 1) * 7 - weekday0  # next Monday
    return still_held(p, held), n_exited


# 8. flights --------------------------------------------------------------------------------------------
@njit(cache=True)
def fly(t, p, d, held, removed_record, k, today):
    n_flights, credit = uk.flights_today(k[FLIGHT_CREDIT], d.flights_per_week[t])
    k[FLIGHT_CREDIT] = credit
    if n_flights == 0:
        return held
    cleared = held[(p.answer[held] == ANSWER_ACCEPTED) & (p.challenge[held] != CHALLENGE_PENDING)]
    seats = int(np.floor(n_flights * d.seats_per_flight[t]))
    board = cleared[uk.boarding_order(p.fast_track[cleared], p.arrived_day[cleared])][:seats]
    p.state[board] = RETURNED
    p.times_returned[board] = p.times_returned[board] + 1
    p.barred[board] = True
    p.belief[board] = 1.0
    p.fast_track[board] = False
    p.since[board] = t
    m = len(board)
    flights = uk.flights_used(m, n_flights, d.seats_per_flight[t])
    k[REMOVED_TOTAL] += m
    k[FLIGHTS_TOTAL] += flights
    today[REMOVED] = m
    today[FLIGHTS] = flights
    removed_record[:] = belief.update_record(
        removed_record, np.bincount(p.group[board], minlength=N_GROUPS).astype(np.float64), 1.0)
    return still_held(p, held)


@njit(cache=True)
def window_expires(t, p, c, held, today, exited, n_exited):
    out = held[uk.window_expired(p.arrived_day[held], t, c.removal_window_days)]
    today[ENTERED_ASYLUM] += len(out)
    return leave(p, out, IN_UK_ASYLUM, exited, n_exited)


# 5. smugglers adapt ---------------------------------------------------------------------------------------
@njit(cache=True)
def smugglers_restock(t, c, d, viable, net, rng):
    net.load[:] = smugglers.adapt_load(net.load, net.lost, c.people_per_boat_gain, c.people_per_boat_max)
    if viable:
        net.price[:] = smugglers.adapt_price(net.price, net.customers, net.seats, net.lost, net.launched,
                                             c.price_response, c.price_min_gbp, c.price_max_gbp)
    net.boats[:] = smugglers.restock(rng, net.boats, d.boat_supply_per_week[t], c.max_launches_per_day)


# records --------------------------------------------------------------------------------------------------
@njit(cache=True)
def record(p, n, net, today):
    state = p.state[:n]
    counts = np.bincount(state, minlength=FIRST_EXIT)
    n_waiting = counts[WAITING]
    today[WAITING_IN_FRANCE] = n_waiting
    today[APPLIED_NOW] = counts[APPLIED]
    today[DETAINED_NOW] = counts[DETAINED]
    today[RETURNED_IN_FRANCE] = counts[RETURNED]
    today[RISK] = p.belief[:n][state == WAITING].sum() / n_waiting if n_waiting else 0.0
    today[PRICE] = net.price.sum() / len(net.price)
    today[PEOPLE_PER_BOAT] = today[ARRIVALS] / today[BOATS] if today[BOATS] else np.nan


class DailyCollector(mesa.DataCollector):
    """Mesa's DataCollector for the day's figures (``model.today``), one row per day.

    The figures are plain numbers, so they are appended as they are; Mesa's generic ``collect``
    deep-copies each reporter's value, which cost about an eighth of a simulated year.
    ``model_vars`` and ``get_model_vars_dataframe()`` behave as in Mesa.
    """

    def __init__(self, columns):
        super().__init__(model_reporters={name: _reporter(name) for name in columns})
        self._columns = tuple(columns)

    def collect(self, model) -> None:
        self._collection_steps.append(model.time)
        today, model_vars = model.today, self.model_vars
        for name in self._columns:
            model_vars[name].append(today[name])


def _reporter(name):
    def report(model):
        return model.today[name]

    report.__name__ = name
    return report
