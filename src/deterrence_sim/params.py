"""Every parameter of the model, in one validated place.

Each entry says what the parameter means, its default, unit, allowed range, the mechanism it
belongs to and where its number comes from. ``deterrence-sim params`` prints this table, and
``docs/ODD.md`` section 7 is generated from the same entries, so the documentation cannot
drift from the code.

Sources are abbreviated as:

* ``SB01``: Home Office daily small-boat arrivals 2018-2025 (``seeds/small_boats_daily.csv``);
* ``SB02``: weekly arrivals with French preventions (``seeds/small_boats_weekly_with_french_preventions.csv``);
* ``PILOT``: returns/admissions reported by ministers (``seeds/one_in_one_out_observations.csv``);
* ``EVENTS``: dated events of the pilot (``seeds/scheme_events.csv``);
* ``PREMAR``: French maritime prefecture's review of 2025 (figures in ``seeds/SOURCES.md``);
* ``seed NNN``: one of the four news articles the project grew from (kept beside the repository in the shared ``seeds/`` folder; file names start with NNN);
* ``assumption``: a hand-set value with the reasoning given; these are the ones calibration
  (``deterrence-sim calibrate``) treats as uncertain.

Values that the model reads every day are *schedulable*: a scenario may give them as a
dated table (see :mod:`deterrence_sim.schedule`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import namedtuple
from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any

import numpy as np

from .errors import ConfigError
from .schedule import expand, is_schedule, normalise_schedule, parse_date


@dataclasses.dataclass(frozen=True)
class Param:
    """One model parameter: its meaning, default, unit, range and source."""

    name: str
    default: object
    unit: str
    mechanism: str
    source: str
    doc: str
    low: float | None = None
    high: float | None = None
    kind: str = "float"  # float | int | bool | choice | monthly
    schedulable: bool = False
    baseline: object = None  # value before the first date of a schedule (None: the default)
    choices: tuple = ()

    def check(self, key: str, value):
        """Validate and convert one value of this parameter (not a schedule)."""
        if self.kind == "bool":
            if isinstance(value, bool):
                return value
            if isinstance(value, (int, float)) and value in (0, 1):
                return bool(value)
            if isinstance(value, str) and value.lower() in ("true", "false"):
                return value.lower() == "true"
            raise ConfigError(f"{key}: {value!r} is not allowed; use true or false")
        if self.kind == "choice":
            if value not in self.choices:
                raise ConfigError(f"{key}: {value!r} is not allowed; choose one of {', '.join(self.choices)}")
            return value
        if self.kind == "monthly":
            if isinstance(value, str) or not hasattr(value, "__len__") or len(value) != 12:
                raise ConfigError(f"{key}: give a list of 12 numbers, one per month January..December")
            return tuple(self._number(f"{key}[{i + 1}]", v) for i, v in enumerate(value))
        return self._number(key, value)

    def _number(self, key, value):
        if isinstance(value, (bool, np.bool_)):  # float(True) is 1.0: a yes/no is never taken for a count
            raise ConfigError(
                f"{key}: {str(value).lower()} is a yes/no value, not a number; allowed: {self.range_text()}"
            )
        if not isinstance(value, (int, float, np.integer, np.floating)):
            try:
                value = float(value)
            except (TypeError, ValueError):
                raise ConfigError(f"{key}: {value!r} is not a number; allowed: {self.range_text()}") from None
        if not np.isfinite(value):
            raise ConfigError(f"{key}: {value!r} is not a finite number; allowed: {self.range_text()}")
        if (self.low is not None and value < self.low) or (self.high is not None and value > self.high):
            raise ConfigError(f"{key}: {value} is out of range; allowed: {self.range_text()}")
        if self.kind == "int":
            if float(value) != int(value):
                raise ConfigError(f"{key}: {value} must be a whole number; allowed: {self.range_text()}")
            return int(value)
        return float(value)

    def range_text(self) -> str:
        """Human-readable allowed values, used in error messages and the ODD table."""
        if self.kind == "bool":
            return "true or false"
        if self.kind == "choice":
            return " | ".join(self.choices)
        lo = "-inf" if self.low is None else f"{self.low:g}"
        hi = "inf" if self.high is None else f"{self.high:g}"
        kind = "whole number" if self.kind == "int" else "number"
        prefix = "12 numbers, each a " if self.kind == "monthly" else "a "
        return f"{prefix}{kind} in [{lo}, {hi}]"

    @property
    def baseline_value(self):
        """What the parameter is before the first date of a user schedule."""
        if self.baseline is not None:
            return self.baseline
        if isinstance(self.default, Mapping):
            raise AssertionError(f"{self.name}: a scheduled default needs an explicit baseline")
        return self.default


P = Param  # short alias for the table below


def switch(
    name: str, default, mechanism: str, source: str, doc: str, *, schedulable: bool = True, baseline: object = None
) -> Param:
    """A parameter that switches a mechanism off (0) or on (1): unit "0 or 1", range [0, 1]; a dated
    lever when ``schedulable`` (a default such as ``{"2026-01-15": 1.0}`` then needs ``baseline``,
    the value before its first date)."""
    return Param(
        name, default, "0 or 1", mechanism, source, doc, low=0, high=1, schedulable=schedulable, baseline=baseline
    )


# Month shares of the year's arrivals, 2023-25 pooled (SB01), used as inflow seasonality: the window the
# model is calibrated on (deterrence_sim.observed.targets.monthly_seasonality(2023, 2025)).
_SEASONALITY_2023_25 = (3.35, 3.39, 7.99, 8.09, 7.69, 11.17, 11.29, 12.15, 13.0, 9.42, 6.41, 6.04)

# Weather Markov chain by month, estimated from SB01 2022-2025 (days with >= 1 arrival):
# probability that a crossing day follows a crossing day, and that one follows a day without.
# Recomputed by deterrence_sim.observed.data.weather_chain_from_daily(); a test checks they agree.
_CALM_AFTER_CALM = (0.441, 0.455, 0.647, 0.614, 0.645, 0.738, 0.708, 0.672, 0.709, 0.588, 0.567, 0.5)
_CALM_AFTER_ROUGH = (0.222, 0.212, 0.26, 0.25, 0.339, 0.305, 0.346, 0.368, 0.292, 0.288, 0.133, 0.152)

# Source of the calibrated defaults (docs/ODD.md section 10; tests/test_calibrated_defaults.py checks them).
_CALIBRATED = (
    "calibrated 2026-11-23 (ABC-SMC on SB01 2023-2025, SB02, PILOT; window 2023-01-01..2026-01-31; "
    "experiments/calibration/calibrated.toml)"
)

PILOT_ANNOUNCED = "2025-07-10"
PILOT_DETENTIONS = "2025-08-06"
PILOT_FIRST_FLIGHT = "2025-09-15"
#: Returns went from about 2 a day to 4-5 a day in late January 2026 (PILOT); the Monday of that week.
PILOT_SPEED_UP = "2026-01-26"

PARAMS: dict[str, Param] = {
    p.name: p
    for p in [
        # ----------------------------------------------------------------- inflow (rules/inflow.py)
        P(
            "inflow_per_year",
            {"2023-01-01": 31830.0, "2024-01-01": 39180.0, "2025-01-01": 48180.0},
            "people/year",
            "inflow",
            _CALIBRATED + ": posterior median of each year's level",
            "People reaching the northern French coast intending to cross, per year (before seasonality).",
            low=0,
            high=1e6,
            schedulable=True,
            baseline=31830.0,
        ),
        P(
            "inflow_seasonality",
            _SEASONALITY_2023_25,
            "relative weight by month",
            "inflow",
            "SB01: share of the year's arrivals by month, 2023-25 pooled, the window the model is calibrated on (the 2021-25 "
            "shape had a stronger autumn peak that 2023-25 did not repeat; docs/ODD.md section 10)",
            "Seasonal shape of the inflow; normalised so the year sums to inflow_per_year.",
            low=0,
            high=1000,
            kind="monthly",
        ),
        P(
            "inflow_month_sd",
            0.43,
            "log-sd",
            "inflow",
            "estimated 2026-11-23 by the method of moments from the calibrated model's monthly residuals (SB01 "
            "2023-01..2025-12, observed weather; rough 90% interval 0.35-0.55): the scatter of log(observed / simulated) "
            "monthly arrivals beyond what the model makes with sd = 0, corrected for the half of a month's inflow "
            "surge that reaches later months (deterrence_sim.calibration.estimate_inflow_month_sd; "
            "experiments/calibration/calibrated.toml, inflow_month_sd.json; docs/ODD.md section 10)",
            "Month-to-month variation of the inflow: each calendar month's expected inflow is multiplied by "
            "exp(sd*z - sd^2/2), z ~ N(0, 1), one draw per month from its own random stream (mean one, so the "
            "yearly levels keep their meaning). Stands for surges and lulls further up the route (conflicts, "
            "routes opening and closing, crackdowns) that the fixed seasonal shape cannot express; 0 switches "
            "it off.",
            low=0,
            high=1,
        ),
        P(
            "initial_waiting",
            2232,
            "people",
            "inflow",
            _CALIBRATED
            + ": people waiting in the calibrated run on 2024-12-31 (the fit itself starts 2023-01-01 with 3,000: "
            "camp populations around Calais and Dunkirk are reported in the low thousands)",
            "People already waiting in northern France on the start date.",
            low=0,
            high=200_000,
            kind="int",
        ),
        P(
            "share_returnable_nationality",
            0.15,
            "share",
            "inflow",
            "assumption: nationalities France has bespoke return arrangements with (seed 000 names India)",
            "Share of newcomers whose nationality France can itself remove; France prefers to accept them.",
            low=0,
            high=1,
        ),
        P(
            "share_family_ties",
            0.10,
            "share",
            "inflow",
            "assumption; the legal route is for people in France with family ties to the UK",
            "Share of newcomers with family ties in the UK, who may use the legal route.",
            low=0,
            high=1,
        ),
        P(
            "share_scheme_eligible",
            0.70,
            "share",
            "inflow",
            "assumption: the pilot takes adults who are not excluded (children, families, some vulnerable people)",
            "Share of people the UK may detain for return under the scheme if they arrive.",
            low=0,
            high=1,
        ),
        P(
            "budget_median_gbp",
            3_000.0,
            "GBP",
            "inflow",
            "assumption; prices reported from GBP 1,500 (2023) to 'up to GBP 10,000' (seed 002)",
            "Median money a newcomer can pay a smuggler (log-normal across people).",
            low=0,
            high=100_000,
        ),
        P(
            "budget_spread",
            0.6,
            "log-sd",
            "inflow",
            "assumption",
            "Spread of budgets across people (standard deviation of log budget).",
            low=0,
            high=3,
        ),
        P(
            "asylum_reform_inflow_factor",
            1.0,
            "multiplier (at most 1)",
            "inflow",
            "EVENTS: UK asylum reform announced 2025-11-17 (refugee leave cut to 30 months, 20 years to settlement); "
            "30-month status in force for new adult claims from 2026-03-02. Its effect on people setting out for the "
            "coast is unknown: 1 (no effect) by default; prior in uncertainty.MECHANISM_PRIORS",
            "Share of the expected newcomers who still set out for the coast under the UK's asylum reform (each "
            "newcomer is kept when their own uniform draw, from a stream of its own, is below it). 1: no effect.",
            low=0,
            high=1,
            schedulable=True,
        ),
        P(
            "savings_per_day_gbp",
            20.0,
            "GBP/day",
            "inflow",
            "assumption (remittances, informal work)",
            "Money a waiting person adds to their budget per day.",
            low=0,
            high=1_000,
        ),
        # ----------------------------------------------------------------- weather (rules/weather.py)
        P(
            "weather_mode",
            "markov",
            "-",
            "weather",
            "markov: simulated; observed: the days with >= 1 arrival in SB01 are the sea-viable days "
            "(falls back to markov outside the data); observed_to_2025: observed up to 2025-12-31, markov from "
            "2026-01-01, so that a fit does not read a deterrence-driven fall in 2026 crossing days as weather "
            "(docs/ODD.md section 10)",
            "How sea-viable days are produced.",
            kind="choice",
            choices=("markov", "observed", "observed_to_2025"),
        ),
        P(
            "calm_after_calm",
            _CALM_AFTER_CALM,
            "probability",
            "weather",
            "SB01 2022-2025, by month",
            "Chance a day is sea-viable when the day before was.",
            low=0,
            high=1,
            kind="monthly",
        ),
        P(
            "calm_after_rough",
            _CALM_AFTER_ROUGH,
            "probability",
            "weather",
            "SB01 2022-2025, by month",
            "Chance a day is sea-viable when the day before was not.",
            low=0,
            high=1,
            kind="monthly",
        ),
        # ----------------------------------------------------------------- decision (rules/decision.py)
        P(
            "try_prob",
            0.241,
            "probability/day",
            "decision",
            _CALIBRATED + ": posterior median",
            "Chance that a waiting person who can pay tries to board on a sea-viable day.",
            low=0,
            high=1,
            schedulable=True,
        ),
        P(
            "impatience_per_month",
            0.5,
            "relative increase per 30 days waited",
            "decision",
            "assumption",
            "How much the try probability rises with time waited (capped at 90 days).",
            low=0,
            high=10,
        ),
        P(
            "leave_route_daily",
            0.004,
            "probability/day",
            "decision",
            "assumption: most people who reach the coast cross within weeks; some claim asylum in France or move on",
            "Daily chance that a waiting person leaves the route when no removal risk is perceived.",
            low=0,
            high=1,
            schedulable=True,
        ),
        P(
            "deterrence_strength",
            0.72,
            "per unit of perceived risk",
            "decision",
            _CALIBRATED
            + ": posterior median, which stays near the prior median 0.77 (lognormal, 90% 0.15-4.0) from outside "
            "evidence: ~0.1-0.3 from US border studies (3x enforcement, ~10% fewer crossings) to >3 for the Australian "
            "turnbacks (arrivals near zero); the pilot's data barely inform it; see docs/ODD.md sections 8 and 10",
            "How strongly perceived removal risk r cuts the will to cross: tries are multiplied by exp(-s*r) "
            "and leaving the route by exp(+s*r). Zero means removals never change decisions.",
            low=0,
            high=20,
            schedulable=True,
        ),
        # ----------------------------------------------------------------- belief (rules/belief.py)
        P(
            "memory_half_life_days",
            45.0,
            "days",
            "belief",
            "assumption",
            "How fast both the community's record of removals and each person's belief fade.",
            low=1,
            high=3650,
        ),
        P(
            "social_weight",
            0.6,
            "share",
            "belief",
            "assumption",
            "Weight of removals among one's own nationality group (people one knows) versus everyone (news).",
            low=0,
            high=1,
        ),
        P(
            "removal_salience",
            2.0,
            "multiplier",
            "belief",
            "assumption: returned people live freely in French centres and tell their story (seed 001)",
            "How much more a removal weighs in people's minds than a plain count (returnees' accounts).",
            low=0,
            high=100,
        ),
        P(
            "ineligible_risk_weight",
            0.0,
            "share of the belief",
            "belief",
            "issue 21, assumption: people the scheme cannot remove (children, families, some vulnerable people) "
            "know it does not apply to them (0); a misperception would make them fear it too (prior in "
            "uncertainty.PRIORS: 0 with probability 0.5, else uniform(0, 1))",
            "How much of their group's removal risk a person the scheme cannot remove (not eligible) weighs for "
            "themselves; eligible people weigh all of it. 0: removals deter only those who can be removed.",
            low=0,
            high=1,
        ),
        P(
            "announcement_weight",
            0.02,
            "risk units",
            "belief",
            "assumption: ministers' messaging ('if you enter illegally, we will remove you', seeds 002, 003)",
            "Perceived risk added by the government's announced intent, whatever is actually removed.",
            low=0,
            high=1,
        ),
        P(
            "announced_intent",
            {PILOT_ANNOUNCED: 1.0},
            "0..1",
            "belief",
            "EVENTS: deal announced 2025-07-10",
            "How loudly removals are announced (0 none, 1 a flagship policy).",
            low=0,
            high=1,
            schedulable=True,
            baseline=0.0,
        ),
        # ----------------------------------------------------------------- smugglers (rules/smugglers.py)
        P(
            "n_networks",
            15,
            "networks",
            "smugglers",
            "assumption (a handful of Kurdish-Iraqi-led networks dominate; each runs several cells)",
            "Number of smuggling networks.",
            low=1,
            high=500,
            kind="int",
        ),
        P(
            "boats_initial",
            6,
            "boats per network",
            "smugglers",
            "assumption",
            "Boats and engines a network holds on the start date.",
            low=0,
            high=1000,
            kind="int",
        ),
        P(
            "boat_supply_per_week",
            3.0,
            "boats/week per network",
            "smugglers",
            "assumption: about 1,500 boats were launched or seized in 2025 (SB01 672 arrived; SB02 845 prevented "
            "events) across the networks, plus spares",
            "Most boats a network can acquire per week (supply chains through Germany are disrupted too).",
            low=0,
            high=1000,
            schedulable=True,
        ),
        P(
            "boat_supply_factor",
            1.0,
            "multiplier",
            "smugglers",
            "EVENTS: Germany's law against helping smuggling towards the UK, storing boats or engines included "
            "(2025-12-19); UK-China agreement on the supply of small-boat engines (2026-01-29). Effect unknown: 1 (no "
            "effect) by default; prior in uncertainty.MECHANISM_PRIORS",
            "Multiplier on boat_supply_per_week: the measures against the supply of boats and engines. 1: no effect.",
            low=0,
            high=2,
            schedulable=True,
        ),
        P(
            "max_launches_per_day",
            5,
            "boats/day per network",
            "smugglers",
            "assumption",
            "Most boats one network can launch on a single day.",
            low=0,
            high=1000,
            kind="int",
        ),
        P(
            "min_boat_fill",
            0.85,
            "share of the load",
            "smugglers",
            "assumption: networks wait to fill a boat; SB01 people per arriving boat sit close to the load",
            "A network launches a boat only when it has customers for at least this share of the load.",
            low=0.01,
            high=1,
        ),
        P(
            "people_per_boat_initial",
            61.3,
            "people/boat",
            "smugglers",
            _CALIBRATED
            + ": mean load of the calibrated run on 2024-12-31 (the fit starts 2023-01-01 at the posterior median "
            "load; SB01 2025 Q1: 55.8 people per arriving boat)",
            "How many people a network packs into a boat on the start date.",
            low=1,
            high=200,
        ),
        P(
            "people_per_boat_max",
            80.0,
            "people/boat",
            "smugglers",
            "assumption: the largest dinghies carry 70-80 (PREMAR mean 63 in 2025)",
            "Most people a boat can carry.",
            low=1,
            high=200,
        ),
        P(
            "people_per_boat_gain",
            0.239,
            "people/boat per boat lost",
            "smugglers",
            _CALIBRATED + ": posterior median (SB01: 42 to 65 people per boat, 2023-2025)",
            "How much a network raises its load after losing a boat to the police.",
            low=0,
            high=10,
        ),
        P(
            "taxi_boat_share",
            0.45,
            "share of boats",
            "smugglers",
            "PREMAR: 45% of boats in 2025 were taxi boats",
            "Share of launches that are taxi boats (boarded from the water, harder to stop on the beach).",
            low=0,
            high=1,
            schedulable=True,
        ),
        P(
            "price_initial_gbp",
            2_500.0,
            "GBP/person",
            "smugglers",
            "assumption within the reported GBP 1,500 (2023) to 10,000 (seed 002)",
            "Price a network charges per seat on the start date.",
            low=0,
            high=100_000,
        ),
        P(
            "price_min_gbp",
            1_500.0,
            "GBP/person",
            "smugglers",
            "SOURCES: about GBP 1,500 reported in 2023",
            "Lowest price.",
            low=0,
            high=100_000,
        ),
        P(
            "price_max_gbp",
            10_000.0,
            "GBP/person",
            "smugglers",
            "seed 002: 'up to GBP 10,000'",
            "Highest price.",
            low=0,
            high=100_000,
        ),
        P(
            "price_response",
            0.02,
            "per day",
            "smugglers",
            "assumption",
            "How fast a network's price follows excess demand (customers/seats - 1) and its losses.",
            low=0,
            high=1,
        ),
        # ----------------------------------------------------------------- France (rules/france.py)
        P(
            "beach_prevention_prob",
            {"2023-01-01": 0.561, "2025-07-01": 0.462},
            "probability per boat",
            "france",
            _CALIBRATED
            + ": posterior medians before and from 2025-07-01 (SB02: share of attempts stopped 42% in 2024, 39% in "
            "2025 H1, 31% in 2025 H2, with taxi boats stopped far less often, PREMAR)",
            "Chance French police stop a beach launch.",
            low=0,
            high=1,
            schedulable=True,
            baseline=0.561,
        ),
        P(
            "taxi_prevention_prob",
            0.19,
            "probability per boat",
            "interception",
            "PREMAR: taxi boats succeeded about 81% of the time",
            "Chance a taxi-boat launch is stopped.",
            low=0,
            high=1,
            schedulable=True,
        ),
        switch(
            "force_restraint",
            0.0,
            "france",
            "seed 001: the Defender of Rights asked police to stop rubber bullets and tear gas on beaches",
            "1 when police stop using intermediate-force weapons to prevent boarding.",
        ),
        P(
            "force_restraint_effect",
            0.3,
            "relative cut",
            "france",
            "assumption",
            "Relative fall in beach prevention under force restraint.",
            low=0,
            high=1,
        ),
        switch(
            "at_sea_interception",
            {"2026-01-15": 1.0},
            "interception",
            "EVENTS: interventions at sea against taxi boats announced 2025-11-28, first early 2026",
            "1 when French vessels intercept taxi boats before people board.",
            baseline=0.0,
        ),
        P(
            "at_sea_interception_gain",
            0.0,
            "added probability",
            "interception",
            "EVENTS: a handful of interceptions documented (2026-01-17 at Gravelines, 2026-03-03 near Dunkirk; "
            "officers may act only before people board): 0 (no effect) by default; prior in "
            "uncertainty.MECHANISM_PRIORS (half its mass at 0, the rest up to 0.1: at most 7-10 taxi boats stopped on the water in January-April 2026)",
            "How much at-sea interception adds to the chance of stopping a taxi boat (the people on the boats it "
            "stops are the daily intercepted_at_sea).",
            low=0,
            high=1,
        ),
        P(
            "france_weekly_cap",
            {PILOT_DETENTIONS: 50.0},
            "people/week",
            "france",
            "SOURCES: French officials spoke of about 50 returns a week (never confirmed)",
            "Most returns France accepts per week.",
            low=0,
            high=1e6,
            schedulable=True,
            baseline=0.0,
        ),
        P(
            "france_accept_returnable",
            0.95,
            "probability",
            "france",
            "seed 000: France asked for an Indian national, whom it can itself remove",
            "Chance France accepts a referral of a nationality it can remove.",
            low=0,
            high=1,
            schedulable=True,
        ),
        P(
            "france_accept_other",
            0.75,
            "probability",
            "france",
            "assumption",
            "Chance France accepts any other referral.",
            low=0,
            high=1,
            schedulable=True,
        ),
        P(
            "france_answer_days",
            14,
            "days",
            "france",
            "SOURCES: France answers within 14 days",
            "Longest time France takes to answer a referral (uniform 1..this).",
            low=1,
            high=365,
            kind="int",
        ),
        # ----------------------------------------------------------------- crossing (rules/crossing.py)
        P(
            "rescue_to_france_prob",
            0.10,
            "probability per boat",
            "crossing",
            "PREMAR: 6,177 of 49,966 people at sea were rescued, most taken back to France",
            "Chance a boat at sea is rescued and its people landed back in France.",
            low=0,
            high=1,
        ),
        P(
            "death_prob",
            0.0008,
            "probability per person at sea",
            "crossing",
            "reported deaths: 36+ in 2025 among ~46,000 at sea",
            "Chance of dying at sea at the reference load.",
            low=0,
            high=1,
        ),
        P(
            "death_crowding_exponent",
            1.0,
            "-",
            "crossing",
            "assumption: overcrowding raises the risk",
            "Death risk scales as (people per boat / 60) to this power.",
            low=0,
            high=10,
        ),
        # ----------------------------------------------------------------- UK (rules/uk.py)
        P(
            "detention_capacity",
            {PILOT_DETENTIONS: 100.0, PILOT_SPEED_UP: 200.0},
            "places",
            "uk",
            "SOURCES: about 100 men held in removal centres near Heathrow in autumn 2025; first detentions "
            "2025-08-06 (EVENTS); 200 from 2026-01-26, assumption: no figure was published, and the reported pace "
            "of 4-5 returns a day from late January 2026 (PILOT) cannot pass through 100 places, each held for "
            "2-4 weeks (referral, France's answer, challenges)",
            "Detention places for people held for return to France.",
            low=0,
            high=1e6,
            schedulable=True,
            baseline=0.0,
        ),
        P(
            "referral_days",
            3,
            "days",
            "uk",
            "SOURCES: the UK refers a case within 3 days",
            "Longest time before the UK refers a detained person to France (uniform 1..this).",
            low=1,
            high=365,
            kind="int",
        ),
        P(
            "flights_per_week",
            {PILOT_FIRST_FLIGHT: 1.5, "2025-12-01": 2.0, PILOT_SPEED_UP: 4.0},
            "flights/week",
            "uk",
            "PILOT: 13 flights between 2025-09-18 and about 2025-11-20 (~1.4 a week); returns sped up in winter "
            "(seed 001); from late January 2026 about 4-5 returns a day (PILOT: 281 by 2026-01-27, 305 by "
            "2026-02-04, more than 900 by 2026-06-10), 4 flights of 9 seats a week; continued after the treaty's "
            "extension into the autumn of 2026 (EVENTS 2026-06-11) to the end of any run (assumption)",
            "Removal flights to France per week.",
            low=0,
            high=1e4,
            schedulable=True,
            baseline=0.0,
        ),
        P(
            "seats_per_flight",
            9.0,
            "seats",
            "uk",
            "PILOT: 113 returns on 13 flights (~9 per flight; the pilot used few seats per flight)",
            "People one removal flight can carry.",
            low=0,
            high=1e4,
            schedulable=True,
        ),
        P(
            "removal_window_days",
            90,
            "days",
            "uk",
            "SOURCES: transfer within 3 months",
            "Days after arrival within which a person must be removed, after which they enter the asylum system.",
            low=1,
            high=3650,
            kind="int",
        ),
        switch(
            "biometric_fast_track",
            0.0,
            "uk",
            "seed 002: a returnee who re-crossed was identified by photo and fingerprints",
            "1 when identified re-crossers are detained first and board first once cleared.",
        ),
        P(
            "biometric_match_prob",
            0.9,
            "probability",
            "uk",
            "assumption",
            "Chance a re-crosser is recognised from biometrics.",
            low=0,
            high=1,
        ),
        # ----------------------------------------------------------------- courts (rules/courts.py)
        P(
            "challenge_prob",
            0.55,
            "probability",
            "courts",
            "assumption: the first three planned flights left empty after last-minute challenges (seed 000)",
            "Chance a detained person brings a legal challenge (judicial review, modern-slavery claim).",
            low=0,
            high=1,
            schedulable=True,
        ),
        P(
            "challenge_days",
            21.0,
            "days",
            "courts",
            "seed 003: 14 days to make representations, plus hearing",
            "Mean time for a court to decide a challenge (exponential).",
            low=1,
            high=3650,
        ),
        P(
            "challenge_success_prob",
            0.35,
            "probability",
            "courts",
            "assumption",
            "Chance a challenge succeeds; success releases the person into the asylum system. The announced "
            "review of modern-slavery law (seed 000) would lower it.",
            low=0,
            high=1,
            schedulable=True,
        ),
        # ----------------------------------------------------------------- returns (rules/returns.py)
        P(
            "returnee_recross_daily",
            0.00117,
            "probability/day",
            "returns",
            _CALIBRATED
            + ": posterior median; barely informed by 2 re-crossings (PILOT/EVENTS: 2 of ~110 returnees re-crossed "
            "within two months)",
            "Daily chance a returned person, housed but not detained in France, goes back to the coast to cross again.",
            low=0,
            high=1,
        ),
        P(
            "returnee_settle_daily",
            0.01,
            "probability/day",
            "returns",
            "assumption",
            "Daily chance a returned person gives up on the UK (asylum in France, moves on).",
            low=0,
            high=1,
        ),
        # ----------------------------------------------------------------- legal route (rules/legal_route.py)
        switch(
            "legal_route_open",
            {PILOT_DETENTIONS: 1.0},
            "legal_route",
            "EVENTS: treaty in force early August 2025",
            "1 while people in France can apply.",
            baseline=0.0,
        ),
        P(
            "awareness_initial",
            0.01,
            "share",
            "legal_route",
            "seed 001: 'we couldn't find enough people ... there wasn't enough knowledge'",
            "Share of eligible people who know of the legal route when it opens.",
            low=0,
            high=1,
        ),
        P(
            "awareness_growth",
            0.045,
            "per day",
            "legal_route",
            "assumption",
            "Logistic growth rate of awareness once the route is open.",
            low=0,
            high=1,
        ),
        P("awareness_max", 0.9, "share", "legal_route", "assumption", "Most awareness can reach.", low=0, high=1),
        P(
            "application_rate",
            0.05,
            "probability/day",
            "legal_route",
            "assumption",
            "Daily chance that an aware, eligible person applies.",
            low=0,
            high=1,
        ),
        P(
            "legal_processing_days",
            40.0,
            "days",
            "legal_route",
            "PILOT: first admissions about 10 weeks after the route opened",
            "Mean time to decide an application (exponential).",
            low=1,
            high=3650,
        ),
        P(
            "legal_approval_prob",
            0.7,
            "probability",
            "legal_route",
            "assumption",
            "Chance an application is approved.",
            low=0,
            high=1,
        ),
        P(
            "parity",
            True,
            "-",
            "legal_route",
            "the treaty's one-for-one principle",
            "When true, admissions never exceed parity_ratio x returns so far.",
            kind="bool",
        ),
        P(
            "parity_ratio",
            1.25,
            "admissions per return",
            "legal_route",
            "PILOT: 350 admitted for 281 returned by 2026-01-27",
            "How many admissions each return allows, when parity is on.",
            low=0,
            high=100,
        ),
        # ------------------------------------------- the limbo of approved applicants (rules/legal_route.py)
        P(
            "limbo_give_up_daily",
            0.01,
            "probability/day",
            "legal_route",
            "assumption: an approved applicant kept waiting for parity room gives up on the route and goes back to the "
            "coast (about 100 days on average); people on the coast otherwise cross within weeks (try_prob), and seed "
            "001 reports doubt about the route in the camps",
            "Daily chance that an approved applicant still waiting for parity room gives up on the legal route "
            "(back to waiting on the coast, barred from applying again). 0: nobody gives up.",
            low=0,
            high=1,
        ),
        P(
            "limbo_max_days",
            90,
            "days",
            "legal_route",
            "assumption, after UK entry clearance: a visa vignette is valid for 90 days, after which an approval not "
            "used lapses",
            "Longest an approved applicant waits for parity room; the approval then lapses (back to waiting on the "
            "coast, barred from applying again). 0: no bound.",
            low=0,
            high=3650,
            kind="int",
        ),
        # ------------------------------------------- structural alternatives (off by default; docs/ODD.md 8.3)
        P(
            "inflow_outcome_elasticity",
            0.0,
            "relative to deterrence_strength",
            "inflow",
            "structural alternative (a), assumption: 0 is today's model (the inflow to the coast ignores what happens "
            "in the UK); 1 deters people further up the route as strongly as people on the coast (prior in "
            "uncertainty.STRUCTURE_PRIORS: 0 with probability 0.5, else uniform(0, 1))",
            "How strongly people further up the route stay away when they hear of removals: each newcomer turns back "
            "on reaching the coast with chance 1 - exp(-e x s x r), s the deterrence strength and r the risk their "
            "group hears (counted among newcomers and people leaving the route); strength 0 deters nobody.",
            low=0,
            high=20,
        ),
        P(
            "comeback_share",
            0.0,
            "share",
            "decision",
            "structural alternative (b), assumption: 0 is today's model (leaving the route is for good); people who "
            "leave may only be moving on for a while (displacement, not disappearance)",
            "Share of people leaving the route who are only away and may come back to the coast later.",
            low=0,
            high=1,
        ),
        P(
            "comeback_daily",
            0.01,
            "probability/day",
            "decision",
            "structural alternative (b), assumption: about 100 days away on average",
            "Daily chance that a person away from the route (see comeback_share) comes back to the coast.",
            low=0,
            high=1,
        ),
        P(
            "sunk_cost_weight",
            0.0,
            "exponent",
            "belief",
            "structural alternative (c), seed 002: the minister's 'spending up to GBP 10,000 to then be immediately "
            "removed'; 0 is today's model (the fee does not matter)",
            "How much the fee at stake scales the perceived removal risk: deterrence acts on min(1, belief x (price / "
            "price_min_gbp) ^ weight), never below the belief.",
            low=0,
            high=5,
        ),
        switch(
            "price_covers_removals",
            0.0,
            "smugglers",
            "structural alternative (c), assumption: smugglers re-send a removed customer for free, so the cost of a "
            "customer who stays in the UK grows with the removal share; prices up to GBP 10,000 (seed 002) appear; 0 "
            "is today's model",
            "1 when the networks' lowest price is price_min_gbp / (1 - share of arrivals removed), capped at "
            "price_max_gbp.",
            schedulable=False,
        ),
        switch(
            "injunction_wave",
            0.0,
            "courts",
            "structural alternative (d), seed 000 and EVENTS: the first planned flights (15, 16 and 17 September "
            "2025) left with nobody on board after last-minute legal challenges",
            "1 on days when detainees cleared for a flight bring last-minute challenges en masse (an injunction "
            "keeps each off the flight until the court decides).",
            baseline=0.0,
        ),
        P(
            "injunction_prob",
            0.9,
            "probability",
            "courts",
            "structural alternative (d), assumption: nearly all cleared detainees challenge during the wave",
            "Chance that a cleared detainee brings a last-minute challenge on a day of an injunction wave.",
            low=0,
            high=1,
        ),
    ]
}


def _check_one(param: Param, key: str, value):
    if is_schedule(value):
        if not param.schedulable:
            raise ConfigError(
                f"{key}: this parameter cannot be a dated schedule; give a single value ({param.range_text()})"
            )
        return normalise_schedule(key, value, param.check)
    return param.check(key, value)


def unknown_key_error(key: str, known) -> ConfigError:
    """The error for a parameter name that does not exist, with the nearest names."""
    import difflib

    near = difflib.get_close_matches(key, list(known), n=3)
    hint = f"; did you mean {', '.join(near)}?" if near else "; see `deterrence-sim params` for the list"
    return ConfigError(f"unknown parameter {key!r}{hint}")


class Parameters(Mapping):
    """A checked set of the model's parameters: every name of :data:`PARAMS`, defaults filled in,
    each value in checked form (a number, a choice, or a schedule as sorted ``(date, value)``
    pairs). It is made only by :func:`validate` and :meth:`replace`, so holding one means the
    values were checked, once; it cannot be changed in place. ``given`` keeps what was set away
    from the defaults, as it was written (a scenario file's ``[params]``, say), for reports and
    for the warnings about schedules after a run's end.

    A scenario checks its parameters into one of these when it is read (``Scenario.values``), and
    that value is what the runner, the analyses and the model receive: ``ChannelModel(values=...)``
    takes it without checking it again, and a run that changes a few parameters (a replicate's
    draws, a sweep's point) passes them as keyword arguments beside it, checked by
    :meth:`replace`, alone.
    """

    __slots__ = ("_given", "_values")
    _values: dict
    _given: dict

    def __init__(self, values: dict, given: dict, _checked: bool = False) -> None:
        if not _checked:
            raise TypeError("Parameters are made by params.validate(overrides), which checks them")
        object.__setattr__(self, "_values", values)
        object.__setattr__(self, "_given", given)

    def __setattr__(self, name, value):
        raise AttributeError("Parameters cannot be changed; make a changed copy with .replace({...})")

    def __getitem__(self, name: str):
        return self._values[name]

    def __iter__(self):
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"Parameters({self._given!r})"

    def __reduce__(self):
        return _parameters_from, (self._values, self._given)

    @property
    def given(self) -> dict:
        """The values set away from the defaults, as they were written (a copy)."""
        return dict(self._given)

    def replace(self, changes: Mapping) -> Parameters:
        """A copy with ``changes`` (name -> value, as a scenario file would write it) applied.
        Only the changed names are checked (and the checks across parameters made again); a value
        written as it already stands is taken as it is. Raises ConfigError as :func:`validate`."""
        if not changes:  # a run of a scenario as it is: nothing to copy or check
            return self
        values, given = dict(self._values), dict(self._given)
        for name, value in changes.items():
            if name not in PARAMS:
                raise unknown_key_error(name, PARAMS)
            if name in given and _same(given[name], value):
                continue
            values[name] = _check_one(PARAMS[name], name, value)
            given[name] = value
        check_consistency(values)
        return Parameters(values, given, _checked=True)


def _parameters_from(values: dict, given: dict) -> Parameters:
    """Rebuild :class:`Parameters` from its pickled parts (they were checked when made)."""
    return Parameters(values, given, _checked=True)


def _same(a, b) -> bool:
    """Whether two written values are the same (a schedule table or a number; arrays never are)."""
    try:
        return bool(type(a) is type(b) and a == b)
    except (TypeError, ValueError):
        return False


def validate(overrides: Mapping) -> Parameters:
    """Check user-supplied parameter values; return the full set (defaults filled in) as
    :class:`Parameters`. Given a :class:`Parameters`, return it as it is: it was checked when made.
    The defaults were checked once (:data:`DEFAULTS`), so only the values given are checked, then
    the checks across parameters made.

    Values may be constants or, for schedulable parameters, ``{date: value}`` tables.
    Raises ConfigError (one line, naming the key) on any problem.
    """
    if isinstance(overrides, Parameters):
        return overrides
    for key in overrides:  # a misspelt name is reported before any value (replace checks in order)
        if key not in PARAMS:
            raise unknown_key_error(key, PARAMS)
    return DEFAULTS.replace(overrides)


def _checked_defaults() -> Parameters:
    """Every parameter at its default, each checked (:func:`_check_one`) and then together."""
    out = {name: _check_one(param, name, param.default) for name, param in PARAMS.items()}
    check_consistency(out)
    return Parameters(out, {}, _checked=True)


def check_consistency(values: Mapping) -> None:
    """Checks across parameters: a value that must lie within a band set by two others.

    Each is a pair the rules read together, where an inconsistent pair would silently give a
    meaningless run (for example a starting price above the ceiling stays there, since prices only
    move within [price_min_gbp, price_max_gbp], and nobody can pay). Raises ConfigError naming
    both parameters and their values.
    """

    def fmt(name):
        return f"{name} = {values[name]:g}"

    if values["price_min_gbp"] > values["price_max_gbp"]:
        raise ConfigError(
            f"price_min_gbp: must not exceed price_max_gbp ({fmt('price_min_gbp')}, {fmt('price_max_gbp')})"
        )
    if not values["price_min_gbp"] <= values["price_initial_gbp"] <= values["price_max_gbp"]:
        raise ConfigError(
            f"price_initial_gbp: {values['price_initial_gbp']:g} is outside the price band; allowed: "
            f"[price_min_gbp, price_max_gbp] = [{values['price_min_gbp']:g}, "
            f"{values['price_max_gbp']:g}]"
        )
    if values["people_per_boat_initial"] > values["people_per_boat_max"]:
        raise ConfigError(
            f"people_per_boat_initial: must not exceed people_per_boat_max "
            f"({fmt('people_per_boat_initial')}, {fmt('people_per_boat_max')})"
        )
    if values["awareness_initial"] > values["awareness_max"]:
        raise ConfigError(
            f"awareness_initial: must not exceed awareness_max ({fmt('awareness_initial')}, {fmt('awareness_max')})"
        )


def schedule_dates_after(values: Parameters, end: dt.date) -> dict[str, list[dt.date]]:
    """The dates of the schedules set in ``values`` (those its ``given`` writes as dated tables)
    that fall after ``end``, by parameter: changes that a run ending on ``end`` never reaches. The
    model's own default schedules are not changes the values ask for and are left out."""
    out = {}
    for name, written in values.given.items():
        if not is_schedule(written):
            continue
        pairs, default = values[name], PARAMS[name].default
        if is_schedule(default) and pairs == DEFAULTS[name]:
            continue  # the model's own default schedule, not a change the scenario asks for
        late = [day for day, _ in pairs if day > end]
        if late:
            out[name] = late
    return out


def build(values: Mapping, start: dt.date, n_days: int) -> tuple[SimpleNamespace, SimpleNamespace]:
    """Split validated values into constants and per-day arrays (one entry per simulated day)."""
    const = {}
    daily = {}
    for name, param in PARAMS.items():
        value = values[name]
        if param.schedulable:
            pairs = value if isinstance(value, tuple) else None
            base = param.baseline_value if pairs else value
            daily[name] = expand(pairs, base, start, n_days)
        else:
            const[name] = value
    return SimpleNamespace(**const), SimpleNamespace(**daily)


_SCALAR_TYPES = {"float": float, "int": int, "bool": bool}
_CONSTANT_NAMES = tuple(n for n, p in PARAMS.items() if not p.schedulable and p.kind in _SCALAR_TYPES)
_DAILY_NAMES = tuple(n for n, p in PARAMS.items() if p.schedulable)
#: The constants the compiled day reads (every number that is not a schedule, a monthly list or a choice).
Constants = namedtuple("Constants", _CONSTANT_NAMES)  # type: ignore[misc]  # fields made from PARAMS
#: The per-day values the compiled day reads: one array per schedulable parameter, indexed by day.
Daily = namedtuple("Daily", _DAILY_NAMES)  # type: ignore[misc]  # fields made from PARAMS


def compiled_form(const: SimpleNamespace, daily: SimpleNamespace) -> tuple[Constants, Daily]:
    """The output of :func:`build` as the typed records the compiled day (``model.simulate_day``)
    takes. Each constant is converted to its parameter's kind, so that a scenario writing ``2``
    for a float parameter does not make numba compile a second version of the day."""
    c = Constants(**{n: _SCALAR_TYPES[PARAMS[n].kind](getattr(const, n)) for n in _CONSTANT_NAMES})
    d = Daily(**{n: np.ascontiguousarray(getattr(daily, n), dtype=np.float64) for n in _DAILY_NAMES})
    return c, d


def to_jsonable(values: Mapping) -> dict:
    """Parameter values in a form that JSON and TOML can write (schedules as date tables)."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        if isinstance(value, tuple) and value and isinstance(value[0], tuple):
            out[name] = {d.isoformat(): v for d, v in value}
        elif isinstance(value, tuple):
            out[name] = list(value)
        else:
            out[name] = value
    return out


#: Every parameter at its default, checked once.
DEFAULTS: Parameters = _checked_defaults()


__all__ = [
    "PARAMS",
    "DEFAULTS",
    "Param",
    "Parameters",
    "validate",
    "check_consistency",
    "schedule_dates_after",
    "build",
    "to_jsonable",
    "parse_date",
]
