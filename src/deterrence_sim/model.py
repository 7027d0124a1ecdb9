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
 6. France       police stop some beach launches
6a. interception and some taxi boats at sea
 7. crossing     boats at sea arrive, are rescued back to France, or people die
 8. UK           arrivals are screened and detained up to capacity; others enter asylum
 9. courts       the newly detained may challenge; due decisions are made
 6. France       referrals due are answered, within the weekly cap
 8. UK           flights take those cleared; the removal window expires for others
 5. smugglers    restock, adapt people per boat and price
    records      the day's figures are collected

How it runs. Each person is a row of the population table (``population.Population``) and,
in the simulation, a Mesa agent (``agents.Migrant``). The order of events above is
:func:`simulate_day`, compiled with numba: one line per step, each step a compiled function of
its mechanism's module in ``rules/``, which holds the mechanism whole (gating, ordering, state
changes, the figures it records) and works on the table's columns in place. The steps take the
day's records by name (``daybook.World`` and the day's figures, ``daybook.DAILY_COLUMNS``).
Steps 10, 11, 4 and 3 concern each person alone and are taken person by person in one pass
(:func:`people_day`); the others work on the people concerned.
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

import mesa
import numpy as np
from mesa.experimental.mesa_signals import ObservableSignals
from numba import njit

from . import params as parameters
from .agents import Court, FrenchAuthority, Migrant, Smuggler, UKAuthority, add_batch, remove_batch
from .collector import DailyCollector
from .draws import stream_of
from .errors import ConfigError
from .daybook import (
    DAILY_COLUMNS,
    EVENT_COLUMNS,
    FLOAT_COLUMNS,
    World,
    as_records,
    counter_record,
    new_counters,
    new_figures,
    person_pass,
    push,
    record_levels,
    rows_of,
)
from .population import (
    APPLIED,
    COMPACT_MIN_ROWS,
    COMPACT_SHARE,
    DETAINED,
    FIRST_EXIT,
    N_GROUPS,
    RETURNED,
    WAITING,
    Population,
    compact,
)
from .rules import (
    belief,
    courts,
    crossing,
    decision,
    france,
    inflow,
    interception,
    legal_route,
    returns,
    smugglers,
    uk,
    weather,
)
from .rules.belief import Memory
from .rules.inflow import Newcomers
from .rules.smugglers import Networks
from .schedule import run_calendar

__all__ = ["ChannelModel", "DAILY_COLUMNS", "EVENT_COLUMNS", "simulate_day"]

STREAM_WEATHER, STREAM_INFLOW, STREAM_INFLOW_MONTHS, STREAM_INFLOW_POLICY = (
    1,
    2,
    3,
    4,
)  # streams derived from the seed (docs/ODD.md 4)
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
    :class:`~deterrence_sim.errors.ConfigError`. ``values`` takes parameters already checked
    (:class:`~deterrence_sim.params.Parameters`, as a scenario holds them:
    ``ChannelModel(rng=1, **scenario.model_kwargs())``); parameters given beside it change it.
    ``replay`` is for counterfactual runs only (:meth:`_replay`).
    """

    def __init__(
        self,
        *,
        start="2025-01-01",
        end="2025-12-31",
        rng=None,
        replay=None,
        values: parameters.Parameters | None = None,
        **params,
    ):
        super().__init__(rng=rng)
        stream_of(self.rng)  # refuses, before any work, a generator the compiled day cannot draw from
        self.start_date, self.end_date, self.n_days, self.dates = run_calendar(start, end)
        # checked once: a scenario's checked values are taken as they are, changes to them checked alone
        self.values = values.replace(params) if values is not None else parameters.validate(params)
        self.c, self.daily = parameters.build(self.values, self.start_date, self.n_days)
        self._c, self._d = parameters.compiled_form(self.c, self.daily)
        self.day = 0  # index of the day being simulated

        stream_seed = rng if isinstance(rng, (int, np.integer)) else int(self.rng.integers(2**62))
        self.stream_seed = int(stream_seed)
        self.inflow_rng = np.random.default_rng([self.stream_seed, STREAM_INFLOW])
        self.inflow_policy_rng = np.random.default_rng([self.stream_seed, STREAM_INFLOW_POLICY])
        self.sea_viable = self._draw_weather(np.random.default_rng([self.stream_seed, STREAM_WEATHER]))
        days = np.datetime64(self.start_date, "D") + np.arange(self.n_days)  # self.dates as an array
        self.inflow_month_factor = inflow.month_multipliers(  # own stream: sd = 0 leaves every other draw alone
            np.random.default_rng([self.stream_seed, STREAM_INFLOW_MONTHS]), days, self.c.inflow_month_sd
        )
        self.expected_newcomers = inflow.expected_newcomers_per_day(
            days, self.daily.inflow_per_year, self.c.inflow_seasonality
        ) * self._replay(replay)
        self._weekday0 = self.start_date.weekday()

        c = self.c
        self.population = Population()
        n_net = c.n_networks
        self.net = Networks(
            boats=np.full(n_net, c.boats_initial, dtype=np.int64),
            load=np.full(n_net, c.people_per_boat_initial, dtype=np.float64),
            price=np.full(n_net, c.price_initial_gbp, dtype=np.float64),
            customers=np.zeros(n_net, dtype=np.int64),
            seats=np.zeros(n_net, dtype=np.int64),
            launched=np.zeros(n_net, dtype=np.int64),
            lost=np.zeros(n_net, dtype=np.int64),
        )
        self.networks = {"boats": self.net.boats, "load": self.net.load, "price": self.net.price}  # same arrays
        self.counters = new_counters()  # the institutions' running figures (daybook.COUNTERS)
        self.k = counter_record(self.counters)  # the same, by name: model.k["removed_total"]
        self.smugglers = [Smuggler(self, k) for k in range(n_net)]
        self.uk = UKAuthority(self)
        self.france = FrenchAuthority(self)
        self.court = Court(self)

        # the community's fading records of removals and arrivals, by nationality group (rule 4)
        self.memory = Memory(removed=np.zeros(N_GROUPS), arrived=np.zeros(N_GROUPS))
        self.removed_record, self.arrived_record = self.memory
        # the day's figures, one row per day and one column per DAILY_COLUMNS name (the compiled
        # day writes its row in place, seen as a record with named fields)
        self.figures = new_figures(self.n_days)

        self._add_initial_people(c.initial_waiting)
        self._newcomers_through = 0  # newcomers are drawn for days before this one
        self._newcomers_base = 0  # newcomers who entered before the block in self.newcomers
        self.newcomers: Newcomers  # the block of newcomers drawn so far (set by _draw_newcomers)
        self._draw_newcomers()
        self.datacollector = DailyCollector(self.figures, self.dates)
        self._steps_ahead = 0  # days run() simulated ahead of Mesa's clock

    # ------------------------------------------------------------------ set-up helpers
    def _replay(self, replay) -> np.ndarray:
        """Counterfactual hook (``deterrence_sim.analyses.attribution``): ``replay`` maps ``"sea_viable"``
        and/or ``"inflow_month_factor"`` to a pair ``(to_days, from_days)`` of day indices; this
        run then uses, on each day of ``to_days``, the value its own draws gave the matching day of
        ``from_days`` (the weather or the inflow's month factor of another window, same seed).
        Returns the month factors, replayed or not."""
        for name, (to_days, from_days) in (replay or {}).items():
            if name not in ("sea_viable", "inflow_month_factor"):
                raise ConfigError(f"replay: {name!r} cannot be replayed; use sea_viable or inflow_month_factor")
            series = getattr(self, name)
            series[np.asarray(to_days, dtype=np.int64)] = series[np.asarray(from_days, dtype=np.int64)].copy()
        return self.inflow_month_factor

    def _draw_weather(self, rng) -> np.ndarray:
        months = np.array([d.month for d in self.dates])
        path = weather.markov_weather(rng, months, self.c.calm_after_calm, self.c.calm_after_rough)
        if self.c.weather_mode != "markov":  # observed, or observed to 2025 and the chain after
            from .observed.data import observed_crossing_days

            path = weather.observed_weather(
                self.dates, weather.replayed_days(observed_crossing_days(), self.c.weather_mode), path
            )
        return path

    def _add_initial_people(self, n: int) -> None:
        """Rule 1 (inflow): the people already on the coast on the start date, who have waited up
        to 30 days and believe what their group hears on that day."""
        if n == 0:
            return
        rng = self.inflow_rng
        who = inflow.draw_newcomers(rng, n, self.c)
        since = -rng.integers(0, 31, size=n)
        signal = belief.risk_signal(
            self.removed_record,
            self.arrived_record,
            self.c.social_weight,
            self.c.removal_salience,
            self.c.announcement_weight * self.daily.announced_intent[0],
        )
        self.population.add(n, self.agent_id_counter, state=WAITING, since=since, belief=signal[who["group"]], **who)
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
        np.cumsum(per_day, out=first[lo + 1 : hi + 1])
        first[hi + 1 :] = first[hi]
        who = inflow.draw_newcomers(rng, int(first[hi]), self.c)
        self.newcomers = Newcomers(
            group=who["group"],
            ties=who["ties"],
            eligible=who["eligible"],
            budget=who["budget"],
            network=who["network"],
            first=first,
            policy_draw=self.inflow_policy_rng.random(int(first[hi])),
        )
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
        Mesa's clock (``steps``, ``time``) then catches up (:meth:`_catch_up_clock`). (Mesa
        events scheduled inside the span therefore see the model as at its end: to watch day by
        day, call :meth:`step`.)
        """
        days = self.n_days - self.day
        if days > 0:
            self._simulate(days)
            self._catch_up_clock(days)
        while self.running:
            self.step()
        return self

    def _catch_up_clock(self, days: int) -> None:
        """Mesa's clock after :meth:`run` simulated ``days`` days ahead of it: ``steps`` and
        ``time`` advance by ``days`` and the data collector notes each day, as ``days`` calls of
        :meth:`step` would. When those steps would do nothing else (:meth:`_clock_is_quiet`), the
        clock moves there at once, about 2 ms of a full-scale year's 30 (Mesa takes some 5 us
        for each step's event); otherwise Mesa's ``run_for`` takes a step a day, events and
        signals included, each step finding its day already simulated."""
        if not self._clock_is_quiet(days):
            self._steps_ahead = days
            self.run_for(days)
            return
        schedule = self._default_schedule  # Mesa's recurring event of step()
        now = float(self.time)  # type: ignore[has-type]  # (Mesa declares time as an Observable)
        schedule._current_event.cancel()
        self.steps += days
        schedule._execution_count += days
        self.time = now + days
        schedule._schedule_next(self.time + 1)
        self.datacollector.collect_times([now + k for k in range(1, days + 1)])
        self.running = self.day < self.n_days

    def _clock_is_quiet(self, days: int) -> bool:
        """Whether Mesa's next ``days`` steps would only count: this class's own :meth:`step`,
        Mesa's daily step schedule as Mesa sets it up and next due in one time unit, no other
        event due by then, no discrete-event simulator in charge and nobody subscribed to the
        time. False also if Mesa's internals are not as this reads them (Mesa's own path then
        runs)."""
        try:
            schedule = self._default_schedule
            pending = schedule._current_event
            first = self._event_list.peek_ahead(2)
            return (
                type(self).step is ChannelModel.step
                and self._simulator is None
                and schedule.is_active
                and not schedule._paused
                and schedule.schedule.interval == 1
                and schedule.schedule.count is None
                and schedule.schedule.end is None
                and pending is not None
                and first[0] is pending
                and pending.time == self.time + 1
                and (len(first) == 1 or first[1].time > self.time + days)
                and not self._has_subscribers("time", ObservableSignals.CHANGED)
            )
        except (AttributeError, IndexError, TypeError):
            return False

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
                t,
                stop,
                self.world(),
                pop.n,
                pop.n_exited,
                entered_before,
                id_offset,
                as_records(self.figures),
                pop.left,
                pop.n_left,
                self.rng,
            )
            self.agent_id_counter += int(new.first[self.day] - new.first[t])
            pop.n_entered = entered_before + int(new.first[self.day])

    def world(self) -> World:
        """Everything the compiled day works on, as one record (``daybook.World``): the
        population table as it is now, the parameters, the networks, the counters, the
        community's memory, the newcomers, the weather and the row lists of the day."""
        pop = self.population
        leavers, tryers, ready, held = pop.scratch
        return World(
            p=pop.table,
            c=self._c,
            d=self._d,
            net=self.net,
            k=self.k,
            memory=self.memory,
            new=self.newcomers,
            sea_viable=self.sea_viable,
            weekday0=self._weekday0,
            leavers=leavers,
            tryers=tryers,
            ready=ready,
            held=held,
            stream=stream_of(self.rng),
            memo=decision.factor_memo(2 * N_GROUPS),
        )

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
        return {name: float(v) if name in FLOAT_COLUMNS else int(v) for name, v in zip(DAILY_COLUMNS, row.tolist())}

    @property
    def totals(self) -> dict:
        """People who entered and left so far: ``initial`` (on the coast at the start),
        ``newcomers``, and the exits ``removed``, ``admitted``, ``in_uk_asylum``, ``left_route``
        and ``dead``."""
        days = as_records(self.figures)[: self.day]
        out = {
            total: int(days[column].sum())
            for total, column in (
                ("newcomers", "newcomers"),
                ("removed", "removed"),
                ("admitted", "admitted_legal_route"),
                ("in_uk_asylum", "entered_asylum"),
                ("left_route", "left_route"),
                ("dead", "deaths"),
            )
        }
        out["initial"] = self.c.initial_waiting
        return out

    # ------------------------------------------------------------------ conveniences
    @property
    def awareness(self) -> float:
        """Share of eligible people who know of the legal route (rule 11)."""
        return float(self.k["awareness"])

    @property
    def date(self) -> dt.date:
        """The date of the next day to simulate (the last simulated one plus one)."""
        return self.start_date + dt.timedelta(days=self.day)

    def in_simulation(self) -> dict[str, int]:
        """People currently in each non-exit state."""
        pop = self.population
        return {
            "waiting": pop.count(WAITING),
            "applied": pop.count(APPLIED),
            "detained": pop.count(DETAINED),
            "returned": pop.count(RETURNED),
        }


# ====================================================================== the compiled day
# The day is the sequence of the steps of ``rules/``, each one mechanism whole (its gating,
# ordering, state changes and the figures it records). Every step takes ``w``, the
# daybook.World record of everything the day works on (the population table ``w.p``, the
# parameters ``w.c`` and ``w.d``, the networks, the counters ``w.k``, the community's memory, the
# row lists of today's leavers, would-be crossers and approved applicants), and ``today``, the
# record of the day's figures (daybook.DAILY_COLUMNS).


@njit(cache=True)
def simulate_days(t, t_end, w, n, n_gone, n_initial, id_offset, days, left, n_left, rng):
    """Simulate days ``t`` .. ``t_end - 1`` one after another, stopping early if the next day's
    newcomers would not fit in the table (the caller makes room and calls again).

    After each day: the day's newcomers are numbered in order of entry and given their Mesa
    unique ids (entry number + ``id_offset``); the entry numbers of people who left are listed
    in ``left``; and once more than ``population.COMPACT_SHARE`` (a fifth) of the rows are people
    who left (``n_gone``), the table is compacted. Returns the next day to simulate, the rows in
    use, ``n_gone`` and the length of ``left``.
    """
    p, new = w.p, w.new
    while t < t_end:
        if n + new.first[t + 1] - new.first[t] > len(p.state):
            break
        n_before = n
        n = simulate_day(t, w, n, days[t], rng)
        first_entry = n_initial + new.first[t]
        for j in range(n - n_before):
            p.entry[n_before + j] = first_entry + j
            p.pid[n_before + j] = first_entry + j + id_offset
        leavers = rows_of(w.leavers)
        for j in range(len(leavers)):
            left[n_left + j] = p.entry[leavers[j]]
        n_left += len(leavers)
        n_gone += len(leavers)
        if n_gone > COMPACT_SHARE * n and n >= COMPACT_MIN_ROWS:
            n = compact(p, n)
            n_gone = 0
        t += 1
    return t, n, n_gone, n_left


@njit(cache=True)
def simulate_day(t, w, n, today, rng):
    """Simulate day ``t`` in the order of events of the module docstring, in place: one line per
    step, each the whole of its mechanism in its ``rules/`` module.

    ``n`` rows of the table are in use; returns the number after the day's newcomers are
    appended. People who left today are ``daybook.rows_of(w.leavers)``.
    """
    w.leavers.n[0] = w.tryers.n[0] = w.ready.n[0] = w.held.n[0] = 0
    viable = w.sea_viable[t]  # 2. weather, drawn when the model was built
    today.sea_viable = 1.0 if viable else 0.0
    signal, keep = belief.todays_signal(t, w)  # 4. what each group hears today
    n = inflow.add_newcomers(t, w, n, signal, today)  # 1
    legal_route.spread_awareness(t, w)  # 11
    people_day(t, w, n, viable, signal, keep, today, rng)  # 10, 11, 4, 3: person by person
    legal_route.admit(w, today)  # 11
    held = rows_of(w.held)  # the detained, listed by people_day
    launch = smugglers.launch(t, w, viable, today, rng)  # 5
    stopped = france.stop_on_beaches(t, w, launch) | interception.stop_at_sea(t, w, launch, today)  # 6, 6a
    arrived = crossing.cross_sea(t, w, launch, stopped, today, rng)  # 7
    new = uk.screen(t, w, arrived, held, today, rng)  # 8
    courts.file_challenges(t, w, new, today, rng)  # 9
    held = uk.all_held(held, new)
    held = courts.decide(t, w, held, today, rng)  # 9
    held = france.answer_referrals(t, w, held, today, rng)  # 6
    held = uk.fly(t, w, held, today, rng)  # 8 (and 9: last-minute challenges)
    uk.expire_window(t, w, held, today)  # 8
    smugglers.adapt(t, w, viable, rng)  # 5
    belief.fade(w, keep)  # 4
    record_levels(w, n, today)
    return n


@person_pass
def people_day(t, w, n, viable, signal, keep, today, rng):
    """Each person's own part of the day, one person after another in row order, each rule's step
    written whole in its module (``@daybook.person_step``: it gates, draws, writes the person's
    state and the day's figures) and inlined here:

    10. a returnee goes back to the coast, gives up on the UK, or stays housed
        (``returns.returnee_step``; alternative (b): a person away from the route may come back,
        ``decision.away_step``);
    11. an applicant's application due today is decided, and the approved wait in ``w.ready`` for
        room under parity (``legal_route.applicant_step``; admitted by ``legal_route.admit``,
        after this pass); a waiting person may apply (``legal_route.application_step``);
     4. the person's perceived removal risk moves toward their group's signal
        (``belief.belief_step``; the detained too);
     3. a waiting person (unless, alternative (a), a newcomer turns back: ``inflow.turn_back_step``)
        leaves the route, or on a sea-viable day tries: the would-be crossers go in ``w.tryers``
        (``decision.decision_step``).

    These steps involve nobody else (the signal, prices and awareness are fixed for the day), so
    taking them person by person is the order of events of the module docstring. The pass also
    lists the detained, in row order, in ``w.held`` (rules 8 and 9). It is compiled without
    reference counting (``daybook.person_pass`` says why) and allocates nothing.
    """
    decision.forget_factors(w.memo)  # 3: the deterrence factors of the day, remembered per group and eligibility
    for i in range(n):
        s = w.p.state[i]
        if s >= FIRST_EXIT:
            continue
        if s == RETURNED and w.p.times_returned[i] == 0:  # 3, alternative (b): away from the route for a while
            s = decision.away_step(i, t, w)
        elif s == RETURNED:  # 10
            s = returns.returnee_step(i, t, w, today)
        elif s == APPLIED:  # 11, decisions
            s = legal_route.applicant_step(i, t, w)
        elif s == WAITING:  # 11, applications
            s = legal_route.application_step(i, t, w, rng, today)
        elif s == DETAINED:  # listed for rules 8 and 9
            push(w.held, i)
        if s >= FIRST_EXIT:  # gave up on the UK
            continue
        belief.belief_step(i, w, signal, keep)  # 4
        if s == WAITING and not inflow.turn_back_step(i, t, w, signal, today):  # 1, alternative (a)
            decision.decision_step(i, t, w, viable, today)  # 3
