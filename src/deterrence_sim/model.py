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

Every random draw comes from the model's seeded generators: ``self.rng`` (Mesa's) for
behaviour, and two streams derived from the same seed for weather and inflow, so that
replicate i of any two scenarios shares its weather and its newcomers (common random numbers).
"""

from __future__ import annotations

import datetime as dt
import gc

import mesa
import numpy as np

from . import params as parameters
from .agents import Court, FrenchAuthority, Migrant, Smuggler, UKAuthority, add_batch, remove_batch
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
#: Daily figures that are counts of events (summed into yearly totals); the others are levels.
EVENT_COLUMNS = tuple(c for c in DAILY_COLUMNS if c not in (
    "waiting_in_france", "detained", "perceived_removal_risk", "price_gbp", "people_per_boat",
    "returned_in_france", "applied_legal_route", "sea_viable"))

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
        self.networks = {
            "boats": np.full(c.n_networks, c.boats_initial, dtype=np.int64),
            "load": np.full(c.n_networks, c.people_per_boat_initial),
            "price": np.full(c.n_networks, c.price_initial_gbp),
        }
        self.smugglers = [Smuggler(self, k) for k in range(c.n_networks)]
        self.uk = UKAuthority(self)
        self.france = FrenchAuthority(self)
        self.court = Court(self)

        self.memory_keep = belief.fade_factor(c.memory_half_life_days)
        self.removed_record = np.zeros(N_GROUPS)
        self.arrived_record = np.zeros(N_GROUPS)
        self.awareness = 0.0
        self.totals = dict.fromkeys(("newcomers", "removed", "admitted", "in_uk_asylum", "left_route", "dead"), 0)
        self.totals["initial"] = c.initial_waiting
        self.today = dict.fromkeys(DAILY_COLUMNS, 0)

        self._add_people(c.initial_waiting, self.inflow_rng, self._risk_signal(), waited_up_to=30)
        self.datacollector = DailyCollector(DAILY_COLUMNS)

    # ------------------------------------------------------------------ set-up helpers
    def _draw_weather(self, rng) -> np.ndarray:
        months = np.array([d.month for d in self.dates])
        path = weather.markov_weather(rng, months, self.c.calm_after_calm, self.c.calm_after_rough)
        if self.c.weather_mode == "observed":
            from .data import observed_crossing_days

            path = weather.observed_weather(self.dates, observed_crossing_days(), path)
        return path

    def _add_people(self, n: int, rng, signal: np.ndarray, waited_up_to: int = 0) -> None:
        """Rule 1 (inflow): create ``n`` newcomers as Mesa agents and table rows; they start out
        believing what their group currently hears (``signal``)."""
        if n == 0:
            return
        who = inflow.draw_newcomers(rng, n, self.c)
        since = self.day - (rng.integers(0, waited_up_to + 1, size=n) if waited_up_to else 0)
        agents = add_batch(self, Migrant, n)
        self.population.add(agents, state=WAITING, since=since, belief=signal[who["group"]], **who)

    def _risk_signal(self) -> np.ndarray:
        d, c = self.daily, self.c
        return belief.risk_signal(self.removed_record, self.arrived_record, c.social_weight, c.removal_salience,
                                  c.announcement_weight * d.announced_intent[self.day])

    def _exit(self, rows: np.ndarray, state: int, total: str) -> None:
        if len(rows):
            remove_batch(self, self.population.exit(rows, state))
            self.totals[total] += len(rows)

    # ------------------------------------------------------------------ the daily tick
    def step(self) -> None:
        """Simulate one day (see the module docstring for the order of events)."""
        if self.day >= self.n_days:
            self.running = False
            return
        t = self.day
        today = self.today = dict.fromkeys(DAILY_COLUMNS, 0)
        today["sea_viable"] = int(self.sea_viable[t])

        # the records behind the risk signal change only later in the day, so one signal serves
        # both the newcomers' first belief and everyone's belief update
        signal = self._risk_signal()
        n_new = inflow.newcomers_today(self.inflow_rng, self.expected_newcomers[t])
        self._add_people(n_new, self.inflow_rng, signal)
        today["newcomers"] = n_new
        self.totals["newcomers"] += n_new

        self._returnees_move()
        self._legal_route()
        belief.update_beliefs(self.population.belief, signal[self.population.group], self.memory_keep)
        tryers = self._decide()
        arrived_rows = self._cross(tryers)
        self._uk_screen(arrived_rows)
        detained = self.population.rows_in(DETAINED)  # each step below hands on who is still held
        detained = self._courts_decide(detained)
        detained = self._france_answers(detained)
        detained = self._fly(detained)
        self._window_expires(detained)
        self._smugglers_restock()
        self._record()
        self.population.maybe_compact()
        self.day += 1
        if self.day >= self.n_days:
            self.running = False

    # 10. returns and re-crossing --------------------------------------------------------
    def _returnees_move(self) -> None:
        pop, c = self.population, self.c
        rows = pop.rows_in(RETURNED)
        if len(rows) == 0:
            return
        back, gives_up = returns.returnee_moves(self.rng, len(rows), c.returnee_recross_daily,
                                                c.returnee_settle_daily)
        pop.state[rows[back]] = WAITING
        pop.since[rows[back]] = self.day
        self._exit(rows[gives_up], LEFT_ROUTE, "left_route")
        self.today["left_route"] += int(gives_up.sum())

    # 11. legal route ----------------------------------------------------------------------
    def _legal_route(self) -> None:
        pop, c, d, t, rng = self.population, self.c, self.daily, self.day, self.rng
        if d.legal_route_open[t] > 0:
            if self.awareness == 0.0:
                self.awareness = c.awareness_initial
            else:
                self.awareness = legal_route.grow_awareness(self.awareness, c.awareness_growth, c.awareness_max)
            eligible = np.flatnonzero((pop.state == WAITING) & pop.ties & ~pop.barred)
            applying = eligible[legal_route.applies_today(rng, len(eligible), self.awareness, c.application_rate)]
            pop.state[applying] = APPLIED
            pop.answer[applying] = ANSWER_PENDING
            pop.application_day[applying] = legal_route.decision_day(rng, t, len(applying), c.legal_processing_days)
            self.today["legal_applications"] = len(applying)
        applied = pop.rows_in(APPLIED)
        due = applied[(pop.answer[applied] == ANSWER_PENDING) & (pop.application_day[applied] <= t)]
        ok = legal_route.approved(rng, len(due), c.legal_approval_prob)
        pop.answer[due[ok]] = ANSWER_ACCEPTED
        pop.state[due[~ok]] = WAITING
        ready = applied[pop.answer[applied] == ANSWER_ACCEPTED]  # approved, waiting for parity room
        if len(ready):
            room = legal_route.parity_room(c.parity, c.parity_ratio, self.uk.removed_total, self.totals["admitted"])
            ready = ready[np.argsort(pop.application_day[ready], kind="stable")]
            admitted = ready[: int(min(room, len(ready)))]
            self._exit(admitted, ADMITTED, "admitted")
            self.today["admitted_legal_route"] = len(admitted)

    # 3. the migrant's decision ------------------------------------------------------------
    def _decide(self) -> np.ndarray:
        pop, c, d, t, rng = self.population, self.c, self.daily, self.day, self.rng
        rows = pop.rows_in(WAITING)
        factor = decision.deterrence_factor(pop.belief[rows], d.deterrence_strength[t])
        leaving = rng.random(len(rows)) < decision.leave_probability(d.leave_route_daily[t], factor)
        self._exit(rows[leaving], LEFT_ROUTE, "left_route")
        self.today["left_route"] += int(leaving.sum())
        if not self.sea_viable[t]:
            return rows[:0]
        stay = ~leaving
        rows, factor = rows[stay], factor[stay]
        waited = t - pop.since[rows]
        pays = decision.can_pay(pop.budget[rows], waited, c.savings_per_day_gbp,
                                self.networks["price"][pop.network[rows]])
        p = decision.try_probability(d.try_prob[t], c.impatience_per_month, waited, factor)
        return rows[pays & (rng.random(len(rows)) < p)]

    # 5-7. seats, boats, police, the sea ----------------------------------------------------
    def _cross(self, tryers: np.ndarray) -> np.ndarray:
        pop, c, d, t, rng, net = self.population, self.c, self.daily, self.day, self.rng, self.networks
        if not self.sea_viable[t]:  # nobody tries, no boat leaves
            self._customers = self._launched = self._lost = np.zeros(c.n_networks, dtype=np.int64)
            return tryers
        self._customers = np.bincount(pop.network[tryers], minlength=c.n_networks)
        launches = smugglers.boats_to_launch(self._customers, net["boats"], c.max_launches_per_day, net["load"],
                                             c.min_boat_fill)
        self._seats = np.minimum(net["boats"], c.max_launches_per_day) * np.floor(net["load"]).astype(np.int64)
        self._launched = launches
        self._lost = np.zeros(c.n_networks, dtype=np.int64)
        if launches.sum() == 0:
            return tryers[:0]
        seats_today = launches * np.floor(net["load"]).astype(np.int64)
        seated = tryers[smugglers.allocate_seats(rng, pop.network[tryers], seats_today)]
        boat_of, boat_net = smugglers.fill_boats(pop.network[seated], launches)
        n_boats = len(boat_net)
        is_taxi = rng.random(n_boats) < d.taxi_boat_share[t]
        p_beach, p_taxi = france.prevention_probabilities(
            d.beach_prevention_prob[t], d.taxi_prevention_prob[t], d.force_restraint[t], c.force_restraint_effect,
            d.at_sea_interception[t], c.at_sea_interception_gain)
        stopped = france.boats_stopped(rng, is_taxi, p_beach, p_taxi)
        rescued = ~stopped & crossing.boats_rescued(rng, n_boats, c.rescue_to_france_prob)
        self._lost = np.bincount(boat_net[stopped], minlength=c.n_networks)
        net["boats"] = net["boats"] - self._launched

        at_sea = ~stopped[boat_of] & ~rescued[boat_of]
        load = np.bincount(boat_of, minlength=n_boats)
        dies = np.zeros(len(seated), dtype=bool)
        dies[at_sea] = crossing.deaths_at_sea(rng, load[boat_of[at_sea]].astype(float), c.death_prob,
                                              c.death_crowding_exponent)
        arrived = at_sea & ~dies
        self._exit(seated[dies], DEAD, "dead")
        today = self.today
        today["attempts"] = len(seated)
        today["prevented"] = int(stopped[boat_of].sum())
        today["rescued"] = int(rescued[boat_of].sum())
        today["deaths"] = int(dies.sum())
        arrived_rows = seated[arrived]
        today["arrivals"] = len(arrived_rows)
        today["boats"] = int((~stopped & ~rescued).sum())
        today["recrossings"] = int((pop.times_returned[arrived_rows] > 0).sum())
        self.arrived_record = belief.update_record(
            self.arrived_record, np.bincount(pop.group[arrived_rows], minlength=N_GROUPS), 1.0)
        return arrived_rows

    # 8. UK screening and detention -------------------------------------------------------
    def _uk_screen(self, arrived: np.ndarray) -> None:
        if len(arrived) == 0:
            return
        pop, c, d, t, rng = self.population, self.c, self.daily, self.day, self.rng
        recrosser = pop.times_returned[arrived] > 0
        fast = np.zeros(len(arrived), dtype=bool)
        if d.biometric_fast_track[t] > 0 and recrosser.any():
            fast[recrosser] = returns.recognised(rng, int(recrosser.sum()), c.biometric_match_prob)
        candidates = np.flatnonzero(pop.eligible[arrived] | fast)  # positions in `arrived`
        free = int(max(0, np.floor(d.detention_capacity[t]) - pop.count(DETAINED)))
        chosen = candidates[uk.detention_order(rng, fast[candidates])[:free]]
        held = arrived[chosen]
        is_released = np.ones(len(arrived), dtype=bool)
        is_released[chosen] = False
        released = arrived[is_released]
        self._exit(released, IN_UK_ASYLUM, "in_uk_asylum")
        self.today["entered_asylum"] += len(released)
        if len(held) == 0:
            return
        n = len(held)
        self.today["detentions"] = n
        pop.state[held] = DETAINED
        pop.fast_track[held] = fast[chosen]
        pop.arrived_day[held] = t
        pop.referral_day[held] = t + rng.integers(1, c.referral_days + 1, size=n)
        pop.answer_day[held] = pop.referral_day[held] + rng.integers(1, c.france_answer_days + 1, size=n)
        pop.answer[held] = ANSWER_PENDING
        challenging = courts.files_challenge(rng, n, d.challenge_prob[t])
        pop.challenge[held] = np.where(challenging, CHALLENGE_PENDING, 0)
        pop.challenge_day[held[challenging]] = courts.decision_day(rng, t, int(challenging.sum()), c.challenge_days)
        self.today["legal_challenges_filed"] = int(challenging.sum())
        self.court.filed_total += int(challenging.sum())

    # 9. courts ----------------------------------------------------------------------------
    def _still_held(self, rows: np.ndarray) -> np.ndarray:
        return rows[self.population.state[rows] == DETAINED]

    def _courts_decide(self, rows: np.ndarray) -> np.ndarray:
        pop, d, t = self.population, self.daily, self.day
        due = rows[(pop.challenge[rows] == CHALLENGE_PENDING) & (pop.challenge_day[rows] <= t)]
        won = courts.challenge_succeeds(self.rng, len(due), d.challenge_success_prob[t])
        pop.challenge[due[~won]] = CHALLENGE_LOST
        self._exit(due[won], IN_UK_ASYLUM, "in_uk_asylum")
        self.today["legal_challenges_won"] = int(won.sum())
        self.today["entered_asylum"] += int(won.sum())
        self.court.won_total += int(won.sum())
        return self._still_held(rows)

    # 6. France answers referrals -----------------------------------------------------------
    def _france_answers(self, rows: np.ndarray) -> np.ndarray:
        pop, c, d, t = self.population, self.c, self.daily, self.day
        week = (t + self._weekday0) // 7
        self.france.start_day(week)
        self.today["referred_to_france"] = int((pop.referral_day[rows] == t).sum())
        due = rows[(pop.answer[rows] == ANSWER_PENDING) & (pop.answer_day[rows] <= t)]
        if len(due) == 0:
            return rows
        due = due[np.lexsort((pop.pid[due], pop.answer_day[due]))]
        p = france.acceptance_probability(pop.group[due], RETURNABLE, d.france_accept_returnable[t],
                                          d.france_accept_other[t])
        accepts = self.rng.random(len(due)) < p
        refused = due[~accepts]
        self._exit(refused, IN_UK_ASYLUM, "in_uk_asylum")
        self.today["entered_asylum"] += len(refused)
        accepting = due[accepts]
        fits = france.within_weekly_cap(len(accepting), self.france.accepted_this_week, d.france_weekly_cap[t])
        pop.answer[accepting[:fits]] = ANSWER_ACCEPTED
        self.france.accepted_this_week += fits
        next_monday = (week + 1) * 7 - self._weekday0
        pop.answer_day[accepting[fits:]] = next_monday
        return self._still_held(rows)

    # 8. flights -----------------------------------------------------------------------------
    def _fly(self, rows: np.ndarray) -> np.ndarray:
        pop, d, t = self.population, self.daily, self.day
        n_flights, self.uk.flight_credit = uk.flights_today(self.uk.flight_credit, d.flights_per_week[t])
        if n_flights == 0:
            return rows
        cleared = rows[(pop.answer[rows] == ANSWER_ACCEPTED) & (pop.challenge[rows] != CHALLENGE_PENDING)]
        seats = int(np.floor(n_flights * d.seats_per_flight[t]))
        board = cleared[uk.boarding_order(pop.fast_track[cleared], pop.arrived_day[cleared])][:seats]
        pop.state[board] = RETURNED
        pop.times_returned[board] += 1
        pop.barred[board] = True
        pop.belief[board] = 1.0
        pop.fast_track[board] = False
        pop.since[board] = t
        n = len(board)
        self.uk.removed_total += n
        self.totals["removed"] += n
        flights = uk.flights_used(n, n_flights, d.seats_per_flight[t])
        self.uk.flights_total += flights
        self.today["removed"] = n
        self.today["flights"] = flights
        self.removed_record = belief.update_record(
            self.removed_record, np.bincount(pop.group[board], minlength=N_GROUPS), 1.0)
        return self._still_held(rows)

    def _window_expires(self, rows: np.ndarray) -> None:
        pop, c, t = self.population, self.c, self.day
        out = rows[uk.window_expired(pop.arrived_day[rows], t, c.removal_window_days)]
        self._exit(out, IN_UK_ASYLUM, "in_uk_asylum")
        self.today["entered_asylum"] += len(out)

    # 5. smugglers adapt ---------------------------------------------------------------------
    def _smugglers_restock(self) -> None:
        c, d, t, net = self.c, self.daily, self.day, self.networks
        net["load"] = smugglers.adapt_load(net["load"], self._lost, c.people_per_boat_gain, c.people_per_boat_max)
        if self.sea_viable[t]:
            net["price"] = smugglers.adapt_price(net["price"], self._customers, self._seats, self._lost,
                                                 self._launched, c.price_response, c.price_min_gbp,
                                                 c.price_max_gbp)
        net["boats"] = smugglers.restock(self.rng, net["boats"], d.boat_supply_per_week[t], c.max_launches_per_day)
        # the community's memory of arrivals and removals fades
        self.removed_record *= self.memory_keep
        self.arrived_record *= self.memory_keep

    # records ----------------------------------------------------------------------------------
    def _record(self) -> None:
        pop, today = self.population, self.today
        counts = np.bincount(pop.state, minlength=FIRST_EXIT).tolist()
        today["waiting_in_france"] = n_waiting = counts[WAITING]
        today["applied_legal_route"] = counts[APPLIED]
        today["detained"] = counts[DETAINED]
        today["returned_in_france"] = counts[RETURNED]
        today["perceived_removal_risk"] = (
            float(pop.belief[pop.state == WAITING].sum()) / n_waiting if n_waiting else 0.0)
        price = self.networks["price"]
        today["price_gbp"] = float(price.sum()) / len(price)
        today["people_per_boat"] = today["arrivals"] / today["boats"] if today["boats"] else float("nan")
        self.datacollector.collect(self)

    # ------------------------------------------------------------------ conveniences
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
