"""A plain per-agent reference implementation of the model, for docking (Axtell et al. 1996).

``ChannelModel`` (``src/deterrence_sim/model.py``) keeps people in a numpy column table and runs
each daily rule as array operations over everyone at once. ``ReferenceModel`` below states the
*same rules, in the same daily order*, the plain Mesa way: every person is a :class:`Migrant`
agent holding its own attributes, created with ``Migrant(model)`` and removed with
``agent.remove()`` when they leave the simulation, and each day every migrant makes their own
choices in ``step()``, called one by one through ``shuffle_do("step")``. Networks, the UK, France
and the courts are agents too, and each boat is handled one at a time. It is meant to be read
as the statement of the rules, and run to check that the fast model agrees with it
(``tests/test_docking.py``).

It reuses only infrastructure that holds no behavioural rule: parameter validation and daily
schedules (``deterrence_sim.params``, ``deterrence_sim.schedule``), the observed crossing days
(``deterrence_sim.data``, for ``weather_mode = "observed"``) and the state and group codes of
``deterrence_sim.population``. It never calls ``deterrence_sim.rules`` or ``ChannelModel``
(importing the package loads them, but nothing here uses them), so a rule broken in the fast
model shows up as a difference between the two.

Its random draws come from the model's own seeded generators (``self.random`` for the scalar
draws, ``self.rng`` for the Poisson counts), and the weather is drawn day by day from the same
month-dependent chain, so runs agree with ``ChannelModel`` in distribution, not draw for draw.

The daily order (numbers are the rules of docs/ODD.md and the modules of ``rules/``):

 1. inflow       newcomers reach the coast (``Migrant(model)`` each), believing their group's signal
 2. weather      today's sea state, from the monthly two-state chain
11. legal route  awareness spreads (the model), then in ``shuffle_do("step")`` every migrant:
10.   returns      a returnee goes back to the coast or gives up
11.   legal route  applies, hears the decision on an application that is due, or (approved and
                   waiting for parity room) gives up
 4.   belief       moves toward the group's signal
 3.   decision     leaves the route or, on a viable day and if they can pay, joins their
                   network's queue;
11.                and the UK admits approved applicants within the parity room
 5-7.            each network sells seats from its random queue and launches boats one by one;
                 France stops some, some are rescued, some people die, the rest arrive
 8. UK           screens arrivals, detains up to capacity
 9. courts       decide challenges that are due
 6. France       answers referrals that are due, within the weekly cap
 8. UK           flights; then the removal window expires for others
 5. smugglers    adapt load and price, restock; the community's records fade
    records      the day's figures are collected

The UK's admissions come after the migrants' own step rather than between the legal-route
decisions and the belief update as in ``ChannelModel``: approved applicants take no further part
in the day, and the parity room depends only on removals up to yesterday, so the outcome is
the same.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math

import mesa

from deterrence_sim import params as parameters
from deterrence_sim.errors import ConfigError
from deterrence_sim.population import (ADMITTED, ANSWER_ACCEPTED, ANSWER_PENDING, APPLIED, CHALLENGE_LOST,
                                       CHALLENGE_NONE, CHALLENGE_PENDING, DEAD, DETAINED, IN_UK_ASYLUM,
                                       LEFT_ROUTE, N_GROUPS, OTHER, PROTECTION, RETURNABLE, RETURNED, WAITING)
from deterrence_sim.schedule import parse_date

#: The daily figures, with the same names as ChannelModel's (restated, not imported).
DAILY_COLUMNS = (
    "arrivals", "boats", "attempts", "prevented", "deaths", "waiting_in_france", "detained",
    "referred_to_france", "removed", "admitted_legal_route", "recrossings", "legal_challenges_filed",
    "legal_challenges_won", "flights", "perceived_removal_risk", "price_gbp", "people_per_boat",
    "newcomers", "left_route", "rescued", "entered_asylum", "returned_in_france", "legal_applications",
    "applied_legal_route", "sea_viable", "detentions",
)
REFERENCE_LOAD = 60.0  # rule 7: people per boat at which death_prob applies
STOCK_DAYS = 3  # rule 5: a network keeps at most this many days of launches in stock
FLIGHT_EPSILON = 1e-9  # rule 8: 1.5 flights a week is exactly 3 every 14 days despite rounding


class Migrant(mesa.Agent):
    """One person on the Channel route, with their own attributes."""

    def __init__(self, model, *, group, ties, eligible, budget, network, since, belief):
        super().__init__(model)
        self.state = WAITING
        self.group = group  # nationality group (RETURNABLE, PROTECTION, OTHER)
        self.network = network  # index of the smuggling network they deal with
        self.ties = ties  # family ties in the UK (may use the legal route)
        self.eligible = eligible  # may be detained for return under the scheme
        self.budget = budget  # GBP on reaching France
        self.since = since  # day the current wait in France began
        self.belief = belief  # perceived removal risk, 0..1
        self.times_returned = 0
        self.barred = False  # barred from the legal route after a removal
        self.fast_track = False  # recognised re-crosser
        self.arrived_day = self.referral_day = self.answer_day = 0  # the detained person's case
        self.answer = ANSWER_PENDING
        self.challenge = CHALLENGE_NONE
        self.challenge_day = 0
        self.application_day = 0  # day a legal-route application is decided

    def step(self) -> None:
        """This person's choices today: come back from a return, apply, update belief, leave or try."""
        m = self.model
        c, p, t, random = m.c, m.p, m.day, m.random
        if self.state == RETURNED:
            self.returnee_moves(random, c, t)
            if self.state != WAITING and self.state != RETURNED:
                return
        if self.state == WAITING and p["legal_route_open"] > 0 and self.ties and not self.barred:
            self.maybe_apply(random, c, t)
        if self.state == APPLIED and self.answer == ANSWER_PENDING and self.application_day <= t:
            self.hear_decision(random, c)
        if self.state == APPLIED and self.answer == ANSWER_ACCEPTED:
            self.wait_for_room(random, c, t)
        self.update_belief(m)
        if self.state == WAITING:
            self.decide(random, c, p, t)

    def returnee_moves(self, random, c, t) -> None:
        """Rule 10 (rules/returns.py): a returnee goes back to the coast, gives up, or stays housed."""
        u = random.random()
        if u < c.returnee_recross_daily:
            self.state = WAITING
            self.since = t
        elif u < c.returnee_recross_daily + c.returnee_settle_daily:
            self.model.exit(self, LEFT_ROUTE)
            self.model.today["left_route"] += 1

    def maybe_apply(self, random, c, t) -> None:
        """Rule 11 (rules/legal_route.py): a waiting person with UK ties, not barred, applies with
        probability awareness x application_rate; the decision comes after an exponential delay."""
        if random.random() < self.model.awareness * c.application_rate:
            self.state = APPLIED
            self.answer = ANSWER_PENDING
            self.application_day = t + 1 + math.floor(random.expovariate(1.0 / c.legal_processing_days))
            self.model.today["legal_applications"] += 1

    def hear_decision(self, random, c) -> None:
        """Rule 11 (rules/legal_route.py): a due application is approved (then wait for the parity
        room) or refused (back to waiting, the wait not restarted)."""
        if random.random() < c.legal_approval_prob:
            self.answer = ANSWER_ACCEPTED
            self.model.uk.approved.append(self)
        else:
            self.state = WAITING

    def wait_for_room(self, random, c, t) -> None:
        """Rule 11 (rules/legal_route.py), the limbo: an approved applicant still waiting for parity
        room gives up on each full day waited with probability limbo_give_up_daily, and at the latest
        once limbo_max_days have passed since the decision (0 turns either off); they go back to
        waiting, barred from applying again."""
        waited = t - self.application_day
        if (c.limbo_max_days > 0 and waited >= c.limbo_max_days) or \
                (c.limbo_give_up_daily > 0 and waited > 0 and random.random() < c.limbo_give_up_daily):
            self.state = WAITING
            self.barred = True
            self.model.uk.approved.remove(self)

    def update_belief(self, m) -> None:
        """Rule 4 (rules/belief.py): belief moves toward the group's signal at the memory rate."""
        keep = m.memory_keep
        self.belief = keep * self.belief + (1.0 - keep) * m.signal[self.group]

    def decide(self, random, c, p, t) -> None:
        """Rule 3 (rules/decision.py): leave the route at a rate raised by perceived risk; on a
        viable day, if the network's price is affordable, try with a probability that rises with
        time waited and falls with perceived risk."""
        m = self.model
        s = p["deterrence_strength"]
        factor = 1.0 if s == 0 else math.exp(-s * self.belief)
        if random.random() < min(1.0, p["leave_route_daily"] / factor):
            m.exit(self, LEFT_ROUTE)
            m.today["left_route"] += 1
            return
        if not m.viable:
            return
        waited = t - self.since
        network = m.networks[self.network]
        if self.budget + c.savings_per_day_gbp * waited < network.price:
            return
        p_try = min(1.0, p["try_prob"] * (1.0 + c.impatience_per_month * min(waited, 90) / 30.0) * factor)
        if random.random() < p_try:
            network.queue.append(self)


class Smuggler(mesa.Agent):
    """One smuggling network: boats in stock, people packed per boat (load), price per seat."""

    def __init__(self, model, index: int):
        super().__init__(model)
        c = model.c
        self.index = index
        self.boats = c.boats_initial
        self.load = float(c.people_per_boat_initial)
        self.price = float(c.price_initial_gbp)
        self.queue: list[Migrant] = []  # today's would-be passengers
        self.customers = self.seats_offered = self.launched = self.lost = 0

    def launch(self) -> None:
        """Rules 5-7 (rules/smugglers.py, france.py, crossing.py): sell seats from a random queue,
        launch as many boats as can be filled to min_boat_fill, spread passengers evenly over
        them, and send each boat past the police and across the sea."""
        m = self.model
        c, random = m.c, m.random
        queue, self.queue = self.queue, []
        per_boat_load = math.floor(self.load)
        self.customers = len(queue)
        can_launch = min(self.boats, c.max_launches_per_day)
        self.seats_offered = can_launch * per_boat_load
        n = int(min(can_launch, math.floor(self.customers / max(c.min_boat_fill * per_boat_load, 1.0))))
        self.launched, self.lost = n, 0
        if n == 0:
            return
        random.shuffle(queue)  # a random queue within the network
        seated = queue[: n * per_boat_load]  # the others keep waiting
        self.boats -= n
        for b in range(n):
            self.sail(seated[b::n])  # round robin: loads differ by at most one

    def sail(self, passengers: list[Migrant]) -> None:
        """One boat: a taxi boat or a beach launch; stopped by France, rescued, or at sea."""
        m = self.model
        today = m.today
        today["attempts"] += len(passengers)
        is_taxi = m.random.random() < m.p["taxi_boat_share"]
        if m.france.stops(is_taxi):
            self.lost += 1
            today["prevented"] += len(passengers)
            return
        if m.random.random() < m.c.rescue_to_france_prob:
            today["rescued"] += len(passengers)  # landed back in France, still waiting
            return
        m.at_sea(passengers)

    def adapt(self) -> None:
        """Rule 5 (rules/smugglers.py): raise the load after losses, move the price with excess
        demand and losses (viable days only), restock boats up to a few days of launches."""
        m = self.model
        c, p = m.c, m.p
        self.load = min(self.load + c.people_per_boat_gain * self.lost, c.people_per_boat_max)
        if m.viable:
            pressure = min(1.0, max(-1.0, self.customers / max(self.seats_offered, 1) - 1.0))
            losses = self.lost / max(self.launched, 1)
            price = self.price * math.exp(c.price_response * (pressure + losses))
            self.price = min(c.price_max_gbp, max(c.price_min_gbp, price))
        new = int(m.rng.poisson(p["boat_supply_per_week"] / 7.0))
        self.boats = min(self.boats + new, STOCK_DAYS * c.max_launches_per_day)


class UKAuthority(mesa.Agent):
    """The Home Office: screening, detention, flights, the removal window, legal-route admissions."""

    def __init__(self, model):
        super().__init__(model)
        self.detained: list[Migrant] = []  # people held for return, in the order they were detained
        self.approved: list[Migrant] = []  # approved applicants waiting for room under parity
        self.flight_credit = 0.0
        self.removed_total = 0
        self.admitted_total = 0
        self.flights_total = 0

    def admit(self) -> None:
        """Rule 11 (rules/legal_route.py): admit approved applicants in order of decision day, up to
        parity_ratio x removals so far (removals up to yesterday), or all without parity."""
        m = self.model
        c = m.c
        if not self.approved:
            return
        room = (len(self.approved) if not c.parity
                else max(0, math.floor(c.parity_ratio * self.removed_total) - self.admitted_total))
        self.approved.sort(key=lambda a: (a.application_day, a.unique_id))
        admitted, self.approved = self.approved[:room], self.approved[room:]
        for person in admitted:
            m.exit(person, ADMITTED)
        self.admitted_total += len(admitted)
        m.today["admitted_legal_route"] = len(admitted)

    def screen(self, arrivals: list[Migrant]) -> None:
        """Rule 8 (rules/uk.py): recognise re-crossers (fast track on), detain eligible or
        recognised arrivals while places last, recognised first then at random; refer each to
        France, and each may file a legal challenge (rule 9). Everyone else enters asylum."""
        m = self.model
        c, p, t, random, today = m.c, m.p, m.day, m.random, m.today
        fast_track_on = p["biometric_fast_track"] > 0
        recognised, eligible, released = [], [], []
        for person in arrivals:
            if fast_track_on and person.times_returned > 0 and random.random() < c.biometric_match_prob:
                recognised.append(person)
            elif person.eligible:
                eligible.append(person)
            else:
                released.append(person)
        random.shuffle(recognised)
        random.shuffle(eligible)
        free = max(0, math.floor(p["detention_capacity"]) - len(self.detained))
        queue = recognised + eligible
        held, released = queue[:free], released + queue[free:]
        for person in released:
            m.exit(person, IN_UK_ASYLUM)
        today["entered_asylum"] += len(released)
        n_recognised = len(recognised)
        for i, person in enumerate(held):
            person.state = DETAINED
            person.fast_track = i < n_recognised
            person.arrived_day = t
            person.referral_day = t + random.randint(1, c.referral_days)
            person.answer_day = person.referral_day + random.randint(1, c.france_answer_days)
            person.answer = ANSWER_PENDING
            if random.random() < p["challenge_prob"]:
                m.court.file(person)
            else:
                person.challenge = CHALLENGE_NONE
            self.detained.append(person)
        today["detentions"] = len(held)

    def fly(self) -> None:
        """Rule 8 (rules/uk.py): flights accrue at flights_per_week / 7 a day; cleared detainees
        (accepted by France, no challenge pending) board, fast-tracked first, then by arrival day."""
        m = self.model
        p, t, today = m.p, m.day, m.today
        self.flight_credit += p["flights_per_week"] / 7.0
        n_flights = math.floor(self.flight_credit + FLIGHT_EPSILON)
        self.flight_credit -= n_flights
        if n_flights == 0:
            return
        cleared = [a for a in self.detained if a.answer == ANSWER_ACCEPTED and a.challenge != CHALLENGE_PENDING]
        cleared.sort(key=lambda a: (not a.fast_track, a.arrived_day, a.unique_id))
        seats = math.floor(n_flights * p["seats_per_flight"])
        board = cleared[:seats]
        for person in board:
            person.state = RETURNED
            person.times_returned += 1
            person.barred = True
            person.belief = 1.0  # the risk learned first-hand (rule 4)
            person.fast_track = False
            person.since = t
            m.removed_record[person.group] += 1
        if board:
            on_board = set(board)
            self.detained = [a for a in self.detained if a not in on_board]
        n = len(board)
        self.removed_total += n
        m.totals["removed"] += n
        flights = (min(n_flights, math.ceil(n / p["seats_per_flight"]))
                   if n and p["seats_per_flight"] > 0 else 0)
        self.flights_total += flights
        today["removed"] = n
        today["flights"] = flights

    def expire_window(self) -> None:
        """Rule 8 (rules/uk.py): detainees not removed within removal_window_days enter asylum."""
        m = self.model
        t, window = m.day, m.c.removal_window_days
        out = [a for a in self.detained if t - a.arrived_day >= window]
        if out:
            self.detained = [a for a in self.detained if t - a.arrived_day < window]
            for person in out:
                m.exit(person, IN_UK_ASYLUM)
            m.today["entered_asylum"] += len(out)


class FrenchAuthority(mesa.Agent):
    """The French state: beach and at-sea policing, answers to referrals within a weekly cap."""

    def __init__(self, model):
        super().__init__(model)
        self.week = -1
        self.accepted_this_week = 0

    def stops(self, is_taxi: bool) -> bool:
        """Rule 6 (rules/france.py): stop a launch with the beach or the taxi-boat probability,
        lowered by force restraint and raised by at-sea interception."""
        m = self.model
        p = m.p
        if is_taxi:
            prob = min(1.0, p["taxi_prevention_prob"] + m.c.at_sea_interception_gain * p["at_sea_interception"])
        else:
            prob = p["beach_prevention_prob"] * (1.0 - m.c.force_restraint_effect * p["force_restraint"])
        return m.random.random() < prob

    def answer_referrals(self) -> None:
        """Rule 6 (rules/france.py): due referrals, oldest answer day first (then by id), are
        accepted with a group-dependent probability or refused (asylum); acceptances beyond the
        Monday-to-Sunday weekly cap are deferred to next Monday and drawn again then."""
        m = self.model
        p, t, today, uk = m.p, m.day, m.today, m.uk
        week = (t + m.weekday0) // 7
        if week != self.week:
            self.week = week
            self.accepted_this_week = 0
        today["referred_to_france"] = sum(1 for a in uk.detained if a.referral_day == t)
        due = [a for a in uk.detained if a.answer == ANSWER_PENDING and a.answer_day <= t]
        if not due:
            return
        due.sort(key=lambda a: (a.answer_day, a.unique_id))
        cap = math.floor(p["france_weekly_cap"])
        next_monday = (week + 1) * 7 - m.weekday0
        refused = []
        for person in due:
            accept = p["france_accept_returnable"] if person.group == RETURNABLE else p["france_accept_other"]
            if m.random.random() >= accept:
                refused.append(person)
            elif self.accepted_this_week < cap:
                person.answer = ANSWER_ACCEPTED
                self.accepted_this_week += 1
            else:
                person.answer_day = next_monday
        if refused:
            gone = set(refused)
            uk.detained = [a for a in uk.detained if a not in gone]
            for person in refused:
                m.exit(person, IN_UK_ASYLUM)
            today["entered_asylum"] += len(refused)


class Court(mesa.Agent):
    """The courts: challenges filed by detainees, decided after an exponential delay."""

    def __init__(self, model):
        super().__init__(model)
        self.filed_total = 0
        self.won_total = 0

    def file(self, person: Migrant) -> None:
        """Rule 9 (rules/courts.py): a challenge is decided at least a day later (exponential delay)."""
        m = self.model
        person.challenge = CHALLENGE_PENDING
        person.challenge_day = m.day + 1 + math.floor(m.random.expovariate(1.0 / m.c.challenge_days))
        self.filed_total += 1
        m.today["legal_challenges_filed"] += 1

    def decide(self) -> None:
        """Rule 9 (rules/courts.py): a due challenge succeeds with challenge_success_prob (asylum);
        a lost one stops blocking the flight."""
        m = self.model
        p, t, uk = m.p, m.day, m.uk
        won = []
        for person in uk.detained:
            if person.challenge == CHALLENGE_PENDING and person.challenge_day <= t:
                if m.random.random() < p["challenge_success_prob"]:
                    won.append(person)
                else:
                    person.challenge = CHALLENGE_LOST
        if won:
            gone = set(won)
            uk.detained = [a for a in uk.detained if a not in gone]
            for person in won:
                m.exit(person, IN_UK_ASYLUM)
        self.won_total += len(won)
        m.today["legal_challenges_won"] = len(won)
        m.today["entered_asylum"] += len(won)


class ReferenceModel(mesa.Model):
    """The plain per-agent statement of ChannelModel's rules (same keyword interface:
    ``start``, ``end``, ``rng`` and any parameter of ``deterrence_sim.params.PARAMS``)."""

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
        self.weekday0 = self.start_date.weekday()
        self.day = 0
        self.p = self._todays_values()
        c = self.c

        self.observed_days = None
        if c.weather_mode == "observed":
            from deterrence_sim.data import observed_crossing_days

            self.observed_days = observed_crossing_days()
        self.calm = None  # yesterday's state of the weather chain (None before the first day)
        self.month_factor = {}  # rule 1: (year, month) -> the month's inflow factor
        self.viable = False

        self.networks = [Smuggler(self, k) for k in range(c.n_networks)]
        self.uk = UKAuthority(self)
        self.france = FrenchAuthority(self)
        self.court = Court(self)

        self.memory_keep = 0.5 ** (1.0 / c.memory_half_life_days)
        self.removed_record = [0.0] * N_GROUPS
        self.arrived_record = [0.0] * N_GROUPS
        self.awareness = 0.0
        self.totals = dict.fromkeys(("newcomers", "removed", "admitted", "in_uk_asylum", "left_route", "dead"), 0)
        self.totals["initial"] = c.initial_waiting
        self.today = dict.fromkeys(DAILY_COLUMNS, 0)
        self.signal = self.risk_signal()
        for _ in range(c.initial_waiting):
            self.add_newcomer(since=-self.random.randint(0, 30))
        self.datacollector = mesa.DataCollector(
            model_reporters={name: _reporter(name) for name in DAILY_COLUMNS})

    # ------------------------------------------------------------------ rules held by the model
    def _todays_values(self) -> dict:
        """Today's value of every schedulable parameter, as plain floats."""
        return {name: float(values[self.day]) for name, values in vars(self.daily).items()}

    def expected_newcomers(self) -> float:
        """Rule 1 (rules/inflow.py): inflow_per_year x this month's seasonal share, over its days,
        times the month's own factor exp(sd*z - sd^2/2), z ~ N(0, 1) drawn on the month's first
        simulated day (sd = inflow_month_sd; no draw when it is 0)."""
        w = self.c.inflow_seasonality
        total = sum(w)
        if total <= 0:
            return 0.0
        date = self.dates[self.day]
        days_in_month = calendar.monthrange(date.year, date.month)[1]
        sd = self.c.inflow_month_sd
        if (date.year, date.month) not in self.month_factor:
            self.month_factor[date.year, date.month] = (
                math.exp(sd * self.random.gauss(0.0, 1.0) - sd * sd / 2) if sd > 0 else 1.0)
        return (self.p["inflow_per_year"] * w[date.month - 1] / total / days_in_month
                * self.month_factor[date.year, date.month])

    def add_newcomer(self, since: int) -> Migrant:
        """Rule 1 (rules/inflow.py): one newcomer, their nationality group, ties, eligibility,
        budget and network drawn; they start waiting and believing their group's signal."""
        c, random = self.c, self.random
        u = random.random()
        rho = c.share_returnable_nationality
        group = RETURNABLE if u < rho else PROTECTION if u < rho + (1.0 - rho) * 2 / 3 else OTHER
        return Migrant(self, group=group,
                       ties=random.random() < c.share_family_ties,
                       eligible=random.random() < c.share_scheme_eligible,
                       budget=c.budget_median_gbp * math.exp(c.budget_spread * random.gauss(0.0, 1.0)),
                       network=random.randrange(c.n_networks),
                       since=since, belief=self.signal[group])

    def draw_weather(self) -> bool:
        """Rule 2 (rules/weather.py): the month's two-state chain (the first day at its stationary
        calm share); in observed mode, observed crossing days replace it where recorded."""
        c = self.c
        month = self.dates[self.day].month - 1
        cc, cr = c.calm_after_calm[month], c.calm_after_rough[month]
        if self.calm is None:
            denom = 1.0 - cc + cr
            prob = cr / denom if denom > 0 else 1.0
        else:
            prob = cc if self.calm else cr
        self.calm = self.random.random() < prob
        if self.observed_days is not None:
            observed = self.observed_days.get(self.dates[self.day])
            if observed is not None:
                return bool(observed)
        return self.calm

    def risk_signal(self) -> list[float]:
        """Rule 4 (rules/belief.py): salience x (own group's and everyone's removal share) plus
        the announced intent, clipped to 0..1, per group."""
        c = self.c
        removed, arrived = self.removed_record, self.arrived_record
        everyone = sum(removed) / max(sum(arrived) + sum(removed), 1.0)
        announcement = c.announcement_weight * self.p["announced_intent"]
        out = []
        for g in range(N_GROUPS):
            own = removed[g] / max(arrived[g] + removed[g], 1.0)
            share = c.social_weight * own + (1.0 - c.social_weight) * everyone
            out.append(min(1.0, max(0.0, c.removal_salience * share + announcement)))
        return out

    def grow_awareness(self) -> None:
        """Rule 11 (rules/legal_route.py): on open days awareness starts at awareness_initial and
        grows logistically toward awareness_max."""
        c = self.c
        if self.p["legal_route_open"] <= 0:
            return
        if self.awareness == 0.0:
            self.awareness = c.awareness_initial
        elif c.awareness_max <= 0:
            self.awareness = 0.0
        else:
            a = self.awareness
            self.awareness = min(c.awareness_max, a + c.awareness_growth * a * (1.0 - a / c.awareness_max))

    def at_sea(self, passengers: list[Migrant]) -> None:
        """Rule 7 (rules/crossing.py): each person dies with probability death_prob x
        (load / 60)^death_crowding_exponent; the survivors arrive in the UK."""
        c, today = self.c, self.today
        p_death = min(1.0, c.death_prob * (len(passengers) / REFERENCE_LOAD) ** c.death_crowding_exponent)
        today["boats"] += 1
        for person in passengers:
            if self.random.random() < p_death:
                self.exit(person, DEAD)
                today["deaths"] += 1
            else:
                self.arrivals.append(person)
                today["arrivals"] += 1
                if person.times_returned > 0:
                    today["recrossings"] += 1
                self.arrived_record[person.group] += 1

    def exit(self, person: Migrant, state: int) -> None:
        """A person leaves the simulation: the exit state is recorded and the agent removed."""
        person.state = state
        person.remove()
        self.totals[{IN_UK_ASYLUM: "in_uk_asylum", ADMITTED: "admitted", LEFT_ROUTE: "left_route",
                     DEAD: "dead"}[state]] += 1

    # ------------------------------------------------------------------ the daily tick
    def step(self) -> None:
        """Simulate one day (see the module docstring for the order of events)."""
        if self.day >= self.n_days:
            self.running = False
            return
        t = self.day
        self.p = self._todays_values()
        today = self.today = dict.fromkeys(DAILY_COLUMNS, 0)
        self.signal = self.risk_signal()

        expected = self.expected_newcomers()
        n_new = int(self.rng.poisson(expected)) if expected > 0 else 0
        for _ in range(n_new):
            self.add_newcomer(since=t)
        today["newcomers"] = n_new
        self.totals["newcomers"] += n_new
        self.viable = self.draw_weather()
        today["sea_viable"] = int(self.viable)

        self.grow_awareness()
        self.agents_by_type[Migrant].shuffle_do("step")
        self.uk.admit()

        self.arrivals: list[Migrant] = []
        for network in self.networks:
            network.launch()
        self.uk.screen(self.arrivals)
        self.court.decide()
        self.france.answer_referrals()
        self.uk.fly()
        self.uk.expire_window()
        for network in self.networks:
            network.adapt()
        self.removed_record = [r * self.memory_keep for r in self.removed_record]
        self.arrived_record = [a * self.memory_keep for a in self.arrived_record]
        self.record()
        self.day += 1
        if self.day >= self.n_days:
            self.running = False

    def record(self) -> None:
        """The day's levels, then one row in the DataCollector."""
        today = self.today
        counts = [0] * 4
        belief_sum = 0.0
        for person in self.agents_by_type[Migrant]:
            counts[person.state] += 1
            if person.state == WAITING:
                belief_sum += person.belief
        today["waiting_in_france"] = counts[WAITING]
        today["applied_legal_route"] = counts[APPLIED]
        today["detained"] = counts[DETAINED]
        today["returned_in_france"] = counts[RETURNED]
        today["perceived_removal_risk"] = belief_sum / counts[WAITING] if counts[WAITING] else 0.0
        today["price_gbp"] = sum(n.price for n in self.networks) / len(self.networks)
        today["people_per_boat"] = today["arrivals"] / today["boats"] if today["boats"] else float("nan")
        self.datacollector.collect(self)

    # ------------------------------------------------------------------ conveniences
    def in_simulation(self) -> dict[str, int]:
        """People currently in each non-exit state."""
        counts = [0] * 4
        for person in self.agents_by_type[Migrant]:
            counts[person.state] += 1
        return {"waiting": counts[WAITING], "applied": counts[APPLIED], "detained": counts[DETAINED],
                "returned": counts[RETURNED]}

    def run(self) -> ReferenceModel:
        """Simulate every remaining day up to ``end``."""
        while self.running:
            self.step()
        return self


def _reporter(name):
    def report(model):
        return model.today[name]

    report.__name__ = name
    return report


__all__ = ["ReferenceModel", "Migrant", "Smuggler", "UKAuthority", "FrenchAuthority", "Court", "DAILY_COLUMNS"]
