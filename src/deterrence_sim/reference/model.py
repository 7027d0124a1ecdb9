"""The reference model itself: the day, the rules held by the model (inflow, weather, the risk
signal, awareness, the sea) and the records (see ``deterrence_sim.reference``)."""

from __future__ import annotations

from collections.abc import Mapping
import calendar
import math

import mesa

from .. import params as parameters
from ..collector import reporter
from ..errors import ConfigError
from ..daybook import DAILY_COLUMNS
from ..population import (
    ADMITTED,
    APPLIED,
    DEAD,
    DETAINED,
    IN_UK_ASYLUM,
    LEFT_ROUTE,
    N_GROUPS,
    OTHER,
    PROTECTION,
    RETURNABLE,
    RETURNED,
    WAITING,
)
from ..schedule import run_calendar

from .institutions import Court, FrenchAuthority, UKAuthority
from .people import Migrant, Smuggler

REFERENCE_LOAD = 60.0  # rule 7: people per boat at which death_prob applies

#: The parameters of ChannelModel this model does not implement, and what they switch on: it
#: refuses any value but the default (rather than ignore it and report the default's figures).
NOT_IMPLEMENTED = {
    "comeback_share": "structural alternative (b), leavers may come back",
    "comeback_daily": "structural alternative (b), leavers may come back",
    "price_covers_removals": "structural alternative (c), the price covers removals",
    "injunction_wave": "rule 9's wave of last-minute challenges",
    "injunction_prob": "rule 9's wave of last-minute challenges",
}


def refuse_unimplemented(values: Mapping) -> None:
    """Raise ConfigError, in one line, for a parameter of :data:`NOT_IMPLEMENTED` away from its default."""
    defaults = parameters.DEFAULTS
    for name, what in NOT_IMPLEMENTED.items():
        value = values[name]
        if isinstance(value, tuple) and value and isinstance(value[0], tuple):  # a schedule: on if any day is
            value = next((v for _, v in value if v != defaults[name]), defaults[name])
        if value != defaults[name]:
            raise ConfigError(
                f"{name}: the reference model does not implement {what}; leave it at its default "
                f"{parameters.to_jsonable({name: defaults[name]})[name]!r} (ChannelModel has it)"
            )


class ReferenceModel(mesa.Model):
    """The plain per-agent statement of ChannelModel's rules (same keyword interface:
    ``start``, ``end``, ``rng``, checked ``values`` and any parameter of ``deterrence_sim.params.PARAMS``)."""

    def __init__(
        self, *, start="2025-01-01", end="2025-12-31", rng=None, values: parameters.Parameters | None = None, **params
    ):
        super().__init__(rng=rng)
        self.start_date, self.end_date, self.n_days, self.dates = run_calendar(start, end)
        self.values = values.replace(params) if values is not None else parameters.validate(params)
        refuse_unimplemented(self.values)
        self.c, self.daily = parameters.build(self.values, self.start_date, self.n_days)
        self.weekday0 = self.start_date.weekday()
        self.day = 0
        self.p = self._todays_values()
        c = self.c

        self.observed_days = None
        if c.weather_mode != "markov":  # rule 2: the observed crossing days (to 2025-12-31 only, for observed_to_2025)
            from deterrence_sim.observed.data import observed_crossing_days

            days = observed_crossing_days()
            if c.weather_mode == "observed_to_2025":
                days = {d: flag for d, flag in days.items() if d.year <= 2025}
            self.observed_days = days
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
        self.datacollector = mesa.DataCollector(model_reporters={name: reporter(name) for name in DAILY_COLUMNS})

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
                math.exp(sd * self.random.gauss(0.0, 1.0) - sd * sd / 2) if sd > 0 else 1.0
            )
        return (
            self.p["inflow_per_year"]
            * w[date.month - 1]
            / total
            / days_in_month
            * self.month_factor[date.year, date.month]
        )

    def add_newcomer(self, since: int) -> Migrant:
        """Rule 1 (rules/inflow.py): one newcomer, their nationality group, ties, eligibility,
        budget and network drawn; they start waiting and believing their group's signal."""
        c, random = self.c, self.random
        u = random.random()
        rho = c.share_returnable_nationality
        group = RETURNABLE if u < rho else PROTECTION if u < rho + (1.0 - rho) * 2 / 3 else OTHER
        return Migrant(
            self,
            group=group,
            ties=random.random() < c.share_family_ties,
            eligible=random.random() < c.share_scheme_eligible,
            budget=c.budget_median_gbp * math.exp(c.budget_spread * random.gauss(0.0, 1.0)),
            network=random.randrange(c.n_networks),
            since=since,
            belief=self.signal[group],
        )

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
        (load / 60)^death_crowding_exponent; the survivors arrive in the UK, counted in all and by
        nationality group."""
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
                if person.group == RETURNABLE:
                    today["arrivals_returnable"] += 1
                elif person.group == PROTECTION:
                    today["arrivals_protection"] += 1
                else:
                    today["arrivals_other"] += 1
                self.arrived_record[person.group] += 1

    def exit(self, person: Migrant, state: int) -> None:
        """A person leaves the simulation: the exit state is recorded and the agent removed."""
        person.state = state
        person.remove()
        self.totals[
            {IN_UK_ASYLUM: "in_uk_asylum", ADMITTED: "admitted", LEFT_ROUTE: "left_route", DEAD: "dead"}[state]
        ] += 1

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
        kept = 0
        for _ in range(n_new):  # rule 1: under the UK asylum reform, a newcomer sets out with chance = the factor
            if self.random.random() < self.p["asylum_reform_inflow_factor"]:
                self.add_newcomer(since=t)
                kept += 1
        today["newcomers"] = kept
        self.totals["newcomers"] += kept
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
        return {
            "waiting": counts[WAITING],
            "applied": counts[APPLIED],
            "detained": counts[DETAINED],
            "returned": counts[RETURNED],
        }

    def run(self) -> ReferenceModel:
        """Simulate every remaining day up to ``end``."""
        while self.running:
            self.step()
        return self
