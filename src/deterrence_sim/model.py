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

How it runs. Each person is a row of the population table (``population.Population``) and,
in the simulation, a Mesa agent (``agents.Migrant``). The order of events above is
:func:`simulate_day`, compiled with numba: it runs the rules of ``rules/`` (themselves compiled)
over the table's columns, in place. Steps 10, 11, 4 and 3 concern each person alone and are taken
person by person in one pass (:func:`people_day`); the others work on the people concerned.
``ChannelModel.step`` simulates one day; ``ChannelModel.run`` simulates all the remaining days in
one compiled call (:func:`simulate_days`), with the same results. The day's figures are written
into ``model.figures``, which Mesa's DataCollector reads. The Migrant agents are brought up to
date with the table in one batch whenever the model's agents are looked at (``sync_agents``).

Every random draw comes from the model's seeded generators: ``self.rng`` (Mesa's) for
behaviour, and two streams derived from the same seed for weather and inflow, so that
replicate i of any two scenarios shares its weather and its newcomers (common random numbers).
The newcomers (how many each day, and who they are) are drawn from the inflow stream when the
model is built, for up to ten years (NEWCOMER_BLOCK_DAYS); a longer run draws the next ten years'
when it reaches them, so a model's memory does not grow with its horizon.
"""

from __future__ import annotations

import datetime as dt
from collections import namedtuple

import mesa
import numpy as np
from numba import literal_unroll, njit

from . import params as parameters
from .agents import (ACCEPTED_THIS_WEEK, ADMITTED_TOTAL, AWARENESS, FILED_TOTAL, FLIGHT_CREDIT, FLIGHTS_TOTAL,
                     FRANCE_WEEK, N_COUNTERS, REMOVED_TOTAL, WON_TOTAL, Court, FrenchAuthority, Migrant, Smuggler,
                     UKAuthority, add_batch, remove_batch)
from .errors import ConfigError
from .population import (ADMITTED, ANSWER_ACCEPTED, ANSWER_PENDING, APPLIED, CHALLENGE_LOST, CHALLENGE_PENDING,
                         COMPACT_MIN_ROWS, COMPACT_SHARE, DEAD, DETAINED, FIRST_EXIT, IN_UK_ASYLUM, LEFT_ROUTE,
                         N_GROUPS, RETURNABLE, RETURNED, WAITING, Population)
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
#: Newcomers are drawn (rule 1) for at most this many days at a time, so that what a model holds
#: for them does not grow with its horizon (about 2 MB per simulated year). A run this long or
#: shorter draws all of them when it is built; a longer one draws the next block when it gets
#: there, from the same stream, so its first ten years are those of a ten-year run.
NEWCOMER_BLOCK_DAYS = 3653


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
        # the day's figures, one row per day (the compiled day writes its row in place)
        self.figures = np.zeros((self.n_days, len(DAILY_COLUMNS)))

        self._add_initial_people(c.initial_waiting)
        self._newcomers_through = 0  # newcomers are drawn for days before this one
        self._newcomers_base = 0  # newcomers who entered before the block in self.newcomers
        self._draw_newcomers()
        self.datacollector = DailyCollector(self.figures, self.dates)
        self._steps_ahead = 0  # days run() simulated ahead of Mesa's clock

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
        self.population.add(n, self.agent_id_counter, state=WAITING, since=since, belief=signal[who["group"]],
                            **who)
        self.agent_id_counter += n

    def _draw_newcomers(self) -> None:
        """Rule 1 (inflow): how many people reach the coast each day of the next block of at most
        NEWCOMER_BLOCK_DAYS days (Poisson around the expected number) and who they are, drawn now
        from the inflow stream. ``self.newcomers`` then holds that block: ``first[t]`` counts the
        newcomers of the block before day ``t`` (t counted from the start of the run)."""
        rng = self.inflow_rng
        lo = self._newcomers_through
        hi = min(self.n_days, lo + NEWCOMER_BLOCK_DAYS)
        if lo:
            self._newcomers_base += int(self.newcomers.first[lo])
        per_day = rng.poisson(self.expected_newcomers[lo:hi])
        first = np.zeros(self.n_days + 1, dtype=np.int64)
        np.cumsum(per_day, out=first[lo + 1:hi + 1])
        first[hi + 1:] = first[hi]
        who = inflow.draw_newcomers(rng, int(first[hi]), self.c)
        self.newcomers = Newcomers(group=who["group"].astype(np.int64), ties=who["ties"], eligible=who["eligible"],
                                   budget=who["budget"], network=who["network"].astype(np.int64), first=first)
        self._newcomers_through = hi
        self.population.expect(self.population.n_initial + self._newcomers_base + int(first[hi]))

    # ------------------------------------------------------------------ the daily tick
    def step(self) -> None:
        """Simulate one day (Mesa's tick): the compiled order of events over the population table."""
        if self._steps_ahead:  # run() has simulated this day already; Mesa's clock catches up
            self._steps_ahead -= 1
        elif self.day < self.n_days:
            self._simulate(1)
        if self.day > len(self.datacollector._collection_steps):
            self.datacollector.collect(self)
        self.running = self.day < self.n_days or self._steps_ahead > 0

    def run(self) -> ChannelModel:
        """Simulate every remaining day up to ``end``.

        The days are simulated in one compiled call: the same days, in the same order, with the
        same random draws, as calling :meth:`step` once a day, so the results are identical.
        Mesa's clock (``steps``, ``time``) then advances one step per day, each step finding
        its day already simulated. (Mesa events scheduled inside the span therefore see the
        model as at its end: to watch day by day, call :meth:`step`.)
        """
        days = self.n_days - self.day
        if days > 0:
            self._simulate(days)
            self._steps_ahead = days
        while self.running:
            self.step()
        return self

    def _simulate(self, days: int) -> None:
        """Run the compiled day for ``days`` days from ``self.day``, making room in the table
        whenever the next day's newcomers would not fit."""
        pop, t_end = self.population, self.day + days
        while self.day < t_end:
            t = self.day
            if t >= self._newcomers_through:
                self._draw_newcomers()
            new, stop = self.newcomers, min(t_end, self._newcomers_through)
            pop.reserve(int(new.first[t + 1] - new.first[t]))
            # the people reaching the coast get the next Mesa unique ids, in order of entry
            entered_before = pop.n_initial + self._newcomers_base  # entry number of the block's first newcomer
            id_offset = self.agent_id_counter - (entered_before + int(new.first[t]))
            self.day, pop.n, pop.n_exited, pop.n_left = simulate_days(
                t, stop, pop.table, pop.n, pop.n_exited, entered_before, id_offset, new, self._c, self._d,
                self.sea_viable, self._weekday0, self.net, self.removed_record, self.arrived_record, self.counters,
                self.figures, pop.scratch, pop.left, pop.n_left, self.rng)
            self.agent_id_counter += int(new.first[self.day] - new.first[t])
            pop.n_entered = entered_before + int(new.first[self.day])

    # ------------------------------------------------------------------ the Mesa agents
    def sync_agents(self) -> None:
        """Bring Mesa's agents up to date with the population table.

        Each person in the simulation is a :class:`~deterrence_sim.agents.Migrant` registered
        with the model, with the unique id handed out when they reached the coast. The agent
        objects are made (and those of people who left are deregistered) in one batch when the
        agents are next looked at (``model.agents``, ``model.agents_by_type``, Mesa's data
        collection of agent reporters), rather than every day: people who come and go between
        two looks never need an object, and a run nobody inspects pays almost nothing for
        them. Whenever they are looked at, the agents are exactly the people in the simulation.
        """
        pop = self.__dict__.get("population")
        if pop is None:  # Mesa's own set-up, before the population exists
            return
        gone = pop.take_leavers_agents()
        if len(gone):
            remove_batch(self, gone)
        rows = pop.rows_without_agents()
        pop.give_agents(rows, add_batch(self, Migrant, len(rows), pop.pid[rows].tolist()))

    @property
    def agents(self):
        """All agents (Mesa's AgentSet), with the migrants brought up to date first."""
        self.sync_agents()
        return self._all_agents

    @property
    def agents_by_type(self):
        """Agents by class (Mesa's AgentSets), with the migrants brought up to date first."""
        self.sync_agents()
        return self._agents_by_type

    @property
    def agent_types(self) -> list[type]:
        return list(self.agents_by_type)

    # ------------------------------------------------------------------ the figures so far
    @property
    def today(self) -> dict:
        """The figures of the last simulated day (zeros before the first), by DAILY_COLUMNS name."""
        row = self.figures[self.day - 1] if self.day else np.zeros(len(DAILY_COLUMNS))
        return {name: int(v) if i in _INT_COLUMNS else float(v)
                for i, (name, v) in enumerate(zip(DAILY_COLUMNS, row.tolist()))}

    @property
    def totals(self) -> dict:
        """People who entered and left so far: ``initial`` (on the coast at the start),
        ``newcomers``, and the exits ``removed``, ``admitted``, ``in_uk_asylum``, ``left_route``
        and ``dead``."""
        sums = self.figures[: self.day].sum(axis=0)
        out = {name: int(sums[i]) for name, i in (
            ("newcomers", NEWCOMERS), ("removed", REMOVED), ("admitted", ADMITTED_TODAY),
            ("in_uk_asylum", ENTERED_ASYLUM), ("left_route", LEFT_TODAY), ("dead", DEATHS))}
        out["initial"] = self.c.initial_waiting
        return out

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


# ====================================================================== the compiled day
# Each function below is one step of the order of events, over the population table ``p``
# (a population.Table of columns; rows 0..n-1 are in use). ``c`` holds the constants and ``d``
# the day-by-day values of the parameters (params.Constants, params.Daily), ``today`` the day's
# figures (indexed as DAILY_COLUMNS), ``k`` the institutions' counters. People who leave the
# simulation are listed in ``exited`` (the caller deregisters their agents); each step returns
# the new length of that list.

@njit(cache=True)
def simulate_days(t, t_end, p, n, n_gone, n_initial, id_offset, new, c, d, sea_viable, weekday0, net, removed_record,
                  arrived_record, k, figures, scratch, left, n_left, rng):
    """Simulate days ``t`` .. ``t_end - 1`` one after another, stopping early if the next day's
    newcomers would not fit in the table (the caller makes room and calls again).

    After each day: the day's newcomers are numbered in order of entry and given their Mesa
    unique ids (entry number + ``id_offset``); the entry numbers of people who left are listed
    in ``left``; and once more than half of the rows are people who left (``n_gone``), the
    table is compacted. Returns the next day to simulate, the rows in use, ``n_gone`` and the
    length of ``left``.
    """
    exited, tryers, ready = scratch
    while t < t_end:
        if n + new.first[t + 1] - new.first[t] > len(p.state):
            break
        n_before = n
        n, n_exited = simulate_day(t, p, n, new, c, d, sea_viable, weekday0, net, removed_record, arrived_record,
                                   k, figures[t], exited, tryers, ready, rng)
        first_entry = n_initial + new.first[t]
        for j in range(n - n_before):
            p.entry[n_before + j] = first_entry + j
            p.pid[n_before + j] = first_entry + j + id_offset
        for j in range(n_exited):
            left[n_left + j] = p.entry[exited[j]]
        n_left += n_exited
        n_gone += n_exited
        if n_gone > COMPACT_SHARE * n and n >= COMPACT_MIN_ROWS:
            n = compact(p, n)
            n_gone = 0
        t += 1
    return t, n, n_gone, n_left


@njit(cache=True)
def compact(p, n):
    """Drop the rows of people who left, keeping the others in order (so results do not depend
    on when compaction happens); the freed rows are zeroed. Returns the rows in use."""
    keep = np.flatnonzero(p.state[:n] < FIRST_EXIT)
    m = len(keep)
    for column in literal_unroll(p):
        column[:m] = column[keep]
        column[m:n] = 0
    return m


@njit(cache=True)
def simulate_day(t, p, n, new, c, d, sea_viable, weekday0, net, removed_record, arrived_record, k, today, exited,
                 tryers, ready, rng):
    """Simulate day ``t`` in the order of events of the module docstring, in place.

    Returns the number of rows in use (after the day's newcomers are appended) and the number
    of people who left, whose rows are ``exited[:n_exited]``. ``tryers`` and ``ready`` are
    scratch space, as long as the table.
    """
    today[:] = 0.0
    today[SEA_VIABLE] = 1.0 if sea_viable[t] else 0.0
    # the records behind the risk signal change only later in the day, so one signal serves
    # both the newcomers' first belief and everyone's belief update
    signal = belief.risk_signal(removed_record, arrived_record, c.social_weight, c.removal_salience,
                                c.announcement_weight * d.announced_intent[t])
    keep = belief.fade_factor(c.memory_half_life_days)  # share of memory kept from one day to the next
    n = add_newcomers(t, p, n, new, signal, today)
    legal_route_opens(t, c, d, k)
    n_tryers, n_ready, n_detained, n_exited = people_day(
        t, p, n, c, d, sea_viable[t], net, k, signal, keep, today, exited, 0, tryers, ready, rng)
    n_exited = admit(p, c, k, ready[:n_ready], today, exited, n_exited)
    arrived, n_exited = cross(t, p, c, d, sea_viable[t], tryers[:n_tryers], net, arrived_record, today, exited,
                              n_exited, rng)
    n_exited = uk_screen(t, p, n_detained, c, d, arrived, k, today, exited, n_exited, rng)
    held = np.flatnonzero(p.state[:n] == DETAINED)  # each step below hands on who is still held
    held, n_exited = courts_decide(t, p, d, held, k, today, exited, n_exited, rng)
    held, n_exited = france_answers(t, p, d, held, weekday0, k, today, exited, n_exited, rng)
    held = fly(t, p, c, d, held, removed_record, k, today, rng)
    n_exited = window_expires(t, p, c, held, today, exited, n_exited)
    smugglers_restock(t, c, d, sea_viable[t], net, removed_record, arrived_record, rng)
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


# 10, 11, 4, 3: each person's own part of the day ------------------------------------------------
@njit(cache=True)
def legal_route_opens(t, c, d, k):
    """11. On days the legal route is open, word of it spreads (awareness starts at its initial
    level on the first open day)."""
    if d.legal_route_open[t] > 0:
        if k[AWARENESS] == 0.0:
            k[AWARENESS] = c.awareness_initial
        else:
            k[AWARENESS] = legal_route.grow_awareness(k[AWARENESS], c.awareness_growth, c.awareness_max)


@njit(cache=True)
def people_day(t, p, n, c, d, viable, net, k, signal, keep, today, exited, n_exited, tryers, ready, rng):
    """Each person's own part of the day, one person after another in row order:

    10. a returnee goes back to the coast, gives up on the UK, or stays housed;
    11. a waiting person with UK family ties (not barred) may apply to the legal route; an
        application due today is approved (the person then waits for parity room) or refused
        (back to waiting);
     4. the person's perceived removal risk moves toward their group's signal;
     3. a waiting person leaves the route, or on a sea-viable day, if they can pay, may try.

    These steps involve nobody else (the signal, prices and awareness are fixed for the day), so
    taking them person by person is the order of events of the module docstring. Fills
    ``tryers`` (would-be crossers) and ``ready`` (approved applicants), in row order; returns
    their numbers, the number of people detained (untouched by these steps) and ``n_exited``.
    """
    state, beliefs = p.state, p.belief
    route_open = d.legal_route_open[t] > 0
    awareness = k[AWARENESS]
    strength, leave_base, try_base = d.deterrence_strength[t], d.leave_route_daily[t], d.try_prob[t]
    n_tryers = n_ready = n_detained = n_applications = n_left = 0
    for i in range(n):
        s = state[i]
        if s >= FIRST_EXIT:
            continue
        if s == DETAINED:
            n_detained += 1
        elif s == RETURNED and p.times_returned[i] == 0:  # 3, alternative (b): away from the route for a while
            if decision.comes_back(rng, c.comeback_daily):
                s = state[i] = WAITING
                p.since[i] = t
        elif s == RETURNED:  # 10
            back, gives_up = returns.returnee_move(rng, c.returnee_recross_daily, c.returnee_settle_daily)
            if gives_up:
                n_left += 1
                n_exited = leave_one(p, i, LEFT_ROUTE, exited, n_exited)
                continue
            if back:
                s = state[i] = WAITING
                p.since[i] = t
        elif s == APPLIED:  # 11, decisions
            if p.answer[i] == ANSWER_PENDING and p.application_day[i] <= t:
                if legal_route.approved(rng, c.legal_approval_prob):
                    p.answer[i] = ANSWER_ACCEPTED
                else:
                    s = state[i] = WAITING
            if s == APPLIED and p.answer[i] == ANSWER_ACCEPTED:
                if legal_route.gives_up_waiting(rng, t - p.application_day[i], c.limbo_give_up_daily,
                                                c.limbo_max_days):  # the limbo ends
                    s = state[i] = WAITING
                    p.barred[i] = True
                else:
                    ready[n_ready] = i
                    n_ready += 1
        elif route_open and p.ties[i] and not p.barred[i]:  # 11, applications (s is WAITING)
            if legal_route.applies_today(rng, awareness, c.application_rate):
                s = state[i] = APPLIED
                p.answer[i] = ANSWER_PENDING
                p.application_day[i] = legal_route.decision_day(rng, t, c.legal_processing_days)
                n_applications += 1
        b = beliefs[i] = belief.updated_belief(beliefs[i], signal[p.group[i]], keep)  # 4
        if s != WAITING:
            continue
        if p.since[i] == t and p.times_returned[i] == 0 and inflow.stays_away(  # 1, alternative (a)
                rng, c.inflow_outcome_elasticity, signal[p.group[i]]):
            n_left += 1
            n_exited = leave_one(p, i, LEFT_ROUTE, exited, n_exited)
            continue
        price = net.price[p.network[i]]
        factor = decision.deterrence_factor(  # 3 (alternative (c): the fee at stake scales the risk)
            belief.fee_weighted(b, price, c.price_initial_gbp, c.sunk_cost_weight), strength)
        if rng.random() < decision.leave_probability(leave_base, factor):
            if decision.only_away(rng, c.comeback_share):  # alternative (b): away, may come back
                state[i] = RETURNED
            else:
                n_left += 1
                n_exited = leave_one(p, i, LEFT_ROUTE, exited, n_exited)
        elif viable:
            waited = t - p.since[i]
            if (decision.can_pay(p.budget[i], waited, c.savings_per_day_gbp, price)
                    and rng.random() < decision.try_probability(try_base, c.impatience_per_month, waited, factor)):
                tryers[n_tryers] = i
                n_tryers += 1
    today[APPLICATIONS] = n_applications
    today[LEFT_TODAY] += n_left
    return n_tryers, n_ready, n_detained, n_exited


@njit(cache=True)
def leave_one(p, i, state, exited, n_exited):
    """Move row ``i`` to the exit ``state`` and list it among today's leavers."""
    p.state[i] = state
    exited[n_exited] = i
    return n_exited + 1


@njit(cache=True)
def admit(p, c, k, ready, today, exited, n_exited):
    """11. Approved applicants are admitted to the UK in order of their decision day, as far as
    parity with removals allows."""
    if len(ready) == 0:
        return n_exited
    room = legal_route.parity_room(c.parity, c.parity_ratio, k[REMOVED_TOTAL], k[ADMITTED_TOTAL])
    take = int(min(room, len(ready)))
    if take == 0:  # no room today (most days under parity): the queue waits
        return n_exited
    admitted = ready[legal_route.first_in_line(p.application_day[ready], take)]
    k[ADMITTED_TOTAL] += len(admitted)
    today[ADMITTED_TODAY] = len(admitted)
    return leave(p, admitted, ADMITTED, exited, n_exited)


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
def uk_screen(t, p, n_detained, c, d, arrived, k, today, exited, n_exited, rng):
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
    free = int(max(0.0, np.floor(d.detention_capacity[t]) - n_detained))
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
def fly(t, p, c, d, held, removed_record, k, today, rng):
    n_flights, credit = uk.flights_today(k[FLIGHT_CREDIT], d.flights_per_week[t])
    k[FLIGHT_CREDIT] = credit
    if n_flights == 0:
        return held
    cleared = held[(p.answer[held] == ANSWER_ACCEPTED) & (p.challenge[held] != CHALLENGE_PENDING)]
    late = courts.last_minute_challenges(rng, len(cleared), d.injunction_wave[t], c.injunction_prob)  # alt. (d)
    if late.any():
        filing = cleared[late]
        p.challenge[filing] = CHALLENGE_PENDING
        p.challenge_day[filing] = courts.decision_day(rng, t, len(filing), c.challenge_days)
        today[CHALLENGES_FILED] += len(filing)
        k[FILED_TOTAL] += len(filing)
        cleared = cleared[~late]
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
def smugglers_restock(t, c, d, viable, net, removed_record, arrived_record, rng):
    net.load[:] = smugglers.adapt_load(net.load, net.lost, c.people_per_boat_gain, c.people_per_boat_max)
    if viable:
        floor = smugglers.removal_cost_floor(c.price_min_gbp, c.price_max_gbp, removed_record, arrived_record,
                                             c.price_covers_removals)  # alternative (c)
        net.price[:] = smugglers.adapt_price(net.price, net.customers, net.seats, net.lost, net.launched,
                                             c.price_response, floor, c.price_max_gbp)
    net.boats[:] = smugglers.restock(rng, net.boats, d.boat_supply_per_week[t], c.max_launches_per_day)


# records --------------------------------------------------------------------------------------------------
@njit(cache=True)
def record(p, n, net, today):
    """The day's levels: people in each state and the mean perceived risk of those waiting."""
    state, belief = p.state, p.belief
    counts = np.zeros(FIRST_EXIT, dtype=np.int64)
    risk = 0.0
    away = 0  # alternative (b): people away from the route share the RETURNED state but were never removed
    for i in range(n):
        s = state[i]
        if s < FIRST_EXIT:
            counts[s] += 1
            if s == WAITING:
                risk += belief[i]
            elif s == RETURNED and p.times_returned[i] == 0:
                away += 1
    n_waiting = counts[WAITING]
    today[WAITING_IN_FRANCE] = n_waiting
    today[APPLIED_NOW] = counts[APPLIED]
    today[DETAINED_NOW] = counts[DETAINED]
    today[RETURNED_IN_FRANCE] = counts[RETURNED] - away
    today[RISK] = risk / n_waiting if n_waiting else 0.0
    today[PRICE] = net.price.sum() / len(net.price)
    today[PEOPLE_PER_BOAT] = today[ARRIVALS] / today[BOATS] if today[BOATS] else np.nan


class DailyCollector(mesa.DataCollector):
    """Mesa's DataCollector for the day's figures, one row per day.

    The compiled day writes each day's figures straight into the model's ``figures`` array;
    ``collect`` only notes that a day was collected, and ``model_vars`` (a dict of lists, as in
    Mesa) is read off the array when asked for. Mesa's generic ``collect`` calls a reporter per
    figure and deep-copies its value, which cost about an eighth of a simulated year.
    ``model_vars``, ``get_model_vars_dataframe()`` and Mesa's ``batch_run`` behave as in Mesa.

    Beside the day's figures, ``model_vars`` holds running totals of every event figure
    (:data:`EVENT_COLUMNS`): ``<figure>_total``, the count since the start, and ``<figure>_<year>``,
    the count in that calendar year up to the day (see :func:`running_totals`). Read on the last
    day, as ``mesa.batch_run`` does by default (``data_collection_period=-1``), they are the run's
    and each year's totals.
    """

    def __init__(self, figures: np.ndarray, dates=()):
        self._figures = figures
        self._years = np.array([d.year for d in dates], dtype=np.int64)
        super().__init__(model_reporters={name: _reporter(name) for name in DAILY_COLUMNS})

    @property
    def model_vars(self) -> dict[str, list]:
        n = len(self._collection_steps)
        if self._vars_n != n:
            values = self._figures[:n]
            self._vars = {name: (values[:, i].astype(np.int64) if i in _INT_COLUMNS else values[:, i]).tolist()
                          for i, name in enumerate(DAILY_COLUMNS)}
            self._vars.update(running_totals(values, self._years[:n]))
            self._vars_n = n
        return self._vars

    @model_vars.setter
    def model_vars(self, value) -> None:  # Mesa's __init__ sets it empty
        self._vars, self._vars_n = value, None

    def collect(self, model) -> None:
        self._collection_steps.append(model.time)


def running_totals(figures: np.ndarray, years: np.ndarray) -> dict[str, np.ndarray]:
    """Running totals of the event figures, one value per day: ``<figure>_total`` (since the
    first day) and ``<figure>_<year>`` (within each calendar year of the run, 0 before it)."""
    out = {}
    if len(years) != len(figures):  # a collector made without the dates: no yearly totals
        return out
    for name in EVENT_COLUMNS:
        col = figures[:, DAILY_COLUMNS.index(name)].astype(np.int64)
        out[f"{name}_total"] = np.cumsum(col)
        for year in np.unique(years).tolist():
            out[f"{name}_{year}"] = np.cumsum(np.where(years == year, col, 0))
    return out


def _reporter(name):
    def report(model):
        return model.today[name]

    report.__name__ = name
    return report
